/*
 * repo.h - the git repository a path belongs to.
 *
 * A small stand-in for the planned lib/repo layer: only what kbuild flux
 * needs (the work tree root, to map this repository's GitRepository).
 */
#ifndef KB_FLUX_REPO_H
#define KB_FLUX_REPO_H

#include "kbuild.h"

/* The top of the git work tree holding path (a directory or file,
 * absolute): the nearest ancestor with a .git entry.  NULL when none;
 * caller frees. */
char *kb_flux_git_root(const kb_fs *fs, const char *path);

#endif
