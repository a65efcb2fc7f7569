/*
 * git.h - asking the system git what changed (`kbuild check --since`).
 *
 * git runs without a shell (posix_spawnp, argv as given, stdin from
 * /dev/null), in the directory asked about, with the caller's
 * environment (so a pre-commit hook's GIT_INDEX_FILE is honoured), each
 * command bounded by a timeout so that a wedged git cannot hang a check.
 */
#ifndef KB_GIT_H
#define KB_GIT_H

#include "diag.h"
#include "util.h"

/* Each git command is ended after this long. */
#define KB_GIT_TIMEOUT_MS 120000

/*
 * Appends to out the absolute paths of the files that differ between
 * the commit `ref` and the work tree of the repository holding dir:
 * modified, added, deleted, and both names of a renamed file (git diff
 * --no-renames, staged and unstaged alike), plus untracked files that
 * are not ignored.  Errors (no git, not a work tree, no such commit)
 * have code KB_ERR_USAGE and carry git's message.
 */
kb_error *kb_git_changed_since(const char *dir, const char *ref, kb_strv *out);

/* The absolute top directory of the work tree holding dir (caller frees). */
kb_error *kb_git_toplevel(const char *dir, char **top);

#endif
