/*
 * parse.c - libyaml events to kb_node trees.
 *
 * kustomize reads YAML with go-yaml (v3 for resources, v2 for
 * kustomization files), both line-by-line ports of libyaml's scanner and
 * parser: reading with libyaml itself gives kbuild the same acceptance,
 * the same decoding of quoted, folded and block scalars, and positions
 * from the same marks.
 *
 * We read libyaml's event stream rather than its document API because
 * the event stream lets us bound work as we go: alias expansion is
 * counted against a node budget per document (an alias bomb stops at the
 * budget, not at the end of memory) and nesting against a depth limit;
 * the tree is built with an explicit stack, never by recursion.
 */
#define _GNU_SOURCE
#include "parse.h"
#include "pool.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <yaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- scalar typing (goyaml.v3 resolve rules) ---- */

bool kb_yaml_float_syntax(const char *s)
{
	/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	} else {
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/* Go's strconv.ParseInt/ParseUint with base 0 (sign handled by caller). */
static bool parse_go_uint(const char *s, unsigned long long *out)
{
	int base = 10;
	const char *p = s;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		base = 8;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
	} else if (p[0] == '0' && p[1]) {
		base = 8;
		p += 1;
	}
	if (!*p)
		return false;
	unsigned long long v = 0;
	for (; *p; p++) {
		int d;
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return false;
		if (d >= base)
			return false;
		if (v > (~0ULL - (unsigned)d) / (unsigned)base)
			return false;
		v = v * (unsigned)base + (unsigned)d;
	}
	*out = v;
	return true;
}

/*
 * Formats a float the way the output path does: kustomize marshals to
 * JSON (integral values print as integers) and goyaml.v2 re-reads and
 * prints with strconv.FormatFloat(f, 'g', -1, 64).
 */
static char *format_float(double f)
{
	if (isnan(f))
		return kb_xstrdup(".nan");
	if (isinf(f))
		return kb_xstrdup(f > 0 ? ".inf" : "-.inf");
	if (f == floor(f) && fabs(f) < 9.2e18) {
		return kb_xasprintf("%lld", (long long)f);
	}
	/* Shortest representation that round-trips. */
	char buf[64];
	int prec;
	for (prec = 0; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*e", prec, f);
	/* buf = [-]d[.ddd]e[+-]XX */
	char digits[32];
	size_t nd = 0;
	bool neg = buf[0] == '-';
	const char *p = buf + (neg ? 1 : 0);
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	digits[nd] = '\0';
	int exp = atoi(p + 1);
	kb_buf b = KB_BUF_INIT;
	if (neg)
		kb_buf_putc(&b, '-');
	if (exp < -4 || exp >= 21) {
		kb_buf_putc(&b, digits[0]);
		if (nd > 1) {
			kb_buf_putc(&b, '.');
			kb_buf_puts(&b, digits + 1);
		}
		kb_buf_printf(&b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	} else if (exp < 0) {
		kb_buf_puts(&b, "0.");
		for (int i = -1; i > exp; i--)
			kb_buf_putc(&b, '0');
		kb_buf_puts(&b, digits);
	} else {
		for (int i = 0; i <= exp || i < (int)nd; i++) {
			if (i == exp + 1)
				kb_buf_putc(&b, '.');
			kb_buf_putc(&b, i < (int)nd ? digits[i] : '0');
		}
	}
	return kb_buf_detach(&b);
}

kb_kind kb_scalar_resolve(const char *text, size_t len, char **canon)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const trues[] = { "true", "True", "TRUE" };
	static const char *const falses[] = { "false", "False", "FALSE" };
	static const char *const infs[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF" };
	static const char *const ninfs[] = { "-.inf", "-.Inf", "-.INF" };
	static const char *const nans[] = { ".nan", ".NaN", ".NAN" };

	/* Most plain scalars are words: only these first characters can
	 * start anything but a string. */
	if (len && !strchr("0123456789+-.~nNtTfF", text[0]))
		goto str;
	if (memchr(text, '\0', len))
		goto str;
	if (len > 6)
		goto number; /* longer than every keyword */
	for (size_t i = 0; i < sizeof(nulls) / sizeof(*nulls); i++)
		if (strcmp(text, nulls[i]) == 0) {
			*canon = kb_xstrdup("null");
			return KB_NULL;
		}
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(text, trues[i]) == 0) {
			*canon = kb_xstrdup("true");
			return KB_BOOL;
		}
		if (strcmp(text, falses[i]) == 0) {
			*canon = kb_xstrdup("false");
			return KB_BOOL;
		}
	}
	for (size_t i = 0; i < 6; i++)
		if (strcmp(text, infs[i]) == 0) {
			*canon = kb_xstrdup(".inf");
			return KB_FLOAT;
		}
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(text, ninfs[i]) == 0) {
			*canon = kb_xstrdup("-.inf");
			return KB_FLOAT;
		}
		if (strcmp(text, nans[i]) == 0) {
			*canon = kb_xstrdup(".nan");
			return KB_FLOAT;
		}
	}
number:;
	char c = text[0];
	if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.'))
		goto str;
	/* goyaml.v3 removes underscores before trying numbers. */
	char *plain = kb_xmalloc(len + 1);
	size_t pn = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] != '_')
			plain[pn++] = text[i];
	plain[pn] = '\0';
	const char *digits = plain;
	bool neg = false;
	if (*digits == '-' || *digits == '+') {
		neg = *digits == '-';
		digits++;
	}
	unsigned long long u;
	if (*digits && parse_go_uint(digits, &u)) {
		if (!neg) {
			*canon = kb_xasprintf("%llu", u);
			free(plain);
			return KB_INT;
		}
		if (u <= 9223372036854775808ULL) {
			*canon = u == 0 ? kb_xstrdup("0") : kb_xasprintf("-%llu", u);
			free(plain);
			return KB_INT;
		}
	}
	if (kb_yaml_float_syntax(plain)) {
		double f = strtod(plain, NULL);
		/* Go's ParseFloat fails with ErrRange where the value does not
		 * fit a float64 ("1e400"), and go-yaml then keeps the text as a
		 * string; underflow is no error there (it reads 0) */
		if (!isinf(f)) {
			free(plain);
			*canon = format_float(f);
			return KB_FLOAT;
		}
	}
	free(plain);
str:
	*canon = NULL;
	return KB_STR;
}

/* ---- timestamps ---- */

static size_t ts_digits(const char *p, size_t max, int *val)
{
	size_t i = 0;
	int v = 0;
	while (i < max && p[i] >= '0' && p[i] <= '9')
		v = v * 10 + (p[i++] - '0');
	*val = v;
	return i;
}

