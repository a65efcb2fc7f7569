/* test_parse.c - YAML text to kb_node: scalar typing as goyaml.v3 (which
 * kustomize reads resources with) does it, anchors and merge keys,
 * multi-document streams, the limits that stop hostile input, and error
 * positions. */
#include "diag.h"
#include "node.h"
#include "parse.h"
#include "pool.h"
#include "emit.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kb_node *parse1(const char *text)
{
	kb_node *n = NULL;
	kb_error *e = kb_yaml_parse_one("t.yaml", text, strlen(text), NULL, &n);
	if (e) {
		printf("# unexpected parse error: %s\n", e->primary.msg);
		kb_error_free(e);
	}
	return n;
}

/* Parses text that must fail; returns the error (caller frees). */
static kb_error *parse_err(const char *text, const kb_parse_limits *lim)
{
	kb_node **docs = NULL;
	size_t n = 0;
	kb_error *e = kb_yaml_parse("t.yaml", text, strlen(text), lim, &docs, &n);
	if (!e)
		kb_docs_free(docs, n);
	return e;
}

/* The value of key `v` in the one-document text "v: <scalar>". */
static kb_node *value_of(const char *scalar, kb_node **doc)
{
	char *text = kb_xasprintf("v: %s\n", scalar);
	*doc = parse1(text);
	free(text);
	return *doc ? kb_map_get(*doc, "v") : NULL;
}

/* Asserts that a plain scalar is typed `kind` with canonical text `canon`
 * and remembers the written text in raw only when it differs. */
static void check_scalar(const char *scalar, kb_kind kind, const char *canon)
{
	kb_node *doc;
	kb_node *v = value_of(scalar, &doc);
	OK(v != NULL);
	if (v) {
		if (v->kind != kind)
			printf("# %s: kind %d, want %d\n", scalar, (int)v->kind, (int)kind);
		OK(v->kind == kind);
		STR_EQ(v->str, canon);
		if (strcmp(canon, scalar) == 0 || kind == KB_STR)
			OK(v->raw == NULL);
		else
			STR_EQ(kb_node_text(v), scalar);
	}
	kb_node_free(doc);
}

