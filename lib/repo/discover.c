/*
 * discover.c - the walk that finds kustomization roots (discover.h).
 */
#include "discover.h"
#include "deps.h"
#include "fs.h"
#include "ignore.h"
#include "kustfile.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Deeper than any real repository; a bound so a hostile tree cannot
 * exhaust the stack. */
#define MAX_WALK_DEPTH 256

/* A set of strings (the directories walked), open addressing. */
typedef struct strset {
	char **slot;
	size_t nslot, n;
} strset;

static size_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* Adds s; false when it was there already. */
static bool strset_add(strset *set, const char *s)
{
	if ((set->n + 1) * 2 > set->nslot) {
		size_t ns = set->nslot ? set->nslot * 2 : 64;
		char **slot = kb_xcalloc(ns, sizeof(*slot));
		for (size_t i = 0; i < set->nslot; i++)
			if (set->slot[i]) {
				size_t h = str_hash(set->slot[i]) & (ns - 1);
				while (slot[h])
					h = (h + 1) & (ns - 1);
				slot[h] = set->slot[i];
			}
		free(set->slot);
		set->slot = slot;
		set->nslot = ns;
	}
	size_t h = str_hash(s) & (set->nslot - 1);
	while (set->slot[h]) {
		if (strcmp(set->slot[h], s) == 0)
			return false;
		h = (h + 1) & (set->nslot - 1);
	}
	set->slot[h] = kb_xstrdup(s);
	set->n++;
	return true;
}

static void strset_free(strset *set)
{
	for (size_t i = 0; i < set->nslot; i++)
		free(set->slot[i]);
	free(set->slot);
}

typedef struct walker {
	const kb_discover_opts *o;
	kb_ignore *ig;
	strset walked;
	kb_roots *out;
	kb_warnings *warn;
} walker;

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_root(walker *w, const char *dir, const char *kname)
{
	kb_kust *k = NULL;
	kb_error *e = kb_kust_load_hooked(w->o->fs, dir, w->o->lim, NULL, w->o->hooks, &k);
	bool component = !e && k->component;
	kb_error_free(e);
	kb_kust_free(k);
	if (component) {
		w->out->components++;
		return;
	}
	kb_roots *r = w->out;
	kb_grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v));
	r->v[r->n].dir = kb_xstrdup(dir);
	r->v[r->n].display = kb_path_display(dir);
	r->v[r->n].kfile = kb_path_join(dir, kname);
	r->n++;
}

