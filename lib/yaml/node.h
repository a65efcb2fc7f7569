/*
 * node.h - the document tree every pipeline stage edits.
 *
 * kustomize round-trips each resource through JSON before printing it, so
 * the data model that decides the output is JSON's: maps with string keys,
 * sequences, and typed scalars.  kb_node is that model and nothing more,
 * which keeps patches and transformers small.  libyaml parses the input
 * (parse.h) and emits the output (emit.h); both convert at the edges.
 *
 * Strings are byte strings with a length: scalar text and map keys may
 * hold NUL bytes (`"a\0b": x` is a valid key to kustomize), so every key
 * comparison uses the length too.  They are also NUL-terminated, so code
 * that only compares with a literal may treat them as C strings.
 *
 * Scalars keep their text in `str` (NUL-terminated, `len` bytes, which may
 * contain NULs for strings): for KB_STR the value, for KB_INT the canonical
 * decimal, for KB_FLOAT the text kustomize would print, for KB_BOOL
 * "true"/"false", for KB_NULL "null".
 *
 * Maps of more than a few pairs get a hash index on their first lookup,
 * kept up to date by the functions below; so code outside node.c
 * changes a map's pairs only through them (never by writing pairs[]).
 *
 * Ownership: a node owns its children, keys and text.  Adding a child to a
 * map or sequence transfers ownership of the child to the parent.
 * kb_node_free() frees a whole subtree and is NULL-safe.
 */
#ifndef KB_NODE_H
#define KB_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum kb_kind {
	KB_NULL,
	KB_BOOL,
	KB_INT,
	KB_FLOAT,
	KB_STR,
	KB_MAP,
	KB_SEQ,
} kb_kind;

/* How a scalar was written in the input (and so how kustomize's
 * go-yaml v3 encoder writes it again), and whether a collection was in
 * flow style; KB_STYLE_ANY for what is made in memory. */
typedef enum kb_style {
	KB_STYLE_ANY = 0,
	KB_STYLE_PLAIN,
	KB_STYLE_SQ,
	KB_STYLE_DQ,
	KB_STYLE_LITERAL,
	KB_STYLE_FOLDED,
	KB_STYLE_FLOW, /* collections */
} kb_style;

typedef struct kb_node kb_node;

typedef struct kb_pair {
	char *key;          /* NUL-terminated; klen bytes, which may hold NULs */
	kb_node *val;
	unsigned line, col; /* position of the key */
	uint32_t klen;      /* 32 bits: a pair is 32 bytes, not 40 */
	/* The key was read as a number, boolean, null or timestamp (a plain
	 * `6443:` in a resource or patch, see kb_parse_limits.nonstr_keys):
	 * key holds its text as written, which is how kyaml matches it.
	 * kustomize's JSON conversion turns such a key of a document's top
	 * level into that text and fails on one below it; the emitter does
	 * the same.  Pairs made in memory have it false; a clone keeps it. */
	bool knonstr;
	/* The key was written plain (not quoted, not a block scalar).  A
	 * strategic-merge patch that adds the field gives the new key node
	 * only this style and no tag (kyaml's FieldSetter), so a plain
	 * `9110:` or `!!str 9110:` key is read again as a number there.
	 * Pairs made in memory have it false. */
	bool kplain;
	/* key lives in the map's own allocation (kb_node_pack): never freed
	 * on its own.  node.c's business; a copied pair must not keep it. */
	bool kinline;
} kb_pair;

struct kb_node {
	kb_kind kind;
	unsigned char style; /* kb_style */
	unsigned char flags; /* node.c's own: the text lives in the node's allocation */
	unsigned line, col; /* 1-based source position; 0 if made in memory */
	char *str;          /* scalars */
	size_t len;
	/* For a plain scalar typed as a non-string: the text as written when
	 * it differs from str (e.g. "0x1F" for 31, "~" for null), else NULL.
	 * Fields kustomize reads as strings (label values, image tags) use
	 * it.  An empty null (`key:`) has str "" and len 0. */
	char *raw;
	/* number of pairs (map) or items (seq), and room for them; 32 bits
	 * (a document holds at most kb_parse_limits.max_nodes nodes): the
	 * node is 64 bytes, not 72, and a big CRD has millions */
	uint32_t n, cap;
	kb_pair *pairs;     /* KB_MAP */
	union {
		kb_node **items;       /* KB_SEQ */
		struct kb_mapidx *idx; /* KB_MAP: hash index of a big map (node.c), or NULL */
	};
};

