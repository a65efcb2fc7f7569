#include "patch.h"
#include "patch_json.h"
#include "patch_smp.h"
#include "select.h"
#include "suggest.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct patch_src {
	char *text;
	size_t len;
	char *name; /* for messages: the file, or "inline patch" */
} patch_src;

static void patch_src_free(patch_src *p)
{
	free(p->text);
	free(p->name);
}

static kb_error *load_patch_file(const kb_loader *ld, const char *path, patch_src *out)
{
	char *abs;
	kb_error *e = kb_loader_read(ld, path, &out->text, &out->len, &abs);
	if (e)
		return e;
	out->name = kb_path_display(abs);
	free(abs);
	return NULL;
}

typedef enum { PATCH_SM, PATCH_JSON } patch_type;

/* A JSON patch of no operations (`[]`) reads as an empty list of
 * resources too, so kustomize's two parses both succeed and it fails
 * ("illegally qualifies as both an SM and JSON patch"). */
static kb_error *no_operations(const patch_src *src, kb_node **ops)
{
	if ((*ops)->n > 0)
		return NULL;
	kb_node_free(*ops);
	*ops = NULL;
	return kb_error_new(src->name, 0, 0,
			    "the patch is an empty list, which reads both as a JSON patch and as "
			    "a strategic-merge patch of no resources (kustomize: illegally "
			    "qualifies as both an SM and JSON patch); remove it or add operations");
}

/* kustomize parses the text both ways; exactly one must succeed. */
static kb_error *classify(kb_ctx *ctx, const patch_src *src, patch_type *type, kb_node ***docs,
			  size_t *ndocs, kb_node **ops)
{
	*docs = NULL;
	*ndocs = 0;
	*ops = NULL;
	const char *t = src->text;
	if (src->len > 0 && t[0] == '[') {
		kb_error *e = kb_json6902_parse(src->name, src->text, src->len, ops);
		if (e)
			return kb_error_note(e, NULL, 0, 0,
					     "unable to parse '%s' as a JSON 6902 patch", src->name);
		*type = PATCH_JSON;
		return no_operations(src, ops);
	}
	/* kustomize applies patch text as a node tree whose lookups find the
	 * first of repeated keys */
	kb_parse_limits plim = ctx->lim;
	plim.dup_keys_first_wins = true;
	plim.nonstr_keys = true;
	kb_error *e = kb_yaml_parse(src->name, src->text, src->len, &plim, docs, ndocs);
	if (e)
		return kb_error_note(e, NULL, 0, 0,
				     "unable to parse SM or JSON patch from '%s'", src->name);
	if (*ndocs == 0) {
		kb_docs_free(*docs, *ndocs);
		*docs = NULL;
		return kb_error_new(src->name, 0, 0,
				    "patch is empty (it holds no YAML document); remove it or add "
				    "the patch content");
	}
	if ((*docs)[0]->kind == KB_SEQ) {
		/* kustomize's jsonPatchFromBytes converts YAML to JSON, which
		 * keeps only the first document, with goyaml.v2: YAML 1.1,
		 * where y/yes/on are true and n/no/off false */
		kb_node **d11 = NULL;
		size_t n11 = 0;
		plim.yaml11_bools = true;
		plim.keep_timestamps = true;
		plim.nonstr_keys = false;
		/* ... and without kyaml's DeAnchor: a quoted "<<" key stays,
		 * and a merge key merges as goyaml.v2 merges */
		plim.kio = false;
		plim.first_doc = true;
		kb_error *e11 = kb_yaml_parse(src->name, src->text, src->len, &plim, &d11, &n11);
		if (e11) {
			/* goyaml.v2 refuses the first document, which kyaml read
			 * (the readers differ little): kustomize fails there */
			kb_docs_free(*docs, *ndocs);
			*docs = NULL;
			*ndocs = 0;
			return kb_error_note(e11, NULL, 0, 0,
					     "unable to parse SM or JSON patch from '%s'", src->name);
		}
		if (n11 && d11[0]->kind == KB_SEQ) {
			kb_docs_free(*docs, *ndocs);
			*docs = d11;
			*ndocs = n11;
		} else {
			kb_docs_free(d11, n11);
		}
		*ops = (*docs)[0];
		(*docs)[0] = NULL;
		kb_docs_free(*docs, *ndocs);
		*docs = NULL;
		*ndocs = 0;
		const kb_pair *first = NULL, *dup = kb_node_find_dup_key(*ops, &first);
		if (dup) {
			/* goyaml.v2's YAML-to-JSON conversion refuses it */
			kb_error *de = kb_error_new(src->name, dup->line, dup->col,
						    "key \"%s\" already set in map (first at line %u); "
						    "a JSON patch operation holds each key once",
						    dup->key, first->line);
			kb_node_free(*ops);
			*ops = NULL;
			return de;
		}
		*type = PATCH_JSON;
		return no_operations(src, ops);
	}
	for (size_t i = 0; i < *ndocs; i++) {
		kb_node *d = (*docs)[i];
		/* kustomize reads SM patches as resources: they need kind and
		 * metadata.name, and lose an empty annotations map */
		if (d->kind == KB_MAP && (kb_str_empty(kb_map_get_str(d, "kind")) ||
					  kb_str_empty(kb_node_get_str(d, "metadata", "name", NULL)))) {
			unsigned line = d->line;
			kb_docs_free(*docs, *ndocs);
			*docs = NULL;
			return kb_error_new(src->name, line, 0,
					    "unable to parse SM or JSON patch: a strategic merge patch "
					    "needs kind and metadata.name (any name when the patch has a "
					    "target), a JSON patch is a list of operations");
		}
		if (d->kind == KB_MAP)
			kb_clear_empty_annotations(d);
		if ((*docs)[i]->kind != KB_MAP) {
			unsigned line = (*docs)[i]->line;
			kb_docs_free(*docs, *ndocs);
			*docs = NULL;
			return kb_error_new(src->name, line, 0,
					    "unable to parse SM or JSON patch: a strategic merge patch "
					    "must be a mapping, a JSON patch a list of operations");
		}
	}
	*type = PATCH_SM;
	return NULL;
}

