/*
 * replace.c - kustomize's `replacements` (api/filters/replacement,
 * api/internal/builtins/ReplacementTransformer.go, kustomize v5.5.0).
 *
 * A replacement reads one value from one resource (the source selector
 * must match exactly one) and writes it into fields of every resource its
 * targets select.  Field paths are kyaml's: split by
 * utils.SmarterPathSplitter, the source read with yaml.Lookup (PathGetter:
 * exact `[k=v]` matches, indices, `-`, no wildcard) and targets found with
 * yaml.PathMatcher (`[k=v]` is an unanchored regular expression, `*`
 * visits every element, and with options.create missing parts are made).
 *
 * Typing follows what kustomize ends up printing: writing into an existing
 * scalar copies only the text and keeps the node's YAML tag, so a string
 * stays a string, a number must still parse as one (else the later
 * round trip through JSON fails, as kustomize's does), and a node created
 * by the replacement has no tag, so its text is typed afresh.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "replace.h"
#include "kustfile.h"

#include "parse.h"
#include "select.h"
#include "util.h"
#include "suggest.h"

#include <errno.h>
#include <limits.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

/* ==== field paths ==== */

/* strings.Trim(s, "[]") */
static char *trim_brackets(const char *s)
{
	while (*s == '[' || *s == ']')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == '[' || s[n - 1] == ']'))
		n--;
	return kb_xstrndup(s, n);
}

void kb_replace_split_path(const char *path, kb_strv *out)
{
	/* utils.PathSplitter: split on '.', drop one leading empty element,
	 * then glue "a\" + "b" back into "a.b". */
	kb_strv ps = { 0 };
	for (const char *p = path;;) {
		const char *dot = strchr(p, '.');
		kb_strv_push_owned(&ps, dot ? kb_xstrndup(p, (size_t)(dot - p)) : kb_xstrdup(p));
		if (!dot)
			break;
		p = dot + 1;
	}
	size_t start = ps.n > 1 && ps.v[0][0] == '\0' ? 1 : 0;
	kb_strv res = { 0 };
	for (size_t i = start; i < ps.n; i++) {
		if (res.n && kb_str_has_suffix(res.v[res.n - 1], "\\")) {
			char *last = res.v[res.n - 1];
			last[strlen(last) - 1] = '\0';
			res.v[res.n - 1] = kb_xasprintf("%s.%s", last, ps.v[i]);
			free(last);
		} else {
			kb_strv_push(&res, ps.v[i]);
		}
	}
	kb_strv_free(&ps);

	/* SmarterPathSplitter: a "[" element runs to the next one ending in
	 * "]"; with an "=" it stays a list-entry match, else it is a key. */
	for (size_t i = 0; i < res.n; i++) {
		const char *el = res.v[i];
		if (el[0] != '[' || kb_str_has_suffix(el, "]")) {
			kb_strv_push(out, el);
			continue;
		}
		kb_buf b = KB_BUF_INIT;
		kb_buf_puts(&b, el);
		while (i + 1 < res.n) {
			i++;
			kb_buf_putc(&b, '.');
			kb_buf_puts(&b, res.v[i]);
			if (kb_str_has_suffix(res.v[i], "]"))
				break;
		}
		char *joined = kb_buf_detach(&b);
		if (strchr(joined, '=')) {
			kb_strv_push_owned(out, joined);
		} else {
			kb_strv_push_owned(out, trim_brackets(joined));
			free(joined);
		}
	}
	kb_strv_free(&res);
}

static bool is_list_index(const char *p)
{
	return p[0] == '[' && kb_str_has_suffix(p, "]");
}

static bool is_idx_number(const char *p)
{
	long long v;
	return kb_go_atoi(p, &v) && v >= 0;
}

/* yaml.SplitIndexNameValue: "[name=value]" -> name, value. */
static bool split_index(const char *p, char **name, char **value)
{
	size_t n = strlen(p);
	const char *s = p + 1;
	size_t len = n >= 2 ? n - 2 : 0;
	const char *eq = memchr(s, '=', len);
	if (!eq)
		return false;
	*name = kb_xstrndup(s, (size_t)(eq - s));
	*value = kb_xstrndup(eq + 1, len - (size_t)(eq - s) - 1);
	return true;
}

static const char *node_kind_name(const kb_node *n)
{
	switch (n->kind) {
	case KB_MAP:
		return "MappingNode";
	case KB_SEQ:
		return "SequenceNode";
	default:
		return "ScalarNode";
	}
}

/* kyaml's InvalidNodeKindError, without the node dump for collections. */
static char *wrong_kind(const char *want, const kb_node *n)
{
	if (kb_node_is_scalar(n))
		return kb_xasprintf("wrong node kind: expected %s but got %s: node contents:\n%s",
				    want, node_kind_name(n), kb_node_text(n));
	return kb_xasprintf("wrong node kind: expected %s but got %s", want, node_kind_name(n));
}

/* The text kyaml compares (yaml.Node.Value): what was written, "" for
 * collections. */
static const char *node_value(const kb_node *n)
{
	return kb_node_is_scalar(n) ? kb_node_text(n) : "";
}

/* ==== source lookup: yaml.Lookup (PathGetter without create) ==== */

static kb_node *elem_match(const kb_node *seq, const char *name, const char *value)
{
	for (size_t i = 0; i < seq->n; i++) {
		kb_node *el = seq->items[i];
		if (!*name) {
			if (kb_node_is_scalar(el) && strcmp(node_value(el), value) == 0)
				return el;
			continue;
		}
		if (el->kind != KB_MAP)
			continue;
		kb_node *f = kb_map_get(el, name);
		if (f && strcmp(node_value(f), value) == 0)
			return el;
	}
	return NULL;
}

