/*
 * patch_json.c - RFC 6902 JSON patches, with the quirks of
 * gopkg.in/evanphx/json-patch.v4 v4.12.0 (patch.go) that kustomize v5.5.0
 * uses; see patch_json.h for the list.  Function and message names below
 * follow that file so the two can be compared side by side.
 */
#include "patch_json.h"
#include "parse.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON pointers ---- */

/* RFC 6901 decoding as json-patch does it (a strings.Replacer scanning
 * left to right): "~1" -> '/', "~0" -> '~', anything else verbatim. */
static char *decode_key(const char *s, size_t n, size_t *outlen)
{
	kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '~' && i + 1 < n && (s[i + 1] == '0' || s[i + 1] == '1')) {
			kb_buf_putc(&b, s[i + 1] == '1' ? '/' : '~');
			i++;
		} else {
			kb_buf_putc(&b, s[i]);
		}
	}
	*outlen = b.len;
	return kb_buf_detach(&b);
}

/* A pointer's decoded tokens, with their lengths: a member name may hold
 * NUL bytes ("/data/a\u0000b" names the key "a\0b", as in kustomize). */
typedef struct ptoks {
	kb_strv v;
	size_t *len;
	size_t cap;
} ptoks;

static void ptoks_free(ptoks *t)
{
	kb_strv_free(&t->v);
	free(t->len);
	t->len = NULL;
	t->cap = 0;
}

/* Splits a path like Go's strings.Split(path, "/") and drops the first
 * element, as findObject does: whatever precedes the first '/' is
 * ignored.  Returns false when there is no '/' at all (findObject's
 * "len(split) < 2"), which json-patch reports as a missing path. */
static bool ptr_split(const char *path, size_t plen, ptoks *toks)
{
	const char *end = path + plen;
	const char *p = memchr(path, '/', plen);
	if (!p)
		return false;
	for (;;) {
		const char *s = p + 1;
		p = memchr(s, '/', (size_t)(end - s));
		size_t n = p ? (size_t)(p - s) : (size_t)(end - s);
		kb_grow((void **)&toks->len, &toks->cap, toks->v.n + 1, sizeof(*toks->len));
		kb_strv_push_owned(&toks->v, decode_key(s, n, &toks->len[toks->v.n]));
		if (!p)
			return true;
	}
}

/* Go's strconv.Atoi: optional sign, then one or more ASCII digits,
 * within int64.  On failure *err gets Go's message (caller frees). */
static bool go_atoi(const char *s, long long *out, char **err)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	bool syntax = *p != '\0';
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			syntax = false;
	if (!syntax) {
		*err = kb_xasprintf("strconv.Atoi: parsing \"%s\": invalid syntax", s);
		return false;
	}
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	if (errno == ERANGE) {
		*err = kb_xasprintf("strconv.Atoi: parsing \"%s\": value out of range", s);
		return false;
	}
	*out = v;
	return true;
}

static char *invalid_index(long long idx)
{
	return kb_xasprintf("Unable to access invalid index: %lld: invalid index referenced", idx);
}

/* A container step for intermediate path tokens (partialDoc.get /
 * partialArray.get).  Null and scalar values cannot be descended into. */
static kb_node *map_getn(const kb_node *map, const char *key, size_t klen)
{
	kb_pair *p = kb_map_get_pairn(map, key, klen);
	return p ? p->val : NULL;
}

static kb_node *step(kb_node *cur, const char *key, size_t klen)
{
	kb_node *next = NULL;
	if (cur->kind == KB_MAP) {
		next = map_getn(cur, key, klen);
	} else if (cur->kind == KB_SEQ) {
		long long idx;
		char *err = NULL;
		if (!go_atoi(key, &idx, &err)) {
			free(err);
			return NULL;
		}
		long long len = (long long)cur->n;
		if (idx < 0) {
			if (idx < -len)
				return NULL;
			idx += len;
		}
		if (idx >= len)
			return NULL;
		next = cur->items[idx];
	}
	if (!next || (next->kind != KB_MAP && next->kind != KB_SEQ))
		return NULL;
	return next;
}

