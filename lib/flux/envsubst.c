/*
 * envsubst.c - fluxcd/pkg/envsubst ported to C (envsubst.h).
 *
 * The scanner is ported statement by statement, buffer surgery included
 * (an escape character is cut out of the buffer while scanning, which is
 * what makes "$${x}" print "${x}"), because Flux users depend on its
 * corner cases.  The parser returns the same tree; the top-level list is
 * built iteratively instead of recursively so that a document with many
 * expressions cannot exhaust the stack.
 */
#include "envsubst.h"
#include "glob.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ---- scanner (parse/scan.go) ---- */

enum { T_ILLEGAL, T_EOF, T_IDENT, T_LBRACK, T_RBRACK };
enum { S_IDENT = 1, S_LBRACK = 2, S_RBRACK = 4, S_ESCAPE = 8 };
enum { E_DOLLAR = 1, E_BACKSLASH = 2, E_ALL = 3 };

typedef bool (*accept_fn)(long r, size_t i);

typedef struct scanner {
	char *buf;
	size_t len, pos, start, width;
	unsigned mode, escape;
	accept_fn accept;
} scanner;

static long rune_at(const char *s, size_t n, size_t *w)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] < 0x80) {
		*w = 1;
		return u[0];
	}
	size_t need = (u[0] & 0xE0) == 0xC0 ? 2 : (u[0] & 0xF0) == 0xE0 ? 3 : (u[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (!need || n < need) {
		*w = 1;
		return 0xFFFD;
	}
	long r = u[0] & (0x7F >> need);
	for (size_t i = 1; i < need; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*w = 1;
			return 0xFFFD;
		}
		r = (r << 6) | (u[i] & 0x3F);
	}
	*w = need;
	return r;
}

static long sc_read(scanner *s)
{
	if (s->pos >= s->len) {
		s->width = 0;
		return 0; /* eof */
	}
	size_t w;
	long r = rune_at(s->buf + s->pos, s->len - s->pos, &w);
	s->width = w;
	s->pos += w;
	return r;
}

static void sc_unread(scanner *s)
{
	s->pos -= s->width;
}

/* Cuts the character before pos out of the buffer. */
static void sc_skip(scanner *s)
{
	memmove(s->buf + s->pos - 1, s->buf + s->pos, s->len - s->pos + 1);
	s->len--;
}

static long sc_peek(scanner *s)
{
	long r = sc_read(s);
	sc_unread(s);
	return r;
}

static bool sc_lbrack(scanner *s, long r)
{
	if (!(s->mode & S_LBRACK))
		return false;
	if (r == '$') {
		if (sc_read(s) == '{')
			return true;
		sc_unread(s);
	}
	return false;
}

static bool sc_rbrack(scanner *s, long r)
{
	return (s->mode & S_RBRACK) && r == '}';
}

static bool sc_escaped(scanner *s, long r)
{
	if (!(s->mode & S_ESCAPE))
		return false;
	if (r == '$' && (s->escape & E_DOLLAR))
		if (sc_peek(s) == '$')
			return true;
	if (r == '\\' && (s->escape & E_BACKSLASH)) {
		long p = sc_peek(s);
		return p == '/' || p == '\\';
	}
	return false;
}

static bool sc_ident(scanner *s, long r)
{
	if (!(s->mode & S_IDENT))
		return false;
	if (sc_escaped(s, r))
		sc_skip(s);
	else if (!s->accept(r, s->pos - s->start))
		return false;
	for (;;) {
		long c = sc_read(s);
		if (c == 0) {
			sc_unread(s);
			break;
		}
		if (sc_lbrack(s, c)) {
			sc_unread(s);
			sc_unread(s);
			break;
		}
		if (sc_escaped(s, c)) {
			sc_skip(s);
			continue;
		}
		if (!s->accept(c, s->pos - s->start)) {
			sc_unread(s);
			break;
		}
	}
	return true;
}

static int sc_scan(scanner *s)
{
	s->start = s->pos;
	long r = sc_read(s);
	if (r == 0)
		return T_EOF;
	if (sc_lbrack(s, r))
		return T_LBRACK;
	if (sc_rbrack(s, r))
		return T_RBRACK;
	if (sc_ident(s, r))
		return T_IDENT;
	return T_ILLEGAL;
}

