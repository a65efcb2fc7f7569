/*
 * fastemit.h - a block-style YAML writer that prints what libyaml's
 * emitter prints (0.2.5, with kbuild's settings: UTF-8, unicode on,
 * indent 2, width 80, implicit documents, no tags or anchors) for the
 * events emit.c gives it, at a fraction of the cost: libyaml spends most
 * of a big build's printing time analysing and copying each scalar
 * through its event queue and state machine.
 *
 * It ports libyaml's scalar analysis (yaml_emitter_analyze_scalar), style
 * choice (select_scalar_style) and writers (plain, single- and double-
 * quoted with line folding at the width, literal blocks) and the block
 * mapping and sequence states, empty collections written "{}" and "[]".
 * What it does not do it refuses, setting bail: a key that cannot be a
 * simple key (multi-line, or over 128 bytes: libyaml writes "? key"), or
 * a folded block scalar.  The caller then prints the document with
 * libyaml instead; tests/unit/test_fastemit.c holds the two to the same
 * bytes.
 */
#ifndef KB_FASTEMIT_H
#define KB_FASTEMIT_H

#include "util.h"

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

typedef struct kb_femit_level {
	char kind;         /* 'm' map, 's' sequence, 'e' an empty one, written already */
	bool expect_value; /* a map: its next node is a value */
	int saved_indent;
} kb_femit_level;

typedef struct kb_femit {
	kb_buf *out;
	int indent; /* -1 before the root node */
	size_t column;
	bool whitespace, indention;
	bool bail; /* the document needs libyaml: stop, the output is void */
	kb_femit_level *lv;
	size_t depth, cap;
} kb_femit;

/* Starts a document at the end of out (borrowed until kb_femit_free). */
void kb_femit_init(kb_femit *f, kb_buf *out);
/* A collection of n entries (pairs or items) starts; its end follows its
 * n entries (a map's: key, value, key, value...). */
void kb_femit_map_start(kb_femit *f, size_t n);
void kb_femit_seq_start(kb_femit *f, size_t n);
void kb_femit_end(kb_femit *f);
/* A scalar: style is what emit.c asks libyaml for (plain, double-quoted
 * or literal); libyaml's own choice may differ, and so does this one's. */
void kb_femit_scalar(kb_femit *f, const char *v, size_t len, yaml_scalar_style_t style);
/* Ends the document (the line break after its last line). */
void kb_femit_doc_end(kb_femit *f);
void kb_femit_free(kb_femit *f);

#endif
