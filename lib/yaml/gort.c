/*
 * gort.c - what kustomize's printing does to string values (gort.h).
 *
 * kustomize prints a resource with kyaml's RNode.MarshalJSON followed by
 * sigs.k8s.io/yaml.JSONToYAML.  MarshalJSON encodes the node tree with
 * go-yaml v3 (keeping each scalar's style from the input), decodes that
 * text again and marshals the result to JSON; JSONToYAML then decodes the
 * JSON with goyaml.v2 and prints it.  Two steps of that are not the
 * identity on strings, and kbuild reproduces both:
 *
 *  1. go-yaml v3's folded-scalar writer looks for the end of a run of
 *     line breaks from the start of the whole value instead of from the
 *     break it is at (`for is_break(value, k)` with k = 0), so before a
 *     more-indented line it writes one line break too many; read back,
 *     the value has an extra "\n".  A block scalar whose first character
 *     is a tab cannot be read back at all ("found a tab character where
 *     an indentation space is expected"): kustomize fails there.
 *  2. encoding/json leaves U+0085 (NEL) raw in its output, and goyaml.v2
 *     reads the JSON string as a double-quoted YAML scalar, where NEL is a
 *     line break: it is folded like one (a single break becomes a space,
 *     the blanks around it go).
 *
 * Everything else a v3 encode/decode round trip does is the identity (we
 * checked the encoder's choices against go-yaml itself on random values
 * of every style), so only these cases are computed: the rest returns
 * at once.
 */
#define _GNU_SOURCE
#include "gort.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- go-yaml v3's character classes (yamlprivateh.go) ---- */

static unsigned char at(const char *v, size_t len, size_t i)
{
	return i < len ? (unsigned char)v[i] : 0;
}

static bool is_break_at(const char *v, size_t len, size_t i)
{
	unsigned char c = at(v, len, i);
	return c == '\r' || c == '\n' || (c == 0xC2 && at(v, len, i + 1) == 0x85) ||
	       (c == 0xE2 && at(v, len, i + 1) == 0x80 &&
		(at(v, len, i + 2) == 0xA8 || at(v, len, i + 2) == 0xA9));
}

static bool is_blankz_at(const char *v, size_t len, size_t i)
{
	unsigned char c = at(v, len, i);
	return c == ' ' || c == '\t' || c == 0 || is_break_at(v, len, i);
}

static size_t width_of(unsigned char c)
{
	return (c & 0x80) == 0 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
}

static bool is_printable_at(const char *v, size_t len, size_t i)
{
	unsigned char b = at(v, len, i), b1 = at(v, len, i + 1), b2 = at(v, len, i + 2);
	return b == 0x0A || (b >= 0x20 && b <= 0x7E) || (b == 0xC2 && b1 >= 0xA0) ||
	       (b > 0xC2 && b < 0xED) || (b == 0xED && b1 < 0xA0) || b == 0xEE ||
	       (b == 0xEF && !(b1 == 0xBB && b2 == 0xBF) && !(b1 == 0xBF && (b2 == 0xBE || b2 == 0xBF)));
}

/* yaml_emitter_analyze_scalar, the part that decides whether a block
 * scalar is allowed (the emitter has unicode output on). */
static bool block_allowed(const char *v, size_t len)
{
	if (len == 0)
		return false;
	bool special = false, trailing_space = false, space_break = false;
	bool previous_space = false;
	for (size_t i = 0; i < len; i += width_of((unsigned char)v[i])) {
		unsigned char c = (unsigned char)v[i];
		if (c != '\t' && !is_printable_at(v, len, i))
			special = true;
		if (c == ' ') {
			if (i + 1 == len)
				trailing_space = true;
			previous_space = true;
		} else if (is_break_at(v, len, i)) {
			if (previous_space)
				space_break = true;
			previous_space = false;
		} else {
			previous_space = false;
		}
	}
	return !(trailing_space || space_break || special);
}

/* ---- go-yaml v3's folded writer (yaml_emitter_write_folded_scalar) ---- */

typedef struct gw {
	kb_buf out;
	size_t column, indent, best_width;
	bool indention, whitespace;
} gw;

