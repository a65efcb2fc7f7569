/*
 * fastemit.c - libyaml's block emitter for kbuild's events, without
 * libyaml's event queue (fastemit.h).  Each function below names the
 * libyaml 0.2.5 function (src/emitter.c) whose behaviour it has; the
 * comments say where this one is simpler because kbuild never asks for
 * the rest (flow collections but empty ones, tags, anchors, documents
 * other than one implicit one, folded scalars, complex keys).
 */
#include "fastemit.h"
#include "yclass.h"

#include <stdlib.h>
#include <string.h>

#define BEST_INDENT 2
#define BEST_WIDTH 80

/* ---- output (PUT, PUT_BREAK, WRITE, WRITE_BREAK) ----
 * Straight into the buffer: its terminating NUL is written once, at the
 * document's end (kb_femit_doc_end). */

static inline void out_reserve(kb_femit *f, size_t n)
{
	kb_buf *b = f->out;
	if (b->len + n + 1 > b->cap)
		kb_grow((void **)&b->data, &b->cap, b->len + n + 1, 1);
}

static inline void out_byte(kb_femit *f, char c)
{
	out_reserve(f, 1);
	f->out->data[f->out->len++] = c;
}

static inline void out_bytes(kb_femit *f, const char *p, size_t n)
{
	out_reserve(f, n);
	memcpy(f->out->data + f->out->len, p, n);
	f->out->len += n;
}

static inline void put(kb_femit *f, char c)
{
	out_byte(f, c);
	f->column++;
}

static inline void put_break(kb_femit *f)
{
	out_byte(f, '\n');
	f->column = 0;
}

/* one character (all its bytes), one column */
static inline void write_ch(kb_femit *f, const char *v, size_t *i)
{
	size_t w = yc_width((unsigned char)v[*i]);
	if (w == 1)
		out_byte(f, v[*i]);
	else
		out_bytes(f, v + *i, w);
	*i += w;
	f->column++;
}

/* Where the run of ASCII from lo to '~' (but stop) that starts at i
 * ends: characters written as they are, one column each. */
static inline size_t run_end(const char *v, size_t len, size_t i, unsigned char lo, char stop)
{
	while (i < len && (unsigned char)v[i] >= lo && (unsigned char)v[i] < 0x7f && v[i] != stop)
		i++;
	return i;
}

/* v[i..j): characters that are one byte each, at once */
static inline void write_run(kb_femit *f, const char *v, size_t i, size_t j)
{
	out_bytes(f, v + i, j - i);
	f->column += j - i;
}

static void write_break(kb_femit *f, const char *v, size_t *i)
{
	if (v[*i] == '\n') {
		put_break(f);
		(*i)++;
	} else {
		size_t w = yc_width((unsigned char)v[*i]);
		out_bytes(f, v + *i, w);
		*i += w;
		f->column = 0;
	}
}

/* yaml_emitter_write_indent */
static void write_indent(kb_femit *f)
{
	size_t indent = f->indent >= 0 ? (size_t)f->indent : 0;
	if (!f->indention || f->column > indent || (f->column == indent && !f->whitespace))
		put_break(f);
	if (f->column < indent) {
		size_t n = indent - f->column;
		out_reserve(f, n);
		memset(f->out->data + f->out->len, ' ', n);
		f->out->len += n;
		f->column = indent;
	}
	f->whitespace = true;
	f->indention = true;
}

/* yaml_emitter_write_indicator */
static void write_indicator(kb_femit *f, const char *ind, bool need_whitespace, bool is_whitespace,
			    bool is_indention)
{
	if (need_whitespace && !f->whitespace)
		put(f, ' ');
	for (; *ind; ind++)
		put(f, *ind);
	f->whitespace = is_whitespace;
	f->indention = f->indention && is_indention;
}

/* yaml_emitter_increase_indent */
static void increase_indent(kb_femit *f, bool flow, bool indentless)
{
	if (f->indent < 0)
		f->indent = flow ? BEST_INDENT : 0;
	else if (!indentless)
		f->indent += BEST_INDENT;
}

/* ---- scalars ---- */

typedef struct analysis {
	bool multiline, block_plain_allowed, single_quoted_allowed, block_allowed;
} analysis;

/* A string of printable ASCII but for the characters that matter to the
 * analysis (blanks, breaks, ':' and '#', indicators when first), with no
 * "---" or "..." start: what most keys and values of a resource are.
 * Its analysis is then known without the general loop below. */
