/*
 * select.h - kustomize target selectors and Kubernetes label selectors.
 *
 * A selector ({group, version, kind, name, namespace, labelSelector,
 * annotationSelector}, every field optional) picks the resources a patch
 * or replacement applies to.  Semantics follow kustomize v5.5.0:
 *
 *   - api/types/selector.go (SelectorRegex): group, version, kind, name
 *     and namespace are regular expressions anchored as ^(?:X)$; an empty
 *     field matches anything.  So there is no way to select only the core
 *     group: group "" is a wildcard.  Go's regexp is RE2; PCRE2 (with
 *     DOLLAR_ENDONLY, so '$' does not match before a final newline, as in
 *     Go) accepts everything RE2 does that matters here.
 *   - api/resmap/reswrangler.go Select(): the namespace regex is matched
 *     against the resource's *effective* namespace (kyaml/resid
 *     EffectiveNamespace): "" and "default" are both "default", and a
 *     cluster-scoped resource's is "_non_namespaceable_" (KB_NS_CLUSTER).
 *     So namespace "default" selects resources without a namespace, and
 *     no plain namespace selects a cluster-scoped one.  Select() tries the
 *     original and the current namespace and name (either may match): use
 *     kb_selector_match_namespace / _name for that, or call
 *     kb_selector_match twice.
 *   - labelSelector / annotationSelector: k8s labels.Parse (kustomize's
 *     copy in kyaml/yaml/internal/k8sgen/pkg/labels), matched against
 *     metadata.labels / metadata.annotations.  "" matches everything.
 *   - Replacements (api/filters/replacement, resid.IsSelectedBy) compare
 *     group/version/kind/name literally instead: compile those selectors
 *     with kb_selector_compile_literal.
 *
 * Compiled selectors are immutable and may be shared between threads;
 * matching allocates its own PCRE2 match data.
 *
 * Ownership: *out belongs to the caller; free with the NULL-safe _free
 * functions.  The spec node is not retained.
 */
#ifndef KB_SELECT_H
#define KB_SELECT_H

#include "diag.h"
#include "node.h"

#include <stdbool.h>

/* kyaml resid.TotallyNotANamespace: the effective namespace of a
 * cluster-scoped resource. */
#define KB_NS_CLUSTER "_non_namespaceable_"

/* ---- label selectors ---- */

typedef struct kb_labelsel kb_labelsel;

/* Parses a Kubernetes label selector: `k=v`, `k==v`, `k!=v`,
 * `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>n`, `k<n`, joined by
 * commas (AND).  NULL or "" (or blanks) matches everything.  Errors carry
 * labels.Parse's wording, without a location. */
kb_error *kb_labelsel_parse(const char *text, kb_labelsel **out);
/* Matches a map of labels or annotations (NULL or a non-map counts as
 * empty).  Scalar values compare by their text; collections as "". */
bool kb_labelsel_match(const kb_labelsel *s, const kb_node *map);
void kb_labelsel_free(kb_labelsel *s);

/* ---- target selectors ---- */

typedef struct kb_selector kb_selector;

/* Compiles a selector map.  Unknown keys are ignored (selectors are
 * embedded in larger structures whose readers check keys); a null field
 * counts as absent; a non-string field, a bad regex or a bad
 * label/annotation selector is an error located in `file`. */
kb_error *kb_selector_compile(const kb_node *spec, const char *file, kb_selector **out);
/* The same fields compared literally (resid.IsSelectedBy). */
kb_error *kb_selector_compile_literal(const kb_node *spec, const char *file,
				      kb_selector **out);
void kb_selector_free(kb_selector *s);

/* The effective namespace kustomize selects on; returns ns itself,
 * "default" or KB_NS_CLUSTER (static strings). */
const char *kb_effective_namespace(const char *ns, bool cluster_scoped);

/* Each field; NULL arguments count as "".  match_namespace applies
 * kb_effective_namespace(ns, false) itself, so callers need to pass
 * KB_NS_CLUSTER only for cluster-scoped resources. */
bool kb_selector_match_gvk(const kb_selector *s, const char *group, const char *version,
			   const char *kind);
bool kb_selector_match_name(const kb_selector *s, const char *name);
bool kb_selector_match_namespace(const kb_selector *s, const char *ns);
bool kb_selector_match_labels(const kb_selector *s, const kb_node *labels,
			      const kb_node *annotations);

/* All of the above. */
bool kb_selector_match(const kb_selector *s, const char *group, const char *version,
		       const char *kind, const char *name, const char *ns,
		       const kb_node *labels, const kb_node *annotations);

#endif