/* findObject: the container holding the last token, and that token.
 * Returns NULL when the path does not lead to a container. */
static kb_node *find_object(kb_node *root, const char *path, size_t plen, ptoks *toks,
			    const char **key, size_t *klen)
{
	if (!ptr_split(path, plen, toks))
		return NULL;
	kb_node *cur = root;
	for (size_t i = 0; cur && i + 1 < toks->v.n; i++)
		cur = step(cur, toks->v.v[i], toks->len[i]);
	if (!cur || (cur->kind != KB_MAP && cur->kind != KB_SEQ))
		return NULL;
	*key = toks->v.v[toks->v.n - 1];
	*klen = toks->len[toks->v.n - 1];
	return cur;
}

/* ---- container operations (partialDoc / partialArray) ---- */

/* get: *val is NULL for a missing or null object member (json-patch
 * cannot tell them apart either). */
static char *con_get(kb_node *con, const char *key, size_t klen, kb_node **val)
{
	*val = NULL;
	if (con->kind == KB_MAP) {
		kb_node *v = map_getn(con, key, klen);
		*val = (v && v->kind != KB_NULL) ? v : NULL;
		return NULL;
	}
	long long idx;
	char *err = NULL;
	if (!go_atoi(key, &idx, &err))
		return err;
	long long len = (long long)con->n;
	if (idx < 0) {
		if (idx < -len)
			return invalid_index(idx);
		idx += len;
	}
	if (idx >= len)
		return invalid_index(idx);
	kb_node *v = con->items[idx];
	*val = v->kind != KB_NULL ? v : NULL;
	return NULL;
}

/* add: takes ownership of val in every case. */
static char *con_add(kb_node *con, const char *key, size_t klen, kb_node *val)
{
	if (con->kind == KB_MAP) {
		kb_map_setn(con, key, klen, val);
		return NULL;
	}
	if (strcmp(key, "-") == 0) {
		kb_seq_push(con, val);
		return NULL;
	}
	long long idx;
	char *err = NULL;
	if (!go_atoi(key, &idx, &err)) {
		char *m = kb_xasprintf("value was not a proper array index: '%s': %s", key, err);
		free(err);
		kb_node_free(val);
		return m;
	}
	long long sz = (long long)con->n + 1;
	if (idx >= sz || idx < -sz) {
		kb_node_free(val);
		return invalid_index(idx);
	}
	if (idx < 0)
		idx += sz; /* so -1 appends */
	kb_seq_insert(con, (size_t)idx, val);
	return NULL;
}

/* set (replace): the caller has checked the key with con_get, so an
 * array index is valid here; a missing object member is simply added. */
static void con_set(kb_node *con, const char *key, size_t klen, kb_node *val)
{
	if (con->kind == KB_MAP) {
		kb_map_setn(con, key, klen, val);
		return;
	}
	long long idx = 0;
	char *err = NULL;
	if (!go_atoi(key, &idx, &err)) {
		free(err); /* cannot happen: con_get accepted the key */
		kb_node_free(val);
		return;
	}
	if (idx < 0)
		idx += (long long)con->n;
	kb_node_free(con->items[idx]);
	con->items[idx] = val;
}

/* remove: *out (when non-NULL) receives the detached value. */
static char *con_remove(kb_node *con, const char *key, size_t klen, kb_node **out)
{
	kb_node *v = NULL;
	if (con->kind == KB_MAP) {
		if (!kb_map_get_pairn(con, key, klen))
			return kb_xasprintf("Unable to remove nonexistent key: %s: missing value", key);
		v = kb_map_taken(con, key, klen);
	} else {
		long long idx;
		char *err = NULL;
		if (!go_atoi(key, &idx, &err))
			return err;
		long long len = (long long)con->n;
		if (idx >= len)
			return invalid_index(idx);
		if (idx < 0) {
			if (idx < -len)
				return invalid_index(idx);
			idx += len;
		}
		v = kb_seq_take(con, (size_t)idx);
	}
	if (out)
		*out = v;
	else
		kb_node_free(v);
	return NULL;
}

