/*
 * diag.h - error values with a chain of file:line:col context.
 *
 * Every fallible library function returns a kb_error * (NULL on success)
 * or takes a kb_error **err out-parameter.  An error has one primary
 * message with an optional location, and a list of context frames added
 * as it travels outwards ("in resource 'x' of apps/dev/kustomization.yaml").
 * Formatting is compiler-style:
 *
 *   apps/base/deploy.yaml:3:7: mapping values are not allowed here
 *     note: apps/base/kustomization.yaml: while loading resource 'deploy.yaml'
 *
 * Ownership: the caller that receives an error owns it and must
 * kb_error_free() it (NULL-safe) or pass it on.  kb_error_note() takes and
 * returns the same error, so "return kb_error_note(e, ...)" passes it up.
 */
#ifndef KB_DIAG_H
#define KB_DIAG_H

#include "kbuild.h"

#include <stdarg.h>
#include <stddef.h>

typedef struct kb_frame {
	char *file; /* may be NULL */
	unsigned line, col; /* 0 when unknown */
	char *msg;
} kb_frame;

struct kb_error {
	kb_frame primary;
	kb_frame *notes; /* innermost first */
	size_t nnotes;
	size_t cap;
	int code; /* KB_ERR_* (KB_WARN_* for a warning) */
	kb_diag_kind kind; /* KB_DIAG_ERROR, or KB_DIAG_WARNING for a warning */
	/* An error from kb_build: the warnings the build gave before it
	 * failed (owned; see kb_warnings_move_to). */
	struct kb_error **warnings;
	size_t nwarnings;
};

kb_error *kb_error_new(const char *file, unsigned line, unsigned col,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
kb_error *kb_error_newv(const char *file, unsigned line, unsigned col,
			const char *fmt, va_list ap);
/* A deep copy of a diagnostic (an error or a warning), its notes and the
 * warnings it carries; NULL for NULL.  Caller frees. */
kb_error *kb_error_clone(const kb_error *e);
/* Adds a context frame; returns err (NULL-safe: returns NULL for NULL). */
kb_error *kb_error_note(kb_error *err, const char *file, unsigned line,
			unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Warnings are collected (not printed) so a library user decides where
 * they go.  A kb_warnings list is owned by the build.  v[i] is the
 * formatted line ("file:line:col: warning: what"), diag[i] the same
 * warning as a structured kb_error of kind KB_DIAG_WARNING.
 */
typedef struct kb_warnings {
	char **v;
	size_t n, cap;
	kb_error **diag;
} kb_warnings;

/* A warning of code KB_WARN_SUSPICIOUS. */
void kb_warn(kb_warnings *w, const char *file, unsigned line, unsigned col,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A warning of the given code (KB_WARN_*). */
void kb_warn_code(kb_warnings *w, int code, const char *file, unsigned line, unsigned col,
		  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Adds the warning diagnostic d (w takes it; its kind becomes
 * KB_DIAG_WARNING), unless w holds the same line already (d is then
 * freed). */
void kb_warnings_add(kb_warnings *w, kb_error *d);
void kb_warnings_free(kb_warnings *w);
/* Moves every warning of w into err (which then owns them) and empties
 * w; with err NULL, only empties w. */
void kb_warnings_move_to(kb_warnings *w, kb_error *err);

#endif