static void test_scalar_typing(void)
{
	/* ints: Go's ParseInt with base 0, underscores removed first */
	check_scalar("42", KB_INT, "42");
	check_scalar("-7", KB_INT, "-7");
	check_scalar("+5", KB_INT, "5");
	check_scalar("0x1F", KB_INT, "31");
	check_scalar("0o17", KB_INT, "15");
	check_scalar("012", KB_INT, "10");
	check_scalar("0b101", KB_INT, "5");
	check_scalar("1_000", KB_INT, "1000");
	check_scalar("-9223372036854775808", KB_INT, "-9223372036854775808");
	/* 08 is no octal number, but it is a float by the YAML float syntax */
	check_scalar("08", KB_FLOAT, "8");

	/* floats are printed as Go's strconv 'g'-ish formatting kustomize shows */
	check_scalar("1e3", KB_FLOAT, "1000");
	check_scalar("3.0", KB_FLOAT, "3");
	check_scalar("1.5", KB_FLOAT, "1.5");
	check_scalar("1.5e-7", KB_FLOAT, "1.5e-07");
	check_scalar(".inf", KB_FLOAT, ".inf");
	check_scalar("-.Inf", KB_FLOAT, "-.inf");
	check_scalar(".NaN", KB_FLOAT, ".nan");

	/* YAML 1.2 bools: only three spellings each */
	check_scalar("true", KB_BOOL, "true");
	check_scalar("True", KB_BOOL, "true");
	check_scalar("TRUE", KB_BOOL, "true");
	check_scalar("FALSE", KB_BOOL, "false");
	check_scalar("tRUE", KB_STR, "tRUE");
	check_scalar("yes", KB_STR, "yes");
	check_scalar("on", KB_STR, "on");
	check_scalar("y", KB_STR, "y");
	check_scalar("no", KB_STR, "no");

	/* nulls */
	check_scalar("~", KB_NULL, "null");
	check_scalar("null", KB_NULL, "null");
	check_scalar("NULL", KB_NULL, "null");
	check_scalar("nil", KB_STR, "nil");

	/* things that merely look numeric stay strings */
	check_scalar("1.2.3", KB_STR, "1.2.3");
	check_scalar("0x", KB_STR, "0x");
	check_scalar("1e", KB_STR, "1e");
	/* no base-60 numbers in YAML 1.2 (kubectl kustomize prints "12:30") */
	check_scalar("12:30", KB_STR, "12:30");
	/* Timestamps are not checked here: goyaml.v3 reads a plain
	 * 2001-12-14 as a time, which kustomize prints as
	 * "2001-12-14T00:00:00Z"; see the KB_TEST_KNOWN_BUGS block in
	 * test_emit.c. */

	/* an empty value is a null with empty text (so it prints as "") */
	kb_node *doc = parse1("v:\n");
	kb_node *v = kb_map_get(doc, "v");
	OK(v && v->kind == KB_NULL);
	OK(v && v->len == 0);
	STR_EQ(v ? v->str : NULL, "");
	kb_node_free(doc);

	/* quoting and block styles always make strings */
	doc = parse1("a: \"123\"\nb: 'true'\nc: \"~\"\nd: |\n  12\ne: >-\n  1.5\n");
	OK(doc && kb_map_get(doc, "a")->kind == KB_STR);
	STR_EQ(kb_map_get_str(doc, "a"), "123");
	OK(doc && kb_map_get(doc, "b")->kind == KB_STR);
	OK(doc && kb_map_get(doc, "c")->kind == KB_STR);
	STR_EQ(kb_map_get_str(doc, "c"), "~");
	OK(doc && kb_map_get(doc, "d")->kind == KB_STR);
	STR_EQ(kb_map_get_str(doc, "d"), "12\n");
	OK(doc && kb_map_get(doc, "e")->kind == KB_STR);
	STR_EQ(kb_map_get_str(doc, "e"), "1.5");
	kb_node_free(doc);

	/* tags */
	doc = parse1("a: !!str 123\nb: !!binary aGVsbG8=\nc: !!float 1\nd: !!int \"7\"\n");
	OK(doc && kb_map_get(doc, "a")->kind == KB_STR);
	STR_EQ(kb_map_get_str(doc, "a"), "123");
	OK(doc && kb_map_get(doc, "b")->kind == KB_STR);
	STR_EQ(kb_map_get_str(doc, "b"), "hello");
	/* !!float on an integer literal makes it a float */
	OK(doc && kb_map_get(doc, "c")->kind == KB_FLOAT);
	kb_node_free(doc);

	kb_error *e = parse_err("a: !!int abc\n", NULL);
	OK(e != NULL);
	OK(e && strstr(e->primary.msg, "abc") != NULL);
	kb_error_free(e);
	e = parse_err("a: !!binary \"not*base64\"\n", NULL);
	OK(e != NULL);
	kb_error_free(e);
}

static void test_resolve_direct(void)
{
	char *canon = NULL;
	OK(kb_scalar_resolve("0x10", 4, &canon) == KB_INT);
	STR_EQ(canon, "16");
	free(canon);
	canon = NULL;
	OK(kb_scalar_resolve("hello", 5, &canon) == KB_STR);
	OK(canon == NULL);
	/* an embedded NUL is never a number */
	OK(kb_scalar_resolve("1\0002", 3, &canon) == KB_STR);
	free(canon);

	OK(kb_yaml_float_syntax("1.5"));
	OK(kb_yaml_float_syntax(".5"));
	OK(kb_yaml_float_syntax("1."));
	OK(kb_yaml_float_syntax("-1e5"));
	OK(kb_yaml_float_syntax("+2.5E-3"));
	OK(!kb_yaml_float_syntax("1e"));
	OK(!kb_yaml_float_syntax("."));
	OK(!kb_yaml_float_syntax("1.2.3"));
	OK(!kb_yaml_float_syntax("abc"));
	OK(!kb_yaml_float_syntax(""));
}