static const unsigned char quiet[128] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
	['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1,
	['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1,
	['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
	['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['.'] = 1, ['/'] = 1,
	['_'] = 1, ['('] = 1, [')'] = 1, ['='] = 1, ['+'] = 1, [';'] = 1, ['$'] = 1, ['^'] = 1,
	['~'] = 1, ['<'] = 1, ['"'] = 1, ['\''] = 1, ['-'] = 1, [','] = 1, ['['] = 1, [']'] = 1,
	['{'] = 1, ['}'] = 1, ['&'] = 1, ['*'] = 1, ['!'] = 1, ['|'] = 1, ['>'] = 1, ['%'] = 1,
	['@'] = 1, ['`'] = 1, ['?'] = 1, ['\\'] = 1,
};
/* the ones among them that are indicators as a first character */
static const unsigned char first_indicator[128] = {
	['#'] = 1, [','] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1, ['&'] = 1, ['*'] = 1,
	['!'] = 1, ['|'] = 1, ['>'] = 1, ['\''] = 1, ['"'] = 1, ['%'] = 1, ['@'] = 1, ['`'] = 1,
	['?'] = 1, ['-'] = 1, [':'] = 1,
};

static void analyze_general(const char *v, size_t len, analysis *a);

/* yaml_emitter_analyze_scalar, for block context (flow_plain_allowed is
 * not needed: no scalar is written inside a flow collection) */
static void analyze(const char *v, size_t len, analysis *a)
{
	/* words separated by single spaces, no blank at either end */
	const unsigned char *u = (const unsigned char *)v;
	bool first_ok = len > 0 && u[0] < 0x80 && quiet[u[0]] &&
			(!first_indicator[u[0]] ||
			 (u[0] == '-' && len >= 2 && u[1] != ' ' && !(u[1] == '-' && len >= 3 && u[2] == '-'))) &&
			!(u[0] == '.' && len >= 3 && u[1] == '.' && u[2] == '.');
	if (first_ok && u[len - 1] != ' ') {
		size_t i = 1;
		for (; i < len; i++) {
			unsigned char c = u[i];
			if (c >= 0x80 || !quiet[c]) {
				/* a single space between two quiet characters is
				 * quiet too, but for " #" */
				if (c == ' ' && i + 1 < len && u[i + 1] < 0x80 && quiet[u[i + 1]] &&
				    u[i + 1] != '#')
					continue;
				break;
			}
		}
		if (i == len) {
			/* no indicator: plain, quoted or block alike */
			a->multiline = false;
			a->block_plain_allowed = true;
			a->single_quoted_allowed = true;
			a->block_allowed = true;
			return;
		}
	}
	analyze_general(v, len, a);
}

static void analyze_general(const char *v, size_t len, analysis *a)
{
	if (len == 0) {
		a->multiline = false;
		a->block_plain_allowed = true;
		a->single_quoted_allowed = true;
		a->block_allowed = false;
		return;
	}
	bool block_indicators = false, line_breaks = false, special = false;
	bool leading_space = false, leading_break = false, trailing_space = false;
	bool trailing_break = false, break_space = false, space_break = false;
	bool previous_space = false, previous_break = false;
	const unsigned char *u = (const unsigned char *)v;
	if ((yc_at(v, len, 0) == '-' && yc_at(v, len, 1) == '-' && yc_at(v, len, 2) == '-') ||
	    (yc_at(v, len, 0) == '.' && yc_at(v, len, 1) == '.' && yc_at(v, len, 2) == '.'))
		block_indicators = true;
	/* whether the character before is blank (or a break, or NUL):
	 * IS_BLANKZ of it, what libyaml's preceded_by_whitespace holds */
	bool preceded_by_whitespace = true;
	for (size_t i = 0; i < len;) {
		/* visible ASCII but ':' and '#' changes nothing but the
		 * "previous" flags: skip a run of it at once */
		if (i > 0 && u[i] > ' ' && u[i] < 0x7f && u[i] != ':' && u[i] != '#') {
			size_t j = i + 1;
			while (j < len && u[j] > ' ' && u[j] < 0x7f && u[j] != ':' && u[j] != '#')
				j++;
			previous_space = previous_break = preceded_by_whitespace = false;
			i = j;
			continue;
		}
		unsigned char c = u[i];
		size_t w;
		bool brk, printable;
		if (c < 0x80) {
			w = 1;
			brk = c == '\n' || c == '\r';
			printable = c == '\n' || (c >= 0x20 && c <= 0x7E);
		} else {
			w = yc_width(c);
			brk = yc_is_break(v, len, i);
			printable = yc_is_printable(v, len, i);
		}
		if (i == 0) {
			bool followed_by_whitespace = yc_is_blankz(v, len, w);
			switch (c) {
			case '#': case ',': case '[': case ']': case '{': case '}': case '&':
			case '*': case '!': case '|': case '>': case '\'': case '"': case '%':
			case '@': case '`':
				block_indicators = true;
				break;
			case '?': case ':': case '-':
				if (followed_by_whitespace)
					block_indicators = true;
				break;
			default:
				break;
			}
		} else if (c == ':') {
			if (yc_is_blankz(v, len, i + 1))
				block_indicators = true;
		} else if (c == '#' && preceded_by_whitespace) {
			block_indicators = true;
		}
		if (!printable)
			special = true;
		if (brk)
			line_breaks = true;
		if (c == ' ') {
			if (i == 0)
				leading_space = true;
			if (i + 1 == len)
				trailing_space = true;
			if (previous_break)
				break_space = true;
			previous_space = true;
			previous_break = false;
		} else if (brk) {
			if (i == 0)
				leading_break = true;
			if (i + w == len)
				trailing_break = true;
			if (previous_space)
				space_break = true;
			previous_space = false;
			previous_break = true;
		} else {
			previous_space = false;
			previous_break = false;
		}
		preceded_by_whitespace = c == ' ' || c == '\t' || c == 0 || brk;
		i += w;
	}
	a->multiline = line_breaks;
	a->block_plain_allowed = true;
	a->single_quoted_allowed = true;
	a->block_allowed = true;
	if (leading_space || leading_break || trailing_space || trailing_break)
		a->block_plain_allowed = false;
	if (trailing_space)
		a->block_allowed = false;
	if (break_space) {
		a->block_plain_allowed = false;
		a->single_quoted_allowed = false;
	}
	if (space_break || special) {
		a->block_plain_allowed = false;
		a->single_quoted_allowed = false;
		a->block_allowed = false;
	}
	if (line_breaks)
		a->block_plain_allowed = false;
	if (block_indicators)
		a->block_plain_allowed = false;
}

/* yaml_emitter_write_plain_scalar (sq false) and
 * yaml_emitter_write_single_quoted_scalar (sq true), which libyaml
 * writes as two copies of one loop: a single-quoted scalar has its
 * quotes, doubles a quote inside, never folds at its first or last
 * character and ends a trailing run of breaks with an indent. */
static void write_flowing(kb_femit *f, const char *v, size_t len, bool allow_breaks, bool sq)
{
	bool spaces = false, breaks = false;
	if (sq)
		write_indicator(f, "'", true, false, false);
	else if (!f->whitespace && len)
		put(f, ' ');
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)v[i];
		if (c == ' ') {
			if (allow_breaks && !spaces && f->column > BEST_WIDTH &&
			    (!sq || (i != 0 && i != len - 1)) && yc_at(v, len, i + 1) != ' ') {
				write_indent(f);
				i++;
			} else {
				write_ch(f, v, &i);
			}
			spaces = true;
		} else if (yc_is_break(v, len, i)) {
			if (!breaks && c == '\n')
				put_break(f);
			write_break(f, v, &i);
			f->indention = true;
			breaks = true;
		} else {
			if (breaks)
				write_indent(f);
			/* a run of ordinary ASCII at once: the common case */
			size_t j = run_end(v, len, i, ' ' + 1, sq ? '\'' : 0);
			if (j > i) {
				write_run(f, v, i, j);
				i = j;
			} else {
				if (c == '\'')
					put(f, '\'');
				write_ch(f, v, &i);
			}
			f->indention = false;
			spaces = false;
			breaks = false;
		}
	}
	if (sq) {
		if (breaks)
			write_indent(f);
		write_indicator(f, "'", false, false, false);
	}
	f->whitespace = false;
	f->indention = false;
}

/* yaml_emitter_write_double_quoted_scalar */
static void write_double_quoted(kb_femit *f, const char *v, size_t len, bool allow_breaks)
{
	static const char hex[] = "0123456789ABCDEF";
	bool spaces = false;
	write_indicator(f, "\"", true, false, false);
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)v[i];
		bool bom = c == 0xEF && yc_at(v, len, i + 1) == 0xBB && yc_at(v, len, i + 2) == 0xBF;
		if (!yc_is_printable(v, len, i) || bom || yc_is_break(v, len, i) || c == '"' ||
		    c == '\\') {
			size_t w = (c & 0x80) == 0x00 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
			unsigned value = (c & 0x80) == 0x00 ? c & 0x7F : (c & 0xE0) == 0xC0 ? c & 0x1F : (c & 0xF0) == 0xE0 ? c & 0x0F : (c & 0xF8) == 0xF0 ? c & 0x07 : 0;
			for (size_t k = 1; k < w; k++)
				value = (value << 6) + (yc_at(v, len, i + k) & 0x3F);
			i += w ? w : 1;
			put(f, '\\');
			char e = 0;
			switch (value) {
			case 0x00: e = '0'; break;
			case 0x07: e = 'a'; break;
			case 0x08: e = 'b'; break;
			case 0x09: e = 't'; break;
			case 0x0A: e = 'n'; break;
			case 0x0B: e = 'v'; break;
			case 0x0C: e = 'f'; break;
			case 0x0D: e = 'r'; break;
			case 0x1B: e = 'e'; break;
			case 0x22: e = '"'; break;
			case 0x5C: e = '\\'; break;
			case 0x85: e = 'N'; break;
			case 0xA0: e = '_'; break;
			case 0x2028: e = 'L'; break;
			case 0x2029: e = 'P'; break;
			default: break;
			}
			if (e) {
				put(f, e);
			} else {
				int digits = value <= 0xFF ? 2 : value <= 0xFFFF ? 4 : 8;
				put(f, value <= 0xFF ? 'x' : value <= 0xFFFF ? 'u' : 'U');
				for (int k = (digits - 1) * 4; k >= 0; k -= 4)
					put(f, hex[(value >> k) & 0x0F]);
			}
			spaces = false;
		} else if (c == ' ') {
			if (allow_breaks && !spaces && f->column > BEST_WIDTH && i != 0 && i != len - 1) {
				write_indent(f);
				if (yc_at(v, len, i + 1) == ' ')
					put(f, '\\');
				i++;
			} else {
				write_ch(f, v, &i);
			}
			spaces = true;
		} else {
			write_ch(f, v, &i);
			spaces = false;
		}
	}
	write_indicator(f, "\"", false, false, false);
	f->whitespace = false;
	f->indention = false;
}

