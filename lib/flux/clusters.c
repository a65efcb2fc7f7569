/*
 * clusters.c - several Flux clusters rendered, their Kustomizations named
 * across the run (clusters.h).
 */
#include "clusters.h"
#include "deps.h"
#include "fs.h"
#include "hooks.h"
#include "pool.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct render_job {
	kb_flux_options fo;
	kb_options bo;
	const char *path;
	kb_flux_result *res;
	kb_error *err;
	bool missing;
	double seconds;
} render_job;

static void render_one(void *arg)
{
	render_job *j = arg;
	kb_file_type t;
	if (kb_fs_stat(j->bo.fs, j->path, true, &t) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
		j->missing = true;
		return;
	}
	double t0 = kb_now_s();
	j->fo.path = j->path;
	j->fo.build = &j->bo;
	j->err = kb_flux_render(&j->fo, &j->res);
	j->seconds = kb_now_s() - t0;
}

/* A file name's piece for a cluster "kubeConfig NS/SECRET". */
static char *cluster_dir(const char *cluster)
{
	char *d = kb_xasprintf("_%s", cluster);
	for (char *p = d; *p; p++)
		if (*p == ' ')
			*p = '/';
	return d;
}

static bool name_taken(const kb_flux_clusters *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return true;
	return false;
}

static void add_entry(kb_flux_clusters *c, size_t path, const kb_flux_ks *k, const kb_error *err)
{
	const char *shown = c->shown[path];
	bool several = c->npaths > 1;
	kb_buf name = KB_BUF_INIT, file = KB_BUF_INIT;
	if (several && strcmp(shown, ".") != 0)
		kb_buf_printf(&file, "%s/", shown);
	if (!k || kb_flux_ks_is_root(k)) {
		kb_buf_puts(&name, shown);
		kb_buf_puts(&file, "_root");
	} else {
		const char *cl = kb_flux_ks_cluster(k);
		if (several)
			kb_buf_printf(&name, "%s ", shown);
		kb_buf_printf(&name, "%s/%s", kb_flux_ks_namespace(k), kb_flux_ks_name(k));
		if (*cl) {
			kb_buf_printf(&name, " (%s)", cl);
			char *d = cluster_dir(cl);
			kb_buf_printf(&file, "%s/", d);
			free(d);
		}
		kb_buf_printf(&file, "%s/%s", kb_flux_ks_namespace(k), kb_flux_ks_name(k));
	}
	/* the same Kustomization twice in one cluster (an object applied to
	 * another cluster through kubeConfig and one that lives there) */
	char *base = kb_buf_detach(&name);
	char *n = kb_xstrdup(base);
	char *fbase = kb_buf_detach(&file);
	char *f = kb_xstrdup(fbase);
	for (int i = 2; name_taken(c, n); i++) {
		free(n);
		free(f);
		n = kb_xasprintf("%s #%d", base, i);
		f = kb_xasprintf("%s.%d", fbase, i);
	}
	free(base);
	free(fbase);
	c->v[c->n++] = (kb_flux_entry){ n, f, path, k, err };
}

void kb_flux_clusters_render(kb_flux_clusters *out, const kb_flux_options *flux,
			     const kb_options *build, const char *const *paths, size_t npaths,
			     unsigned jobs)
{
	memset(out, 0, sizeof(*out));
	out->npaths = npaths;
	out->shown = kb_xcalloc(npaths + 1, sizeof(*out->shown));
	out->res = kb_xcalloc(npaths + 1, sizeof(*out->res));
	out->err = kb_xcalloc(npaths + 1, sizeof(*out->err));
	out->missing = kb_xcalloc(npaths + 1, sizeof(*out->missing));
	out->seconds = kb_xcalloc(npaths + 1, sizeof(*out->seconds));
	char *cwd = getcwd(NULL, 0);
	render_job *jv = kb_xcalloc(npaths + 1, sizeof(*jv));
	char **abs = kb_xcalloc(npaths + 1, sizeof(*abs));
	for (size_t i = 0; i < npaths; i++) {
		char *j = kb_path_join(cwd ? cwd : "/", paths[i]);
		abs[i] = kb_path_clean(j);
		free(j);
		out->shown[i] = kb_path_display(abs[i]);
		if (flux)
			jv[i].fo = *flux;
		else
			kb_flux_options_init(&jv[i].fo);
		jv[i].fo.version = KB_FLUX_OPTIONS_VERSION;
		jv[i].fo.select = NULL;
		jv[i].fo.nselect = 0;
		jv[i].fo.style = KB_FLUX_STYLE_KUSTOMIZE;
		kb_options_copy(&jv[i].bo, build);
		jv[i].path = abs[i];
	}
	free(cwd);
	unsigned nthreads = jobs ? jobs : kb_cpu_count();
	if (nthreads > npaths)
		nthreads = (unsigned)npaths;
	kb_pool *pool = nthreads > 1 ? kb_pool_new(nthreads) : NULL;
	/* renders side by side: each build keeps to its thread, as kb_check
	 * gives each of its builds one (kb_options.jobs) */
	for (size_t i = 0; pool && i < npaths; i++)
		jv[i].bo.jobs = 1;
	for (size_t i = 0; i < npaths; i++) {
		if (pool)
			kb_pool_submit(pool, render_one, &jv[i]);
		else
			render_one(&jv[i]);
	}
	kb_pool_free(pool); /* waits for every render */
	size_t cap = 0;
	for (size_t i = 0; i < npaths; i++) {
		out->res[i] = jv[i].res;
		out->err[i] = jv[i].err;
		out->missing[i] = jv[i].missing;
		out->seconds[i] = jv[i].seconds;
		cap += jv[i].res ? kb_flux_result_count(jv[i].res) : 1;
	}
	out->v = kb_xcalloc(cap + 1, sizeof(*out->v));
	for (size_t i = 0; i < npaths; i++) {
		if (out->missing[i])
			continue;
		if (!out->res[i]) {
			add_entry(out, i, NULL, out->err[i]);
			continue;
		}
		for (size_t k = 0; k < kb_flux_result_count(out->res[i]); k++) {
			const kb_flux_ks *ks = kb_flux_result_get(out->res[i], k);
			add_entry(out, i, ks, kb_flux_ks_error(ks));
		}
	}
	for (size_t i = 0; i < npaths; i++)
		free(abs[i]);
	free(abs);
	free(jv);
}

void kb_flux_clusters_free(kb_flux_clusters *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].bundle);
	}
	free(c->v);
	for (size_t i = 0; i < c->npaths; i++) {
		free(c->shown[i]);
		kb_flux_result_free(c->res[i]);
		kb_error_free(c->err[i]);
	}
	free(c->shown);
	free(c->res);
	free(c->err);
	free(c->missing);
	free(c->seconds);
	memset(c, 0, sizeof(*c));
}
