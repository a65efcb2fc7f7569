/*
 * fix.h - `edit fix --vars`: vars to replacements (fixvars.c).
 */
#ifndef KB_EDIT_FIX_H
#define KB_EDIT_FIX_H

#include "session.h"

/* kustomize's ConvertVarsToReplacements on t's model: every var becomes
 * a replacement whose targets are the fields of the resource and patch
 * files that mention $(VAR), and those mentions become VAR_PLACEHOLDER
 * in the files (staged with ed_tx_file). */
kb_error *ed_fix_vars(ed_tx *t);

#endif
