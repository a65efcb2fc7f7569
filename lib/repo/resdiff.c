/*
 * resdiff.c - two YAML streams compared resource by resource
 * (kbuild/diff.h: kb_diff_result_add).
 *
 * Each side's stream is cut at its document separators and every
 * document parsed for its id; the text compared is the document as the
 * stream has it (re-emitted only when a Secret is masked, or when a
 * piece holds several documents), so an unchanged resource is found by
 * a byte comparison.  Changed ones get a line diff (linediff.c) whose
 * hunks are labelled with the YAML path of their first changed line,
 * read from a parse of that side's text.
 */
#include "resdiff.h"
#include "diag.h"
#include "emit.h"
#include "hash.h"
#include "linediff.h"
#include "node.h"
#include "parse.h"
#include "strmap.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- the result's memory ---- */

static void *keep(kb_diff_result *r, void *p)
{
	kb_grow((void **)&r->mem, &r->capmem, r->nmem + 1, sizeof(*r->mem));
	r->mem[r->nmem++] = p;
	return p;
}

static const char *keep_str(kb_diff_result *r, const char *s)
{
	return s ? keep(r, kb_xstrdup(s)) : NULL;
}

const char *kb_diff_result_keep(kb_diff_result *r, const char *s)
{
	return keep_str(r, s);
}

kb_diff_result *kb_diff_result_new(void)
{
	return kb_xcalloc(1, sizeof(kb_diff_result));
}

void kb_diff_result_free(kb_diff_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nmem; i++)
		free(r->mem[i]);
	free(r->mem);
	free(r->ov);
	free(r->base_rev);
	free(r->base_commit);
	free(r->head_rev);
	free(r->head_commit);
	free(r);
}

size_t kb_diff_result_count(const kb_diff_result *r)
{
	return r ? r->n : 0;
}

const kb_diff_overlay *kb_diff_result_overlay(const kb_diff_result *r, size_t i)
{
	return r && i < r->n ? &r->ov[i] : NULL;
}

const char *kb_diff_result_base_rev(const kb_diff_result *r)
{
	return r->base_rev;
}

const char *kb_diff_result_base_commit(const kb_diff_result *r)
{
	return r->base_commit;
}

const char *kb_diff_result_head_rev(const kb_diff_result *r)
{
	return r->head_rev;
}

const char *kb_diff_result_head_commit(const kb_diff_result *r)
{
	return r->head_commit;
}

void kb_diff_result_summary(const kb_diff_result *r, kb_diff_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->rendered = r->n;
	s->overlays = r->counted ? r->overlays : r->n;
	s->changed_files = r->changed_files;
	for (size_t i = 0; i < r->n; i++) {
		const kb_diff_overlay *o = &r->ov[i];
		if (o->status != KB_DIFF_OVERLAY_UNCHANGED)
			s->differ++;
		s->added += o->added;
		s->removed += o->removed;
		s->changed += o->changed;
		s->broken += o->status == KB_DIFF_OVERLAY_BROKEN;
		s->fixed += o->status == KB_DIFF_OVERLAY_FIXED;
	}
}

kb_diff_entries kb_diff_result_entries(const kb_diff_result *r)
{
	return r ? r->entries : KB_DIFF_OVERLAYS;
}

bool kb_diff_result_differs(const kb_diff_result *r)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (r->ov[i].status != KB_DIFF_OVERLAY_UNCHANGED)
			return true;
	return false;
}

static int cmp_overlay(const void *a, const void *b)
{
	return strcmp(((const kb_diff_overlay *)a)->path, ((const kb_diff_overlay *)b)->path);
}

void kb_diff_result_sort(kb_diff_result *r)
{
	qsort(r->ov, r->n, sizeof(*r->ov), cmp_overlay);
}

void kb_diff_options_init(kb_diff_options *o)
{
	memset(o, 0, sizeof(*o));
	o->version = KB_DIFF_OPTIONS_VERSION;
	o->context = 3;
}

/* ---- masking ---- */

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Standard or URL-safe base64, padding optional, whitespace skipped;
 * NULL when s is not base64. */
static char *b64_decode(const char *s, size_t n, size_t *out_len)
{
	char *out = kb_xmalloc(n / 4 * 3 + 4);
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0, pad = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isspace(c))
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		int v = b64val(c);
		if (v < 0 || pad) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	*out_len = o;
	return out;
}

