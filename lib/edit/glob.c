/*
 * glob.c - Go's filepath.Match and filepath.Glob (glob.h), ported from
 * Go's path/filepath/match.go (Unix rules: '\\' escapes, '/' separates).
 */
#include "glob.h"
#include "fs.h"

#include <stdlib.h>
#include <string.h>

/* Decodes one UTF-8 rune; *n its length (1 for an invalid byte, with
 * *bad set). */
static long rune_at(const char *s, size_t len, size_t *n, bool *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	*bad = false;
	if (len == 0) {
		*n = 0;
		return -1;
	}
	if (u[0] < 0x80) {
		*n = 1;
		return u[0];
	}
	size_t need = u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc0 ? 2 : 0;
	if (need == 0 || need > len) {
		*n = 1;
		*bad = true;
		return 0xfffd;
	}
	long r = u[0] & (0x7f >> need);
	for (size_t i = 1; i < need; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*n = 1;
			*bad = true;
			return 0xfffd;
		}
		r = (r << 6) | (u[i] & 0x3f);
	}
	*n = need;
	return r;
}

/* scanChunk: *star, and the chunk [*c, *c + *clen) before the next '*'
 * outside a range; returns the rest. */
static const char *scan_chunk(const char *p, bool *star, const char **c, size_t *clen)
{
	*star = false;
	while (*p == '*') {
		p++;
		*star = true;
	}
	bool inrange = false;
	size_t i;
	for (i = 0; p[i]; i++) {
		if (p[i] == '\\') {
			if (p[i + 1])
				i++;
		} else if (p[i] == '[') {
			inrange = true;
		} else if (p[i] == ']') {
			inrange = false;
		} else if (p[i] == '*' && !inrange) {
			break;
		}
	}
	*c = p;
	*clen = i;
	return p + i;
}

/* getEsc: one possibly escaped rune of a range; -1 on a bad pattern. */
static int get_esc(const char **chunk, size_t *clen, long *r)
{
	const char *c = *chunk;
	size_t l = *clen;
	if (l == 0 || c[0] == '-' || c[0] == ']')
		return -1;
	if (c[0] == '\\') {
		c++;
		l--;
		if (l == 0)
			return -1;
	}
	size_t n;
	bool bad;
	*r = rune_at(c, l, &n, &bad);
	if (bad)
		return -1;
	c += n;
	l -= n;
	if (l == 0)
		return -1;
	*chunk = c;
	*clen = l;
	return 0;
}

/* matchChunk: 1 and *rest on a match, 0 no match, -1 bad pattern. */
static int match_chunk(const char *chunk, size_t clen, const char *s, size_t slen,
		       size_t *rest)
{
	bool failed = false;
	size_t si = 0;
	while (clen > 0) {
		if (!failed && si == slen)
			failed = true;
		char ch = chunk[0];
		if (ch == '[') {
			long r = -1;
			if (!failed) {
				size_t n;
				bool bad;
				r = rune_at(s + si, slen - si, &n, &bad);
				si += n;
			}
			chunk++;
			clen--;
			bool negated = false;
			if (clen > 0 && chunk[0] == '^') {
				negated = true;
				chunk++;
				clen--;
			}
			bool match = false;
			int nrange = 0;
			for (;;) {
				if (clen > 0 && chunk[0] == ']' && nrange > 0) {
					chunk++;
					clen--;
					break;
				}
				long lo, hi;
				if (get_esc(&chunk, &clen, &lo) < 0)
					return -1;
				hi = lo;
				if (chunk[0] == '-') {
					chunk++;
					clen--;
					if (get_esc(&chunk, &clen, &hi) < 0)
						return -1;
				}
				if (lo <= r && r <= hi)
					match = true;
				nrange++;
			}
			if (match == negated)
				failed = true;
		} else if (ch == '?') {
			if (!failed) {
				if (s[si] == '/')
					failed = true;
				size_t n;
				bool bad;
				rune_at(s + si, slen - si, &n, &bad);
				si += n;
			}
			chunk++;
			clen--;
		} else {
			if (ch == '\\') {
				chunk++;
				clen--;
				if (clen == 0)
					return -1;
			}
			if (!failed) {
				if (chunk[0] != s[si])
					failed = true;
				si++;
			}
			chunk++;
			clen--;
		}
	}
	if (failed)
		return 0;
	*rest = si;
	return 1;
}