/* yaml_emitter_write_block_scalar_hints (open_ended is not kept: kbuild
 * drops the "..." libyaml writes for it) */
static void write_block_hints(kb_femit *f, const char *v, size_t len)
{
	if (yc_at(v, len, 0) == ' ' || yc_is_break(v, len, 0)) {
		char hint[2] = { '0' + BEST_INDENT, '\0' };
		write_indicator(f, hint, false, false, false);
	}
	const char *chomp = NULL;
	if (len == 0) {
		chomp = "-";
	} else {
		size_t p = len;
		do
			p--;
		while (p > 0 && ((unsigned char)v[p] & 0xC0) == 0x80);
		if (!yc_is_break(v, len, p)) {
			chomp = "-";
		} else if (p == 0) {
			chomp = "+";
		} else {
			do
				p--;
			while (p > 0 && ((unsigned char)v[p] & 0xC0) == 0x80);
			if (yc_is_break(v, len, p))
				chomp = "+";
		}
	}
	if (chomp)
		write_indicator(f, chomp, false, false, false);
}

/* yaml_emitter_write_literal_scalar */
static void write_literal(kb_femit *f, const char *v, size_t len)
{
	bool breaks = true;
	write_indicator(f, "|", true, false, false);
	write_block_hints(f, v, len);
	put_break(f);
	f->indention = true;
	f->whitespace = true;
	for (size_t i = 0; i < len;) {
		if (yc_is_break(v, len, i)) {
			write_break(f, v, &i);
			f->indention = true;
			breaks = true;
		} else {
			if (breaks)
				write_indent(f);
			size_t j = run_end(v, len, i, ' ', 0);
			if (j > i)
				write_run(f, v, i, j), i = j;
			else
				write_ch(f, v, &i);
			f->indention = false;
			breaks = false;
		}
	}
}