char *kb_diff_mask_value(const char *val, size_t len, bool base64)
{
	size_t dl = 0;
	char *dec = base64 ? b64_decode(val, len, &dl) : NULL;
	kb_buf b = KB_BUF_INIT;
	/* a fixed prefix, so the short hash is not a bare SHA-256 of the
	 * value that a lookup table could reverse */
	kb_buf_append(&b, "kbuild-diff-secret\0", 19);
	if (dec)
		kb_buf_append(&b, dec, dl);
	else
		kb_buf_append(&b, val, len);
	free(dec);
	uint8_t d[32];
	kb_sha256(b.data, b.len, d);
	kb_buf_free(&b);
	return kb_xasprintf("<secret sha256:%02x%02x%02x%02x>", d[0], d[1], d[2], d[3]);
}

static void mask_map(kb_node *m, bool base64)
{
	if (!m || m->kind != KB_MAP)
		return;
	for (size_t i = 0; i < m->n; i++) {
		kb_node *v = m->pairs[i].val;
		char *mask;
		if (kb_node_is_scalar(v)) {
			mask = kb_diff_mask_value(v->str, v->len, base64);
		} else {
			kb_buf t = KB_BUF_INIT;
			kb_error *e = kb_emit_doc(&t, v);
			kb_error_free(e);
			mask = kb_diff_mask_value(t.data ? t.data : "", t.len, false);
			kb_buf_free(&t);
		}
		kb_node_free(v);
		m->pairs[i].val = kb_node_new_str(mask);
		free(mask);
	}
}

/* ---- one side ---- */

typedef struct rdoc {
	char *text; /* as compared; ends in '\n' */
	size_t len;
	char *api_version, *group, *kind, *ns, *name;
	char *stem; /* a generated ConfigMap/Secret's name without its hash */
	bool masked;
	long match; /* index on the other side, -1 */
} rdoc;

typedef struct rside {
	rdoc *d;
	size_t n, cap;
} rside;

static void rdoc_free(rdoc *d)
{
	free(d->text);
	free(d->api_version);
	free(d->group);
	free(d->kind);
	free(d->ns);
	free(d->name);
	free(d->stem);
}

static void rside_free(rside *s)
{
	for (size_t i = 0; i < s->n; i++)
		rdoc_free(&s->d[i]);
	free(s->d);
	memset(s, 0, sizeof(*s));
}

/* kustomize's hash suffix: "-" and ten of the characters its encoding
 * of a SHA-256 uses (hex with 0 1 3 a e replaced, never a vowel). */
static char *hash_stem(const char *name)
{
	size_t n = strlen(name);
	if (n < 12 || name[n - 11] != '-')
		return NULL;
	for (size_t i = n - 10; i < n; i++)
		if (!strchr("245679bcdfghkmt8", name[i]))
			return NULL;
	return kb_xstrndup(name, n - 11);
}

static char *dup_or_empty(const char *s)
{
	return kb_xstrdup(s ? s : "");
}