/*
 * goyaml.v3's timestamp forms ("2006-1-2", with "T"/"t"/" " and a time,
 * fraction and zone as in its allowedTimestampFormats), converted to what
 * encoding/json prints for the time.Time: RFC 3339 with trailing zeros of
 * the fraction dropped and "Z" for a zero offset.  NULL when text is not
 * such a timestamp.
 */
char *kb_timestamp_rfc3339(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
	char frac[16] = "";
	const char *p = s;
	if (ts_digits(p, 5, &y) != 4 || p[4] != '-')
		return NULL;
	p += 5;
	size_t n = ts_digits(p, 3, &mo);
	if (n < 1 || n > 2 || p[n] != '-')
		return NULL;
	p += n + 1;
	n = ts_digits(p, 3, &d);
	if (n < 1 || n > 2)
		return NULL;
	p += n;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return NULL;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return NULL;
	bool zone_ok = false;
	if (*p) {
		bool space = *p == ' ';
		if (*p != 'T' && *p != 't' && !space)
			return NULL;
		p++;
		int *parts[3] = { &h, &mi, &sec };
		for (int i = 0; i < 3; i++) {
			n = ts_digits(p, 3, parts[i]);
			if (n < 1 || n > 2)
				return NULL;
			p += n;
			if (i < 2) {
				if (*p != ':')
					return NULL;
				p++;
			}
		}
		if (h > 23 || mi > 59 || sec > 59)
			return NULL;
		if (*p == '.') {
			p++;
			size_t k = 0;
			while (p[k] >= '0' && p[k] <= '9' && k < 9) {
				frac[k] = p[k];
				k++;
			}
			if (k == 0 || (p[k] >= '0' && p[k] <= '9'))
				return NULL;
			frac[k] = '\0';
			p += k;
			while (k > 0 && frac[k - 1] == '0')
				frac[--k] = '\0';
		}
		if (space) {
			zone_ok = *p == '\0';
		} else if (*p == 'Z') {
			zone_ok = p[1] == '\0';
		} else if (*p == '+' || *p == '-') {
			int oh, om;
			if (ts_digits(p + 1, 3, &oh) == 2 && p[3] == ':' &&
			    ts_digits(p + 4, 3, &om) == 2 && p[6] == '\0') {
				off = (*p == '-' ? -1 : 1) * (oh * 60 + om);
				zone_ok = true;
			}
		}
		if (!zone_ok)
			return NULL;
	}
	kb_buf b = KB_BUF_INIT;
	kb_buf_printf(&b, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, sec);
	if (frac[0])
		kb_buf_printf(&b, ".%s", frac);
	if (off == 0)
		kb_buf_putc(&b, 'Z');
	else
		kb_buf_printf(&b, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
	return kb_buf_detach(&b);
}

/* ---- input validation ---- */

/* libyaml's reader accepts these code points and nothing else
 * (yaml_parser_update_buffer): tab, LF, CR, printable ASCII, NEL, and
 * the BMP/astral ranges minus surrogates and U+FFFE/U+FFFF. */
static bool yaml_printable(unsigned v)
{
	return v == 0x09 || v == 0x0A || v == 0x0D || (v >= 0x20 && v <= 0x7E) || v == 0x85 ||
	       (v >= 0xA0 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) ||
	       (v >= 0x10000 && v <= 0x10FFFF);
}

/* 1-based line and column (in characters) of byte offset off. */
static void offset_position(const char *buf, size_t off, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;
	for (size_t i = 0; i < off; i++) {
		unsigned char ch = (unsigned char)buf[i];
		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* Byte order marks, which libyaml's reader reads (and skips). */
static bool utf16_bom(const char *buf, size_t len)
{
	const unsigned char *b = (const unsigned char *)buf;
	return len >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF));
}

static bool utf8_bom(const char *buf, size_t len)
{
	const unsigned char *b = (const unsigned char *)buf;
	return len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF;
}

kb_error *kb_yaml_check_text(const char *file, const char *buf, size_t len)
{
	/* UTF-16 input (announced by its BOM) is decoded and checked by
	 * libyaml's reader itself. */
	if (utf16_bom(buf, len))
		return NULL;
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0;
	while (i < len) {
		/* printable ASCII eight bytes at a time: no byte >= 0x80, < 0x20
		 * or 0x7F */
		while (i + 8 <= len) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			uint64_t hi = w & 0x8080808080808080ULL;
			uint64_t lo = (w - 0x2020202020202020ULL) & ~w & 0x8080808080808080ULL;
			uint64_t del = ((w ^ 0x7F7F7F7F7F7F7F7FULL) - 0x0101010101010101ULL) &
				       ~(w ^ 0x7F7F7F7F7F7F7F7FULL) & 0x8080808080808080ULL;
			if (hi | lo | del)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x7F) {
			i++;
			continue;
		}
		const char *problem = NULL;
		size_t w = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		unsigned v = 0;
		if (!w) {
			problem = "invalid leading UTF-8 octet";
		} else if (i + w > len) {
			problem = "incomplete UTF-8 octet sequence";
		} else {
			v = w == 1 ? c : w == 2 ? c & 0x1F : w == 3 ? c & 0x0F : c & 0x07;
			for (size_t k = 1; k < w && !problem; k++) {
				if ((s[i + k] & 0xC0) != 0x80)
					problem = "invalid trailing UTF-8 octet";
				v = (v << 6) | (s[i + k] & 0x3F);
			}
			if (!problem && !((w == 1) || (w == 2 && v >= 0x80) ||
					  (w == 3 && v >= 0x800) || (w == 4 && v >= 0x10000)))
				problem = "invalid length of a UTF-8 sequence";
			if (!problem && ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF))
				problem = "invalid Unicode character";
			if (!problem && !yaml_printable(v))
				problem = "control characters are not allowed";
		}
		if (problem) {
			unsigned line, col;
			offset_position(buf, i, &line, &col);
			if (v && strcmp(problem, "control characters are not allowed") == 0)
				return kb_error_new(file, line, col,
						    "invalid YAML: %s (found U+%04X)", problem, v);
			return kb_error_new(file, line, col,
					    "invalid YAML: %s (the file must be UTF-8 text)", problem);
		}
		i += w;
	}
	return NULL;
}

/* ---- tree building ---- */

