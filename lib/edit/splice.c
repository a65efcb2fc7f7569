/*
 * splice.c - model differences to byte splices (splice.h).
 */
#include "splice.h"
#include "emit.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>

typedef struct splice {
	size_t start, end;
	char *text;
	size_t seq; /* creation order: insertions at one offset keep it */
} splice;

typedef enum { SLOT_VALUE, SLOT_ITEM, SLOT_FLOW } slot;

typedef struct rc {
	const ed_doc *d;
	splice *sp;
	size_t nsp, spcap;
	/* entries (sequence items, or map values standing for their pair)
	 * of the parsed tree to remove */
	const ed_node **dels;
	size_t ndels, dcap;
	/* entries whose head comments were written elsewhere */
	const ed_node **heads;
	size_t nheads, hcap;
	kb_error *err;
} rc;

static void add_splice(rc *c, size_t start, size_t end, const char *text, size_t len)
{
	kb_grow((void **)&c->sp, &c->spcap, c->nsp + 1, sizeof(*c->sp));
	c->sp[c->nsp].start = start;
	c->sp[c->nsp].end = end;
	c->sp[c->nsp].text = kb_xstrndup(text ? text : "", text ? len : 0);
	c->sp[c->nsp].seq = c->nsp;
	c->nsp++;
}

static void add_splice_buf(rc *c, size_t start, size_t end, kb_buf *b)
{
	add_splice(c, start, end, b->data ? b->data : "", b->len);
	kb_buf_free(b);
}

static void add_ptr(const ed_node ***v, size_t *n, size_t *cap, const ed_node *x)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return;
	kb_grow((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = x;
}

static bool has_ptr(const ed_node *const *v, size_t n, const ed_node *x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static void fail(rc *c, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(rc *c, size_t off, const char *fmt, ...)
{
	if (c->err)
		return;
	unsigned line = 0, col = 0;
	if (off != ED_NOPOS) {
		line = (unsigned)ed_line_of(c->d, off) + 1;
		col = (unsigned)ed_col_of(c->d, off) + 1;
	}
	va_list ap;
	va_start(ap, fmt);
	c->err = kb_error_newv(c->d->file, line, col, fmt, ap);
	va_end(ap);
}

/* ---- scalars ---- */

bool ed_plain_ok(const char *s, size_t len, bool flow)
{
	if (len == 0)
		return false;
	if (s[0] == ' ' || s[len - 1] == ' ' || s[len - 1] == ':')
		return false;
	if (strchr("?:,[]{}#&*!|>'\"%@`", s[0]))
		return false;
	if (s[0] == '-' && (len == 1 || s[1] == ' '))
		return false;
	if (len >= 3 && (memcmp(s, "---", 3) == 0 || memcmp(s, "...", 3) == 0))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			return false;
		if (ch == ':' && i + 1 < len && s[i + 1] == ' ')
			return false;
		if (ch == '#' && i > 0 && s[i - 1] == ' ')
			return false;
		if (flow && strchr(",[]{}", ch))
			return false;
	}
	/* must read back as the same string, in YAML 1.1 (goyaml.v2, which
	 * reads kustomization files) and 1.2 */
	if (kb_yaml11_nonstring(s, len))
		return false;
	char *canon = NULL;
	kb_kind k = kb_scalar_resolve(s, len, &canon);
	free(canon);
	if (k != KB_STR)
		return false;
	static const char *const b11[] = { "y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
					   "n", "N", "no", "No", "NO", "off", "Off", "OFF",
					   "=", "<<" };
	for (size_t i = 0; i < sizeof(b11) / sizeof(*b11); i++)
		if (strlen(b11[i]) == len && memcmp(b11[i], s, len) == 0)
			return false;
	return true;
}

static bool squote_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			return false;
	}
	return len == 0 || (s[0] != ' ' && s[len - 1] != ' ');
}

static void write_dquoted(kb_buf *b, const char *s, size_t len)
{
	kb_buf_putc(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '"':
			kb_buf_puts(b, "\\\"");
			break;
		case '\\':
			kb_buf_puts(b, "\\\\");
			break;
		case '\n':
			kb_buf_puts(b, "\\n");
			break;
		case '\t':
			kb_buf_puts(b, "\\t");
			break;
		case '\r':
			kb_buf_puts(b, "\\r");
			break;
		case 0:
			kb_buf_puts(b, "\\0");
			break;
		default:
			if (ch < 0x20 || ch == 0x7f)
				kb_buf_printf(b, "\\x%02x", ch);
			else
				kb_buf_putc(b, (char)ch);
		}
	}
	kb_buf_putc(b, '"');
}

void ed_write_scalar(kb_buf *b, const char *s, size_t len, kb_kind type, ed_style hint, bool flow)
{
	if (type != KB_STR) {
		kb_buf_append(b, s, len);
		return;
	}
	if (hint == ED_SQUOTED && squote_ok(s, len)) {
		kb_buf_putc(b, '\'');
		for (size_t i = 0; i < len; i++) {
			if (s[i] == '\'')
				kb_buf_putc(b, '\'');
			kb_buf_putc(b, s[i]);
		}
		kb_buf_putc(b, '\'');
		return;
	}
	if (hint != ED_DQUOTED && ed_plain_ok(s, len, flow)) {
		kb_buf_append(b, s, len);
		return;
	}
	write_dquoted(b, s, len);
}