static void patch_id(const kb_node *patch, kb_resid *id)
{
	kb_split_apiversion(kb_map_get_str(patch, "apiVersion"), &id->group, &id->version);
	const char *k = kb_map_get_str(patch, "kind");
	const char *n = kb_node_get_str(patch, "metadata", "name", NULL);
	const char *ns = kb_node_get_str(patch, "metadata", "namespace", NULL);
	id->kind = kb_xstrdup(k ? k : "");
	id->name = kb_xstrdup(n ? n : "");
	id->ns = kb_xstrdup(ns ? ns : "");
}

static void store_previous(kb_resource *r)
{
	kb_strv_push(&r->prev_names, kb_res_name(r));
	kb_strv_push(&r->prev_ns, kb_res_ns(r));
	kb_strv_push(&r->prev_kinds, kb_res_kind(r));
}

/* kustomize's Resource.ApplySmPatch. */
static kb_error *apply_smp(kb_ctx *ctx, kb_resource *r, const kb_node *patch, bool allow_name,
			   bool allow_kind, const char *pname, bool *deleted)
{
	char *name = kb_xstrdup(kb_res_name(r));
	char *ns = kb_xstrdup(kb_res_ns(r));
	char *kind = kb_xstrdup(kb_res_kind(r));
	if (ctx->schema_error) {
		const kb_error *se = ctx->schema_error;
		free(name);
		free(ns);
		free(kind);
		kb_error *e = kb_error_new(se->primary.file, se->primary.line, se->primary.col,
					   "%s", se->primary.msg);
		for (size_t i = 0; i < se->nnotes; i++)
			kb_error_note(e, se->notes[i].file, se->notes[i].line, se->notes[i].col,
				      "%s", se->notes[i].msg);
		return kb_error_note(e, pname, 0, 0,
				     "a strategic-merge patch needs the openapi schema, which does "
				     "not parse (kustomize v5.5.0 crashes here)");
	}
	if (allow_name || allow_kind)
		store_previous(r);
	/* the merge sees the annotations' nodes as read: a `b:` null is
	 * cleared like any other null the patch does not set */
	kb_resource_retype_annotations(r);
	kb_error *e = kb_smp_apply(r->doc, patch, ctx->schema, pname, deleted);
	if (r->doc->kind == KB_MAP)
		kb_resource_settle_annotations(r);
	if (!e && !*deleted && r->doc->kind == KB_MAP) {
		if (!allow_kind)
			kb_map_set(r->doc, "kind", kb_node_new_str(kind));
		kb_node *md = kb_map_ensure_map(r->doc, "metadata");
		if (!allow_name)
			kb_map_set(md, "name", kb_node_new_str(name));
		if (*ns)
			kb_map_set(md, "namespace", kb_node_new_str(ns));
		else
			kb_map_del(md, "namespace");
		if (r->doc->n == 0)
			*deleted = true;
		/* kyaml merges a scalar into the node that is there, so a value
		 * shared with other places of the object changes there too */
		kb_resource_sync_shared(r);
	}
	free(name);
	free(ns);
	free(kind);
	return e;
}

