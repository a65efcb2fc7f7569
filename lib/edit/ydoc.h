/*
 * ydoc.h - a YAML document that knows where every node is written.
 *
 * `kbuild edit` changes a kustomization file the way kustomize's edit
 * command does, but rewrites only the bytes of what changes.  It works on
 * two trees of ed_node:
 *
 *   - the parsed tree (ed_parse): every node carries its byte span in the
 *     text, its scalar style, whether it is a flow or block collection,
 *     and for block sequence items the offset of their '-'.  It is never
 *     changed once built.
 *   - the model (ed_model_clone): a copy in which each node points back
 *     at the parsed node it came from (`orig`).  An edit operation changes
 *     the model with the small API below, like kustomize changes its
 *     types.Kustomization; splice.c then compares model and parsed tree
 *     and turns the differences into byte-range splices of the original
 *     text (ed_reconcile).  A model node moved elsewhere keeps its `orig`,
 *     so its text, comments included, moves with it.
 *
 * libfyaml's document API (0.7.12) has no positions for collections, so
 * the tree is built from the same parser's event stream, whose events
 * carry the marks of their tokens.
 *
 * Scalars are typed as kustomize reads kustomization files (goyaml.v2,
 * YAML 1.1: yes/no/on/off are booleans), kept as their source text: two
 * scalars are equal data when type and text are equal.
 *
 * Ownership: an ed_doc owns its text and tree; a model tree is owned by
 * whoever cloned it (ed_node_free) and points into the parsed tree it was
 * cloned from, which must outlive it.  Nothing here is thread-safe on
 * the same tree; separate trees are independent.
 */
#ifndef KB_EDIT_YDOC_H
#define KB_EDIT_YDOC_H

#include "diag.h"
#include "node.h"
#include "util.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum ed_kind { ED_SCALAR, ED_MAP, ED_SEQ } ed_kind;

typedef enum ed_style {
	ED_PLAIN,
	ED_SQUOTED,
	ED_DQUOTED,
	ED_LITERAL,
	ED_FOLDED,
	ED_AUTO, /* model scalars made by an edit: the renderer chooses */
} ed_style;

#define ED_NOPOS ((size_t)-1)

typedef struct ed_node ed_node;

typedef struct ed_pair {
	ed_node *key; /* always a scalar */
	ed_node *val;
	/* model: the parsed pair this one stands for (same key position), or
	 * NULL for a new pair */
	const struct ed_pair *orig;
} ed_pair;

struct ed_node {
	ed_kind kind;
	/* scalars: the value (NUL-terminated), and its type as read */
	char *str;
	size_t len;
	kb_kind type;
	ed_style style;
	/* collections */
	bool flow;
	size_t n, cap;
	ed_pair *pairs;  /* ED_MAP */
	ed_node **items; /* ED_SEQ */

	/* ---- layout: parsed nodes only ---- */
	bool parsed;
	/* [start, end): the node's text.  Scalars: from the first property
	 * (anchor, tag) or quote or block indicator to the closing quote or
	 * the last non-blank character of the content; an empty scalar has
	 * start == end where it would be written.  Block collections: from
	 * the first child (a block sequence: its first '-') to the end of the
	 * last child; flow collections: bracket to bracket. */
	size_t start, end;
	/* where scanning for what follows may start (a block scalar's
	 * trailing line breaks included) */
	size_t raw_end;
	/* block sequence items: the offset of their '-'; else start */
	size_t lead;
	/* map values: the offset of the ':' before them (ED_NOPOS when the
	 * key is explicit, `? key`) */
	size_t colon;
	bool anchored; /* has an anchor: an edit inside would change aliases */
	bool alias;    /* an alias: its content is a copy, with no positions */
	bool tagged;
	ed_node *parent;

	/* ---- model ---- */
	const ed_node *orig; /* the parsed node this stands for, or NULL */
	/* the parsed item or pair key whose head comments (the comment lines
	 * right above it) this node carries when it is written somewhere new */
	const ed_node *heads_from;
};