static kb_error *add_doc(rside *s, kb_node *doc, const char *text, size_t len, bool mask)
{
	kb_grow((void **)&s->d, &s->cap, s->n + 1, sizeof(*s->d));
	rdoc *d = &s->d[s->n];
	memset(d, 0, sizeof(*d));
	d->match = -1;
	const char *av = doc->kind == KB_MAP ? kb_map_get_str(doc, "apiVersion") : NULL;
	const char *slash = av ? strchr(av, '/') : NULL;
	d->api_version = dup_or_empty(av);
	d->group = slash ? kb_xstrndup(av, (size_t)(slash - av)) : kb_xstrdup("");
	d->kind = dup_or_empty(doc->kind == KB_MAP ? kb_map_get_str(doc, "kind") : NULL);
	d->ns = dup_or_empty(doc->kind == KB_MAP ? kb_node_get_str(doc, "metadata", "namespace", NULL)
						 : NULL);
	d->name = dup_or_empty(doc->kind == KB_MAP ? kb_node_get_str(doc, "metadata", "name", NULL)
						   : NULL);
	bool core = !*d->group;
	if (core && (strcmp(d->kind, "ConfigMap") == 0 || strcmp(d->kind, "Secret") == 0))
		d->stem = hash_stem(d->name);
	if (mask && core && strcmp(d->kind, "Secret") == 0) {
		mask_map(kb_map_get(doc, "data"), true);
		mask_map(kb_map_get(doc, "stringData"), false);
		kb_node *ann = kb_node_get(doc, "metadata", "annotations", NULL);
		kb_pair *p = ann && ann->kind == KB_MAP
				     ? kb_map_get_pair(ann, "kubectl.kubernetes.io/last-applied-configuration")
				     : NULL;
		if (p && kb_node_is_scalar(p->val)) {
			char *m = kb_diff_mask_value(p->val->str, p->val->len, false);
			kb_node_free(p->val);
			p->val = kb_node_new_str(m);
			free(m);
		}
		d->masked = true;
		text = NULL;
	}
	if (text) {
		kb_buf b = KB_BUF_INIT;
		kb_buf_append(&b, text, len);
		if (!len || text[len - 1] != '\n')
			kb_buf_putc(&b, '\n');
		d->len = b.len;
		d->text = kb_buf_detach(&b);
	} else {
		kb_buf b = KB_BUF_INIT;
		kb_error *e = kb_emit_doc(&b, doc);
		if (e) {
			kb_buf_free(&b);
			rdoc_free(d);
			return e;
		}
		kb_buf_append(&b, "", 0);
		d->len = b.len;
		d->text = kb_buf_detach(&b);
	}
	s->n++;
	return NULL;
}

static bool is_separator(const char *line, size_t n)
{
	return n >= 3 && memcmp(line, "---", 3) == 0 &&
	       (n == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
}

static kb_error *parse_piece(rside *s, const char *name, const char *text, size_t len, bool mask)
{
	kb_node **docs = NULL;
	size_t nd = 0;
	kb_error *e = kb_yaml_parse(name, text, len, NULL, &docs, &nd);
	if (e)
		return e;
	for (size_t i = 0; i < nd && !e; i++)
		e = add_doc(s, docs[i], nd == 1 ? text : NULL, len, mask);
	kb_docs_free(docs, nd);
	return e;
}

/* The stream cut at "---" lines (a separator never starts a line inside
 * a document of a Kubernetes stream: block content is indented). */
static kb_error *parse_side(rside *s, const char *name, const char *yaml, size_t len, bool mask)
{
	size_t start = 0, i = 0;
	kb_error *e = NULL;
	while (i <= len && !e) {
		const char *nl = i < len ? memchr(yaml + i, '\n', len - i) : NULL;
		size_t end = nl ? (size_t)(nl - yaml) : len;
		bool sep = i < len && is_separator(yaml + i, end - i);
		if (sep || end >= len) {
			size_t piece_end = sep ? i : len;
			if (piece_end > start) {
				/* a piece of only blank lines and comments holds no document */
				e = parse_piece(s, name, yaml + start, piece_end - start, mask);
			}
			start = end + 1;
		}
		if (end >= len)
			break;
		i = end + 1;
	}
	return e;
}

/* ---- matching ---- */

static char *id_key(const rdoc *d, const char *name)
{
	return kb_xasprintf("%s\x1f%s\x1f%s\x1f%s", d->group, d->kind, d->ns, name);
}

static void match_sides(rside *a, rside *b)
{
	/* exact ids; repeated ids (not in a kustomize build) pair in order */
	kb_strmap m = { 0 };
	for (size_t i = 0; i < a->n; i++) {
		char *k = id_key(&a->d[i], a->d[i].name);
		kb_strmap_slot *sl = kb_strmap_put(&m, k, NULL);
		free(k);
		size_t *list = kb_xrealloc(sl->val, (sl->len + 1) * sizeof(*list));
		list[sl->len++] = i;
		sl->val = list;
	}
	for (size_t j = 0; j < b->n; j++) {
		char *k = id_key(&b->d[j], b->d[j].name);
		kb_strmap_slot *sl = kb_strmap_get(&m, k);
		free(k);
		if (!sl)
			continue;
		size_t *list = sl->val;
		for (size_t t = 0; t < sl->len; t++) {
			if (a->d[list[t]].match < 0) {
				a->d[list[t]].match = (long)j;
				b->d[j].match = (long)list[t];
				break;
			}
		}
	}
	kb_strmap_free(&m, free);
	/* generated ConfigMaps/Secrets across their hash rename: the stem
	 * must be unique among the unmatched ones on both sides */
	kb_strmap stems = { 0 };
	for (int side = 0; side < 2; side++) {
		rside *s = side ? b : a;
		for (size_t i = 0; i < s->n; i++) {
			rdoc *d = &s->d[i];
			if (d->match >= 0 || !d->stem)
				continue;
			char *k = id_key(d, d->stem);
			kb_strmap_slot *sl = kb_strmap_put(&stems, k, NULL);
			free(k);
			/* how many on each side, and the last index on each */
			size_t *cnt = sl->val;
			if (!cnt) {
				cnt = kb_xcalloc(4, sizeof(*cnt));
				sl->val = cnt;
			}
			cnt[side]++;
			cnt[2 + side] = i;
		}
	}
	for (size_t i = 0; i < stems.cap; i++) {
		size_t *cnt = stems.s[i].key ? stems.s[i].val : NULL;
		if (cnt && cnt[0] == 1 && cnt[1] == 1) {
			a->d[cnt[2]].match = (long)cnt[3];
			b->d[cnt[3]].match = (long)cnt[2];
		}
	}
	kb_strmap_free(&stems, free);
}

/* ---- YAML paths ---- */

typedef struct pathrec {
	unsigned line;
	char *path;
} pathrec;

typedef struct pathmap {
	pathrec *v;
	size_t n, cap;
	bool parsed;
} pathmap;

static bool plain_key(const char *k)
{
	if (!*k || !(isalpha((unsigned char)*k) || *k == '_' || *k == '$'))
		return false;
	for (const char *p = k; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '$'))
			return false;
	return true;
}

