#include "resource.h"

#include <stdlib.h>
#include <string.h>

static const char *const build_annotations[] = {
	"internal.config.kubernetes.io/previousKinds",
	"internal.config.kubernetes.io/previousNames",
	"internal.config.kubernetes.io/prefixes",
	"internal.config.kubernetes.io/suffixes",
	"internal.config.kubernetes.io/previousNamespaces",
	"internal.config.kubernetes.io/allowNameChange",
	"internal.config.kubernetes.io/allowKindChange",
	"internal.config.kubernetes.io/refBy",
	"internal.config.kubernetes.io/generatorBehavior",
	"internal.config.kubernetes.io/needsHashSuffix",
	"internal.config.kubernetes.io/path",
	"internal.config.kubernetes.io/index",
	"internal.config.kubernetes.io/seqindent",
	"internal.config.kubernetes.io/id",
	"internal.config.kubernetes.io/annotations-migration-resource-id",
	"config.kubernetes.io/path",
	"config.kubernetes.io/index",
	"config.k8s.io/id",
};

bool kb_is_build_annotation(const char *key)
{
	for (size_t i = 0; i < sizeof(build_annotations) / sizeof(*build_annotations); i++)
		if (strcmp(key, build_annotations[i]) == 0)
			return true;
	return false;
}

void kb_split_apiversion(const char *av, char **group, char **version)
{
	if (!av)
		av = "";
	const char *slash = strrchr(av, '/');
	if (slash) {
		*group = kb_xstrndup(av, (size_t)(slash - av));
		*version = kb_xstrdup(slash + 1);
	} else {
		*group = kb_xstrdup("");
		*version = kb_xstrdup(av);
	}
}

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

/* kyaml's GetKind / GetApiVersion: the field's scalar text as written,
 * so `apiVersion: null` reads "null" (and sorts so), `apiVersion:` "". */
static const char *top_field_text(const kb_resource *r, const char *key)
{
	const kb_node *v = kb_map_get(r->doc, key);
	if (!v || !kb_node_is_scalar(v))
		return "";
	return kb_node_text(v);
}

const char *kb_res_kind(const kb_resource *r)
{
	return top_field_text(r, "kind");
}

const char *kb_res_name(const kb_resource *r)
{
	return str_or_empty(kb_node_get_str(r->doc, "metadata", "name", NULL));
}

const char *kb_res_ns(const kb_resource *r)
{
	return str_or_empty(kb_node_get_str(r->doc, "metadata", "namespace", NULL));
}

const char *kb_res_apiversion(const kb_resource *r)
{
	return top_field_text(r, "apiVersion");
}

void kb_res_id(const kb_resource *r, kb_resid *out)
{
	kb_split_apiversion(kb_res_apiversion(r), &out->group, &out->version);
	out->kind = kb_xstrdup(kb_res_kind(r));
	out->name = kb_xstrdup(kb_res_name(r));
	out->ns = kb_xstrdup(kb_res_ns(r));
}

void kb_resid_free(kb_resid *id)
{
	if (!id)
		return;
	free(id->group);
	free(id->version);
	free(id->kind);
	free(id->name);
	free(id->ns);
	memset(id, 0, sizeof(*id));
}

static void resid_copy(kb_resid *dst, const kb_resid *src)
{
	dst->group = kb_xstrdup(src->group);
	dst->version = kb_xstrdup(src->version);
	dst->kind = kb_xstrdup(src->kind);
	dst->name = kb_xstrdup(src->name);
	dst->ns = kb_xstrdup(src->ns);
}

char *kb_resid_string(const kb_resid *id)
{
	/* kustomize's ResId.String(), as its messages print ids:
	 * kind.version.group/name.namespace (Deployment.v1.apps/web.[noNs]) */
	return kb_xasprintf("%s.%s.%s/%s.%s", kb_str_empty(id->kind) ? "[noKind]" : id->kind,
			    kb_str_empty(id->version) ? "[noVer]" : id->version,
			    kb_str_empty(id->group) ? "[noGrp]" : id->group,
			    kb_str_empty(id->name) ? "[noName]" : id->name,
			    kb_str_empty(id->ns) ? "[noNs]" : id->ns);
}