kb_error *kb_replace_lookup(kb_node *root, const char *path, kb_node **out)
{
	*out = NULL;
	kb_strv parts = { 0 };
	kb_replace_split_path(path, &parts);
	kb_node *cur = root;
	char *err = NULL;
	for (size_t i = 0; cur && !err && i < parts.n; i++) {
		/* cleanPath: parts are trimmed and empty ones skipped. */
		const char *raw = parts.v[i];
		while (*raw == ' ' || *raw == '\t' || *raw == '\n' || *raw == '\r')
			raw++;
		size_t n = strlen(raw);
		while (n && (raw[n - 1] == ' ' || raw[n - 1] == '\t' || raw[n - 1] == '\n' ||
			     raw[n - 1] == '\r'))
			n--;
		if (!n)
			continue;
		char *part = kb_xstrndup(raw, n);
		long long idx = 0;
		if (kb_go_atoi(part, &idx) || strcmp(part, "-") == 0) {
			bool last = part[0] == '-' && part[1] == '\0';
			if (!last && idx < 0) {
				err = kb_xasprintf("array index %lld cannot be negative", idx);
			} else if (cur->kind == KB_NULL) {
				cur = NULL;
			} else if (cur->kind != KB_SEQ) {
				err = wrong_kind("SequenceNode", cur);
			} else if (last) {
				cur = cur->n ? cur->items[cur->n - 1] : NULL;
			} else {
				cur = (unsigned long long)idx < cur->n ? cur->items[idx] : NULL;
			}
		} else if (strcmp(part, "*") == 0) {
			err = kb_xstrdup("wildcard is not supported in PathGetter");
		} else if (is_list_index(part)) {
			char *name, *value;
			if (!split_index(part, &name, &value)) {
				err = kb_xstrdup("list path element must contain fieldName=fieldValue "
						 "for element to match");
			} else {
				if (cur->kind == KB_NULL)
					cur = NULL;
				else if (cur->kind != KB_SEQ)
					err = wrong_kind("SequenceNode", cur);
				else
					cur = elem_match(cur, name, value);
				free(name);
				free(value);
			}
		} else if (cur->kind == KB_NULL) {
			cur = NULL;
		} else if (cur->kind != KB_MAP) {
			err = wrong_kind("MappingNode", cur);
		} else {
			cur = kb_map_get(cur, part);
		}
		free(part);
	}
	kb_strv_free(&parts);
	if (err) {
		kb_error *e = kb_error_new(NULL, 0, 0, "%s", err);
		free(err);
		return e;
	}
	*out = cur;
	return NULL;
}

/* ==== target paths: yaml.PathMatcher ==== */

typedef struct pm_hit {
	kb_node *node;
	bool fresh; /* created by this walk: no YAML tag yet */
} pm_hit;

typedef struct pm {
	bool create;
	kb_kind create_kind; /* the value's kind, for a created leaf */
	pm_hit *hits;
	size_t n, cap;
	char *err;
} pm;

static void pm_add(pm *p, kb_node *n, bool fresh)
{
	kb_grow((void **)&p->hits, &p->cap, p->n + 1, sizeof(*p->hits));
	p->hits[p->n].node = n;
	p->hits[p->n].fresh = fresh;
	p->n++;
}

/* getPathPartKind: what to create for a part, given the part after it. */
static kb_node *new_part(const char *next, kb_kind leaf)
{
	if (!next)
		return kb_node_new(leaf == KB_MAP || leaf == KB_SEQ ? leaf : KB_NULL);
	if (is_list_index(next) || is_idx_number(next))
		return kb_node_new(KB_SEQ);
	return kb_node_new(KB_MAP);
}

static bool pm_filter(pm *p, kb_node *rn, char **path, size_t np, bool fresh);

/* Go regexp semantics are RE2's; PCRE2 accepts that syntax.  Unanchored,
 * as regexp.MatchString is. */
static pcre2_code *compile_regex(const char *pat, char **err)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
				       PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof(msg));
		*err = kb_xasprintf("error parsing regexp '%s': %s", pat, (const char *)msg);
	}
	return re;
}

static bool regex_match(const pcre2_code *re, const char *s)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!md)
		return false;
	int rc = pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

/* One pass of doSeq over rn's elements; returns false on error. */
static bool pm_seq_pass(pm *p, kb_node *rn, const char *field, const pcre2_code *re, char **path,
			size_t np, const kb_node *created)
{
	for (size_t i = 0; i < rn->n; i++) {
		kb_node *el = rn->items[i];
		if (!*field) {
			/* visitPrimitiveElem matches and returns the element
			 * itself; the rest of the path is not walked. */
			if (kb_node_is_scalar(el) && regex_match(re, node_value(el)))
				pm_add(p, el, el == created);
			continue;
		}
		if (el->kind != KB_MAP)
			continue;
		kb_node *f = kb_map_get(el, field);
		if (!f || !kb_node_is_scalar(f) || !regex_match(re, node_value(f)))
			continue;
		if (!pm_filter(p, el, path + 1, np - 1, false))
			return false;
	}
	return true;
}

