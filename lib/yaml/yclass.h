/*
 * yclass.h - libyaml's character classes (yaml_private.h) over a byte
 * string of known length, for the code that must decide as libyaml's
 * emitter and go-yaml's (its port) decide: fastemit.c and gort.c.  A
 * byte past the end reads as NUL, as libyaml reads the NUL it keeps after
 * every string.
 */
#ifndef KB_YCLASS_H
#define KB_YCLASS_H

#include <stdbool.h>
#include <stddef.h>

static inline unsigned char yc_at(const char *v, size_t len, size_t i)
{
	return i < len ? (unsigned char)v[i] : 0;
}

/* \r, \n, NEL, LS, PS */
static inline bool yc_is_break(const char *v, size_t len, size_t i)
{
	unsigned char c = yc_at(v, len, i);
	return c == '\r' || c == '\n' || (c == 0xC2 && yc_at(v, len, i + 1) == 0x85) ||
	       (c == 0xE2 && yc_at(v, len, i + 1) == 0x80 &&
		(yc_at(v, len, i + 2) == 0xA8 || yc_at(v, len, i + 2) == 0xA9));
}

static inline bool yc_is_blankz(const char *v, size_t len, size_t i)
{
	unsigned char c = yc_at(v, len, i);
	return c == ' ' || c == '\t' || c == 0 || yc_is_break(v, len, i);
}

/* The bytes of the UTF-8 character that starts with c (1 for a stray
 * continuation byte, as libyaml's WIDTH gives 0 and the callers here
 * only see valid UTF-8). */
static inline size_t yc_width(unsigned char c)
{
	return (c & 0x80) == 0 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
}

/* IS_PRINTABLE: LF, printable ASCII, and the BMP but for surrogates,
 * the BOM and U+FFFE/U+FFFF; no character beyond the BMP. */
static inline bool yc_is_printable(const char *v, size_t len, size_t i)
{
	unsigned char b = yc_at(v, len, i), b1 = yc_at(v, len, i + 1), b2 = yc_at(v, len, i + 2);
	return b == 0x0A || (b >= 0x20 && b <= 0x7E) || (b == 0xC2 && b1 >= 0xA0) ||
	       (b > 0xC2 && b < 0xED) || (b == 0xED && b1 < 0xA0) || b == 0xEE ||
	       (b == 0xEF && !(b1 == 0xBB && b2 == 0xBF) && !(b1 == 0xBF && (b2 == 0xBE || b2 == 0xBF)));
}

#endif
