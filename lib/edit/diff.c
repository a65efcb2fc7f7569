/*
 * diff.c - unified line diffs (diff.h).
 */
#include "diff.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

typedef struct line {
	const char *p;
	size_t len; /* with its line break */
} line;

static line *split_lines(const char *s, size_t len, size_t *n)
{
	size_t cap = 16, k = 0;
	line *v = kb_xmalloc(cap * sizeof(*v));
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - s) + 1 : len;
		if (k == cap) {
			cap *= 2;
			v = kb_xrealloc(v, cap * sizeof(*v));
		}
		v[k].p = s + i;
		v[k].len = e - i;
		k++;
		i = e;
	}
	*n = k;
	return v;
}

static bool line_eq(const line *a, const line *b)
{
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

enum { OP_EQ, OP_DEL, OP_INS };

typedef struct op {
	int kind;
	size_t ai, bi; /* line indexes (the one that applies) */
} op;

/* Myers' greedy shortest edit script over a[0..n) and b[0..m); appends
 * ops in order.  Falls back to "delete all, insert all" past a bound on
 * the edit distance, which keeps memory in check for rewrites. */
static void myers(const line *a, size_t n, const line *b, size_t m, op **ops, size_t *nops,
		  size_t *cap, size_t aoff, size_t boff)
{
	long max = (long)(n + m);
	long bound = max < 4000 ? max : 4000;
	long w = 2 * max + 1;
	long *v = kb_xcalloc((size_t)w, sizeof(long));
	long **trace = kb_xcalloc((size_t)bound + 1, sizeof(long *));
	long found = -1;
	for (long d = 0; d <= bound && found < 0; d++) {
		trace[d] = kb_xmalloc((size_t)w * sizeof(long));
		for (long k = -d; k <= d; k += 2) {
			long x;
			if (k == -d || (k != d && v[max + k - 1] < v[max + k + 1]))
				x = v[max + k + 1];
			else
				x = v[max + k - 1] + 1;
			long y = x - k;
			while (x < (long)n && y < (long)m && line_eq(&a[x], &b[y])) {
				x++;
				y++;
			}
			v[max + k] = x;
			if (x >= (long)n && y >= (long)m) {
				found = d;
				break;
			}
		}
		memcpy(trace[d], v, (size_t)w * sizeof(long));
	}
	size_t start = *nops;
#define PUSH(K, A, B)                                                         \
	do {                                                                  \
		if (*nops == *cap) {                                          \
			*cap = *cap ? *cap * 2 : 64;                          \
			*ops = kb_xrealloc(*ops, *cap * sizeof(**ops));       \
		}                                                             \
		(*ops)[*nops].kind = (K);                                     \
		(*ops)[*nops].ai = (A);                                       \
		(*ops)[*nops].bi = (B);                                       \
		(*nops)++;                                                    \
	} while (0)
	if (found < 0) {
		for (size_t i = 0; i < n; i++)
			PUSH(OP_DEL, aoff + i, boff);
		for (size_t j = 0; j < m; j++)
			PUSH(OP_INS, aoff + n, boff + j);
	} else {
		long x = (long)n, y = (long)m;
		for (long d = found; d > 0; d--) {
			long *pv = trace[d - 1];
			long k = x - y;
			long pk;
			if (k == -d || (k != d && pv[max + k - 1] < pv[max + k + 1]))
				pk = k + 1;
			else
				pk = k - 1;
			long px = pv[max + pk], py = px - pk;
			while (x > px && y > py) {
				PUSH(OP_EQ, aoff + (size_t)x - 1, boff + (size_t)y - 1);
				x--;
				y--;
			}
			if (pk == k + 1)
				PUSH(OP_INS, aoff + (size_t)x, boff + (size_t)y - 1);
			else
				PUSH(OP_DEL, aoff + (size_t)x - 1, boff + (size_t)y);
			x = px;
			y = py;
		}
		while (x > 0 && y > 0) {
			PUSH(OP_EQ, aoff + (size_t)x - 1, boff + (size_t)y - 1);
			x--;
			y--;
		}
		/* reverse what was pushed */
		for (size_t i = start, j = *nops - 1; i < j; i++, j--) {
			op t = (*ops)[i];
			(*ops)[i] = (*ops)[j];
			(*ops)[j] = t;
		}
	}
#undef PUSH
	for (long d = 0; d <= bound; d++)
		free(trace[d]);
	free(trace);
	free(v);
}

static void put_line(kb_buf *b, char mark, const line *l)
{
	kb_buf_putc(b, mark);
	kb_buf_append(b, l->p, l->len);
	if (!l->len || l->p[l->len - 1] != '\n')
		kb_buf_puts(b, "\n\\ No newline at end of file\n");
}

char *ed_unified_diff(const char *as, size_t alen, const char *bs, size_t blen,
		      const char *old_name, const char *new_name)
{
	if (alen == blen && memcmp(as, bs, alen) == 0)
		return kb_xstrdup("");
	size_t n, m;
	line *a = split_lines(as, alen, &n);
	line *b = split_lines(bs, blen, &m);
	size_t pre = 0;
	while (pre < n && pre < m && line_eq(&a[pre], &b[pre]))
		pre++;
	size_t suf = 0;
	while (suf < n - pre && suf < m - pre && line_eq(&a[n - 1 - suf], &b[m - 1 - suf]))
		suf++;
	op *ops = NULL;
	size_t nops = 0, cap = 0;
	for (size_t i = 0; i < pre; i++) {
		if (nops == cap) {
			cap = cap ? cap * 2 : 64;
			ops = kb_xrealloc(ops, cap * sizeof(*ops));
		}
		ops[nops++] = (op){ OP_EQ, i, i };
	}
	myers(a + pre, n - pre - suf, b + pre, m - pre - suf, &ops, &nops, &cap, pre, pre);
	for (size_t i = 0; i < suf; i++) {
		if (nops == cap) {
			cap = cap ? cap * 2 : 64;
			ops = kb_xrealloc(ops, cap * sizeof(*ops));
		}
		ops[nops++] = (op){ OP_EQ, n - suf + i, m - suf + i };
	}

	kb_buf out = KB_BUF_INIT;
	if (strcmp(old_name, "/dev/null") == 0)
		kb_buf_puts(&out, "--- /dev/null\n");
	else
		kb_buf_printf(&out, "--- a/%s\n", old_name);
	kb_buf_printf(&out, "+++ b/%s\n", new_name);
	const size_t ctx = 3;
	size_t i = 0;
	while (i < nops) {
		if (ops[i].kind == OP_EQ) {
			i++;
			continue;
		}
		/* a hunk: from ctx lines before this change to ctx after the
		 * last change that is within 2*ctx of the previous one */
		size_t hs = i >= ctx ? i - ctx : 0;
		size_t he;
		size_t last = i;
		for (size_t j = i; j < nops; j++) {
			if (ops[j].kind != OP_EQ) {
				last = j;
				continue;
			}
			if (j - last > 2 * ctx)
				break;
		}
		he = last + ctx + 1 < nops ? last + ctx + 1 : nops;
		size_t a0 = 0, an = 0, b0 = 0, bn = 0;
		bool first = true;
		for (size_t j = hs; j < he; j++) {
			if (first) {
				a0 = ops[j].ai;
				b0 = ops[j].bi;
				first = false;
			}
			if (ops[j].kind != OP_INS)
				an++;
			if (ops[j].kind != OP_DEL)
				bn++;
		}
		kb_buf_printf(&out, "@@ -%zu", an ? a0 + 1 : a0);
		if (an != 1)
			kb_buf_printf(&out, ",%zu", an);
		kb_buf_printf(&out, " +%zu", bn ? b0 + 1 : b0);
		if (bn != 1)
			kb_buf_printf(&out, ",%zu", bn);
		kb_buf_puts(&out, " @@\n");
		for (size_t j = hs; j < he; j++) {
			if (ops[j].kind == OP_EQ)
				put_line(&out, ' ', &a[ops[j].ai]);
			else if (ops[j].kind == OP_DEL)
				put_line(&out, '-', &a[ops[j].ai]);
			else
				put_line(&out, '+', &b[ops[j].bi]);
		}
		i = he;
	}
	free(ops);
	free(a);
	free(b);
	return kb_buf_detach(&out);
}