static bool tag_is(const char *tag, const char *name)
{
	/* "!!str" or "tag:yaml.org,2002:str" */
	if (!tag)
		return false;
	if (kb_str_has_prefix(tag, "!!"))
		return strcmp(tag + 2, name) == 0;
	if (kb_str_has_prefix(tag, "tag:yaml.org,2002:"))
		return strcmp(tag + strlen("tag:yaml.org,2002:"), name) == 0;
	return false;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static bool b64_decode(const char *s, size_t len, kb_buf *out)
{
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		int v = b64val(c);
		if (v < 0)
			return false;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			kb_buf_putc(out, (char)((acc >> bits) & 0xff));
		}
	}
	return true;
}

typedef struct anchor {
	char *name;
	kb_node *node; /* borrowed: points into the tree being built */
	bool owned;    /* ... unless it is an anchored map key's own copy */
} anchor;

typedef struct frame {
	kb_node *node;
	char *pending_key; /* map: key read, value not yet */
	size_t pending_klen;
	unsigned key_line, key_col;
	bool key_is_merge;
	bool key_drop;     /* a quoted "<<" key, which kyaml's DeAnchor clears */
	bool merged;       /* a merge key was seen in this map */
	bool key_nonstr;   /* the pending key read as a non-string (nonstr_keys) */
	bool key_plain;    /* ... and written plain */
	char *anchor;      /* anchor to register when the collection ends */
} frame;

typedef struct pstate {
	const char *file;
	size_t max_depth, max_nodes, nodes;
	size_t alias_nodes; /* of nodes, those that came from expanding aliases */
	bool dup_last_wins;
	bool dup_first_wins;
	bool keep_timestamps;
	bool yaml11_bools;
	bool kio;
	bool nonstr_keys;
	bool at_key;       /* the scalar being made is a map key */
	bool ts_key;       /* ... and it was a timestamp, kept as written */
	bool json;
	bool checked;      /* the input passed kb_yaml_check_text as UTF-8 */
	frame *stack;
	size_t depth, cap;
	anchor *anchors;
	size_t nanchors, acap;
	kb_node *doc;
	kb_error *err;
} pstate;

static kb_error *perr(pstate *ps, const yaml_mark_t *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static kb_error *perr(pstate *ps, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kb_error *e = kb_error_newv(ps->file, m ? (unsigned)m->line + 1 : 0,
				    m ? (unsigned)m->column + 1 : 0, fmt, ap);
	va_end(ap);
	return e;
}

static void set_pos(kb_node *n, const yaml_mark_t *m)
{
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
}

static kb_node *make_scalar(pstate *ps, const yaml_event_t *ev)
{
	const char *text = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	if (!text)
		text = "";
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	const char *tag = (const char *)ev->data.scalar.tag;
	kb_node *n;

	if (tag_is(tag, "binary")) {
		kb_buf b = KB_BUF_INIT;
		if (!b64_decode(text, len, &b)) {
			kb_buf_free(&b);
			ps->err = perr(ps, &ev->start_mark, "invalid !!binary value");
			return NULL;
		}
		n = kb_node_new_strn(b.data ? b.data : "", b.len);
		kb_buf_free(&b);
	} else if (tag_is(tag, "str") || (!plain && !tag) ||
		   (tag && !kb_str_has_prefix(tag, "!!") &&
		    !kb_str_has_prefix(tag, "tag:yaml.org,2002:") && !plain)) {
		n = kb_node_new_strn(text, len);
	} else if (!tag && len && !strchr("0123456789+-.~nNtTfFyYoO", text[0])) {
		/* a plain word: a string whatever the reader's flavour */
		n = kb_node_new_strn(text, len);
	} else {
		char *tmp = kb_xstrndup(text, len);
		char *canon = NULL;
		kb_kind k = kb_scalar_resolve(tmp, len, &canon);
		if (tag && (tag_is(tag, "int") || tag_is(tag, "float") || tag_is(tag, "bool") ||
			    tag_is(tag, "null"))) {
			bool okk = (tag_is(tag, "int") && (k == KB_INT)) ||
				   (tag_is(tag, "float") && (k == KB_INT || k == KB_FLOAT)) ||
				   (tag_is(tag, "bool") && k == KB_BOOL) ||
				   (tag_is(tag, "null") && k == KB_NULL);
			if (!okk) {
				free(tmp);
				free(canon);
				ps->err = perr(ps, &ev->start_mark, "cannot decode '%.*s' as %s",
					       (int)len, text, tag);
				return NULL;
			}
			if (tag_is(tag, "float"))
				k = KB_FLOAT;
		}
		static const char *const yes11[] = { "y", "Y", "yes", "Yes", "YES", "on", "On", "ON" };
		static const char *const no11[] = { "n", "N", "no", "No", "NO", "off", "Off", "OFF" };
		if (k == KB_STR && !tag && ps->yaml11_bools) {
			for (size_t i = 0; i < 8; i++) {
				if (strcmp(tmp, yes11[i]) == 0 || strcmp(tmp, no11[i]) == 0) {
					k = KB_BOOL;
					free(canon);
					canon = kb_xstrdup(strcmp(tmp, yes11[i]) == 0 ? "true" : "false");
					break;
				}
			}
		}
		char *ts = NULL;
		if (k == KB_STR && !tag && !ps->keep_timestamps && len >= 8 &&
		    (ts = kb_timestamp_rfc3339(tmp))) {
			/* a timestamp key is a key of another type to kyaml,
			 * matched by its text */
			bool keep = ps->at_key && ps->nonstr_keys;
			n = keep ? kb_node_new_strn(text, len) : kb_node_new_str(ts);
			/* the text as written stays in raw: kyaml's node Value,
			 * which annotations (map[string]string) and replacements
			 * take; only printing through JSON gives the RFC 3339 form */
			if (!keep && strcmp(ts, tmp) != 0)
				n->raw = kb_xstrdup(tmp);
			ps->ts_key = keep;
			free(ts);
		} else if (k == KB_STR) {
			n = kb_node_new_strn(text, len);
		} else if (k == KB_NULL && len == 0) {
			n = kb_node_new_scalar(KB_NULL, "");
		} else {
			n = kb_node_new_scalar(k, canon);
			if (strcmp(canon, tmp) != 0)
				n->raw = kb_xstrdup(tmp);
		}
		free(canon);
		free(tmp);
	}
	set_pos(n, &ev->start_mark);
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		n->style = KB_STYLE_SQ;
		break;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		n->style = KB_STYLE_DQ;
		break;
	case YAML_LITERAL_SCALAR_STYLE:
		n->style = KB_STYLE_LITERAL;
		break;
	case YAML_FOLDED_SCALAR_STYLE:
		n->style = KB_STYLE_FOLDED;
		break;
	default:
		n->style = KB_STYLE_PLAIN;
		break;
	}
	return n;
}

