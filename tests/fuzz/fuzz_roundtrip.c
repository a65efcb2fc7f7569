/*
 * fuzz_roundtrip.c - the emitter round-trip: every document the reader
 * accepts (as a resource file is read) is emitted, and
 *   parse(emit(doc)) == doc          (kind, text and shape, as kb_node_equal,
 *                                     except that an empty null (`a:`) and an
 *                                     explicit one (`a: null`, `a: ~`) are the
 *                                     same value: the emitter prints both as
 *                                     null, as kustomize does; and a float
 *                                     whose text is an integer's (`!!float "1"`)
 *                                     is that integer: JSON has one number;
 *                                     and a string that is not UTF-8 (only
 *                                     !!binary makes one) reads back with
 *                                     each bad byte as U+FFFD, as Go's JSON
 *                                     encoder writes it in kustomize;
 *                                     and a string holding U+0085 (NEL)
 *                                     reads back folded, as kustomize
 *                                     prints it, and a folded one may read
 *                                     back with more line breaks: gort.h)
 *   emit(parse(emit(doc))) == emit(doc)   (byte for byte)
 *   emit(doc) == the same through libyaml's emitter (fastemit.h)
 * A document the emitter refuses (repeated keys) is skipped.  The second
 * property is not asked of maps whose key order is not defined, which
 * kustomize prints in an order that depends on Go's map iteration (see
 * explain_unstable): there the order depends on the order read.
 */
#include "emit.h"
#include "gort.h"
#include "fuzz.h"
#include "parse.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* s with every byte that does not start a valid UTF-8 sequence replaced
 * by U+FFFD (Go's json.Marshal); caller frees. */
static char *go_utf8(const char *s, size_t len, size_t *olen)
{
	kb_buf b = KB_BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t l = fuzz_utf8_len(p + i, len - i);
		if (l) {
			kb_buf_append(&b, p + i, l);
			i += l;
		} else {
			kb_buf_puts(&b, "\xef\xbf\xbd");
			i++;
		}
	}
	*olen = b.len;
	return kb_buf_detach(&b);
}

/* Whether a and b are the same text once their line breaks are taken out
 * and b has at least as many. */
static bool same_but_breaks(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0, j = 0, na = 0, nb = 0;
	for (;;) {
		while (i < al && a[i] == '\n')
			i++, na++;
		while (j < bl && b[j] == '\n')
			j++, nb++;
		if (i == al || j == bl)
			return i == al && j == bl && nb >= na;
		if (a[i++] != b[j++])
			return false;
	}
}

/* kb_node_equal with every null equal; on a difference, prints where. */
static bool same_value(const kb_node *a, const kb_node *b, kb_buf *where)
{
	bool numbers = (a->kind == KB_INT || a->kind == KB_FLOAT) &&
		       (b->kind == KB_INT || b->kind == KB_FLOAT);
	if (a->kind != b->kind && !numbers) {
		kb_buf_printf(where, ": kind %d, reads back as kind %d", a->kind, b->kind);
		return false;
	}
	switch (a->kind) {
	case KB_NULL:
		return true;
	case KB_MAP:
		if (a->n != b->n) {
			kb_buf_printf(where, ": %zu keys, reads back with %zu", a->n, b->n);
			return false;
		}
		for (size_t i = 0; i < a->n; i++) {
			size_t kl;
			char *key = go_utf8(a->pairs[i].key, a->pairs[i].klen, &kl);
			kb_pair *op = kb_map_get_pairn(b, key, kl);
			kb_node *o = op ? op->val : NULL;
			free(key);
			kb_buf_printf(where, ".%s", a->pairs[i].key);
			if (!o) {
				kb_buf_puts(where, ": missing when read back");
				return false;
			}
			if (!same_value(a->pairs[i].val, o, where))
				return false;
			where->len -= strlen(a->pairs[i].key) + 1;
			where->data[where->len] = '\0';
		}
		return true;
	case KB_SEQ:
		if (a->n != b->n) {
			kb_buf_printf(where, ": %zu items, reads back with %zu", a->n, b->n);
			return false;
		}
		for (size_t i = 0; i < a->n; i++) {
			size_t l = where->len;
			kb_buf_printf(where, "[%zu]", i);
			if (!same_value(a->items[i], b->items[i], where))
				return false;
			where->len = l;
			where->data[l] = '\0';
		}
		return true;
	default:
		if (a->len == b->len && memcmp(a->str, b->str, a->len) == 0)
			return true;
		size_t gl;
		char *g = go_utf8(a->str, a->len, &gl);
		bool same = gl == b->len && memcmp(g, b->str, gl) == 0;
		/* kustomize folds U+0085 (NEL) as a line break when it prints
		 * (gort.h, step 2): the value read back is the folded one */
		char *f = NULL;
		size_t fl = 0;
		if (!same && kb_gort_nel_fold(g, gl, &f, &fl))
			same = fl == b->len && memcmp(f, b->str, fl) == 0;
		free(f);
		free(g);
		/* and go-yaml v3's folded writer adds a line break before a
		 * more-indented line (gort.h, step 1): a folded string may
		 * read back with more line breaks, nothing else changed */
		if (!same && a->style == KB_STYLE_FOLDED)
			same = same_but_breaks(a->str, a->len, b->str, b->len);
		if (same)
			return true;
		kb_buf_printf(where, ": '%s' (%zu bytes) reads back as '%s' (%zu bytes)", a->str,
			      a->len, b->str, b->len);
		return false;
	}
}

