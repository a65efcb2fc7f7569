/*
 * replace.h - kustomize's `replacements` (ReplacementTransformer): copy a
 * value from one field of one resource into fields of others.
 */
#ifndef KB_REPLACE_H
#define KB_REPLACE_H

#include "diag.h"
#include "fs.h"
#include "resource.h"
#include "acc.h"

/* list: the `replacements` field (a sequence of inline replacements or
 * {path: file} entries, files holding one replacement or a list). */
kb_error *kb_replacements_apply(kb_ctx *ctx, kb_resmap *m, const kb_node *list,
				const kb_loader *ld, const char *file);

/* kyaml utils.SmarterPathSplitter(path, "."): "a\.b" is one key, "[x.y]"
 * the key "x.y", "[k=v.w]" one list-entry match.  Appends to out. */
void kb_replace_split_path(const char *path, kb_strv *out);

/* yaml.Lookup on root (how a replacement reads its source): map keys,
 * indices, "-" for the last element, exact "[k=v]" / "[=v]" matches; no
 * wildcard.  *out is NULL when a part is missing; an error for a path that
 * crosses the wrong kind of node.  *out points into root. */
kb_error *kb_replace_lookup(kb_node *root, const char *path, kb_node **out);

#endif
