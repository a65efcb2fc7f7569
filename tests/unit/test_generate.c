/* test_generate.c - configMap/secret generators and merge/replace.  The
 * expected outputs and hashes were taken from kubectl kustomize v5.5.0 on
 * the same inputs. */
#define _GNU_SOURCE
#include "generate.h"
#include "hash.h"
#include "node.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *root;
static char kfile[4200];

/* By size, not strlen: some literals hold NUL bytes. */
#define WRITE(name, lit) tap_write_n(root, name, lit, sizeof(lit) - 1)

static kb_node *strseq(const char *const *v)
{
	kb_node *s = kb_node_new(KB_SEQ);
	for (; *v; v++)
		kb_seq_push(s, kb_node_new_str(*v));
	return s;
}
#define SEQ(...) strseq((const char *const[]){ __VA_ARGS__, NULL })

static kb_node *entry(const char *name)
{
	kb_node *e = kb_node_new(KB_MAP);
	if (name)
		kb_map_set(e, "name", kb_node_new_str(name));
	return e;
}

static kb_loader loader(void)
{
	kb_loader ld = { NULL, root, KB_LOAD_ROOT_ONLY, kfile };
	return ld;
}

/* Runs a generator; returns the error text (caller frees) or NULL. */
static char *run(kb_node *e, const kb_node *global, bool secret, kb_warnings *w, kb_gen_result *out)
{
	kb_loader ld = loader();
	kb_error *err = kb_generate(e, global, secret, &ld, w, out);
	kb_node_free(e);
	if (!err)
		return NULL;
	char *s = kb_error_format(err);
	kb_error_free(err);
	return s;
}

static const char *data(const kb_gen_result *r, const char *field, const char *key)
{
	return kb_node_get_str(r->doc, field, key, NULL);
}

static bool contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle);
}

static bool warned(const kb_warnings *w, const char *needle)
{
	for (size_t i = 0; i < w->n; i++)
		if (strstr(w->v[i], needle))
			return true;
	return false;
}

static void hash_is(const kb_node *doc, const char *want)
{
	char h[11] = "";
	kb_error *e = kb_hash_resource(doc, h);
	OK(!e);
	kb_error_free(e);
	STR_EQ(h, want);
}

/* The kubectl session: env file with BOM, comment, blank, indented,
 * `export`, a bad key, no '=', quotes kept, '=' in value; literals with
 * quotes; a text file and a binary file.  kubectl printed cm-6c29h88d7b. */
static void test_configmap_full(void)
{
	WRITE("a.env", "\xef\xbb\xbf# comment\n\n  FOO=bar\nexport X=1\nbad key=v\nNOEQ\nQ=\"quoted\"  \nA.B-c_d=x=y\n");
	WRITE("f.txt", "line1\nline2\n");
	WRITE("b.bin", "\xff\xfe\x00" "bin");
	kb_node *e = entry("cm");
	kb_map_set(e, "envs", SEQ("a.env"));
	kb_map_set(e, "literals",
		   SEQ("L1=\"dq\"", "L2='sq'", "L3=\"mis'", "L4=", "bad@key=1"));
	kb_map_set(e, "files", SEQ("f.txt", "k2=b.bin"));
	kb_warnings w = { 0 };
	kb_gen_result r;
	char *err = run(e, NULL, false, &w, &r);
	OK(!err);
	free(err);
	if (!r.doc)
		return;
	STR_EQ(kb_map_get_str(r.doc, "apiVersion"), "v1");
	STR_EQ(kb_map_get_str(r.doc, "kind"), "ConfigMap");
	STR_EQ(kb_node_get_str(r.doc, "metadata", "name", NULL), "cm");
	OK(!kb_node_get(r.doc, "metadata", "namespace", NULL));
	STR_EQ(data(&r, "data", "FOO"), "bar");
	STR_EQ(data(&r, "data", "export X"), "1");
	STR_EQ(data(&r, "data", "bad key"), "v");
	STR_EQ(data(&r, "data", "NOEQ"), "");
	STR_EQ(data(&r, "data", "Q"), "\"quoted\"  ");
	STR_EQ(data(&r, "data", "A.B-c_d"), "x=y");
	STR_EQ(data(&r, "data", "L1"), "dq");
	STR_EQ(data(&r, "data", "L2"), "sq");
	STR_EQ(data(&r, "data", "L3"), "\"mis'");
	STR_EQ(data(&r, "data", "L4"), "");
	STR_EQ(data(&r, "data", "bad@key"), "1");
	STR_EQ(data(&r, "data", "f.txt"), "line1\nline2\n");
	STR_EQ(data(&r, "binaryData", "k2"), "//4AYmlu");
	OK(!kb_node_get(r.doc, "data", "k2", NULL));
	OK(kb_node_get(r.doc, "data", "FOO", NULL)->kind == KB_STR);
	/* no behavior is kustomize's "unspecified" (acts as create) */
	OK(r.behavior == KB_BEHAVIOR_UNSET);
	OK(r.needs_hash);
	OK(!kb_map_get(r.doc, "immutable"));
	hash_is(r.doc, "6c29h88d7b");
	/* kubectl accepts these keys silently; kbuild warns. */
	OK(warned(&w, "export X"));
	OK(warned(&w, "bad key"));
	OK(warned(&w, "bad@key"));
	/* the key warnings name the kustomization (the env-file ones the env file) */
	OK(w.n > 0 && contains(w.v[w.n - 1], kfile));
	kb_node_free(r.doc);
	kb_warnings_free(&w);
}