/* ---- equality for `test` ---- */

/* JSON value classes: json-patch compares scalars by their compact JSON
 * text, so an int and a float with the same text are equal, while 1 and
 * "1" are not. */
static int json_class(const kb_node *n)
{
	switch (n->kind) {
	case KB_INT:
	case KB_FLOAT:
		return KB_INT;
	default:
		return n->kind;
	}
}

static bool is_null(const kb_node *n)
{
	return !n || n->kind == KB_NULL;
}

static bool json_equal(const kb_node *a, const kb_node *b)
{
	if (is_null(a) || is_null(b))
		return is_null(a) && is_null(b);
	if (json_class(a) != json_class(b))
		return false;
	switch (a->kind) {
	case KB_MAP:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++) {
			kb_pair *p = kb_map_get_pairn(b, a->pairs[i].key, a->pairs[i].klen);
			if (!p || !json_equal(a->pairs[i].val, p->val))
				return false;
		}
		return true;
	case KB_SEQ:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++)
			if (!json_equal(a->items[i], b->items[i]))
				return false;
		return true;
	default:
		return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
	}
}

/* ---- operations ---- */

/* One operation's fields, borrowed from the op map. */
typedef struct jp_op {
	const char *kind;
	const char *path;  /* NULL when missing or not a string */
	const char *from;
	size_t path_len, from_len; /* they may hold NUL bytes */
	const kb_node *value; /* NULL when absent */
} jp_op;

static kb_node *value_copy(const kb_node *v)
{
	return v ? kb_node_clone(v) : kb_node_new(KB_NULL);
}

/* Each op returns NULL or a malloc'd reason. */

static char *op_add(kb_node *root, const jp_op *op)
{
	if (!op->path)
		return kb_xstrdup("add operation failed to decode path: missing value");
	ptoks toks = { 0 };
	const char *key = NULL;
	size_t klen = 0;
	char *r = NULL;
	kb_node *con = find_object(root, op->path, op->path_len, &toks, &key, &klen);
	if (!con) {
		r = kb_xasprintf("add operation does not apply: doc is missing path: \"%s\": missing value",
				 op->path);
	} else {
		char *e = con_add(con, key, klen, value_copy(op->value));
		if (e)
			r = kb_xasprintf("error in add for path: '%s': %s", op->path, e);
		free(e);
	}
	ptoks_free(&toks);
	return r;
}

static char *op_remove(kb_node *root, const jp_op *op)
{
	if (!op->path)
		return kb_xstrdup("remove operation failed to decode path: missing value");
	ptoks toks = { 0 };
	const char *key = NULL;
	size_t klen = 0;
	char *r = NULL;
	kb_node *con = find_object(root, op->path, op->path_len, &toks, &key, &klen);
	if (!con) {
		r = kb_xasprintf("remove operation does not apply: doc is missing path: \"%s\": missing value",
				 op->path);
	} else {
		char *e = con_remove(con, key, klen, NULL);
		if (e)
			r = kb_xasprintf("error in remove for path: '%s': %s", op->path, e);
		free(e);
	}
	ptoks_free(&toks);
	return r;
}

