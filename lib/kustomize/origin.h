/*
 * origin.h - the `buildMetadata` field: kustomize's origin and
 * transformer annotations (api/resource/origin.go) and the managed-by
 * label.
 *
 * As in kustomize, the origin travels inside each object as the
 * annotation config.kubernetes.io/origin while the tree is built (so
 * that a generator merge keeps it and a replace takes the new one), and
 * every transformer that runs appends itself to
 * alpha.config.kubernetes.io/transformations.  kb_build strips both at
 * the end unless the top kustomization's buildMetadata asks for them.
 *
 * Origin paths are relative to the top kustomization's directory: each
 * directory entered through `resources:`/`components:` appends its entry
 * text to the current origin path (Go's filepath.Join).
 */
#ifndef KB_ORIGIN_H
#define KB_ORIGIN_H

#include "node.h"
#include "resource.h"

#define KB_ORIGIN_ANNOTATION "config.kubernetes.io/origin"
#define KB_TRANSFORMATIONS_ANNOTATION "alpha.config.kubernetes.io/transformations"
#define KB_MANAGED_BY_LABEL "app.kubernetes.io/managed-by"
/* What kubectl kustomize v5.5.0 prints: kubectl embeds kustomize without
 * its build stamp, so provenance says "(devel)". */
#define KB_MANAGED_BY_VALUE "kustomize-(devel)"

/* kustomize's resource.Origin; NULL or "" fields are omitted. */
typedef struct kb_origin {
	const char *path;
	const char *configured_in;
	const char *by_apiversion;
	const char *by_kind;
	const char *by_name;
	const char *by_ns;
} kb_origin;

/* Go's filepath.Join(a, b): "" elements are skipped and the result is
 * cleaned ("" when both are empty).  Caller frees. */
char *kb_origin_join(const char *a, const char *b);

/* Entering a directory listed as `entry`: *cur becomes
 * join(*cur, entry) and the old value is returned for kb_origin_leave.
 * Both do nothing while origins are not tracked (*cur NULL). */
char *kb_origin_enter(char **cur, const char *entry);
void kb_origin_leave(char **cur, char *saved);

/* The annotation text of o as kyaml marshals it (ends in '\n').
 * Caller frees. */
char *kb_origin_text(const kb_origin *o);

/* Whether the kustomization document lists opt under buildMetadata. */
bool kb_build_metadata_has(const kb_node *kust_doc, const char *opt);

/* Sets the origin annotation of a document; with only_if_absent an
 * existing one is kept (resmap.AddOriginAnnotation). */
void kb_origin_set(kb_node *doc, const kb_origin *o, bool only_if_absent);

/* "path: <join(dir_origin, rel)>" on resources m->v[from..]. */
void kb_origin_set_path(kb_resmap *m, size_t from, const char *dir_origin, const char *rel);

/* The origin of a builtin plugin configured by a kustomization field
 * (configuredIn: the kustomization file; configuredBy: builtin kind). */
void kb_origin_builtin(kb_origin *o, const char *dir_origin, const char *kust_path,
		       const char *kind, char **owned);

/* resource.OriginFromCustomPlugin: the origin of a plugin whose config
 * is cfg.  Returns false when cfg carries no origin annotation.  Strings
 * in o point into cfg or *owned (caller frees *owned). */
bool kb_origin_from_plugin(const kb_resource *cfg, kb_origin *o, char **owned);

/* The transformer / generator annotations of a builtin plugin run from
 * the `transformers:` or `generators:` field, configured by cfg; no-ops
 * when cfg has no origin (origins not tracked). */
void kb_origin_note_plugin(kb_resmap *m, const kb_resource *cfg);
void kb_origin_set_from_plugin(kb_node *doc, const kb_resource *cfg);

/* The annotations the transformers of a kustomization's own fields
 * leave, in kustomize's order (PatchStrategicMerge, Patch, Namespace,
 * Prefix, Suffix, Label, Annotations, PatchJson6902, ReplicaCount,
 * ImageTag, Replacement), one per transformer instance kustomize
 * configures.  Called once after all of them ran: each only appends to
 * every object, so the result is the same as after each one. */
void kb_origin_note_builtins(kb_resmap *m, const kb_node *kust_doc, const char *dir_origin,
			     const char *kust_path);

const char *kb_origin_base_name(const char *path);

/* resmap.AddTransformerAnnotation for `count` runs of one transformer:
 * objects without an origin take o as theirs, the others list o in
 * their transformations annotation. */
void kb_origin_note_transformer(kb_resmap *m, const kb_origin *o, size_t count);

#endif
