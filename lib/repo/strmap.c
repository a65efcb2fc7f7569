/* strmap.c - see strmap.h. */
#include "strmap.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ^ (h >> 29);
}

kb_strmap_slot *kb_strmap_get(const kb_strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t j = hash_str(key) & (m->cap - 1);
	while (m->s[j].key) {
		if (strcmp(m->s[j].key, key) == 0)
			return &m->s[j];
		j = (j + 1) & (m->cap - 1);
	}
	return NULL;
}

kb_strmap_slot *kb_strmap_put(kb_strmap *m, const char *key, bool *created)
{
	kb_strmap_slot *s = kb_strmap_get(m, key);
	if (created)
		*created = !s;
	if (s)
		return s;
	if ((m->n + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64;
		kb_strmap_slot *ns = kb_xcalloc(ncap, sizeof(*ns));
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->s[i].key)
				continue;
			size_t j = hash_str(m->s[i].key) & (ncap - 1);
			while (ns[j].key)
				j = (j + 1) & (ncap - 1);
			ns[j] = m->s[i];
		}
		free(m->s);
		m->s = ns;
		m->cap = ncap;
	}
	size_t j = hash_str(key) & (m->cap - 1);
	while (m->s[j].key)
		j = (j + 1) & (m->cap - 1);
	m->s[j].key = kb_xstrdup(key);
	m->s[j].val = NULL;
	m->s[j].len = 0;
	m->n++;
	return &m->s[j];
}

void kb_strmap_free(kb_strmap *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->s[i].key)
			continue;
		free(m->s[i].key);
		if (free_val)
			free_val(m->s[i].val);
	}
	free(m->s);
	memset(m, 0, sizeof(*m));
}
