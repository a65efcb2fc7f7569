/*
 * linediff.h - the shortest edit script between two sequences of lines
 * (Myers' O(ND) algorithm in linear space, "An O(ND) Difference
 * Algorithm and Its Variations", 1986), grouped into unified-diff hunks.
 *
 * Pure functions: no allocation is shared, thread-safe.
 */
#ifndef KB_REPO_LINEDIFF_H
#define KB_REPO_LINEDIFF_H

#include <stddef.h>
#include <stdint.h>

typedef struct kb_lines {
	const char **s; /* each line, without its '\n' */
	size_t *len;
	uint64_t *hash;
	size_t n;
} kb_lines;

/* Splits text into lines (a final line without '\n' counts; the
 * strings point into text, which must outlive the result). */
void kb_lines_split(kb_lines *l, const char *text, size_t len);
void kb_lines_free(kb_lines *l);

/* One step of the edit script: ' ' keeps a[ai] (== b[bi]), '-' drops
 * a[ai], '+' inserts b[bi]. */
typedef struct kb_edit {
	char op;
	size_t ai, bi;
} kb_edit;

/* The edit script turning a into b, minimal in the number of '-' and
 * '+' steps; *ops is malloc'd (caller frees), returns its length. */
size_t kb_line_diff(const kb_lines *a, const kb_lines *b, kb_edit **ops);

/* A hunk: ops[first, first+count) of the script, with up to `context`
 * unchanged lines on each side; starts/counts as in "@@ -s,c +s,c @@". */
typedef struct kb_hunk_span {
	size_t first, count;
	size_t a_start, a_count, b_start, b_count;
} kb_hunk_span;

/* Groups a script into hunks (changes closer than 2*context+1 share
 * one); *spans malloc'd, returns their number (0 when a == b). */
size_t kb_hunks(const kb_edit *ops, size_t nops, size_t context, kb_hunk_span **spans);

#endif
