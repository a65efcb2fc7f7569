/*
 * openapi.c - custom schemas (`openapi:`) layered like kyaml's global
 * schema, and transformer field specs from `crds:` definition files.
 *
 * Layering: kb_schema_load() reads one swagger document.  To give it what
 * kyaml holds after parsing the builtin bundle and a custom document in
 * some order, the builtin tables are turned back into swagger definitions
 * and merged with the custom ones into one document: a definition name
 * parsed later replaces the earlier one (kyaml's definitions map), and the
 * later document's definitions come first, because kb_schema_load lets
 * the first definition claiming a GVK own it (kyaml: the last one parsed).
 */
#include "openapi.h"

#include "tables.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Guards nesting of inline schemas in hostile schema files. */
#define KB_OPENAPI_MAX_INLINE_DEPTH 64

/* Guards $ref cycles in crds files (kustomize itself would recurse
 * forever). */
#define KB_CRDS_MAX_DEPTH 64

/* Appends key: val without looking for an existing key; the callers know
 * the key is new, and kb_map_set's lookup would make big merges
 * quadratic. */
static void map_push(kb_node *map, const char *key, kb_node *val)
{
	kb_map_appendn(map, key, strlen(key), val);
}

/* ---- builtin tables back to swagger ---- */

static kb_node *type_node(const char *t)
{
	kb_node *n = kb_node_new(KB_MAP);
	map_push(n, "type", kb_node_new_str(t));
	return n;
}

static kb_node *shape_node(unsigned char shape, int type)
{
	if (shape == KB_SF_OBJECT && type >= 0) {
		kb_buf ref = KB_BUF_INIT;
		kb_buf_printf(&ref, "#/definitions/%s", kb_schema_types[type].name);
		kb_node *n = kb_node_new(KB_MAP);
		map_push(n, "$ref", kb_node_new_str(ref.data));
		kb_buf_free(&ref);
		return n;
	}
	if (shape == KB_SF_ARRAY)
		return type_node("array");
	if (shape == KB_SF_MAP) {
		kb_node *n = type_node("object");
		map_push(n, "additionalProperties", kb_node_new(KB_MAP));
		return n;
	}
	return type_node(shape == KB_SF_OBJECT ? "object" : "string");
}

static kb_node *field_node(const kb_schema_field *f)
{
	kb_node *n = shape_node(f->shape, f->type);
	if (f->shape == KB_SF_ARRAY)
		map_push(n, "items", shape_node(f->item_shape, f->item_type));
	else if (f->shape == KB_SF_MAP)
		kb_map_set(n, "additionalProperties", shape_node(f->item_shape, f->item_type));
	if (f->strategy) {
		kb_buf ps = KB_BUF_INIT;
		if (f->strategy & KB_PS_MERGE)
			kb_buf_puts(&ps, "merge,");
		if (f->strategy & KB_PS_REPLACE)
			kb_buf_puts(&ps, "replace,");
		if (f->strategy & KB_PS_RETAIN_KEYS)
			kb_buf_puts(&ps, "retainKeys,");
		ps.data[ps.len - 1] = '\0';
		map_push(n, "x-kubernetes-patch-strategy", kb_node_new_str(ps.data));
		kb_buf_free(&ps);
	}
	if (f->merge_key)
		map_push(n, "x-kubernetes-patch-merge-key", kb_node_new_str(f->merge_key));
	if (f->strategy && f->nmerge_keys) {
		kb_node *keys = kb_node_new(KB_SEQ);
		for (size_t i = 0; i < f->nmerge_keys; i++)
			kb_seq_push(keys, kb_node_new_str(f->merge_keys[i]));
		map_push(n, "x-kubernetes-list-map-keys", keys);
	}
	return n;
}

/* The builtin definitions as a swagger "definitions" map.  The tables
 * keep no "type" for definitions without properties, so those that some
 * field uses as an object are objects and the rest (Quantity,
 * IntOrString...) primitives, which is all kb_schema_load asks. */
