/*
 * git.h - the system git, for what kbuild reads from a repository's
 * history: one-shot commands (rev-parse, diff --name-only, ls-files)
 * and a long-lived `git cat-file --batch` that serves trees and blobs.
 *
 * git is spawned without a shell (posix_spawnp, argv as given), with
 * stdin from /dev/null (or a socket for --batch), in its own process
 * group, with the variables that would point it at another repository
 * (GIT_DIR, GIT_WORK_TREE, ...) removed and GIT_OPTIONAL_LOCKS=0 so that
 * reading never takes the index lock of the user's repository.
 *
 * Thread safety: kb_git_run is reentrant.  A kb_git_batch serves one
 * request at a time; its owner serialises access (gitfs.c holds a mutex).
 */
#ifndef KB_REPO_GIT_H
#define KB_REPO_GIT_H

#include "diag.h"
#include "util.h"

#include <stdbool.h>
#include <stddef.h>

/* Runs `git -C dir ARGS...` to completion.  *out receives stdout (the
 * caller frees it with kb_buf_free; NUL-terminated).  On a non-zero exit
 * or a signal, returns an error quoting the command and git's stderr,
 * unless ok_status is not NULL: then *ok_status is set to the exit
 * status (-1 for a signal) and NULL is returned, *err_text holding
 * git's stderr (malloc'd; NULL when err_text is NULL). */
kb_error *kb_git_run(const char *dir, const char *const *args, kb_buf *out, int *ok_status,
		     char **err_text);

/* A running `git cat-file --batch` in dir. */
typedef struct kb_git_batch kb_git_batch;

kb_error *kb_git_batch_open(const char *dir, kb_git_batch **out);
/* Looks up one object by name (a hex id, or anything git accepts such
 * as "HEAD^{tree}"; no newline).  Returns NULL and sets *found = false
 * when git says it is missing; otherwise *type is "blob", "tree",
 * "commit" or "tag" (static), the hex id in *id (malloc'd; id may be NULL when
 * not wanted) and the content in *data, *len (malloc'd, NUL-terminated).
 * An error means the process failed; the batch is unusable after it. */
kb_error *kb_git_batch_get(kb_git_batch *b, const char *name, bool *found, const char **type,
			   char **id, char **data, size_t *len);
/* Ends the process and frees b (NULL-safe). */
void kb_git_batch_close(kb_git_batch *b);

#endif
