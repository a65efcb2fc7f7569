#!/usr/bin/env python3
"""`kbuild check --since REF` and `--changed FILE...` on a scripted git repo.

usage: check_git.py --kbuild BIN

Builds a repository in a temporary directory whose overlays reach files
every way a kustomization can (a base, a component, generator files,
patch files, `configurations`), then changes one thing at a time and
checks that exactly the overlays whose builds read the changed file are
reported: edits, staged edits, deletions, renames, untracked files, a
second kustomization file appearing, a commit range.
Prints `N passed, M failed`.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

TREE = {
    'base/kustomization.yaml': """resources:
- deploy.yaml
configurations:
- conf/nameref.yaml
configMapGenerator:
- name: settings
  files:
  - settings.properties
""",
    'base/deploy.yaml': """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx
        envFrom:
        - configMapRef:
            name: settings
""",
    'base/settings.properties': 'mode=fast\n',
    'base/conf/nameref.yaml': """nameReference:
- kind: ConfigMap
  fieldSpecs:
  - kind: Widget
    path: spec/settings
""",
    'comp/kustomization.yaml': """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
- path: comp-patch.yaml
""",
    'comp/comp-patch.yaml': """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
""",
    'app1/kustomization.yaml': """resources:
- ../base
patches:
- path: p1.yaml
""",
    'app1/p1.yaml': """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
""",
    'app2/kustomization.yaml': """resources:
- ../base
components:
- ../comp
""",
    'app3/kustomization.yaml': """resources:
- cm.yaml
""",
    'app3/cm.yaml': """apiVersion: v1
kind: ConfigMap
metadata:
  name: app3
