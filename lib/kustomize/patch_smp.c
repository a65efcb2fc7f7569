/*
 * patch_smp.c - kustomize's strategic merge patch: a port of kyaml's
 * merge2 visitor and walk package (Walker, walkMap, walkAssociativeSequence)
 * plus the RNode helpers they lean on (FieldSetter, ElementSetter,
 * ElementMatcher, FieldMatcher).
 *
 * kyaml merges goyaml nodes by pointer: it moves patch nodes into the
 * target, merges a node "with itself" once it became the destination,
 * and copies node structs over each other.  Several visible quirks follow
 * from exactly that aliasing (see patch_smp.h), so instead of rewriting
 * the algorithm over owned kb_node trees we convert both documents into a
 * small pointer graph (struct yn, allocated in a per-call arena), run the
 * walker over it the way kyaml does, and convert the result back.
 *
 * Names of the static functions follow the Go functions they port, so the
 * two can be read side by side.
 */
#include "patch_smp.h"

#include "parse.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

enum { YN_SCALAR, YN_MAP, YN_SEQ };

/* A goyaml node, reduced to what the walker looks at.  Maps keep
 * alternating key/value nodes in c[] as goyaml does. */
typedef struct yn yn;
struct yn {
	unsigned char kind; /* YN_* */
	kb_kind sk;         /* scalars; KB_NULL is a tagged null */
	bool keep;          /* RNode.ShouldKeep of a persistent null */
	bool knonstr;       /* a map key read as a non-string (kb_pair.knonstr) */
	bool kplain;        /* a map key written plain (kb_pair.kplain) */
	const char *val;    /* scalar text ("" for maps and sequences) */
	const char *raw;    /* kb_node.raw: the text as written, when val is canonical */
	size_t len;
	yn **c;
	size_t n, cap;
	unsigned line, col;
};

/* A resolved OpenAPI schema node (kyaml's *openapi.ResourceSchema); a
 * NULL pointer is kyaml's nil schema. */
typedef struct rs {
	unsigned char shape, item_shape, strategy;
	const kb_stype *type;
	const char *const *keys;
	size_t nkeys;
} rs;

typedef struct smp_ctx {
	const kb_schema *schema;
	const char *file;
	yn **nodes; /* every yn allocated, freed at the end */
	size_t nnodes, capnodes;
	void **mem; /* other scratch allocations */
	size_t nmem, capmem;
} smp_ctx;

enum smp_directive { SMP_UNKNOWN, SMP_REPLACE, SMP_DELETE, SMP_MERGE };

static const char *const PATCH_KEY = "$patch";

/* ---- arena ---- */

static yn *yn_new(smp_ctx *x, unsigned char kind)
{
	yn *n = kb_xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->sk = kind == YN_MAP ? KB_MAP : kind == YN_SEQ ? KB_SEQ : KB_STR;
	n->val = "";
	kb_grow((void **)&x->nodes, &x->capnodes, x->nnodes + 1, sizeof(*x->nodes));
	x->nodes[x->nnodes++] = n;
	return n;
}

static void *scratch(smp_ctx *x, size_t size)
{
	void *p = kb_xcalloc(1, size ? size : 1);
	kb_grow((void **)&x->mem, &x->capmem, x->nmem + 1, sizeof(*x->mem));
	x->mem[x->nmem++] = p;
	return p;
}

static void ctx_free(smp_ctx *x)
{
	for (size_t i = 0; i < x->nnodes; i++) {
		free(x->nodes[i]->c);
		free(x->nodes[i]);
	}
	free(x->nodes);
	for (size_t i = 0; i < x->nmem; i++)
		free(x->mem[i]);
	free(x->mem);
}

static void yn_push(yn *n, yn *child)
{
	kb_grow((void **)&n->c, &n->cap, n->n + 1, sizeof(*n->c));
	n->c[n->n++] = child;
}

/* Replaces n's content array with a copy of arr (which may alias n->c). */
static void yn_set_content(yn *n, yn **arr, size_t len)
{
	yn **c = len ? kb_xmalloc(len * sizeof(*c)) : NULL;
	if (len)
		memcpy(c, arr, len * sizeof(*c));
	free(n->c);
	n->c = c;
	n->n = n->cap = len;
}

/* Go's `*dst = *src` on yaml.Node: dst becomes a copy of src; the
 * content array is shared by value (element pointers), so copy it. */
static void yn_assign(yn *dst, const yn *src)
{
	if (dst == src)
		return;
	free(dst->c);
	*dst = *src;
	dst->keep = false; /* ShouldKeep lives on the RNode, not the node */
	dst->c = NULL;
	dst->cap = 0;
	dst->n = 0;
	yn_set_content(dst, src->c, src->n);
}

/* ---- kb_node <-> yn ---- */