/* kubectl: CRLF env lines, a 60-byte file (wrapped base64), options and
 * generatorOptions -> s-7b759g2k6d; an empty tls secret -> s2-694464d966. */
static void test_secret(void)
{
	WRITE("crlf.env", "A=1\r\nB=2\r\n");
	char long60[61];
	memset(long60, 'x', 60);
	long60[60] = 0;
	tap_write_n(root, "long.txt", long60, 60);

	kb_node *global = kb_node_new(KB_MAP);
	kb_node *gl = kb_map_ensure_map(global, "labels");
	kb_map_set(gl, "l", kb_node_new_str("g"));
	kb_map_set(gl, "g", kb_node_new_str("g"));
	kb_map_set(kb_map_ensure_map(global, "annotations"), "a", kb_node_new_str("b"));

	kb_node *e = entry("s");
	kb_map_set(e, "envs", SEQ("crlf.env"));
	kb_map_set(e, "files", SEQ("long.txt"));
	kb_map_set(e, "literals", SEQ("short=abc"));
	kb_node *o = kb_map_ensure_map(e, "options");
	kb_map_set(o, "immutable", kb_node_new_bool(true));
	kb_map_set(kb_map_ensure_map(o, "labels"), "l", kb_node_new_str("1"));
	kb_gen_result r;
	char *err = run(e, global, true, NULL, &r);
	OK(!err);
	free(err);
	if (r.doc) {
		STR_EQ(kb_map_get_str(r.doc, "kind"), "Secret");
		STR_EQ(kb_map_get_str(r.doc, "type"), "Opaque");
		STR_EQ(data(&r, "data", "A"), "MQ==");
		STR_EQ(data(&r, "data", "B"), "Mg==");
		STR_EQ(data(&r, "data", "short"), "YWJj");
		STR_EQ(data(&r, "data", "long.txt"),
		       "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eH\n"
		       "h4eHh4eHh4\n");
		STR_EQ(kb_node_get_str(r.doc, "metadata", "labels", "l", NULL), "1");
		STR_EQ(kb_node_get_str(r.doc, "metadata", "labels", "g", NULL), "g");
		STR_EQ(kb_node_get_str(r.doc, "metadata", "annotations", "a", NULL), "b");
		kb_node *imm = kb_map_get(r.doc, "immutable");
		OK(imm && imm->kind == KB_BOOL && kb_streq(imm->str, "true"));
		hash_is(r.doc, "7b759g2k6d");
		kb_node_free(r.doc);
	}

	e = entry("s2");
	kb_map_set(e, "type", kb_node_new_str("kubernetes.io/tls"));
	kb_map_set(e, "namespace", kb_node_new_str("ns"));
	kb_map_set(e, "literals", kb_node_new(KB_SEQ));
	err = run(e, global, true, NULL, &r);
	OK(!err);
	free(err);
	if (r.doc) {
		kb_node *d = kb_map_get(r.doc, "data");
		OK(d && d->kind == KB_MAP && d->n == 0); /* data: {} */
		STR_EQ(kb_map_get_str(r.doc, "type"), "kubernetes.io/tls");
		STR_EQ(kb_node_get_str(r.doc, "metadata", "namespace", NULL), "ns");
		OK(!kb_map_get(r.doc, "immutable"));
		hash_is(r.doc, "694464d966");
		kb_node_free(r.doc);
	}
	kb_node_free(global);
}

