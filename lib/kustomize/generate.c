/*
 * generate.c - configMapGenerator / secretGenerator and the merge/replace
 * of their output into existing objects.  See generate.h for the
 * behaviours confirmed against kubectl kustomize v5.5.0.
 */
#include "generate.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* One key/value pair; keys and values may hold any bytes (an env file's
 * key with a NUL byte is kept whole by kustomize, and hashed so). */
typedef struct kv {
	char *key;
	size_t klen;
	char *val;
	size_t len;
} kv;

typedef struct kvlist {
	kv *v;
	size_t n, cap;
} kvlist;

static void kv_push(kvlist *l, char *key, size_t klen, char *val, size_t len)
{
	kb_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(kv));
	l->v[l->n].key = key;
	l->v[l->n].klen = klen;
	l->v[l->n].val = val;
	l->v[l->n].len = len;
	l->n++;
}

static void kvlist_free(kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].val);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Everything the helpers need to report: the generator's kustomization
 * file, its position, and where warnings go. */
typedef struct genctx {
	const kb_loader *ld;
	kb_warnings *warn;
	const kb_node *entry;
	const char *field; /* "configMapGenerator" / "secretGenerator" */
	const char *name;
} genctx;

static const char *ctx_file(const genctx *c)
{
	return c->ld ? c->ld->kfile : NULL;
}

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at s as Go's utf8.DecodeRune
 * accepts it, or 0 at an invalid byte. */
static size_t utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], v, min;
	size_t need;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		need = 2, min = 0x80, v = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3, min = 0x800, v = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4, min = 0x10000, v = c & 0x07;
	else
		return 0;
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

static bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_len(p + i, n - i, &cp);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* Go's unicode.IsSpace. */
static bool go_is_space(unsigned cp)
{
	switch (cp) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202f: case 0x205f: case 0x3000:
		return true;
	}
	return cp >= 0x2000 && cp <= 0x200a;
}

/* ---- base64 ---- */

char *kb_gen_base64(const char *data, size_t len)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)data;
	size_t enc_len = (len + 2) / 3 * 4;
	char *enc = kb_xmalloc(enc_len + 1);
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		enc[o++] = tbl[v >> 18 & 63];
		enc[o++] = tbl[v >> 12 & 63];
		enc[o++] = i + 1 < len ? tbl[v >> 6 & 63] : '=';
		enc[o++] = i + 2 < len ? tbl[v & 63] : '=';
	}
	enc[o] = '\0';
	/* kyaml's encodeBase64: 70-character lines, and once there is more
	 * than one "line" (encoding >= 70 chars) every line, the last
	 * included, ends in '\n'. */
	const size_t line = 70;
	if (enc_len < line)
		return enc;
	kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; i < enc_len; i += line) {
		size_t n = enc_len - i < line ? enc_len - i : line;
		kb_buf_append(&b, enc + i, n);
		kb_buf_putc(&b, '\n');
	}
	free(enc);
	return kb_buf_detach(&b);
}

/* ---- reading the entry ---- */

/* A string field: absent or null gives NULL (Go's zero ""). */
static kb_error *get_str(const genctx *c, const kb_node *map, const char *field,
			 const char **out)
{
	*out = NULL;
	const kb_pair *p = kb_map_get_pair(map, field);
	if (!p || !p->val || p->val->kind == KB_NULL)
		return NULL;
	if (p->val->kind != KB_STR)
		return kb_error_new(ctx_file(c), p->line, p->col,
				    "%s: field '%s' must be a string", c->field, field);
	*out = p->val->str;
	return NULL;
}

/* A list-of-strings field, appended to out (copies). */
static kb_error *get_strlist(const genctx *c, const kb_node *map, const char *field,
			     kb_strv *out)
{
	const kb_pair *p = kb_map_get_pair(map, field);
	if (!p || !p->val || p->val->kind == KB_NULL)
		return NULL;
	if (p->val->kind != KB_SEQ)
		return kb_error_new(ctx_file(c), p->line, p->col,
				    "%s: field '%s' must be a list of strings", c->field, field);
	for (size_t i = 0; i < p->val->n; i++) {
		const kb_node *it = p->val->items[i];
		if (!it || it->kind != KB_STR)
			return kb_error_new(ctx_file(c), it ? it->line : p->line,
					    it ? it->col : p->col,
					    "%s: every item of '%s' must be a string", c->field,
					    field);
		kb_strv_push(out, it->str);
	}
	return NULL;
}

