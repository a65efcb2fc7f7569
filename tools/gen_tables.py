#!/usr/bin/env python3
"""gen_tables.py - generate kb_tables.c (see lib/kustomize/tables.h) from data/k8s.

    python3 tools/gen_tables.py --data data/k8s --out build/generated/kb_tables.c

Inputs:
  data/k8s/fieldspecs/*.yaml   kustomize's default transformer field specs
  data/k8s/kubernetes-openapi-v1.21.2.json.gz
                               kustomize's built-in OpenAPI bundle
                               ({definitions, resources})

Stdlib only (no PyYAML): the field-spec files use a tiny block-YAML subset
(maps, sequences, plain or quoted scalars, comments), parsed below.  The
output is deterministic: same input, byte-identical C.
"""

import argparse
import gzip
import json
import os
import sys

FIELDSPEC_FILES = [
    "nameprefix", "namesuffix", "namespace", "commonlabels",
    "templatelabels", "commonannotations", "images", "replicas",
    "varreference", "volumeclaimmetadatalabels",
]
NAMEREF_FILE = "namereference"
OPENAPI_FILE = "kubernetes-openapi-v1.21.2.json.gz"

# kyaml consults precomputedIsNamespaceScoped before the schema.  Newer
# kustomize lists ValidatingAdmissionPolicy(Binding) there as cluster-
# scoped, but v5.5.0 (the reference) does not and still namespaces them
# (conformance case namespaces_test__TestNamespaceNotAddedToValidating-
# AdmissionPolicies), so nothing is added beyond the v1.21.2 bundle.
EXTRA_SCOPES = []

SF_PRIMITIVE, SF_OBJECT, SF_ARRAY, SF_MAP = 0, 1, 2, 3
PS_FLAGS = {"merge": 1, "replace": 2, "retainKeys": 4}


class GenError(Exception):
    pass


# ---------------------------------------------------------------- mini YAML

def _strip_comment(text):
    """Drops a trailing '# comment' that is not inside quotes."""
    quote = None
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


def _scalar(text, where):
    if not text:
        return None
    if text[0] == "'":
        if len(text) < 2 or text[-1] != "'":
            raise GenError("%s: unterminated quoted scalar" % where)
        return text[1:-1].replace("''", "'")
    if text[0] == '"':
        if len(text) < 2 or text[-1] != '"':
            raise GenError("%s: unterminated quoted scalar" % where)
        return json.loads(text)
    if text[0] in "[{&*!|>%@`":
        raise GenError("%s: unsupported YAML construct %r" % (where, text))
    return text


class _MiniYaml:
    """Block maps and sequences of scalars, indentation based.  Anything
    outside that subset is an error rather than a silent misparse."""

    def __init__(self, text, name):
        self.name = name
        self.lines = []  # (lineno, indent, text)
        for no, raw in enumerate(text.splitlines(), 1):
            if "\t" in raw[: len(raw) - len(raw.lstrip())]:
                raise GenError("%s:%d: tab in indentation" % (name, no))
            body = _strip_comment(raw)
            if not body.strip() or body.strip() in ("---",):
                continue
            indent = len(body) - len(body.lstrip(" "))
            self.lines.append([no, indent, body.strip()])
        self.pos = 0

    def where(self):
        if self.pos < len(self.lines):
            return "%s:%d" % (self.name, self.lines[self.pos][0])
        return "%s:EOF" % self.name

    def parse(self):
        if not self.lines:
            return None
        val = self.block(self.lines[0][1])
        if self.pos != len(self.lines):
            raise GenError("%s: unexpected indentation" % self.where())
        return val

    def block(self, indent):
        if self.lines[self.pos][2].startswith("-"):
            return self.seq(indent)
        return self.map(indent)

    def seq(self, indent):
        out = []
        while self.pos < len(self.lines):
            no, ind, text = self.lines[self.pos]
            if ind < indent:
                break
            if ind > indent or not (text == "-" or text.startswith("- ")):
                if ind == indent:
                    break  # a map key at the parent's level
                raise GenError("%s: bad sequence item" % self.where())
            rest = text[1:].lstrip(" ")
            if not rest:
                self.pos += 1
                if self.pos < len(self.lines) and self.lines[self.pos][1] > indent:
                    out.append(self.block(self.lines[self.pos][1]))
                else:
                    out.append(None)
                continue
            if _is_map_entry(rest):
                # "- key: v" opens a map whose keys sit where "key" starts.
                col = ind + (len(text) - len(rest))
                self.lines[self.pos] = [no, col, rest]
                out.append(self.map(col))
            else:
                out.append(_scalar(rest, self.where()))
                self.pos += 1
        return out

    def map(self, indent):
        out = {}
        while self.pos < len(self.lines):
            no, ind, text = self.lines[self.pos]
            if ind < indent:
                break
            if ind > indent:
                raise GenError("%s: unexpected indentation" % self.where())
            if text.startswith("- ") or text == "-":
                break  # belongs to an enclosing sequence
            if not _is_map_entry(text):
                raise GenError("%s: expected 'key: value'" % self.where())
            where = self.where()
            key, _, val = text.partition(":")
            key = _scalar(key.strip(), where)
            if key in out:
                raise GenError("%s: duplicate key %r" % (where, key))
            val = val.strip()
            self.pos += 1
            if val:
                out[key] = _scalar(val, where)
                continue
            # Nested block: deeper, or a sequence at the same indent
            # ("fieldSpecs:\n- path: ..." is legal YAML).
            if self.pos < len(self.lines):
                nind, ntext = self.lines[self.pos][1], self.lines[self.pos][2]
                if nind > indent or (nind == indent and (ntext.startswith("- ") or ntext == "-")):
                    out[key] = self.block(nind)
                    continue
            out[key] = None
        return out


