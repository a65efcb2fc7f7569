#!/usr/bin/env python3
"""Golden tests: run kbuild on every case directory and compare.

usage: golden.py --kbuild BIN [--jobs N] DIR...

A case directory holds `args` (the build target and flags, relative to
the case directory), `in/` (the input tree) and either `expected.yaml`
(stdout must equal it byte for byte, exit status 0) or `expected.err`
(exit status must be 1, stderr must start with "kbuild: error: " after
any warning lines, and
stdout must be empty: nothing partial is printed).  The expected files
come from `kubectl kustomize` (kustomize v5.5.0).

Prints one line per failure and, last, `N passed, M failed`.
"""
import argparse
import concurrent.futures
import os
import shlex
import subprocess
import sys


def find_cases(dirs):
    out = []
    for d in dirs:
        if not os.path.isdir(d):
            continue
        if os.path.isfile(os.path.join(d, 'args')):
            out.append(d)
            continue
        for n in sorted(os.listdir(d)):
            c = os.path.join(d, n)
            if os.path.isfile(os.path.join(c, 'args')):
                out.append(c)
    return out


def run_case(kbuild, case):
    with open(os.path.join(case, 'args')) as f:
        args = shlex.split(f.read().strip())
    try:
        p = subprocess.run([kbuild] + args, cwd=case, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return 'timed out'
    exp_yaml = os.path.join(case, 'expected.yaml')
    if os.path.exists(exp_yaml):
        with open(exp_yaml, 'rb') as f:
            want = f.read()
        if p.returncode != 0:
            return 'exit %d, expected success: %s' % (
                p.returncode, p.stderr.decode('utf-8', 'replace')[:300])
        if p.stdout != want:
            return 'output differs from expected.yaml'
        return None
    if p.returncode != 1:
        return 'exit %d, expected 1 (a build error)' % p.returncode
    if p.stdout:
        return 'printed output although the build failed'
    # warnings the build gave before it failed come first, one line each
    err = p.stderr
    while err.startswith(b'kbuild: ') and b': warning: ' in err.split(b'\n', 1)[0] \
            and not err.startswith(b'kbuild: error: '):
        err = err.split(b'\n', 1)[1] if b'\n' in err else b''
    if not err.startswith(b'kbuild: error: '):
        return 'stderr does not start with "kbuild: error: " (after any warnings)'
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kbuild', required=True)
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('dirs', nargs='+')
    a = ap.parse_args()
    kbuild = os.path.abspath(a.kbuild)
    cases = find_cases(a.dirs)
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        for case, res in zip(cases, ex.map(lambda c: run_case(kbuild, c), cases)):
            if res:
                failed += 1
                print('FAIL %s: %s' % (os.path.basename(case), res))
    if not cases:
        print('no cases found in %s' % ' '.join(a.dirs))
        return 1
    print('%d passed, %d failed' % (len(cases) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
