/*
 * glob.h - Go's path/filepath Match and Glob, which kustomize's edit
 * commands use on their arguments.
 *
 * Go's rules differ from fnmatch(3)/glob(3): '*' matches a leading dot,
 * there is no brace expansion, a malformed pattern is an error
 * ("syntax error in pattern"), Glob returns the existing path itself for
 * a pattern without meta characters (even a dangling symlink), and
 * matches come in byte order, directory by directory.
 */
#ifndef KB_EDIT_GLOB_H
#define KB_EDIT_GLOB_H

#include "diag.h"
#include "kbuild.h"
#include "util.h"

#include <stdbool.h>

/* filepath.Match: 1 match, 0 no match, -1 bad pattern. */
int ed_go_match(const char *pattern, const char *name);
/* filepath.Glob of pattern, relative to the directory root (absolute),
 * through fs (NULL: the OS's).  Matches are appended to out as Go
 * prints them (relative when pattern is).  Returns -1 for a bad
 * pattern, else 0. */
int ed_go_glob(const kb_fs *fs, const char *root, const char *pattern, kb_strv *out);

#endif