static void test_anchors_merge(void)
{
	kb_node *doc = parse1("a: &x\n  k: v\n  l: [1, 2]\nb: *x\n");
	kb_node *a = kb_map_get(doc, "a"), *b = kb_map_get(doc, "b");
	OK(a && b && a != b);
	OK(kb_node_equal(a, b));
	/* an alias is a copy: editing it leaves the anchored node alone */
	if (b)
		kb_map_set(b, "k", kb_node_new_str("changed"));
	STR_EQ(kb_map_get_str(a, "k"), "v");
	kb_node_free(doc);

	/* scalar anchors */
	doc = parse1("a: &s hello\nb: *s\n");
	STR_EQ(kb_map_get_str(doc, "b"), "hello");
	kb_node_free(doc);

	/* merge keys as kyaml's DeAnchor has them (resources, patches):
	 * explicit keys win whether before or after `<<` */
	kb_parse_limits kio = { .kio = true };
	const char *merges = "base: &b {x: 1, y: 2}\n"
			     "after:\n  <<: *b\n  y: 3\n"
			     "before:\n  y: 4\n  <<: *b\n";
	doc = NULL;
	kb_error *me = kb_yaml_parse_one("t.yaml", merges, strlen(merges), &kio, &doc);
	OK(me == NULL);
	kb_error_free(me);
	kb_node *after = kb_map_get(doc, "after"), *before = kb_map_get(doc, "before");
	STR_EQ(kb_map_get_str(after, "x"), "1");
	STR_EQ(kb_map_get_str(after, "y"), "3");
	STR_EQ(kb_map_get_str(before, "x"), "1");
	STR_EQ(kb_map_get_str(before, "y"), "4");
	OK(after && after->n == 2);
	OK(kb_map_get(after, "<<") == NULL);
	kb_node_free(doc);
	/* as goyaml.v2 has them (kustomization files, JSON patches in
	 * YAML): the merge is done where `<<` stands, replacing the keys
	 * before it (kubectl: `{x: "1", <<: {x: "2"}}` gives x: "2") */
	doc = parse1(merges);
	after = kb_map_get(doc, "after");
	before = kb_map_get(doc, "before");
	STR_EQ(kb_map_get_str(after, "y"), "3");
	STR_EQ(kb_map_get_str(before, "x"), "1");
	STR_EQ(kb_map_get_str(before, "y"), "2");
	OK(before && before->n == 2);
	kb_node_free(doc);

	/* a list of merge sources: earlier sources win (both readers) */
	for (int mode = 0; mode < 2; mode++) {
		const char *t = "p: &p {a: 1, c: 1}\nq: &q {a: 2, b: 2}\nm:\n  <<: [*p, *q]\n";
		doc = NULL;
		me = kb_yaml_parse_one("t.yaml", t, strlen(t), mode ? &kio : NULL, &doc);
		OK(me == NULL);
		kb_error_free(me);
		kb_node *m = kb_map_get(doc, "m");
		STR_EQ(kb_map_get_str(m, "a"), "1");
		STR_EQ(kb_map_get_str(m, "b"), "2");
		STR_EQ(kb_map_get_str(m, "c"), "1");
		kb_node_free(doc);
	}

	/* a merge whose value is not a map or a list of maps fails in both
	 * (goyaml.v2's and kyaml's "map merge requires map or sequence of
	 * maps as the value"); only kyaml refuses a second merge key */
	for (int mode = 0; mode < 2; mode++) {
		me = parse_err("m:\n  <<: scalar\n  a: b\n", mode ? &kio : NULL);
		OK(me && strstr(me->primary.msg, "map merge requires map"));
		kb_error_free(me);
		me = parse_err("m:\n  <<: [{a: b}, x]\n", mode ? &kio : NULL);
		OK(me && strstr(me->primary.msg, "map merge requires map"));
		kb_error_free(me);
	}
	me = parse_err("m:\n  <<: {a: b}\n  <<: {c: d}\n", &kio);
	OK(me && strstr(me->primary.msg, "duplicate merge key"));
	kb_error_free(me);
	doc = parse1("m:\n  <<: {a: b, c: x}\n  <<: {c: d}\n");
	STR_EQ(kb_node_get_str(doc, "m", "a", NULL), "b");
	STR_EQ(kb_node_get_str(doc, "m", "c", NULL), "d");
	kb_node_free(doc);

	/* a quoted "<<" is an ordinary key */
	doc = parse1("\"<<\": x\n");
	STR_EQ(kb_map_get_str(doc, "<<"), "x");
	kb_node_free(doc);

	kb_error *e = parse_err("a: *nope\n", NULL);
	OK(e != NULL);
	kb_error_free(e);
}