/* A literal block can hold s: lines of printable text, the first not
 * starting with a blank (that would need an indentation indicator). */
static bool literal_ok(const char *s, size_t len)
{
	if (len == 0 || s[0] == ' ' || s[0] == '\n' || s[0] == '\t')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
			return false;
	}
	return memchr(s, '\n', len) != NULL;
}

/* ---- text helpers ---- */

static void put_indent(kb_buf *b, size_t col)
{
	for (size_t i = 0; i < col; i++)
		kb_buf_putc(b, ' ');
}

static void put_nl(rc *c, kb_buf *b, size_t col)
{
	kb_buf_puts(b, c->d->eol);
	put_indent(b, col);
}

static bool blank_line(const ed_doc *d, size_t ls, size_t le)
{
	for (size_t i = ls; i < le; i++)
		if (d->text[i] != ' ' && d->text[i] != '\t')
			return false;
	return true;
}

static bool comment_line(const ed_doc *d, size_t line)
{
	size_t ls = d->lines[line];
	size_t le = ed_line_end(d, ls);
	for (size_t i = ls; i < le; i++) {
		if (d->text[i] == ' ' || d->text[i] == '\t')
			continue;
		return d->text[i] == '#';
	}
	return false;
}

static const ed_pair *pair_of(const ed_node *val)
{
	const ed_node *p = val->parent;
	if (!p || p->kind != ED_MAP)
		return NULL;
	for (size_t i = 0; i < p->n; i++)
		if (p->pairs[i].val == val)
			return &p->pairs[i];
	return NULL;
}

static size_t index_in(const ed_node *e)
{
	const ed_node *p = e->parent;
	for (size_t i = 0; i < p->n; i++)
		if ((p->kind == ED_SEQ ? p->items[i] : p->pairs[i].val) == e)
			return i;
	return 0;
}

/* The first offset of an entry: a block item's '-', a pair's key. */
static size_t entry_first(const ed_node *e)
{
	const ed_pair *pr = pair_of(e);
	if (pr)
		return pr->key->start;
	return e->lead != ED_NOPOS ? e->lead : e->start;
}

static size_t entry_last(const ed_node *e)
{
	const ed_pair *pr = pair_of(e);
	size_t end = e->end;
	if (pr && pr->key->end > end)
		end = pr->key->end;
	return end;
}

/* The line above which nothing belongs to entry e: its previous
 * sibling's last line, or its parent's first line (-1: the document). */
static long entry_bound(const ed_doc *d, const ed_node *e)
{
	const ed_node *p = e->parent;
	if (!p)
		return -1;
	size_t i = index_in(e);
	if (i > 0) {
		const ed_node *prev = p->kind == ED_SEQ ? p->items[i - 1] : p->pairs[i - 1].val;
		return (long)ed_line_of(d, entry_last(prev));
	}
	if (!p->parent)
		return -1;
	return (long)ed_line_of(d, entry_first(p)) - (ed_line_of(d, entry_first(p)) ==
						     ed_line_of(d, entry_first(e))
						     ? 1
						     : 0);
}

/* The comment lines right above entry e: [*from, *to) (to = the start of
 * e's first line).  False when there are none. */
static bool head_range(const ed_doc *d, const ed_node *e, size_t *from, size_t *to)
{
	size_t first = entry_first(e);
	if (first == ED_NOPOS || !ed_first_on_line(d, first))
		return false;
	long line = (long)ed_line_of(d, first);
	long bound = entry_bound(d, e);
	long k = line - 1;
	while (k > bound && comment_line(d, (size_t)k))
		k--;
	if (k + 1 > line - 1)
		return false;
	*from = d->lines[k + 1];
	*to = d->lines[line];
	return true;
}

/* Writes e's head comment lines at column col, each followed by a line
 * break and col spaces, and records that they moved. */
static void write_heads(rc *c, kb_buf *b, const ed_node *e, size_t col)
{
	size_t from, to;
	if (!head_range(c->d, e, &from, &to))
		return;
	for (size_t ls = from; ls < to; ls = ed_next_line(c->d, ls)) {
		size_t le = ed_line_end(c->d, ls);
		size_t s = ls;
		while (s < le && (c->d->text[s] == ' ' || c->d->text[s] == '\t'))
			s++;
		kb_buf_append(b, c->d->text + s, le - s);
		put_nl(c, b, col);
	}
	add_ptr(&c->heads, &c->nheads, &c->hcap, e);
}

/* Appends the lines [from_line, to_line] of the text, each after the
 * first re-indented by delta, the first starting at offset first. */
static void copy_lines(rc *c, kb_buf *b, size_t first, size_t last_off, long delta)
{
	const ed_doc *d = c->d;
	size_t l0 = ed_line_of(d, first), l1 = ed_line_of(d, last_off);
	for (size_t l = l0; l <= l1; l++) {
		size_t ls = l == l0 ? first : d->lines[l];
		size_t le = ed_line_end(d, d->lines[l]);
		if (l > l0) {
			kb_buf_puts(b, d->eol);
			if (blank_line(d, ls, le))
				continue;
			size_t ind = 0;
			while (ls + ind < le && d->text[ls + ind] == ' ')
				ind++;
			long ni = (long)ind + delta;
			if (ni < 0)
				ni = 0;
			put_indent(b, (size_t)ni);
			ls += ind;
		}
		kb_buf_append(b, d->text + ls, le - ls);
	}
}

