/*
 * ydoc.c - parse a YAML document into ed_node trees with positions, and
 * the model API (ydoc.h).
 */
#include "ydoc.h"
#include "parse.h"

#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ED_MAX_DEPTH 1000

/* ---- nodes ---- */

static ed_node *node_new(ed_kind kind)
{
	ed_node *n = kb_xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->type = KB_NULL;
	n->style = ED_AUTO;
	n->start = n->end = n->raw_end = n->lead = n->colon = ED_NOPOS;
	return n;
}

ed_node *ed_new_scalar(const char *s, kb_kind type)
{
	ed_node *n = node_new(ED_SCALAR);
	n->str = kb_xstrdup(s ? s : "");
	n->len = strlen(n->str);
	n->type = type;
	return n;
}

ed_node *ed_new_str(const char *s)
{
	return ed_new_scalar(s, KB_STR);
}

ed_node *ed_new_map(void)
{
	return node_new(ED_MAP);
}

ed_node *ed_new_seq(void)
{
	return node_new(ED_SEQ);
}

void ed_node_free(ed_node *n)
{
	if (!n)
		return;
	free(n->str);
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == ED_MAP) {
			ed_node_free(n->pairs[i].key);
			ed_node_free(n->pairs[i].val);
		} else if (n->kind == ED_SEQ) {
			ed_node_free(n->items[i]);
		}
	}
	free(n->pairs);
	free(n->items);
	free(n);
}

static ed_node *clone(const ed_node *src, bool model, ed_node *parent)
{
	ed_node *n = node_new(src->kind);
	if (src->str) {
		n->str = kb_xstrndup(src->str, src->len);
		n->len = src->len;
	}
	n->type = src->type;
	n->style = model ? src->style : ED_AUTO;
	n->flow = src->flow;
	n->parent = parent;
	if (model) {
		n->orig = src->parsed ? src : src->orig;
		n->heads_from = src->heads_from;
	}
	if (src->kind == ED_MAP) {
		n->cap = n->n = src->n;
		n->pairs = kb_xcalloc(n->cap ? n->cap : 1, sizeof(*n->pairs));
		for (size_t i = 0; i < src->n; i++) {
			n->pairs[i].key = clone(src->pairs[i].key, model, n);
			n->pairs[i].val = clone(src->pairs[i].val, model, n);
			if (model)
				n->pairs[i].orig = src->parsed ? &src->pairs[i] : src->pairs[i].orig;
		}
	} else if (src->kind == ED_SEQ) {
		n->cap = n->n = src->n;
		n->items = kb_xcalloc(n->cap ? n->cap : 1, sizeof(*n->items));
		for (size_t i = 0; i < src->n; i++)
			n->items[i] = clone(src->items[i], model, n);
	}
	return n;
}

ed_node *ed_model_clone(const ed_node *n)
{
	return n ? clone(n, true, NULL) : NULL;
}

ed_node *ed_node_copy(const ed_node *n)
{
	return n ? clone(n, false, NULL) : NULL;
}

const char *ed_str(const ed_node *n)
{
	return n && n->kind == ED_SCALAR ? n->str : NULL;
}

bool ed_is_str(const ed_node *n, const char *s)
{
	return n && n->kind == ED_SCALAR && strcmp(n->str, s) == 0;
}

bool ed_is_null(const ed_node *n)
{
	return !n || (n->kind == ED_SCALAR && n->type == KB_NULL);
}

void ed_set_scalar(ed_node *n, const char *s, kb_kind type)
{
	if (n->kind != ED_SCALAR) {
		/* a collection becomes a scalar: it is new content now */
		for (size_t i = 0; i < n->n; i++) {
			if (n->kind == ED_MAP) {
				ed_node_free(n->pairs[i].key);
				ed_node_free(n->pairs[i].val);
			} else {
				ed_node_free(n->items[i]);
			}
		}
		free(n->pairs);
		free(n->items);
		n->pairs = NULL;
		n->items = NULL;
		n->n = n->cap = 0;
		n->kind = ED_SCALAR;
		n->flow = false;
	}
	free(n->str);
	n->str = kb_xstrdup(s);
	n->len = strlen(s);
	n->type = type;
}

ed_pair *ed_map_pair(const ed_node *m, const char *key)
{
	if (!m || m->kind != ED_MAP)
		return NULL;
	for (size_t i = m->n; i-- > 0;)
		if (strcmp(m->pairs[i].key->str, key) == 0)
			return &m->pairs[i];
	return NULL;
}

