/*
 * emit.c - the output bytes, through libyaml's emitter.
 *
 * kustomize prints a resource as sigs.k8s.io/yaml.JSONToYAML(json) does:
 * goyaml.v2 unmarshals the JSON into generic maps and marshals them.  So:
 *  - map keys are sorted with goyaml.v2's "natural" order (keyList.Less);
 *  - a string is double-quoted when goyaml.v2's YAML 1.1 resolver would
 *    read it back as something else (bool, int, float, null, timestamp,
 *    base-60 float), written literal when it holds a newline, and
 *    otherwise left to the emitter (plain, or single-quoted when plain is
 *    not allowed, folded at 80 columns);
 *  - everything is block style except empty collections.
 * goyaml.v2's emitter is a line-by-line port of libyaml's, so handing
 * libyaml the same events and style hints yields the same bytes.
 */
#define _GNU_SOURCE
#include "emit.h"
#include "fastemit.h"
#include "gort.h"
#include "parse.h"
#include "unicode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- goyaml.v2 natural key order ---- */

static size_t utf8_decode(const unsigned char *s, size_t len, size_t i, unsigned *cp)
{
	unsigned c = s[i];
	size_t n = 1;
	if (c >= 0xf0) {
		n = 4;
		c &= 0x07;
	} else if (c >= 0xe0) {
		n = 3;
		c &= 0x0f;
	} else if (c >= 0xc0) {
		n = 2;
		c &= 0x1f;
	}
	if (i + n > len) {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t k = 1; k < n; k++)
		c = (c << 6) | (s[i + k] & 0x3f);
	*cp = c;
	return n;
}

static unsigned *to_runes(const char *s, size_t len, size_t *n)
{
	unsigned *r = kb_xmalloc((len + 1) * sizeof(unsigned));
	size_t k = 0;
	for (size_t i = 0; i < len;)
		i += utf8_decode((const unsigned char *)s, len, i, &r[k++]);
	*n = k;
	return r;
}

/* Go's unicode.IsLetter / IsDigit (generated tables, unicode.h). */
static bool rune_is_letter(unsigned c)
{
	return kb_unicode_is_letter(c);
}

static bool rune_is_digit(unsigned c)
{
	return kb_unicode_is_digit(c);
}

int kb_natural_cmp(const char *a, const char *b)
{
	return kb_natural_cmpn(a, strlen(a), b, strlen(b));
}

/* The comparison over two rune arrays (or byte arrays, for ASCII keys:
 * the same thing there), written once as a macro over the element type. */
#define NATURAL_CMP(T, ar, na, br, nb, res)                                              \
	do {                                                                             \
		size_t i_;                                                               \
		res = 0;                                                                 \
		for (i_ = 0; i_ < (na) && i_ < (nb); i_++) {                             \
			unsigned ca = (T)(ar)[i_], cb = (T)(br)[i_];                     \
			if (ca == cb)                                                    \
				continue;                                                \
			bool al = rune_is_letter(ca), bl = rune_is_letter(cb);          \
			if (al && bl) {                                                  \
				res = ca < cb ? -1 : 1;                                  \
				break;                                                   \
			}                                                                \
			if (al || bl) {                                                  \
				res = bl ? -1 : 1;                                       \
				break;                                                   \
			}                                                                \
			unsigned long long an = 0, bn = 0;                               \
			size_t ai, bi;                                                   \
			if (ca == '0' || cb == '0') {                                    \
				for (size_t j = i_; j-- > 0 && rune_is_digit((T)(ar)[j]);) { \
					if ((T)(ar)[j] != '0') {                         \
						an = 1;                                  \
						bn = 1;                                  \
						break;                                   \
					}                                                \
				}                                                        \
			}                                                                \
			for (ai = i_; ai < (na) && rune_is_digit((T)(ar)[ai]); ai++)     \
				an = an * 10 + ((T)(ar)[ai] - '0');                      \
			for (bi = i_; bi < (nb) && rune_is_digit((T)(br)[bi]); bi++)     \
				bn = bn * 10 + ((T)(br)[bi] - '0');                      \
			if (an != bn) {                                                  \
				res = (long long)an < (long long)bn ? -1 : 1;            \
				break;                                                   \
			}                                                                \
			if (ai != bi) {                                                  \
				res = ai < bi ? -1 : 1;                                  \
				break;                                                   \
			}                                                                \
			res = ca < cb ? -1 : 1;                                          \
			break;                                                           \
		}                                                                        \
		if (i_ == (na) || i_ == (nb))                                            \
			if (!res)                                                        \
				res = (na) < (nb) ? -1 : ((na) > (nb) ? 1 : 0);          \
	} while (0)

