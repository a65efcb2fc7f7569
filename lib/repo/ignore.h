/*
 * ignore.h - gitignore-syntax patterns: `--exclude GLOB` and .kbuildignore.
 *
 * The syntax is gitignore(5)'s: one pattern per line; blank lines and
 * lines starting with '#' are nothing; a leading '!' re-includes what an
 * earlier pattern excluded; a trailing '/' matches directories only; a
 * pattern holding a '/' (other than a trailing one) is anchored at its
 * base directory, one without matches a name at any depth below it; '*',
 * '?' and '[...]' match within one path component (fnmatch(3)), '**'
 * as a whole component matches any number of them ("**" at the end: one
 * or more); '\' quotes the next character; trailing spaces are dropped
 * unless quoted.  As in git, nothing below an excluded directory can be
 * re-included.
 *
 * Every pattern has a base directory (absolute, symlink-free): the
 * directory of the .kbuildignore it came from, or the current directory
 * for --exclude.  It applies to paths below its base only.
 *
 * Ownership: a kb_ignore owns its patterns; kb_ignore_free.  Not
 * thread-safe while patterns are added; safe for concurrent matching
 * afterwards.
 */
#ifndef KB_IGNORE_H
#define KB_IGNORE_H

#include "kbuild.h"

#include <stdbool.h>

typedef struct kb_ignore kb_ignore;

kb_ignore *kb_ignore_new(void);
void kb_ignore_free(kb_ignore *ig);
/* Adds one pattern line relative to base (copied).  Blank and comment
 * lines add nothing. */
void kb_ignore_add(kb_ignore *ig, const char *base, const char *line);
/* Adds every line of a gitignore-syntax file; its directory is the base.
 * Returns the number of patterns added, 0 when the file does not exist,
 * -1 (errno set) when it exists but cannot be read. */
int kb_ignore_add_file(kb_ignore *ig, const kb_fs *fs, const char *path);
/* Whether the absolute, lexically clean path (a directory when is_dir)
 * is excluded: it, or one of its parent directories below a pattern's
 * base, is matched by a pattern whose last match does not re-include. */
bool kb_ignore_match(const kb_ignore *ig, const char *path, bool is_dir);
/* How many patterns it holds. */
size_t kb_ignore_count(const kb_ignore *ig);

#endif