ed_pair *ed_map_pair_ci(const ed_node *m, const char *key)
{
	if (!m || m->kind != ED_MAP)
		return NULL;
	ed_pair *p = ed_map_pair(m, key);
	if (p)
		return p;
	for (size_t i = m->n; i-- > 0;)
		if (strcasecmp(m->pairs[i].key->str, key) == 0)
			return &m->pairs[i];
	return NULL;
}

ed_node *ed_map_get(const ed_node *m, const char *key)
{
	ed_pair *p = ed_map_pair(m, key);
	return p ? p->val : NULL;
}

ed_node *ed_map_get_ci(const ed_node *m, const char *key)
{
	ed_pair *p = ed_map_pair_ci(m, key);
	return p ? p->val : NULL;
}

size_t ed_map_index(const ed_node *m, const ed_pair *p)
{
	return (size_t)(p - m->pairs);
}

ed_pair *ed_map_insert(ed_node *m, size_t idx, const char *key, ed_node *val)
{
	kb_grow((void **)&m->pairs, &m->cap, m->n + 1, sizeof(*m->pairs));
	if (idx > m->n)
		idx = m->n;
	memmove(&m->pairs[idx + 1], &m->pairs[idx], (m->n - idx) * sizeof(*m->pairs));
	m->n++;
	ed_pair *p = &m->pairs[idx];
	p->key = ed_new_str(key);
	p->key->parent = m;
	p->val = val;
	p->orig = NULL;
	val->parent = m;
	return p;
}

ed_pair *ed_map_append(ed_node *m, const char *key, ed_node *val)
{
	return ed_map_insert(m, m->n, key, val);
}

void ed_pair_set(ed_pair *p, ed_node *val)
{
	val->parent = p->val ? p->val->parent : NULL;
	ed_node_free(p->val);
	p->val = val;
}

ed_node *ed_map_take(ed_node *m, size_t idx)
{
	ed_node *v = m->pairs[idx].val;
	ed_node_free(m->pairs[idx].key);
	memmove(&m->pairs[idx], &m->pairs[idx + 1], (m->n - idx - 1) * sizeof(*m->pairs));
	m->n--;
	v->parent = NULL;
	return v;
}

void ed_map_remove(ed_node *m, size_t idx)
{
	ed_node_free(ed_map_take(m, idx));
}

void ed_seq_insert(ed_node *s, size_t idx, ed_node *item)
{
	kb_grow((void **)&s->items, &s->cap, s->n + 1, sizeof(*s->items));
	if (idx > s->n)
		idx = s->n;
	memmove(&s->items[idx + 1], &s->items[idx], (s->n - idx) * sizeof(*s->items));
	s->items[idx] = item;
	s->n++;
	item->parent = s;
}

void ed_seq_push(ed_node *s, ed_node *item)
{
	ed_seq_insert(s, s->n, item);
}

ed_node *ed_seq_take(ed_node *s, size_t idx)
{
	ed_node *it = s->items[idx];
	memmove(&s->items[idx], &s->items[idx + 1], (s->n - idx - 1) * sizeof(*s->items));
	s->n--;
	it->parent = NULL;
	return it;
}

void ed_seq_remove(ed_node *s, size_t idx)
{
	ed_node_free(ed_seq_take(s, idx));
}

static bool scalar_equal(const ed_node *a, const ed_node *b)
{
	return a->type == b->type && a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
}

bool ed_data_equal(const ed_node *a, const ed_node *b)
{
	if (!a || !b)
		return ed_is_null(a) && ed_is_null(b);
	if (a->kind != b->kind || a->n != b->n)
		return false;
	switch (a->kind) {
	case ED_SCALAR:
		return scalar_equal(a, b);
	case ED_MAP:
		for (size_t i = 0; i < a->n; i++)
			if (!scalar_equal(a->pairs[i].key, b->pairs[i].key) ||
			    !ed_data_equal(a->pairs[i].val, b->pairs[i].val))
				return false;
		return true;
	case ED_SEQ:
		for (size_t i = 0; i < a->n; i++)
			if (!ed_data_equal(a->items[i], b->items[i]))
				return false;
		return true;
	}
	return false;
}

