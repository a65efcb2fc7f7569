/*
 * fieldspec.h - the shared mechanism of kustomize's builtin transformers:
 * visit every value at a field-spec path in the resources whose
 * group/version/kind match.  Prefix/suffix, labels, annotations,
 * namespace, images, replicas, name references and vars are all walks
 * with a different edit.
 *
 * Path semantics follow kustomize's api/filters/fieldspec: steps are
 * separated by '/', a step into a sequence visits every element, a
 * trailing "[]" on a step only says the field is a list (never created),
 * and with `create` missing intermediate maps are made.
 */
#ifndef KB_FIELDSPEC_H
#define KB_FIELDSPEC_H

#include "diag.h"
#include "node.h"
#include "resource.h"
#include "tables.h"

/* A set of field specs: the static defaults plus entries added at run
 * time from `configurations:` (owned strings). */
typedef struct kb_fsset {
	kb_fieldspec *v;
	size_t n, cap;
	kb_strv owned; /* strings owned by the set */
} kb_fsset;

void kb_fsset_add_list(kb_fsset *set, const kb_fieldspec_list *list);
/* Adds one spec; strings are copied.  Exact duplicates are skipped. */
bool kb_fsset_add(kb_fsset *set, const char *group, const char *version, const char *kind,
		  const char *path, bool create);
bool kb_fsset_add_set(kb_fsset *set, const kb_fsset *other);
void kb_fsset_free(kb_fsset *set);

/* What to create at the end of a missing path (kyaml's CreateKind). */
typedef enum kb_create {
	KB_CREATE_NONE = 0,
	KB_CREATE_MAP,
	KB_CREATE_SCALAR,
} kb_create;

/* Called for each value found (or created) at the path.  *slot may be
 * replaced (free the old value).  Returning an error stops the walk. */
typedef kb_error *(*kb_fs_visit_fn)(kb_node **slot, void *ud);

bool kb_fieldspec_matches(const kb_fieldspec *fs, const char *group, const char *version,
			  const char *kind);
/* Walks one spec over one document (the gvk check included). */
kb_error *kb_fieldspec_walk(kb_node *doc, const kb_fieldspec *fs, kb_create create,
			    kb_fs_visit_fn fn, void *ud);

#endif
