/*
 * gen.c - the kustomization kustomize-controller builds (gen.h).
 */
#include "gen.h"
#include "emit.h"
#include "fs.h"
#include "kustfile.h"
#include "source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void kb_flux_gen_free(kb_flux_gen *g)
{
	if (!g)
		return;
	free(g->kfile);
	free(g->data);
	kb_node_free(g->doc);
	kb_strv_free(&g->dropped);
	kb_strv_free(&g->notes);
	free(g->from_spec);
	kb_node_free(g->reparsed);
	memset(g, 0, sizeof(*g));
}

bool kb_flux_is_local_relative(const char *path)
{
	static const char *const remote[] = { "git::", "gh:", "ssh://", "https://", "http://",
					      "git@", "github.com:", "github.com/" };
	size_t n = strlen(path);
	for (size_t i = 0; i < sizeof(remote) / sizeof(*remote); i++) {
		size_t l = strlen(remote[i]);
		if (l < n && strncasecmp(path, remote[i], l) == 0)
			return false;
	}
	if (path[0] == '/')
		return false;
	if (strncasecmp(path, "file://", 7) == 0 && path[7] == '/')
		return false;
	return true;
}

static bool is_dir(const kb_fs *fs, const char *p)
{
	kb_file_type t;
	return kb_fs_stat(fs, p, true, &t) == 0 && t == KB_FILE_DIR;
}

static bool is_file(const kb_fs *fs, const char *p)
{
	kb_file_type t;
	return kb_fs_stat(fs, p, true, &t) == 0 && t == KB_FILE_REGULAR;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_kustomization(const kb_fs *fs, const char *dir)
{
	for (size_t i = 0; i < 3; i++) {
		char *p = kb_path_join(dir, kb_kust_filenames[i]);
		bool y = is_file(fs, p);
		free(p);
		if (y)
			return true;
	}
	return false;
}

/* scanManifests: filepath.Walk order (sorted names, depth first). */
static kb_error *scan(const kb_fs *fs, const char *base, const char *dir, kb_node *res, int depth)
{
	if (depth > 256)
		return kb_error_new(dir, 0, 0, "directory tree too deep");
	char **names = NULL;
	size_t n = 0;
	if (kb_fs_list(fs, dir, &names, &n) != 0) {
		char *d = kb_path_display(dir);
		kb_error *e = kb_error_new(d, 0, 0, "cannot list directory: %s", strerror(errno));
		free(d);
		return e;
	}
	if (n > 1)
		qsort(names, n, sizeof(char *), cmp_str);
	kb_error *e = NULL;
	for (size_t i = 0; i < n && !e; i++) {
		char *p = kb_path_join(dir, names[i]);
		const char *rel = kb_flux_path_below(base, p);
		if (is_dir(fs, p)) {
			if (has_kustomization(fs, p)) {
				char *r = kb_xasprintf("./%s", rel);
				kb_seq_push(res, kb_node_new_str(r));
				free(r);
			} else {
				e = scan(fs, base, p, res, depth + 1);
			}
		} else if (kb_str_has_suffix(names[i], ".yaml") || kb_str_has_suffix(names[i], ".yml")) {
			/* filepath.Ext: the suffix from the last dot */
			const char *dot = strrchr(names[i], '.');
			if (dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0)) {
				char *r = kb_xasprintf("./%s", rel);
				kb_seq_push(res, kb_node_new_str(r));
				free(r);
			}
		}
		free(p);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return e;
}

static const char *spec_str(const kb_node *spec, const char *key)
{
	const kb_node *v = kb_map_get(spec, key);
	return v && v->kind == KB_STR && v->len ? v->str : NULL;
}

static kb_error *want_list(const kb_node *spec, const char *key, const char *file,
			   const kb_node **out)
{
	const kb_node *v = kb_map_get(spec, key);
	*out = NULL;
	if (!v || v->kind == KB_NULL)
		return NULL;
	if (v->kind != KB_SEQ)
		return kb_error_new(file, v->line, v->col, "spec.%s must be a list", key);
	*out = v;
	return NULL;
}

/* kustypes.Selector from Flux's kustomize.Selector (empty fields omitted). */
static kb_node *adapt_selector(const kb_node *sel)
{
	static const char *const keys[] = { "group",	 "version",	  "kind",
					    "name",	 "namespace",	  "labelSelector",
					    "annotationSelector" };
	kb_node *t = kb_node_new(KB_MAP);
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		const kb_node *v = kb_map_get(sel, keys[i]);
		if (v && kb_node_is_scalar(v) && v->kind != KB_NULL && v->len) {
			kb_node *c = kb_node_new_str(kb_node_text(v));
			c->line = v->line;
			c->col = v->col;
			kb_map_set(t, keys[i], c);
		}
	}
	return t;
}

