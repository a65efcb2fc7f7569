"""Random realistic kustomize trees, deterministic by seed.

make_tree(seed) returns (files, target, features): files maps a relative
path to bytes, target is the directory to build (relative), and features
is the set of tags naming what the tree exercises (quoting and chomping
styles, CRLF, BOM, anchors, each kustomization field, wrong inputs...).
Trees are small (a few resources, overlays 1-3 deep) so that both tools
run in milliseconds to a fraction of a second.

The YAML is written by a small emitter of our own (not a library) so that
every style can be chosen on purpose: plain, single- and double-quoted
scalars (with escapes), literal and folded blocks with every chomping
indicator and explicit indentation, flow collections, anchors, aliases and
merge keys, CRLF line ends, a byte-order mark, a missing final newline.
"""
import random

# ---- scalar values ----


class RawKey(str):
    """A map key written plain even where it reads as another type than a
    string (`6443:`, `true:`, `~:`): kyaml keeps such keys, matches them by
    their text and fails only where the object goes through JSON."""


# texts a resource and a patch share, so plain and quoted keys meet
NONSTR_KEYS = ['6443', '80', 'true', '1e3', '0x1F', '~', '2001-12-14']

WORDS = ['web', 'api', 'db', 'cache', 'worker', 'front', 'edge', 'batch', 'auth', 'queue']
TRICKY = [
    '6.1', '1.20', '0x1F', '0o17', '012', '1e3', '6.02e23', '-0', '+12', '.5', '1_000',
    '123456789012345678901234567890', '9223372036854775808', '18446744073709551616',
    'yes', 'no', 'on', 'off', 'y', 'n', 'true', 'False', 'NULL', 'null', '~', '',
    '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2002-12-14 21:59:43.10 -5', '12:30:45',
    '.inf', '-.Inf', '.NaN', '<<', '=', '- a', 'a: b', 'a #b', '#c', "it's", 'say "hi"',
    ' lead', 'trail ', '\ttab', 'x\\y', '@at', '`tick', '%pct', '!bang', '&amp', '*star',
    '|pipe', '>gt', '?q', '{b}', '[s]', ',c', 'a,b', 'ünï', 'héllo wörld', '日本語', '✓ ok',
    'emoji 🎉', 'nbsp\u00a0x', 'nel\u0085x', 'ls\u2028x', 'zw\u200bx', 'ctl\u0007x',
    "x''''y", "''", '""', '\\', 'a\\nb', '0', '00', '1.0', '-1', '1e-7', '0.0000001',
]


def rand_word(r):
    return r.choice(WORDS) + ('' if r.random() < 0.6 else str(r.randrange(100)))


def long_line(r, n=None):
    n = n or r.randrange(60, 200)
    out = []
    while len(' '.join(out)) < n:
        out.append(r.choice(WORDS + ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'x' * r.randrange(1, 30)]))
    return ' '.join(out)


def multiline(r, feat):
    lines = []
    for _ in range(r.randrange(1, 6)):
        k = r.random()
        if k < 0.15:
            lines.append('')
        elif k < 0.3:
            lines.append('  ' + rand_word(r) + ' indented')
        elif k < 0.4:
            lines.append(long_line(r))
        else:
            lines.append(rand_word(r) + ' ' + rand_word(r))
    s = '\n'.join(lines)
    t = r.random()
    if t < 0.45:
        s += '\n'
    elif t < 0.65:
        s += '\n\n'
        feat.add('str-trailing-blank-lines')
    if s.endswith('\n\n') or not s.strip('\n'):
        feat.add('str-trailing-blank-lines')
    if s.startswith(' ') or '\n ' in s:
        feat.add('str-leading-space-multiline')
    return s


def rand_string(r, feat):
    k = r.random()
    if k < 0.35:
        return rand_word(r)
    if k < 0.65:
        v = r.choice(TRICKY)
        feat.add('str-tricky')
        if any(c in v for c in '\u0085\u2028\u2029'):
            feat.add('str-special-breaks')
        return v
    if k < 0.8:
        feat.add('str-long-line')
        return long_line(r)
    feat.add('str-multiline')
    return multiline(r, feat)