static kb_error *get_bool(const genctx *c, const kb_node *map, const char *field, bool *out)
{
	const kb_pair *p = kb_map_get_pair(map, field);
	if (!p || !p->val || p->val->kind == KB_NULL)
		return NULL;
	if (p->val->kind != KB_BOOL)
		return kb_error_new(ctx_file(c), p->line, p->col,
				    "%s: field '%s' must be a boolean", c->field, field);
	if (kb_streq(p->val->str, "true"))
		*out = true;
	return NULL;
}

/* Merged options (MergeGlobalOptionsIntoLocal). */
typedef struct gen_opts {
	kb_node *labels;      /* map of KB_STR, or NULL */
	kb_node *annotations; /* map of KB_STR, or NULL */
	bool disable_hash;
	bool immutable;
} gen_opts;

/* Adds map[field]'s string pairs into *dst (created on demand), keeping
 * keys already there: local options are read first, so a global value
 * only fills keys the generator left out. */
static kb_error *fill_string_map(const genctx *c, const kb_node *opts, const char *field,
				 kb_node **dst)
{
	const kb_pair *p = kb_map_get_pair(opts, field);
	if (!p || !p->val || p->val->kind == KB_NULL)
		return NULL;
	if (p->val->kind != KB_MAP)
		return kb_error_new(ctx_file(c), p->line, p->col, "%s: '%s' must be a map",
				    c->field, field);
	if (!*dst)
		*dst = kb_node_new(KB_MAP);
	for (size_t i = 0; i < p->val->n; i++) {
		const kb_pair *q = &p->val->pairs[i];
		if (q->val && q->val->kind != KB_STR && q->val->kind != KB_NULL)
			return kb_error_new(ctx_file(c), q->line, q->col,
					    "%s: value of %s '%s' must be a string", c->field,
					    field, q->key);
		if (kb_map_get_pairn(*dst, q->key, q->klen))
			continue;
		bool null = !q->val || q->val->kind == KB_NULL;
		kb_map_setn(*dst, q->key, q->klen,
			    null ? kb_node_new_str("") : kb_node_new_strn(q->val->str, q->val->len));
	}
	return NULL;
}

static kb_error *read_opts(const genctx *c, const kb_node *opts, gen_opts *o)
{
	kb_error *e;
	if (!opts || opts->kind == KB_NULL)
		return NULL;
	if (opts->kind != KB_MAP)
		return kb_error_new(ctx_file(c), opts->line, opts->col,
				    "%s: options must be a map", c->field);
	if ((e = fill_string_map(c, opts, "labels", &o->labels)) ||
	    (e = fill_string_map(c, opts, "annotations", &o->annotations)) ||
	    (e = get_bool(c, opts, "disableNameSuffixHash", &o->disable_hash)) ||
	    (e = get_bool(c, opts, "immutable", &o->immutable)))
		return e;
	return NULL;
}

/* ---- key/value sources ---- */

/* Kubernetes' rule for ConfigMap/Secret keys; kubectl does not check it
 * (its validator is a no-op), so a bad key is only warned about. */
static bool valid_data_key(const char *k, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_'))
			return false;
	}
	return true;
}

/* Kubernetes' IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*. */
static bool valid_env_name(const char *k, size_t n)
{
	if (!n || (*k >= '0' && *k <= '9'))
		return false;
	return valid_data_key(k, n);
}

/* bufio.Scanner's default limit: a line this long (without its '\n')
 * makes the scanner stop with ErrTooLong, which kv.go never checks, so
 * the rest of the file is silently ignored. */
#define GO_SCAN_MAX 65536

