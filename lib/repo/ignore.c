/*
 * ignore.c - gitignore-syntax matching (ignore.h) on top of fnmatch(3):
 * a pattern is split at '/' into components, fnmatch matches one
 * component against one path component (so '*' never crosses a '/', and
 * matches a leading '.', as git's wildmatch does), and '**' components
 * are matched here.  No Debian library does gitignore matching on its
 * own (libgit2 does it only inside a repository it opens).
 */
#include "ignore.h"
#include "fs.h"
#include "util.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

typedef struct ig_rule {
	char *base;  /* absolute directory, no trailing '/' ("" for /) */
	char **seg;  /* components; "**" matches any number of them */
	size_t nseg;
	bool negate;
	bool dir_only;
	bool anchored; /* else: matches the last component at any depth */
} ig_rule;

struct kb_ignore {
	ig_rule *v;
	size_t n, cap;
};

kb_ignore *kb_ignore_new(void)
{
	return kb_xcalloc(1, sizeof(kb_ignore));
}

void kb_ignore_free(kb_ignore *ig)
{
	if (!ig)
		return;
	for (size_t i = 0; i < ig->n; i++) {
		free(ig->v[i].base);
		for (size_t k = 0; k < ig->v[i].nseg; k++)
			free(ig->v[i].seg[k]);
		free(ig->v[i].seg);
	}
	free(ig->v);
	free(ig);
}

size_t kb_ignore_count(const kb_ignore *ig)
{
	return ig ? ig->n : 0;
}

void kb_ignore_add(kb_ignore *ig, const char *base, const char *line)
{
	size_t len = strlen(line);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	/* trailing spaces go unless quoted with a backslash */
	while (len && line[len - 1] == ' ' && !(len >= 2 && line[len - 2] == '\\'))
		len--;
	if (len == 0 || line[0] == '#')
		return;
	ig_rule r = { 0 };
	const char *p = line;
	if (*p == '!') {
		r.negate = true;
		p++;
		len--;
	}
	if (len && p[len - 1] == '/') {
		r.dir_only = true;
		while (len && p[len - 1] == '/')
			len--;
	}
	if (len == 0)
		return;
	char *pat = kb_xstrndup(p, len);
	r.anchored = strchr(pat, '/') != NULL;
	char *s = pat;
	while (*s == '/')
		s++;
	/* split at '/', dropping empty components ("a//b") */
	kb_strv segs = { 0 };
	for (char *tok = s; *tok;) {
		char *slash = strchr(tok, '/');
		size_t n = slash ? (size_t)(slash - tok) : strlen(tok);
		if (n)
			kb_strv_push_owned(&segs, kb_xstrndup(tok, n));
		tok += n;
		while (*tok == '/')
			tok++;
	}
	free(pat);
	if (segs.n == 0) {
		kb_strv_free(&segs);
		return;
	}
	r.seg = segs.v;
	r.nseg = segs.n;
	size_t bl = strlen(base);
	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	r.base = kb_xstrndup(base, bl);
	kb_grow((void **)&ig->v, &ig->cap, ig->n + 1, sizeof(*ig->v));
	ig->v[ig->n++] = r;
}

int kb_ignore_add_file(kb_ignore *ig, const kb_fs *fs, const char *path)
{
	size_t len;
	char *text = kb_fs_read(fs, path, &len);
	if (!text)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	char *dir = kb_xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	size_t before = ig->n;
	for (char *line = text; line < text + len;) {
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
		char *l = kb_xstrndup(line, n);
		kb_ignore_add(ig, dir, l);
		free(l);
		line += n + 1;
	}
	free(dir);
	free(text);
	return (int)(ig->n - before);
}

/* Components pat[0..np) against parts[0..nparts). */
static bool match_segs(char *const *pat, size_t np, char *const *parts, size_t nparts)
{
	if (np == 0)
		return nparts == 0;
	if (strcmp(pat[0], "**") == 0) {
		if (np == 1) /* a trailing "**" component: everything inside, not the dir itself */
			return nparts >= 1;
		for (size_t k = 0; k <= nparts; k++)
			if (match_segs(pat + 1, np - 1, parts + k, nparts - k))
				return true;
		return false;
	}
	if (nparts == 0 || fnmatch(pat[0], parts[0], 0) != 0)
		return false;
	return match_segs(pat + 1, np - 1, parts + 1, nparts - 1);
}

static bool rule_matches(const ig_rule *r, char *const *parts, size_t nparts, bool is_dir)
{
	if (r->dir_only && !is_dir)
		return false;
	if (nparts == 0)
		return false;
	if (!r->anchored)
		return r->nseg == 1 && (strcmp(r->seg[0], "**") == 0 ||
					fnmatch(r->seg[0], parts[nparts - 1], 0) == 0);
	return match_segs(r->seg, r->nseg, parts, nparts);
}

/* The verdict of the rules on path relative to each rule's base, where
 * parts are the components of the whole absolute path. */
static int verdict(const kb_ignore *ig, const char *path, char *const *parts, size_t nparts,
		   bool is_dir)
{
	int v = 0; /* 0: no rule matched, 1: excluded, -1: re-included */
	for (size_t i = 0; i < ig->n; i++) {
		const ig_rule *r = &ig->v[i];
		size_t bl = strlen(r->base);
		if (strncmp(path, r->base, bl) != 0 || path[bl] != '/')
			continue;
		/* components of the path below the base */
		size_t skip = 0;
		for (const char *c = r->base; *c; c++)
			if (*c == '/')
				skip++;
		if (skip > nparts)
			continue;
		if (rule_matches(r, parts + skip, nparts - skip, is_dir))
			v = r->negate ? -1 : 1;
	}
	return v;
}

bool kb_ignore_match(const kb_ignore *ig, const char *path, bool is_dir)
{
	if (!ig || ig->n == 0 || !path || path[0] != '/')
		return false;
	kb_strv parts = { 0 };
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		kb_strv_push_owned(&parts, kb_xstrndup(p, n));
		p += n;
	}
	/* a parent directory excluded excludes everything below it */
	bool out = false;
	kb_buf prefix = KB_BUF_INIT;
	for (size_t k = 1; k <= parts.n && !out; k++) {
		kb_buf_putc(&prefix, '/');
		kb_buf_puts(&prefix, parts.v[k - 1]);
		bool last = k == parts.n;
		out = verdict(ig, prefix.data, parts.v, k, last ? is_dir : true) == 1;
	}
	kb_buf_free(&prefix);
	kb_strv_free(&parts);
	return out;
}