static char *op_replace(kb_node *root, const jp_op *op)
{
	if (!op->path)
		return kb_xstrdup("replace operation failed to decode path: missing value");
	if (op->path_len == 0) {
		if (!op->value)
			return kb_xstrdup("replace operation value must be object or array");
		/* json-patch wraps a nil error here ("value must be object
		 * or array"), which yields nil: a scalar is silently
		 * ignored. */
		if (op->value->kind == KB_MAP || op->value->kind == KB_SEQ)
			kb_node_replace(root, kb_node_clone(op->value));
		return NULL;
	}
	ptoks toks = { 0 };
	const char *key = NULL;
	size_t klen = 0;
	char *r = NULL;
	kb_node *con = find_object(root, op->path, op->path_len, &toks, &key, &klen);
	kb_node *cur;
	if (!con) {
		r = kb_xasprintf("replace operation does not apply: doc is missing path: %s: missing value",
				 op->path);
	} else {
		char *e = con_get(con, key, klen, &cur);
		if (e)
			r = kb_xasprintf("replace operation does not apply: doc is missing key: %s: missing value",
					 op->path);
		else
			con_set(con, key, klen, value_copy(op->value));
		free(e);
	}
	ptoks_free(&toks);
	return r;
}

static char *op_move(kb_node *root, const jp_op *op)
{
	if (!op->from)
		return kb_xstrdup("move operation failed to decode from: operation, missing from field: missing value");
	ptoks toks = { 0 };
	const char *key = NULL;
	size_t klen = 0;
	char *r = NULL, *e = NULL;
	kb_node *val = NULL, *cur;
	kb_node *con = find_object(root, op->from, op->from_len, &toks, &key, &klen);
	if (!con) {
		r = kb_xasprintf("move operation does not apply: doc is missing from path: %s: missing value",
				 op->from);
		goto out;
	}
	/* json-patch names the last token, not the path, in these two. */
	if ((e = con_get(con, key, klen, &cur)) || (e = con_remove(con, key, klen, &val))) {
		r = kb_xasprintf("error in move for path: '%s': %s", key, e);
		goto out;
	}
	if (!op->path) {
		r = kb_xstrdup("move operation failed to decode path: operation missing path field: missing value");
		goto out;
	}
	/* The destination is resolved after the removal, as in json-patch:
	 * moving a value into itself finds its destination gone. */
	ptoks_free(&toks);
	con = find_object(root, op->path, op->path_len, &toks, &key, &klen);
	if (!con) {
		r = kb_xasprintf("move operation does not apply: doc is missing destination path: %s: missing value",
				 op->path);
		goto out;
	}
	e = con_add(con, key, klen, val);
	val = NULL;
	if (e)
		r = kb_xasprintf("error in move for path: '%s': %s", op->path, e);
out:
	free(e);
	kb_node_free(val);
	ptoks_free(&toks);
	return r;
}

static char *op_copy(kb_node *root, const jp_op *op)
{
	if (!op->from)
		return kb_xstrdup("copy operation failed to decode from: operation, missing from field: missing value");
	ptoks toks = { 0 };
	const char *key = NULL;
	size_t klen = 0;
	char *r = NULL, *e = NULL;
	kb_node *val = NULL;
	kb_node *con = find_object(root, op->from, op->from_len, &toks, &key, &klen);
	if (!con) {
		r = kb_xasprintf("copy operation does not apply: doc is missing from path: %s: missing value",
				 op->from);
		goto out;
	}
	if ((e = con_get(con, key, klen, &val))) {
		r = kb_xasprintf("error in copy for from: '%s': %s", op->from, e);
		goto out;
	}
	/* A missing object member copies as null (deepCopy(nil) is nil). */
	kb_node *dup = value_copy(val);
	if (!op->path) {
		kb_node_free(dup);
		r = kb_xstrdup("copy operation failed to decode path: missing value");
		goto out;
	}
	ptoks_free(&toks);
	con = find_object(root, op->path, op->path_len, &toks, &key, &klen);
	if (!con) {
		kb_node_free(dup);
		r = kb_xasprintf("copy operation does not apply: doc is missing destination path: %s: missing value",
				 op->path);
		goto out;
	}
	if ((e = con_add(con, key, klen, dup)))
		r = kb_xasprintf("error while adding value during copy: %s", e);
out:
	free(e);
	ptoks_free(&toks);
	return r;
}

