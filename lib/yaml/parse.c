/*
 * parse.c - libfyaml events to kb_node trees.
 *
 * We read libfyaml's event stream rather than its document tree because
 * the event stream lets us bound work as we go: alias expansion is
 * counted against a node budget (an alias bomb stops at the budget, not
 * at the end of memory) and nesting against a depth limit.
 */
#include "parse.h"
#include "util.h"

#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct anchor {
	char *name;
	kb_node *node; /* borrowed: points into the tree being built */
} anchor;

typedef struct frame {
	kb_node *node;
	char *pending_key; /* map: key read, value not yet */
	unsigned key_line, key_col;
	bool key_is_merge;
	size_t explicit_n; /* map: pairs set explicitly (not by a merge key) */
	char *anchor;      /* anchor to register when the collection ends */
} frame;

typedef struct pstate {
	const char *file;
	size_t max_depth, max_nodes, nodes;
	bool dup_last_wins;
	bool dup_first_wins;
	bool keep_timestamps;
	bool yaml11_bools;
	frame *stack;
	size_t depth, cap;
	anchor *anchors;
	size_t nanchors, acap;
	kb_node *doc;
	kb_error *err;
} pstate;

static kb_error *perr(pstate *ps, const struct fy_mark *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static kb_error *perr(pstate *ps, const struct fy_mark *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kb_error *e = kb_error_newv(ps->file, m ? (unsigned)m->line + 1 : 0,
				    m ? (unsigned)m->column + 1 : 0, fmt, ap);
	va_end(ap);
	return e;
}

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

	if (memchr(text, '\0', len))
		goto str;
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
		errno = 0;
		double f = strtod(plain, NULL);
		free(plain);
		*canon = format_float(f);
		return KB_FLOAT;
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

static kb_node *make_scalar(pstate *ps, struct fy_event *ev)
{
	struct fy_token *vt = ev->scalar.value;
	size_t len = 0;
	const char *text = vt ? fy_token_get_text(vt, &len) : "";
	if (!text)
		text = "";
	enum fy_scalar_style style = vt ? fy_token_scalar_style(vt) : FYSS_PLAIN;
	const char *tag = ev->scalar.tag ? fy_token_get_text0(ev->scalar.tag) : NULL;
	kb_node *n;

	if (tag_is(tag, "binary")) {
		kb_buf b = KB_BUF_INIT;
		if (!b64_decode(text, len, &b)) {
			kb_buf_free(&b);
			ps->err = perr(ps, fy_event_start_mark(ev), "invalid !!binary value");
			return NULL;
		}
		n = kb_node_new_strn(b.data ? b.data : "", b.len);
		kb_buf_free(&b);
	} else if (tag_is(tag, "str") || (style != FYSS_PLAIN && !tag) ||
		   (tag && !kb_str_has_prefix(tag, "!!") &&
		    !kb_str_has_prefix(tag, "tag:yaml.org,2002:") && style != FYSS_PLAIN)) {
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
				ps->err = perr(ps, fy_event_start_mark(ev),
					       "cannot decode '%.*s' as %s", (int)len, text, tag);
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
			n = kb_node_new_str(ts);
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
	const struct fy_mark *m = fy_event_start_mark(ev);
	if (m) {
		n->line = (unsigned)m->line + 1;
		n->col = (unsigned)m->column + 1;
	}
	return n;
}

static void register_anchor(pstate *ps, const char *name, kb_node *node)
{
	/* A later anchor of the same name shadows an earlier one. */
	kb_grow((void **)&ps->anchors, &ps->acap, ps->nanchors + 1, sizeof(anchor));
	ps->anchors[ps->nanchors].name = kb_xstrdup(name);
	ps->anchors[ps->nanchors].node = node;
	ps->nanchors++;
}

static kb_node *find_anchor(pstate *ps, const char *name)
{
	for (size_t i = ps->nanchors; i-- > 0;)
		if (strcmp(ps->anchors[i].name, name) == 0)
			return ps->anchors[i].node;
	return NULL;
}

static size_t count_nodes(const kb_node *n, size_t limit)
{
	size_t c = 1;
	if (n->kind == KB_MAP)
		for (size_t i = 0; i < n->n && c <= limit; i++)
			c += count_nodes(n->pairs[i].val, limit);
	else if (n->kind == KB_SEQ)
		for (size_t i = 0; i < n->n && c <= limit; i++)
			c += count_nodes(n->items[i], limit);
	return c;
}

/* Attaches a finished value to the current collection (or as the doc). */
static bool attach(pstate *ps, kb_node *val, const struct fy_mark *m, bool is_merge_src)
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
		f->key_line = val->line;
		f->key_col = val->col;
		f->key_is_merge = is_merge_src;
		kb_node_free(val);
		return true;
	}
	char *key = f->pending_key;
	f->pending_key = NULL;
	if (f->key_is_merge) {
		/* `<<: *alias` or `<<: [*a, *b]`: explicit keys win. */
		kb_node *srcs[64];
		size_t ns = 0;
		if (val->kind == KB_MAP)
			srcs[ns++] = val;
		else if (val->kind == KB_SEQ)
			for (size_t i = 0; i < val->n && ns < 64; i++)
				if (val->items[i]->kind == KB_MAP)
					srcs[ns++] = val->items[i];
		for (size_t s = 0; s < ns; s++)
			for (size_t i = 0; i < srcs[s]->n; i++) {
				kb_pair *p = &srcs[s]->pairs[i];
				if (!kb_map_get_pair(f->node, p->key))
					kb_map_set(f->node, p->key, kb_node_clone(p->val));
			}
		kb_node_free(val);
		free(key);
		return true;
	}
	kb_pair *dup = kb_map_get_pair(f->node, key);
	if (dup) {
		if (ps->dup_first_wins && (size_t)(dup - f->node->pairs) < f->explicit_n) {
			/* kept as a second pair: lookups find the first, and a copy
			 * of the whole map carries both, as in kyaml's node tree */
			kb_pair *np = kb_map_append(f->node, key, val);
			free(key);
			np->line = f->key_line;
			np->col = f->key_col;
			f->explicit_n = f->node->n;
			return true;
		}
		if (!ps->dup_last_wins && !ps->dup_first_wins && dup->line && f->key_line &&
		    f->node->n > 0 &&
		    (size_t)(dup - f->node->pairs) < f->explicit_n) {
			ps->err = kb_error_new(ps->file, f->key_line, f->key_col,
					       "mapping key \"%s\" already defined at line %u", key,
					       dup->line);
			free(key);
			kb_node_free(val);
			return false;
		}
		/* a key that came from a merge is overridden by an explicit one */
		kb_node_free(dup->val);
		dup->val = val;
		free(key);
		return true;
	}
	kb_map_set(f->node, key, val);
	kb_pair *p = &f->node->pairs[f->node->n - 1];
	p->line = f->key_line;
	p->col = f->key_col;
	f->explicit_n = f->node->n;
	free(key);
	return true;
}

