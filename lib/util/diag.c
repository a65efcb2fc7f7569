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

char *kb_error_format(const kb_error *e)
{
	kb_buf b = KB_BUF_INIT;
	if (!e)
		return kb_buf_detach(&b);
	frame_format(&b, &e->primary);
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
	kb_warnings_free(&e->warnings);
	free(e);
}

size_t kb_error_warning_count(const kb_error *err)
{
	return err ? err->warnings.n : 0;
}

const char *kb_error_warning(const kb_error *err, size_t i)
{
	return err && i < err->warnings.n ? err->warnings.v[i] : NULL;
}

void kb_warn(kb_warnings *w, const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
	if (!w)
		return;
	kb_buf b = KB_BUF_INIT;
	kb_frame f;
	va_list ap;
	va_start(ap, fmt);
	char *msg = kb_xvasprintf(fmt, ap);
	va_end(ap);
	/* compiler-style: "file:line:col: warning: what" */
	frame_set(&f, file, line, col, kb_xasprintf("warning: %s", msg));
	free(msg);
	frame_format(&b, &f);
	free(f.file);
	free(f.msg);
	/* The same warning from a base used twice is said once. */
	for (size_t i = 0; i < w->n; i++)
		if (kb_streq(w->v[i], b.data)) {
			kb_buf_free(&b);
			return;
		}
	kb_grow((void **)&w->v, &w->cap, w->n + 1, sizeof(char *));
	w->v[w->n++] = kb_buf_detach(&b);
}

void kb_warnings_free(kb_warnings *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = w->cap = 0;
}