static char *op_test(kb_node *root, const jp_op *op)
{
	if (!op->path)
		return kb_xstrdup("test operation failed to decode path: operation missing path field: missing value");
	/* json-patch dereferences a missing value and panics; say so
	 * instead. */
	if (!op->value)
		return kb_xstrdup("test operation requires a value");
	if (op->path_len == 0) {
		if (json_equal(root, op->value))
			return NULL;
		return kb_xstrdup("testing value  failed: test failed");
	}
	ptoks toks = { 0 };
	const char *key = NULL;
	size_t klen = 0;
	char *r = NULL, *e = NULL;
	kb_node *val = NULL;
	kb_node *con = find_object(root, op->path, op->path_len, &toks, &key, &klen);
	if (!con)
		r = kb_xasprintf("test operation does not apply: is missing path: %s: missing value",
				 op->path);
	else if ((e = con_get(con, key, klen, &val)))
		r = kb_xasprintf("error in test for path: '%s': %s", op->path, e);
	else if (!json_equal(val, op->value))
		r = kb_xasprintf("testing value %s failed: test failed", op->path);
	free(e);
	ptoks_free(&toks);
	return r;
}

static const char *node_str(const kb_node *n)
{
	return (n && n->kind == KB_STR) ? n->str : NULL;
}

kb_error *kb_json6902_apply(kb_node *root, const kb_node *ops, const char *patch_name)
{
	const char *name = patch_name ? patch_name : "(inline)";
	if (!ops || ops->kind == KB_NULL)
		return NULL;
	if (ops->kind != KB_SEQ)
		return kb_error_new(NULL, 0, 0, "patch '%s': a JSON patch must be a list of operations",
				    name);
	for (size_t i = 0; i < ops->n; i++) {
		const kb_node *o = ops->items[i];
		jp_op op = { "unknown", NULL, NULL, 0, 0, NULL };
		if (o && o->kind == KB_MAP) {
			if (node_str(kb_map_get(o, "op")))
				op.kind = node_str(kb_map_get(o, "op"));
			op.path = node_str(kb_map_get(o, "path"));
			op.from = node_str(kb_map_get(o, "from"));
			op.path_len = op.path ? kb_map_get(o, "path")->len : 0;
			op.from_len = op.from ? kb_map_get(o, "from")->len : 0;
			op.value = kb_map_get(o, "value");
		}
		char *r;
		if (strcmp(op.kind, "add") == 0)
			r = op_add(root, &op);
		else if (strcmp(op.kind, "remove") == 0)
			r = op_remove(root, &op);
		else if (strcmp(op.kind, "replace") == 0)
			r = op_replace(root, &op);
		else if (strcmp(op.kind, "move") == 0)
			r = op_move(root, &op);
		else if (strcmp(op.kind, "copy") == 0)
			r = op_copy(root, &op);
		else if (strcmp(op.kind, "test") == 0)
			r = op_test(root, &op);
		else
			r = kb_xasprintf("Unexpected kind: %s", op.kind);
		if (r) {
			kb_error *e;
			if (op.from)
				e = kb_error_new(NULL, 0, 0, "patch '%s': operation %zu (%s %s from %s): %s",
						 name, i + 1, op.kind, op.path ? op.path : "?", op.from, r);
			else
				e = kb_error_new(NULL, 0, 0, "patch '%s': operation %zu (%s %s): %s",
						 name, i + 1, op.kind, op.path ? op.path : "?", r);
			free(r);
			return e;
		}
	}
	return NULL;
}

/* ---- parsing ---- */

static bool known_op(const char *s)
{
	static const char *const ops[] = { "add", "remove", "replace", "move", "copy", "test" };
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(s, ops[i]) == 0)
			return true;
	return false;
}

