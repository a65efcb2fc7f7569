#!/usr/bin/env python3
"""The real-world corpus under testdata/realworld/net: collect it, regenerate
its expected outputs with kubectl, and measure kbuild on it.

usage:
  tools/realworld-sync.py collect --mirror GITDIR[=NAME] ... [--jobs N]
      Extract each repository's HEAD (a bare git dir, e.g. one brought by
      the search tool's fetch), try every kustomization directory in it with
      `kubectl kustomize` (under strace, to learn which files the build
      reads), keep the trimmed tree (only the files some build read) under
      net/trees/NAME/ and one case per directory under net/cases/.  Builds
      that fail become expected.err cases (a sample: --max-err per repo);
      builds that need helm (`--enable-helm`) are skipped, since helm is not
      installed; a build refused by the load restrictor is retried with
      `--load-restrictor LoadRestrictionsNone`.  The repository and its
      commit are recorded in net/SOURCES.tsv.
  tools/realworld-sync.py regen [CASE...]
      Rerun `kubectl kustomize` on the committed trees and rewrite each
      case's expected.yaml / expected.err (after kubectl is upgraded, or a
      tree is edited by hand).  Prints the cases whose expectation changed.
  tools/realworld-sync.py trim --kbuild build/kbuild [--budget-mb 27]
      Keep a selection of the collected cases within a size budget (each
      repository in turn takes its cheapest remaining case; outputs equal
      to one kept are skipped), drop the tree files no kept build reads,
      and regenerate the kept cases' expectations.  Run after collect.
  tools/realworld-sync.py measure --kbuild build/kbuild
      Run kbuild on every case and print the pass count per repository
      (known failures, listed in net/known-failures, count as failures
      here: this is the honest number).

Layout (one data tree per repository, cases only point into it, so shared
bases are stored once):
  net/SOURCES.tsv              name, repository, commit, files kept
  net/trees/NAME/...           the files the builds read, paths as in the repo
  net/cases/NAME.DIR/args      `../../trees/NAME/DIR [flags]`
  net/cases/NAME.DIR/expected.yaml | expected.err
  net/known-failures           cases tests/golden.py expects to fail, with why
"""
import argparse
import concurrent.futures
import gzip
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
NET = os.path.join(ROOT, 'testdata', 'realworld', 'net')
KFILES = ('kustomization.yaml', 'kustomization.yml', 'Kustomization')
TIMEOUT = 300
GZ_OVER = 256 * 1024  # expected outputs larger than this are stored gzipped

sys.path.insert(0, os.path.join(ROOT, 'tests'))
from golden import find_cases, run_case, read_known  # noqa: E402


def kubectl_env():
    env = dict(os.environ)
    # No network here; make remote bases fail fast instead of hanging.
    env['GIT_TERMINAL_PROMPT'] = '0'
    env['HOME'] = tempfile.gettempdir()
    return env


def run_kubectl(args, cwd, trace=None):
    cmd = ['kubectl', 'kustomize'] + args
    if trace:
        cmd = ['strace', '-f', '-qq', '-e', 'trace=openat,open,stat,newfstatat,lstat,readlink',
               '-o', trace] + cmd
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=TIMEOUT, env=kubectl_env())
    except subprocess.TimeoutExpired:
        return None
    return p


OPEN_RE = re.compile(r'^\d+\s+(?:openat\(AT_FDCWD, |open\()"([^"]+)"[^)]*\)\s*=\s*(\d+)')


def traced_files(trace, root):
    """Regular files under root that the traced build opened."""
    out = set()
    try:
        with open(trace, errors='replace') as f:
            for line in f:
                m = OPEN_RE.match(line)
                if not m:
                    continue
                p = os.path.normpath(m.group(1))
                if not p.startswith(root + os.sep):
                    continue
                if os.path.isfile(p) and not os.path.islink(p):
                    out.add(os.path.relpath(p, root))
    except OSError:
        pass
    return out