/* The env file's path for messages: beside the kustomization naming it. */
static char *env_display(const genctx *c, const char *path)
{
	const char *kf = ctx_file(c);
	const char *slash = kf ? strrchr(kf, '/') : NULL;
	if (!slash || path[0] == '/')
		return kb_xstrdup(path);
	return kb_xasprintf("%.*s/%s", (int)(slash - kf), kf, path);
}

static kb_error *parse_env(const genctx *c, const char *path, const char *data, size_t len,
			   kvlist *out)
{
	char *disp = env_display(c, path);
	size_t pos = 0;
	unsigned lineno = 0; /* kustomize's currentLine counts every scanned line */
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t n = end - pos;
		if (n >= GO_SCAN_MAX) {
			kb_warn(c->warn, disp, lineno + 1, 0,
				"line is %zu bytes long; kustomize silently ignores it and every "
				"line after it (%s '%s')",
				n, c->field, c->name);
			break;
		}
		const char *line = data + pos;
		pos = nl ? end + 1 : len;
		if (n > 0 && line[n - 1] == '\r') /* ScanLines drops a CR before LF */
			n--;
		if (!utf8_valid(line, n)) {
			kb_error *e = kb_error_new(disp, lineno + 1, 0,
						   "invalid UTF-8 bytes in env file (%s '%s')",
						   c->field, c->name);
			free(disp);
			return e;
		}
		if (lineno == 0 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			n -= 3;
		}
		lineno++;
		for (;;) {
			unsigned cp;
			size_t k = n ? utf8_len((const unsigned char *)line, n, &cp) : 0;
			if (!k || !go_is_space(cp))
				break;
			line += k;
			n -= k;
		}
		if (n == 0 || line[0] == '#')
			continue;
		const char *eq = memchr(line, '=', n);
		size_t klen = eq ? (size_t)(eq - line) : n;
		if (klen == 0) {
			/* kv.go reads an empty key as "blank line" and drops it. */
			kb_warn(c->warn, disp, lineno, 1,
				"line has no key; kustomize ignores it (%s '%s')", c->field,
				c->name);
			continue;
		}
		if (!valid_env_name(line, klen)) {
			char *kd = kb_bytes_display(line, klen);
			kb_warn(c->warn, disp, lineno, 1,
				"'%s' is not a valid environment variable name; kustomize keeps "
				"it as a key as written (%s '%s')",
				kd, c->field, c->name);
			free(kd);
		}
		size_t vlen = eq ? n - klen - 1 : 0;
		kv_push(out, kb_xstrndup(line, klen), klen, kb_xstrndup(eq ? eq + 1 : "", vlen),
			vlen);
	}
	free(disp);
	return NULL;
}

static kb_error *load_envs(const genctx *c, const kb_strv *paths, kvlist *out)
{
	for (size_t i = 0; i < paths->n; i++) {
		char *data = NULL;
		size_t len = 0;
		kb_error *e = kb_loader_read(c->ld, paths->v[i], &data, &len, NULL);
		if (!e)
			e = parse_env(c, paths->v[i], data, len, out);
		free(data);
		if (e)
			return kb_error_note(e, ctx_file(c), c->entry->line, c->entry->col,
					     "%s '%s': env source file '%s'", c->field, c->name,
					     paths->v[i]);
	}
	return NULL;
}

/* The literals are read from the node list (checked to be strings by
 * get_strlist) rather than the C strings, so that a value may hold NUL
 * bytes ("k=a\0b" in a double-quoted YAML string). */
static kb_error *load_literals(const genctx *c, const kb_node *lits, kvlist *out)
{
	for (size_t i = 0; lits && lits->kind == KB_SEQ && i < lits->n; i++) {
		const kb_node *ln = lits->items[i];
		if (!kb_node_is_scalar(ln) || ln->kind == KB_NULL)
			continue;
		const char *s = ln->str;
		size_t slen = ln->len;
		const char *eq = memchr(s, '=', slen);
		if (!eq || eq == s)
			return kb_error_new(ctx_file(c), c->entry->line, c->entry->col,
					    "%s '%s': invalid literal source %s, expected key=value",
					    c->field, c->name, s);
		const char *v = eq + 1;
		size_t vlen = slen - (size_t)(v - s);
		/* removeQuotes: one pair of matching surrounding quotes. */
		if (vlen >= 2 && v[0] == v[vlen - 1] && (v[0] == '"' || v[0] == '\'')) {
			v++;
			vlen -= 2;
		}
		size_t klen = (size_t)(eq - s);
		kv_push(out, kb_xstrndup(s, klen), klen, kb_xstrndup(v, vlen), vlen);
	}
	return NULL;
}

