/*
 * session.h - many builds of one tree, sharing caches, each recording
 * its dependency set: what check (and diff) run per overlay.
 *
 *   kb_session *s = kb_session_new(NULL, 0);       // over the OS's files
 *   kb_deps *deps; kb_result *res;
 *   kb_error *e = kb_session_build(s, &opts, &deps, &res);
 *   ...  kb_deps_free(deps); kb_result_free(res); kb_error_free(e);
 *   kb_session_free(s);
 *
 * A session build gives exactly what kb_build gives for the same
 * options (same bytes, same errors and warnings); only the reading is
 * shared.  The files must not change while a session lives.  Remote
 * bases (git URLs) are fetched once per URL per session, by the first
 * build that names one, and kept until kb_session_free; a fetch that
 * failed fails every build that names the URL, with the same error.
 *
 * Thread safety: kb_session_build may run on any number of threads at
 * once on one session.  _new and _free are not thread-safe.
 */
#ifndef KB_SESSION_H
#define KB_SESSION_H

#include "cache.h"
#include "deps.h"
#include "diag.h"
#include "hooks.h"
#include "kbuild.h"

typedef struct kb_session kb_session;

enum {
	KB_SESSION_NO_DOC_CACHE = 1, /* parse every file in every build */
	KB_SESSION_NO_FS_CACHE = 2,  /* read every file in every build */
};

/* A session reading through fs (NULL: the OS's; borrowed). */
kb_session *kb_session_new(const kb_fs *fs, unsigned flags);
void kb_session_free(kb_session *s);
/* The session's cached file system (for discovery, which should read
 * through the same cache as the builds). */
const kb_fs *kb_session_fs(kb_session *s);
/* Hooks that parse through the session's document cache (no
 * dependency recording): for discovery's kind check. */
const kb_build_hooks *kb_session_hooks(kb_session *s);

/*
 * Builds opts->path as kb_build(opts) would, except that opts->fs is
 * replaced by the session's file system.  *deps receives the build's
 * dependency set (sealed; caller frees; also on failure, when deps is
 * not NULL).  The warnings come as kb_build's do: on the result, or
 * carried by the error.
 */
kb_error *kb_session_build(kb_session *s, const kb_options *opts, kb_deps **deps,
			   kb_result **out);


typedef struct kb_session_stats {
	kb_cache_stats reads;  /* file reads */
	kb_cache_stats parses; /* kustomization and resource parses */
} kb_session_stats;

void kb_session_stats_get(kb_session *s, kb_session_stats *st);

#endif
