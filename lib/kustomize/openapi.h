/*
 * openapi.h - the kustomization fields that feed on OpenAPI documents:
 * `openapi:` (a schema replacing the builtin one) and `crds:` (field
 * specs derived from annotated definitions).
 *
 * kustomize keeps one process-wide kyaml schema.  Which definitions it
 * holds when a base or component sets a custom one depends on what
 * consulted the schema before (see kb_openapi_layer); the caller (the
 * target) tracks that and passes it in.
 *
 * Ownership: schemas from kb_openapi_schema() are freed with
 * kb_schema_free().
 */
#ifndef KB_OPENAPI_H
#define KB_OPENAPI_H

#include "diag.h"
#include "node.h"
#include "schema.h"
#include "tconfig.h"

/* The only builtin schema version kustomize v5.5.0 ships. */
#define KB_OPENAPI_BUILTIN_VERSION "v1.21.2"

/* How a custom schema combines with the builtin definitions, mirroring
 * kyaml's lazy initSchema: definitions already parsed stay, and a later
 * parse overwrites same-named definitions and same GVKs. */
typedef enum kb_openapi_layer {
	/* nothing has consulted the schema: the custom definitions alone */
	KB_OPENAPI_ALONE = 0,
	/* a namespace-scope question on a kind kyaml does not know deferred
	 * the builtin parse: it runs after the custom one and wins */
	KB_OPENAPI_UNDER_BUILTIN,
	/* the builtin schema was parsed (a strategic merge ran): the
	 * custom definitions are added on top and win */
	KB_OPENAPI_OVER_BUILTIN,
} kb_openapi_layer;

/* Builds the schema kyaml ends up with for the custom swagger document
 * doc (already parsed; JSON or YAML). */
kb_error *kb_openapi_schema(const kb_node *doc, const char *file, kb_openapi_layer layer,
			    kb_schema **out);

/* kustomize's LoadConfigFromCRDs for one document: a map of type name to
 * {Schema, Dependencies}.  Every definition with kind, apiVersion and
 * metadata properties is a kind (named by the last dot-separated part of
 * its type name); its properties, followed through $refs, add
 *   x-kubernetes-annotation      -> commonAnnotations field specs,
 *   x-kubernetes-label-selector  -> commonLabels field specs,
 *   x-kubernetes-identity        -> namePrefix field specs,
 *   x-kubernetes-object-ref-api-version/-kind (+ -name-key)
 *                                -> a name reference.
 * Marks cfg custom and non-empty so that it merges into parents. */
kb_error *kb_openapi_crds_add(kb_tconfig *cfg, const kb_node *doc, const char *file);

#endif
