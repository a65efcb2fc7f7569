/*
 * deps.c - dependency sets and the recording file system (deps.h).
 *
 * While a build runs, entries go into an open-addressing hash table
 * (a build asks about the same few paths over and over); sealing sorts
 * them once so that lookups and listings need no table.
 */
#include "deps.h"
#include "fs.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct dep_entry {
	char *path;
	unsigned flags;
} dep_entry;

struct kb_deps {
	dep_entry *v; /* entries, insertion order until sealed, then sorted */
	size_t n, cap;
	size_t *slot; /* hash table of indexes + 1 (0 = empty) */
	size_t nslot;
	bool sealed;
	bool any_tree, any_list;
};

char *kb_path_canonical(const char *path)
{
	char *cwd = getcwd(NULL, 0);
	char *j = kb_path_join(cwd ? cwd : "/", path);
	char *abs = kb_path_clean(j);
	free(j);
	free(cwd);
	char *rest = kb_xstrdup("");
	for (;;) {
		char *rp = realpath(abs, NULL);
		if (rp) {
			char *out = *rest ? kb_xasprintf("%s%s%s", rp, strcmp(rp, "/") ? "/" : "",
						      rest)
					  : kb_xstrdup(rp);
			free(rp);
			free(abs);
			free(rest);
			return out;
		}
		char *sl = strrchr(abs, '/');
		if (!sl || sl == abs) {
			free(rest);
			return abs;
		}
		char *nr = *rest ? kb_xasprintf("%s/%s", sl + 1, rest) : kb_xstrdup(sl + 1);
		free(rest);
		rest = nr;
		*sl = '\0';
	}
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

kb_deps *kb_deps_new(void)
{
	return kb_xcalloc(1, sizeof(kb_deps));
}

void kb_deps_free(kb_deps *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].path);
	free(d->v);
	free(d->slot);
	free(d);
}

static void rehash(kb_deps *d, size_t nslot)
{
	free(d->slot);
	d->slot = kb_xcalloc(nslot, sizeof(size_t));
	d->nslot = nslot;
	for (size_t i = 0; i < d->n; i++) {
		size_t h = (size_t)hash_str(d->v[i].path) & (nslot - 1);
		while (d->slot[h])
			h = (h + 1) & (nslot - 1);
		d->slot[h] = i + 1;
	}
}

void kb_deps_add(kb_deps *d, const char *path, unsigned flags)
{
	if (!d || d->sealed)
		return;
	char *clean = kb_path_clean(path);
	if (!clean)
		return;
	if (flags & KB_DEP_TREE)
		d->any_tree = true;
	if (flags & KB_DEP_LIST)
		d->any_list = true;
	if ((d->n + 1) * 2 > d->nslot)
		rehash(d, d->nslot ? d->nslot * 2 : 64);
	size_t h = (size_t)hash_str(clean) & (d->nslot - 1);
	while (d->slot[h]) {
		dep_entry *e = &d->v[d->slot[h] - 1];
		if (strcmp(e->path, clean) == 0) {
			/* missing only if every call found it missing (a broken
			 * symlink exists to lstat, not to stat) */
			unsigned missing = e->flags & flags & KB_DEP_MISSING;
			e->flags = ((e->flags | flags) & ~(unsigned)KB_DEP_MISSING) | missing;
			free(clean);
			return;
		}
		h = (h + 1) & (d->nslot - 1);
	}
	kb_grow((void **)&d->v, &d->cap, d->n + 1, sizeof(*d->v));
	d->v[d->n] = (dep_entry){ clean, flags };
	d->slot[h] = ++d->n;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const dep_entry *)a)->path, ((const dep_entry *)b)->path);
}

void kb_deps_seal(kb_deps *d)
{
	if (!d || d->sealed)
		return;
	qsort(d->v, d->n, sizeof(*d->v), entry_cmp);
	free(d->slot);
	d->slot = NULL;
	d->nslot = 0;
	d->sealed = true;
}

