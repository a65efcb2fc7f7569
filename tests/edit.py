#!/usr/bin/env python3
"""Tests of `kbuild edit` and `kbuild create`.

usage: edit.py --kbuild BIN [--kubectl] [--only SUBSTR] [--update] DIR
                [--kustomizations TREE...]

DIR is testdata/edit.  Three families of cases:

kustomize/*.yaml
    kustomize v5.5.0's own edit tests (kustomize/commands/edit/... and
    create/), one file per Go test file: a mapping with a `cases` list
    (anchors in the mapping share file contents).  Each case:
        name:   the Go test it comes from (and which subcase)
        files:  {path: content} of the tree (a path ending in / is a dir)
        run:    the kbuild argument list, or a list of them (run in turn)
        exact:  true when `expect` must match byte for byte (create)
        expect: the kustomization file kustomize's edit leaves; compared
                as data: both are read as kustomize reads a
                kustomization (FixKustomization: apiVersion/kind
                defaults, bases after resources, imageTags after images,
                env into envs; empty fields dropped) and must be equal.
                kustomize's expected outputs lose comments; kbuild's
                results keep them, which this comparison ignores.
        files_expect: {path: exact bytes} of other files afterwards
        error:  a substring of the error of the last run (exit != 0, and
                nothing changed on disk)
        stderr: a substring of stderr of the last run
        exit:   the expected exit status of the last run (default 0, or
                1/2 with `error`)
        build:  false to leave the case out of the differential build:
                with --kubectl, every case whose tree (with the spec's
                `build_files` added) builds must build to the same bytes
                as the tree holding `expect` (what kustomize's edit would
                have written)

corpus/*.yaml
    kustomization files with comments in every position and odd layouts
    (files), and edits (edits: name -> argument list, with the lines
    each may remove and add as regular expressions).  Every edit runs on
    every file.  Checked: the edited file reads back as the data an
    independent model of kustomize's edit (below) computes, every
    comment line of the input is still there in order (except on lines
    the edit removes), and the diff against the input removes and adds
    only lines the edit's patterns allow; and the result is byte for byte
    `golden/FILE.EDIT` when that exists (`--update` writes them).

--kustomizations DIR...
    every kustomization file under DIR (the conformance and real-world
    trees; of testdata/cases every 8th) gets a few edits with --dry-run:
    each must succeed and read back as the model computes, or fail as
    kustomize's reading of an invalid file fails; never an internal error.

the command line
    behaviour of the command line: exit codes, --help, --dry-run and
    --diff writing nothing, -C, atomic writes keeping the file's mode and
    writing through symlinks, nothing written on failure.

Prints one line per failure and, last, `N passed, M failed`.
"""
import argparse
import concurrent.futures
import copy
import threading
import difflib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # python3-yaml (tools/bootstrap installs it)
    print('edit.py: needs PyYAML (apt-get install python3-yaml)')
    sys.exit(77)

FIELDS = [
    'apiVersion', 'kind', 'metadata', 'openapi', 'namePrefix', 'nameSuffix',
    'namespace', 'commonLabels', 'labels', 'commonAnnotations',
    'patchesStrategicMerge', 'patchesJson6902', 'patches', 'images',
    'imageTags', 'replacements', 'replicas', 'vars', 'sortOptions',
    'resources', 'components', 'crds', 'bases', 'configMapGenerator',
    'secretGenerator', 'helmGlobals', 'helmCharts',
    'helmChartInflationGenerator', 'generatorOptions', 'configurations',
    'generators', 'transformers', 'validators', 'buildMetadata',
]


_Base = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)  # libyaml's parser when there


class Loader(_Base):
    """YAML 1.1 as goyaml.v2 reads kustomization files, but timestamps
    stay strings (they are strings to kustomize's typed fields)."""


Loader.yaml_implicit_resolvers = {
    k: [(t, r) for t, r in v if t != 'tag:yaml.org,2002:timestamp']
    for k, v in _Base.yaml_implicit_resolvers.items()
}


def load(text):
    return yaml.load(text, Loader=Loader) if text.strip() else None


def omit_empty(v):
    """Go's omitempty over the decoded kustomization."""
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            x = omit_empty(x)
            if x is None or x == '' or x == [] or x == {} or x is False:
                continue
            out[k] = x
        return out
    if isinstance(v, list):
        return [omit_empty(x) for x in v]
    return v


