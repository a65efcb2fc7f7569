/*
 * kbuild/flux.h - render a Flux cluster offline.
 *
 * A Flux repository holds Flux Kustomization objects
 * (kustomize.toolkit.fluxcd.io), and kustomize-controller builds each
 * one's spec.path with its own additions: a generated kustomization where
 * the directory has none, targetNamespace, patches, images, components,
 * namePrefix/nameSuffix, post-build variable substitution, its owner
 * labels.  kb_flux_render does all of that for a whole cluster: it builds
 * PATH (the usual clusters/<name>), renders every Flux Kustomization it
 * finds, the ones those produce in turn (flux-system -> infrastructure ->
 * apps), in dependsOn order, and hands back one result per Kustomization.
 *
 *   kb_flux_options o;
 *   kb_flux_options_init(&o);
 *   o.path = "clusters/staging";
 *   kb_flux_result *r = NULL;
 *   kb_error *err = kb_flux_render(&o, &r);   // fatal problems only
 *   for (size_t i = 0; !err && i < kb_flux_result_count(r); i++) {
 *       const kb_flux_ks *k = kb_flux_result_get(r, i);
 *       if (kb_flux_ks_error(k)) ...           // this Kustomization failed
 *       else use kb_flux_ks_yaml(k, &len) ...  // what it applies
 *   }
 *   kb_flux_result_free(r);
 *
 * Everything is read through kb_options.fs (build) when given, so an
 * editor or `kbuild diff` can render unsaved or historical trees; the
 * user's tree is never written.
 *
 * Thread safety: no global state; separate renders may run concurrently.
 * Ownership: the result and everything reached from it belong to the
 * caller until kb_flux_result_free; strings returned are borrowed.
 */
#ifndef KBUILD_FLUX_H
#define KBUILD_FLUX_H

#include "kbuild.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1: the fields below. */
#define KB_FLUX_OPTIONS_VERSION 1

typedef enum kb_flux_style {
	/* documents separated by `---` as kustomize prints them;
	 * SOPS-encrypted Secrets as they are in the repository */
	KB_FLUX_STYLE_KUSTOMIZE = 0,
	/* what `flux build kustomization --dry-run` prints: every document
	 * followed by `---`, SOPS-encrypted values masked as **SOPS** */
	KB_FLUX_STYLE_FLUX_BUILD = 1,
} kb_flux_style;

typedef struct kb_flux_options {
	int version; /* KB_FLUX_OPTIONS_VERSION */
	/* A directory (built as kustomize-controller builds a Kustomization
	 * with an empty spec) or a YAML file holding Flux Kustomizations. */
	const char *path;
	/* The root of the repository PATH belongs to, which GitRepository
	 * sources of this repository map to.  NULL: found from PATH (the
	 * Kustomization in PATH whose spec.path is PATH itself, else the
	 * enclosing git work tree or the nearest ancestor holding every path
	 * PATH's Kustomizations name). */
	const char *repo_root;
	/* Build options (limits, reorder, fs); NULL for defaults.  As in
	 * kustomize-controller the load restrictor is always
	 * LoadRestrictionsNone and helm and plugins are off. */
	const kb_options *build;
	/* "KIND/NAMESPACE/NAME=DIR": where other sources' files are
	 * (GitRepository, OCIRepository, Bucket, ExternalArtifact). */
	const char *const *sources;
	size_t nsources;
	/* YAML files of ConfigMaps and Secrets whose values substituteFrom
	 * takes before those rendered from the repository (a decrypted copy
	 * of a SOPS Secret, values that live only in the cluster). */
	const char *const *values_from;
	size_t nvalues_from;
	/* More ignore rules for every source, in .sourceignore syntax (as
	 * `flux build --ignore-paths`). */
	const char *const *ignore_paths;
	size_t nignore_paths;
	/* --strict-substitute: an unset variable without a default is an
	 * error (kustomize-controller's --feature-gates=StrictPostBuildSubstitutions). */
	int strict_substitute;
	/* An unmapped source, a missing dependsOn or substituteFrom target
	 * is a warning (that Kustomization or value is skipped) instead of
	 * an error. */
	int skip_unresolved;
	kb_flux_style style;
	/* Leave out the labels kustomize-controller sets on what it applies
	 * (kustomize.toolkit.fluxcd.io/name and /namespace): the output of
	 * its build step alone. */
	int no_owner_labels;
	/* "NAMESPACE/NAME" of the Kustomizations wanted; none: all.  The
	 * whole cluster is still rendered (to find them and the values they
	 * read), but the stream, kb_flux_result_write_dir and
	 * kb_flux_result_error_count cover these only.  A name that is not
	 * found makes kb_flux_render fail. */
	const char *const *select;
	size_t nselect;
} kb_flux_options;

KB_API void kb_flux_options_init(kb_flux_options *o);

typedef struct kb_flux_result kb_flux_result;
typedef struct kb_flux_ks kb_flux_ks;

/* Renders the cluster.  Returns an error only when nothing can be
 * rendered (PATH missing or unbuildable, bad options); problems of single
 * Kustomizations are in their results (kb_flux_ks_error).  On success
 * *out holds the result. */
KB_API kb_error *kb_flux_render(const kb_flux_options *opts, kb_flux_result **out);

/* The Kustomizations in apply order (dependencies first).  The first may
 * be the root entry: the objects of PATH itself when no Kustomization in
 * it builds PATH (kb_flux_ks_is_root). */