static void test_streams(void)
{
	const char *text = "a: 1\n---\n---\n# only a comment\n---\nb: 2\n...\n";
	kb_node **docs = NULL;
	size_t n = 0;
	kb_error *e = kb_yaml_parse("s.yaml", text, strlen(text), NULL, &docs, &n);
	OK(e == NULL);
	OK(n == 2);
	if (n == 2) {
		STR_EQ(kb_map_get_str(docs[0], "a"), "1");
		STR_EQ(kb_map_get_str(docs[1], "b"), "2");
		/* positions survive in later documents */
		OK(docs[1]->pairs[0].line == 6);
	}
	kb_docs_free(docs, n);
	kb_error_free(e);

	/* an all-empty stream has no documents */
	e = kb_yaml_parse("s.yaml", "---\n# x\n", 8, NULL, &docs, &n);
	OK(e == NULL && n == 0);
	kb_docs_free(docs, n);
	kb_error_free(e);
	e = kb_yaml_parse("s.yaml", "", 0, NULL, &docs, &n);
	OK(e == NULL && n == 0);
	kb_docs_free(docs, n);
	kb_error_free(e);

	/* parse_one: empty is NULL, two documents are an error */
	kb_node *one = (kb_node *)1;
	e = kb_yaml_parse_one("s.yaml", "# nothing\n", 10, NULL, &one);
	OK(e == NULL && one == NULL);
	kb_error_free(e);
	e = kb_yaml_parse_one("s.yaml", "a: 1\n---\nb: 2\n", 14, NULL, &one);
	OK(e != NULL && one == NULL);
	kb_error_free(e);

	/* a byte-order mark is not part of the first key */
	const char *bom = "\xef\xbb\xbfkey: v\n";
	e = kb_yaml_parse_one("s.yaml", bom, strlen(bom), NULL, &one);
	OK(e == NULL);
	STR_EQ(kb_map_get_str(one, "key"), "v");
	kb_node_free(one);
	kb_error_free(e);
}

static void test_positions_and_errors(void)
{
	kb_node *doc = parse1("top:\n  inner: value\n  list:\n  - x\n");
	kb_node *inner = kb_node_get(doc, "top", "inner", NULL);
	OK(inner && inner->line == 2 && inner->col == 10);
	kb_pair *p = kb_map_get_pair(kb_map_get(doc, "top"), "inner");
	OK(p && p->line == 2 && p->col == 3);
	kb_node *x = kb_node_get(doc, "top", "list", NULL);
	OK(x && x->kind == KB_SEQ && x->n == 1 && x->items[0]->line == 4 &&
	   x->items[0]->col == 5);
	kb_node_free(doc);

	/* libfyaml syntax errors carry the file and a position */
	kb_error *e = parse_err("a: 1\nb: [1, 2\n", NULL);
	OK(e != NULL);
	if (e) {
		STR_EQ(e->primary.file, "t.yaml");
		OK(e->primary.line >= 2);
		OK(strstr(e->primary.msg, "invalid YAML") != NULL);
	}
	kb_error_free(e);

	e = parse_err("a:\n  b: 1\n c: 2\n", NULL);
	OK(e != NULL && e->primary.line == 3);
	kb_error_free(e);

	/* duplicate keys: kept in resources (lookups find the first; the
	 * emitter refuses them, as kustomize's JSON conversion does), last
	 * wins for kustomizations */
	{
		kb_node *dup = NULL;
		e = kb_yaml_parse_one("r", "a: 1\nb: 2\na: 3\n", 15, NULL, &dup);
		OK(e == NULL);
		OK(dup && dup->n == 3);
		STR_EQ(kb_map_get_str(dup, "a"), "1");
		OK(dup && dup->pairs[2].line == 3);
		kb_buf out = KB_BUF_INIT;
		kb_error *pe = dup ? kb_emit_doc(&out, dup) : NULL;
		OK(pe != NULL && pe->primary.line == 3 &&
		   strstr(pe->primary.msg, "already defined at line 1") != NULL);
		kb_error_free(pe);
		kb_buf_free(&out);
		kb_error_free(e);
		kb_node_free(dup);
	}
	kb_parse_limits lw = { .dup_keys_last_wins = true };
	kb_node *one = NULL;
	e = kb_yaml_parse_one("k", "a: 1\nb: 2\na: 3\n", 15, &lw, &one);
	OK(e == NULL);
	STR_EQ(kb_map_get_str(one, "a"), "3");
	OK(one && one->n == 2 && strcmp(one->pairs[0].key, "a") == 0);
	kb_node_free(one);
	kb_error_free(e);

	/* keys must be strings (kustomize round-trips through JSON) */
	e = parse_err("1: x\n", NULL);
	OK(e != NULL && strstr(e->primary.msg, "not a string") != NULL);
	OK(e && e->primary.line == 1 && e->primary.col == 1);
	kb_error_free(e);
	e = parse_err("m:\n  true: x\n", NULL);
	OK(e != NULL && e->primary.line == 2);
	kb_error_free(e);
	e = parse_err("? [a, b]\n: x\n", NULL);
	OK(e != NULL);
	kb_error_free(e);
	/* ...but a quoted number is a fine key */
	doc = parse1("\"1\": x\n");
	STR_EQ(kb_map_get_str(doc, "1"), "x");
	kb_node_free(doc);
}

