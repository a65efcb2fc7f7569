/*
 * fuzz_roundtrip.c - the emitter round-trip: every document the reader
 * accepts, reading the input both as a plain YAML stream and as kustomize
 * reads a resource file (kb_parse_limits.kio), is emitted, and
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
 *   emit(parse(emit(doc))) == emit(doc)   (byte for byte: the key order
 *                                     is a function of the set of keys,
 *                                     even where goyaml.v2's natural order
 *                                     is not transitive, finding Y3)
 *   emit(doc) == the same through libyaml's emitter (fastemit.h)
 *   kb_emit_check(doc) fails where emit(doc) fails, with its words
 * and every map key is UTF-8 (!!binary keys are refused: finding Y2).
 * A document the emitter refuses is skipped, unless it printed a map that
 * repeats a key (finding Y5: it must refuse those).  A document holding a
 * "<<" key is printed merged, as kustomize prints it: only the second
 * property is asked of it.
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

/* Where the emitter writes a node (emit.c's place): the column of a
 * map's keys or a block scalar's content, whether it is a map value,
 * whether inside a flow collection. */
typedef struct at_place {
	unsigned pos;
	bool map_value, in_flow;
} at_place;

/* kb_node_equal with every null equal; on a difference, prints where.
 * at: where the emitter wrote a (a string is printed as kustomize prints
 * it, kb_gort_value, which depends on that). */
static bool same_value(const kb_node *a, const kb_node *b, kb_buf *where, at_place at)
{
	bool flow = at.in_flow || a->style == KB_STYLE_FLOW;
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
			kb_buf_printf(where, ": %zu keys, reads back with %zu", (size_t)a->n, (size_t)b->n);
			return false;
		}
		for (size_t i = 0; i < a->n; i++) {
			/* keys are UTF-8 (checked below), compared by length:
			 * a key may hold a NUL */
			const kb_pair *op = kb_map_get_pairn(b, a->pairs[i].key, a->pairs[i].klen);
			kb_node *o = op ? op->val : NULL;
			kb_buf_printf(where, ".%s", a->pairs[i].key);
			if (!o) {
				kb_buf_puts(where, ": missing when read back");
				return false;
			}
			at_place child = { at.pos + 2, true, flow };
			if (!same_value(a->pairs[i].val, o, where, child))
				return false;
			where->len -= strlen(a->pairs[i].key) + 1;
			where->data[where->len] = '\0';
		}
		return true;
	case KB_SEQ:
		if (a->n != b->n) {
			kb_buf_printf(where, ": %zu items, reads back with %zu", (size_t)a->n, (size_t)b->n);
			return false;
		}
		for (size_t i = 0; i < a->n; i++) {
			size_t l = where->len;
			kb_buf_printf(where, "[%zu]", i);
			at_place item = { (at.map_value ? at.pos - 2 : at.pos) + 2, false, flow };
			if (!same_value(a->items[i], b->items[i], where, item))
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
		/* and a string is printed as kustomize prints it (gort.h:
		 * go-yaml v3's folded writer, then JSON and goyaml.v2), which
		 * can be another value, read back as such */
		if (!same && a->kind == KB_STR) {
			char *rt = NULL;
			size_t rtl = 0;
			kb_error *ge = kb_gort_value(a->str, a->len, (kb_style)a->style, at.in_flow,
						     at.pos, a->line, a->col, &rt, &rtl);
			kb_error_free(ge);
			if (rt)
				same = rtl == b->len && memcmp(rt, b->str, rtl) == 0;
			free(rt);
		}
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

static bool valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t l = fuzz_utf8_len((const unsigned char *)s + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

/* A map key below n that is not UTF-8 (only a !!binary key could make
 * one, and the reader refuses those: finding Y2), or NULL. */
static const char *bad_key(const kb_node *n)
{
	if (!n || (n->kind != KB_MAP && n->kind != KB_SEQ))
		return NULL;
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == KB_MAP && !valid_utf8(n->pairs[i].key, n->pairs[i].klen))
			return n->pairs[i].key;
		const char *k = bad_key(n->kind == KB_MAP ? n->pairs[i].val : n->items[i]);
		if (k)
			return k;
	}
	return NULL;
}

