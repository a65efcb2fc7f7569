/*
 * tconfig.h - transformer configuration: which fields each builtin
 * transformer touches.  Starts from kustomize's defaults (generated
 * tables) and grows with `configurations:` files and `crds:`; a parent
 * kustomization merges the configs of its bases, as kustomize's
 * ResAccumulator does.
 *
 * Ownership: kb_tconfig_free releases everything (NULL-safe).
 */
#ifndef KB_TCONFIG_H
#define KB_TCONFIG_H

#include "diag.h"
#include "fieldspec.h"
#include "node.h"

typedef struct kb_nameref_cfg {
	char *group, *version, *kind; /* the referred-to kind */
	kb_fsset referrers;
} kb_nameref_cfg;

typedef struct kb_tconfig {
	kb_fsset prefix, suffix, ns, common_labels, template_labels, annotations, images,
		replicas, varref;
	/* `labels:` of configurations files: added to every `labels` entry */
	kb_fsset labels;
	kb_nameref_cfg *nameref;
	size_t nnameref, capnameref;
	/* false while the config holds only kustomize's defaults: merging
	 * such a config adds nothing, so it is skipped (a tree of hundreds
	 * of kustomizations would otherwise merge the defaults each time). */
	bool custom;
} kb_tconfig;

/* Fills cfg with kustomize's default field specs. */
void kb_tconfig_init_defaults(kb_tconfig *cfg);
/* An empty config (for merging into). */
void kb_tconfig_init_empty(kb_tconfig *cfg);
/* Adds a TransformerConfig document (the `configurations:` file form). */
kb_error *kb_tconfig_add_doc(kb_tconfig *cfg, const kb_node *doc, const char *file);
void kb_tconfig_merge(kb_tconfig *dst, const kb_tconfig *src);
/* Adds one name reference: objects of gvk are referred to at fs. */
void kb_tconfig_add_nameref(kb_tconfig *cfg, const char *group, const char *version,
			    const char *kind, const kb_fieldspec *fs);
void kb_tconfig_free(kb_tconfig *cfg);

#endif
