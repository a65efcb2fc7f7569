/*
 * target.h - one kustomization level, kustomize's KustTarget: resources,
 * generators, components, then the builtin transformers in kustomize's
 * fixed order, recursing depth-first into bases.
 *
 * The accumulator (kustomize's ResAccumulator) carries resources and the
 * merged transformer config up the tree; components share their parent's.
 */
#ifndef KB_TARGET_H
#define KB_TARGET_H

#include "acc.h"

/* Builds the kustomization in dir (absolute, canonical) into acc. */
kb_error *kb_target_run(kb_ctx *ctx, const char *dir, kb_acc *acc, bool component);

/* kb_target_run for a resource base (not a component): the function the
 * top of a build stores in kb_ctx.build_dir. */
kb_error *kb_target_build_base(kb_ctx *ctx, const char *dir, kb_acc *acc);

#endif