def kust_norm(d):
    """A kustomization as kustomize reads it (types.Kustomization after
    FixKustomization), for comparing as data."""
    d = copy.deepcopy(d) or {}
    canon = {f.lower(): f for f in FIELDS}
    d = {canon.get(str(k).lower(), k): v for k, v in d.items()}
    if not d.get('kind'):
        d['kind'] = 'Kustomization'
    if not d.get('apiVersion'):
        d['apiVersion'] = ('kustomize.config.k8s.io/v1alpha1' if d['kind'] == 'Component'
                           else 'kustomize.config.k8s.io/v1beta1')
    d['resources'] = (d.get('resources') or []) + (d.pop('bases', None) or [])
    d['images'] = (d.get('images') or []) + (d.pop('imageTags', None) or [])
    for g in ('configMapGenerator', 'secretGenerator'):
        for e in d.get(g) or []:
            if isinstance(e, dict) and e.get('env'):
                e['envs'] = (e.get('envs') or []) + [e.pop('env')]
    d = omit_empty(d)
    # kustomize rebuilds these through Go maps: their order means nothing
    for f in ('images', 'replicas'):
        if f in d:
            d[f] = sorted(d[f], key=lambda e: str(e.get('name', '')))
    for g in ('configMapGenerator', 'secretGenerator'):
        for e in d.get(g) or []:
            if isinstance(e, dict) and 'literals' in e:
                e['literals'] = sorted(e['literals'])
    return d


def write_tree(root, files):
    for path, content in (files or {}).items():
        p = os.path.join(root, path)
        if path.endswith('/'):
            os.makedirs(p, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'wb') as f:
            f.write(content.encode() if isinstance(content, str) else content)


def snapshot(root):
    out = {}
    for dp, _, fns in os.walk(root):
        for fn in fns:
            p = os.path.join(dp, fn)
            with open(p, 'rb') as f:
                out[os.path.relpath(p, root)] = f.read()
    return out


def kfile(root):
    for n in ('kustomization.yaml', 'kustomization.yml', 'Kustomization'):
        if os.path.exists(os.path.join(root, n)):
            return os.path.join(root, n)
    return None