static yn *from_kb(smp_ctx *x, const kb_node *k)
{
	yn *n;
	switch (k->kind) {
	case KB_MAP:
		n = yn_new(x, YN_MAP);
		for (size_t i = 0; i < k->n; i++) {
			yn *key = yn_new(x, YN_SCALAR);
			key->val = k->pairs[i].key;
			key->len = k->pairs[i].klen; /* keys may hold NUL bytes */
			key->knonstr = k->pairs[i].knonstr;
			key->kplain = k->pairs[i].kplain;
			key->line = k->pairs[i].line;
			key->col = k->pairs[i].col;
			yn_push(n, key);
			yn_push(n, from_kb(x, k->pairs[i].val));
		}
		break;
	case KB_SEQ:
		n = yn_new(x, YN_SEQ);
		for (size_t i = 0; i < k->n; i++)
			yn_push(n, from_kb(x, k->items[i]));
		break;
	default:
		n = yn_new(x, YN_SCALAR);
		n->sk = k->kind;
		n->val = k->str ? k->str : "";
		n->len = k->str ? k->len : 0;
		n->raw = k->raw;
		break;
	}
	n->line = k->line;
	n->col = k->col;
	return n;
}

static kb_node *to_kb(const yn *n)
{
	kb_node *k;
	switch (n->kind) {
	case YN_MAP:
		k = kb_node_new(KB_MAP);
		for (size_t i = 0; i + 1 < n->n; i += 2) {
			/* repeated keys (from a patch read as kyaml does) stay */
			kb_pair *p = kb_map_appendn(k, n->c[i]->val, n->c[i]->len,
						    to_kb(n->c[i + 1]));
			p->knonstr = n->c[i]->knonstr;
			p->kplain = n->c[i]->kplain;
			p->line = n->c[i]->line;
			p->col = n->c[i]->col;
		}
		break;
	case YN_SEQ:
		k = kb_node_new(KB_SEQ);
		for (size_t i = 0; i < n->n; i++)
			kb_seq_push(k, to_kb(n->c[i]));
		break;
	default:
		k = kb_node_new_strn(n->val, n->len);
		k->kind = n->sk;
		if (n->raw)
			k->raw = kb_xstrdup(n->raw);
		break;
	}
	k->line = n->line;
	k->col = n->col;
	return k;
}

/* ---- node predicates (kyaml/yaml/rnode.go, types.go) ---- */

static bool is_tagged_null(const yn *n)
{
	return n && n->kind == YN_SCALAR && n->sk == KB_NULL;
}

/* IsMissingOrNull */
static bool is_null(const yn *n)
{
	return !n || is_tagged_null(n);
}

/* IsEmptyMap */
static bool is_empty_map(const yn *n)
{
	return is_null(n) || (n->kind == YN_MAP && n->n == 0);
}

/* IsNilOrEmpty */
static bool is_nil_or_empty(const yn *n)
{
	return !n || is_tagged_null(n) || ((n->kind == YN_MAP || n->kind == YN_SEQ) && n->n == 0);
}

static bool text_eqn(const yn *n, const char *s, size_t l)
{
	return n->len == l && memcmp(n->val, s, l) == 0;
}

static bool text_eq(const yn *n, const char *s)
{
	return text_eqn(n, s, strlen(s));
}

static const char *kind_name(const yn *n)
{
	return n->kind == YN_MAP ? "MappingNode" : n->kind == YN_SEQ ? "SequenceNode" : "ScalarNode";
}

static kb_error *wrong_kind(smp_ctx *x, const yn *n, unsigned char want)
{
	yn tmp = { .kind = want };
	return kb_error_new(x->file, n->line, n->col, "wrong node kind: expected %s but got %s",
			    kind_name(&tmp), kind_name(n));
}

/* ErrorIfInvalid: a null passes any check. */
static kb_error *check_kind(smp_ctx *x, const yn *n, unsigned char want)
{
	if (is_null(n) || n->kind == want)
		return NULL;
	return wrong_kind(x, n, want);
}

/* RNode.Field(key).Value: the value of the first `key` of a map (klen
 * bytes: field names may hold NUL bytes). */
static yn *fieldn(const yn *n, const char *key, size_t klen)
{
	if (!n || n->kind != YN_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < n->n; i += 2)
		if (text_eqn(n->c[i], key, klen))
			return n->c[i + 1];
	return NULL;
}

static yn *field(const yn *n, const char *key)
{
	return fieldn(n, key, strlen(key));
}

/* FieldClearer: removes the first `key` of a map. */
static void clear_fieldn(yn *n, const char *key, size_t klen)
{
	if (!n || n->kind != YN_MAP)
		return;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		if (text_eqn(n->c[i], key, klen)) {
			memmove(&n->c[i], &n->c[i + 2], (n->n - i - 2) * sizeof(*n->c));
			n->n -= 2;
			return;
		}
	}
}

static yn *new_scalar(smp_ctx *x, kb_kind sk, const char *text)
{
	yn *n = yn_new(x, YN_SCALAR);
	n->sk = sk;
	n->val = text;
	n->len = strlen(text);
	return n;
}

/*
 * Whether a scalar was written quoted (or as a block) in its source.
 * kb_node keeps no style, so this knows only the certain case: a string
 * that would read as another type when plain.
 */
