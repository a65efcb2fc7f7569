#!/usr/bin/env python3
"""Seed corpora for the libFuzzer harnesses of tests/fuzz, generated from
testdata/ (so no thousands of committed files): for each harness, the
files and fragments of the conformance, real-world and example trees that
are the kind of input it takes.

    tests/fuzz/seeds.py --testdata testdata --out build-fuzz/fuzz-corpus [NAME...]

writes OUT/NAME/<sha1 of the content> (existing files are kept, so a
corpus grown by fuzzing is only added to).  Fragments (inline patches,
`replacements:` and `literals:` blocks) are cut out of kustomization files
by indentation, without a YAML library.
"""
import argparse
import hashlib
import os
import re
import sys

MAX_SIZE = 64 * 1024
KUST_NAMES = {"kustomization.yaml", "kustomization.yml", "Kustomization"}
HARNESSES = ["resource", "kustomization", "patch_smp", "patch_json", "generator",
             "replacement", "roundtrip"]


def walk(testdata):
    for root, dirs, files in os.walk(testdata):
        dirs.sort()
        for f in sorted(files):
            path = os.path.join(root, f)
            try:
                with open(path, "rb") as fp:
                    data = fp.read(MAX_SIZE + 1)
            except OSError:
                continue
            if len(data) <= MAX_SIZE:
                yield path, f, data


def blocks(text, key):
    """The values of every `key:` in text (a block below it, or a block
    scalar), dedented, as bytes."""
    lines = text.split("\n")
    pat = re.compile(r"^(\s*(?:-\s+)?)" + re.escape(key) + r":\s*([|>][-+0-9]*)?\s*$")
    for i, line in enumerate(lines):
        m = pat.match(line)
        if not m:
            continue
        col = len(m.group(1))  # where the key starts
        scalar = m.group(2) is not None
        body = []
        for nxt in lines[i + 1:]:
            if nxt.strip() == "":
                body.append("")
                continue
            ind = len(nxt) - len(nxt.lstrip())
            # a list under a key may sit at the key's own column
            if ind > col or (ind == col and not scalar and nxt.lstrip().startswith("- ")):
                body.append(nxt)
            else:
                break
        while body and body[-1] == "":
            body.pop()
        if not body:
            continue
        cut = min(len(b) - len(b.lstrip()) for b in body if b)
        yield ("\n".join(b[cut:] for b in body) + "\n").encode()


def literals(text):
    """The items of every `literals:` list, one per line, as an env-like text."""
    out = []
    for b in blocks(text, "literals"):
        for line in b.decode(errors="replace").split("\n"):
            line = line.strip()
            if line.startswith("- "):
                item = line[2:].strip()
                if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
                    item = item[1:-1]
                out.append(item)
    if out:
        yield ("\n".join(out) + "\n").encode()


def classify(testdata):
    seeds = {h: [] for h in HARNESSES}
    for path, name, data in walk(testdata):
        text = data.decode("utf-8", errors="replace")
        ext = os.path.splitext(name)[1]
        is_yaml = ext in (".yaml", ".yml", ".json") or name in KUST_NAMES
        if name in KUST_NAMES:
            seeds["kustomization"].append(data)
            seeds["roundtrip"].append(data)
            for b in blocks(text, "patch"):
                (seeds["patch_json"] if re.search(r"\bop\b", b.decode(errors="replace"))
                 else seeds["patch_smp"]).append(b)
            for b in blocks(text, "replacements"):
                seeds["replacement"].append(b)
            for b in literals(text):
                seeds["generator"].append(b)
            continue
        if ext in (".env", ".properties", ".txt") or name.endswith(".env"):
            seeds["generator"].append(data)
            continue
        if not is_yaml:
            continue
        seeds["roundtrip"].append(data)
        if re.search(r"^\s*-?\s*\"?op\"?\s*:", text, re.M):
            seeds["patch_json"].append(data)
            continue
        if "fieldPath" in text and ("source:" in text or "targets:" in text):
            seeds["replacement"].append(data)
            continue
        if "kind" in text:
            seeds["resource"].append(data)
            if "patch" in name.lower() or "$patch" in text:
                seeds["patch_smp"].append(data)
    # every resource is also a strategic-merge patch of itself; keep the
    # small ones
    seeds["patch_smp"] += [d for d in seeds["resource"] if len(d) < 2048][:400]
    return seeds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--testdata", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    names = a.names or HARNESSES
    for n in names:
        if n not in HARNESSES:
            sys.exit(f"seeds.py: unknown harness '{n}' (one of {', '.join(HARNESSES)})")
    seeds = classify(a.testdata)
    for n in names:
        d = os.path.join(a.out, n)
        os.makedirs(d, exist_ok=True)
        added = 0
        for data in seeds[n]:
            p = os.path.join(d, hashlib.sha1(data).hexdigest())
            if not os.path.exists(p):
                with open(p, "wb") as fp:
                    fp.write(data)
                added += 1
        print(f"seeds: {n}: {added} new seed(s) in {d}")


if __name__ == "__main__":
    main()
