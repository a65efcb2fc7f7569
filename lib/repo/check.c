/*
 * check.c - kb_check (kbuild/check.h): discover, build every root on a
 * thread pool through one session (shared caches, a dependency set per
 * build), and report in discovery order.
 *
 * Each root is one job.  Workers build and keep what the report needs;
 * the calling thread waits for the jobs by ticket, in order, turns each
 * into a kb_check_result and calls back, then frees it.  So the report is
 * the same for any -j, and the callback needs no locking.
 */
#include "kbuild.h"
#include "bundle.h"
#include "deps.h"
#include "discover.h"
#include "fs.h"
#include "git.h"
#include "pool.h"
#include "session.h"
#include "util.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void kb_check_options_init(kb_check_options *o)
{
	memset(o, 0, sizeof(*o));
	o->version = KB_CHECK_OPTIONS_VERSION;
}

/* A changed path, as given (cleaned) and resolved (when it exists). */
typedef struct changed_path {
	char *clean;
	char *real;    /* NULL when missing or the same as clean */
	char *display; /* as messages show it */
} changed_path;

typedef struct check_run {
	const kb_check_options *o;
	kb_options bopts;
	kb_session *session;
	changed_path *changed;
	size_t nchanged;
	bool changed_mode;
	kb_bundles bundles; /* with bundle_dir */
	atomic_int stop;
} check_run;

typedef struct check_job {
	check_run *run;
	const kb_root *root;
	bool skipped; /* stopped before it ran */
	bool built;   /* the build succeeded (err may still say the bundle failed) */
	kb_error *err;
	kb_error **warn; /* the build's warnings (owned) */
	size_t nwarn;
	kb_result *res; /* with keep_output */
	size_t resources;
	double seconds;
	kb_deps *deps;
	size_t *touched; /* indexes into run->changed */
	size_t ntouched;
	char *bundle;
	size_t ticket; /* in the pool (bigger builds are submitted first) */
} check_job;

static void run_job(void *arg)
{
	check_job *j = arg;
	check_run *run = j->run;
	if (atomic_load(&run->stop)) {
		j->skipped = true;
		return;
	}
	kb_options o = run->bopts;
	o.path = j->root->dir;
	double t0 = kb_now_s();
	j->err = kb_session_build(run->session, &o, &j->deps, &j->res);
	j->seconds = kb_now_s() - t0;
	j->built = j->err == NULL;
	j->resources = j->res ? kb_result_count(j->res) : 0;
	if (j->err) {
		/* the warnings a failed build carries become the result's */
		j->warn = j->err->warnings;
		j->nwarn = j->err->nwarnings;
		j->err->warnings = NULL;
		j->err->nwarnings = 0;
	} else {
		j->nwarn = kb_result_warning_count(j->res);
		j->warn = kb_xcalloc(j->nwarn ? j->nwarn : 1, sizeof(*j->warn));
		for (size_t i = 0; i < j->nwarn; i++)
			j->warn[i] = kb_error_clone(kb_result_warning_diag(j->res, i));
	}
	if (run->changed_mode) {
		j->touched = kb_xcalloc(run->nchanged ? run->nchanged : 1, sizeof(size_t));
		for (size_t i = 0; i < run->nchanged; i++)
			if (kb_deps_touched_by(j->deps, run->changed[i].clean) ||
			    (run->changed[i].real &&
			     kb_deps_touched_by(j->deps, run->changed[i].real)))
				j->touched[j->ntouched++] = i;
	}
	bool reported = !run->changed_mode || j->ntouched > 0;
	bool ok = !j->err && !(run->o->strict && j->nwarn > 0);
	if (run->bundles.dir && reported) {
		char *path = kb_bundles_path(&run->bundles, j->root->display);
		if (ok) {
			size_t len;
			const char *yaml = kb_result_yaml(j->res, &len);
			j->err = kb_bundles_write(path, yaml, len, j->root->display);
			if (!j->err)
				j->bundle = kb_path_display(path);
		} else {
			/* a bundle from an earlier run would pass for this one's */
			unlink(path);
		}
		free(path);
	}
	if (!run->o->keep_output || !reported) {
		kb_result_free(j->res);
		j->res = NULL;
	}
}

static void job_free(check_job *j)
{
	kb_error_free(j->err);
	for (size_t i = 0; i < j->nwarn; i++)
		kb_error_free(j->warn[i]);
	free(j->warn);
	kb_result_free(j->res);
	kb_deps_free(j->deps);
	free(j->touched);
	free(j->bundle);
	memset(j, 0, sizeof(*j));
}