static bool was_quoted(const yn *n)
{
	if (n->kind != YN_SCALAR || n->sk != KB_STR)
		return false;
	if (memchr(n->val, '\0', n->len))
		return true;
	char *canon = NULL;
	kb_kind k = kb_scalar_resolve(n->val, n->len, &canon);
	free(canon);
	return k != KB_STR;
}

/*
 * FieldSetter{Name: key, Value: val}.Filter(rn): clears the field for a
 * nil value or a null that is not to be kept, overwrites an existing
 * value node in place, else appends the field.
 */
/*
 * Whether a key node kyaml's FieldSetter appends for the patch key `src`
 * reads as a non-string: the new node has the patch key's style and no
 * tag, so goyaml resolves a plain one again (`9110`, `!!str 9110`, `true`,
 * `~`, `2001-12-14` are not strings then) and the JSON conversion fails.
 */
static bool appended_key_nonstr(const yn *src)
{
	if (!src || !src->kplain || memchr(src->val, '\0', src->len))
		return false;
	char *canon = NULL;
	kb_kind k = kb_scalar_resolve(src->val, src->len, &canon);
	free(canon);
	if (k != KB_STR)
		return true;
	char *t = kb_xstrndup(src->val, src->len);
	char *ts = kb_timestamp_rfc3339(t);
	free(t);
	free(ts);
	return ts != NULL;
}

static kb_error *set_fieldn(smp_ctx *x, yn *rn, const char *key, size_t klen, yn *val,
			    const yn *srckey)
{
	if (!val || (is_tagged_null(val) && !val->keep)) {
		kb_error *e = check_kind(x, rn, YN_MAP);
		if (e)
			return e;
		clear_fieldn(rn, key, klen);
		return NULL;
	}
	if (is_null(rn))
		return NULL;
	if (rn->kind != YN_MAP)
		return wrong_kind(x, rn, YN_MAP);
	yn *cur = fieldn(rn, key, klen);
	if (cur) {
		bool quoted = was_quoted(cur);
		yn_assign(cur, val);
		/* FieldSetter gives the new value the old one's style; goyaml
		 * then writes a quoted 5 and it reads back as a string. */
		if (quoted && cur->kind == YN_SCALAR &&
		    (cur->sk == KB_INT || cur->sk == KB_FLOAT || cur->sk == KB_BOOL))
			cur->sk = KB_STR;
		return NULL;
	}
	yn *k = new_scalar(x, KB_STR, key);
	k->len = klen;
	if (srckey) {
		k->line = srckey->line;
		k->col = srckey->col;
		k->kplain = srckey->kplain;
		k->knonstr = appended_key_nonstr(srckey);
		/* the emitter's error on it would name the resource's file at
		 * the patch's position */
		if (k->knonstr)
			k->line = k->col = 0;
	}
	yn_push(rn, k);
	yn_push(rn, val);
	return NULL;
}

static kb_error *set_field(smp_ctx *x, yn *rn, const char *key, yn *val)
{
	return set_fieldn(x, rn, key, strlen(key), val, NULL);
}

/*
 * FieldMatcher{Name: name, StringValue: sv}.Filter(rn).  With a name,
 * returns the value of field `name` (which must equal sv when sv is not
 * empty); without one, returns rn itself when its text equals sv.
 */
static kb_error *match_field_sv(smp_ctx *x, yn *rn, const char *name, const char *sv, yn **out)
{
	*out = NULL;
	if (is_null(rn))
		return NULL;
	if (!*name) {
		if (rn->kind != YN_SCALAR)
			return wrong_kind(x, rn, YN_SCALAR);
		if (text_eq(rn, sv))
			*out = rn;
		return NULL;
	}
	if (rn->kind != YN_MAP)
		return wrong_kind(x, rn, YN_MAP);
	yn *v = field(rn, name);
	if (v && (!*sv || text_eq(v, sv)))
		*out = v;
	return NULL;
}

/*
 * ElementSetter{Element: elem, Keys: keys, Values: values}.Filter(rn):
 * replaces every element matching all key/value pairs with elem (removes
 * them when elem is NULL) and appends elem when nothing matched.  As in
 * kyaml it also drops null and empty-map elements on the way, and with
 * fewer values than keys the unmatched keys are not checked.
 */
