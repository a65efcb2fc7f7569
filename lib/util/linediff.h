/*
 * linediff.h - the shortest edit script between two sequences of lines
 * (Myers' O(ND) algorithm in linear space, "An O(ND) Difference
 * Algorithm and Its Variations", 1986), grouped into unified-diff hunks.
 *
 * One implementation for kbuild diff's hunks (lib/repo/resdiff.c) and
 * kbuild edit's --diff (lib/edit/diff.c).
 *
 * Pure functions: no allocation is shared, thread-safe.
 */
#ifndef KB_LINEDIFF_H
#define KB_LINEDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kb_lines {
	const char **s; /* each line, without its '\n' */
	size_t *len;
	uint64_t *hash;
	size_t n;
	/* the last line has no '\n': it differs from the same text with one
	 * (a diff must show a final line break coming or going) */
	bool no_final_nl;
} kb_lines;

/* Splits text into lines (a final line without '\n' counts; the
 * strings point into text, which must outlive the result). */
void kb_lines_split(kb_lines *l, const char *text, size_t len);
void kb_lines_free(kb_lines *l);

/* One step of the edit script: ' ' keeps a[ai] (== b[bi]), '-' drops
 * a[ai], '+' inserts b[bi]. */
typedef struct kb_diff_step {
	char op;
	size_t ai, bi;
} kb_diff_step;

/* The edit script turning a into b, minimal in the number of '-' and
 * '+' steps; *ops is malloc'd (caller frees), returns its length. */
size_t kb_line_diff(const kb_lines *a, const kb_lines *b, kb_diff_step **ops);

/* A hunk: ops[first, first+count) of the script, with up to `context`
 * unchanged lines on each side; starts/counts as in "@@ -s,c +s,c @@". */
typedef struct kb_hunk_span {
	size_t first, count;
	size_t a_start, a_count, b_start, b_count;
} kb_hunk_span;

/* Groups a script into hunks (changes closer than 2*context+1 share
 * one); *spans malloc'd, returns their number (0 when a == b). */
size_t kb_hunks(const kb_diff_step *ops, size_t nops, size_t context, kb_hunk_span **spans);

#endif