/* The column everything of a parsed node is indented from: its item's
 * '-', its key, or 0. */
static size_t base_col(const ed_doc *d, const ed_node *o)
{
	if (o->parent && o->parent->kind == ED_SEQ && !o->parent->flow)
		return ed_col_of(d, o->lead);
	const ed_pair *pr = pair_of(o);
	if (pr)
		return ed_col_of(d, pr->key->start);
	return 0;
}

static bool inline_node(const ed_node *o)
{
	return o->kind == ED_SCALAR || o->flow || o->n == 0;
}

static void render_value(rc *c, kb_buf *b, const ed_node *n, slot s, size_t col,
			 const ed_node *tmpl, ed_style hint);

/* A node moved from elsewhere, written as its original text.  False when
 * it cannot be (it changed, or it is an alias, or a block collection
 * where only flow will do). */
static bool render_moved(rc *c, kb_buf *b, const ed_node *n, slot s, size_t col)
{
	const ed_node *o = n->orig;
	const ed_doc *d = c->d;
	if (!o || !o->parsed || o->alias || o->start == ED_NOPOS || !ed_data_equal(n, o))
		return false;
	if (s == SLOT_FLOW) {
		if (!inline_node(o) || o->style == ED_LITERAL || o->style == ED_FOLDED ||
		    ed_line_of(d, o->start) != ed_line_of(d, o->end))
			return false;
		kb_buf_append(b, d->text + o->start, o->end - o->start);
		return true;
	}
	if (o->kind == ED_SCALAR && o->start == o->end) {
		return true; /* an empty (null) value */
	}
	/* the inline comment after it goes with it */
	size_t last = o->end;
	size_t le = ed_line_end(d, last);
	size_t k = last;
	while (k < le && (d->text[k] == ' ' || d->text[k] == '\t'))
		k++;
	bool comment = k < le && d->text[k] == '#';
	if (inline_node(o)) {
		long delta = (long)col - (long)base_col(d, o);
		kb_buf_putc(b, ' ');
		if (ed_line_of(d, o->start) == ed_line_of(d, o->end)) {
			kb_buf_append(b, d->text + o->start, (comment ? le : o->end) - o->start);
		} else {
			/* multi-line: a block scalar or a long flow collection */
			copy_lines(c, b, o->start, last, delta);
		}
		return true;
	}
	/* a block collection */
	size_t new_cc;
	if (s == SLOT_VALUE)
		new_cc = col + (o->kind == ED_MAP ? d->map_indent : d->seq_indent);
	else
		new_cc = col + (o->kind == ED_MAP ? d->item_off : 2);
	long delta = (long)new_cc - (long)ed_col_of(d, o->start);
	if (s == SLOT_VALUE) {
		put_nl(c, b, new_cc);
	} else if (o->kind == ED_MAP) {
		put_indent(b, d->item_off > 1 ? d->item_off - 1 : 1);
	} else {
		kb_buf_putc(b, ' ');
	}
	copy_lines(c, b, o->start, last, delta);
	return true;
}

/* A neighbour's quotes are a style to follow only where its value did
 * not need them. */
static bool chosen_quotes(const ed_node *v)
{
	return v && v->kind == ED_SCALAR && v->type == KB_STR &&
	       (v->style == ED_SQUOTED || v->style == ED_DQUOTED) && ed_plain_ok(v->str, v->len, false);
}

static ed_style tmpl_style(const ed_node *t, const char *key)
{
	const ed_node *v = t && t->kind == ED_MAP ? ed_map_get(t, key) : NULL;
	return chosen_quotes(v) ? v->style : ED_AUTO;
}

static const ed_node *tmpl_child(const ed_node *t, const char *key)
{
	const ed_node *v = t && t->kind == ED_MAP ? ed_map_get(t, key) : NULL;
	return v && v->kind != ED_SCALAR ? v : NULL;
}

/* The quoting of a sequence's string items, or of a map's string values:
 * a style when every one of them is quoted that way by choice. */
static ed_style common_style(const ed_node *t)
{
	ed_style st = ED_AUTO;
	size_t n = 0;
	for (size_t i = 0; t && i < t->n; i++) {
		const ed_node *v = t->kind == ED_SEQ ? t->items[i] : t->pairs[i].val;
		if (v->kind != ED_SCALAR || v->type != KB_STR)
			continue;
		if (!chosen_quotes(v) || (n && v->style != st))
			return ED_AUTO;
		st = v->style;
		n++;
	}
	return st;
}

static ed_style seq_style(const ed_node *t)
{
	return t && t->kind == ED_SEQ ? common_style(t) : ED_AUTO;
}

static ed_style map_value_style(const ed_node *t)
{
	return t && t->kind == ED_MAP ? common_style(t) : ED_AUTO;
}

static ed_style map_key_style(const ed_node *t)
{
	if (!t || t->kind != ED_MAP || !t->n)
		return ED_AUTO;
	const ed_node *k = t->pairs[t->n - 1].key;
	return k->style == ED_SQUOTED || k->style == ED_DQUOTED ? k->style : ED_AUTO;
}

/* The template for an item of sequence t: its last map item. */
static const ed_node *seq_item_tmpl(const ed_node *t)
{
	if (!t || t->kind != ED_SEQ)
		return NULL;
	for (size_t i = t->n; i-- > 0;)
		if (t->items[i]->kind != ED_SCALAR)
			return t->items[i];
	return NULL;
}

