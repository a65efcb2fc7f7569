/* test_patch_json.c - JSON 6902 patches (semantics of json-patch.v4). */
#include "diag.h"
#include "node.h"
#include "patch_json.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Compact JSON-like rendering, enough to compare trees in tests. */
static void dump(kb_buf *b, const kb_node *n)
{
	switch (n->kind) {
	case KB_MAP:
		kb_buf_putc(b, '{');
		for (size_t i = 0; i < n->n; i++) {
			kb_buf_printf(b, "%s%s:", i ? "," : "", n->pairs[i].key);
			dump(b, n->pairs[i].val);
		}
		kb_buf_putc(b, '}');
		break;
	case KB_SEQ:
		kb_buf_putc(b, '[');
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				kb_buf_putc(b, ',');
			dump(b, n->items[i]);
		}
		kb_buf_putc(b, ']');
		break;
	case KB_STR:
		kb_buf_printf(b, "\"%s\"", n->str);
		break;
	default:
		kb_buf_puts(b, n->str);
	}
}

static const char *DOC = "{spec: {replicas: 1, nul: null, list: [a, b], sel: {z: y, a: b}}}";

/* Applies patch text to DOC; returns the rendered result or "ERR: msg". */
static char *run(const char *patch)
{
	kb_node *doc = tap_yaml(DOC);
	kb_node *ops = NULL;
	kb_error *e = kb_json6902_parse("p.yaml", patch, strlen(patch), &ops);
	if (!e)
		e = kb_json6902_apply(doc, ops, "p.yaml");
	char *out;
	if (e) {
		char *s = kb_error_format(e);
		out = kb_xasprintf("ERR: %s", s);
		free(s);
		size_t l = strlen(out);
		if (l && out[l - 1] == '\n')
			out[l - 1] = '\0';
		kb_error_free(e);
	} else {
		kb_buf b = KB_BUF_INIT;
		dump(&b, doc);
		out = kb_buf_detach(&b);
	}
	kb_node_free(ops);
	kb_node_free(doc);
	return out;
}

#define CHECK(patch, want)                 \
	do {                               \
		char *got_ = run(patch);   \
		STR_EQ(got_, want);        \
		free(got_);                \
	} while (0)

#define CHECK_ERR_HAS(patch, needle)                                          \
	do {                                                                  \
		char *got_ = run(patch);                                      \
		OK(strncmp(got_, "ERR: ", 5) == 0 && strstr(got_, needle));  \
		if (!strstr(got_, needle))                                    \
			printf("#   got: %s\n#  want: ...%s...\n", got_, needle); \
		free(got_);                                                   \
	} while (0)

