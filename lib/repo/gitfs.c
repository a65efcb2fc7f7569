/*
 * gitfs.c - kb_fs over a git revision (kbuild/gitfs.h).
 *
 * Every path is resolved component by component, as the kernel does: in
 * the revision's tree from the repository's top down, on the operating
 * system elsewhere; a symlink (in the tree: mode 120000, its blob the
 * target) splices its target into what is left of the path.  Trees are
 * parsed once per object id and blobs kept once read, so the bases that
 * many overlays share are fetched from git once.
 */
#define _GNU_SOURCE
#include "kbuild.h"
#include "kbuild/gitfs.h"
#include "fs.h"
#include "git.h"
#include "gitfs_prefetch.h"
#include "strmap.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40
/* Blobs beyond this much in total are fetched again rather than kept. */
#define BLOB_CACHE_MAX ((size_t)512 << 20)

enum { MODE_TREE = 040000, MODE_FILE = 0100644, MODE_EXEC = 0100755, MODE_LINK = 0120000,
       MODE_GITLINK = 0160000 };

typedef struct gentry {
	char *name;
	unsigned mode;
	char id[65];
} gentry;

typedef struct gtree {
	gentry *e; /* sorted by strcmp of name */
	size_t n;
} gtree;

struct kb_gitfs {
	kb_fs fs;
	char *top; /* canonical working-tree directory */
	size_t toplen;
	char *rev, *commit, *tree;
	kb_git_batch *batch;
	pthread_mutex_t mu;
	kb_strmap trees, blobs; /* object id -> gtree / blob data */
	size_t blob_bytes;
};

/* ---- trees ---- */

static void gtree_free(gtree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->e[i].name);
	free(t->e);
	free(t);
}

static void gtree_free_v(void *t)
{
	gtree_free(t);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const gentry *)a)->name, ((const gentry *)b)->name);
}

/* Raw tree object: "<octal mode> <name>\0<raw id>" repeated. */
static gtree *parse_tree(const char *data, size_t len, size_t idlen)
{
	static const char hex[] = "0123456789abcdef";
	gtree *t = kb_xcalloc(1, sizeof(*t));
	size_t cap = 0, i = 0;
	while (i < len) {
		unsigned mode = 0;
		while (i < len && data[i] >= '0' && data[i] <= '7')
			mode = mode * 8 + (unsigned)(data[i++] - '0');
		if (i >= len || data[i] != ' ')
			break;
		i++;
		const char *name = data + i;
		const char *nul = memchr(name, '\0', len - i);
		if (!nul || (size_t)(nul - data) + 1 + idlen > len)
			break;
		i = (size_t)(nul - data) + 1;
		kb_grow((void **)&t->e, &cap, t->n + 1, sizeof(*t->e));
		gentry *e = &t->e[t->n++];
		e->name = kb_xstrndup(name, (size_t)(nul - name));
		e->mode = mode;
		for (size_t k = 0; k < idlen; k++) {
			unsigned char c = (unsigned char)data[i + k];
			e->id[2 * k] = hex[c >> 4];
			e->id[2 * k + 1] = hex[c & 15];
		}
		e->id[2 * idlen] = '\0';
		i += idlen;
	}
	qsort(t->e, t->n, sizeof(*t->e), cmp_entry);
	return t;
}

/* The parsed tree with id; NULL with errno (EIO when git failed). */
static const gtree *load_tree(kb_gitfs *g, const char *id)
{
	kb_strmap_slot *s = kb_strmap_get(&g->trees, id);
	if (s)
		return s->val;
	bool found;
	const char *type;
	char *data;
	size_t len;
	kb_error *e = kb_git_batch_get(g->batch, id, &found, &type, NULL, &data, &len);
	if (e) {
		kb_error_free(e);
		errno = EIO;
		return NULL;
	}
	if (!found || strcmp(type, "tree") != 0) {
		free(data);
		errno = EIO;
		return NULL;
	}
	gtree *t = parse_tree(data, len, strlen(g->tree) / 2);
	free(data);
	s = kb_strmap_put(&g->trees, id, NULL);
	s->val = t;
	return t;
}