class Runner:
    def __init__(self, kbuild, kubectl):
        self.kbuild = kbuild
        self.kubectl = kubectl
        self.failed = []
        self.passed = 0
        self.builds = 0
        # differential builds, run together at the end (kubectl is slow
        # to start): (name, edited tree, tree as kustomize would have it)
        self.batch = tempfile.mkdtemp(prefix='kb-edit-builds-') if kubectl else None
        self.pairs = []
        self.lock = threading.Lock()
        self.build_files = {}

    def add_build(self, name, edited, ref_writer):
        """Keeps copies of the edited tree and of the reference tree that
        ref_writer(root) makes from a copy of it."""
        with self.lock:
            n = len(self.pairs)
            self.pairs.append(None)
        a = os.path.join(self.batch, 'trees', 'a%d' % n)
        b = os.path.join(self.batch, 'trees', 'b%d' % n)
        shutil.copytree(edited, a, symlinks=True)
        shutil.copytree(edited, b, symlinks=True)
        ref_writer(b)
        self.pairs[n] = (name, a, b)

    def run_builds(self):
        """One kubectl kustomize per side over all trees (each wrapped in
        an overlay with its own namePrefix so that names do not clash);
        trees are built one by one only when the two sides differ."""
        if not self.pairs:
            return
        for side in ('a', 'b'):
            top = os.path.join(self.batch, side)
            os.makedirs(top)
            res = []
            for n, (_, a, b) in enumerate(self.pairs):
                w = os.path.join(top, 'w%d' % n)
                os.makedirs(w)
                with open(os.path.join(w, 'kustomization.yaml'), 'w') as f:
                    f.write('namePrefix: c%d-\nresources:\n- ../../trees/%s%d\n' % (n, side, n))
                res.append('w%d' % n)
            with open(os.path.join(top, 'kustomization.yaml'), 'w') as f:
                f.write('resources:\n' + ''.join('- %s\n' % r for r in res))
        rc1, out1, _ = self.kubectl_build(os.path.join(self.batch, 'a'))
        rc2, out2, _ = self.kubectl_build(os.path.join(self.batch, 'b'))
        self.builds += len(self.pairs)
        if rc1 == 0 and rc2 == 0 and out1 == out2:
            print('kubectl kustomize: %d trees, %d bytes each side, equal' % (len(self.pairs), len(out1)))
            return
        for name, a, b in self.pairs:
            rc1, out1, e1 = self.kubectl_build(a)
            rc2, out2, e2 = self.kubectl_build(b)
            if rc1 != rc2 or out1 != out2:
                self.passed -= 1
                self.fail(name, 'kubectl kustomize builds differ (%d/%d): %s | %s' % (
                    rc1, rc2, e1[:300], e2[:300]))

    def fail(self, name, msg):
        with self.lock:
            self.failed.append('FAIL %s: %s' % (name, msg))

    def ok(self):
        with self.lock:
            self.passed += 1

    def run(self, cwd, args):
        return subprocess.run([self.kbuild] + [str(a) for a in args], cwd=cwd,
                              capture_output=True, timeout=60)

    def kubectl_build(self, root):
        p = subprocess.run(['kubectl', 'kustomize', root], capture_output=True, timeout=120)
        return p.returncode, p.stdout, p.stderr.decode('utf-8', 'replace')

    # ---- kustomize's cases ----

    def kustomize_case(self, src, case):
        name = '%s: %s' % (os.path.basename(src), case['name'])
        runs = case['run']
        if runs and not isinstance(runs[0], list):
            runs = [runs]
        with tempfile.TemporaryDirectory(prefix='kb-edit-') as tmp:
            write_tree(tmp, case.get('files'))
            before = snapshot(tmp)
            p = None
            for i, r in enumerate(runs):
                before = snapshot(tmp)
                p = self.run(tmp, r)
                if i + 1 < len(runs) and p.returncode != 0 and 'error' not in case:
                    return self.fail(name, 'step %d exit %d: %s' % (
                        i + 1, p.returncode, p.stderr.decode()[:300]))
            err = p.stderr.decode('utf-8', 'replace')
            if 'error' in case:
                want = case.get('exit')
                if p.returncode == 0 or (want is not None and p.returncode != want):
                    return self.fail(name, 'exit %d, expected %s' % (p.returncode, want or 'an error'))
                if case['error'] not in err:
                    return self.fail(name, 'error %r not in stderr: %s' % (case['error'], err[:400]))
                if not err.startswith('kbuild: error: ') and not err.startswith('kbuild: '):
                    return self.fail(name, 'stderr does not start with "kbuild: "')
                if snapshot(tmp) != before:
                    return self.fail(name, 'a failed command changed files')
                self.ok()
                return
            if p.returncode != case.get('exit', 0):
                return self.fail(name, 'exit %d: %s' % (p.returncode, err[:400]))
            if 'stderr' in case and case['stderr'] not in err:
                return self.fail(name, 'stderr lacks %r: %s' % (case['stderr'], err[:400]))
            kf = kfile(tmp)
            if 'expect' in case:
                with open(kf) as f:
                    got_text = f.read()
                try:
                    got = kust_norm(load(got_text))
                except yaml.YAMLError as e:
                    return self.fail(name, 'result does not parse: %s' % e)
                want = kust_norm(load(case['expect']))
                if case.get('exact') and got_text != case['expect']:
                    return self.fail(name, 'not byte for byte:\n%s' % got_text)
                if got != want:
                    return self.fail(name, 'data differs:\n  got  %s\n  want %s\n--- file:\n%s' % (
                        got, want, got_text))
            for path, content in (case.get('files_expect') or {}).items():
                with open(os.path.join(tmp, path), 'rb') as f:
                    if f.read() != content.encode():
                        return self.fail(name, '%s differs' % path)
            if self.kubectl and 'expect' in case and case.get('build', True):
                # every case whose tree builds (kbuild, which prints what
                # kubectl prints, tells quickly): kubectl must build the
                # edited tree as it builds the tree kustomize's edit writes
                extra = self.build_files

                def ref(root, case=case):
                    write_tree(root, extra)
                    with open(kfile(root), 'w') as f:
                        f.write(case['expect'])
                    for path, content in (case.get('files_expect') or {}).items():
                        with open(os.path.join(root, path), 'w') as f:
                            f.write(content)
                with tempfile.TemporaryDirectory(prefix='kb-ref-') as probe:
                    shutil.copytree(tmp, probe, dirs_exist_ok=True, symlinks=True)
                    ref(probe)
                    buildable = subprocess.run([self.kbuild, probe], capture_output=True).returncode == 0
                if buildable:
                    write_tree(tmp, extra)
                    self.add_build(name, tmp, ref)
            self.ok()

    def kustomize_cases(self, d, only):
        for fn in sorted(os.listdir(d)):
            if not fn.endswith('.yaml'):
                continue
            with open(os.path.join(d, fn)) as f:
                spec = yaml.load(f, Loader=_Base)
            self.build_files = spec.get('build_files') or {}
            cases = [c for c in spec['cases'] if not only or only in fn + ': ' + c['name']]
            with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
                list(ex.map(lambda c: self.kustomize_case(fn, c), cases))

    # ---- the corpus ----

    def corpus(self, d, only, update):
        if not os.path.isdir(d):
            return
        with open(os.path.join(d, 'edits.yaml')) as f:
            edits = yaml.safe_load(f)['edits']
        files = sorted(fn for fn in os.listdir(os.path.join(d, 'files')) if not fn.startswith('.'))
        tree = os.path.join(d, 'tree')
        jobs = []
        for fn in files:
            with open(os.path.join(d, 'files', fn), 'rb') as f:
                original = f.read()
            for ed in edits:
                name = 'corpus %s / %s' % (fn, ed['name'])
                if not only or only in name:
                    jobs.append((fn, original, ed, name))
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
            list(ex.map(lambda j: self.corpus_case(d, tree, j[0], j[1], j[2], j[3], update), jobs))

    def corpus_case(self, d, tree, fn, original, ed, name, update):
        with tempfile.TemporaryDirectory(prefix='kb-corpus-') as tmp:
            shutil.copytree(tree, tmp, dirs_exist_ok=True)
            kf = os.path.join(tmp, 'kustomization.yaml')
            with open(kf, 'wb') as f:
                f.write(original)
            p = self.run(tmp, ed['run'])
            err = p.stderr.decode('utf-8', 'replace')
            in_data = kust_norm(load(original.decode()))
            try:
                want = oracle(in_data, ed, tmp)
            except OracleError as e:
                want = e
            if isinstance(want, OracleError):
                if p.returncode == 0:
                    return self.fail(name, 'succeeded; kustomize fails: %s' % want)
                with open(kf, 'rb') as f:
                    if f.read() != original:
                        return self.fail(name, 'a failed edit changed the file')
                self.ok()
                return
            if p.returncode != 0:
                return self.fail(name, 'exit %d: %s' % (p.returncode, err[:400]))
            with open(kf, 'rb') as f:
                out = f.read()
            got = kust_norm(load(out.decode()))
            if got != want:
                return self.fail(name, 'data differs from kustomize\'s:\n  got  %s\n  want %s' % (got, want))
            problem = check_minimal(original.decode(), out.decode(), ed)
            if problem:
                return self.fail(name, problem)
            gold = os.path.join(d, 'golden', '%s--%s' % (fn, ed['name']))
            if update:
                os.makedirs(os.path.dirname(gold), exist_ok=True)
                with open(gold, 'wb') as f:
                    f.write(out)
            elif os.path.exists(gold):
                with open(gold, 'rb') as f:
                    if f.read() != out:
                        return self.fail(name, 'differs from golden/%s' % os.path.basename(gold))
            else:
                return self.fail(name, 'no golden/%s (run with --update and review)' % os.path.basename(gold))
            if self.kubectl and ed.get('build', True):
                def ref(root, want=want):
                    with open(os.path.join(root, 'kustomization.yaml'), 'w') as f:
                        f.write(yaml.safe_dump(want, sort_keys=False))
                self.add_build(name, tmp, ref)
            self.ok()