static bool push(pstate *ps, kb_node *n, const char *anchor_name, const struct fy_mark *m)
{
	if (ps->depth >= ps->max_depth) {
		kb_node_free(n);
		ps->err = perr(ps, m, "document nested deeper than %zu levels", ps->max_depth);
		return false;
	}
	kb_grow((void **)&ps->stack, &ps->cap, ps->depth + 1, sizeof(frame));
	frame *f = &ps->stack[ps->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->anchor = anchor_name ? kb_xstrdup(anchor_name) : NULL;
	if (m) {
		n->line = (unsigned)m->line + 1;
		n->col = (unsigned)m->column + 1;
	}
	return true;
}

static bool count_node(pstate *ps, size_t k, const struct fy_mark *m)
{
	ps->nodes += k;
	if (ps->nodes > ps->max_nodes) {
		ps->err = perr(ps, m,
			       "document expands to more than %zu nodes (alias bomb?); refusing to "
			       "continue",
			       ps->max_nodes);
		return false;
	}
	return true;
}

static void reset_doc(pstate *ps)
{
	for (size_t i = 0; i < ps->depth; i++) {
		free(ps->stack[i].pending_key);
		free(ps->stack[i].anchor);
		/* collections are attached to their parent only when they end */
		kb_node_free(ps->stack[i].node);
	}
	ps->depth = 0;
	for (size_t i = 0; i < ps->nanchors; i++)
		free(ps->anchors[i].name);
	ps->nanchors = 0;
	kb_node_free(ps->doc);
	ps->doc = NULL;
}

static const char *anchor_text(struct fy_token *t)
{
	return t ? fy_token_get_text0(t) : NULL;
}

/* libfyaml reports errors as text ("<src>:LINE:COL: error: MSG" followed
 * by a source excerpt); we keep the first error line. */
typedef struct diag_capture {
	unsigned line, col;
	char *msg;
} diag_capture;

static void diag_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	diag_capture *dc = user;
	if (dc->msg)
		return;
	char *text = kb_xstrndup(buf, len);
	char *err = strstr(text, ": error: ");
	if (err) {
		/* walk back over ":LINE:COL" */
		*err = '\0';
		char *c2 = strrchr(text, ':');
		if (c2) {
			*c2 = '\0';
			char *c1 = strrchr(text, ':');
			if (c1) {
				dc->line = (unsigned)atoi(c1 + 1);
				dc->col = (unsigned)atoi(c2 + 1);
			}
		}
		char *msg = err + strlen(": error: ");
		size_t ml = strcspn(msg, "\n");
		dc->msg = kb_xstrndup(msg, ml);
	}
	free(text);
}