/* A parsed file. */
typedef struct ed_doc {
	char *file;	    /* for messages */
	char *text;	    /* the bytes (NUL-terminated) */
	size_t len;
	ed_node *root;	    /* NULL when the document has no content */
	size_t *lines;	    /* offset of the start of each line */
	size_t nlines;
	const char *eol;    /* "\n" or "\r\n", the file's first line break */
	bool final_eol;	    /* the text ends with a line break (or is empty) */
	/* the file's indentation habits, for new content */
	unsigned map_indent; /* nested block map keys, relative to their key */
	unsigned seq_indent; /* a block sequence under a key: 0 = indentless */
	unsigned item_off;   /* a map in a sequence item: key column - dash column */
} ed_doc;

/* Parses text (one YAML document, or none).  Errors name file:line:col. */
kb_error *ed_parse(const char *file, const char *text, size_t len, ed_doc **out);
void ed_doc_free(ed_doc *d);

/* 0-based line and column of an offset. */
size_t ed_line_of(const ed_doc *d, size_t off);
size_t ed_col_of(const ed_doc *d, size_t off);
/* Offset of the start / end (before its line break) of off's line. */
size_t ed_line_start(const ed_doc *d, size_t off);
size_t ed_line_end(const ed_doc *d, size_t off);
/* The offset after the line break ending off's line (len at EOF). */
size_t ed_next_line(const ed_doc *d, size_t off);
/* True when only blanks precede off on its line. */
bool ed_first_on_line(const ed_doc *d, size_t off);
/* The node's first line: its '-' for a sequence item, its key for a map
 * value (a pair is written from its key). */
size_t ed_node_lead(const ed_node *n);

/* ---- the model ---- */

ed_node *ed_new_scalar(const char *s, kb_kind type);
ed_node *ed_new_str(const char *s);
ed_node *ed_new_map(void);
ed_node *ed_new_seq(void);
void ed_node_free(ed_node *n);
/* A model copy of a parsed (or model) tree, each node's orig pointing at
 * the parsed node (for a model source: at its orig). */
ed_node *ed_model_clone(const ed_node *n);
/* A copy without origins: new content. */
ed_node *ed_node_copy(const ed_node *n);

/* Scalars: the text, or NULL for a collection. */
const char *ed_str(const ed_node *n);
bool ed_is_str(const ed_node *n, const char *s);
/* Null scalar (`key:` or `~`), or absent. */
bool ed_is_null(const ed_node *n);
void ed_set_scalar(ed_node *n, const char *s, kb_kind type);

/* Maps.  Lookups find the last of repeated keys (goyaml.v2's choice);
 * the _ci variants match field names case-insensitively, as Go's JSON
 * decoder does for kustomize's typed fields. */
ed_pair *ed_map_pair(const ed_node *m, const char *key);
ed_pair *ed_map_pair_ci(const ed_node *m, const char *key);
ed_node *ed_map_get(const ed_node *m, const char *key);
ed_node *ed_map_get_ci(const ed_node *m, const char *key);
size_t ed_map_index(const ed_node *m, const ed_pair *p);
/* Appends key: val (val owned by the map); returns the pair. */
ed_pair *ed_map_append(ed_node *m, const char *key, ed_node *val);
ed_pair *ed_map_insert(ed_node *m, size_t idx, const char *key, ed_node *val);
/* Replaces the value of p (the old one is freed). */
void ed_pair_set(ed_pair *p, ed_node *val);
/* Detaches p's value (caller owns) and removes the pair. */
ed_node *ed_map_take(ed_node *m, size_t idx);
void ed_map_remove(ed_node *m, size_t idx);

/* Sequences. */
void ed_seq_push(ed_node *s, ed_node *item);
void ed_seq_insert(ed_node *s, size_t idx, ed_node *item);
ed_node *ed_seq_take(ed_node *s, size_t idx);
void ed_seq_remove(ed_node *s, size_t idx);

/* Equal as data: kinds, scalar types and texts, keys in order. */
bool ed_data_equal(const ed_node *a, const ed_node *b);
/* The same with maps compared as sets of keys. */
bool ed_data_equiv(const ed_node *a, const ed_node *b);

/* The kb_node tree of the same data (for the build's helpers). */
kb_node *ed_to_kb(const ed_node *n);

#endif