static kb_error *element_setter(smp_ctx *x, yn *rn, yn *elem, const char *const *keys,
				size_t nkeys, const char *const *values, size_t nvalues)
{
	static const char *const empty_key[] = { "" };
	if (nkeys == 0) {
		keys = empty_key;
		nkeys = 1;
	}
	kb_error *e = check_kind(x, rn, YN_SEQ);
	if (e)
		return e;
	if (rn->kind != YN_SEQ)
		return NULL; /* a null list: nothing to set on */

	bool mapping_setter = keys[0][0] && nvalues > 0 && values[0][0];
	yn **out = rn->n ? kb_xmalloc(rn->n * sizeof(*out)) : NULL;
	size_t nout = 0;
	bool matched = false;
	for (size_t i = 0; i < rn->n; i++) {
		yn *it = rn->c[i];
		if (is_empty_map(it))
			continue;
		if (it->kind != YN_MAP && mapping_setter) {
			out[nout++] = it;
			continue;
		}
		yn *val = NULL;
		bool found = true;
		for (size_t j = 0; j < nkeys; j++) {
			if (j < nvalues) {
				e = match_field_sv(x, it, keys[j], values[j], &val);
				if (e) {
					free(out);
					return e;
				}
			}
			if (!val) {
				found = false;
				break;
			}
		}
		if (!found) {
			if (nvalues > 0)
				out[nout++] = it;
			continue;
		}
		matched = true;
		if (elem)
			out[nout++] = elem;
	}
	yn_set_content(rn, out, nout);
	free(out);
	if (is_null(elem))
		return NULL;
	if (!matched)
		yn_push(rn, elem);
	return NULL;
}

/*
 * ElementMatcher{Keys, Values}.Filter(rn) as used through
 * RNode.ElementList (errors swallowed): the first element whose fields
 * keys[i] all have text values[i]; for keys [""], the first element whose
 * own text is values[0].
 */
static yn *element_list(const yn *rn, const char *const *keys, const char *const *values,
			size_t n)
{
	static const char *const none[] = { "" };
	if (!rn || rn->kind != YN_SEQ)
		return NULL;
	if (n == 0) {
		/* kyaml defaults both to [""] */
		keys = values = none;
		n = 1;
	}
	if (!keys[0][0]) {
		for (size_t i = 0; i < rn->n; i++)
			if (text_eq(rn->c[i], values[0]))
				return rn->c[i];
		return NULL;
	}
	for (size_t i = 0; i < rn->n; i++) {
		yn *it = rn->c[i];
		if (it->kind != YN_MAP)
			continue;
		bool ok = true;
		for (size_t k = 0; k < n && ok; k++) {
			yn *v = field(it, keys[k]);
			ok = v && text_eq(v, values[k]);
		}
		if (ok)
			return it;
	}
	return NULL;
}

/* GetElementByKey(key): the first map element having field key. */
static yn *element_by_key(const yn *rn, const char *key)
{
	if (!rn || rn->kind != YN_SEQ)
		return NULL;
	for (size_t i = 0; i < rn->n; i++)
		if (rn->c[i]->kind == YN_MAP && field(rn->c[i], key))
			return rn->c[i];
	return NULL;
}

/* ---- schema (kyaml/openapi ResourceSchema) ---- */

static const rs *rs_from_field(const kb_sfield *f, rs *out)
{
	out->shape = f->shape;
	out->item_shape = f->item_shape;
	out->strategy = f->strategy;
	out->type = f->type;
	out->keys = f->merge_keys;
	out->nkeys = f->nmerge_keys;
	if (!out->nkeys && f->merge_key) {
		out->keys = &f->merge_key;
		out->nkeys = 1;
	}
	return out;
}

/* ResourceSchema.Field: a property, or the additionalProperties value
 * schema of a map; NULL otherwise. */
static const rs *rs_field(smp_ctx *x, const rs *s, const char *name, rs *out)
{
	memset(out, 0, sizeof(*out));
	if (s->shape == KB_SF_OBJECT) {
		kb_sfield f;
		if (!s->type || !kb_stype_field(x->schema, s->type, name, &f))
			return NULL;
		return rs_from_field(&f, out);
	}
	if (s->shape == KB_SF_MAP) {
		out->shape = s->item_shape;
		out->type = s->type;
		out->item_shape = KB_SF_PRIMITIVE;
		return out;
	}
	return NULL;
}

/* ResourceSchema.Elements: the item schema of an array. */
static const rs *rs_elements(const rs *s, rs *out)
{
	memset(out, 0, sizeof(*out));
	if (s->shape != KB_SF_ARRAY)
		return NULL;
	out->shape = s->item_shape;
	out->type = s->type;
	out->item_shape = KB_SF_PRIMITIVE;
	return out;
}

/* GetValue of a meta field when present and not empty, else "". */
static const char *meta_str(const yn *n, const char *key)
{
	yn *v = field(n, key);
	if (is_nil_or_empty(v))
		return "";
	return v->val;
}

/*
 * Walker.GetSchema: the schema handed down by the parent, else the one
 * of the first source carrying both apiVersion and kind.  (Schemas from
 * field comments are not supported: kb_node keeps no comments.)
 */
static const rs *get_schema(smp_ctx *x, yn *const src[2], const rs *given, rs *out)
{
	if (given)
		return given;
	if (!x->schema)
		return NULL;
	for (int i = 0; i < 2; i++) {
		if (is_null(src[i]) || src[i]->kind != YN_MAP)
			continue;
		const char *av = meta_str(src[i], "apiVersion");
		const char *kind = meta_str(src[i], "kind");
		if (!*av || !*kind)
			continue;
		const char *slash = strrchr(av, '/');
		char *group = slash ? kb_xstrndup(av, (size_t)(slash - av)) : kb_xstrdup("");
		const char *version = slash ? slash + 1 : av;
		const kb_stype *t = kb_schema_type_for(x->schema, group, version, kind);
		free(group);
		if (t) {
			memset(out, 0, sizeof(*out));
			out->shape = KB_SF_OBJECT;
			out->type = t;
			return out;
		}
	}
	return NULL;
}

