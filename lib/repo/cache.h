/*
 * cache.h - what the builds of one run share: a cache of the file
 * system (kb_fscache) and of parsed documents (kb_doccache).
 *
 * A run (a check of a whole repository) builds many kustomizations that
 * read the same bases.  kb_fscache answers each realpath, stat and read
 * of a path once and hands every later caller a copy; kb_doccache parses
 * each file once per set of parse limits and hands every later caller a
 * deep copy of the trees (kb_node_clone), so builds never share mutable
 * state.  Both assume that the files do not change during the run.
 *
 * Thread safety: every function on a cache may be called from any
 * number of threads at once, except _new and _free.
 */
#ifndef KB_CACHE_H
#define KB_CACHE_H

#include "diag.h"
#include "kbuild.h"
#include "parse.h"

#include <stddef.h>

typedef struct kb_cache_stats {
	size_t lookups; /* calls answered */
	size_t misses;  /* of which went to the file system / the parser */
} kb_cache_stats;

typedef struct kb_fscache kb_fscache;

/* A cache over under (NULL: the OS's file system; borrowed). */
kb_fscache *kb_fscache_new(const kb_fs *under);
/* Its kb_fs view (list is passed through uncached), valid until
 * kb_fscache_free. */
const kb_fs *kb_fscache_fs(kb_fscache *c);
void kb_fscache_stats(kb_fscache *c, kb_cache_stats *reads);
void kb_fscache_free(kb_fscache *c);

typedef struct kb_doccache kb_doccache;

kb_doccache *kb_doccache_new(void);
/* kb_yaml_parse(display, buf, len, lim, docs, ndocs), remembered under
 * path and the limits: a later call with the same path, limits and
 * bytes returns copies of the same trees.  Failures are not remembered
 * (each caller gets its own error). */
kb_error *kb_doccache_parse(kb_doccache *c, const char *path, const char *display,
			    const char *buf, size_t len, const kb_parse_limits *lim,
			    kb_node ***docs, size_t *ndocs);
void kb_doccache_stats(kb_doccache *c, kb_cache_stats *parses);
void kb_doccache_free(kb_doccache *c);

#endif