static void register_anchor(pstate *ps, const char *name, kb_node *node)
{
	/* A later anchor of the same name shadows an earlier one. */
	kb_grow((void **)&ps->anchors, &ps->acap, ps->nanchors + 1, sizeof(anchor));
	ps->anchors[ps->nanchors].name = kb_xstrdup(name);
	ps->anchors[ps->nanchors].node = node;
	ps->anchors[ps->nanchors].owned = false;
	ps->nanchors++;
}

static kb_node *find_anchor(pstate *ps, const char *name)
{
	for (size_t i = ps->nanchors; i-- > 0;)
		if (strcmp(ps->anchors[i].name, name) == 0)
			return ps->anchors[i].node;
	return NULL;
}

/* Attaches a finished value to the current collection (or as the doc). */
static bool attach(pstate *ps, kb_node *val, const yaml_mark_t *m, bool is_merge_src)
{
	if (ps->depth == 0) {
		ps->doc = val;
		return true;
	}
	frame *f = &ps->stack[ps->depth - 1];
	if (f->node->kind == KB_SEQ) {
		kb_seq_push(f->node, val);
		return true;
	}
	/* map */
	if (!f->pending_key) {
		/* val is a key */
		if (val->kind == KB_MAP || val->kind == KB_SEQ) {
			kb_node_free(val);
			ps->err = perr(ps, m, "mapping keys must be strings; found a collection");
			return false;
		}
		if (val->kind != KB_STR && val->kind != KB_NULL && ps->yaml11_bools) {
			/* kustomization files go through sigs.k8s.io/yaml, which
			 * turns a bool or number key into its text ("y" -> "true") */
			val->kind = KB_STR;
			free(val->raw);
			val->raw = NULL;
		}
		bool nonstr = false;
		bool plain = val->style == KB_STYLE_PLAIN; /* before kb_node_set_str */
		if (ps->nonstr_keys && (val->kind != KB_STR || ps->ts_key)) {
			/* kept as kyaml keeps it: a key node matched by its text
			 * as written; printing it is what fails (emit.c) */
			nonstr = true;
			if (val->kind != KB_STR) {
				const char *t = kb_node_text(val);
				char *own = kb_xstrdup(t);
				kb_node_set_str(val, own);
				free(own);
				val->kind = KB_STR;
			}
		}
		ps->ts_key = false;
		if (val->kind != KB_STR) {
			/* kustomize goes through JSON, which has no such keys. */
			ps->err = perr(ps, m,
				       "mapping key '%s' is not a string (JSON, and so kustomize, only "
				       "allows string keys); quote it",
				       val->str);
			kb_node_free(val);
			return false;
		}
		f->pending_key = kb_xstrndup(val->str, val->len);
		f->pending_klen = val->len;
		f->key_line = val->line;
		f->key_col = val->col;
		f->key_is_merge = is_merge_src;
		f->key_nonstr = nonstr;
		f->key_plain = plain;
		/* kyaml's DeAnchor clears the field named "<<" of every map,
		 * whether or not it is a merge key (a quoted one is not) */
		f->key_drop = ps->kio && !is_merge_src && val->len == 2 && strcmp(val->str, "<<") == 0;
		kb_node_free(val);
		return true;
	}
	char *key = f->pending_key;
	size_t klen = f->pending_klen;
	f->pending_key = NULL;
	if (f->key_drop) {
		f->key_drop = false;
		kb_node_free(val);
		free(key);
		return true;
	}
	if (f->key_is_merge) {
		/* `<<: *alias` or `<<: [*a, *b]`.  kyaml's DeAnchor (resources
		 * and patches, ps->kio): explicit keys win wherever they stand,
		 * an earlier source wins over a later one, and what it refuses
		 * is refused with its words.  goyaml.v2 (kustomization files,
		 * JSON patches written in YAML, the files sigs.k8s.io/yaml
		 * reads): the merge is done where the key stands, so it
		 * replaces the keys before it and those after it replace what
		 * it brought; an earlier source still wins. */
		const char *bad = NULL;
		if (f->merged && ps->kio)
			bad = "duplicate merge key";
		else if (val->kind == KB_SEQ) {
			for (size_t i = 0; i < val->n && !bad; i++)
				if (val->items[i]->kind == KB_SEQ && ps->kio)
					bad = "invalid map merge: received a nested sequence";
				else if (val->items[i]->kind != KB_MAP)
					bad = "map merge requires map or sequence of maps as the value";
		} else if (val->kind != KB_MAP) {
			bad = "map merge requires map or sequence of maps as the value";
		}
		if (bad) {
			ps->err = kb_error_new(ps->file, f->key_line, f->key_col, "invalid YAML: %s",
					       bad);
			kb_node_free(val);
			free(key);
			return false;
		}
		f->merged = true;
		size_t ns = val->kind == KB_MAP ? 1 : val->n;
		for (size_t s = 0; s < ns; s++) {
			/* goyaml.v2 steps backwards, each source replacing */
			size_t si = ps->kio ? s : ns - 1 - s;
			const kb_node *src = val->kind == KB_MAP ? val : val->items[si];
			for (size_t i = 0; i < src->n; i++) {
				const kb_pair *p = &src->pairs[i];
				kb_pair *had = kb_map_get_pairn(f->node, p->key, p->klen);
				if (had && ps->kio)
					continue;
				if (had) {
					kb_node_free(had->val);
					had->val = kb_node_clone(p->val);
				} else {
					had = kb_map_appendn(f->node, p->key, p->klen,
							     kb_node_clone(p->val));
				}
				had->knonstr = p->knonstr;
				had->kplain = p->kplain;
				/* merged: no position of its own (see below) */
				had->line = had->col = 0;
			}
		}
		kb_node_free(val);
		free(key);
		return true;
	}
	kb_pair *dup = kb_map_get_pairn(f->node, key, klen);
	/* pairs a merge key brought in have no column of their own (col 0);
	 * explicit ones carry their key's position */
	bool dup_explicit = dup && dup->col != 0;
	if (dup) {
		if (ps->dup_first_wins && dup_explicit) {
			/* kept as a second pair: lookups find the first, and a copy
			 * of the whole map carries both, as in kyaml's node tree */
			kb_pair *np = kb_map_appendn(f->node, key, klen, val);
			np->knonstr = f->key_nonstr;
			np->kplain = f->key_plain;
			free(key);
			np->line = f->key_line;
			np->col = f->key_col;
			return true;
		}
		if (!ps->dup_last_wins && !ps->dup_first_wins && dup->line && f->key_line &&
		    dup_explicit) {
			ps->err = kb_error_new(ps->file, f->key_line, f->key_col,
					       "mapping key \"%s\" already defined at line %u", key,
					       dup->line);
			free(key);
			kb_node_free(val);
			return false;
		}
		/* a key that came from a merge is overridden by an explicit one
		 * (which is then explicit itself) */
		kb_node_free(dup->val);
		dup->val = val;
		dup->line = f->key_line;
		dup->col = f->key_col;
		dup->knonstr = f->key_nonstr;
		dup->kplain = f->key_plain;
		free(key);
		return true;
	}
	kb_pair *p = kb_map_append_owned(f->node, key, klen, val);
	p->line = f->key_line;
	p->col = f->key_col;
	p->knonstr = f->key_nonstr;
	p->kplain = f->key_plain;
	return true;
}

