/*
 * srcignore.h - .sourceignore rules: fluxcd/pkg/sourceignore and its fork
 * of go-git's gitignore matcher, ported.
 *
 * A pattern belongs to a domain (the directory, relative to the source
 * root, of the .sourceignore file it came from; the root for defaults and
 * spec.ignore) and matches paths given as components relative to the
 * source root.  The matcher tries patterns last to first; the first that
 * matches decides (an inclusion `!pat` re-includes).  Unlike git, a
 * pattern that matches a directory also matches every path below it, and
 * a later inclusion can bring back a file inside an excluded directory
 * (source-controller tests each path on its own).
 *
 * It is not lib/repo/ignore.h: that one has git's semantics (.kbuildignore,
 * --exclude), where nothing below an excluded directory comes back.
 *
 * Ownership: kb_srcignore owns its patterns; kb_srcignore_free.
 */
#ifndef KB_FLUX_SRCIGNORE_H
#define KB_FLUX_SRCIGNORE_H

#include "util.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct kb_srcignore kb_srcignore;

kb_srcignore *kb_srcignore_new(void);
void kb_srcignore_free(kb_srcignore *ig);
/* Adds one pattern line (gitignore syntax) for domain (components
 * relative to the source root, "" or NULL for the root; '/'-separated). */
void kb_srcignore_add(kb_srcignore *ig, const char *pattern, const char *domain);
/* Adds the lines of a .sourceignore text: blank lines and lines starting
 * with '#' are skipped (sourceignore.ReadPatterns). */
void kb_srcignore_add_text(kb_srcignore *ig, const char *text, const char *domain);
/* source-controller's defaults: the VCS patterns (.git/, .gitignore, ...)
 * and, when `all`, the extension, CI and extra ones (*.png, .github/,
 * **\/.sops.yaml, ...). */
void kb_srcignore_add_defaults(kb_srcignore *ig, bool all);
size_t kb_srcignore_count(const kb_srcignore *ig);
/* Appends copies of src's patterns to dst (they then take precedence). */
void kb_srcignore_append(kb_srcignore *dst, const kb_srcignore *src);
/* Whether rel (a '/'-separated path relative to the source root, without
 * leading '/') is excluded. */
bool kb_srcignore_match(const kb_srcignore *ig, const char *rel, bool is_dir);
/* The deciding pattern's verdict: 0 none matched, 1 exclude, 2 include. */
int kb_srcignore_match_result(const kb_srcignore *ig, const char *rel, bool is_dir);

#endif
