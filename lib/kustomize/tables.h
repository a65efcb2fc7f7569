/*
 * tables.h - static tables generated at build time by tools/gen_tables.py
 * from data/k8s (kustomize's default field specs and the Kubernetes
 * OpenAPI schema).  Never edit the generated kb_tables.c by hand:
 * change the data or the generator.
 *
 * Everything here is immutable static data; nothing is freed.
 */
#ifndef KB_TABLES_H
#define KB_TABLES_H

#include <stdbool.h>
#include <stddef.h>

/* One field spec: a slash-separated path (`[]` marks "each element of a
 * list"; a plain step into a list also visits every element), applied to
 * resources whose group/version/kind match (NULL = any). */
typedef struct kb_fieldspec {
	const char *group;
	const char *version;
	const char *kind;
	const char *path;
	bool create;
} kb_fieldspec;

typedef struct kb_fieldspec_list {
	const kb_fieldspec *v;
	size_t n;
} kb_fieldspec_list;

/* One file of data/k8s/fieldspecs each. */
extern const kb_fieldspec_list kb_fs_nameprefix;
extern const kb_fieldspec_list kb_fs_namesuffix;
extern const kb_fieldspec_list kb_fs_namespace;
extern const kb_fieldspec_list kb_fs_commonlabels;
extern const kb_fieldspec_list kb_fs_templatelabels;
extern const kb_fieldspec_list kb_fs_commonannotations;
extern const kb_fieldspec_list kb_fs_images;
extern const kb_fieldspec_list kb_fs_replicas;
extern const kb_fieldspec_list kb_fs_varreference;
extern const kb_fieldspec_list kb_fs_volumeclaimmetadatalabels;

/* nameReference: objects of kind (group/version) are referred to by name
 * from the referrer field specs. */
typedef struct kb_nameref_entry {
	const char *group;
	const char *version;
	const char *kind;
	kb_fieldspec_list referrers;
} kb_nameref_entry;

extern const kb_nameref_entry kb_namerefs[];
extern const size_t kb_namerefs_n;

/* ---- OpenAPI (Kubernetes v1.21.2) ---- */

/* Field value shapes. */
enum {
	KB_SF_PRIMITIVE = 0, /* string, number, boolean, or unknown */
	KB_SF_OBJECT = 1,    /* a $ref to another type */
	KB_SF_ARRAY = 2,     /* items: see item_type / item_shape */
	KB_SF_MAP = 3,       /* additionalProperties: values of item_type */
};

/* Patch strategy flags (x-kubernetes-patch-strategy, comma separated). */
enum {
	KB_PS_MERGE = 1,
	KB_PS_REPLACE = 2,
	KB_PS_RETAIN_KEYS = 4,
};

typedef struct kb_schema_field {
	const char *name;
	unsigned char shape;      /* KB_SF_* */
	unsigned char item_shape; /* for ARRAY / MAP: shape of elements */
	unsigned char strategy;   /* KB_PS_* flags */
	int type;                 /* OBJECT: index into kb_schema_types, else -1 */
	int item_type;            /* ARRAY/MAP of objects: index, else -1 */
	const char *merge_key;    /* x-kubernetes-patch-merge-key, else
				   * merge_keys[0], else NULL */
	/* The keys kyaml matches list elements by (PatchStrategyAndKeyList):
	 * only when a patch strategy is given, x-kubernetes-list-map-keys
	 * (all of them) when present, else {merge_key}.  NULL / 0 when none. */
	const char *const *merge_keys;
	size_t nmerge_keys;
} kb_schema_field;

typedef struct kb_schema_type {
	const char *name; /* definition name, e.g. io.k8s.api.apps.v1.Deployment */
	const kb_schema_field *fields; /* sorted by name (bsearch) */
	size_t nfields;
} kb_schema_type;

extern const kb_schema_type kb_schema_types[];
extern const size_t kb_schema_types_n;

typedef struct kb_schema_resource {
	const char *group;   /* "" for core */
	const char *version;
	const char *kind;
	int type;            /* index into kb_schema_types; -1 when only the
			      * scope is known (PodExecOptions, kinds newer
			      * than the schema) */
	bool namespaced;
	bool scope_known;    /* false: the schema gives no scope (namespaced
			      * is then true, as kustomize assumes) */
} kb_schema_resource;

/* Sorted by (group, version, kind) for bsearch. */
extern const kb_schema_resource kb_schema_resources[];
extern const size_t kb_schema_resources_n;

#endif
