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
	/* true for a config that holds nothing yet (an accumulator before
	 * its first kustomization's config is merged in) */
	bool empty;
} kb_tconfig;

/* Fills cfg with kustomize's default field specs. */
void kb_tconfig_init_defaults(kb_tconfig *cfg);
/* An empty config (for merging into); empty is set. */
void kb_tconfig_init_empty(kb_tconfig *cfg);
/* Adds a TransformerConfig document (the `configurations:` file form).
 * Add every document first, then kb_tconfig_add_defaults: kustomize
 * merges the defaults into the custom config, so a custom spec for a
 * path hides the general default for that path. */
kb_error *kb_tconfig_add_doc(kb_tconfig *cfg, const kb_node *doc, const char *file);
void kb_tconfig_add_defaults(kb_tconfig *cfg);
/* kustomize's TransformerConfig.Merge (dst first, then src). */
void kb_tconfig_merge(kb_tconfig *dst, const kb_tconfig *src);
/* Adds one name reference: objects of gvk are referred to at fs. */
void kb_tconfig_add_nameref(kb_tconfig *cfg, const char *group, const char *version,
			    const char *kind, const kb_fieldspec *fs);
void kb_tconfig_free(kb_tconfig *cfg);

#endif