static void test_options(void)
{
	/* Global booleans win over local false; local labels win over global. */
	kb_node *global = kb_node_new(KB_MAP);
	kb_map_set(global, "disableNameSuffixHash", kb_node_new_bool(true));
	kb_node *e = entry("c");
	kb_map_set(e, "behavior", kb_node_new_str("merge"));
	kb_map_set(kb_map_ensure_map(e, "options"), "disableNameSuffixHash", kb_node_new_bool(false));
	kb_gen_result r;
	char *err = run(e, global, false, NULL, &r);
	OK(!err);
	free(err);
	OK(!r.needs_hash);
	OK(r.behavior == KB_GEN_MERGE);
	/* ConfigMap without keys has no data field at all. */
	OK(r.doc && !kb_map_get(r.doc, "data") && !kb_map_get(r.doc, "binaryData"));
	OK(r.doc && !kb_node_get(r.doc, "metadata", "labels", NULL));
	kb_node_free(r.doc);
	kb_node_free(global);

	e = entry("c");
	kb_map_set(e, "behavior", kb_node_new_str("replace"));
	kb_map_set(kb_map_ensure_map(e, "options"), "disableNameSuffixHash", kb_node_new_bool(true));
	err = run(e, NULL, false, NULL, &r);
	OK(!err && !r.needs_hash && r.behavior == KB_GEN_REPLACE);
	free(err);
	kb_node_free(r.doc);

	/* kubectl builds behavior: bogus as a plain create (c-h29d89cmmt). */
	kb_warnings w = { 0 };
	e = entry("c");
	kb_map_set(e, "behavior", kb_node_new_str("bogus"));
	kb_map_set(e, "literals", SEQ("a=1"));
	err = run(e, NULL, false, &w, &r);
	OK(!err && r.behavior == KB_BEHAVIOR_UNSET && r.needs_hash);
	free(err);
	OK(warned(&w, "bogus"));
	if (r.doc)
		hash_is(r.doc, "h29d89cmmt");
	kb_node_free(r.doc);
	kb_warnings_free(&w);

	/* legacy `env` is read after `envs` */
	WRITE("one.env", "K=one\n");
	WRITE("two.env", "J=two\n");
	e = entry("c");
	kb_map_set(e, "env", kb_node_new_str("two.env"));
	kb_map_set(e, "envs", SEQ("one.env"));
	err = run(e, NULL, false, NULL, &r);
	OK(!err);
	free(err);
	if (r.doc) {
		STR_EQ(data(&r, "data", "K"), "one");
		STR_EQ(data(&r, "data", "J"), "two");
	}
	kb_node_free(r.doc);
}

static void expect_error(kb_node *e, bool secret, const char *needle)
{
	kb_gen_result r;
	char *err = run(e, NULL, secret, NULL, &r);
	OK(err != NULL);
	OK(r.doc == NULL);
	if (!contains(err, needle))
		printf("# error text: %s# expected to contain: %s\n", err ? err : "(none)\n", needle);
	OK(contains(err, needle));
	free(err);
	kb_node_free(r.doc);
}

