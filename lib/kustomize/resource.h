/*
 * resource.h - one Kubernetes object and the ordered map of them.
 *
 * A kb_resource owns its document tree plus what kustomize keeps in build
 * annotations: the id it was loaded with, the names and namespaces it had
 * before each rename (so that references can follow), and generator
 * flags.  Its current id is read from the document when asked, so a
 * transformer can edit the tree freely.
 *
 * kb_resmap keeps resources in insertion order (kustomize's "fifo"
 * order, which is what every later stage starts from).
 *
 * Ownership: a resmap owns its resources; kb_resmap_free frees them.
 */
#ifndef KB_RESOURCE_H
#define KB_RESOURCE_H

#include "diag.h"
#include "node.h"
#include "schema.h"
#include "util.h"

enum {
	KB_BEHAVIOR_UNSET = 0,
	KB_BEHAVIOR_CREATE,
	KB_BEHAVIOR_MERGE,
	KB_BEHAVIOR_REPLACE,
};

typedef struct kb_resid {
	char *group;   /* "" for core */
	char *version;
	char *kind;
	char *name;
	char *ns;      /* "" when unset */
} kb_resid;

typedef struct kb_resource {
	kb_node *doc;
	char *file;       /* where it came from, for messages */
	kb_resid orig;    /* id when first loaded */
	/* Every (name, namespace) the object had before a rename, oldest
	 * first; kustomize's previousNames/previousNamespaces. */
	kb_strv prev_names;
	kb_strv prev_ns;
	kb_strv prev_kinds;
	int behavior;     /* generated objects: KB_BEHAVIOR_* */
	bool needs_hash;
	/* made by a ConfigMap/Secret generator or a generator plugin:
	 * kustomize's generatorBehavior build annotation, which external
	 * plugins see */
	bool generated;
	/* kustomize refuses references to objects renamed in a sibling
	 * base; kept for name references (kustomize's refBy). */
	kb_strv refby;
	/* Values kustomize shares between several places of this object: its
	 * label and annotation transformers put one YAML node at every path
	 * where they add a key (metadata.labels.app, the selector's, the pod
	 * template's), so a later in-place change of one (a patch, a
	 * replacement, another label transformer) shows at all of them.
	 * NULL, or a KB_SEQ of {v: value, p: [path, ...]} (a path being a
	 * KB_SEQ of keys and list indexes); see kb_resource_share. */
	kb_node *shared;
	/* Annotations read as something other than a string (`a:`, `a: ~`,
	 * `a: 9007199254740993`, `a: true`): kustomize keeps the typed node,
	 * printed as written, but a JSON patch turns each into the text of
	 * its JSON value ("null", "9.007199254740992e+15").  NULL, or a
	 * KB_MAP of key -> the value as read, until a JSON patch has run. */
	kb_node *typed_annotations;
} kb_resource;

typedef struct kb_resmap {
	kb_resource **v;
	size_t n, cap;
} kb_resmap;

/* kustomize's BuildAnnotations (api/resource/resource.go): its own
 * bookkeeping, removed from every object before it is printed. */
bool kb_is_build_annotation(const char *key);

/* kyaml's reader drops a null or empty metadata.annotations from every
 * object it reads (resources and patches alike). */
void kb_clear_empty_annotations(kb_node *doc);

/* Records that the values at paths (each a KB_SEQ of KB_STR keys and
 * KB_INT indexes; ownership passes) are one shared node now holding v. */
void kb_resource_share(kb_resource *r, kb_node *paths, const kb_node *v);
/* After an operation that writes values in place: a shared group one of
 * whose places changed takes the new value at all its places (places
 * that no longer exist leave the group). */
void kb_resource_sync_shared(kb_resource *r);
void kb_resmap_sync_shared(kb_resmap *m);
/* After an operation that rebuilds the object from scratch (a JSON
 * patch goes through JSON): nothing is shared any more. */
void kb_resource_unshare(kb_resource *r);
/* The path (as kb_resource_share takes it) of node target inside doc, or
 * NULL when it is not there. */
kb_node *kb_node_path_of(const kb_node *doc, const kb_node *target);

/* Annotations as kyaml has them for an operation on its nodes (a
 * strategic-merge or JSON patch): the typed nodes (typed_annotations)
 * whose value is still the text they became are put back, and
 * typed_annotations is emptied. */
void kb_resource_retype_annotations(kb_resource *r);
/* What reading the object does to its annotations, again after such an
 * operation: an empty map is dropped, values that are not strings are
 * recorded in typed_annotations and become their text. */
void kb_resource_settle_annotations(kb_resource *r);

/* Takes ownership of doc. */
kb_resource *kb_resource_new(kb_node *doc, const char *file);
void kb_resource_free(kb_resource *r);
kb_resource *kb_resource_clone(const kb_resource *r);

/* Fields of the current id, read from the document (never NULL). */
const char *kb_res_kind(const kb_resource *r);
const char *kb_res_name(const kb_resource *r);
const char *kb_res_ns(const kb_resource *r);
const char *kb_res_apiversion(const kb_resource *r);
/* Splits apiVersion into group and version (both malloc'd). */
void kb_split_apiversion(const char *apiversion, char **group, char **version);
void kb_res_id(const kb_resource *r, kb_resid *out); /* caller frees with kb_resid_free */
void kb_resid_free(kb_resid *id);
/* kustomize's text for an id in messages, "Deployment.v1.apps/web.[noNs]";
 * caller frees. */
char *kb_resid_string(const kb_resid *id);
char *kb_res_id_string(const kb_resource *r);

/* Records the current name/namespace as previous and sets new ones. */
void kb_res_set_name(kb_resource *r, const char *name);
void kb_res_set_ns(kb_resource *r, const char *ns);

/* kustomize's ResId equality: same gvk, name, and namespaces equal where
 * "" means "default" (cluster-scoped kinds ignore namespaces). */
bool kb_resid_equal(const kb_schema *s, const kb_resid *a, const kb_resid *b);
/* Whether r currently has, or ever had, the given id. */
bool kb_res_matches_any_id(const kb_schema *s, const kb_resource *r, const kb_resid *id);

void kb_resmap_init(kb_resmap *m);
/* Appends r (ownership passes) after checking its current id is new. */
kb_error *kb_resmap_append(kb_resmap *m, const kb_schema *s, kb_resource *r);
void kb_resmap_append_unchecked(kb_resmap *m, kb_resource *r);
/* Index of the resource whose current id equals id, or -1. */
long kb_resmap_find(const kb_resmap *m, const kb_schema *s, const kb_resid *id);
void kb_resmap_remove(kb_resmap *m, size_t idx);
/* Moves every resource of src to m (checked); src is left empty. */
kb_error *kb_resmap_absorb(kb_resmap *m, const kb_schema *s, kb_resmap *src);
void kb_resmap_free(kb_resmap *m);

#endif