KB_API size_t kb_flux_result_count(const kb_flux_result *r);
KB_API const kb_flux_ks *kb_flux_result_get(const kb_flux_result *r, size_t i);
/* NULL when not found. */
KB_API const kb_flux_ks *kb_flux_result_find(const kb_flux_result *r, const char *ns,
					     const char *name);
/* The whole cluster as one stream: every rendered resource once, in
 * apply order, in the options' style. */
KB_API const char *kb_flux_result_yaml(const kb_flux_result *r, size_t *len);
/* Selected Kustomizations that failed. */
KB_API size_t kb_flux_result_error_count(const kb_flux_result *r);
/* Warnings that belong to no single Kustomization. */
KB_API size_t kb_flux_result_warning_count(const kb_flux_result *r);
KB_API const char *kb_flux_result_warning(const kb_flux_result *r, size_t i);
/* The same warning as a diagnostic of kind KB_DIAG_WARNING (file, line,
 * column, message: walk it with kb_error_frame_*), borrowed from r. */
KB_API const kb_error *kb_flux_result_warning_diag(const kb_flux_result *r, size_t i);

typedef struct kb_flux_stats {
	size_t kustomizations; /* found */
	size_t rendered;       /* without error */
	size_t failed;
	size_t skipped;        /* --skip-unresolved */
	size_t resources;      /* in the stream */
	size_t helmreleases;   /* HelmRelease objects (not rendered: helm-controller's) */
	size_t sops_secrets;   /* SOPS-encrypted Secrets passed through */
} kb_flux_stats;
KB_API void kb_flux_result_stats(const kb_flux_result *r, kb_flux_stats *st);

/* Writes DIR/<namespace>/<name>.yaml per rendered Kustomization (the root
 * entry to DIR/_root.yaml), each atomically; directories are created. */
KB_API kb_error *kb_flux_result_write_dir(const kb_flux_result *r, const char *dir);
/* Writes the stream to a file atomically (temporary file + rename). */
KB_API kb_error *kb_flux_result_write_file(const kb_flux_result *r, const char *path);
KB_API void kb_flux_result_free(kb_flux_result *r);

/* ---- one Kustomization ---- */
/* "" for the root entry. */
KB_API const char *kb_flux_ks_namespace(const kb_flux_ks *k);
KB_API const char *kb_flux_ks_name(const kb_flux_ks *k);
KB_API int kb_flux_ks_is_root(const kb_flux_ks *k);
/* Where the Kustomization object is defined (the file as messages name
 * it) and its line (0 when unknown); for the root entry, PATH. */
KB_API const char *kb_flux_ks_file(const kb_flux_ks *k, unsigned *line);
/* The Kustomization that applies this one ("" for none), as
 * "NAMESPACE/NAME". */
KB_API const char *kb_flux_ks_parent(const kb_flux_ks *k);
/* The cluster its resources are applied to: "" for the one PATH belongs
 * to, "kubeConfig NAMESPACE/SECRET" for one reached through
 * spec.kubeConfig (its own or an ancestor's).  Each resource is printed
 * once per cluster. */
KB_API const char *kb_flux_ks_cluster(const kb_flux_ks *k);
/* "KIND/NAMESPACE/NAME" of its sourceRef ("" for the root entry). */
KB_API const char *kb_flux_ks_source(const kb_flux_ks *k);
/* Its spec.path as written ("./apps/prod"; "" for the root entry or
 * when it has none). */
KB_API const char *kb_flux_ks_path(const kb_flux_ks *k);
/* The absolute directory that was built, when it was resolved.  For an
 * ExternalArtifact it lies in memory (read it through kb_options.fs ...
 * or use kb_flux_ks_yaml). */
KB_API const char *kb_flux_ks_dir(const kb_flux_ks *k);
/* What it applies, with kustomize-controller's labels, in the options'
 * style; "" when it failed. */
KB_API const char *kb_flux_ks_yaml(const kb_flux_ks *k, size_t *len);
KB_API size_t kb_flux_ks_resource_count(const kb_flux_ks *k);
/* The wall time its render took (source, build, post-build), in seconds. */
KB_API double kb_flux_ks_seconds(const kb_flux_ks *k);
/* NULL when it rendered; the error names the Kustomization and file. */
KB_API const kb_error *kb_flux_ks_error(const kb_flux_ks *k);
/* Among the selected (always, when nothing is selected). */
KB_API int kb_flux_ks_selected(const kb_flux_ks *k);
/* Skipped under skip_unresolved (its source or a dependency is missing). */
KB_API int kb_flux_ks_skipped(const kb_flux_ks *k);
KB_API size_t kb_flux_ks_warning_count(const kb_flux_ks *k);
/* Its warnings, formatted ("file:line:col: warning: what"), and the
 * same as diagnostics (borrowed from the result).  What a failed build
 * warned before it failed is among them. */
KB_API const char *kb_flux_ks_warning(const kb_flux_ks *k, size_t i);
KB_API const kb_error *kb_flux_ks_warning_diag(const kb_flux_ks *k, size_t i);
/* The Kustomizations it waits for (dependsOn), as "NAMESPACE/NAME". */
KB_API size_t kb_flux_ks_depends_count(const kb_flux_ks *k);
KB_API const char *kb_flux_ks_depends(const kb_flux_ks *k, size_t i);

#ifdef __cplusplus
}
#endif

#endif