char *kb_res_id_string(const kb_resource *r)
{
	kb_resid id;
	kb_res_id(r, &id);
	char *s = kb_resid_string(&id);
	kb_resid_free(&id);
	return s;
}

/* Annotations are map[string]string to kustomize's reader: a value
 * written as a number or bool is read back as its text.  (Labels are not
 * touched: kubectl prints `app: true` as written.) */
static void stringify_values(kb_node *map)
{
	if (!map || map->kind != KB_MAP)
		return;
	for (size_t i = 0; i < map->n; i++) {
		kb_node *v = map->pairs[i].val;
		/* a timestamp is a string holding its RFC 3339 form, written
		 * text in raw */
		if (!kb_node_is_scalar(v) || (v->kind == KB_STR && !v->raw))
			continue;
		char *t = kb_xstrdup(kb_node_text(v));
		kb_node_set_str(v, t);
		free(t);
	}
}

void kb_clear_empty_annotations(kb_node *doc)
{
	kb_node *md = kb_map_get(doc, "metadata");
	kb_node *ann = kb_map_get(md, "annotations");
	if (ann && (ann->kind == KB_NULL || (ann->kind == KB_MAP && ann->n == 0)))
		kb_map_del(md, "annotations");
}

void kb_resource_settle_annotations(kb_resource *r)
{
	kb_clear_empty_annotations(r->doc);
	kb_node *md = kb_map_get(r->doc, "metadata");
	kb_node *ann = kb_map_get(md, "annotations");
	kb_node_free(r->typed_annotations);
	r->typed_annotations = NULL;
	for (size_t i = 0; ann && ann->kind == KB_MAP && i < ann->n; i++) {
		const kb_node *v = ann->pairs[i].val;
		if (kb_node_is_scalar(v) && (v->kind != KB_STR || v->raw)) {
			if (!r->typed_annotations)
				r->typed_annotations = kb_node_new(KB_MAP);
			kb_map_set(r->typed_annotations, ann->pairs[i].key, kb_node_clone(v));
		}
	}
	stringify_values(ann);
}

void kb_resource_retype_annotations(kb_resource *r)
{
	kb_node *md = kb_map_get(r->doc, "metadata");
	kb_node *ann = kb_map_get(md, "annotations");
	const kb_node *typed = r->typed_annotations;
	for (size_t i = 0; ann && ann->kind == KB_MAP && typed && i < typed->n; i++) {
		kb_node *v = kb_map_get(ann, typed->pairs[i].key);
		const kb_node *o = typed->pairs[i].val;
		const char *was = o->kind == KB_NULL && o->len == 0 ? "" : kb_node_text(o);
		if (v && v->kind == KB_STR && strcmp(v->str, was) == 0)
			kb_node_replace(v, kb_node_clone(o));
	}
	kb_node_free(r->typed_annotations);
	r->typed_annotations = NULL;
}

kb_resource *kb_resource_new(kb_node *doc, const char *file)
{
	kb_resource *r = kb_xcalloc(1, sizeof(*r));
	r->doc = doc;
	kb_resource_settle_annotations(r);
	r->file = kb_xstrdup(file ? file : "");
	kb_res_id(r, &r->orig);
	return r;
}

static void strv_copy(kb_strv *dst, const kb_strv *src)
{
	for (size_t i = 0; i < src->n; i++)
		kb_strv_push(dst, src->v[i]);
}

