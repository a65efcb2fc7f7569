#include "transform.h"
#include "parse.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

/* ---- namespace ---- */

static kb_error *set_scalar_visit(kb_node **slot, void *ud)
{
	const char *v = ud;
	kb_node *n = *slot;
	if (n->kind == KB_MAP || n->kind == KB_SEQ)
		return kb_error_new(NULL, n->line, n->col,
				    "namespace field specs must target scalar nodes");
	kb_node_set_str(n, v);
	return NULL;
}

typedef struct ns_ctx {
	const char *ns;
	bool unset_only;
} ns_ctx;

static kb_error *ns_visit(kb_node **slot, void *ud)
{
	ns_ctx *c = ud;
	kb_node *n = *slot;
	if (c->unset_only && n->kind != KB_NULL && n->len > 0)
		return NULL;
	return set_scalar_visit(slot, (void *)c->ns);
}

static void set_subject_ns(kb_node *subj, ns_ctx *c)
{
	kb_node *cur = kb_map_get(subj, "namespace");
	if (c->unset_only && cur && kb_node_is_scalar(cur) && cur->len > 0)
		return;
	kb_map_set(subj, "namespace", kb_node_new_str(c->ns));
}

kb_error *kb_transform_namespace(kb_resmap *m, const kb_schema *s, const char *ns,
				 const kb_fsset *fs, kb_subject_mode mode, bool unset_only)
{
	ns_ctx c = { ns, unset_only };
	for (size_t i = 0; i < m->n; i++) {
		kb_resource *r = m->v[i];
		const char *av = kb_res_apiversion(r);
		char *group, *version;
		kb_split_apiversion(av, &group, &version);
		const char *kind = kb_res_kind(r);
		char *old_name = kb_xstrdup(kb_res_name(r));
		char *old_ns = kb_xstrdup(kb_res_ns(r));
		kb_error *e = NULL;

		/* metadata.namespace only on kinds not known to be cluster-scoped */
		if (kb_schema_namespaced(s, group, version, kind) != 0) {
			kb_fieldspec meta = { NULL, NULL, NULL, "metadata/namespace", true };
			e = kb_fieldspec_walk(r->doc, &meta, KB_CREATE_SCALAR, ns_visit, &c);
		}
		/* RoleBinding subjects */
		if (!e && mode != KB_SUBJECTS_NONE &&
		    (strcmp(kind, "RoleBinding") == 0 || strcmp(kind, "ClusterRoleBinding") == 0)) {
			kb_node *subjects = kb_map_get(r->doc, "subjects");
			if (subjects && subjects->kind != KB_SEQ && subjects->kind != KB_NULL) {
				e = kb_error_new(r->file, subjects->line, subjects->col,
						 "setting namespace on (cluster)role binding subjects: "
						 "'subjects' must be a list");
				free(group);
				free(version);
				free(old_name);
				free(old_ns);
				return e;
			}
			for (size_t k = 0; subjects && subjects->kind == KB_SEQ && k < subjects->n; k++) {
				kb_node *sj = subjects->items[k];
				if (sj->kind != KB_MAP)
					continue;
				if (mode == KB_SUBJECTS_DEFAULT_ONLY) {
					if (kb_streq(kb_map_get_str(sj, "name"), "default"))
						set_subject_ns(sj, &c);
				} else if (kb_streq(kb_map_get_str(sj, "kind"), "ServiceAccount")) {
					set_subject_ns(sj, &c);
				}
			}
		}
		for (size_t k = 0; !e && k < fs->n; k++) {
			const kb_fieldspec *f = &fs->v[k];
			if (strcmp(f->path, "metadata/namespace") == 0)
				continue;
			/* Only v1 Namespaces are renamed (kustomize #4979). */
			if (strcmp(f->path, "metadata/name") == 0 && strcmp(av, "v1") != 0)
				continue;
			e = kb_fieldspec_walk(r->doc, f, KB_CREATE_SCALAR, ns_visit, &c);
		}
		free(group);
		free(version);
		/* kustomize's NamespaceTransformer stores a previous id for every
		 * resource it visits, changed or not; name references rely on it */
		if (!e) {
			kb_strv_push(&r->prev_names, old_name);
			kb_strv_push(&r->prev_ns, old_ns);
			kb_strv_push(&r->prev_kinds, kind);
		}
		free(old_name);
		free(old_ns);
		if (e)
			return kb_error_note(e, r->file, 0, 0, "while setting namespace '%s'", ns);
	}
	return NULL;
}

