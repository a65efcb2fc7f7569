/*
 * artifact.c - ArtifactGenerator copy rules (artifact.h), after
 * source-watcher's internal/builder/builder.go.
 */
#include "artifact.h"
#include "emit.h"
#include "fs.h"
#include "glob.h"
#include "parse.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct kb_flux_artifact {
	char *vroot;
	kb_strv paths;   /* staged, relative to vroot */
	kb_strv origins; /* parallel: where each came from (display) */
	char **abs;      /* parallel: vroot/path, for kb_flux_artifact_origin */
};

void kb_flux_artifact_free(kb_flux_artifact *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->paths.n; i++)
		free(a->abs[i]);
	free(a->abs);
	kb_strv_free(&a->paths);
	kb_strv_free(&a->origins);
	free(a->vroot);
	free(a);
}

const char *kb_flux_artifact_origin(const kb_flux_artifact *a, const char *path)
{
	if (!a || !path)
		return NULL;
	for (size_t i = 0; i < a->paths.n; i++)
		if (strcmp(a->abs[i], path) == 0)
			return a->origins.v[i];
	return NULL;
}

static bool glob_chars(const char *s)
{
	return strpbrk(s, "*?[]") != NULL;
}

char *kb_flux_glob_literal_prefix(const char *pattern)
{
	char *c = kb_flux_secure_join("/", pattern);
	kb_buf b = KB_BUF_INIT;
	char *save = NULL;
	for (char *t = strtok_r(c, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (glob_chars(t))
			break;
		if (b.len)
			kb_buf_putc(&b, '/');
		kb_buf_puts(&b, t);
	}
	free(c);
	return b.len ? kb_buf_detach(&b) : (kb_buf_free(&b), kb_xstrdup("."));
}

typedef struct job {
	const kb_node *spec;
	const char *file;
	unsigned line, col;
	kb_memfs *mem;
	kb_flux_artifact *art;
	const kb_flux_art_source *src;
	const kb_flux_art_source *srcs;
	size_t nsrc;
	const kb_node *exclude;
	bool merge;
} job;

/* ---- the source side: paths relative to the source root, "." the root ---- */

static bool src_is_dir(const job *j, const char *rel)
{
	return strcmp(rel, ".") == 0 || kb_flux_view_has_dir(j->src->view, rel);
}

static bool src_is_file(const job *j, const char *rel)
{
	return kb_flux_view_has_file(j->src->view, rel);
}

static char *src_abs(const job *j, const char *rel)
{
	const char *root = kb_flux_view_root(j->src->view);
	return strcmp(rel, ".") == 0 ? kb_xstrdup(root) : kb_xasprintf("%s/%s", root, rel);
}

/* Names directly inside dir, sorted (ReadDir). */
static void src_children(const job *j, const char *dir, kb_strv *out)
{
	char **names = NULL;
	size_t n = 0;
	char *abs = src_abs(j, dir);
	const kb_fs *fs = kb_flux_view_fs(j->src->view);
	if (kb_fs_list(fs, abs, &names, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			kb_strv_push_owned(out, names[i]);
		free(names);
	}
	free(abs);
	for (size_t a = 1; a < out->n; a++)
		for (size_t b = a; b > 0 && strcmp(out->v[b - 1], out->v[b]) > 0; b--) {
			char *t = out->v[b];
			out->v[b] = out->v[b - 1];
			out->v[b - 1] = t;
		}
}

static char *join_rel(const char *a, const char *b)
{
	if (!*a || strcmp(a, ".") == 0)
		return kb_xstrdup(b);
	return kb_xasprintf("%s/%s", a, b);
}

/* Go's fs.Glob over the source. */
static int src_glob(const job *j, const char *pattern, kb_strv *out, int depth)
{
	if (depth > 64)
		return -1;
	if (!strpbrk(pattern, "*?[\\")) {
		if (src_is_dir(j, pattern) || src_is_file(j, pattern))
			kb_strv_push(out, pattern);
		return 0;
	}
	const char *sl = strrchr(pattern, '/');
	char *dir = sl ? kb_xstrndup(pattern, (size_t)(sl - pattern)) : kb_xstrdup(".");
	const char *file = sl ? sl + 1 : pattern;
	if (!*dir) {
		free(dir);
		dir = kb_xstrdup("/");
	}
	kb_strv dirs = { 0 };
	if (!strpbrk(dir, "*?[\\")) {
		kb_strv_push(&dirs, dir);
	} else if (strcmp(dir, pattern) == 0 || src_glob(j, dir, &dirs, depth + 1) < 0) {
		free(dir);
		kb_strv_free(&dirs);
		return -1;
	}
	for (size_t d = 0; d < dirs.n; d++) {
		if (!src_is_dir(j, dirs.v[d]))
			continue;
		kb_strv names = { 0 };
		src_children(j, dirs.v[d], &names);
		for (size_t i = 0; i < names.n; i++) {
			int m = kb_go_match_mode(file, strlen(file), names.v[i], strlen(names.v[i]),
						 KB_MATCH_GO);
			if (m < 0) {
				kb_strv_free(&names);
				kb_strv_free(&dirs);
				free(dir);
				return -1;
			}
			if (m == 1)
				kb_strv_push_owned(out, join_rel(dirs.v[d], names.v[i]));
		}
		kb_strv_free(&names);
	}
	kb_strv_free(&dirs);
	free(dir);
	return 0;
}

/* ---- excludes (shouldExcludePath) ---- */

static bool excluded_by(const job *j, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	for (size_t i = 0; j->exclude && j->exclude->kind == KB_SEQ && i < j->exclude->n; i++) {
		const char *p = kb_node_is_scalar(j->exclude->items[i]) ? j->exclude->items[i]->str : NULL;
		if (!p)
			continue;
		if (kb_doublestar_match(p, path))
			return true;
		if (!strchr(p, '/') && kb_doublestar_match(p, base))
			return true;
	}
	return false;
}

static bool should_exclude(const job *j, const char *path, const char *base)
{
	if (excluded_by(j, path))
		return true;
	const char *rel;
	if (!*base || strcmp(base, ".") == 0)
		rel = path;
	else {
		size_t bl = strlen(base);
		if (strncmp(path, base, bl) != 0 || (path[bl] != '/' && path[bl] != '\0'))
			return false;
		rel = path[bl] ? path + bl + 1 : ".";
	}
	if (strcmp(rel, ".") == 0 || strcmp(rel, path) == 0)
		return false;
	return excluded_by(j, rel);
}

/* ---- the staging side ---- */

static bool staged_file(const job *j, const char *rel)
{
	return kb_strv_contains(&j->art->paths, rel);
}

static bool staged_dir(const job *j, const char *rel)
{
	size_t n = strlen(rel);
	if (!*rel || strcmp(rel, ".") == 0)
		return true;
	for (size_t i = 0; i < j->art->paths.n; i++)
		if (strncmp(j->art->paths.v[i], rel, n) == 0 && j->art->paths.v[i][n] == '/')
			return true;
	return false;
}

static char *dest_clean(const char *rel)
{
	char *c = kb_flux_secure_join("/", rel);
	char *r = kb_xstrdup(c + 1);
	free(c);
	return r;
}

static void stage(job *j, const char *dest, const char *data, size_t len, const char *origin)
{
	char *d = dest_clean(dest);
	char *abs = kb_xasprintf("%s/%s", j->art->vroot, d);
	kb_memfs_add(j->mem, abs, data, len);
	for (size_t i = 0; i < j->art->paths.n; i++)
		if (strcmp(j->art->paths.v[i], d) == 0) {
			free(j->art->origins.v[i]);
			j->art->origins.v[i] = kb_xstrdup(origin);
			free(abs);
			free(d);
			return;
		}
	kb_strv_push_owned(&j->art->paths, d);
	kb_strv_push(&j->art->origins, origin);
	j->art->abs = kb_xrealloc(j->art->abs, j->art->paths.n * sizeof(char *));
	j->art->abs[j->art->paths.n - 1] = abs;
}

static char *origin_of(const job *j, const char *rel)
{
	char *abs = src_abs(j, rel);
	const char *o = kb_flux_artifact_origin(j->src->art, abs);
	char *r = o ? kb_xstrdup(o) : kb_path_display(abs);
	free(abs);
	return r;
}

static kb_error *read_src(const job *j, const char *rel, char **data, size_t *len)
{
	char *abs = src_abs(j, rel);
	*data = kb_fs_read(kb_flux_view_fs(j->src->view), abs, len);
	free(abs);
	if (!*data)
		return kb_error_new(j->file, j->line, j->col, "cannot read '%s' of source '%s'", rel,
				    j->src->alias);
	return NULL;
}

/* mergeMap: nested maps merge, anything else is replaced */
static void merge_map(kb_node *base, const kb_node *overlay)
{
	for (size_t i = 0; i < overlay->n; i++) {
		const kb_pair *p = &overlay->pairs[i];
		kb_node *bv = kb_map_get(base, p->key);
		if (p->val->kind == KB_MAP && bv && bv->kind == KB_MAP)
			merge_map(bv, p->val);
		else
			kb_map_set(base, p->key, kb_node_clone(p->val));
	}
}

/* loadYAML: all documents merged into one map */
static kb_error *load_merged(const char *name, const char *text, size_t len, kb_node **out)
{
	kb_parse_limits lim = { 0 };
	lim.yaml11_bools = true;
	lim.keep_timestamps = true;
	kb_node **docs = NULL;
	size_t nd = 0;
	kb_error *e = kb_yaml_parse(name, text, len, &lim, &docs, &nd);
	if (e)
		return e;
	kb_node *m = kb_node_new(KB_MAP);
	for (size_t i = 0; i < nd; i++) {
		if (docs[i]->kind != KB_MAP) {
			if (docs[i]->kind != KB_NULL) {
				e = kb_error_new(name, docs[i]->line, docs[i]->col,
						 "cannot merge: the document is not a mapping");
				break;
			}
			continue;
		}
		merge_map(m, docs[i]);
	}
	kb_docs_free(docs, nd);
	if (e) {
		kb_node_free(m);
		return e;
	}
	*out = m;
	return NULL;
}


static kb_error *copy_file(job *j, const char *srcrel, const char *dest)
{
	char *data;
	size_t len;
	kb_error *e = read_src(j, srcrel, &data, &len);
	if (e)
		return e;
	char *origin = origin_of(j, srcrel);
	char *d = dest_clean(dest);
	if (j->merge && staged_file(j, d)) {
		char *abs = kb_xasprintf("%s/%s", j->art->vroot, d);
		size_t olen;
		char *old = kb_fs_read(kb_memfs_fs(j->mem), abs, &olen);
		kb_node *a = NULL, *b = NULL;
		e = load_merged(abs, old ? old : "", old ? olen : 0, &a);
		if (!e)
			e = load_merged(origin, data, len, &b);
		if (!e) {
			merge_map(a, b);
			kb_buf out = KB_BUF_INIT;
			e = kb_emit_doc(&out, a);
			if (!e)
				stage(j, d, out.data ? out.data : "", out.len, origin);
			kb_buf_free(&out);
		}
		kb_node_free(a);
		kb_node_free(b);
		free(old);
		free(abs);
	} else {
		stage(j, d, data, len, origin);
	}
	free(d);
	free(origin);
	free(data);
	return e;
}

static kb_error *copy_dir(job *j, const char *srcrel, const char *dest, const char *base, int depth)
{
	if (depth > 256)
		return kb_error_new(j->file, j->line, j->col, "directory tree too deep");
	kb_strv names = { 0 };
	src_children(j, srcrel, &names);
	kb_error *e = NULL;
	for (size_t i = 0; i < names.n && !e; i++) {
		char *p = join_rel(srcrel, names.v[i]);
		char *d = kb_xasprintf("%s/%s", dest, names.v[i]);
		if (!should_exclude(j, p, base)) {
			if (src_is_dir(j, p))
				e = copy_dir(j, p, d, base, depth + 1);
			else if (src_is_file(j, p)) {
				bool m = j->merge;
				j->merge = false; /* copyDirWithRoots never merges */
				e = copy_file(j, p, d);
				j->merge = m;
			}
		}
		free(p);
		free(d);
	}
	kb_strv_free(&names);
	return e;
}

static kb_error *copy_entry(job *j, const char *srcrel, const char *dest, const char *base)
{
	if (src_is_dir(j, srcrel))
		return copy_dir(j, srcrel, dest, base, 0);
	return copy_file(j, srcrel, dest);
}

static char *path_base(const char *p)
{
	const char *s = strrchr(p, '/');
	return kb_xstrdup(s ? s + 1 : p);
}

static kb_error *apply_op(job *j, const kb_node *op, size_t idx)
{
	const char *from = kb_map_get_str(op, "from");
	const char *to = kb_map_get_str(op, "to");
	const char *strategy = kb_map_get_str(op, "strategy");
	j->line = op->line;
	j->col = op->col;
	j->exclude = kb_map_get(op, "exclude");
	j->merge = kb_streq(strategy, "Merge");
	if (kb_streq(strategy, "Extract"))
		return kb_error_new(j->file, op->line, op->col,
				    "copy[%zu]: strategy Extract (tarballs) is not supported offline", idx);
	if (!from || from[0] != '@' || !strchr(from, '/'))
		return kb_error_new(j->file, op->line, op->col,
				    "copy[%zu]: invalid copy source '%s': source format must be "
				    "'@alias/pattern'",
				    idx, from ? from : "");
	if (!to || !kb_str_has_prefix(to, "@artifact/"))
		return kb_error_new(j->file, op->line, op->col,
				    "copy[%zu]: invalid copy destination '%s': destination must start "
				    "with '@artifact/'",
				    idx, to ? to : "");
	const char *sl = strchr(from, '/');
	char *alias = kb_xstrndup(from + 1, (size_t)(sl - from - 1));
	const char *pattern = sl + 1;
	const char *dest = to + strlen("@artifact/");
	bool dest_slash = kb_str_has_suffix(to, "/");
	j->src = NULL;
	for (size_t i = 0; i < j->nsrc && !j->src; i++)
		if (strcmp(j->srcs[i].alias, alias) == 0)
			j->src = &j->srcs[i];
	if (!j->src) {
		kb_error *e = kb_error_new(j->file, op->line, op->col,
					   "copy[%zu]: source alias '%s' not found in spec.sources", idx,
					   alias);
		free(alias);
		return e;
	}
	kb_error *e = NULL;
	if (!glob_chars(pattern)) {
		/* a direct reference: cp semantics */
		char *sp = dest_clean(pattern);
		if (!*sp) {
			free(sp);
			sp = kb_xstrdup(".");
		}
		if (src_is_dir(j, sp)) {
			char *b = path_base(strcmp(sp, ".") == 0 ? kb_flux_view_root(j->src->view) : sp);
			char *d = join_rel(dest, b);
			e = copy_entry(j, sp, d, sp);
			free(d);
			free(b);
		} else if (src_is_file(j, sp)) {
			if (!should_exclude(j, sp, ".")) {
				char *b = path_base(sp);
				char *d;
				char *dc = dest_clean(dest);
				if (dest_slash || staged_dir(j, dc))
					d = join_rel(dest, b);
				else
					d = kb_xstrdup(dest);
				free(dc);
				e = copy_file(j, sp, d);
				free(d);
				free(b);
			}
		} else {
			e = kb_error_new(j->file, op->line, op->col,
					 "copy[%zu]: source '%s' does not exist in source '%s'", idx, sp,
					 alias);
		}
		free(sp);
		free(alias);
		return e;
	}
	kb_strv matches = { 0 };
	if (src_glob(j, pattern, &matches, 0) < 0) {
		e = kb_error_new(j->file, op->line, op->col, "copy[%zu]: invalid glob pattern '%s'",
				 idx, pattern);
	} else if (matches.n == 0) {
		e = kb_error_new(j->file, op->line, op->col,
				 "copy[%zu]: no files match pattern '%s' in source '%s'", idx, pattern,
				 alias);
	}
	char *base = e ? NULL : kb_flux_glob_literal_prefix(pattern);
	size_t kept = 0;
	for (size_t i = 0; !e && i < matches.n; i++) {
		const char *m = matches.v[i];
		if (strcmp(m, ".") == 0 || strcmp(m, "..") == 0 || should_exclude(j, m, base))
			continue;
		kept++;
		/* calculateGlobDestination */
		char *d;
		size_t pl = strlen(pattern);
		if (pl >= 3 && strcmp(pattern + pl - 3, "/**") == 0) {
			char *prefix = kb_xasprintf("%.*s/", (int)(pl - 3), pattern);
			if (kb_str_has_prefix(m, prefix))
				d = join_rel(dest, m + strlen(prefix));
			else
				d = join_rel(dest, m);
			free(prefix);
		} else {
			d = join_rel(dest, m);
		}
		e = copy_entry(j, m, d, base);
		free(d);
	}
	if (!e && matches.n && !kept)
		e = kb_error_new(j->file, op->line, op->col,
				 "copy[%zu]: all files matching pattern '%s' in source '%s' were "
				 "excluded",
				 idx, pattern, alias);
	free(base);
	kb_strv_free(&matches);
	free(alias);
	return e;
}

kb_error *kb_flux_artifact_build(const kb_node *spec, const char *file,
				 const kb_flux_art_source *src, size_t nsrc, kb_memfs *mem,
				 const char *vroot, kb_flux_artifact **out)
{
	*out = NULL;
	kb_flux_artifact *a = kb_xcalloc(1, sizeof(*a));
	a->vroot = kb_xstrdup(vroot);
	job j = { 0 };
	j.spec = spec;
	j.file = file;
	j.mem = mem;
	j.art = a;
	j.srcs = src;
	j.nsrc = nsrc;
	const kb_node *copy = kb_map_get(spec, "copy");
	kb_error *e = NULL;
	if (!copy || copy->kind != KB_SEQ || copy->n == 0)
		e = kb_error_new(file, spec->line, spec->col, "artifact '%s' has no copy operations",
				 kb_map_get_str(spec, "name") ? kb_map_get_str(spec, "name") : "");
	for (size_t i = 0; !e && i < copy->n; i++) {
		if (copy->items[i]->kind != KB_MAP)
			e = kb_error_new(file, copy->items[i]->line, copy->items[i]->col,
					 "copy[%zu] must be a mapping (from, to)", i);
		else
			e = apply_op(&j, copy->items[i], i);
	}
	if (e) {
		kb_flux_artifact_free(a);
		return e;
	}
	*out = a;
	return NULL;
}