static void walk(walker *w, const char *dir, unsigned depth)
{
	if (!strset_add(&w->walked, dir))
		return;
	if (depth > MAX_WALK_DEPTH) {
		char *d = kb_path_display(dir);
		kb_warn(w->warn, d, 0, 0, "not looked into: more than %d directories deep",
			MAX_WALK_DEPTH);
		free(d);
		return;
	}
	char **names = NULL;
	size_t n = 0;
	if (kb_fs_list(w->o->fs, dir, &names, &n) != 0) {
		char *d = kb_path_display(dir);
		kb_warn(w->warn, d, 0, 0, "cannot look into this directory: %s; its overlays are not checked",
			strerror(errno));
		free(d);
		return;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	if (!w->o->no_ignore_files) {
		for (size_t i = 0; i < n; i++)
			if (strcmp(names[i], ".kbuildignore") == 0) {
				char *p = kb_path_join(dir, names[i]);
				if (kb_ignore_add_file(w->ig, w->o->fs, p) < 0) {
					char *d = kb_path_display(p);
					kb_warn(w->warn, d, 0, 0, "cannot read: %s", strerror(errno));
					free(d);
				}
				free(p);
			}
	}
	/* the kustomization file, in kustomize's order of names */
	const char *kname = NULL;
	for (size_t f = 0; f < 3 && !kname; f++)
		for (size_t i = 0; i < n; i++)
			if (strcmp(names[i], kb_kust_filenames[f]) == 0) {
				char *p = kb_path_join(dir, names[i]);
				kb_file_type t;
				if (kb_fs_stat(w->o->fs, p, true, &t) == 0 && t == KB_FILE_REGULAR)
					kname = kb_kust_filenames[f];
				free(p);
				break;
			}
	if (kname)
		add_root(w, dir, kname);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], ".git") == 0)
			continue;
		char *child = kb_path_join(dir, names[i]);
		kb_file_type t;
		/* lstat: a symlinked directory is not followed */
		if (kb_fs_stat(w->o->fs, child, false, &t) == 0 && t == KB_FILE_DIR) {
			if (kb_ignore_match(w->ig, child, true))
				w->out->excluded++;
			else
				walk(w, child, depth + 1);
		}
		free(child);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The .kbuildignore files above dir, up to the top of its git work tree
 * (outermost first, so that deeper files' patterns are later and win). */
static void add_parent_ignores(walker *w, const char *dir)
{
	kb_strv up = { 0 };
	char *p = kb_xstrdup(dir);
	bool top = false;
	for (;;) {
		char *git = kb_path_join(p, ".git");
		kb_file_type t;
		top = kb_fs_stat(w->o->fs, git, true, &t) == 0;
		free(git);
		if (top)
			break;
		char *slash = strrchr(p, '/');
		if (!slash || slash == p)
			break;
		*slash = '\0';
		kb_strv_push(&up, p);
	}
	free(p);
	/* without a work tree above, none of these is read */
	if (top)
		for (size_t i = up.n; i-- > 0;) {
			char *f = kb_path_join(up.v[i], ".kbuildignore");
			kb_ignore_add_file(w->ig, w->o->fs, f);
			free(f);
		}
	kb_strv_free(&up);
}

static char *canonical(const kb_fs *fs, const char *cwd, const char *path)
{
	char *abs = kb_path_join(cwd, path);
	char *real = kb_fs_realpath(fs, abs);
	free(abs);
	return real;
}

kb_error *kb_discover(const kb_discover_opts *o, kb_roots *out, kb_warnings *warn)
{
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		return kb_error_new(NULL, 0, 0, "cannot find the current directory: %s",
				    strerror(errno));
	walker w = { o, kb_ignore_new(), { 0 }, out, warn };
	char *cwd_real = kb_fs_realpath(o->fs, cwd);
	if (!cwd_real)
		cwd_real = kb_path_clean(cwd);
	for (size_t i = 0; i < o->nexclude; i++)
		kb_ignore_add(w.ig, cwd_real, o->exclude[i]);
	static const char *const dot[] = { "." };
	const char *const *paths = o->npaths ? o->paths : dot;
	size_t np = o->npaths ? o->npaths : 1;
	kb_error *e = NULL;
	for (size_t i = 0; i < np && !e; i++) {
		char *dir = canonical(o->fs, cwd, paths[i]);
		if (!dir) {
			e = kb_error_new(paths[i], 0, 0, "cannot check: %s", strerror(errno));
		} else if (!kb_fs_is_dir(o->fs, dir)) {
			e = kb_error_new(paths[i], 0, 0,
					 "cannot check: not a directory (give the directories to "
					 "look for kustomizations in)");
		} else {
			if (!o->no_ignore_files)
				add_parent_ignores(&w, dir);
			if (kb_ignore_match(w.ig, dir, true)) {
				/* as git does with an ignored path given to `git add` */
				kb_warn(warn, paths[i], 0, 0,
					"left out: it is excluded (--exclude or .kbuildignore)");
				out->excluded++;
			} else {
				walk(&w, dir, 0);
			}
		}
		free(dir);
	}
	if (e)
		e->code = KB_ERR_USAGE;
	kb_ignore_free(w.ig);
	strset_free(&w.walked);
	free(cwd_real);
	free(cwd);
	return e;
}

void kb_roots_free(kb_roots *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].dir);
		free(r->v[i].display);
		free(r->v[i].kfile);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}
