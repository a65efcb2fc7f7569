/*
 * glob.c - Go's filepath.Match and filepath.Glob (glob.h), ported from
 * Go's path/filepath/match.go (Unix rules: '\\' escapes, '/' separates).
 */
#include "glob.h"
#include "goglob.h"
#include "fs.h"

#include <stdlib.h>
#include <string.h>

/* Decodes one UTF-8 rune; *n its length (1 for an invalid byte, with
 * *bad set). */
/* Go's filepath.Match, which is path.Match on Unix (goglob.h). */
int ed_go_match(const char *pattern, const char *name)
{
	return kb_go_match_mode(pattern, strlen(pattern), name, strlen(name), KB_MATCH_GO);
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