static const gentry *tree_find(const gtree *t, const char *name, size_t n)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(t->e[mid].name, name, n);
		if (c == 0 && t->e[mid].name[n] != '\0')
			c = 1;
		if (c < 0)
			lo = mid + 1;
		else if (c > 0)
			hi = mid;
		else
			return &t->e[mid];
	}
	return NULL;
}

/* A blob's content (a copy, caller frees); NULL with errno. */
static char *load_blob(kb_gitfs *g, const char *id, size_t *len)
{
	kb_strmap_slot *s = kb_strmap_get(&g->blobs, id);
	const char *data;
	size_t n;
	char *fetched = NULL;
	if (s) {
		data = s->val;
		n = s->len;
	} else {
		bool found;
		const char *type;
		kb_error *e = kb_git_batch_get(g->batch, id, &found, &type, NULL, &fetched, &n);
		if (e || !found || strcmp(type, "blob") != 0) {
			kb_error_free(e);
			free(fetched);
			errno = EIO;
			return NULL;
		}
		data = fetched;
		if (g->blob_bytes + n <= BLOB_CACHE_MAX) {
			s = kb_strmap_put(&g->blobs, id, NULL);
			s->val = fetched;
			s->len = n;
			g->blob_bytes += n;
			fetched = NULL;
		}
	}
	char *out = kb_xmalloc(n + 1);
	memcpy(out, data, n);
	out[n] = '\0';
	free(fetched);
	if (len)
		*len = n;
	return out;
}

/* ---- path resolution ---- */

typedef struct resolved {
	char *path;   /* canonical absolute path */
	bool intree;  /* below (or at) the top: mode/id tell what it is */
	unsigned mode;
	char id[65];
} resolved;

static bool under_top(const kb_gitfs *g, const char *p, size_t plen)
{
	return plen >= g->toplen && memcmp(p, g->top, g->toplen) == 0 &&
	       (plen == g->toplen || p[g->toplen] == '/' || g->toplen == 1);
}

/* The work list of components still to walk, as one string consumed
 * from the front ("a/b/c"); a symlink's target is prepended. */
static void splice(kb_buf *rest, size_t *pos, const char *target)
{
	kb_buf nb = KB_BUF_INIT;
	kb_buf_puts(&nb, target);
	if (*pos < rest->len) {
		kb_buf_putc(&nb, '/');
		kb_buf_append(&nb, rest->data + *pos, rest->len - *pos);
	}
	kb_buf_free(rest);
	*rest = nb;
	if (!rest->data)
		kb_buf_append(rest, "", 0);
	*pos = 0;
}

/* Looks up the entry of cur (below the top) by walking from the root
 * tree.  The last directory walked is remembered by the caller through
 * dir_id: each step only looks into the tree of its parent. */
