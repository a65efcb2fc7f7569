/*
 * unicode.h - Go's unicode.IsLetter and unicode.IsDigit, which decide
 * goyaml.v2's map key order (emit.c).  The tables are generated at build
 * time by tools/gen_unicode.py.
 */
#ifndef KB_UNICODE_H
#define KB_UNICODE_H

#include <stdbool.h>

bool kb_unicode_is_letter(unsigned c);
bool kb_unicode_is_digit(unsigned c);

#endif