def rand_scalar(r, feat):
    """A typed value: str, int, float, bool or None."""
    k = r.random()
    if k < 0.65:
        return rand_string(r, feat)
    if k < 0.78:
        return r.choice([0, 1, 3, 80, 8080, -1, 2 ** 31, 2 ** 53 + 1, 10 ** 20])
    if k < 0.86:
        return r.choice([0.5, 1.5, 100.25, 1e20, 1234567.5, 6.02e23, 1e-7])
    if k < 0.94:
        return r.choice([True, False])
    return None


# ---- the emitter ----

PLAIN_BAD_START = set('-?:,[]{}#&*!|>\'"%@`')
RESERVED = {'', '~', 'null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
            'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF',
            'y', 'Y', 'n', 'N', '<<', '='}


def looks_typed(s):
    if s in RESERVED:
        return True
    t = s.replace('_', '')
    try:
        float(t)
        return True
    except ValueError:
        pass
    try:
        int(t, 0)
        return True
    except ValueError:
        pass
    if t.lower() in ('.inf', '-.inf', '+.inf', '.nan'):
        return True
    if len(s) >= 8 and s[:4].isdigit() and s[4] == '-':
        return True
    if ':' in s and s.replace(':', '').isdigit():
        return True
    return False


def plain_ok(s):
    if not s or s != s.strip() or '\n' in s or looks_typed(s):
        return False
    if s[0] in PLAIN_BAD_START or ': ' in s or ' #' in s or s.endswith(':'):
        return False
    if any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 or c in '\u2028\u2029\ufeff' for c in s):
        return False
    return True


def dq(s):
    out = ['"']
    for c in s:
        o = ord(c)
        if c == '"':
            out.append('\\"')
        elif c == '\\':
            out.append('\\\\')
        elif c == '\n':
            out.append('\\n')
        elif c == '\t':
            out.append('\\t')
        elif o < 32 or o == 0x7f:
            out.append('\\x%02x' % o)
        elif c == '\u0085':
            out.append('\\N')
        elif c == '\u00a0':
            out.append('\\_')
        elif c == '\u2028':
            out.append('\\L')
        elif c == '\u2029':
            out.append('\\P')
        else:
            out.append(c)
    out.append('"')
    return ''.join(out)