def extract(gitdir, dst):
    """HEAD's files into dst.  Not `git archive`: a snapshot may lack its
    largest blobs, which archive refuses; those files are skipped."""
    ls = subprocess.run(['git', '--git-dir', gitdir, 'ls-tree', '-r', '-z', 'HEAD'],
                        capture_output=True, check=True).stdout
    entries = []
    for ent in ls.split(b'\0'):
        if not ent:
            continue
        meta, path = ent.split(b'\t', 1)
        mode, typ, sha = meta.split()
        if typ == b'blob' and mode in (b'100644', b'100755', b'120000'):
            entries.append((mode, sha, path.decode('utf-8', 'surrogateescape')))
    p = subprocess.Popen(['git', '--git-dir', gitdir, 'cat-file', '--batch'],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    for mode, sha, path in entries:
        p.stdin.write(sha + b'\n')
        p.stdin.flush()
        head = p.stdout.readline().split()
        if len(head) < 3 or head[1] == b'missing':
            continue
        data = p.stdout.read(int(head[2]))
        p.stdout.read(1)
        out = os.path.join(dst, path)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        if mode == b'120000':
            try:
                os.symlink(data.decode('utf-8', 'surrogateescape'), out)
            except OSError:
                pass
        else:
            with open(out, 'wb') as f:
                f.write(data)
    p.stdin.close()
    p.wait()


def case_name(name, d):
    return name + '.' + (d.replace('/', '.') if d != '.' else 'root')


def collect_repo(gitdir, name, jobs, max_err):
    commit = subprocess.run(['git', '--git-dir', gitdir, 'rev-parse', 'HEAD'],
                            capture_output=True, text=True, check=True).stdout.strip()
    url = re.sub(r'^.*/([^/+]+)\+([^/]+)/repo/?$', r'\1/\2', os.path.abspath(gitdir))
    work = tempfile.mkdtemp(prefix='rw-')
    src = os.path.join(work, 'src')
    os.makedirs(src)
    extract(gitdir, src)
    dirs = []
    for dp, dns, fns in os.walk(src):
        dns[:] = sorted(x for x in dns if not x.startswith('.') and x not in ('vendor', 'node_modules'))
        if any(f in fns for f in KFILES):
            dirs.append(os.path.relpath(dp, src))
    dirs.sort()

    def try_dir(i_d):
        i, d = i_d
        trace = os.path.join(work, 'trace.%d' % i)
        args = [d]
        p = run_kubectl(args, src, trace)
        if p is None:
            return d, args, None, set()
        err = p.stderr.decode('utf-8', 'replace')
        if p.returncode != 0 and 'enable-helm' in err:
            return d, args, 'helm', set()
        if p.returncode != 0 and 'security; file' in err and 'is not in or below' in err:
            args = [d, '--load-restrictor', 'LoadRestrictionsNone']
            p = run_kubectl(args, src, trace)
            if p is None:
                return d, args, None, set()
            if p.returncode != 0 and 'enable-helm' in p.stderr.decode('utf-8', 'replace'):
                return d, args, 'helm', set()
        return d, args, p, traced_files(trace, src)

    results = []
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        results = list(ex.map(try_dir, list(enumerate(dirs))))

    keep_files = set()
    chosen = []
    nerr = 0
    stats = {'dirs': len(dirs), 'ok': 0, 'err': 0, 'helm': 0, 'timeout': 0, 'err_kept': 0}
    for d, args, p, files in results:
        if p is None:
            stats['timeout'] += 1
            continue
        if p == 'helm':
            stats['helm'] += 1
            continue
        if p.returncode == 0:
            stats['ok'] += 1
            chosen.append((d, args))
            keep_files |= files
        else:
            stats['err'] += 1
            msg = p.stderr.decode('utf-8', 'replace')
            # Remote bases cannot be fetched here: such failures say nothing.
            if 'git' in msg and ('clone' in msg or 'fetch' in msg) or 'http' in msg and 'dial' in msg:
                continue
            if nerr < max_err:
                nerr += 1
                stats['err_kept'] += 1
                chosen.append((d, args))
                keep_files |= files
    # The repository's license travels with its data.
    for lic in ('LICENSE', 'LICENSE.txt', 'LICENSE.md', 'COPYING'):
        if os.path.isfile(os.path.join(src, lic)):
            keep_files.add(lic)
            break

    tree = os.path.join(NET, 'trees', name)
    shutil.rmtree(tree, ignore_errors=True)
    for rel in sorted(keep_files):
        dst = os.path.join(tree, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(os.path.join(src, rel), dst)
    for d, args in chosen:
        os.makedirs(os.path.join(tree, d), exist_ok=True)
    cases_dir = os.path.join(NET, 'cases')
    for c in find_cases([cases_dir]):
        if os.path.basename(c).startswith(name + '.'):
            shutil.rmtree(c)
    for d, args in chosen:
        c = os.path.join(cases_dir, case_name(name, d))
        os.makedirs(c, exist_ok=True)
        rel = os.path.relpath(os.path.join(tree, d), c)
        with open(os.path.join(c, 'args'), 'w') as f:
            f.write(' '.join(shlex.quote(x) for x in [rel] + args[1:]) + '\n')
        regen_case(c)
    shutil.rmtree(work, ignore_errors=True)
    write_source(name, url, commit, len(keep_files))
    return stats


def write_source(name, url, commit, nfiles=0):
    """Records the repository and commit of tree NAME in SOURCES.tsv; the
    file and case counts are recounted from the disk."""
    path = os.path.join(NET, 'SOURCES.tsv')
    rows = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.startswith('#') or not line.strip():
                    continue
                cols = line.rstrip('\n').split('\t')
                rows[cols[0]] = cols[:3]
    if name:
        rows[name] = [name, url, commit]
    cases = os.listdir(os.path.join(NET, 'cases')) if os.path.isdir(os.path.join(NET, 'cases')) else []
    with open(path, 'w') as f:
        f.write('#name\trepository\tcommit\tfiles kept\tcases\n')
        for k in sorted(rows):
            tree = os.path.join(NET, 'trees', k)
            if not os.path.isdir(tree):
                continue
            nf = sum(len(fs) for _, _, fs in os.walk(tree))
            nc = sum(1 for c in cases if c.startswith(k + '.'))
            f.write('\t'.join(rows[k] + [str(nf), str(nc)]) + '\n')


def regen_case(c):
    """kubectl's verdict on case c, written as expected.yaml or expected.err.
    Returns True when the expectation changed."""
    with open(os.path.join(c, 'args')) as f:
        args = shlex.split(f.read().strip())
    p = run_kubectl(args, c)
    if p is None:
        raise SystemExit('%s: kubectl timed out' % c)
    ey, ee = os.path.join(c, 'expected.yaml'), os.path.join(c, 'expected.err')
    old = None
    for x in (ey, ey + '.gz', ee):
        if os.path.exists(x):
            with open(x, 'rb') as f:
                old = (x, f.read())
            os.unlink(x)
    if p.returncode == 0:
        new = (ey + '.gz', gzip.compress(p.stdout, 9, mtime=0)) if len(p.stdout) > GZ_OVER \
            else (ey, p.stdout)
    else:
        # Paths in kubectl's message are the case's own: keep them
        # relative; klog's time and pid prefix would change every run.
        err = p.stderr.replace(os.path.abspath(c).encode() + b'/', b'')
        err = re.sub(rb'(?m)^E\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ ', b'', err)
        new = (ee, err)
    with open(new[0], 'wb') as f:
        f.write(new[1])
    return old != new



def case_files(case, kbuild, use_kubectl):
    """Files under trees/ the build of case reads (strace of kbuild, or of
    kubectl when kbuild does not pass the case: it may stop reading early)."""
    with open(os.path.join(case, 'args')) as f:
        args = shlex.split(f.read().strip())
    trace = os.path.join(tempfile.gettempdir(), 'rwtrim.%d.%s' % (os.getpid(), os.path.basename(case)))
    cmd = (['kubectl', 'kustomize'] if use_kubectl else [kbuild]) + args
    subprocess.run(['strace', '-f', '-qq', '-e', 'trace=openat,open', '-o', trace] + cmd,
                   cwd=case, capture_output=True, timeout=TIMEOUT, env=kubectl_env())
    trees = os.path.join(NET, 'trees')
    out = set()
    with open(trace, errors='replace') as f:
        for line in f:
            m = OPEN_RE.match(line)
            if not m:
                continue
            path = os.path.normpath(os.path.join(case, m.group(1)))
            if path.startswith(trees + os.sep) and os.path.isfile(path):
                out.add(os.path.relpath(path, trees))
    os.unlink(trace)
    return out


def expected_of(case):
    for n in ('expected.yaml', 'expected.yaml.gz', 'expected.err'):
        p = os.path.join(case, n)
        if os.path.exists(p):
            with open(p, 'rb') as f:
                data = f.read()
            if n.endswith('.gz'):
                data = gzip.decompress(data)
            return n, data
    return None, b''


def trim(kbuild, budget, jobs):
    """Keeps a selection of the cases within budget bytes (trees plus
    expected files as stored): one repository at a time in turn, each
    taking its cheapest remaining case (files already kept cost nothing),
    cases with an output identical to one kept skipped.  Then rewrites
    the trees to the files the kept cases read."""
    cases = find_cases([os.path.join(NET, 'cases')])
    known = read_known([os.path.join(NET, 'cases')])
    passing = {}
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        for c, res in zip(cases, ex.map(lambda x: run_case(kbuild, x), cases)):
            passing[c] = res is None
    def files_of(c):
        name, _ = expected_of(c)
        return case_files(c, kbuild, not passing[c] or name == 'expected.err')
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        files = dict(zip(cases, ex.map(files_of, cases)))
    trees = os.path.join(NET, 'trees')
    fsize = {}
    for c in cases:
        for f in files[c]:
            fsize[f] = os.path.getsize(os.path.join(trees, f))
    stored = {}
    digest = {}
    for c in cases:
        name, data = expected_of(c)
        digest[c] = hashlib.sha256(data).hexdigest()
        stored[c] = len(gzip.compress(data, 9, mtime=0)) if len(data) > GZ_OVER else len(data)
    by_repo = {}
    for c in cases:
        by_repo.setdefault(repo_of(c), []).append(c)
    kept, kept_files, seen, total = [], set(), set(), 0
    active = sorted(by_repo)
    while active:
        for r in list(active):
            best, cost = None, None
            for c in by_repo[r]:
                if (r, digest[c]) in seen:
                    continue
                k = stored[c] + sum(fsize[f] for f in files[c] - kept_files)
                if cost is None or k < cost:
                    best, cost = c, k
            if best is None or total + cost > budget:
                active.remove(r)
                continue
            by_repo[r].remove(best)
            seen.add((r, digest[best]))
            kept.append(best)
            kept_files |= files[best]
            total += cost
    keep = set(kept)
    for c in cases:
        if c not in keep:
            shutil.rmtree(c)
    for dp, dns, fns in os.walk(trees):
        for fn in fns:
            rel = os.path.relpath(os.path.join(dp, fn), trees)
            if rel not in kept_files and not re.match(r'^[^/]+/(LICENSE|COPYING)[^/]*$', rel):
                os.unlink(os.path.join(dp, fn))
    for dp, dns, fns in os.walk(trees, topdown=False):
        if not os.listdir(dp):
            os.rmdir(dp)
    # a case's directory must exist even if no file in it was read
    for c in kept:
        with open(os.path.join(c, 'args')) as f:
            d = os.path.normpath(os.path.join(c, shlex.split(f.read())[0]))
        os.makedirs(d, exist_ok=True)
    write_source(None, None, None)
    changed = [c for c in kept if regen_case(c)]
    for c in changed:
        print('changed by trimming: %s' % os.path.basename(c))
    print('kept %d of %d cases, %d files, about %.1f MB' % (len(kept), len(cases), len(kept_files),
                                                            total / 1e6))
    return changed

def repo_of(case):
    return os.path.basename(case).split('.', 1)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    c = sub.add_parser('collect')
    c.add_argument('--mirror', action='append', required=True)
    c.add_argument('--jobs', type=int, default=2)
    c.add_argument('--max-err', type=int, default=5)
    r = sub.add_parser('regen')
    r.add_argument('cases', nargs='*')
    t = sub.add_parser('trim')
    t.add_argument('--kbuild', required=True)
    t.add_argument('--budget-mb', type=float, default=27)
    t.add_argument('--jobs', type=int, default=2)
    m = sub.add_parser('measure')
    m.add_argument('--kbuild', required=True)
    m.add_argument('--jobs', type=int, default=2)
    m.add_argument('-v', action='store_true', help='print each failing case')
    a = ap.parse_args()

    if a.cmd in ('collect', 'regen', 'trim') and not shutil.which('kubectl'):
        raise SystemExit('kubectl is not on PATH')
    if a.cmd == 'collect':
        if not shutil.which('strace'):
            raise SystemExit('strace is not on PATH (apt-get install strace)')
        for spec in a.mirror:
            gitdir, _, name = spec.partition('=')
            if not name:
                name = re.sub(r'^.*/[^/+]+\+([^/]+)/repo/?$', r'\1', os.path.abspath(gitdir))
            st = collect_repo(gitdir, name, a.jobs, a.max_err)
            print('%s: %s' % (name, ' '.join('%s=%d' % kv for kv in st.items())), flush=True)
    elif a.cmd == 'trim':
        trim(os.path.abspath(a.kbuild), int(a.budget_mb * 1e6), a.jobs)
    elif a.cmd == 'regen':
        cases = a.cases or find_cases([os.path.join(NET, 'cases')])
        changed = 0
        for case in cases:
            if regen_case(case):
                changed += 1
                print('changed: %s' % os.path.basename(case))
        print('%d cases regenerated, %d changed' % (len(cases), changed))
    else:
        kbuild = os.path.abspath(a.kbuild)
        cases = find_cases([os.path.join(NET, 'cases')])
        per = {}
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
            for case, res in zip(cases, ex.map(lambda x: run_case(kbuild, x), cases)):
                t = per.setdefault(repo_of(case), [0, 0])
                t[1] += 1
                if res is None:
                    t[0] += 1
                elif a.v:
                    print('FAIL %s: %s' % (os.path.basename(case), res))
        tp = tt = 0
        for k in sorted(per):
            print('%-32s %4d / %4d' % (k, per[k][0], per[k][1]))
            tp += per[k][0]
            tt += per[k][1]
        print('%-32s %4d / %4d' % ('total', tp, tt))
    return 0


if __name__ == '__main__':
    sys.exit(main())