static void test_limits(void)
{
	/* the classic "billion laughs", shortened: 10^6 nodes when expanded */
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
			   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
			   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
			   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
			   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
			   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
	kb_parse_limits lim = { .max_nodes = 5000 };
	kb_error *e = parse_err(bomb, &lim);
	OK(e != NULL && strstr(e->primary.msg, "alias bomb") != NULL);
	kb_error_free(e);
	/* the same text without the last level fits a generous budget */
	kb_parse_limits big = { .max_nodes = 200000 };
	e = parse_err("a: &a [x, x]\nb: [*a, *a]\n", &big);
	OK(e == NULL);
	kb_error_free(e);

	/* nesting: 30 levels fail a limit of 10 and pass the default */
	kb_buf b = KB_BUF_INIT;
	for (int i = 0; i < 30; i++)
		kb_buf_putc(&b, '[');
	for (int i = 0; i < 30; i++)
		kb_buf_putc(&b, ']');
	kb_buf_putc(&b, '\n');
	kb_parse_limits shallow = { .max_depth = 10 };
	e = parse_err(b.data, &shallow);
	OK(e != NULL && strstr(e->primary.msg, "deeper than 10") != NULL);
	kb_error_free(e);
	e = parse_err(b.data, NULL);
	OK(e == NULL);
	kb_error_free(e);
	kb_buf_free(&b);
}

/* Checked UTF-8 input is copied into libyaml's buffer in bulk (parse.c's
 * feed); a piece that starts with a byte order mark is still read by
 * libyaml's reader.  Both must give the same tree, positions and errors,
 * also where a copy ends inside a multi-byte character and where one
 * scalar is longer than the buffer (libyaml's reader takes over). */
static void test_bulk_reader(void)
{
	kb_buf t = KB_BUF_INIT;
	kb_buf_puts(&t, "apiVersion: v1\nkind: ConfigMap\ndata:\n  big: |\n");
	for (int i = 0; i < 9000; i++) /* ~380 KB: more than the 256 KiB buffer */
		kb_buf_puts(&t, "    r\xc3\xa9sum\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 line\n");
	for (int i = 0; i < 12000; i++) {
		char k[64];
		snprintf(k, sizeof(k), "  k%d: \"v\xc3\xa9%d\"\n", i, i);
		kb_buf_puts(&t, k);
	}
	kb_buf_puts(&t, "  last: end\n");
	for (int bad = 0; bad < 2; bad++) {
		if (bad)
			kb_buf_puts(&t, "  oops: [\n");
		kb_buf bom = KB_BUF_INIT;
		kb_buf_puts(&bom, "\xef\xbb\xbf");
		kb_buf_append(&bom, t.data, t.len);
		kb_node **d1 = NULL, **d2 = NULL;
		size_t n1 = 0, n2 = 0;
		kb_error *e1 = kb_yaml_parse("t.yaml", t.data, t.len, NULL, &d1, &n1);
		kb_error *e2 = kb_yaml_parse("t.yaml", bom.data, bom.len, NULL, &d2, &n2);
		if (!bad) {
			OK(!e1 && !e2 && n1 == 1 && n2 == 1);
			if (n1 == 1 && n2 == 1) {
				OK(kb_node_equal(d1[0], d2[0]));
				const kb_node *big = kb_node_get(d1[0], "data", "big", NULL);
				OK(big && big->len == 9000 * 23);
				kb_pair *a = kb_map_get_pair(kb_map_get(d1[0], "data"), "last");
				kb_pair *b = kb_map_get_pair(kb_map_get(d2[0], "data"), "last");
				OK(a && b && a->line == b->line && a->col == b->col && a->line == 9000 + 12000 + 5);
				const kb_node *v = kb_node_get(d1[0], "data", "k11999", NULL);
				OK(v && strcmp(v->str, "v\xc3\xa9" "11999") == 0);
			}
		} else {
			OK(e1 && e2);
			if (e1 && e2)
				OK(e1->primary.line == e2->primary.line && e1->primary.col == e2->primary.col &&
				   strcmp(e1->primary.msg, e2->primary.msg) == 0 && e1->primary.line > 21000);
		}
		kb_error_free(e1);
		kb_error_free(e2);
		kb_docs_free(d1, n1);
		kb_docs_free(d2, n2);
		kb_buf_free(&bom);
	}
	kb_buf_free(&t);
}