static bool pm_seq(pm *p, kb_node *rn, char **path, size_t np)
{
	char *field, *value;
	if (!split_index(path[0], &field, &value)) {
		p->err = kb_xstrdup("list path element must contain fieldName=fieldValue for "
				    "element to match");
		return false;
	}
	bool ok = false;
	pcre2_code *re = compile_regex(value, &p->err);
	if (!re)
		goto out;
	if (rn->kind == KB_NULL) {
		if (!p->create) {
			ok = true;
			goto out;
		}
		kb_node_replace(rn, kb_node_new(KB_SEQ));
	}
	if (rn->kind != KB_SEQ) {
		p->err = wrong_kind("SequenceNode", rn);
		goto out;
	}
	size_t before = p->n;
	if (!pm_seq_pass(p, rn, field, re, path, np, NULL))
		goto out;
	if (p->n > before || !p->create) {
		ok = true;
		goto out;
	}
	/* Nothing matched: append an element that the pattern should find,
	 * then search again.  kustomize searches until it finds one, which
	 * never ends when the pattern does not match its own text. */
	char *canon;
	kb_kind k = kb_scalar_resolve(value, strlen(value), &canon);
	kb_node *v = k == KB_STR ? kb_node_new_str(value) : kb_node_new_scalar(k, canon);
	if (k != KB_STR && strcmp(canon, value) != 0)
		v->raw = kb_xstrdup(value);
	free(canon);
	kb_node *el;
	if (*field) {
		el = kb_node_new(KB_MAP);
		kb_map_set(el, field, v);
	} else {
		el = v;
	}
	kb_seq_push(rn, el);
	if (!pm_seq_pass(p, rn, field, re, path, np, el))
		goto out;
	if (p->n == before) {
		p->err = kb_xasprintf("failed to create element for \"%s\": the created element "
				      "does not match", path[0]);
		goto out;
	}
	ok = true;
out:
	pcre2_code_free(re);
	free(field);
	free(value);
	return ok;
}

static bool pm_index(pm *p, kb_node *rn, char **path, size_t np)
{
	long long idx = 0;
	kb_go_atoi(path[0], &idx);
	if (rn->kind == KB_NULL && p->create)
		kb_node_replace(rn, kb_node_new(KB_SEQ));
	size_t n = 0;
	if (rn->kind == KB_SEQ) {
		n = rn->n;
	} else if (rn->kind != KB_NULL) {
		p->err = wrong_kind("SequenceNode", rn);
		return false;
	}
	bool fresh = false;
	if ((unsigned long long)idx == n && p->create) {
		kb_seq_push(rn, new_part(np > 1 ? path[1] : NULL, p->create_kind));
		n++;
		fresh = true;
	}
	if ((unsigned long long)idx >= n) {
		p->err = kb_xasprintf("index %lld specified but only %zu elements found", idx, n);
		return false;
	}
	return pm_filter(p, rn->items[idx], path + 1, np - 1, fresh);
}

static bool pm_field(pm *p, kb_node *rn, char **path, size_t np)
{
	if (rn->kind == KB_NULL) {
		/* FieldMatcher never matches inside null. */
		if (!p->create)
			return true;
		kb_node_replace(rn, kb_node_new(KB_MAP));
	}
	if (rn->kind != KB_MAP) {
		p->err = wrong_kind("MappingNode", rn);
		return false;
	}
	kb_node *f = kb_map_get(rn, path[0]);
	bool fresh = false;
	if (!f) {
		if (!p->create)
			return true;
		f = kb_map_set(rn, path[0], new_part(np > 1 ? path[1] : NULL, p->create_kind));
		fresh = true;
	}
	return pm_filter(p, f, path + 1, np - 1, fresh);
}

static bool pm_filter(pm *p, kb_node *rn, char **path, size_t np, bool fresh)
{
	if (np == 0) {
		pm_add(p, rn, fresh);
		return true;
	}
	if (is_idx_number(path[0]))
		return pm_index(p, rn, path, np);
	if (is_list_index(path[0]))
		return pm_seq(p, rn, path, np);
	if (strcmp(path[0], "*") == 0) {
		if (rn->kind == KB_NULL)
			return true;
		if (rn->kind != KB_SEQ) {
			p->err = wrong_kind("SequenceNode", rn);
			return false;
		}
		for (size_t i = 0; i < rn->n; i++)
			if (!pm_filter(p, rn->items[i], path + 1, np - 1, false))
				return false;
		return true;
	}
	return pm_field(p, rn, path, np);
}

/* ==== writing values (setFieldValue) ==== */

static const char *tag_name(kb_kind k)
{
	switch (k) {
	case KB_NULL:
		return "!!null";
	case KB_BOOL:
		return "!!bool";
	case KB_INT:
		return "!!int";
	case KB_FLOAT:
		return "!!float";
	case KB_MAP:
		return "!!map";
	case KB_SEQ:
		return "!!seq";
	default:
		return "!!str";
	}
}

/* Makes n the scalar `text` typed as `kind`. */
static void set_scalar(kb_node *n, kb_kind kind, const char *text, const char *canon)
{
	kb_node *v;
	if (kind == KB_STR)
		v = kb_node_new_str(text);
	else if (kind == KB_NULL && !*text)
		v = kb_node_new_scalar(KB_NULL, "");
	else
		v = kb_node_new_scalar(kind, canon);
	if (kind != KB_STR && *text && strcmp(canon, text) != 0)
		v->raw = kb_xstrdup(text);
	unsigned line = n->line, col = n->col;
	kb_node_replace(n, v);
	n->line = line;
	n->col = col;
}

/*
 * The scalar target keeps its tag and takes the new text.  What kustomize
 * prints then depends on the YAML round trip: a string tag stays a
 * string, a numeric tag needs text of that type (an int fits a float), an
 * untagged (created) node is typed from its text, anything else fails to
 * decode.
 */