class Emitter:
    def __init__(self, r, feat):
        self.r = r
        self.feat = feat
        self.anchors = {}

    def scalar_inline(self, v):
        """Text of a scalar on one line, or None when it needs a block."""
        r, feat = self.r, self.feat
        if v is None:
            t = r.choice(['null', '~', ''])
            feat.add('null-' + {'null': 'word', '~': 'tilde', '': 'empty'}[t])
            return t
        if isinstance(v, bool):
            return 'true' if v else 'false'
        if isinstance(v, int):
            if r.random() < 0.1 and v >= 0:
                feat.add('int-hex' if v < 2 ** 63 else 'int-hex-big')
                return hex(v)
            return str(v)
        if isinstance(v, float):
            return r.choice([repr(v), '%g' % v, '%e' % v])
        s = v
        styles = []
        if plain_ok(s):
            styles += ['plain'] * 3
        if '\n' not in s and all(ord(c) >= 32 or c == '\t' for c in s):
            styles.append('single')
        styles.append('double')
        st = r.choice(styles)
        self.feat.add('q-' + st)
        if st == 'plain':
            return s
        if st == 'single':
            if "'" in s:
                self.feat.add('q-single-escape')
            return "'" + s.replace("'", "''") + "'"
        return dq(s)

    def block(self, s, indent):
        """A block scalar for s at indent, or None if s cannot be one."""
        r = self.r
        if any(ord(c) < 32 and c not in '\n' for c in s) or '\r' in s:
            return None
        if any(c in s for c in '\u0085\u2028\u2029\ufeff'):
            return None
        if s != s.rstrip(' ') or any(l != l.rstrip(' ') for l in s.split('\n')):
            return None
        body = s
        if body.endswith('\n'):
            stripped = body.rstrip('\n')
            n = len(body) - len(stripped)
            chomp = '' if n == 1 else '+'
        else:
            stripped = body
            chomp = '-'
        if not stripped:
            return None
        folded = r.random() < 0.3 and '\n' not in stripped.strip('\n') and not stripped.startswith(' ')
        ind = ''
        if stripped.startswith(' ') or stripped.startswith('\n'):
            ind = str(r.choice([1, 2, 4]))
            self.feat.add('block-indent-indicator')
        head = ('>' if folded else '|') + (ind + chomp if r.random() < 0.5 else chomp + ind)
        self.feat.add('block-' + head[0] + {'': 'clip', '-': 'strip', '+': 'keep'}[chomp])
        pad = ' ' * (indent + (int(ind) if ind else 2))
        lines = body.split('\n')
        if body.endswith('\n'):
            lines = lines[:-1]
        out = [head]
        for l in lines:
            out.append(pad + l if l else '')
        return out

    def value(self, v, indent, key_line):
        """Lines for value v following `key:` (key_line) at indent."""
        r = self.r
        if isinstance(v, dict) and v:
            if r.random() < 0.08 and all(not isinstance(x, (dict, list)) for x in v.values()):
                self.feat.add('flow-map')
                items = ', '.join('%s: %s' % (self.key(k), self.flow_scalar(x)) for k, x in v.items())
                return [key_line + ' {' + items + '}']
            return [key_line] + self.mapping(v, indent + 2)
        if isinstance(v, list) and v:
            if r.random() < 0.1 and all(not isinstance(x, (dict, list)) for x in v):
                self.feat.add('flow-seq')
                return [key_line + ' [' + ', '.join(self.flow_scalar(x) for x in v) + ']']
            ind = indent + (2 if r.random() < 0.5 else 0)
            if ind == indent:
                self.feat.add('seq-no-indent')
            return [key_line] + self.sequence(v, ind)
        if isinstance(v, dict):
            return [key_line + ' {}']
        if isinstance(v, list):
            return [key_line + ' []']
        if isinstance(v, str) and ('\n' in v or len(v) > 70) and r.random() < 0.7:
            b = self.block(v, indent)
            if b:
                return [key_line + ' ' + b[0]] + b[1:]
        if isinstance(v, str) and len(v) > 60 and r.random() < 0.2 and plain_ok(v):
            # a plain scalar broken over lines
            self.feat.add('plain-multiline')
            words = v.split(' ')
            cut = max(1, len(words) // 2)
            return [key_line + ' ' + ' '.join(words[:cut]), ' ' * (indent + 2) + ' '.join(words[cut:])]
        t = self.scalar_inline(v)
        return [key_line + (' ' + t if t != '' else '')]

    def flow_scalar(self, v):
        if isinstance(v, str) and not (plain_ok(v) and not any(c in v for c in ',[]{}')):
            return dq(v)
        t = self.scalar_inline(v)
        if t.startswith('|') or t.startswith('>') or any(c in t for c in ',[]{}') and t[0] not in '"\'':
            return dq(str(v))
        return t if t != '' else '""'

    def key(self, k):
        if isinstance(k, RawKey):
            self.feat.add('key-nonstring')
            return str(k)
        if plain_ok(k):
            return k
        return dq(k)

    def mapping(self, m, indent):
        out = []
        pad = ' ' * indent
        for k, v in m.items():
            out += self.value(v, indent, pad + self.key(k) + ':')
        return out

    def sequence(self, s, indent):
        out = []
        pad = ' ' * indent
        for v in s:
            if isinstance(v, dict) and v:
                sub = self.mapping(v, indent + 2)
                out.append(pad + '- ' + sub[0].lstrip())
                out += sub[1:]
            elif isinstance(v, list) and v:
                sub = self.sequence(v, indent + 2)
                out.append(pad + '- ' + sub[0].lstrip())
                out += sub[1:]
            else:
                line = self.value(v, indent, pad + '-')
                out += line
        return out

    def document(self, m):
        return self.mapping(m, 0)


def render(r, feat, docs, crlf=None, bom=None, final_nl=None, comments=True):
    """YAML text of documents docs (dicts) with random file-level styles."""
    em = Emitter(r, feat)
    lines = []
    for i, d in enumerate(docs):
        if i > 0 or r.random() < 0.15:
            lines.append('---')
        if comments and r.random() < 0.2:
            lines.append('# ' + long_line(r, 30))
            feat.add('comment')
        lines += em.document(d)
    text = '\n'.join(lines)
    if final_nl is None:
        final_nl = r.random() > 0.1
    if final_nl:
        text += '\n'
    else:
        feat.add('no-final-newline')
    if crlf is None:
        crlf = r.random() < 0.07
    if crlf:
        text = text.replace('\n', '\r\n')
        feat.add('crlf')
    data = text.encode('utf-8')
    if bom is None:
        bom = r.random() < 0.05
    if bom:
        data = b'\xef\xbb\xbf' + data
        feat.add('bom')
    return data


# ---- resources ----

def labels(r, feat, n=None):
    out = {}
    for _ in range(n if n is not None else r.randrange(0, 3)):
        k = r.choice(['app', 'tier', 'team', 'version', 'env', 'app.kubernetes.io/name', 'x'])
        v = r.choice([rand_word(r), rand_word(r), r.choice(['6.1', 'true', '1', 'null', ''])])
        out[k] = v
    return out


def deployment(r, feat, name):
    app = labels(r, feat, 1) or {'app': name}
    spec = {
        'replicas': r.choice([1, 2, 3]),
        'selector': {'matchLabels': dict(app)},
        'template': {
            'metadata': {'labels': dict(app)},
            'spec': {'containers': [container(r, feat, name) for _ in range(r.randrange(1, 3))]},
        },
    }
    if r.random() < 0.3:
        spec['template']['spec']['volumes'] = [{'name': 'cfg', 'configMap': {'name': 'cfg'}}]
    return {'apiVersion': 'apps/v1', 'kind': r.choice(['Deployment', 'Deployment', 'StatefulSet']),
            'metadata': meta(r, feat, name), 'spec': spec}


def container(r, feat, name):
    c = {'name': name + str(r.randrange(3)), 'image': r.choice(['nginx', 'nginx:1.25', 'redis:7',
                                                             'ghcr.io/org/app:v1', 'busybox@sha256:' + '0' * 64])}
    if r.random() < 0.5:
        c['env'] = [{'name': 'E%d' % i, 'value': rand_scalar(r, feat)} for i in range(r.randrange(1, 4))]
    if r.random() < 0.3:
        c['args'] = [rand_string(r, feat) for _ in range(r.randrange(1, 4))]
        if r.random() < 0.3:
            c['args'].append('--v=$(V%d)' % r.randrange(3))
            feat.add('var-ref')
    if r.random() < 0.3:
        c['ports'] = [{'containerPort': r.choice([80, 8080, 9090]), 'name': 'http'}]
    if r.random() < 0.2:
        c['envFrom'] = [{'configMapRef': {'name': 'cfg'}}]
    return c


def meta(r, feat, name):
    m = {'name': name}
    if r.random() < 0.3:
        m['namespace'] = r.choice(['default', 'prod', 'team-a'])
    l = labels(r, feat)
    if l:
        m['labels'] = l
    if r.random() < 0.3:
        m['annotations'] = {r.choice(['note', 'example.com/a', 'b']): rand_scalar(r, feat)
                            for _ in range(r.randrange(1, 3))}
    return m


def configmap(r, feat, name):
    data = {}
    for i in range(r.randrange(1, 5)):
        data[r.choice(['k', 'key', 'config.yaml', 'a.b', 'x-y', '1', 'true']) + str(i)] = rand_string(r, feat)
    if r.random() < 0.08:
        k = r.choice(NONSTR_KEYS)
        data[RawKey(k) if r.random() < 0.3 else k] = rand_string(r, feat)
    return {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': meta(r, feat, name), 'data': data}


def service(r, feat, name):
    return {'apiVersion': 'v1', 'kind': 'Service', 'metadata': meta(r, feat, name),
            'spec': {'selector': {'app': name}, 'ports': [{'port': 80, 'targetPort': r.choice([8080, 'http'])}]}}


def custom(r, feat, name):
    feat.add('custom-kind')
    return {'apiVersion': 'example.com/v1', 'kind': 'Widget', 'metadata': meta(r, feat, name),
            'spec': {'size': rand_scalar(r, feat), 'tags': [rand_string(r, feat) for _ in range(2)],
                     'nested': {'deep': {'value': rand_scalar(r, feat)}}}}


def resource(r, feat, name):
    return r.choice([deployment, deployment, configmap, configmap, service, custom])(r, feat, name)


# ---- kustomizations ----

def case(r, key, feat):
    """Field names of sub-structures are case-insensitive in kustomize."""
    if r.random() < 0.04:
        feat.add('field-case')
        return r.choice([key.lower(), key[0].upper() + key[1:], key.upper()])
    return key


def kust_fields(r, feat, files, d, res_names, depth):
    k = {}
    P = r.random

    def field(name):
        feat.add('k-' + name)
        return name

    if P() < 0.3:
        k[field('namePrefix')] = r.choice(['p-', 'dev-', 'x'])
    if P() < 0.2:
        k[field('nameSuffix')] = r.choice(['-s', '-v2'])
    if P() < 0.3:
        k[field('namespace')] = r.choice(['prod', 'team-b', 'default'])
    if P() < 0.2:
        k[field('commonLabels')] = {'env': r.choice(['dev', 'prod', '"6.1"'.strip('"')])}
    if P() < 0.25:
        k[field('labels')] = [{case(r, 'pairs', feat): {'team': rand_word(r)},
                               case(r, 'includeSelectors', feat): r.choice([True, False]),
                               case(r, 'includeTemplates', feat): r.choice([True, False])}]
    if P() < 0.2:
        k[field('commonAnnotations')] = {'owner': rand_string(r, feat) if P() < 0.5 else rand_word(r)}
    if P() < 0.25:
        k[field('images')] = [{case(r, 'name', feat): 'nginx',
                               case(r, 'newTag', feat): r.choice(['1.26', '"1.20"'.strip('"'), 'latest']),
                               **({case(r, 'newName', feat): 'registry.local/nginx'} if P() < 0.5 else {})}]
    if P() < 0.15:
        k[field('replicas')] = [{'name': r.choice(res_names or ['web']), 'count': r.choice([0, 2, 5])}]
    if P() < 0.35 and res_names:
        k[field('patches')] = [patch_entry(r, feat, files, d, res_names) for _ in range(r.randrange(1, 3))]
    if P() < 0.08 and res_names:
        name = 'psm%d.yaml' % r.randrange(100)
        files[d + name] = render(r, feat, [sm_patch(r, feat, r.choice(res_names))])
        k[field('patchesStrategicMerge')] = [name]
    if P() < 0.25:
        k[field('configMapGenerator')] = [generator(r, feat, files, d)]
    if P() < 0.15:
        sg = generator(r, feat, files, d)
        if P() < 0.5:
            sg['type'] = r.choice(['Opaque', 'kubernetes.io/tls'])
        k[field('secretGenerator')] = [sg]
    if P() < 0.1:
        k[field('generatorOptions')] = {'disableNameSuffixHash': r.choice([True, False]),
                                        **({'labels': {'gen': 'x'}} if P() < 0.5 else {})}
    if P() < 0.15 and res_names:
        k[field('replacements')] = [{
            case(r, 'source', feat): {'kind': r.choice(['ConfigMap', 'Deployment', 'Service']),
                                      case(r, 'fieldPath', feat): r.choice(['metadata.name', 'data.k0',
                                                                            'metadata.labels.app'])},
            case(r, 'targets', feat): [{case(r, 'select', feat): {'kind': r.choice(['Deployment', 'ConfigMap'])},
                                        case(r, 'fieldPaths', feat): [r.choice(['metadata.annotations.src',
                                                                                'spec.replicas',
                                                                                'data.copied'])],
                                        'options': {'create': True}}]}]
    if P() < 0.06 and res_names:
        k[field('patchesJson6902')] = [{'target': {'group': 'apps', 'version': 'v1', 'kind': 'Deployment',
                                                   'name': r.choice(res_names)},
                                        'patch': '[{"op": "add", "path": "/metadata/labels/old", "value": "j"}]'}]
    if P() < 0.06 and res_names:
        k[field('vars')] = [{'name': 'V%d' % depth,
                             'objref': {'kind': r.choice(['ConfigMap', 'Deployment', 'Service']),
                                        'name': r.choice(res_names), 'apiVersion': r.choice(['v1', 'apps/v1'])},
                             **({'fieldref': {'fieldpath': r.choice(['metadata.name', 'metadata.labels.app'])}}
                                if P() < 0.5 else {})}]
    if P() < 0.05:
        name = 'tc%d.yaml' % r.randrange(10)
        files[d + name] = render(r, feat, [{
            r.choice(['commonLabels', 'commonAnnotations', 'nameReference', 'namePrefix']): [
                {'path': r.choice(['spec/tags', 'spec/nested/deep', 'data/extra']), 'kind': 'Widget',
                 'create': r.choice([True, False])}]}])
        k[field('configurations')] = [name]
    if P() < 0.05:
        name = 'tr%d.yaml' % r.randrange(10)
        kind = r.choice(['LabelTransformer', 'AnnotationsTransformer', 'PrefixSuffixTransformer',
                         'NamespaceTransformer'])
        cfg = {'apiVersion': 'builtin', 'kind': kind, 'metadata': {'name': 'x'}}
        if kind == 'LabelTransformer':
            cfg.update({'labels': {'tl': rand_word(r)}, 'fieldSpecs': [{'path': 'metadata/labels', 'create': True}]})
        elif kind == 'AnnotationsTransformer':
            cfg.update({'annotations': {'ta': rand_string(r, feat)},
                        'fieldSpecs': [{'path': 'metadata/annotations', 'create': True}]})
        elif kind == 'PrefixSuffixTransformer':
            cfg.update({'prefix': 'tp-', 'fieldSpecs': [{'path': 'metadata/name'}]})
        else:
            cfg['metadata']['namespace'] = 'tns'
            cfg['fieldSpecs'] = [{'path': 'metadata/namespace', 'create': True}]
        files[d + name] = render(r, feat, [cfg])
        k[field('transformers')] = [name]
    if P() < 0.05:
        k[field('sortOptions')] = {'order': r.choice(['legacy', 'fifo'])}
    if P() < 0.05:
        k[field('buildMetadata')] = [r.choice(['originAnnotations', 'transformerAnnotations', 'managedByLabel'])]
    return k


def patch_entry(r, feat, files, d, res_names):
    target = r.choice(res_names)
    kind = r.random()
    if kind < 0.4:
        body = sm_patch(r, feat, target)
        if r.random() < 0.5:
            feat.add('patch-sm-inline')
            return {case(r, 'patch', feat): render(r, feat, [body], crlf=False, bom=False,
                                                   final_nl=True, comments=False).decode()}
        name = 'patch%d.yaml' % r.randrange(1000)
        files[d + name] = render(r, feat, [body])
        feat.add('patch-sm-file')
        return {'path': name}
    ops = json_ops(r, feat)
    sel = {'kind': r.choice(['Deployment', 'ConfigMap', 'Service', 'StatefulSet', 'Widget'])}
    if r.random() < 0.5:
        sel['name'] = target
    if r.random() < 0.2:
        sel = {'labelSelector': r.choice(['app', 'app=web', 'env!=prod'])}
    if kind < 0.7:
        import json
        feat.add('patch-json-inline')
        return {'target': sel, 'patch': json.dumps(ops)}
    feat.add('patch-json-yaml')
    em = Emitter(r, feat)
    return {'target': sel, 'patch': '\n'.join(em.sequence(ops, 0)) + '\n'}


def sm_patch(r, feat, name):
    p = {'apiVersion': r.choice(['apps/v1', 'v1', 'example.com/v1']),
         'kind': r.choice(['Deployment', 'ConfigMap', 'Service', 'Widget', 'StatefulSet']),
         'metadata': {'name': name}}
    k = r.random()
    if k < 0.3:
        p['metadata']['labels'] = {'patched': rand_word(r), 'version': r.choice(['6.1', '2'])}
    elif k < 0.45:
        p['metadata']['annotations'] = {'a': r.choice([None, rand_string(r, feat)])}
        feat.add('patch-annotation-null')
    elif k < 0.6:
        p['data'] = {'p': rand_scalar(r, feat)}
        if r.random() < 0.25:
            nk = r.choice(NONSTR_KEYS)
            p['data'][RawKey(nk) if r.random() < 0.6 else nk] = r.choice([None, rand_word(r)])
    elif k < 0.7:
        p['$patch'] = r.choice(['delete', 'replace'])
        feat.add('patch-directive-top')
    else:
        p['spec'] = {'replicas': r.choice([2, 3]),
                     'template': {'spec': {'containers': [{'name': name + '0', 'image': 'patched:1'}]}}}
    return p


def json_ops(r, feat):
    ops = []
    for _ in range(r.randrange(1, 3)):
        k = r.random()
        if k < 0.4:
            ops.append({'op': 'add', 'path': '/metadata/annotations/' + r.choice(['j', 'n', 'x~1y']),
                        'value': rand_scalar(r, feat)})
            feat.add('json-add-annotation')
        elif k < 0.55:
            ops.append({'op': 'add', 'path': '/metadata/labels/jl', 'value': rand_word(r)})
        elif k < 0.7:
            ops.append({'op': 'replace', 'path': '/spec/replicas', 'value': r.choice([1, 4])})
        elif k < 0.8:
            ops.append({'op': 'remove', 'path': '/metadata/labels'})
        elif k < 0.9:
            ops.append({'op': 'copy', 'from': '/metadata/name', 'path': '/metadata/annotations/copied'})
        else:
            ops.append({'op': 'add', 'path': '/data/jd', 'value': r.choice([6.02e23, 12345678901234567890, '6.1'])})
    return ops


def generator(r, feat, files, d):
    g = {'name': r.choice(['cfg', 'env', 'settings'])}
    if r.random() < 0.6:
        g['literals'] = ['%s=%s' % (rand_word(r), r.choice([rand_word(r), '6.1', 'a=b', '"q"', ' sp']))
                         for _ in range(r.randrange(1, 3))]
    if r.random() < 0.4:
        name = r.choice(['app.properties', 'config.txt', 'data.json'])
        body = multiline(r, feat)
        if r.random() < 0.1:
            body = body.replace('\n', '\r\n')
            feat.add('gen-file-crlf')
        files[d + name] = body.encode()
        g['files'] = [name if r.random() < 0.7 else 'k=' + name]
        feat.add('gen-file')
    if r.random() < 0.2:
        name = 'vars.env'
        files[d + name] = ('A=1\nB=two words\n# c\nC="q"\n' + ('D=\n' if r.random() < 0.5 else '')).encode()
        g['envs'] = [name]
        feat.add('gen-env')
    if not g.get('literals') and not g.get('files') and not g.get('envs'):
        g['literals'] = ['k=v']
    if r.random() < 0.1:
        g['behavior'] = r.choice(['create', 'merge', 'replace'])
    return g


def yaml_kust(r, feat, k):
    head = {}
    if r.random() < 0.7:
        head = {'apiVersion': 'kustomize.config.k8s.io/v1beta1', 'kind': 'Kustomization'}
    return render(r, feat, [dict(head, **k)])


# ---- wrong inputs ----

def break_tree(r, feat, files, target):
    """One deliberate mistake somewhere in the tree."""
    paths = sorted(files)
    p = r.choice(paths)
    text = files[p]
    k = r.random()
    if k < 0.2:
        files[p] = text + b'\nbad: [unclosed\n'
        feat.add('wrong-yaml')
    elif k < 0.35:
        files[p] = text.replace(b'\n  ', b'\n\t', 1)
        feat.add('wrong-tab')
    elif k < 0.5:
        kp = [x for x in paths if x.endswith('kustomization.yaml')]
        q = r.choice(kp)
        files[q] = files[q] + b'\nresources:\n- missing.yaml\n'
        feat.add('wrong-dup-field-or-missing')
    elif k < 0.65:
        kp = [x for x in paths if x.endswith('kustomization.yaml')]
        q = r.choice(kp)
        files[q] = files[q] + b'\nunknownField: 1\n'
        feat.add('wrong-unknown-field')
    elif k < 0.8:
        files[p] = b'\x00' + text
        feat.add('wrong-nul')
    elif k < 0.9:
        files[p] = text + b'\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ""\n'
        feat.add('wrong-empty-name')
    else:
        files[p] = text.replace(b': ', b':  :', 1)
        feat.add('wrong-colon')


# ---- the tree ----

def make_tree(seed):
    r = random.Random(seed)
    feat = set()
    files = {}
    # base
    res_names = []
    res_files = []
    base = 'base/'
    for i in range(r.randrange(1, 4)):
        docs = []
        for _ in range(r.randrange(1, 3)):
            name = r.choice(WORDS) + ('' if r.random() < 0.7 else str(i))
            if name in res_names:
                name += 'x%d' % i
            res_names.append(name)
            docs.append(resource(r, feat, name))
        fn = 'res%d.yaml' % i
        files[base + fn] = render(r, feat, docs)
        res_files.append(fn)
    if r.random() < 0.1:
        feat.add('anchors')
        files[base + 'anchored.yaml'] = (
            'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: anchored\n  labels: &l\n'
            '    app: anchored\ndata:\n  base: &b x\n  again: *b\n  <<: {merged: "1"}\n'
        ).encode()
        res_files.append('anchored.yaml')
        res_names.append('anchored')
    bk = kust_fields(r, feat, files, base, res_names, 0)
    bk['resources'] = list(res_files)
    files[base + 'kustomization.yaml'] = yaml_kust(r, feat, bk)
    target = 'base'
    # components
    comp = None
    if r.random() < 0.15:
        comp = 'components/c/'
        ck = kust_fields(r, feat, files, comp, res_names, 1)
        ck.pop('resources', None)
        if not ck:
            ck = {'namePrefix': 'c-'}
        files[comp + 'kustomization.yaml'] = render(r, feat, [dict(
            {'apiVersion': 'kustomize.config.k8s.io/v1alpha1', 'kind': 'Component'}, **ck)])
        feat.add('k-components')
    # overlays
    depth = r.choice([0, 1, 1, 2, 3])
    parent = 'base'
    for lvl in range(depth):
        d = 'overlays/o%d/' % lvl
        ok = kust_fields(r, feat, files, d, res_names, lvl + 1)
        rel = '../' * (d.count('/')) + parent
        if r.random() < 0.08:
            ok['bases'] = [rel]
            ok['resources'] = []
            feat.add('k-bases')
        else:
            ok['resources'] = [rel]
        if r.random() < 0.2:
            extra = 'extra.yaml'
            nm = rand_word(r) + '-extra'
            files[d + extra] = render(r, feat, [resource(r, feat, nm)])
            ok['resources'].append(extra)
            res_names.append(nm)
        if comp and lvl == depth - 1:
            ok['components'] = ['../' * d.count('/') + comp.rstrip('/')]
        files[d + 'kustomization.yaml'] = yaml_kust(r, feat, ok)
        parent = d.rstrip('/')
        target = parent
    if depth:
        feat.add('overlays-%d' % depth)
    if r.random() < 0.12:
        break_tree(r, feat, files, target)
    return files, target, feat