kb_resource *kb_resource_clone(const kb_resource *r)
{
	kb_resource *c = kb_xcalloc(1, sizeof(*c));
	c->doc = kb_node_clone(r->doc);
	c->file = kb_xstrdup(r->file);
	resid_copy(&c->orig, &r->orig);
	strv_copy(&c->prev_names, &r->prev_names);
	strv_copy(&c->prev_ns, &r->prev_ns);
	strv_copy(&c->prev_kinds, &r->prev_kinds);
	strv_copy(&c->refby, &r->refby);
	c->behavior = r->behavior;
	c->needs_hash = r->needs_hash;
	c->generated = r->generated;
	c->shared = r->shared ? kb_node_clone(r->shared) : NULL;
	c->typed_annotations = r->typed_annotations ? kb_node_clone(r->typed_annotations) : NULL;
	return c;
}

void kb_resource_free(kb_resource *r)
{
	if (!r)
		return;
	kb_node_free(r->doc);
	free(r->file);
	kb_resid_free(&r->orig);
	kb_strv_free(&r->prev_names);
	kb_strv_free(&r->prev_ns);
	kb_strv_free(&r->prev_kinds);
	kb_strv_free(&r->refby);
	kb_node_free(r->shared);
	kb_node_free(r->typed_annotations);
	free(r);
}

/* ---- shared values ---- */

static bool path_of(const kb_node *cur, const kb_node *target, kb_node *path)
{
	if (cur == target)
		return true;
	if (cur->kind == KB_MAP) {
		for (size_t i = 0; i < cur->n; i++) {
			kb_seq_push(path, kb_node_new_strn(cur->pairs[i].key, cur->pairs[i].klen));
			if (path_of(cur->pairs[i].val, target, path))
				return true;
			kb_seq_remove(path, path->n - 1);
		}
	} else if (cur->kind == KB_SEQ) {
		for (size_t i = 0; i < cur->n; i++) {
			kb_seq_push(path, kb_node_new_int((long long)i));
			if (path_of(cur->items[i], target, path))
				return true;
			kb_seq_remove(path, path->n - 1);
		}
	}
	return false;
}

kb_node *kb_node_path_of(const kb_node *doc, const kb_node *target)
{
	kb_node *path = kb_node_new(KB_SEQ);
	if (doc && path_of(doc, target, path))
		return path;
	kb_node_free(path);
	return NULL;
}

static kb_node *at_path(kb_node *doc, const kb_node *path)
{
	kb_node *cur = doc;
	for (size_t i = 0; cur && i < path->n; i++) {
		const kb_node *c = path->items[i];
		if (c->kind == KB_INT) {
			long long idx = strtoll(c->str, NULL, 10);
			cur = cur->kind == KB_SEQ && idx >= 0 && (size_t)idx < cur->n ? cur->items[idx]
										: NULL;
		} else {
			kb_pair *p = cur->kind == KB_MAP ? kb_map_get_pairn(cur, c->str, c->len)
							 : NULL;
			cur = p ? p->val : NULL;
		}
	}
	return cur;
}

void kb_resource_share(kb_resource *r, kb_node *paths, const kb_node *v)
{
	if (!paths || paths->n < 2) {
		kb_node_free(paths);
		return;
	}
	if (!r->shared)
		r->shared = kb_node_new(KB_SEQ);
	kb_node *g = kb_seq_push(r->shared, kb_node_new(KB_MAP));
	kb_map_set(g, "v", kb_node_clone(v));
	kb_map_set(g, "p", paths);
}

static bool same_value(const kb_node *a, const kb_node *b)
{
	return a->kind == b->kind && a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
}