static kb_error *diag_error(diag_capture *dc, const char *file)
{
	if (!dc->msg)
		return kb_error_new(file, 0, 0, "invalid YAML");
	return kb_error_new(file, dc->line, dc->col, "invalid YAML: %s", dc->msg);
}

static kb_error *parse_stream(const char *file, const char *buf, size_t len,
			      const kb_parse_limits *lim, kb_node ***docs_out, size_t *ndocs_out);

/*
 * libfyaml 0.7.12 rejects an empty entry ("-" alone on its line) in a
 * sequence that sits at its parent key's indentation when the document
 * ends right after it; every other YAML parser reads it as null.  When a
 * parse fails with that complaint, the text is parsed once more with
 * such lines spelled "- ~" (an explicit null); input that parses at all
 * is never rewritten.
 */
static char *spell_empty_entries(const char *buf, size_t len, size_t *outlen)
{
	kb_buf b = KB_BUF_INIT;
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - buf) : len;
		size_t k = i;
		while (k < end && buf[k] == ' ')
			k++;
		size_t t = end;
		while (t > k && (buf[t - 1] == ' ' || buf[t - 1] == '\r'))
			t--;
		kb_buf_append(&b, buf + i, end - i);
		if (t == k + 1 && buf[k] == '-')
			kb_buf_puts(&b, " ~");
		if (nl)
			kb_buf_putc(&b, '\n');
		i = end + 1;
	}
	*outlen = b.len;
	return kb_buf_detach(&b);
}

kb_error *kb_yaml_parse(const char *file, const char *buf, size_t len, const kb_parse_limits *lim,
			kb_node ***docs_out, size_t *ndocs_out)
{
	kb_error *e = parse_stream(file, buf, len, lim, docs_out, ndocs_out);
	if (e && strstr(e->primary.msg, "did not find expected node content")) {
		size_t l2;
		char *b2 = spell_empty_entries(buf, len, &l2);
		kb_error *e2 = parse_stream(file, b2, l2, lim, docs_out, ndocs_out);
		free(b2);
		if (!e2) {
			kb_error_free(e);
			return NULL;
		}
		kb_error_free(e2);
	}
	return e;
}

