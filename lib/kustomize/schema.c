/*
 * schema.c - lookups in the builtin OpenAPI tables and in schemas loaded
 * from a kustomization's `openapi:` file.
 *
 * Both kinds of schema share one representation: the kb_schema_type /
 * kb_schema_field / kb_schema_resource tables of tables.h.  The builtin
 * schema points at the generated static tables; a loaded one owns heap
 * copies built from the swagger document.  A kb_stype handle is simply a
 * `const kb_schema_type *` in disguise, so every lookup is the same code
 * and the handle needs no allocation.
 *
 * What is encoded follows kyaml (kustomize's kyaml/openapi), which is what
 * kustomize's strategic merge consults:
 *  - a field's merge keys exist only when it has a patch strategy; then
 *    x-kubernetes-list-map-keys (all keys) wins over
 *    x-kubernetes-patch-merge-key (PatchStrategyAndKeyList);
 *  - a $ref is resolved to its definition; a $ref to a non-object
 *    definition (Quantity, IntOrString, Time...) is a primitive;
 *  - namespace scope: kyaml's precomputed table (which equals the builtin
 *    bundle's known scopes) wins even over a custom schema; a custom schema
 *    then adds scopes derived from its `paths` (findNamespaceability).
 */
#include "schema.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Guards $ref chains (a -> b -> a) in hostile schema files. */
#define KB_SCHEMA_MAX_REF_DEPTH 32

struct kb_schema {
	bool builtin; /* the static tables of tables.h; never freed */
	/* Loaded schemas only: */
	kb_schema_type *types;
	size_t ntypes;
	kb_schema_resource *res;
	size_t nres;
	void **mem; /* every other allocation (strings, field arrays) */
	size_t nmem, capmem;
};

static const kb_schema builtin_schema = { .builtin = true };

const kb_schema *kb_schema_builtin(void)
{
	return &builtin_schema;
}

static const kb_schema_type *schema_types(const kb_schema *s, size_t *n)
{
	if (s->builtin) {
		*n = kb_schema_types_n;
		return kb_schema_types;
	}
	*n = s->ntypes;
	return s->types;
}

static const kb_schema_resource *schema_resources(const kb_schema *s, size_t *n)
{
	if (s->builtin) {
		*n = kb_schema_resources_n;
		return kb_schema_resources;
	}
	*n = s->nres;
	return s->res;
}

/* ---- lookups ---- */

static int resource_cmp(const void *a, const void *b)
{
	const kb_schema_resource *x = a, *y = b;
	int c = strcmp(x->group, y->group);
	if (!c)
		c = strcmp(x->version, y->version);
	if (!c)
		c = strcmp(x->kind, y->kind);
	return c;
}

static const kb_schema_resource *find_resource(const kb_schema *s, const char *group,
					       const char *version, const char *kind)
{
	if (!s || !kind)
		return NULL;
	kb_schema_resource key = {
		.group = group ? group : "",
		.version = version ? version : "",
		.kind = kind,
	};
	size_t n;
	const kb_schema_resource *v = schema_resources(s, &n);
	if (!n)
		return NULL;
	return bsearch(&key, v, n, sizeof(*v), resource_cmp);
}

const kb_stype *kb_schema_type_for(const kb_schema *s, const char *group,
				   const char *version, const char *kind)
{
	const kb_schema_resource *r = find_resource(s, group, version, kind);
	if (!r || r->type < 0)
		return NULL;
	size_t n;
	const kb_schema_type *types = schema_types(s, &n);
	if ((size_t)r->type >= n)
		return NULL;
	return (const kb_stype *)&types[r->type];
}

static int field_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const kb_schema_field *)elem)->name);
}

static const kb_stype *type_at(const kb_schema *s, int idx)
{
	size_t n;
	const kb_schema_type *types = schema_types(s, &n);
	if (idx < 0 || (size_t)idx >= n)
		return NULL;
	return (const kb_stype *)&types[idx];
}

bool kb_stype_field(const kb_schema *s, const kb_stype *t, const char *name, kb_sfield *out)
{
	if (!s || !t || !name)
		return false;
	const kb_schema_type *st = (const kb_schema_type *)t;
	if (!st->nfields)
		return false;
	const kb_schema_field *f = bsearch(name, st->fields, st->nfields, sizeof(*f), field_cmp);
	if (!f)
		return false;
	if (out) {
		out->shape = f->shape;
		out->item_shape = f->item_shape;
		out->strategy = f->strategy;
		out->merge_key = f->merge_key;
		out->merge_keys = f->merge_keys;
		out->nmerge_keys = f->nmerge_keys;
		if (f->shape == KB_SF_OBJECT)
			out->type = type_at(s, f->type);
		else if (f->shape == KB_SF_ARRAY || f->shape == KB_SF_MAP)
			out->type = type_at(s, f->item_type);
		else
			out->type = NULL;
	}
	return true;
}