static bool is_letter(long r)
{
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r >= 0x80;
}

static bool acc_rune(long r, size_t i) { (void)r; (void)i; return true; }
static bool acc_ident(long r, size_t i) { (void)i; return is_letter(r) || (r >= '0' && r <= '9') || r == '_'; }
static bool acc_colon(long r, size_t i) { (void)i; return r == ':'; }
static bool acc_one_hash(long r, size_t i) { return r == '#' && i == 1; }
static bool acc_not_closing(long r, size_t i) { (void)i; return r != '}'; }
static bool acc_hash_func(long r, size_t i) { return r == '#' && i < 3; }
static bool acc_percent_func(long r, size_t i) { return r == '%' && i < 3; }
static bool acc_default_func(long r, size_t i)
{
	return (i == 1 && r == ':') || (i == 2 && (r == '=' || r == '-' || r == '?' || r == '+'));
}
static bool acc_replace_func(long r, size_t i)
{
	return (i == 1 && r == '/') || (i == 2 && (r == '/' || r == '#' || r == '%'));
}
static bool acc_one_equal(long r, size_t i) { return i == 1 && r == '='; }
static bool acc_one_colon(long r, size_t i) { return i == 1 && r == ':'; }
static bool rej_colon_close(long r, size_t i) { (void)i; return r != ':' && r != '}'; }
static bool acc_slash(long r, size_t i) { (void)i; return r == '/'; }
static bool acc_not_slash(long r, size_t i) { (void)i; return r != '/'; }
static bool acc_casing_func(long r, size_t i) { return (r == ',' || r == '^') && i < 3; }

/* ---- parse tree (parse/node.go) ---- */

typedef enum { N_TEXT, N_FUNC, N_LIST } nkind;

typedef struct node node;
struct node {
	nkind kind;
	char *text;      /* N_TEXT */
	char *param;     /* N_FUNC */
	char *name;      /* N_FUNC: the operator ("", ":-", "##", ...) */
	node **args;     /* N_FUNC args, N_LIST items */
	size_t nargs, cap;
	size_t start, end; /* N_FUNC: its span in the (final) buffer */
};

static node *node_new(nkind k)
{
	node *n = kb_xcalloc(1, sizeof(*n));
	n->kind = k;
	return n;
}

static void node_push(node *n, node *c)
{
	kb_grow((void **)&n->args, &n->cap, n->nargs + 1, sizeof(*n->args));
	n->args[n->nargs++] = c;
}

static void node_free(node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nargs; i++)
		node_free(n->args[i]);
	free(n->args);
	free(n->text);
	free(n->param);
	free(n->name);
	free(n);
}

/* ---- parser (parse/parse.go) ---- */

static const char err_bad_subst[] = "bad substitution";
static const char err_missing_brace[] = "missing closing brace";
static const char err_var_name[] = "unable to parse variable name";
static const char err_func_subst[] = "unable to parse substitution within function";
static const char err_default_func[] = "unable to parse default function";

typedef struct parser {
	scanner sc;
	const char *err;
	unsigned depth;
} parser;

static char *sc_string(const scanner *s)
{
	return kb_xstrndup(s->buf + s->start, s->pos - s->start);
}

static node *text_node(const scanner *s)
{
	node *n = node_new(N_TEXT);
	n->text = sc_string(s);
	return n;
}

static node *parse_func(parser *p);

static bool consume_rbrack(parser *p)
{
	p->sc.mode = S_RBRACK;
	if (sc_scan(&p->sc) != T_RBRACK) {
		p->err = err_bad_subst;
		return false;
	}
	return true;
}

static node *parse_param(parser *p, accept_fn accept, unsigned mode)
{
	p->sc.accept = accept;
	p->sc.mode = mode | S_LBRACK;
	switch (sc_scan(&p->sc)) {
	case T_LBRACK: {
		size_t start = p->sc.start;
		node *f = parse_func(p);
		if (f) {
			f->start = start;
			f->end = p->sc.pos;
		}
		return f;
	}
	case T_IDENT:
	case T_RBRACK:
		return text_node(&p->sc);
	default:
		p->err = err_func_subst;
		return NULL;
	}
}

