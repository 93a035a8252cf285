#!/usr/bin/env python3
"""Print one output from a $GITHUB_OUTPUT file, or <unset>.

    github-output.py FILE NAME

Reads both forms GitHub accepts: NAME=VALUE and NAME<<DELIMITER ... DELIMITER.
"""
import sys

path, want = sys.argv[1], sys.argv[2]
lines = open(path).read().split("\n")
out, i = {}, 0
while i < len(lines):
    line = lines[i]
    if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
        name, delim = line.split("<<", 1)
        j = lines.index(delim, i + 1)
        out[name] = "\n".join(lines[i + 1:j])
        i = j
    elif "=" in line:
        name, value = line.split("=", 1)
        out[name] = value
    i += 1
print(out.get(want, "<unset>"))
