#!/usr/bin/env python3
"""Differential test: kbuild against `kubectl kustomize` on the same trees.

usage: differential.py --kbuild BIN DIR...

For every case directory (conformance format) both tools build the
target; their stdout must be identical and both must succeed or both
fail.  Exits 77 (skipped) when kubectl is not on PATH.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden import find_cases  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kbuild', required=True)
    ap.add_argument('dirs', nargs='+')
    a = ap.parse_args()
    kubectl = shutil.which('kubectl')
    if not kubectl:
        print('kubectl not on PATH: differential test skipped')
        return 77
    kbuild = os.path.abspath(a.kbuild)
    cases = find_cases(a.dirs)
    failed = 0
    for case in cases:
        with open(os.path.join(case, 'args')) as f:
            args = shlex.split(f.read().strip())
        ref = subprocess.run([kubectl, 'kustomize'] + args, cwd=case, capture_output=True)
        got = subprocess.run([kbuild] + args, cwd=case, capture_output=True)
        if (ref.returncode == 0) != (got.returncode == 0):
            failed += 1
            print('FAIL %s: kubectl exit %d, kbuild exit %d' % (
                os.path.basename(case), ref.returncode, got.returncode))
        elif ref.returncode == 0 and ref.stdout != got.stdout:
            failed += 1
            print('FAIL %s: output differs from kubectl kustomize' % os.path.basename(case))
    print('%d passed, %d failed' % (len(cases) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
