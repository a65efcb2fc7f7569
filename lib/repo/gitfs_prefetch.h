/*
 * gitfs_prefetch.h - reading a revision's subtree in few round trips
 * (what kb_diff does before it walks a side).
 */
#ifndef KB_REPO_GITFS_PREFETCH_H
#define KB_REPO_GITFS_PREFETCH_H

#include "kbuild.h"

#include <stddef.h>

/* Loads every tree below dir (absolute; a directory of the revision)
 * and the blobs in them until max_bytes of blob data are cached, with
 * many requests in flight per round trip.  Only speed depends on it:
 * what is not prefetched is read when asked for.  Thread-safe. */
void kb_gitfs_prefetch(kb_gitfs *g, const char *dir, size_t max_bytes);

#endif