static bool push(pstate *ps, kb_node *n, const char *anchor_name, const yaml_mark_t *m)
{
	if (ps->depth >= ps->max_depth) {
		kb_node_free(n);
		ps->err = perr(ps, m,
			       "document nested deeper than %zu levels (kustomize's limit); "
			       "flatten it",
			       ps->max_depth);
		return false;
	}
	kb_grow((void **)&ps->stack, &ps->cap, ps->depth + 1, sizeof(frame));
	frame *f = &ps->stack[ps->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->anchor = anchor_name ? kb_xstrdup(anchor_name) : NULL;
	set_pos(n, m);
	return true;
}

static bool count_node(pstate *ps, size_t k, const yaml_mark_t *m);

/* go-yaml's allowedAliasRatio: the share of a document's nodes that may
 * come from alias expansion, 99% for small documents down to 10% for
 * very large ones. */
static double allowed_alias_ratio(size_t n)
{
	if (n <= 400000)
		return 0.99;
	if (n >= 4000000)
		return 0.10;
	return 0.99 - 0.89 * ((double)(n - 400000) / (double)(4000000 - 400000));
}

/*
 * Counts k nodes (from an alias when aliased).  Besides the node budget,
 * go-yaml's rule against alias bombs ("document contains excessive
 * aliasing", which goyaml.v2 applies to kustomization files): a bomb
 * fails after a thousand nodes instead of after millions of copies.
 */
static bool count_node_from(pstate *ps, size_t k, bool aliased, const yaml_mark_t *m)
{
	if (aliased) {
		ps->alias_nodes += k;
		size_t total = ps->nodes + k;
		if (ps->alias_nodes > 100 && total > 1000 &&
		    (double)ps->alias_nodes / (double)total > allowed_alias_ratio(total)) {
			ps->err = perr(ps, m,
				       "document contains excessive aliasing: %zu of its %zu nodes "
				       "come from expanding aliases (an alias bomb?); kbuild stops here, "
				       "as go-yaml does",
				       ps->alias_nodes, total);
			return false;
		}
	}
	return count_node(ps, k, m);
}

static bool count_node(pstate *ps, size_t k, const yaml_mark_t *m)
{
	ps->nodes += k;
	if (ps->nodes > ps->max_nodes) {
		ps->err = perr(ps, m,
			       "document holds more than %zu nodes once its aliases are expanded; "
			       "kbuild stops there so that an alias bomb cannot exhaust memory "
			       "(raise the limit with --max-nodes N if the input is trusted)",
			       ps->max_nodes);
		return false;
	}
	return true;
}

/* Nodes in a tree (bounded by limit), without recursion. */
static size_t count_nodes(const kb_node *root, size_t limit)
{
	size_t c = 0;
	const kb_node **stack = NULL;
	size_t n = 0, cap = 0;
	kb_grow((void **)&stack, &cap, 1, sizeof(*stack));
	stack[n++] = root;
	while (n && c <= limit) {
		const kb_node *x = stack[--n];
		c++;
		if (x->kind != KB_MAP && x->kind != KB_SEQ)
			continue;
		kb_grow((void **)&stack, &cap, n + x->n, sizeof(*stack));
		for (size_t i = 0; i < x->n; i++)
			stack[n++] = x->kind == KB_MAP ? x->pairs[i].val : x->items[i];
	}
	free(stack);
	return c;
}

static void reset_doc(pstate *ps)
{
	/* collections are attached to their parent only when they end, so
	 * each frame owns its node */
	for (size_t i = 0; i < ps->depth; i++) {
		free(ps->stack[i].pending_key);
		free(ps->stack[i].anchor);
		kb_node_free(ps->stack[i].node);
	}
	ps->depth = 0;
	for (size_t i = 0; i < ps->nanchors; i++) {
		free(ps->anchors[i].name);
		if (ps->anchors[i].owned)
			kb_node_free(ps->anchors[i].node);
	}
	ps->nanchors = 0;
	kb_node_free(ps->doc);
	ps->doc = NULL;
	ps->nodes = 0;
	ps->alias_nodes = 0;
}

/* Position of a mark in the whole file, for a piece that starts at line
 * line_off (0-based) of it. */
static yaml_mark_t shift_mark(yaml_mark_t m, size_t line_off)
{
	m.line += line_off;
	return m;
}

typedef struct piece {
	const char *buf;    /* the piece's text */
	size_t len;
	size_t line_off;    /* lines of the file before it */
	bool first_only;    /* read one document and stop (a Go yaml.Decoder's Decode) */
} piece;

static kb_error *parser_error_at(const yaml_parser_t *p, const char *file, const piece *pc)
{
	const char *problem = p->problem ? p->problem : "cannot parse";
	if (p->error == YAML_READER_ERROR) {
		unsigned line, col;
		offset_position(pc->buf, p->problem_offset < pc->len ? p->problem_offset : pc->len,
				&line, &col);
		return kb_error_new(file, line + (unsigned)pc->line_off, col, "invalid YAML: %s",
				    problem);
	}
	yaml_mark_t m = shift_mark(p->problem_mark, pc->line_off);
	if (p->context)
		return kb_error_new(file, (unsigned)m.line + 1, (unsigned)m.column + 1,
				    "invalid YAML: %s %s (line %zu)", problem, p->context,
				    p->context_mark.line + pc->line_off + 1);
	return kb_error_new(file, (unsigned)m.line + 1, (unsigned)m.column + 1,
			    "invalid YAML: %s", problem);
}

/* go-yaml v3, which kustomize reads resources with, knows fewer escapes
 * in double-quoted scalars than libyaml 0.2.5: it refuses "\/" (libyaml
 * reads it as "/", for JSON's sake).  Looks through the scalar's source
 * text for one. */
static bool has_slash_escape(const char *src, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (src[i] != '\\')
			continue;
		if (src[i + 1] == '/')
			return true;
		i++; /* skip the escaped character, so "\\\\/" is not one */
	}
	return false;
}

