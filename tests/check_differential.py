#!/usr/bin/env python3
"""`kbuild check` against a loop of `kubectl kustomize` over the same trees.

usage: check_differential.py --kbuild BIN TREE...

For each TREE, `kbuild check TREE --format json -o BUNDLES` lists the
overlays it found with ok/failed; then `kubectl kustomize DIR` runs on each
of them.  The test fails when the two disagree on which overlays build, or
when an ok overlay's bundle differs from kubectl's output by one byte.
Warnings do not fail an overlay (no --strict), as kubectl only warns too.
Exits 77 (skipped) without kubectl on PATH.  Prints `N passed, M failed`.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kbuild', required=True)
    ap.add_argument('trees', nargs='+')
    a = ap.parse_args()
    kubectl = shutil.which('kubectl')
    if not kubectl:
        print('kubectl not on PATH: skipped')
        return 77
    kbuild = os.path.abspath(a.kbuild)
    passed = failed = 0
    for tree in a.trees:
        tree = os.path.abspath(tree)
        with tempfile.TemporaryDirectory(prefix='kb-checkdiff-') as out:
            p = subprocess.run([kbuild, 'check', '.', '--format', 'json', '-o', out],
                               cwd=tree, capture_output=True, timeout=300)
            if p.returncode not in (0, 1):
                print('FAIL %s: kbuild check exited %d: %s' % (
                    tree, p.returncode, p.stderr.decode('utf-8', 'replace')[:300]))
                failed += 1
                continue
            results = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
            if not results:
                print('FAIL %s: no overlays found' % tree)
                failed += 1
                continue
            for r in results:
                d = os.path.join(tree, r['path'])
                k = subprocess.run([kubectl, 'kustomize', d], capture_output=True, timeout=120)
                kube_ok = k.returncode == 0
                problem = None
                if kube_ok != r['ok']:
                    problem = 'kbuild says %s, kubectl %s' % (
                        'ok' if r['ok'] else 'failed', 'ok' if kube_ok else 'failed')
                elif kube_ok:
                    name = r['path'] if r['path'] != '.' else os.path.basename(tree)
                    with open(os.path.join(out, name + '.yaml'), 'rb') as f:
                        if f.read() != k.stdout:
                            problem = 'bundle differs from kubectl output'
                if problem:
                    failed += 1
                    print('FAIL %s: %s' % (d, problem))
                else:
                    passed += 1
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