static void path_rec(pathmap *pm, unsigned line, const char *path)
{
	if (!line)
		return;
	kb_grow((void **)&pm->v, &pm->cap, pm->n + 1, sizeof(*pm->v));
	pm->v[pm->n].line = line;
	pm->v[pm->n].path = kb_xstrdup(path);
	pm->n++;
}

static void path_walk(pathmap *pm, const kb_node *n, kb_buf *path)
{
	size_t keep_len = path->len;
	if (n->kind == KB_MAP) {
		for (size_t i = 0; i < n->n; i++) {
			const char *k = n->pairs[i].key;
			if (plain_key(k)) {
				if (path->len)
					kb_buf_putc(path, '.');
				kb_buf_puts(path, k);
			} else {
				kb_buf_puts(path, "[\"");
				for (const char *p = k; *p; p++) {
					if (*p == '"' || *p == '\\')
						kb_buf_putc(path, '\\');
					kb_buf_putc(path, *p);
				}
				kb_buf_puts(path, "\"]");
			}
			path_rec(pm, n->pairs[i].line, path->data);
			path_walk(pm, n->pairs[i].val, path);
			path->len = keep_len;
			if (path->data)
				path->data[keep_len] = '\0';
		}
	} else if (n->kind == KB_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			kb_buf_printf(path, "[%zu]", i);
			path_rec(pm, n->items[i]->line, path->data);
			path_walk(pm, n->items[i], path);
			path->len = keep_len;
			path->data[keep_len] = '\0';
		}
	}
}

static void pathmap_build(pathmap *pm, const char *text, size_t len)
{
	pm->parsed = true;
	kb_node *doc = NULL;
	kb_error *e = kb_yaml_parse_one(NULL, text, len, NULL, &doc);
	if (e) {
		kb_error_free(e);
		return;
	}
	if (doc) {
		kb_buf path = KB_BUF_INIT;
		kb_buf_append(&path, "", 0);
		path_walk(pm, doc, &path);
		kb_buf_free(&path);
	}
	kb_node_free(doc);
}

/* The path of 0-based line idx: the last key or item starting at or
 * before it (the deepest, when several start on one line). */
static const char *path_at(const pathmap *pm, size_t idx)
{
	unsigned line = (unsigned)idx + 1;
	size_t lo = 0, hi = pm->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pm->v[mid].line <= line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? pm->v[lo - 1].path : "";
}

static void pathmap_free(pathmap *pm)
{
	for (size_t i = 0; i < pm->n; i++)
		free(pm->v[i].path);
	free(pm->v);
}

/* ---- resources ---- */