static char *set_scalar_text(kb_node *t, bool fresh, const char *text, size_t len)
{
	if (!fresh && t->kind == KB_STR) {
		/* by length: the text may hold NUL bytes */
		unsigned line = t->line, col = t->col;
		kb_node_replace(t, kb_node_new_strn(text, len));
		t->line = line;
		t->col = col;
		return NULL;
	}
	char *canon;
	kb_kind k = kb_scalar_resolve(text, strlen(text), &canon);
	char *err = NULL;
	char *ts = fresh && k == KB_STR ? kb_timestamp_rfc3339(text) : NULL;
	if (ts) {
		/* a created node has no tag: goyaml reads the text again, and
		 * a timestamp prints in its RFC 3339 form (the text stays in
		 * raw, as the parser keeps it) */
		kb_node *v = kb_node_new_str(ts);
		if (strcmp(ts, text) != 0)
			v->raw = kb_xstrdup(text);
		unsigned line = t->line, col = t->col;
		kb_node_replace(t, v);
		t->line = line;
		t->col = col;
		free(ts);
	} else if (fresh || k == t->kind)
		set_scalar(t, k, text, canon);
	else if (t->kind == KB_FLOAT && k == KB_INT)
		set_scalar(t, KB_FLOAT, text, canon);
	else
		err = kb_xasprintf("map[string]interface {}(nil): yaml: cannot decode %s `%s` as "
				   "a %s",
				   tag_name(k), text, tag_name(t->kind));
	free(canon);
	return err;
}

typedef struct opts {
	const char *delimiter; /* NULL when unset or "" */
	long long index;
	bool create;
} opts;

/* strings.Split, which keeps empty fields. */
static void split_str(const char *s, const char *sep, kb_strv *out)
{
	size_t sl = strlen(sep);
	for (;;) {
		const char *hit = strstr(s, sep);
		if (!hit) {
			kb_strv_push(out, s);
			return;
		}
		kb_strv_push_owned(out, kb_xstrndup(s, (size_t)(hit - s)));
		s = hit + sl;
	}
}

static char *join_str(const kb_strv *v, const char *sep)
{
	kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			kb_buf_puts(&b, sep);
		kb_buf_puts(&b, v->v[i]);
	}
	return kb_buf_detach(&b);
}

static char *set_field_value(const opts *o, kb_node *t, bool fresh, const kb_node *value)
{
	char *text = NULL;
	if (o->delimiter) {
		if (!kb_node_is_scalar(t))
			return kb_xstrdup("delimiter option can only be used with scalar nodes");
		kb_strv tv = { 0 };
		/* A created node has no text yet. */
		split_str(fresh ? "" : kb_node_text(t), o->delimiter, &tv);
		const char *v = value->kind == KB_NULL ? "" : node_value(value);
		if (o->index < 0) {
			kb_strv pre = { 0 };
			kb_strv_push(&pre, v);
			for (size_t i = 0; i < tv.n; i++)
				kb_strv_push(&pre, tv.v[i]);
			kb_strv_free(&tv);
			tv = pre;
		} else if ((unsigned long long)o->index >= tv.n) {
			kb_strv_push(&tv, v);
		} else {
			free(tv.v[o->index]);
			tv.v[o->index] = kb_xstrdup(v);
		}
		text = join_str(&tv, o->delimiter);
		kb_strv_free(&tv);
	}
	char *err = NULL;
	if (kb_node_is_scalar(t)) {
		const char *nv = text ? text : node_value(value);
		size_t nl = text ? strlen(text)
			    : (kb_node_is_scalar(value) && !value->raw ? value->len : strlen(nv));
		err = set_scalar_text(t, fresh, nv, nl);
	} else if (text) {
		/* A collection target cannot get here with a delimiter. */
		set_scalar(t, KB_STR, text, text);
	} else {
		unsigned line = t->line, col = t->col;
		kb_node_replace(t, kb_node_clone(value));
		t->line = line;
		t->col = col;
	}
	free(text);
	return err;
}

/* ==== replacement specs ==== */

typedef struct spec {
	const kb_node *node; /* one replacement: {source, targets} */
	const char *file;
	bool strict;         /* from a kustomization: unknown fields are errors */
} spec;

