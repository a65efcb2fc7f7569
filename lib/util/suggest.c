/*
 * suggest.c - closest known word (suggest.h).
 */
#include "suggest.h"
#include "util.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define NO_MATCH ((size_t)-1)
/* Longer words are not misspellings of a field name. */
#define MAX_LEN 64

static int low(char c)
{
	return tolower((unsigned char)c);
}

/* Optimal string alignment distance (Levenshtein plus swaps of two
 * neighbouring letters), case-insensitive. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > MAX_LEN || lb > MAX_LEN)
		return NO_MATCH;
	size_t d[MAX_LEN + 1][MAX_LEN + 1];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = low(a[i - 1]) != low(b[j - 1]);
			size_t best = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && low(a[i - 1]) == low(b[j - 2]) &&
			    low(a[i - 2]) == low(b[j - 1]) && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t ln = strlen(needle), lh = strlen(hay);
	for (size_t i = 0; ln <= lh && i <= lh - ln; i++)
		if (strncasecmp(hay + i, needle, ln) == 0)
			return true;
	return false;
}

void kb_suggest_init(kb_suggest *s, const char *word)
{
	s->word = word ? word : "";
	s->best = NULL;
	s->score = NO_MATCH;
}

void kb_suggest_try(kb_suggest *s, const char *cand)
{
	if (!cand || !*cand || !*s->word)
		return;
	size_t len = strlen(s->word);
	size_t limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	size_t d = distance(s->word, cand);
	if (d == NO_MATCH)
		return;
	/* a word typed inside a longer name ("tag" of "newTag") is as close
	 * as the letters it lacks, however many */
	bool inside = len >= 3 && contains_ci(cand, s->word);
	if (d > limit && !inside)
		return;
	if (d < s->score) {
		s->score = d;
		s->best = cand;
	}
}

const char *kb_suggest_best(const kb_suggest *s)
{
	return s->best;
}

char *kb_suggest_among(const char *word, const char *const *names)
{
	kb_suggest s;
	kb_suggest_init(&s, word);
	for (; names && *names; names++)
		kb_suggest_try(&s, *names);
	return kb_suggest_hint(&s);
}

char *kb_suggest_hint(const kb_suggest *s)
{
	return s->best ? kb_xasprintf("; did you mean '%s'?", s->best) : kb_xstrdup("");
}