static node *func_node(const char *param)
{
	node *n = node_new(N_FUNC);
	n->param = kb_xstrdup(param);
	return n;
}

/* Scans the operator token into n->name; false (err set) when absent. */
static bool scan_op(parser *p, node *n, accept_fn accept, const char *err)
{
	p->sc.accept = accept;
	p->sc.mode = S_IDENT;
	if (sc_scan(&p->sc) != T_IDENT) {
		p->err = err;
		return false;
	}
	n->name = sc_string(&p->sc);
	return true;
}

static node *fail(node *n)
{
	node_free(n);
	return NULL;
}

static node *push_param(parser *p, node *n, accept_fn accept, unsigned mode)
{
	node *a = parse_param(p, accept, mode);
	if (!a)
		return fail(n);
	node_push(n, a);
	return n;
}

static node *parse_default_func(parser *p, const char *name)
{
	node *n = func_node(name);
	accept_fn acc = sc_peek(&p->sc) == '=' ? acc_one_equal : acc_default_func;
	if (!scan_op(p, n, acc, err_default_func))
		return fail(n);
	for (;;) {
		if (sc_peek(&p->sc) == '}')
			return consume_rbrack(p) ? n : fail(n);
		if (!push_param(p, n, acc_not_closing, S_IDENT))
			return NULL;
	}
}

static node *parse_substr_func(parser *p, const char *name)
{
	node *n = func_node(name);
	if (!scan_op(p, n, acc_one_colon, err_bad_subst))
		return fail(n);
	if (!push_param(p, n, rej_colon_close, S_IDENT))
		return NULL;
	p->sc.accept = acc_colon;
	p->sc.mode = S_IDENT | S_RBRACK;
	switch (sc_scan(&p->sc)) {
	case T_RBRACK:
		return n;
	case T_IDENT:
		break;
	default:
		p->err = err_bad_subst;
		return fail(n);
	}
	if (!push_param(p, n, acc_not_closing, S_IDENT))
		return NULL;
	return consume_rbrack(p) ? n : fail(n);
}

static node *parse_default_or_substr(parser *p, const char *name)
{
	sc_read(&p->sc);
	long r = sc_peek(&p->sc);
	sc_unread(&p->sc);
	if (r == '=' || r == '-' || r == '?' || r == '+')
		return parse_default_func(p, name);
	return parse_substr_func(p, name);
}

static node *parse_remove_func(parser *p, const char *name, accept_fn accept)
{
	node *n = func_node(name);
	if (!scan_op(p, n, accept, err_bad_subst))
		return fail(n);
	if (!push_param(p, n, acc_not_closing, S_IDENT))
		return NULL;
	return consume_rbrack(p) ? n : fail(n);
}

static node *parse_replace_func(parser *p, const char *name)
{
	node *n = func_node(name);
	if (!scan_op(p, n, acc_replace_func, err_bad_subst))
		return fail(n);
	if (!push_param(p, n, acc_not_slash, S_IDENT | S_ESCAPE))
		return NULL;
	p->sc.accept = acc_slash;
	p->sc.mode = S_IDENT;
	if (sc_scan(&p->sc) != T_IDENT) {
		p->err = err_bad_subst;
		return fail(n);
	}
	if (sc_peek(&p->sc) == '}')
		return consume_rbrack(p) ? n : fail(n);
	if (!push_param(p, n, acc_not_closing, S_IDENT | S_ESCAPE))
		return NULL;
	return consume_rbrack(p) ? n : fail(n);
}

static node *parse_casing_func(parser *p, const char *name)
{
	node *n = func_node(name);
	if (!scan_op(p, n, acc_casing_func, err_bad_subst))
		return fail(n);
	return consume_rbrack(p) ? n : fail(n);
}

static node *parse_len_func(parser *p)
{
	node *n = func_node("");
	if (!scan_op(p, n, acc_one_hash, err_bad_subst))
		return fail(n);
	p->sc.accept = acc_ident;
	p->sc.mode = S_IDENT;
	if (sc_scan(&p->sc) != T_IDENT) {
		p->err = err_bad_subst;
		return fail(n);
	}
	free(n->param);
	n->param = sc_string(&p->sc);
	return consume_rbrack(p) ? n : fail(n);
}

