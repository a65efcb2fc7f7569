#!/usr/bin/env python3
"""Golden tests of `kbuild check` on whole trees.

usage: check_golden.py --kbuild BIN [--update] CASES_DIR

Each case directory under CASES_DIR holds
  tree          one line: the tree to check, under CASES_DIR/../trees
  args          the arguments after `kbuild check` (shell words)
  expected.out  stdout, byte for byte (timings are written as 0: the
                runner rewrites "duration_ms":N, time="N" and "(N ms)")
  expected.rc   the exit status
  expected.err  (optional) stderr, the same way
kbuild runs with the tree as the current directory, so paths in the
report are relative to it (and the cache figures of -v are written N).
--update rewrites the expected files from
what kbuild prints (review the diff before committing).
Prints one line per failure and, last, `N passed, M failed`.
"""
import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys


def normalize(b):
    s = b.decode('utf-8', 'replace')
    s = re.sub(r'"duration_ms":[0-9.]+', '"duration_ms":0', s)
    s = re.sub(r'time="[0-9.]+"', 'time="0"', s)
    s = re.sub(r', [0-9.]+ ms\)', ', 0 ms)', s)
    s = re.sub(r'; [0-9]+ ms$', '; 0 ms', s, flags=re.M)
    # how much the cache saved depends on how the pipeline reads, not on check
    s = re.sub(r'shared cache: [0-9]+ file reads \([0-9]+ from disk\), [0-9]+ parses '
               r'\([0-9]+ parsed\)', 'shared cache: N file reads (N from disk), N parses (N parsed)', s)
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kbuild', required=True)
    ap.add_argument('--update', action='store_true')
    ap.add_argument('cases')
    a = ap.parse_args()
    kbuild = os.path.abspath(a.kbuild)
    trees = os.path.join(os.path.dirname(os.path.abspath(a.cases)), 'trees')
    passed = failed = 0
    for name in sorted(os.listdir(a.cases)):
        case = os.path.join(a.cases, name)
        if not os.path.isfile(os.path.join(case, 'args')):
            continue
        with open(os.path.join(case, 'tree')) as f:
            tree = os.path.join(trees, f.read().strip())
        with open(os.path.join(case, 'args')) as f:
            args = shlex.split(f.read())
        env = dict(os.environ)
        env.pop('GITHUB_ACTIONS', None)
        try:
            p = subprocess.run([kbuild, 'check'] + args, cwd=tree, capture_output=True,
                               timeout=60, env=env)
        except subprocess.TimeoutExpired:
            print('FAIL %s: timed out' % name)
            failed += 1
            continue
        out, err = normalize(p.stdout), normalize(p.stderr)
        files = {'expected.out': out, 'expected.rc': '%d\n' % p.returncode}
        if os.path.exists(os.path.join(case, 'expected.err')) or (a.update and err):
            files['expected.err'] = err
        if a.update:
            for fn, text in files.items():
                with open(os.path.join(case, fn), 'w') as f:
                    f.write(text)
            passed += 1
            continue
        problems = []
        for fn, text in files.items():
            path = os.path.join(case, fn)
            want = open(path).read() if os.path.exists(path) else ''
            if text != want:
                diff = ''.join(difflib.unified_diff(
                    want.splitlines(True), text.splitlines(True), fn, 'got', n=1))
                problems.append('%s differs:\n%s' % (fn, diff[:3000]))
        if problems:
            failed += 1
            print('FAIL %s: %s' % (name, '\n'.join(problems)))
        else:
            passed += 1
    print('%d passed, %d failed' % (passed, failed))
    if passed + failed == 0:
        print('no cases found in %s' % a.cases)
        return 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