/* Go's path.Base. */
static char *go_path_base(const char *p)
{
	size_t n = strlen(p);
	if (n == 0)
		return kb_xstrdup(".");
	while (n > 0 && p[n - 1] == '/')
		n--;
	if (n == 0)
		return kb_xstrdup("/");
	size_t s = n;
	while (s > 0 && p[s - 1] != '/')
		s--;
	return kb_xstrndup(p + s, n - s);
}

/* Read from the node list like the literals: a key given as KEY=PATH may
 * hold NUL bytes (the path cannot; the loader refuses such paths). */
static kb_error *load_files(const genctx *c, const kb_node *srcs, kvlist *out)
{
	for (size_t i = 0; srcs && srcs->kind == KB_SEQ && i < srcs->n; i++) {
		const kb_node *sn = srcs->items[i];
		if (!kb_node_is_scalar(sn) || sn->kind == KB_NULL)
			continue;
		const char *s = sn->str;
		size_t slen = sn->len, neq = 0;
		for (size_t j = 0; j < slen; j++)
			neq += s[j] == '=';
		char *key, *path;
		size_t klen;
		if (neq == 0) {
			key = go_path_base(s);
			klen = strlen(key);
			path = kb_xstrdup(s);
		} else if (neq == 1 && s[0] == '=') {
			return kb_error_new(ctx_file(c), c->entry->line, c->entry->col,
					    "%s '%s': missing key name for file path \"%s\" in "
					    "source \"%s\"",
					    c->field, c->name, s + 1, s);
		} else if (neq == 1 && s[slen - 1] == '=') {
			char *kd = kb_bytes_display(s, slen - 1);
			kb_error *e = kb_error_new(ctx_file(c), c->entry->line, c->entry->col,
						   "%s '%s': missing file path for key name \"%s\" in "
						   "source \"%s=\"",
						   c->field, c->name, kd, kd);
			free(kd);
			return e;
		} else if (neq > 1) {
			char *sd = kb_bytes_display(s, slen);
			kb_error *e = kb_error_new(ctx_file(c), c->entry->line, c->entry->col,
						   "%s '%s': source \"%s\" key name or file path "
						   "contains '='",
						   c->field, c->name, sd);
			free(sd);
			return e;
		} else {
			const char *eq = memchr(s, '=', slen);
			klen = (size_t)(eq - s);
			key = kb_xstrndup(s, klen);
			path = kb_xstrdup(eq + 1);
		}
		char *data = NULL;
		size_t len = 0;
		kb_error *e = kb_loader_read(c->ld, path, &data, &len, NULL);
		if (e) {
			char *sd = kb_bytes_display(s, slen);
			e = kb_error_note(e, ctx_file(c), c->entry->line, c->entry->col,
					  "%s '%s': file source '%s'", c->field, c->name, sd);
			free(sd);
			free(key);
			free(path);
			return e;
		}
		free(path);
		kv_push(out, key, klen, data, len);
	}
	return NULL;
}

/* ---- building the object ---- */

/* Go's string order (bytes, a prefix first), as sort.Strings has it. */
static int kv_cmp(const void *a, const void *b)
{
	const kv *x = a, *y = b;
	return kb_bytes_cmp(x->key, x->klen, y->key, y->klen);
}