static node *parse_func(parser *p)
{
	/* nested ${...} in arguments recurse; bound it */
	if (++p->depth > 1000) {
		p->err = err_bad_subst;
		return NULL;
	}
	node *res = NULL;
	p->sc.escape = E_ALL;
	if (sc_peek(&p->sc) == '#') {
		res = parse_len_func(p);
		goto out;
	}
	p->sc.accept = acc_ident;
	p->sc.mode = S_IDENT;
	if (sc_scan(&p->sc) != T_IDENT) {
		p->err = err_var_name;
		goto out;
	}
	char *name = sc_string(&p->sc);
	switch (sc_peek(&p->sc)) {
	case ':':
		res = parse_default_or_substr(p, name);
		break;
	case '=':
		res = parse_default_func(p, name);
		break;
	case ',':
	case '^':
		res = parse_casing_func(p, name);
		break;
	case '/':
		res = parse_replace_func(p, name);
		break;
	case '#':
		res = parse_remove_func(p, name, acc_hash_func);
		break;
	case '%':
		res = parse_remove_func(p, name, acc_percent_func);
		break;
	default:
		p->sc.accept = acc_ident;
		p->sc.mode = S_RBRACK;
		if (sc_scan(&p->sc) == T_RBRACK) {
			res = func_node(name);
			res->name = kb_xstrdup("");
		} else {
			p->err = err_missing_brace;
		}
	}
	free(name);
out:
	p->depth--;
	return res;
}

/* parseAny, as a loop: text and ${...} in turn until the end. */
static node *parse_any(parser *p)
{
	node *list = node_new(N_LIST);
	for (;;) {
		p->sc.accept = acc_rune;
		p->sc.mode = S_IDENT | S_LBRACK | S_ESCAPE;
		p->sc.escape = E_DOLLAR;
		switch (sc_scan(&p->sc)) {
		case T_IDENT:
			node_push(list, text_node(&p->sc));
			break;
		case T_EOF:
			return list;
		case T_LBRACK: {
			size_t start = p->sc.start;
			node *f = parse_func(p);
			if (!f)
				return fail(list);
			f->start = start;
			f->end = p->sc.pos;
			node_push(list, f);
			break;
		}
		default:
			p->err = err_bad_subst;
			return fail(list);
		}
	}
}

/* ---- functions (funcs.go) ---- */

static char *to_default(const char *s, char **args, size_t n)
{
	if (!*s && n > 0) {
		kb_buf b = KB_BUF_INIT;
		for (size_t i = 0; i < n; i++)
			kb_buf_puts(&b, args[i]);
		return kb_buf_detach(&b);
	}
	return kb_xstrdup(s);
}