/* ---- the block states ---- */

typedef enum ctx { CTX_ROOT, CTX_SEQ, CTX_MAP, CTX_KEY } ctx;

/* What the parent writes before a node (block_sequence_item,
 * block_mapping_key, block_mapping_value for a simple key); the
 * node's context. */
static ctx before_node(kb_femit *f)
{
	if (f->depth == 0)
		return CTX_ROOT;
	kb_femit_level *top = &f->lv[f->depth - 1];
	if (top->kind == 's') {
		write_indent(f);
		write_indicator(f, "-", true, false, true);
		return CTX_SEQ;
	}
	if (!top->expect_value) {
		write_indent(f);
		return CTX_KEY;
	}
	write_indicator(f, ":", false, false, false);
	return CTX_MAP;
}

static void after_node(kb_femit *f)
{
	if (f->depth == 0)
		return;
	kb_femit_level *top = &f->lv[f->depth - 1];
	if (top->kind == 'm')
		top->expect_value = !top->expect_value;
}

static void push(kb_femit *f, char kind)
{
	kb_grow((void **)&f->lv, &f->cap, f->depth + 1, sizeof(*f->lv));
	f->lv[f->depth++] = (kb_femit_level){ kind, false, f->indent };
}

void kb_femit_init(kb_femit *f, kb_buf *out)
{
	memset(f, 0, sizeof(*f));
	f->out = out;
	f->indent = -1;
	f->whitespace = true;
	f->indention = true;
}