static int resolve(kb_gitfs *g, const char *path, bool follow, resolved *out)
{
	memset(out, 0, sizeof(*out));
	if (!path || path[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	kb_buf cur = KB_BUF_INIT; /* resolved so far, "" for "/" */
	kb_buf rest = KB_BUF_INIT;
	size_t pos = 0;
	/* the common case, a path below the top without "..": start there */
	bool fast = under_top(g, path, strlen(path)) && !strstr(path, "/..");
	if (fast) {
		kb_buf_puts(&cur, g->toplen == 1 ? "" : g->top);
		kb_buf_puts(&rest, path + g->toplen);
	} else {
		kb_buf_append(&cur, "", 0);
		kb_buf_puts(&rest, path);
	}
	kb_buf_append(&rest, "", 0);
	kb_buf_append(&cur, "", 0);
	unsigned links = 0;
	/* what cur is: in the tree (mode, id) or on the OS */
	bool intree = fast;
	unsigned mode = MODE_TREE;
	char id[65];
	snprintf(id, sizeof(id), "%s", g->tree);
	int err = 0;
	while (pos < rest.len) {
		while (pos < rest.len && rest.data[pos] == '/')
			pos++;
		if (pos >= rest.len)
			break;
		size_t start = pos;
		while (pos < rest.len && rest.data[pos] != '/')
			pos++;
		size_t clen = pos - start;
		char comp[NAME_MAX + 2];
		if (clen > NAME_MAX) {
			err = ENAMETOOLONG;
			break;
		}
		memcpy(comp, rest.data + start, clen);
		comp[clen] = '\0';
		size_t more = pos;
		while (more < rest.len && rest.data[more] == '/')
			more++;
		bool last = more >= rest.len;
		if (strcmp(comp, ".") == 0) {
			if (intree && mode != MODE_TREE && mode != MODE_GITLINK) {
				err = ENOTDIR;
				break;
			}
			continue;
		}
		if (strcmp(comp, "..") == 0) {
			char *sl = strrchr(cur.data, '/');
			cur.len = sl ? (size_t)(sl - cur.data) : 0;
			cur.data[cur.len] = '\0';
			intree = under_top(g, cur.len ? cur.data : "/", cur.len ? cur.len : 1);
			if (intree) {
				/* walk down again from the root: trees know no parent */
				mode = MODE_TREE;
				snprintf(id, sizeof(id), "%s", g->tree);
				const char *p = cur.data + (g->toplen == 1 ? 0 : g->toplen);
				while (*p == '/')
					p++;
				while (*p && intree) {
					const char *e = strchr(p, '/');
					size_t n = e ? (size_t)(e - p) : strlen(p);
					const gtree *t = load_tree(g, id);
					const gentry *en = t ? tree_find(t, p, n) : NULL;
					if (!en || en->mode != MODE_TREE) {
						err = t ? ENOENT : errno;
						break;
					}
					snprintf(id, sizeof(id), "%s", en->id);
					p += n;
					while (*p == '/')
						p++;
				}
				if (err)
					break;
			}
			continue;
		}
		size_t base_len = cur.len;
		kb_buf_putc(&cur, '/');
		kb_buf_puts(&cur, comp);
		if (!intree && under_top(g, cur.data, cur.len) && cur.len == g->toplen) {
			/* arrived at the top from outside */
			intree = true;
			mode = MODE_TREE;
			snprintf(id, sizeof(id), "%s", g->tree);
			continue;
		}
		/* the repository itself is no part of its tree, but it is there
		 * for the revision as for the checkout (a walk looks for .git to
		 * find the top of the work tree): the disk's */
		if (intree && base_len == (g->toplen == 1 ? 0 : g->toplen) && clen == 4 &&
		    memcmp(comp, ".git", 4) == 0)
			intree = false;
		if (intree) {
			if (mode == MODE_GITLINK) {
				err = ENOTSUP;
				break;
			}
			if (mode != MODE_TREE) {
				err = ENOTDIR;
				break;
			}
			const gtree *t = load_tree(g, id);
			if (!t) {
				err = errno;
				break;
			}
			const gentry *en = tree_find(t, comp, clen);
			if (!en) {
				err = ENOENT;
				break;
			}
			if (en->mode == MODE_LINK && (!last || follow)) {
				if (++links > MAX_LINKS) {
					err = ELOOP;
					break;
				}
				size_t tl;
				char *target = load_blob(g, en->id, &tl);
				if (!target) {
					err = errno;
					break;
				}
				if (strlen(target) != tl || tl == 0) {
					free(target);
					err = ENOENT;
					break;
				}
				cur.len = base_len;
				cur.data[cur.len] = '\0';
				if (target[0] == '/') {
					cur.len = 0;
					cur.data[0] = '\0';
					intree = g->toplen == 1;
					mode = MODE_TREE;
					snprintf(id, sizeof(id), "%s", g->tree);
				}
				splice(&rest, &pos, target);
				free(target);
				continue;
			}
			mode = en->mode;
			snprintf(id, sizeof(id), "%s", en->id);
		} else {
			struct stat st;
			if (lstat(cur.data, &st) != 0) {
				err = errno;
				break;
			}
			if (S_ISLNK(st.st_mode) && (!last || follow)) {
				if (++links > MAX_LINKS) {
					err = ELOOP;
					break;
				}
				char target[PATH_MAX];
				ssize_t tl = readlink(cur.data, target, sizeof(target) - 1);
				if (tl <= 0) {
					err = tl < 0 ? errno : ENOENT;
					break;
				}
				target[tl] = '\0';
				cur.len = base_len;
				cur.data[cur.len] = '\0';
				if (target[0] == '/') {
					cur.len = 0;
					cur.data[0] = '\0';
					intree = g->toplen == 1;
					mode = MODE_TREE;
					snprintf(id, sizeof(id), "%s", g->tree);
				}
				splice(&rest, &pos, target);
				continue;
			}
			if (!last && !S_ISDIR(st.st_mode)) {
				err = ENOTDIR;
				break;
			}
		}
	}
	kb_buf_free(&rest);
	if (err) {
		kb_buf_free(&cur);
		errno = err;
		return -1;
	}
	out->path = cur.len ? kb_buf_detach(&cur) : (kb_buf_free(&cur), kb_xstrdup("/"));
	out->intree = intree;
	out->mode = mode;
	snprintf(out->id, sizeof(out->id), "%s", id);
	return 0;
}

/* ---- prefetching ---- */

/* Fetches ids (trees or blobs, none cached yet) with up to
 * KB_GIT_BATCH_PIPELINE requests in flight; stops at max_bytes of
 * blobs.  Returns false when git failed. */
static bool fetch_many(kb_gitfs *g, char **ids, size_t n, bool trees, size_t max_bytes)
{
	size_t idlen = strlen(g->tree) / 2;
	for (size_t i = 0; i < n;) {
		size_t k = n - i < KB_GIT_BATCH_PIPELINE ? n - i : KB_GIT_BATCH_PIPELINE;
		kb_error *e = NULL;
		for (size_t j = 0; j < k && !e; j++)
			e = kb_git_batch_send(g->batch, ids[i + j]);
		for (size_t j = 0; j < k && !e; j++) {
			bool found;
			const char *type = NULL;
			char *data = NULL;
			size_t len = 0;
			e = kb_git_batch_recv(g->batch, &found, &type, NULL, &data, &len);
			if (e || !found) {
				free(data);
				continue;
			}
			if (trees && strcmp(type, "tree") == 0) {
				kb_strmap_slot *s = kb_strmap_put(&g->trees, ids[i + j], NULL);
				if (!s->val)
					s->val = parse_tree(data, len, idlen);
				free(data);
			} else if (!trees && strcmp(type, "blob") == 0 &&
				   g->blob_bytes + len <= BLOB_CACHE_MAX) {
				bool created;
				kb_strmap_slot *s = kb_strmap_put(&g->blobs, ids[i + j], &created);
				if (created) {
					s->val = data;
					s->len = len;
					g->blob_bytes += len;
				} else {
					free(data);
				}
			} else {
				free(data);
			}
		}
		if (e) {
			kb_error_free(e);
			return false;
		}
		i += k;
		if (!trees && g->blob_bytes >= max_bytes)
			break;
	}
	return true;
}

void kb_gitfs_prefetch(kb_gitfs *g, const char *dir, size_t max_bytes)
{
	pthread_mutex_lock(&g->mu);
	resolved r;
	if (resolve(g, dir, true, &r) != 0) {
		pthread_mutex_unlock(&g->mu);
		return;
	}
	free(r.path);
	if (!r.intree || r.mode != MODE_TREE) {
		pthread_mutex_unlock(&g->mu);
		return;
	}
	kb_strv level = { 0 }, blobs = { 0 };
	kb_strmap seen = { 0 };
	kb_strv_push(&level, r.id);
	bool ok = true;
	/* breadth first: one pipelined round per level of the tree */
	while (level.n && ok && g->trees.n < 200000) {
		kb_strv want = { 0 };
		for (size_t i = 0; i < level.n; i++)
			if (!kb_strmap_get(&g->trees, level.v[i]))
				kb_strv_push(&want, level.v[i]);
		ok = fetch_many(g, want.v, want.n, true, 0);
		kb_strv_free(&want);
		kb_strv next = { 0 };
		for (size_t i = 0; ok && i < level.n; i++) {
			kb_strmap_slot *s = kb_strmap_get(&g->trees, level.v[i]);
			const gtree *t = s ? s->val : NULL;
			for (size_t j = 0; t && j < t->n; j++) {
				const gentry *en = &t->e[j];
				bool created;
				kb_strmap_put(&seen, en->id, &created);
				if (!created)
					continue;
				if (en->mode == MODE_TREE)
					kb_strv_push(&next, en->id);
				else if ((en->mode & 0170000) == 0100000 || en->mode == MODE_LINK)
					if (!kb_strmap_get(&g->blobs, en->id))
						kb_strv_push(&blobs, en->id);
			}
		}
		kb_strv_free(&level);
		level = next;
	}
	if (ok && g->blob_bytes < max_bytes)
		fetch_many(g, blobs.v, blobs.n, false, max_bytes);
	kb_strv_free(&level);
	kb_strv_free(&blobs);
	kb_strmap_free(&seen, NULL);
	pthread_mutex_unlock(&g->mu);
}

/* ---- kb_fs callbacks ---- */

static char *gfs_realpath(void *ctx, const char *path)
{
	kb_gitfs *g = ctx;
	pthread_mutex_lock(&g->mu);
	resolved r;
	int rc = resolve(g, path, true, &r);
	pthread_mutex_unlock(&g->mu);
	if (rc != 0)
		return NULL;
	if (!r.intree) {
		/* outside the repository: the OS's own answer */
		char *p = realpath(r.path, NULL);
		free(r.path);
		return p;
	}
	return r.path;
}

static kb_file_type mode_type(unsigned mode)
{
	switch (mode) {
	case MODE_TREE:
	case MODE_GITLINK:
		return KB_FILE_DIR;
	case MODE_LINK:
		return KB_FILE_SYMLINK;
	default:
		return (mode & 0170000) == 0100000 ? KB_FILE_REGULAR : KB_FILE_OTHER;
	}
}

static int gfs_stat(void *ctx, const char *path, int follow, kb_file_type *type)
{
	kb_gitfs *g = ctx;
	pthread_mutex_lock(&g->mu);
	resolved r;
	int rc = resolve(g, path, follow, &r);
	pthread_mutex_unlock(&g->mu);
	if (rc != 0)
		return -1;
	if (r.intree) {
		*type = mode_type(r.mode);
		free(r.path);
		return 0;
	}
	struct stat st;
	rc = follow ? stat(r.path, &st) : lstat(r.path, &st);
	free(r.path);
	if (rc != 0)
		return -1;
	*type = S_ISREG(st.st_mode)   ? KB_FILE_REGULAR
		: S_ISDIR(st.st_mode) ? KB_FILE_DIR
		: S_ISLNK(st.st_mode) ? KB_FILE_SYMLINK
				      : KB_FILE_OTHER;
	return 0;
}

static char *gfs_read(void *ctx, const char *path, size_t *len)
{
	kb_gitfs *g = ctx;
	pthread_mutex_lock(&g->mu);
	resolved r;
	char *data = NULL;
	int err = 0;
	if (resolve(g, path, true, &r) != 0) {
		err = errno;
	} else if (r.intree) {
		if (r.mode == MODE_TREE || r.mode == MODE_GITLINK)
			err = EISDIR;
		else if (mode_type(r.mode) != KB_FILE_REGULAR)
			err = EINVAL;
		else if (!(data = load_blob(g, r.id, len)))
			err = errno;
	}
	pthread_mutex_unlock(&g->mu);
	if (err) {
		if (!err || r.path)
			free(r.path);
		errno = err;
		return NULL;
	}
	if (!r.intree)
		data = kb_read_file(r.path, len);
	free(r.path);
	return data;
}

static int gfs_list(void *ctx, const char *path, char ***names, size_t *n)
{
	kb_gitfs *g = ctx;
	*names = NULL;
	*n = 0;
	pthread_mutex_lock(&g->mu);
	resolved r;
	int err = 0;
	kb_strv v = { 0 };
	if (resolve(g, path, true, &r) != 0) {
		err = errno;
		r.path = NULL;
	} else if (r.intree) {
		if (r.mode == MODE_GITLINK)
			err = ENOTSUP;
		else if (r.mode != MODE_TREE)
			err = ENOTDIR;
		else {
			const gtree *t = load_tree(g, r.id);
			if (!t)
				err = errno;
			for (size_t i = 0; t && i < t->n; i++)
				kb_strv_push(&v, t->e[i].name);
		}
	}
	pthread_mutex_unlock(&g->mu);
	if (!err && !r.intree) {
		const kb_fs *os = kb_fs_os();
		int rc = os->list(os->ctx, r.path, names, n);
		free(r.path);
		return rc;
	}
	free(r.path);
	if (err) {
		kb_strv_free(&v);
		errno = err;
		return -1;
	}
	*names = v.v;
	*n = v.n;
	return 0;
}

/* ---- opening ---- */

kb_error *kb_gitfs_open(const char *path, const char *rev, kb_gitfs **out)
{
	*out = NULL;
	if (kb_str_empty(rev))
		rev = "HEAD";
	if (rev[0] == '-' || strpbrk(rev, "\n\r")) {
		kb_error *e = kb_error_new(NULL, 0, 0, "'%s' is not a git revision", rev);
		e->code = KB_ERR_USAGE;
		return e;
	}
	char *top = NULL;
	kb_error *e = kb_git_toplevel(path, &top);
	if (e)
		return e;
	kb_gitfs *g = kb_xcalloc(1, sizeof(*g));
	g->top = top;
	g->toplen = strlen(top);
	g->rev = kb_xstrdup(rev);
	pthread_mutex_init(&g->mu, NULL);
	e = kb_git_batch_open(top, &g->batch);
	if (!e) {
		char *q = kb_xasprintf("%s^{tree}", rev);
		bool found;
		const char *type;
		char *data = NULL;
		size_t len;
		e = kb_git_batch_get(g->batch, q, &found, &type, &g->tree, &data, &len);
		free(q);
		free(data);
		if (!e && !found) {
			e = kb_error_new(NULL, 0, 0,
					 "unknown revision '%s' in the repository at %s (no such "
					 "branch, tag or commit; in CI, fetch it first, e.g. "
					 "actions/checkout with fetch-depth: 0)",
					 rev, top);
		}
	}
	if (!e) {
		char *q = kb_xasprintf("%s^{commit}", rev);
		bool found;
		const char *type;
		char *data = NULL;
		size_t len;
		e = kb_git_batch_get(g->batch, q, &found, &type, &g->commit, &data, &len);
		free(q);
		free(data);
	}
	if (e) {
		e->code = KB_ERR_USAGE;
		kb_gitfs_free(g);
		return e;
	}
	g->fs.version = KB_FS_VERSION;
	g->fs.ctx = g;
	g->fs.realpath = gfs_realpath;
	g->fs.stat = gfs_stat;
	g->fs.read = gfs_read;
	g->fs.list = gfs_list;
	*out = g;
	return NULL;
}

const kb_fs *kb_gitfs_fs(kb_gitfs *g)
{
	return &g->fs;
}

const char *kb_gitfs_root(const kb_gitfs *g)
{
	return g->top;
}

const char *kb_gitfs_rev(const kb_gitfs *g)
{
	return g->rev;
}

const char *kb_gitfs_commit(const kb_gitfs *g)
{
	return g->commit;
}

void kb_gitfs_free(kb_gitfs *g)
{
	if (!g)
		return;
	kb_git_batch_close(g->batch);
	kb_strmap_free(&g->trees, gtree_free_v);
	kb_strmap_free(&g->blobs, free);
	pthread_mutex_destroy(&g->mu);
	free(g->top);
	free(g->rev);
	free(g->commit);
	free(g->tree);
	free(g);
}