/* libyaml's marks count characters (a byte order mark not at all), not
 * bytes: the byte of a piece where character ci is, found by walking on
 * from the last one asked for (events come in order). */
typedef struct charpos {
	size_t ci, bi;
} charpos;

static size_t byte_of(const piece *pc, charpos *cp, size_t ci)
{
	const unsigned char *b = (const unsigned char *)pc->buf;
	if (ci < cp->ci || (cp->ci == 0 && cp->bi == 0)) {
		cp->ci = 0;
		cp->bi = utf8_bom(pc->buf, pc->len) ? 3 : 0;
	}
	while (cp->ci < ci && cp->bi < pc->len) {
		if (ci - cp->ci >= 8 && pc->len - cp->bi >= 8) {
			uint64_t w;
			memcpy(&w, b + cp->bi, 8);
			if (!(w & 0x8080808080808080ULL)) {
				cp->ci += 8;
				cp->bi += 8;
				continue;
			}
		}
		unsigned char c = b[cp->bi];
		cp->bi += c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
		cp->ci++;
	}
	return cp->bi < pc->len ? cp->bi : pc->len;
}

/* Parses the documents of one piece into docs. */
/*
 * libyaml's reader decodes its input one character at a time into the
 * scanner's buffer, checking each (yaml_parser_update_buffer: a sixth of
 * a big build's instructions).  Input that kb_yaml_check_text passed as
 * UTF-8 has been checked the same way already, and UTF-8 decodes to
 * itself: such input is copied into the buffer in bulk instead, with the
 * bookkeeping the reader keeps (unread counts characters; the input ends
 * with a NUL and eof).  The fields are yaml_parser_t's reader state,
 * public in yaml.h and unchanged since libyaml 0.1.  Whenever the scanner
 * needs more than the buffer holds within one event (a scalar longer than
 * the buffer), libyaml's own reader goes on from where the copy stopped:
 * both take the input from input.string.current.  A piece starting with
 * a byte order mark is left to libyaml, which reads the mark.
 */
#define FEED_SIZE (256 * 1024)
#define FEED_LOW (64 * 1024)

static bool feed_start(const pstate *ps, yaml_parser_t *p, const piece *pc)
{
	if (!ps->checked || utf8_bom(pc->buf, pc->len))
		return false;
	int major = 0, minor = 0, patch = 0;
	yaml_get_version(&major, &minor, &patch);
	if (major != 0 || minor != 2)
		return false; /* the layout this was written against */
	unsigned char *buf = malloc(FEED_SIZE);
	if (!buf)
		return false;
	free(p->buffer.start);
	p->buffer.start = p->buffer.pointer = p->buffer.last = buf;
	p->buffer.end = buf + FEED_SIZE;
	p->encoding = YAML_UTF8_ENCODING;
	return true;
}

static void feed(yaml_parser_t *p)
{
	if (p->eof || p->raw_buffer.pointer != p->raw_buffer.last || p->unread >= FEED_LOW)
		return;
	size_t keep = (size_t)(p->buffer.last - p->buffer.pointer);
	if (p->buffer.pointer != p->buffer.start) {
		memmove(p->buffer.start, p->buffer.pointer, keep);
		p->buffer.pointer = p->buffer.start;
		p->buffer.last = p->buffer.start + keep;
	}
	const unsigned char *src = p->input.string.current;
	size_t avail = (size_t)(p->input.string.end - src);
	size_t room = (size_t)(p->buffer.end - p->buffer.last);
	if (room < 8)
		return;
	size_t n = avail < room - 1 ? avail : room - 1;
	if (n < avail)
		while (n > 0 && (src[n] & 0xC0) == 0x80)
			n--; /* a character stays whole */
	size_t chars = 0;
	for (size_t i = 0; i < n; i++)
		chars += (src[i] & 0xC0) != 0x80;
	memcpy(p->buffer.last, src, n);
	p->buffer.last += n;
	p->unread += chars;
	p->offset += n;
	p->input.string.current += n;
	if (p->input.string.current == p->input.string.end) {
		*p->buffer.last++ = '\0';
		p->unread++;
		p->eof = 1;
	}
}