static void test_add(void)
{
	CHECK("[{\"op\":\"add\",\"path\":\"/spec/x\",\"value\":3}]",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"},x:3}}");
	/* add over an existing key replaces it */
	CHECK("- {op: add, path: /spec/replicas, value: {a: 1}}",
	      "{spec:{replicas:{a:1},nul:null,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"}}}");
	CHECK("- {op: add, path: /spec/list/-, value: c}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"b\",\"c\"],sel:{z:\"y\",a:\"b\"}}}");
	CHECK("- {op: add, path: /spec/list/0, value: c}",
	      "{spec:{replicas:1,nul:null,list:[\"c\",\"a\",\"b\"],sel:{z:\"y\",a:\"b\"}}}");
	/* index == len appends */
	CHECK("- {op: add, path: /spec/list/2, value: c}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"b\",\"c\"],sel:{z:\"y\",a:\"b\"}}}");
	/* Go Atoi: leading zeros and '+' accepted, negatives count from the end */
	CHECK("- {op: add, path: /spec/list/01, value: c}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"c\",\"b\"],sel:{z:\"y\",a:\"b\"}}}");
	CHECK("- {op: add, path: /spec/list/+1, value: c}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"c\",\"b\"],sel:{z:\"y\",a:\"b\"}}}");
	CHECK("- {op: add, path: /spec/list/-1, value: c}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"b\",\"c\"],sel:{z:\"y\",a:\"b\"}}}");
	CHECK("- {op: add, path: /spec/list/-3, value: c}",
	      "{spec:{replicas:1,nul:null,list:[\"c\",\"a\",\"b\"],sel:{z:\"y\",a:\"b\"}}}");
	/* missing value adds null */
	CHECK("- {op: add, path: /spec/x}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"},x:null}}");
	/* escapes */
	CHECK("- {op: add, path: /spec/a~1b~0c~01, value: 1}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"},a/b~c~1:1}}");
	/* empty last token is the key "" */
	CHECK("- {op: add, path: /spec/, value: 1}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"},:1}}");
	/* text before the first '/' is ignored, as json-patch does */
	CHECK("- {op: add, path: spec/x, value: 1}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"}},x:1}");
	/* into an array element's map */
	CHECK("- {op: add, path: /spec/list/-1, value: {k: v}}\n- {op: add, path: /spec/list/2/n, value: 1}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"b\",{k:\"v\",n:1}],sel:{z:\"y\",a:\"b\"}}}");

	CHECK_ERR_HAS("- {op: add, path: /spec/a/b, value: 1}",
		      "patch 'p.yaml': operation 1 (add /spec/a/b): add operation does not apply: doc is missing path: \"/spec/a/b\": missing value");
	CHECK_ERR_HAS("- {op: add, path: /spec/list/3, value: 1}",
		      "operation 1 (add /spec/list/3): error in add for path: '/spec/list/3': Unable to access invalid index: 3: invalid index referenced");
	CHECK_ERR_HAS("- {op: add, path: /spec/list/-4, value: 1}",
		      "Unable to access invalid index: -4");
	CHECK_ERR_HAS("- {op: add, path: /spec/list/x, value: 1}",
		      "value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax");
	CHECK_ERR_HAS("- {op: add, path: /spec/replicas/x, value: 1}", "doc is missing path");
	CHECK_ERR_HAS("- {op: add, path: /spec/nul/x, value: 1}", "doc is missing path");
	CHECK_ERR_HAS("- {op: add, path: spec, value: 1}", "doc is missing path: \"spec\"");
	CHECK_ERR_HAS("- {op: add, path: '', value: {}}", "doc is missing path: \"\"");
}

static void test_remove_replace(void)
{
	CHECK("- {op: remove, path: /spec/replicas}",
	      "{spec:{nul:null,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"}}}");
	CHECK("- {op: remove, path: /spec/nul}",
	      "{spec:{replicas:1,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"}}}");
	CHECK("- {op: remove, path: /spec/list/0}",
	      "{spec:{replicas:1,nul:null,list:[\"b\"],sel:{z:\"y\",a:\"b\"}}}");
	CHECK("- {op: remove, path: /spec/list/-1}",
	      "{spec:{replicas:1,nul:null,list:[\"a\"],sel:{z:\"y\",a:\"b\"}}}");
	CHECK_ERR_HAS("[{\"op\":\"remove\",\"path\":\"/spec/nope\"}]",
		      "operation 1 (remove /spec/nope): error in remove for path: '/spec/nope': Unable to remove nonexistent key: nope: missing value");
	CHECK_ERR_HAS("- {op: remove, path: /spec/list/2}", "Unable to access invalid index: 2");
	CHECK_ERR_HAS("- {op: remove, path: /spec/list/-3}", "Unable to access invalid index: -3");
	CHECK_ERR_HAS("- {op: remove, path: /spec/list/-}",
		      "error in remove for path: '/spec/list/-': strconv.Atoi: parsing \"-\": invalid syntax");

	CHECK("- {op: replace, path: /spec/replicas, value: '3'}",
	      "{spec:{replicas:\"3\",nul:null,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"}}}");
	CHECK("- {op: replace, path: /spec/list/-1, value: q}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"q\"],sel:{z:\"y\",a:\"b\"}}}");
	/* json-patch v4: replacing a missing object member adds it */
	CHECK("- {op: replace, path: /spec/zzz, value: 3}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"},zzz:3}}");
	CHECK("- {op: replace, path: /spec/list/0}",
	      "{spec:{replicas:1,nul:null,list:[null,\"b\"],sel:{z:\"y\",a:\"b\"}}}");
	CHECK("- {op: replace, path: '', value: {kind: X}}", "{kind:\"X\"}");
	/* a scalar whole-document replacement is silently ignored */
	CHECK("- {op: replace, path: '', value: 1}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"}}}");
	CHECK_ERR_HAS("- {op: test, path: /spec/replicas, value: 1}\n- {op: replace, path: /spec/list/5, value: 1}",
		      "patch 'p.yaml': operation 2 (replace /spec/list/5): replace operation does not apply: doc is missing key: /spec/list/5: missing value");
	CHECK_ERR_HAS("- {op: replace, path: /spec/nul/x, value: 1}",
		      "replace operation does not apply: doc is missing path: /spec/nul/x: missing value");
}

