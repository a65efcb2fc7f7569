/* Placeholder until the replacements module lands.  NOT the real
 * implementation: it refuses any replacement. */
#include "replace.h"

kb_error *kb_replacements_apply(kb_ctx *ctx, kb_resmap *m, const kb_node *list,
				const kb_loader *ld, const char *file)
{
	(void)ctx;
	(void)m;
	(void)ld;
	if (!list || list->kind != KB_SEQ || list->n == 0)
		return NULL;
	return kb_error_new(file, list->line, list->col, "'replacements' is not supported yet");
}
