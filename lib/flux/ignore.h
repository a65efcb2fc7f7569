/*
 * ignore.h - .sourceignore rules: fluxcd/pkg/sourceignore and its fork
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
 * Ownership: kb_ignore owns its patterns; kb_ignore_free.
 */
#ifndef KB_FLUX_IGNORE_H
#define KB_FLUX_IGNORE_H

#include "util.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct kb_ignore kb_ignore;

kb_ignore *kb_ignore_new(void);
void kb_ignore_free(kb_ignore *ig);
/* Adds one pattern line (gitignore syntax) for domain (components
 * relative to the source root, "" or NULL for the root; '/'-separated). */
void kb_ignore_add(kb_ignore *ig, const char *pattern, const char *domain);
/* Adds the lines of a .sourceignore text: blank lines and lines starting
 * with '#' are skipped (sourceignore.ReadPatterns). */
void kb_ignore_add_text(kb_ignore *ig, const char *text, const char *domain);
/* source-controller's defaults: the VCS patterns (.git/, .gitignore, ...)
 * and, when `all`, the extension, CI and extra ones (*.png, .github/,
 * **\/.sops.yaml, ...). */
void kb_ignore_add_defaults(kb_ignore *ig, bool all);
size_t kb_ignore_count(const kb_ignore *ig);
/* Appends copies of src's patterns to dst (they then take precedence). */
void kb_ignore_append(kb_ignore *dst, const kb_ignore *src);
/* Whether rel (a '/'-separated path relative to the source root, without
 * leading '/') is excluded. */
bool kb_ignore_match(const kb_ignore *ig, const char *rel, bool is_dir);
/* The deciding pattern's verdict: 0 none matched, 1 exclude, 2 include. */
int kb_ignore_match_result(const kb_ignore *ig, const char *rel, bool is_dir);

#endif