static void collection_start(kb_femit *f, size_t n, char kind)
{
	if (f->bail)
		return;
	ctx c = before_node(f);
	if (c == CTX_KEY) {
		f->bail = true; /* kbuild's keys are strings */
		return;
	}
	if (n == 0) {
		/* yaml_emitter_check_empty_*: a flow collection, opened and
		 * closed at once */
		write_indicator(f, kind == 'm' ? "{" : "[", true, true, false);
		write_indicator(f, kind == 'm' ? "}" : "]", false, false, false);
		push(f, 'e');
		return;
	}
	push(f, kind);
	if (kind == 'm')
		increase_indent(f, false, false);
	else
		increase_indent(f, false, c == CTX_MAP && !f->indention);
}

void kb_femit_map_start(kb_femit *f, size_t n)
{
	collection_start(f, n, 'm');
}

void kb_femit_seq_start(kb_femit *f, size_t n)
{
	collection_start(f, n, 's');
}

void kb_femit_end(kb_femit *f)
{
	if (f->bail || f->depth == 0)
		return;
	f->indent = f->lv[--f->depth].saved_indent;
	after_node(f);
}

/* yaml_emitter_emit_scalar: select_scalar_style, increase_indent,
 * process_scalar */
void kb_femit_scalar(kb_femit *f, const char *v, size_t len, yaml_scalar_style_t style)
{
	if (f->bail)
		return;
	if (style == YAML_FOLDED_SCALAR_STYLE) {
		f->bail = true;
		return;
	}
	analysis a;
	analyze(v, len, &a);
	/* yaml_emitter_check_simple_key: else libyaml writes "? key" */
	bool key = f->depth > 0 && f->lv[f->depth - 1].kind == 'm' &&
		   !f->lv[f->depth - 1].expect_value;
	if (key && (a.multiline || len > 128)) {
		f->bail = true;
		return;
	}
	ctx c = before_node(f);
	if (style == YAML_ANY_SCALAR_STYLE)
		style = YAML_PLAIN_SCALAR_STYLE;
	if (style == YAML_PLAIN_SCALAR_STYLE) {
		if (!a.block_plain_allowed)
			style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
		if (!len && c == CTX_KEY)
			style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
	}
	if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE && !a.single_quoted_allowed)
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	if (style == YAML_LITERAL_SCALAR_STYLE && (!a.block_allowed || c == CTX_KEY))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	int saved = f->indent;
	increase_indent(f, true, false);
	bool breaks = c != CTX_KEY;
	switch (style) {
	case YAML_PLAIN_SCALAR_STYLE:
		write_flowing(f, v, len, breaks, false);
		break;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		write_flowing(f, v, len, breaks, true);
		break;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		write_double_quoted(f, v, len, breaks);
		break;
	default:
		write_literal(f, v, len);
		break;
	}
	f->indent = saved;
	after_node(f);
}

/* yaml_emitter_emit_document_end for an implicit end */
void kb_femit_doc_end(kb_femit *f)
{
	if (f->bail)
		return;
	f->indent = -1;
	write_indent(f);
	out_reserve(f, 0);
	f->out->data[f->out->len] = '\0';
}

void kb_femit_free(kb_femit *f)
{
	free(f->lv);
	f->lv = NULL;
}
