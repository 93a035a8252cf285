#!/usr/bin/env python3
"""The layering check of `make lint`: dependencies point down only.

Each folder of src/ is a layer; a file may include the headers of its own
folder and of folders on a lower floor, never one of a folder beside it or
above it. The public headers in include/ebctl/ belong to the folder that
implements them. Prints each include that points the wrong way and exits 1
when there is one.

Only src/cli prints: a file of a lower folder that names stdout or stderr,
or calls the message writer, is reported too (the writer's own file and the
few listed below excepted)."""
import pathlib
import re
import sys

# floor of each folder: higher may use lower (see docs/ARCHITECTURE.md)
FLOORS = {"cli": 6, "deploy": 5, "env": 4, "bundle": 3, "dockerrun": 2, "aws": 2, "util": 1,
          "gen": 1}
# which folder each public header belongs to
HEADERS = {
    "cli.h": "cli", "templates.h": "gen",
    "deploy.h": "deploy",
    "env.h": "env", "doctor.h": "env", "watch.h": "env", "verdict.h": "env",
    "bundle.h": "bundle",
    "dockerrun.h": "dockerrun",
    "aws.h": "aws", "eb.h": "aws", "data.h": "aws", "iam.h": "aws", "s3.h": "aws", "sts.h": "aws", "sigv4.h": "aws", "cwlogs.h": "aws",
    "util.h": "util",
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
PRINTS = re.compile(r'\b(stdout|stderr|STDOUT_FILENO|STDERR_FILENO|msg_vwrite)\b')
# below src/cli, the files that may still write to the terminal, and why
MAY_PRINT = {
    "src/util/msg.c": "the writer of debugf, die and src/cli's messages",
    "src/util/xalloc.c": "out of memory: one fixed line, without allocating",
}
EXIT_CODE = re.compile(r'\bEBCTL_EXIT_[A-Z_]+')
# the files that may name an exit code: the rest return a status (EBCTL_ERR_*)
MAY_EXIT = {
    "include/ebctl/util.h": "the exit codes of DESIGN.md",
    "src/cli/exit.c": "cli_exit_code, the one mapping from a status",
    "src/cli/out_msg.c": "a closed pipe ends the process at once, quietly",
    "src/util/msg.c": "die(): nothing to return to",
    "src/util/xalloc.c": "out of memory: nothing to return to",
    "src/util/interrupt.c": "a second signal leaves at once",
}
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)


def owner(header, src_folder):
    if header.startswith("ebctl/"):
        return HEADERS.get(header[len("ebctl/"):])
    return src_folder  # a private header of the folder itself ("internal.h")


def main(root):
    root = pathlib.Path(root)
    bad = []
    for path in sorted(root.glob("src/*/*.[ch]")) + sorted(root.glob("include/ebctl/*.h")):
        rel = str(path.relative_to(root))
        in_src = path.parts[-3] == "src"
        folder = path.parent.name if in_src else HEADERS.get(path.name)
        text = path.read_text(errors="replace")
        code = COMMENT.sub("", text)
        if folder not in FLOORS:
            bad.append(f"{rel}: folder '{folder}' has no floor in mk/check-layers.py")
        else:
            for m in INCLUDE.finditer(text):
                to = owner(m.group(1), folder)
                if to is None:
                    bad.append(f"{rel}: includes '{m.group(1)}', which belongs to no folder")
                elif to != folder and FLOORS[to] >= FLOORS[folder]:
                    where = "above" if FLOORS[to] > FLOORS[folder] else "beside"
                    bad.append(f"{rel}: includes '{m.group(1)}' of src/{to}/, "
                               f"a layer {where} src/{folder}/")
        m = PRINTS.search(code) if in_src and folder != "cli" and rel not in MAY_PRINT else None
        if m:
            bad.append(f"{rel}: '{m.group(1)}' below src/cli, which alone prints "
                       f"(give the message to the caller's sink)")
        m = EXIT_CODE.search(code) if rel not in MAY_EXIT else None
        if m:
            bad.append(f"{rel}: names the exit code '{m.group(0)}'; return a status "
                       f"(EBCTL_ERR_*), which src/cli/exit.c maps")
    for line in bad:
        print(f"check-layers: {line}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