static void render_key(rc *c, kb_buf *b, const ed_node *key, ed_style hint, bool flow)
{
	const ed_node *o = key->orig;
	if (o && o->parsed && !o->alias && o->start != ED_NOPOS && ed_data_equal(key, o) &&
	    ed_line_of(c->d, o->start) == ed_line_of(c->d, o->end)) {
		kb_buf_append(b, c->d->text + o->start, o->end - o->start);
		return;
	}
	ed_write_scalar(b, key->str, key->len, KB_STR, key->style != ED_AUTO ? key->style : hint,
			flow);
}

static void render_scalar(rc *c, kb_buf *b, const ed_node *n, slot s, size_t col, ed_style hint)
{
	ed_style h = n->style != ED_AUTO ? n->style : hint;
	if (s == SLOT_FLOW) {
		ed_write_scalar(b, n->str, n->len, n->type, h == ED_LITERAL || h == ED_FOLDED ? ED_AUTO : h,
				true);
		return;
	}
	if (n->type == KB_NULL && n->len == 0)
		return;
	kb_buf_putc(b, ' ');
	if (n->type == KB_STR && literal_ok(n->str, n->len) && h != ED_DQUOTED && h != ED_SQUOTED) {
		size_t bcol = col + (s == SLOT_VALUE ? c->d->map_indent : c->d->item_off);
		if (bcol <= col)
			bcol = col + 2;
		size_t nl = 0;
		while (nl < n->len && n->str[n->len - 1 - nl] == '\n')
			nl++;
		kb_buf_puts(b, nl == 0 ? "|-" : nl == 1 ? "|" : "|+");
		size_t i = 0, end = n->len - (nl ? 1 : 0);
		while (i <= end) {
			const char *e = memchr(n->str + i, '\n', end - i);
			size_t le = e ? (size_t)(e - n->str) : end;
			if (i == end && !e && nl == 0)
				break;
			kb_buf_puts(b, c->d->eol);
			if (le > i) {
				put_indent(b, bcol);
				kb_buf_append(b, n->str + i, le - i);
			}
			if (!e)
				break;
			i = le + 1;
			if (i > end)
				break;
		}
		return;
	}
	ed_write_scalar(b, n->str, n->len, n->type, h == ED_LITERAL || h == ED_FOLDED ? ED_AUTO : h,
			false);
}

static void render_item(rc *c, kb_buf *b, const ed_node *item, size_t dcol, const ed_node *tseq);

static void render_pair(rc *c, kb_buf *b, const ed_pair *p, size_t kcol, const ed_node *tmap,
			bool flow)
{
	ed_style kh = map_key_style(tmap);
	render_key(c, b, p->key, kh, flow);
	kb_buf_putc(b, ':');
	ed_style vh = tmpl_style(tmap, p->key->str);
	if (vh == ED_AUTO)
		vh = map_value_style(tmap);
	if (flow) {
		kb_buf_putc(b, ' ');
		render_value(c, b, p->val, SLOT_FLOW, kcol, tmpl_child(tmap, p->key->str), vh);
	} else {
		render_value(c, b, p->val, SLOT_VALUE, kcol, tmpl_child(tmap, p->key->str), vh);
	}
}

static void render_value(rc *c, kb_buf *b, const ed_node *n, slot s, size_t col,
			 const ed_node *tmpl, ed_style hint)
{
	const ed_doc *d = c->d;
	if (render_moved(c, b, n, s, col))
		return;
	if (n->kind == ED_SCALAR) {
		render_scalar(c, b, n, s, col, hint);
		return;
	}
	bool map = n->kind == ED_MAP;
	if (n->n == 0) {
		kb_buf_puts(b, s == SLOT_FLOW ? "" : " ");
		kb_buf_puts(b, map ? "{}" : "[]");
		return;
	}
	if (s == SLOT_FLOW || n->flow) {
		if (s != SLOT_FLOW)
			kb_buf_putc(b, ' ');
		kb_buf_putc(b, map ? '{' : '[');
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				kb_buf_puts(b, ", ");
			if (map)
				render_pair(c, b, &n->pairs[i], col, tmpl, true);
			else
				render_value(c, b, n->items[i], SLOT_FLOW, col, seq_item_tmpl(tmpl),
					     seq_style(tmpl));
		}
		kb_buf_putc(b, map ? '}' : ']');
		return;
	}
	if (map) {
		size_t kcol;
		if (s == SLOT_VALUE) {
			kcol = col + d->map_indent;
			put_nl(c, b, kcol);
		} else {
			kcol = col + d->item_off;
			put_indent(b, d->item_off > 1 ? d->item_off - 1 : 1);
		}
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				put_nl(c, b, kcol);
			if (n->pairs[i].val->heads_from)
				write_heads(c, b, n->pairs[i].val->heads_from, kcol);
			render_pair(c, b, &n->pairs[i], kcol, tmpl, false);
		}
		return;
	}
	size_t dcol;
	if (s == SLOT_VALUE) {
		dcol = col + d->seq_indent;
		put_nl(c, b, dcol);
	} else {
		dcol = col + 2;
		kb_buf_putc(b, ' ');
	}
	for (size_t i = 0; i < n->n; i++) {
		if (i)
			put_nl(c, b, dcol);
		render_item(c, b, n->items[i], dcol, tmpl);
	}
}

