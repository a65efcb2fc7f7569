/*
 * fixvars.c - `edit fix --vars` (kustomize v5.5.0 edit/fix/convert.go).
 *
 * Every var becomes a replacement: its source is the var's objref and
 * fieldref; its targets are the fields, in the resource and patch files
 * the kustomization (and the kustomizations of its directory resources)
 * names, whose value mentions $(VAR); each mention becomes
 * VAR_PLACEHOLDER in the file.  Differences from kustomize, which are
 * its bugs: replacements already in the file are kept (kustomize drops
 * them), an objref given as group/version rather than apiVersion keeps
 * them, and nested kustomization directories resolve their paths from
 * the right directory.
 */
#include "fix.h"
#include "fs.h"
#include "ops.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>

typedef struct vfile {
	char *rel;            /* relative to the kustomization */
	const ed_node *patch; /* the patches entry naming it, or NULL */
	ed_node *patch_copy;
} vfile;

typedef struct vfiles {
	vfile *v;
	size_t n, cap;
} vfiles;

static void vf_add(vfiles *f, const char *rel, const ed_node *patch)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].rel, rel) == 0) {
			if (patch && !f->v[i].patch_copy)
				f->v[i].patch_copy = ed_node_copy(patch);
			return;
		}
	kb_grow((void **)&f->v, &f->cap, f->n + 1, sizeof(*f->v));
	f->v[f->n].rel = kb_xstrdup(rel);
	f->v[f->n].patch = NULL;
	f->v[f->n].patch_copy = patch ? ed_node_copy(patch) : NULL;
	f->n++;
}

static char *join_rel(const char *base, const char *p)
{
	if (!*base || p[0] == '/')
		return kb_xstrdup(p);
	return kb_xasprintf("%s/%s", base, p);
}

/* filesTouchedByKustomize */
static void touched(ed_tx *t, const ed_node *k, const char *base, vfiles *out, int depth)
{
	if (depth > 32)
		return;
	const ed_node *res = op_get(k, "resources");
	for (size_t i = 0; res && res->kind == ED_SEQ && i < res->n; i++) {
		const char *r = ed_str(res->items[i]);
		if (!r)
			continue;
		char *rel = join_rel(base, r);
		char *abs = ed_abs(t->e, rel);
		if (kb_fs_is_dir(t->e->fs, abs)) {
			for (size_t f = 0; f < 3; f++) {
				static const char *const names[] = { "kustomization.yaml",
								     "kustomization.yml", "Kustomization" };
				char *kp = kb_path_join(abs, names[f]);
				size_t len;
				char *text = kb_fs_read(t->e->fs, kp, &len);
				free(kp);
				if (!text)
					continue;
				ed_doc *d = NULL;
				kb_error *err = ed_parse(names[f], text, len, &d);
				free(text);
				if (!err && d->root && d->root->kind == ED_MAP)
					touched(t, d->root, rel, out, depth + 1);
				kb_error_free(err);
				ed_doc_free(d);
			}
		}
		free(abs);
		vf_add(out, rel, NULL);
		free(rel);
	}
	const ed_node *patches = op_get(k, "patches");
	for (size_t i = 0; patches && patches->kind == ED_SEQ && i < patches->n; i++) {
		const char *p = op_str(patches->items[i], "path");
		if (!*p)
			continue;
		char *rel = join_rel(base, p);
		vf_add(out, rel, patches->items[i]);
		free(rel);
	}
}

typedef struct hit {
	char *path;
	char *delim; /* NULL: no options */
	long index;
} hit;

typedef struct hits {
	hit *v;
	size_t n, cap;
} hits;

