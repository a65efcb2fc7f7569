#include "util.h"

#include <errno.h>

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void *kb_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *kb_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	return p;
}

void *kb_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		abort();
	return q;
}

char *kb_xstrdup(const char *s)
{
	return kb_xstrndup(s ? s : "", s ? strlen(s) : 0);
}

char *kb_xstrndup(const char *s, size_t n)
{
	char *p = kb_xmalloc(n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *kb_xvasprintf(const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		abort();
	char *p = kb_xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *kb_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = kb_xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void kb_grow(void **arr, size_t *cap, size_t need, size_t elsz)
{
	if (need <= *cap)
		return;
	size_t nc = *cap ? *cap * 2 : 8;
	while (nc < need)
		nc *= 2;
	*arr = kb_xrealloc(*arr, nc * elsz);
	*cap = nc;
}

void kb_buf_append(kb_buf *b, const void *p, size_t n)
{
	kb_grow((void **)&b->data, &b->cap, b->len + n + 1, 1);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void kb_buf_puts(kb_buf *b, const char *s)
{
	kb_buf_append(b, s, strlen(s));
}

void kb_buf_putc(kb_buf *b, char c)
{
	kb_buf_append(b, &c, 1);
}

void kb_buf_printf(kb_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = kb_xvasprintf(fmt, ap);
	va_end(ap);
	kb_buf_puts(b, s);
	free(s);
}

char *kb_buf_detach(kb_buf *b)
{
	char *p = b->data ? b->data : kb_xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void kb_buf_free(kb_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int kb_bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

char *kb_bytes_display(const char *s, size_t n)
{
	kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i])
			kb_buf_putc(&b, s[i]);
		else
			kb_buf_puts(&b, "\\x00");
	}
	return kb_buf_detach(&b);
}

bool kb_streq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

bool kb_str_empty(const char *s)
{
	return !s || !*s;
}

bool kb_str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool kb_str_has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

void kb_strv_push_owned(kb_strv *sv, char *s)
{
	kb_grow((void **)&sv->v, &sv->cap, sv->n + 1, sizeof(char *));
	sv->v[sv->n++] = s;
}

void kb_strv_push(kb_strv *sv, const char *s)
{
	kb_strv_push_owned(sv, kb_xstrdup(s));
}

bool kb_strv_contains(const kb_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

void kb_strv_free(kb_strv *sv)
{
	if (!sv)
		return;
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

bool kb_go_atoi(const char *s, long long *out)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!*p)
		return false;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* Shortest decimal digits of f (no sign, no leading zeros) and the
 * decimal point position dp (value = 0.DIGITS * 10^dp), as Go's ryu. */
static void shortest_digits(double f, char *digits, int *nd, int *dp)
{
	char buf[40];
	int prec;
	for (prec = 0; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*e", prec, fabs(f));
	int n = 0;
	const char *p = buf;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	int exp = atoi(p + 1);
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*nd = n;
	*dp = exp + 1;
	if (f == 0) {
		*nd = 1;
		*dp = 1;
	}
}

char *kb_go_format_float(double f, char fmt)
{
	char d[40];
	int nd, dp;
	shortest_digits(f, d, &nd, &dp);
	kb_buf b = KB_BUF_INIT;
	if (signbit(f))
		kb_buf_putc(&b, '-');
	int exp = dp - 1;
	/* 'g' with the shortest digits: Go decides with precision 6 */
	if (fmt == 'g')
		fmt = exp < -4 || exp >= 6 ? 'e' : 'f';
	if (fmt == 'e') {
		kb_buf_putc(&b, d[0]);
		if (nd > 1) {
			kb_buf_putc(&b, '.');
			kb_buf_puts(&b, d + 1);
		}
		kb_buf_printf(&b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	} else {
		if (dp <= 0) {
			kb_buf_puts(&b, "0");
			if (nd) {
				kb_buf_putc(&b, '.');
				for (int i = 0; i < -dp; i++)
					kb_buf_putc(&b, '0');
				kb_buf_puts(&b, d);
			}
		} else if (dp >= nd) {
			kb_buf_puts(&b, d);
			for (int i = nd; i < dp; i++)
				kb_buf_putc(&b, '0');
		} else {
			for (int i = 0; i < dp; i++)
				kb_buf_putc(&b, d[i]);
			kb_buf_putc(&b, '.');
			kb_buf_puts(&b, d + dp);
		}
	}
	return kb_buf_detach(&b);
}

char *kb_go_float_output(double f)
{
	double a = fabs(f);
	bool json_f = a == 0 || (a >= 1e-6 && a < 1e21);
	if (json_f && f == floor(f)) {
		/* encoding/json prints an integer literal; goyaml.v2 keeps it
		 * as an integer when it fits int64 or uint64 */
		char *t = kb_go_format_float(f, 'f');
		if (strcmp(t, "-0") == 0) {
			free(t);
			return kb_xstrdup("0");
		}
		/* the text decides, not f: -2^63 prints as -9223372036854776000,
		 * which no longer fits */
		errno = 0;
		if (t[0] == '-')
			(void)strtoll(t, NULL, 10);
		else
			(void)strtoull(t, NULL, 10);
		if (errno != ERANGE)
			return t;
		free(t);
	}
	return kb_go_format_float(f, 'g');
}

double kb_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