static bool all_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/*
 * goyaml.v2's keyList.Less.  Digit runs are compared as the int64 values
 * Go computes for them, which wrap around for runs of 19 or more digits;
 * the arithmetic is done in uint64 (where wrapping is defined) and read
 * as int64, so the order is Go's without signed overflow.
 */
int kb_natural_cmpn(const char *a, size_t alen, const char *b, size_t blen)
{
	int res;
	if (all_ascii(a, alen) && all_ascii(b, blen)) {
		NATURAL_CMP(unsigned char, a, alen, b, blen, res);
		return res;
	}
	size_t na, nb;
	unsigned *ar = to_runes(a, alen, &na), *br = to_runes(b, blen, &nb);
	NATURAL_CMP(unsigned, ar, na, br, nb, res);
	free(ar);
	free(br);
	return res;
}

/* ---- goyaml.v2 resolve(): would this plain text read as a non-string? ---- */

/* Number of leading digits (at most max) starting at p. */
static size_t ndigits(const char *p, size_t max)
{
	size_t i = 0;
	while (i < max && p[i] >= '0' && p[i] <= '9')
		i++;
	return i;
}

/* goyaml.v2 parseTimestamp: the same forms goyaml.v3 reads. */
static bool is_timestamp(const char *s)
{
	char *t = kb_timestamp_rfc3339(s);
	free(t);
	return t != NULL;
}

static bool is_base60_float(const char *s)
{
	/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	while ((*p >= '0' && *p <= '9') || *p == '_')
		p++;
	int groups = 0;
	while (*p == ':') {
		p++;
		size_t n = ndigits(p, 3);
		if (n == 2 && p[0] > '5')
			return false;
		if (n < 1 || n > 2)
			return false;
		p += n;
		groups++;
	}
	if (!groups)
		return false;
	if (*p == '.') {
		p++;
		while ((*p >= '0' && *p <= '9') || *p == '_')
			p++;
	}
	return *p == '\0';
}

static bool go_parse_int(const char *s)
{
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		base = 8;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
	} else if (p[0] == '0' && p[1]) {
		base = 8;
		p++;
	}
	if (!*p)
		return false;
	for (; *p; p++) {
		int d;
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return false;
		if (d >= base)
			return false;
	}
	/* Out-of-range values fail ParseInt and ParseUint but still match
	 * the float syntax when decimal; callers check that next. */
	return strlen(s) < 20 || base != 10;
}

bool kb_yaml11_nonstring(const char *s, size_t len)
{
	static const char *const map[] = {
		"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
		"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
		"", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
		"+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
	};
	if (len == 0)
		return true;
	if (memchr(s, '\0', len))
		return false;
	char c = s[0];
	bool hint = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' ||
		    strchr("yYnNtTfFoO~", c) != NULL;
	if (!hint)
		return false;
	for (size_t i = 0; len <= 5 && i < sizeof(map) / sizeof(*map); i++)
		if (map[i][0] == c && strcmp(s, map[i]) == 0)
			return true;
	if (c == '.') {
		/* strconv.ParseFloat, which fails on what does not fit a float64 */
		return kb_yaml_float_syntax(s) && !isinf(strtod(s, NULL));
	}
	if (!((c >= '0' && c <= '9') || c == '+' || c == '-'))
		return false;
	if (is_timestamp(s))
		return true;
	char *plain = kb_xmalloc(len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '_')
			plain[n++] = s[i];
	plain[n] = '\0';
	bool r = go_parse_int(plain) ||
		 (kb_yaml_float_syntax(plain) && !isinf(strtod(plain, NULL)));
	free(plain);
	if (!r)
		r = is_base60_float(s);
	return r;
}