bool ed_data_equiv(const ed_node *a, const ed_node *b)
{
	if (!a || !b)
		return ed_is_null(a) && ed_is_null(b);
	if (a->kind != b->kind || a->n != b->n)
		return false;
	switch (a->kind) {
	case ED_SCALAR:
		return scalar_equal(a, b);
	case ED_MAP:
		for (size_t i = 0; i < a->n; i++) {
			ed_pair *q = ed_map_pair(b, a->pairs[i].key->str);
			if (!q || !ed_data_equiv(a->pairs[i].val, q->val))
				return false;
		}
		return true;
	case ED_SEQ:
		for (size_t i = 0; i < a->n; i++)
			if (!ed_data_equiv(a->items[i], b->items[i]))
				return false;
		return true;
	}
	return false;
}

kb_node *ed_to_kb(const ed_node *n)
{
	if (!n)
		return kb_node_new(KB_NULL);
	switch (n->kind) {
	case ED_SCALAR: {
		if (n->type == KB_STR)
			return kb_node_new_strn(n->str, n->len);
		char *canon = NULL;
		kb_kind k = kb_scalar_resolve(n->str, n->len, &canon);
		kb_node *r;
		if (k == n->type)
			r = kb_node_new_scalar(k, canon);
		else
			r = kb_node_new_scalar(n->type, n->type == KB_BOOL
								 ? (strchr("yYoOtT", n->str[0]) &&
								    strcasecmp(n->str, "off") != 0
									    ? "true"
									    : "false")
								 : n->str);
		free(canon);
		return r;
	}
	case ED_MAP: {
		kb_node *m = kb_node_new(KB_MAP);
		for (size_t i = 0; i < n->n; i++)
			kb_map_set(m, n->pairs[i].key->str, ed_to_kb(n->pairs[i].val));
		return m;
	}
	case ED_SEQ: {
		kb_node *s = kb_node_new(KB_SEQ);
		for (size_t i = 0; i < n->n; i++)
			kb_seq_push(s, ed_to_kb(n->items[i]));
		return s;
	}
	}
	return kb_node_new(KB_NULL);
}

/* ---- lines ---- */

