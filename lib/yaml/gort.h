/*
 * gort.h - what kustomize's way of printing (a go-yaml v3 round trip,
 * then JSON, then goyaml.v2) does to string values; see gort.c.
 */
#ifndef KB_GORT_H
#define KB_GORT_H

#include "diag.h"
#include "node.h"

#include <stdbool.h>
#include <stddef.h>

/* A string value of style `style` (as read), inside a flow collection or
 * not, whose block-scalar content would sit at column `indent` in
 * kyaml's encoding: *out is set (malloc'd, *outlen bytes) when kustomize
 * prints a different value, and left NULL when it prints this one.  An
 * error (positioned at line:col) when kustomize cannot print it. */
kb_error *kb_gort_value(const char *v, size_t len, kb_style style, bool in_flow, unsigned indent,
			unsigned line, unsigned col, char **out, size_t *outlen);

/* A string holding U+0085 (NEL) as goyaml.v2 reads it back from JSON:
 * true and *out set (malloc'd) when it changes. */
bool kb_gort_nel_fold(const char *v, size_t len, char **out, size_t *outlen);
/* Whether v holds U+0085. */
bool kb_gort_has_nel(const char *v, size_t len);

#endif