/* ---- emitting ---- */

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	kb_buf_append((kb_buf *)data, buffer, size);
	return 1;
}

/* JSON replaces invalid UTF-8 with U+FFFD; so does the output.  NULL
 * when s is valid already (what the parser gives, so the usual case). */
static char *valid_utf8(const char *s, size_t len, size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < len && u[i] < 0x80)
		i++;
	if (i == len)
		return NULL;
	kb_buf b = KB_BUF_INIT;
	kb_buf_append(&b, s, i);
	while (i < len) {
		unsigned c = u[i];
		size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		bool ok = n > 0 && i + n <= len;
		for (size_t k = 1; ok && k < n; k++)
			if ((u[i + k] & 0xc0) != 0x80)
				ok = false;
		if (ok && n == 2 && c < 0xc2)
			ok = false;
		if (ok && n == 3) {
			unsigned cp = ((c & 0x0f) << 12) | ((u[i + 1] & 0x3f) << 6) | (u[i + 2] & 0x3f);
			if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))
				ok = false;
		}
		if (ok && n == 4) {
			unsigned cp = ((c & 0x07) << 18) | ((u[i + 1] & 0x3f) << 12) |
				      ((u[i + 2] & 0x3f) << 6) | (u[i + 3] & 0x3f);
			if (cp < 0x10000 || cp > 0x10ffff)
				ok = false;
		}
		if (ok) {
			kb_buf_append(&b, s + i, n);
			i += n;
		} else {
			kb_buf_puts(&b, "\xef\xbf\xbd");
			i++;
		}
	}
	if (b.len == len && memcmp(b.data, s, len) == 0) {
		kb_buf_free(&b);
		return NULL;
	}
	*outlen = b.len;
	return kb_buf_detach(&b);
}

/* Where the events go: libyaml's emitter, or fastemit.c's writer (fast
 * set), which prints the same bytes for what it takes. */
typedef struct emitter {
	yaml_emitter_t em;
	kb_femit *fast;
	bool dry;       /* kb_emit_check: every check, no output */
	kb_error *err;
	const kb_node *root;
} emitter;

static bool emit_event(emitter *e, yaml_event_t *ev)
{
	if (e->err)
		return false;
	if (!yaml_emitter_emit(&e->em, ev)) {
		e->err = kb_error_new(NULL, 0, 0, "YAML emitter: %s",
				      e->em.problem ? e->em.problem : "failed");
		return false;
	}
	return true;
}

static bool emit_collection_start(emitter *e, bool map, size_t n)
{
	if (e->err)
		return false;
	if (e->dry)
		return true;
	if (e->fast) {
		(map ? kb_femit_map_start : kb_femit_seq_start)(e->fast, n);
		return true;
	}
	yaml_event_t ev;
	if (map)
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	else
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	return emit_event(e, &ev);
}

static void emit_collection_end(emitter *e, bool map)
{
	if (e->err || e->dry)
		return;
	if (e->fast) {
		kb_femit_end(e->fast);
		return;
	}
	yaml_event_t ev;
	if (map)
		yaml_mapping_end_event_initialize(&ev);
	else
		yaml_sequence_end_event_initialize(&ev);
	emit_event(e, &ev);
}

static void emit_scalar(emitter *e, const char *v, size_t len, yaml_scalar_style_t style)
{
	if (e->err || e->dry)
		return;
	if (e->fast) {
		kb_femit_scalar(e->fast, v, len, style);
		return;
	}
	yaml_event_t ev;
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)v, (int)len, 1, 1, style);
	emit_event(e, &ev);
}

static void emit_string(emitter *e, const char *s, size_t len);

/* A map key.  JSON keys holding U+0085 (NEL) reach goyaml.v2 as raw line
 * breaks inside a flow mapping's key, which it refuses. */