/* ---- prefix / suffix ---- */

typedef struct affix_ctx {
	const char *prefix, *suffix;
} affix_ctx;

static kb_error *affix_visit(kb_node **slot, void *ud)
{
	affix_ctx *c = ud;
	kb_node *n = *slot;
	if (!kb_node_is_scalar(n))
		return kb_error_new(NULL, n->line, n->col, "name field is not a scalar");
	char *v = kb_xasprintf("%s%s%s", c->prefix ? c->prefix : "", n->str,
			       c->suffix ? c->suffix : "");
	kb_node_set_str(n, v);
	free(v);
	return NULL;
}

static bool skip_affix(const kb_resource *r)
{
	/* prefixFieldSpecsToSkip in kustomize's PrefixTransformer */
	const char *kind = kb_str_empty(r->orig.kind) ? kb_res_kind(r) : r->orig.kind;
	return strcmp(kind, "CustomResourceDefinition") == 0 || strcmp(kind, "APIService") == 0 ||
	       strcmp(kind, "Namespace") == 0;
}

kb_error *kb_transform_prefix_suffix(kb_resmap *m, const char *prefix, const char *suffix,
				     const kb_fsset *fs)
{
	affix_ctx c = { prefix, suffix };
	if (kb_str_empty(prefix) && kb_str_empty(suffix))
		return NULL;
	for (size_t i = 0; i < m->n; i++) {
		kb_resource *r = m->v[i];
		if (skip_affix(r))
			continue;
		for (size_t k = 0; k < fs->n; k++) {
			const kb_fieldspec *f = &fs->v[k];
			bool is_name = strcmp(f->path, "metadata/name") == 0;
			char *old = NULL;
			if (is_name)
				old = kb_xstrdup(kb_res_name(r));
			kb_error *e = kb_fieldspec_walk(r->doc, f, KB_CREATE_NONE, affix_visit, &c);
			if (e) {
				free(old);
				return kb_error_note(e, r->file, 0, 0, "while adding a name prefix/suffix");
			}
			if (is_name && strcmp(old, kb_res_name(r)) != 0) {
				kb_strv_push(&r->prev_names, old);
				kb_strv_push(&r->prev_ns, kb_res_ns(r));
				kb_strv_push(&r->prev_kinds, kb_res_kind(r));
			}
			free(old);
		}
	}
	return NULL;
}

/* ---- labels / annotations ---- */

typedef struct pairs_ctx {
	const kb_node *pairs;
	bool changed; /* a value was added or differed */
	const kb_node *doc;
	kb_node **created; /* per key: KB_SEQ of the paths where it was added */
} pairs_ctx;