static void fill_id(kb_diff_result *r, kb_diff_resource *res, const rdoc *d)
{
	res->api_version = keep_str(r, d->api_version);
	res->group = keep_str(r, d->group);
	res->kind = keep_str(r, d->kind);
	res->namespace_ = keep_str(r, d->ns);
	res->name = keep_str(r, d->name);
	res->masked = d->masked;
}

/* The lines of text, copied into the result (each NUL-terminated). */
static kb_diff_line *copy_lines(kb_diff_result *r, const kb_lines *l, const kb_diff_step *ops,
				size_t first, size_t count, const kb_lines *other)
{
	kb_diff_line *v = keep(r, kb_xcalloc(count + 1, sizeof(*v)));
	for (size_t i = 0; i < count; i++) {
		const kb_diff_step *op = &ops[first + i];
		const kb_lines *src = op->op == '+' ? other : l;
		size_t idx = op->op == '+' ? op->bi : op->ai;
		v[i].op = op->op;
		v[i].text = keep(r, kb_xstrndup(src->s[idx], src->len[idx]));
		v[i].len = src->len[idx];
	}
	return v;
}

/* A whole document as one hunk of '+' (added) or '-' (removed). */
static void whole_hunk(kb_diff_result *r, kb_diff_resource *res, const rdoc *d, char op)
{
	kb_lines l;
	kb_lines_split(&l, d->text, d->len);
	kb_diff_hunk *h = keep(r, kb_xcalloc(1, sizeof(*h)));
	kb_diff_line *v = keep(r, kb_xcalloc(l.n + 1, sizeof(*v)));
	for (size_t i = 0; i < l.n; i++) {
		v[i].op = op;
		v[i].text = keep(r, kb_xstrndup(l.s[i], l.len[i]));
		v[i].len = l.len[i];
	}
	h->lines = v;
	h->nlines = l.n;
	if (op == '+') {
		h->head_start = l.n ? 1 : 0;
		h->head_count = l.n;
	} else {
		h->base_start = l.n ? 1 : 0;
		h->base_count = l.n;
	}
	h->path = "";
	res->hunks = h;
	res->nhunks = 1;
	kb_lines_free(&l);
}

static void changed_hunks(kb_diff_result *r, kb_diff_resource *res, const rdoc *a, const rdoc *b,
			  unsigned context)
{
	kb_lines la, lb;
	kb_lines_split(&la, a->text, a->len);
	kb_lines_split(&lb, b->text, b->len);
	kb_diff_step *ops = NULL;
	size_t nops = kb_line_diff(&la, &lb, &ops);
	kb_hunk_span *sp = NULL;
	size_t nh = kb_hunks(ops, nops, context, &sp);
	pathmap pa = { 0 }, pb = { 0 };
	kb_diff_hunk *hv = keep(r, kb_xcalloc(nh + 1, sizeof(*hv)));
	for (size_t i = 0; i < nh; i++) {
		kb_diff_hunk *h = &hv[i];
		h->base_start = sp[i].a_start;
		h->base_count = sp[i].a_count;
		h->head_start = sp[i].b_start;
		h->head_count = sp[i].b_count;
		h->lines = copy_lines(r, &la, ops, sp[i].first, sp[i].count, &lb);
		h->nlines = sp[i].count;
		h->path = "";
		for (size_t k = sp[i].first; k < sp[i].first + sp[i].count; k++) {
			if (ops[k].op == ' ')
				continue;
			pathmap *pm = ops[k].op == '-' ? &pa : &pb;
			if (!pm->parsed) {
				if (pm == &pa)
					pathmap_build(pm, a->text, a->len);
				else
					pathmap_build(pm, b->text, b->len);
			}
			h->path = keep_str(r, path_at(pm, ops[k].op == '-' ? ops[k].ai : ops[k].bi));
			break;
		}
	}
	res->hunks = hv;
	res->nhunks = nh;
	pathmap_free(&pa);
	pathmap_free(&pb);
	free(sp);
	free(ops);
	kb_lines_free(&la);
	kb_lines_free(&lb);
}

static kb_diff_overlay *new_overlay(kb_diff_result *r, const char *name)
{
	kb_grow((void **)&r->ov, &r->cap, r->n + 1, sizeof(*r->ov));
	kb_diff_overlay *o = &r->ov[r->n++];
	memset(o, 0, sizeof(*o));
	o->path = keep_str(r, name ? name : "");
	return o;
}