static void emit_key(emitter *e, const kb_pair *p)
{
	if (kb_gort_has_nel(p->key, p->klen)) {
		if (!e->err)
			e->err = kb_error_new(NULL, p->line, p->col,
					      "map key \"%s\" holds U+0085 (NEL), which kustomize "
					      "cannot print (its JSON-to-YAML step reads it as a line "
					      "break in a key and fails); remove it from the key",
					      p->key);
		return;
	}
	emit_string(e, p->key, p->klen);
}

static void emit_string(emitter *e, const char *s, size_t len)
{
	if (e->dry)
		return; /* what follows only shapes the output */
	size_t vlen = len;
	char *own = valid_utf8(s, len, &vlen);
	const char *v = own ? own : s;
	char *folded;
	size_t flen;
	if (kb_gort_nel_fold(v, vlen, &folded, &flen)) {
		free(own);
		v = own = folded;
		vlen = flen;
	}
	yaml_scalar_style_t style;
	if (memchr(v, '\n', vlen))
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (kb_yaml11_nonstring(v, vlen))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	else
		style = YAML_PLAIN_SCALAR_STYLE;
	emit_scalar(e, v, vlen, style);
	free(own);
}

/* Where a node sits in kyaml's encoding (2-space indent, compact
 * sequences), which decides the column of a block scalar's content. */
typedef struct place {
	unsigned pos;   /* keys of a map, or a block scalar's content, start here */
	bool map_value; /* the value of a map key (a sequence's dashes then sit at pos - 2) */
	bool in_flow;   /* inside a collection written in flow style */
} place;

static void emit_node(emitter *e, const kb_node *n, place at);

/* A string value: first what kustomize's own round trip makes of it. */
static void emit_value_string(emitter *e, const kb_node *n, place at)
{
	char *rt = NULL;
	size_t rtlen = 0;
	kb_error *err = kb_gort_value(n->str, n->len, (kb_style)n->style, at.in_flow, at.pos,
				      n->line, n->col, &rt, &rtlen);
	if (err) {
		if (!e->err)
			e->err = err;
		else
			kb_error_free(err);
		return;
	}
	if (rt) {
		emit_string(e, rt, rtlen);
		free(rt);
	} else {
		emit_string(e, n->str, n->len);
	}
}

static int pair_bytes_cmp(const void *a, const void *b)
{
	const kb_pair *const *pa = a, *const *pb = b;
	size_t n = (*pa)->klen < (*pb)->klen ? (*pa)->klen : (*pb)->klen;
	int c = memcmp((*pa)->key, (*pb)->key, n);
	return c ? c : ((*pa)->klen < (*pb)->klen ? -1 : (*pa)->klen > (*pb)->klen);
}

/* Stable merge sort by goyaml.v2's natural order. */
static void natural_sort(const kb_pair **v, size_t n, const kb_pair **tmp)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	natural_sort(v, h, tmp);
	natural_sort(v + h, n - h, tmp);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = kb_natural_cmpn(v[j]->key, v[j]->klen, v[i]->key, v[i]->klen) < 0 ? v[j++]
											     : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/* ---- "<<" keys ----
 * kyaml prints a "<<" key plain, and kustomize's conversion of each
 * resource to JSON (goyaml.v3) then reads it as a merge key: the keys of
 * its value (a map, or each map of a sequence, earlier ones first) that
 * the map does not hold explicitly are merged in, and any other value
 * fails.  So the output holds the merge's result, never a "<<" key. */

static bool is_merge_key(const kb_pair *p)
{
	return p->klen == 2 && p->key[0] == '<' && p->key[1] == '<';
}

/* The later of two pairs of m with the same key, or NULL. */
static const kb_pair *repeated_key(const kb_node *m, const kb_pair **first)
{
	const kb_pair **v = kb_xmalloc((m->n ? m->n : 1) * sizeof(*v));
	for (size_t i = 0; i < m->n; i++)
		v[i] = &m->pairs[i];
	qsort(v, m->n, sizeof(*v), pair_bytes_cmp);
	const kb_pair *later = NULL;
	for (size_t i = 1; i < m->n && !later; i++)
		if (pair_bytes_cmp(&v[i], &v[i - 1]) == 0) {
			later = v[i]->line > v[i - 1]->line ? v[i] : v[i - 1];
			*first = later == v[i] ? v[i - 1] : v[i];
		}
	free(v);
	return later;
}