/* The name of a resource (current or original) of the given kind (any
 * kind when NULL or "") closest to name, for "did you mean"; NULL when
 * none is close or one has exactly that name. */
static const char *close_resource_name(const kb_resmap *m, const char *kind, const char *name)
{
	kb_suggest sg;
	kb_suggest_init(&sg, name);
	for (size_t i = 0; i < m->n; i++) {
		const kb_resource *r = m->v[i];
		if (!kb_str_empty(kind) && !kb_streq(kind, kb_res_kind(r)) &&
		    !kb_streq(kind, r->orig.kind))
			continue;
		if (kb_streq(kb_res_name(r), name) || kb_streq(r->orig.name, name))
			return NULL;
		kb_suggest_try(&sg, kb_res_name(r));
		kb_suggest_try(&sg, r->orig.name);
	}
	return kb_suggest_best(&sg);
}

/* A literal name, not a regular expression: only those are misspelt. */
static bool is_literal_name(const char *s)
{
	return s && *s && !s[strcspn(s, "^$.*+?()[]{}|\\")];
}

/* kustomize applies a patch whose target selects nothing as a no-op,
 * silently (kustomize #4379, #5093): almost always a typo in the target
 * or a resource that went away.  When the name is a near miss of a
 * resource's, say which; else name the entry's target. */
static void warn_unmatched_target(kb_ctx *ctx, const kb_resmap *m, const kb_node *entry,
				  const kb_node *target, const char *where, const char *pname)
{
	const kb_node *name = kb_map_get(target, "name");
	const char *nm = kb_map_get_str(target, "name");
	const char *close = is_literal_name(nm)
				    ? close_resource_name(m, kb_map_get_str(target, "kind"), nm)
				    : NULL;
	if (close) {
		kb_warn(&ctx->warnings, where, name->line, name->col,
			"patch target name '%s' selects no resource, so the patch does nothing; "
			"did you mean '%s'?",
			nm, close);
		return;
	}
	const kb_pair *at = kb_map_get_pair(entry, "target");
	bool inl = kb_str_has_suffix(pname, "(inline patch)");
	kb_warn(&ctx->warnings, where, at ? at->line : entry->line, at ? at->col : entry->col,
		"patch target selects no resource, so %s%s%s changes nothing; check the target's "
		"kind, name, namespace and selectors",
		inl ? "the inline patch" : "patch '", inl ? "" : pname, inl ? "" : "'");
}

/* Applies an SM patch document to the one resource it names. */
static kb_error *apply_sm_by_id(kb_ctx *ctx, kb_resmap *m, const kb_node *patch, bool allow_name,
				bool allow_kind, const char *pname)
{
	kb_resid id;
	patch_id(patch, &id);
	long found = -1;
	int n = 0;
	for (size_t i = 0; i < m->n; i++)
		if (kb_res_matches_any_id(ctx->schema, m->v[i], &id)) {
			if (found < 0)
				found = (long)i;
			n++;
		}
	kb_error *e = NULL;
	if (n != 1) {
		char *ids = kb_resid_string(&id);
		const char *close = n == 0 ? close_resource_name(m, id.kind, id.name) : NULL;
		if (close)
			e = kb_error_new(pname, patch->line, 0,
					 "no resource matches strategic merge patch %s; did you mean "
					 "metadata.name '%s'?",
					 ids, close);
		else
			e = kb_error_new(pname, patch->line, 0,
					 n == 0 ? "no resource matches strategic merge patch %s; check "
						  "the patch's apiVersion, kind, metadata.name and "
						  "namespace"
						: "multiple resources match strategic merge patch %s; give "
						  "it a target to choose",
					 ids);
		free(ids);
	} else {
		bool deleted = false;
		e = apply_smp(ctx, m->v[found], patch, allow_name, allow_kind, pname, &deleted);
		if (!e && deleted)
			kb_resmap_remove(m, (size_t)found);
	}
	kb_resid_free(&id);
	return e;
}

