/*
 * fluxcheck.c - kb_check_flux (kbuild/check.h): `kbuild check --flux`,
 * the Flux clusters at the paths rendered (clusters.c) and each
 * Kustomization reported as kb_check reports an overlay.
 *
 * Above lib/repo (whose kb_check checks overlays) because it renders
 * through kb_flux_render; the bundles are written as kb_check writes
 * them (lib/repo/bundle.h).
 */
#include "kbuild.h"
#include "bundle.h"
#include "clusters.h"
#include "diag.h"
#include "fs.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static kb_error *usage(const char *msg)
{
	kb_error *e = kb_error_new(NULL, 0, 0, "%s", msg);
	e->code = KB_ERR_USAGE;
	return e;
}

/* One entry as a result (pointing into en and k). */
static void fill(kb_check_result *r, const kb_check_options *o, const kb_flux_clusters *cl,
		 const kb_flux_entry *en, const kb_error **warn, size_t nwarn)
{
	const kb_flux_ks *k = en->ks;
	memset(r, 0, sizeof(*r));
	r->path = en->name;
	r->dir = k && kb_flux_ks_dir(k) ? kb_flux_ks_dir(k) : "";
	r->error = en->err;
	r->warnings = warn;
	r->nwarnings = nwarn;
	r->flux_skipped = k && kb_flux_ks_skipped(k);
	r->built = k && !en->err && !r->flux_skipped;
	r->ok = !en->err && !(o->strict && nwarn > 0);
	r->resources = k ? kb_flux_ks_resource_count(k) : 0;
	r->seconds = !k ? cl->seconds[en->path] : kb_flux_ks_is_root(k) ? 0 : kb_flux_ks_seconds(k);
	if (r->built && o->keep_output)
		r->yaml = kb_flux_ks_yaml(k, &r->yaml_len);
	r->flux_path = cl->shown[en->path];
	r->flux_namespace = k ? kb_flux_ks_namespace(k) : "";
	r->flux_name = k ? kb_flux_ks_name(k) : "";
	r->flux_file = k ? kb_flux_ks_file(k, &r->flux_line) : cl->shown[en->path];
	r->flux_cluster = k ? kb_flux_ks_cluster(k) : "";
	r->flux_spec_path = k ? kb_flux_ks_path(k) : "";
}

kb_error *kb_check_flux(const kb_check_options *o, const struct kb_flux_options *flux,
			kb_check_summary *sum_out)
{
	if (!o || o->version < 1)
		return usage("kb_check_flux: options not set up (call kb_check_options_init)");
	if (o->has_changed || o->since)
		return usage("a Flux cluster is checked whole: --changed and --since do not apply "
			     "to --flux");
	if (o->nexclude)
		return usage("--exclude does not apply to --flux (the sources' .sourceignore and "
			     "--ignore-paths say what a Flux Kustomization leaves out)");
	double t0 = kb_now_s();
	kb_check_summary sum;
	memset(&sum, 0, sizeof(sum));
	static const char *const dot[] = { "." };
	const char *const *paths = o->npaths ? o->paths : dot;
	size_t npaths = o->npaths ? o->npaths : 1;
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		return kb_error_new(NULL, 0, 0, "cannot find the current directory: %s",
				    strerror(errno));
	kb_bundles bundles = { 0 };
	kb_error *e = o->bundle_dir ? kb_bundles_open(&bundles, cwd, o->bundle_dir) : NULL;
	free(cwd);
	if (e)
		return e;

	kb_flux_clusters cl;
	kb_flux_clusters_render(&cl, flux, o->build, paths, npaths, o->jobs);
	for (size_t i = 0; i < npaths && !e; i++)
		if (cl.missing[i]) {
			e = kb_error_new(paths[i], 0, 0, "cannot check: %s", strerror(ENOENT));
			e->code = KB_ERR_USAGE;
		}
	for (size_t i = 0; i < npaths && !e && o->on_warning; i++)
		for (size_t w = 0; w < kb_flux_result_warning_count(cl.res[i]); w++)
			o->on_warning(o->ud, kb_flux_result_warning_diag(cl.res[i], w));

	int stopped = 0;
	for (size_t i = 0; i < cl.n && !e && !stopped; i++) {
		const kb_flux_entry *en = &cl.v[i];
		size_t nwarn = en->ks ? kb_flux_ks_warning_count(en->ks) : 0;
		const kb_error **warn = kb_xcalloc(nwarn + 1, sizeof(*warn));
		for (size_t w = 0; w < nwarn; w++)
			warn[w] = kb_flux_ks_warning_diag(en->ks, w);
		kb_check_result r;
		fill(&r, o, &cl, en, warn, nwarn);
		kb_error *berr = NULL;
		char *bundle = NULL;
		if (bundles.dir) {
			char *path = kb_bundles_path(&bundles, en->bundle);
			if (r.ok && en->ks) {
				size_t len;
				const char *yaml = kb_flux_ks_yaml(en->ks, &len);
				berr = kb_bundles_write(path, yaml, len, en->name);
				if (berr) {
					r.error = berr;
					r.ok = 0;
				} else {
					bundle = kb_path_display(path);
					r.bundle = bundle;
				}
			} else {
				/* a bundle from an earlier run would pass for this one's */
				unlink(path);
			}
			free(path);
		}
		sum.overlays++;
		if (r.ok)
			sum.ok++;
		else
			sum.failed++;
		sum.warnings += nwarn;
		if (o->on_result && o->on_result(o->ud, &r) != 0)
			stopped = 1;
		kb_error_free(berr);
		free(bundle);
		free(warn);
	}
	if (!e && stopped)
		e = kb_error_new(NULL, 0, 0, "the check was stopped after %zu Kustomizations",
				 sum.overlays);
	sum.seconds = kb_now_s() - t0;
	kb_flux_clusters_free(&cl);
	kb_bundles_close(&bundles);
	if (sum_out)
		*sum_out = sum;
	return e;
}
