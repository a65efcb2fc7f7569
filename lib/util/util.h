/*
 * util.h - small internal helpers: checked allocation, growable buffers,
 * string helpers.
 *
 * Allocation failure aborts the process (as git's xmalloc does): a build
 * that cannot allocate a few bytes has no sane way to report it, and
 * threading NULL checks through every tree edit would hide the real logic.
 */
#ifndef KB_UTIL_H
#define KB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>

void *kb_xmalloc(size_t n);
void *kb_xcalloc(size_t n, size_t size);
void *kb_xrealloc(void *p, size_t n);
char *kb_xstrdup(const char *s);
char *kb_xstrndup(const char *s, size_t n);
/* printf into a freshly allocated string; caller frees. */
char *kb_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *kb_xvasprintf(const char *fmt, va_list ap);

/* Grow *arr (of element size elsz) so that it holds at least need
 * elements; *cap is updated. */
void kb_grow(void **arr, size_t *cap, size_t need, size_t elsz);

/* A growable byte buffer.  Always NUL-terminated once anything was
 * appended.  Owned by whoever declared it; release with kb_buf_free or
 * take the bytes with kb_buf_detach. */
typedef struct kb_buf {
	char *data;
	size_t len;
	size_t cap;
} kb_buf;

#define KB_BUF_INIT { NULL, 0, 0 }

void kb_buf_append(kb_buf *b, const void *p, size_t n);
void kb_buf_puts(kb_buf *b, const char *s);
void kb_buf_putc(kb_buf *b, char c);
void kb_buf_printf(kb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the data (never NULL: "" when empty) and resets the buffer. */
char *kb_buf_detach(kb_buf *b);
void kb_buf_free(kb_buf *b);

bool kb_streq(const char *a, const char *b); /* NULL-safe; NULL == "" */
/* Go's string comparison: bytes in order, a proper prefix first (<0, 0, >0);
 * for keys and values that may hold NUL bytes. */
int kb_bytes_cmp(const char *a, size_t alen, const char *b, size_t blen);
/* n bytes of s for a message, each NUL byte shown as Go's %q shows it
 * ("\\x00"); caller frees. */
char *kb_bytes_display(const char *s, size_t n);
bool kb_str_empty(const char *s);            /* NULL or "" */
bool kb_str_has_prefix(const char *s, const char *prefix);
bool kb_str_has_suffix(const char *s, const char *suffix);

/* Go's strconv.Atoi / ParseInt(s, 10, 64): optional sign, decimal digits
 * only, within int64.  Used wherever kustomize parses an index or count. */
bool kb_go_atoi(const char *s, long long *out);

/* Go's strconv.FormatFloat(f, fmt, -1, 64) for fmt 'e', 'f' or 'g': the
 * shortest digits that read back as f.  Caller frees.  f must be finite. */
char *kb_go_format_float(double f, char fmt);
/* What kustomize prints for a float64 in a resource: encoding/json's
 * text for it (plain decimals between 1e-6 and 1e21), read back by
 * goyaml.v2, which keeps an integer literal that fits int64 or uint64 and
 * prints any other number with FormatFloat 'g' ("1e+20",
 * "1.2345675e+06", "9300000000000000000", "-9.3e+18").  Caller frees;
 * f must be finite. */
char *kb_go_float_output(double f);

/* A simple vector of owned strings. */
typedef struct kb_strv {
	char **v;
	size_t n;
	size_t cap;
} kb_strv;

void kb_strv_push(kb_strv *sv, const char *s); /* copies s */
void kb_strv_push_owned(kb_strv *sv, char *s);
bool kb_strv_contains(const kb_strv *sv, const char *s);
void kb_strv_free(kb_strv *sv);

/* Seconds on the monotonic clock, for measuring wall time. */
double kb_now_s(void);

#endif