int ed_go_match(const char *pattern, const char *name)
{
	const char *p = pattern;
	size_t nlen = strlen(name);
	while (*p) {
		bool star;
		const char *chunk;
		size_t clen;
		p = scan_chunk(p, &star, &chunk, &clen);
		if (star && clen == 0)
			return memchr(name, '/', nlen) ? 0 : 1;
		size_t t;
		int ok = match_chunk(chunk, clen, name, nlen, &t);
		if (ok == 1 && (t == nlen || *p)) {
			name += t;
			nlen -= t;
			continue;
		}
		if (ok < 0)
			return -1;
		if (star) {
			bool cont = false;
			for (size_t i = 0; i < nlen && name[i] != '/'; i++) {
				ok = match_chunk(chunk, clen, name + i + 1, nlen - i - 1, &t);
				if (ok == 1) {
					if (!*p && t < nlen - i - 1)
						continue;
					name += i + 1 + t;
					nlen -= i + 1 + t;
					cont = true;
					break;
				}
				if (ok < 0)
					return -1;
			}
			if (cont)
				continue;
		}
		/* the rest of the pattern must still be well formed */
		while (*p) {
			p = scan_chunk(p, &star, &chunk, &clen);
			if (match_chunk(chunk, clen, "", 0, &t) < 0)
				return -1;
		}
		return 0;
	}
	return nlen == 0 ? 1 : 0;
}

static bool has_meta(const char *p)
{
	return strpbrk(p, "*?[\\") != NULL;
}

/* Go's path.Clean. */
static char *go_clean(const char *p)
{
	if (!*p)
		return kb_xstrdup(".");
	bool rooted = p[0] == '/';
	kb_strv parts = { 0 };
	const char *s = p;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		const char *e = strchr(s, '/');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (l == 1 && s[0] == '.') {
			/* skip */
		} else if (l == 2 && s[0] == '.' && s[1] == '.') {
			if (parts.n && strcmp(parts.v[parts.n - 1], "..") != 0) {
				free(parts.v[--parts.n]);
			} else if (!rooted) {
				kb_strv_push(&parts, "..");
			}
		} else {
			kb_strv_push_owned(&parts, kb_xstrndup(s, l));
		}
		s += l;
	}
	kb_buf b = KB_BUF_INIT;
	if (rooted)
		kb_buf_putc(&b, '/');
	for (size_t i = 0; i < parts.n; i++) {
		if (i)
			kb_buf_putc(&b, '/');
		kb_buf_puts(&b, parts.v[i]);
	}
	kb_strv_free(&parts);
	if (!b.len)
		kb_buf_putc(&b, '.');
	return kb_buf_detach(&b);
}

static char *abs_of(const char *root, const char *p)
{
	return p[0] == '/' ? kb_xstrdup(p) : kb_path_join(root, p);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int glob_in(const kb_fs *fs, const char *root, const char *dir, const char *pat,
		   kb_strv *out)
{
	char *ad = abs_of(root, dir);
	char **names = NULL;
	size_t n = 0;
	bool isdir = kb_fs_is_dir(fs, ad);
	int rc = isdir ? kb_fs_list(fs, ad, &names, &n) : -1;
	free(ad);
	if (rc != 0)
		return 0;
	qsort(names, n, sizeof(*names), cmp_str);
	int res = 0;
	for (size_t i = 0; i < n; i++) {
		if (res == 0) {
			int m = ed_go_match(pat, names[i]);
			if (m < 0) {
				res = -1;
			} else if (m) {
				char *j = kb_xasprintf("%s/%s", dir, names[i]);
				kb_strv_push_owned(out, go_clean(j));
				free(j);
			}
		}
		free(names[i]);
	}
	free(names);
	return res;
}

static int glob_depth(const kb_fs *fs, const char *root, const char *pattern, kb_strv *out,
		      int depth)
{
	if (depth >= 10000)
		return -1;
	if (ed_go_match(pattern, "") < 0)
		return -1;
	if (!has_meta(pattern)) {
		char *a = abs_of(root, pattern);
		kb_file_type t;
		int rc = kb_fs_stat(fs, a, false, &t);
		free(a);
		if (rc == 0)
			kb_strv_push(out, pattern);
		return 0;
	}
	const char *slash = strrchr(pattern, '/');
	char *dir = slash ? kb_xstrndup(pattern, (size_t)(slash - pattern) + 1) : kb_xstrdup("");
	const char *file = slash ? slash + 1 : pattern;
	/* cleanGlobPath */
	if (!*dir) {
		free(dir);
		dir = kb_xstrdup(".");
	} else if (strcmp(dir, "/") != 0) {
		dir[strlen(dir) - 1] = '\0';
	}
	int rc = 0;
	if (!has_meta(dir)) {
		rc = glob_in(fs, root, dir, file, out);
	} else if (strcmp(dir, pattern) == 0) {
		rc = -1;
	} else {
		kb_strv dirs = { 0 };
		rc = glob_depth(fs, root, dir, &dirs, depth + 1);
		for (size_t i = 0; rc == 0 && i < dirs.n; i++)
			rc = glob_in(fs, root, dirs.v[i], file, out);
		kb_strv_free(&dirs);
	}
	free(dir);
	return rc;
}

int ed_go_glob(const kb_fs *fs, const char *root, const char *pattern, kb_strv *out)
{
	return glob_depth(fs, root, pattern, out, 0);
}
