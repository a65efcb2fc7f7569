/*
 * diff.c - kb_diff (kbuild/diff.h): find the overlays below the paths at
 * both revisions, pick those a change can affect, render them on both
 * sides and compare the streams (resdiff.c).
 *
 * Which overlays a change can affect.  A build is a function of the
 * files it reads, so an overlay whose reads on one side include no
 * changed path reads the same bytes on the other side and renders the
 * same: it suffices to know, for one side, a superset of what each
 * overlay's build reads.  depscan() computes one without building: the
 * subtree of every kustomization directory in the overlay's closure
 * (under the default load restrictor a level reads nothing outside its
 * own directory), plus every path a kustomization, an inline or file
 * plugin configuration names that leads outside it (bases, components,
 * and whatever LoadRestrictionsNone lets a level read), lexically and
 * after symlinks.  The changed paths are git's: files that differ
 * between the revisions, and with the working tree as head also
 * untracked and ignored ones (directories as a whole).  A path overlaps
 * a dependency when one lies in or below the other.
 */
#include "kbuild.h"
#include "kbuild/diff.h"
#include "kbuild/gitfs.h"
#include "deps.h"
#include "diag.h"
#include "discover.h"
#include "fs.h"
#include "git.h"
#include "gitfs_prefetch.h"
#include "hooks.h"
#include "kustfile.h"
#include "node.h"
#include "parse.h"
#include "pool.h"
#include "resdiff.h"
#include "session.h"
#include "strmap.h"
#include "util.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Blob data a revision's subtree is prefetched up to. */
#define PREFETCH_BYTES ((size_t)64 << 20)

/* ---- paths ---- */

/* Lexically cleaned absolute path of rel against dir. */
static char *clean_join(const char *dir, const char *rel)
{
	char *j = kb_path_join(dir, rel);
	char *c = kb_path_clean(j);
	free(j);
	return c;
}

static bool path_in(const char *p, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return true;
	return strncmp(p, dir, n) == 0 && (p[n] == '/' || p[n] == '\0');
}

static const char *rel_to(const char *p, const char *top)
{
	size_t n = strlen(top);
	if (strcmp(p, top) == 0)
		return ".";
	return p + n + (n > 1);
}

/* ---- discovery ---- */

typedef struct overlay {
	char *dir; /* absolute */
	bool at_base, at_head;
} overlay;

typedef struct found {
	kb_strmap by_dir; /* dir -> overlay index + 1 (in len) */
	overlay *v;
	size_t n, cap;
} found;

static void found_add(found *f, const char *dir, bool base)
{
	bool created;
	kb_strmap_slot *s = kb_strmap_put(&f->by_dir, dir, &created);
	if (created) {
		kb_grow((void **)&f->v, &f->cap, f->n + 1, sizeof(*f->v));
		f->v[f->n] = (overlay){ kb_xstrdup(dir), false, false };
		s->len = f->n++;
	}
	if (base)
		f->v[s->len].at_base = true;
	else
		f->v[s->len].at_head = true;
}

/* The roots below those of paths that are directories on this side
 * (a path may exist on one side only), found as `kbuild check` finds
 * them (kb_discover: Components, .git, --exclude and .kbuildignore left
 * out). */
static kb_error *discover_side(const kb_diff_options *o, kb_session *s, const kb_strv *paths,
			       const kb_parse_limits *lim, found *f, bool base)
{
	const kb_fs *fs = kb_session_fs(s);
	kb_strv here = { 0 };
	for (size_t i = 0; i < paths->n; i++)
		if (kb_fs_is_dir(fs, paths->v[i]))
			kb_strv_push(&here, paths->v[i]);
	if (!here.n)
		return NULL;
	kb_discover_opts d = {
		.fs = fs,
		.paths = (const char *const *)here.v,
		.npaths = here.n,
		.exclude = o->exclude,
		.nexclude = o->nexclude,
		.no_ignore_files = o->no_ignore_files != 0,
		.lim = lim,
		.hooks = kb_session_hooks(s),
	};
	kb_roots roots = { 0 };
	kb_warnings w = { 0 };
	kb_error *e = kb_discover(&d, &roots, &w);
	kb_warnings_free(&w);
	for (size_t i = 0; !e && i < roots.n; i++)
		found_add(f, roots.v[i].dir, base);
	kb_roots_free(&roots);
	kb_strv_free(&here);
	return e;
}

/* ---- dependency superset (see the top) ---- */