/* "- value" at the current position (column dcol), with the comment
 * lines that belong above it. */
static void render_item(rc *c, kb_buf *b, const ed_node *item, size_t dcol, const ed_node *tseq)
{
	const ed_node *hf = item->heads_from;
	if (!hf && item->orig && item->orig->parsed && item->orig->parent &&
	    item->orig->parent->kind == ED_SEQ && !item->orig->parent->flow &&
	    ed_data_equal(item, item->orig))
		hf = item->orig;
	if (hf)
		write_heads(c, b, hf, dcol);
	kb_buf_putc(b, '-');
	render_value(c, b, item, SLOT_ITEM, dcol, seq_item_tmpl(tseq), seq_style(tseq));
}

/* ---- reconciling ---- */

static void reconcile_value(rc *c, const ed_node *a, const ed_node *bn, slot s, size_t anchor,
			    size_t col, const ed_node *tmpl, ed_style hint);

static bool in_place(const ed_node *bn, const ed_node *a)
{
	return bn->orig == a;
}

/* Replaces parsed node a (after the ':' or '-' at anchor, or inside a
 * flow collection when s is SLOT_FLOW) by the rendering of bn. */
static void replace_value(rc *c, const ed_node *a, const ed_node *bn, slot s, size_t anchor,
			  size_t col, const ed_node *tmpl, ed_style hint)
{
	const ed_doc *d = c->d;
	if (a->alias || a->anchored) {
		fail(c, a->start,
		     "cannot edit this value: it is a YAML %s; write it out without "
		     "anchors and aliases first",
		     a->alias ? "alias" : "anchor that aliases refer to");
		return;
	}
	kb_buf r = KB_BUF_INIT;
	if (s == SLOT_FLOW) {
		render_value(c, &r, bn, SLOT_FLOW, col, tmpl, hint);
		add_splice_buf(c, a->start, a->end, &r);
		return;
	}
	if (anchor == ED_NOPOS) {
		fail(c, a->start, "cannot edit this value: its key is an explicit `? key`");
		kb_buf_free(&r);
		return;
	}
	render_value(c, &r, bn, s, col, tmpl, hint);
	bool r_block = r.len >= 1 && (r.data[0] == '\n' || r.data[0] == '\r');
	bool same_line = ed_line_of(d, a->start) == ed_line_of(d, anchor);
	if (same_line) {
		if (!r_block) {
			add_splice_buf(c, anchor + 1, a->end, &r);
		} else {
			add_splice(c, anchor + 1, a->end, "", 0);
			add_splice_buf(c, ed_line_end(d, a->end), ed_line_end(d, a->end), &r);
		}
	} else {
		size_t kl = ed_line_end(d, anchor);
		size_t ae = ed_line_end(d, a->end);
		if (r_block) {
			add_splice_buf(c, kl, ae, &r);
		} else {
			add_splice_buf(c, anchor + 1, anchor + 1, &r);
			add_splice(c, kl, ae, "", 0);
		}
	}
}

static void delete_entry(rc *c, const ed_node *e)
{
	add_ptr(&c->dels, &c->ndels, &c->dcap, e);
}