def _is_map_entry(text):
    if text[0] in "'\"":
        q = text[0]
        end = text.find(q, 1)
        return end > 0 and text[end + 1:].startswith(":") and \
            (len(text) == end + 2 or text[end + 2] == " ")
    i = text.find(":")
    return i > 0 and (i == len(text) - 1 or text[i + 1] == " ")


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return _MiniYaml(f.read(), path).parse()


# ---------------------------------------------------------------- field specs

FS_KEYS = {"group", "version", "kind", "path", "create"}


def _bool(v, where):
    if v is None:
        return False
    if v in ("true", "True", "TRUE"):
        return True
    if v in ("false", "False", "FALSE"):
        return False
    raise GenError("%s: create must be a boolean, not %r" % (where, v))


def fieldspecs(items, where):
    if items is None:
        return []
    if not isinstance(items, list):
        raise GenError("%s: expected a list of field specs" % where)
    out = []
    for i, it in enumerate(items):
        w = "%s[%d]" % (where, i)
        if not isinstance(it, dict):
            raise GenError("%s: field spec is not a map" % w)
        bad = set(it) - FS_KEYS
        if bad:
            raise GenError("%s: unknown field spec keys %s" % (w, sorted(bad)))
        if not it.get("path"):
            raise GenError("%s: field spec without path" % w)
        out.append((it.get("group"), it.get("version"), it.get("kind"),
                    it["path"], _bool(it.get("create"), w)))
    return out


def load_fieldspec_file(path):
    doc = load_yaml(path)
    if not isinstance(doc, dict) or len(doc) != 1:
        raise GenError("%s: expected a single top-level key" % path)
    (key, items), = doc.items()
    return key, items


# ---------------------------------------------------------------- OpenAPI

def _ref_name(ref, where):
    pre = "#/definitions/"
    if not isinstance(ref, str) or not ref.startswith(pre):
        raise GenError("%s: unsupported $ref %r" % (where, ref))
    return ref[len(pre):]