/* Constructors.  Strings are copied. */
kb_node *kb_node_new(kb_kind kind);
kb_node *kb_node_new_str(const char *s);
kb_node *kb_node_new_strn(const char *s, size_t len);
/* A scalar of the given kind with the given canonical text. */
kb_node *kb_node_new_scalar(kb_kind kind, const char *text);
kb_node *kb_node_new_int(long long v);
kb_node *kb_node_new_bool(bool v);
void kb_node_free(kb_node *n);
/* Gives back the unused capacity of a map's pairs or a sequence's items
 * (the reader calls it on each collection it finishes: most maps of a
 * resource have a few keys, and capacity grows by doubling from 8). */
void kb_node_shrink(kb_node *n);
/* Finishes a collection the reader made: a map becomes one allocation
 * holding the node, its pairs and their keys (a resource's maps mostly
 * have a few short keys: three mallocs and more per map otherwise, each
 * with its own overhead); others are shrunk.  Returns the node, which
 * may have moved (n is then freed): only the caller may point to it. */
kb_node *kb_node_pack(kb_node *n);
kb_node *kb_node_clone(const kb_node *n);
/* The first map pair, anywhere below n, whose key repeats an earlier key
 * of the same map (maps read with repeated keys kept); NULL if none.
 * *first is set to the earlier pair. */
const kb_pair *kb_node_find_dup_key(const kb_node *n, const kb_pair **first);
/* Deep equality of value (positions ignored). */
bool kb_node_equal(const kb_node *a, const kb_node *b);
/* Replaces the content of dst with src's (src is consumed). */
void kb_node_replace(kb_node *dst, kb_node *src);

static inline bool kb_node_is_scalar(const kb_node *n)
{
	return n && n->kind != KB_MAP && n->kind != KB_SEQ;
}

/* The text as written: raw when set, else str. */
static inline const char *kb_node_text(const kb_node *n)
{
	return n->raw ? n->raw : n->str;
}

/* Set a scalar's text and kind in place. */
void kb_node_set_str(kb_node *n, const char *s);

/* ---- maps ----
 * Keys given as C strings are compared by their strlen; the *n variants
 * take an explicit length (keys with NUL bytes). */
kb_node *kb_map_get(const kb_node *map, const char *key);
kb_pair *kb_map_get_pair(const kb_node *map, const char *key);
kb_pair *kb_map_get_pairn(const kb_node *map, const char *key, size_t klen);
kb_node *kb_map_setn(kb_node *map, const char *key, size_t klen, kb_node *val);
kb_pair *kb_map_appendn(kb_node *map, const char *key, size_t klen, kb_node *val);
/* The same, taking key (a malloc'd string of klen bytes and a NUL): the
 * reader's way, one copy of each key fewer. */
kb_pair *kb_map_append_owned(kb_node *map, char *key, size_t klen, kb_node *val);
/* Renames the key of one of map's pairs in place (copied). */
void kb_map_rename(kb_node *map, kb_pair *p, const char *key, size_t klen);
/* Whether a pair's key is exactly the C string s. */
static inline bool kb_pair_is(const kb_pair *p, const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return p->klen == n && __builtin_memcmp(p->key, s, n) == 0;
}
/* The string value of map[key] if it is a scalar, else NULL. */
const char *kb_map_get_str(const kb_node *map, const char *key);
/* Sets map[key] = val (ownership of val passes to the map); an existing
 * value is freed and replaced in place, keeping key order.  Returns val. */
kb_node *kb_map_set(kb_node *map, const char *key, kb_node *val);
/* Appends a pair without looking for an existing key (a map read with
 * repeated keys kept); returns the new pair. */
kb_pair *kb_map_append(kb_node *map, const char *key, kb_node *val);
/* Returns map[key], creating an empty map there when absent (or when the
 * value is null). */
kb_node *kb_map_ensure_map(kb_node *map, const char *key);
/* Removes key; returns true when it was present. */
bool kb_map_del(kb_node *map, const char *key);
/* Detaches and returns map[key] (caller owns), or NULL. */
kb_node *kb_map_take(kb_node *map, const char *key);
kb_node *kb_map_taken(kb_node *map, const char *key, size_t klen);
/* Nested lookup: kb_node_get(root, "metadata", "name", NULL). */
kb_node *kb_node_get(const kb_node *root, ...) __attribute__((sentinel));
const char *kb_node_get_str(const kb_node *root, ...) __attribute__((sentinel));

/* ---- sequences ---- */
kb_node *kb_seq_push(kb_node *seq, kb_node *item); /* returns item */
void kb_seq_insert(kb_node *seq, size_t idx, kb_node *item);
/* Detaches item idx (caller owns). */
kb_node *kb_seq_take(kb_node *seq, size_t idx);
void kb_seq_remove(kb_node *seq, size_t idx);

#endif