static bool valid_utf8(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t l = fuzz_utf8_len((const unsigned char *)s + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Why emit(parse(emit(doc))) may differ from emit(doc) without a bug of
 * its own, or NULL: a map below n whose keys goyaml.v2's natural order
 * (kb_natural_cmp, a port of keyList.Less) does not order consistently
 * (it is not transitive: "x(" < "x000" < "x01" < "x(" can hold), or
 * whose keys are not UTF-8 (!!binary keys: sorted as bytes, printed as
 * U+FFFD; finding Y2 in the notes), or a "<<" key (printed plain, it
 * reads back as a merge: finding Y6). */
static const char *explain_unstable(const kb_node *n)
{
	if (!n || (n->kind != KB_MAP && n->kind != KB_SEQ))
		return NULL;
	if (n->kind == KB_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			const char *why = explain_unstable(n->items[i]);
			if (why)
				return why;
		}
		return NULL;
	}
	for (size_t i = 0; i < n->n; i++) {
		if (!valid_utf8(n->pairs[i].key))
			return "a key that is not UTF-8 (finding Y2)";
		if (strcmp(n->pairs[i].key, "<<") == 0)
			return "a '<<' key printed unquoted, read back as a merge (finding Y6)";
	}
	size_t m = n->n < 200 ? n->n : 200;
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < m; j++) {
			const char *a = n->pairs[i].key, *b = n->pairs[j].key;
			int ab = sign(kb_natural_cmp(a, b));
			if (ab != -sign(kb_natural_cmp(b, a)))
				return "the natural key order is not antisymmetric here";
			for (size_t k = 0; k < m && ab < 0; k++) {
				const char *c = n->pairs[k].key;
				if (kb_natural_cmp(b, c) < 0 && kb_natural_cmp(a, c) >= 0)
					return "the natural key order is not transitive here";
			}
		}
	for (size_t i = 0; i < n->n; i++) {
		const char *why = explain_unstable(n->pairs[i].val);
		if (why)
			return why;
	}
	return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_known_defect(data, size) || fuzz_yaml_finding(data, size))
		return -1;
	kb_parse_limits lim = { .max_nodes = FUZZ_MAX_NODES };
	kb_node **docs = NULL;
	size_t n = 0;
	kb_error *e = kb_yaml_parse("input.yaml", (const char *)data, size, &lim, &docs, &n);
	if (e) {
		char *t = kb_error_format(e);
		if (!t || !*t)
			fuzz_fail("empty parse error text");
		free(t);
		kb_error_free(e);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		kb_buf out = KB_BUF_INIT;
		const kb_pair *first = NULL;
		const kb_pair *dup = kb_node_find_dup_key(docs[i], &first);
		e = kb_emit_doc(&out, docs[i]);
		if (e) {
			kb_error_free(e);
			kb_buf_free(&out);
			continue;
		}
		if (dup) {
			/* a repeated key must not be printed (kustomize fails);
			 * finding Y5: emit.c looks for it among neighbours in the
			 * natural order, which is not transitive (Y3), so the two
			 * can end up apart */
			const char *known = getenv("KB_FUZZ_KNOWN");
			if (known && *known == '1')
				fuzz_fail("a map with the repeated key '%s' (line %u) was printed", dup->key,
					  dup->line);
			kb_buf_free(&out);
			continue;
		}
		/* the fast writer prints what libyaml's emitter prints */
		kb_buf lib = KB_BUF_INIT;
		kb_error *le = kb_emit_doc_libyaml(&lib, docs[i]);
		if (le || lib.len != out.len || memcmp(lib.data, out.data, out.len) != 0) {
			fprintf(stderr, "---- fast ----\n%s---- libyaml ----\n%s---- end ----\n",
				out.data ? out.data : "", lib.data ? lib.data : "");
			fuzz_fail("fastemit.c and libyaml's emitter print document %zu differently", i);
		}
		kb_buf_free(&lib);
		char *y1 = kb_buf_detach(&out);
		kb_node *back = NULL;
		e = kb_yaml_parse_one("emitted.yaml", y1, strlen(y1), &lim, &back);
		if (e) {
			char *t = kb_error_format(e);
			fprintf(stderr, "---- emitted ----\n%s---- end ----\n", y1);
			fuzz_fail("emitted document %zu does not parse: %s", i, t);
		}
		kb_buf where = KB_BUF_INIT;
		kb_buf_puts(&where, "$");
		const char *why_diff = NULL;
		if (!same_value(docs[i], back, &where) &&
		    !((why_diff = explain_unstable(docs[i])) &&
		      (strstr(why_diff, "Y2") || strstr(why_diff, "Y6")))) {
			fprintf(stderr, "---- emitted ----\n%s---- end ----\n", y1);
			fuzz_fail("document %zu reads back different at %s", i, where.data);
		}
		kb_buf_free(&where);
		kb_buf out2 = KB_BUF_INIT;
		e = kb_emit_doc(&out2, back);
		if (e) {
			/* two !!binary keys that print the same (finding Y2) read
			 * back as a repeated key */
			const char *why = explain_unstable(docs[i]);
			if (!why || !strstr(why, "Y2"))
				fuzz_fail("the emitter refuses what it emitted");
			kb_error_free(e);
			kb_buf_free(&out2);
			free(y1);
			kb_node_free(back);
			continue;
		}
		char *y2 = kb_buf_detach(&out2);
		const char *why = NULL;
		if (strcmp(y1, y2) != 0 && (why = explain_unstable(docs[i])) && getenv("KB_FUZZ_VERBOSE"))
			fprintf(stderr, "fuzz: emit differs over a round-trip: %s\n", why);
		if (strcmp(y1, y2) != 0 && !why) {
			fprintf(stderr, "---- first ----\n%s---- second ----\n%s---- end ----\n", y1, y2);
			fuzz_fail("emit is not stable over a round-trip (document %zu)", i);
		}
		free(y1);
		free(y2);
		kb_node_free(back);
	}
	kb_docs_free(docs, n);
	return 0;
}
