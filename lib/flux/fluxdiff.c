/*
 * fluxdiff.c - kb_diff_flux (kbuild/diff.h): `kbuild diff --flux`, the
 * Flux clusters at the paths rendered at two revisions (clusters.c, the
 * base side through kb_gitfs) and compared Kustomization by
 * Kustomization with kb_diff_result_add.
 *
 * Both sides see the same repository: the git work tree's .git/config
 * and .git/HEAD (what kb_flux_render reads to tell whether a
 * GitRepository is this repository) and the --values-from files are laid
 * over a revision's tree from the working tree, so a decrypted values
 * file that git does not track works on both sides, and a source is
 * recognised the same way on both.
 *
 * Above lib/repo (whose kb_diff compares overlays) because it renders
 * through kb_flux_render.
 */
#include "kbuild.h"
#include "kbuild/diff.h"
#include "kbuild/gitfs.h"
#include "clusters.h"
#include "deps.h"
#include "diag.h"
#include "fs.h"
#include "gitfs_prefetch.h"
#include "hooks.h"
#include "resdiff.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Blob data a revision is prefetched up to (as kb_diff does). */
#define PREFETCH_BYTES ((size_t)64 << 20)

static kb_error *usage(kb_error *e)
{
	e->code = KB_ERR_USAGE;
	return e;
}

static bool path_in(const char *p, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return p[0] == '/';
	return strncmp(p, dir, n) == 0 && (p[n] == '/' || p[n] == '\0');
}

static bool exists_in(const kb_fs *fs, const char *p)
{
	kb_file_type t;
	return kb_fs_stat(fs ? fs : kb_fs_os(), p, true, &t) == 0 &&
	       (t == KB_FILE_DIR || t == KB_FILE_REGULAR);
}

/* Copies a file of the working tree into m at its path (quietly skipped
 * when it cannot be read: the side then reads what it has). */
static bool lay_over(kb_memfs *m, const char *path)
{
	size_t len;
	char *text = kb_fs_read(kb_fs_os(), path, &len);
	if (!text)
		return false;
	kb_memfs_add(m, path, text, len);
	free(text);
	return true;
}

/* A revision's file system with the working tree's .git files and the
 * values files (absolute) laid over it. */
static kb_memfs *side_fs(const kb_fs *rev, const char *top, const kb_strv *values)
{
	kb_memfs *m = kb_memfs_new(rev);
	char *git = kb_path_join(top, ".git");
	if (kb_is_dir(git)) {
		static const char *const files[] = { "config", "HEAD" };
		for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
			char *f = kb_path_join(git, files[i]);
			lay_over(m, f);
			free(f);
		}
	} else {
		lay_over(m, git); /* a worktree's or submodule's "gitdir:" file */
	}
	free(git);
	for (size_t i = 0; i < values->n; i++)
		lay_over(m, values->v[i]);
	return m;
}

/* One side of an entry. */
typedef struct side {
	kb_diff_side s;
	char *text; /* the error's text, owned */
} side;

static void side_of_entry(side *sd, const kb_flux_entry *en)
{
	memset(sd, 0, sizeof(*sd));
	if (!en)
		return;
	sd->s.exists = true;
	if (en->err) {
		sd->text = kb_error_format(en->err);
		sd->s.error = sd->text;
	} else if (en->ks) {
		sd->s.yaml = kb_flux_ks_yaml(en->ks, &sd->s.len);
	}
}

/* A PATH as a whole: its stream, or the error that kept it from
 * rendering. */
static void side_of_path(side *sd, const kb_flux_clusters *c, size_t i)
{
	memset(sd, 0, sizeof(*sd));
	if (c->missing[i])
		return;
	sd->s.exists = true;
	if (!c->res[i]) {
		sd->text = kb_error_format(c->err[i]);
		sd->s.error = sd->text;
	} else {
		sd->s.yaml = kb_flux_result_yaml(c->res[i], &sd->s.len);
	}
}

static const kb_flux_entry *find_entry(const kb_flux_clusters *c, size_t path, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].path == path && strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

static void add_pair(kb_diff_result *r, const char *name, side *b, side *h,
		     const kb_diff_options *o, const char *file, unsigned line)
{
	/* a stream kbuild rendered that it cannot read back would be a bug
	 * of the emitter; the entry is then left out, as kb_diff does */
	size_t before = r->n;
	kb_error_free(kb_diff_result_add(r, name, &b->s, &h->s, o));
	if (r->n > before) {
		r->ov[r->n - 1].file = kb_diff_result_keep(r, file);
		r->ov[r->n - 1].line = line;
	}
	free(b->text);
	free(h->text);
}