/* Whether a map below n holds a "<<" key. */
static bool has_merge_key(const kb_node *n)
{
	if (!n || (n->kind != KB_MAP && n->kind != KB_SEQ))
		return false;
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == KB_MAP && n->pairs[i].klen == 2 && memcmp(n->pairs[i].key, "<<", 2) == 0)
			return true;
		if (has_merge_key(n->kind == KB_MAP ? n->pairs[i].val : n->items[i]))
			return true;
	}
	return false;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

/* The properties for every document of the input read with lim. */
static void roundtrip(const uint8_t *data, size_t size, const kb_parse_limits *lim)
{
	const char *mode = lim->kio ? "as a resource (kio)" : "as a YAML stream";
	kb_node **docs = NULL;
	size_t n = 0;
	kb_error *e = kb_yaml_parse("input.yaml", (const char *)data, size, lim, &docs, &n);
	if (e) {
		char *t = kb_error_format(e);
		if (!t || !*t)
			fuzz_fail("empty parse error text");
		free(t);
		kb_error_free(e);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *bad = bad_key(docs[i]);
		if (bad)
			fuzz_fail("read %s, document %zu has a key that is not UTF-8: '%s' (finding Y2)",
				  mode, i, bad);
		kb_buf out = KB_BUF_INIT;
		const kb_pair *first = NULL;
		const kb_pair *dup = kb_node_find_dup_key(docs[i], &first);
		/* the streamed build checks first what printing will refuse */
		kb_error *ce = kb_emit_check(docs[i]);
		e = kb_emit_doc(&out, docs[i]);
		if (!ce != !e || (e && strcmp(ce->primary.msg, e->primary.msg) != 0))
			fuzz_fail("read %s, document %zu: kb_emit_check says %s, kb_emit_doc %s", mode,
				  i, ce ? ce->primary.msg : "ok", e ? e->primary.msg : "ok");
		kb_error_free(ce);
		if (e) {
			/* refused (a repeated key, .inf, a NEL in a key): kustomize
			 * fails on these too */
			kb_error_free(e);
			kb_buf_free(&out);
			continue;
		}
		if (dup)
			fuzz_fail("read %s, a map with the repeated key '%s' (line %u) was printed "
				  "(finding Y5)",
				  mode, dup->key, dup->line);
		/* the fast writer prints what libyaml's emitter prints */
		kb_buf lib = KB_BUF_INIT;
		kb_error *le = kb_emit_doc_libyaml(&lib, docs[i]);
		if (le || lib.len != out.len || memcmp(lib.data, out.data, out.len) != 0) {
			fprintf(stderr, "---- fast ----\n%s---- libyaml ----\n%s---- end ----\n",
				out.data ? out.data : "", lib.data ? lib.data : "");
			fuzz_fail("fastemit.c and libyaml's emitter print document %zu differently (read %s)", i, mode);
		}
		kb_buf_free(&lib);
		char *y1 = kb_buf_detach(&out);
		kb_node *back = NULL;
		e = kb_yaml_parse_one("emitted.yaml", y1, strlen(y1), lim, &back);
		if (e) {
			char *t = kb_error_format(e);
			fprintf(stderr, "---- emitted ----\n%s---- end ----\n", y1);
			fuzz_fail("read %s, emitted document %zu does not parse: %s", mode, i, t);
		}
		if (!back) {
			fprintf(stderr, "---- emitted ----\n%s---- end ----\n", y1);
			fuzz_fail("read %s, emitted document %zu reads back empty", mode, i);
		}
		kb_buf where = KB_BUF_INIT;
		kb_buf_puts(&where, "$");
		/* a "<<" key that reaches the emitter (a quoted one, read as a
		 * plain stream; the kio reader drops those) is merged as
		 * kustomize prints it (kyaml writes it plain, its JSON step
		 * reads a merge): the value read back is the merged one, not
		 * doc, so only the second property is asked there */
		if (!has_merge_key(docs[i]) && !same_value(docs[i], back, &where, (at_place){ 0, false, false })) {
			fprintf(stderr, "---- emitted ----\n%s---- end ----\n", y1);
			fuzz_fail("read %s, document %zu reads back different at %s", mode, i,
				  where.data);
		}
		kb_buf_free(&where);
		kb_buf out2 = KB_BUF_INIT;
		e = kb_emit_doc(&out2, back);
		if (e) {
			char *t = kb_error_format(e);
			fprintf(stderr, "---- emitted ----\n%s---- end ----\n", y1);
			fuzz_fail("read %s, the emitter refuses what it emitted: %s", mode, t);
		}
		char *y2 = kb_buf_detach(&out2);
		if (strcmp(y1, y2) != 0) {
			fprintf(stderr, "---- first ----\n%s---- second ----\n%s---- end ----\n", y1, y2);
			fuzz_fail("read %s, emit is not stable over a round-trip (document %zu)", mode,
				  i);
		}
		free(y1);
		free(y2);
		kb_node_free(back);
	}
	kb_docs_free(docs, n);
}