static kb_node *builtin_definitions(void)
{
	size_t nt = kb_schema_types_n;
	bool *is_object = kb_xcalloc(nt ? nt : 1, sizeof(*is_object));
	kb_node **gvks = kb_xcalloc(nt ? nt : 1, sizeof(*gvks));
	for (size_t i = 0; i < nt; i++) {
		const kb_schema_type *t = &kb_schema_types[i];
		if (t->nfields)
			is_object[i] = true;
		for (size_t j = 0; j < t->nfields; j++) {
			const kb_schema_field *f = &t->fields[j];
			if (f->type >= 0 && (size_t)f->type < nt)
				is_object[f->type] = true;
			if (f->item_type >= 0 && (size_t)f->item_type < nt)
				is_object[f->item_type] = true;
		}
	}
	for (size_t i = 0; i < kb_schema_resources_n; i++) {
		const kb_schema_resource *r = &kb_schema_resources[i];
		if (r->type < 0 || (size_t)r->type >= nt)
			continue;
		if (!gvks[r->type])
			gvks[r->type] = kb_node_new(KB_SEQ);
		kb_node *g = kb_seq_push(gvks[r->type], kb_node_new(KB_MAP));
		map_push(g, "group", kb_node_new_str(r->group));
		map_push(g, "kind", kb_node_new_str(r->kind));
		map_push(g, "version", kb_node_new_str(r->version));
	}
	kb_node *defs = kb_node_new(KB_MAP);
	for (size_t i = 0; i < nt; i++) {
		const kb_schema_type *t = &kb_schema_types[i];
		kb_node *d = type_node(is_object[i] ? "object" : "string");
		if (t->nfields) {
			kb_node *props = kb_node_new(KB_MAP);
			for (size_t j = 0; j < t->nfields; j++)
				map_push(props, t->fields[j].name, field_node(&t->fields[j]));
			map_push(d, "properties", props);
		}
		if (gvks[i])
			map_push(d, "x-kubernetes-group-version-kind", gvks[i]);
		map_push(defs, t->name, d);
	}
	free(gvks);
	free(is_object);
	return defs;
}

static int pair_key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Moves the definitions of `first` (the document parsed later) and then
 * those of `second` whose names `first` lacks into one map. */
