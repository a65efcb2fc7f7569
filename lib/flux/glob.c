/*
 * glob.c - Go's path.Match, fluxcd/pkg/envsubst's variant of it, and
 * doublestar's Match (glob.h).  The structure follows Go's source
 * (scanChunk / matchChunk / getEsc) so that corner cases agree.
 */
#include "glob.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* One UTF-8 rune of s[0..n): its value and width (invalid bytes are
 * U+FFFD of width 1, as Go decodes them). */
static long decode_rune(const char *s, size_t n, size_t *w)
{
	const unsigned char *u = (const unsigned char *)s;
	if (n == 0) {
		*w = 0;
		return -1;
	}
	if (u[0] < 0x80) {
		*w = 1;
		return u[0];
	}
	size_t need;
	long r;
	if ((u[0] & 0xE0) == 0xC0) {
		need = 2;
		r = u[0] & 0x1F;
	} else if ((u[0] & 0xF0) == 0xE0) {
		need = 3;
		r = u[0] & 0x0F;
	} else if ((u[0] & 0xF8) == 0xF0) {
		need = 4;
		r = u[0] & 0x07;
	} else {
		*w = 1;
		return 0xFFFD;
	}
	if (n < need) {
		*w = 1;
		return 0xFFFD;
	}
	for (size_t i = 1; i < need; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*w = 1;
			return 0xFFFD;
		}
		r = (r << 6) | (u[i] & 0x3F);
	}
	*w = need;
	return r;
}

typedef struct span {
	const char *p;
	size_t n;
} span;

static void scan_chunk(span *pat, bool *star, span *chunk)
{
	*star = false;
	while (pat->n > 0 && pat->p[0] == '*') {
		pat->p++;
		pat->n--;
		*star = true;
	}
	bool inrange = false;
	size_t i;
	for (i = 0; i < pat->n; i++) {
		char c = pat->p[i];
		if (c == '\\') {
			if (i + 1 < pat->n)
				i++;
		} else if (c == '[') {
			inrange = true;
		} else if (c == ']') {
			inrange = false;
		} else if (c == '*' && !inrange) {
			break;
		}
	}
	chunk->p = pat->p;
	chunk->n = i;
	pat->p += i;
	pat->n -= i;
}

/* Go's getEsc: 0 ok, -1 bad pattern. */
static int get_esc(span *chunk, long *r)
{
	if (chunk->n == 0 || chunk->p[0] == '-' || chunk->p[0] == ']')
		return -1;
	if (chunk->p[0] == '\\') {
		chunk->p++;
		chunk->n--;
		if (chunk->n == 0)
			return -1;
	}
	size_t w;
	*r = decode_rune(chunk->p, chunk->n, &w);
	int bad = (*r == 0xFFFD && w == 1);
	chunk->p += w;
	chunk->n -= w;
	if (chunk->n == 0)
		bad = 1;
	return bad ? -1 : 0;
}

/* Go's matchChunk: 1 matched (rest in *s), 0 not, -1 bad pattern. */
static int match_chunk(span chunk, span *s, int mode)
{
	bool failed = false;
	span in = *s;
	while (chunk.n > 0) {
		if (!failed && in.n == 0) {
			if (mode == KB_MATCH_ENVSUBST)
				return 0;
			failed = true;
		}
		char c = chunk.p[0];
		if (c == '[') {
			long r = -1;
			if (!failed) {
				size_t w;
				r = decode_rune(in.p, in.n, &w);
				in.p += w;
				in.n -= w;
			}
			chunk.p++;
			chunk.n--;
			bool negated = false;
			if (chunk.n > 0 && chunk.p[0] == '^') {
				negated = true;
				chunk.p++;
				chunk.n--;
			}
			bool match = false;
			int nrange = 0;
			for (;;) {
				if (chunk.n > 0 && chunk.p[0] == ']' && nrange > 0) {
					chunk.p++;
					chunk.n--;
					break;
				}
				long lo, hi;
				if (get_esc(&chunk, &lo) != 0)
					return -1;
				hi = lo;
				if (chunk.p[0] == '-') {
					chunk.p++;
					chunk.n--;
					if (get_esc(&chunk, &hi) != 0)
						return -1;
				}
				if (lo <= r && r <= hi)
					match = true;
				nrange++;
			}
			if (match == negated) {
				if (mode == KB_MATCH_ENVSUBST)
					return 0;
				failed = true;
			}
		} else if (c == '?') {
			if (!failed) {
				if (in.p[0] == '/' && mode == KB_MATCH_GO)
					failed = true;
				size_t w;
				decode_rune(in.p, in.n, &w);
				in.p += w;
				in.n -= w;
			}
			chunk.p++;
			chunk.n--;
		} else {
			if (c == '\\') {
				chunk.p++;
				chunk.n--;
				if (chunk.n == 0)
					return -1;
			}
			if (!failed) {
				if (chunk.p[0] != in.p[0]) {
					if (mode == KB_MATCH_ENVSUBST)
						return 0;
					failed = true;
				}
				in.p++;
				in.n--;
			}
			chunk.p++;
			chunk.n--;
		}
	}
	if (failed)
		return 0;
	*s = in;
	return 1;
}

