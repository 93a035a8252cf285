#!/usr/bin/env python3
"""The .ebignore matcher against git's: seeded random trees and patterns.

    ebignore_diff.py EBCTL WORKDIR [CASES] [SEED]

For each case, a tree of a few files (names drawn from the characters that
classes and escapes are about) and a pattern file, written as both .ebignore
and .gitignore; `ebctl bundle --all` says what it keeps, `git check-ignore
--no-index` what git ignores, and every file must be on exactly one side.
Prints one line per disagreement and a summary; exits 1 on any.
"""
import os
import random
import shutil
import subprocess
import sys
import zipfile

CHARS = "ab]Z[-\\!^x"
TOKENS = ["a", "b", "x", "Z", "*", "?", "**", "[ab]", "[!a]", "[^b]", "[a-c]", "[a-Z]", "[\\]]",
          "[a\\]]", "[!\\]]", "[]a]", "[!]]", "[", "\\", "\\[", "\\]", "\\*", "]", "-", "[[:alpha:]]",
          "[[:digit:]]", "[[:bogus:]]", "[a-]", "[\\", "[-a]", "[\\-]", "!", "^"]
KEEP = {"Dockerrun.aws.json", ".ebignore", ".gitignore"}


def name(rng):
    return "".join(rng.choice(CHARS) for _ in range(rng.randint(1, 3)))


def pattern(rng):
    p = "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.15:
        p = "d/" + p
    if rng.random() < 0.1:
        p += "/"
    if rng.random() < 0.1:
        p = "!" + p
    return p


def one(ebctl, root, rng):
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    files = set()
    for _ in range(rng.randint(3, 8)):
        rel = name(rng) if rng.random() < 0.7 else "d/" + name(rng)
        if rel.startswith("!") or rel in ("d", ".git"):
            continue
        if any(f == rel.split("/")[0] or f.startswith(rel + "/") for f in files):
            continue
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        with open(os.path.join(root, rel), "w") as f:
            f.write("x")
        files.add(rel)
    if any(f.split("/")[0] == "d" and "/" not in f for f in files):
        files = {f for f in files if not f.startswith("d/")}
    lines = [pattern(rng) for _ in range(rng.randint(1, 3))]
    text = "\n".join(lines) + "\n!Dockerrun.aws.json\n"
    for n in (".ebignore", ".gitignore"):
        with open(os.path.join(root, n), "w") as f:
            f.write(text)
    with open(os.path.join(root, "Dockerrun.aws.json"), "w") as f:
        f.write('{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.25", "essential": true, "memory": 128}]}')
    subprocess.run(["git", "init", "-q", root], check=True)
    out = os.path.join(root, "..", "bundle.zip")
    r = subprocess.run([ebctl, "bundle", "--all", "-C", root, "-o", out], capture_output=True, text=True)
    if r.returncode != 0:
        return [f"ebctl bundle failed: {r.stderr.strip()} for {lines!r}"]
    with zipfile.ZipFile(out) as z:
        kept = {n for n in z.namelist() if not n.endswith("/")}
    listed = sorted(f for f in files if f not in KEEP)
    g = subprocess.run(["git", "-C", root, "check-ignore", "--no-index", "--stdin", "-z"],
                       input="\0".join(listed) + "\0", capture_output=True, text=True)
    ignored = {p for p in g.stdout.split("\0") if p}
    bad = []
    for f in listed:
        if (f in ignored) == (f in kept):
            bad.append(f"{f!r}: git {'ignores' if f in ignored else 'keeps'}, ebctl "
                       f"{'keeps' if f in kept else 'leaves out'}; patterns {lines!r}")
    return bad


def main():
    ebctl, work = sys.argv[1], sys.argv[2]
    cases = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 21
    rng = random.Random(seed)
    bad = []
    for i in range(cases):
        for b in one(ebctl, os.path.join(work, "tree"), rng):
            bad.append(f"case {i}: {b}")
    for b in bad[:20]:
        print(b)
    print(f"{cases} cases (seed {seed}), {len(bad)} disagreements")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