static kb_error *pairs_visit(kb_node **slot, void *ud)
{
	pairs_ctx *c = ud;
	const kb_node *pairs = c->pairs;
	kb_node *n = *slot;
	if (n->kind == KB_NULL || (n->kind == KB_STR && n->len == 0)) {
		kb_node_replace(n, kb_node_new(KB_MAP));
		c->changed = true;
	}
	if (n->kind != KB_MAP)
		return kb_error_new(NULL, n->line, n->col,
				    "expected a mapping for labels or annotations");
	kb_node *where = NULL;
	for (size_t i = 0; i < pairs->n; i++) {
		const kb_node *v = pairs->pairs[i].val;
		const char *key = pairs->pairs[i].key;
		size_t klen = pairs->pairs[i].klen; /* may hold NUL bytes */
		char *canon = NULL;
		kb_kind kk = kb_scalar_resolve(key, klen, &canon);
		free(canon);
		if (kk != KB_STR) {
			kb_node_free(where);
			/* kustomize writes the key unquoted, reads it back as a
			 * number or bool and fails to turn the map into JSON */
			return kb_error_new(NULL, pairs->pairs[i].line, pairs->pairs[i].col,
					    "label or annotation key '%s' reads as a %s, not a "
					    "string; kustomize cannot handle it (json: unsupported "
					    "type)",
					    key, kk == KB_INT ? "number" : kk == KB_FLOAT ? "number"
							 : kk == KB_BOOL ? "boolean" : "null");
		}
		/* values are strings in kustomize's types (map[string]string) */
		const char *val = v->kind == KB_NULL ? "" : v->str;
		size_t vlen = v->kind == KB_NULL ? 0 : v->len;
		const kb_pair *op = kb_map_get_pairn(n, key, klen);
		const kb_node *old = op ? op->val : NULL;
		bool existed = op != NULL;
		if (!old || old->kind != KB_STR || old->len != vlen ||
		    (vlen && memcmp(old->str, val, vlen) != 0))
			c->changed = true;
		kb_map_setn(n, key, klen, kb_node_new_strn(val, vlen));
		if (!existed && c->created) {
			/* kustomize adds the same node wherever the key is new */
			if (!where)
				where = kb_node_path_of(c->doc, n);
			if (where) {
				kb_node *p = kb_node_clone(where);
				kb_seq_push(p, kb_node_new_strn(key, klen));
				if (!c->created[i])
					c->created[i] = kb_node_new(KB_SEQ);
				kb_seq_push(c->created[i], p);
			}
		}
	}
	kb_node_free(where);
	return NULL;
}

static kb_error *apply_pairs(kb_resmap *m, const kb_node *pairs, const kb_fsset *fs,
			     size_t *changed)
{
	if (changed)
		*changed = 0;
	if (!pairs || pairs->kind != KB_MAP || pairs->n == 0)
		return NULL;
	kb_node **created = kb_xcalloc(pairs->n, sizeof(*created));
	kb_error *e = NULL;
	for (size_t i = 0; i < m->n && !e; i++) {
		kb_resource *r = m->v[i];
		pairs_ctx c = { pairs, false, r->doc, created };
		for (size_t k = 0; k < fs->n && !e; k++) {
			e = kb_fieldspec_walk(r->doc, &fs->v[k], KB_CREATE_MAP, pairs_visit, &c);
			if (e)
				e = kb_error_note(e, r->file, 0, 0, "while applying field spec '%s'",
						  fs->v[k].path);
		}
		if (!e && c.changed && changed)
			(*changed)++;
		/* an existing key was set in place: its shared places follow */
		if (!e)
			kb_resource_sync_shared(r);
		for (size_t k = 0; k < pairs->n; k++) {
			if (!e && created[k]) {
				const kb_node *v = pairs->pairs[k].val;
				kb_node *sv = kb_node_new_strn(v->kind == KB_NULL ? "" : v->str,
							       v->kind == KB_NULL ? 0 : v->len);
				kb_resource_share(r, created[k], sv);
				kb_node_free(sv);
			} else {
				kb_node_free(created[k]);
			}
			created[k] = NULL;
		}
	}
	free(created);
	return e;
}

kb_error *kb_transform_labels(kb_resmap *m, const kb_node *pairs, const kb_fsset *fs)
{
	return apply_pairs(m, pairs, fs, NULL);
}

kb_error *kb_transform_annotations(kb_resmap *m, const kb_node *pairs, const kb_fsset *fs)
{
	return apply_pairs(m, pairs, fs, NULL);
}

kb_error *kb_transform_labels_changed(kb_resmap *m, const kb_node *pairs, const kb_fsset *fs,
				      size_t *changed)
{
	return apply_pairs(m, pairs, fs, changed);
}

kb_error *kb_transform_annotations_changed(kb_resmap *m, const kb_node *pairs,
					   const kb_fsset *fs, size_t *changed)
{
	return apply_pairs(m, pairs, fs, changed);
}

/* ---- images ---- */