static kb_error *check_op(const char *file, const kb_node *o, size_t i)
{
	unsigned line = o ? o->line : 0, col = o ? o->col : 0;
	if (!o || o->kind != KB_MAP)
		return kb_error_new(file, line, col,
				    "JSON patch operation %zu must be a map with 'op' and 'path'", i + 1);
	const kb_node *k = kb_map_get(o, "op");
	if (!k)
		return kb_error_new(file, line, col, "JSON patch operation %zu has no 'op'", i + 1);
	if (k->kind != KB_STR || !known_op(k->str))
		return kb_error_new(file, k->line, k->col,
				    "JSON patch operation %zu: unknown op '%s' (want add, remove, replace, move, copy or test)",
				    i + 1, kb_node_is_scalar(k) ? k->str : "<collection>");
	const char *kind = k->str;
	const kb_node *p = kb_map_get(o, "path");
	if (!p)
		return kb_error_new(file, line, col, "JSON patch operation %zu (%s) has no 'path'", i + 1,
				    kind);
	if (p->kind != KB_STR)
		return kb_error_new(file, p->line, p->col,
				    "JSON patch operation %zu (%s): 'path' must be a string", i + 1, kind);
	bool wants_from = strcmp(kind, "move") == 0 || strcmp(kind, "copy") == 0;
	if (wants_from) {
		const kb_node *f = kb_map_get(o, "from");
		if (!f)
			return kb_error_new(file, line, col,
					    "JSON patch operation %zu (%s %s) has no 'from'", i + 1, kind,
					    p->str);
		if (f->kind != KB_STR)
			return kb_error_new(file, f->line, f->col,
					    "JSON patch operation %zu (%s %s): 'from' must be a string",
					    i + 1, kind, p->str);
	}
	/* add and replace without a value store null in kustomize, so only
	 * test (which would crash json-patch) insists on one. */
	if (strcmp(kind, "test") == 0 && !kb_map_get(o, "value"))
		return kb_error_new(file, line, col, "JSON patch operation %zu (test %s) has no 'value'",
				    i + 1, p->str);
	return NULL;
}

/* ---- a JSON patch that starts with '[' ----
 *
 * kustomize reads such a patch with encoding/json (jsonpatch.DecodePatch),
 * not as YAML: comments, YAML flow syntax (bare words, single quotes), a
 * second document or anything after the array are errors there, and the
 * YAML reader must not be left to accept them.  The check is iterative
 * (Go's decoder takes 10,000 levels), and a number in an operation's
 * "value" must fit a float64, as encoding/json decodes the patched object
 * into interface{} values; elsewhere (a key the operation does not use)
 * Go keeps the number as raw text. */

typedef struct json_scan {
	const char *s;
	size_t len, i;
	const char *file;
	kb_error *err;
} json_scan;

static kb_error *json_error(json_scan *js, const char *what)
{
	size_t line = 1, col = 1;
	for (size_t k = 0; k < js->i && k < js->len; k++) {
		if (js->s[k] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)js->s[k] & 0xc0) != 0x80) {
			col++;
		}
	}
	char got[16];
	if (js->i >= js->len)
		snprintf(got, sizeof(got), "end of input");
	else if ((unsigned char)js->s[js->i] < 0x20 || (unsigned char)js->s[js->i] >= 0x7f)
		snprintf(got, sizeof(got), "byte 0x%02x", (unsigned char)js->s[js->i]);
	else
		snprintf(got, sizeof(got), "'%c'", js->s[js->i]);
	return kb_error_new(js->file, (unsigned)line, (unsigned)col,
			    "invalid JSON: %s %s (a patch that starts with '[' is read as JSON, as "
			    "kustomize does; write it all in JSON, or as a YAML list of operations)",
			    got, what);
}

static void json_ws(json_scan *js)
{
	while (js->i < js->len && (js->s[js->i] == ' ' || js->s[js->i] == '\t' ||
				   js->s[js->i] == '\n' || js->s[js->i] == '\r'))
		js->i++;
}

