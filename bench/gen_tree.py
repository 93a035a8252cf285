#!/usr/bin/env python3
"""A large application tree for the bundle benchmark, the same on every run
(fixed seed): 20,000 files, about 200 MB, in a realistic mix of source code
(compressible text), JSON documents and images that are compressed already.

usage: gen_tree.py DIR [FILES] [MEGABYTES]"""
import json, os, random, sys

def main():
    root = sys.argv[1]
    files = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    total = (int(sys.argv[3]) if len(sys.argv) > 3 else 200) << 20
    rnd = random.Random(20)
    words = ["int", "return", "const", "struct", "static", "void", "if", "else", "for",
             "while", "char", "size_t", "uint64_t", "buffer", "length", "error", "value",
             "request", "response", "handler", "config", "session", "user", "token",
             "render", "update", "item", "list", "index", "count", "result", "status"]
    words += ["%s_%d" % (rnd.choice(words), i) for i in range(400)]
    n_img, n_json = files // 10, files // 5
    n_src = files - n_img - n_json
    # bytes: 42% images, 16% JSON, 42% source
    img_avg, json_avg = total * 42 // 100 // n_img, total * 16 // 100 // n_json
    src_avg = total * 42 // 100 // n_src
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "Dockerrun.aws.json"), "w") as f:
        json.dump({"AWSEBDockerrunVersion": 2, "containerDefinitions": [
            {"name": "web", "image": "nginx", "essential": True, "memory": 128}]}, f)
    def path(kind, i, ext):
        d = os.path.join(root, kind, "d%03d" % (i % 200), "s%02d" % (i % 7))
        os.makedirs(d, exist_ok=True)
        return os.path.join(d, "f%05d.%s" % (i, ext))
    for i in range(n_src):
        size = max(64, int(rnd.expovariate(1 / src_avg)))
        lines, n = [], 0
        while n < size:
            ind = "\t" * rnd.randint(0, 3)
            line = ind + " ".join(rnd.choice(words) for _ in range(rnd.randint(2, 10))) + ";"
            lines.append(line)
            n += len(line) + 1
        with open(path("src", i, rnd.choice(["c", "js", "py", "go", "ts"])), "w") as f:
            f.write("\n".join(lines) + "\n")
    for i in range(n_json):
        size = max(64, int(rnd.expovariate(1 / json_avg)))
        doc, n = [], 0
        while n < size:
            item = {"id": rnd.randint(0, 10**9), "name": rnd.choice(words),
                    "tags": [rnd.choice(words) for _ in range(3)], "score": rnd.random(),
                    "active": rnd.random() < 0.5}
            doc.append(item)
            n += 110
        with open(path("data", i, "json"), "w") as f:
            json.dump(doc, f, indent=2)
    for i in range(n_img):
        size = max(256, int(rnd.expovariate(1 / img_avg)))
        with open(path("static", i, rnd.choice(["png", "jpg", "webp"])), "wb") as f:
            f.write(rnd.randbytes(size))

main()
