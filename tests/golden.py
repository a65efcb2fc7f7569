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
`expected.stderr-contains` lists lines kbuild's stderr must contain.
A large expected output may be stored as `expected.yaml.gz`.

A file `known-failures` in a DIR lists cases (one name a line, then the
reason: `NAME  reason...`; `#` starts a comment) that are known to differ
from kubectl for a reason outside the code under test, e.g. the YAML
reader being replaced.  Such a case still runs: it must not crash or hang,
its difference is printed as KNOWN, and once it passes it is printed as
FIXED (remove its line) without failing the run.
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
import gzip
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
    """expected.yaml (or expected.yaml.gz) with $CASE_DIR replaced, or None."""
    exp_yaml = os.path.join(case, 'expected.yaml')
    if os.path.exists(exp_yaml):
        with open(exp_yaml, 'rb') as f:
            want = f.read()
    elif os.path.exists(exp_yaml + '.gz'):
        with gzip.open(exp_yaml + '.gz', 'rb') as f:
            want = f.read()
    else:
        return None
    return want.replace(b'$CASE_DIR', os.path.realpath(case).encode())


def read_known(dirs):
    """{case name: reason} from the known-failures files of dirs."""
    known = {}
    for d in dirs:
        p = os.path.join(d, 'known-failures')
        if not os.path.isfile(p):
            continue
        with open(p) as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                name, _, why = line.partition(' ')
                known[name] = why.strip()
    return known


def run_case(kbuild, case):
    with open(os.path.join(case, 'args')) as f:
        args = shlex.split(f.read().strip())
    try:
        p = subprocess.run([kbuild] + args, cwd=case, capture_output=True, timeout=60,
                           env=case_env(case))
    except subprocess.TimeoutExpired:
        return 'timed out'
    if p.returncode < 0 or p.returncode > 2:
        return 'crashed (exit %d): %s' % (p.returncode, p.stderr.decode('utf-8', 'replace')[-300:])
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
        return check_stderr(case, p.stderr)
    if p.returncode != 1:
        return 'exit %d, expected 1 (a build error)' % p.returncode
    if p.stdout:
        return 'printed output although the build failed'
    # Warnings said before the failure come first, as kustomize prints
    # them; then the error.
    err = p.stderr
    while err.startswith(b'kbuild: ') and not err.startswith(b'kbuild: error: ') and \
            b'warning: ' in err.split(b'\n', 1)[0]:
        err = err.split(b'\n', 1)[1] if b'\n' in err else b''
    if not err.startswith(b'kbuild: error: '):
        return 'stderr does not start with "kbuild: error: " (after any warnings)'
    return check_stderr(case, p.stderr)


def check_stderr(case, stderr):
    """expected.stderr-contains: lines kbuild's stderr must contain (the
    wording kbuild promises: an id as kustomize prints it, a warning)."""
    path = os.path.join(case, 'expected.stderr-contains')
    if not os.path.exists(path):
        return None
    with open(path, 'rb') as f:
        for line in f.read().splitlines():
            if line.strip() and line not in stderr:
                return 'stderr lacks %r' % line.decode('utf-8', 'replace')
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kbuild', required=True)
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('dirs', nargs='+')
    a = ap.parse_args()
    kbuild = os.path.abspath(a.kbuild)
    cases = find_cases(a.dirs)
    known = read_known(a.dirs)
    failed = nknown = 0
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        for case, res in zip(cases, ex.map(lambda c: run_case(kbuild, c), cases)):
            name = os.path.basename(case)
            if name in known:
                if res is None:
                    print('FIXED %s: passes now; remove it from known-failures' % name)
                elif res.startswith(('crashed', 'timed out')):
                    failed += 1
                    print('FAIL %s (known: %s): %s' % (name, known[name], res))
                else:
                    nknown += 1
                    print('KNOWN %s: %s (%s)' % (name, res[:120], known[name]))
                continue
            if res:
                failed += 1
                print('FAIL %s: %s' % (name, res))
    if not cases:
        print('no cases found in %s' % ' '.join(a.dirs))
        return 1
    if nknown:
        print('%d known failures (see known-failures)' % nknown)
    print('%d passed, %d failed' % (len(cases) - failed - nknown, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