/* The documents of a big kio stream are parsed on a pool (parse.c's
 * parse_pieces): the same documents, in the same order, and the same
 * first error as one parser gives. */
static void test_pieces_on_pool(void)
{
	kb_pool *pool = kb_pool_new(3);
	OK(pool != NULL);
	kb_buf t = KB_BUF_INIT;
	for (int i = 0; i < 3000; i++)
		kb_buf_printf(&t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\ndata:\n"
				  "  k: \"v%d with some text to make the stream long enough\"\n---\n",
			      i, i);
	kb_parse_limits lim = { .kio = true, .nonstr_keys = true };
	for (int variant = 0; variant < 5; variant++) {
		kb_buf v = KB_BUF_INIT;
		kb_buf_append(&v, t.data, t.len);
		if (variant >= 1 && variant <= 3) {
			/* an error in a late piece, and with 2 one in an earlier
			 * piece as well, and with 3 a bad separator after both;
			 * 4 has the bad separator only */
			char *at = strstr(v.data, "name: c2500\n");
			memcpy(at, "name: [25", 9);
		}
		if (variant == 2 || variant == 3) {
			char *at = strstr(v.data, "name: c1200\n");
			memcpy(at, "name: {12", 9);
		}
		if (variant >= 3)
			kb_buf_puts(&v, "# end\n--- nope\nkind: X\n");
		kb_node **d1 = NULL, **d2 = NULL;
		size_t n1 = 0, n2 = 0;
		kb_error *e1 = kb_yaml_parse("s.yaml", v.data, v.len, &lim, &d1, &n1);
		kb_error *e2 = kb_yaml_parse_on("s.yaml", v.data, v.len, &lim, pool, &d2, &n2);
		OK(!e1 == !e2 && n1 == n2);
		if (variant == 0) {
			OK(!e1 && n1 == 3000);
			bool same = n1 == n2;
			for (size_t i = 0; same && i < n1; i++)
				same = kb_node_equal(d1[i], d2[i]) && d1[i]->line == d2[i]->line;
			OK(same);
			OK(n2 == 3000 && strcmp(kb_node_get_str(d2[2999], "metadata", "name", NULL), "c2999") == 0);
		} else if (e1 && e2) {
			OK(e1->primary.line == e2->primary.line && e1->primary.col == e2->primary.col &&
			   strcmp(e1->primary.msg, e2->primary.msg) == 0);
			/* the first in the stream */
			if (variant < 4)
				OK(e2->primary.line == (variant == 1 ? 2500u : 1200u) * 7 + 5);
			else
				OK(strstr(e2->primary.msg, "invalid document separator") != NULL);
		}
		kb_error_free(e1);
		kb_error_free(e2);
		kb_docs_free(d1, n1);
		kb_docs_free(d2, n2);
		kb_buf_free(&v);
	}
	kb_buf_free(&t);
	kb_pool_free(pool);
}

int main(void)
{
	test_scalar_typing();
	test_resolve_direct();
	test_anchors_merge();
	test_streams();
	test_positions_and_errors();
	test_limits();
	test_bulk_reader();
	test_pieces_on_pool();
	return tap_done();
}