typedef struct scan {
	const kb_fs *fs;
	kb_parse_limits lim;
	kb_strmap memo; /* root -> kb_strv * of prefixes */
	kb_strv stack;
	bool cycle;
	kb_strv **orphans; /* results not memoised (a cycle) */
	size_t norphans, norphans_cap;
} scan;

static void strv_free_v(void *p)
{
	kb_strv *v = p;
	if (v)
		kb_strv_free(v);
	free(v);
}

static void add_unique(kb_strv *v, const char *s)
{
	if (!kb_strv_contains(v, s))
		kb_strv_push(v, s);
}

static const kb_strv *deps_of(scan *s, const char *root);

/* The kustomization fields that name files or directories (canonical
 * names, as kb_kust_load gives them; `bases` is in resources by then),
 * and those that name builtin plugin configurations, which name files
 * in turn.  Any other field is data (a label value, an inline patch):
 * what it says is no path kustomize opens. */
static const char *const path_fields[] = {
	"resources",	   "components",      "crds",		   "configurations",
	"patchesStrategicMerge", "patches", "patchesJson6902", "replacements",
	"openapi",	   "configMapGenerator", "secretGenerator", "helmCharts",
	"helmGlobals",	   "helmChartInflationGenerator", NULL,
};
static const char *const config_fields[] = { "generators", "transformers", "validators", NULL };

static bool in_list(const char *const *l, const char *k)
{
	for (; *l; l++)
		if (strcmp(*l, k) == 0)
			return true;
	return false;
}

static void walk_strings(scan *s, const char *root, const kb_node *n, kb_strv *deps,
			 bool config);

/* One string that may be a path (or KEY=path) read at level root.  With
 * config, it may also name a plugin configuration (a file, or inline
 * YAML) whose strings are paths too. */
static void consider(scan *s, const char *root, const char *str, kb_strv *deps, bool config)
{
	if (!*str || strlen(str) > 4096)
		return;
	if (strchr(str, '\n')) {
		if (!config)
			return; /* inline patch or document: names no file */
		kb_node **docs = NULL;
		size_t nd = 0;
		kb_error *e = kb_yaml_parse(NULL, str, strlen(str), &s->lim, &docs, &nd);
		kb_error_free(e);
		for (size_t i = 0; i < nd; i++)
			walk_strings(s, root, docs[i], deps, false);
		kb_docs_free(docs, nd);
		return;
	}
	const char *eq = strchr(str, '=');
	if (eq && eq[1])
		consider(s, root, eq + 1, deps, false);
	char *lex = clean_join(root, str);
	if (!path_in(lex, root))
		add_unique(deps, lex);
	char *real = kb_fs_realpath(s->fs, lex);
	if (real && strcmp(real, root) == 0) {
		free(real);
		real = NULL;
	}
	if (real) {
		if (!path_in(real, root))
			add_unique(deps, real);
		kb_file_type t;
		if (kb_fs_stat(s->fs, real, true, &t) == 0) {
			if (t == KB_FILE_DIR && kb_kust_probe(s->fs, real) == 1) {
				const kb_strv *sub = deps_of(s, real);
				for (size_t i = 0; sub && i < sub->n; i++)
					add_unique(deps, sub->v[i]);
			} else if (t == KB_FILE_REGULAR && config) {
				/* a plugin configuration names files relative to the
				 * kustomization */
				size_t len;
				char *data = kb_fs_read(s->fs, real, &len);
				if (data && len < (1u << 20)) {
					kb_node **docs = NULL;
					size_t nd = 0;
					kb_error *e = kb_yaml_parse(NULL, data, len, &s->lim, &docs, &nd);
					kb_error_free(e);
					for (size_t i = 0; i < nd; i++)
						walk_strings(s, root, docs[i], deps, false);
					kb_docs_free(docs, nd);
				}
				free(data);
			}
		}
		free(real);
	}
	free(lex);
}

static void walk_strings(scan *s, const char *root, const kb_node *n, kb_strv *deps, bool config)
{
	if (!n)
		return;
	if (n->kind == KB_STR)
		consider(s, root, n->str, deps, config);
	else if (n->kind == KB_MAP)
		for (size_t i = 0; i < n->n; i++)
			walk_strings(s, root, n->pairs[i].val, deps, config);
	else if (n->kind == KB_SEQ)
		for (size_t i = 0; i < n->n; i++)
			walk_strings(s, root, n->items[i], deps, config);
}

