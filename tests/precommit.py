#!/usr/bin/env python3
"""The pre-commit hook, run the way pre-commit runs it.

usage: precommit.py --kbuild BIN --source DIR

Reads the `kbuild-check` hook from DIR/.pre-commit-hooks.yaml and, in a
scratch git repository with overlays, does what pre-commit does on
`git commit`: takes the staged files, keeps those the hook's `files`
regex matches (re.search, as pre-commit), skips the hook when none is
left, else runs shlex.split(entry) + args + the file names from the
repository's top with `kbuild` (the binary under test) first on PATH.
The hook must pass a good change, fail a change that breaks an overlay
(naming it), and not run for files it does not take.
Prints `N passed, M failed`.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile


def load_hooks(path):
    """The list of hook mappings of a .pre-commit-hooks.yaml: a list of flat
    mappings with plain, quoted or folded (>-) scalar values, which is
    all this file uses (so the test needs no YAML package)."""
    hooks, cur, key, folded = [], None, None, None
    for raw in open(path):
        line = raw.rstrip('\n')
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        if folded is not None and line.startswith('    '):
            folded.append(line.strip())
            cur[key] = ' '.join(folded)
            continue
        folded = None
        m = re.match(r'^(- |  )([A-Za-z_]+):\s*(.*)$', line)
        if not m:
            raise ValueError('cannot read line: %r' % line)
        if m.group(1) == '- ':
            cur = {}
            hooks.append(cur)
        key, val = m.group(2), m.group(3)
        if val in ('>-', '>', '|'):
            folded = []
            cur[key] = ''
            continue
        if len(val) >= 2 and val[0] == val[-1] and val[0] in '\'"':
            quote, val = val[0], val[1:-1]
            if quote == "'":
                val = val.replace("''", "'")
        if val in ('true', 'false'):
            val = val == 'true'
        cur[key] = val
    return hooks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kbuild', required=True)
    ap.add_argument('--source', required=True)
    a = ap.parse_args()
    kbuild = os.path.abspath(a.kbuild)
    hooks_file = os.path.join(a.source, '.pre-commit-hooks.yaml')
    hooks = load_hooks(hooks_file)
    try:  # where a YAML package is installed, it must read the same
        import yaml
        with open(hooks_file) as f:
            if yaml.safe_load(f) != hooks:
                print('FAIL the hooks file reads differently with PyYAML')
                return 1
    except ImportError:
        pass
    hook = next((h for h in hooks if h.get('id') == 'kbuild-check'), None)
    passed = failed = 0

    def ok(cond, what):
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1
            print('FAIL ' + what)

    ok(hook is not None, 'no kbuild-check hook in .pre-commit-hooks.yaml')
    if hook is None:
        print('%d passed, %d failed' % (passed, failed))
        return 1
    ok(hook.get('language') == 'system', 'language is system (kbuild on PATH)')
    ok(shlex.split(hook['entry'])[:3] == ['kbuild', 'check', '--changed'],
       'entry is `kbuild check --changed`')
    files_re = re.compile(hook.get('files', ''))
    exclude_re = re.compile(hook.get('exclude', '^$'))
    for name, takes in (('apps/dev/kustomization.yaml', True), ('base/deploy.yml', True),
                        ('apps/Kustomization', True), ('Kustomization', True),
                        ('README.md', False), ('base/app.env', False),
                        ('docs/NotKustomization.txt', False)):
        ok(bool(files_re.search(name)) == takes, 'files regex on %s' % name)

    with tempfile.TemporaryDirectory(prefix='kb-precommit-') as tmp:
        repo = os.path.join(tmp, 'repo')
        bindir = os.path.join(tmp, 'bin')
        os.makedirs(bindir)
        os.symlink(kbuild, os.path.join(bindir, 'kbuild'))
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get('PATH', ''),
                   GIT_AUTHOR_NAME='t', GIT_AUTHOR_EMAIL='t@example.com',
                   GIT_COMMITTER_NAME='t', GIT_COMMITTER_EMAIL='t@example.com',
                   GIT_CONFIG_NOSYSTEM='1', HOME=tmp)

        def write(rel, text):
            p = os.path.join(repo, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, 'w') as f:
                f.write(text)

        def git(*args):
            return subprocess.run(['git'] + list(args), cwd=repo, env=env, check=True,
                                  capture_output=True).stdout.decode()

        write('base/kustomization.yaml', 'resources:\n- cm.yaml\n')
        write('base/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n')
        write('apps/dev/kustomization.yaml', 'resources:\n- ../../base\nnameSuffix: -dev\n')
        write('apps/prod/Kustomization', 'resources:\n- ../../base\nnameSuffix: -prod\n')
        write('other/kustomization.yaml', 'resources:\n- broken.yaml\n')  # broken, untouched
        write('README.md', 'docs\n')
        os.makedirs(repo, exist_ok=True)
        git('init', '-q', '-b', 'main')
        git('add', '-A')
        git('commit', '-qm', 'start', '--no-verify')

        def run_hook():
            """(ran, exit status, output) of the hook on the staged files."""
            staged = [f for f in git('diff', '--cached', '--name-only', '-z').split('\0') if f]
            names = [f for f in staged if files_re.search(f) and not exclude_re.search(f)]
            if not names:
                return False, 0, ''
            cmd = shlex.split(hook['entry']) + list(hook.get('args', [])) + names
            p = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, timeout=60)
            return True, p.returncode, (p.stdout + p.stderr).decode()

        write('base/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n'
                              'data:\n  k: v\n')
        git('add', 'base/cm.yaml')
        ran, rc, out = run_hook()
        ok(ran and rc == 0, 'a good change passes (ran=%s rc=%d): %s' % (ran, rc, out))
        ok('3 overlays: 3 ok' in out, 'it checks the base and both overlays: %s' % out)
        ok('other' not in out, 'an overlay the change does not touch is not reported')
        git('commit', '-qm', 'good', '--no-verify')

        write('apps/prod/Kustomization', 'resources:\n- ../../base\nnameSufix: -prod\n')
        git('add', 'apps/prod/Kustomization')
        ran, rc, out = run_hook()
        ok(ran and rc == 1, 'a broken overlay fails the commit (rc=%d)' % rc)
        ok('apps/prod: FAILED' in out and 'nameSufix' in out,
           'the failure names the overlay and the field: %s' % out)
        git('reset', '-q', '--hard')

        write('README.md', 'more docs\n')
        git('add', 'README.md')
        ran, rc, out = run_hook()
        ok(not ran, 'the hook does not run for files it does not take')
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