static void test_move_copy(void)
{
	CHECK("- {op: move, from: /spec/list, path: /l}",
	      "{spec:{replicas:1,nul:null,sel:{z:\"y\",a:\"b\"}},l:[\"a\",\"b\"]}");
	CHECK("- {op: move, from: /spec/list/0, path: /spec/list/-}",
	      "{spec:{replicas:1,nul:null,list:[\"b\",\"a\"],sel:{z:\"y\",a:\"b\"}}}");
	CHECK("- {op: move, from: /spec/nul, path: /spec/n2}",
	      "{spec:{replicas:1,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"},n2:null}}");
	CHECK("- {op: copy, from: /spec/sel, path: /spec/list/1}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",{z:\"y\",a:\"b\"},\"b\"],sel:{z:\"y\",a:\"b\"}}}");
	/* copying a missing member stores null (json-patch v4) */
	CHECK("- {op: copy, from: /spec/nothere, path: /spec/c}",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"},c:null}}");
	CHECK_ERR_HAS("- {op: move, from: /spec/nope, path: /spec/q}",
		      "operation 1 (move /spec/q from /spec/nope): error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value");
	/* the destination is resolved after the removal */
	CHECK_ERR_HAS("- {op: move, from: /spec, path: /spec/x}",
		      "move operation does not apply: doc is missing destination path: /spec/x: missing value");
	CHECK_ERR_HAS("- {op: copy, from: /a/b, path: /spec/x}",
		      "copy operation does not apply: doc is missing from path: /a/b: missing value");
	CHECK_ERR_HAS("- {op: copy, from: /spec/list/7, path: /spec/x}",
		      "error in copy for from: '/spec/list/7': Unable to access invalid index: 7");
	CHECK_ERR_HAS("- {op: copy, from: /spec/list, path: /x/y}",
		      "doc is missing destination path: /x/y");
}

static void test_test(void)
{
	const char *same = "{spec:{replicas:1,nul:null,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"}}}";
	CHECK("- {op: test, path: /spec/replicas, value: 1}", same);
	CHECK("- {op: test, path: /spec/list/0, value: a}", same);
	CHECK("- {op: test, path: /spec/sel, value: {a: b, z: \"y\"}}", same);
	/* a JSON patch in YAML is goyaml.v2's YAML 1.1: a plain y is true
	 * there (kubectl: "testing value ... failed") */
	CHECK_ERR_HAS("- {op: test, path: /spec/sel, value: {a: b, z: y}}", "test failed");
	CHECK("- {op: test, path: /spec/nul, value: null}", same);
	CHECK("- {op: test, path: /spec/nope, value: null}", same);
	CHECK("- {op: test, path: '', value: {spec: {replicas: 1, nul: ~, list: [a, b], sel: {z: \"y\", a: b}}}}",
	      same);
	CHECK_ERR_HAS("- {op: test, path: /spec/replicas, value: '1'}",
		      "operation 1 (test /spec/replicas): testing value /spec/replicas failed: test failed");
	CHECK_ERR_HAS("- {op: test, path: /spec/list, value: [b, a]}", "test failed");
	CHECK_ERR_HAS("- {op: test, path: /spec/sel, value: {a: b}}", "test failed");
	CHECK_ERR_HAS("- {op: test, path: /spec/nul, value: 0}", "test failed");
	CHECK_ERR_HAS("- {op: test, path: '', value: {}}", "testing value  failed: test failed");
}

