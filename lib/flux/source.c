/*
 * source.c - artifact views of Flux sources (source.h).
 */
#include "source.h"
#include "fs.h"
#include "srcignore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct kb_flux_view {
	kb_fs fs;
	const kb_fs *under;
	char *root;
	kb_strv files; /* sorted relative paths */
	kb_strv dirs;  /* sorted relative paths, "" excluded */
	size_t symlinks;
	const kb_strv *overlay; /* absolute paths */
	bool passthrough;
};

char *kb_flux_secure_join(const char *root, const char *rel)
{
	char *tmp = kb_xasprintf("/%s", rel ? rel : "");
	char *c = kb_path_clean_rooted(tmp);
	free(tmp);
	char *r = strcmp(c, "/") == 0 ? kb_xstrdup(root) : kb_xasprintf("%s%s", strcmp(root, "/") == 0 ? "" : root, c);
	free(c);
	return r;
}

const char *kb_flux_path_below(const char *root, const char *path)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return path[0] == '/' ? path + 1 : NULL;
	if (strncmp(path, root, n) != 0)
		return NULL;
	if (path[n] == '\0')
		return path + n;
	if (path[n] == '/')
		return path + n + 1;
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool sorted_has(const kb_strv *v, const char *s)
{
	return v->n && bsearch(&s, v->v, v->n, sizeof(char *), cmp_str) != NULL;
}