static kb_error *field_options(const char *value, const char *vs, hit *h)
{
	size_t vl = strlen(value), sl = strlen(vs);
	h->delim = NULL;
	h->index = 0;
	if (strcmp(value, vs) == 0)
		return NULL;
	const char *at = strstr(value, vs);
	size_t i = (size_t)(at - value);
	char d[2] = { 0, 0 };
	if (i == 0) {
		d[0] = value[sl];
		h->index = 0;
	} else if (i + sl >= vl) {
		d[0] = value[i - 1];
		long parts = 1;
		for (const char *c = value; *c; c++)
			parts += *c == d[0];
		h->index = parts - 1;
	} else {
		char pre = value[i - 1], post = value[i + sl];
		if (pre != post)
			return kb_error_new(NULL, 0, 0,
					    "cannot convert all vars to replacements; %s is not "
					    "delimited",
					    vs);
		d[0] = pre;
		/* the index of the part that is exactly vs */
		long idx = 0;
		const char *s = value;
		for (;;) {
			const char *e = strchr(s, d[0]);
			size_t l = e ? (size_t)(e - s) : strlen(s);
			if (l == sl && memcmp(s, vs, sl) == 0)
				break;
			if (!e) {
				idx = -1;
				break;
			}
			idx++;
			s = e + 1;
		}
		if (idx < 0)
			return kb_error_new(NULL, 0, 0, "internal error: could not get index of var %s",
					    vs);
		h->index = idx;
	}
	h->delim = kb_xstrdup(d);
	return NULL;
}

static kb_error *find_var(const kb_node *n, const char *vs, kb_strv *path, hits *out)
{
	kb_error *err = NULL;
	switch (n->kind) {
	case KB_SEQ:
		for (size_t i = 0; i < n->n && !err; i++) {
			kb_strv_push_owned(path, kb_xasprintf("%zu", i));
			err = find_var(n->items[i], vs, path, out);
			free(path->v[--path->n]);
		}
		return err;
	case KB_MAP:
		for (size_t i = 0; i < n->n && !err; i++) {
			const char *k = n->pairs[i].key;
			kb_strv_push_owned(path, strchr(k, '.') ? kb_xasprintf("[%s]", k) : kb_xstrdup(k));
			err = find_var(n->pairs[i].val, vs, path, out);
			free(path->v[--path->n]);
		}
		return err;
	default:
		if (n->str && strstr(n->str, vs)) {
			hit h;
			err = field_options(n->str, vs, &h);
			if (err)
				return err;
			kb_buf b = KB_BUF_INIT;
			for (size_t i = 0; i < path->n; i++) {
				if (i)
					kb_buf_putc(&b, '.');
				kb_buf_puts(&b, path->v[i]);
			}
			h.path = kb_buf_detach(&b);
			kb_grow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
			out->v[out->n++] = h;
		}
		return NULL;
	}
}

static void split_gv(const char *av, char **g, char **v)
{
	const char *s = strchr(av, '/');
	*g = s ? kb_xstrndup(av, (size_t)(s - av)) : kb_xstrdup("");
	*v = kb_xstrdup(s ? s + 1 : av);
}

static void put(ed_node *m, const char *k, const char *v)
{
	if (v && *v)
		ed_map_append(m, k, ed_new_str(v));
}

static ed_node *options_node(const hit *h)
{
	if (!h->delim)
		return NULL;
	ed_node *o = ed_new_map();
	ed_map_append(o, "delimiter", ed_new_str(h->delim));
	if (h->index) {
		char *s = kb_xasprintf("%ld", h->index);
		ed_map_append(o, "index", ed_new_scalar(s, KB_INT));
		free(s);
	}
	return o;
}

