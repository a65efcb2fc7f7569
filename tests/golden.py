#!/usr/bin/env python3
"""Golden tests: run kbuild on every case directory and compare.

usage: golden.py --kbuild BIN [--jobs N] DIR...

A case directory holds `args` (the build target and flags, relative to
the case directory), `in/` (the input tree) and either `expected.yaml`
(stdout must equal it byte for byte, exit status 0) or `expected.err`
(exit status must be 1, stderr must start with "kbuild: error: " after
any warning lines, and
stdout must be empty: nothing partial is printed).  The expected files
come from `kubectl kustomize` (kustomize v5.5.0).  An optional
`expected.stderr` lists lines that must each appear in stderr (as
substrings), for cases whose messages matter.

A case may also hold `env`: NAME=VALUE lines added to the environment
of the build (`$CASE_DIR` is the case's absolute directory, other `$VAR`s
expand from the environment), e.g. PATH for a fake container runtime or
XDG_CONFIG_HOME for exec plugins.  `$CASE_DIR` in expected.yaml stands
for the same directory.

Prints one line per failure and, last, `N passed, M failed`.
"""
import argparse
import atexit
import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile


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


_PY_DIR = None


def _python_dir():
    """A directory whose python3 is this interpreter: the test functions
    start with `#!/usr/bin/env python3`, and a version manager's shim in
    PATH would cost most of a second per call."""
    global _PY_DIR
    if _PY_DIR is None:
        _PY_DIR = tempfile.mkdtemp(prefix='kbuild-py-')
        os.symlink(os.path.realpath(sys.executable), os.path.join(_PY_DIR, 'python3'))
        atexit.register(shutil.rmtree, _PY_DIR, True)
    return _PY_DIR


def case_env(case):
    """The environment of a case's build: ours plus its `env` file."""
    env = dict(os.environ)
    path = os.path.join(case, 'env')
    if not os.path.exists(path):
        return env
    abs_case = os.path.realpath(case)
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            name, _, value = line.partition('=')
            value = value.replace('$CASE_DIR', abs_case)
            value = re.sub(r'\$(\w+)', lambda m: env.get(m.group(1), ''), value)
            env[name] = value
    env['PATH'] = _python_dir() + os.pathsep + env.get('PATH', '')
    return env


def expected_output(case):
    """expected.yaml with $CASE_DIR replaced, or None."""
    exp_yaml = os.path.join(case, 'expected.yaml')
    if not os.path.exists(exp_yaml):
        return None
    with open(exp_yaml, 'rb') as f:
        return f.read().replace(b'$CASE_DIR', os.path.realpath(case).encode())


def run_case(kbuild, case):
    with open(os.path.join(case, 'args')) as f:
        args = shlex.split(f.read().strip())
    try:
        p = subprocess.run([kbuild] + args, cwd=case, capture_output=True, timeout=60,
                           env=case_env(case))
    except subprocess.TimeoutExpired:
        return 'timed out'
    exp_stderr = os.path.join(case, 'expected.stderr')
    if os.path.exists(exp_stderr):
        got = p.stderr.decode('utf-8', 'replace')
        with open(exp_stderr) as f:
            for line in f.read().splitlines():
                if line.strip() and line not in got:
                    return 'stderr lacks %r; it was:\n%s' % (line, got[:2000])
    want = expected_output(case)
    if want is not None:
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