static void test_parse(void)
{
	kb_node *ops = NULL;
	kb_error *e;
	const char *j = "  [ {\"op\": \"add\", \"path\": \"/a\", \"value\": [1]} ]";
	e = kb_json6902_parse("p.json", j, strlen(j), &ops);
	OK(!e && ops && ops->kind == KB_SEQ && ops->n == 1);
	kb_node_free(ops);
	kb_error_free(e);

	e = kb_json6902_parse("p.yaml", "", 0, &ops);
	OK(!e && ops && ops->kind == KB_SEQ && ops->n == 0);
	kb_node_free(ops);

	CHECK_ERR_HAS("op: add", "must be a list of operations");
	CHECK_ERR_HAS("- op: frob\n  path: /x", "p.yaml:1:7: JSON patch operation 1: unknown op 'frob'");
	CHECK_ERR_HAS("- {op: add, path: /x}\n- path: /x", "p.yaml:2:3: JSON patch operation 2 has no 'op'");
	CHECK_ERR_HAS("- {op: add}", "JSON patch operation 1 (add) has no 'path'");
	CHECK_ERR_HAS("- {op: add, path: 1}", "'path' must be a string");
	CHECK_ERR_HAS("- {op: move, path: /a}", "JSON patch operation 1 (move /a) has no 'from'");
	CHECK_ERR_HAS("- {op: test, path: /a}", "(test /a) has no 'value'");
	CHECK_ERR_HAS("- x", "operation 1 must be a map");
	CHECK_ERR_HAS("- [", "ERR: p.yaml");

	/* a patch starting with '[' is JSON (encoding/json), not YAML */
	CHECK_ERR_HAS("[{\"op\": \"add\", \"path\": \"/a\", \"value\": 1}] # c",
		      "p.yaml:1:43: invalid JSON: '#' after the top-level value");
	CHECK_ERR_HAS("[{op: add, path: /a, value: 1}]",
		      "p.yaml:1:3: invalid JSON: 'o' where an object key was expected");
	CHECK_ERR_HAS("[{\"op\": \"add\", \"path\": \"/a\", \"value\": yes}]",
		      "p.yaml:1:39: invalid JSON: 'y' where a value was expected");
	CHECK_ERR_HAS("[{\"op\": \"add\",\n \"path\": \"/a\", \"value\": \"x\"},]",
		      "p.yaml:2:30: invalid JSON: ']' where a value was expected");
	CHECK_ERR_HAS("[{\"op\": \"add\", \"path\": \"/a\", \"value\": \"\\q\"}]",
		      "invalid JSON: 'q' in a string escape");
	CHECK_ERR_HAS("[{\"op\": \"add\", \"path\": \"/a\", \"value\": [01]}]",
		      "invalid JSON: '1' after an array element");
	CHECK_ERR_HAS("[{\"op\": \"add\", \"path\": \"/a\", \"value\": {\"n\": 1e400}}]",
		      "'1' starts a number that does not fit a float64");
	CHECK_ERR_HAS("[{\"op\": \"add\", \"path\": \"/a\", \"value\": 1}]\n---\n[]",
		      "p.yaml:2:1: invalid JSON: '-' after the top-level value");
	CHECK_ERR_HAS("[", "p.yaml:1:2: invalid JSON: end of input where a value was expected");
	/* JSON's \/ escape, a repeated key (the last wins) and a number out
	 * of range where the operation does not look are all fine */
	CHECK("[{\"op\": \"add\", \"path\": \"/s\", \"value\": \"a\\/b\", \"value\": \"c\\/d\", "
	      "\"x\": 1e400}]",
	      "{spec:{replicas:1,nul:null,list:[\"a\",\"b\"],sel:{z:\"y\",a:\"b\"}},s:\"c/d\"}");
	/* deep nesting is checked without recursion (Go allows 10,000) */
	{
		kb_buf deep = KB_BUF_INIT;
		kb_buf_puts(&deep, "[{\"op\": \"add\", \"path\": \"/d\", \"value\": ");
		for (int i = 0; i < 5000; i++)
			kb_buf_putc(&deep, '[');
		for (int i = 0; i < 5000; i++)
			kb_buf_putc(&deep, ']');
		kb_buf_puts(&deep, "}]");
		e = kb_json6902_parse("p.json", deep.data, deep.len, &ops);
		OK(!e && ops && ops->n == 1);
		kb_node_free(ops);
		kb_error_free(e);
		kb_buf_free(&deep);
	}
	/* in YAML, only the first document is read (sigs.k8s.io/yaml) */
	e = kb_json6902_parse("p.yaml", "- {op: add, path: /a}\n---\n- x\n", 27, &ops);
	OK(!e && ops && ops->n == 1);
	kb_node_free(ops);
	kb_error_free(e);

	/* apply is defensive about hand-built ops */
	kb_node *doc = kb_node_new(KB_MAP);
	kb_node *bad = kb_node_new(KB_SEQ);
	kb_node *op = kb_seq_push(bad, kb_node_new(KB_MAP));
	kb_map_set(op, "op", kb_node_new_str("frob"));
	kb_map_set(op, "path", kb_node_new_str("/a"));
	e = kb_json6902_apply(doc, bad, NULL);
	OK(e && strstr(e->primary.msg, "operation 1 (frob /a): Unexpected kind: frob"));
	kb_error_free(e);
	kb_map_set(op, "op", kb_node_new_str("add"));
	kb_map_del(op, "path");
	e = kb_json6902_apply(doc, bad, "x");
	OK(e && strstr(e->primary.msg, "add operation failed to decode path"));
	kb_error_free(e);
	kb_node_free(bad);
	kb_node_free(doc);
}