size_t ed_line_of(const ed_doc *d, size_t off)
{
	size_t lo = 0, hi = d->nlines;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (d->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

size_t ed_col_of(const ed_doc *d, size_t off)
{
	return off - d->lines[ed_line_of(d, off)];
}

size_t ed_line_start(const ed_doc *d, size_t off)
{
	return d->lines[ed_line_of(d, off)];
}

size_t ed_line_end(const ed_doc *d, size_t off)
{
	size_t l = ed_line_of(d, off);
	size_t e = l + 1 < d->nlines ? d->lines[l + 1] - 1 : d->len;
	if (l + 1 < d->nlines && e > d->lines[l] && d->text[e - 1] == '\r')
		e--;
	return e;
}

size_t ed_next_line(const ed_doc *d, size_t off)
{
	size_t l = ed_line_of(d, off);
	return l + 1 < d->nlines ? d->lines[l + 1] : d->len;
}

bool ed_first_on_line(const ed_doc *d, size_t off)
{
	for (size_t i = ed_line_start(d, off); i < off; i++)
		if (d->text[i] != ' ' && d->text[i] != '\t')
			return false;
	return true;
}

size_t ed_node_lead(const ed_node *n)
{
	if (n->parent && n->parent->kind == ED_SEQ && n->lead != ED_NOPOS)
		return n->lead;
	if (n->parent && n->parent->kind == ED_MAP) {
		for (size_t i = 0; i < n->parent->n; i++)
			if (n->parent->pairs[i].val == n)
				return n->parent->pairs[i].key->start;
	}
	return n->start;
}

/* ---- parsing ---- */

typedef struct frame {
	ed_node *node;
	ed_node *pending_key;
	size_t scan_from; /* block sequences: where the next '-' is looked for */
} frame;

typedef struct anchor {
	char *name;
	ed_node *node;
} anchor;

typedef struct pstate {
	ed_doc *d;
	frame *stack;
	size_t depth, cap;
	anchor *anchors;
	size_t nanchors, acap;
	kb_error *err;
} pstate;

static kb_error *perr_at(pstate *ps, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static kb_error *perr_at(pstate *ps, size_t off, const char *fmt, ...)
{
	unsigned line = 0, col = 0;
	if (off != ED_NOPOS && ps->d->lines) {
		line = (unsigned)ed_line_of(ps->d, off) + 1;
		col = (unsigned)ed_col_of(ps->d, off) + 1;
	}
	va_list ap;
	va_start(ap, fmt);
	kb_error *e = kb_error_newv(ps->d->file, line, col, fmt, ap);
	va_end(ap);
	return e;
}

static size_t mark_pos(const struct fy_mark *m)
{
	return m ? m->input_pos : ED_NOPOS;
}

static size_t tok_start(struct fy_token *t)
{
	return t ? mark_pos(fy_token_start_mark(t)) : ED_NOPOS;
}

static size_t tok_end(struct fy_token *t)
{
	return t ? mark_pos(fy_token_end_mark(t)) : ED_NOPOS;
}

static size_t min_pos(size_t a, size_t b)
{
	if (a == ED_NOPOS)
		return b;
	if (b == ED_NOPOS)
		return a;
	return a < b ? a : b;
}

/* The first '-' indicator at or after off, skipping blanks, line breaks
 * and comments. */
static size_t find_dash(const ed_doc *d, size_t off)
{
	const char *t = d->text;
	while (off < d->len) {
		char c = t[off];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			off++;
		} else if (c == '#') {
			while (off < d->len && t[off] != '\n')
				off++;
		} else if (c == '-' && (off + 1 >= d->len || strchr(" \t\r\n", t[off + 1]))) {
			return off;
		} else {
			return ED_NOPOS;
		}
	}
	return ED_NOPOS;
}

/* The ':' after a key ending at off (blanks between). */
static size_t find_colon(const ed_doc *d, size_t off)
{
	if (off == ED_NOPOS)
		return ED_NOPOS;
	while (off < d->len && (d->text[off] == ' ' || d->text[off] == '\t'))
		off++;
	return off < d->len && d->text[off] == ':' ? off : ED_NOPOS;
}

static void register_anchor(pstate *ps, struct fy_token *t, ed_node *n)
{
	if (!t)
		return;
	size_t len;
	const char *name = fy_token_get_text(t, &len);
	if (!name)
		return;
	n->anchored = true;
	kb_grow((void **)&ps->anchors, &ps->acap, ps->nanchors + 1, sizeof(*ps->anchors));
	ps->anchors[ps->nanchors].name = kb_xstrndup(name, len);
	ps->anchors[ps->nanchors].node = n;
	ps->nanchors++;
}

static ed_node *find_anchor(pstate *ps, const char *name, size_t len)
{
	for (size_t i = ps->nanchors; i-- > 0;)
		if (strlen(ps->anchors[i].name) == len && memcmp(ps->anchors[i].name, name, len) == 0)
			return ps->anchors[i].node;
	return NULL;
}

static bool tag_is(const char *tag, const char *name)
{
	if (!tag)
		return false;
	if (tag[0] == '!' && tag[1] == '!')
		return strcmp(tag + 2, name) == 0;
	const char *pfx = "tag:yaml.org,2002:";
	return strncmp(tag, pfx, strlen(pfx)) == 0 && strcmp(tag + strlen(pfx), name) == 0;
}

/* Types a plain scalar as goyaml.v2 reads a kustomization file. */
static kb_kind plain_type(const char *s, size_t len)
{
	if (len == 0)
		return KB_NULL;
	char *canon = NULL;
	kb_kind k = kb_scalar_resolve(s, len, &canon);
	free(canon);
	if (k == KB_STR) {
		static const char *const b11[] = { "y",	 "Y",  "yes", "Yes", "YES", "on",
						   "On", "ON", "n",   "N",   "NO",  "no",
						   "No", "off", "Off", "OFF" };
		for (size_t i = 0; i < sizeof(b11) / sizeof(*b11); i++)
			if (strlen(b11[i]) == len && memcmp(b11[i], s, len) == 0)
				return KB_BOOL;
	}
	return k;
}

/* Puts a new node in its parent (or makes it the root) and fills in the
 * positions that depend on the parent: a value's colon, an item's '-'. */
static bool attach(pstate *ps, ed_node *n)
{
	ed_doc *d = ps->d;
	if (ps->depth == 0) {
		if (d->root) {
			ps->err = perr_at(ps, n->start,
					  "a kustomization file holds one YAML document; remove "
					  "the second `---` and what follows");
			ed_node_free(n);
			return false;
		}
		d->root = n;
		return true;
	}
	frame *f = &ps->stack[ps->depth - 1];
	ed_node *p = f->node;
	n->parent = p;
	if (p->kind == ED_SEQ) {
		if (!p->flow) {
			n->lead = find_dash(d, f->scan_from);
			if (n->lead == ED_NOPOS) {
				ps->err = perr_at(ps, n->start, "cannot find the '-' of this sequence item");
				ed_node_free(n);
				return false;
			}
			if (n->start == ED_NOPOS)
				n->start = n->end = n->raw_end = n->lead + 1;
		} else {
			n->lead = n->start;
		}
		kb_grow((void **)&p->items, &p->cap, p->n + 1, sizeof(*p->items));
		p->items[p->n++] = n;
		return true;
	}
	if (!f->pending_key) {
		if (n->kind != ED_SCALAR) {
			ps->err = perr_at(ps, n->start, "mapping keys must be strings");
			ed_node_free(n);
			return false;
		}
		if (n->start == ED_NOPOS) {
			ps->err = perr_at(ps, p->start, "empty mapping keys are not supported");
			ed_node_free(n);
			return false;
		}
		f->pending_key = n;
		return true;
	}
	ed_node *key = f->pending_key;
	f->pending_key = NULL;
	n->colon = find_colon(d, key->raw_end);
	if (n->start == ED_NOPOS) {
		size_t at = n->colon != ED_NOPOS ? n->colon + 1 : key->raw_end;
		n->start = n->end = n->raw_end = at;
	}
	n->lead = n->start;
	kb_grow((void **)&p->pairs, &p->cap, p->n + 1, sizeof(*p->pairs));
	p->pairs[p->n].key = key;
	p->pairs[p->n].val = n;
	p->pairs[p->n].orig = NULL;
	p->n++;
	return true;
}

/* After a node is complete: the next sibling's '-' is looked for after it. */
static void done_child(pstate *ps, const ed_node *n)
{
	if (ps->depth == 0)
		return;
	frame *f = &ps->stack[ps->depth - 1];
	if (f->node->kind == ED_SEQ && !f->node->flow && n->raw_end != ED_NOPOS)
		f->scan_from = n->raw_end;
}

/* A block scalar starts at its '|' or '>', which the value token does not
 * cover: it is the first such character after what precedes the value. */
static void fix_block_start(pstate *ps, ed_node *n, size_t content, size_t props_end)
{
	ed_doc *d = ps->d;
	size_t from = 0;
	if (n->parent && n->parent->kind == ED_SEQ && n->lead != ED_NOPOS && !n->parent->flow)
		from = n->lead + 1;
	else if (n->colon != ED_NOPOS)
		from = n->colon + 1;
	if (props_end != ED_NOPOS && props_end > from)
		from = props_end;
	for (size_t i = from; i < content && i < d->len; i++)
		if (d->text[i] == '|' || d->text[i] == '>') {
			if (!n->tagged && !n->anchored)
				n->start = i;
			else if (i < n->start)
				n->start = i;
			return;
		}
}

/* The end of a block scalar's last content line.  Its trailing empty
 * lines are not content, but a line of only spaces indented deeper than
 * the content is (it holds those spaces). */
static size_t block_content_end(const ed_doc *d, size_t ts, size_t te)
{
	const char *t = d->text;
	/* the content's indentation: that of its first non-blank line */
	size_t indent = 0;
	bool found = false;
	for (size_t i = ts; i < te && !found;) {
		size_t k = i;
		while (k < te && t[k] == ' ')
			k++;
		if (k < te && t[k] != '\n' && t[k] != '\r') {
			indent = k - i;
			found = true;
		}
		while (k < te && t[k] != '\n')
			k++;
		i = k + 1;
	}
	size_t e = te;
	while (e > ts) {
		/* the line before e (e is at a line start or at te) */
		size_t le = e;
		if (le > ts && t[le - 1] == '\n')
			le--;
		if (le > ts && t[le - 1] == '\r')
			le--;
		size_t ls = le;
		while (ls > ts && t[ls - 1] != '\n')
			ls--;
		bool blank = true;
		for (size_t k = ls; k < le; k++)
			if (t[k] != ' ' && t[k] != '\t')
				blank = false;
		if (!blank || (found && le - ls > indent))
			return le;
		if (ls == e)
			break;
		e = ls;
	}
	return ts;
}

static ed_node *make_scalar(pstate *ps, struct fy_event *ev, size_t *content, size_t *props_end)
{
	struct fy_token *vt = ev->scalar.value;
	size_t len = 0;
	const char *text = vt ? fy_token_get_text(vt, &len) : NULL;
	if (!text) {
		text = "";
		len = 0;
	}
	ed_node *n = node_new(ED_SCALAR);
	n->parsed = true;
	n->str = kb_xstrndup(text, len);
	n->len = len;
	enum fy_scalar_style st = vt ? fy_token_scalar_style(vt) : FYSS_PLAIN;
	size_t ts = tok_start(vt), te = tok_end(vt);
	*content = ts;
	switch (st) {
	case FYSS_SINGLE_QUOTED:
		n->style = ED_SQUOTED;
		break;
	case FYSS_DOUBLE_QUOTED:
		n->style = ED_DQUOTED;
		break;
	case FYSS_LITERAL:
		n->style = ED_LITERAL;
		break;
	case FYSS_FOLDED:
		n->style = ED_FOLDED;
		break;
	default:
		n->style = ED_PLAIN;
	}
	if (ts != ED_NOPOS && te != ED_NOPOS) {
		if (n->style == ED_SQUOTED || n->style == ED_DQUOTED) {
			n->start = ts - 1;
			n->end = n->raw_end = te + 1;
		} else if (n->style == ED_LITERAL || n->style == ED_FOLDED) {
			n->start = ts;
			n->end = block_content_end(ps->d, ts, te);
			n->raw_end = te;
		} else {
			n->start = ts;
			n->end = n->raw_end = te;
		}
	}
	const char *tag = NULL;
	char *tagbuf = NULL;
	if (ev->scalar.tag) {
		size_t tl;
		const char *tt = fy_token_get_text(ev->scalar.tag, &tl);
		if (tt)
			tag = tagbuf = kb_xstrndup(tt, tl);
		n->tagged = true;
	}
	size_t ps0 = min_pos(tok_start(ev->scalar.anchor), tok_start(ev->scalar.tag));
	*props_end = ED_NOPOS;
	if (ps0 != ED_NOPOS) {
		size_t pe = tok_end(ev->scalar.anchor);
		size_t pe2 = tok_end(ev->scalar.tag);
		*props_end = pe == ED_NOPOS ? pe2 : (pe2 == ED_NOPOS || pe > pe2 ? pe : pe2);
		n->start = min_pos(n->start, ps0);
		if (n->end == ED_NOPOS)
			n->end = n->raw_end = *props_end;
	}
	if (tag_is(tag, "str") || n->style != ED_PLAIN)
		n->type = KB_STR;
	else
		n->type = plain_type(n->str, n->len);
	free(tagbuf);
	register_anchor(ps, ev->scalar.anchor, n);
	return n;
}

static bool push_frame(pstate *ps, ed_node *n, size_t scan_from)
{
	if (ps->depth >= ED_MAX_DEPTH) {
		ps->err = perr_at(ps, n->start, "the document nests deeper than %d levels",
				  ED_MAX_DEPTH);
		return false;
	}
	kb_grow((void **)&ps->stack, &ps->cap, ps->depth + 1, sizeof(*ps->stack));
	ps->stack[ps->depth].node = n;
	ps->stack[ps->depth].pending_key = NULL;
	ps->stack[ps->depth].scan_from = scan_from;
	ps->depth++;
	return true;
}

static void collection_start(pstate *ps, struct fy_event *ev, bool map)
{
	ed_node *n = node_new(map ? ED_MAP : ED_SEQ);
	n->parsed = true;
	struct fy_token *st = map ? ev->mapping_start.mapping_start : ev->sequence_start.sequence_start;
	struct fy_token *an = map ? ev->mapping_start.anchor : ev->sequence_start.anchor;
	struct fy_token *tg = map ? ev->mapping_start.tag : ev->sequence_start.tag;
	enum fy_token_type tt = st ? fy_token_get_type(st) : FYTT_NONE;
	n->flow = tt == FYTT_FLOW_MAPPING_START || tt == FYTT_FLOW_SEQUENCE_START;
	n->start = mark_pos(fy_event_start_mark(ev));
	if (st)
		n->start = tok_start(st);
	if (tg)
		n->tagged = true;
	register_anchor(ps, an, n);
	if (!attach(ps, n))
		return;
	push_frame(ps, n, n->start);
}

static void collection_end(pstate *ps, struct fy_event *ev)
{
	frame *f = &ps->stack[ps->depth - 1];
	ed_node *n = f->node;
	if (n->flow) {
		struct fy_token *et = n->kind == ED_MAP ? ev->mapping_end.mapping_end
							: ev->sequence_end.sequence_end;
		n->end = n->raw_end = et ? tok_end(et) : mark_pos(fy_event_end_mark(ev));
	} else if (n->n) {
		const ed_node *last = n->kind == ED_MAP ? n->pairs[n->n - 1].val : n->items[n->n - 1];
		n->end = last->end;
		n->raw_end = last->raw_end;
		if (n->kind == ED_MAP && n->pairs[n->n - 1].key->end > n->end)
			n->end = n->raw_end = n->pairs[n->n - 1].key->end;
	} else {
		n->end = n->raw_end = n->start;
	}
	if (n->kind == ED_SEQ && !n->flow && n->n)
		n->start = n->items[0]->lead;
	ps->depth--;
	done_child(ps, n);
}

static void mark_alias(ed_node *n)
{
	n->alias = true;
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == ED_MAP) {
			mark_alias(n->pairs[i].key);
			mark_alias(n->pairs[i].val);
		} else {
			mark_alias(n->items[i]);
		}
	}
}

