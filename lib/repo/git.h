/*
 * git.h - the system git, for what kbuild reads from a repository's
 * history: one-shot commands (rev-parse, diff --name-only, ls-files)
 * and a long-lived `git cat-file --batch` that serves trees and blobs.
 *
 * git is spawned without a shell (posix_spawnp, argv as given), with
 * stdin from /dev/null (or a socket for --batch), in its own process
 * group.  For revisions (diff) the variables that would point it at
 * another repository (GIT_DIR, GIT_WORK_TREE, ...) are removed; for
 * `check --since` the caller's environment is kept, so a pre-commit
 * hook's GIT_INDEX_FILE is honoured.  GIT_OPTIONAL_LOCKS=0 always, so
 * that reading never takes the index lock of the user's repository.
 * Each command is bounded by a timeout, so a wedged git cannot hang a
 * run.
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

/* kb_git_toplevel (the top of the work tree holding a path) is public:
 * kbuild/gitfs.h. */
#include "kbuild.h"

/* Each one-shot git command is ended after this long. */
#define KB_GIT_TIMEOUT_MS 120000

/* Runs `git -C dir ARGS...` to completion.  *out receives stdout (the
 * caller frees it with kb_buf_free; NUL-terminated).  On a non-zero exit
 * or a signal, returns an error quoting the command and git's stderr,
 * unless ok_status is not NULL: then *ok_status is set to the exit
 * status (-1 for a signal) and NULL is returned, *err_text holding
 * git's stderr (malloc'd; NULL when err_text is NULL). */
kb_error *kb_git_run(const char *dir, const char *const *args, kb_buf *out, int *ok_status,
		     char **err_text);

/*
 * Appends to out the absolute paths of the files that differ between
 * the commit `ref` and the work tree of the repository holding dir:
 * modified, added, deleted, and both names of a renamed file (git diff
 * --no-renames, staged and unstaged alike), plus untracked files that
 * are not ignored.  Errors (no git, not a work tree, no such commit)
 * have code KB_ERR_USAGE and carry git's message.  (`check --since`)
 */
kb_error *kb_git_changed_since(const char *dir, const char *ref, kb_strv *out);

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
/* The same in two halves, to have several requests in flight (one round
 * trip for many objects): answers come in the order of the requests.  At
 * most KB_GIT_BATCH_PIPELINE requests may be outstanding, so that they fit
 * in the socket's buffer while git waits for its answers to be read. */
#define KB_GIT_BATCH_PIPELINE 128
kb_error *kb_git_batch_send(kb_git_batch *b, const char *name);
kb_error *kb_git_batch_recv(kb_git_batch *b, bool *found, const char **type, char **id,
			    char **data, size_t *len);
/* Ends the process and frees b (NULL-safe). */
void kb_git_batch_close(kb_git_batch *b);

#endif
