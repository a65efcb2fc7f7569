#!/usr/bin/env python3
"""Writes the expected output of testdata/plugins cases from the reference.

usage: tools/plugin-expected.py CASE_DIR...

Each case is built by `kubectl kustomize` (kustomize v5.5.0) with the
case's env; exec KRM function cases are built through their container
twins (see tests/differential.py), because kubectl has no --enable-exec.
A success writes expected.yaml (the case's absolute directory replaced
by $CASE_DIR), a failure expected.err (kubectl's stderr, for
information: the golden test only asks kbuild to fail too).  Cases with
a `differential` skip file are left alone: their expected files are
written by hand.
"""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests'))
from golden import case_env  # noqa: E402
from differential import exec_as_container, skipped  # noqa: E402


def main():
    kubectl = shutil.which('kubectl')
    if not kubectl:
        sys.exit('kubectl is not on PATH')
    with tempfile.TemporaryDirectory() as tmp:
        for case in sys.argv[1:]:
            if skipped(case):
                print('%s: skipped' % case)
                continue
            with open(os.path.join(case, 'args')) as f:
                args = shlex.split(f.read().strip())
            ref_case = case
            if '--enable-exec' in args:
                ref_case = exec_as_container(case, tempfile.mkdtemp(dir=tmp))
                args = [x for x in args if x != '--enable-exec']
            p = subprocess.run([kubectl, 'kustomize'] + args, cwd=ref_case,
                               capture_output=True, env=case_env(case))
            real = os.path.realpath(case).encode()
            for n in ('expected.yaml', 'expected.err'):
                if os.path.exists(os.path.join(case, n)):
                    os.remove(os.path.join(case, n))
            if p.returncode == 0:
                out = p.stdout.replace(real, b'$CASE_DIR')
                with open(os.path.join(case, 'expected.yaml'), 'wb') as f:
                    f.write(out)
                print('%s: expected.yaml' % case)
            else:
                err = p.stderr.replace(real, b'$CASE_DIR')
                if ref_case != case:
                    err = err.replace(os.path.realpath(ref_case).encode(), b'$CASE_DIR')
                with open(os.path.join(case, 'expected.err'), 'wb') as f:
                    f.write(err)
                print('%s: expected.err' % case)


if __name__ == '__main__':
    main()