static void alias_event(pstate *ps, struct fy_event *ev)
{
	size_t len = 0;
	const char *name = ev->alias.anchor ? fy_token_get_text(ev->alias.anchor, &len) : NULL;
	ed_node *target = name ? find_anchor(ps, name, len) : NULL;
	size_t s = mark_pos(fy_event_start_mark(ev));
	if (!target) {
		ps->err = perr_at(ps, s, "unknown alias");
		return;
	}
	for (size_t i = 0; i < ps->depth; i++)
		if (ps->stack[i].node == target) {
			ps->err = perr_at(ps, s, "an alias refers to the node it is in");
			return;
		}
	ed_node *n = ed_node_copy(target);
	mark_alias(n);
	n->parsed = true;
	n->start = s;
	n->end = n->raw_end = mark_pos(fy_event_end_mark(ev));
	if (!attach(ps, n))
		return;
	done_child(ps, n);
}

/* libfyaml reports errors as text; keep the first "LINE:COL: error: MSG". */
typedef struct diag_capture {
	unsigned line, col;
	char *msg;
} diag_capture;

static void diag_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	diag_capture *dc = user;
	if (dc->msg)
		return;
	char *text = kb_xstrndup(buf, len);
	char *err = strstr(text, ": error: ");
	if (err) {
		*err = '\0';
		char *c2 = strrchr(text, ':');
		if (c2) {
			*c2 = '\0';
			char *c1 = strrchr(text, ':');
			if (c1) {
				dc->line = (unsigned)atoi(c1 + 1);
				dc->col = (unsigned)atoi(c2 + 1);
			}
		}
		char *msg = err + strlen(": error: ");
		dc->msg = kb_xstrndup(msg, strcspn(msg, "\n"));
	}
	free(text);
}