void kb_resource_sync_shared(kb_resource *r)
{
	if (!r->shared)
		return;
	for (size_t gi = 0; gi < r->shared->n;) {
		kb_node *g = r->shared->items[gi];
		kb_node *v = kb_map_get(g, "v");
		kb_node *paths = kb_map_get(g, "p");
		const kb_node *changed = NULL;
		bool conflict = false;
		for (size_t i = 0; i < paths->n;) {
			kb_node *n = at_path(r->doc, paths->items[i]);
			if (!n || !kb_node_is_scalar(n)) {
				kb_seq_remove(paths, i);
				continue;
			}
			if (!same_value(n, v)) {
				if (changed && !same_value(changed, n))
					conflict = true;
				changed = n;
			}
			i++;
		}
		if (changed && !conflict) {
			kb_node *nv = kb_node_clone(changed);
			for (size_t i = 0; i < paths->n; i++) {
				kb_node *n = at_path(r->doc, paths->items[i]);
				if (n != changed && !same_value(n, nv))
					kb_node_replace(n, kb_node_clone(nv));
			}
			kb_map_set(g, "v", nv);
		}
		if (conflict || paths->n < 2) {
			kb_seq_remove(r->shared, gi);
			continue;
		}
		gi++;
	}
}

void kb_resmap_sync_shared(kb_resmap *m)
{
	for (size_t i = 0; m && i < m->n; i++)
		kb_resource_sync_shared(m->v[i]);
}

void kb_resource_unshare(kb_resource *r)
{
	kb_node_free(r->shared);
	r->shared = NULL;
}

static void record_previous(kb_resource *r)
{
	kb_strv_push(&r->prev_names, kb_res_name(r));
	kb_strv_push(&r->prev_ns, kb_res_ns(r));
	kb_strv_push(&r->prev_kinds, kb_res_kind(r));
}

void kb_res_set_name(kb_resource *r, const char *name)
{
	if (strcmp(kb_res_name(r), name) == 0)
		return;
	record_previous(r);
	kb_node *md = kb_map_ensure_map(r->doc, "metadata");
	kb_map_set(md, "name", kb_node_new_str(name));
}

void kb_res_set_ns(kb_resource *r, const char *ns)
{
	if (strcmp(kb_res_ns(r), ns) == 0)
		return;
	record_previous(r);
	kb_node *md = kb_map_ensure_map(r->doc, "metadata");
	kb_map_set(md, "namespace", kb_node_new_str(ns));
}

static const char *effective_ns(const kb_schema *s, const kb_resid *id)
{
	if (kb_schema_namespaced(s, id->group, id->version, id->kind) == 0)
		return "_non_namespaceable_";
	return kb_str_empty(id->ns) ? "default" : id->ns;
}

bool kb_resid_equal(const kb_schema *s, const kb_resid *a, const kb_resid *b)
{
	return kb_streq(a->group, b->group) && kb_streq(a->version, b->version) &&
	       kb_streq(a->kind, b->kind) && kb_streq(a->name, b->name) &&
	       strcmp(effective_ns(s, a), effective_ns(s, b)) == 0;
}

bool kb_res_matches_any_id(const kb_schema *s, const kb_resource *r, const kb_resid *id)
{
	kb_resid cur;
	kb_res_id(r, &cur);
	bool m = kb_resid_equal(s, &cur, id) || kb_resid_equal(s, &r->orig, id);
	for (size_t i = 0; !m && i < r->prev_names.n; i++) {
		kb_resid p = cur;
		p.name = r->prev_names.v[i];
		p.ns = r->prev_ns.v[i];
		p.kind = r->prev_kinds.v[i];
		m = kb_resid_equal(s, &p, id);
	}
	kb_resid_free(&cur);
	return m;
}

void kb_resmap_init(kb_resmap *m)
{
	memset(m, 0, sizeof(*m));
}

void kb_resmap_append_unchecked(kb_resmap *m, kb_resource *r)
{
	kb_grow((void **)&m->v, &m->cap, m->n + 1, sizeof(*m->v));
	m->v[m->n++] = r;
}

long kb_resmap_find(const kb_resmap *m, const kb_schema *s, const kb_resid *id)
{
	for (size_t i = 0; i < m->n; i++) {
		/* cheap filter first: names rarely collide */
		if (strcmp(kb_res_name(m->v[i]), id->name ? id->name : "") != 0 ||
		    strcmp(kb_res_kind(m->v[i]), id->kind ? id->kind : "") != 0)
			continue;
		kb_resid cur;
		kb_res_id(m->v[i], &cur);
		bool eq = kb_resid_equal(s, &cur, id);
		kb_resid_free(&cur);
		if (eq)
			return (long)i;
	}
	return -1;
}