static kb_node *ensure_seq(kb_node *doc, const char *key)
{
	kb_node *v = kb_map_get(doc, key);
	if (!v || v->kind != KB_SEQ)
		v = kb_map_set(doc, key, kb_node_new(KB_SEQ));
	return v;
}

static void mark_spec(kb_flux_gen *g, const kb_node *n)
{
	g->from_spec = kb_xrealloc(g->from_spec, (g->nfrom_spec + 1) * sizeof(*g->from_spec));
	g->from_spec[g->nfrom_spec++] = n;
}

static kb_node *text_node(const char *s, const kb_node *pos)
{
	kb_node *n = kb_node_new_str(s);
	if (pos) {
		n->line = pos->line;
		n->col = pos->col;
	}
	return n;
}

static kb_error *apply_patches(kb_node *doc, const kb_node *spec, const char *file, kb_flux_gen *g)
{
	const kb_node *list;
	kb_error *e = want_list(spec, "patches", file, &list);
	if (e || !list)
		return e;
	for (size_t i = 0; i < list->n; i++) {
		const kb_node *p = list->items[i];
		if (p->kind != KB_MAP)
			return kb_error_new(file, p->line, p->col,
					    "spec.patches[%zu] must be a mapping (patch, target)", i);
		kb_node *out = kb_node_new(KB_MAP);
		out->line = p->line;
		out->col = p->col;
		const kb_node *pt = kb_map_get(p, "patch");
		if (pt && pt->kind == KB_STR && pt->len)
			kb_map_set(out, "patch", text_node(pt->str, pt));
		else if (pt && pt->kind != KB_STR && pt->kind != KB_NULL) {
			kb_node_free(out);
			return kb_error_new(file, pt->line, pt->col,
					    "spec.patches[%zu].patch must be a string (a YAML patch "
					    "in a block scalar: `patch: |`)",
					    i);
		}
		const kb_node *tg = kb_map_get(p, "target");
		if (tg && tg->kind == KB_MAP)
			kb_map_set(out, "target", adapt_selector(tg));
		mark_spec(g, kb_seq_push(ensure_seq(doc, "patches"), out));
	}
	if (list->n)
		kb_strv_push(&g->notes, "patches");
	return NULL;
}

static kb_error *apply_components(const kb_fs *fs, const char *dir, kb_node *doc,
				  const kb_node *spec, const char *file, kb_flux_gen *g)
{
	const kb_node *list;
	kb_error *e = want_list(spec, "components", file, &list);
	if (e || !list)
		return e;
	const kb_node *im = kb_map_get(spec, "ignoreMissingComponents");
	bool ignore_missing = im && im->kind == KB_BOOL && strcmp(im->str, "true") == 0;
	size_t added = 0;
	for (size_t i = 0; i < list->n; i++) {
		const kb_node *c = list->items[i];
		if (c->kind != KB_STR)
			return kb_error_new(file, c->line, c->col,
					    "spec.components[%zu] must be a string", i);
		if (!kb_flux_is_local_relative(c->str))
			return kb_error_new(file, c->line, c->col,
					    "component path '%s' must be local and relative", c->str);
		if (ignore_missing) {
			char *joined = kb_path_join(dir, c->str);
			char *cl = kb_path_clean_rooted(joined);
			kb_file_type t;
			bool exists = kb_fs_stat(fs, cl, true, &t) == 0;
			free(cl);
			free(joined);
			if (!exists)
				continue;
		}
		mark_spec(g, kb_seq_push(ensure_seq(doc, "components"), text_node(c->str, c)));
		added++;
	}
	if (added)
		kb_strv_push(&g->notes, "components");
	return NULL;
}

static kb_error *emit_text(const kb_node *n, char **out)
{
	kb_buf b = KB_BUF_INIT;
	kb_error *e = kb_emit_doc(&b, n);
	if (e) {
		kb_buf_free(&b);
		return e;
	}
	*out = kb_buf_detach(&b);
	return NULL;
}

