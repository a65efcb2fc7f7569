/*
 * gen.h - kustomize-controller's kustomization generator
 * (fluxcd/pkg/kustomize Generator.GenerateManifest), in memory.
 *
 * For the directory a Flux Kustomization builds it finds the
 * kustomization file or, when there is none, generates one listing every
 * .yaml/.yml file below it (a subdirectory holding a kustomization is
 * listed as a directory and not entered), and then lays the Flux spec
 * over it in the controller's order: targetNamespace (namespace),
 * namePrefix, nameSuffix, patches, components (ignoreMissingComponents),
 * patchesStrategicMerge, patchesJson6902 (v1beta2), images (merged by
 * name), buildMetadata.  The existing file goes through Go's non-strict
 * decoding into kustomize's type first: unknown fields are dropped, and a
 * file without resources gets buildMetadata [originAnnotations].
 *
 * Ownership: kb_flux_gen_free releases what kb_flux_generate filled in.
 */
#ifndef KB_FLUX_GEN_H
#define KB_FLUX_GEN_H

#include "diag.h"
#include "kbuild.h"
#include "node.h"
#include "parse.h"
#include "util.h"

typedef struct kb_flux_gen {
	char *kfile;    /* absolute path of the kustomization file */
	bool created;   /* generated: the directory had none */
	/* The content kustomize-controller builds from, or NULL when it is
	 * the file on disk unchanged (then no overlay is needed). */
	char *data;
	size_t len;
	kb_node *doc;   /* the resulting kustomization (owned) */
	kb_strv dropped; /* fields the controller's decoding drops */
	kb_strv notes;   /* what the spec changed, for messages ("targetNamespace", ...) */
	/* subtrees of doc that came from the Flux spec (positions in ks_file) */
	const kb_node **from_spec;
	size_t nfrom_spec;
	kb_node *reparsed; /* data parsed again, for kb_flux_gen_map_pos */
} kb_flux_gen;

enum { KB_GEN_POS_NONE = 0, KB_GEN_POS_KFILE = 1, KB_GEN_POS_SPEC = 2 };

/* Maps a position in the laid-over file (g->data) to where its content
 * came from: the original kustomization file (KB_GEN_POS_KFILE), the
 * Flux Kustomization object (KB_GEN_POS_SPEC), or nowhere (generated
 * content, or a position not found: KB_GEN_POS_NONE). */
int kb_flux_gen_map_pos(kb_flux_gen *g, unsigned line, unsigned col, unsigned *oline,
			unsigned *ocol);

/* Generates for dir (absolute, read through fs: the source's view) from
 * the Flux Kustomization object ks (spec read from it; ks_file names it in
 * errors). */
kb_error *kb_flux_generate(const kb_fs *fs, const char *dir, const kb_node *ks,
			   const char *ks_file, const kb_parse_limits *lim, kb_flux_gen *out);
void kb_flux_gen_free(kb_flux_gen *g);

/* kustomize.IsLocalRelativePath */
bool kb_flux_is_local_relative(const char *path);

#endif
