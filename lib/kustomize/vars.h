/*
 * vars.h - legacy `vars`: $(NAME) references in the var-reference field
 * specs, resolved once at the top level after name references.
 *
 * kustomize binds each var to its resource when the kustomization that
 * declares it is merged (ResAccumulator.MergeVars): the objref is matched
 * against the resources accumulated so far, by any id they ever had, so a
 * var keeps pointing at "its" resource even when a sibling base later
 * contributes another object with the same original name.  The
 * accumulated list (acc_vars) is private to this module: a KB_SEQ of
 * normalised var records that callers only move between accumulators.
 */
#ifndef KB_VARS_H
#define KB_VARS_H

#include "diag.h"
#include "resource.h"
#include "schema.h"
#include "tconfig.h"

/* Adds the `vars` of one kustomization (file for messages) to the
 * accumulated list (a KB_SEQ owned by the accumulator); duplicate names
 * are an error, as in kustomize.  Without the resources at hand the vars
 * are bound at resolve time instead (see kb_vars_merge_bind). */
kb_error *kb_vars_merge(kb_node *acc_vars, const kb_node *vars, const char *file);
/* kb_vars_merge plus kustomize's binding: each var is tied to the one
 * resource of m (the accumulator's resources at the time the
 * kustomization's vars are merged) its objref matches by any id; more
 * than one match is an error, none leaves the var unresolvable. */
kb_error *kb_vars_merge_bind(kb_node *acc_vars, const kb_node *vars, const char *file,
			     const kb_resmap *m, const kb_schema *s);
/* Resolves every $(VAR) in m; unused vars produce a warning. */
kb_error *kb_vars_resolve(kb_resmap *m, const kb_schema *s, const kb_node *acc_vars,
			  const kb_tconfig *cfg, kb_warnings *warn);

/* kustomize's expansion of one string (refvar.DoReplacements):
 * $(NAME) is replaced by vars[NAME] (a map of scalar nodes), "$$" is
 * "$", and an unknown or non-scalar var is left as written.  A string
 * that is exactly one $(NAME) takes the value's type.  counts, when not
 * NULL, has one slot per pair of vars, incremented for every replacement.
 * Returns a new node (caller frees). */
kb_node *kb_vars_expand(const char *in, size_t len, const kb_node *vars, size_t *counts);

#endif