static kb_error *spec_err(const spec *s, const kb_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static kb_error *spec_err(const spec *s, const kb_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (!at)
		at = s->node;
	kb_error *e = kb_error_newv(s->file, at ? at->line : 0, at ? at->col : 0, fmt, ap);
	va_end(ap);
	return e;
}

/* Kustomization files are decoded strictly (json: unknown field). */
static kb_error *check_keys(const spec *s, const kb_node *map, const char *const *keys)
{
	if (!s->strict || !map || map->kind != KB_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		bool known = false;
		for (const char *const *k = keys; *k && !known; k++)
			known = strcmp(*k, map->pairs[i].key) == 0;
		if (!known) {
			char *hint = kb_suggest_among(map->pairs[i].key, keys);
			kb_error *e = kb_error_new(s->file, map->pairs[i].line, map->pairs[i].col,
						   "json: unknown field \"%s\"%s", map->pairs[i].key,
						   hint);
			free(hint);
			return e;
		}
	}
	return NULL;
}

static const char *const k_replacement[] = { "source", "targets", "path", NULL };
static const char *const k_source[] = { "group", "version", "kind", "name", "namespace",
					"fieldPath", "options", NULL };
static const char *const k_target[] = { "select", "reject", "fieldPaths", "options", NULL };
static const char *const k_selector[] = { "group", "version", "kind", "name", "namespace",
					  "labelSelector", "annotationSelector", NULL };
static const char *const k_options[] = { "delimiter", "index", "encoding", "create", NULL };
static const char *const k_resid[] = { "group", "version", "kind", "name", "namespace", NULL };

static bool is_null(const kb_node *n)
{
	return !n || n->kind == KB_NULL;
}

/* A string field of a Go struct: absent or null is "". */
static kb_error *get_str(const spec *s, const kb_node *map, const char *key, const char **out)
{
	*out = "";
	const kb_node *v = kb_map_get(map, key);
	if (is_null(v))
		return NULL;
	if (v->kind != KB_STR)
		return spec_err(s, v, "json: cannot unmarshal %s into Go struct field '%s' of type "
				"string",
				kb_node_is_scalar(v) ? "number" : "object", key);
	*out = v->str;
	return NULL;
}

static kb_error *need_map(const spec *s, const kb_node *n, const char *what)
{
	if (is_null(n) || n->kind == KB_MAP)
		return NULL;
	return spec_err(s, n, "json: cannot unmarshal %s into Go struct field '%s' of type object",
			n->kind == KB_SEQ ? "array" : "value", what);
}

static kb_error *read_opts(const spec *s, const kb_node *n, opts *o)
{
	memset(o, 0, sizeof(*o));
	if (is_null(n))
		return NULL;
	kb_error *e;
	if ((e = need_map(s, n, "options")) || (e = check_keys(s, n, k_options)))
		return e;
	const char *d;
	if ((e = get_str(s, n, "delimiter", &d)))
		return e;
	o->delimiter = *d ? d : NULL;
	const char *enc;
	if ((e = get_str(s, n, "encoding", &enc)))
		return e;
	const kb_node *v = kb_map_get(n, "index");
	if (!is_null(v)) {
		if (v->kind != KB_INT || !kb_go_atoi(v->str, &o->index) || o->index < INT_MIN ||
		    o->index > INT_MAX)
			return spec_err(s, v, "json: cannot unmarshal %s into Go struct field "
					"FieldOptions.index of type int",
					v->kind == KB_STR ? "string" : "value");
	}
	v = kb_map_get(n, "create");
	if (!is_null(v)) {
		if (v->kind != KB_BOOL)
			return spec_err(s, v, "json: cannot unmarshal %s into Go struct field "
					"FieldOptions.create of type bool",
					v->kind == KB_STR ? "string" : "value");
		o->create = strcmp(v->str, "true") == 0;
	}
	return NULL;
}

/* FieldOptions.String */
static void opts_string(const opts *o, kb_buf *b)
{
	if (!o->delimiter && !o->create)
		return;
	kb_buf_printf(b, ":%s(%lld), create=%s", o->delimiter ? o->delimiter : "", o->index,
		      o->create ? "true" : "false");
}

/* resid.ResId.String of a selector: "Kind.version.group/name.namespace". */
static void resid_string(const kb_node *sel, kb_buf *b)
{
	const char *g = kb_map_get_str(sel, "group"), *v = kb_map_get_str(sel, "version");
	const char *k = kb_map_get_str(sel, "kind"), *n = kb_map_get_str(sel, "name");
	const char *ns = kb_map_get_str(sel, "namespace");
	kb_buf_printf(b, "%s.%s.%s/%s.%s", kb_str_empty(k) ? "[noKind]" : k,
		      kb_str_empty(v) ? "[noVer]" : v, kb_str_empty(g) ? "[noGrp]" : g,
		      kb_str_empty(n) ? "[noName]" : n, kb_str_empty(ns) ? "[noNs]" : ns);
}

/* Whether any of the given string fields is set (ResId.IsEmpty etc.). */
static bool has_any(const kb_node *sel, const char *const *keys)
{
	for (const char *const *k = keys; *k; k++)
		if (!kb_str_empty(kb_map_get_str(sel, *k)))
			return true;
	return false;
}

/* Compiles a selector's fields literally; `keys` limits which fields
 * count (a source selector has no label selectors). */
static kb_error *compile_sel(const spec *s, const kb_node *sel, const char *const *keys,
			     kb_selector **out)
{
	kb_error *e;
	const char *tmp;
	for (const char *const *k = keys; *k; k++)
		if ((e = get_str(s, sel, *k, &tmp)))
			return e;
	kb_node *only = kb_node_new(KB_MAP);
	for (const char *const *k = keys; *k; k++) {
		const kb_node *v = kb_map_get(sel, *k);
		if (v)
			kb_map_set(only, *k, kb_node_clone(v));
	}
	e = kb_selector_compile_literal(only, s->file, out);
	kb_node_free(only);
	return e;
}

/* The ids a replacement selects by (utils.MakeResIds): the current one,
 * then one per earlier name, with the current apiVersion.  kustomize
 * builds these Gvks without the schema, so cluster-scoped objects have an
 * ordinary effective namespace here. */
static bool ids_match(const kb_selector *sel, const kb_resource *r)
{
	char *group, *version;
	kb_split_apiversion(kb_res_apiversion(r), &group, &version);
	bool hit = kb_selector_match_gvk(sel, group, version, kb_res_kind(r)) &&
		   kb_selector_match_name(sel, kb_res_name(r)) &&
		   kb_selector_match_namespace(sel, kb_res_ns(r));
	for (size_t i = 0; !hit && i < r->prev_names.n; i++) {
		const char *kind = i < r->prev_kinds.n ? r->prev_kinds.v[i] : kb_res_kind(r);
		const char *ns = i < r->prev_ns.n ? r->prev_ns.v[i] : "";
		hit = kb_selector_match_gvk(sel, group, version, kind) &&
		      kb_selector_match_name(sel, r->prev_names.v[i]) &&
		      kb_selector_match_namespace(sel, ns);
	}
	/* A document may also carry kustomize's build annotations itself
	 * (utils.PrevIds), e.g. output of an earlier build. */
	const kb_node *ann = kb_node_get(r->doc, "metadata", "annotations", NULL);
	const char *pn = kb_map_get_str(ann, "internal.config.kubernetes.io/previousNames");
	if (!hit && pn) {
		const char *pns = kb_map_get_str(ann, "internal.config.kubernetes.io/previousNamespaces");
		const char *pk = kb_map_get_str(ann, "internal.config.kubernetes.io/previousKinds");
		kb_strv names = { 0 }, nss = { 0 }, kinds = { 0 };
		split_str(pn, ",", &names);
		split_str(pns ? pns : "", ",", &nss);
		split_str(pk ? pk : "", ",", &kinds);
		/* kustomize fails on unequal lengths; those ids are skipped. */
		for (size_t i = 0; !hit && names.n == nss.n && names.n == kinds.n && i < names.n; i++)
			hit = kb_selector_match_gvk(sel, group, version, kinds.v[i]) &&
			      kb_selector_match_name(sel, names.v[i]) &&
			      kb_selector_match_namespace(sel, nss.v[i]);
		kb_strv_free(&names);
		kb_strv_free(&nss);
		kb_strv_free(&kinds);
	}
	free(group);
	free(version);
	return hit;
}

static bool labels_match(const kb_selector *sel, const kb_resource *r)
{
	return kb_selector_match_labels(sel, kb_node_get(r->doc, "metadata", "labels", NULL),
					kb_node_get(r->doc, "metadata", "annotations", NULL));
}

/* getReplacement: the value to write, a fresh tree the caller owns. */
static kb_error *get_value(const spec *s, kb_resmap *m, const kb_node *src, kb_node **out)
{
	*out = NULL;
	kb_error *e;
	const char *fp;
	opts o;
	if ((e = need_map(s, src, "source")) || (e = check_keys(s, src, k_source)) ||
	    (e = get_str(s, src, "fieldPath", &fp)) ||
	    (e = read_opts(s, kb_map_get(src, "options"), &o)))
		return e;
	kb_selector *sel;
	if ((e = compile_sel(s, src, k_resid, &sel)))
		return e;
	kb_resource *found = NULL;
	for (size_t i = 0; i < m->n && !e; i++) {
		if (!ids_match(sel, m->v[i]))
			continue;
		if (found) {
			kb_buf b = KB_BUF_INIT;
			resid_string(src, &b);
			if (*fp)
				kb_buf_printf(&b, ":%s", fp);
			opts_string(&o, &b);
			e = spec_err(s, src, "multiple matches for selector %s", b.data);
			kb_buf_free(&b);
		}
		found = m->v[i];
	}
	kb_selector_free(sel);
	if (e)
		return e;
	if (!found) {
		kb_buf b = KB_BUF_INIT;
		resid_string(src, &b);
		if (*fp)
			kb_buf_printf(&b, ":%s", fp);
		opts_string(&o, &b);
		e = spec_err(s, src, "nothing selected by %s", b.data);
		kb_buf_free(&b);
		return e;
	}
	if (!*fp)
		fp = "metadata.name";
	kb_node *rn;
	if ((e = kb_replace_lookup(found->doc, fp, &rn))) {
		kb_error *w = spec_err(s, src, "error looking up replacement source: %s",
				       e->primary.msg);
		kb_error_free(e);
		return w;
	}
	if (!rn || rn->kind == KB_NULL || ((rn->kind == KB_MAP || rn->kind == KB_SEQ) && !rn->n)) {
		kb_buf b = KB_BUF_INIT;
		resid_string(src, &b);
		e = spec_err(s, src, "fieldPath `%s` is missing for replacement source %s", fp,
			     b.data);
		kb_buf_free(&b);
		return e;
	}
	if (!o.delimiter) {
		*out = kb_node_clone(rn);
		return NULL;
	}
	/* getRefinedValue */
	if (!kb_node_is_scalar(rn))
		return spec_err(s, src, "delimiter option can only be used with scalar nodes");
	kb_strv parts = { 0 };
	split_str(kb_node_text(rn), o.delimiter, &parts);
	if (o.index < 0 || (unsigned long long)o.index >= parts.n) {
		e = spec_err(s, src, "options.index %lld is out of bounds for value %s", o.index,
			     kb_node_text(rn));
		kb_strv_free(&parts);
		return e;
	}
	/* The piece keeps the source's tag. */
	kb_node *v = kb_node_clone(rn);
	char *err = set_scalar_text(v, false, parts.v[o.index], strlen(parts.v[o.index]));
	if (err) {
		free(err);
		set_scalar(v, KB_STR, parts.v[o.index], parts.v[o.index]);
	}
	kb_strv_free(&parts);
	*out = v;
	return NULL;
}

static kb_error *copy_to_target(const spec *s, kb_resource *r, const kb_node *fps,
				const opts *o, const kb_node *value)
{
	static const char *const deflt = "metadata.name";
	size_t nfp = fps && fps->kind == KB_SEQ ? fps->n : 0;
	for (size_t i = 0; i < (nfp ? nfp : 1); i++) {
		const char *fp = nfp ? fps->items[i]->str : deflt;
		pm p = { .create = o->create, .create_kind = value->kind };
		kb_strv path = { 0 };
		kb_replace_split_path(fp, &path);
		bool ok = pm_filter(&p, r->doc, path.v, path.n, false);
		kb_strv_free(&path);
		kb_error *e = NULL;
		const char *what = o->create ? "unable to find or create field" :
					       "unable to find field";
		if (!ok)
			e = spec_err(s, nfp ? fps->items[i] : NULL, "%s \"%s\" in replacement "
				     "target: %s", what, fp, p.err);
		else if (!p.n)
			e = spec_err(s, nfp ? fps->items[i] : NULL,
				     "%s \"%s\" in replacement target", what, fp);
		for (size_t j = 0; !e && j < p.n; j++) {
			char *err = set_field_value(o, p.hits[j].node, p.hits[j].fresh, value);
			if (err) {
				e = spec_err(s, nfp ? fps->items[i] : NULL, "%s", err);
				free(err);
			}
		}
		free(p.err);
		free(p.hits);
		if (e)
			return kb_error_note(e, r->file, 0, 0, "in replacement target %s",
					     kb_res_name(r));
	}
	return NULL;
}

typedef struct target {
	const kb_node *node;
	kb_selector *select;
	kb_selector **reject;
	bool *reject_ids, *reject_labels; /* which parts of each reject count */
	size_t nreject;
	const kb_node *fieldpaths;
	opts o;
} target;

static void target_free(target *t)
{
	kb_selector_free(t->select);
	for (size_t i = 0; i < t->nreject; i++)
		kb_selector_free(t->reject[i]);
	free(t->reject);
	free(t->reject_ids);
	free(t->reject_labels);
}

static const char *const k_labelsel[] = { "labelSelector", "annotationSelector", NULL };

static kb_error *read_target(const spec *s, const kb_node *n, target *t)
{
	memset(t, 0, sizeof(*t));
	t->node = n;
	kb_error *e;
	if (n->kind != KB_MAP)
		return spec_err(s, n, "json: cannot unmarshal value into Go value of type "
				"types.TargetSelector");
	if ((e = check_keys(s, n, k_target)))
		return e;
	const kb_node *sel = kb_map_get(n, "select");
	if (is_null(sel))
		return spec_err(s, n, "target must specify resources to select");
	if ((e = need_map(s, sel, "select")) || (e = check_keys(s, sel, k_selector)) ||
	    (e = compile_sel(s, sel, k_selector, &t->select)))
		return e;
	const kb_node *rej = kb_map_get(n, "reject");
	if (!is_null(rej)) {
		if (rej->kind != KB_SEQ)
			return spec_err(s, rej, "json: cannot unmarshal value into Go struct field "
					"TargetSelector.reject of type []*types.Selector");
		t->reject = kb_xcalloc(rej->n ? rej->n : 1, sizeof(*t->reject));
		t->reject_ids = kb_xcalloc(rej->n ? rej->n : 1, sizeof(bool));
		t->reject_labels = kb_xcalloc(rej->n ? rej->n : 1, sizeof(bool));
		for (size_t i = 0; i < rej->n; i++) {
			const kb_node *r = rej->items[i];
			/* A null entry is a nil *Selector, which matches
			 * nothing useful; treat it as empty. */
			if ((e = need_map(s, r, "reject")) || (e = check_keys(s, r, k_selector)) ||
			    (e = compile_sel(s, is_null(r) ? NULL : r, k_selector, &t->reject[i])))
				return e;
			t->nreject++;
			t->reject_ids[i] = !is_null(r) && has_any(r, k_resid);
			t->reject_labels[i] = !is_null(r) && has_any(r, k_labelsel);
		}
	}
	const kb_node *fps = kb_map_get(n, "fieldPaths");
	if (!is_null(fps)) {
		if (fps->kind != KB_SEQ)
			return spec_err(s, fps, "json: cannot unmarshal %s into Go struct field "
					"TargetSelector.fieldPaths of type []string",
					fps->kind == KB_STR ? "string" : "value");
		for (size_t i = 0; i < fps->n; i++)
			if (fps->items[i]->kind != KB_STR)
				return spec_err(s, fps->items[i], "json: cannot unmarshal value "
						"into Go struct field TargetSelector.fieldPaths of "
						"type string");
		t->fieldpaths = fps;
	}
	return read_opts(s, kb_map_get(n, "options"), &t->o);
}

/* kustomize prints annotations through a map[string]string (when it
 * strips its build annotations), so a value written as a number or bool
 * comes out as its text; labels are printed as they are. */
static void stringify_annotations(kb_resource *r)
{
	kb_node *ann = kb_node_get(r->doc, "metadata", "annotations", NULL);
	if (!ann || ann->kind != KB_MAP)
		return;
	for (size_t i = 0; i < ann->n; i++) {
		kb_node *v = ann->pairs[i].val;
		if (v->kind == KB_STR || v->kind == KB_NULL || !kb_node_is_scalar(v))
			continue;
		char *t = kb_xstrdup(kb_node_text(v));
		set_scalar(v, KB_STR, t, t);
		free(t);
	}
}

/* applyReplacement for one target selector. */
static kb_error *apply_target(const spec *s, kb_resmap *m, const target *t, const kb_node *value)
{
	for (size_t i = 0; i < m->n; i++) {
		kb_resource *r = m->v[i];
		/* Label and annotation selectors of select and reject first
		 * (selectByAnnoAndLabel), then ids (containsRejectId). */
		if (!labels_match(t->select, r))
			continue;
		bool rejected = false;
		for (size_t j = 0; j < t->nreject && !rejected; j++)
			rejected = t->reject_labels[j] && labels_match(t->reject[j], r);
		for (size_t j = 0; j < t->nreject && !rejected; j++)
			rejected = t->reject_ids[j] && ids_match(t->reject[j], r);
		if (rejected || !ids_match(t->select, r))
			continue;
		kb_error *e = copy_to_target(s, r, t->fieldpaths, &t->o, value);
		stringify_annotations(r);
		if (e)
			return e;
	}
	return NULL;
}

static kb_error *apply_one(kb_resmap *m, const spec *s)
{
	const kb_node *src = kb_map_get(s->node, "source");
	const kb_node *tgts = kb_map_get(s->node, "targets");
	if (is_null(src) || is_null(tgts))
		return spec_err(s, NULL, "replacements must specify a source and at least one "
				"target");
	if (tgts->kind != KB_SEQ)
		return spec_err(s, tgts, "json: cannot unmarshal value into Go struct field "
				"Replacement.targets of type []*types.TargetSelector");
	/* Go decodes every target before any is applied. */
	target *ts = kb_xcalloc(tgts->n ? tgts->n : 1, sizeof(*ts));
	kb_error *e = NULL;
	size_t nt = 0;
	for (; nt < tgts->n && !e; nt++)
		e = read_target(s, tgts->items[nt], &ts[nt]);
	kb_node *value = NULL;
	if (!e)
		e = get_value(s, m, src, &value);
	for (size_t i = 0; !e && i < tgts->n; i++)
		e = apply_target(s, m, &ts[i], value);
	for (size_t i = 0; i < nt; i++)
		target_free(&ts[i]);
	free(ts);
	kb_node_free(value);
	return e;
}

/* ==== the `replacements` list ==== */

typedef struct loaded {
	spec *v;
	size_t n, cap;
	kb_node **docs; /* parsed replacement files, kept for the specs */
	size_t ndocs, dcap;
	kb_strv files;  /* display names, kept for the specs */
} loaded;

static void loaded_push(loaded *l, const kb_node *node, const char *file, bool strict)
{
	kb_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n].node = node;
	l->v[l->n].file = file;
	l->v[l->n].strict = strict;
	l->n++;
}