/* v1beta2's patchesStrategicMerge (objects) and patchesJson6902. */
static kb_error *apply_legacy_patches(kb_node *doc, const kb_node *spec, const char *file,
				      kb_flux_gen *g)
{
	const kb_node *list;
	kb_error *e = want_list(spec, "patchesStrategicMerge", file, &list);
	for (size_t i = 0; !e && list && i < list->n; i++) {
		const kb_node *p = list->items[i];
		if (p->kind != KB_MAP)
			return kb_error_new(file, p->line, p->col,
					    "unable to convert patch %zu to map[string]interface{}", i);
		char *text = NULL;
		e = emit_text(p, &text);
		if (!e)
			mark_spec(g, kb_seq_push(ensure_seq(doc, "patchesStrategicMerge"),
						 text_node(text, p)));
		free(text);
		if (!e && i == 0)
			kb_strv_push(&g->notes, "patchesStrategicMerge");
	}
	if (!e)
		e = want_list(spec, "patchesJson6902", file, &list);
	for (size_t i = 0; !e && list && i < list->n; i++) {
		const kb_node *p = list->items[i];
		if (p->kind != KB_MAP)
			return kb_error_new(file, p->line, p->col,
					    "unable to convert patch %zu to map[string]interface{}", i);
		const kb_node *ops = kb_map_get(p, "patch");
		const kb_node *tg = kb_map_get(p, "target");
		kb_node *out = kb_node_new(KB_MAP);
		out->line = p->line;
		out->col = p->col;
		char *text = NULL;
		if (ops && ops->kind == KB_SEQ) {
			e = emit_text(ops, &text);
		} else {
			kb_node *empty = kb_node_new(KB_SEQ);
			e = emit_text(empty, &text);
			kb_node_free(empty);
		}
		if (!e)
			kb_map_set(out, "patch", text_node(text, ops));
		free(text);
		if (tg && tg->kind == KB_MAP)
			kb_map_set(out, "target", adapt_selector(tg));
		mark_spec(g, kb_seq_push(ensure_seq(doc, "patchesJson6902"), out));
		if (!e && i == 0)
			kb_strv_push(&g->notes, "patchesJson6902");
	}
	return e;
}

static const char *img_field(const kb_node *im, const char *key)
{
	const kb_node *v = kb_map_get(im, key);
	return v && kb_node_is_scalar(v) && v->kind != KB_NULL && v->len ? kb_node_text(v) : NULL;
}

static void set_or_del(kb_flux_gen *g, kb_node *m, const char *key, const char *val,
		       const kb_node *pos)
{
	if (val && *val)
		mark_spec(g, kb_map_set(m, key, text_node(val, pos)));
	else
		kb_map_del(m, key);
}

static kb_error *apply_images(kb_node *doc, const kb_node *spec, const char *file, kb_flux_gen *g)
{
	const kb_node *list;
	kb_error *e = want_list(spec, "images", file, &list);
	if (e || !list)
		return e;
	for (size_t i = 0; i < list->n; i++) {
		const kb_node *im = list->items[i];
		if (im->kind != KB_MAP)
			return kb_error_new(file, im->line, im->col,
					    "unable to convert patch %zu to map[string]interface{}", i);
		const char *name = img_field(im, "name");
		const char *nn = img_field(im, "newName"), *nt = img_field(im, "newTag"),
			   *dg = img_field(im, "digest");
		kb_node *imgs = kb_map_get(doc, "images");
		kb_node *found = NULL;
		for (size_t j = 0; imgs && imgs->kind == KB_SEQ && j < imgs->n; j++) {
			kb_node *x = imgs->items[j];
			const char *xn = x->kind == KB_MAP ? kb_map_get_str(x, "name") : NULL;
			if (kb_streq(xn, name ? name : "")) {
				found = x;
				break;
			}
		}
		if (found) {
			/* newName alone keeps the tag; newTag and digest go
			 * together (setting one clears the other) */
			if (nn)
				set_or_del(g, found, "newName", nn, im);
			if (nt || dg) {
				set_or_del(g, found, "newTag", nt, im);
				set_or_del(g, found, "digest", dg, im);
			}
		} else {
			kb_node *x = kb_node_new(KB_MAP);
			x->line = im->line;
			x->col = im->col;
			set_or_del(g, x, "name", name, im);
			set_or_del(g, x, "newName", nn, im);
			set_or_del(g, x, "newTag", nt, im);
			set_or_del(g, x, "digest", dg, im);
			mark_spec(g, kb_seq_push(ensure_seq(doc, "images"), x));
		}
	}
	if (list->n)
		kb_strv_push(&g->notes, "images");
	return NULL;
}