/* The reader copies checked UTF-8 into libyaml's buffer in bulk
 * (parse.c's feed) except after a byte order mark, where libyaml's own
 * reader decodes it: both must read the same documents, or fail at the
 * same place with the same words. */
static void bulk_vs_libyaml_reader(const uint8_t *data, size_t size)
{
	if (size >= 2 && (data[0] == 0xEF || data[0] == 0xFE || data[0] == 0xFF))
		return;
	char *bom = malloc(size + 3);
	memcpy(bom, "\xef\xbb\xbf", 3);
	memcpy(bom + 3, data, size);
	kb_parse_limits lim = { .max_nodes = FUZZ_MAX_NODES };
	kb_node **d1 = NULL, **d2 = NULL;
	size_t n1 = 0, n2 = 0;
	kb_error *e1 = kb_yaml_parse("f.yaml", (const char *)data, size, &lim, &d1, &n1);
	kb_error *e2 = kb_yaml_parse("f.yaml", bom, size + 3, &lim, &d2, &n2);
	if (!e1 != !e2 || n1 != n2)
		fuzz_fail("bulk reader: %s vs libyaml's reader: %s", e1 ? e1->primary.msg : "ok",
			  e2 ? e2->primary.msg : "ok");
	if (e1 && (e1->primary.line != e2->primary.line || strcmp(e1->primary.msg, e2->primary.msg) != 0))
		fuzz_fail("bulk reader's error at line %u (%s), libyaml's reader's at %u (%s)",
			  e1->primary.line, e1->primary.msg, e2->primary.line, e2->primary.msg);
	const kb_pair *first;
	for (size_t i = 0; !e1 && i < n1; i++)
		/* kb_node_equal matches keys by lookup: not for repeated ones */
		if (!kb_node_find_dup_key(d1[i], &first) && !kb_node_equal(d1[i], d2[i]))
			fuzz_fail("bulk reader: document %zu differs from libyaml's reader's", i);
	kb_error_free(e1);
	kb_error_free(e2);
	kb_docs_free(d1, n1);
	kb_docs_free(d2, n2);
	free(bom);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_known_defect(data, size))
		return -1;
	bulk_vs_libyaml_reader(data, size);
	/* once as a YAML stream, once as kustomize reads a resource file
	 * (kio.ByteReader: split at "---" lines, merge keys checked, a
	 * quoted "<<" dropped) */
	kb_parse_limits lim = { .max_nodes = FUZZ_MAX_NODES };
	roundtrip(data, size, &lim);
	lim.kio = true;
	roundtrip(data, size, &lim);
	return 0;
}
