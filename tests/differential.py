#!/usr/bin/env python3
"""Differential test: kbuild against `kubectl kustomize` on the same trees.

usage: differential.py --kbuild BIN DIR...

For every case directory (conformance format) both tools build the
target; their stdout must be identical and both must succeed or both
fail.  Exits 77 (skipped) when kubectl is not on PATH.

A case's `env` file applies to both (see golden.py).  A case with a
`differential` file whose first line starts with "skip" is left out (the
rest of the line says why: a kbuild-only flag, say).  kubectl has no
--enable-exec, so a case that uses it is built by kubectl from a copy in
which every exec KRM function (`exec: {path: P}`) is a container
function with the image kbuild-exec.test/P, which the fake docker of
testdata/plugins/bin runs as P: the same program, through kustomize's
own ResourceList handling.  Such a case's env must put that fake docker
first on PATH.
"""
import argparse
import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden import case_env, find_cases  # noqa: E402

EXEC_RE = re.compile(r'^(\s*)exec:\s*\n(\s*)path:\s*(\S+)[ \t]*$', re.M)


def exec_as_container(case, tmp):
    """A copy of case in tmp with exec functions turned into container
    functions; returns the copy's directory.  The copy sits where paths
    relative to the case still lead to the same files: the case's
    group directory is recreated and its siblings are linked."""
    real = os.path.realpath(case)
    group = os.path.dirname(real)
    top = os.path.dirname(group)
    mirror = os.path.join(tmp, 'mirror')
    os.makedirs(mirror)
    for n in os.listdir(top):
        if n != os.path.basename(group):
            os.symlink(os.path.join(top, n), os.path.join(mirror, n))
    dst = os.path.join(mirror, os.path.basename(group), os.path.basename(case))
    shutil.copytree(case, dst, symlinks=True)
    for root, _, files in os.walk(os.path.join(dst, 'in')):
        for n in files:
            p = os.path.join(root, n)
            if os.path.islink(p) or not n.endswith(('.yaml', '.yml')):
                continue
            with open(p) as f:
                text = f.read()
            new = EXEC_RE.sub(lambda m: '%scontainer:\n%simage: kbuild-exec.test/%s' % (
                m.group(1), m.group(2), m.group(3)), text)
            if new != text:
                with open(p, 'w') as f:
                    f.write(new)
    return dst


def skipped(case):
    p = os.path.join(case, 'differential')
    if not os.path.exists(p):
        return False
    with open(p) as f:
        return f.readline().strip().startswith('skip')


def run_one(kubectl, kbuild, case, tmp):
    """None when both tools agree, else what differs."""
    with open(os.path.join(case, 'args')) as f:
        args = shlex.split(f.read().strip())
    ref_case, ref_args = case, args
    if '--enable-exec' in args:
        ref_case = exec_as_container(case, tempfile.mkdtemp(dir=tmp))
        ref_args = [x for x in args if x != '--enable-exec']
    ref = subprocess.run([kubectl, 'kustomize'] + ref_args, cwd=ref_case,
                         capture_output=True, env=case_env(case))
    got = subprocess.run([kbuild] + args, cwd=case, capture_output=True, env=case_env(case))
    if (ref.returncode == 0) != (got.returncode == 0):
        err = (ref.stderr if ref.returncode else got.stderr).decode('utf-8', 'replace')
        return 'kubectl exit %d, kbuild exit %d\n  %s' % (
            ref.returncode, got.returncode, err.strip().replace('\n', '\n  ')[:600])
    if ref.returncode == 0 and ref.stdout != got.stdout:
        return 'output differs from kubectl kustomize'
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kbuild', required=True)
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('dirs', nargs='+')
    a = ap.parse_args()
    kubectl = shutil.which('kubectl')
    if not kubectl:
        print('kubectl not on PATH: differential test skipped')
        return 77
    kbuild = os.path.abspath(a.kbuild)
    cases = [c for c in find_cases(a.dirs) if not skipped(c)]
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
            for case, res in zip(cases, ex.map(lambda c: run_one(kubectl, kbuild, c, tmp), cases)):
                if res:
                    failed += 1
                    print('FAIL %s: %s' % (os.path.basename(case), res))
    print('%d passed, %d failed' % (len(cases) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