void kb_image_split(const char *image, char **name, char **tag, char **digest)
{
	/* kustomize api/image.Split: ':' and '@' are searched after the
	 * first '/', so "host:5000/img" keeps its port. */
	const char *search = image;
	const char *slash = strchr(image, '/');
	if (slash && slash != image)
		search = slash;
	const char *at = strchr(search, '@');
	const char *colon = strchr(search, ':');
	*tag = *digest = NULL;
	if (!at && !colon) {
		*name = kb_xstrdup(image);
		return;
	}
	if (at && (!colon || at < colon)) {
		*name = kb_xstrndup(image, (size_t)(at - image));
		*digest = kb_xstrdup(at + 1);
		return;
	}
	if (at && colon) {
		*name = kb_xstrndup(image, (size_t)(colon - image));
		*tag = kb_xstrndup(colon + 1, (size_t)(at - colon - 1));
		*digest = kb_xstrdup(at + 1);
		return;
	}
	*name = kb_xstrndup(image, (size_t)(colon - image));
	*tag = kb_xstrdup(colon + 1);
}

typedef struct image_ctx {
	pcre2_code *re;
	pcre2_match_data *md;
	const char *new_name, *new_tag, *digest, *tag_suffix;
	size_t matched;
} image_ctx;

static kb_error *image_visit(kb_node **slot, void *ud)
{
	image_ctx *c = ud;
	kb_node *n = *slot;
	if (n->kind != KB_STR)
		return NULL;
	if (pcre2_match(c->re, (PCRE2_SPTR)n->str, n->len, 0, 0, c->md, NULL) < 0)
		return NULL;
	c->matched++;
	char *name, *tag, *digest;
	kb_image_split(n->str, &name, &tag, &digest);
	if (!kb_str_empty(c->new_name)) {
		free(name);
		name = kb_xstrdup(c->new_name);
	}
	if (!kb_str_empty(c->new_tag) && !kb_str_empty(c->digest)) {
		free(tag);
		free(digest);
		tag = kb_xstrdup(c->new_tag);
		digest = kb_xstrdup(c->digest);
	} else if (!kb_str_empty(c->new_tag)) {
		free(tag);
		free(digest);
		tag = kb_xstrdup(c->new_tag);
		digest = NULL;
	} else if (!kb_str_empty(c->digest)) {
		free(tag);
		free(digest);
		tag = NULL;
		digest = kb_xstrdup(c->digest);
	}
	if (!kb_str_empty(c->tag_suffix) && tag) {
		char *t = kb_xasprintf("%s%s", tag, c->tag_suffix);
		free(tag);
		tag = t;
	}
	kb_buf b = KB_BUF_INIT;
	kb_buf_puts(&b, name);
	if (!kb_str_empty(tag))
		kb_buf_printf(&b, ":%s", tag);
	if (!kb_str_empty(digest))
		kb_buf_printf(&b, "@%s", digest);
	kb_node_set_str(n, b.data);
	kb_buf_free(&b);
	free(name);
	free(tag);
	free(digest);
	return NULL;
}

/* kustomize's LegacyFilter: every containers/initContainers list anywhere. */
static void image_legacy_walk(kb_node *n, image_ctx *c)
{
	if (n->kind == KB_MAP) {
		for (size_t i = 0; i < n->n; i++) {
			kb_node *v = n->pairs[i].val;
			const char *k = n->pairs[i].key;
			if ((strcmp(k, "containers") == 0 || strcmp(k, "initContainers") == 0) &&
			    v->kind == KB_SEQ) {
				for (size_t j = 0; j < v->n; j++) {
					kb_node *img = kb_map_get(v->items[j], "image");
					if (img)
						image_visit(&img, c);
				}
			} else {
				image_legacy_walk(v, c);
			}
		}
	} else if (n->kind == KB_SEQ) {
		for (size_t i = 0; i < n->n; i++)
			image_legacy_walk(n->items[i], c);
	}
}

kb_error *kb_transform_image(kb_resmap *m, const kb_node *image, const kb_fsset *fs,
			     const char *file)
{
	return kb_transform_image_matched(m, image, fs, file, NULL);
}

