/*
 * suggest.h - "did you mean": the known word closest to a misspelled one.
 *
 *   kb_suggest s;
 *   kb_suggest_init(&s, "resorces");
 *   for (each known name) kb_suggest_try(&s, name);
 *   if (kb_suggest_best(&s)) ... "did you mean 'resources'?"
 *
 * Close means: the same word but for case; a small edit distance
 * (insertions, deletions, substitutions and swaps of neighbours, case
 * ignored: 1 for words up to 4 letters, 2 up to 8, 3 beyond); or the
 * typed word inside a known one ("tag" in "newTag").  The closest wins, the
 * first tried on a tie.  Thread-safe: state lives in the caller's struct.
 */
#ifndef KB_SUGGEST_H
#define KB_SUGGEST_H

#include <stddef.h>

typedef struct kb_suggest {
	const char *word;
	const char *best; /* borrowed from the caller's candidates */
	size_t score;
} kb_suggest;

void kb_suggest_init(kb_suggest *s, const char *word);
/* Considers cand (borrowed: it must outlive the kb_suggest's use). */
void kb_suggest_try(kb_suggest *s, const char *cand);
/* The closest candidate, or NULL when none is close enough. */
const char *kb_suggest_best(const kb_suggest *s);
/* "; did you mean 'X'?" for the best candidate, or "" (static strings
 * are never returned: the caller frees the result). */
char *kb_suggest_hint(const kb_suggest *s);

/* kb_suggest_hint over a NULL-terminated list of names. */
char *kb_suggest_among(const char *word, const char *const *names);

#endif
