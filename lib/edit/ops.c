/*
 * ops.c - helpers of the edit operations (ops.h).
 */
#include "ops.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

ed_node *op_get(const ed_node *m, const char *name)
{
	return ed_map_get_ci(m, name);
}

const char *op_str(const ed_node *m, const char *name)
{
	const ed_node *v = op_get(m, name);
	return v && v->kind == ED_SCALAR && v->type != KB_NULL ? v->str : "";
}

ed_node *op_list(ed_node *m, const char *name)
{
	ed_pair *p = ed_map_pair_ci(m, name);
	if (!p) {
		ed_node *s = ed_new_seq();
		ed_map_append(m, name, s);
		return s;
	}
	if (p->val->kind != ED_SEQ) {
		ed_node *s = ed_new_seq();
		ed_pair_set(p, s);
		return s;
	}
	if (p->val->n == 0)
		p->val->flow = false;
	return p->val;
}

ed_node *op_map(ed_node *m, const char *name)
{
	ed_pair *p = ed_map_pair_ci(m, name);
	if (!p) {
		ed_node *s = ed_new_map();
		ed_map_append(m, name, s);
		return s;
	}
	if (p->val->kind != ED_MAP) {
		ed_node *s = ed_new_map();
		ed_pair_set(p, s);
		return s;
	}
	if (p->val->n == 0)
		p->val->flow = false;
	return p->val;
}

void op_set_str(ed_node *m, const char *name, const char *value, size_t insert_at)
{
	ed_pair *p = ed_map_pair_ci(m, name);
	if (p) {
		if (p->val->kind == ED_SCALAR) {
			if (p->val->type != KB_STR || strcmp(p->val->str, value) != 0)
				ed_set_scalar(p->val, value, KB_STR);
		} else {
			ed_pair_set(p, ed_new_str(value));
		}
		return;
	}
	if (insert_at == (size_t)-1)
		ed_map_append(m, name, ed_new_str(value));
	else
		ed_map_insert(m, insert_at, name, ed_new_str(value));
}

static bool keys_sorted(const ed_node *m)
{
	for (size_t i = 1; i < m->n; i++)
		if (strcmp(m->pairs[i - 1].key->str, m->pairs[i].key->str) > 0)
			return false;
	return true;
}

void op_set_map_entry(ed_node *m, const char *key, const char *value)
{
	ed_pair *p = ed_map_pair(m, key);
	if (p) {
		if (p->val->kind != ED_SCALAR)
			ed_pair_set(p, ed_new_str(value));
		else if (p->val->type != KB_STR || strcmp(p->val->str, value) != 0)
			ed_set_scalar(p->val, value, KB_STR);
		return;
	}
	size_t at = m->n;
	if (keys_sorted(m)) {
		at = 0;
		while (at < m->n && strcmp(m->pairs[at].key->str, key) < 0)
			at++;
	}
	ed_map_insert(m, at, key, ed_new_str(value));
}

bool op_del(ed_node *m, const char *name)
{
	bool any = false;
	ed_pair *p;
	while ((p = ed_map_pair_ci(m, name)) != NULL) {
		ed_map_remove(m, ed_map_index(m, p));
		any = true;
	}
	return any;
}

void op_drop_empty(ed_node *m, const char *name)
{
	ed_pair *p = ed_map_pair_ci(m, name);
	if (!p)
		return;
	if (ed_is_null(p->val) || (p->val->kind != ED_SCALAR && p->val->n == 0))
		ed_map_remove(m, ed_map_index(m, p));
}

size_t op_sorted_pos(const ed_node *list, const char *name)
{
	for (size_t i = 1; i < list->n; i++)
		if (strcmp(op_str(list->items[i - 1], "name"), op_str(list->items[i], "name")) > 0)
			return list->n;
	size_t at = 0;
	while (at < list->n && strcmp(op_str(list->items[at], "name"), name) <= 0)
		at++;
	return at;
}

bool op_list_has(const ed_node *list, const char *s)
{
	if (!list || list->kind != ED_SEQ)
		return false;
	for (size_t i = 0; i < list->n; i++)
		if (ed_is_str(list->items[i], s))
			return true;
	return false;
}

kb_error *op_kv(const char *arg, const char *kind, char **key, char **value)
{
	const char *c = strchr(arg, ':');
	if (c == arg)
		return ed_usage("invalid %s: '%s' (need k:v pair where v may be quoted)", kind, arg);
	if (!c) {
		*key = kb_xstrdup(arg);
		*value = kb_xstrdup("");
		return NULL;
	}
	*key = kb_xstrndup(arg, (size_t)(c - arg));
	const char *v = c + 1;
	size_t l = strlen(v);
	if (l >= 2 && v[0] == '"' && v[l - 1] == '"')
		*value = kb_xstrndup(v + 1, l - 2);
	else
		*value = kb_xstrdup(v);
	return NULL;
}

/* [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])? of at most max bytes */
static bool qualified_name(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max)
		return false;
	if (!isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

static bool dns_subdomain(const char *s, size_t len)
{
	if (len == 0 || len > 253)
		return false;
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != '.')
			j++;
		if (j == i)
			return false;
		for (size_t k = i; k < j; k++)
			if (!(islower((unsigned char)s[k]) || isdigit((unsigned char)s[k]) || s[k] == '-'))
				return false;
		if (s[i] == '-' || s[j - 1] == '-')
			return false;
		i = j + 1;
		if (j == len - 1)
			return false;
	}
	return true;
}

bool op_valid_label_key(const char *s)
{
	const char *slash = strchr(s, '/');
	if (slash) {
		if (!dns_subdomain(s, (size_t)(slash - s)))
			return false;
		s = slash + 1;
	}
	return qualified_name(s, strlen(s), 63);
}

bool op_valid_label_value(const char *s)
{
	size_t l = strlen(s);
	return l == 0 || qualified_name(s, l, 63);
}

bool op_valid_dns_label(const char *s)
{
	size_t l = strlen(s);
	if (l == 0 || l > 63)
		return false;
	for (size_t i = 0; i < l; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return false;
	return s[0] != '-' && s[l - 1] != '-';
}

char *op_go_slice(const char *const *v, size_t n)
{
	kb_buf b = KB_BUF_INIT;
	kb_buf_putc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			kb_buf_putc(&b, ' ');
		kb_buf_puts(&b, v[i]);
	}
	kb_buf_putc(&b, ']');
	return kb_buf_detach(&b);
}