static bool res_selected(kb_ctx *ctx, const kb_selector *sel, const kb_resource *r)
{
	char *group, *version;
	kb_split_apiversion(kb_res_apiversion(r), &group, &version);
	bool cluster = kb_schema_namespaced(ctx->schema, group, version, kb_res_kind(r)) == 0;
	bool ok = true;
	const char *orig_ns = cluster ? KB_NS_CLUSTER : r->orig.ns;
	const char *cur_ns = cluster ? KB_NS_CLUSTER : kb_res_ns(r);
	if (!kb_selector_match_namespace(sel, orig_ns) && !kb_selector_match_namespace(sel, cur_ns))
		ok = false;
	if (ok && !kb_selector_match_name(sel, r->orig.name) &&
	    !kb_selector_match_name(sel, kb_res_name(r)))
		ok = false;
	if (ok && !kb_selector_match_gvk(sel, group, version, kb_res_kind(r)))
		ok = false;
	if (ok)
		ok = kb_selector_match_labels(sel, kb_node_get(r->doc, "metadata", "labels", NULL),
					      kb_node_get(r->doc, "metadata", "annotations", NULL));
	free(group);
	free(version);
	return ok;
}

static kb_error *apply_sm_to_selected(kb_ctx *ctx, kb_resmap *m, const kb_selector *sel,
				      const kb_node *patch, bool allow_name, bool allow_kind,
				      const char *pname, size_t *matched)
{
	for (size_t i = 0; i < m->n;) {
		kb_resource *r = m->v[i];
		if (!res_selected(ctx, sel, r)) {
			i++;
			continue;
		}
		(*matched)++;
		/* The patch is retargeted at each selected resource's group and
		 * version (kustomize's resWrangler.ApplySmPatch); name and
		 * namespace are put back afterwards unless allowed to change. */
		kb_node *p = kb_node_clone(patch);
		kb_map_set(p, "apiVersion", kb_node_new_str(kb_res_apiversion(r)));
		if (!kb_map_get_str(patch, "kind"))
			kb_map_set(p, "kind", kb_node_new_str(kb_res_kind(r)));
		bool deleted = false;
		kb_error *e = apply_smp(ctx, r, p, allow_name, allow_kind, pname, &deleted);
		kb_node_free(p);
		if (e)
			return e;
		if (deleted)
			kb_resmap_remove(m, i);
		else
			i++;
	}
	return NULL;
}

static bool res_cluster_scoped(kb_ctx *ctx, const kb_resource *r)
{
	char *group, *version;
	kb_split_apiversion(kb_res_apiversion(r), &group, &version);
	bool cluster = kb_schema_namespaced(ctx->schema, group, version, kb_res_kind(r)) == 0;
	free(group);
	free(version);
	return cluster;
}

/*
 * kustomize's transformJson6902 runs each JSON patch on a resource that
 * carries its bookkeeping annotations: StorePreviousId has just written
 * the previous names, namespaces and kinds (comma-separated, oldest
 * first) to internal.config.kubernetes.io/previous*.  So the patch sees
 * a metadata.annotations map even on an object that has none (an `add`
 * of /metadata/annotations/KEY works, a `copy` of the whole map copies
 * them), and afterwards the annotations are read back as
 * map[string]string and written anew, sorted, every value a string (a
 * mapping or list value becomes "", null becomes "null"), with the
 * bookkeeping ones put back; an empty map is then dropped.  kbuild keeps
 * the bookkeeping in kb_resource, so the annotations are added here for
 * the patch's sake and taken out again after it.
 */
static const char *const json_bk_keys[3] = {
	"internal.config.kubernetes.io/previousKinds",
	"internal.config.kubernetes.io/previousNames",
	"internal.config.kubernetes.io/previousNamespaces",
};

