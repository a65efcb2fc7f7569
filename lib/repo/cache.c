/*
 * cache.c - the shared file and document caches (cache.h).
 *
 * Each cache is a string-keyed hash table under one mutex.  Entries are
 * heap objects that never change once inserted and live until the cache
 * is freed, so a caller copies out of one without holding the lock (the
 * lock only guards the table).  Two threads missing the same key at once
 * both do the work; the second insert is dropped.
 */
#include "cache.h"
#include "fs.h"
#include "node.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- a string-keyed table of immutable entries ---- */

typedef struct tentry {
	char *key;
	void *val;
} tentry;

typedef struct table {
	tentry *slot;
	size_t nslot, n;
} table;

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void *table_get(const table *t, const char *key)
{
	if (!t->nslot)
		return NULL;
	size_t h = (size_t)hash_bytes(key, strlen(key)) & (t->nslot - 1);
	while (t->slot[h].key) {
		if (strcmp(t->slot[h].key, key) == 0)
			return t->slot[h].val;
		h = (h + 1) & (t->nslot - 1);
	}
	return NULL;
}

/* Inserts key (copied) -> val unless key is there; returns the value
 * that is in the table afterwards. */
static void *table_put(table *t, const char *key, void *val)
{
	void *old = table_get(t, key);
	if (old)
		return old;
	if ((t->n + 1) * 2 > t->nslot) {
		size_t ns = t->nslot ? t->nslot * 2 : 256;
		tentry *s = kb_xcalloc(ns, sizeof(*s));
		for (size_t i = 0; i < t->nslot; i++) {
			if (!t->slot[i].key)
				continue;
			size_t h = (size_t)hash_bytes(t->slot[i].key, strlen(t->slot[i].key)) & (ns - 1);
			while (s[h].key)
				h = (h + 1) & (ns - 1);
			s[h] = t->slot[i];
		}
		free(t->slot);
		t->slot = s;
		t->nslot = ns;
	}
	size_t h = (size_t)hash_bytes(key, strlen(key)) & (t->nslot - 1);
	while (t->slot[h].key)
		h = (h + 1) & (t->nslot - 1);
	t->slot[h].key = kb_xstrdup(key);
	t->slot[h].val = val;
	t->n++;
	return val;
}