static void reconcile_map(rc *c, const ed_node *a, const ed_node *bn, size_t anchor, slot s,
			  size_t col, ed_style hint)
{
	const ed_doc *d = c->d;
	bool root = a->parent == NULL;
	bool *kept = kb_xcalloc(a->n ? a->n : 1, sizeof(bool));
	size_t nkept = 0;
	for (size_t i = 0; i < bn->n; i++) {
		const ed_pair *o = bn->pairs[i].orig;
		if (o && o >= a->pairs && o < a->pairs + a->n && !kept[o - a->pairs]) {
			kept[o - a->pairs] = true;
			nkept++;
		}
	}
	if (!nkept && !root && (bn->n || a->n)) {
		free(kept);
		if (bn->n == 0 && a->n == 0)
			return;
		replace_value(c, a, bn, s, anchor, col, NULL, hint);
		return;
	}
	size_t kcol = a->n ? ed_col_of(d, a->pairs[0].key->start) : 0;
	for (size_t i = 0; i < a->n; i++)
		if (!kept[i]) {
			if (a->pairs[i].val->alias || a->pairs[i].key->alias)
				fail(c, a->pairs[i].key->start, "cannot remove a pair inside an alias");
			delete_entry(c, a->pairs[i].val);
		}
	/* kept pairs: keys renamed, values reconciled */
	for (size_t i = 0; i < bn->n; i++) {
		const ed_pair *bp = &bn->pairs[i];
		const ed_pair *o = bp->orig;
		if (!o || o < a->pairs || o >= a->pairs + a->n)
			continue;
		if (strcmp(o->key->str, bp->key->str) != 0) {
			kb_buf kb = KB_BUF_INIT;
			ed_write_scalar(&kb, bp->key->str, bp->key->len, KB_STR,
					o->key->style == ED_PLAIN ? ED_AUTO : o->key->style, a->flow);
			add_splice_buf(c, o->key->start, o->key->end, &kb);
		}
		reconcile_value(c, o->val, bp->val, a->flow ? SLOT_FLOW : SLOT_VALUE, o->val->colon,
				ed_col_of(d, o->key->start), o->val, o->val->kind == ED_SCALAR ? o->val->style : ED_AUTO);
	}
	/* new pairs, in runs between kept ones */
	size_t i = 0;
	while (i < bn->n) {
		const ed_pair *o = bn->pairs[i].orig;
		if (o && o >= a->pairs && o < a->pairs + a->n) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < bn->n && !(bn->pairs[j].orig && bn->pairs[j].orig >= a->pairs &&
				      bn->pairs[j].orig < a->pairs + a->n))
			j++;
		/* [i, j) are new; i-1 and j (if any) are kept */
		const ed_pair *prev = i > 0 ? bn->pairs[i - 1].orig : NULL;
		const ed_pair *next = j < bn->n ? bn->pairs[j].orig : NULL;
		kb_buf t = KB_BUF_INIT;
		if (a->flow) {
			if (prev) {
				for (size_t k = i; k < j; k++) {
					kb_buf_puts(&t, ", ");
					render_pair(c, &t, &bn->pairs[k], kcol, a, true);
				}
				add_splice_buf(c, prev->val->end, prev->val->end, &t);
			} else if (next) {
				for (size_t k = i; k < j; k++) {
					render_pair(c, &t, &bn->pairs[k], kcol, a, true);
					kb_buf_puts(&t, ", ");
				}
				add_splice_buf(c, next->key->start, next->key->start, &t);
			} else {
				/* an empty flow map */
				for (size_t k = i; k < j; k++) {
					if (k > i)
						kb_buf_puts(&t, ", ");
					render_pair(c, &t, &bn->pairs[k], kcol, a, true);
				}
				add_splice_buf(c, a->start + 1, a->start + 1, &t);
			}
		} else if (prev) {
			for (size_t k = i; k < j; k++) {
				put_nl(c, &t, kcol);
				if (bn->pairs[k].val->heads_from)
					write_heads(c, &t, bn->pairs[k].val->heads_from, kcol);
				render_pair(c, &t, &bn->pairs[k], kcol, a, false);
			}
			size_t at = ed_line_end(d, entry_last(prev->val));
			add_splice_buf(c, at, at, &t);
		} else if (next) {
			for (size_t k = i; k < j; k++) {
				if (bn->pairs[k].val->heads_from)
					write_heads(c, &t, bn->pairs[k].val->heads_from, kcol);
				render_pair(c, &t, &bn->pairs[k], kcol, a, false);
				put_nl(c, &t, kcol);
			}
			add_splice_buf(c, next->key->start, next->key->start, &t);
		} else {
			/* the root, all of whose pairs go: the new ones start where
			 * the first old one did */
			size_t at = a->n ? ed_line_start(d, a->pairs[0].key->start) : d->len;
			for (size_t k = i; k < j; k++) {
				put_indent(&t, kcol);
				render_pair(c, &t, &bn->pairs[k], kcol, a, false);
				kb_buf_puts(&t, d->eol);
			}
			add_splice_buf(c, at, at, &t);
		}
		i = j;
	}
	free(kept);
}

/* Longest increasing subsequence of idx[0..n) (entries < 0 skipped):
 * marks in keep[] the positions that stay in order. */
static void lis(const long *idx, size_t n, bool *keep)
{
	size_t *tail = kb_xcalloc(n + 1, sizeof(size_t));
	size_t *prev = kb_xcalloc(n + 1, sizeof(size_t));
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		if (idx[i] < 0)
			continue;
		size_t lo = 0, hi = len;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (idx[tail[mid]] < idx[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		prev[i] = lo ? tail[lo - 1] : (size_t)-1;
		tail[lo] = i;
		if (lo == len)
			len++;
	}
	if (len) {
		size_t k = tail[len - 1];
		for (size_t m = len; m-- > 0;) {
			keep[k] = true;
			k = prev[k];
			if (k == (size_t)-1)
				break;
		}
	}
	free(tail);
	free(prev);
}

static void reconcile_seq(rc *c, const ed_node *a, const ed_node *bn, size_t anchor, slot s,
			  size_t col, ed_style hint)
{
	const ed_doc *d = c->d;
	long *idx = kb_xcalloc(bn->n ? bn->n : 1, sizeof(long));
	bool *keep = kb_xcalloc(bn->n ? bn->n : 1, sizeof(bool));
	bool *used = kb_xcalloc(a->n ? a->n : 1, sizeof(bool));
	for (size_t i = 0; i < bn->n; i++) {
		idx[i] = -1;
		const ed_node *o = bn->items[i]->orig;
		if (o && o->parent == a) {
			size_t k = index_in(o);
			if (!used[k]) {
				used[k] = true;
				idx[i] = (long)k;
			}
		}
	}
	lis(idx, bn->n, keep);
	size_t nkept = 0;
	bool *kept_a = kb_xcalloc(a->n ? a->n : 1, sizeof(bool));
	for (size_t i = 0; i < bn->n; i++)
		if (keep[i]) {
			kept_a[idx[i]] = true;
			nkept++;
		}
	if (!nkept && (bn->n || a->n)) {
		free(idx);
		free(keep);
		free(used);
		free(kept_a);
		replace_value(c, a, bn, s, anchor, col, NULL, hint);
		return;
	}
	size_t dcol = a->n && !a->flow ? ed_col_of(d, a->items[0]->lead) : col;
	for (size_t k = 0; k < a->n; k++)
		if (!kept_a[k]) {
			if (a->items[k]->alias && a->parent && a->alias)
				fail(c, a->items[k]->start, "cannot remove an item inside an alias");
			delete_entry(c, a->items[k]);
		}
	for (size_t i = 0; i < bn->n; i++)
		if (keep[i]) {
			const ed_node *o = a->items[idx[i]];
			reconcile_value(c, o, bn->items[i], a->flow ? SLOT_FLOW : SLOT_ITEM, o->lead,
					dcol, o, o->kind == ED_SCALAR ? o->style : ED_AUTO);
		}
	size_t i = 0;
	while (i < bn->n) {
		if (keep[i]) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < bn->n && !keep[j])
			j++;
		const ed_node *prev = i > 0 ? a->items[idx[i - 1]] : NULL;
		const ed_node *next = j < bn->n ? a->items[idx[j]] : NULL;
		kb_buf t = KB_BUF_INIT;
		if (a->flow) {
			if (prev) {
				for (size_t k = i; k < j; k++) {
					kb_buf_puts(&t, ", ");
					render_value(c, &t, bn->items[k], SLOT_FLOW, col, seq_item_tmpl(a),
						     seq_style(a));
				}
				add_splice_buf(c, prev->end, prev->end, &t);
			} else {
				for (size_t k = i; k < j; k++) {
					render_value(c, &t, bn->items[k], SLOT_FLOW, col, seq_item_tmpl(a),
						     seq_style(a));
					kb_buf_puts(&t, ", ");
				}
				add_splice_buf(c, next->start, next->start, &t);
			}
		} else if (prev) {
			for (size_t k = i; k < j; k++) {
				put_nl(c, &t, dcol);
				render_item(c, &t, bn->items[k], dcol, a);
			}
			size_t at = ed_line_end(d, prev->end);
			add_splice_buf(c, at, at, &t);
		} else {
			for (size_t k = i; k < j; k++) {
				render_item(c, &t, bn->items[k], dcol, a);
				put_nl(c, &t, dcol);
			}
			add_splice_buf(c, next->lead, next->lead, &t);
		}
		i = j;
	}
	free(idx);
	free(keep);
	free(used);
	free(kept_a);
}