static void deliver(check_run *run, check_job *j, kb_check_summary *sum, int *stopped)
{
	const kb_check_options *o = run->o;
	bool reported = !run->changed_mode || j->ntouched > 0;
	if (!reported) {
		sum->untouched++;
		return;
	}
	size_t nd_deps = kb_deps_count(j->deps);
	const char **deps = kb_xcalloc(nd_deps ? nd_deps : 1, sizeof(*deps));
	unsigned *flags = kb_xcalloc(nd_deps ? nd_deps : 1, sizeof(*flags));
	for (size_t i = 0; i < nd_deps; i++) {
		deps[i] = kb_deps_path(j->deps, i);
		flags[i] = kb_deps_flags(j->deps, i);
	}
	const char **touched = kb_xcalloc(j->ntouched ? j->ntouched : 1, sizeof(*touched));
	for (size_t i = 0; i < j->ntouched; i++)
		touched[i] = run->changed[j->touched[i]].display;

	kb_check_result r;
	memset(&r, 0, sizeof(r));
	r.path = j->root->display;
	r.dir = j->root->dir;
	r.built = j->built;
	r.ok = !j->err && !(o->strict && j->nwarn > 0);
	r.seconds = j->seconds;
	r.resources = j->resources;
	r.error = j->err;
	r.warnings = (const kb_error *const *)j->warn;
	r.nwarnings = j->nwarn;
	if (j->res && j->built)
		r.yaml = kb_result_yaml(j->res, &r.yaml_len);
	r.bundle = j->bundle;
	r.deps = deps;
	r.dep_flags = flags;
	r.ndeps = nd_deps;
	r.touched = touched;
	r.ntouched = j->ntouched;

	sum->overlays++;
	if (r.ok)
		sum->ok++;
	else
		sum->failed++;
	sum->warnings += j->nwarn;
	if (o->on_result && o->on_result(o->ud, &r) != 0)
		*stopped = 1;
	free(touched);
	free(flags);
	free(deps);
}

/* The size of the kustomization file: how much it lists is the best
 * cheap guess at what its build costs (read through the session's cache,
 * which the build reads it from again). */
static size_t kustomization_size(const kb_fs *fs, const char *kfile)
{
	size_t len = 0;
	char *text = kb_fs_read(fs, kfile, &len);
	free(text);
	return text ? len : 0;
}

typedef struct job_order {
	size_t weight, index;
} job_order;

static int by_weight(const void *a, const void *b)
{
	const job_order *x = a, *y = b;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index; /* discovery order */
}

static void add_changed(check_run *run, const kb_fs *fs, const char *cwd, const char *p)
{
	char *abs = kb_path_join(cwd, p);
	char *clean = kb_path_clean(abs);
	free(abs);
	if (!clean)
		return;
	for (size_t i = 0; i < run->nchanged; i++)
		if (strcmp(run->changed[i].clean, clean) == 0) {
			free(clean);
			return;
		}
	char *real = kb_fs_realpath(fs, clean);
	if (real && strcmp(real, clean) == 0) {
		free(real);
		real = NULL;
	}
	run->changed = kb_xrealloc(run->changed, (run->nchanged + 1) * sizeof(*run->changed));
	run->changed[run->nchanged++] = (changed_path){ clean, real, kb_path_display(clean) };
}

static void report_warnings(const kb_check_options *o, const kb_warnings *w)
{
	if (!o->on_warning)
		return;
	for (size_t i = 0; i < w->n; i++)
		o->on_warning(o->ud, w->diag[i]);
}

