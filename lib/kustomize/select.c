/*
 * select.c - kustomize selectors (api/types/selector.go) and a port of the
 * Kubernetes label selector parser that kustomize vendors in
 * kyaml/yaml/internal/k8sgen/pkg/labels/selector.go (with
 * .../util/validation/validation.go for key and value checks).  The
 * parser is ported token for token so that what it accepts and its error
 * texts stay the same.
 */
#include "select.h"
#include "util.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ==== label selectors ==== */

typedef enum ls_op {
	LS_IN,
	LS_NOTIN,
	LS_EQ, /* = and == */
	LS_NE,
	LS_EXISTS,
	LS_NOT_EXISTS,
	LS_GT,
	LS_LT,
} ls_op;

typedef struct ls_req {
	char *key;
	ls_op op;
	kb_strv vals; /* sorted, unique (Go's sets.String.List) */
} ls_req;

struct kb_labelsel {
	ls_req *reqs;
	size_t n, cap;
};

void kb_labelsel_free(kb_labelsel *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->reqs[i].key);
		kb_strv_free(&s->reqs[i].vals);
	}
	free(s->reqs);
	free(s);
}

/* ---- lexer ---- */

typedef enum ls_tok {
	T_ERROR,
	T_EOS,
	T_CLOSE,
	T_COMMA,
	T_NOT,
	T_DEQ,
	T_EQ,
	T_GT,
	T_ID,
	T_IN,
	T_LT,
	T_NE,
	T_NOTIN,
	T_OPEN,
} ls_tok;

typedef struct ls_item {
	ls_tok tok;
	char *lit;
} ls_item;

static ls_tok keyword(const char *s)
{
	static const struct {
		const char *s;
		ls_tok t;
	} kw[] = {
		{ ")", T_CLOSE }, { ",", T_COMMA }, { "!", T_NOT }, { "==", T_DEQ },
		{ "=", T_EQ },    { ">", T_GT },    { "in", T_IN }, { "<", T_LT },
		{ "!=", T_NE },   { "notin", T_NOTIN }, { "(", T_OPEN },
	};
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strcmp(s, kw[i].s) == 0)
			return kw[i].t;
	return T_ERROR;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_special(char c)
{
	return c && strchr("=!(),><", c) != NULL;
}

/* Lexer.Lex: one token from *pp. */
static ls_item lex(const char **pp)
{
	const char *p = *pp;
	while (is_ws(*p))
		p++;
	ls_item it = { T_EOS, NULL };
	if (!*p) {
		it.lit = kb_xstrdup("");
	} else if (is_special(*p)) {
		/* scanSpecialSymbol: the longest run of specials that is
		 * still a token (only "!=" and "==" are longer than one). */
		kb_buf b = KB_BUF_INIT;
		ls_tok last = T_ERROR;
		size_t lastlen = 0;
		while (is_special(*p)) {
			kb_buf_putc(&b, *p);
			ls_tok t = keyword(b.data);
			if (t != T_ERROR) {
				last = t;
				lastlen = b.len;
			} else if (last != T_ERROR) {
				break;
			}
			p++;
		}
		if (last == T_ERROR) {
			it.tok = T_ERROR;
			it.lit = kb_xasprintf("error expected: keyword found '%s'", b.data);
		} else {
			it.tok = last;
			it.lit = kb_xstrndup(b.data, lastlen);
		}
		kb_buf_free(&b);
	} else {
		const char *s = p;
		while (*p && !is_special(*p) && !is_ws(*p))
			p++;
		it.lit = kb_xstrndup(s, (size_t)(p - s));
		ls_tok t = keyword(it.lit);
		it.tok = t != T_ERROR ? t : T_ID;
	}
	*pp = p;
	return it;
}

/* ---- parser ---- */

typedef struct ls_parser {
	ls_item *items;
	size_t n, cap, pos;
} ls_parser;

/* In the Values context "in" and "notin" are plain identifiers. */
static ls_tok ctx_tok(ls_tok t, bool values)
{
	return (values && (t == T_IN || t == T_NOTIN)) ? T_ID : t;
}

static ls_tok lookahead(ls_parser *p, bool values, const char **lit)
{
	if (lit)
		*lit = p->items[p->pos].lit;
	return ctx_tok(p->items[p->pos].tok, values);
}

static ls_tok consume(ls_parser *p, bool values, const char **lit)
{
	ls_tok t = lookahead(p, values, lit);
	if (p->pos + 1 < p->n) /* EOS is sticky */
		p->pos++;
	return t;
}