static void walk_styles(ed_doc *d, const ed_node *n, bool *got_map, bool *got_seq, bool *got_item)
{
	if (!n || n->kind == ED_SCALAR || n->alias)
		return;
	for (size_t i = 0; i < n->n; i++) {
		const ed_node *c = n->kind == ED_MAP ? n->pairs[i].val : n->items[i];
		if (!c->flow && c->kind != ED_SCALAR && c->n && !c->alias) {
			if (n->kind == ED_MAP && !n->flow) {
				size_t kc = ed_col_of(d, n->pairs[i].key->start);
				size_t cc = ed_col_of(d, c->kind == ED_SEQ ? c->items[0]->lead
									  : c->pairs[0].key->start);
				if (c->kind == ED_MAP && !*got_map && cc > kc) {
					d->map_indent = (unsigned)(cc - kc);
					*got_map = true;
				}
				if (c->kind == ED_SEQ && !*got_seq && cc >= kc &&
				    ed_line_of(d, c->items[0]->lead) > ed_line_of(d, n->pairs[i].key->start)) {
					d->seq_indent = (unsigned)(cc - kc);
					*got_seq = true;
				}
			} else if (n->kind == ED_SEQ && !n->flow && c->kind == ED_MAP && !*got_item) {
				size_t dc = ed_col_of(d, c->lead);
				size_t kc = ed_col_of(d, c->pairs[0].key->start);
				if (kc > dc && ed_line_of(d, c->lead) == ed_line_of(d, c->pairs[0].key->start)) {
					d->item_off = (unsigned)(kc - dc);
					*got_item = true;
				}
			}
		}
		walk_styles(d, c, got_map, got_seq, got_item);
	}
}