/* Builds a ConfigMap patched by n add operations (and 50 removes) from
 * memory; returns the CPU seconds it took, or -1 on a wrong result. */
static double build_many_ops(int n)
{
	kb_buf p = KB_BUF_INIT;
	for (int i = 0; i < n; i++)
		kb_buf_printf(&p, "- op: add\n  path: /data/k%d\n  value: v%d\n", i, i);
	for (int i = 0; i < n; i += n / 50)
		kb_buf_printf(&p, "- op: remove\n  path: /data/k%d\n", i + n / 50 - 2);
	static const char cm[] =
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  x: y\n";
	static const char kust[] =
		"resources:\n- cm.yaml\npatches:\n- path: p.yaml\n  target:\n    kind: ConfigMap\n";
	kb_memfs *m = kb_memfs_new(NULL);
	kb_memfs_add(m, "/t/kustomization.yaml", kust, strlen(kust));
	kb_memfs_add(m, "/t/cm.yaml", cm, strlen(cm));
	kb_memfs_add(m, "/t/p.yaml", p.data, p.len);
	kb_buf_free(&p);
	kb_options o;
	kb_options_init(&o);
	o.fs = kb_memfs_fs(m);
	o.path = "/t";
	kb_result *res = NULL;
	clock_t t0 = clock();
	kb_error *e = kb_build(&o, &res);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	size_t len = 0;
	const char *y = res ? kb_result_yaml(res, &len) : "";
	char want[64], gone[64];
	snprintf(want, sizeof(want), "\n  k%d: v%d\n", n - 1, n - 1);
	snprintf(gone, sizeof(gone), "\n  k%d: v%d\n", n - 2, n - 2);
	bool ok = !e && strstr(y, want) && !strstr(y, gone) && strstr(y, "\n  x: \"y\"\n");
	kb_result_free(res);
	kb_error_free(e);
	kb_memfs_free(m);
	return ok ? secs : -1;
}

/* The operations of a JSON patch on one map take time linear in their
 * number: four times the operations may cost at most about four times the
 * CPU (it was sixteen times when every lookup scanned the map).  CPU time,
 * and a ratio, so that a slow or busy machine does not matter. */
static void test_many_ops(void)
{
	double t1 = build_many_ops(25000);
	double t4 = build_many_ops(100000);
	OK(t1 >= 0 && t4 >= 0);
	if (t1 < 0.01)
		t1 = 0.01; /* too fast to measure: the bound still holds */
	printf("# 25,000 ops: %.3f s CPU, 100,000 ops: %.3f s CPU (ratio %.1f)\n", t1, t4, t4 / t1);
	OK(t4 / t1 < 9.0);
}

int main(void)
{
	test_many_ops();
	test_add();
	test_remove_replace();
	test_move_copy();
	test_test();
	test_parse();
	return tap_done();
}