static kb_error *validate_keys(const genctx *c, kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const kv *p = &l->v[i];
		for (size_t j = 0; j < i; j++)
			if (kb_bytes_cmp(p->key, p->klen, l->v[j].key, l->v[j].klen) == 0) {
				char *kd = kb_bytes_display(p->key, p->klen);
				kb_error *e = kb_error_new(ctx_file(c), c->entry->line,
							   c->entry->col,
							   "configmap %s illegally repeats the key `%s`",
							   c->name, kd);
				free(kd);
				return e;
			}
		if (!valid_data_key(p->key, p->klen)) {
			char *kd = kb_bytes_display(p->key, p->klen);
			kb_warn(c->warn, ctx_file(c), c->entry->line, c->entry->col,
				"%s '%s': key '%s' is not a valid ConfigMap/Secret key "
				"([-._a-zA-Z0-9]+); kustomize accepts it but the API server "
				"will reject the object",
				c->field, c->name, kd);
			free(kd);
		}
	}
	return NULL;
}

static void add_data(kb_node *doc, bool secret, kvlist *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(kv), kv_cmp);
	if (secret) {
		/* LoadMapIntoSecretData creates data even when empty. */
		kb_node *data = kb_map_ensure_map(doc, "data");
		for (size_t i = 0; i < l->n; i++) {
			char *b64 = kb_gen_base64(l->v[i].val, l->v[i].len);
			kb_map_setn(data, l->v[i].key, l->v[i].klen, kb_node_new_str(b64));
			free(b64);
		}
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (utf8_valid(l->v[i].val, l->v[i].len)) {
			kb_map_setn(kb_map_ensure_map(doc, "data"), l->v[i].key, l->v[i].klen,
				    kb_node_new_strn(l->v[i].val, l->v[i].len));
		} else {
			char *b64 = kb_gen_base64(l->v[i].val, l->v[i].len);
			kb_map_setn(kb_map_ensure_map(doc, "binaryData"), l->v[i].key,
				    l->v[i].klen, kb_node_new_str(b64));
			free(b64);
		}
	}
}

static int parse_behavior(const genctx *c, const char *b)
{
	/* types.NewGenerationBehavior: only "create" is create; nothing (or
	 * anything unknown) is "unspecified", which acts as create but is
	 * what external plugins see in the generatorBehavior annotation */
	if (kb_str_empty(b))
		return KB_BEHAVIOR_UNSET;
	if (kb_streq(b, "create"))
		return KB_GEN_CREATE;
	if (kb_streq(b, "merge"))
		return KB_GEN_MERGE;
	if (kb_streq(b, "replace"))
		return KB_GEN_REPLACE;
	const kb_pair *p = kb_map_get_pair(c->entry, "behavior");
	kb_warn(c->warn, ctx_file(c), p ? p->line : 0, p ? p->col : 0,
		"%s '%s': unknown behavior '%s' (expected create, merge or replace); "
		"kustomize treats it as create",
		c->field, c->name, b);
	return KB_BEHAVIOR_UNSET;
}