static bool json_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string at js->i; *is_value says whether it is the text "value". */
static bool json_string(json_scan *js, bool *is_value)
{
	size_t start = ++js->i;
	while (js->i < js->len) {
		unsigned char c = (unsigned char)js->s[js->i];
		if (c == '"') {
			if (is_value)
				*is_value = js->i - start == 5 && memcmp(js->s + start, "value", 5) == 0;
			js->i++;
			return true;
		}
		if (c < 0x20) {
			js->err = json_error(js, "in a string (control characters must be escaped)");
			return false;
		}
		if (c == '\\') {
			js->i++;
			if (js->i >= js->len)
				break;
			char e = js->s[js->i];
			if (e == 'u') {
				for (int k = 1; k <= 4; k++)
					if (js->i + (size_t)k >= js->len || !json_hex(js->s[js->i + (size_t)k])) {
						js->i += (size_t)k;
						js->err = json_error(js, "in a \\u escape");
						return false;
					}
				js->i += 4;
			} else if (e == '\0' || !strchr("\"\\/bfnrt", e)) {
				js->err = json_error(js, "in a string escape");
				return false;
			}
		}
		js->i++;
	}
	js->err = json_error(js, "in a string (it is not closed)");
	return false;
}

static bool json_number(json_scan *js, bool range)
{
	size_t start = js->i;
	const char *s = js->s;
	if (js->i < js->len && s[js->i] == '-')
		js->i++;
	if (js->i < js->len && s[js->i] == '0') {
		js->i++;
	} else if (js->i < js->len && s[js->i] >= '1' && s[js->i] <= '9') {
		while (js->i < js->len && s[js->i] >= '0' && s[js->i] <= '9')
			js->i++;
	} else {
		js->err = json_error(js, "in a number");
		return false;
	}
	if (js->i < js->len && s[js->i] == '.') {
		js->i++;
		if (js->i >= js->len || s[js->i] < '0' || s[js->i] > '9') {
			js->err = json_error(js, "after the decimal point of a number");
			return false;
		}
		while (js->i < js->len && s[js->i] >= '0' && s[js->i] <= '9')
			js->i++;
	}
	if (js->i < js->len && (s[js->i] == 'e' || s[js->i] == 'E')) {
		js->i++;
		if (js->i < js->len && (s[js->i] == '+' || s[js->i] == '-'))
			js->i++;
		if (js->i >= js->len || s[js->i] < '0' || s[js->i] > '9') {
			js->err = json_error(js, "in the exponent of a number");
			return false;
		}
		while (js->i < js->len && s[js->i] >= '0' && s[js->i] <= '9')
			js->i++;
	}
	if (range) {
		char *t = kb_xstrndup(s + start, js->i - start);
		errno = 0;
		double f = strtod(t, NULL);
		bool over = errno == ERANGE && isinf(f);
		free(t);
		if (over) {
			js->i = start;
			js->err = json_error(js, "starts a number that does not fit a float64 "
						 "(json: cannot unmarshal it into a Go float64, as "
						 "kustomize fails)");
			return false;
		}
	}
	return true;
}

/* Whether text (len bytes, text[0] == '[') is one JSON value and nothing
 * but whitespace after it; the error otherwise. */
