/*
 * session.h - an edit session (kb_edit) and the transaction every
 * operation runs in.
 *
 *   ed_tx t;
 *   kb_error *err = ed_tx_begin(e, &t);    // parse the current text, clone the model
 *   ... change t.m (ydoc.h's model API), ed_tx_msg(&t, ...) ...
 *   err = err ? err : ed_tx_commit(&t);    // splice, read back, check, accept
 *   ed_tx_end(&t);                         // always
 *
 * ed_tx_commit turns the model into text (splice.h), parses that text
 * again, and accepts it only if it reads back as exactly the model and
 * still passes kustomize's strict reading; otherwise the session keeps
 * its text and the error says so.  Messages are kept only when the
 * transaction commits.
 */
#ifndef KB_EDIT_SESSION_H
#define KB_EDIT_SESSION_H

#include "diag.h"
#include "kbuild.h"
#include "util.h"
#include "ydoc.h"

typedef struct ed_file {
	char *path;    /* absolute */
	char *display; /* for messages */
	char *orig;    /* as read (NULL: a new file) */
	size_t olen;
	char *text;    /* current */
	size_t len;
} ed_file;

struct kb_edit {
	char *dir;      /* canonical absolute directory of the kustomization */
	const kb_fs *fs;
	ed_file *files; /* [0] is the kustomization */
	size_t nfiles;
	kb_strv msgs;
};

typedef struct ed_tx {
	kb_edit *e;
	ed_doc *doc;
	ed_node *m;    /* the model: the root map */
	kb_strv msgs;
	/* other files changed with the kustomization (fix --vars) */
	ed_file *extra;
	size_t nextra;
} ed_tx;

kb_error *ed_tx_begin(kb_edit *e, ed_tx *t);
kb_error *ed_tx_commit(ed_tx *t);
void ed_tx_end(ed_tx *t);
/* begin, fn(t, arg), commit, end */
kb_error *ed_run(kb_edit *e, kb_error *(*fn)(ed_tx *t, void *arg), void *arg);
void ed_tx_msg(ed_tx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Stages new content for another file (absolute path). */
void ed_tx_file(ed_tx *t, const char *path, const char *text, size_t len);

/* An error about the kustomization file (no position). */
kb_error *ed_err(const kb_edit *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An error at a node of the parsed (or model) tree. */
kb_error *ed_err_at(const ed_tx *t, const ed_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A usage error (KB_ERR_USAGE: bad arguments). */
kb_error *ed_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The absolute path of rel (relative to the kustomization). */
char *ed_abs(const kb_edit *e, const char *rel);

#endif
