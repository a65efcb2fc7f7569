#include "diag.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>

static void frame_set(kb_frame *f, const char *file, unsigned line, unsigned col, char *msg)
{
	f->file = file ? kb_xstrdup(file) : NULL;
	f->line = line;
	f->col = col;
	f->msg = msg;
}

kb_error *kb_error_newv(const char *file, unsigned line, unsigned col,
			const char *fmt, va_list ap)
{
	kb_error *e = kb_xcalloc(1, sizeof(*e));
	frame_set(&e->primary, file, line, col, kb_xvasprintf(fmt, ap));
	e->code = KB_ERR_BUILD;
	e->kind = KB_DIAG_ERROR;
	return e;
}

kb_error *kb_error_new(const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kb_error *e = kb_error_newv(file, line, col, fmt, ap);
	va_end(ap);
	return e;
}

kb_error *kb_error_note(kb_error *e, const char *file, unsigned line, unsigned col,
			const char *fmt, ...)
{
	if (!e)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	char *msg = kb_xvasprintf(fmt, ap);
	va_end(ap);
	kb_grow((void **)&e->notes, &e->cap, e->nnotes + 1, sizeof(kb_frame));
	frame_set(&e->notes[e->nnotes++], file, line, col, msg);
	return e;
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

static void frame_format(kb_buf *b, const kb_frame *f)
{
	if (f->file) {
		kb_buf_puts(b, f->file);
		if (f->line) {
			kb_buf_printf(b, ":%u", f->line);
			if (f->col)
				kb_buf_printf(b, ":%u", f->col);
		}
		kb_buf_puts(b, ": ");
	}
	kb_buf_puts(b, f->msg);
}

/* "file:line:col: warning: what", as kb_result_warning() prints it */
static char *warning_line(const kb_error *d)
{
	kb_buf b = KB_BUF_INIT;
	kb_frame f = d->primary;
	f.msg = kb_xasprintf("warning: %s", d->primary.msg);
	frame_format(&b, &f);
	free(f.msg);
	return kb_buf_detach(&b);
}

char *kb_error_format(const kb_error *e)
{
	kb_buf b = KB_BUF_INIT;
	if (!e)
		return kb_buf_detach(&b);
	if (e->kind == KB_DIAG_WARNING) {
		char *line = warning_line(e);
		kb_buf_puts(&b, line);
		free(line);
	} else {
		frame_format(&b, &e->primary);
	}
	kb_buf_putc(&b, '\n');
	for (size_t i = 0; i < e->nnotes; i++) {
		kb_buf_puts(&b, "  note: ");
		frame_format(&b, &e->notes[i]);
		kb_buf_putc(&b, '\n');
	}
	return kb_buf_detach(&b);
}

int kb_error_code(const kb_error *e)
{
	return e ? e->code : 0;
}

static const kb_frame *frame_at(const kb_error *e, size_t i)
{
	if (!e)
		return NULL;
	if (i == 0)
		return &e->primary;
	return i <= e->nnotes ? &e->notes[i - 1] : NULL;
}

size_t kb_error_frame_count(const kb_error *e)
{
	return e ? 1 + e->nnotes : 0;
}

kb_diag_kind kb_error_frame_kind(const kb_error *e, size_t i)
{
	if (!frame_at(e, i))
		return (kb_diag_kind)0;
	if (i > 0)
		return KB_DIAG_NOTE;
	return e->kind ? e->kind : KB_DIAG_ERROR;
}

const char *kb_error_frame_message(const kb_error *e, size_t i)
{
	const kb_frame *f = frame_at(e, i);
	return f ? f->msg : NULL;
}

const char *kb_error_frame_file(const kb_error *e, size_t i)
{
	const kb_frame *f = frame_at(e, i);
	return f ? f->file : NULL;
}

unsigned kb_error_frame_line(const kb_error *e, size_t i)
{
	const kb_frame *f = frame_at(e, i);
	return f ? f->line : 0;
}

unsigned kb_error_frame_column(const kb_error *e, size_t i)
{
	const kb_frame *f = frame_at(e, i);
	/* a column without a line is never printed either */
	return f && f->line ? f->col : 0;
}

size_t kb_error_warning_count(const kb_error *e)
{
	return e ? e->nwarnings : 0;
}

const kb_error *kb_error_warning(const kb_error *e, size_t i)
{
	return e && i < e->nwarnings ? e->warnings[i] : NULL;
}

void kb_error_free(kb_error *e)
{
	if (!e)
		return;
	free(e->primary.file);
	free(e->primary.msg);
	for (size_t i = 0; i < e->nnotes; i++) {
		free(e->notes[i].file);
		free(e->notes[i].msg);
	}
	free(e->notes);
	for (size_t i = 0; i < e->nwarnings; i++)
		kb_error_free(e->warnings[i]);
	free(e->warnings);
	free(e);
}

void kb_warnings_add(kb_warnings *w, kb_error *d)
{
	if (!w || !d) {
		kb_error_free(d);
		return;
	}
	d->kind = KB_DIAG_WARNING;
	char *line = warning_line(d);
	/* The same warning from a base used twice is said once. */
	for (size_t i = 0; i < w->n; i++)
		if (kb_streq(w->v[i], line)) {
			free(line);
			kb_error_free(d);
			return;
		}
	size_t cap = w->cap;
	kb_grow((void **)&w->v, &w->cap, w->n + 1, sizeof(char *));
	/* diag grows with v: same capacity */
	if (w->cap != cap || !w->diag)
		w->diag = kb_xrealloc(w->diag, w->cap * sizeof(kb_error *));
	w->diag[w->n] = d;
	w->v[w->n++] = line;
}

static void warn_v(kb_warnings *w, int code, const char *file, unsigned line, unsigned col,
		   const char *fmt, va_list ap)
{
	kb_error *d = kb_xcalloc(1, sizeof(*d));
	frame_set(&d->primary, file, line, col, kb_xvasprintf(fmt, ap));
	d->code = code;
	d->kind = KB_DIAG_WARNING;
	kb_warnings_add(w, d);
}

void kb_warn(kb_warnings *w, const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
	if (!w)
		return;
	va_list ap;
	va_start(ap, fmt);
	warn_v(w, KB_WARN_SUSPICIOUS, file, line, col, fmt, ap);
	va_end(ap);
}

void kb_warn_code(kb_warnings *w, int code, const char *file, unsigned line, unsigned col,
		  const char *fmt, ...)
{
	if (!w)
		return;
	va_list ap;
	va_start(ap, fmt);
	warn_v(w, code, file, line, col, fmt, ap);
	va_end(ap);
}

void kb_warnings_free(kb_warnings *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->v[i]);
		kb_error_free(w->diag ? w->diag[i] : NULL);
	}
	free(w->v);
	free(w->diag);
	w->v = NULL;
	w->diag = NULL;
	w->n = w->cap = 0;
}

void kb_warnings_move_to(kb_warnings *w, kb_error *err)
{
	if (!w)
		return;
	if (err && w->n) {
		err->warnings = kb_xrealloc(err->warnings,
					    (err->nwarnings + w->n) * sizeof(kb_error *));
		for (size_t i = 0; i < w->n; i++) {
			err->warnings[err->nwarnings++] = w->diag[i];
			w->diag[i] = NULL;
		}
	}
	kb_warnings_free(w);
}
