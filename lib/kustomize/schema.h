/*
 * schema.h - what strategic merge and the namespace transformer need to
 * know about a kind: how each field merges, and whether the kind is
 * namespaced.
 *
 * A kb_schema is either the builtin Kubernetes v1.21.2 schema (static
 * tables, see tables.h) or one loaded from a kustomization's `openapi:`
 * field, which replaces the builtin one as in kustomize.  Lookups return
 * NULL for unknown kinds and fields: callers then treat maps as plain
 * maps and replace lists, as kustomize does for custom resources.
 *
 * Ownership: kb_schema_builtin() returns a static object (never freed);
 * schemas from kb_schema_load() are freed with kb_schema_free().
 */
#ifndef KB_SCHEMA_H
#define KB_SCHEMA_H

#include "diag.h"
#include "node.h"
#include "tables.h"

typedef struct kb_schema kb_schema;
/* A handle on one object type of a schema; valid as long as the schema. */
typedef struct kb_stype kb_stype;

/* What a field of an object type is. */
typedef struct kb_sfield {
	unsigned char shape;      /* KB_SF_* */
	unsigned char item_shape; /* for arrays and maps */
	unsigned char strategy;   /* KB_PS_* flags, 0 = none given */
	const char *merge_key;    /* NULL when none */
	const kb_stype *type;     /* object: its type; array/map of objects: element type */
	/* Every key kyaml matches list elements by (merge_key is the first,
	 * e.g. Service ports: {"port", "protocol"}); see tables.h. */
	const char *const *merge_keys;
	size_t nmerge_keys;
} kb_sfield;

const kb_schema *kb_schema_builtin(void);
/* Loads a schema document (swagger "definitions" form, JSON or YAML)
 * already parsed into a node. */
kb_error *kb_schema_load(const kb_node *doc, const char *file, kb_schema **out);
void kb_schema_free(kb_schema *s);

/* The type of a top-level resource, or NULL when the kind is unknown. */
const kb_stype *kb_schema_type_for(const kb_schema *s, const char *group,
				   const char *version, const char *kind);
/* Looks up field `name` of type t; returns false when unknown (t may be
 * NULL, then always false). */
bool kb_stype_field(const kb_schema *s, const kb_stype *t, const char *name, kb_sfield *out);
/* 1 namespaced, 0 cluster-scoped, -1 unknown kind (kustomize then treats
 * it as namespaced). */
int kb_schema_namespaced(const kb_schema *s, const char *group, const char *version,
			 const char *kind);

#endif
