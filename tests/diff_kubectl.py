#!/usr/bin/env python3
"""kbuild diff against kubectl kustomize: on scripted git repositories,
render every overlay of both revisions with `kubectl kustomize`, compare
the streams by resource (the same id and hash-rename matching), and check
that `kbuild diff --format json` reports exactly the overlays and
resources that differ, with the same statuses.

usage: diff_kubectl.py --kbuild KBUILD [--big] [--jobs N]

The default (what ctest runs) uses the bundled flux example and a small
generated repository; --big a generated repository of a few hundred
overlays (bench/gen_repo.py), which takes minutes with kubectl.  Exits 77
(skipped) without kubectl.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GEN = os.path.join(ROOT, 'bench', 'gen_repo.py')
KFILES = ('kustomization.yaml', 'kustomization.yml', 'Kustomization')
STEM = re.compile(r'^(.+)-[245679bcdfghkmt8]{10}$')

GIT_ENV = dict(os.environ, GIT_AUTHOR_NAME='t', GIT_AUTHOR_EMAIL='t@example.com',
               GIT_COMMITTER_NAME='t', GIT_COMMITTER_EMAIL='t@example.com',
               GIT_CONFIG_GLOBAL='/dev/null', GIT_CONFIG_NOSYSTEM='1')
for k in ('GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE'):
    GIT_ENV.pop(k, None)


def git(repo, *args):
    return subprocess.run(['git', '-C', repo] + list(args), env=GIT_ENV, check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout.decode()


def overlays(tree):
    """Kustomization roots below tree that are not Components."""
    out = []
    for d, dirs, files in os.walk(tree):
        dirs[:] = sorted(x for x in dirs if x != '.git')
        for k in KFILES:
            if k in files:
                text = open(os.path.join(d, k), errors='replace').read()
                if not re.search(r'^kind:\s*Component\s*$', text, re.M):
                    out.append(os.path.relpath(d, tree))
                break
    return out


def unquote(v):
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in '"\'':
        v = v[1:-1]
    return v


def resources(stream):
    """{(group, kind, namespace, name): text} of a kustomize stream, whose
    documents are separated by '---' lines and keep metadata's fields at
    two spaces."""
    out = {}
    for doc in re.split(r'^---\n', stream, flags=re.M):
        if not doc.strip():
            continue
        api = kind = name = ns = ''
        in_md = False
        for line in doc.splitlines():
            if not line.startswith(' '):
                in_md = line.startswith('metadata:')
                if line.startswith('apiVersion:'):
                    api = unquote(line[11:])
                elif line.startswith('kind:'):
                    kind = unquote(line[5:])
            elif in_md and line.startswith('  ') and not line.startswith('   '):
                if line.startswith('  name:'):
                    name = unquote(line[7:])
                elif line.startswith('  namespace:'):
                    ns = unquote(line[12:])
        group = api.split('/')[0] if '/' in api else ''
        out[(group, kind, ns, name)] = doc
    return out


def compare(a, b):
    """{(status, group, kind, namespace, name)} between two resource maps."""
    ka, kb_ = set(a), set(b)
    res = set()
    for k in ka & kb_:
        if a[k] != b[k]:
            res.add(('changed',) + k)
    only_a, only_b = ka - kb_, kb_ - ka

    def stems(keys):
        m = {}
        for k in keys:
            if k[0] == '' and k[1] in ('ConfigMap', 'Secret'):
                s = STEM.match(k[3])
                if s:
                    m.setdefault((k[0], k[1], k[2], s.group(1)), []).append(k)
        return m
    sa, sb = stems(only_a), stems(only_b)
    for s in set(sa) & set(sb):
        if len(sa[s]) == 1 and len(sb[s]) == 1:
            ra, rb = sa[s][0], sb[s][0]
            only_a.discard(ra)
            only_b.discard(rb)
            res.add(('changed',) + rb)
    res |= {('removed',) + k for k in only_a}
    res |= {('added',) + k for k in only_b}
    return res


def kustomize(tree, rel):
    p = subprocess.run(['kubectl', 'kustomize', os.path.join(tree, rel)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.stdout.decode() if p.returncode == 0 else None


def expected(repo, base, head, jobs):
    """What differs, by kubectl: {overlay: (status, {resources})}."""
    tmp = tempfile.mkdtemp(prefix='kbuild-dk-')
    trees = {}
    for name, rev in (('base', base), ('head', head)):
        d = os.path.join(tmp, name)
        os.makedirs(d)
        arch = subprocess.run(['git', '-C', repo, 'archive', rev], env=GIT_ENV, check=True,
                              stdout=subprocess.PIPE).stdout
        subprocess.run(['tar', '-x', '-C', d], input=arch, check=True)
        trees[name] = d
    ob, oh = set(overlays(trees['base'])), set(overlays(trees['head']))
    work = [(s, rel) for rel in sorted(ob | oh) for s in ('base', 'head')
            if rel in (ob if s == 'base' else oh)]
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        outs = dict(zip(work, ex.map(lambda w: kustomize(trees[w[0]], w[1]), work)))
    shutil.rmtree(tmp)
    exp = {}
    for rel in sorted(ob | oh):
        b = outs.get(('base', rel)) if rel in ob else None
        h = outs.get(('head', rel)) if rel in oh else None
        if rel not in ob:
            exp[rel] = ('added', compare({}, resources(h)) if h is not None else set())
        elif rel not in oh:
            exp[rel] = ('removed', compare(resources(b), {}) if b is not None else set())
        elif b is None and h is None:
            exp[rel] = ('both-fail', set())
        elif h is None:
            exp[rel] = ('broken', set())
        elif b is None:
            exp[rel] = ('fixed', compare({}, resources(h)))
        else:
            r = compare(resources(b), resources(h))
            if r:
                exp[rel] = ('changed', r)
    return exp, len(ob | oh)


def reported(kbuild, repo, base, head):
    p = subprocess.run([kbuild, 'diff', '--base', base, '--head', head, '--format', 'json'],
                       cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=GIT_ENV)
    if p.returncode not in (0, 1):
        raise SystemExit('kbuild diff failed (%d): %s' % (p.returncode, p.stderr.decode()))
    j = json.loads(p.stdout)
    got = {}
    for ov in j['overlays']:
        st = ov['status']
        res = {(r['status'], r['group'], r['kind'], r['namespace'], r['name'])
               for r in ov['resources']}
        if st == 'unchanged':
            if ov['head_error']:
                got[ov['path']] = ('both-fail', set())
            continue
        if st == 'failing':
            st = 'both-fail'
        got[ov['path']] = (st, res)
    return got, j['summary']


def check_case(name, kbuild, repo, base, head, jobs):
    exp, total = expected(repo, base, head, jobs)
    got, summary = reported(kbuild, repo, base, head)
    # an overlay failing the same on both sides is no difference to either
    exp = {k: v for k, v in exp.items() if v[0] != 'both-fail'}
    got = {k: v for k, v in got.items() if v[0] != 'both-fail'}
    ok = exp == got
    print('%s %s: %d overlays, %d differ, %d rendered' % (
        'ok' if ok else 'FAIL', name, total, len(exp), summary['rendered']))
    if not ok:
        for k in sorted(set(exp) | set(got)):
            if exp.get(k) != got.get(k):
                print('  %s: kubectl %s, kbuild %s' % (k, exp.get(k), got.get(k)))
    if summary['overlays'] != total:
        print('FAIL %s: kbuild found %d overlays, kubectl %d' % (name, summary['overlays'], total))
        ok = False
    return ok


def commit(repo, msg):
    git(repo, 'add', '-A')
    git(repo, 'commit', '-qm', msg)
    return git(repo, 'rev-parse', 'HEAD').strip()


def flux_repo(tmp):
    repo = os.path.join(tmp, 'flux')
    shutil.copytree(os.path.join(ROOT, 'testdata', 'examples', 'gitops'), repo)
    git(repo, 'init', '-q')
    a = commit(repo, 'a')

    def edit(rel, old, new):
        p = os.path.join(repo, rel)
        s = open(p).read()
        assert old in s, (rel, old)
        open(p, 'w').write(s.replace(old, new, 1))
    edit('apps/base/podinfo/release.yaml', 'interval: 50m', 'interval: 30m')
    edit('apps/prod/podinfo-values.yaml', 'replicaCount: 3', 'replicaCount: 5')
    edit('infrastructure/controllers/cert-manager.yaml', 'interval: 24h', 'interval: 12h')
    b = commit(repo, 'b')
    return repo, a, b


def gen_repo(tmp, n, nb):
    repo = os.path.join(tmp, 'gen%d' % n)
    os.makedirs(repo)
    subprocess.run([sys.executable, GEN, repo, str(n), str(nb)], check=True)
    git(repo, 'init', '-q')
    a = commit(repo, 'a')
    subprocess.run([sys.executable, GEN, '--change', repo, 'base', 'patch', 'generator',
                    'break', 'add', 'remove'], check=True)
    b = commit(repo, 'b')
    return repo, a, b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kbuild', required=True)
    ap.add_argument('--big', action='store_true')
    ap.add_argument('--jobs', type=int, default=2)
    a = ap.parse_args()
    if not shutil.which('kubectl'):
        print('kubectl not on PATH: skipped')
        return 77
    kbuild = os.path.abspath(a.kbuild)
    tmp = tempfile.mkdtemp(prefix='kbuild-diff-kubectl-')
    ok = True
    try:
        repo, x, y = flux_repo(tmp)
        ok &= check_case('flux example', kbuild, repo, x, y, a.jobs)
        ok &= check_case('flux example, reversed', kbuild, repo, y, x, a.jobs)
        n, nb = (300, 10) if a.big else (7, 7)
        repo, x, y = gen_repo(tmp, n, nb)
        ok &= check_case('generated, %d overlays over %d bases' % (n, nb), kbuild, repo, x, y,
                         a.jobs)
    finally:
        shutil.rmtree(tmp)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
