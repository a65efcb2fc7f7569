/* Placeholder until the plugin module lands.  NOT the real
 * implementation: it refuses any plugin config. */
#include "plugin.h"

kb_error *kb_plugins_run(kb_ctx *ctx, kb_acc *acc, const kb_kust *k, const kb_loader *ld,
			 const char *field)
{
	(void)ctx;
	(void)acc;
	(void)ld;
	const kb_node *v = kb_map_get(k->doc, field);
	if (!v || v->kind != KB_SEQ || v->n == 0)
		return NULL;
	return kb_error_new(k->display, v->line, v->col, "'%s' is not supported yet", field);
}
