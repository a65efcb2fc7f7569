/* test_linediff.c - Myers' diff against a dynamic-programming LCS on
 * random inputs (minimal and valid scripts), and hunk grouping. */
#include "linediff.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t lcs(const kb_lines *a, const kb_lines *b)
{
	size_t *row = kb_xcalloc((b->n + 1) * (a->n + 1), sizeof(size_t));
#define R(i, j) row[(i) * (b->n + 1) + (j)]
	for (size_t i = 1; i <= a->n; i++)
		for (size_t j = 1; j <= b->n; j++) {
			bool eq = a->len[i - 1] == b->len[j - 1] &&
				  memcmp(a->s[i - 1], b->s[j - 1], a->len[i - 1]) == 0;
			size_t best = R(i - 1, j) > R(i, j - 1) ? R(i - 1, j) : R(i, j - 1);
			if (eq && R(i - 1, j - 1) + 1 > best)
				best = R(i - 1, j - 1) + 1;
			R(i, j) = best;
		}
	size_t v = R(a->n, b->n);
#undef R
	free(row);
	return v;
}

/* The script rebuilds b from a, and keeps exactly an LCS. */
static bool script_ok(const kb_lines *a, const kb_lines *b, const kb_edit *ops, size_t n)
{
	size_t i = 0, j = 0, keep = 0;
	for (size_t k = 0; k < n; k++) {
		if (ops[k].op == ' ') {
			if (ops[k].ai != i || ops[k].bi != j || a->len[i] != b->len[j] ||
			    memcmp(a->s[i], b->s[j], a->len[i]) != 0)
				return false;
			i++, j++, keep++;
		} else if (ops[k].op == '-') {
			if (ops[k].ai != i)
				return false;
			i++;
		} else {
			if (ops[k].bi != j)
				return false;
			j++;
		}
	}
	return i == a->n && j == b->n && keep == lcs(a, b);
}

static char *random_text(unsigned *seed, size_t n, int alphabet)
{
	kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		kb_buf_printf(&b, "%c\n", 'a' + (int)(rand_r(seed) % (unsigned)alphabet));
	kb_buf_append(&b, "", 0);
	return kb_buf_detach(&b);
}

static void test_random(void)
{
	unsigned seed = 12345;
	int bad = 0;
	for (int t = 0; t < 2000; t++) {
		size_t na = rand_r(&seed) % 30, nb = rand_r(&seed) % 30;
		int alpha = 1 + (int)(rand_r(&seed) % 5);
		char *ta = random_text(&seed, na, alpha), *tb = random_text(&seed, nb, alpha);
		kb_lines a, b;
		kb_lines_split(&a, ta, strlen(ta));
		kb_lines_split(&b, tb, strlen(tb));
		kb_edit *ops = NULL;
		size_t n = kb_line_diff(&a, &b, &ops);
		if (!script_ok(&a, &b, ops, n)) {
			if (!bad)
				fprintf(stderr, "# bad script for:\n%s--\n%s", ta, tb);
			bad++;
		}
		free(ops);
		kb_lines_free(&a);
		kb_lines_free(&b);
		free(ta);
		free(tb);
	}
	OK(bad == 0);
}

static void test_hunks(void)
{
	/* 20 lines, changes at line 2 and line 17: two hunks with context 3;
	 * changes at 2 and 8 (5 unchanged between): one */
	kb_buf x = KB_BUF_INIT, y = KB_BUF_INIT;
	for (int i = 1; i <= 20; i++) {
		kb_buf_printf(&x, "l%d\n", i);
		kb_buf_printf(&y, "%s%d\n", i == 2 || i == 17 ? "X" : "l", i);
	}
	kb_lines a, b;
	kb_lines_split(&a, x.data, x.len);
	kb_lines_split(&b, y.data, y.len);
	kb_edit *ops = NULL;
	size_t n = kb_line_diff(&a, &b, &ops);
	kb_hunk_span *sp = NULL;
	size_t nh = kb_hunks(ops, n, 3, &sp);
	OK(nh == 2);
	if (nh == 2) {
		OK(sp[0].a_start == 1 && sp[0].a_count == 5 && sp[0].b_start == 1 && sp[0].b_count == 5);
		OK(sp[1].a_start == 14 && sp[1].a_count == 7);
	}
	free(sp);
	nh = kb_hunks(ops, n, 10, &sp);
	OK(nh == 1);
	free(sp);
	free(ops);
	kb_lines_free(&a);
	kb_lines_free(&b);
	/* pure insertion into an empty text: "@@ -0,0 +1,2 @@" */
	kb_lines e, f;
	kb_lines_split(&e, "", 0);
	kb_lines_split(&f, "a\nb\n", 4);
	n = kb_line_diff(&e, &f, &ops);
	nh = kb_hunks(ops, n, 3, &sp);
	OK(nh == 1 && sp[0].a_start == 0 && sp[0].a_count == 0 && sp[0].b_start == 1 &&
	   sp[0].b_count == 2);
	free(sp);
	free(ops);
	/* equal texts: no hunk */
	n = kb_line_diff(&f, &f, &ops);
	OK(kb_hunks(ops, n, 3, &sp) == 0);
	free(sp);
	free(ops);
	kb_lines_free(&e);
	kb_lines_free(&f);
	kb_buf_free(&x);
	kb_buf_free(&y);
}

int main(void)
{
	test_random();
	test_hunks();
	return tap_done();
}
