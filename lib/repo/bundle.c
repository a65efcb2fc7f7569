/*
 * bundle.c - the files of `kbuild check -o DIR` (bundle.h).
 */
#include "bundle.h"
#include "deps.h"
#include "fs.h"
#include "util.h"
#include "write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir -p of the directory part of path. */
static int make_parents(const char *path)
{
	char *p = kb_xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	free(p);
	return rc;
}

kb_error *kb_bundles_open(kb_bundles *b, const char *cwd, const char *dir)
{
	memset(b, 0, sizeof(*b));
	char *bd = kb_path_join(cwd, dir);
	b->dir = kb_path_clean(bd);
	free(bd);
	char *probe = kb_path_join(b->dir, "x");
	errno = 0;
	make_parents(probe);
	free(probe);
	if (!kb_is_dir(b->dir)) {
		kb_error *e = kb_error_new(dir, 0, 0, "cannot write bundles here: %s",
					   errno ? strerror(errno) : "not a directory");
		e->code = KB_ERR_USAGE;
		kb_bundles_close(b);
		return e;
	}
	const char *slash = strrchr(cwd, '/');
	b->cwd_name = kb_xstrdup(slash && slash[1] ? slash + 1 : "root");
	return NULL;
}

char *kb_bundles_path(const kb_bundles *b, const char *rel)
{
	if (strcmp(rel, ".") == 0)
		rel = b->cwd_name;
	while (*rel == '/')
		rel++;
	return kb_xasprintf("%s/%s.yaml", b->dir, rel);
}

kb_error *kb_bundles_write(const char *path, const char *data, size_t len, const char *what)
{
	kb_error *e = NULL;
	if (make_parents(path) != 0)
		e = kb_error_new(path, 0, 0, "cannot create the directory for the bundle: %s",
				 strerror(errno));
	else
		e = kb_write_path(path, data, len);
	return e ? kb_error_note(e, NULL, 0, 0, "writing the bundle of %s", what) : NULL;
}

void kb_bundles_close(kb_bundles *b)
{
	free(b->dir);
	free(b->cwd_name);
	memset(b, 0, sizeof(*b));
}
