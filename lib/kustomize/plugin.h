/*
 * plugin.h - the `generators:`, `transformers:` and `validators:` fields:
 * builtin plugin configs (apiVersion: builtin, kind: PatchTransformer,
 * ...) given as files, inline YAML, or kustomization directories whose
 * output is a list of such configs.
 */
#ifndef KB_PLUGIN_H
#define KB_PLUGIN_H

#include "diag.h"
#include "fs.h"
#include "kustfile.h"
#include "acc.h"

/* field: "generators", "transformers" or "validators". */
kb_error *kb_plugins_run(kb_ctx *ctx, kb_acc *acc, const kb_kust *k, const kb_loader *ld,
			 const char *field);

#endif