static char *csv_of(const kb_strv *v, bool ns, bool cluster)
{
	kb_buf b = { 0 };
	for (size_t i = 0; i < v->n; i++) {
		const char *x = ns ? kb_effective_namespace(v->v[i], cluster) : v->v[i];
		if (!*x)
			continue;
		if (b.len)
			kb_buf_puts(&b, ",");
		kb_buf_puts(&b, x);
	}
	return kb_buf_detach(&b);
}

static void json_bookkeeping_add(kb_resource *r, bool cluster)
{
	if (r->doc->kind != KB_MAP)
		return;
	kb_node *md = kb_map_get(r->doc, "metadata");
	if (!md || md->kind != KB_MAP)
		return;
	kb_node *ann = kb_map_get(md, "annotations");
	/* annotations read as null, numbers or bools are typed nodes to
	 * kustomize still: they go into the patch as such (and come back as
	 * the text of their JSON value) unless something rewrote them */
	kb_resource_retype_annotations(r);
	if (ann && ann->kind != KB_MAP && ann->kind != KB_NULL)
		return;
	ann = kb_map_ensure_map(md, "annotations");
	const kb_strv *lists[3] = { &r->prev_kinds, &r->prev_names, &r->prev_ns };
	for (int i = 0; i < 3; i++) {
		char *v = csv_of(lists[i], i == 2, cluster);
		if (*v)
			kb_map_set(ann, json_bk_keys[i], kb_node_new_str(v));
		free(v);
	}
}

/* The JSON patch runs on the object as JSON, decoded back with
 * encoding/json into float64s: an integer a float64 cannot hold exactly
 * (12345678901234567890) comes back as the nearest float. */
static void json_numbers_as_float64(kb_node *n)
{
	if (!n)
		return;
	if (n->kind == KB_INT) {
		double d = strtod(n->str, NULL);
		char buf[400];
		snprintf(buf, sizeof(buf), "%.0f", d);
		if (strcmp(buf, n->str) != 0) {
			char *t = kb_go_format_float(d, 'g');
			kb_node_replace(n, kb_node_new_scalar(KB_FLOAT, t));
			free(t);
		}
		return;
	}
	if (n->kind == KB_MAP)
		for (size_t i = 0; i < n->n; i++)
			json_numbers_as_float64(n->pairs[i].val);
	else if (n->kind == KB_SEQ)
		for (size_t i = 0; i < n->n; i++)
			json_numbers_as_float64(n->items[i]);
}

static void json_bookkeeping_settle(kb_resource *r, bool cluster)
{
	kb_node *md = kb_map_get(r->doc, "metadata");
	if (!md || md->kind != KB_MAP)
		return;
	kb_node *ann = kb_map_get(md, "annotations");
	kb_node *fresh = kb_node_new(KB_MAP);
	for (size_t i = 0; ann && ann->kind == KB_MAP && i < ann->n; i++) {
		const kb_pair *p = &ann->pairs[i];
		bool bk = false;
		for (int k = 0; k < 3; k++)
			bk = bk || strcmp(p->key, json_bk_keys[k]) == 0;
		if (bk)
			continue;
		const kb_node *v = p->val;
		const char *text = !kb_node_is_scalar(v) ? "" : v->str;
		char *num = NULL;
		if (v->kind == KB_NULL)
			text = "null";
		else if (v->kind == KB_INT || v->kind == KB_FLOAT) {
			/* a float64 after JSON, as go-yaml v3 writes it */
			double d = strtod(v->str, NULL);
			if (isfinite(d))
				text = num = kb_go_format_float(d, 'g');
		}
		kb_map_set(fresh, p->key, kb_node_new_str(text));
		free(num);
	}
	(void)cluster;
	/* (sorted: the emitter prints keys in order anyway) */
	if (fresh->n == 0) {
		kb_node_free(fresh);
		kb_map_del(md, "annotations");
		return;
	}
	kb_map_set(md, "annotations", fresh);
}

/* A map key below the top level that reads as another type than a string
 * (kb_pair.knonstr).  kustomize's JSON patch filter turns the whole object
 * into JSON first (RNode.MarshalJSON), which fails on such a map whatever
 * the patch touches ("json: unsupported type"); a top-level key becomes
 * its text there. */