/* ---- merge2/smpdirective.go ---- */

static enum smp_directive directive_named(const yn *v)
{
	if (text_eq(v, "delete"))
		return SMP_DELETE;
	if (text_eq(v, "replace"))
		return SMP_REPLACE;
	if (text_eq(v, "merge"))
		return SMP_MERGE;
	return SMP_UNKNOWN;
}

static kb_error *unknown_directive(smp_ctx *x, const yn *v)
{
	return kb_error_new(x->file, v->line, v->col, "unknown patch strategy '%.*s'",
			    (int)v->len, v->val);
}

/* determineSmpDirective: finds the patch's $patch directive and removes
 * it from the patch. */
static kb_error *determine_directive(smp_ctx *x, yn *patch, enum smp_directive *out)
{
	*out = SMP_MERGE;
	if (!patch)
		return NULL;
	if (patch->kind == YN_SEQ) {
		/* A `- $patch: x` element alone in its map speaks for the list;
		 * with other fields it belongs to an element. */
		yn *el = element_by_key(patch, PATCH_KEY);
		if (!el || el->n > 2)
			return NULL;
		yn *v = field(el, PATCH_KEY);
		if (!v)
			return NULL;
		*out = directive_named(v);
		if (*out == SMP_UNKNOWN)
			return unknown_directive(x, v);
		const char *key = PATCH_KEY;
		char *val = scratch(x, v->len + 1);
		memcpy(val, v->val, v->len);
		return element_setter(x, patch, NULL, &key, 1, (const char *const *)&val, 1);
	}
	if (patch->kind == YN_MAP) {
		yn *v = field(patch, PATCH_KEY);
		if (!v)
			return NULL;
		*out = directive_named(v);
		if (*out == SMP_UNKNOWN)
			return unknown_directive(x, v);
		clear_fieldn(patch, PATCH_KEY, strlen(PATCH_KEY));
		return NULL;
	}
	*out = SMP_UNKNOWN;
	return kb_error_new(x->file, patch->line, patch->col,
			    "no implemented strategic merge patch strategy for '%.*s'",
			    (int)patch->len, patch->val);
}

/* ---- merge2.Merger visitor ---- */

static kb_error *visit_map(smp_ctx *x, yn *const src[2], yn **out)
{
	yn *dest = src[0], *origin = src[1];
	enum smp_directive ps;
	kb_error *e;

	*out = NULL;
	if (is_null(dest)) {
		/* Adding: the patch's value (errors ignored as in kyaml). */
		kb_error_free(determine_directive(x, origin, &ps));
		if (ps == SMP_DELETE)
			return NULL;
		/* An explicit null in the target that the patch does not
		 * mention stays; an empty one (`key:`) does not. */
		if (!origin && dest && dest->len > 0) {
			yn *n = new_scalar(x, KB_NULL, "");
			n->val = dest->val;
			n->len = dest->len;
			n->raw = dest->raw;
			n->line = dest->line;
			n->col = dest->col;
			n->keep = true;
			*out = n;
			return NULL;
		}
		*out = origin;
		return NULL;
	}
	if (is_tagged_null(origin))
		return NULL;
	e = determine_directive(x, origin, &ps);
	if (e)
		return e;
	if (ps == SMP_DELETE)
		return NULL;
	*out = ps == SMP_REPLACE ? origin : dest;
	return NULL;
}

static kb_error *visit_list(smp_ctx *x, yn *const src[2], bool associative, yn **out)
{
	yn *dest = src[0], *origin = src[1];
	enum smp_directive ps;
	kb_error *e;

	*out = NULL;
	if (!associative) {
		*out = origin ? origin : dest;
		return NULL;
	}
	if (is_null(dest)) {
		*out = origin;
		return NULL;
	}
	if (is_tagged_null(origin))
		return NULL;
	e = determine_directive(x, origin, &ps);
	if (e)
		return e;
	if (ps == SMP_DELETE)
		return NULL;
	*out = ps == SMP_REPLACE ? origin : dest;
	return NULL;
}

/* ---- walk package ---- */

static kb_error *walk(smp_ctx *x, yn *src[2], const rs *given, yn **out);

static int cmp_key(const void *a, const void *b)
{
	const yn *x = *(const yn *const *)a, *y = *(const yn *const *)b;
	return kb_bytes_cmp(x->val, x->len, y->val, y->len);
}

