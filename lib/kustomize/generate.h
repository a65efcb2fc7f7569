/*
 * generate.h - configMapGenerator / secretGenerator, as kustomize v5.5
 * runs them (api/internal/generators, api/kv/kv.go, kyaml/yaml/datamap.go),
 * and the merge/replace of a generated object into an existing one
 * (api/resmap/reswrangler.go appendReplaceOrMerge, api/resource/resource.go).
 *
 * What kubectl kustomize v5.5.0 does, confirmed by running it:
 *   - key/value sources are read in the order envs (then the legacy
 *     `env`), literals, files;
 *   - keys are NOT validated (kubectl's field validator is a no-op):
 *     "bad key", "a@b" and "export X" (from an env line `export X=1`) are
 *     all accepted.  kbuild keeps that output and warns instead;
 *   - env files: BOM stripped on line 1, CRLF line ends trimmed, leading
 *     whitespace trimmed, blank and '#' lines skipped, split at the first
 *     '=', no '=' gives "", values neither trimmed nor unquoted; a line
 *     with invalid UTF-8 is an error; a line with an empty key (`=v`) is
 *     silently dropped (warned here);
 *   - literals: split at the first '=', a leading or missing '=' is an
 *     error, one pair of matching surrounding quotes is stripped;
 *   - files: `[key=]path`, key defaults to the path's base name; a
 *     directory is an error;
 *   - duplicate keys: "configmap NAME illegally repeats the key `K`" (the
 *     word "configmap" for Secrets too);
 *   - ConfigMap: UTF-8 values under data, others base64 under binaryData,
 *     no data field when there are no keys; Secret: type (default
 *     Opaque), every value base64 under data, `data: {}` when empty;
 *     base64 is cut in 70-character lines each ending in '\n' once the
 *     encoding is 70 characters or longer;
 *   - an unknown `behavior` is silently treated as create (warned here).
 *
 * Ownership: kb_generate stores a new tree in out->doc, owned by the
 * caller.  Entries and options are only read.
 */
#ifndef KB_GENERATE_H
#define KB_GENERATE_H

#include "diag.h"
#include "fs.h"
#include "node.h"
#include "resource.h"

#include <stdbool.h>

/* Same values as resource.h's KB_BEHAVIOR_*. */
enum {
	KB_GEN_CREATE = KB_BEHAVIOR_CREATE,
	KB_GEN_MERGE = KB_BEHAVIOR_MERGE,
	KB_GEN_REPLACE = KB_BEHAVIOR_REPLACE,
};

typedef struct kb_gen_result {
	kb_node *doc;    /* the generated ConfigMap or Secret */
	int behavior;    /* KB_GEN_* */
	bool needs_hash; /* false when disableNameSuffixHash (local or global) */
} kb_gen_result;

/* Runs one configMapGenerator (secret false) or secretGenerator (secret
 * true) entry.  global_opts is the kustomization's generatorOptions map
 * or NULL.  Files are read through ld (paths relative to its root, load
 * restrictor applied); messages name ld->kfile.  Warnings go to warn
 * (may be NULL).  On error out is left zeroed. */
kb_error *kb_generate(const kb_node *entry, const kb_node *global_opts, bool secret,
		      const kb_loader *ld, kb_warnings *warn, kb_gen_result *out);

/* Folds a generated object into the existing object with the same id,
 * in place (existing ends up holding the result):
 *   both behaviors: the generated object's content wins, with
 *     metadata.name and namespace taken from existing, labels and
 *     annotations = existing's overlaid by generated's; kustomize's build
 *     annotations (internal.config.kubernetes.io/..., config.kubernetes.io/
 *     path/index/id...) come from existing only;
 *   merge: data and binaryData = existing's overlaid by generated's, all
 *     values as strings, a field dropped when it ends up empty; the
 *     config.kubernetes.io/origin annotation of existing is kept.
 * Any other behavior is kustomize's "behavior must be merge or replace"
 * error.  The caller's hash flag after the fold is
 * existing->needs_hash && generated.needs_hash (kustomize keeps the
 * needsHashSuffix annotation only when both carry it: merging into a
 * plain, non-generated ConfigMap gives no suffix). */
kb_error *kb_generate_merge(kb_node *existing, const kb_node *generated, int behavior);

/* Go's base64.StdEncoding cut as kustomize's encodeBase64 does; caller
 * frees.  Exposed for tests. */
char *kb_gen_base64(const char *data, size_t len);

#endif
