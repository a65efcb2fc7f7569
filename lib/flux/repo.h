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

/* The URL of the work tree's "origin" remote and its checked-out branch
 * (read from .git/config and .git/HEAD; NULL when not found).  Caller
 * frees both. */
void kb_flux_git_origin(const kb_fs *fs, const char *root, char **url, char **branch);

/* A git URL reduced to host/path, lower-cased host, without scheme, user,
 * ".git" or trailing slash, so that ssh://git@github.com/org/repo.git,
 * git@github.com:org/repo and https://github.com/org/repo compare equal.
 * Caller frees. */
char *kb_flux_git_url_key(const char *url);

#endif