kb_error *kb_check(const kb_check_options *o, kb_check_summary *sum_out)
{
	if (!o || o->version < 1) {
		kb_error *e = kb_error_new(NULL, 0, 0,
					   "kb_check: options not set up (call kb_check_options_init)");
		e->code = KB_ERR_USAGE;
		return e;
	}
	double t0 = kb_now_s();
	kb_check_summary sum;
	memset(&sum, 0, sizeof(sum));
	check_run run;
	memset(&run, 0, sizeof(run));
	run.o = o;
	kb_options_copy(&run.bopts, o->build);
	const kb_fs *fs = run.bopts.fs;
	unsigned flags = o->no_cache ? KB_SESSION_NO_DOC_CACHE | KB_SESSION_NO_FS_CACHE : 0;
	run.session = kb_session_new(fs, flags);
	char *cwd = getcwd(NULL, 0);
	kb_error *e = NULL;
	kb_roots roots = { 0 };
	kb_warnings walk_warn = { 0 };
	check_job *jobs = NULL;
	if (!cwd) {
		e = kb_error_new(NULL, 0, 0, "cannot find the current directory: %s", strerror(errno));
		goto out;
	}

	/* what changed */
	run.changed_mode = o->has_changed || o->since;
	for (size_t i = 0; o->has_changed && i < o->nchanged; i++)
		add_changed(&run, fs, cwd, o->changed[i]);
	if (o->since) {
		kb_strv files = { 0 };
		const char *at = o->npaths ? o->paths[0] : ".";
		char *dir = kb_path_join(cwd, at);
		e = kb_git_changed_since(dir, o->since, &files);
		free(dir);
		for (size_t i = 0; !e && i < files.n; i++)
			add_changed(&run, fs, cwd, files.v[i]);
		kb_strv_free(&files);
		if (e)
			goto out;
	}
	sum.changed = run.nchanged;

	kb_parse_limits lim;
	memset(&lim, 0, sizeof(lim)); /* its bytes are the parse cache's key */
	lim.max_depth = run.bopts.max_depth;
	lim.max_nodes = run.bopts.max_nodes;
	kb_discover_opts dopts = {
		.fs = kb_session_fs(run.session),
		.paths = o->paths,
		.npaths = o->npaths,
		.exclude = o->exclude,
		.nexclude = o->nexclude,
		.no_ignore_files = o->no_ignore_files != 0,
		.lim = &lim,
		.hooks = kb_session_hooks(run.session),
	};
	e = kb_discover(&dopts, &roots, &walk_warn);
	report_warnings(o, &walk_warn);
	if (e)
		goto out;
	sum.components = roots.components;
	sum.excluded = roots.excluded;
	if (roots.n == 0) {
		/* a CI job pointed at the wrong directory must not pass unseen */
		kb_warnings none = { 0 };
		kb_warn(&none, NULL, 0, 0,
			"no kustomization found to check (no kustomization.yaml, "
			"kustomization.yml or Kustomization that is not a Component)");
		report_warnings(o, &none);
		kb_warnings_free(&none);
	}

	if (o->bundle_dir && (e = kb_bundles_open(&run.bundles, cwd, o->bundle_dir)))
		goto out;

	if (run.changed_mode && run.nchanged == 0) {
		/* nothing changed: nothing to build */
		sum.untouched = roots.n;
		goto out;
	}

	jobs = kb_xcalloc(roots.n ? roots.n : 1, sizeof(*jobs));
	for (size_t i = 0; i < roots.n; i++) {
		jobs[i].run = &run;
		jobs[i].root = &roots.v[i];
	}
	unsigned nthreads = o->jobs ? o->jobs : kb_cpu_count();
	if (nthreads > roots.n)
		nthreads = roots.n ? (unsigned)roots.n : 1;
	kb_pool *pool = kb_pool_new(nthreads);
	int stopped = 0;
	if (pool) {
		/* Start the biggest builds first, so that a cluster overlay over
		 * every app does not run alone at the end while the other
		 * threads idle; results are still reported in discovery order. */
		job_order *order = kb_xcalloc(roots.n ? roots.n : 1, sizeof(*order));
		for (size_t i = 0; i < roots.n; i++)
			order[i] = (job_order){ kustomization_size(kb_session_fs(run.session),
								   roots.v[i].kfile),
						i };
		qsort(order, roots.n, sizeof(*order), by_weight);
		for (size_t k = 0; k < roots.n; k++)
			jobs[order[k].index].ticket =
				kb_pool_submit(pool, run_job, &jobs[order[k].index]);
		free(order);
	}
	for (size_t i = 0; i < roots.n; i++) {
		if (pool)
			kb_pool_wait_one(pool, jobs[i].ticket);
		else
			run_job(&jobs[i]); /* no thread to be had: build here */
		if (!stopped && !jobs[i].skipped)
			deliver(&run, &jobs[i], &sum, &stopped);
		if (stopped)
			atomic_store(&run.stop, 1);
		job_free(&jobs[i]);
	}
	kb_pool_free(pool);
	if (stopped)
		e = kb_error_new(NULL, 0, 0, "the check was stopped after %zu overlays",
				 sum.overlays);

out:;
	kb_session_stats st;
	kb_session_stats_get(run.session, &st);
	sum.reads = st.reads.lookups;
	sum.read_misses = st.reads.misses;
	sum.parses = st.parses.lookups;
	sum.parse_misses = st.parses.misses;
	sum.seconds = kb_now_s() - t0;
	if (sum_out)
		*sum_out = sum;
	free(jobs);
	kb_roots_free(&roots);
	kb_warnings_free(&walk_warn);
	for (size_t i = 0; i < run.nchanged; i++) {
		free(run.changed[i].clean);
		free(run.changed[i].real);
		free(run.changed[i].display);
	}
	free(run.changed);
	kb_bundles_close(&run.bundles);
	kb_session_free(run.session);
	free(cwd);
	return e;
}
