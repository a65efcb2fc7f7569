/* test_node.c - the document tree: map and sequence edits keep order and
 * ownership straight (the sanitizer build catches leaks and double frees),
 * clone and equality are deep, raw text survives. */
#include "node.h"
#include "parse.h"
#include "tap.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Keys of a map joined with ',' (caller frees), to check order. */
static char *keys(const kb_node *m)
{
	kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; m && i < m->n; i++) {
		if (i)
			kb_buf_putc(&b, ',');
		kb_buf_puts(&b, m->pairs[i].key);
	}
	return kb_buf_detach(&b);
}

/* Scalar items of a sequence joined with ','. */
static char *items(const kb_node *s)
{
	kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; s && i < s->n; i++) {
		if (i)
			kb_buf_putc(&b, ',');
		kb_buf_puts(&b, s->items[i]->str);
	}
	return kb_buf_detach(&b);
}

static void check_keys(const kb_node *m, const char *want)
{
	char *k = keys(m);
	STR_EQ(k, want);
	free(k);
}

static void check_items(const kb_node *s, const char *want)
{
	char *k = items(s);
	STR_EQ(k, want);
	free(k);
}

static void test_constructors(void)
{
	kb_node *n = kb_node_new(KB_NULL);
	STR_EQ(n->str, "null");
	OK(n->len == 4 && kb_node_is_scalar(n));
	kb_node_free(n);
	n = kb_node_new(KB_MAP);
	OK(n->str == NULL && n->n == 0 && !kb_node_is_scalar(n));
	kb_node_free(n);
	n = kb_node_new_int(-42);
	OK(n->kind == KB_INT);
	STR_EQ(n->str, "-42");
	kb_node_free(n);
	n = kb_node_new_bool(false);
	OK(n->kind == KB_BOOL);
	STR_EQ(n->str, "false");
	kb_node_free(n);
	n = kb_node_new_strn("a\0b", 3);
	OK(n->kind == KB_STR && n->len == 3 && memcmp(n->str, "a\0b", 3) == 0);
	kb_node_free(n);
	n = kb_node_new_scalar(KB_FLOAT, "1.5");
	OK(n->kind == KB_FLOAT && n->len == 3);
	kb_node_free(n);
	kb_node_free(NULL); /* NULL-safe by contract */
	OK(!kb_node_is_scalar(NULL));
}

static void test_map(void)
{
	kb_node *m = kb_node_new(KB_MAP);
	kb_map_set(m, "b", kb_node_new_str("1"));
	kb_map_set(m, "a", kb_node_new_str("2"));
	kb_map_set(m, "c", kb_node_new_str("3"));
	check_keys(m, "b,a,c");
	/* replacing keeps the key where it was */
	kb_node *nv = kb_node_new_int(9);
	OK(kb_map_set(m, "a", nv) == nv);
	check_keys(m, "b,a,c");
	STR_EQ(kb_map_get_str(m, "a"), "9");
	/* setting the same node again must not free it */
	kb_map_set(m, "a", nv);
	STR_EQ(kb_map_get_str(m, "a"), "9");

	OK(kb_map_get(m, "zz") == NULL);
	OK(kb_map_get_str(m, "zz") == NULL);
	OK(kb_map_get(NULL, "a") == NULL);
	OK(kb_map_get_pair(m, "c") == &m->pairs[2]);

	/* take detaches and keeps the others' order */
	kb_node *t = kb_map_take(m, "b");
	OK(t != NULL);
	STR_EQ(t ? t->str : NULL, "1");
	kb_node_free(t);
	check_keys(m, "a,c");
	OK(kb_map_take(m, "b") == NULL);

	OK(kb_map_del(m, "c"));
	OK(!kb_map_del(m, "c"));
	check_keys(m, "a");

	/* non-string and null values read as no string */
	kb_map_set(m, "n", kb_node_new(KB_NULL));
	kb_map_set(m, "sub", kb_node_new(KB_MAP));
	OK(kb_map_get_str(m, "n") == NULL);
	OK(kb_map_get_str(m, "sub") == NULL);

	/* ensure_map: reuses a map, replaces a null or a scalar in place */
	kb_node *sub = kb_map_get(m, "sub");
	OK(kb_map_ensure_map(m, "sub") == sub);
	kb_node *nm = kb_map_ensure_map(m, "n");
	OK(nm && nm->kind == KB_MAP && kb_map_get(m, "n") == nm);
	kb_node *fresh = kb_map_ensure_map(m, "new");
	OK(fresh && fresh->kind == KB_MAP);
	check_keys(m, "a,n,sub,new");

	/* nested lookup */
	kb_map_set(fresh, "x", kb_node_new_str("deep"));
	STR_EQ(kb_node_get_str(m, "new", "x", NULL), "deep");
	OK(kb_node_get(m, "new", "missing", "x", NULL) == NULL);
	OK(kb_node_get(m, NULL) == m);
	OK(kb_node_get_str(m, "new", NULL) == NULL);
	kb_node_free(m);
}