static void reconcile_value(rc *c, const ed_node *a, const ed_node *bn, slot s, size_t anchor,
			    size_t col, const ed_node *tmpl, ed_style hint)
{
	if (!in_place(bn, a)) {
		replace_value(c, a, bn, s, anchor, col, tmpl, hint);
		return;
	}
	if (ed_data_equal(a, bn))
		return;
	if (a->alias || a->anchored) {
		fail(c, a->start,
		     "cannot edit this value: it is a YAML %s; write it out without "
		     "anchors and aliases first",
		     a->alias ? "alias" : "anchor that aliases refer to");
		return;
	}
	if (a->kind != bn->kind) {
		replace_value(c, a, bn, s, anchor, col, tmpl, hint);
		return;
	}
	switch (a->kind) {
	case ED_SCALAR: {
		bool block = a->style == ED_LITERAL || a->style == ED_FOLDED;
		bool multiline = bn->type == KB_STR && literal_ok(bn->str, bn->len);
		if (s == SLOT_FLOW || (!block && !multiline && a->start != a->end)) {
			kb_buf t = KB_BUF_INIT;
			ed_style h = bn->style != ED_AUTO ? bn->style : a->style;
			ed_write_scalar(&t, bn->str, bn->len, bn->type,
					h == ED_LITERAL || h == ED_FOLDED || h == ED_PLAIN ? ED_AUTO : h,
					s == SLOT_FLOW);
			add_splice_buf(c, a->start, a->end, &t);
		} else {
			replace_value(c, a, bn, s, anchor, col, tmpl, a->style);
		}
		return;
	}
	case ED_MAP:
		reconcile_map(c, a, bn, anchor, s, col, hint);
		return;
	case ED_SEQ:
		reconcile_seq(c, a, bn, anchor, s, col, hint);
		return;
	}
}

/* ---- deletions to splices ---- */

static size_t eol_before(const ed_doc *d, size_t off)
{
	if (off >= 2 && d->text[off - 1] == '\n' && d->text[off - 2] == '\r')
		return 2;
	if (off >= 1 && d->text[off - 1] == '\n')
		return 1;
	return 0;
}

