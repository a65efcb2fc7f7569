/*
 * strmap.h - a hash map from strings to pointers (open addressing), for
 * object ids, resource ids and paths.  Keys are copied; values belong
 * to the user.  Not thread-safe.
 */
#ifndef KB_REPO_STRMAP_H
#define KB_REPO_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kb_strmap_slot {
	char *key; /* NULL: empty */
	void *val;
	size_t len; /* free for the user (a blob's size, a count) */
} kb_strmap_slot;

typedef struct kb_strmap {
	kb_strmap_slot *s;
	size_t n, cap;
} kb_strmap;

/* The slot of key, or NULL. */
kb_strmap_slot *kb_strmap_get(const kb_strmap *m, const char *key);
/* The slot of key, made (val NULL, len 0) when absent; *created tells
 * which (may be NULL).  The pointer is valid until the next put. */
kb_strmap_slot *kb_strmap_put(kb_strmap *m, const char *key, bool *created);
/* Frees the keys and the table; free_val (may be NULL) gets each value. */
void kb_strmap_free(kb_strmap *m, void (*free_val)(void *));

#endif