def comment_of(line):
    """The comment on a line: the whole line, or from an unquoted ' #'."""
    t = line.strip()
    if t.startswith('#'):
        return t
    q = None
    for i, ch in enumerate(line):
        if q:
            if ch == q:
                q = None
        elif ch in '"\'' and (i == 0 or line[i - 1] in ' \t-:[{,'):
            q = ch
        elif ch == '#' and i > 0 and line[i - 1] in ' \t':
            return line[i:].rstrip()
    return None


def check_minimal(a, b, ed):
    """The diff removes and adds only the lines the edit may touch, and
    keeps every comment, in order, but those on lines it may drop."""
    al, bl = a.splitlines(), b.splitlines()
    removes = [re.compile(r) for r in ed.get('removes', [])]
    adds = [re.compile(r) for r in ed.get('adds', [])]
    drops = [re.compile(r) for r in ed.get('drops', [])]
    sm = difflib.SequenceMatcher(a=al, b=bl, autojunk=False)
    gone = set()
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == 'equal':
            continue
        for k in range(i1, i2):
            if not any(r.search(al[k]) for r in removes):
                return 'the edit changed a line it should not touch: %r' % al[k]
            gone.add(k)
        for line in bl[j1:j2]:
            if not any(r.search(line) for r in adds):
                return 'the edit wrote a line it should not: %r' % line
    want = [comment_of(l) for k, l in enumerate(al)
            if comment_of(l) and not (k in gone and any(r.search(l) for r in drops))]
    gotl = [c for c in map(comment_of, bl) if c]
    if ed.get('comment_order', True):
        got = iter(gotl)
        for c in want:
            if not any(c == g for g in got):
                return 'comment lost or moved out of order: %r' % c
    else:
        for c in want:
            if c not in gotl:
                return 'comment lost: %r' % c
            gotl.remove(c)
    if a and a.endswith('\n') != b.endswith('\n'):
        # (an empty file has no final line break to keep)
        return 'the final line break changed'
    if '\r\n' in a and b.count('\n') != b.count('\r\n'):
        return 'CRLF line breaks became LF'
    if '\r\n' not in a and '\r\n' in b:
        return 'LF line breaks became CRLF'
    return None