/* Resources of both parsed sides into o (a or b may be empty). */
static void compare_sides(kb_diff_result *r, kb_diff_overlay *o, rside *a, rside *b,
			  const kb_diff_options *opt)
{
	match_sides(a, b);
	kb_diff_resource *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t j = 0; j < b->n; j++) {
		const rdoc *hd = &b->d[j];
		const rdoc *bd = hd->match >= 0 ? &a->d[hd->match] : NULL;
		if (bd && bd->len == hd->len && memcmp(bd->text, hd->text, hd->len) == 0) {
			o->unchanged++;
			continue;
		}
		kb_grow((void **)&v, &cap, n + 1, sizeof(*v));
		kb_diff_resource *res = &v[n++];
		memset(res, 0, sizeof(*res));
		fill_id(r, res, hd);
		if (!bd) {
			res->status = KB_DIFF_ADDED;
			o->added++;
			whole_hunk(r, res, hd, '+');
			continue;
		}
		res->status = KB_DIFF_CHANGED;
		res->masked = bd->masked || hd->masked;
		o->changed++;
		if (strcmp(bd->name, hd->name) != 0)
			res->base_name = keep_str(r, bd->name);
		changed_hunks(r, res, bd, hd, opt ? opt->context : 3);
	}
	for (size_t i = 0; i < a->n; i++) {
		const rdoc *bd = &a->d[i];
		if (bd->match >= 0)
			continue;
		kb_grow((void **)&v, &cap, n + 1, sizeof(*v));
		kb_diff_resource *res = &v[n++];
		memset(res, 0, sizeof(*res));
		fill_id(r, res, bd);
		res->status = KB_DIFF_REMOVED;
		o->removed++;
		whole_hunk(r, res, bd, '-');
	}
	o->resources = v ? keep(r, v) : NULL;
	o->nresources = n;
}

kb_error *kb_diff_result_add(kb_diff_result *r, const char *name, const kb_diff_side *base,
			     const kb_diff_side *head, const kb_diff_options *opt)
{
	kb_diff_side none = { 0 };
	base = base ? base : &none;
	head = head ? head : &none;
	bool mask = !(opt && opt->show_secrets);
	bool bok = base->exists && !base->error, hok = head->exists && !head->error;
	rside a = { 0 }, b = { 0 };
	kb_error *e = NULL;
	char *bname = kb_xasprintf("%s (base)", name ? name : "");
	char *hname = kb_xasprintf("%s (head)", name ? name : "");
	if (bok)
		e = parse_side(&a, bname, base->yaml ? base->yaml : "", base->yaml ? base->len : 0,
			       mask);
	if (!e && hok)
		e = parse_side(&b, hname, head->yaml ? head->yaml : "", head->yaml ? head->len : 0,
			       mask);
	free(bname);
	free(hname);
	if (e) {
		rside_free(&a);
		rside_free(&b);
		e->code = KB_ERR_BUILD;
		return e;
	}
	kb_diff_overlay *o = new_overlay(r, name);
	o->base_error = base->exists ? keep_str(r, base->error) : NULL;
	o->head_error = head->exists ? keep_str(r, head->error) : NULL;
	if (!base->exists && !head->exists) {
		o->status = KB_DIFF_OVERLAY_UNCHANGED;
	} else if (!base->exists) {
		o->status = KB_DIFF_OVERLAY_ADDED;
		compare_sides(r, o, &a, &b, opt);
	} else if (!head->exists) {
		o->status = KB_DIFF_OVERLAY_REMOVED;
		compare_sides(r, o, &a, &b, opt);
	} else if (!bok && !hok) {
		o->status = strcmp(base->error, head->error) == 0 ? KB_DIFF_OVERLAY_UNCHANGED
								 : KB_DIFF_OVERLAY_FAILING;
	} else if (!hok) {
		o->status = KB_DIFF_OVERLAY_BROKEN;
	} else if (!bok) {
		o->status = KB_DIFF_OVERLAY_FIXED;
		compare_sides(r, o, &a, &b, opt);
	} else {
		compare_sides(r, o, &a, &b, opt);
		o->status = o->nresources ? KB_DIFF_OVERLAY_CHANGED : KB_DIFF_OVERLAY_UNCHANGED;
	}
	rside_free(&a);
	rside_free(&b);
	return NULL;
}
