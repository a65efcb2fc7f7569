/*
 * bundle.h - the files `kbuild check -o DIR` writes: one per overlay (or
 * Flux Kustomization), each atomically, under a directory made on demand.
 * kb_check and kb_check_flux share these.
 */
#ifndef KB_REPO_BUNDLE_H
#define KB_REPO_BUNDLE_H

#include "diag.h"

#include <stddef.h>

typedef struct kb_bundles {
	char *dir;      /* absolute, clean */
	char *cwd_name; /* what the entry "." is named: the current directory's name */
} kb_bundles;

/* Makes dir (relative to cwd, or absolute) when it is missing.  Errors
 * (KB_ERR_USAGE): it cannot be made, or is not a directory. */
kb_error *kb_bundles_open(kb_bundles *b, const char *cwd, const char *dir);
/* The file of an entry shown as `rel` (a relative path, "." for the
 * current directory, or an absolute one): dir/rel.yaml; caller frees. */
char *kb_bundles_path(const kb_bundles *b, const char *rel);
/* Writes data to path atomically (its directory made first); on failure
 * the error says it was the bundle of `what`. */
kb_error *kb_bundles_write(const char *path, const char *data, size_t len, const char *what);
void kb_bundles_close(kb_bundles *b);

#endif
