#!/usr/bin/env python3
"""Check that every diagnostic of `ebctl validate --format json` points at
the value its JSON pointer names (or at the key, for rules about keys).

usage: check_positions.py REPORT.json   (files named in the report are read)
Prints one line per problem and exits 1 if there is any."""
import json
import sys

KEY_RULES = {"unknown-key", "duplicate-key", "version-shape", "v3-shape"}
# rules about something missing that point at its misspelled key when there is one
MAYBE_KEY_RULES = {"version-missing", "containers-empty"}


def resolve(doc, pointer):
    if pointer == "":
        return doc
    for tok in pointer.split("/")[1:]:
        tok = tok.replace("~1", "/").replace("~0", "~")
        doc = doc[int(tok)] if isinstance(doc, list) else doc[tok]
    return doc


def main():
    report = json.load(open(sys.argv[1]))
    problems = 0
    checked = 0
    for f in report:
        if f.get("error"):
            continue
        diags = [d for d in f["diagnostics"] if d["rule"] != "json-syntax"]
        if not diags:
            continue
        text = open(f["file"], encoding="utf-8-sig").read()
        doc = json.loads(text)
        lines = text.split("\n")
        for d in diags:
            line = lines[d["line"] - 1]
            # the offset of column `col` (characters) in the whole text
            off = sum(len(l) + 1 for l in lines[: d["line"] - 1]) + d["column"] - 1
            try:
                got, end = json.JSONDecoder().raw_decode(text, off)
                key = d["pointer"].split("/")[-1].replace("~1", "/").replace("~0", "~")
                is_key = d["pointer"] != "" and got == key and text[end:].lstrip().startswith(":")
                if d["rule"] in KEY_RULES and d["pointer"]:
                    ok = is_key
                elif d["rule"] in MAYBE_KEY_RULES and is_key:
                    ok = True
                else:
                    ok = got == resolve(doc, d["pointer"])
            except Exception as e:  # noqa: BLE001 - any failure is a wrong position
                ok, got = False, repr(e)
            checked += 1
            if not ok:
                problems += 1
                print(f"{f['file']}:{d['line']}:{d['column']}: [{d['rule']}] {d['pointer']!r} points at {line.strip()[:60]!r}")
    print(f"checked {checked} positions, {problems} wrong")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
