/*
 * hash.c - kustomize's name-suffix hash (api/hasher/hasher.go).
 *
 * The hash is over Go's encoding/json output, so this file reproduces the
 * parts of encoding/json that matter: sorted object keys, compact output,
 * HTML-safe string escaping and Go's float formatting.  SHA-256 is
 * implemented here (FIPS 180-4) so the library needs no crypto dependency.
 */
#include "hash.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SHA-256 ---- */

typedef struct sha256_ctx {
	uint32_t h[8];
	uint8_t block[64];
	size_t fill;    /* bytes in block */
	uint64_t total; /* bytes hashed */
} sha256_ctx;

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static uint32_t ror32(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(sha256_ctx *c, const uint8_t *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];
	uint32_t e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t S1 = ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = h + S1 + ch + sha256_k[i] + w[i];
		uint32_t S0 = ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22);
		uint32_t maj = (a & b) ^ (a & cc) ^ (b & cc);
		uint32_t t2 = S0 + maj;
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = cc;
		cc = b;
		b = a;
		a = t1 + t2;
	}
	c->h[0] += a;
	c->h[1] += b;
	c->h[2] += cc;
	c->h[3] += d;
	c->h[4] += e;
	c->h[5] += f;
	c->h[6] += g;
	c->h[7] += h;
}

static void sha256_init(sha256_ctx *c)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(c->h, iv, sizeof(iv));
	c->fill = 0;
	c->total = 0;
}

static void sha256_update(sha256_ctx *c, const uint8_t *p, size_t n)
{
	c->total += n;
	while (n > 0) {
		size_t take = 64 - c->fill;
		if (take > n)
			take = n;
		memcpy(c->block + c->fill, p, take);
		c->fill += take;
		p += take;
		n -= take;
		if (c->fill == 64) {
			sha256_block(c, c->block);
			c->fill = 0;
		}
	}
}

static void sha256_final(sha256_ctx *c, uint8_t out[32])
{
	uint64_t bits = c->total * 8;
	uint8_t pad = 0x80;
	sha256_update(c, &pad, 1);
	pad = 0;
	while (c->fill != 56)
		sha256_update(c, &pad, 1);
	uint8_t len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(c, len, 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
}

void kb_sha256(const void *data, size_t len, uint8_t digest[32])
{
	sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, digest);
}

/* ---- Go encoding/json ---- */

/* Length of the valid UTF-8 sequence at s (as Go's utf8.DecodeRune
 * accepts it: shortest form, no surrogates, <= U+10FFFF), or 0 when the
 * byte at s starts no valid sequence.  *cp receives the code point. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t need;
	unsigned min, v;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2, min = 0x80, v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3, min = 0x800, v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4, min = 0x10000, v = c & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return need;
}

/* raw_fffd: write invalid bytes as the raw UTF-8 of U+FFFD rather than
 * the \ufffd escape.  That is what a value shows after kustomize's
 * marshal/unmarshal round trip: the first Marshal writes \ufffd, the
 * Unmarshal turns it into the rune, the second Marshal writes it raw. */
static void json_quote(kb_buf *b, const char *str, size_t len, bool raw_fffd)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	kb_buf_putc(b, '"');
	size_t start = 0, i = 0;
	while (i < len) {
		unsigned c = s[i];
		if (c < 0x80) {
			bool safe = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' &&
				    c != '&';
			if (safe) {
				i++;
				continue;
			}
			kb_buf_append(b, s + start, i - start);
			switch (c) {
			case '"': kb_buf_puts(b, "\\\""); break;
			case '\\': kb_buf_puts(b, "\\\\"); break;
			/* Go 1.22+ writes \b and \f in short form. */
			case '\b': kb_buf_puts(b, "\\b"); break;
			case '\f': kb_buf_puts(b, "\\f"); break;
			case '\n': kb_buf_puts(b, "\\n"); break;
			case '\r': kb_buf_puts(b, "\\r"); break;
			case '\t': kb_buf_puts(b, "\\t"); break;
			default:
				kb_buf_puts(b, "\\u00");
				kb_buf_putc(b, hex[c >> 4]);
				kb_buf_putc(b, hex[c & 0xf]);
			}
			i++;
			start = i;
			continue;
		}
		unsigned cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			kb_buf_append(b, s + start, i - start);
			kb_buf_puts(b, raw_fffd ? "\xef\xbf\xbd" : "\\ufffd");
			i++;
			start = i;
			continue;
		}
		if (cp == 0x2028 || cp == 0x2029) {
			kb_buf_append(b, s + start, i - start);
			kb_buf_puts(b, cp == 0x2028 ? "\\u2028" : "\\u2029");
			i += n;
			start = i;
			continue;
		}
		i += n;
	}
	kb_buf_append(b, s + start, len - start);
	kb_buf_putc(b, '"');
}