/* The targets in one document of file f. */
static void targets_of(const vfile *f, const kb_node *doc, const hits *hs, ed_node *targets)
{
	const char *name = kb_node_get_str(doc, "metadata", "name", NULL);
	const char *ns = kb_node_get_str(doc, "metadata", "namespace", NULL);
	const char *kind = kb_map_get_str(doc, "kind");
	const char *av = kb_map_get_str(doc, "apiVersion");
	const ed_node *patch = f->patch_copy;
	const ed_node *opts = patch ? op_get(patch, "options") : NULL;
	bool allow_name = opts && ed_is_str(op_get(opts, "allowNameChange"), "true");
	bool allow_kind = opts && ed_is_str(op_get(opts, "allowKindChange"), "true");
	bool as_patch = patch && (!allow_name || !allow_kind);
	for (size_t i = 0; i < hs->n; i++) {
		ed_node *t = ed_new_map();
		ed_node *fps = ed_new_seq();
		ed_seq_push(fps, ed_new_str(hs->v[i].path));
		ed_map_append(t, "fieldPaths", fps);
		ed_node *o = options_node(&hs->v[i]);
		if (o)
			ed_map_append(t, "options", o);
		ed_node *sel = ed_new_map();
		if (as_patch) {
			/* the patch's target, with what the patch may change */
			const ed_node *tg = op_get(patch, "target");
			static const char *const keys[] = { "annotationSelector", "group", "kind",
							    "labelSelector", "name", "namespace",
							    "version" };
			for (size_t k = 0; k < 7; k++) {
				const char *v = tg ? op_str(tg, keys[k]) : "";
				if (strcmp(keys[k], "name") == 0 && allow_name)
					v = name ? name : "";
				if (strcmp(keys[k], "kind") == 0 && allow_kind)
					v = kind ? kind : "";
				if (strcmp(keys[k], "namespace") == 0 && ns && *ns)
					v = ns;
				put(sel, keys[k], v);
			}
		} else {
			char *g = NULL, *v = NULL;
			if (av && *av)
				split_gv(av, &g, &v);
			put(sel, "group", g);
			put(sel, "kind", kind);
			put(sel, "name", name);
			put(sel, "namespace", ns);
			put(sel, "version", v);
			free(g);
			free(v);
		}
		ed_map_append(t, "select", sel);
		ed_seq_push(targets, t);
	}
}

static char *replace_all(const char *s, size_t len, const char *from, const char *to,
			 size_t *outlen)
{
	kb_buf b = KB_BUF_INIT;
	size_t fl = strlen(from);
	size_t i = 0;
	while (i < len) {
		const char *at = fl ? strstr(s + i, from) : NULL;
		if (!at || (size_t)(at - s) >= len) {
			kb_buf_append(&b, s + i, len - i);
			break;
		}
		kb_buf_append(&b, s + i, (size_t)(at - s) - i);
		kb_buf_puts(&b, to);
		i = (size_t)(at - s) + fl;
	}
	*outlen = b.len;
	return kb_buf_detach(&b);
}

