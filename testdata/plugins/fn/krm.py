"""krm.py - the little a test KRM function needs, with the standard library
only: read the ResourceList on stdin, write one (as JSON, which is YAML)
on stdout.

The reader understands the block YAML that kbuild and kustomize write
for ResourceLists: mappings, sequences (indented or not), plain, quoted
and literal/folded block scalars, plain scalars folded onto continuation
lines, and empty flow collections.  It is not a general YAML parser.
"""
import json
import re
import sys

_INT = re.compile(r'^[-+]?(0|[1-9][0-9]*)$')
_FLOAT = re.compile(r'^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$')


def _plain(s):
    if s in ('', '~', 'null', 'Null', 'NULL'):
        return None
    if s in ('true', 'True', 'TRUE'):
        return True
    if s in ('false', 'False', 'FALSE'):
        return False
    if _INT.match(s):
        return int(s)
    if _FLOAT.match(s):
        return float(s)
    return s


def _double(s):
    out, i = [], 0
    esc = {'n': '\n', 't': '\t', 'r': '\r', '"': '"', '\\': '\\', '/': '/', '0': '\0',
           'b': '\b', 'f': '\f', ' ': ' ', 'e': '\x1b', 'a': '\x07', 'v': '\x0b'}
    while i < len(s):
        c = s[i]
        if c == '\\' and i + 1 < len(s):
            n = s[i + 1]
            if n in esc:
                out.append(esc[n])
                i += 2
            elif n in 'xuU':
                w = {'x': 2, 'u': 4, 'U': 8}[n]
                out.append(chr(int(s[i + 2:i + 2 + w], 16)))
                i += 2 + w
            else:
                out.append(n)
                i += 2
        else:
            out.append(c)
            i += 1
    return ''.join(out)