void kb_json_quote(kb_buf *b, const char *s, size_t len)
{
	json_quote(b, s, len, false);
}

bool kb_json_float(kb_buf *b, double v)
{
	if (!isfinite(v))
		return false;
	if (v == 0) {
		kb_buf_puts(b, signbit(v) ? "-0" : "0");
		return true;
	}
	/* Shortest decimal that reads back as v, as strconv's -1 precision:
	 * the correctly rounded %.*e at the first precision that round-trips. */
	char tmp[64];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	char digits[32];
	size_t nd = 0;
	const char *p = tmp;
	bool neg = false;
	if (*p == '-') {
		neg = true;
		p++;
	}
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	int exp10 = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (neg)
		kb_buf_putc(b, '-');
	double a = fabs(v);
	if (a < 1e-6 || a >= 1e21) {
		kb_buf_putc(b, digits[0]);
		if (nd > 1) {
			kb_buf_putc(b, '.');
			kb_buf_append(b, digits + 1, nd - 1);
		}
		/* strconv writes at least two exponent digits; encoding/json
		 * then trims "e-07" to "e-7" (negative exponents only). */
		if (exp10 < 0)
			kb_buf_printf(b, "e-%d", -exp10);
		else
			kb_buf_printf(b, "e+%02d", exp10);
		return true;
	}
	if (exp10 >= 0) {
		for (int i = 0; i <= exp10; i++)
			kb_buf_putc(b, (size_t)i < nd ? digits[i] : '0');
		if ((size_t)exp10 + 1 < nd) {
			kb_buf_putc(b, '.');
			kb_buf_append(b, digits + exp10 + 1, nd - (size_t)exp10 - 1);
		}
	} else {
		kb_buf_puts(b, "0.");
		for (int i = 0; i < -exp10 - 1; i++)
			kb_buf_putc(b, '0');
		kb_buf_append(b, digits, nd);
	}
	return true;
}

static int pair_cmp(const void *a, const void *b)
{
	const kb_pair *x = *(const kb_pair *const *)a, *y = *(const kb_pair *const *)b;
	return kb_bytes_cmp(x->key, x->klen, y->key, y->klen);
}

/* A value as json.Marshal writes it after kustomize decoded it into
 * interface{}: maps with sorted keys, every number a float64. */
static kb_error *json_value(kb_buf *b, const kb_node *n)
{
	if (!n) {
		kb_buf_puts(b, "null");
		return NULL;
	}
	switch (n->kind) {
	case KB_NULL:
		kb_buf_puts(b, "null");
		return NULL;
	case KB_BOOL:
		kb_buf_puts(b, n->str && n->str[0] == 't' ? "true" : "false");
		return NULL;
	case KB_INT:
	case KB_FLOAT: {
		char *end = NULL;
		double v = strtod(n->str ? n->str : "", &end);
		if (!n->str || end == n->str || !kb_json_float(b, v))
			return kb_error_new(NULL, n->line, n->col,
					    "json: unsupported value: %s", n->str ? n->str : "");
		return NULL;
	}
	case KB_STR:
		json_quote(b, n->str ? n->str : "", n->len, true);
		return NULL;
	case KB_SEQ:
		kb_buf_putc(b, '[');
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				kb_buf_putc(b, ',');
			kb_error *e = json_value(b, n->items[i]);
			if (e)
				return e;
		}
		kb_buf_putc(b, ']');
		return NULL;
	case KB_MAP: {
		const kb_pair **sorted = kb_xmalloc((n->n ? n->n : 1) * sizeof(*sorted));
		for (size_t i = 0; i < n->n; i++)
			sorted[i] = &n->pairs[i];
		qsort(sorted, n->n, sizeof(*sorted), pair_cmp);
		kb_buf_putc(b, '{');
		kb_error *e = NULL;
		for (size_t i = 0; i < n->n && !e; i++) {
			if (i)
				kb_buf_putc(b, ',');
			json_quote(b, sorted[i]->key, sorted[i]->klen, true);
			kb_buf_putc(b, ':');
			e = json_value(b, sorted[i]->val);
		}
		free(sorted);
		if (!e)
			kb_buf_putc(b, '}');
		return e;
	}
	}
	return NULL;
}