static char *to_case(const char *s, bool upper, bool first)
{
	char *r = kb_xstrdup(s);
	for (char *c = r; *c; c++) {
		if (upper && *c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
		else if (!upper && *c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
		if (first)
			break;
	}
	return r;
}

static char *to_substr(const char *s, char **args, size_t n)
{
	size_t len = strlen(s);
	if (n == 0)
		return kb_xstrdup(s);
	long long pos;
	if (!kb_go_atoi(args[0], &pos))
		return kb_xstrdup(s);
	if (pos < 0) {
		pos = (long long)len + pos;
		if (pos < 0)
			pos = 0;
	}
	if (n == 1)
		return (size_t)pos < len ? kb_xstrdup(s + pos) : kb_xstrdup("");
	long long l;
	if (!kb_go_atoi(args[1], &l))
		return kb_xstrdup(s);
	if (pos + l >= (long long)len)
		return (size_t)pos < len ? kb_xstrdup(s + pos) : kb_xstrdup("");
	if (l < 0) /* Go would panic on s[pos:pos+len] with len < 0 */
		return kb_xstrdup(s);
	return kb_xstrndup(s + pos, (size_t)l);
}

/* Go's strings.Replace(s, old, new, n) (n < 0: all). */
static char *str_replace(const char *s, const char *old, const char *rep, long n)
{
	kb_buf b = KB_BUF_INIT;
	size_t ol = strlen(old);
	const char *p = s;
	long done = 0;
	if (ol == 0) {
		/* inserts rep before every rune and at the end */
		for (;;) {
			if (n >= 0 && done >= n) {
				kb_buf_puts(&b, p);
				break;
			}
			kb_buf_puts(&b, rep);
			done++;
			if (!*p)
				break;
			size_t w;
			rune_at(p, strlen(p), &w);
			kb_buf_append(&b, p, w);
			p += w;
		}
		return kb_buf_detach(&b);
	}
	for (;;) {
		const char *q = (n < 0 || done < n) ? strstr(p, old) : NULL;
		if (!q) {
			kb_buf_puts(&b, p);
			break;
		}
		kb_buf_append(&b, p, (size_t)(q - p));
		kb_buf_puts(&b, rep);
		p = q + ol;
		done++;
	}
	return kb_buf_detach(&b);
}

static char *reverse_runes(const char *s)
{
	size_t len = strlen(s);
	char *r = kb_xmalloc(len + 1);
	size_t o = len;
	const char *p = s;
	while (*p) {
		size_t w;
		rune_at(p, strlen(p), &w);
		o -= w;
		memcpy(r + o, p, w);
		p += w;
	}
	r[len] = '\0';
	return r;
}

static int env_match(const char *pat, const char *s, size_t n)
{
	return kb_go_match_mode(pat, strlen(pat), s, n, KB_MATCH_ENVSUBST);
}

static char *trim_shortest(const char *s, const char *arg)
{
	size_t len = strlen(s);
	size_t best = 0;
	bool found = false;
	for (size_t i = 0; i < len; i++) {
		int m = env_match(arg, s, len - i);
		if (m < 0)
			return kb_xstrdup(s);
		if (m == 1) {
			best = len - i;
			found = true;
		}
	}
	if (found && best > 0)
		return kb_xstrdup(s + best);
	return kb_xstrdup(s);
}

static char *trim_longest(const char *s, const char *arg)
{
	size_t len = strlen(s);
	for (size_t i = 0; i < len; i++) {
		int m = env_match(arg, s, len - i);
		if (m < 0)
			return kb_xstrdup(s);
		if (m == 1)
			return kb_xstrdup(s + (len - i));
	}
	return kb_xstrdup(s);
}

static char *trim_suffix(const char *s, const char *arg, bool longest)
{
	char *r = reverse_runes(s), *ra = reverse_runes(arg);
	char *t = longest ? trim_longest(r, ra) : trim_shortest(r, ra);
	char *out = reverse_runes(t);
	free(r);
	free(ra);
	free(t);
	return out;
}

static char *apply_func(const char *name, const char *s, char **args, size_t n)
{
	if (strcmp(name, ",") == 0)
		return to_case(s, false, true);
	if (strcmp(name, ",,") == 0)
		return to_case(s, false, false);
	if (strcmp(name, "^") == 0)
		return to_case(s, true, true);
	if (strcmp(name, "^^") == 0)
		return to_case(s, true, false);
	if (strcmp(name, "#") == 0) {
		if (n == 0)
			return kb_xasprintf("%zu", strlen(s));
		return trim_shortest(s, args[0]);
	}
	if (strcmp(name, "##") == 0)
		return n ? trim_longest(s, args[0]) : kb_xstrdup(s);
	if (strcmp(name, "%") == 0)
		return n ? trim_suffix(s, args[0], false) : kb_xstrdup(s);
	if (strcmp(name, "%%") == 0)
		return n ? trim_suffix(s, args[0], true) : kb_xstrdup(s);
	if (strcmp(name, ":") == 0)
		return to_substr(s, args, n);
	if (strcmp(name, "/#") == 0) {
		if (n != 2 || !kb_str_has_prefix(s, args[0]))
			return kb_xstrdup(s);
		return str_replace(s, args[0], args[1], 1);
	}
	if (strcmp(name, "/%") == 0) {
		if (n != 2 || !kb_str_has_suffix(s, args[0]))
			return kb_xstrdup(s);
		char *t = kb_xstrndup(s, strlen(s) - strlen(args[0]));
		char *r = kb_xasprintf("%s%s", t, args[1]);
		free(t);
		return r;
	}
	if (strcmp(name, "/") == 0 || strcmp(name, "//") == 0) {
		long cnt = name[1] ? -1 : 1;
		if (n == 0)
			return kb_xstrdup(s);
		return str_replace(s, args[0], n == 1 ? "" : args[1], cnt);
	}
	return to_default(s, args, n);
}

static bool is_default_op(const char *name)
{
	static const char *const ops[] = { "-", "+", "=", "?", ":-", ":+", ":=", ":?" };
	for (size_t i = 0; i < sizeof(ops) / sizeof(*ops); i++)
		if (strcmp(name, ops[i]) == 0)
			return true;
	return false;
}

/* ---- evaluation (template.go) ---- */

typedef struct evalctx {
	kb_envsubst_lookup lookup;
	void *ctx;
	bool strict;
	const char *buf; /* the final buffer, for verbatim spans */
	kb_envsubst_error *err;
	kb_strv *kept;
} evalctx;

static bool eval(evalctx *e, const node *n, kb_buf *out)
{
	switch (n->kind) {
	case N_TEXT:
		kb_buf_puts(out, n->text);
		return true;
	case N_LIST:
		for (size_t i = 0; i < n->nargs; i++)
			if (!eval(e, n->args[i], out))
				return false;
		return true;
	case N_FUNC:
		break;
	}
	char **args = kb_xcalloc(n->nargs + 1, sizeof(char *));
	bool ok = true;
	for (size_t i = 0; i < n->nargs && ok; i++) {
		kb_buf ab = KB_BUF_INIT;
		ok = eval(e, n->args[i], &ab);
		args[i] = kb_buf_detach(&ab);
	}
	if (ok) {
		const char *v = NULL;
		int st = e->lookup(e->ctx, n->param, &v);
		if (st == KB_ENVSUBST_UNKNOWN && is_default_op(n->name))
			st = KB_ENVSUBST_UNSET;
		if (st == KB_ENVSUBST_UNKNOWN) {
			kb_buf_append(out, e->buf + n->start, n->end - n->start);
			if (e->kept && !kb_strv_contains(e->kept, n->param))
				kb_strv_push(e->kept, n->param);
		} else if (st != KB_ENVSUBST_SET && e->strict && !is_default_op(n->name)) {
			e->err->msg = "variable not set (strict mode)";
			e->err->var = kb_xstrdup(n->param);
			ok = false;
		} else {
			char *r = apply_func(n->name, st == KB_ENVSUBST_SET && v ? v : "", args,
					     n->nargs);
			kb_buf_puts(out, r);
			free(r);
		}
	}
	for (size_t i = 0; i < n->nargs; i++)
		free(args[i]);
	free(args);
	return ok;
}

char *kb_envsubst(const char *s, size_t len, kb_envsubst_lookup lookup, void *ctx, bool strict,
		  size_t *outlen, kb_envsubst_error *err, kb_strv *kept)
{
	parser p;
	memset(&p, 0, sizeof(p));
	p.sc.buf = kb_xstrndup(s, len);
	p.sc.len = strlen(p.sc.buf) < len ? strlen(p.sc.buf) : len;
	node *root = parse_any(&p);
	if (!root) {
		err->msg = p.err ? p.err : err_bad_subst;
		err->var = NULL;
		free(p.sc.buf);
		return NULL;
	}
	evalctx e = { lookup, ctx, strict, p.sc.buf, err, kept };
	kb_buf out = KB_BUF_INIT;
	bool ok = eval(&e, root, &out);
	node_free(root);
	free(p.sc.buf);
	if (!ok) {
		kb_buf_free(&out);
		return NULL;
	}
	if (outlen)
		*outlen = out.len;
	return kb_buf_detach(&out);
}

static void collect(const node *n, kb_strv *names)
{
	if (n->kind == N_FUNC && n->param && *n->param && !kb_strv_contains(names, n->param))
		kb_strv_push(names, n->param);
	for (size_t i = 0; i < n->nargs; i++)
		collect(n->args[i], names);
}

void kb_envsubst_vars(const char *s, size_t len, struct kb_strv *names)
{
	parser p;
	memset(&p, 0, sizeof(p));
	p.sc.buf = kb_xstrndup(s, len);
	p.sc.len = strlen(p.sc.buf);
	node *root = parse_any(&p);
	if (root)
		collect(root, names);
	node_free(root);
	free(p.sc.buf);
}
