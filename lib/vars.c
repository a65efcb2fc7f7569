/* Placeholder until the vars module lands.  NOT the real
 * implementation: it refuses any var. */
#include "vars.h"

kb_error *kb_vars_merge(kb_node *acc_vars, const kb_node *vars, const char *file)
{
	(void)acc_vars;
	if (!vars || vars->kind != KB_SEQ || vars->n == 0)
		return NULL;
	return kb_error_new(file, vars->line, vars->col, "'vars' is not supported yet");
}

kb_error *kb_vars_resolve(kb_resmap *m, const kb_schema *s, const kb_node *acc_vars,
			  const kb_tconfig *cfg, kb_warnings *warn)
{
	(void)m;
	(void)s;
	(void)acc_vars;
	(void)cfg;
	(void)warn;
	return NULL;
}
