/* test_hash.c - SHA-256, Go JSON encoding and kustomize's hash vectors
 * (api/hasher/hasher_test.go). */
#include "hash.h"
#include "node.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *sha_hex(const char *s, size_t len)
{
	uint8_t d[32];
	kb_sha256(s, len, d);
	char *out = kb_xmalloc(65);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return out;
}

static void test_sha256(void)
{
	char *h = sha_hex("", 0);
	STR_EQ(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	free(h);
	h = sha_hex("abc", 3);
	STR_EQ(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	free(h);
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	h = sha_hex(two, strlen(two));
	STR_EQ(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	free(h);
	/* One million 'a's crosses many blocks and the padding edge cases. */
	char *m = kb_xmalloc(1000000);
	memset(m, 'a', 1000000);
	h = sha_hex(m, 1000000);
	STR_EQ(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(h);
	/* 55 and 56 bytes: the length fits / does not fit the first block. */
	h = sha_hex(m, 55);
	STR_EQ(h, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	free(h);
	h = sha_hex(m, 56);
	STR_EQ(h, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	free(h);
	free(m);
}

static char *quote(const char *s, size_t len)
{
	kb_buf b = KB_BUF_INIT;
	kb_json_quote(&b, s, len);
	return kb_buf_detach(&b);
}

static char *flt(double v)
{
	kb_buf b = KB_BUF_INIT;
	if (!kb_json_float(&b, v)) {
		kb_buf_free(&b);
		return kb_xstrdup("(refused)");
	}
	return kb_buf_detach(&b);
}

static void test_json(void)
{
	struct {
		const char *in;
		size_t len;
		const char *want;
	} q[] = {
		{ "plain", 5, "\"plain\"" },
		{ "<a>&b", 5, "\"\\u003ca\\u003e\\u0026b\"" },
		{ "q\"b\\", 4, "\"q\\\"b\\\\\"" },
		{ "\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\"" },
		{ "\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"" },
		{ "a\0b", 3, "\"a\\u0000b\"" },
		{ "\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"" },
		{ "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 12, "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		{ "\xff", 1, "\"\\ufffd\"" },
		{ "a\xc3", 2, "\"a\\ufffd\"" },
		/* overlong and surrogate encodings are invalid byte by byte */
		{ "\xc0\xaf", 2, "\"\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"" },
	};
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		char *got = quote(q[i].in, q[i].len);
		STR_EQ(got, q[i].want);
		free(got);
	}
	struct {
		double v;
		const char *want;
	} f[] = {
		{ 0, "0" },       { 2, "2" },         { -3, "-3" },
		{ 1.5, "1.5" },   { 0.1, "0.1" },     { 1e20, "100000000000000000000" },
		{ 1e21, "1e+21" }, { 1e-6, "0.000001" }, { 1e-7, "1e-7" },
		{ 1.25e-10, "1.25e-10" }, { 123456789.125, "123456789.125" },
		{ 12345678901234567890.0, "12345678901234567000" },
		{ 1e100, "1e+100" }, { 3.14159, "3.14159" },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		char *got = flt(f[i].v);
		STR_EQ(got, f[i].want);
		free(got);
	}
	char *inf = flt(1.0 / 0.0);
	STR_EQ(inf, "(refused)");
	free(inf);
}

/* ---- documents by hand ---- */

static kb_node *at(kb_node *n, unsigned line, unsigned col)
{
	n->line = line;
	n->col = col;
	return n;
}

static void set_at(kb_node *map, const char *key, kb_node *val, unsigned line, unsigned col)
{
	kb_map_set(map, key, val);
	kb_pair *p = kb_map_get_pair(map, key);
	p->line = line;
	p->col = col;
}

static kb_node *doc(const char *kind)
{
	kb_node *d = kb_node_new(KB_MAP);
	kb_map_set(d, "apiVersion", kb_node_new_str("v1"));
	kb_map_set(d, "kind", kb_node_new_str(kind));
	return d;
}

static void check(kb_node *d, const char *json, const char *hash)
{
	kb_error *e = NULL;
	char *enc = kb_hash_encode(d, &e);
	if (json)
		STR_EQ(enc, json);
	free(enc);
	OK(e == NULL);
	kb_error_free(e);
	char h[11] = "";
	e = kb_hash_resource(d, h);
	OK(e == NULL);
	kb_error_free(e);
	if (hash)
		STR_EQ(h, hash);
	kb_node_free(d);
}

/* data: {two: 2, one: "", three: 3} in that (unsorted) order */
static kb_node *three_keys(void)
{
	kb_node *m = kb_node_new(KB_MAP);
	kb_map_set(m, "two", kb_node_new_int(2));
	kb_map_set(m, "one", kb_node_new_str(""));
	kb_map_set(m, "three", kb_node_new_int(3));
	return m;
}

static kb_node *one_key(const char *k)
{
	kb_node *m = kb_node_new(KB_MAP);
	kb_map_set(m, k, kb_node_new_str(""));
	return m;
}

static void test_configmap_vectors(void)
{
	check(doc("ConfigMap"), "{\"data\":\"\",\"kind\":\"ConfigMap\",\"name\":\"\"}", "6ct58987ht");

	kb_node *d = doc("ConfigMap");
	kb_map_set(d, "data", one_key("one"));
	check(d, "{\"data\":{\"one\":\"\"},\"kind\":\"ConfigMap\",\"name\":\"\"}", "9g67k2htb6");

	d = doc("ConfigMap");
	kb_map_set(d, "data", three_keys());
	check(d, "{\"data\":{\"one\":\"\",\"three\":3,\"two\":2},\"kind\":\"ConfigMap\",\"name\":\"\"}",
	      "7757f9kkct");

	d = doc("ConfigMap");
	kb_map_set(d, "binaryData", one_key("one"));
	check(d, "{\"binaryData\":{\"one\":\"\"},\"data\":\"\",\"kind\":\"ConfigMap\",\"name\":\"\"}",
	      "6mtk2m274t");

	d = doc("ConfigMap");
	kb_map_set(d, "binaryData", three_keys());
	check(d,
	      "{\"binaryData\":{\"one\":\"\",\"three\":3,\"two\":2},\"data\":\"\",\"kind\":\"ConfigMap\","
	      "\"name\":\"\"}",
	      "9th7kc28dg");

	d = doc("ConfigMap");
	kb_map_set(d, "data", one_key("one"));
	kb_map_set(d, "binaryData", one_key("two"));
	check(d,
	      "{\"binaryData\":{\"two\":\"\"},\"data\":{\"one\":\"\"},\"kind\":\"ConfigMap\",\"name\":\"\"}",
	      "698h7c7t9m");

	/* Neither name, namespace nor labels count: kustomize hashes
	 * "name":"" whatever the name is (see hash.c). */
	d = doc("ConfigMap");
	kb_node *md = kb_map_ensure_map(d, "metadata");
	kb_map_set(md, "name", kb_node_new_str("cm"));
	kb_map_set(md, "namespace", kb_node_new_str("ns"));
	kb_map_set(kb_map_ensure_map(md, "labels"), "a", kb_node_new_str("b"));
	check(d, "{\"data\":\"\",\"kind\":\"ConfigMap\",\"name\":\"\"}", "6ct58987ht");
}

static void test_secret_vectors(void)
{
	kb_node *d = doc("Secret");
	kb_map_set(d, "type", kb_node_new_str("my-type"));
	check(d, "{\"data\":\"\",\"kind\":\"Secret\",\"name\":\"\",\"type\":\"my-type\"}", "5gmgkf8578");

	d = doc("Secret");
	kb_map_set(d, "type", kb_node_new_str("my-type"));
	kb_map_set(d, "data", one_key("one"));
	check(d, "{\"data\":{\"one\":\"\"},\"kind\":\"Secret\",\"name\":\"\",\"type\":\"my-type\"}",
	      "74bd68bm66");

	d = doc("Secret");
	kb_map_set(d, "type", kb_node_new_str("my-type"));
	kb_map_set(d, "data", three_keys());
	check(d,
	      "{\"data\":{\"one\":\"\",\"three\":3,\"two\":2},\"kind\":\"Secret\",\"name\":\"\",\"type\":"
	      "\"my-type\"}",
	      "4gf75c7476");

	d = doc("Secret");
	kb_map_set(d, "type", kb_node_new_str("my-type"));
	kb_map_set(d, "data", one_key("one"));
	kb_node *sd = kb_node_new(KB_MAP);
	kb_map_set(sd, "two", kb_node_new_int(2));
	kb_map_set(d, "stringData", sd);
	check(d,
	      "{\"data\":{\"one\":\"\"},\"kind\":\"Secret\",\"name\":\"\",\"stringData\":{\"two\":2},"
	      "\"type\":\"my-type\"}",
	      "c4h4264gdb");
}

/* The generic vectors hash goyaml's Node struct, positions included; the
 * nodes carry the positions yaml.Parse gives the test's text (which
 * starts with a newline, so the document begins on line 2). */
static kb_node *generic(bool with_spec)
{
	kb_node *d = at(kb_node_new(KB_MAP), 2, 1);
	set_at(d, "apiVersion", at(kb_node_new_str("test/v1"), 2, 13), 2, 1);
	set_at(d, "kind", at(kb_node_new_str("TestResource"), 3, 7), 3, 1);
	kb_node *md = at(kb_node_new(KB_MAP), 5, 3);
	set_at(md, "name", at(kb_node_new_str("my-resource"), 5, 9), 5, 3);
	set_at(d, "metadata", md, 4, 1);
	if (with_spec) {
		kb_node *spec = at(kb_node_new(KB_MAP), 7, 3);
		set_at(spec, "foo", at(kb_node_new_int(1), 7, 8), 7, 3);
		set_at(spec, "bar", at(kb_node_new_str("abc"), 8, 8), 8, 3);
		set_at(d, "spec", spec, 6, 1);
	}
	return d;
}

static void test_generic_vectors(void)
{
	check(generic(false), NULL, "244782mkb7");
	check(generic(true), NULL, "59m2mdccg4");
}

static void test_value_types(void)
{
	/* Typed values keep their JSON type; floats print as Go does. */
	kb_node *d = doc("ConfigMap");
	kb_node *data = kb_map_ensure_map(d, "data");
	kb_map_set(data, "b", kb_node_new_bool(true));
	kb_map_set(data, "f", kb_node_new_scalar(KB_FLOAT, "1.50"));
	kb_map_set(data, "n", kb_node_new(KB_NULL));
	kb_map_set(data, "s", kb_node_new_str("<x>\n"));
	kb_map_set(data, "B", kb_node_new_str(""));
	kb_error *e = NULL;
	char *enc = kb_hash_encode(d, &e);
	STR_EQ(enc, "{\"data\":{\"B\":\"\",\"b\":true,\"f\":1.5,\"n\":null,\"s\":\"\\u003cx\\u003e\\n\"},"
		    "\"kind\":\"ConfigMap\",\"name\":\"\"}");
	free(enc);
	kb_map_set(data, "inf", kb_node_new_scalar(KB_FLOAT, "+Inf"));
	char h[11] = "unchanged";
	e = kb_hash_resource(d, h);
	OK(e != NULL);
	STR_EQ(h, "unchanged");
	kb_error_free(e);
	kb_node_free(d);

	/* A real generated ConfigMap, checked against kubectl kustomize
	 * (configMapGenerator name: cm, literals: [a=1]) -> cm-... */
	d = doc("ConfigMap");
	kb_map_set(kb_map_ensure_map(d, "metadata"), "name", kb_node_new_str("c"));
	kb_map_set(kb_map_ensure_map(d, "data"), "a", kb_node_new_str("1"));
	check(d, "{\"data\":{\"a\":\"1\"},\"kind\":\"ConfigMap\",\"name\":\"\"}", "h29d89cmmt");

	/* kubectl: secretGenerator s2, type kubernetes.io/tls, no data
	 * -> data: {} and s2-694464d966. */
	d = doc("Secret");
	kb_map_set(kb_map_ensure_map(d, "metadata"), "name", kb_node_new_str("s2"));
	kb_map_set(d, "type", kb_node_new_str("kubernetes.io/tls"));
	kb_map_ensure_map(d, "data");
	check(d, NULL, "694464d966");
}

int main(void)
{
	test_sha256();
	test_json();
	test_configmap_vectors();
	test_secret_vectors();
	test_generic_vectors();
	test_value_types();
	return tap_done();
}
