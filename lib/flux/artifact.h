/*
 * artifact.h - an ExternalArtifact as source-watcher's ArtifactGenerator
 * assembles it: the copy rules of one spec.artifacts entry applied to
 * its sources' artifacts, in memory.
 *
 * Copy semantics follow source-watcher's builder: `from: "@alias/path"`
 * copies a file or a directory (cp -r: the directory itself lands in the
 * destination); a glob (`@alias/apps/` plus a star, Go's fs.Glob, where a double star is
 * a single one) copies each match, a trailing slash and double star copying the directory's
 * contents; `exclude` patterns (doublestar) skip files; strategy Merge
 * deep-merges YAML into an existing file; Extract (tarballs) is refused.
 *
 * Ownership: kb_flux_artifact_free (the files stay in the memfs).
 */
#ifndef KB_FLUX_ARTIFACT_H
#define KB_FLUX_ARTIFACT_H

#include "diag.h"
#include "kbuild.h"
#include "node.h"
#include "source.h"

typedef struct kb_flux_artifact kb_flux_artifact;

typedef struct kb_flux_art_source {
	const char *alias;
	kb_flux_view *view;
	const kb_flux_artifact *art; /* when the source is itself an artifact */
} kb_flux_art_source;

/* Applies spec.copy (spec: one entry of spec.artifacts; file names it in
 * errors) into mem below vroot. */
kb_error *kb_flux_artifact_build(const kb_node *spec, const char *file,
				 const kb_flux_art_source *src, size_t nsrc, kb_memfs *mem,
				 const char *vroot, kb_flux_artifact **out);
void kb_flux_artifact_free(kb_flux_artifact *a);
/* The file (as messages name it) an artifact path was copied from, or
 * NULL when path is not one of a's (a may be NULL). */
const char *kb_flux_artifact_origin(const kb_flux_artifact *a, const char *path);

/* The literal directory prefix of a glob (apps/base/ then a glob -> "apps/base");
 * caller frees. */
char *kb_flux_glob_literal_prefix(const char *pattern);

#endif