static void test_errors(void)
{
	kb_node *e = entry("c");
	kb_map_set(e, "literals", SEQ("a=1", "a=2"));
	expect_error(e, false, "configmap c illegally repeats the key `a`");
	/* the same words for a Secret, and across sources */
	WRITE("dup.env", "a=0\n");
	e = entry("s");
	kb_map_set(e, "envs", SEQ("dup.env"));
	kb_map_set(e, "literals", SEQ("a=1"));
	expect_error(e, true, "configmap s illegally repeats the key `a`");

	expect_error(entry(NULL), false, "a configmap must have a name");
	e = entry("");
	expect_error(e, true, "a configmap must have a name");

	e = entry("c");
	kb_map_set(e, "literals", SEQ("=x"));
	expect_error(e, false, "invalid literal source =x, expected key=value");
	e = entry("c");
	kb_map_set(e, "literals", SEQ("noeq"));
	expect_error(e, false, "invalid literal source noeq, expected key=value");

	e = entry("c");
	kb_map_set(e, "files", SEQ("=x"));
	expect_error(e, false, "missing key name for file path \"x\" in source \"=x\"");
	e = entry("c");
	kb_map_set(e, "files", SEQ("k="));
	expect_error(e, false, "missing file path for key name \"k\" in source \"k=\"");
	e = entry("c");
	kb_map_set(e, "files", SEQ("a=b=c"));
	expect_error(e, false, "source \"a=b=c\" key name or file path contains '='");

	tap_mkdir(root, "sub");
	e = entry("c");
	kb_map_set(e, "files", SEQ("sub"));
	expect_error(e, false, "sub");
	e = entry("c");
	kb_map_set(e, "files", SEQ("missing.txt"));
	expect_error(e, false, "missing.txt");
	e = entry("c");
	kb_map_set(e, "envs", SEQ("missing.env"));
	expect_error(e, false, "missing.env");

	WRITE("bad.env", "A=1\n# \xff comment\n");
	e = entry("c");
	kb_map_set(e, "envs", SEQ("bad.env"));
	expect_error(e, false, "bad.env:2: invalid UTF-8");

	e = entry("c");
	kb_map_set(e, "literals", kb_node_new_str("a=1"));
	expect_error(e, false, "literals");
}

static void test_env_edges(void)
{
	/* an empty key is dropped; a tab-indented comment is a comment; the
	 * BOM only counts on line 1; a last line without newline counts;
	 * trailing spaces in keys are kept */
	WRITE("edge.env", "=dropped\n\t# c\n \xef\xbb\xbf" "B=1\nK =v\nLAST=end");
	kb_node *e = entry("c");
	kb_map_set(e, "envs", SEQ("edge.env"));
	kb_warnings w = { 0 };
	kb_gen_result r;
	char *err = run(e, NULL, false, &w, &r);
	OK(!err);
	free(err);
	if (r.doc) {
		kb_node *dm = kb_map_get(r.doc, "data");
		OK(dm && dm->n == 3);
		STR_EQ(data(&r, "data", "\xef\xbb\xbf" "B"), "1");
		STR_EQ(data(&r, "data", "K "), "v");
		STR_EQ(data(&r, "data", "LAST"), "end");
		hash_is(r.doc, "mdt6g27gd5"); /* kubectl: edge-mdt6g27gd5 */
	}
	OK(warned(&w, "no key"));
	kb_node_free(r.doc);
	kb_warnings_free(&w);

	/* a line of 64 KiB or more stops bufio.Scanner: the rest is lost */
	size_t big = 70000;
	char *buf = kb_xmalloc(big + 32);
	strcpy(buf, "A=1\nB=");
	memset(buf + 6, 'v', big);
	strcpy(buf + 6 + big, "\nC=3\n");
	tap_write(root, "big.env", buf);
	free(buf);
	e = entry("c");
	kb_map_set(e, "envs", SEQ("big.env"));
	err = run(e, NULL, false, &w, &r);
	OK(!err);
	free(err);
	if (r.doc) {
		kb_node *dm = kb_map_get(r.doc, "data");
		OK(dm && dm->n == 1);
		STR_EQ(data(&r, "data", "A"), "1");
		hash_is(r.doc, "89g4tffbfk"); /* kubectl: big-89g4tffbfk */
	}
	OK(warned(&w, "ignores it and every line after it"));
	kb_node_free(r.doc);
	kb_warnings_free(&w);

	/* file key defaults to the base name */
	WRITE("dir/in.txt", "x");
	e = entry("c");
	kb_map_set(e, "files", SEQ("dir/in.txt", "other=dir/in.txt"));
	err = run(e, NULL, false, NULL, &r);
	OK(!err);
	free(err);
	if (r.doc) {
		STR_EQ(data(&r, "data", "in.txt"), "x");
		STR_EQ(data(&r, "data", "other"), "x");
	}
	kb_node_free(r.doc);
}

static void test_base64(void)
{
	char *s = kb_gen_base64("", 0);
	STR_EQ(s, "");
	free(s);
	s = kb_gen_base64("f", 1);
	STR_EQ(s, "Zg==");
	free(s);
	s = kb_gen_base64("fo", 2);
	STR_EQ(s, "Zm8=");
	free(s);
	char x[60];
	memset(x, 'x', sizeof(x));
	s = kb_gen_base64(x, 51); /* 68 chars: one line, no newline */
	OK(strlen(s) == 68 && !strchr(s, '\n'));
	free(s);
	s = kb_gen_base64(x, 52); /* 72 chars: 70 + '\n' + 2 + '\n' */
	OK(strlen(s) == 74 && s[70] == '\n' && s[73] == '\n');
	free(s);
}