static size_t seq_len(const kb_node *doc, const char *key)
{
	const kb_node *v = kb_map_get(doc, key);
	return v && v->kind == KB_SEQ ? v->n : 0;
}

kb_error *kb_flux_generate(const kb_fs *fs, const char *dir, const kb_node *ks,
			   const char *ks_file, const kb_parse_limits *lim, kb_flux_gen *out)
{
	memset(out, 0, sizeof(*out));
	const kb_node *spec = kb_map_get(ks, "spec");
	if (spec && spec->kind != KB_MAP)
		spec = NULL;
	kb_node *orig = NULL; /* the file as read, for "did anything change" */
	kb_error *e = NULL;

	for (size_t i = 0; i < 3 && !out->kfile; i++) {
		char *p = kb_path_join(dir, kb_kust_filenames[i]);
		if (is_file(fs, p))
			out->kfile = p;
		else
			free(p);
	}
	if (out->kfile) {
		size_t len;
		char *text = kb_fs_read(fs, out->kfile, &len);
		char *disp = kb_path_display(out->kfile);
		if (!text) {
			e = kb_error_new(disp, 0, 0, "cannot read: %s", strerror(errno));
			free(disp);
			goto fail;
		}
		kb_parse_limits klim = lim ? *lim : (kb_parse_limits){ 0 };
		klim.dup_keys_last_wins = true;
		klim.keep_timestamps = true;
		klim.yaml11_bools = true;
		kb_node **docs = NULL;
		size_t nd = 0;
		e = kb_yaml_parse(disp, text, len, &klim, &docs, &nd);
		free(text);
		if (e) {
			free(disp);
			goto fail;
		}
		/* sigs.k8s.io/yaml reads the first document only */
		if (nd > 0 && docs[0]->kind != KB_MAP && docs[0]->kind != KB_NULL) {
			e = kb_error_new(disp, docs[0]->line, docs[0]->col,
					 "a kustomization file must hold a YAML mapping");
			kb_docs_free(docs, nd);
			free(disp);
			goto fail;
		}
		if (nd > 1)
			kb_strv_push_owned(&out->notes,
					   kb_xstrdup("only the first YAML document (kustomize-controller "
						      "reads no more)"));
		out->doc = nd > 0 && docs[0]->kind == KB_MAP ? kb_node_clone(docs[0])
							     : kb_node_new(KB_MAP);
		orig = kb_node_clone(out->doc);
		kb_docs_free(docs, nd);
		free(disp);
		kb_kust_prune_unknown(out->doc, &out->dropped);
		/* (the Go struct also writes apiVersion and kind when the file
		 * has none; kustomize reads both the same, so they are left) */
		if (seq_len(out->doc, "resources") == 0) {
			/* "to avoid kustomization.yaml is empty" */
			kb_node *bm = kb_node_new(KB_SEQ);
			kb_seq_push(bm, kb_node_new_str("originAnnotations"));
			kb_map_set(out->doc, "buildMetadata", bm);
			kb_map_del(out->doc, "resources");
		}
	} else {
		out->created = true;
		out->kfile = kb_path_join(dir, "kustomization.yaml");
		out->doc = kb_node_new(KB_MAP);
		kb_map_set(out->doc, "apiVersion", kb_node_new_str("kustomize.config.k8s.io/v1beta1"));
		kb_map_set(out->doc, "kind", kb_node_new_str("Kustomization"));
		kb_node *res = kb_node_new(KB_SEQ);
		e = scan(fs, dir, dir, res, 0);
		if (e) {
			kb_node_free(res);
			goto fail;
		}
		if (res->n == 0) {
			kb_node_free(res);
			kb_map_set(out->doc, "namespace", kb_node_new_str("_placeholder"));
		} else {
			kb_map_set(out->doc, "resources", res);
		}
	}

	if (spec) {
		const char *s;
		const kb_node *v;
		if ((s = spec_str(spec, "targetNamespace"))) {
			v = kb_map_get(spec, "targetNamespace");
			mark_spec(out, kb_map_set(out->doc, "namespace", text_node(s, v)));
			kb_strv_push(&out->notes, "targetNamespace");
		}
		if ((s = spec_str(spec, "namePrefix"))) {
			mark_spec(out, kb_map_set(out->doc, "namePrefix",
						  text_node(s, kb_map_get(spec, "namePrefix"))));
			kb_strv_push(&out->notes, "namePrefix");
		}
		if ((s = spec_str(spec, "nameSuffix"))) {
			mark_spec(out, kb_map_set(out->doc, "nameSuffix",
						  text_node(s, kb_map_get(spec, "nameSuffix"))));
			kb_strv_push(&out->notes, "nameSuffix");
		}
		e = apply_patches(out->doc, spec, ks_file, out);
		if (!e)
			e = apply_components(fs, dir, out->doc, spec, ks_file, out);
		if (!e)
			e = apply_legacy_patches(out->doc, spec, ks_file, out);
		if (!e)
			e = apply_images(out->doc, spec, ks_file, out);
		if (!e) {
			const kb_node *bm;
			e = want_list(spec, "buildMetadata", ks_file, &bm);
			if (!e && bm && bm->n) {
				kb_node *c = kb_node_clone(bm);
				mark_spec(out, kb_map_set(out->doc, "buildMetadata", c));
				kb_strv_push(&out->notes, "buildMetadata");
			}
		}
		if (e)
			goto fail;
	}

	if (out->created || !kb_node_equal(orig, out->doc)) {
		kb_buf b = KB_BUF_INIT;
		e = kb_emit_doc(&b, out->doc);
		if (e) {
			kb_buf_free(&b);
			goto fail;
		}
		out->len = b.len;
		out->data = kb_buf_detach(&b);
	}
	kb_node_free(orig);
	return NULL;
fail:
	kb_node_free(orig);
	kb_flux_gen_free(out);
	return e;
}

