/*
 * replace.h - kustomize's `replacements` (ReplacementTransformer): copy a
 * value from one field of one resource into fields of others.
 */
#ifndef KB_REPLACE_H
#define KB_REPLACE_H

#include "diag.h"
#include "fs.h"
#include "resource.h"
#include "target.h"

/* list: the `replacements` field (a sequence of inline replacements or
 * {path: file} entries, files holding one replacement or a list). */
kb_error *kb_replacements_apply(kb_ctx *ctx, kb_resmap *m, const kb_node *list,
				const kb_loader *ld, const char *file);

#endif
