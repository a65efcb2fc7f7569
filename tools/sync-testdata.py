#!/usr/bin/env python3
"""Copy the shared corpora's cases that kbuild passes into testdata/.

usage: tools/sync-testdata.py --kbuild build/kbuild [--shared ../shared]

The project's own tests must run on a machine without ../shared, so the
golden cases live in testdata/ (they are data).  This script refreshes
them: every conformance case kbuild currently passes goes to
testdata/cases/, and the realworld corpus (trees plus cases) goes to
testdata/realworld/ with its layout kept, so the cases' relative args
still work.  Cases kbuild does not pass yet are listed, not copied; run
it after a change that makes more cases pass, and review `git status`:
a case that disappears is a regression.
"""
import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests'))
from golden import find_cases, run_case  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kbuild', required=True)
    ap.add_argument('--shared', default=os.path.join(os.path.dirname(__file__), '..', '..', 'shared'))
    a = ap.parse_args()
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
    kbuild = os.path.abspath(a.kbuild)
    shared = os.path.abspath(a.shared)

    dst = os.path.join(root, 'testdata', 'cases')
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(dst)
    kept = skipped = 0
    for case in find_cases([os.path.join(shared, 'conformance', 'cases')]):
        if run_case(kbuild, case) is None:
            shutil.copytree(case, os.path.join(dst, os.path.basename(case)), symlinks=True)
            kept += 1
        else:
            skipped += 1
    print('conformance: %d cases copied, %d not passing yet' % (kept, skipped))

    rw_src = os.path.join(shared, 'realworld')
    rw_dst = os.path.join(root, 'testdata', 'realworld')
    # testdata/realworld/net is the project's own corpus (tools/realworld-sync.py),
    # not a copy of shared/: keep it
    for name in os.listdir(rw_dst) if os.path.isdir(rw_dst) else []:
        if name != 'net':
            p = os.path.join(rw_dst, name)
            shutil.rmtree(p) if os.path.isdir(p) else os.unlink(p)
    os.makedirs(rw_dst, exist_ok=True)
    for name in os.listdir(rw_src):
        s = os.path.join(rw_src, name)
        if os.path.isdir(s) and name != 'cases':
            shutil.copytree(s, os.path.join(rw_dst, name), symlinks=True)
    os.makedirs(os.path.join(rw_dst, 'cases'))
    kept = skipped = 0
    for case in find_cases([os.path.join(rw_src, 'cases')]):
        if run_case(kbuild, case) is None:
            shutil.copytree(case, os.path.join(rw_dst, 'cases', os.path.basename(case)))
            kept += 1
        else:
            skipped += 1
    print('realworld: %d cases copied, %d not passing yet' % (kept, skipped))
    return 0


if __name__ == '__main__':
    sys.exit(main())
