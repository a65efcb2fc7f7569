/*
 * linediff.c - Myers' diff in linear space (linediff.h).
 *
 * compare() trims the common prefix and suffix, finds the middle snake
 * of what is left by running the forward and the backward search until
 * they meet, and recurses on both sides of it; lines are compared by a
 * hash first.  Changed lines are marked per side, and the script is read
 * off the marks (deletions before insertions within a change).
 */
#include "linediff.h"
#include "util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_line(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

void kb_lines_split(kb_lines *l, const char *text, size_t len)
{
	memset(l, 0, sizeof(*l));
	size_t cap = 0;
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		if (l->n + 1 > cap) {
			size_t c2 = cap;
			kb_grow((void **)&l->s, &c2, l->n + 1, sizeof(*l->s));
			c2 = cap;
			kb_grow((void **)&l->len, &c2, l->n + 1, sizeof(*l->len));
			kb_grow((void **)&l->hash, &cap, l->n + 1, sizeof(*l->hash));
		}
		l->s[l->n] = text + i;
		l->len[l->n] = n;
		l->hash[l->n] = hash_line(text + i, n);
		l->n++;
		i += n + (nl ? 1 : 0);
	}
}

void kb_lines_free(kb_lines *l)
{
	free(l->s);
	free(l->len);
	free(l->hash);
	memset(l, 0, sizeof(*l));
}

typedef struct dctx {
	const kb_lines *a, *b;
	bool *del, *ins;
} dctx;

static bool eq(const dctx *c, size_t i, size_t j)
{
	return c->a->hash[i] == c->b->hash[j] && c->a->len[i] == c->b->len[j] &&
	       memcmp(c->a->s[i], c->b->s[j], c->a->len[i]) == 0;
}

static long lmax(long x, long y)
{
	return x > y ? x : y;
}

static void mark_all(const dctx *c, size_t a0, size_t n, size_t b0, size_t m)
{
	for (size_t i = 0; i < n; i++)
		c->del[a0 + i] = true;
	for (size_t j = 0; j < m; j++)
		c->ins[b0 + j] = true;
}

static void compare(const dctx *c, size_t a0, size_t n, size_t b0, size_t m)
{
	while (n && m && eq(c, a0, b0)) {
		a0++;
		b0++;
		n--;
		m--;
	}
	while (n && m && eq(c, a0 + n - 1, b0 + m - 1)) {
		n--;
		m--;
	}
	if (!n || !m) {
		mark_all(c, a0, n, b0, m);
		return;
	}
	long N = (long)n, M = (long)m, L = N + M, w = N - M;
	long Z = 2 * (N < M ? N : M) + 2;
	long *vf = kb_xcalloc((size_t)Z, sizeof(long));
	long *vb = kb_xcalloc((size_t)Z, sizeof(long));
#define IX(k) ((((k) % Z) + Z) % Z)
	for (long h = 0; h <= L / 2 + (L % 2 != 0); h++) {
		for (int r = 0; r < 2; r++) {
			long *cv = r == 0 ? vf : vb, *dv = r == 0 ? vb : vf;
			int o = r == 0 ? 1 : 0;
			for (long k = -(h - 2 * lmax(0, h - M)); k <= h - 2 * lmax(0, h - N); k += 2) {
				long x = (k == -h || (k != h && cv[IX(k - 1)] < cv[IX(k + 1)]))
						 ? cv[IX(k + 1)]
						 : cv[IX(k - 1)] + 1;
				long y = x - k, s = x, t = y;
				if (o)
					while (x < N && y < M && eq(c, a0 + (size_t)x, b0 + (size_t)y))
						x++, y++;
				else
					while (x < N && y < M &&
					       eq(c, a0 + (size_t)(N - 1 - x), b0 + (size_t)(M - 1 - y)))
						x++, y++;
				cv[IX(k)] = x;
				long z = -(k - w);
				if (L % 2 == o && z >= -(h - o) && z <= h - o && cv[IX(k)] + dv[IX(z)] >= N) {
					long sx, sy, ux, uy;
					if (o) {
						sx = s, sy = t, ux = x, uy = y;
					} else {
						sx = N - x, sy = M - y, ux = N - s, uy = M - t;
					}
					free(vf);
					free(vb);
					if ((sx == 0 && sy == 0 && ux == N && uy == M) ||
					    (sx == N && sy == M) || (ux == 0 && uy == 0)) {
						/* no progress: cannot happen after the trims;
						 * a correct if not minimal answer */
						mark_all(c, a0, n, b0, m);
						return;
					}
					compare(c, a0, (size_t)sx, b0, (size_t)sy);
					compare(c, a0 + (size_t)ux, (size_t)(N - ux), b0 + (size_t)uy,
						(size_t)(M - uy));
					return;
				}
			}
		}
	}
#undef IX
	free(vf);
	free(vb);
	mark_all(c, a0, n, b0, m);
}

size_t kb_line_diff(const kb_lines *a, const kb_lines *b, kb_edit **ops)
{
	dctx c = { a, b, kb_xcalloc(a->n + 1, 1), kb_xcalloc(b->n + 1, 1) };
	compare(&c, 0, a->n, 0, b->n);
	kb_edit *v = kb_xmalloc((a->n + b->n + 1) * sizeof(*v));
	size_t k = 0, i = 0, j = 0;
	while (i < a->n || j < b->n) {
		if (i < a->n && c.del[i]) {
			v[k++] = (kb_edit){ '-', i, j };
			i++;
		} else if (j < b->n && c.ins[j]) {
			v[k++] = (kb_edit){ '+', i, j };
			j++;
		} else {
			v[k++] = (kb_edit){ ' ', i, j };
			i++;
			j++;
		}
	}
	free(c.del);
	free(c.ins);
	*ops = v;
	return k;
}

size_t kb_hunks(const kb_edit *ops, size_t nops, size_t context, kb_hunk_span **spans)
{
	kb_hunk_span *v = NULL;
	size_t n = 0, cap = 0;
	size_t i = 0;
	while (i < nops) {
		while (i < nops && ops[i].op == ' ')
			i++;
		if (i >= nops)
			break;
		size_t first = i > context ? i - context : 0;
		size_t last = i; /* last change in the hunk */
		for (size_t j = i + 1; j < nops; j++) {
			if (ops[j].op == ' ')
				continue;
			if (j - last - 1 > 2 * context)
				break;
			last = j;
		}
		size_t end = last + 1 + context < nops ? last + 1 + context : nops;
		kb_hunk_span h = { first, end - first, 0, 0, 0, 0 };
		size_t apos = ops[first].ai, bpos = ops[first].bi;
		for (size_t j = first; j < end; j++) {
			if (ops[j].op != '+')
				h.a_count++;
			if (ops[j].op != '-')
				h.b_count++;
		}
		h.a_start = h.a_count ? apos + 1 : apos;
		h.b_start = h.b_count ? bpos + 1 : bpos;
		kb_grow((void **)&v, &cap, n + 1, sizeof(*v));
		v[n++] = h;
		i = end;
	}
	*spans = v;
	return n;
}
