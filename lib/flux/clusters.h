/*
 * clusters.h - Flux clusters rendered for `kbuild check --flux` and
 * `kbuild diff --flux` (kbuild/check.h: kb_check_flux, kbuild/diff.h:
 * kb_diff_flux): several PATHs, each through kb_flux_render, and their
 * Kustomizations as entries whose names are unique across the run, so a
 * report can list them and a diff can pair them across revisions.
 */
#ifndef KB_FLUX_CLUSTERS_H
#define KB_FLUX_CLUSTERS_H

#include "kbuild.h"

#include <stdbool.h>

typedef struct kb_flux_entry {
	/* "NAMESPACE/NAME", "PATH NAMESPACE/NAME" when several PATHs are
	 * rendered, with " (kubeConfig NS/SECRET)" after it for another
	 * cluster's; the PATH itself for its root entry or its failed render */
	char *name;
	/* the file kbuild flux -o would write it to, relative:
	 * [PATH/][_kubeConfig/NS/SECRET/]NAMESPACE/NAME, [PATH/]_root
	 * (without ".yaml") */
	char *bundle;
	size_t path;          /* its PATH's index */
	const kb_flux_ks *ks; /* NULL when the PATH did not render */
	const kb_error *err;  /* the Kustomization's error, or the render's */
} kb_flux_entry;

typedef struct kb_flux_clusters {
	size_t npaths;
	char **shown;         /* per PATH, as messages show it */
	kb_flux_result **res; /* per PATH; NULL when it did not render or is missing */
	kb_error **err;       /* per PATH: why it did not render */
	bool *missing;        /* per PATH: it does not exist in the file system read */
	double *seconds;      /* per PATH: wall time of its render */
	kb_flux_entry *v;
	size_t n;
} kb_flux_clusters;

/* Renders each of paths (relative to the current directory, or
 * absolute) as kb_flux_render renders flux->path (flux: NULL for the
 * defaults; its path, build and select are replaced, style is
 * kustomize's), with the build options build (NULL: defaults; its fs is
 * what is read), up to jobs renders at once (0: the number of CPUs).
 * Fills *out (free with kb_flux_clusters_free). */
void kb_flux_clusters_render(kb_flux_clusters *out, const kb_flux_options *flux,
			     const kb_options *build, const char *const *paths, size_t npaths,
			     unsigned jobs);
void kb_flux_clusters_free(kb_flux_clusters *c);

#endif
