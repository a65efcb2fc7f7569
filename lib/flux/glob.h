/*
 * glob.h - the pattern matchers Flux's Go code uses, ported so that the
 * same patterns select the same files.
 *
 *   kb_go_match      Go's path.Match / filepath.Match (Unix): `*` and `?`
 *                    never match '/', `[...]` classes with `^` negation,
 *                    `\` escapes.  Used by .sourceignore patterns and
 *                    fs.Glob (ArtifactGenerator copy rules).
 *   KB_MATCH_ENVSUBST  the variant in fluxcd/pkg/envsubst/path (a fork of
 *                    an old path.Match): `*` and `?` match '/' too and a
 *                    trailing `*` matches any rest.  Used by ${var#pat}.
 *   kb_doublestar_match  bmatcuk/doublestar's Match: `**` matches any
 *                    number of path segments, `{a,b}` alternatives.  Used
 *                    by copy rules' exclude patterns.
 *
 * All work on bytes with UTF-8 aware classes and `?`.  A malformed
 * pattern does not match (Go returns ErrBadPattern; every caller in Flux
 * treats that as no match).
 */
#ifndef KB_FLUX_GLOB_H
#define KB_FLUX_GLOB_H

#include <stdbool.h>
#include <stddef.h>

enum { KB_MATCH_GO = 0, KB_MATCH_ENVSUBST = 1 };

/* 1 match, 0 no match, -1 malformed pattern. */
int kb_go_match_mode(const char *pattern, size_t plen, const char *name, size_t nlen, int mode);
bool kb_go_match(const char *pattern, const char *name);
/* True when the pattern holds one of Go's glob metacharacters *?[\ */
bool kb_glob_has_meta(const char *pattern);
bool kb_doublestar_match(const char *pattern, const char *name);

#endif