static const kb_pair *nested_nonstr_key(const kb_node *n, bool top)
{
	if (!n)
		return NULL;
	if (n->kind == KB_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			const kb_pair *p = nested_nonstr_key(n->items[i], false);
			if (p)
				return p;
		}
	} else if (n->kind == KB_MAP) {
		for (size_t i = 0; i < n->n; i++) {
			if (!top && n->pairs[i].knonstr)
				return &n->pairs[i];
			const kb_pair *p = nested_nonstr_key(n->pairs[i].val, false);
			if (p)
				return p;
		}
	}
	return NULL;
}

static kb_error *apply_json_to_selected(kb_ctx *ctx, kb_resmap *m, const kb_selector *sel,
					const kb_node *ops, const char *pname, size_t *matched)
{
	for (size_t i = 0; i < m->n; i++) {
		kb_resource *r = m->v[i];
		if (!res_selected(ctx, sel, r))
			continue;
		(*matched)++;
		const kb_pair *nk = nested_nonstr_key(r->doc, true);
		if (nk) {
			kb_error *e = kb_error_new(nk->line ? r->file : NULL, nk->line, nk->col,
						   "mapping key '%s' is not a string (it reads as a "
						   "number, boolean, null or timestamp); kustomize "
						   "cannot convert the object to JSON for a JSON patch "
						   "(json: unsupported type); quote the key",
						   nk->key);
			return kb_error_note(e, pname, 0, 0, "while patching %s '%s'",
					     kb_res_kind(r), kb_res_name(r));
		}
		store_previous(r);
		bool cluster = res_cluster_scoped(ctx, r);
		json_bookkeeping_add(r, cluster);
		kb_error *e = kb_json6902_apply(r->doc, ops, pname);
		/* the object went through JSON: every node is new */
		kb_resource_unshare(r);
		if (!e && r->doc->kind == KB_MAP) {
			json_bookkeeping_settle(r, cluster);
			json_numbers_as_float64(r->doc);
		}
		if (e)
			return kb_error_note(e, r->file, 0, 0, "while patching %s '%s'",
					     kb_res_kind(r), kb_res_name(r));
		if (r->doc->kind != KB_MAP)
			return kb_error_new(pname, 0, 0,
					    "JSON patch turned %s '%s' into something that is not a "
					    "mapping",
					    kb_res_kind(r), kb_res_name(r));
	}
	return NULL;
}

static bool opt_true(const kb_node *entry, const char *opt)
{
	const kb_node *v = kb_node_get(entry, "options", opt, NULL);
	return v && v->kind == KB_BOOL && strcmp(v->str, "true") == 0;
}

