/*
 * vars.h - legacy `vars`: $(NAME) references in the var-reference field
 * specs, resolved once at the top level after name references.
 */
#ifndef KB_VARS_H
#define KB_VARS_H

#include "diag.h"
#include "resource.h"
#include "schema.h"
#include "tconfig.h"

/* Adds the `vars` of one kustomization (file for messages) to the
 * accumulated list (a KB_SEQ owned by the accumulator); duplicate names
 * are an error, as in kustomize. */
kb_error *kb_vars_merge(kb_node *acc_vars, const kb_node *vars, const char *file);
/* Resolves every $(VAR) in m; unused vars produce a warning. */
kb_error *kb_vars_resolve(kb_resmap *m, const kb_schema *s, const kb_node *acc_vars,
			  const kb_tconfig *cfg, kb_warnings *warn);

#endif