static kb_node *merge_definitions(const kb_node *first, const kb_node *second)
{
	size_t n = first->n;
	const char **names = kb_xcalloc(n ? n : 1, sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = first->pairs[i].key;
	qsort(names, n, sizeof(*names), pair_key_cmp);
	kb_node *out = kb_node_new(KB_MAP);
	for (size_t i = 0; i < first->n; i++)
		map_push(out, first->pairs[i].key, kb_node_clone(first->pairs[i].val));
	for (size_t i = 0; i < second->n; i++) {
		const char *key = second->pairs[i].key;
		if (n && bsearch(&key, names, n, sizeof(*names), pair_key_cmp))
			continue;
		map_push(out, key, kb_node_clone(second->pairs[i].val));
	}
	free(names);
	return out;
}

/* ---- inline object schemas ---- */

static void hoist_children(kb_node *extra, const char *owner, kb_node *s, int depth);

/* kyaml follows nested "properties" of an inline schema as it does a
 * $ref's, but kb_schema_load knows object types only as definitions:
 * an inline object schema s moves to a new definition named after where
 * it sits, and s keeps a $ref to it plus its own extensions (the patch
 * strategy of a field lives on the field). */
static void hoist_one(kb_node *extra, const char *name, kb_node *s, int depth)
{
	if (!s || s->kind != KB_MAP || kb_map_get(s, "$ref") || depth > KB_OPENAPI_MAX_INLINE_DEPTH)
		return;
	hoist_children(extra, name, s, depth);
	const kb_node *props = kb_map_get(s, "properties");
	if (!props || props->kind != KB_MAP)
		return;
	kb_node *def = type_node("object");
	map_push(def, "properties", kb_map_take(s, "properties"));
	map_push(extra, name, def);
	kb_buf ref = KB_BUF_INIT;
	kb_buf_printf(&ref, "#/definitions/%s", name);
	kb_map_set(s, "$ref", kb_node_new_str(ref.data));
	kb_buf_free(&ref);
}

static void hoist_children(kb_node *extra, const char *owner, kb_node *s, int depth)
{
	kb_buf name = KB_BUF_INIT;
	kb_node *props = kb_map_get(s, "properties");
	for (size_t i = 0; props && props->kind == KB_MAP && i < props->n; i++) {
		name.len = 0;
		kb_buf_printf(&name, "%s.%s", owner, props->pairs[i].key);
		hoist_one(extra, name.data, props->pairs[i].val, depth + 1);
	}
	name.len = 0;
	kb_buf_printf(&name, "%s[]", owner);
	hoist_one(extra, name.data, kb_map_get(s, "items"), depth + 1);
	name.len = 0;
	kb_buf_printf(&name, "%s{}", owner);
	hoist_one(extra, name.data, kb_map_get(s, "additionalProperties"), depth + 1);
	kb_buf_free(&name);
}

/* A copy of the definitions map with every nested inline object schema
 * made a definition of its own. */
static kb_node *flatten_definitions(const kb_node *defs)
{
	kb_node *out = kb_node_clone(defs);
	kb_node *extra = kb_node_new(KB_MAP);
	for (size_t i = 0; i < out->n; i++)
		hoist_children(extra, out->pairs[i].key, out->pairs[i].val, 0);
	for (size_t i = 0; i < extra->n; i++) {
		if (!kb_map_get(out, extra->pairs[i].key))
			map_push(out, extra->pairs[i].key, extra->pairs[i].val);
		else
			kb_node_free(extra->pairs[i].val);
		extra->pairs[i].val = NULL;
	}
	kb_node_free(extra);
	return out;
}

kb_error *kb_openapi_schema(const kb_node *doc, const char *file, kb_openapi_layer layer,
			    kb_schema **out)
{
	*out = NULL;
	const kb_node *defs = doc && doc->kind == KB_MAP ? kb_map_get(doc, "definitions") : NULL;
	if (!defs || defs->kind != KB_MAP)
		return kb_schema_load(doc, file, out); /* nothing to layer, or an error */
	kb_node *custom = flatten_definitions(defs);
	kb_node *builtin = layer == KB_OPENAPI_ALONE ? kb_node_new(KB_MAP) : builtin_definitions();
	kb_node *merged = layer == KB_OPENAPI_OVER_BUILTIN
				  ? merge_definitions(custom, builtin)
				  : merge_definitions(builtin, custom);
	kb_node *whole = kb_node_new(KB_MAP);
	map_push(whole, "definitions", merged);
	/* Scopes: the builtin ones are kyaml's precomputed table, which
	 * kb_schema_namespaced consults first anyway. */
	const kb_node *paths = kb_map_get(doc, "paths");
	if (paths)
		map_push(whole, "paths", kb_node_clone(paths));
	kb_error *e = kb_schema_load(whole, file, out);
	kb_node_free(whole);
	kb_node_free(builtin);
	kb_node_free(custom);
	return e;
}

/* ---- crds ---- */

/* encoding/json matches struct fields case-insensitively, and spec's
 * Extensions are looked up lower-cased: both read keys in any case. */
static const kb_node *get_ci(const kb_node *map, const char *key)
{
	if (!map || map->kind != KB_MAP)
		return NULL;
	const kb_node *v = kb_map_get(map, key);
	if (v)
		return v;
	for (size_t i = 0; i < map->n; i++)
		if (!strcasecmp(map->pairs[i].key, key))
			return map->pairs[i].val;
	return NULL;
}

/* Extensions.GetString: present and a string. */
static const char *ext_string(const kb_node *prop, const char *key)
{
	const kb_node *v = get_ci(prop, key);
	return v && v->kind == KB_STR ? v->str : NULL;
}

static const kb_node *definition_props(const kb_node *def)
{
	const kb_node *props = get_ci(get_ci(def, "schema"), "properties");
	return props && props->kind == KB_MAP ? props : NULL;
}

typedef struct crd_walk {
	kb_tconfig *cfg;
	const kb_node *map; /* type name -> {Schema, Dependencies} */
	const char *kind;   /* the kind field specs apply to */
	const char *file;
	kb_buf path;        /* field path so far, '/'-separated */
} crd_walk;

/* loadCrdIntoConfig: the properties of definition typeName, at w->path. */
static kb_error *crd_walk_type(crd_walk *w, const char *type_name, int depth)
{
	const kb_node *props = definition_props(kb_map_get(w->map, type_name));
	if (!props)
		return NULL;
	if (depth > KB_CRDS_MAX_DEPTH)
		return kb_error_new(w->file, props->line, props->col,
				    "unable to parse open API definition: $ref chain deeper than %d "
				    "(a cycle?) at '%s'",
				    KB_CRDS_MAX_DEPTH, type_name);
	size_t base = w->path.len;
	for (size_t i = 0; i < props->n; i++) {
		const kb_node *p = props->pairs[i].val;
		w->path.len = base;
		if (base)
			kb_buf_puts(&w->path, "/");
		kb_buf_puts(&w->path, props->pairs[i].key);
		const char *path = w->path.data;
		if (ext_string(p, "x-kubernetes-annotation"))
			kb_fsset_add(&w->cfg->annotations, NULL, NULL, w->kind, path, false);
		if (ext_string(p, "x-kubernetes-label-selector"))
			kb_fsset_add(&w->cfg->common_labels, NULL, NULL, w->kind, path, false);
		if (ext_string(p, "x-kubernetes-identity"))
			kb_fsset_add(&w->cfg->prefix, NULL, NULL, w->kind, path, false);
		const char *version = ext_string(p, "x-kubernetes-object-ref-api-version");
		const char *kind = ext_string(p, "x-kubernetes-object-ref-kind");
		if (version && kind) {
			const char *key = ext_string(p, "x-kubernetes-object-ref-name-key");
			kb_buf fp = KB_BUF_INIT;
			kb_buf_printf(&fp, "%s/%s", path, key ? key : "name");
			kb_fieldspec fs = { .kind = w->kind, .path = fp.data };
			kb_tconfig_add_nameref(w->cfg, NULL, version, kind, &fs);
			kb_buf_free(&fp);
		}
		const char *ref = ext_string(p, "$ref");
		if (!kb_str_empty(ref)) {
			kb_error *e = crd_walk_type(w, ref, depth + 1);
			if (e)
				return e;
		}
	}
	w->path.len = base;
	if (w->path.data)
		w->path.data[base] = '\0';
	return NULL;
}

kb_error *kb_openapi_crds_add(kb_tconfig *cfg, const kb_node *doc, const char *file)
{
	if (!doc || doc->kind != KB_MAP)
		return kb_error_new(file, doc ? doc->line : 0, doc ? doc->col : 0,
				    "unable to parse open API definition: expected a map of type "
				    "names to {Schema, Dependencies}");
	cfg->custom = true;
	cfg->empty = false;
	for (size_t i = 0; i < doc->n; i++) {
		const kb_node *props = definition_props(doc->pairs[i].val);
		/* looksLikeAk8sType */
		if (!props || !kb_map_get(props, "kind") || !kb_map_get(props, "apiVersion") ||
		    !kb_map_get(props, "metadata"))
			continue;
		const char *name = doc->pairs[i].key;
		const char *dot = strrchr(name, '.');
		crd_walk w = { cfg, doc, dot ? dot + 1 : name, file, KB_BUF_INIT };
		kb_error *e = crd_walk_type(&w, name, 0);
		kb_buf_free(&w.path);
		if (e)
			return e;
	}
	return NULL;
}