size_t kb_deps_count(const kb_deps *d)
{
	return d ? d->n : 0;
}

const char *kb_deps_path(const kb_deps *d, size_t i)
{
	return d && i < d->n ? d->v[i].path : NULL;
}

unsigned kb_deps_flags(const kb_deps *d, size_t i)
{
	return d && i < d->n ? d->v[i].flags : 0;
}

static const dep_entry *find(const kb_deps *d, const char *path)
{
	size_t lo = 0, hi = d->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->v[mid].path, path);
		if (c == 0)
			return &d->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

unsigned kb_deps_lookup(const kb_deps *d, const char *path)
{
	if (!d || !d->sealed)
		return 0;
	char *clean = kb_path_clean(path);
	if (!clean)
		return 0;
	const dep_entry *e = find(d, clean);
	free(clean);
	return e ? e->flags : 0;
}

bool kb_deps_touched_by(const kb_deps *d, const char *path)
{
	if (!d || !d->sealed)
		return false;
	char *p = kb_path_clean(path);
	if (!p)
		return false;
	bool hit = find(d, p) != NULL;
	/* up the parents: below a tree, or a name in a listed directory */
	bool direct = true;
	for (char *slash = strrchr(p, '/'); !hit && slash && (d->any_tree || d->any_list);
	     slash = strrchr(p, '/'), direct = false) {
		*slash = '\0';
		const dep_entry *e = find(d, *p ? p : "/");
		if (e && ((e->flags & KB_DEP_TREE) || (direct && (e->flags & KB_DEP_LIST))))
			hit = true;
	}
	free(p);
	return hit;
}

/* ---- the recording file system ---- */

static char *rec_realpath(void *ctx, const char *path)
{
	kb_depfs *r = ctx;
	char *out = kb_fs_realpath(r->under, path);
	int err = errno;
	kb_deps_add(r->deps, path, KB_DEP_STAT | (out ? 0 : KB_DEP_MISSING));
	if (out)
		kb_deps_add(r->deps, out, KB_DEP_STAT);
	errno = err;
	return out;
}

static int rec_stat(void *ctx, const char *path, int follow, kb_file_type *type)
{
	kb_depfs *r = ctx;
	int rc = kb_fs_stat(r->under, path, follow != 0, type);
	int err = errno;
	unsigned f = KB_DEP_STAT;
	if (rc != 0)
		f |= KB_DEP_MISSING;
	else if (*type == KB_FILE_DIR)
		f |= KB_DEP_DIR;
	kb_deps_add(r->deps, path, f);
	errno = err;
	return rc;
}

static char *rec_read(void *ctx, const char *path, size_t *len)
{
	kb_depfs *r = ctx;
	const kb_fs *u = r->under ? r->under : kb_fs_os();
	char *out = u->read(u->ctx, path, len);
	int err = errno;
	kb_deps_add(r->deps, path, KB_DEP_READ | (out ? 0 : KB_DEP_MISSING));
	errno = err;
	return out;
}

static int rec_list(void *ctx, const char *path, char ***names, size_t *n)
{
	kb_depfs *r = ctx;
	int rc = kb_fs_list(r->under, path, names, n);
	int err = errno;
	kb_deps_add(r->deps, path, KB_DEP_LIST | (rc == 0 ? KB_DEP_DIR : KB_DEP_MISSING));
	errno = err;
	return rc;
}

void kb_depfs_init(kb_depfs *r, const kb_fs *under, kb_deps *deps)
{
	memset(r, 0, sizeof(*r));
	r->fs.version = KB_FS_VERSION;
	r->fs.ctx = r;
	r->fs.realpath = rec_realpath;
	r->fs.stat = rec_stat;
	r->fs.read = rec_read;
	r->fs.list = rec_list;
	r->under = under;
	r->deps = deps;
}