# ---- an independent model of kustomize's edits, on normalized data ----

class OracleError(Exception):
    pass


def split_image(s):
    """kustomize's image.Split"""
    search, off = s, 0
    slash = s.find('/')
    if slash > 0:
        search, off = s[slash:], slash
    at, co = search.find('@'), search.find(':')
    if at < 0 and co < 0:
        return s, '', ''
    if at >= 0 and (co < 0 or at < co):
        return s[:at + off], '', s[at + off + 1:]
    if at >= 0 and co >= 0:
        return s[:co + off], s[co + off + 1:at + off], s[at + off + 1:]
    return s[:co + off], s[co + off + 1:], ''


def oracle(d, ed, root):
    d = copy.deepcopy(d)
    args = [str(a) for a in ed['run']]
    assert args[0] == 'edit'
    verb, what, rest = args[1], args[2] if len(args) > 2 else '', args[3:]
    if verb == 'set' and what == 'image':
        imgs = {}
        for a in rest:
            key, _, value = a.partition('=') if '=' in a else ('', '', a)
            n, t, g = split_image(value)
            if n == a:
                raise OracleError('invalid image')
            im = {'newTag': t, 'digest': g}
            if key:
                im['name'], im['newName'] = key, n
            else:
                im['name'], im['newName'] = n, ''
            imgs[im['name']] = im
        for e in d.get('images', []):
            if e.get('name') in imgs:
                a = imgs[e['name']]
                for f in ('newName', 'newTag', 'digest'):
                    if a[f] == '*':
                        a[f] = e.get(f, '')
            else:
                imgs[e.get('name')] = e
        out = []
        for im in imgs.values():
            im = {k: v for k, v in im.items()
                  if k == 'name' or (v not in ('', '*') and k != 'tagSuffix')}
            out.append(im)
        d['images'] = out
    elif verb == 'set' and what == 'namespace':
        d['namespace'] = rest[0]
    elif verb == 'set' and what == 'replicas':
        reps = {e.get('name'): e for e in d.get('replicas', [])}
        for a in rest:
            n, c = a.split('=')
            reps[n] = {'name': n, 'count': int(c)}
        d['replicas'] = list(reps.values())
    elif verb == 'add' and what == 'resource':
        res = d.setdefault('resources', [])
        for a in rest:
            if a not in res:
                res.append(a)
    elif verb == 'remove' and what == 'resource':
        d['resources'] = [r for r in d.get('resources', []) if r not in rest]
    elif verb == 'add' and what == 'label':
        cl = d.setdefault('commonLabels', {})
        for a in rest:
            k, _, v = a.partition(':')
            if k in cl:
                raise OracleError('label %s already in kustomization file' % k)
            cl[k] = v
    elif verb == 'set' and what == 'label':
        cl = d.setdefault('commonLabels', {})
        for a in rest:
            k, _, v = a.partition(':')
            cl[k] = v
    elif verb == 'remove' and what == 'label':
        cl = d.get('commonLabels')
        if cl is None:
            raise OracleError('commonLabels is not defined in kustomization file')
        for k in rest[0].split(','):
            if k not in cl:
                raise OracleError('label %s is not defined' % k)
            del cl[k]
    elif verb == 'add' and what == 'annotation':
        ca = d.setdefault('commonAnnotations', {})
        for a in rest:
            k, _, v = a.partition(':')
            if k in ca:
                raise OracleError('annotation %s already in kustomization file' % k)
            ca[k] = v
    elif verb == 'add' and what == 'patch':
        p = {}
        it = iter(rest)
        for flag in it:
            val = next(it)
            f = flag.lstrip('-')
            if f in ('path', 'patch'):
                p[f] = val
            else:
                p.setdefault('target', {})[
                    {'label-selector': 'labelSelector',
                     'annotation-selector': 'annotationSelector'}.get(f, f)] = val
        if p not in d.get('patches', []):
            d.setdefault('patches', []).append(p)
    elif verb == 'add' and what == 'configmap':
        name = rest[0]
        lits = [a.split('=', 1)[1] for a in rest[1:] if a.startswith('--from-literal=')]
        gens = d.setdefault('configMapGenerator', [])
        for g in gens:
            if g.get('name') == name and g.get('namespace', 'default') in ('', 'default'):
                g.setdefault('literals', []).extend(lits)
                break
        else:
            gens.append({'name': name, 'literals': lits})
    elif verb == 'add' and what == 'buildmetadata':
        bm = d.setdefault('buildMetadata', [])
        for o in rest[0].split(','):
            if o in bm:
                raise OracleError('buildMetadata option %s already in kustomization file' % o)
            bm.append(o)
    elif verb == 'fix':
        pt = d.setdefault('patches', [])
        pt.extend(d.pop('patchesJson6902', []))
        for s in d.pop('patchesStrategicMerge', []):
            pt.append({'path': s} if os.path.isfile(os.path.join(root, s)) else {'patch': s})
        cl = d.pop('commonLabels', None)
        if cl:
            for l in d.get('labels', []):
                for k in l.get('pairs', {}):
                    if k in cl:
                        raise OracleError('label name exists in both')
            d.setdefault('labels', []).append({'pairs': cl, 'includeSelectors': True})
    else:
        raise SystemExit('edit.py: no model for %s' % args)
    return kust_norm(d)