/*
 * A note on "name": hasher.go looks it up with yaml.Lookup("metadata/name"),
 * a single field literally named "metadata/name", which never exists, so
 * kustomize always hashes "name":"".  Confirmed against kubectl kustomize
 * v5.5.0 (a ConfigMap "c" with data a=1 gets c-h29d89cmmt, the hash of
 * {"data":{"a":"1"},"kind":"ConfigMap","name":""}).  Hashing the real name
 * would change every suffix.
 */

/* One field of the ConfigMap/Secret encoding, as getNodeValues reads it:
 * missing (or null) -> "", a scalar -> its text as a string, a map ->
 * the map, anything else -> null (the json.Unmarshal into a map fails
 * and leaves it nil). */
static kb_error *json_field(kb_buf *b, const kb_node *v)
{
	if (!v || v->kind == KB_NULL) {
		kb_buf_puts(b, "\"\"");
		return NULL;
	}
	if (kb_node_is_scalar(v)) {
		json_quote(b, v->str ? v->str : "", v->len, false);
		return NULL;
	}
	if (v->kind == KB_MAP)
		return json_value(b, v);
	kb_buf_puts(b, "null");
	return NULL;
}

/* binaryData / stringData are included only when they decode as a map
 * (a sequence leaves a nil map, which still type-asserts as one). */
static bool optional_present(const kb_node *v)
{
	return v && (v->kind == KB_MAP || v->kind == KB_SEQ);
}

static kb_error *encode_configmap(kb_buf *b, const kb_node *doc)
{
	kb_error *e;
	const kb_node *bin = kb_map_get(doc, "binaryData");
	kb_buf_putc(b, '{');
	if (optional_present(bin)) {
		kb_buf_puts(b, "\"binaryData\":");
		if ((e = json_field(b, bin)))
			return e;
		kb_buf_putc(b, ',');
	}
	kb_buf_puts(b, "\"data\":");
	if ((e = json_field(b, kb_map_get(doc, "data"))))
		return e;
	kb_buf_puts(b, ",\"kind\":\"ConfigMap\",\"name\":\"\"}");
	return NULL;
}

static kb_error *encode_secret(kb_buf *b, const kb_node *doc)
{
	kb_error *e;
	const kb_node *sd = kb_map_get(doc, "stringData");
	kb_buf_puts(b, "{\"data\":");
	if ((e = json_field(b, kb_map_get(doc, "data"))))
		return e;
	kb_buf_puts(b, ",\"kind\":\"Secret\",\"name\":\"\"");
	if (optional_present(sd)) {
		kb_buf_puts(b, ",\"stringData\":");
		if ((e = json_field(b, sd)))
			return e;
	}
	kb_buf_puts(b, ",\"type\":");
	if ((e = json_field(b, kb_map_get(doc, "type"))))
		return e;
	kb_buf_putc(b, '}');
	return NULL;
}

/* goyaml.v3's yaml.Node as encoding/json writes the struct. */
enum { YN_SEQ = 2, YN_MAP = 4, YN_SCALAR = 8 };

static const char *yaml_tag(kb_kind k)
{
	switch (k) {
	case KB_NULL: return "!!null";
	case KB_BOOL: return "!!bool";
	case KB_INT: return "!!int";
	case KB_FLOAT: return "!!float";
	case KB_STR: return "!!str";
	case KB_MAP: return "!!map";
	case KB_SEQ: return "!!seq";
	}
	return "";
}