static void loaded_free(loaded *l)
{
	free(l->v);
	kb_docs_free(l->docs, l->ndocs);
	kb_strv_free(&l->files);
}

static const char *go_kind_name(const kb_node *n)
{
	switch (n ? n->kind : KB_NULL) {
	case KB_NULL:
		return "invalid";
	case KB_BOOL:
		return "bool";
	case KB_INT:
	case KB_FLOAT:
		return "float64";
	default:
		return "string";
	}
}

static kb_error *load_path(kb_ctx *ctx, loaded *l, const kb_loader *ld, const char *path,
			   const spec *at)
{
	if (!ld)
		return spec_err(at, NULL, "cannot load replacement file '%s'", path);
	char *data, *abspath;
	size_t len;
	kb_error *e = kb_loader_read(ld, path, &data, &len, &abspath);
	if (e)
		return kb_error_note(e, at->file, at->node->line, at->node->col,
				     "while loading replacements from '%s'", path);
	char *disp = kb_path_display(abspath);
	free(abspath);
	kb_strv_push_owned(&l->files, disp);
	kb_node **docs = NULL;
	size_t nd = 0;
	kb_parse_limits glim = ctx ? kb_ctx_goyaml_limits(ctx) : (kb_parse_limits){ 0 };
	e = kb_yaml_parse(disp, data, len, &glim, &docs, &nd);
	free(data);
	if (e)
		return e;
	/* sigs.k8s.io/yaml reads only the first document, decoding it as
	 * JSON: field names match case-insensitively. */
	kb_node *doc = nd ? docs[0] : NULL;
	kb_kust_canon_replacements(doc, disp, ctx ? &ctx->warnings : NULL);
	for (size_t i = 0; i < nd; i++) {
		kb_grow((void **)&l->docs, &l->dcap, l->ndocs + 1, sizeof(*l->docs));
		l->docs[l->ndocs++] = docs[i];
	}
	free(docs);
	if (doc && doc->kind == KB_SEQ) {
		for (size_t i = 0; i < doc->n; i++) {
			if (doc->items[i]->kind != KB_MAP && doc->items[i]->kind != KB_NULL)
				return kb_error_new(disp, doc->items[i]->line, doc->items[i]->col,
						    "json: cannot unmarshal %s into Go value of "
						    "type types.Replacement",
						    go_kind_name(doc->items[i]));
			loaded_push(l, doc->items[i], disp, false);
		}
		return NULL;
	}
	if (doc && doc->kind == KB_MAP) {
		loaded_push(l, doc, disp, false);
		return NULL;
	}
	return kb_error_new(disp, doc ? doc->line : 0, doc ? doc->col : 0,
			    "unsupported replacement type encountered within replacement path: %s",
			    go_kind_name(doc));
}

