/*
 * source.h - a Flux source as kustomize-controller sees it: the files of
 * its artifact.
 *
 * source-controller packs a GitRepository (OCIRepository, Bucket) into a
 * tarball that leaves out what its ignore rules exclude (.sourceignore
 * files anywhere in the tree, spec.ignore, and the defaults: .git/, and
 * *.png, .github/, **\/.sops.yaml, ... when no other rule is given) and
 * every symlink; kustomize-controller unpacks it and builds inside it,
 * unable to read anything outside.  A kb_flux_view is that artifact as a
 * kb_fs over a directory: files it would leave out do not exist, paths
 * outside the root are refused (EACCES).  An ExternalArtifact assembled
 * from ArtifactGenerator copy rules is a view over files held in memory.
 *
 * Ownership: kb_flux_view_free.  A view is not thread-safe (it is
 * re-pointed at each Kustomization's overlay in turn).
 */
#ifndef KB_FLUX_SOURCE_H
#define KB_FLUX_SOURCE_H

#include "diag.h"
#include "kbuild.h"
#include "util.h"

typedef struct kb_flux_view kb_flux_view;

typedef struct kb_flux_view_opts {
	const kb_fs *under;      /* where the files are read (NULL: the OS's) */
	const char *root;        /* canonical absolute directory */
	const char *spec_ignore; /* the source object's spec.ignore, or NULL */
	const kb_strv *extra_ignore; /* more lines like spec.ignore (--ignore-paths) */
	/* an ExternalArtifact: its files were filtered when it was
	 * assembled; only the default rules apply, no .sourceignore */
	bool artifact;
	/* no artifact rules at all: every path of `under` as it is (for a
	 * first look at PATH before the repository root is known) */
	bool passthrough;
} kb_flux_view_opts;

/* Walks the tree once and decides what the artifact holds. */
kb_error *kb_flux_view_new(const kb_flux_view_opts *o, kb_flux_view **out);
void kb_flux_view_free(kb_flux_view *v);
const kb_fs *kb_flux_view_fs(kb_flux_view *v);
const char *kb_flux_view_root(const kb_flux_view *v);
/* Symlinks the artifact leaves out (source-controller does not archive
 * them). */
size_t kb_flux_view_symlinks(const kb_flux_view *v);
/* Reads through `under` instead (a Kustomization's overlay over the
 * original), and shows these absolute paths as files even when the
 * tree does not hold them (the overlay's generated kustomization). */
void kb_flux_view_set_overlay(kb_flux_view *v, const kb_fs *under, const kb_strv *paths);
/* Whether the artifact holds rel (relative to the root) as a file /
 * directory. */
bool kb_flux_view_has_file(const kb_flux_view *v, const char *rel);
bool kb_flux_view_has_dir(const kb_flux_view *v, const char *rel);
/* The files of the artifact below rel ("" for all), sorted; appended. */
void kb_flux_view_files_below(const kb_flux_view *v, const char *rel, kb_strv *out);

/* securejoin.SecureJoin(root, rel): rel cleaned as if root were "/", so
 * ".." cannot climb above root.  Caller frees. */
char *kb_flux_secure_join(const char *root, const char *rel);
/* rel of path below root ("" for root itself), or NULL when outside.
 * Points into path. */
const char *kb_flux_path_below(const char *root, const char *path);

#endif
