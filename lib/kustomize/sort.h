/*
 * sort.h - output order: kustomize's legacy kind order (the default),
 * sortOptions' custom orderFirst/orderLast, or fifo (as loaded).
 */
#ifndef KB_SORT_H
#define KB_SORT_H

#include "diag.h"
#include "kbuild.h"
#include "node.h"
#include "resource.h"

/* Sorts m in place.  sort_options is the top kustomization's
 * `sortOptions` (may be NULL); reorder the --reorder flag. */
kb_error *kb_sort_resources(kb_resmap *m, const kb_node *sort_options, kb_reorder reorder,
			    const char *file);

#endif