static void g_put_break(gw *w)
{
	kb_buf_putc(&w->out, '\n');
	w->column = 0;
	w->indention = true;
}

static void g_write_indent(gw *w)
{
	if (!w->indention || w->column > w->indent || (w->column == w->indent && !w->whitespace))
		g_put_break(w);
	while (w->column < w->indent) {
		kb_buf_putc(&w->out, ' ');
		w->column++;
	}
	w->whitespace = true;
}

static void g_write(gw *w, const char *v, size_t *i)
{
	size_t n = width_of((unsigned char)v[*i]);
	kb_buf_append(&w->out, v + *i, n);
	w->column++;
	*i += n;
}

static void g_write_break(gw *w, const char *v, size_t *i)
{
	if (v[*i] == '\n') {
		g_put_break(w);
		(*i)++;
	} else {
		g_write(w, v, i);
		w->column = 0;
		w->indention = true;
	}
}

/* The header's indicators (yaml_emitter_write_block_scalar_hints). */
static void g_hints(gw *w, const char *v, size_t len)
{
	if (v[0] == ' ' || is_break_at(v, len, 0))
		kb_buf_putc(&w->out, '2'); /* kyaml's encoder indents by 2 */
	size_t i = len - 1;
	while (i > 0 && ((unsigned char)v[i] & 0xC0) == 0x80)
		i--;
	if (!is_break_at(v, len, i)) {
		kb_buf_putc(&w->out, '-');
	} else if (i == 0) {
		kb_buf_putc(&w->out, '+');
	} else {
		i--;
		while (i > 0 && ((unsigned char)v[i] & 0xC0) == 0x80)
			i--;
		if (is_break_at(v, len, i))
			kb_buf_putc(&w->out, '+');
	}
}

static void write_folded(gw *w, const char *v, size_t len)
{
	/* the key sits where the real one does, two columns left of the
	 * content, so that an indentation indicator means the same */
	for (size_t i = 0; i + 2 < w->indent; i++)
		kb_buf_putc(&w->out, ' ');
	kb_buf_puts(&w->out, "k: >");
	g_hints(w, v, len);
	g_put_break(w);
	w->whitespace = true;
	bool breaks = true, leading_spaces = true;
	for (size_t i = 0; i < len;) {
		if (is_break_at(v, len, i)) {
			if (!breaks && !leading_spaces && v[i] == '\n') {
				/* go-yaml's k starts at 0, not at i: reproduced */
				size_t k = 0;
				while (is_break_at(v, len, k))
					k += width_of((unsigned char)v[k]);
				if (!is_blankz_at(v, len, k))
					g_put_break(w);
			}
			g_write_break(w, v, &i);
			breaks = true;
		} else {
			if (breaks) {
				g_write_indent(w);
				leading_spaces = v[i] == ' ' || v[i] == '\t';
			}
			if (!breaks && v[i] == ' ' && at(v, len, i + 1) != ' ' &&
			    w->column > w->best_width) {
				g_write_indent(w);
				i++;
			} else {
				g_write(w, v, &i);
			}
			w->indention = false;
			breaks = false;
		}
	}
}

/* The value of "k" in a one-pair document, read with libyaml (whose
 * scanner go-yaml v3's is a port of).  NULL when it does not parse;
 * *problem then says why. */
static char *read_back(const char *text, size_t len, size_t *outlen, const char **problem)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		abort();
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	char *val = NULL;
	int scalars = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			*problem = p.problem ? p.problem : "cannot parse";
			free(val);
			val = NULL;
			break;
		}
		bool end = ev.type == YAML_STREAM_END_EVENT;
		if (ev.type == YAML_SCALAR_EVENT && ++scalars == 2) {
			val = kb_xstrndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
			*outlen = ev.data.scalar.length;
		}
		yaml_event_delete(&ev);
		if (end)
			break;
	}
	yaml_parser_delete(&p);
	return val;
}

/* A block scalar whose first character is a tab: go-yaml reads the
 * first line's indentation as "0" and meets the tab there. */