int kb_schema_namespaced(const kb_schema *s, const char *group, const char *version,
			 const char *kind)
{
	/* kyaml consults its precomputed scopes before any schema, custom or
	 * not; they are the builtin bundle's known scopes. */
	const kb_schema_resource *r = find_resource(&builtin_schema, group, version, kind);
	if (r && r->scope_known)
		return r->namespaced ? 1 : 0;
	if (s && !s->builtin) {
		r = find_resource(s, group, version, kind);
		if (r && r->scope_known)
			return r->namespaced ? 1 : 0;
	}
	return -1;
}

/* ---- loading ---- */

static void *keep(kb_schema *s, void *p)
{
	kb_grow((void **)&s->mem, &s->capmem, s->nmem + 1, sizeof(*s->mem));
	s->mem[s->nmem++] = p;
	return p;
}

static const char *keep_str(kb_schema *s, const char *str)
{
	return keep(s, kb_xstrdup(str));
}

void kb_schema_free(kb_schema *s)
{
	if (!s || s->builtin)
		return;
	for (size_t i = 0; i < s->nmem; i++)
		free(s->mem[i]);
	free(s->mem);
	free(s->types);
	free(s->res);
	free(s);
}

/* Definition names sorted for resolving "#/definitions/<name>". */
typedef struct def_ref {
	const char *name;
	const kb_node *def;
	int idx; /* position in the document = index into types */
} def_ref;

typedef struct loader {
	kb_schema *s;
	def_ref *refs;
	size_t nrefs;
} loader;