static void entry_span(rc *c, const ed_node *e)
{
	const ed_doc *d = c->d;
	const ed_node *p = e->parent;
	size_t i = index_in(e);
	bool map = p->kind == ED_MAP;
	if (p->flow) {
		size_t s = entry_first(e), t = e->end;
		if (i + 1 < p->n) {
			t = entry_first(map ? p->pairs[i + 1].val : p->items[i + 1]);
		} else if (i > 0) {
			s = (map ? p->pairs[i - 1].val : p->items[i - 1])->end;
		}
		add_splice(c, s, t, "", 0);
		return;
	}
	size_t first = entry_first(e);
	size_t last = entry_last(e);
	if (map && ed_first_on_line(d, first) && e->kind != ED_SCALAR && !e->flow && e->n &&
	    !e->alias && ed_line_of(d, e->start) > ed_line_of(d, first)) {
		/* a pair whose block value goes: its key line and its entries;
		 * the comment lines between them (about entries removed before,
		 * or the list) stay, as they do when entries are removed */
		size_t s = ed_line_start(d, first);
		size_t hf, ht;
		if (has_ptr(c->heads, c->nheads, e) && head_range(d, e, &hf, &ht))
			s = hf;
		add_splice(c, s, ed_next_line(d, first), "", 0);
		for (size_t k = 0; k < e->n; k++) {
			const ed_node *ch = e->kind == ED_SEQ ? e->items[k] : e->pairs[k].val;
			size_t cf = entry_first(ch);
			if (!ed_first_on_line(d, cf)) {
				fail(c, cf, "cannot remove this entry: it shares its line with another");
				return;
			}
			size_t cs = ed_line_start(d, cf);
			if (has_ptr(c->heads, c->nheads, ch) && head_range(d, ch, &hf, &ht))
				cs = hf;
			add_splice(c, cs, ed_next_line(d, entry_last(ch)), "", 0);
		}
		return;
	}
	if (ed_first_on_line(d, first)) {
		size_t s = ed_line_start(d, first);
		size_t hf, ht;
		if (has_ptr(c->heads, c->nheads, e) && head_range(d, e, &hf, &ht))
			s = hf;
		add_splice(c, s, ed_next_line(d, last), "", 0);
		return;
	}
	if (i + 1 < p->n) {
		add_splice(c, first, entry_first(map ? p->pairs[i + 1].val : p->items[i + 1]), "", 0);
		return;
	}
	fail(c, first, "cannot remove this entry: it shares its line with the one before it");
}

static int splice_cmp(const void *x, const void *y)
{
	const splice *a = x, *b = y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	bool ai = a->end == a->start, bi = b->end == b->start;
	if (ai != bi)
		return ai ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

kb_error *ed_reconcile(const ed_doc *d, const ed_node *model, char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	rc c;
	memset(&c, 0, sizeof(c));
	c.d = d;
	const ed_node *a = d->root;
	if (!a) {
		if (model && model->kind == ED_MAP && model->n) {
			kb_buf t = KB_BUF_INIT;
			if (d->len && !d->final_eol)
				kb_buf_puts(&t, d->eol);
			for (size_t k = 0; k < model->n; k++) {
				if (k)
					kb_buf_puts(&t, d->eol);
				render_pair(&c, &t, &model->pairs[k], 0, NULL, false);
			}
			if (!d->len || d->final_eol)
				kb_buf_puts(&t, d->eol);
			add_splice_buf(&c, d->len, d->len, &t);
		} else if (model && !ed_is_null(model) && !(model->kind == ED_MAP && !model->n)) {
			fail(&c, ED_NOPOS, "a kustomization file must hold a mapping");
		}
	} else if (a->kind == ED_MAP && model && model->kind == ED_MAP) {
		if (a->alias)
			fail(&c, a->start, "cannot edit a document that is an alias");
		else
			reconcile_map(&c, a, model, ED_NOPOS, SLOT_VALUE, 0, ED_AUTO);
	} else {
		fail(&c, a->start, "a kustomization file must hold a mapping");
	}
	for (size_t i = 0; i < c.ndels && !c.err; i++)
		entry_span(&c, c.dels[i]);
	kb_error *err = c.err;
	if (!err) {
		if (c.nsp)
			qsort(c.sp, c.nsp, sizeof(*c.sp), splice_cmp);
		/* merge deletions that overlap; anything else must not overlap */
		size_t w = 0;
		for (size_t i = 0; i < c.nsp && !err; i++) {
			bool dels = w && !*c.sp[w - 1].text && !*c.sp[i].text &&
				    c.sp[w - 1].end > c.sp[w - 1].start && c.sp[i].end > c.sp[i].start;
			if (w && (c.sp[i].start < c.sp[w - 1].end ||
				  (dels && c.sp[i].start == c.sp[w - 1].end))) {
				splice *p = &c.sp[w - 1];
				if (dels) {
					if (c.sp[i].end > p->end)
						p->end = c.sp[i].end;
					free(c.sp[i].text);
					c.sp[i].text = NULL;
					continue;
				}
				err = kb_error_new(d->file, (unsigned)ed_line_of(d, c.sp[i].start) + 1,
						   (unsigned)ed_col_of(d, c.sp[i].start) + 1,
						   "internal error: overlapping edits; please report "
						   "this file");
				break;
			}
			splice tmp = c.sp[i];
			c.sp[i] = c.sp[w];
			c.sp[w++] = tmp;
		}
		if (!err)
			c.nsp = w;
		/* lines removed up to the end of a file without a final line
		 * break: the line break before them goes instead */
		if (!err && w && !d->final_eol) {
			splice *l = &c.sp[w - 1];
			if (!*l->text && l->end == d->len && l->start > 0 &&
			    (w < 2 || c.sp[w - 2].end < l->start - eol_before(d, l->start)))
				l->start -= eol_before(d, l->start);
		}
	}
	if (!err) {
		kb_buf b = KB_BUF_INIT;
		size_t at = 0;
		for (size_t i = 0; i < c.nsp; i++) {
			kb_buf_append(&b, d->text + at, c.sp[i].start - at);
			kb_buf_puts(&b, c.sp[i].text);
			at = c.sp[i].end > at ? c.sp[i].end : at;
		}
		kb_buf_append(&b, d->text + at, d->len - at);
		*outlen = b.len;
		*out = kb_buf_detach(&b);
	}
	for (size_t i = 0; i < c.nsp; i++)
		free(c.sp[i].text);
	free(c.sp);
	free(c.dels);
	free(c.heads);
	return err;
}