/* Length of the UTF-8 white space (Go's unicode.IsSpace) at p, or 0. */
static size_t go_space_at(const unsigned char *p, size_t n)
{
	if (n >= 1 && (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r')))
		return 1;
	if (n >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
		return 2; /* NEL, NBSP */
	if (n >= 3 && p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80)
		return 3; /* U+1680 */
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
	    (p[2] <= 0x8a || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
		return 3; /* U+2000-200A, U+2028, U+2029, U+202F */
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)
		return 3; /* U+205F */
	if (n >= 3 && p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
		return 3; /* U+3000 */
	return 0;
}

/* Go's strings.TrimSpace: returns the start, *out_len the length. */
static const char *go_trim_space(const char *s, size_t len, size_t *out_len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t k;
	while (p < end && (k = go_space_at(p, (size_t)(end - p))))
		p += k;
	for (;;) {
		/* a trailing space ends at end: find the longest one */
		size_t best = 0;
		for (size_t back = 1; back <= 3 && back <= (size_t)(end - p); back++)
			if (go_space_at(end - back, back) == back)
				best = back;
		if (!best)
			break;
		end -= best;
	}
	*out_len = (size_t)(end - p);
	return (const char *)p;
}

kb_error *kb_patch_apply_entry(kb_ctx *ctx, kb_resmap *m, const kb_node *entry,
			       const kb_loader *ld, const char *where)
{
	if (entry->kind != KB_MAP)
		return kb_error_new(where, entry->line, entry->col,
				    "a patches entry must be a mapping with 'path' or 'patch'");
	for (size_t i = 0; i < entry->n; i++) {
		const char *key = entry->pairs[i].key;
		static const char *const known[] = { "path", "patch", "target", "options", NULL };
		if (strcmp(key, "path") && strcmp(key, "patch") && strcmp(key, "target") &&
		    strcmp(key, "options")) {
			char *hint = kb_suggest_among(key, known);
			kb_error *e = kb_error_new(where, entry->pairs[i].line, entry->pairs[i].col,
						   "invalid Kustomization: json: unknown field \"%s\" "
						   "in a patch%s",
						   key, hint);
			free(hint);
			return e;
		}
	}
	const char *path = kb_map_get_str(entry, "path");
	const char *inl = kb_map_get_str(entry, "patch");
	/* PatchTransformer.Config: p.Patch = strings.TrimSpace(p.Patch), so
	 * an inline patch loses its leading and trailing white space (a
	 * keep-chomped last value its trailing newlines) */
	size_t inl_len = 0;
	if (inl)
		inl = go_trim_space(inl, strlen(inl), &inl_len);
	if (kb_str_empty(path) && !inl_len)
		return kb_error_new(where, entry->line, entry->col,
				    "must specify one of patch and path");
	if (!kb_str_empty(path) && inl_len)
		return kb_error_new(where, entry->line, entry->col,
				    "patch and path can't be set at the same time");
	patch_src src = { 0 };
	kb_error *e = NULL;
	if (!kb_str_empty(path)) {
		e = load_patch_file(ld, path, &src);
		if (e)
			return kb_error_note(e, where, entry->line, entry->col, "in patch '%s'", path);
	} else {
		src.text = kb_xstrndup(inl, inl_len);
		src.len = inl_len;
		src.name = kb_xasprintf("%s (inline patch)", where);
	}
	const kb_node *target = kb_map_get(entry, "target");
	kb_selector *sel = NULL;
	if (target && target->kind != KB_NULL) {
		e = kb_selector_compile(target, where, &sel);
		if (e) {
			patch_src_free(&src);
			return e;
		}
	}
	patch_type type = PATCH_SM;
	kb_node **docs = NULL, *ops = NULL;
	size_t nd = 0;
	e = classify(ctx, &src, &type, &docs, &nd, &ops);
	bool an = opt_true(entry, "allowNameChange"), ak = opt_true(entry, "allowKindChange");
	if (!e && type == PATCH_SM && sel && nd > 1)
		e = kb_error_new(where, entry->line, entry->col,
				 "Multiple Strategic-Merge Patches in one `patches` entry is not "
				 "allowed to set `patches.target` field: give each patch its own "
				 "entry");
	if (!e && type == PATCH_SM && !sel && nd > 1) {
		/* kustomize v5.5.0 crashes (nil pointer) on a patch file holding
		 * several whole-object deletions; refuse it rather than print
		 * output the reference never produces. */
		size_t ndel = 0;
		for (size_t i = 0; i < nd; i++)
			if (kb_streq(kb_map_get_str(docs[i], "$patch"), "delete"))
				ndel++;
		if (ndel > 1)
			e = kb_error_new(src.name, 0, 0,
					 "a patch file with several '$patch: delete' documents is "
					 "not supported (kustomize v5.5.0 crashes on it); split it "
					 "into one patch per object");
	}
	size_t matched = 0;
	if (!e && type == PATCH_SM) {
		for (size_t i = 0; i < nd && !e; i++)
			e = sel ? apply_sm_to_selected(ctx, m, sel, docs[i], an, ak, src.name,
						       &matched)
				: apply_sm_by_id(ctx, m, docs[i], an, ak, src.name);
	} else if (!e) {
		if (!sel)
			e = kb_error_new(where, entry->line, entry->col,
					 "must specify a target for JSON patch '%s'", src.name);
		else
			e = apply_json_to_selected(ctx, m, sel, ops, src.name, &matched);
	}
	if (!e && sel && matched == 0)
		warn_unmatched_target(ctx, m, entry, target, where, src.name);
	kb_docs_free(docs, nd);
	kb_node_free(ops);
	kb_selector_free(sel);
	patch_src_free(&src);
	return e;
}

kb_error *kb_patch_patches(kb_ctx *ctx, kb_resmap *m, const kb_kust *k, const kb_loader *ld)
{
	const kb_node *list = kb_map_get(k->doc, "patches");
	for (size_t i = 0; list && list->kind == KB_SEQ && i < list->n; i++) {
		kb_error *e = kb_patch_apply_entry(ctx, m, list->items[i], ld, k->display);
		if (e)
			return e;
	}
	return NULL;
}

kb_error *kb_patch_strategic_merge_list(kb_ctx *ctx, kb_resmap *m, const kb_kust *k,
					const kb_loader *ld)
{
	const kb_node *list = kb_map_get(k->doc, "patchesStrategicMerge");
	for (size_t i = 0; list && list->kind == KB_SEQ && i < list->n; i++) {
		const kb_node *it = list->items[i];
		patch_src src = { 0 };
		kb_error *e = NULL;
		if (!kb_node_is_scalar(it))
			return kb_error_new(k->display, it->line, it->col,
					    "patchesStrategicMerge entries are file paths or inline "
					    "YAML strings");
		/* A file path, or else inline YAML (kustomize tries the file first). */
		if (!strchr(it->str, '\n')) {
			e = load_patch_file(ld, it->str, &src);
			if (e)
				return kb_error_note(e, k->display, it->line, it->col,
						     "in patchesStrategicMerge");
		} else {
			src.text = kb_xstrdup(it->str);
			src.len = it->len;
			src.name = kb_xasprintf("%s:%u (inline patch)", k->display, it->line);
		}
		kb_node **docs = NULL;
		size_t nd = 0;
		kb_parse_limits plim = ctx->lim;
		plim.dup_keys_first_wins = true;
		plim.nonstr_keys = true;
			e = kb_yaml_parse(src.name, src.text, src.len, &plim, &docs, &nd);
		if (!e && nd == 0)
			e = kb_error_new(src.name, 0, 0, "patch is empty (it holds no YAML document)");
		for (size_t d = 0; !e && d < nd; d++) {
			if (docs[d]->kind != KB_MAP) {
				e = kb_error_new(src.name, docs[d]->line, 0,
						 "a strategic merge patch must be a mapping");
			} else {
				kb_clear_empty_annotations(docs[d]);
				e = apply_sm_by_id(ctx, m, docs[d], false, false, src.name);
			}
		}
		kb_docs_free(docs, nd);
		patch_src_free(&src);
		if (e)
			return e;
	}
	return NULL;
}

kb_error *kb_patch_json6902_list(kb_ctx *ctx, kb_resmap *m, const kb_kust *k,
				 const kb_loader *ld)
{
	const kb_node *list = kb_map_get(k->doc, "patchesJson6902");
	for (size_t i = 0; list && list->kind == KB_SEQ && i < list->n; i++) {
		const kb_node *it = list->items[i];
		const kb_node *target = kb_map_get(it, "target");
		if (!target || target->kind != KB_MAP)
			return kb_error_new(k->display, it->line, it->col,
					    "patchesJson6902 entries need a target");
		const char *path = kb_map_get_str(it, "path");
		const char *inl = kb_map_get_str(it, "patch");
		patch_src src = { 0 };
		kb_error *e = NULL;
		if (!kb_str_empty(path)) {
			e = load_patch_file(ld, path, &src);
		} else if (!kb_str_empty(inl)) {
			src.text = kb_xstrdup(inl);
			src.len = strlen(inl);
			src.name = kb_xasprintf("%s:%u (inline patch)", k->display, it->line);
		} else {
			e = kb_error_new(k->display, it->line, it->col,
					 "patchesJson6902 entry needs 'path' or 'patch'");
		}
		kb_selector *sel = NULL;
		kb_node *ops = NULL;
		if (!e)
			e = kb_selector_compile(target, k->display, &sel);
		if (!e)
			e = kb_json6902_parse(src.name, src.text, src.len, &ops);
		if (!e && ops->n == 0)
			/* kustomize's PatchJson6902Transformer refuses it when
			 * configured, whether or not the target matches */
			e = kb_error_new(src.name, 0, 0,
					 "the JSON patch holds no operation (kustomize: patch appears "
					 "to be empty); remove the entry or add operations");
		size_t matched = 0;
		if (!e)
			e = apply_json_to_selected(ctx, m, sel, ops, src.name, &matched);
		if (!e && matched == 0)
			warn_unmatched_target(ctx, m, it, target, k->display, src.name);
		kb_node_free(ops);
		kb_selector_free(sel);
		patch_src_free(&src);
		if (e)
			return kb_error_note(e, k->display, it->line, it->col, "in patchesJson6902");
	}
	return NULL;
}