class _Reader:
    def __init__(self, text):
        self.lines = [l.rstrip('\r') for l in text.split('\n')]
        self.i = 0

    def _skip(self):
        while self.i < len(self.lines):
            l = self.lines[self.i]
            st = l.strip()
            if st == '' or st.startswith('#') or st == '---' or st.startswith('--- '):
                self.i += 1
                continue
            return
        return

    def _indent(self, l):
        return len(l) - len(l.lstrip(' '))

    def value_at(self, indent):
        self._skip()
        if self.i >= len(self.lines):
            return None
        l = self.lines[self.i]
        ind = self._indent(l)
        if ind < indent:
            return None
        if l.lstrip().startswith('- ') or l.strip() == '-':
            return self._seq(ind)
        return self._map(ind)

    def _scalar(self, text, indent):
        """text: the rest of the line after 'key:' or '- '; indent: the
        indent that continuation lines must exceed."""
        t = text.strip()
        if t.startswith('|') or t.startswith('>'):
            return self._block(t, indent)
        if t.startswith('"'):
            buf = t
            while not re.search(r'(?<!\\)(\\\\)*"\s*$', buf[1:]) or buf == '"':
                self.i += 1
                nxt = self.lines[self.i].strip()
                buf = buf + ('\n' if nxt == '' else ' ') + nxt
            body = buf[1:buf.rstrip().rfind('"')]
            return _double(body.replace('\\\n', ''))
        if t.startswith("'"):
            buf = t
            while not buf.rstrip().endswith("'") or buf.rstrip() == "'":
                self.i += 1
                nxt = self.lines[self.i].strip()
                buf = buf + ('\n' if nxt == '' else ' ') + nxt
            return buf.rstrip()[1:-1].replace("''", "'")
        if t == '{}':
            return {}
        if t == '[]':
            return []
        # plain, maybe folded onto more-indented lines
        parts = [t]
        while self.i + 1 < len(self.lines):
            nl = self.lines[self.i + 1]
            if nl.strip() == '' or self._indent(nl) <= indent:
                break
            parts.append(nl.strip())
            self.i += 1
        return _plain(' '.join(parts))

    def _block(self, header, indent):
        keep = '+' in header
        strip = '-' in header
        folded = header.startswith('>')
        body = []
        bind = None
        while self.i + 1 < len(self.lines):
            nl = self.lines[self.i + 1]
            if nl.strip() == '':
                body.append('')
                self.i += 1
                continue
            ind = self._indent(nl)
            if bind is None:
                if ind <= indent:
                    break
                bind = ind
            if ind < bind:
                break
            body.append(nl[bind:])
            self.i += 1
        # trailing blank lines
        trail = 0
        while body and body[-1] == '':
            body.pop()
            trail += 1
        if folded:
            text = ''
            for j, b in enumerate(body):
                if j == 0:
                    text = b
                elif b == '' or body[j - 1] == '' or b.startswith(' '):
                    text += '\n' + b
                else:
                    text += ' ' + b
        else:
            text = '\n'.join(body)
        if strip:
            return text
        if keep:
            return text + '\n' * (trail + 1)
        return text + '\n' if body else ''

    def _key(self, s):
        s = s.strip()
        if s.startswith('"'):
            return _double(s[1:-1])
        if s.startswith("'"):
            return s[1:-1].replace("''", "'")
        return s

    def _split_key(self, body):
        if body.startswith('"') or body.startswith("'"):
            q = body[0]
            j = 1
            while j < len(body):
                if body[j] == '\\' and q == '"':
                    j += 2
                    continue
                if body[j] == q:
                    if q == "'" and j + 1 < len(body) and body[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            k = body[:j + 1]
            rest = body[j + 1:]
            assert rest.startswith(':'), body
            return self._key(k), rest[1:]
        m = re.match(r'^(.*?):( |$)(.*)$', body)
        if not m:
            raise ValueError('not a mapping line: %r' % body)
        return m.group(1).strip(), m.group(3)

    def _map(self, indent):
        out = {}
        while True:
            self._skip()
            if self.i >= len(self.lines):
                return out
            l = self.lines[self.i]
            ind = self._indent(l)
            if ind != indent or l.lstrip().startswith('- '):
                return out
            key, rest = self._split_key(l[ind:])
            if rest.strip() == '':
                self.i += 1
                self._skip()
                v = None
                if self.i < len(self.lines):
                    nl = self.lines[self.i]
                    nind = self._indent(nl)
                    if nind > indent or (nind == indent and nl.lstrip().startswith('- ')):
                        v = self.value_at(nind)
                out[key] = v
            else:
                out[key] = self._scalar(rest, indent)
                self.i += 1

    def _seq(self, indent):
        out = []
        while True:
            self._skip()
            if self.i >= len(self.lines):
                return out
            l = self.lines[self.i]
            ind = self._indent(l)
            st = l.lstrip()
            if ind != indent or not (st.startswith('- ') or st == '-'):
                return out
            rest = st[2:] if st.startswith('- ') else ''
            if rest.strip() == '':
                self.i += 1
                out.append(self.value_at(indent + 1))
                continue
            sub = ind + 2 + len(rest) - len(rest.lstrip(' '))
            rest = rest.lstrip(' ')
            if rest.startswith('- ') or rest == '-':
                # a sequence that starts on the dash line
                self.lines[self.i] = ' ' * sub + rest
                out.append(self._seq(sub))
                continue
            if re.match(r'^("[^"]*"|\'[^\']*\'|[^ "\'][^:]*):( |$)', rest) and not rest.startswith('{'):
                # a mapping that starts on the dash line
                self.lines[self.i] = ' ' * sub + rest
                out.append(self._map(sub))
                continue
            out.append(self._scalar(rest, ind))
            self.i += 1


def parse(text):
    """The first document of text."""
    return _Reader(text).value_at(0)


def read():
    """The ResourceList on stdin: (items, functionConfig)."""
    rl = parse(sys.stdin.read()) or {}
    return rl.get('items') or [], rl.get('functionConfig') or {}


def write(items, results=None):
    rl = {'apiVersion': 'config.kubernetes.io/v1', 'kind': 'ResourceList', 'items': items}
    if results is not None:
        rl['results'] = results
    json.dump(rl, sys.stdout, indent=1)
    sys.stdout.write('\n')


def annotations(obj):
    md = obj.setdefault('metadata', {}) or {}
    obj['metadata'] = md
    a = md.get('annotations')
    if a is None:
        a = md['annotations'] = {}
    return a