static void test_seq(void)
{
	kb_node *s = kb_node_new(KB_SEQ);
	kb_seq_push(s, kb_node_new_str("a"));
	kb_seq_push(s, kb_node_new_str("c"));
	kb_seq_insert(s, 1, kb_node_new_str("b"));
	kb_seq_insert(s, 0, kb_node_new_str("0"));
	/* past the end appends */
	kb_seq_insert(s, 99, kb_node_new_str("z"));
	check_items(s, "0,a,b,c,z");
	kb_node *t = kb_seq_take(s, 2);
	STR_EQ(t ? t->str : NULL, "b");
	kb_node_free(t);
	check_items(s, "0,a,c,z");
	OK(kb_seq_take(s, 4) == NULL);
	kb_seq_remove(s, 0);
	kb_seq_remove(s, 2);
	check_items(s, "a,c");
	OK(s->n == 2);
	kb_node_free(s);
}

static void test_clone_equal(void)
{
	kb_node *a = NULL;
	const char *text = "m:\n  x: 0x1F\n  l: [1, {k: v}, ~]\n  s: str\n";
	kb_error *e = kb_yaml_parse_one("t", text, strlen(text), NULL, &a);
	OK(e == NULL && a != NULL);
	kb_error_free(e);
	kb_node *b = kb_node_clone(a);
	OK(b != a && kb_node_equal(a, b));
	/* deep: the copy shares nothing */
	kb_node *bx = kb_node_get(b, "m", "x", NULL);
	OK(bx != kb_node_get(a, "m", "x", NULL));
	/* the raw spelling and positions come along */
	STR_EQ(bx ? bx->raw : NULL, "0x1F");
	STR_EQ(bx ? kb_node_text(bx) : NULL, "0x1F");
	STR_EQ(bx ? bx->str : NULL, "31");
	OK(bx && bx->line == 2);

	/* equality ignores key order, positions and raw spelling... */
	kb_node *c = NULL;
	const char *text2 = "m:\n  s: str\n  l: [1, {k: v}, ~]\n  x: 31\n";
	e = kb_yaml_parse_one("t", text2, strlen(text2), NULL, &c);
	kb_error_free(e);
	OK(kb_node_equal(a, c));
	/* ...but not sequence order, kinds or values */
	kb_node *l = kb_node_get(c, "m", "l", NULL);
	kb_seq_insert(l, 0, kb_seq_take(l, 1));
	OK(!kb_node_equal(a, c));
	kb_node_free(c);
	kb_node *s1 = kb_node_new_str("1"), *i1 = kb_node_new_int(1);
	OK(!kb_node_equal(s1, i1));
	kb_node_free(s1);
	kb_node_free(i1);
	kb_map_set(kb_map_get(b, "m"), "extra", kb_node_new_str("e"));
	OK(!kb_node_equal(a, b));
	OK(!kb_node_equal(b, a));
	OK(kb_node_equal(NULL, NULL));
	OK(!kb_node_equal(a, NULL));
	OK(kb_node_clone(NULL) == NULL);
	kb_node_free(b);
	kb_node_free(a);
}

static void test_replace_and_set(void)
{
	/* replace keeps dst's address, so a parent's pointer stays valid */
	kb_node *m = kb_node_new(KB_MAP);
	kb_node *slot = kb_map_set(m, "v", kb_node_new_str("old"));
	kb_node *src = kb_node_new(KB_SEQ);
	kb_seq_push(src, kb_node_new_str("x"));
	kb_node_replace(slot, src);
	OK(kb_map_get(m, "v") == slot);
	OK(slot->kind == KB_SEQ && slot->n == 1);
	STR_EQ(slot->items[0]->str, "x");

	/* set_str turns any node, collections too, into a plain string and
	 * forgets the raw spelling */
	kb_node_set_str(slot, "now a string");
	OK(slot->kind == KB_STR && slot->n == 0 && slot->raw == NULL);
	STR_EQ(kb_map_get_str(m, "v"), "now a string");
	kb_node_free(m);

	kb_node *doc = NULL;
	kb_error *e = kb_yaml_parse_one("t", "v: 0o17\n", 8, NULL, &doc);
	kb_error_free(e);
	kb_node *v = kb_map_get(doc, "v");
	OK(v && v->raw != NULL);
	kb_node_set_str(v, "15");
	OK(v && v->raw == NULL && v->kind == KB_STR);
	kb_node_free(doc);
}