kb_error *kb_resmap_append(kb_resmap *m, const kb_schema *s, kb_resource *r)
{
	kb_resid id;
	kb_res_id(r, &id);
	long at = kb_resmap_find(m, s, &id);
	if (at >= 0) {
		char *ids = kb_resid_string(&id);
		kb_error *e = kb_error_new(r->file, r->doc->line, 0,
					   "may not add resource with an already registered id: %s "
					   "(also defined in %s); give one of them another name or "
					   "namespace",
					   ids, m->v[at]->file);
		free(ids);
		kb_resid_free(&id);
		kb_resource_free(r);
		return e;
	}
	kb_resid_free(&id);
	kb_resmap_append_unchecked(m, r);
	return NULL;
}

void kb_resmap_remove(kb_resmap *m, size_t idx)
{
	if (idx >= m->n)
		return;
	kb_resource_free(m->v[idx]);
	memmove(&m->v[idx], &m->v[idx + 1], (m->n - idx - 1) * sizeof(*m->v));
	m->n--;
}

static size_t kind_name_hash(const kb_resource *r)
{
	/* FNV-1a over kind and name: ids that are equal share both */
	size_t h = 1469598103934665603ULL;
	for (const char *p = kb_res_kind(r); *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ '|') * 1099511628211ULL;
	for (const char *p = kb_res_name(r); *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

static void table_insert(long *tab, size_t mask, size_t h, long idx)
{
	size_t pos = h & mask;
	while (tab[pos] >= 0)
		pos = (pos + 1) & mask;
	tab[pos] = idx;
}

/* Moves src's resources into m, checking ids against a hash table of m's
 * (a tree of many bases would otherwise compare every pair). */
kb_error *kb_resmap_absorb(kb_resmap *m, const kb_schema *s, kb_resmap *src)
{
	size_t cap = 16;
	while (cap < 2 * (m->n + src->n))
		cap *= 2;
	long *tab = kb_xmalloc(cap * sizeof(long));
	for (size_t i = 0; i < cap; i++)
		tab[i] = -1;
	for (size_t i = 0; i < m->n; i++)
		table_insert(tab, cap - 1, kind_name_hash(m->v[i]), (long)i);
	kb_error *e = NULL;
	size_t i;
	for (i = 0; i < src->n && !e; i++) {
		kb_resource *r = src->v[i];
		src->v[i] = NULL;
		size_t h = kind_name_hash(r);
		kb_resid id;
		kb_res_id(r, &id);
		for (size_t pos = h & (cap - 1); tab[pos] >= 0 && !e; pos = (pos + 1) & (cap - 1)) {
			kb_resource *o = m->v[tab[pos]];
			if (strcmp(kb_res_name(o), id.name) || strcmp(kb_res_kind(o), id.kind))
				continue;
			kb_resid oid;
			kb_res_id(o, &oid);
			if (kb_resid_equal(s, &oid, &id)) {
				char *ids = kb_resid_string(&id);
				e = kb_error_new(r->file, r->doc->line, 0,
						 "may not add resource with an already registered id: "
						 "%s (also defined in %s); give one of them another name "
						 "or namespace",
						 ids, o->file);
				free(ids);
			}
			kb_resid_free(&oid);
		}
		kb_resid_free(&id);
		if (e) {
			kb_resource_free(r);
			break;
		}
		kb_resmap_append_unchecked(m, r);
		table_insert(tab, cap - 1, h, (long)(m->n - 1));
	}
	for (; i < src->n; i++)
		kb_resource_free(src->v[i]);
	src->n = 0;
	free(tab);
	return e;
}

void kb_resmap_free(kb_resmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		kb_resource_free(m->v[i]);
	free(m->v);
	memset(m, 0, sizeof(*m));
}