kb_error *kb_generate(const kb_node *entry, const kb_node *global_opts, bool secret,
		      const kb_loader *ld, kb_warnings *warn, kb_gen_result *out)
{
	memset(out, 0, sizeof(*out));
	genctx c = { ld, warn, entry, secret ? "secretGenerator" : "configMapGenerator", "" };
	if (!entry || entry->kind != KB_MAP)
		return kb_error_new(ctx_file(&c), entry ? entry->line : 0, entry ? entry->col : 0,
				    "%s: each entry must be a map", c.field);

	const char *name, *ns, *behavior, *type = NULL, *env;
	kb_strv envs = { 0 }, lits = { 0 }, files = { 0 };
	gen_opts opts = { 0 };
	kvlist pairs = { 0 };
	kb_node *doc = NULL;
	kb_error *e;
	if ((e = get_str(&c, entry, "name", &name)) || (e = get_str(&c, entry, "namespace", &ns)) ||
	    (e = get_str(&c, entry, "behavior", &behavior)) ||
	    (secret && (e = get_str(&c, entry, "type", &type))) ||
	    (e = get_str(&c, entry, "env", &env)) || (e = get_strlist(&c, entry, "envs", &envs)) ||
	    (e = get_strlist(&c, entry, "literals", &lits)) ||
	    (e = get_strlist(&c, entry, "files", &files)) ||
	    (e = read_opts(&c, kb_map_get(entry, "options"), &opts)) ||
	    (e = read_opts(&c, global_opts, &opts)))
		goto out;
	/* FixKustomization appends the legacy `env` after `envs`. */
	if (!kb_str_empty(env))
		kb_strv_push(&envs, env);
	c.name = name ? name : "";

	if (kb_str_empty(name)) {
		e = kb_error_new(ctx_file(&c), entry->line, entry->col,
				 "a configmap must have a name");
		goto out;
	}
	int beh = parse_behavior(&c, behavior);

	if ((e = load_envs(&c, &envs, &pairs)) || (e = load_literals(&c, kb_map_get(entry, "literals"), &pairs)) ||
	    (e = load_files(&c, kb_map_get(entry, "files"), &pairs)) || (e = validate_keys(&c, &pairs)))
		goto out;

	doc = kb_node_new(KB_MAP);
	kb_map_set(doc, "apiVersion", kb_node_new_str("v1"));
	kb_map_set(doc, "kind", kb_node_new_str(secret ? "Secret" : "ConfigMap"));
	kb_node *md = kb_map_ensure_map(doc, "metadata");
	kb_map_set(md, "name", kb_node_new_str(name));
	if (!kb_str_empty(ns))
		kb_map_set(md, "namespace", kb_node_new_str(ns));
	if (secret)
		kb_map_set(doc, "type", kb_node_new_str(kb_str_empty(type) ? "Opaque" : type));
	add_data(doc, secret, &pairs);
	if (opts.labels && opts.labels->n) {
		kb_map_set(md, "labels", opts.labels);
		opts.labels = NULL;
	}
	if (opts.annotations && opts.annotations->n) {
		kb_map_set(md, "annotations", opts.annotations);
		opts.annotations = NULL;
	}
	if (opts.immutable)
		kb_map_set(doc, "immutable", kb_node_new_bool(true));

	out->doc = doc;
	out->behavior = beh;
	out->needs_hash = !opts.disable_hash;
out:
	kb_strv_free(&envs);
	kb_strv_free(&lits);
	kb_strv_free(&files);
	kb_node_free(opts.labels);
	kb_node_free(opts.annotations);
	kvlist_free(&pairs);
	return e;
}

/* ---- merge / replace ---- */

/* The annotations kustomize treats as its own bookkeeping
 * (resource.go BuildAnnotations): on a merge they come from the existing
 * object only. */
static const char *const build_annotations[] = {
	"internal.config.kubernetes.io/previousKinds",
	"internal.config.kubernetes.io/previousNames",
	"internal.config.kubernetes.io/prefixes",
	"internal.config.kubernetes.io/suffixes",
	"internal.config.kubernetes.io/previousNamespaces",
	"internal.config.kubernetes.io/allowNameChange",
	"internal.config.kubernetes.io/allowKindChange",
	"internal.config.kubernetes.io/refBy",
	"internal.config.kubernetes.io/generatorBehavior",
	"internal.config.kubernetes.io/needsHashSuffix",
	"internal.config.kubernetes.io/path",
	"internal.config.kubernetes.io/index",
	"internal.config.kubernetes.io/seqindent",
	"internal.config.kubernetes.io/id",
	"internal.config.kubernetes.io/annotations-migration-resource-id",
	"config.kubernetes.io/path",
	"config.kubernetes.io/index",
	"config.k8s.io/id",
};
#define NEEDS_HASH_ANNOTATION "internal.config.kubernetes.io/needsHashSuffix"
#define ORIGIN_ANNOTATION "config.kubernetes.io/origin"

/* A value as kyaml's GetValue reads it for a string map: a scalar's text,
 * "" for null (the usual `key:` spelling) and for collections. */
static kb_node *as_string(const kb_node *v)
{
	if (!v || !kb_node_is_scalar(v) || v->kind == KB_NULL)
		return kb_node_new_str("");
	return kb_node_new_strn(v->str, v->len);
}