/* ---- merge / replace: the kubectl session's overlay ---- */

static kb_node *cm(const char *name)
{
	kb_node *d = kb_node_new(KB_MAP);
	kb_map_set(d, "apiVersion", kb_node_new_str("v1"));
	kb_map_set(d, "kind", kb_node_new_str("ConfigMap"));
	kb_map_set(kb_map_ensure_map(d, "metadata"), "name", kb_node_new_str(name));
	return d;
}

static void set_meta(kb_node *d, const char *field, const char *k, const char *v)
{
	kb_map_set(kb_map_ensure_map(kb_map_ensure_map(d, "metadata"), field), k,
		   kb_node_new_str(v));
}

static void set_data(kb_node *d, const char *field, const char *k, kb_node *v)
{
	kb_map_set(kb_map_ensure_map(d, field), k, v);
}

static void test_merge(void)
{
	/* base: generated gen {a:1,b:2} labels {bl:x, shared:base} ann {ba:yy}
	 * overlay: merge {b:3,c:4} labels {shared:ov}; namePrefix p- applied
	 * to the base object before the merge */
	kb_node *old = cm("p-gen");
	set_data(old, "data", "a", kb_node_new_str("1"));
	set_data(old, "data", "b", kb_node_new_str("2"));
	set_meta(old, "labels", "bl", "x");
	set_meta(old, "labels", "shared", "base");
	set_meta(old, "annotations", "ba", "yy");
	set_meta(old, "annotations", "internal.config.kubernetes.io/previousNames", "gen");
	set_meta(old, "annotations", "internal.config.kubernetes.io/needsHashSuffix", "enabled");
	set_meta(old, "annotations", "config.kubernetes.io/origin", "path: base");
	kb_node *gen = cm("gen");
	set_data(gen, "data", "b", kb_node_new_str("3"));
	set_data(gen, "data", "c", kb_node_new_str("4"));
	set_meta(gen, "labels", "shared", "ov");
	set_meta(gen, "annotations", "internal.config.kubernetes.io/needsHashSuffix", "enabled");
	set_meta(gen, "annotations", "internal.config.kubernetes.io/previousNames", "junk");
	set_meta(gen, "annotations", "config.kubernetes.io/origin", "path: overlay");
	kb_error *e = kb_generate_merge(old, gen, KB_GEN_MERGE);
	OK(!e);
	kb_error_free(e);
	STR_EQ(kb_node_get_str(old, "metadata", "name", NULL), "p-gen");
	STR_EQ(kb_node_get_str(old, "data", "a", NULL), "1");
	STR_EQ(kb_node_get_str(old, "data", "b", NULL), "3");
	STR_EQ(kb_node_get_str(old, "data", "c", NULL), "4");
	STR_EQ(kb_node_get_str(old, "metadata", "labels", "bl", NULL), "x");
	STR_EQ(kb_node_get_str(old, "metadata", "labels", "shared", NULL), "ov");
	STR_EQ(kb_node_get_str(old, "metadata", "annotations", "ba", NULL), "yy");
	STR_EQ(kb_node_get_str(old, "metadata", "annotations",
			       "internal.config.kubernetes.io/previousNames", NULL),
	       "gen");
	OK(kb_node_get(old, "metadata", "annotations",
		       "internal.config.kubernetes.io/needsHashSuffix", NULL));
	STR_EQ(kb_node_get_str(old, "metadata", "annotations", "config.kubernetes.io/origin", NULL),
	       "path: base");
	OK(!kb_map_get(old, "binaryData"));
	/* kubectl: p-gen-fbcmkbc66h */
	kb_map_del(kb_map_get(kb_map_get(old, "metadata"), "annotations"),
		   "internal.config.kubernetes.io/needsHashSuffix");
	hash_is(old, "fbcmkbc66h");
	kb_node_free(old);
	kb_node_free(gen);

	/* merge into a plain resource: non-string data become strings,
	 * binaryData kept, labels/annotations kept, no hash flag */
	old = cm("p-plain");
	set_meta(old, "labels", "pl", "x");
	set_meta(old, "annotations", "pa", "yy");
	set_data(old, "data", "n", kb_node_new_int(5));
	set_data(old, "data", "keep", kb_node_new_str("k"));
	set_data(old, "binaryData", "bb", kb_node_new_str("AAAA"));
	kb_map_set(old, "extra", kb_node_new_str("dropped"));
	gen = cm("plain");
	set_data(gen, "data", "keep", kb_node_new_str("new"));
	set_meta(gen, "annotations", "internal.config.kubernetes.io/needsHashSuffix", "enabled");
	e = kb_generate_merge(old, gen, KB_GEN_MERGE);
	OK(!e);
	kb_error_free(e);
	kb_node *n = kb_node_get(old, "data", "n", NULL);
	OK(n && n->kind == KB_STR && kb_streq(n->str, "5"));
	STR_EQ(kb_node_get_str(old, "data", "keep", NULL), "new");
	STR_EQ(kb_node_get_str(old, "binaryData", "bb", NULL), "AAAA");
	STR_EQ(kb_node_get_str(old, "metadata", "labels", "pl", NULL), "x");
	STR_EQ(kb_node_get_str(old, "metadata", "annotations", "pa", NULL), "yy");
	OK(!kb_node_get(old, "metadata", "annotations",
			"internal.config.kubernetes.io/needsHashSuffix", NULL));
	OK(!kb_map_get(old, "extra")); /* the generated object's content wins */
	STR_EQ(kb_node_get_str(old, "metadata", "name", NULL), "p-plain");
	kb_node_free(old);
	kb_node_free(gen);

	/* replace: data replaced, labels merged, name/namespace kept */
	old = cm("p-gen2");
	kb_map_set(kb_map_get(old, "metadata"), "namespace", kb_node_new_str("ns1"));
	set_data(old, "data", "a", kb_node_new_str("1"));
	set_meta(old, "labels", "base", "b");
	gen = cm("gen2");
	kb_map_set(kb_map_get(gen, "metadata"), "namespace", kb_node_new_str("other"));
	set_data(gen, "data", "z", kb_node_new_str("9"));
	set_meta(gen, "labels", "o", "o");
	e = kb_generate_merge(old, gen, KB_GEN_REPLACE);
	OK(!e);
	kb_error_free(e);
	OK(!kb_node_get(old, "data", "a", NULL));
	STR_EQ(kb_node_get_str(old, "data", "z", NULL), "9");
	STR_EQ(kb_node_get_str(old, "metadata", "labels", "o", NULL), "o");
	STR_EQ(kb_node_get_str(old, "metadata", "labels", "base", NULL), "b");
	STR_EQ(kb_node_get_str(old, "metadata", "namespace", NULL), "ns1");
	STR_EQ(kb_node_get_str(old, "metadata", "name", NULL), "p-gen2");
	kb_node_free(old);
	kb_node_free(gen);

	/* merging nothing into nothing leaves no data, labels or annotations */
	old = cm("p-empty");
	gen = cm("empty");
	kb_map_ensure_map(gen, "data");
	kb_map_ensure_map(kb_map_get(gen, "metadata"), "labels");
	e = kb_generate_merge(old, gen, KB_GEN_MERGE);
	OK(!e);
	kb_error_free(e);
	OK(!kb_map_get(old, "data"));
	OK(!kb_node_get(old, "metadata", "labels", NULL));
	OK(!kb_node_get(old, "metadata", "annotations", NULL));
	OK(!kb_node_get(old, "metadata", "namespace", NULL));
	kb_node_free(old);

	/* create on an existing id is an error */
	old = cm("x");
	e = kb_generate_merge(old, gen, KB_GEN_CREATE);
	OK(e != NULL);
	char *msg = kb_error_format(e);
	OK(contains(msg, "behavior must be merge or replace"));
	free(msg);
	kb_error_free(e);
	kb_node_free(old);
	kb_node_free(gen);
}

int main(void)
{
	root = tap_tmpdir("generate");
	if (!root)
		return 1;
	snprintf(kfile, sizeof(kfile), "%s/kustomization.yaml", root);
	test_base64();
	test_configmap_full();
	test_secret();
	test_options();
	test_errors();
	test_env_edges();
	test_merge();
	tap_rmtree(root);
	free(root);
	return tap_done();
}
