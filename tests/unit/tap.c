#define _GNU_SOURCE
#include "tap.h"

#include "parse.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int tap_failures;
int tap_count;

void tap_ok(int cond, const char *file, int line, const char *expr)
{
	tap_count++;
	if (!cond) {
		tap_failures++;
		printf("not ok %d - %s:%d: %s\n", tap_count, file, line, expr);
	}
}

void tap_str_eq(const char *got, const char *want, const char *file, int line, const char *expr)
{
	tap_count++;
	if (!got || !want || strcmp(got, want) != 0) {
		tap_failures++;
		printf("not ok %d - %s:%d: %s\n  got:  [%s]\n  want: [%s]\n", tap_count, file, line,
		       expr, got ? got : "(null)", want ? want : "(null)");
	}
}

int tap_done(void)
{
	printf("%d passed, %d failed\n", tap_count - tap_failures, tap_failures);
	return tap_failures ? 1 : 0;
}

/* ---- scratch trees ---- */

static char *join(const char *dir, const char *rel)
{
	return rel ? kb_xasprintf("%s/%s", dir, rel) : kb_xstrdup(dir);
}

char *tap_tmpdir(const char *tag)
{
	char *tmpl = kb_xasprintf("/tmp/kb-test-%s-XXXXXX", tag);
	char *out = NULL;
	if (!mkdtemp(tmpl))
		printf("# mkdtemp %s: %s\n", tmpl, strerror(errno));
	else if (!(out = realpath(tmpl, NULL)))
		printf("# realpath %s: %s\n", tmpl, strerror(errno));
	free(tmpl);
	return out;
}

static int mkdir_p(char *p)
{
	/* each prefix in turn; EEXIST and the like are judged by the end */
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
	struct stat st;
	if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
		printf("# mkdir failed: %s\n", p);
		return -1;
	}
	return 0;
}

int tap_mkdir(const char *dir, const char *rel)
{
	char *p = join(dir, rel);
	int rc = mkdir_p(p);
	free(p);
	return rc;
}

void tap_write_n(const char *dir, const char *rel, const void *data, size_t len)
{
	char *p = join(dir, rel);
	char *slash = strrchr(p, '/');
	if (slash && slash != p) {
		*slash = '\0';
		mkdir_p(p);
		*slash = '/';
	}
	FILE *f = fopen(p, "wb");
	if (!f || fwrite(data, 1, len, f) != len)
		printf("# could not write %s\n", p);
	if (f)
		fclose(f);
	free(p);
}

void tap_write(const char *dir, const char *rel, const char *text)
{
	tap_write_n(dir, rel, text, strlen(text));
}

bool tap_dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	struct dirent *de;
	bool empty = true;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	/* keep going past a failure so that as much as possible goes */
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) != 0)
		printf("# could not remove %s: %s\n", path, strerror(errno));
	return 0;
}

void tap_rmtree(const char *dir)
{
	/* FTW_PHYS: a symlink in the tree is removed, never followed out of it */
	if (dir && nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		printf("# could not remove %s\n", dir);
}

/* ---- builds ---- */

char *tap_build(const char *dir, const char *rel, const kb_options *opts, char **err_text)
{
	kb_options o;
	if (opts)
		o = *opts;
	else
		kb_options_init(&o);
	char *path = join(dir, rel);
	o.path = path;
	kb_result *res = NULL;
	kb_error *e = kb_build(&o, &res);
	free(path);
	*err_text = NULL;
	if (e) {
		*err_text = kb_error_format(e);
		kb_error_free(e);
		return NULL;
	}
	size_t len;
	const char *y = kb_result_yaml(res, &len);
	char *out = kb_xstrndup(y, len);
	kb_result_free(res);
	return out;
}

void tap_build_is(const char *dir, const char *rel, const kb_options *opts, const char *want,
		  const char *file, int line)
{
	char *err;
	char *got = tap_build(dir, rel, opts, &err);
	if (err)
		printf("# %s", err);
	/* the failure line names the tree, since the call site may be a loop */
	char what[512];
	snprintf(what, sizeof(what), "build of %s", rel ? rel : dir);
	tap_str_eq(got ? got : "(error)", want, file, line, what);
	free(got);
	free(err);
}

void tap_build_fails(const char *dir, const char *rel, const kb_options *opts, const char *needle,
		     const char *file, int line)
{
	char *err;
	char *got = tap_build(dir, rel, opts, &err);
	char what[512];
	snprintf(what, sizeof(what), "build of %s fails", rel ? rel : dir);
	tap_ok(got == NULL, file, line, what);
	bool has = err && strstr(err, needle);
	snprintf(what, sizeof(what), "build of %s fails with \"%s\"", rel ? rel : dir, needle);
	tap_ok(has, file, line, what);
	if (err && !has)
		printf("# got: %s# want: %s\n", err, needle);
	free(got);
	free(err);
}

/* ---- YAML ---- */

kb_node *tap_yaml(const char *text)
{
	kb_node *n = NULL;
	kb_error *e = kb_yaml_parse_one("t.yaml", text, strlen(text), NULL, &n);
	if (e) {
		char *s = kb_error_format(e);
		printf("# parse error: %s", s);
		free(s);
		kb_error_free(e);
		kb_node_free(n);
		return NULL;
	}
	return n;
}
