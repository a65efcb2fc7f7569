/*
 * patch.h - the patch transformers of a kustomization: loading patch
 * text (file or inline), telling strategic-merge from JSON 6902 as
 * kustomize does, selecting targets, and applying patch_smp / patch_json
 * to them.
 *
 *   patchesStrategicMerge  runs first (PatchStrategicMergeTransformer)
 *   patches                runs second (PatchTransformer)
 *   patchesJson6902        runs after labels and annotations
 */
#ifndef KB_PATCH_H
#define KB_PATCH_H

#include "diag.h"
#include "fs.h"
#include "kustfile.h"
#include "resource.h"
#include "acc.h"

kb_error *kb_patch_strategic_merge_list(kb_ctx *ctx, kb_resmap *m, const kb_kust *k,
					const kb_loader *ld);
kb_error *kb_patch_patches(kb_ctx *ctx, kb_resmap *m, const kb_kust *k, const kb_loader *ld);
kb_error *kb_patch_json6902_list(kb_ctx *ctx, kb_resmap *m, const kb_kust *k,
				 const kb_loader *ld);

/* One `patches`-style entry (path|patch, target, options), as the
 * builtin PatchTransformer takes it; used by the field and by plugin
 * configs. */
kb_error *kb_patch_apply_entry(kb_ctx *ctx, kb_resmap *m, const kb_node *entry,
			       const kb_loader *ld, const char *where);

#endif