static kb_error *json_patch_check(const char *file, const char *text, size_t len)
{
	json_scan js = { text, len, 0, file, NULL };
	/* per open container: '[' or '{', and whether numbers below it are
	 * decoded (inside an operation's "value") */
	kb_buf stack = KB_BUF_INIT, checked = KB_BUF_INIT;
	bool range = false; /* for the value about to be read */
	for (;;) {
		/* a value */
		json_ws(&js);
		if (js.i >= len) {
			js.err = json_error(&js, "where a value was expected");
			break;
		}
		char c = text[js.i];
		if (c == '[' || c == '{') {
			kb_buf_putc(&stack, c);
			kb_buf_putc(&checked, range);
			js.i++;
			json_ws(&js);
			if (js.i < len && text[js.i] == (c == '[' ? ']' : '}')) {
				js.i++;
				stack.len--;
				checked.len--;
			} else if (c == '[') {
				range = checked.data[checked.len - 1];
				continue;
			} else {
				goto key;
			}
		} else if (c == '"') {
			if (!json_string(&js, NULL))
				break;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			if (!json_number(&js, range))
				break;
		} else if (len - js.i >= 4 && memcmp(text + js.i, "true", 4) == 0) {
			js.i += 4;
		} else if (len - js.i >= 5 && memcmp(text + js.i, "false", 5) == 0) {
			js.i += 5;
		} else if (len - js.i >= 4 && memcmp(text + js.i, "null", 4) == 0) {
			js.i += 4;
		} else {
			js.err = json_error(&js, "where a value was expected");
			break;
		}
		/* after a value: close containers, or go on to the next item */
	after:
		json_ws(&js);
		if (stack.len == 0) {
			if (js.i < len)
				js.err = json_error(&js, "after the top-level value");
			break;
		}
		char top = stack.data[stack.len - 1];
		if (js.i < len && text[js.i] == (top == '[' ? ']' : '}')) {
			js.i++;
			stack.len--;
			checked.len--;
			goto after;
		}
		if (js.i >= len || text[js.i] != ',') {
			js.err = json_error(&js, top == '[' ? "after an array element (want ',' or ']')"
							    : "after an object member (want ',' or '}')");
			break;
		}
		js.i++;
		if (top == '[') {
			range = checked.data[checked.len - 1];
			continue;
		}
		json_ws(&js);
	key:
		if (js.i >= len || text[js.i] != '"') {
			js.err = json_error(&js, "where an object key was expected (a string in double "
						 "quotes)");
			break;
		}
		bool is_value = false;
		if (!json_string(&js, &is_value))
			break;
		json_ws(&js);
		if (js.i >= len || text[js.i] != ':') {
			js.err = json_error(&js, "after an object key (want ':')");
			break;
		}
		js.i++;
		/* an operation is an object in the top-level array */
		range = checked.data[checked.len - 1] || (stack.len == 2 && is_value);
	}
	kb_buf_free(&stack);
	kb_buf_free(&checked);
	return js.err;
}

kb_error *kb_json6902_parse(const char *file, const char *text, size_t len, kb_node **ops)
{
	*ops = NULL;
	kb_node *doc = NULL;
	/* kustomize converts the YAML to JSON with sigs.k8s.io/yaml: goyaml.v2,
	 * YAML 1.1 (yes/no are booleans, timestamps stay text), the first
	 * document only */
	kb_parse_limits lim = { .yaml11_bools = true, .keep_timestamps = true, .first_doc = true };
	if (len > 0 && text[0] == '[') {
		/* ... unless it starts with '[': then it is JSON, read with
		 * encoding/json (a repeated key: the last wins) */
		kb_error *je = json_patch_check(file, text, len);
		if (je)
			return je;
		lim = (kb_parse_limits){ .json = true, .dup_keys_last_wins = true };
	}
	kb_error *e = kb_yaml_parse_one(file, text, len, &lim, &doc);
	if (e)
		return kb_error_note(e, file, 0, 0, "while reading a JSON patch");
	if (!doc || doc->kind == KB_NULL) {
		/* json-patch decodes "null" as an empty patch. */
		kb_node_free(doc);
		*ops = kb_node_new(KB_SEQ);
		return NULL;
	}
	if (doc->kind != KB_SEQ) {
		e = kb_error_new(file, doc->line, doc->col,
				 "a JSON patch must be a list of operations");
		kb_node_free(doc);
		return e;
	}
	for (size_t i = 0; i < doc->n; i++) {
		if ((e = check_op(file, doc->items[i], i))) {
			kb_node_free(doc);
			return e;
		}
	}
	*ops = doc;
	return NULL;
}