static void ynode_open(kb_buf *b, int kind, const char *tag, const char *val, size_t len)
{
	kb_buf_printf(b, "{\"Kind\":%d,\"Style\":0,\"Tag\":", kind);
	kb_json_quote(b, tag, strlen(tag));
	kb_buf_puts(b, ",\"Value\":");
	kb_json_quote(b, val, len);
	kb_buf_puts(b, ",\"Anchor\":\"\",\"Alias\":null,\"Content\":");
}

static void ynode_close(kb_buf *b, unsigned line, unsigned col)
{
	kb_buf_printf(b, ",\"HeadComment\":\"\",\"LineComment\":\"\",\"FootComment\":\"\","
			 "\"Line\":%u,\"Column\":%u}",
		      line, col);
}

static void encode_ynode(kb_buf *b, const kb_node *n)
{
	if (kb_node_is_scalar(n)) {
		ynode_open(b, YN_SCALAR, yaml_tag(n->kind), n->str ? n->str : "", n->len);
		kb_buf_puts(b, "null");
		ynode_close(b, n->line, n->col);
		return;
	}
	ynode_open(b, n->kind == KB_MAP ? YN_MAP : YN_SEQ, yaml_tag(n->kind), "", 0);
	if (n->n == 0) {
		kb_buf_puts(b, "null"); /* a nil Content slice */
	} else {
		kb_buf_putc(b, '[');
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				kb_buf_putc(b, ',');
			if (n->kind == KB_SEQ) {
				encode_ynode(b, n->items[i]);
				continue;
			}
			const kb_pair *p = &n->pairs[i];
			ynode_open(b, YN_SCALAR, "!!str", p->key, p->klen);
			kb_buf_puts(b, "null");
			ynode_close(b, p->line, p->col);
			kb_buf_putc(b, ',');
			encode_ynode(b, p->val);
		}
		kb_buf_putc(b, ']');
	}
	ynode_close(b, n->line, n->col);
}

char *kb_hash_encode(const kb_node *doc, kb_error **err)
{
	kb_buf b = KB_BUF_INIT;
	kb_error *e = NULL;
	*err = NULL;
	if (!doc || doc->kind != KB_MAP) {
		*err = kb_error_new(NULL, 0, 0, "cannot hash a resource that is not a map");
		return NULL;
	}
	const char *kind = kb_map_get_str(doc, "kind");
	if (kb_streq(kind, "ConfigMap"))
		e = encode_configmap(&b, doc);
	else if (kb_streq(kind, "Secret"))
		e = encode_secret(&b, doc);
	else
		encode_ynode(&b, doc);
	if (e) {
		kb_buf_free(&b);
		*err = e;
		return NULL;
	}
	return kb_buf_detach(&b);
}

kb_error *kb_hash_resource(const kb_node *doc, char out[11])
{
	static const char hex[] = "0123456789abcdef";
	kb_error *e = NULL;
	char *json = kb_hash_encode(doc, &e);
	if (!json)
		return e;
	uint8_t d[32];
	kb_sha256(json, strlen(json), d);
	free(json);
	for (int i = 0; i < 10; i++) {
		char c = hex[(d[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
		/* kubectl's encoding avoids vowels and look-alike digits so
		 * the suffix never spells words. */
		switch (c) {
		case '0': c = 'g'; break;
		case '1': c = 'h'; break;
		case '3': c = 'k'; break;
		case 'a': c = 'm'; break;
		case 'e': c = 't'; break;
		}
		out[i] = c;
	}
	out[10] = '\0';
	return NULL;
}

kb_error *kb_hash_suffix_all(kb_resmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		kb_resource *r = m->v[i];
		if (!r->needs_hash)
			continue;
		char h[11];
		kb_error *e = kb_hash_resource(r->doc, h);
		if (e)
			return kb_error_note(e, r->file, 0, 0, "while hashing %s '%s'", kb_res_kind(r),
					     kb_res_name(r));
		char *name = kb_xasprintf("%s-%s", kb_res_name(r), h);
		kb_res_set_name(r, name);
		free(name);
	}
	return NULL;
}
