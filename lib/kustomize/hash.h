/*
 * hash.h - the content hash kustomize appends to generated names, and the
 * pieces it is made of (SHA-256, Go's encoding/json string escaping).
 *
 * kustomize (api/hasher/hasher.go) hashes a JSON encoding of the resource:
 *   ConfigMap  {"binaryData":<map>?,"data":<map or "">,"kind":"ConfigMap","name":""}
 *   Secret     {"data":<map or "">,"kind":"Secret","name":"","stringData":<map>?,"type":<type or "">}
 * ("name" is always empty: kustomize looks the name up under a path that
 * never matches, see hash.c; the name does not change the hash.)
 *   other      Go's json.Marshal of the yaml.Node struct (Kind, Style, Tag,
 *              ..., Line, Column) - reproduced from kb_node positions; the
 *              style of quoted scalars is not kept in kb_node, so this is
 *              best effort for a case kustomize itself hardly relies on.
 * The SHA-256 hex digest's first 10 characters are then mapped 0->g, 1->h,
 * 3->k, a->m, e->t.
 *
 * Everything here is pure: no allocation escapes except through the
 * documented out-parameters.
 */
#ifndef KB_HASH_H
#define KB_HASH_H

#include "diag.h"
#include "node.h"
#include "resource.h"
#include "util.h"

#include <stddef.h>
#include <stdint.h>

/* Writes the 10-character hash suffix of doc plus a NUL into out.
 * Fails (returning the error, out untouched) when a value cannot be
 * encoded as JSON, e.g. an infinite float, as json.Marshal fails. */
kb_error *kb_hash_resource(const kb_node *doc, char out[11]);

/* The JSON text kb_hash_resource hashes; caller frees.  NULL with *err set
 * on failure.  Exposed for tests and debugging. */
char *kb_hash_encode(const kb_node *doc, kb_error **err);

/* SHA-256 of data into digest. */
void kb_sha256(const void *data, size_t len, uint8_t digest[32]);

/* Appends s as a JSON string the way Go's encoding/json does with HTML
 * escaping on: <, >, & as \u003c.., U+2028/U+2029 escaped, control
 * characters \b \f \n \r \t or \u00XX, invalid UTF-8 bytes as \ufffd. */
void kb_json_quote(kb_buf *b, const char *s, size_t len);

/* Go's encoding/json text of a float64 (shortest round trip; exponent
 * form outside [1e-6, 1e21)).  Returns false for NaN and infinities,
 * which json.Marshal refuses. */
bool kb_json_float(kb_buf *b, double v);

/* kustomize's HashTransformer: appends "-<hash>" to the name of every
 * resource marked needs_hash (the mark stays). */
kb_error *kb_hash_suffix_all(kb_resmap *m);

#endif