static void parse_piece(pstate *ps, const piece *pc, kb_node ***docs, size_t *ndocs, size_t *dcap)
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)(pc->len ? pc->buf : ""),
				     pc->len);
	bool fed = feed_start(ps, &parser, pc);
	charpos cpos = { 0, 0 };
	bool done = false;
	while (!ps->err && !done) {
		yaml_event_t ev;
		if (fed)
			feed(&parser);
		if (!yaml_parser_parse(&parser, &ev)) {
			ps->err = parser_error_at(&parser, ps->file, pc);
			break;
		}
		ev.start_mark = shift_mark(ev.start_mark, pc->line_off);
		const yaml_mark_t *m = &ev.start_mark;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			reset_doc(ps);
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (ps->doc && ps->doc->kind != KB_NULL) {
				kb_grow((void **)docs, dcap, *ndocs + 1, sizeof(**docs));
				(*docs)[(*ndocs)++] = ps->doc;
				ps->doc = NULL;
			}
			reset_doc(ps);
			if (pc->first_only)
				done = true;
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT: {
			if (!count_node(ps, 1, m))
				break;
			bool is_map = ev.type == YAML_MAPPING_START_EVENT;
			const char *a = (const char *)(is_map ? ev.data.mapping_start.anchor
							     : ev.data.sequence_start.anchor);
			kb_node *n = kb_node_new(is_map ? KB_MAP : KB_SEQ);
			if ((is_map ? ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
				    : ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE))
				n->style = KB_STYLE_FLOW;
			if (push(ps, n, a, m) && a)
				register_anchor(ps, a, n);
			break;
		}
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT: {
			frame f = ps->stack[--ps->depth];
			/* the anchor keeps a copy of the finished collection: the
			 * tree's own may be freed before an alias names it (a
			 * repeated key whose last value wins, a merge replacing a
			 * value), which used to leave the anchor dangling */
			for (size_t i = ps->nanchors; f.anchor && i-- > 0;)
				if (ps->anchors[i].node == f.node && !ps->anchors[i].owned) {
					ps->anchors[i].node = kb_node_clone(f.node);
					ps->anchors[i].owned = true;
					break;
				}
			free(f.anchor);
			free(f.pending_key);
			/* the tree points to it only once attached */
			attach(ps, kb_node_pack(f.node), m, false);
			break;
		}
		case YAML_SCALAR_EVENT: {
			if (!count_node(ps, 1, m))
				break;
			size_t from, to;
			if (ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && !ps->json &&
			    ps->checked && (from = byte_of(pc, &cpos, ev.start_mark.index),
					    to = byte_of(pc, &cpos, ev.end_mark.index),
					    has_slash_escape(pc->buf + from, to - from))) {
				ps->err = perr(ps, m,
					       "invalid YAML: found unknown escape character '\\/' "
					       "(kustomize's YAML reader refuses it); write a plain '/'");
				break;
			}
			if (ps->depth && ps->stack[ps->depth - 1].node->kind == KB_MAP &&
			    !ps->stack[ps->depth - 1].pending_key &&
			    tag_is((const char *)ev.data.scalar.tag, "binary")) {
				/* goyaml decodes it to a []byte key, which JSON cannot
				 * hold: kustomize fails ("json: unsupported type") */
				ps->err = perr(ps, m,
					       "invalid YAML: a !!binary map key cannot be converted to "
					       "JSON, as kustomize does with every object; use a string "
					       "key");
				break;
			}
			bool key = ps->depth && ps->stack[ps->depth - 1].node->kind == KB_MAP &&
				   !ps->stack[ps->depth - 1].pending_key;
			ps->at_key = key;
			kb_node *n = make_scalar(ps, &ev);
			ps->at_key = false;
			if (!n)
				break;
			bool merge = false;
			if (ps->depth && ps->stack[ps->depth - 1].node->kind == KB_MAP &&
			    !ps->stack[ps->depth - 1].pending_key && n->kind == KB_STR &&
			    n->len == 2 && strcmp(n->str, "<<") == 0 &&
			    ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
				merge = true;
			const char *a = (const char *)ev.data.scalar.anchor;
			/* an anchor keeps its own copy: a key's node is not kept in
			 * the tree (its text is), and a value's may be freed before
			 * an alias names it (a repeated key's last value wins) */
			kb_node *keep = a && !merge ? kb_node_clone(n) : n;
			if (!attach(ps, n, m, merge)) {
				if (keep != n)
					kb_node_free(keep);
				break;
			}
			if (a && !merge) {
				register_anchor(ps, a, keep);
				ps->anchors[ps->nanchors - 1].owned = keep != n;
			}
			break;
		}
		case YAML_ALIAS_EVENT: {
			const char *a = (const char *)ev.data.alias.anchor;
			kb_node *src = a ? find_anchor(ps, a) : NULL;
			if (!src) {
				ps->err = perr(ps, m, "unknown anchor '%s' referenced", a ? a : "");
				break;
			}
			if (!count_node_from(ps, count_nodes(src, ps->max_nodes), true, m))
				break;
			attach(ps, kb_node_clone(src), m, false);
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	reset_doc(ps);
	yaml_parser_delete(&parser);
}

/* Go's strings.TrimSpace is empty, or starts with '#'. */
static bool separator_rest_ok(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\v' || p[i] == '\f' ||
			 p[i] == '\r'))
		i++;
	return i == n || p[i] == '#';
}

/*
 * kyaml's kio.ByteReader, which reads every resource and patch file:
 * "\r\n" becomes "\n" everywhere, the text is split at every line that
 * starts with "---" (the regexp `\n---.*\n`; anything but a comment
 * after the dashes is an error), each piece but the last gets its "\n"
 * back, and each piece is decoded with a fresh decoder, which reads its
 * first document only.
 */
/* A run of pieces of a kio stream parsed on a pool thread, with a state
 * of its own (the settings of the caller's). */
typedef struct kio_batch {
	pstate ps;
	const piece *pcs;
	size_t npcs;
	kb_node **docs;
	size_t ndocs, dcap;
	size_t ticket;
} kio_batch;

static void kio_batch_run(void *arg)
{
	kio_batch *b = arg;
	for (size_t i = 0; i < b->npcs && !b->ps.err; i++)
		parse_piece(&b->ps, &b->pcs[i], &b->docs, &b->ndocs, &b->dcap);
}

/* A stream this big, of two batches or more, is parsed on the pool: the
 * pieces are independent (each has a decoder of its own). */
#define KIO_PARALLEL_MIN (256 * 1024)
#define KIO_BATCH (64 * 1024)

static void parse_pieces(pstate *ps, const piece *pcs, size_t npcs, size_t total,
			 struct kb_pool *pool, kb_node ***docs, size_t *ndocs, size_t *dcap)
{
	if (!pool || npcs < 2 || total < KIO_PARALLEL_MIN) {
		for (size_t i = 0; i < npcs && !ps->err; i++)
			parse_piece(ps, &pcs[i], docs, ndocs, dcap);
		return;
	}
	kio_batch *bs = kb_xcalloc(npcs, sizeof(*bs));
	size_t nb = 0;
	for (size_t i = 0; i < npcs;) {
		kio_batch *b = &bs[nb++];
		b->ps = *ps;
		b->ps.stack = NULL;
		b->ps.depth = b->ps.cap = 0;
		b->ps.anchors = NULL;
		b->ps.nanchors = b->ps.acap = 0;
		b->ps.doc = NULL;
		b->ps.err = NULL;
		b->ps.nodes = b->ps.alias_nodes = 0;
		b->pcs = &pcs[i];
		size_t bytes = 0;
		while (i < npcs && (b->npcs == 0 || bytes < KIO_BATCH)) {
			bytes += pcs[i++].len;
			b->npcs++;
		}
		b->ticket = kb_pool_submit(pool, kio_batch_run, b);
	}
	/* in order: the documents as one parser would give them, and the
	 * first error, after which nothing more is taken */
	for (size_t k = 0; k < nb; k++) {
		kio_batch *b = &bs[k];
		kb_pool_wait_one(pool, b->ticket);
		if (!ps->err && b->ps.err) {
			ps->err = b->ps.err;
			b->ps.err = NULL;
		}
		if (ps->err) {
			kb_docs_free(b->docs, b->ndocs);
		} else {
			kb_grow((void **)docs, dcap, *ndocs + b->ndocs, sizeof(**docs));
			if (b->ndocs)
				memcpy(*docs + *ndocs, b->docs, b->ndocs * sizeof(**docs));
			*ndocs += b->ndocs;
			free(b->docs);
		}
		kb_error_free(b->ps.err);
		free(b->ps.stack);
		free(b->ps.anchors);
	}
	free(bs);
}