static const kb_strv *deps_of(scan *s, const char *root)
{
	kb_strmap_slot *m = kb_strmap_get(&s->memo, root);
	if (m)
		return m->val;
	if (kb_strv_contains(&s->stack, root)) {
		s->cycle = true;
		return NULL;
	}
	kb_strv_push(&s->stack, root);
	bool outer_cycle = s->cycle;
	s->cycle = false;
	kb_strv *deps = kb_xcalloc(1, sizeof(*deps));
	kb_strv_push(deps, root);
	/* a kustomization that does not load fails its build there, having
	 * read nothing but itself */
	kb_kust *k = NULL;
	kb_error *e = kb_kust_load(s->fs, root, &s->lim, NULL, &k);
	kb_error_free(e);
	for (size_t i = 0; k && k->doc->kind == KB_MAP && i < k->doc->n; i++) {
		const kb_pair *p = &k->doc->pairs[i];
		if (in_list(path_fields, p->key))
			walk_strings(s, root, p->val, deps, false);
		else if (in_list(config_fields, p->key))
			walk_strings(s, root, p->val, deps, true);
	}
	kb_kust_free(k);
	s->stack.n--;
	free(s->stack.v[s->stack.n]);
	if (s->cycle) {
		/* incomplete while an enclosing level is unfinished: not kept
		 * for others, and the enclosing levels are incomplete too */
		kb_grow((void **)&s->orphans, &s->norphans_cap, s->norphans + 1,
			sizeof(*s->orphans));
		s->orphans[s->norphans++] = deps;
		return deps;
	}
	s->cycle = outer_cycle;
	m = kb_strmap_put(&s->memo, root, NULL);
	m->val = deps;
	return deps;
}

/* ---- changed paths ---- */

typedef struct changes {
	kb_strmap set; /* absolute paths */
	char **sorted;
	size_t n;
} changes;

static void changes_add(changes *c, const char *top, const char *rel, size_t len)
{
	while (len > 0 && rel[len - 1] == '/')
		len--; /* a directory entry: all below it */
	if (!len)
		return;
	char *p = kb_xasprintf("%s/%.*s", strcmp(top, "/") ? top : "", (int)len, rel);
	kb_strmap_put(&c->set, p, NULL);
	free(p);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static kb_error *changed_paths(const char *top, const char *base_commit, const char *head_commit,
			       changes *c)
{
	const char *args_wt[] = { "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff",
				  "--ignore-submodules=none", base_commit, "--", NULL };
	const char *args_rev[] = { "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff",
				   base_commit, head_commit, "--", NULL };
	kb_buf out = KB_BUF_INIT;
	kb_error *e = kb_git_run(top, head_commit ? args_rev : args_wt, &out, NULL, NULL);
	if (e)
		return e;
	for (size_t i = 0; i < out.len;) {
		size_t n = strlen(out.data + i);
		changes_add(c, top, out.data + i, n);
		i += n + 1;
	}
	kb_buf_free(&out);
	if (!head_commit) {
		/* files git does not track are the working tree's too */
		const char *st[] = { "status", "--porcelain", "-z", "--no-renames", "--ignored",
				     "--untracked-files=normal", NULL };
		e = kb_git_run(top, st, &out, NULL, NULL);
		if (e)
			return e;
		for (size_t i = 0; i < out.len;) {
			size_t n = strlen(out.data + i);
			const char *ent = out.data + i;
			if (n > 3 && (memcmp(ent, "?? ", 3) == 0 || memcmp(ent, "!! ", 3) == 0))
				changes_add(c, top, ent + 3, n - 3);
			i += n + 1;
		}
		kb_buf_free(&out);
	}
	c->sorted = kb_xcalloc(c->set.n + 1, sizeof(*c->sorted));
	for (size_t i = 0; i < c->set.cap; i++)
		if (c->set.s[i].key)
			c->sorted[c->n++] = c->set.s[i].key;
	qsort(c->sorted, c->n, sizeof(*c->sorted), cmp_str);
	return NULL;
}

kb_error *kb_diff_sides_open(const kb_diff_options *o, kb_diff_sides *s)
{
	static const char *const dot[] = { "." };
	s->paths = o->npaths ? o->paths : dot;
	s->npaths = o->npaths ? o->npaths : 1;
	s->base_rev = kb_str_empty(o->base) ? "HEAD" : o->base;
	s->gb = s->gh = NULL;
	kb_error *e = kb_gitfs_open(s->paths[0], s->base_rev, &s->gb);
	if (!e && !kb_str_empty(o->head))
		e = kb_gitfs_open(s->paths[0], o->head, &s->gh);
	if (e) {
		kb_gitfs_free(s->gb);
		s->gb = NULL;
	}
	return e;
}

kb_error *kb_diff_count_changed(const char *top, const char *base_commit,
				 const char *head_commit, size_t *n)
{
	changes c = { 0 };
	kb_error *e = changed_paths(top, base_commit, head_commit, &c);
	*n = c.n;
	kb_strmap_free(&c.set, NULL);
	free(c.sorted);
	return e;
}

/* Whether a changed path lies in or below p, or p below a changed path. */
static bool touches(const changes *c, const char *p)
{
	size_t lo = 0, hi = c->n, pl = strlen(p);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->sorted[mid], p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->n && strncmp(c->sorted[i], p, pl) == 0; i++)
		if (c->sorted[i][pl] == '\0' || c->sorted[i][pl] == '/' || (pl == 1 && *p == '/'))
			return true;
	char *q = kb_xstrdup(p);
	bool hit = false;
	for (char *sl = strrchr(q, '/'); sl && sl > q && !hit; sl = strrchr(q, '/')) {
		*sl = '\0';
		hit = kb_strmap_get(&c->set, q) != NULL;
	}
	free(q);
	return hit;
}