/* first index whose string is >= key */
static size_t lower_bound(const kb_strv *v, const char *key)
{
	size_t lo = 0, hi = v->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(v->v[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool kb_flux_view_has_file(const kb_flux_view *v, const char *rel)
{
	return sorted_has(&v->files, rel);
}

bool kb_flux_view_has_dir(const kb_flux_view *v, const char *rel)
{
	return !*rel || sorted_has(&v->dirs, rel);
}

void kb_flux_view_files_below(const kb_flux_view *v, const char *rel, kb_strv *out)
{
	if (!*rel) {
		for (size_t i = 0; i < v->files.n; i++)
			kb_strv_push(out, v->files.v[i]);
		return;
	}
	char *pre = kb_xasprintf("%s/", rel);
	size_t pl = strlen(pre);
	for (size_t i = lower_bound(&v->files, pre);
	     i < v->files.n && strncmp(v->files.v[i], pre, pl) == 0; i++)
		kb_strv_push(out, v->files.v[i]);
	free(pre);
}

static bool in_overlay(const kb_flux_view *v, const char *abs)
{
	return v->overlay && kb_strv_contains(v->overlay, abs);
}

/* 0 missing, 1 file, 2 dir; -1 outside the root */
static int classify(const kb_flux_view *v, const char *clean)
{
	if (v->passthrough) {
		kb_file_type t;
		if (kb_fs_stat(v->under, clean, true, &t) != 0)
			return 0;
		return t == KB_FILE_DIR ? 2 : t == KB_FILE_REGULAR ? 1 : 0;
	}
	const char *rel = kb_flux_path_below(v->root, clean);
	if (!rel)
		return -1;
	if (in_overlay(v, clean))
		return 1;
	if (kb_flux_view_has_dir(v, rel))
		return 2;
	if (kb_flux_view_has_file(v, rel))
		return 1;
	/* a directory that only the overlay holds */
	if (v->overlay) {
		size_t n = strlen(clean);
		for (size_t i = 0; i < v->overlay->n; i++)
			if (strncmp(v->overlay->v[i], clean, n) == 0 && v->overlay->v[i][n] == '/')
				return 2;
	}
	return 0;
}

static char *view_realpath(void *ctx, const char *path)
{
	kb_flux_view *v = ctx;
	if (v->passthrough)
		return kb_fs_realpath(v->under, path);
	char *c = kb_path_clean_rooted(path);
	int t = classify(v, c);
	if (t <= 0) {
		free(c);
		errno = t < 0 ? EACCES : ENOENT;
		return NULL;
	}
	return c;
}

static int view_stat(void *ctx, const char *path, int follow, kb_file_type *type)
{
	(void)follow;
	kb_flux_view *v = ctx;
	char *c = kb_path_clean_rooted(path);
	int t = classify(v, c);
	free(c);
	if (t <= 0) {
		errno = t < 0 ? EACCES : ENOENT;
		return -1;
	}
	*type = t == 2 ? KB_FILE_DIR : KB_FILE_REGULAR;
	return 0;
}

static char *view_read(void *ctx, const char *path, size_t *len)
{
	kb_flux_view *v = ctx;
	char *c = kb_path_clean_rooted(path);
	int t = classify(v, c);
	if (t != 1) {
		free(c);
		errno = t < 0 ? EACCES : t == 2 ? EISDIR : ENOENT;
		return NULL;
	}
	char *d = kb_fs_read(v->under, c, len);
	free(c);
	return d;
}

static void push_child(kb_strv *out, const char *rest)
{
	size_t cl = strcspn(rest, "/");
	char *child = kb_xstrndup(rest, cl);
	if (!*child || kb_strv_contains(out, child))
		free(child);
	else
		kb_strv_push_owned(out, child);
}

static int view_list(void *ctx, const char *path, char ***names, size_t *n)
{
	kb_flux_view *v = ctx;
	if (v->passthrough)
		return kb_fs_list(v->under, path, names, n);
	char *c = kb_path_clean_rooted(path);
	int t = classify(v, c);
	if (t != 2) {
		free(c);
		errno = t < 0 ? EACCES : t == 1 ? ENOTDIR : ENOENT;
		return -1;
	}
	const char *rel = kb_flux_path_below(v->root, c);
	char *pre = *rel ? kb_xasprintf("%s/", rel) : kb_xstrdup("");
	size_t pl = strlen(pre);
	kb_strv out = { 0 };
	const kb_strv *sets[2] = { &v->dirs, &v->files };
	for (int s = 0; s < 2; s++)
		for (size_t i = lower_bound(sets[s], pre);
		     i < sets[s]->n && strncmp(sets[s]->v[i], pre, pl) == 0; i++)
			push_child(&out, sets[s]->v[i] + pl);
	if (v->overlay) {
		size_t cl = strlen(c);
		for (size_t i = 0; i < v->overlay->n; i++)
			if (strncmp(v->overlay->v[i], c, cl) == 0 && v->overlay->v[i][cl] == '/')
				push_child(&out, v->overlay->v[i] + cl + 1);
	}
	free(pre);
	free(c);
	*names = out.v;
	*n = out.n;
	return 0;
}

/* One directory entry met by the walk. */
typedef struct entry {
	char *rel;
	kb_file_type type;
} entry;

typedef struct walk {
	const kb_fs *fs;
	const char *root;
	entry *v;
	size_t n, cap;
	kb_srcignore *ig;
	bool load_sourceignore;
	int depth;
} walk;

/* Go's filepath.Walk order: names sorted, depth first.  .sourceignore
 * files are read on the way, in the order LoadIgnorePatterns reads them
 * (a directory's own file, then its subdirectories'). */
static kb_error *walk_dir(walk *w, const char *rel)
{
	if (++w->depth > 256)
		return kb_error_new(w->root, 0, 0, "directory tree too deep (more than 256 levels)");
	char *abs = *rel ? kb_xasprintf("%s/%s", w->root, rel) : kb_xstrdup(w->root);
	char **names = NULL;
	size_t nn = 0;
	kb_error *e = NULL;
	if (kb_fs_list(w->fs, abs, &names, &nn) != 0) {
		char *d = kb_path_display(abs);
		e = kb_error_new(d, 0, 0, "cannot list directory: %s", strerror(errno));
		free(d);
		free(abs);
		w->depth--;
		return e;
	}
	if (nn > 1)
		qsort(names, nn, sizeof(char *), cmp_str);
	if (w->load_sourceignore) {
		char *si = kb_xasprintf("%s/.sourceignore", abs);
		kb_file_type t;
		if (kb_fs_stat(w->fs, si, false, &t) == 0 && t == KB_FILE_REGULAR) {
			size_t len;
			char *text = kb_fs_read(w->fs, si, &len);
			if (text)
				kb_srcignore_add_text(w->ig, text, rel);
			free(text);
		}
		free(si);
	}
	for (size_t i = 0; i < nn && !e; i++) {
		char *crel = *rel ? kb_xasprintf("%s/%s", rel, names[i]) : kb_xstrdup(names[i]);
		char *cabs = kb_xasprintf("%s/%s", abs, names[i]);
		kb_file_type t = KB_FILE_OTHER;
		if (kb_fs_stat(w->fs, cabs, false, &t) != 0)
			t = KB_FILE_OTHER;
		free(cabs);
		kb_grow((void **)&w->v, &w->cap, w->n + 1, sizeof(*w->v));
		w->v[w->n].rel = crel;
		w->v[w->n].type = t;
		w->n++;
		/* the .git directory holds nothing an artifact keeps */
		if (t == KB_FILE_DIR && strcmp(names[i], ".git") != 0)
			e = walk_dir(w, crel);
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	free(abs);
	w->depth--;
	return e;
}

static void add_ancestors(kb_strv *dirs, const char *rel)
{
	char *p = kb_xstrdup(rel);
	for (char *s = strrchr(p, '/'); s; s = strrchr(p, '/')) {
		*s = '\0';
		kb_strv_push(dirs, p);
	}
	free(p);
}

static void sort_unique(kb_strv *v)
{
	if (!v->n)
		return;
	qsort(v->v, v->n, sizeof(char *), cmp_str);
	size_t o = 1;
	for (size_t i = 1; i < v->n; i++) {
		if (strcmp(v->v[i], v->v[o - 1]) == 0)
			free(v->v[i]);
		else
			v->v[o++] = v->v[i];
	}
	v->n = o;
}

kb_error *kb_flux_view_new(const kb_flux_view_opts *o, kb_flux_view **out)
{
	*out = NULL;
	kb_flux_view *v = kb_xcalloc(1, sizeof(*v));
	v->fs.version = KB_FS_VERSION;
	v->fs.ctx = v;
	v->fs.realpath = view_realpath;
	v->fs.stat = view_stat;
	v->fs.read = view_read;
	v->fs.list = view_list;
	v->under = o->under;
	v->root = kb_xstrdup(o->root);
	if (o->passthrough) {
		v->passthrough = true;
		*out = v;
		return NULL;
	}

	walk w = { o->under, o->root, NULL, 0, 0, kb_srcignore_new(), !o->artifact, 0 };
	kb_error *e = walk_dir(&w, "");
	/* source-controller: any rule of its own replaces the default
	 * extension/CI rules; .git and friends always go */
	if (!o->artifact) {
		if (o->spec_ignore)
			kb_srcignore_add_text(w.ig, o->spec_ignore, NULL);
		if (o->extra_ignore)
			for (size_t i = 0; i < o->extra_ignore->n; i++)
				kb_srcignore_add_text(w.ig, o->extra_ignore->v[i], NULL);
	}
	kb_srcignore *ig = kb_srcignore_new();
	kb_srcignore_add_defaults(ig, kb_srcignore_count(w.ig) == 0);
	/* the source's own rules come after the defaults (later rules win) */
	kb_srcignore_append(ig, w.ig);
	for (size_t i = 0; i < w.n && !e; i++) {
		entry *en = &w.v[i];
		if (en->type == KB_FILE_SYMLINK) {
			v->symlinks++;
			continue;
		}
		if (en->type != KB_FILE_REGULAR && en->type != KB_FILE_DIR)
			continue;
		bool dir = en->type == KB_FILE_DIR;
		if (kb_srcignore_match(ig, en->rel, dir))
			continue;
		if (dir) {
			kb_strv_push(&v->dirs, en->rel);
		} else {
			kb_strv_push(&v->files, en->rel);
			add_ancestors(&v->dirs, en->rel);
		}
	}
	for (size_t i = 0; i < w.n; i++)
		free(w.v[i].rel);
	free(w.v);
	kb_srcignore_free(w.ig);
	kb_srcignore_free(ig);
	if (e) {
		kb_flux_view_free(v);
		return e;
	}
	sort_unique(&v->files);
	sort_unique(&v->dirs);
	*out = v;
	return NULL;
}

void kb_flux_view_free(kb_flux_view *v)
{
	if (!v)
		return;
	free(v->root);
	kb_strv_free(&v->files);
	kb_strv_free(&v->dirs);
	free(v);
}

const kb_fs *kb_flux_view_fs(kb_flux_view *v)
{
	return &v->fs;
}

const char *kb_flux_view_root(const kb_flux_view *v)
{
	return v->root;
}

size_t kb_flux_view_symlinks(const kb_flux_view *v)
{
	return v->symlinks;
}

void kb_flux_view_set_overlay(kb_flux_view *v, const kb_fs *under, const kb_strv *paths)
{
	v->under = under;
	v->overlay = paths;
}