static void merge_value(emitter *e, kb_node *dst, const kb_pair *mk);

/* Adds to dst the pairs of the map src that dst lacks; src's own "<<"
 * after its explicit keys, as goyaml.v3 merges. */
static void merge_map(emitter *e, kb_node *dst, const kb_node *src)
{
	const kb_pair *first = NULL, *dup = repeated_key(src, &first);
	if (dup) {
		e->err = kb_error_new(NULL, dup->line, dup->col,
				      "mapping key \"%s\" already defined at line %u; kustomize "
				      "cannot convert a map with a repeated key to JSON",
				      dup->key, first->line);
		return;
	}
	const kb_pair *mk = NULL;
	for (size_t i = 0; i < src->n; i++) {
		const kb_pair *p = &src->pairs[i];
		if (is_merge_key(p))
			mk = p;
		else if (!kb_map_get_pairn(dst, p->key, p->klen)) {
			kb_pair *np = kb_map_appendn(dst, p->key, p->klen, kb_node_clone(p->val));
			np->line = p->line;
			np->col = p->col;
		}
	}
	if (mk)
		merge_value(e, dst, mk);
}

static void merge_value(emitter *e, kb_node *dst, const kb_pair *mk)
{
	const kb_node *v = mk->val;
	bool ok = v->kind == KB_MAP || v->kind == KB_SEQ;
	for (size_t i = 0; v->kind == KB_SEQ && i < v->n; i++)
		ok = ok && v->items[i]->kind == KB_MAP;
	if (!ok) {
		/* no position: such a key never comes from the resource's own
		 * file (read there, a "<<" is dropped or merged), but from a
		 * patch, a generator or a transformer */
		e->err = kb_error_new(NULL, 0, 0,
				      "map key \"<<\": kustomize prints it as a YAML merge key and "
				      "then fails to read it back, as its value is not a map or a "
				      "sequence of maps (map merge requires map or sequence of "
				      "maps as the value); rename or remove the key");
		return;
	}
	if (v->kind == KB_MAP)
		merge_map(e, dst, v);
	for (size_t i = 0; v->kind == KB_SEQ && i < v->n && !e->err; i++)
		merge_map(e, dst, v->items[i]);
}

/* n with its one "<<" key merged, or NULL (e->err set); caller frees. */
static kb_node *merged_map(emitter *e, const kb_node *n, const kb_pair *mk)
{
	kb_node *m = kb_node_new(KB_MAP);
	m->style = n->style;
	m->line = n->line;
	m->col = n->col;
	for (size_t i = 0; i < n->n; i++) {
		const kb_pair *p = &n->pairs[i];
		if (p == mk)
			continue;
		/* appended, not set: a repeated explicit key stays for the
		 * emitter to refuse */
		kb_pair *np = kb_map_appendn(m, p->key, p->klen, kb_node_clone(p->val));
		np->line = p->line;
		np->col = p->col;
	}
	/* explicit keys win over merged ones: merge_map adds only keys m lacks */
	merge_value(e, m, mk);
	if (e->err) {
		kb_node_free(m);
		return NULL;
	}
	return m;
}