kb_error *kb_transform_image_matched(kb_resmap *m, const kb_node *image, const kb_fsset *fs,
				     const char *file, size_t *matched)
{
	if (matched)
		*matched = 0;
	const char *name = kb_map_get_str(image, "name");
	if (kb_str_empty(name))
		return kb_error_new(file, image->line, image->col, "images entry has no name");
	/* kustomize compiles the name as an unescaped regular expression */
	char *pat = kb_xasprintf("^%s(:[a-zA-Z0-9_.{}-]*)?(@[a-zA-Z0-9]+([.+_-][a-zA-Z0-9]+)*:[a-zA-Z0-9_.{}-]*)?$",
				 name);
	int errcode;
	PCRE2_SIZE erroff;
	image_ctx c;
	c.re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &errcode, &erroff,
			     NULL);
	free(pat);
	if (!c.re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return kb_error_new(file, image->line, image->col,
				    "images: name '%s' is not a valid regular expression: %s", name,
				    (char *)msg);
	}
	c.md = pcre2_match_data_create_from_pattern(c.re, NULL);
	c.new_name = kb_map_get_str(image, "newName");
	c.new_tag = kb_map_get_str(image, "newTag");
	c.digest = kb_map_get_str(image, "digest");
	c.tag_suffix = kb_map_get_str(image, "tagSuffix");
	c.matched = 0;
	kb_error *e = NULL;
	for (size_t i = 0; i < m->n && !e; i++) {
		kb_resource *r = m->v[i];
		if (strcmp(kb_res_kind(r), "CustomResourceDefinition") == 0)
			continue;
		image_legacy_walk(r->doc, &c);
		for (size_t k = 0; k < fs->n && !e; k++)
			e = kb_fieldspec_walk(r->doc, &fs->v[k], KB_CREATE_NONE, image_visit, &c);
	}
	pcre2_match_data_free(c.md);
	pcre2_code_free(c.re);
	if (matched)
		*matched = c.matched;
	return e;
}

/* ---- replicas ---- */

static kb_error *replicas_visit(kb_node **slot, void *ud)
{
	const kb_node *count = ud;
	kb_node_replace(*slot, kb_node_clone(count));
	return NULL;
}

kb_error *kb_transform_replicas(kb_resmap *m, const kb_schema *s, const kb_node *replica,
				const kb_fsset *fs, const char *file)
{
	const char *name = kb_map_get_str(replica, "name");
	const kb_node *count = kb_map_get(replica, "count");
	if (kb_str_empty(name))
		return kb_error_new(file, replica->line, replica->col, "replicas entry has no name");
	kb_node *cnt = count && count->kind == KB_INT ? kb_node_clone(count) : kb_node_new_int(0);
	kb_error *e = NULL;
	bool found = false;
	for (size_t i = 0; i < m->n && !e; i++) {
		kb_resource *r = m->v[i];
		bool match = strcmp(kb_res_name(r), name) == 0 || kb_streq(r->orig.name, name);
		for (size_t k = 0; !match && k < r->prev_names.n; k++)
			match = strcmp(r->prev_names.v[k], name) == 0;
		if (!match)
			continue;
		char *group, *version;
		kb_split_apiversion(kb_res_apiversion(r), &group, &version);
		for (size_t k = 0; k < fs->n && !found; k++)
			found = kb_fieldspec_matches(&fs->v[k], group, version, kb_res_kind(r));
		free(group);
		free(version);
		for (size_t k = 0; k < fs->n && !e; k++)
			e = kb_fieldspec_walk(r->doc, &fs->v[k], KB_CREATE_SCALAR, replicas_visit, cnt);
	}
	kb_node_free(cnt);
	(void)s;
	if (!e && !found)
		/* kustomize's ReplicaCountTransformer refuses a name it cannot
		 * place, so a typo does not pass silently */
		e = kb_error_new(file, replica->line, replica->col,
				 "resource with name %s does not match a config with the following "
				 "GVK [Deployment ReplicationController ReplicaSet StatefulSet and "
				 "kinds from configurations]; check the name in replicas",
				 name);
	return e;
}