static void compare_path(kb_diff_result *r, const kb_flux_clusters *cb, const kb_flux_clusters *ch,
			 size_t i, const kb_diff_options *o)
{
	side b, h;
	if (!cb->missing[i] && !ch->missing[i] && (!cb->res[i] || !ch->res[i])) {
		/* one side does not render at all: the whole of the other
		 * against its error (FIXED, BROKEN or FAILING) */
		side_of_path(&b, cb, i);
		side_of_path(&h, ch, i);
		add_pair(r, ch->shown[i], &b, &h, o, ch->shown[i], 0);
		return;
	}
	for (size_t k = 0; k < ch->n; k++) {
		const kb_flux_entry *he = &ch->v[k];
		if (he->path != i)
			continue;
		const kb_flux_entry *be = find_entry(cb, i, he->name);
		side_of_entry(&b, be);
		side_of_entry(&h, he);
		unsigned line = 0;
		const char *file = he->ks ? kb_flux_ks_file(he->ks, &line) : ch->shown[i];
		add_pair(r, he->name, &b, &h, o, file, line);
	}
	for (size_t k = 0; k < cb->n; k++) {
		const kb_flux_entry *be = &cb->v[k];
		if (be->path != i || find_entry(ch, i, be->name))
			continue;
		side_of_entry(&b, be);
		side_of_entry(&h, NULL);
		unsigned line = 0;
		const char *file = be->ks ? kb_flux_ks_file(be->ks, &line) : cb->shown[i];
		add_pair(r, be->name, &b, &h, o, file, line);
	}
}

kb_error *kb_diff_flux(const kb_diff_options *o, const struct kb_flux_options *flux,
		       kb_diff_result **out)
{
	*out = NULL;
	kb_diff_options defaults;
	if (!o) {
		kb_diff_options_init(&defaults);
		o = &defaults;
	}
	if (o->nexclude)
		return usage(kb_error_new(NULL, 0, 0,
					  "--exclude does not apply to --flux (the sources' "
					  ".sourceignore and --ignore-paths say what a Flux "
					  "Kustomization leaves out)"));
	kb_diff_sides sd;
	kb_error *e = kb_diff_sides_open(o, &sd);
	if (e)
		return e;
	const char *const *paths = sd.paths;
	size_t npaths = sd.npaths;
	const char *base_rev = sd.base_rev;
	kb_gitfs *gb = sd.gb, *gh = sd.gh;
	const char *top = kb_gitfs_root(gb);
	for (size_t i = 0; i < npaths && !e; i++) {
		char *p = kb_path_canonical(paths[i]);
		if (!path_in(p, top))
			e = usage(kb_error_new(paths[i], 0, 0,
					       "not in the repository at %s (kbuild diff --flux "
					       "compares clusters of one repository)",
					       top));
		else if (!exists_in(kb_gitfs_fs(gb), p) && !exists_in(gh ? kb_gitfs_fs(gh) : NULL, p))
			e = usage(gh ? kb_error_new(paths[i], 0, 0, "does not exist at %s nor at %s",
						    base_rev, o->head)
				     : kb_error_new(paths[i], 0, 0,
						    "does not exist at %s nor in the working tree",
						    base_rev));
		free(p);
	}
	size_t changed = 0;
	if (!e)
		e = kb_diff_count_changed(top, kb_gitfs_commit(gb) ? kb_gitfs_commit(gb) : base_rev,
					  gh ? (kb_gitfs_commit(gh) ? kb_gitfs_commit(gh) : o->head)
					     : NULL,
					  &changed);
	if (e) {
		kb_gitfs_free(gb);
		kb_gitfs_free(gh);
		if (e->code != KB_ERR_USAGE)
			e->code = KB_ERR_BUILD;
		return e;
	}

	kb_flux_options fo;
	if (flux)
		fo = *flux;
	else
		kb_flux_options_init(&fo);
	/* the values files as the working tree has them, on both sides */
	kb_strv values = { 0 };
	for (size_t i = 0; i < fo.nvalues_from; i++)
		kb_strv_push_owned(&values, kb_path_canonical(fo.values_from[i]));
	fo.values_from = (const char *const *)values.v;
	fo.nvalues_from = values.n;

	/* a flux render reads across the repository */
	kb_gitfs_prefetch(gb, top, PREFETCH_BYTES);
	if (gh)
		kb_gitfs_prefetch(gh, top, PREFETCH_BYTES);
	kb_memfs *mb = side_fs(kb_gitfs_fs(gb), top, &values);
	kb_memfs *mh = gh ? side_fs(kb_gitfs_fs(gh), top, &values) : NULL;
	kb_options bb, bh;
	kb_options_copy(&bb, o->build);
	kb_options_copy(&bh, o->build);
	bb.fs = kb_memfs_fs(mb);
	bh.fs = mh ? kb_memfs_fs(mh) : NULL;
	kb_flux_clusters cb, ch;
	kb_flux_clusters_render(&cb, &fo, &bb, paths, npaths, o->jobs);
	kb_flux_clusters_render(&ch, &fo, &bh, paths, npaths, o->jobs);

	kb_diff_result *r = kb_diff_result_new();
	r->entries = KB_DIFF_FLUX_KUSTOMIZATIONS;
	for (size_t i = 0; i < npaths; i++)
		compare_path(r, &cb, &ch, i, o);
	r->counted = true;
	r->overlays = r->n;
	r->changed_files = changed;
	r->base_rev = kb_xstrdup(base_rev);
	r->base_commit = kb_gitfs_commit(gb) ? kb_xstrdup(kb_gitfs_commit(gb)) : NULL;
	r->head_rev = gh ? kb_xstrdup(o->head) : NULL;
	r->head_commit = gh && kb_gitfs_commit(gh) ? kb_xstrdup(kb_gitfs_commit(gh)) : NULL;

	kb_flux_clusters_free(&cb);
	kb_flux_clusters_free(&ch);
	kb_memfs_free(mb);
	kb_memfs_free(mh);
	kb_strv_free(&values);
	kb_gitfs_free(gb);
	kb_gitfs_free(gh);
	*out = r;
	return NULL;
}