static void emit_node(emitter *e, const kb_node *n, place at)
{
	bool flow = at.in_flow || n->style == KB_STYLE_FLOW;
	if (e->err)
		return;
	switch (n->kind) {
	case KB_MAP: {
		const kb_pair *mk = NULL;
		size_t nmerge = 0;
		for (size_t i = 0; i < n->n; i++)
			if (is_merge_key(&n->pairs[i])) {
				mk = &n->pairs[i];
				nmerge++;
			}
		/* (two "<<" keys are a repeated key, refused below) */
		if (nmerge == 1) {
			kb_node *m = merged_map(e, n, mk);
			if (m)
				emit_node(e, m, at);
			kb_node_free(m);
			return;
		}
		if (!emit_collection_start(e, true, n->n))
			return;
		const kb_pair **sorted = kb_xmalloc((n->n ? n->n : 1) * sizeof(*sorted));
		for (size_t i = 0; i < n->n; i++)
			sorted[i] = &n->pairs[i];
		/* Byte order first: repeated keys become neighbours (goyaml.v2's
		 * natural order is not transitive, so it cannot be trusted to
		 * bring them together), and the natural sort after it, being
		 * stable, gives an order that depends on the set of keys only,
		 * not on how they were read (kustomize's own order for such a
		 * map changes from run to run: Go feeds sort.Sort from a map). */
		qsort(sorted, n->n, sizeof(*sorted), pair_bytes_cmp);
		/* kustomize prints through JSON: goyaml.v3 decodes a map whose
		 * keys are not all strings into map[interface{}]interface{},
		 * which encoding/json refuses; the top level is decoded into
		 * map[string]interface{}, where such a key becomes its text */
		for (size_t i = 0; i < n->n && n != e->root; i++)
			if (sorted[i]->knonstr) {
				e->err = kb_error_new(NULL, sorted[i]->line, sorted[i]->col,
						      "mapping key '%s' is not a string (it reads as a "
						      "number, boolean, null or timestamp); kustomize "
						      "cannot convert the object to JSON (json: "
						      "unsupported type); quote the key%s",
						      sorted[i]->key,
						      /* no position: added by a patch */
						      sorted[i]->line ? "" : " in the patch that adds it");
				free(sorted);
				return;
			}
		for (size_t i = 1; i < n->n; i++)
			if (sorted[i]->klen == sorted[i - 1]->klen &&
			    memcmp(sorted[i]->key, sorted[i - 1]->key, sorted[i]->klen) == 0) {
				const kb_pair *later = sorted[i]->line > sorted[i - 1]->line
							       ? sorted[i] : sorted[i - 1];
				const kb_pair *first = later == sorted[i] ? sorted[i - 1] : sorted[i];
				e->err = kb_error_new(NULL, later->line, later->col,
						      "mapping key \"%s\" already defined at line %u; "
						      "kustomize cannot convert a map with a repeated "
						      "key to JSON",
						      later->key, first->line);
				free(sorted);
				return;
			}
		/* also when dry: the children are checked in the order they
		 * are printed, so that the first error is the printer's */
		const kb_pair **tmp = kb_xmalloc((n->n ? n->n : 1) * sizeof(*tmp));
		natural_sort(sorted, n->n, tmp);
		free(tmp);
		place child = { at.pos + 2, true, flow };
		for (size_t i = 0; i < n->n && !e->err; i++) {
			emit_key(e, sorted[i]);
			emit_node(e, sorted[i]->val, child);
		}
		free(sorted);
		emit_collection_end(e, true);
		break;
	}
	case KB_SEQ:
		if (!emit_collection_start(e, false, n->n))
			return;
		/* compact: a map value's dashes sit under its key */
		place item = { (at.map_value ? at.pos - 2 : at.pos) + 2, false, flow };
		for (size_t i = 0; i < n->n && !e->err; i++)
			emit_node(e, n->items[i], item);
		emit_collection_end(e, false);
		break;
	case KB_STR:
		emit_value_string(e, n, at);
		break;
	case KB_FLOAT:
		if (strcmp(n->str, ".inf") == 0 || strcmp(n->str, "-.inf") == 0 ||
		    strcmp(n->str, ".nan") == 0) {
			/* JSON has no such numbers; kustomize fails the same way. */
			e->err = kb_error_new(NULL, n->line, n->col,
					      "json: unsupported value %s (kustomize converts every "
					      "resource to JSON); quote it to keep it as a string",
					      n->str);
			return;
		}
		/* fall through */
	default: {
		const char *t = n->kind == KB_NULL ? "null" : n->str;
		size_t tl = n->kind == KB_NULL ? 4 : n->len;
		emit_scalar(e, t, tl, YAML_PLAIN_SCALAR_STYLE);
		break;
	}
	}
}

