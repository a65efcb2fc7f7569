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
 *                                     encoder writes it in kustomize)
 *   emit(parse(emit(doc))) == emit(doc)   (byte for byte)
 * A document the emitter refuses (repeated keys) is skipped.
 */
#include "emit.h"
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
			char *key = go_utf8(a->pairs[i].key, strlen(a->pairs[i].key), &kl);
			kb_node *o = kb_map_get(b, key);
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
		free(g);
		if (same)
			return true;
		kb_buf_printf(where, ": '%s' (%zu bytes) reads back as '%s' (%zu bytes)", a->str,
			      a->len, b->str, b->len);
		return false;
	}
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
		e = kb_emit_doc(&out, docs[i]);
		if (e) {
			kb_error_free(e);
			kb_buf_free(&out);
			continue;
		}
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
		if (!same_value(docs[i], back, &where)) {
			fprintf(stderr, "---- emitted ----\n%s---- end ----\n", y1);
			fuzz_fail("document %zu reads back different at %s", i, where.data);
		}
		kb_buf_free(&where);
		kb_buf out2 = KB_BUF_INIT;
		e = kb_emit_doc(&out2, back);
		if (e)
			fuzz_fail("the emitter refuses what it emitted");
		char *y2 = kb_buf_detach(&out2);
		if (strcmp(y1, y2) != 0) {
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
