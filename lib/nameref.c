/* Placeholder until the name-reference module lands: performs no
 * rewrites.  NOT the real implementation. */
#include "nameref.h"

kb_error *kb_nameref_fix(kb_resmap *m, const kb_schema *s, const kb_tconfig *cfg)
{
	(void)m;
	(void)s;
	(void)cfg;
	return NULL;
}