static int def_ref_cmp(const void *a, const void *b)
{
	const def_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int def_ref_find(const void *key, const void *elem)
{
	return strcmp(key, ((const def_ref *)elem)->name);
}

static const def_ref *resolve_ref(const loader *l, const char *ref)
{
	static const char pre[] = "#/definitions/";
	if (!ref || strncmp(ref, pre, sizeof(pre) - 1) != 0 || !l->nrefs)
		return NULL;
	const def_ref *d = bsearch(ref + sizeof(pre) - 1, l->refs, l->nrefs, sizeof(*d),
				   def_ref_find);
	/* With duplicate names, the first in the document wins. */
	while (d && d > l->refs && !strcmp(d[-1].name, d->name))
		d--;
	return d;
}

/* The single type name of a schema ("type": "array" or ["array"]). */
static const char *schema_type_name(const kb_node *n)
{
	const kb_node *t = kb_map_get(n, "type");
	if (t && t->kind == KB_SEQ && t->n == 1)
		t = t->items[0];
	return (t && t->kind == KB_STR) ? t->str : NULL;
}

/* The shape (and object type) of a schema node.  Unresolvable $refs are
 * unknown to kyaml too, which then treats the value as untyped. */
static void describe(const loader *l, const kb_node *n, int depth, unsigned char *shape,
		     int *type)
{
	*shape = KB_SF_PRIMITIVE;
	*type = -1;
	if (!n || n->kind != KB_MAP || depth > KB_SCHEMA_MAX_REF_DEPTH)
		return;
	const char *ref = kb_map_get_str(n, "$ref");
	if (ref) {
		const def_ref *d = resolve_ref(l, ref);
		if (!d)
			return;
		const char *tn = schema_type_name(d->def);
		if ((tn && !strcmp(tn, "object")) || kb_map_get(d->def, "properties")) {
			*shape = KB_SF_OBJECT;
			*type = d->idx;
			return;
		}
		int ignored;
		describe(l, d->def, depth + 1, shape, &ignored);
		return;
	}
	const char *tn = schema_type_name(n);
	const kb_node *ap = kb_map_get(n, "additionalProperties");
	if (tn && !strcmp(tn, "array"))
		*shape = KB_SF_ARRAY;
	else if (tn && !strcmp(tn, "object") && ap && ap->kind == KB_MAP)
		*shape = KB_SF_MAP;
}

static unsigned char parse_strategy(const char *ps)
{
	unsigned char flags = 0;
	while (ps && *ps) {
		size_t len = strcspn(ps, ",");
		if (len == 5 && !strncmp(ps, "merge", 5))
			flags |= KB_PS_MERGE;
		else if (len == 7 && !strncmp(ps, "replace", 7))
			flags |= KB_PS_REPLACE;
		else if (len == 10 && !strncmp(ps, "retainKeys", 10))
			flags |= KB_PS_RETAIN_KEYS;
		ps += len;
		if (*ps == ',')
			ps++;
	}
	return flags;
}

static void load_field(loader *l, kb_schema_field *f, const char *name, const kb_node *prop)
{
	kb_schema *s = l->s;
	memset(f, 0, sizeof(*f));
	f->name = keep_str(s, name);
	describe(l, prop, 0, &f->shape, &f->type);
	f->item_type = -1;
	if (f->shape == KB_SF_ARRAY)
		describe(l, kb_map_get(prop, "items"), 0, &f->item_shape, &f->item_type);
	else if (f->shape == KB_SF_MAP)
		describe(l, kb_map_get(prop, "additionalProperties"), 0, &f->item_shape,
			 &f->item_type);

	const char *ps = kb_map_get_str(prop, "x-kubernetes-patch-strategy");
	const char *mk = kb_map_get_str(prop, "x-kubernetes-patch-merge-key");
	f->strategy = parse_strategy(ps);
	if (mk)
		f->merge_key = keep_str(s, mk);
	/* kyaml's PatchStrategyAndKeyList: keys only with a strategy. */
	if (kb_str_empty(ps))
		return;
	const kb_node *lmk = kb_map_get(prop, "x-kubernetes-list-map-keys");
	size_t n = 0;
	if (lmk && lmk->kind == KB_SEQ) {
		for (size_t i = 0; i < lmk->n; i++)
			n += lmk->items[i]->kind == KB_STR;
	}
	if (n) {
		const char **keys = keep(s, kb_xcalloc(n, sizeof(*keys)));
		size_t k = 0;
		for (size_t i = 0; i < lmk->n; i++)
			if (lmk->items[i]->kind == KB_STR)
				keys[k++] = keep_str(s, lmk->items[i]->str);
		f->merge_keys = keys;
		f->nmerge_keys = n;
	} else if (f->merge_key) {
		const char **keys = keep(s, kb_xcalloc(1, sizeof(*keys)));
		keys[0] = f->merge_key;
		f->merge_keys = keys;
		f->nmerge_keys = 1;
	}
	if (!f->merge_key && f->nmerge_keys)
		f->merge_key = f->merge_keys[0];
}

static int schema_field_cmp(const void *a, const void *b)
{
	return strcmp(((const kb_schema_field *)a)->name, ((const kb_schema_field *)b)->name);
}

static void load_type(loader *l, kb_schema_type *t, const char *name, const kb_node *def)
{
	t->name = keep_str(l->s, name);
	const kb_node *props = kb_map_get(def, "properties");
	if (!props || props->kind != KB_MAP || !props->n)
		return;
	kb_schema_field *fields = keep(l->s, kb_xcalloc(props->n, sizeof(*fields)));
	size_t n = 0;
	for (size_t i = 0; i < props->n; i++)
		load_field(l, &fields[n++], props->pairs[i].key, props->pairs[i].val);
	qsort(fields, n, sizeof(*fields), schema_field_cmp);
	/* Drop duplicate names so bsearch sees one answer. */
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (!w || strcmp(fields[w - 1].name, fields[i].name))
			fields[w++] = fields[i];
	t->fields = fields;
	t->nfields = w;
}

/* A resource candidate before sorting and merging duplicates. */
typedef struct res_cand {
	kb_schema_resource r;
	size_t seq; /* order of discovery: keeps qsort deterministic */
} res_cand;

typedef struct cand_vec {
	res_cand *v;
	size_t n, cap;
} cand_vec;

static int res_cand_cmp(const void *a, const void *b)
{
	const res_cand *x = a, *y = b;
	int c = resource_cmp(&x->r, &y->r);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* kyaml's toTypeMeta over a {group, version, kind} map. */
static void add_cand(kb_schema *s, cand_vec *cv, const kb_node *gvk, int type, int ns)
{
	const char *g = kb_map_get_str(gvk, "group");
	const char *v = kb_map_get_str(gvk, "version");
	const char *k = kb_map_get_str(gvk, "kind");
	if (!v || !k)
		return;
	kb_grow((void **)&cv->v, &cv->cap, cv->n + 1, sizeof(*cv->v));
	res_cand *c = &cv->v[cv->n];
	c->seq = cv->n++;
	c->r.group = keep_str(s, g ? g : "");
	c->r.version = keep_str(s, v);
	c->r.kind = keep_str(s, k);
	c->r.type = type;
	c->r.scope_known = ns >= 0;
	c->r.namespaced = ns != 0;
}

/* Sorts the candidates and merges duplicates into s->res: the first
 * definition claiming a kind is its type; a kind is namespaced when any
 * of its paths is (as findNamespaceability decides, whatever the order). */
static void build_resources(kb_schema *s, cand_vec *cv)
{
	if (cv->n)
		qsort(cv->v, cv->n, sizeof(*cv->v), res_cand_cmp);
	s->res = kb_xcalloc(cv->n ? cv->n : 1, sizeof(*s->res));
	size_t n = 0;
	for (size_t i = 0; i < cv->n; i++) {
		const kb_schema_resource *c = &cv->v[i].r;
		if (n && !resource_cmp(&s->res[n - 1], c)) {
			kb_schema_resource *r = &s->res[n - 1];
			if (r->type < 0)
				r->type = c->type;
			if (c->scope_known) {
				r->namespaced = (r->scope_known && r->namespaced) || c->namespaced;
				r->scope_known = true;
			}
			continue;
		}
		s->res[n++] = *c;
	}
	s->nres = n;
}

/* findNamespaceability: a GET path with a GVK extension says the kind's
 * scope; a "namespaces/{namespace}" path makes it namespaced. */
static void scan_paths(kb_schema *s, cand_vec *cv, const kb_node *paths)
{
	if (!paths || paths->kind != KB_MAP)
		return;
	for (size_t i = 0; i < paths->n; i++) {
		const kb_node *gvk = kb_node_get(paths->pairs[i].val, "get",
						 "x-kubernetes-group-version-kind", NULL);
		if (!gvk || gvk->kind != KB_MAP)
			continue;
		int ns = strstr(paths->pairs[i].key, "namespaces/{namespace}") != NULL;
		add_cand(s, cv, gvk, -1, ns);
	}
}

kb_error *kb_schema_load(const kb_node *doc, const char *file, kb_schema **out)
{
	*out = NULL;
	if (!doc || doc->kind != KB_MAP)
		return kb_error_new(file, doc ? doc->line : 0, doc ? doc->col : 0,
				    "openapi schema must be a mapping with 'definitions'");
	const kb_node *defs = kb_map_get(doc, "definitions");
	if (defs && defs->kind != KB_MAP && defs->kind != KB_NULL)
		return kb_error_new(file, defs->line, defs->col,
				    "openapi schema: 'definitions' must be a mapping");

	kb_schema *s = kb_xcalloc(1, sizeof(*s));
	loader l = { .s = s };
	size_t ndefs = defs && defs->kind == KB_MAP ? defs->n : 0;
	if (ndefs) {
		l.refs = kb_xcalloc(ndefs, sizeof(*l.refs));
		for (size_t i = 0; i < ndefs; i++)
			l.refs[i] = (def_ref){ defs->pairs[i].key, defs->pairs[i].val, (int)i };
		l.nrefs = ndefs;
		qsort(l.refs, ndefs, sizeof(*l.refs), def_ref_cmp);
	}

	s->types = kb_xcalloc(ndefs ? ndefs : 1, sizeof(*s->types));
	s->ntypes = ndefs;
	cand_vec cv = { 0 };
	for (size_t i = 0; i < ndefs; i++) {
		const kb_node *def = defs->pairs[i].val;
		load_type(&l, &s->types[i], defs->pairs[i].key, def);
		/* AddDefinitions: every GVK listed on a definition maps to it. */
		const kb_node *gvks = kb_map_get(def, "x-kubernetes-group-version-kind");
		if (gvks && gvks->kind == KB_SEQ)
			for (size_t j = 0; j < gvks->n; j++)
				if (gvks->items[j]->kind == KB_MAP)
					add_cand(s, &cv, gvks->items[j], (int)i, -1);
	}
	scan_paths(s, &cv, kb_map_get(doc, "paths"));
	build_resources(s, &cv);
	free(cv.v);
	free(l.refs);
	*out = s;
	return NULL;
}