def describe(schema, defs, index, where):
    """(shape, type index) of a schema, resolving $ref the way kyaml's
    Field()/Elements() do: a $ref to a non-object definition (Quantity,
    Time, IntOrString, JSON...) is a primitive."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"], where)
        if name not in defs:
            raise GenError("%s: dangling $ref %s" % (where, name))
        target = defs[name]
        if target.get("type") == "object" or "properties" in target:
            return SF_OBJECT, index[name]
        shape, _ = describe({k: v for k, v in target.items() if k != "$ref"},
                            defs, index, where)
        return shape, -1
    t = schema.get("type")
    if t == "array":
        return SF_ARRAY, -1
    if t == "object" and isinstance(schema.get("additionalProperties"), dict):
        return SF_MAP, -1
    return SF_PRIMITIVE, -1


def field_entry(name, prop, defs, index, where):
    shape, typ = describe(prop, defs, index, where)
    item_shape, item_type = SF_PRIMITIVE, -1
    if shape == SF_ARRAY and isinstance(prop.get("items"), dict):
        item_shape, item_type = describe(prop["items"], defs, index, where + ".items")
    elif shape == SF_MAP:
        item_shape, item_type = describe(prop["additionalProperties"], defs, index,
                                         where + ".additionalProperties")
    strategy = 0
    ps = prop.get("x-kubernetes-patch-strategy")
    if ps:
        for s in ps.split(","):
            s = s.strip()
            if s not in PS_FLAGS:
                raise GenError("%s: unknown patch strategy %r" % (where, s))
            strategy |= PS_FLAGS[s]
    mk = prop.get("x-kubernetes-patch-merge-key")
    # kyaml's PatchStrategyAndKeyList: no keys at all without a patch
    # strategy; with one, x-kubernetes-list-map-keys (every key) wins over
    # x-kubernetes-patch-merge-key.
    keys = ()
    if ps:
        lmk = prop.get("x-kubernetes-list-map-keys")
        if lmk:
            keys = tuple(lmk)
        elif mk:
            keys = (mk,)
    if not mk and keys:
        mk = keys[0]
    return (name, shape, item_shape, strategy, typ, item_type, mk, keys)


def load_openapi(path):
    with gzip.open(path, "rb") as f:
        doc = json.load(f)
    defs = doc.get("definitions")
    if not isinstance(defs, dict):
        raise GenError("%s: no definitions" % path)
    names = sorted(defs, key=lambda s: s.encode())
    index = {n: i for i, n in enumerate(names)}
    types = []
    for n in names:
        props = defs[n].get("properties") or {}
        fields = [field_entry(f, props[f], defs, index, "%s.%s" % (n, f))
                  for f in sorted(props, key=lambda s: s.encode())]
        types.append((n, fields))

    res = {}
    for r in doc.get("resources", []):
        # Some entries (PodExecOptions...) carry only a scope.
        av, kind, d = r["apiVersion"], r["kind"], r.get("definition")
        group, _, version = av.rpartition("/")
        if d is not None and d not in index:
            raise GenError("%s: resource %s %s: unknown definition %s" % (path, av, kind, d))
        scope = r.get("scope")
        if scope not in (None, "Namespaced", "Cluster"):
            raise GenError("%s: resource %s %s: bad scope %r" % (path, av, kind, scope))
        key = (group, version, kind)
        if key in res:
            raise GenError("%s: duplicate resource %s %s" % (path, av, kind))
        # Unknown scope: kustomize treats the kind as namespaced
        # (IsCertainlyClusterScoped is false); scope_known says which.
        res[key] = (index[d] if d is not None else -1, scope != "Cluster", scope is not None)
    for av, kind, scope in EXTRA_SCOPES:
        group, _, version = av.rpartition("/")
        res.setdefault((group, version, kind), (-1, scope != "Cluster", True))
    resources = sorted(res.items(), key=lambda kv: tuple(s.encode() for s in kv[0]))
    return types, resources


# ---------------------------------------------------------------- C output

def cstr(s):
    if s is None:
        return "NULL"
    out = ['"']
    for ch in s.encode("utf-8"):
        c = chr(ch)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= ch < 0x7f and c != "?":
            out.append(c)
        else:
            out.append("\\%03o" % ch)
    out.append('"')
    return "".join(out)


def cbool(b):
    return "true" if b else "false"


def emit_fs_array(w, cname, specs):
    if not specs:
        return "NULL", 0
    w("static const kb_fieldspec %s[] = {\n" % cname)
    for g, v, k, p, c in specs:
        w("\t{ %s, %s, %s, %s, %s },\n" % (cstr(g), cstr(v), cstr(k), cstr(p), cbool(c)))
    w("};\n")
    return cname, len(specs)


def generate(data_dir):
    chunks = []
    w = chunks.append
    w("/* Generated by tools/gen_tables.py from data/k8s: do not edit. */\n")
    w("#include \"tables.h\"\n\n")

    fsdir = os.path.join(data_dir, "fieldspecs")
    present = sorted(f[:-5] for f in os.listdir(fsdir) if f.endswith(".yaml"))
    expected = sorted(FIELDSPEC_FILES + [NAMEREF_FILE])
    if present != expected:
        raise GenError("%s: expected files %s, found %s" % (fsdir, expected, present))

    for stem in FIELDSPEC_FILES:
        path = os.path.join(fsdir, stem + ".yaml")
        _, items = load_fieldspec_file(path)
        specs = fieldspecs(items, path)
        arr, n = emit_fs_array(w, "fs_" + stem, specs)
        w("const kb_fieldspec_list kb_fs_%s = { %s, %d };\n\n" % (stem, arr, n))

    path = os.path.join(fsdir, NAMEREF_FILE + ".yaml")
    _, items = load_fieldspec_file(path)
    if not isinstance(items, list):
        raise GenError("%s: expected a list" % path)
    entries = []
    for i, it in enumerate(items):
        where = "%s[%d]" % (path, i)
        if not isinstance(it, dict) or not it.get("kind"):
            raise GenError("%s: nameReference entry needs a kind" % where)
        bad = set(it) - {"group", "version", "kind", "fieldSpecs"}
        if bad:
            raise GenError("%s: unknown keys %s" % (where, sorted(bad)))
        specs = fieldspecs(it.get("fieldSpecs"), where + ".fieldSpecs")
        arr, n = emit_fs_array(w, "nr_%d" % i, specs)
        entries.append((it.get("group"), it.get("version"), it["kind"], arr, n))
    w("const kb_nameref_entry kb_namerefs[] = {\n")
    for g, v, k, arr, n in entries:
        w("\t{ %s, %s, %s, { %s, %d } },\n" % (cstr(g), cstr(v), cstr(k), arr, n))
    w("};\nconst size_t kb_namerefs_n = %d;\n\n" % len(entries))

    types, resources = load_openapi(os.path.join(data_dir, OPENAPI_FILE))

    # Merge key lists, shared between fields.
    keylists = {}
    for _, fields in types:
        for f in fields:
            if f[7] and f[7] not in keylists:
                keylists[f[7]] = "mk_%d" % len(keylists)
    for keys, cname in sorted(keylists.items(), key=lambda kv: int(kv[1][3:])):
        w("static const char *const %s[] = { %s };\n" % (cname, ", ".join(cstr(k) for k in keys)))
    w("\n")

    type_rows = []
    for i, (name, fields) in enumerate(types):
        if not fields:
            type_rows.append("\t{ %s, NULL, 0 },\n" % cstr(name))
            continue
        w("static const kb_schema_field t_%d[] = {\n" % i)
        for (fname, shape, ishape, strat, typ, ityp, mk, keys) in fields:
            kl = keylists[keys] if keys else "NULL"
            w("\t{ %s, %d, %d, %d, %d, %d, %s, %s, %d },\n"
              % (cstr(fname), shape, ishape, strat, typ, ityp, cstr(mk), kl, len(keys)))
        w("};\n")
        type_rows.append("\t{ %s, t_%d, %d },\n" % (cstr(name), i, len(fields)))
    w("\nconst kb_schema_type kb_schema_types[] = {\n")
    w("".join(type_rows))
    w("};\nconst size_t kb_schema_types_n = %d;\n\n" % len(types))

    w("const kb_schema_resource kb_schema_resources[] = {\n")
    for (g, v, k), (typ, ns, known) in resources:
        w("\t{ %s, %s, %s, %d, %s, %s },\n"
          % (cstr(g), cstr(v), cstr(k), typ, cbool(ns), cbool(known)))
    w("};\nconst size_t kb_schema_resources_n = %d;\n" % len(resources))
    return "".join(chunks)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="the data/k8s directory")
    ap.add_argument("--out", required=True, help="the C file to write")
    args = ap.parse_args(argv)
    try:
        text = generate(args.data)
    except (GenError, OSError, ValueError, KeyError) as e:
        print("gen_tables.py: error: %s" % e, file=sys.stderr)
        return 1
    # Write atomically so an interrupted build never leaves half a file.
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