kb_error *kb_emit_doc_libyaml(kb_buf *out, const kb_node *doc)
{
	emitter e;
	memset(&e, 0, sizeof(e));
	if (!yaml_emitter_initialize(&e.em))
		abort();
	yaml_emitter_set_output(&e.em, write_handler, out);
	yaml_emitter_set_unicode(&e.em, 1);
	yaml_emitter_set_width(&e.em, 80);
	yaml_emitter_set_indent(&e.em, 2);

	yaml_event_t ev;
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit_event(&e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit_event(&e, &ev);
	size_t start = out->len;
	place root = { 0, false, false };
	e.root = doc;
	emit_node(&e, doc, root);
	yaml_document_end_event_initialize(&ev, 1);
	emit_event(&e, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit_event(&e, &ev);
	yaml_emitter_delete(&e.em);
	/* libyaml ends a document whose last scalar keeps its trailing line
	 * breaks (`|+`) with "..."; goyaml.v2, which kustomize prints with,
	 * writes that only for an explicit document end.  The break before
	 * it may be any of YAML's: LF, or CR, NEL, LS, PS written raw. */
	size_t l = out->len - start;
	const char *t = out->data ? out->data + out->len : NULL;
	if (!e.err && l >= 5 && memcmp(t - 4, "...\n", 4) == 0 &&
	    (t[-5] == '\n' || t[-5] == '\r' ||
	     (l >= 6 && memcmp(t - 6, "\xc2\x85", 2) == 0) ||
	     (l >= 7 && (memcmp(t - 7, "\xe2\x80\xa8", 3) == 0 || memcmp(t - 7, "\xe2\x80\xa9", 3) == 0))))
		out->len -= 4, out->data[out->len] = '\0';
	return e.err;
}

/* About the bytes doc prints as: its keys and scalars with their
 * indentation.  The output
 * buffer is reserved once from it: grown by doubling, a 5 MB CRD was
 * copied about as many times over and left as many dead blocks behind,
 * which is time (realloc was a tenth of a big build's) and peak memory. */
static size_t print_estimate(const kb_node *n, size_t indent)
{
	size_t s = 0;
	if (n->kind == KB_MAP) {
		for (size_t i = 0; i < n->n; i++)
			s += indent + n->pairs[i].klen + 3 + print_estimate(n->pairs[i].val, indent + 2);
	} else if (n->kind == KB_SEQ) {
		for (size_t i = 0; i < n->n; i++)
			s += indent + 2 + print_estimate(n->items[i], indent + 2);
	} else {
		s = n->len + 3;
		/* a block scalar's lines are indented */
		for (const char *p = n->str, *e = n->str + n->len;
		     (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
			s += indent + 2;
	}
	return s;
}

kb_error *kb_emit_check(const kb_node *doc)
{
	emitter e;
	memset(&e, 0, sizeof(e));
	e.dry = true;
	e.root = doc;
	place root = { 0, false, false };
	emit_node(&e, doc, root);
	return e.err;
}

kb_error *kb_emit_doc(kb_buf *out, const kb_node *doc)
{
	size_t start = out->len;
	/* a quarter more for long strings folded at 80 columns; the caller
	 * gives back what is left over */
	size_t est = print_estimate(doc, 0);
	est += est / 4 + 16;
	if (out->cap < out->len + est) {
		out->data = kb_xrealloc(out->data, out->len + est);
		out->cap = out->len + est;
	}
	kb_femit f;
	kb_femit_init(&f, out);
	emitter e;
	memset(&e, 0, sizeof(e));
	e.fast = &f;
	e.root = doc; /* a non-string key is refused below the top level only */
	place root = { 0, false, false };
	emit_node(&e, doc, root);
	kb_femit_doc_end(&f);
	kb_femit_free(&f);
	if (e.err || !f.bail)
		return e.err;
	/* what the fast writer does not do (fastemit.h): libyaml's emitter */
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
	return kb_emit_doc_libyaml(out, doc);
}