kb_error *ed_fix_vars(ed_tx *t)
{
	ed_node *vars = op_get(t->m, "vars");
	if (!vars || vars->kind != ED_SEQ) {
		op_del(t->m, "vars");
		return NULL;
	}
	vfiles files = { 0 };
	touched(t, t->m, "", &files, 0);
	/* the current text of each file (earlier vars may have changed it) */
	char **texts = kb_xcalloc(files.n ? files.n : 1, sizeof(char *));
	size_t *lens = kb_xcalloc(files.n ? files.n : 1, sizeof(size_t));
	for (size_t i = 0; i < files.n; i++) {
		char *abs = ed_abs(t->e, files.v[i].rel);
		texts[i] = kb_fs_is_file(t->e->fs, abs) ? kb_fs_read(t->e->fs, abs, &lens[i]) : NULL;
		free(abs);
	}
	bool *changed = kb_xcalloc(files.n ? files.n : 1, sizeof(bool));
	ed_node *repls = ed_new_seq();
	kb_error *err = NULL;
	for (size_t vi = 0; vi < vars->n && !err; vi++) {
		const ed_node *v = vars->items[vi];
		const char *vname = op_str(v, "name");
		char *vs = kb_xasprintf("$(%s)", vname);
		ed_node *targets = ed_new_seq();
		for (size_t fi = 0; fi < files.n && !err; fi++) {
			if (!texts[fi])
				continue;
			kb_node **docs = NULL;
			size_t nd = 0;
			kb_error *perr = kb_yaml_parse(files.v[fi].rel, texts[fi], lens[fi], NULL, &docs,
						       &nd);
			if (perr) {
				kb_error_free(perr);
				continue;
			}
			for (size_t d = 0; d < nd && !err; d++) {
				hits hs = { 0 };
				kb_strv path = { 0 };
				err = find_var(docs[d], vs, &path, &hs);
				if (err) {
					char *m = kb_xasprintf("error with %s: %s", files.v[fi].rel,
							       err->primary.msg);
					free(err->primary.msg);
					err->primary.msg = m;
				} else {
					targets_of(&files.v[fi], docs[d], &hs, targets);
				}
				for (size_t h = 0; h < hs.n; h++) {
					free(hs.v[h].path);
					free(hs.v[h].delim);
				}
				free(hs.v);
				kb_strv_free(&path);
			}
			kb_docs_free(docs, nd);
		}
		/* source: the var's object and field */
		ed_node *src = ed_new_map();
		const ed_node *obj = op_get(v, "objref");
		const ed_node *fr = op_get(v, "fieldref");
		char *g = NULL, *ver = NULL;
		const char *av = obj ? op_str(obj, "apiVersion") : "";
		if (*av) {
			split_gv(av, &g, &ver);
		} else if (obj) {
			g = kb_xstrdup(op_str(obj, "group"));
			ver = kb_xstrdup(op_str(obj, "version"));
		}
		put(src, "fieldPath", fr ? op_str(fr, "fieldPath") : NULL);
		put(src, "group", g);
		put(src, "kind", obj ? op_str(obj, "kind") : NULL);
		put(src, "name", obj ? op_str(obj, "name") : NULL);
		put(src, "namespace", obj ? op_str(obj, "namespace") : NULL);
		put(src, "version", ver);
		free(g);
		free(ver);
		ed_node *r = ed_new_map();
		ed_map_append(r, "source", src);
		if (targets->n)
			ed_map_append(r, "targets", targets);
		else
			ed_node_free(targets);
		ed_seq_push(repls, r);
		/* setPlaceholderValue */
		char *ph = kb_xasprintf("%s_PLACEHOLDER", vname);
		for (size_t fi = 0; fi < files.n && !err; fi++) {
			if (!texts[fi] || !strstr(texts[fi], vs))
				continue;
			size_t nl;
			char *nt = replace_all(texts[fi], lens[fi], vs, ph, &nl);
			free(texts[fi]);
			texts[fi] = nt;
			lens[fi] = nl;
			changed[fi] = true;
		}
		free(ph);
		free(vs);
	}
	if (!err) {
		for (size_t fi = 0; fi < files.n; fi++)
			if (changed[fi]) {
				char *abs = ed_abs(t->e, files.v[fi].rel);
				ed_tx_file(t, abs, texts[fi], lens[fi]);
				free(abs);
			}
		ed_pair *rp = ed_map_pair_ci(t->m, "replacements");
		ed_pair *vp = ed_map_pair_ci(t->m, "vars");
		if (!rp) {
			/* vars: ... becomes replacements: ... in its place */
			ed_set_scalar(vp->key, "replacements", KB_STR);
			ed_pair_set(vp, repls);
			repls = NULL;
		} else {
			ed_node *list = op_list(t->m, "replacements");
			while (repls->n)
				ed_seq_push(list, ed_seq_take(repls, 0));
			vp = ed_map_pair_ci(t->m, "vars");
			ed_map_remove(t->m, ed_map_index(t->m, vp));
		}
	}
	ed_node_free(repls);
	for (size_t i = 0; i < files.n; i++) {
		free(files.v[i].rel);
		ed_node_free(files.v[i].patch_copy);
		free(texts[i]);
	}
	free(files.v);
	free(texts);
	free(lens);
	free(changed);
	return err;
}