static void parse_kio(pstate *ps, const char *buf, size_t len, struct kb_pool *pool,
		      kb_node ***docs, size_t *ndocs, size_t *dcap)
{
	char *copy = NULL;
	const char *cr = memchr(buf, '\r', len);
	if (cr && memmem(cr, len - (size_t)(cr - buf), "\r\n", 2)) {
		copy = kb_xmalloc(len + 1);
		size_t o = 0;
		for (size_t i = 0; i < len; i++)
			if (!(buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n'))
				copy[o++] = buf[i];
		copy[o] = '\0';
		buf = copy;
		len = o;
	}
	/* the pieces first: each ends with its "\n" before a "---" line (the
	 * one ByteReader gives back to every piece but the last) */
	piece *pcs = NULL;
	size_t npcs = 0, pcap = 0;
	kb_error *sep_err = NULL;
	size_t prev = 0, line = 0, prev_line = 0, from = 0;
	for (;;) {
		const char *nl = from < len ? memchr(buf + from, '\n', len - from) : NULL;
		size_t sep = 0;
		bool found = false;
		while (nl) {
			size_t p = (size_t)(nl - buf);
			if (p + 4 <= len && memcmp(buf + p + 1, "---", 3) == 0 &&
			    memchr(buf + p + 4, '\n', len - p - 4)) {
				sep = p;
				found = true;
				break;
			}
			line++;
			nl = p + 1 < len ? memchr(buf + p + 1, '\n', len - p - 1) : NULL;
		}
		if (!found)
			break;
		const char *eol = memchr(buf + sep + 4, '\n', len - sep - 4);
		size_t end = (size_t)(eol - buf);
		if (!separator_rest_ok(buf + sep + 4, end - sep - 4)) {
			/* reported after the pieces before it, as when each is
			 * parsed as it is found */
			size_t n = end - sep - 1;
			while (n > 0 && (buf[sep + n] == ' ' || buf[sep + n] == '\t'))
				n--;
			sep_err = kb_error_new(ps->file, (unsigned)line + 2, 1,
					       "invalid document separator: %.*s (only a comment may "
					       "follow '---' on its line)",
					       (int)n, buf + sep + 1);
			break;
		}
		kb_grow((void **)&pcs, &pcap, npcs + 1, sizeof(*pcs));
		pcs[npcs++] = (piece){ buf + prev, sep - prev + 1, prev_line, true };
		/* the separator line is consumed with both its line breaks */
		line += 2;
		prev = end + 1;
		prev_line = line;
		from = end + 1;
	}
	if (!sep_err) {
		kb_grow((void **)&pcs, &pcap, npcs + 1, sizeof(*pcs));
		pcs[npcs++] = (piece){ buf + prev, len - prev, prev_line, true };
	}
	parse_pieces(ps, pcs, npcs, len, pool, docs, ndocs, dcap);
	if (!ps->err)
		ps->err = sep_err;
	else
		kb_error_free(sep_err);
	free(pcs);
	free(copy);
}

kb_error *kb_yaml_parse(const char *file, const char *buf, size_t len, const kb_parse_limits *lim,
			kb_node ***docs_out, size_t *ndocs_out)
{
	return kb_yaml_parse_on(file, buf, len, lim, NULL, docs_out, ndocs_out);
}

kb_error *kb_yaml_parse_on(const char *file, const char *buf, size_t len,
			   const kb_parse_limits *lim, struct kb_pool *pool, kb_node ***docs_out,
			   size_t *ndocs_out)
{
	*docs_out = NULL;
	*ndocs_out = 0;
	kb_error *e = kb_yaml_check_text(file, buf, len);
	if (e)
		return e;

	pstate ps;
	memset(&ps, 0, sizeof(ps));
	ps.file = file;
	ps.max_depth = lim && lim->max_depth ? lim->max_depth : KB_DEFAULT_MAX_DEPTH;
	ps.max_nodes = lim && lim->max_nodes ? lim->max_nodes : KB_DEFAULT_MAX_NODES;
	ps.dup_last_wins = lim && lim->dup_keys_last_wins;
	/* Resources are read as kyaml reads them: a repeated key is kept
	 * (lookups find the first) and only fails if it is still there when
	 * the object is printed, which is when kustomize converts it to
	 * JSON.  Kustomization files instead keep the last (goyaml.v2). */
	ps.dup_first_wins = !ps.dup_last_wins;
	ps.keep_timestamps = lim && lim->keep_timestamps;
	ps.nonstr_keys = lim && lim->nonstr_keys;
	ps.yaml11_bools = lim && lim->yaml11_bools;
	ps.kio = lim && lim->kio;
	ps.json = lim && lim->json;
	/* kb_yaml_check_text leaves UTF-16 (a byte order mark) to libyaml */
	ps.checked = !utf16_bom(buf, len);

	kb_node **docs = NULL;
	size_t ndocs = 0, dcap = 0;
	if (lim && lim->kio) {
		parse_kio(&ps, buf, len, pool, &docs, &ndocs, &dcap);
	} else {
		piece pc = { buf, len, 0, lim && lim->first_doc };
		parse_piece(&ps, &pc, &docs, &ndocs, &dcap);
	}
	free(ps.stack);
	free(ps.anchors);
	if (ps.err) {
		kb_docs_free(docs, ndocs);
		return ps.err;
	}
	*docs_out = docs;
	*ndocs_out = ndocs;
	return NULL;
}

kb_error *kb_yaml_parse_one(const char *file, const char *buf, size_t len,
			    const kb_parse_limits *lim, kb_node **out)
{
	kb_node **docs;
	size_t n;
	*out = NULL;
	kb_error *e = kb_yaml_parse(file, buf, len, lim, &docs, &n);
	if (e)
		return e;
	if (n > 1) {
		kb_docs_free(docs, n);
		return kb_error_new(file, 0, 0, "expected one YAML document, found %zu", n);
	}
	if (n == 1)
		*out = docs[0];
	free(docs);
	return NULL;
}

void kb_docs_free(kb_node **docs, size_t n)
{
	if (!docs)
		return;
	for (size_t i = 0; i < n; i++)
		kb_node_free(docs[i]);
	free(docs);
}
