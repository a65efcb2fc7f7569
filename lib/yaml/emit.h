/*
 * emit.h - the output bytes.  This is the only module that decides how
 * the output looks.
 *
 * kustomize prints each resource through goyaml.v2 (JSON -> generic map ->
 * YAML): keys in goyaml's natural order, strings that would read as
 * another type double-quoted, multi-line strings literal, long strings
 * folded at 80 columns.  goyaml.v2 is a port of libyaml, so libyaml's
 * emitter, fed the same events with the same style hints, writes the
 * same bytes.
 */
#ifndef KB_EMIT_H
#define KB_EMIT_H

#include "diag.h"
#include "node.h"
#include "util.h"

/* Appends one document (no leading `---`) to out. */
kb_error *kb_emit_doc(kb_buf *out, const kb_node *doc);
/* The error kb_emit_doc would return for doc, or NULL, without printing
 * it (every check of the printer, none of its output): a caller that
 * streams documents checks them all first, so that a failure still
 * comes before any output. */
kb_error *kb_emit_check(const kb_node *doc);
/* kb_emit_doc through libyaml's emitter always (kb_emit_doc uses
 * fastemit.c's writer where it can): the tests hold the two to the same
 * bytes. */
kb_error *kb_emit_doc_libyaml(kb_buf *out, const kb_node *doc);
/* goyaml.v2's key order: <0, 0, >0 like strcmp. */
int kb_natural_cmp(const char *a, const char *b);
int kb_natural_cmpn(const char *a, size_t alen, const char *b, size_t blen);
/* True when goyaml.v2 would double-quote this string because it reads as
 * another type under YAML 1.1 (bool, int, float, null, timestamp). */
bool kb_yaml11_nonstring(const char *s, size_t len);

#endif
