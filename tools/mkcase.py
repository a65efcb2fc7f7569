#!/usr/bin/env python3
"""mkcase.py - turn an input tree into a golden case whose expectation is kubectl's.

usage: mkcase.py SRC_DIR DEST_CASE_DIR [FLAG...]

Copies SRC_DIR to DEST_CASE_DIR/in, writes `args` ("in" and the flags) and
runs `kubectl kustomize` on it: its stdout becomes expected.yaml, or, when
it fails, its error message becomes expected.err (for information: the
golden runner only checks that kbuild fails too).  Run it again after
kubectl changes to refresh the expectation.
"""
import os
import shutil
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    src, dest, flags = sys.argv[1], sys.argv[2], sys.argv[3:]
    if os.path.abspath(src) != os.path.abspath(os.path.join(dest, 'in')):
        shutil.rmtree(os.path.join(dest, 'in'), ignore_errors=True)
        shutil.copytree(src, os.path.join(dest, 'in'), symlinks=True)
    for f in ('expected.yaml', 'expected.err'):
        if os.path.exists(os.path.join(dest, f)):
            os.remove(os.path.join(dest, f))
    with open(os.path.join(dest, 'args'), 'w') as f:
        f.write(' '.join(['in'] + flags) + '\n')
    p = subprocess.run(['kubectl', 'kustomize', 'in'] + flags, cwd=dest, capture_output=True)
    if p.returncode == 0:
        with open(os.path.join(dest, 'expected.yaml'), 'wb') as f:
            f.write(p.stdout)
    else:
        err = p.stderr.decode('utf-8', 'replace')
        # kubectl prefixes its klog header; keep the message
        if '"command failed" err=' in err:
            err = err.split('"command failed" err=', 1)[1]
        with open(os.path.join(dest, 'expected.err'), 'w') as f:
            f.write(err.strip()[:2000] + '\n')
    print('%s: %s' % (dest, 'expected.yaml' if p.returncode == 0 else 'expected.err'))


if __name__ == '__main__':
    main()