""",
    'README.md': 'not an input of any build\n',
}


class Runner:
    def __init__(self, kbuild, repo):
        self.kbuild = kbuild
        self.repo = repo
        self.passed = self.failed = 0
        self.env = dict(os.environ, GIT_AUTHOR_NAME='t', GIT_AUTHOR_EMAIL='t@example.com',
                        GIT_COMMITTER_NAME='t', GIT_COMMITTER_EMAIL='t@example.com',
                        GIT_CONFIG_NOSYSTEM='1', HOME=repo)

    def git(self, *args):
        subprocess.run(['git'] + list(args), cwd=self.repo, env=self.env, check=True,
                       capture_output=True)

    def write(self, rel, text):
        p = os.path.join(self.repo, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'w') as f:
            f.write(text)

    def check(self, *args):
        p = subprocess.run([self.kbuild, 'check', '--format', 'json'] + list(args),
                           cwd=self.repo, env=self.env, capture_output=True, timeout=60)
        lines = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
        return p.returncode, {r['path']: r for r in lines}, p.stderr.decode()

    def expect(self, name, args, want, rc=None):
        code, got, err = self.check(*args)
        problems = []
        if sorted(got) != sorted(want):
            problems.append('reported %s, expected %s' % (sorted(got), sorted(want)))
        if rc is not None and code != rc:
            problems.append('exit %d, expected %d (%s)' % (code, rc, err.strip()[:200]))
        if problems:
            self.failed += 1
            print('FAIL %s: %s' % (name, '; '.join(problems)))
        else:
            self.passed += 1
        return got

    def reset(self):
        self.git('reset', '-q', '--hard', 'start')
        self.git('clean', '-qfdx')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kbuild', required=True)
    a = ap.parse_args()
    if not shutil.which('git'):
        print('git not on PATH: skipped')
        return 77
    kbuild = os.path.abspath(a.kbuild)
    with tempfile.TemporaryDirectory(prefix='kb-checkgit-') as tmp:
        repo = os.path.realpath(tmp)
        r = Runner(kbuild, repo)
        for rel, text in TREE.items():
            r.write(rel, text)
        r.git('init', '-q', '-b', 'main')
        r.git('add', '-A')
        r.git('commit', '-qm', 'base')
        r.git('tag', 'start')

        r.expect('whole repo', [], ['app1', 'app2', 'app3', 'base'], rc=0)
        r.expect('nothing changed', ['--since', 'HEAD'], [], rc=0)

        r.write('base/settings.properties', 'mode=slow\n')
        r.expect('generator file', ['--since', 'HEAD'], ['app1', 'app2', 'base'], rc=0)
        r.expect('--changed, as pre-commit passes it', ['--changed', 'base/settings.properties'],
                 ['app1', 'app2', 'base'], rc=0)
        r.reset()

        r.write('app1/p1.yaml', TREE['app1/p1.yaml'].replace('3', '4'))
        r.git('add', 'app1/p1.yaml')  # staged counts too
        got = r.expect('patch file (staged)', ['--since', 'HEAD'], ['app1'], rc=0)
        if 'app1' in got and got['app1'].get('changed') != ['app1/p1.yaml']:
            r.failed += 1
            print('FAIL the result names the changed file: %s' % got['app1'].get('changed'))
        else:
            r.passed += 1
        r.reset()

        r.write('comp/comp-patch.yaml', TREE['comp/comp-patch.yaml'].replace('2', '5'))
        r.expect('component patch file', ['--since', 'HEAD'], ['app2'], rc=0)
        r.reset()

        r.write('comp/kustomization.yaml', TREE['comp/kustomization.yaml'] + 'namePrefix: c-\n')
        r.expect('component kustomization', ['--since', 'HEAD'], ['app2'], rc=0)
        r.reset()

        r.write('base/conf/nameref.yaml', TREE['base/conf/nameref.yaml'] + '    create: false\n')
        r.expect('configurations file', ['--since', 'HEAD'], ['app1', 'app2', 'base'], rc=0)
        r.reset()

        os.unlink(os.path.join(repo, 'app3/cm.yaml'))
        got = r.expect('deleted file', ['--since', 'HEAD'], ['app3'], rc=1)
        if 'app3' in got and got['app3']['ok']:
            r.failed += 1
            print('FAIL deleted file: app3 should fail')
        r.reset()

        r.git('mv', 'app1/p1.yaml', 'app1/p2.yaml')
        r.expect('renamed without updating the reference', ['--since', 'HEAD'], ['app1'], rc=1)
        r.write('app1/kustomization.yaml', TREE['app1/kustomization.yaml'].replace('p1', 'p2'))
        r.expect('renamed with the reference updated', ['--since', 'HEAD'], ['app1'], rc=0)
        r.reset()

        r.write('app3/notes.yaml', 'not referenced\n')
        r.expect('untracked file nobody reads', ['--since', 'HEAD'], [], rc=0)
        r.write('app3/kustomization.yml', 'resources: [cm.yaml]\n')
        r.expect('untracked second kustomization file', ['--since', 'HEAD'], ['app3'], rc=1)
        r.reset()

        r.write('README.md', 'edited\n')
        r.expect('file nobody reads', ['--since', 'HEAD'], [], rc=0)
        r.reset()

        r.write('base/deploy.yaml', TREE['base/deploy.yaml'].replace('nginx', 'nginx:2'))
        r.git('commit', '-qam', 'bump')
        r.write('app3/cm.yaml', TREE['app3/cm.yaml'] + 'data:\n  k: v\n')
        r.expect('commit range and work tree', ['--since', 'start'],
                 ['app1', 'app2', 'app3', 'base'], rc=0)
        r.expect('since the last commit', ['--since', 'HEAD'], ['app3'], rc=0)
        r.expect('paths limit the overlays', ['--since', 'start', 'app1', 'app3'], ['app1', 'app3'],
                 rc=0)
        r.reset()

        code, _, err = r.check('--since', 'no-such-ref')
        if code == 2 and 'no such commit' in err:
            r.passed += 1
        else:
            r.failed += 1
            print('FAIL bad ref: exit %d, %s' % (code, err.strip()))
        code, _, err = r.check('--since', '--output=x')
        if code == 2:
            r.passed += 1
        else:
            r.failed += 1
            print('FAIL an option-like ref is a ref: exit %d, %s' % (code, err.strip()))
        outside = tempfile.mkdtemp(prefix='kb-nogit-')
        p = subprocess.run([kbuild, 'check', '--since', 'HEAD'], cwd=outside,
                           capture_output=True, env=dict(r.env, GIT_CEILING_DIRECTORIES=os.path.dirname(outside)))
        shutil.rmtree(outside)
        if p.returncode == 2 and b'git' in p.stderr:
            r.passed += 1
        else:
            r.failed += 1
            print('FAIL not a git work tree: exit %d, %s' % (p.returncode, p.stderr.decode()))
    print('%d passed, %d failed' % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == '__main__':
    sys.exit(main())