/* Big maps are looked up through a hash index: every path that changes
 * pairs keeps lookups right (repeated keys find the first, removal,
 * rename, replace, clone), and keys may hold NUL bytes. */
static void test_big_map_index(void)
{
	kb_node *m = kb_node_new(KB_MAP);
	char key[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		kb_map_set(m, key, kb_node_new_int(i));
	}
	OK(m->n == 5000);
	OK(kb_map_get(m, "k0") && strcmp(kb_map_get(m, "k0")->str, "0") == 0);
	OK(kb_map_get(m, "k4999") && strcmp(kb_map_get(m, "k4999")->str, "4999") == 0);
	OK(!kb_map_get(m, "k5000"));
	/* a repeated key appended: lookups keep finding the first */
	kb_map_append(m, "k7", kb_node_new_str("second"));
	OK(strcmp(kb_map_get(m, "k7")->str, "7") == 0);
	/* removal shifts pairs: the index must not point at old places */
	OK(kb_map_del(m, "k7"));
	OK(strcmp(kb_map_get(m, "k7")->str, "second") == 0);
	OK(kb_map_del(m, "k100"));
	OK(!kb_map_get(m, "k100"));
	OK(strcmp(kb_map_get(m, "k101")->str, "101") == 0);
	/* rename */
	kb_pair *p = kb_map_get_pair(m, "k200");
	kb_map_rename(m, p, "renamed", 7);
	OK(!kb_map_get(m, "k200"));
	OK(strcmp(kb_map_get(m, "renamed")->str, "200") == 0);
	/* keys with NUL bytes are distinct from their C-string prefix */
	kb_map_setn(m, "nul\0a", 5, kb_node_new_str("x"));
	kb_map_setn(m, "nul", 3, kb_node_new_str("y"));
	OK(strcmp(kb_map_get_pairn(m, "nul\0a", 5)->val->str, "x") == 0);
	OK(strcmp(kb_map_get(m, "nul")->str, "y") == 0);
	/* clone and replace carry the right lookups */
	kb_node *c = kb_node_clone(m);
	OK(kb_node_equal(c, m));
	OK(strcmp(kb_map_get(c, "k4998")->str, "4998") == 0);
	kb_node *small = kb_node_new(KB_MAP);
	kb_map_set(small, "only", kb_node_new_str("one"));
	kb_node_replace(c, small);
	OK(c->n == 1 && kb_map_get(c, "only") && !kb_map_get(c, "k1"));
	kb_node_free(c);
	kb_node_free(m);

	/* many removals keep the index exact (probe chains shift back) */
	m = kb_node_new(KB_MAP);
	for (int i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "r%d", i);
		kb_map_set(m, key, kb_node_new_int(i));
	}
	OK(kb_map_get(m, "r1")); /* builds the index */
	for (int i = 0; i < 3000; i += 3) {
		snprintf(key, sizeof(key), "r%d", i);
		kb_map_del(m, key);
	}
	int bad = 0;
	for (int i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "r%d", i);
		kb_node *v = kb_map_get(m, key);
		if ((i % 3 == 0) != (v == NULL) || (v && atoi(v->str) != i))
			bad++;
	}
	OK(bad == 0 && m->n == 2000);
	kb_node_free(m);
}

/* The reader gives back the unused capacity of what it read; a map that
 * grows afterwards grows as before. */
static void test_shrink(void)
{
	const char *text = "a: 1\nb: [x, y, z]\nc: {}\nd: []\n";
	kb_node *doc = NULL;
	kb_error *e = kb_yaml_parse_one("t", text, strlen(text), NULL, &doc);
	OK(!e && doc);
	if (!doc)
		return;
	OK(doc->n == 4 && doc->cap == 4);
	kb_node *b = kb_map_get(doc, "b");
	OK(b && b->n == 3 && b->cap == 3);
	kb_node *c = kb_map_get(doc, "c");
	OK(c && c->n == 0 && c->cap == 0 && c->pairs == NULL);
	for (int i = 0; i < 10; i++) {
		char k[8];
		snprintf(k, sizeof(k), "k%d", i);
		kb_map_set(c, k, kb_node_new_str(k));
	}
	OK(c->n == 10 && strcmp(kb_map_get_str(c, "k9"), "k9") == 0);
	kb_seq_push(b, kb_node_new_str("w"));
	OK(b->n == 4 && strcmp(b->items[3]->str, "w") == 0 && strcmp(b->items[0]->str, "x") == 0);
	kb_node_free(doc);
}

int main(void)
{
	test_shrink();
	test_constructors();
	test_map();
	test_seq();
	test_clone_equal();
	test_replace_and_set();
	test_big_map_index();
	return tap_done();
}