int kb_go_match_mode(const char *pattern, size_t plen, const char *name, size_t nlen, int mode)
{
	span pat = { pattern, plen }, nm = { name, nlen };
	while (pat.n > 0) {
		bool star;
		span chunk;
		scan_chunk(&pat, &star, &chunk);
		if (star && chunk.n == 0) {
			if (mode == KB_MATCH_ENVSUBST)
				return 1;
			return memchr(nm.p, '/', nm.n) ? 0 : 1;
		}
		span t = nm;
		int rc = match_chunk(chunk, &t, mode);
		if (rc == 1 && (t.n == 0 || pat.n > 0)) {
			nm = t;
			continue;
		}
		if (rc < 0)
			return -1;
		if (star) {
			bool matched = false;
			for (size_t i = 0; i < nm.n && (mode == KB_MATCH_ENVSUBST || nm.p[i] != '/');
			     i++) {
				span t2 = { nm.p + i + 1, nm.n - i - 1 };
				int rc2 = match_chunk(chunk, &t2, mode);
				if (rc2 == 1) {
					if (pat.n == 0 && t2.n > 0)
						continue;
					nm = t2;
					matched = true;
					break;
				}
				if (rc2 < 0)
					return -1;
			}
			if (matched)
				continue;
		}
		if (mode == KB_MATCH_GO) {
			/* the rest of the pattern must still be well formed */
			while (pat.n > 0) {
				scan_chunk(&pat, &star, &chunk);
				span empty = { "", 0 };
				if (match_chunk(chunk, &empty, mode) < 0)
					return -1;
			}
		}
		return 0;
	}
	return nm.n == 0 ? 1 : 0;
}

bool kb_go_match(const char *pattern, const char *name)
{
	return kb_go_match_mode(pattern, strlen(pattern), name, strlen(name), KB_MATCH_GO) == 1;
}

bool kb_glob_has_meta(const char *pattern)
{
	return strpbrk(pattern, "*?[\\") != NULL;
}

/* ---- doublestar ---- */

/* Matches one path segment against one pattern segment, expanding the
 * first {a,b,...} group (doublestar's alternatives). */
static bool seg_match(const char *pat, size_t plen, const char *seg, size_t slen)
{
	const char *open = NULL;
	for (size_t i = 0; i < plen; i++) {
		if (pat[i] == '\\') {
			i++;
			continue;
		}
		if (pat[i] == '{') {
			open = pat + i;
			break;
		}
	}
	if (open) {
		/* find the matching close brace */
		int depth = 0;
		const char *close = NULL;
		for (const char *q = open; q < pat + plen; q++) {
			if (*q == '\\') {
				q++;
				continue;
			}
			if (*q == '{')
				depth++;
			else if (*q == '}' && --depth == 0) {
				close = q;
				break;
			}
		}
		if (!close)
			return false;
		const char *alt = open + 1;
		depth = 0;
		for (const char *q = open + 1; q <= close; q++) {
			if (*q == '\\') {
				q++;
				continue;
			}
			if (*q == '{')
				depth++;
			else if (*q == '}' && depth > 0)
				depth--;
			else if ((*q == ',' && depth == 0) || q == close) {
				kb_buf b = KB_BUF_INIT;
				kb_buf_append(&b, pat, (size_t)(open - pat));
				kb_buf_append(&b, alt, (size_t)(q - alt));
				kb_buf_append(&b, close + 1, (size_t)(pat + plen - close - 1));
				bool m = seg_match(b.data ? b.data : "", b.len, seg, slen);
				kb_buf_free(&b);
				if (m)
					return true;
				alt = q + 1;
			}
		}
		return false;
	}
	return kb_go_match_mode(pat, plen, seg, slen, KB_MATCH_GO) == 1;
}

static bool ds_match(const char *pat, const char *name)
{
	if (!*pat)
		return !*name;
	const char *pe = strchr(pat, '/');
	size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
	const char *prest = pe ? pe + 1 : pat + pl;
	if (pl == 2 && pat[0] == '*' && pat[1] == '*') {
		/* zero or more whole segments */
		if (!*prest)
			return true;
		const char *n = name;
		for (;;) {
			if (ds_match(prest, n))
				return true;
			const char *ne = strchr(n, '/');
			if (!ne)
				return false;
			n = ne + 1;
		}
	}
	if (!*name)
		return false;
	const char *ne = strchr(name, '/');
	size_t nl = ne ? (size_t)(ne - name) : strlen(name);
	if (!seg_match(pat, pl, name, nl))
		return false;
	if (!pe && !ne)
		return true;
	if (!pe || !ne)
		return false;
	return ds_match(prest, ne + 1);
}

bool kb_doublestar_match(const char *pattern, const char *name)
{
	return ds_match(pattern, name);
}
