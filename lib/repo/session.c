/*
 * session.c - builds through shared caches (session.h).
 *
 * The layering of one build's reads, from the build down:
 *
 *   build -> kb_depfs (records into this build's kb_deps)
 *         -> kb_fscache (shared by every build of the session)
 *         -> the caller's kb_fs (or the OS's)
 *
 * and its parses of kustomization and resource files go through the
 * session's kb_doccache by the build hooks (hooks.h).
 */
#include "session.h"
#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* One remote base URL, fetched once per session (or failed once). */
typedef struct clone_entry {
	char *url;
	bool done;     /* false while the first build asking fetches it */
	kb_clone clone;
	kb_error *err; /* the fetch failed: every build gets a copy */
	struct clone_entry *next;
} clone_entry;

struct kb_session {
	kb_fscache *fscache; /* NULL with KB_SESSION_NO_FS_CACHE */
	const kb_fs *fs;     /* what builds read through (the cache's, or the caller's) */
	kb_doccache *docs;   /* NULL with KB_SESSION_NO_DOC_CACHE */
	kb_build_hooks hooks; /* parse only, for discovery */
	pthread_mutex_t clone_mu;
	pthread_cond_t clone_done;
	clone_entry *clones;
};

static kb_error *session_parse(void *ud, const char *path, const char *display, const char *buf,
			       size_t len, const kb_parse_limits *lim, kb_node ***docs,
			       size_t *ndocs)
{
	kb_session *s = ud;
	if (!s->docs)
		return kb_yaml_parse(display, buf, len, lim, docs, ndocs);
	return kb_doccache_parse(s->docs, path, display, buf, len, lim, docs, ndocs);
}

kb_session *kb_session_new(const kb_fs *fs, unsigned flags)
{
	kb_session *s = kb_xcalloc(1, sizeof(*s));
	if (flags & KB_SESSION_NO_FS_CACHE) {
		s->fs = fs;
	} else {
		s->fscache = kb_fscache_new(fs);
		s->fs = kb_fscache_fs(s->fscache);
	}
	if (!(flags & KB_SESSION_NO_DOC_CACHE))
		s->docs = kb_doccache_new();
	s->hooks.ud = s;
	s->hooks.parse = session_parse;
	pthread_mutex_init(&s->clone_mu, NULL);
	pthread_cond_init(&s->clone_done, NULL);
	return s;
}

void kb_session_free(kb_session *s)
{
	if (!s)
		return;
	for (clone_entry *c = s->clones, *next; c; c = next) {
		next = c->next;
		kb_clone_remove(&c->clone);
		kb_error_free(c->err);
		free(c->url);
		free(c);
	}
	pthread_cond_destroy(&s->clone_done);
	pthread_mutex_destroy(&s->clone_mu);
	kb_doccache_free(s->docs);
	kb_fscache_free(s->fscache);
	free(s);
}

const kb_fs *kb_session_fs(kb_session *s)
{
	return s->fs;
}

const kb_build_hooks *kb_session_hooks(kb_session *s)
{
	return &s->hooks;
}

/* One build's view: the session plus where its dependencies go. */
typedef struct one_build {
	kb_session *s;
	kb_deps *deps;
} one_build;

static kb_error *build_parse(void *ud, const char *path, const char *display, const char *buf,
			     size_t len, const kb_parse_limits *lim, kb_node ***docs, size_t *ndocs)
{
	one_build *b = ud;
	return session_parse(b->s, path, display, buf, len, lim, docs, ndocs);
}

static void build_depend_tree(void *ud, const char *dir)
{
	one_build *b = ud;
	kb_deps_add(b->deps, dir, KB_DEP_TREE | KB_DEP_DIR);
}

static char *dup_or_null(const char *s)
{
	return s ? kb_xstrdup(s) : NULL;
}

kb_error *kb_error_clone(const kb_error *e)
{
	if (!e)
		return NULL;
	kb_error *c = kb_error_new(e->primary.file, e->primary.line, e->primary.col, "%s",
				   e->primary.msg);
	c->code = e->code;
	c->kind = e->kind;
	for (size_t i = 0; i < e->nnotes; i++)
		kb_error_note(c, e->notes[i].file, e->notes[i].line, e->notes[i].col, "%s",
			      e->notes[i].msg);
	if (e->nwarnings) {
		c->warnings = kb_xcalloc(e->nwarnings, sizeof(*c->warnings));
		for (size_t i = 0; i < e->nwarnings; i++)
			c->warnings[i] = kb_error_clone(e->warnings[i]);
		c->nwarnings = e->nwarnings;
	}
	return c;
}

/* The builds of a session share one clone per remote base URL: a base
 * that 30 overlays name is fetched once, and an unreachable one fails
 * once (not once per overlay, each after git's timeouts). */
static kb_error *build_clone(void *ud, const kb_repospec *rs, kb_clone *out)
{
	kb_session *s = ((one_build *)ud)->s;
	out->dir = out->root = NULL;
	pthread_mutex_lock(&s->clone_mu);
	clone_entry *c = s->clones;
	while (c && strcmp(c->url, rs->raw) != 0)
		c = c->next;
	if (!c) {
		c = kb_xcalloc(1, sizeof(*c));
		c->url = kb_xstrdup(rs->raw);
		c->next = s->clones;
		s->clones = c;
		pthread_mutex_unlock(&s->clone_mu);
		kb_clone got = { NULL, NULL };
		kb_error *e = kb_repo_clone(rs, &got);
		pthread_mutex_lock(&s->clone_mu);
		c->clone = got;
		c->err = e;
		c->done = true;
		pthread_cond_broadcast(&s->clone_done);
	}
	while (!c->done)
		pthread_cond_wait(&s->clone_done, &s->clone_mu);
	pthread_mutex_unlock(&s->clone_mu);
	if (c->err)
		return kb_error_clone(c->err); /* each build adds its own notes */
	out->dir = dup_or_null(c->clone.dir);
	out->root = dup_or_null(c->clone.root);
	return NULL;
}

static void build_release(void *ud, kb_clone *c)
{
	(void)ud;
	/* the session removes the clone when it ends */
	free(c->dir);
	free(c->root);
	c->dir = c->root = NULL;
}

kb_error *kb_session_build(kb_session *s, const kb_options *opts, kb_deps **deps,
			   kb_result **out)
{
	*out = NULL;
	kb_options o;
	kb_options_copy(&o, opts);
	/* the session's caller runs builds side by side already: each build
	 * keeps to its thread (and the recording file system to one user) */
	o.jobs = 1;
	kb_deps *d = kb_deps_new();
	kb_depfs rec;
	kb_depfs_init(&rec, s->fs, d);
	o.fs = &rec.fs;
	one_build b = { s, d };
	kb_build_hooks h = { &b, build_parse, build_depend_tree, build_clone, build_release };
	kb_error *e = kb_build_hooked(&o, &h, out);
	kb_deps_seal(d);
	if (deps)
		*deps = d;
	else
		kb_deps_free(d);
	return e;
}

void kb_session_stats_get(kb_session *s, kb_session_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (s->fscache)
		kb_fscache_stats(s->fscache, &st->reads);
	if (s->docs)
		kb_doccache_stats(s->docs, &st->parses);
}