/* sets.String insert keeping the list sorted and unique. */
static void set_insert(kb_strv *sv, const char *s)
{
	size_t i = 0;
	while (i < sv->n && strcmp(sv->v[i], s) < 0)
		i++;
	if (i < sv->n && strcmp(sv->v[i], s) == 0)
		return;
	kb_strv_push(sv, s);
	char *last = sv->v[sv->n - 1];
	memmove(&sv->v[i + 1], &sv->v[i], (sv->n - 1 - i) * sizeof(char *));
	sv->v[i] = last;
}

/* Go's %q for the ASCII strings selectors hold. */
static void put_quoted(kb_buf *b, const char *s)
{
	kb_buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			kb_buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			kb_buf_puts(b, "\\n");
		else if (*p == '\t')
			kb_buf_puts(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			kb_buf_printf(b, "\\x%02x", *p);
		else
			kb_buf_putc(b, (char)*p);
	}
	kb_buf_putc(b, '"');
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$ */
static bool qualified_name_ok(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ */
static bool dns1123_subdomain_ok(const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			char c = s[i];
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
				return false;
			continue;
		}
		if (i == start || s[start] == '-' || s[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

#define QNAME_MSG                                                                              \
	"must consist of alphanumeric characters, '-', '_' or '.', and must start and end with " \
	"an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for " \
	"validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

/* validation.IsQualifiedName, errors joined by "; "; NULL when valid. */
static char *qualified_name_errors(const char *k)
{
	kb_strv errs = { 0 };
	const char *slash = strchr(k, '/');
	const char *name = k;
	if (slash && strchr(slash + 1, '/')) {
		kb_strv_push(&errs, "a qualified name " QNAME_MSG
			     " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
		goto out;
	}
	if (slash) {
		size_t pl = (size_t)(slash - k);
		name = slash + 1;
		if (pl == 0) {
			kb_strv_push(&errs, "prefix part must be non-empty");
		} else {
			if (pl > 253)
				kb_strv_push(&errs, "prefix part must be no more than 253 characters");
			if (!dns1123_subdomain_ok(k, pl))
				kb_strv_push(&errs,
					     "prefix part a DNS-1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
		}
	}
	size_t nl = strlen(name);
	if (nl == 0)
		kb_strv_push(&errs, "name part must be non-empty");
	else if (nl > 63)
		kb_strv_push(&errs, "name part must be no more than 63 characters");
	if (!qualified_name_ok(name, nl))
		kb_strv_push(&errs, "name part " QNAME_MSG);
out:;
	char *r = NULL;
	if (errs.n) {
		kb_buf b = KB_BUF_INIT;
		for (size_t i = 0; i < errs.n; i++) {
			if (i)
				kb_buf_puts(&b, "; ");
			kb_buf_puts(&b, errs.v[i]);
		}
		r = kb_buf_detach(&b);
	}
	kb_strv_free(&errs);
	return r;
}

static char *validate_key(const char *k)
{
	char *e = qualified_name_errors(k);
	if (!e)
		return NULL;
	kb_buf b = KB_BUF_INIT;
	kb_buf_puts(&b, "invalid label key ");
	put_quoted(&b, k);
	kb_buf_printf(&b, ": %s", e);
	free(e);
	return kb_buf_detach(&b);
}

static char *validate_value(const char *k, const char *v)
{
	size_t n = strlen(v);
	kb_strv errs = { 0 };
	if (n > 63)
		kb_strv_push(&errs, "must be no more than 63 characters");
	if (n && !qualified_name_ok(v, n))
		kb_strv_push(&errs,
			     "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
	if (!errs.n)
		return NULL;
	kb_buf b = KB_BUF_INIT;
	kb_buf_puts(&b, "invalid label value: ");
	put_quoted(&b, v);
	kb_buf_puts(&b, ": at key: ");
	put_quoted(&b, k);
	kb_buf_puts(&b, ": ");
	for (size_t i = 0; i < errs.n; i++)
		kb_buf_printf(&b, "%s%s", i ? "; " : "", errs.v[i]);
	kb_strv_free(&errs);
	return kb_buf_detach(&b);
}

/* NewRequirement; takes vals. */
static char *new_requirement(kb_labelsel *sel, const char *key, ls_op op, kb_strv *vals)
{
	char *e = validate_key(key);
	if (!e && (op == LS_GT || op == LS_LT)) {
		long long dummy;
		if (vals->n != 1)
			e = kb_xstrdup("for 'Gt', 'Lt' operators, exactly one value is required");
		else if (!kb_go_atoi(vals->v[0], &dummy))
			e = kb_xstrdup("for 'Gt', 'Lt' operators, the value must be an integer");
	}
	for (size_t i = 0; !e && i < vals->n; i++)
		e = validate_value(key, vals->v[i]);
	if (e) {
		kb_strv_free(vals);
		return e;
	}
	kb_grow((void **)&sel->reqs, &sel->cap, sel->n + 1, sizeof(ls_req));
	ls_req *r = &sel->reqs[sel->n++];
	r->key = kb_xstrdup(key);
	r->op = op;
	r->vals = *vals;
	memset(vals, 0, sizeof(*vals));
	return NULL;
}

/* parseIdentifiersList */
static char *parse_ident_list(ls_parser *p, kb_strv *s)
{
	for (;;) {
		const char *lit, *lit2;
		ls_tok t = consume(p, true, &lit);
		if (t == T_ID) {
			set_insert(s, lit);
			ls_tok t2 = lookahead(p, true, &lit2);
			if (t2 == T_COMMA)
				continue;
			if (t2 == T_CLOSE)
				return NULL;
			return kb_xasprintf("found '%s', expected: ',' or ')'", lit2);
		} else if (t == T_COMMA) {
			if (s->n == 0)
				set_insert(s, "");
			ls_tok t2 = lookahead(p, true, NULL);
			if (t2 == T_CLOSE) {
				set_insert(s, "");
				return NULL;
			}
			if (t2 == T_COMMA) {
				consume(p, true, NULL);
				set_insert(s, "");
			}
		} else {
			return kb_xasprintf("found '%s', expected: ',', or identifier", lit);
		}
	}
}

/* parseValues */
static char *parse_values(ls_parser *p, kb_strv *s)
{
	const char *lit;
	if (consume(p, true, &lit) != T_OPEN)
		return kb_xasprintf("found '%s' expected: '('", lit);
	ls_tok t = lookahead(p, true, &lit);
	if (t == T_ID || t == T_COMMA) {
		char *e = parse_ident_list(p, s);
		if (e)
			return e;
		/* Go reports the literal seen before the list here. */
		if (consume(p, true, NULL) != T_CLOSE)
			return kb_xasprintf("found '%s', expected: ')'", lit);
		return NULL;
	}
	if (t == T_CLOSE) {
		consume(p, true, NULL);
		set_insert(s, "");
		return NULL;
	}
	return kb_xasprintf("found '%s', expected: ',', ')' or identifier", lit);
}

/* parseExactValue */
static char *parse_exact(ls_parser *p, kb_strv *s)
{
	const char *lit;
	ls_tok t = lookahead(p, true, NULL);
	if (t == T_EOS || t == T_COMMA) {
		set_insert(s, "");
		return NULL;
	}
	if (consume(p, true, &lit) == T_ID) {
		set_insert(s, lit);
		return NULL;
	}
	return kb_xasprintf("found '%s', expected: identifier", lit);
}

/* parseRequirement, including parseKeyAndInferOperator and
 * parseOperator. */
static char *parse_requirement(ls_parser *p, kb_labelsel *sel)
{
	const char *key;
	bool not = false;
	ls_tok t = consume(p, true, &key);
	if (t == T_NOT) {
		not = true;
		t = consume(p, true, &key);
	}
	if (t != T_ID)
		return kb_xasprintf("found '%s', expected: identifier", key);
	char *e = validate_key(key);
	if (e)
		return e;
	kb_strv vals = { 0 };
	ls_tok la = lookahead(p, true, NULL);
	if (not)
		return new_requirement(sel, key, LS_NOT_EXISTS, &vals);
	if (la == T_EOS || la == T_COMMA)
		return new_requirement(sel, key, LS_EXISTS, &vals);

	const char *lit;
	ls_op op;
	switch (consume(p, false, &lit)) {
	case T_IN: op = LS_IN; break;
	case T_NOTIN: op = LS_NOTIN; break;
	case T_EQ:
	case T_DEQ: op = LS_EQ; break;
	case T_NE: op = LS_NE; break;
	case T_GT: op = LS_GT; break;
	case T_LT: op = LS_LT; break;
	default:
		return kb_xasprintf("found '%s', expected: '=', '!=', '==', 'in', notin'", lit);
	}
	e = (op == LS_IN || op == LS_NOTIN) ? parse_values(p, &vals) : parse_exact(p, &vals);
	if (e) {
		kb_strv_free(&vals);
		return e;
	}
	return new_requirement(sel, key, op, &vals);
}

static char *parse_selector(ls_parser *p, kb_labelsel *sel)
{
	for (;;) {
		const char *lit;
		ls_tok t = lookahead(p, true, &lit);
		if (t == T_EOS)
			return NULL;
		if (t != T_ID && t != T_NOT)
			return kb_xasprintf("found '%s', expected: !, identifier, or 'end of string'", lit);
		char *e = parse_requirement(p, sel);
		if (e) {
			char *m = kb_xasprintf("unable to parse requirement: %s", e);
			free(e);
			return m;
		}
		t = consume(p, true, &lit);
		if (t == T_EOS)
			return NULL;
		if (t != T_COMMA)
			return kb_xasprintf("found '%s', expected: ',' or 'end of string'", lit);
		t = lookahead(p, true, &lit);
		if (t != T_ID && t != T_NOT)
			return kb_xasprintf("found '%s', expected: identifier after ','", lit);
	}
}

kb_error *kb_labelsel_parse(const char *text, kb_labelsel **out)
{
	*out = NULL;
	ls_parser p = { 0 };
	const char *s = text ? text : "";
	for (;;) {
		ls_item it = lex(&s);
		kb_grow((void **)&p.items, &p.cap, p.n + 1, sizeof(ls_item));
		p.items[p.n++] = it;
		if (it.tok == T_EOS)
			break;
	}
	kb_labelsel *sel = kb_xcalloc(1, sizeof(*sel));
	char *e = parse_selector(&p, sel);
	for (size_t i = 0; i < p.n; i++)
		free(p.items[i].lit);
	free(p.items);
	if (e) {
		kb_labelsel_free(sel);
		kb_error *err = kb_error_new(NULL, 0, 0, "%s", e);
		free(e);
		return err;
	}
	*out = sel;
	return NULL;
}

/* labels.Set lookup: kyaml's GetLabels keeps each value node's text, which
 * is "" for a collection. */
static const char *label_get(const kb_node *map, const char *key)
{
	const kb_node *v = kb_map_get(map, key);
	if (!v)
		return NULL;
	return kb_node_is_scalar(v) ? v->str : "";
}

static bool has_value(const ls_req *r, const char *v)
{
	return kb_strv_contains(&r->vals, v);
}

bool kb_labelsel_match(const kb_labelsel *s, const kb_node *map)
{
	if (!s)
		return true;
	if (map && map->kind != KB_MAP)
		map = NULL;
	for (size_t i = 0; i < s->n; i++) {
		const ls_req *r = &s->reqs[i];
		const char *v = label_get(map, r->key);
		bool ok;
		switch (r->op) {
		case LS_IN:
		case LS_EQ:
			ok = v && has_value(r, v);
			break;
		case LS_NOTIN:
		case LS_NE:
			ok = !v || !has_value(r, v);
			break;
		case LS_EXISTS:
			ok = v != NULL;
			break;
		case LS_NOT_EXISTS:
			ok = v == NULL;
			break;
		case LS_GT:
		case LS_LT: {
			long long have, want;
			ok = v && kb_go_atoi(v, &have) && kb_go_atoi(r->vals.v[0], &want) &&
			     (r->op == LS_GT ? have > want : have < want);
			break;
		}
		default:
			ok = false;
		}
		if (!ok)
			return false;
	}
	return true;
}

/* ==== target selectors ==== */

enum { F_GROUP, F_VERSION, F_KIND, F_NAME, F_NAMESPACE, F_COUNT };

static const char *const field_names[F_COUNT] = { "group", "version", "kind", "name", "namespace" };

typedef struct sel_field {
	char *text;       /* NULL when empty: matches anything */
	pcre2_code *re;   /* NULL in literal mode */
} sel_field;

struct kb_selector {
	sel_field f[F_COUNT];
	kb_labelsel *labels;
	kb_labelsel *annotations;
};

void kb_selector_free(kb_selector *s)
{
	if (!s)
		return;
	for (int i = 0; i < F_COUNT; i++) {
		free(s->f[i].text);
		pcre2_code_free(s->f[i].re);
	}
	kb_labelsel_free(s->labels);
	kb_labelsel_free(s->annotations);
	free(s);
}

/* Reads an optional string field; *val is NULL for absent, null or "". */
static kb_error *spec_str(const kb_node *spec, const char *key, const char *file,
			  const char **val, const kb_node **node)
{
	*val = NULL;
	*node = NULL;
	kb_pair *p = kb_map_get_pair(spec, key);
	if (!p || !p->val || p->val->kind == KB_NULL)
		return NULL;
	if (p->val->kind != KB_STR)
		return kb_error_new(file, p->val->line, p->val->col,
				    "selector field '%s' must be a string", key);
	*node = p->val;
	if (p->val->len)
		*val = p->val->str;
	return NULL;
}

static kb_error *compile_field(sel_field *f, const char *key, const char *pat,
			       const kb_node *at, const char *file)
{
	/* anchorRegex in api/types/selector.go */
	char *anchored = kb_xasprintf("^(?:%s)$", pat);
	int code;
	PCRE2_SIZE off;
	f->re = pcre2_compile((PCRE2_SPTR)anchored, PCRE2_ZERO_TERMINATED,
			      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY, &code, &off,
			      NULL);
	free(anchored);
	if (f->re)
		return NULL;
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(code, msg, sizeof(msg));
	/* off counts from the start of the anchored text; "^(?:" is 4. */
	size_t col = off >= 4 ? off - 4 : 0;
	return kb_error_new(file, at->line, at->col,
			    "invalid regular expression in selector %s '%s': %s at offset %zu", key,
			    pat, (const char *)msg, col);
}

static kb_error *selector_compile(const kb_node *spec, const char *file, bool literal,
				  kb_selector **out)
{
	*out = NULL;
	kb_selector *s = kb_xcalloc(1, sizeof(*s));
	kb_error *e = NULL;
	if (spec && spec->kind != KB_MAP && spec->kind != KB_NULL) {
		e = kb_error_new(file, spec->line, spec->col, "a selector must be a map");
		goto fail;
	}
	for (int i = 0; i < F_COUNT; i++) {
		const char *v;
		const kb_node *at;
		if ((e = spec_str(spec, field_names[i], file, &v, &at)))
			goto fail;
		if (!v)
			continue;
		s->f[i].text = kb_xstrdup(v);
		if (!literal && (e = compile_field(&s->f[i], field_names[i], v, at, file)))
			goto fail;
	}
	static const char *const lkeys[2] = { "labelSelector", "annotationSelector" };
	for (int i = 0; i < 2; i++) {
		const char *v;
		const kb_node *at;
		if ((e = spec_str(spec, lkeys[i], file, &v, &at)))
			goto fail;
		if (!v)
			continue;
		kb_labelsel *ls = NULL;
		kb_error *le = kb_labelsel_parse(v, &ls);
		if (le) {
			e = kb_error_new(file, at->line, at->col, "invalid %s '%s': %s", lkeys[i], v,
					 le->primary.msg);
			kb_error_free(le);
			goto fail;
		}
		if (i == 0)
			s->labels = ls;
		else
			s->annotations = ls;
	}
	*out = s;
	return NULL;
fail:
	kb_selector_free(s);
	return e;
}

kb_error *kb_selector_compile(const kb_node *spec, const char *file, kb_selector **out)
{
	return selector_compile(spec, file, false, out);
}

kb_error *kb_selector_compile_literal(const kb_node *spec, const char *file, kb_selector **out)
{
	return selector_compile(spec, file, true, out);
}

const char *kb_effective_namespace(const char *ns, bool cluster_scoped)
{
	/* resid.EffectiveNamespace: the order of the checks matters. */
	if (cluster_scoped)
		return KB_NS_CLUSTER;
	if (kb_str_empty(ns) || strcmp(ns, "default") == 0)
		return "default";
	return ns;
}

static bool field_match(const sel_field *f, const char *v)
{
	if (!f->text)
		return true;
	if (!v)
		v = "";
	if (!f->re)
		return strcmp(f->text, v) == 0;
	/* Match data per call: compiled selectors are shared read-only. */
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(f->re, NULL);
	if (!md)
		return false;
	int rc = pcre2_match(f->re, (PCRE2_SPTR)v, strlen(v), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

bool kb_selector_match_gvk(const kb_selector *s, const char *group, const char *version,
			   const char *kind)
{
	return field_match(&s->f[F_GROUP], group) && field_match(&s->f[F_VERSION], version) &&
	       field_match(&s->f[F_KIND], kind);
}

bool kb_selector_match_name(const kb_selector *s, const char *name)
{
	return field_match(&s->f[F_NAME], name);
}

bool kb_selector_match_namespace(const kb_selector *s, const char *ns)
{
	return field_match(&s->f[F_NAMESPACE], kb_effective_namespace(ns, false));
}

bool kb_selector_match_labels(const kb_selector *s, const kb_node *labels,
			      const kb_node *annotations)
{
	return kb_labelsel_match(s->labels, labels) &&
	       kb_labelsel_match(s->annotations, annotations);
}

bool kb_selector_match(const kb_selector *s, const char *group, const char *version,
		       const char *kind, const char *name, const char *ns,
		       const kb_node *labels, const kb_node *annotations)
{
	return kb_selector_match_namespace(s, ns) && kb_selector_match_name(s, name) &&
	       kb_selector_match_gvk(s, group, version, kind) &&
	       kb_selector_match_labels(s, labels, annotations);
}