/* ---- positions ---- */

static bool is_spec(const kb_flux_gen *g, const kb_node *n)
{
	for (size_t i = 0; i < g->nfrom_spec; i++)
		if (g->from_spec[i] == n)
			return true;
	return false;
}

/* Looks for (line, col) in r (the re-parsed text), walking d (the tree it
 * was emitted from) alongside. */
static int find_pos(const kb_flux_gen *g, const kb_node *r, const kb_node *d, bool spec,
		    unsigned line, unsigned col, unsigned *ol, unsigned *oc)
{
	spec = spec || is_spec(g, d);
	if (r->line == line && (r->col == col || col == 0)) {
		*ol = d->line;
		*oc = d->col;
		return !d->line ? KB_GEN_POS_NONE : spec ? KB_GEN_POS_SPEC : KB_GEN_POS_KFILE;
	}
	if (r->kind == KB_MAP && d->kind == KB_MAP) {
		for (size_t i = 0; i < r->n; i++) {
			const kb_pair *rp = &r->pairs[i];
			const kb_pair *dp = kb_map_get_pair(d, rp->key);
			if (!dp)
				continue;
			if (rp->line == line && (rp->col == col || col == 0)) {
				bool s2 = spec || is_spec(g, dp->val);
				*ol = dp->line;
				*oc = dp->col;
				return !dp->line ? KB_GEN_POS_NONE : s2 ? KB_GEN_POS_SPEC : KB_GEN_POS_KFILE;
			}
			int m = find_pos(g, rp->val, dp->val, spec, line, col, ol, oc);
			if (m >= 0)
				return m;
		}
	} else if (r->kind == KB_SEQ && d->kind == KB_SEQ) {
		for (size_t i = 0; i < r->n && i < d->n; i++) {
			int m = find_pos(g, r->items[i], d->items[i], spec, line, col, ol, oc);
			if (m >= 0)
				return m;
		}
	}
	return -1;
}

int kb_flux_gen_map_pos(kb_flux_gen *g, unsigned line, unsigned col, unsigned *oline,
			unsigned *ocol)
{
	*oline = *ocol = 0;
	if (!g->data || !line)
		return KB_GEN_POS_NONE;
	if (!g->reparsed) {
		kb_parse_limits lim = { 0 };
		lim.dup_keys_last_wins = true;
		lim.keep_timestamps = true;
		lim.yaml11_bools = true;
		kb_error *e = kb_yaml_parse_one(NULL, g->data, g->len, &lim, &g->reparsed);
		if (e) {
			kb_error_free(e);
			return KB_GEN_POS_NONE;
		}
		if (!g->reparsed)
			return KB_GEN_POS_NONE;
	}
	int m = find_pos(g, g->reparsed, g->doc, false, line, col, oline, ocol);
	if (m < 0) {
		*oline = *ocol = 0;
		return KB_GEN_POS_NONE;
	}
	if (m == KB_GEN_POS_NONE)
		*oline = *ocol = 0;
	return m;
}