static kb_error *tab_error(unsigned line, unsigned col)
{
	return kb_error_new(NULL, line, col,
			    "this multi-line string starts with a tab, which kustomize cannot "
			    "print: it writes it as a YAML block scalar and fails to read it back "
			    "(\"found a tab character where an indentation space is expected\"); "
			    "start it with another character, or quote it in the input as a "
			    "double-quoted string");
}

kb_error *kb_gort_value(const char *v, size_t len, kb_style style, bool in_flow, unsigned indent,
			unsigned line, unsigned col, char **out, size_t *outlen)
{
	*out = NULL;
	kb_style s = style;
	if (s != KB_STYLE_SQ && s != KB_STYLE_DQ && s != KB_STYLE_LITERAL && s != KB_STYLE_FOLDED)
		s = memchr(v, '\n', len) ? KB_STYLE_LITERAL : KB_STYLE_PLAIN;
	if (s != KB_STYLE_LITERAL && s != KB_STYLE_FOLDED)
		return NULL; /* plain and quoted scalars read back as written */
	if (s == KB_STYLE_LITERAL && v[0] != '\t')
		return NULL; /* literal blocks read back as written but for a leading tab */
	if (in_flow || !block_allowed(v, len))
		return NULL; /* written double-quoted instead: the identity */
	if (v[0] == '\t')
		return tab_error(line, col);
	if (s == KB_STYLE_LITERAL)
		return NULL;
	/* folded: go-yaml and libyaml part ways only where the value starts
	 * with a blank or a break, or a line break is followed by a blank or
	 * another break; skip the writer for the rest.  Long lines do not
	 * matter: go-yaml v3's emitter starts with best_width -1, that is no
	 * line is ever folded at a width (a more-indented line folded at 80
	 * columns would read back with a break of its own) */
	bool maybe = v[0] == ' ' || is_break_at(v, len, 0);
	for (size_t i = 0; i + 1 < len && !maybe; i++)
		if (v[i] == '\n' && (v[i + 1] == ' ' || v[i + 1] == '\t' || is_break_at(v, len, i + 1)))
			maybe = true;
	if (!maybe)
		return NULL;
	if (indent < 2)
		indent = 2;
	gw w = { KB_BUF_INIT, 0, indent, SIZE_MAX, true, true };
	write_folded(&w, v, len);
	const char *problem = NULL;
	size_t n = 0;
	char *back = read_back(w.out.data, w.out.len, &n, &problem);
	kb_buf_free(&w.out);
	if (!back)
		return kb_error_new(NULL, line, col,
				    "kustomize cannot print this folded string: it fails to read "
				    "back what it writes (%s)",
				    problem);
	if (n == len && memcmp(back, v, len) == 0) {
		free(back);
		return NULL;
	}
	*out = back;
	*outlen = n;
	return NULL;
}

bool kb_gort_has_nel(const char *v, size_t len)
{
	for (const char *p = v; (p = memchr(p, 0xC2, len - (size_t)(p - v))) != NULL; p++)
		if ((size_t)(p + 1 - v) < len && (unsigned char)p[1] == 0x85)
			return true;
	return false;
}

bool kb_gort_nel_fold(const char *v, size_t len, char **out, size_t *outlen)
{
	*out = NULL;
	if (!kb_gort_has_nel(v, len))
		return false;
	/* the JSON text encoding/json writes, read as goyaml.v2 reads it:
	 * a double-quoted scalar in which only spaces and NEL are raw */
	kb_buf b = KB_BUF_INIT;
	kb_buf_puts(&b, "k: \"");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '"' || c == '\\') {
			kb_buf_putc(&b, '\\');
			kb_buf_putc(&b, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			kb_buf_printf(&b, "\\u%04x", c);
		} else {
			kb_buf_putc(&b, (char)c);
		}
	}
	kb_buf_puts(&b, "\"\n");
	const char *problem = NULL;
	size_t n = 0;
	char *back = read_back(b.data, b.len, &n, &problem);
	kb_buf_free(&b);
	if (!back)
		return false;
	*out = back;
	*outlen = n;
	return true;
}