/* base's string pairs overlaid with over's; a new map (maybe empty). */
static kb_node *merge_string_maps(const kb_node *base, const kb_node *over)
{
	kb_node *m = kb_node_new(KB_MAP);
	const kb_node *src[2] = { base, over };
	for (int s = 0; s < 2; s++) {
		if (!src[s] || src[s]->kind != KB_MAP)
			continue;
		for (size_t i = 0; i < src[s]->n; i++)
			kb_map_setn(m, src[s]->pairs[i].key, src[s]->pairs[i].klen,
				    as_string(src[s]->pairs[i].val));
	}
	return m;
}

/* Sets parent[key] = m, or removes the key when m is empty (kyaml clears
 * the field and only writes a non-empty map). */
static void set_or_clear(kb_node *parent, const char *key, kb_node *m)
{
	if (m->n == 0) {
		kb_map_del(parent, key);
		kb_node_free(m);
		return;
	}
	kb_map_set(parent, key, m);
}

kb_error *kb_generate_merge(kb_node *existing, const kb_node *generated, int behavior)
{
	if (!existing || !generated || generated->kind != KB_MAP)
		return kb_error_new(NULL, 0, 0, "cannot merge a generated object: bad arguments");
	const char *kind = kb_map_get_str(generated, "kind");
	const char *gname = kb_node_get_str(generated, "metadata", "name", NULL);
	if (behavior != KB_GEN_MERGE && behavior != KB_GEN_REPLACE)
		return kb_error_new(NULL, 0, 0,
				    "%s '%s' already exists; behavior must be merge or replace",
				    kind ? kind : "", gname ? gname : "");

	const kb_node *old_md = kb_map_get(existing, "metadata");
	if (old_md && old_md->kind != KB_MAP)
		old_md = NULL;
	const kb_node *old_ann = kb_map_get(old_md, "annotations");
	if (old_ann && old_ann->kind != KB_MAP)
		old_ann = NULL;

	kb_node *res = kb_node_clone(generated);
	kb_node *md = kb_map_ensure_map(res, "metadata");

	set_or_clear(md, "labels",
		     merge_string_maps(kb_map_get(old_md, "labels"), kb_map_get(md, "labels")));

	const kb_node *new_ann = kb_map_get(md, "annotations");
	bool new_wants_hash = new_ann && new_ann->kind == KB_MAP &&
			      kb_map_get(new_ann, NEEDS_HASH_ANNOTATION);
	kb_node *ann = merge_string_maps(old_ann, new_ann);
	for (size_t i = 0; i < sizeof(build_annotations) / sizeof(build_annotations[0]); i++) {
		const kb_node *v = kb_map_get(old_ann, build_annotations[i]);
		if (v)
			kb_map_set(ann, build_annotations[i], as_string(v));
		else
			kb_map_del(ann, build_annotations[i]);
	}
	if (!new_wants_hash)
		kb_map_del(ann, NEEDS_HASH_ANNOTATION);
	if (behavior == KB_GEN_MERGE) {
		/* appendReplaceOrMerge keeps the existing origin on a merge. */
		const kb_node *orig = kb_map_get(old_ann, ORIGIN_ANNOTATION);
		if (orig)
			kb_map_set(ann, ORIGIN_ANNOTATION, as_string(orig));
	}
	set_or_clear(md, "annotations", ann);

	/* The object keeps the existing one's current name and namespace
	 * (it may carry a base's prefix by now). */
	const kb_node *oname = kb_map_get(old_md, "name");
	kb_map_set(md, "name", as_string(oname));
	const kb_node *ons = kb_map_get(old_md, "namespace");
	if (ons && kb_node_is_scalar(ons) && ons->kind != KB_NULL && ons->len)
		kb_map_set(md, "namespace", as_string(ons));
	else
		kb_map_del(md, "namespace");

	if (behavior == KB_GEN_MERGE) {
		set_or_clear(res, "data",
			     merge_string_maps(kb_map_get(existing, "data"),
					       kb_map_get(res, "data")));
		set_or_clear(res, "binaryData",
			     merge_string_maps(kb_map_get(existing, "binaryData"),
					       kb_map_get(res, "binaryData")));
	}
	kb_node_replace(existing, res);
	return NULL;
}