static kb_error *parse_stream(const char *file, const char *buf, size_t len,
			      const kb_parse_limits *lim, kb_node ***docs_out, size_t *ndocs_out)
{
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
	ps.yaml11_bools = lim && lim->yaml11_bools;
	*docs_out = NULL;
	*ndocs_out = 0;

	/* A UTF-8 BOM is not content. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}

	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	diag_capture dc = { 0, 0, NULL };
	dcfg.fp = NULL;
	dcfg.output_fn = diag_output;
	dcfg.user = &dc;
	dcfg.colorize = false;
	dcfg.show_source = false;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	if (!diag)
		abort();
	struct fy_parse_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_DISABLE_DEPTH_LIMIT |
		    FYPCF_JSON_NONE;
	cfg.diag = diag;
	struct fy_parser *fyp = fy_parser_create(&cfg);
	if (!fyp)
		abort();
	if (fy_parser_set_string(fyp, len ? buf : "", len) != 0) {
		fy_parser_destroy(fyp);
		fy_diag_unref(diag);
		free(dc.msg);
		return kb_error_new(file, 0, 0, "cannot read YAML input");
	}

	kb_node **docs = NULL;
	size_t ndocs = 0, dcap = 0;
	struct fy_event *ev;
	while (!ps.err && (ev = fy_parser_parse(fyp)) != NULL) {
		const struct fy_mark *m = fy_event_start_mark(ev);
		switch (ev->type) {
		case FYET_DOCUMENT_START:
			reset_doc(&ps);
			break;
		case FYET_DOCUMENT_END:
			if (ps.doc && ps.doc->kind != KB_NULL) {
				kb_grow((void **)&docs, &dcap, ndocs + 1, sizeof(*docs));
				docs[ndocs++] = ps.doc;
				ps.doc = NULL;
			}
			reset_doc(&ps);
			break;
		case FYET_MAPPING_START:
		case FYET_SEQUENCE_START: {
			if (!count_node(&ps, 1, m))
				break;
			bool is_map = ev->type == FYET_MAPPING_START;
			const char *a = anchor_text(is_map ? ev->mapping_start.anchor
							   : ev->sequence_start.anchor);
			kb_node *n = kb_node_new(is_map ? KB_MAP : KB_SEQ);
			if (push(&ps, n, a, m) && a)
				register_anchor(&ps, a, n);
			break;
		}
		case FYET_MAPPING_END:
		case FYET_SEQUENCE_END: {
			frame f = ps.stack[--ps.depth];
			free(f.anchor);
			free(f.pending_key);
			attach(&ps, f.node, m, false);
			break;
		}
		case FYET_SCALAR: {
			if (!count_node(&ps, 1, m))
				break;
			kb_node *n = make_scalar(&ps, ev);
			if (!n)
				break;
			bool merge = false;
			if (ps.depth && ps.stack[ps.depth - 1].node->kind == KB_MAP &&
			    !ps.stack[ps.depth - 1].pending_key && n->kind == KB_STR &&
			    strcmp(n->str, "<<") == 0 && ev->scalar.value &&
			    fy_token_scalar_style(ev->scalar.value) == FYSS_PLAIN)
				merge = true;
			const char *a = anchor_text(ev->scalar.anchor);
			kb_node *keep = n;
			if (!attach(&ps, n, m, merge))
				break;
			if (a && !merge)
				register_anchor(&ps, a, keep);
			break;
		}
		case FYET_ALIAS: {
			const char *a = anchor_text(ev->alias.anchor);
			kb_node *src = a ? find_anchor(&ps, a) : NULL;
			if (!src) {
				ps.err = perr(&ps, m, "unknown anchor '%s' referenced", a ? a : "");
				break;
			}
			if (!count_node(&ps, count_nodes(src, ps.max_nodes), m))
				break;
			attach(&ps, kb_node_clone(src), m, false);
			break;
		}
		default:
			break;
		}
		fy_parser_event_free(fyp, ev);
	}
	if (!ps.err && fy_parser_get_stream_error(fyp))
		ps.err = diag_error(&dc, file);
	free(dc.msg);
	reset_doc(&ps);
	free(ps.stack);
	free(ps.anchors);
	fy_parser_destroy(fyp);
	fy_diag_unref(diag);
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
