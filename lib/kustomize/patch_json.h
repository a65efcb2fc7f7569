/*
 * patch_json.h - RFC 6902 JSON patches on kb_node trees.
 *
 * kustomize applies these with gopkg.in/evanphx/json-patch.v4 (v4.12.0 in
 * kustomize v5.5.0, api/filters/patchjson6902), and kbuild reproduces that
 * library's behaviour rather than the RFC's where they differ, because
 * the output has to match byte for byte:
 *
 *   - `replace` of a missing object key adds it; of a missing array index
 *     is an error.
 *   - `add` and `replace` without `value` store null.
 *   - `copy` from a missing object key stores null at the destination.
 *   - `test` of a missing object key succeeds when the value is null.
 *   - Array indices are parsed like Go's strconv.Atoi: "+1" and "01" are
 *     accepted, and negative indices count from the end (for `add`, -1
 *     appends).  "-" appends for `add` only.
 *   - Only `replace` and `test` accept the whole-document path "";
 *     `replace` there with a scalar value is silently ignored.
 *   - The text before the first '/' of a path is ignored ("a/b" = "/b");
 *     a path without '/' is "missing".
 *   - `~1` decodes to '/', `~0` to '~'; any other '~' is kept as is.
 *
 * Errors name the patch, the operation (1-based) and the path, followed
 * by the reason worded as json-patch words it:
 *
 *   patch 'p.yaml': operation 2 (remove /spec/x): error in remove for
 *   path: '/spec/x': Unable to remove nonexistent key: x: missing value
 */
#ifndef KB_PATCH_JSON_H
#define KB_PATCH_JSON_H

#include "diag.h"
#include "node.h"

/* Parses the text of a JSON 6902 patch: JSON (it is YAML too) or a YAML
 * list of operation maps.  Checks the shape: each operation a map whose
 * `op` is add/remove/replace/move/copy/test, with a string `path`, a
 * string `from` for move/copy and a `value` for test.  Empty text yields
 * an empty list.  On success *ops is a KB_SEQ owned by the caller; on
 * error *ops is NULL.  `file` names the patch in errors (may be NULL).
 *
 * Known gap: kustomize converts YAML patches with sigs.k8s.io/yaml, i.e.
 * YAML 1.1 typing (yes/on/y are booleans, 0755 is octal), while
 * kb_yaml_parse_one types scalars as YAML 1.2 / goyaml.v3 does. */
kb_error *kb_json6902_parse(const char *file, const char *text, size_t len,
			    kb_node **ops);

/* Applies ops (a KB_SEQ as produced by kb_json6902_parse) to root in
 * place, in order.  root itself may be replaced (path "").  On error,
 * root may be partly patched; callers should patch a copy when they need
 * the original back.  `patch_name` is used in error messages. */
kb_error *kb_json6902_apply(kb_node *root, const kb_node *ops,
			    const char *patch_name);

#endif
