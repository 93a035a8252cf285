#!/usr/bin/env python3
"""Render the fault matrix results ($BUILD/faults-s3.tsv and faults-eb.tsv,
written by faults_s3.sh and faults_eb.sh) as the Markdown table of
docs/RELIABILITY.md.

    faults_table.py build/faults-s3.tsv build/faults-eb.tsv
"""
import re
import sys


def main(paths):
    rows = []
    for path in paths:
        rows += [line.rstrip("\n").split("\t") for line in open(path, encoding="utf-8")][1:]
    print("| step | fault | when | exit | message |")
    print("|---|---|---|---|---|")
    for step, fault, count, rc, msg in rows:
        when = "once" if count == "1" else "always"
        msg = re.sub(r"request id [0-9A-Za-z-]+", "request id …", msg)
        msg = re.sub(r"ebctl-test\.\w+", "…", msg).replace("|", "\\|")
        cell = "deployed" if rc == "0" else f"`{msg}`"
        print(f"| {step} | {fault} | {when} | {rc} | {cell} |")

if __name__ == "__main__":
    main(sys.argv[1:])