# ---- kustomization files of the other test trees ----

REAL_EDITS = [
    {'name': 'set image', 'run': ['edit', 'set', 'image', 'nginx=registry.example.com/nginx:9.9'],
     'removes': [r'newTag"?:', r'newName"?:', r'images"?:'],
     'adds': [r'newTag"?:\s+"?9\.9"?', r'newName"?:\s+"?registry\.example\.com/nginx"?', r'^"?images"?:$',
              r'^\s*-\s+"?name"?:\s+"?nginx"?$', r'images"?:.*nginx']},
    {'name': 'add label', 'run': ['edit', 'add', 'label', 'edit-test:yes-it-is'],
     'removes': [r'commonLabels"?:'],
     'adds': [r'^\s*"?edit-test"?:\s+"?yes-it-is"?$', r'^"?commonLabels"?:$', r'commonLabels"?:.*edit-test']},
]


def real_kustomizations(r, dirs, only):
    files = []
    for d in dirs:
        found = sorted(os.path.join(dp, 'kustomization.yaml') for dp, _, fns in os.walk(d)
                       if 'kustomization.yaml' in fns)
        if os.path.basename(os.path.normpath(d)) == 'cases':
            found = found[::8]
        files += found

    def one(f):
        kdir = os.path.dirname(f)
        with open(f, 'rb') as fh:
            text = fh.read()
        for ed in REAL_EDITS:
            name = 'kustomization %s / %s' % (f, ed['name'])
            if only and only not in name:
                continue
            p = r.run(kdir, ed['run'] + ['--dry-run'])
            err = p.stderr.decode('utf-8', 'replace')
            if 'internal error' in err or p.returncode not in (0, 1):
                r.fail(name, 'exit %d: %s' % (p.returncode, err[:300]))
                continue
            if p.returncode == 1:
                # an invalid kustomization (kustomize fails to read it too)
                r.ok()
                continue
            try:
                want = oracle(kust_norm(load(text.decode())), ed, kdir)
            except OracleError:
                r.fail(name, 'succeeded where kustomize fails')
                continue
            got = kust_norm(load(p.stdout.decode()))
            if got != want:
                r.fail(name, 'data differs:\n  got  %s\n  want %s' % (got, want))
                continue
            problem = check_minimal(text.decode(), p.stdout.decode(), ed)
            if problem:
                r.fail(name, problem)
                continue
            r.ok()
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        list(ex.map(one, files))


# ---- the command line ----

