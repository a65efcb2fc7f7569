/*
 * hooks.c - calling the optional build hooks (hooks.h).
 */
#include "hooks.h"

kb_error *kb_hooks_parse(const kb_build_hooks *h, const char *path, const char *display,
			 const char *buf, size_t len, const kb_parse_limits *lim,
			 struct kb_pool *pool, kb_node ***docs, size_t *ndocs)
{
	if (h && h->parse && path)
		return h->parse(h->ud, path, display, buf, len, lim, docs, ndocs);
	return kb_yaml_parse_on(display, buf, len, lim, pool, docs, ndocs);
}