static kb_error *walk_map(smp_ctx *x, yn *src[2], const rs *schema, yn **out)
{
	yn *dest;
	kb_error *e = visit_map(x, src, &dest);
	*out = NULL;
	if (e || !dest)
		return e;
	src[0] = dest;

	/* The sorted union of both sources' field names. */
	size_t cap = 0, nn = 0;
	for (int i = 0; i < 2; i++)
		if (src[i] && src[i]->kind == YN_MAP)
			cap += src[i]->n / 2;
	const yn **names = scratch(x, cap * sizeof(*names));
	for (int i = 0; i < 2; i++) {
		if (!src[i] || src[i]->kind != YN_MAP)
			continue;
		for (size_t j = 0; j + 1 < src[i]->n; j += 2)
			names[nn++] = src[i]->c[j];
	}
	qsort(names, nn, sizeof(*names), cmp_key);
	size_t nu = 0;
	for (size_t i = 0; i < nn; i++)
		if (nu == 0 || cmp_key(&names[nu - 1], &names[i]) != 0)
			names[nu++] = names[i];

	for (size_t i = 0; i < nu; i++) {
		const char *key = names[i]->val;
		size_t klen = names[i]->len;
		rs sub;
		/* a name with a NUL byte is no field of any schema */
		const rs *s = schema && !memchr(key, '\0', klen) ? rs_field(x, schema, key, &sub)
								 : NULL;
		yn *fv[2] = { fieldn(src[0], key, klen), fieldn(src[1], key, klen) };
		/* The key node of a field the patch adds: its position, and
		 * its style for the appended key (walkMap's keyStyles) */
		const yn *kn = NULL;
		for (int j = 1; j >= 0 && !kn; j--) {
			if (!src[j] || src[j]->kind != YN_MAP)
				continue;
			for (size_t k = 0; k + 1 < src[j]->n; k += 2)
				if (text_eqn(src[j]->c[k], key, klen)) {
					kn = src[j]->c[k];
					break;
				}
		}
		yn *val;
		e = walk(x, fv, s, &val);
		if (!e)
			e = set_fieldn(x, dest, key, klen, val, kn);
		if (e)
			return e;
	}
	*out = dest;
	return NULL;
}

/* A list of key-value tuples (kyaml's [][]string); each tuple has the
 * same number of entries as the keys. */
typedef struct tuples {
	const char ***v;
	size_t *len;
	size_t n, cap;
} tuples;

static void tuples_push(smp_ctx *x, tuples *t, const char **vals, size_t len)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? 2 * t->cap : 8;
		const char ***v = scratch(x, nc * sizeof(*v));
		size_t *l = scratch(x, nc * sizeof(*l));
		if (t->n) {
			memcpy(v, t->v, t->n * sizeof(*v));
			memcpy(l, t->len, t->n * sizeof(*l));
		}
		t->v = v;
		t->len = l;
		t->cap = nc;
	}
	t->v[t->n] = vals;
	t->len[t->n] = len;
	t->n++;
}