/* ---- rendering ---- */

typedef struct job {
	kb_session *session;
	const kb_options *bopts;
	const char *dir;
	kb_diff_side side;
	kb_result *res;
	char *err_text;
} job;

static void run_job(void *arg)
{
	job *j = arg;
	kb_options bo = *j->bopts;
	bo.path = j->dir;
	kb_error *e = kb_session_build(j->session, &bo, NULL, &j->res);
	j->side.exists = true;
	if (e) {
		j->err_text = kb_error_format(e);
		j->side.error = j->err_text;
		kb_error_free(e);
		return;
	}
	j->side.yaml = kb_result_yaml(j->res, &j->side.len);
}

kb_error *kb_diff(const kb_diff_options *o, kb_diff_result **out)
{
	*out = NULL;
	kb_diff_options defaults;
	if (!o) {
		kb_diff_options_init(&defaults);
		o = &defaults;
	}
	kb_diff_sides sd;
	kb_error *e = kb_diff_sides_open(o, &sd);
	if (e)
		return e;
	const char *const *paths = sd.paths;
	size_t npaths = sd.npaths;
	const char *base_rev = sd.base_rev;
	kb_gitfs *gb = sd.gb, *gh = sd.gh;
	const char *top = kb_gitfs_root(gb);
	const kb_fs *fs_base = kb_gitfs_fs(gb);
	const kb_fs *fs_head = gh ? kb_gitfs_fs(gh) : NULL;

	kb_strv roots = { 0 };
	for (size_t i = 0; i < npaths && !e; i++) {
		char *p = kb_path_canonical(paths[i]);
		if (!path_in(p, top)) {
			e = kb_error_new(paths[i], 0, 0,
					 "not in the repository at %s (kbuild diff compares overlays "
					 "of one repository)",
					 top);
			e->code = KB_ERR_USAGE;
			free(p);
		} else if (!kb_fs_is_dir(fs_base, p) && !kb_fs_is_dir(fs_head, p)) {
			e = gh ? kb_error_new(paths[i], 0, 0, "not a directory at %s nor at %s",
					      base_rev, o->head)
			       : kb_error_new(paths[i], 0, 0,
					      "not a directory at %s nor in the working tree",
					      base_rev);
			e->code = KB_ERR_USAGE;
			free(p);
		} else {
			kb_strv_push_owned(&roots, p);
		}
	}
	changes ch = { 0 };
	if (!e)
		e = changed_paths(top, kb_gitfs_commit(gb) ? kb_gitfs_commit(gb) : base_rev,
				  gh ? (kb_gitfs_commit(gh) ? kb_gitfs_commit(gh) : o->head) : NULL, &ch);
	if (e) {
		kb_strv_free(&roots);
		kb_strmap_free(&ch.set, NULL);
		free(ch.sorted);
		kb_gitfs_free(gb);
		kb_gitfs_free(gh);
		if (e->code != KB_ERR_USAGE)
			e->code = KB_ERR_BUILD;
		return e;
	}

	/* a caller built against an older kb_options has fewer fields */
	kb_options bopts;
	kb_options_copy(&bopts, o->build);
	kb_parse_limits lim = { 0 };
	lim.max_depth = bopts.max_depth;
	lim.max_nodes = bopts.max_nodes;
	/* what the walk and the builds will read of a revision, fetched in a
	 * few round trips rather than one per object */
	for (size_t i = 0; i < roots.n; i++) {
		kb_gitfs_prefetch(gb, roots.v[i], PREFETCH_BYTES);
		if (gh)
			kb_gitfs_prefetch(gh, roots.v[i], PREFETCH_BYTES);
	}
	/* the builds of each side share one cache of what they read and parse */
	kb_session *sb = kb_session_new(fs_base, 0), *sh = kb_session_new(fs_head, 0);
	found f = { 0 };
	e = discover_side(o, sb, &roots, &lim, &f, true);
	if (!e)
		e = discover_side(o, sh, &roots, &lim, &f, false);

	scan sc = { .fs = kb_session_fs(sh), .lim = lim };
	job *jobs = kb_xcalloc(2 * f.n + 1, sizeof(*jobs));
	size_t *picked = kb_xcalloc(f.n + 1, sizeof(*picked));
	size_t npicked = 0;
	for (size_t i = 0; !e && i < f.n; i++) {
		overlay *ov = &f.v[i];
		bool pick = o->all || !ov->at_base || !ov->at_head;
		if (!pick) {
			const kb_strv *deps = deps_of(&sc, ov->dir);
			for (size_t k = 0; deps && k < deps->n && !pick; k++)
				pick = touches(&ch, deps->v[k]);
		}
		if (!pick)
			continue;
		picked[npicked] = i;
		job *jb = &jobs[2 * npicked], *jh = &jobs[2 * npicked + 1];
		npicked++;
		*jb = (job){ .session = ov->at_base ? sb : NULL, .bopts = &bopts, .dir = ov->dir };
		*jh = (job){ .session = ov->at_head ? sh : NULL, .bopts = &bopts, .dir = ov->dir };
	}
	unsigned nthreads = o->jobs ? o->jobs : kb_cpu_count();
	if (nthreads > 2 * npicked)
		nthreads = npicked ? (unsigned)(2 * npicked) : 1;
	kb_pool *pool = npicked > 0 && nthreads > 1 ? kb_pool_new(nthreads) : NULL;
	for (size_t i = 0; i < 2 * npicked; i++) {
		if (!jobs[i].session)
			continue;
		if (pool)
			kb_pool_submit(pool, run_job, &jobs[i]);
		else
			run_job(&jobs[i]);
	}
	kb_pool_free(pool); /* waits for every job */
	kb_diff_result *r = kb_diff_result_new();
	for (size_t i = 0; i < npicked; i++) {
		job *jb = &jobs[2 * i], *jh = &jobs[2 * i + 1];
		kb_error *ae =
			kb_diff_result_add(r, rel_to(f.v[picked[i]].dir, top), &jb->side, &jh->side, o);
		/* a stream kbuild printed that it cannot read back would be a
		 * bug of the emitter; the overlay is then left out */
		kb_error_free(ae);
		for (int k = 0; k < 2; k++) {
			kb_result_free(jobs[2 * i + k].res);
			free(jobs[2 * i + k].err_text);
		}
	}
	free(jobs);
	free(picked);
	kb_session_free(sb);
	kb_session_free(sh);
	kb_diff_result_sort(r);
	r->counted = true;
	r->overlays = f.n;
	r->changed_files = ch.n;
	r->base_rev = kb_xstrdup(base_rev);
	r->base_commit = kb_gitfs_commit(gb) ? kb_xstrdup(kb_gitfs_commit(gb)) : NULL;
	r->head_rev = gh ? kb_xstrdup(o->head) : NULL;
	r->head_commit = gh && kb_gitfs_commit(gh) ? kb_xstrdup(kb_gitfs_commit(gh)) : NULL;

	for (size_t i = 0; i < f.n; i++)
		free(f.v[i].dir);
	free(f.v);
	kb_strmap_free(&f.by_dir, NULL);
	if (e) {
		kb_diff_result_free(r);
		r = NULL;
	}
	kb_strmap_free(&sc.memo, strv_free_v);
	for (size_t i = 0; i < sc.norphans; i++)
		strv_free_v(sc.orphans[i]);
	free(sc.orphans);
	kb_strv_free(&sc.stack);
	kb_strmap_free(&ch.set, NULL);
	free(ch.sorted);
	kb_strv_free(&roots);
	kb_gitfs_free(gb);
	kb_gitfs_free(gh);
	*out = r;
	return e;
}
