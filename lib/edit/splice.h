/*
 * splice.h - from a changed model back to text, touching only what
 * changed.
 *
 * ed_reconcile walks the model next to the parsed tree it was cloned
 * from and turns every difference into a splice of the original bytes:
 *
 *   - a changed scalar: its bytes are replaced, in its old quoting style
 *     when the new value allows it;
 *   - a removed sequence item or map pair: its lines are removed (the
 *     comment lines above it stay; its own inline comment goes with it);
 *   - a new item or pair: new lines after its previous sibling (or before
 *     its next one) in the indentation, sequence style and quoting of its
 *     neighbours, the file's line breaks, and with no final line break
 *     added where the file has none;
 *   - a node moved from elsewhere (its orig lies in another parent): its
 *     original text, re-indented, with its inline comment and, for
 *     sequence items, the comment lines right above it;
 *   - anything else new: written the way the file writes such things
 *     (ed_doc's indentation habits), scalars plain when they read back as
 *     the same string, else double-quoted.
 *
 * Every byte outside the splices is kept.  The caller checks the result
 * by parsing it again (session.c): what reads back must equal the model.
 */
#ifndef KB_EDIT_SPLICE_H
#define KB_EDIT_SPLICE_H

#include "ydoc.h"

/* The text of d with the model's changes; *out is malloc'd (NUL-
 * terminated, *outlen bytes).  Errors say which layout cannot be edited
 * (an alias, an anchored node that changes). */
kb_error *ed_reconcile(const ed_doc *d, const ed_node *model, char **out, size_t *outlen);

/* How a new string scalar is written: plain when plain reads back as the
 * same string (YAML 1.1 and 1.2), else double-quoted; `hint` asks for a
 * quoting style when it can hold the value.  flow: inside [ ] or { }.
 * Multi-line strings are double-quoted here (ed_reconcile writes them as
 * literal blocks where it can). */
void ed_write_scalar(kb_buf *b, const char *s, size_t len, kb_kind type, ed_style hint, bool flow);
/* True when s may be written plain. */
bool ed_plain_ok(const char *s, size_t len, bool flow);

#endif