def cli_checks(r, only):
    checks = []

    def check(name, cond, detail=''):
        if only and only not in name:
            return
        if cond:
            r.passed += 1
        else:
            r.fail('cli: ' + name, detail)
        checks.append(name)

    k0 = 'resources:\n- a.yaml  # keep\n'
    with tempfile.TemporaryDirectory(prefix='kb-cli-') as tmp:
        def fresh(text=k0, name='kustomization.yaml'):
            for n in os.listdir(tmp):
                p = os.path.join(tmp, n)
                if os.path.isdir(p) and not os.path.islink(p):
                    shutil.rmtree(p)
                else:
                    os.unlink(p)
            write_tree(tmp, {name: text, 'a.yaml': '', 'b.yaml': ''})
            return os.path.join(tmp, name)

        p = r.run(tmp, ['edit', '--help'])
        check('edit --help exits 0 and lists the commands',
              p.returncode == 0 and b'set image' in p.stdout and b'--dry-run' in p.stdout)
        p = r.run(tmp, ['edit', 'set', 'image', '--help'])
        check('edit set image --help', p.returncode == 0 and b'NEWNAME' in p.stdout)
        p = r.run(tmp, ['help', 'edit'])
        check('help edit', p.returncode == 0 and b'kbuild edit' in p.stdout)
        p = r.run(tmp, ['edit'])
        check('edit alone is a usage error (2)', p.returncode == 2)
        p = r.run(tmp, ['edit', 'frobnicate'])
        check('unknown edit command exits 2', p.returncode == 2 and b'unknown edit command' in p.stderr)
        kf = fresh()
        p = r.run(tmp, ['edit', 'set', 'image'])
        check('set image without arguments exits 2', p.returncode == 2 and b'no image specified' in p.stderr)
        p = r.run(tmp, ['edit', 'add', 'resource', 'b.yaml', '--bogus'])
        check('unknown flag exits 2', p.returncode == 2 and b'unknown flag' in p.stderr)

        kf = fresh()
        st0 = os.stat(kf)
        p = r.run(tmp, ['edit', 'add', 'resource', 'b.yaml', '--dry-run'])
        with open(kf) as f:
            same = f.read() == k0
        check('--dry-run prints the new file', p.returncode == 0 and p.stdout == (k0 + '- b.yaml\n').encode(),
              p.stdout.decode())
        check('--dry-run writes nothing', same and os.stat(kf).st_mtime_ns == st0.st_mtime_ns)
        p = r.run(tmp, ['edit', '--diff', 'add', 'resource', 'b.yaml'])
        want = ('--- a/kustomization.yaml\n+++ b/kustomization.yaml\n@@ -1,2 +1,3 @@\n'
                ' resources:\n - a.yaml  # keep\n+- b.yaml\n')
        check('--diff prints a unified diff', p.returncode == 0 and p.stdout.decode() == want, p.stdout.decode())
        with open(kf) as f:
            check('--diff writes nothing', f.read() == k0)

        kf = fresh()
        os.chmod(kf, 0o640)
        ino = os.stat(kf).st_ino
        p = r.run(tmp, ['edit', 'add', 'resource', 'b.yaml'])
        st = os.stat(kf)
        check('writing keeps the file mode', p.returncode == 0 and stat.S_IMODE(st.st_mode) == 0o640,
              oct(st.st_mode))
        check('the file is replaced, not rewritten in place (atomic rename)', st.st_ino != ino)
        check('no temporary file is left', not [n for n in os.listdir(tmp) if 'kbuild-tmp' in n])

        kf = fresh()
        st0 = os.stat(kf)
        p = r.run(tmp, ['edit', 'add', 'resource', 'a.yaml'])
        check('an edit that changes nothing does not write', p.returncode == 0 and
              os.stat(kf).st_ino == st0.st_ino and os.stat(kf).st_mtime_ns == st0.st_mtime_ns)
        check('kustomize\'s log lines go to stderr',
              b'resource a.yaml already in kustomization file' in p.stderr, p.stderr.decode())

        kf = fresh()
        p = r.run(tmp, ['edit', 'add', 'resource', 'b.yaml', 'missing.yaml'])
        with open(kf) as f:
            check('a failing command writes nothing', p.returncode == 1 and f.read() == k0)
        check('errors start with "kbuild: error: "', p.stderr.startswith(b'kbuild: error: '))

        # through a symlink
        fresh()
        os.unlink(os.path.join(tmp, 'kustomization.yaml'))
        os.makedirs(os.path.join(tmp, 'real'))
        write_tree(tmp, {'real/k.yaml': k0})
        os.symlink('real/k.yaml', os.path.join(tmp, 'kustomization.yaml'))
        p = r.run(tmp, ['edit', 'set', 'namespace', 'ns1'])
        with open(os.path.join(tmp, 'real/k.yaml')) as f:
            body = f.read()
        check('a symlinked kustomization is written through the link',
              p.returncode == 0 and os.path.islink(os.path.join(tmp, 'kustomization.yaml')) and
              body == k0 + 'namespace: ns1\n', body)

        # -C DIR
        fresh()
        sub = os.path.join(tmp, 'overlay')
        write_tree(sub, {'kustomization.yaml': 'namespace: a\n'})
        p = r.run(tmp, ['edit', '-C', 'overlay', 'set', 'namespace', 'b'])
        with open(os.path.join(sub, 'kustomization.yaml')) as f:
            check('-C DIR edits that directory', p.returncode == 0 and f.read() == 'namespace: b\n')
        p = r.run(tmp, ['edit', 'set', 'namespace', 'c', '-C', 'overlay', '--dry-run'])
        check('-C and --dry-run anywhere on the line', p.returncode == 0 and p.stdout == b'namespace: c\n')

        fresh()
        os.unlink(os.path.join(tmp, 'kustomization.yaml'))
        p = r.run(tmp, ['edit', 'set', 'namespace', 'x'])
        check('no kustomization file: exit 1, kustomize\'s message',
              p.returncode == 1 and b"Missing kustomization file 'kustomization.yaml'." in p.stderr)
        write_tree(tmp, {'kustomization.yaml': 'a: b\n'})
        p = r.run(tmp, ['edit', 'set', 'namespace', 'x'])
        check('an invalid kustomization is refused as kustomize refuses it',
              p.returncode == 1 and b'unknown field "a"' in p.stderr, p.stderr.decode())
        write_tree(tmp, {'kustomization.yaml': 'resources: [a\n'})
        p = r.run(tmp, ['edit', 'set', 'namespace', 'x'])
        check('a YAML error names file:line:col', p.returncode == 1 and
              re.search(rb'kustomization.yaml:\d+:\d+: ', p.stderr), p.stderr.decode())

        # a remote base is fetched to check it (a local repository, file://)
        if shutil.which('git'):
            fresh()
            repo = os.path.join(tmp, 'repo')
            write_tree(repo, {'app/kustomization.yaml': 'resources: []\n'})
            g = ['git', '-C', repo, '-c', 'user.email=t@t', '-c', 'user.name=t']
            ok = all(subprocess.run(g + a, capture_output=True).returncode == 0 for a in
                     (['init', '-q', '-b', 'main'], ['add', '-A'], ['commit', '-qm', 'x']))
            url = 'file://%s//app?ref=main' % repo
            p = r.run(tmp, ['edit', 'add', 'resource', url, '--dry-run'])
            check('add resource of a git URL fetches it to check it',
                  ok and p.returncode == 0 and p.stdout.decode().endswith('- %s\n' % url), p.stderr.decode())
            p = r.run(tmp, ['edit', 'add', 'resource', 'file://%s//nope?ref=main' % repo])
            check('a git URL that does not hold the directory is refused',
                  p.returncode == 1 and b'has no match' in p.stderr and b'nope' in p.stderr)
            shutil.rmtree(repo)

        # create
        fresh()
        os.unlink(os.path.join(tmp, 'kustomization.yaml'))
        p = r.run(tmp, ['create', '--resources', 'a.yaml', '--dry-run'])
        check('create --dry-run prints and creates nothing', p.returncode == 0 and
              p.stdout.startswith(b'apiVersion: ') and not os.path.exists(os.path.join(tmp, 'kustomization.yaml')))
        p = r.run(tmp, ['create', '--resources', 'a.yaml,b.yaml', '--namespace', 'ns'])
        with open(os.path.join(tmp, 'kustomization.yaml')) as f:
            body = f.read()
        check('create writes kustomize\'s bytes', p.returncode == 0 and body ==
              'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n'
              '- a.yaml\n- b.yaml\nnamespace: ns\n', body)
        p = r.run(tmp, ['create'])
        check('create over an existing kustomization fails',
              p.returncode == 1 and b'kustomization file already exists' in p.stderr)
        p = r.run(tmp, ['init', '--help'])
        check('init is create', p.returncode == 0 and b'kbuild create' in p.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kbuild', required=True)
    ap.add_argument('--kubectl', action='store_true',
                    help='also build with kubectl kustomize (exit 77 when it is missing)')
    ap.add_argument('--only', default='')
    ap.add_argument('--update', action='store_true', help='rewrite the corpus goldens')
    ap.add_argument('--kustomizations', nargs='*', default=[],
                    help='trees whose kustomization files get a few edits each')
    ap.add_argument('dir')
    a = ap.parse_args()
    if a.kubectl and not shutil.which('kubectl'):
        print('kubectl not found: skipped')
        return 77
    r = Runner(os.path.abspath(a.kbuild), a.kubectl)
    r.kustomize_cases(os.path.join(a.dir, 'kustomize'), a.only)
    r.corpus(os.path.join(a.dir, 'corpus'), a.only, a.update)
    if not a.kubectl:
        real_kustomizations(r, a.kustomizations, a.only)
    if a.kubectl:
        r.run_builds()
        shutil.rmtree(r.batch, ignore_errors=True)
    else:
        cli_checks(r, a.only)
    for f in sorted(r.failed):
        print(f)
    extra = ' (%d kubectl build comparisons)' % r.builds if a.kubectl else ''
    print('%d passed, %d failed%s' % (r.passed, len(r.failed), extra))
    return 1 if r.failed else 0


if __name__ == '__main__':
    sys.exit(main())
