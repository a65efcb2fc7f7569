/*
 * memfs.c - an in-memory kb_fs, optionally laid over another one
 * (kbuild.h: kb_memfs).  Files are kept sorted by path, so a directory
 * ("does any file lie below D/?") is one binary search.
 */
#include "kbuild.h"
#include "fs.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct mfile {
	char *path;
	char *data;
	size_t len;
} mfile;

struct kb_memfs {
	kb_fs fs;
	const kb_fs *fallback;
	mfile *files;
	size_t n, cap;
};

/* Index of the first file whose path is >= key. */
static size_t lower_bound(const kb_memfs *m, const char *key)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(m->files[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const mfile *find_file(const kb_memfs *m, const char *p)
{
	size_t i = lower_bound(m, p);
	return i < m->n && strcmp(m->files[i].path, p) == 0 ? &m->files[i] : NULL;
}

static bool is_mem_dir(const kb_memfs *m, const char *p)
{
	if (strcmp(p, "/") == 0)
		return m->n > 0;
	char *pre = kb_xasprintf("%s/", p);
	size_t i = lower_bound(m, pre);
	bool yes = i < m->n && strncmp(m->files[i].path, pre, strlen(pre)) == 0;
	free(pre);
	return yes;
}

static char *mem_realpath(void *ctx, const char *path)
{
	kb_memfs *m = ctx;
	char *p = kb_path_clean(path);
	if (!p) {
		errno = EINVAL;
		return NULL;
	}
	if (find_file(m, p) || is_mem_dir(m, p))
		return p;
	free(p);
	if (m->fallback)
		return m->fallback->realpath(m->fallback->ctx, path);
	errno = ENOENT;
	return NULL;
}

static int mem_stat(void *ctx, const char *path, int follow, kb_file_type *type)
{
	kb_memfs *m = ctx;
	char *p = kb_path_clean(path);
	if (!p) {
		errno = EINVAL;
		return -1;
	}
	int rc = 0;
	if (find_file(m, p))
		*type = KB_FILE_REGULAR;
	else if (is_mem_dir(m, p))
		*type = KB_FILE_DIR;
	else if (m->fallback)
		rc = m->fallback->stat(m->fallback->ctx, path, follow, type);
	else {
		errno = ENOENT;
		rc = -1;
	}
	free(p);
	return rc;
}

static char *mem_read(void *ctx, const char *path, size_t *len)
{
	kb_memfs *m = ctx;
	char *p = kb_path_clean(path);
	if (!p) {
		errno = EINVAL;
		return NULL;
	}
	const mfile *f = find_file(m, p);
	free(p);
	if (f) {
		char *d = kb_xmalloc(f->len + 1);
		memcpy(d, f->data, f->len);
		d[f->len] = '\0';
		if (len)
			*len = f->len;
		return d;
	}
	if (m->fallback)
		return m->fallback->read(m->fallback->ctx, path, len);
	errno = ENOENT;
	return NULL;
}

static int mem_list(void *ctx, const char *path, char ***names, size_t *n)
{
	kb_memfs *m = ctx;
	char *p = kb_path_clean(path);
	if (!p) {
		errno = EINVAL;
		return -1;
	}
	kb_strv v = { 0 };
	bool mem = is_mem_dir(m, p);
	if (m->fallback && m->fallback->list) {
		char **fn = NULL;
		size_t fnn = 0;
		if (m->fallback->list(m->fallback->ctx, path, &fn, &fnn) == 0) {
			for (size_t i = 0; i < fnn; i++)
				kb_strv_push_owned(&v, fn[i]);
			free(fn);
		} else if (!mem) {
			free(p);
			return -1;
		}
	} else if (!mem) {
		int err = find_file(m, p) ? ENOTDIR : ENOENT;
		free(p);
		errno = err;
		return -1;
	}
	if (mem) {
		char *pre = strcmp(p, "/") == 0 ? kb_xstrdup("/") : kb_xasprintf("%s/", p);
		size_t pl = strlen(pre);
		for (size_t i = lower_bound(m, pre);
		     i < m->n && strncmp(m->files[i].path, pre, pl) == 0; i++) {
			const char *rest = m->files[i].path + pl;
			size_t cl = strcspn(rest, "/");
			char *child = kb_xstrndup(rest, cl);
			if (!kb_strv_contains(&v, child))
				kb_strv_push_owned(&v, child);
			else
				free(child);
		}
		free(pre);
	}
	free(p);
	*names = v.v;
	*n = v.n;
	return 0;
}

kb_memfs *kb_memfs_new(const kb_fs *fallback)
{
	kb_memfs *m = kb_xcalloc(1, sizeof(*m));
	m->fallback = fallback;
	m->fs.version = KB_FS_VERSION;
	m->fs.ctx = m;
	m->fs.realpath = mem_realpath;
	m->fs.stat = mem_stat;
	m->fs.read = mem_read;
	m->fs.list = mem_list;
	return m;
}

int kb_memfs_add(kb_memfs *m, const char *path, const char *data, size_t len)
{
	char *p = kb_path_clean(path);
	if (!p || strcmp(p, "/") == 0) {
		free(p);
		errno = EINVAL;
		return -1;
	}
	size_t i = lower_bound(m, p);
	if (i < m->n && strcmp(m->files[i].path, p) == 0) {
		free(p);
		free(m->files[i].data);
	} else {
		kb_grow((void **)&m->files, &m->cap, m->n + 1, sizeof(*m->files));
		memmove(m->files + i + 1, m->files + i, (m->n - i) * sizeof(*m->files));
		m->n++;
		m->files[i].path = p;
	}
	m->files[i].data = kb_xmalloc(len + 1);
	if (len)
		memcpy(m->files[i].data, data, len);
	m->files[i].data[len] = '\0';
	m->files[i].len = len;
	return 0;
}

const kb_fs *kb_memfs_fs(kb_memfs *m)
{
	return &m->fs;
}

void kb_memfs_free(kb_memfs *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->files[i].path);
		free(m->files[i].data);
	}
	free(m->files);
	free(m);
}