static void table_free(table *t, void (*free_val)(void *))
{
	for (size_t i = 0; i < t->nslot; i++)
		if (t->slot[i].key) {
			free(t->slot[i].key);
			free_val(t->slot[i].val);
		}
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* ---- the file-system cache ---- */

typedef struct fs_answer {
	int err;            /* errno of a failure, 0 on success */
	char *text;         /* realpath: the result; read: the bytes */
	size_t len;
	kb_file_type type;  /* stat */
} fs_answer;

struct kb_fscache {
	kb_fs fs;
	const kb_fs *under;
	pthread_mutex_t mu;
	table real, stat_follow, stat_nofollow, read;
	kb_cache_stats reads;
};

static void answer_free(void *p)
{
	fs_answer *a = p;
	if (a)
		free(a->text);
	free(a);
}

static const fs_answer *lookup(kb_fscache *c, table *t, const char *path, bool is_read)
{
	pthread_mutex_lock(&c->mu);
	const fs_answer *a = table_get(t, path);
	if (is_read) {
		c->reads.lookups++;
		if (!a)
			c->reads.misses++;
	}
	pthread_mutex_unlock(&c->mu);
	return a;
}

static const fs_answer *remember(kb_fscache *c, table *t, const char *path, fs_answer *a)
{
	pthread_mutex_lock(&c->mu);
	const fs_answer *in = table_put(t, path, a);
	pthread_mutex_unlock(&c->mu);
	if (in != a)
		answer_free(a);
	return in;
}

static char *c_realpath(void *ctx, const char *path)
{
	kb_fscache *c = ctx;
	const fs_answer *a = lookup(c, &c->real, path, false);
	if (!a) {
		fs_answer *n = kb_xcalloc(1, sizeof(*n));
		n->text = kb_fs_realpath(c->under, path);
		n->err = n->text ? 0 : errno;
		a = remember(c, &c->real, path, n);
	}
	if (a->err) {
		errno = a->err;
		return NULL;
	}
	return kb_xstrdup(a->text);
}

static int c_stat(void *ctx, const char *path, int follow, kb_file_type *type)
{
	kb_fscache *c = ctx;
	table *t = follow ? &c->stat_follow : &c->stat_nofollow;
	const fs_answer *a = lookup(c, t, path, false);
	if (!a) {
		fs_answer *n = kb_xcalloc(1, sizeof(*n));
		if (kb_fs_stat(c->under, path, follow != 0, &n->type) != 0)
			n->err = errno ? errno : ENOENT;
		a = remember(c, t, path, n);
	}
	if (a->err) {
		errno = a->err;
		return -1;
	}
	*type = a->type;
	return 0;
}

static char *c_read(void *ctx, const char *path, size_t *len)
{
	kb_fscache *c = ctx;
	const fs_answer *a = lookup(c, &c->read, path, true);
	if (!a) {
		fs_answer *n = kb_xcalloc(1, sizeof(*n));
		const kb_fs *u = c->under ? c->under : kb_fs_os();
		n->text = u->read(u->ctx, path, &n->len);
		n->err = n->text ? 0 : (errno ? errno : EIO);
		a = remember(c, &c->read, path, n);
	}
	if (a->err) {
		errno = a->err;
		return NULL;
	}
	if (len)
		*len = a->len;
	return kb_xstrndup(a->text, a->len);
}

static int c_list(void *ctx, const char *path, char ***names, size_t *n)
{
	kb_fscache *c = ctx;
	return kb_fs_list(c->under, path, names, n);
}

kb_fscache *kb_fscache_new(const kb_fs *under)
{
	kb_fscache *c = kb_xcalloc(1, sizeof(*c));
	c->under = under;
	pthread_mutex_init(&c->mu, NULL);
	c->fs.version = KB_FS_VERSION;
	c->fs.ctx = c;
	c->fs.realpath = c_realpath;
	c->fs.stat = c_stat;
	c->fs.read = c_read;
	c->fs.list = c_list;
	return c;
}

const kb_fs *kb_fscache_fs(kb_fscache *c)
{
	return &c->fs;
}

void kb_fscache_stats(kb_fscache *c, kb_cache_stats *reads)
{
	pthread_mutex_lock(&c->mu);
	*reads = c->reads;
	pthread_mutex_unlock(&c->mu);
}

void kb_fscache_free(kb_fscache *c)
{
	if (!c)
		return;
	table_free(&c->real, answer_free);
	table_free(&c->stat_follow, answer_free);
	table_free(&c->stat_nofollow, answer_free);
	table_free(&c->read, answer_free);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* ---- the document cache ---- */

typedef struct doc_entry {
	char *text; /* the bytes parsed, to tell a different file at the same path */
	size_t len;
	kb_node **docs;
	size_t n;
} doc_entry;

struct kb_doccache {
	pthread_mutex_t mu;
	table t;
	kb_cache_stats parses;
};

static void doc_entry_free(void *p)
{
	doc_entry *d = p;
	if (!d)
		return;
	free(d->text);
	kb_docs_free(d->docs, d->n);
	free(d);
}

kb_doccache *kb_doccache_new(void)
{
	kb_doccache *c = kb_xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

void kb_doccache_free(kb_doccache *c)
{
	if (!c)
		return;
	table_free(&c->t, doc_entry_free);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

void kb_doccache_stats(kb_doccache *c, kb_cache_stats *parses)
{
	pthread_mutex_lock(&c->mu);
	*parses = c->parses;
	pthread_mutex_unlock(&c->mu);
}

static kb_node **clone_docs(kb_node *const *docs, size_t n)
{
	kb_node **out = kb_xmalloc((n ? n : 1) * sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = kb_node_clone(docs[i]);
	return out;
}

kb_error *kb_doccache_parse(kb_doccache *c, const char *path, const char *display,
			    const char *buf, size_t len, const kb_parse_limits *lim,
			    kb_node ***docs, size_t *ndocs)
{
	/* The limits and reader flavour change what a parse returns, so they
	 * are part of the key: all of the struct's bytes, whatever fields it
	 * grows (padding that differs only costs a miss, never a wrong hit). */
	kb_parse_limits zero;
	memset(&zero, 0, sizeof(zero));
	const unsigned char *lb = (const unsigned char *)(lim ? lim : &zero);
	kb_buf kb = KB_BUF_INIT;
	for (size_t i = 0; i < sizeof(kb_parse_limits); i++)
		kb_buf_printf(&kb, "%02x", lb[i]);
	kb_buf_printf(&kb, ":%s", path);
	char *key = kb_buf_detach(&kb);
	pthread_mutex_lock(&c->mu);
	const doc_entry *d = table_get(&c->t, key);
	c->parses.lookups++;
	pthread_mutex_unlock(&c->mu);
	if (d && d->len == len && memcmp(d->text, buf, len) == 0) {
		*docs = clone_docs(d->docs, d->n);
		*ndocs = d->n;
		free(key);
		return NULL;
	}
	pthread_mutex_lock(&c->mu);
	c->parses.misses++;
	pthread_mutex_unlock(&c->mu);
	kb_error *e = kb_yaml_parse(display, buf, len, lim, docs, ndocs);
	if (e || d) {
		/* a failure, or other bytes than the ones remembered */
		free(key);
		return e;
	}
	doc_entry *n = kb_xcalloc(1, sizeof(*n));
	n->text = kb_xstrndup(buf, len);
	n->len = len;
	n->docs = clone_docs(*docs, *ndocs);
	n->n = *ndocs;
	pthread_mutex_lock(&c->mu);
	const doc_entry *in = table_put(&c->t, key, n);
	pthread_mutex_unlock(&c->mu);
	if (in != n)
		doc_entry_free(n);
	free(key);
	return NULL;
}
