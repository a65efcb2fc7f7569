/*
 * varsub.c - post-build substitution (varsub.h).
 */
#include "varsub.h"
#include "emit.h"
#include "envsubst.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>

#define SUBST_KEY "kustomize.toolkit.fluxcd.io/substitute"

void kb_flux_vars_set(kb_flux_vars *v, const char *name, const char *value, const char *origin)
{
	char *val = kb_xmalloc(strlen(value) + 1);
	size_t o = 0;
	for (const char *c = value; *c; c++)
		if (*c != '\n')
			val[o++] = *c;
	val[o] = '\0';
	for (size_t i = 0; i < v->names.n; i++)
		if (strcmp(v->names.v[i], name) == 0) {
			free(v->values.v[i]);
			v->values.v[i] = val;
			free(v->origins.v[i]);
			v->origins.v[i] = kb_xstrdup(origin ? origin : "");
			return;
		}
	kb_strv_push(&v->names, name);
	kb_strv_push_owned(&v->values, val);
	kb_strv_push(&v->origins, origin ? origin : "");
}

void kb_flux_vars_free(kb_flux_vars *v)
{
	kb_strv_free(&v->names);
	kb_strv_free(&v->values);
	kb_strv_free(&v->origins);
	memset(v, 0, sizeof(*v));
}

bool kb_flux_subst_disabled(const kb_node *doc)
{
	const char *l = kb_node_get_str(doc, "metadata", "labels", SUBST_KEY, NULL);
	const char *a = kb_node_get_str(doc, "metadata", "annotations", SUBST_KEY, NULL);
	return kb_streq(l, "disabled") || kb_streq(a, "disabled");
}

/* ^[_[:alpha:]][_[:alpha:][:digit:]]*$ */
static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (const char *c = s; *c; c++) {
		bool alpha = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_';
		bool digit = *c >= '0' && *c <= '9';
		if (!alpha && !(digit && c != s))
			return false;
	}
	return true;
}

typedef struct lookup_ctx {
	const kb_flux_vars *vars;
} lookup_ctx;

static int lookup(void *p, const char *name, const char **value)
{
	lookup_ctx *c = p;
	for (size_t i = 0; i < c->vars->names.n; i++)
		if (strcmp(c->vars->names.v[i], name) == 0) {
			*value = c->vars->values.v[i];
			return KB_ENVSUBST_SET;
		}
	if (c->vars->unknown_possible)
		return KB_ENVSUBST_UNKNOWN;
	return KB_ENVSUBST_UNSET;
}

/* Finds the first key or string value whose own expansion fails, for a
 * message that names the field. */
static const kb_node *locate(const kb_node *n, lookup_ctx *lc, bool strict, kb_buf *path,
			     char **var)
{
	if (n->kind == KB_MAP) {
		for (size_t i = 0; i < n->n; i++) {
			size_t mark = path->len;
			if (path->len)
				kb_buf_putc(path, '.');
			kb_buf_puts(path, n->pairs[i].key);
			kb_envsubst_error err = { 0 };
			const char *k = n->pairs[i].key;
			char *r = strstr(k, "${") ? kb_envsubst(k, strlen(k), lookup, lc, strict, NULL, &err, NULL)
						 : NULL;
			if (strstr(k, "${") && !r) {
				*var = err.var;
				return n->pairs[i].val; /* the key's own position is on the pair */
			}
			free(r);
			const kb_node *f = locate(n->pairs[i].val, lc, strict, path, var);
			if (f)
				return f;
			path->len = mark;
			if (path->data)
				path->data[mark] = '\0';
		}
		return NULL;
	}
	if (n->kind == KB_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			size_t mark = path->len;
			kb_buf_printf(path, "[%zu]", i);
			const kb_node *f = locate(n->items[i], lc, strict, path, var);
			if (f)
				return f;
			path->len = mark;
			if (path->data)
				path->data[mark] = '\0';
		}
		return NULL;
	}
	if (n->kind != KB_STR || !strstr(n->str, "${"))
		return NULL;
	kb_envsubst_error err = { 0 };
	char *r = kb_envsubst(n->str, n->len, lookup, lc, strict, NULL, &err, NULL);
	if (r) {
		free(r);
		return NULL;
	}
	*var = err.var;
	return n;
}

kb_error *kb_flux_substitute(kb_node **doc, const kb_flux_vars *vars, bool strict,
			     const char *what, const char *file, kb_strv *unknown_used)
{
	for (size_t i = 0; i < vars->names.n; i++)
		if (!valid_name(vars->names.v[i]))
			return kb_error_new(NULL, 0, 0,
					    "post-build substitution: '%s' var name is invalid, must "
					    "match '^[_[:alpha:]][_[:alpha:][:digit:]]*$' (from %s)",
					    vars->names.v[i], vars->origins.v[i]);
	kb_buf text = KB_BUF_INIT;
	kb_error *e = kb_emit_doc(&text, *doc);
	if (e) {
		kb_buf_free(&text);
		return e;
	}
	lookup_ctx lc = { vars };
	kb_envsubst_error err = { 0 };
	size_t outlen = 0;
	char *out = kb_envsubst(text.data ? text.data : "", text.len, lookup, &lc, strict, &outlen,
				&err, unknown_used);
	kb_buf_free(&text);
	if (!out) {
		kb_buf path = KB_BUF_INIT;
		char *var = NULL;
		lookup_ctx quiet = { vars };
		const kb_node *at = locate(*doc, &quiet, strict, &path, &var);
		const char *field = path.data ? path.data : "";
		if (err.var)
			e = kb_error_new(at && at->line ? file : NULL, at ? at->line : 0,
					 at ? at->col : 0,
					 "post-build substitution: variable '%s' is not set (strict "
					 "mode) in %s%s%s; set it in postBuild.substitute or "
					 "substituteFrom, or give a default: ${%s:=value}",
					 err.var, what, *field ? ", field " : "", field, err.var);
		else
			e = kb_error_new(at && at->line ? file : NULL, at ? at->line : 0,
					 at ? at->col : 0,
					 "post-build substitution: %s in %s%s%s (write $${ for a "
					 "literal ${)",
					 err.msg, what, *field ? ", field " : "", field);
		free(var);
		free(err.var);
		kb_buf_free(&path);
		return e;
	}
	/* read back as sigs.k8s.io/yaml does: goyaml.v2, YAML 1.1 */
	kb_parse_limits lim = { 0 };
	lim.yaml11_bools = true;
	lim.keep_timestamps = true;
	kb_node **docs = NULL;
	size_t nd = 0;
	char *name = kb_xasprintf("%s (after post-build substitution)", what);
	e = kb_yaml_parse(name, out, outlen, &lim, &docs, &nd);
	free(name);
	free(out);
	if (e)
		return kb_error_note(e, file, 0, 0,
				     "post-build substitution turned %s into invalid YAML (a value "
				     "with ': ' or a newline? quote the variable)",
				     what);
	if (nd == 0 || docs[0]->kind != KB_MAP) {
		kb_docs_free(docs, nd);
		return kb_error_new(file, 0, 0,
				    "post-build substitution turned %s into something that is not "
				    "an object",
				    what);
	}
	kb_node_free(*doc);
	*doc = docs[0];
	for (size_t i = 1; i < nd; i++)
		kb_node_free(docs[i]);
	free(docs);
	return NULL;
}