kb_error *kb_replacements_apply(kb_ctx *ctx, kb_resmap *m, const kb_node *list,
				const kb_loader *ld, const char *file)
{
	if (is_null(list))
		return NULL;
	if (list->kind != KB_SEQ)
		return kb_error_new(file, list->line, list->col,
				    "json: cannot unmarshal value into Go struct field "
				    "Kustomization.replacements of type []types.ReplacementField");
	/* ReplacementTransformerPlugin.Config reads every entry (and file)
	 * before Transform applies any. */
	loaded l = { 0 };
	kb_error *e = NULL;
	for (size_t i = 0; i < list->n && !e; i++) {
		const kb_node *ent = list->items[i];
		spec here = { ent, file, true };
		if (ent->kind == KB_NULL) {
			loaded_push(&l, ent, file, true);
			continue;
		}
		if (ent->kind != KB_MAP) {
			e = spec_err(&here, NULL, "json: cannot unmarshal %s into Go value of type "
				     "types.ReplacementField",
				     go_kind_name(ent));
			break;
		}
		if ((e = check_keys(&here, ent, k_replacement)))
			break;
		const char *path;
		if ((e = get_str(&here, ent, "path", &path)))
			break;
		const kb_node *tg = kb_map_get(ent, "targets");
		bool inline_set = !is_null(kb_map_get(ent, "source")) ||
				  (!is_null(tg) && (tg->kind != KB_SEQ || tg->n));
		if (*path && inline_set) {
			e = spec_err(&here, NULL, "cannot specify both path and inline replacement");
			break;
		}
		if (*path)
			e = load_path(ctx, &l, ld, path, &here);
		else
			loaded_push(&l, ent, file, true);
	}
	for (size_t i = 0; i < l.n && !e; i++) {
		if (is_null(l.v[i].node)) {
			e = spec_err(&l.v[i], NULL, "replacements must specify a source and at "
				     "least one target");
			break;
		}
		e = apply_one(m, &l.v[i]);
	}
	loaded_free(&l);
	return e;
}