static bool tuple_eq(const char **a, size_t la, const char **b, size_t lb)
{
	if (la != lb)
		return false;
	for (size_t i = 0; i < la; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

/* Text of a yn for use as a C string (scalars are NUL-terminated). */
static const char *yn_text(const yn *n)
{
	return n->val;
}

/*
 * Walker.elementValues: for each element of each source (the patch first:
 * kustomize prepends), the values of its merge-key fields ("" when absent
 * or empty); duplicates dropped, order kept.
 */
static void element_values(smp_ctx *x, yn *const src[2], const char *const *keys, size_t nkeys,
			   tuples *out)
{
	for (int i = 0; i < 2; i++) {
		yn *s = src[(i + 1) % 2];
		if (!s || s->kind != YN_SEQ)
			continue;
		for (size_t j = 0; j < s->n; j++) {
			if (nkeys == 0)
				continue;
			const char **t = scratch(x, nkeys * sizeof(*t));
			for (size_t k = 0; k < nkeys; k++) {
				yn *v = field(s->c[j], keys[k]);
				t[k] = is_nil_or_empty(v) ? "" : yn_text(v);
			}
			bool seen = false;
			for (size_t k = 0; k < out->n && !seen; k++)
				seen = tuple_eq(out->v[k], out->len[k], t, nkeys);
			if (!seen)
				tuples_push(x, out, t, nkeys);
		}
	}
}

/* Walker.elementPrimitiveValues: each distinct element text, patch first. */
static void element_primitive_values(smp_ctx *x, yn *const src[2], tuples *out)
{
	for (int i = 0; i < 2; i++) {
		yn *s = src[(i + 1) % 2];
		if (!s)
			continue;
		for (size_t j = 0; j < s->n; j++) {
			const char *v = yn_text(s->c[j]);
			bool seen = false;
			for (size_t k = 0; k < out->n && !seen; k++)
				seen = strcmp(out->v[k][0], v) == 0;
			if (seen)
				continue;
			const char **t = scratch(x, sizeof(*t));
			t[0] = v;
			tuples_push(x, out, t, 1);
		}
	}
}

/* match(): two tuples match when they share an equal element and differ
 * only where one side is empty; *res gets the combined tuple. */
static bool tuple_match(smp_ctx *x, const char **a, size_t la, const char **b, size_t lb,
			const char ***res)
{
	if (la != lb)
		return false;
	bool common = false;
	const char **r = scratch(x, (la ? la : 1) * sizeof(*r));
	for (size_t i = 0; i < la; i++) {
		if (strcmp(a[i], b[i]) == 0) {
			common = true;
			r[i] = a[i];
			continue;
		}
		if (*a[i] && *b[i])
			return false;
		r[i] = *a[i] ? a[i] : b[i];
	}
	*res = r;
	return common;
}

/* mergeValues: ports {80, ""} and {80, TCP} count as the same port. */
static void merge_values(smp_ctx *x, tuples *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const char **v1 = t->v[i];
		size_t l1 = t->len[i];
		for (size_t j = 0; j < t->n; j++) {
			const char **r;
			if (tuple_match(x, v1, l1, t->v[j], t->len[j], &r)) {
				t->v[i] = r;
				t->v[j] = r;
				t->len[j] = l1;
			}
		}
	}
}

/*
 * validateKeys: keep only the keys that have a value in some tuple of
 * `all` (all keys when none has), and the matching values of `values`.
 */
static void validate_keys(smp_ctx *x, const tuples *all, const char **values, size_t nvalues,
			  const char *const *keys, size_t nkeys, const char ***vk, size_t *nvk,
			  const char ***vv, size_t *nvv)
{
	bool *valid = scratch(x, (nkeys ? nkeys : 1) * sizeof(*valid));
	bool any = false;
	for (size_t t = 0; t < all->n; t++)
		for (size_t i = 0; i < all->len[t] && i < nkeys; i++)
			if (*all->v[t][i]) {
				/* kyaml keeps a set of key names */
				for (size_t k = 0; k < nkeys; k++)
					if (strcmp(keys[k], keys[i]) == 0)
						valid[k] = true;
				any = true;
			}
	if (!any) {
		*vk = (const char **)keys;
		*nvk = nkeys;
		*vv = values;
		*nvv = nvalues;
		return;
	}
	const char **k2 = scratch(x, (nkeys ? nkeys : 1) * sizeof(*k2));
	const char **v2 = scratch(x, (nvalues ? nvalues : 1) * sizeof(*v2));
	size_t nk = 0, nv = 0;
	for (size_t k = 0; k < nkeys; k++)
		if (valid[k])
			k2[nk++] = keys[k];
	for (size_t i = 0; i < nvalues; i++)
		if (*values[i] || (i < nkeys && valid[i]))
			v2[nv++] = values[i];
	*vk = k2;
	*nvk = nk;
	*vv = v2;
	*nvv = nv;
}

/* appendListNode(dst, src, keys): set each element of src into dst by
 * its key values (replacing a match, else appending). */
static kb_error *append_list_node(smp_ctx *x, yn *dst, const yn *src, const char *const *keys,
				  size_t nkeys)
{
	kb_error *e;
	size_t n = src ? src->n : 0;
	for (size_t i = 0; i < n; i++) {
		yn *el = src->c[i];
		if (!keys[0][0]) {
			const char *v = yn_text(el);
			e = element_setter(x, dst, el, keys, nkeys, &v, 1);
			if (e)
				return e;
			continue;
		}
		const char **v = scratch(x, nkeys * sizeof(*v));
		size_t nv = 0;
		for (size_t k = 0; k < nkeys; k++) {
			yn *fv;
			e = match_field_sv(x, el, keys[k], "", &fv);
			if (e)
				return e;
			if (!fv) {
				/* no key: appended as is */
				e = check_kind(x, dst, YN_SEQ);
				if (e)
					return e;
				yn_push(dst, el);
				continue;
			}
			v[nv++] = yn_text(fv);
		}
		/* With several keys kyaml first removes the matches so that
		 * the element is not duplicated. */
		if (nkeys > 1) {
			e = element_setter(x, dst, NULL, keys, nkeys, v, nv);
			if (e)
				return e;
		}
		e = element_setter(x, dst, el, keys, nkeys, v, nv);
		if (e)
			return e;
	}
	return NULL;
}

/* Walker.elementValueList: each source's element matching keys=values. */
static void element_value_list(smp_ctx *x, yn *const src[2], const char *const *keys,
			       size_t nkeys, const char **values, size_t nvalues, yn *out[2])
{
	tuples one = { 0 };
	tuples_push(x, &one, values, nvalues);
	const char **vk, **vv;
	size_t nvk, nvv;
	validate_keys(x, &one, values, nvalues, keys, nkeys, &vk, &nvk, &vv, &nvv);
	size_t n = nvk < nvv ? nvk : nvv;
	for (int i = 0; i < 2; i++)
		out[i] = src[i] ? element_list(src[i], vk, vv, n) : NULL;
}

static kb_error *set_assoc_elements(smp_ctx *x, yn *src[2], const rs *schema, tuples *values,
				    const char *const *keys, size_t nkeys, yn *dest, yn **out)
{
	kb_error *e;
	yn *items = yn_new(x, YN_SEQ);
	rs esub;
	const rs *es = schema ? rs_elements(schema, &esub) : NULL;
	*out = NULL;
	if (nkeys > 1)
		merge_values(x, values);

	const char **vk = NULL, **vv = NULL;
	size_t nvk = 0, nvv = 0;
	for (size_t t = 0; t < values->n; t++) {
		if (values->len[t] == 0)
			continue;
		validate_keys(x, values, values->v[t], values->len[t], keys, nkeys, &vk, &nvk, &vv,
			      &nvv);
		yn *esrc[2];
		element_value_list(x, src, vk, nvk, vv, nvv, esrc);
		yn *val;
		e = walk(x, esrc, es, &val);
		if (e)
			return e;

		bool gone = false;
		for (size_t i = 0; i < nvk; i++) {
			if (is_empty_map(val)) {
				/* delete the element from the target */
				e = element_setter(x, dest, NULL, vk, nvk, vv, nvv);
				if (e)
					return e;
				gone = true;
			} else if (val->kind == YN_MAP && !field(val, vk[i]) && i < nvv && *vv[i]) {
				/* make sure the merged element carries its key */
				char *s = scratch(x, strlen(vv[i]) + 1);
				strcpy(s, vv[i]);
				e = set_field(x, val, vk[i], new_scalar(x, KB_STR, s));
				if (e)
					return e;
			}
		}
		if (gone)
			continue;
		e = element_setter(x, items, val, vk, nvk, vv, nvv);
		if (e)
			return e;
	}

	if (values->n > 0) {
		/* Prepend: the target's elements are set into the patch's. */
		if (!vk) {
			vk = (const char **)keys;
			nvk = nkeys;
		}
		e = append_list_node(x, items, dest, vk, nvk);
		if (e)
			return e;
		dest = items;
	}
	if (is_null(dest))
		return NULL;
	*out = dest;
	return NULL;
}

static kb_error *walk_assoc_seq(smp_ctx *x, yn *src[2], const rs *schema, yn **out)
{
	yn *dest;
	kb_error *e = visit_list(x, src, true, &dest);
	*out = NULL;
	if (e || !dest)
		return e;
	src[0] = dest;

	/* Reached only with a schema whose strategy includes merge, so the
	 * keys come from it (kyaml's key inference never applies). */
	const char *const *keys = schema ? schema->keys : NULL;
	size_t nkeys = schema ? schema->nkeys : 0;
	tuples values = { 0 };
	element_values(x, src, keys, nkeys, &values);
	if (values.n != 0 || nkeys > 0)
		return set_assoc_elements(x, src, schema, &values, keys, nkeys, dest, out);

	static const char *const prim[] = { "" };
	tuples pv = { 0 };
	element_primitive_values(x, src, &pv);
	return set_assoc_elements(x, src, schema, &pv, prim, 1, dest, out);
}

/* Walker.Walk */
static kb_error *walk(smp_ctx *x, yn *src[2], const rs *given, yn **out)
{
	rs top;
	const rs *schema = get_schema(x, src, given, &top);
	kb_error *e;
	const yn *first = !is_null(src[0]) ? src[0] : !is_null(src[1]) ? src[1] : NULL;

	*out = NULL;
	if (!first)
		return walk_map(x, src, schema, out);
	for (int i = 0; i < 2; i++)
		if ((e = check_kind(x, src[i], first->kind)))
			return e;
	switch (first->kind) {
	case YN_MAP:
		return walk_map(x, src, schema, out);
	case YN_SEQ:
		if (schema && (schema->strategy & KB_PS_MERGE))
			return walk_assoc_seq(x, src, schema, out);
		return visit_list(x, src, false, out);
	default:
		/* VisitScalar: the patch's value wins. */
		*out = src[1] ? src[1] : src[0];
		return NULL;
	}
}

kb_error *kb_smp_apply(kb_node *target, const kb_node *patch, const kb_schema *schema,
		       const char *patch_name, bool *deleted)
{
	smp_ctx x = { .schema = schema, .file = patch_name };
	*deleted = false;
	if (!target || !patch)
		return NULL;
	/* A top-level `$patch: replace` makes kyaml's merge return the patch
	 * as a new node, which kustomize's Resource.ApplyFilter never stores
	 * (it keeps the node it passed in): the object stays as it was.  The
	 * merge still runs, so its errors are still reported. */
	const kb_node *d = patch->kind == KB_MAP ? kb_map_get(patch, PATCH_KEY) : NULL;
	bool top_replace = d && d->kind == KB_STR && strcmp(d->str, "replace") == 0;
	yn *src[2] = { from_kb(&x, target), from_kb(&x, patch) };
	yn *res;
	kb_error *e = walk(&x, src, NULL, &res);
	if (!e) {
		if (!res)
			*deleted = true;
		else if (!top_replace)
			kb_node_replace(target, to_kb(res));
	}
	ctx_free(&x);
	return e;
}