static void free_partial(pstate *ps)
{
	for (size_t i = 0; i < ps->depth; i++)
		ed_node_free(ps->stack[i].pending_key);
	/* the frames' nodes hang from the root */
}

kb_error *ed_parse(const char *file, const char *text, size_t len, ed_doc **out)
{
	*out = NULL;
	ed_doc *d = kb_xcalloc(1, sizeof(*d));
	d->file = kb_xstrdup(file ? file : "<input>");
	d->text = kb_xstrndup(text, len);
	d->len = len;
	d->map_indent = 2;
	d->seq_indent = 0;
	d->item_off = 2;
	size_t cap = 0;
	kb_grow((void **)&d->lines, &cap, 1, sizeof(*d->lines));
	d->lines[d->nlines++] = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n') {
			kb_grow((void **)&d->lines, &cap, d->nlines + 1, sizeof(*d->lines));
			d->lines[d->nlines++] = i + 1;
		}
	const char *nl = memchr(text, '\n', len);
	d->eol = nl && nl > text && nl[-1] == '\r' ? "\r\n" : "\n";
	d->final_eol = len == 0 || text[len - 1] == '\n';

	pstate ps;
	memset(&ps, 0, sizeof(ps));
	ps.d = d;
	diag_capture dc = { 0, 0, NULL };
	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = diag_output;
	dcfg.user = &dc;
	dcfg.colorize = false;
	dcfg.show_source = false;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	if (!diag)
		abort();
	struct fy_parse_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_DISABLE_DEPTH_LIMIT | FYPCF_JSON_NONE;
	cfg.diag = diag;
	struct fy_parser *fyp = fy_parser_create(&cfg);
	if (!fyp)
		abort();
	fy_parser_set_string(fyp, len ? d->text : "", len);
	struct fy_event *ev;
	while (!ps.err && (ev = fy_parser_parse(fyp)) != NULL) {
		size_t content = ED_NOPOS, props_end = ED_NOPOS;
		switch (ev->type) {
		case FYET_MAPPING_START:
			collection_start(&ps, ev, true);
			break;
		case FYET_SEQUENCE_START:
			collection_start(&ps, ev, false);
			break;
		case FYET_MAPPING_END:
		case FYET_SEQUENCE_END:
			collection_end(&ps, ev);
			break;
		case FYET_SCALAR: {
			ed_node *n = make_scalar(&ps, ev, &content, &props_end);
			bool is_key = ps.depth && ps.stack[ps.depth - 1].node->kind == ED_MAP &&
				      !ps.stack[ps.depth - 1].pending_key;
			if (ps.depth == 0 && n->type == KB_NULL && n->len == 0) {
				/* an empty document */
				ed_node_free(n);
				break;
			}
			if (attach(&ps, n)) {
				if (!is_key && (n->style == ED_LITERAL || n->style == ED_FOLDED))
					fix_block_start(&ps, n, content, props_end);
				if (!is_key)
					done_child(&ps, n);
			}
			break;
		}
		case FYET_ALIAS:
			alias_event(&ps, ev);
			break;
		default:
			break;
		}
		fy_parser_event_free(fyp, ev);
	}
	if (!ps.err && fy_parser_get_stream_error(fyp))
		ps.err = dc.msg ? kb_error_new(d->file, dc.line, dc.col, "invalid YAML: %s", dc.msg)
				: kb_error_new(d->file, 0, 0, "invalid YAML");
	fy_parser_destroy(fyp);
	fy_diag_unref(diag);
	free(dc.msg);
	if (ps.err)
		free_partial(&ps);
	free(ps.stack);
	for (size_t i = 0; i < ps.nanchors; i++)
		free(ps.anchors[i].name);
	free(ps.anchors);
	if (ps.err) {
		ed_doc_free(d);
		return ps.err;
	}
	bool gm = false, gs = false, gi = false;
	walk_styles(d, d->root, &gm, &gs, &gi);
	*out = d;
	return NULL;
}

void ed_doc_free(ed_doc *d)
{
	if (!d)
		return;
	ed_node_free(d->root);
	free(d->file);
	free(d->text);
	free(d->lines);
	free(d);
}
