/*
 * vars.c - kustomize's legacy `vars` (api/types/var.go,
 * api/internal/accumulator: MergeVars and ResolveVars, api/filters/refvar).
 *
 * Each accumulated var is a normalised record (a KB_MAP) so that the
 * order-sensitive parts of kustomize can be replayed at the top level:
 *
 *   name, group, version, kind, objname, namespace, fieldPath, file
 *   bind      absent: merged without resources, match at resolve time;
 *             null:   nothing matched when merged (kustomize then fails);
 *             map:    {orig: id, cur: id} of the resource matched when
 *                     merged, found again at resolve time by its original
 *                     id plus the id it had then.
 *
 * The record keeps the line and column of the var in its kustomization.
 */
#include "vars.h"
#include "fieldspec.h"
#include "util.h"
#include "suggest.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- reading a var as kustomize's JSON decoder would ---- */

/* Go's encoding/json matches field names case-insensitively and lets the
 * last of several spellings win. */
static const kb_pair *get_ci(const kb_node *map, const char *key)
{
	const kb_pair *found = NULL;
	for (size_t i = 0; map && map->kind == KB_MAP && i < map->n; i++)
		if (strcasecmp(map->pairs[i].key, key) == 0)
			found = &map->pairs[i];
	return found;
}

static const char *kind_word(const kb_node *n)
{
	switch (n->kind) {
	case KB_NULL:
		return "null";
	case KB_BOOL:
		return "bool";
	case KB_INT:
	case KB_FLOAT:
		return "number";
	case KB_SEQ:
		return "array";
	case KB_MAP:
		return "object";
	default:
		return "string";
	}
}

/* Unknown fields are an error: kustomize decodes kustomizations with
 * DisallowUnknownFields. */
static kb_error *check_keys(const kb_node *map, const char *const *allowed, const char *what,
			    const char *file)
{
	for (size_t i = 0; i < map->n; i++) {
		size_t k;
		for (k = 0; allowed[k]; k++)
			if (strcasecmp(map->pairs[i].key, allowed[k]) == 0)
				break;
		if (!allowed[k]) {
			char *hint = kb_suggest_among(map->pairs[i].key, allowed);
			kb_error *e = kb_error_new(file, map->pairs[i].line, map->pairs[i].col,
						   "invalid Kustomization: json: unknown field \"%s\" "
						   "in %s%s",
						   map->pairs[i].key, what, hint);
			free(hint);
			return e;
		}
	}
	return NULL;
}

/* A string field; absent and null read as "". */
static kb_error *str_field(const kb_node *map, const char *key, const char *what,
			   const char *file, char **out)
{
	const kb_pair *p = get_ci(map, key);
	*out = NULL;
	if (!p || p->val->kind == KB_NULL) {
		*out = kb_xstrdup("");
		return NULL;
	}
	if (p->val->kind != KB_STR)
		return kb_error_new(file, p->val->line, p->val->col,
				    "invalid Kustomization: json: cannot unmarshal %s into Go "
				    "struct field %s.%s of type string",
				    kind_word(p->val), what, key);
	*out = kb_xstrndup(p->val->str, p->val->len);
	return NULL;
}

/* A nested struct field; absent and null read as empty. */
static kb_error *map_field(const kb_node *map, const char *key, const char *what,
			   const char *file, const kb_node **out)
{
	const kb_pair *p = get_ci(map, key);
	*out = NULL;
	if (!p || p->val->kind == KB_NULL)
		return NULL;
	if (p->val->kind != KB_MAP)
		return kb_error_new(file, p->val->line, p->val->col,
				    "invalid Kustomization: json: cannot unmarshal %s into Go "
				    "struct field %s.%s of type types.%s",
				    kind_word(p->val), what, key,
				    strcasecmp(key, "objref") == 0 ? "Target" : "FieldSelector");
	*out = p->val;
	return NULL;
}

static void rec_set(kb_node *rec, const char *key, char *owned)
{
	kb_map_set(rec, key, kb_node_new_str(owned));
	free(owned);
}

static const char *rec_str(const kb_node *rec, const char *key)
{
	const char *s = kb_map_get_str(rec, key);
	return s ? s : "";
}

/* Builds the normalised record of one var, with kustomize's defaulting:
 * fieldPath metadata.name, and apiVersion (when set) split into group
 * and version as Target.GVK() does. */
static kb_error *parse_var(const kb_node *v, const char *file, kb_node **out)
{
	static const char *const var_keys[] = { "name", "objref", "fieldref", NULL };
	static const char *const ref_keys[] = { "apiVersion", "group", "version", "kind",
						"name", "namespace", NULL };
	static const char *const fsel_keys[] = { "fieldPath", NULL };
	*out = NULL;
	if (v->kind != KB_MAP)
		return kb_error_new(file, v->line, v->col,
				    "invalid Kustomization: json: cannot unmarshal %s into Go "
				    "value of type types.Var",
				    kind_word(v));
	kb_error *e = check_keys(v, var_keys, "types.Var", file);
	const kb_node *ref = NULL, *fsel = NULL;
	if (!e)
		e = map_field(v, "objref", "Var", file, &ref);
	if (!e)
		e = map_field(v, "fieldref", "Var", file, &fsel);
	if (!e && ref)
		e = check_keys(ref, ref_keys, "types.Target", file);
	if (!e && fsel)
		e = check_keys(fsel, fsel_keys, "types.FieldSelector", file);
	if (e)
		return e;

	char *name, *av = NULL, *group = NULL, *version = NULL, *kind = NULL, *objname = NULL,
		    *ns = NULL, *fp = NULL;
	e = str_field(v, "name", "Var", file, &name);
	if (!e)
		e = str_field(ref, "apiVersion", "Var.objref", file, &av);
	if (!e)
		e = str_field(ref, "group", "Var.objref", file, &group);
	if (!e)
		e = str_field(ref, "version", "Var.objref", file, &version);
	if (!e)
		e = str_field(ref, "kind", "Var.objref", file, &kind);
	if (!e)
		e = str_field(ref, "name", "Var.objref", file, &objname);
	if (!e)
		e = str_field(ref, "namespace", "Var.objref", file, &ns);
	if (!e)
		e = str_field(fsel, "fieldPath", "Var.fieldref", file, &fp);
	if (e) {
		free(name);
		free(av);
		free(group);
		free(version);
		free(kind);
		free(objname);
		free(ns);
		free(fp);
		return e;
	}
	if (*av) {
		/* strings.Split: "g/v" sets both, "v" only the version, and
		 * anything with more slashes neither. */
		const char *slash = strchr(av, '/');
		if (!slash) {
			free(version);
			version = kb_xstrdup(av);
		} else if (!strchr(slash + 1, '/')) {
			free(group);
			free(version);
			group = kb_xstrndup(av, (size_t)(slash - av));
			version = kb_xstrdup(slash + 1);
		}
	}
	free(av);
	if (!*fp) {
		free(fp);
		fp = kb_xstrdup("metadata.name");
	}
	kb_node *rec = kb_node_new(KB_MAP);
	rec->line = v->line;
	rec->col = v->col;
	rec_set(rec, "name", name);
	rec_set(rec, "group", group);
	rec_set(rec, "version", version);
	rec_set(rec, "kind", kind);
	rec_set(rec, "objname", objname);
	rec_set(rec, "namespace", ns);
	rec_set(rec, "fieldPath", fp);
	kb_map_set(rec, "file", kb_node_new_str(file ? file : ""));
	*out = rec;
	return NULL;
}

static const char *rec_file(const kb_node *rec)
{
	const char *f = rec_str(rec, "file");
	return *f ? f : NULL;
}

/* ---- matching an objref against resources ---- */

static const char *res_effective_ns(const kb_schema *s, const char *g, const char *v,
				    const char *k, const char *ns)
{
	/* "" never equals an objref's (non-empty) namespace. */
	if (kb_schema_namespaced(s, g, v, k) == 0)
		return "";
	return kb_str_empty(ns) || strcmp(ns, "default") == 0 ? "default" : ns;
}

/* kustomize's idMatcher in MergeVars: GvknEquals, plus the effective
 * namespace when the objref names one.  The objref's own id never counts
 * as cluster-scoped (its Gvk is decoded, not built with NewGvk), so a
 * namespace on a cluster-scoped objref matches nothing. */
static bool id_matches(const kb_schema *s, const kb_node *rec, const char *g, const char *v,
		       const char *k, const char *n, const char *ns)
{
	if (!kb_streq(rec_str(rec, "group"), g) || !kb_streq(rec_str(rec, "version"), v) ||
	    !kb_streq(rec_str(rec, "kind"), k) || !kb_streq(rec_str(rec, "objname"), n))
		return false;
	const char *want = rec_str(rec, "namespace");
	if (!*want)
		return true;
	return strcmp(want, res_effective_ns(s, g, v, k, ns)) == 0;
}

/* GetMatchingResourcesByAnyId: the current id or any previous one. */
static bool res_matches(const kb_schema *s, const kb_resource *r, const kb_node *rec)
{
	kb_resid cur;
	kb_res_id(r, &cur);
	bool m = id_matches(s, rec, cur.group, cur.version, cur.kind, cur.name, cur.ns) ||
		 id_matches(s, rec, r->orig.group, r->orig.version, r->orig.kind, r->orig.name,
			    r->orig.ns);
	for (size_t i = 0; !m && i < r->prev_names.n; i++) {
		const char *k = i < r->prev_kinds.n ? r->prev_kinds.v[i] : cur.kind;
		const char *ns = i < r->prev_ns.n ? r->prev_ns.v[i] : cur.ns;
		m = id_matches(s, rec, cur.group, cur.version, k, r->prev_names.v[i], ns);
	}
	kb_resid_free(&cur);
	return m;
}

static kb_node *id_node(const kb_resid *id)
{
	kb_node *n = kb_node_new(KB_MAP);
	kb_map_set(n, "group", kb_node_new_str(id->group ? id->group : ""));
	kb_map_set(n, "version", kb_node_new_str(id->version ? id->version : ""));
	kb_map_set(n, "kind", kb_node_new_str(id->kind ? id->kind : ""));
	kb_map_set(n, "name", kb_node_new_str(id->name ? id->name : ""));
	kb_map_set(n, "ns", kb_node_new_str(id->ns ? id->ns : ""));
	return n;
}

/* A view of an id node (strings borrowed from it). */
static kb_resid id_view(const kb_node *n)
{
	kb_resid id;
	id.group = (char *)rec_str(n, "group");
	id.version = (char *)rec_str(n, "version");
	id.kind = (char *)rec_str(n, "kind");
	id.name = (char *)rec_str(n, "name");
	id.ns = (char *)rec_str(n, "ns");
	return id;
}

/* Whether r is the resource a var was bound to when merged: the same
 * original id, and it had (or has) the id it had then.  Both together
 * stay unique even after a parent renames its bases' objects. */
static bool res_is_bound(const kb_schema *s, const kb_resource *r, const kb_node *bind)
{
	kb_resid orig = id_view(kb_map_get(bind, "orig"));
	kb_resid cur = id_view(kb_map_get(bind, "cur"));
	return kb_resid_equal(s, &r->orig, &orig) && kb_res_matches_any_id(s, r, &cur);
}

static char *objref_string(const kb_node *rec)
{
	const char *g = rec_str(rec, "group"), *v = rec_str(rec, "version");
	const char *ns = rec_str(rec, "namespace");
	return kb_xasprintf("%s%s%s%s%s '%s'%s%s", g, *g ? "/" : "", v, *v ? "/" : "",
			    rec_str(rec, "kind"), rec_str(rec, "objname"), *ns ? " in namespace " : "",
			    ns);
}

/* ---- merging ---- */

static const kb_node *find_var(const kb_node *list, const char *name)
{
	for (size_t i = 0; list && i < list->n; i++)
		if (list->items[i] && strcmp(rec_str(list->items[i], "name"), name) == 0)
			return list->items[i];
	return NULL;
}

kb_error *kb_vars_merge_bind(kb_node *acc_vars, const kb_node *vars, const char *file,
			     const kb_resmap *m, const kb_schema *s)
{
	if (!vars || vars->kind == KB_NULL)
		return NULL;
	if (vars->kind != KB_SEQ)
		return kb_error_new(file, vars->line, vars->col,
				    "invalid Kustomization: 'vars' must be a list");
	kb_node *recs = kb_node_new(KB_SEQ);
	kb_error *e = NULL;
	for (size_t i = 0; i < vars->n && !e; i++) {
		kb_node *rec;
		e = parse_var(vars->items[i], file, &rec);
		if (!e)
			kb_seq_push(recs, rec);
	}
	/* kustomize matches every var first, then merges them by name. */
	for (size_t i = 0; m && i < recs->n && !e; i++) {
		kb_node *rec = recs->items[i];
		const kb_resource *hit = NULL;
		size_t nhit = 0;
		for (size_t j = 0; j < m->n; j++)
			if (res_matches(s, m->v[j], rec)) {
				if (!hit)
					hit = m->v[j];
				nhit++;
			}
		if (nhit > 1) {
			char *ref = objref_string(rec);
			e = kb_error_new(file, rec->line, rec->col,
					 "found %zu resId matches for var '%s' (%s) (unable to "
					 "disambiguate)",
					 nhit, rec_str(rec, "name"), ref);
			free(ref);
			break;
		}
		if (!hit) {
			kb_map_set(rec, "bind", kb_node_new(KB_NULL));
			continue;
		}
		kb_resid cur;
		kb_res_id(hit, &cur);
		kb_node *bind = kb_node_new(KB_MAP);
		kb_map_set(bind, "orig", id_node(&hit->orig));
		kb_map_set(bind, "cur", id_node(&cur));
		kb_resid_free(&cur);
		kb_map_set(rec, "bind", bind);
	}
	for (size_t i = 0; i < recs->n && !e; i++) {
		const char *name = rec_str(recs->items[i], "name");
		if (find_var(acc_vars, name)) {
			e = kb_error_new(file, recs->items[i]->line, recs->items[i]->col,
					 "var '%s' already encountered", name);
			break;
		}
		kb_seq_push(acc_vars, recs->items[i]);
		recs->items[i] = NULL;
	}
	kb_node_free(recs);
	return e;
}

kb_error *kb_vars_merge(kb_node *acc_vars, const kb_node *vars, const char *file)
{
	return kb_vars_merge_bind(acc_vars, vars, file, NULL, NULL);
}

/* ---- reading the value (kyaml RNode.GetFieldValue) ---- */

/* utils.SmarterPathSplitter on "." then convertSliceIndex: "a\.b" is one
 * key, "[x.y]" the key "x.y", "[k=v.w]" stays a list-element match, and
 * "ports[0]" becomes "ports", "0". */
static void split_fieldpath(const char *path, kb_strv *out)
{
	kb_strv raw = { 0 };
	const char *p = path;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		char *part = kb_xstrndup(p, n);
		if (raw.n && kb_str_has_suffix(raw.v[raw.n - 1], "\\")) {
			char *last = raw.v[raw.n - 1];
			last[strlen(last) - 1] = '\0';
			raw.v[raw.n - 1] = kb_xasprintf("%s.%s", last, part);
			free(last);
			free(part);
		} else {
			kb_strv_push_owned(&raw, part);
		}
		if (!dot)
			break;
		p = dot + 1;
	}
	/* A path may start with the delimiter. */
	size_t start = raw.n > 1 && raw.v[0][0] == '\0' ? 1 : 0;

	kb_strv smart = { 0 };
	for (size_t i = start; i < raw.n; i++) {
		const char *el = raw.v[i];
		if (el[0] != '[' || kb_str_has_suffix(el, "]")) {
			kb_strv_push(&smart, el);
			continue;
		}
		kb_buf b = KB_BUF_INIT;
		kb_buf_puts(&b, el);
		while (i + 1 < raw.n) {
			i++;
			kb_buf_putc(&b, '.');
			kb_buf_puts(&b, raw.v[i]);
			if (kb_str_has_suffix(raw.v[i], "]"))
				break;
		}
		char *joined = kb_buf_detach(&b);
		if (strchr(joined, '=')) {
			kb_strv_push_owned(&smart, joined);
		} else {
			/* strings.Trim(s, "[]") */
			char *s = joined;
			while (*s == '[' || *s == ']')
				s++;
			size_t n = strlen(s);
			while (n && (s[n - 1] == '[' || s[n - 1] == ']'))
				n--;
			kb_strv_push_owned(&smart, kb_xstrndup(s, n));
			free(joined);
		}
	}
	kb_strv_free(&raw);

	for (size_t i = 0; i < smart.n; i++) {
		const char *s = smart.v[i];
		size_t n = strlen(s);
		const char *open = n ? strrchr(s, '[') : NULL;
		bool idx = n > 2 && s[n - 1] == ']' && open && (size_t)(open - s) + 2 < n;
		for (const char *q = open ? open + 1 : s; idx && q < s + n - 1; q++)
			if (*q < '0' || *q > '9')
				idx = false;
		if (!idx) {
			kb_strv_push(out, s);
			continue;
		}
		if (open > s)
			kb_strv_push_owned(out, kb_xstrndup(s, (size_t)(open - s)));
		kb_strv_push_owned(out, kb_xstrndup(open + 1, (size_t)(s + n - 1 - (open + 1))));
	}
	kb_strv_free(&smart);
}

/* kyaml's PathGetter without create: NULL when the path is missing or
 * cannot be walked (kustomize reports both the same way). */
static const kb_node *lookup_path(const kb_node *doc, const char *path)
{
	kb_strv parts = { 0 };
	split_fieldpath(path, &parts);
	const kb_node *cur = doc;
	for (size_t i = 0; i < parts.n && cur; i++) {
		const char *part = parts.v[i];
		size_t pl = strlen(part);
		long long idx;
		if (kb_go_atoi(part, &idx)) {
			if (idx < 0 || cur->kind != KB_SEQ)
				cur = NULL;
			else
				cur = (size_t)idx < cur->n ? cur->items[idx] : NULL;
		} else if (strcmp(part, "-") == 0) {
			cur = cur->kind == KB_SEQ && cur->n ? cur->items[cur->n - 1] : NULL;
		} else if (strcmp(part, "*") == 0) {
			cur = NULL;
		} else if (pl >= 2 && part[0] == '[' && part[pl - 1] == ']') {
			char *inner = kb_xstrndup(part + 1, pl - 2);
			char *eq = strchr(inner, '=');
			const kb_node *found = NULL;
			if (eq && cur->kind == KB_SEQ) {
				*eq = '\0';
				const char *val = eq + 1;
				for (size_t k = 0; k < cur->n && !found; k++) {
					const kb_node *it = cur->items[k];
					const kb_node *f = *inner ? kb_map_get(it, inner) : it;
					if (kb_node_is_scalar(f) && strcmp(kb_node_text(f), val) == 0)
						found = it;
				}
			}
			free(inner);
			cur = found;
		} else {
			cur = cur->kind == KB_MAP ? kb_map_get(cur, part) : NULL;
		}
	}
	kb_strv_free(&parts);
	return cur;
}

/* Go's shortest round-trip digits of v (v finite, non-zero): digits
 * without a point and dp, the position of the point (value is
 * 0.digits * 10^dp). */
static void shortest_digits(double v, char *digits, size_t cap, int *dp)
{
	char buf[64];
	for (int p = 0; p < 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p, fabs(v));
		if (strtod(buf, NULL) == fabs(v))
			break;
	}
	size_t n = 0;
	const char *q = buf;
	for (; *q && *q != 'e'; q++)
		if (*q != '.' && n + 1 < cap)
			digits[n++] = *q;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*dp = atoi(q + 1) + 1;
}

/* strconv.FormatFloat(v, fmt, -1, 64) for fmt 'f' or 'g' ('g' is what
 * fmt's %v prints for a float64). */
static char *go_format_float(double v, char fmt)
{
	if (isnan(v))
		return kb_xstrdup("NaN");
	if (isinf(v))
		return kb_xstrdup(v > 0 ? "+Inf" : "-Inf");
	const char *sign = signbit(v) ? "-" : "";
	if (v == 0)
		return kb_xasprintf("%s0", sign);
	char d[32];
	int dp;
	shortest_digits(v, d, sizeof(d), &dp);
	int nd = (int)strlen(d);
	kb_buf b = KB_BUF_INIT;
	kb_buf_puts(&b, sign);
	int exp = dp - 1;
	if (fmt == 'g' && (exp < -4 || exp >= 6)) {
		kb_buf_putc(&b, d[0]);
		if (nd > 1) {
			kb_buf_putc(&b, '.');
			kb_buf_puts(&b, d + 1);
		}
		kb_buf_printf(&b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
		return kb_buf_detach(&b);
	}
	if (dp <= 0) {
		kb_buf_puts(&b, "0.");
		for (int i = 0; i < -dp; i++)
			kb_buf_putc(&b, '0');
		kb_buf_puts(&b, d);
	} else if (dp >= nd) {
		kb_buf_puts(&b, d);
		for (int i = nd; i < dp; i++)
			kb_buf_putc(&b, '0');
	} else {
		kb_buf_append(&b, d, (size_t)dp);
		kb_buf_putc(&b, '.');
		kb_buf_puts(&b, d + dp);
	}
	return kb_buf_detach(&b);
}

/* strconv.ParseBool */
static int go_parse_bool(const char *s)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False", NULL };
	for (size_t i = 0; t[i]; i++) {
		if (strcmp(s, t[i]) == 0)
			return 1;
		if (strcmp(s, f[i]) == 0)
			return 0;
	}
	return -1;
}

/* The value GetFieldValue returns, as a node the expansion understands:
 * a string, an int or bool in canonical text, a float in the text
 * FormatFloat 'f' gives, or a map/sequence (which kustomize cannot
 * substitute).  NULL when kustomize's conversion fails. */
static kb_node *field_value(const kb_node *n)
{
	const char *text = kb_node_text(n);
	switch (n->kind) {
	case KB_MAP:
	case KB_SEQ:
		return kb_node_new(n->kind);
	case KB_STR:
		return kb_node_new_strn(n->str, n->len);
	case KB_INT: {
		long long v;
		/* strconv.Atoi on the text as written ("0x1F" fails). */
		return kb_go_atoi(text, &v) ? kb_node_new_int(v) : NULL;
	}
	case KB_FLOAT: {
		char *end;
		double v = strtod(text, &end);
		if (end == text || *end || (!isfinite(v) && !strpbrk(text, "iInN")))
			return NULL;
		char *s = go_format_float(v, 'f');
		kb_node *r = kb_node_new_scalar(KB_FLOAT, s);
		free(s);
		return r;
	}
	case KB_BOOL: {
		int b = go_parse_bool(text);
		return b < 0 ? NULL : kb_node_new_bool(b);
	}
	default:
		/* Other tags: the text as written. */
		return kb_node_new_str(text);
	}
}

/* ---- expansion (refvar.DoReplacements) ---- */

static long var_index(const kb_node *vars, const char *name, size_t len)
{
	for (size_t i = 0; vars && i < vars->n; i++)
		if (strlen(vars->pairs[i].key) == len && memcmp(vars->pairs[i].key, name, len) == 0)
			return (long)i;
	return -1;
}

/* The replacement for $(name): the value when it is a primitive, else
 * NULL (the reference stays as written). */
static const kb_node *map_var(const kb_node *vars, const char *name, size_t len,
			      size_t *counts)
{
	long i = var_index(vars, name, len);
	if (i < 0)
		return NULL;
	const kb_node *v = vars->pairs[i].val;
	if (!kb_node_is_scalar(v) || v->kind == KB_NULL)
		return NULL;
	if (counts)
		counts[i]++;
	return v;
}

/* fmt's %v of a mapped value. */
static void put_value(kb_buf *b, const kb_node *v)
{
	if (v->kind == KB_FLOAT) {
		char *s = go_format_float(strtod(v->str, NULL), 'g');
		kb_buf_puts(b, s);
		free(s);
	} else {
		kb_buf_append(b, v->str, v->len);
	}
}

kb_node *kb_vars_expand(const char *in, size_t len, const kb_node *vars, size_t *counts)
{
	kb_buf b = KB_BUF_INIT;
	size_t checkpoint = 0;
	for (size_t cur = 0; cur < len; cur++) {
		if (in[cur] != '$' || cur + 1 >= len)
			continue;
		kb_buf_append(&b, in + checkpoint, cur - checkpoint);
		size_t advance = 1;
		char next = in[cur + 1];
		if (next == '$') {
			kb_buf_putc(&b, '$');
		} else if (next == '(') {
			const char *close = memchr(in + cur + 2, ')', len - (cur + 2));
			if (!close) {
				kb_buf_puts(&b, "$(");
			} else {
				const char *name = in + cur + 2;
				size_t nl = (size_t)(close - name);
				const kb_node *v = map_var(vars, name, nl, counts);
				if (cur == 0 && (size_t)(close - in) == len - 1) {
					/* The whole string is one reference: the
					 * value keeps its type. */
					kb_buf_free(&b);
					return v ? kb_node_clone(v) : kb_node_new_strn(in, len);
				}
				if (v)
					put_value(&b, v);
				else
					kb_buf_append(&b, in + cur, nl + 3);
				advance = (size_t)(close - (in + cur));
			}
		} else {
			/* Go writes string(input[0]) of a byte, which is the
			 * rune U+00XX: a byte >= 0x80 comes out as two. */
			unsigned char c = (unsigned char)next;
			kb_buf_putc(&b, '$');
			if (c < 0x80) {
				kb_buf_putc(&b, (char)c);
			} else {
				kb_buf_putc(&b, (char)(0xC0 | (c >> 6)));
				kb_buf_putc(&b, (char)(0x80 | (c & 0x3F)));
			}
		}
		cur += advance;
		checkpoint = cur + 1;
	}
	if (checkpoint < len)
		kb_buf_append(&b, in + checkpoint, len - checkpoint);
	size_t n = b.len;
	char *s = kb_buf_detach(&b);
	kb_node *r = kb_node_new_strn(s, n);
	free(s);
	return r;
}

/* ---- resolving ---- */

typedef struct rv_ctx {
	const kb_node *vals; /* name -> value node */
	size_t *counts;
	const kb_resource *res;
} rv_ctx;

static void expand_in_place(kb_node *n, rv_ctx *c)
{
	kb_node_replace(n, kb_vars_expand(n->str, n->len, c->vals, c->counts));
}

/* refvar.Filter.set: strings at the path, the string values of a map
 * there, or every item of a sequence there (which must all be strings). */
static kb_error *visit(kb_node **slot, void *ud)
{
	rv_ctx *c = ud;
	kb_node *n = *slot;
	if (!n || n->kind == KB_NULL)
		return NULL;
	if (n->kind == KB_STR) {
		expand_in_place(n, c);
	} else if (n->kind == KB_MAP) {
		for (size_t i = 0; i < n->n; i++)
			if (n->pairs[i].val->kind == KB_STR)
				expand_in_place(n->pairs[i].val, c);
	} else if (n->kind == KB_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			kb_node *it = n->items[i];
			if (it->kind != KB_STR)
				return kb_error_new(c->res->file, it->line, it->col,
						    "invalid value type expect a string (a list "
						    "searched for $(VAR) holds a %s)",
						    kind_word(it));
			expand_in_place(it, c);
		}
	}
	return NULL;
}

/* kustomize ends every build by rewriting each resource's annotations as
 * a map of strings (Resource.RemoveBuildAnnotations -> SetAnnotations),
 * so a typed value a var put there prints as a string. */
static void stringify_annotations(kb_node *doc)
{
	kb_node *ann = kb_node_get(doc, "metadata", "annotations", NULL);
	for (size_t i = 0; ann && ann->kind == KB_MAP && i < ann->n; i++) {
		kb_node *v = ann->pairs[i].val;
		if (v->kind == KB_INT || v->kind == KB_FLOAT || v->kind == KB_BOOL) {
			char *text = kb_xstrdup(kb_node_text(v));
			kb_node_set_str(v, text);
			free(text);
		}
	}
}

static int cmp_names(const void *a, const void *b)
{
	const kb_node *x = *(const kb_node *const *)a, *y = *(const kb_node *const *)b;
	return strcmp(rec_str(x, "name"), rec_str(y, "name"));
}

/* findVarValueFromResources: the resource the var is bound to. */
static kb_error *find_resource(const kb_resmap *m, const kb_schema *s, const kb_node *rec,
			       const kb_resource **out)
{
	*out = NULL;
	const kb_pair *bind = kb_map_get_pair(rec, "bind");
	size_t nhit = 0;
	for (size_t i = 0; i < m->n; i++) {
		const kb_resource *r = m->v[i];
		bool hit;
		if (!bind)
			hit = res_matches(s, r, rec);
		else if (bind->val->kind == KB_MAP)
			hit = res_is_bound(s, r, bind->val);
		else
			hit = false;
		if (hit && !nhit)
			*out = r;
		nhit += hit;
		/* A bound var takes the first resource, as kustomize does. */
		if (hit && bind)
			break;
	}
	char *ref = objref_string(rec);
	kb_error *e = NULL;
	if (nhit > 1)
		e = kb_error_new(rec_file(rec), rec->line, rec->col,
				 "found %zu resId matches for var '%s' (%s) (unable to disambiguate)",
				 nhit, rec_str(rec, "name"), ref);
	else if (!nhit)
		e = kb_error_new(rec_file(rec), rec->line, rec->col,
				 "var '%s' (%s) cannot be mapped to a field in the set of known "
				 "resources",
				 rec_str(rec, "name"), ref);
	free(ref);
	if (e)
		*out = NULL;
	return e;
}

kb_error *kb_vars_resolve(kb_resmap *m, const kb_schema *s, const kb_node *acc_vars,
			  const kb_tconfig *cfg, kb_warnings *warn)
{
	if (!acc_vars || acc_vars->kind != KB_SEQ || acc_vars->n == 0)
		return NULL;
	size_t n = acc_vars->n;
	/* Sibling bases' vars meet only here (kustomize: MergeAccumulator). */
	for (size_t i = 1; i < n; i++) {
		const kb_node *rec = acc_vars->items[i];
		for (size_t j = 0; j < i; j++)
			if (strcmp(rec_str(acc_vars->items[j], "name"), rec_str(rec, "name")) == 0)
				return kb_error_new(rec_file(rec), rec->line, rec->col,
						    "var '%s' already encountered",
						    rec_str(rec, "name"));
	}
	/* kustomize's VarSet hands vars out sorted by name. */
	const kb_node **sorted = kb_xmalloc(n * sizeof(*sorted));
	memcpy(sorted, acc_vars->items, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_names);

	kb_error *e = NULL;
	kb_node *vals = kb_node_new(KB_MAP);
	for (size_t i = 0; i < n && !e; i++) {
		const kb_node *rec = sorted[i];
		const kb_resource *r;
		e = find_resource(m, s, rec, &r);
		if (e)
			break;
		const char *fp = rec_str(rec, "fieldPath");
		const kb_node *f = lookup_path(r->doc, fp);
		kb_node *v = f ? field_value(f) : NULL;
		if (!v) {
			e = kb_error_new(rec_file(rec), rec->line, rec->col,
					 "field '%s' specified in var '%s' not found in corresponding "
					 "resource %s '%s'",
					 fp, rec_str(rec, "name"), kb_res_kind(r), kb_res_name(r));
			break;
		}
		kb_map_set(vals, rec_str(rec, "name"), v);
	}

	size_t *counts = kb_xcalloc(vals->n ? vals->n : 1, sizeof(*counts));
	rv_ctx c = { vals, counts, NULL };
	for (size_t i = 0; i < m->n && !e; i++) {
		c.res = m->v[i];
		for (size_t k = 0; k < cfg->varref.n && !e; k++)
			e = kb_fieldspec_walk(m->v[i]->doc, &cfg->varref.v[k], KB_CREATE_NONE, visit,
					      &c);
		if (e)
			e = kb_error_note(e, m->v[i]->file, 0, 0, "while replacing vars in %s '%s'",
					  kb_res_kind(m->v[i]), kb_res_name(m->v[i]));
	}
	for (size_t i = 0; i < m->n && !e; i++)
		stringify_annotations(m->v[i]->doc);
	if (!e) {
		kb_buf unused = KB_BUF_INIT;
		for (size_t i = 0; i < vals->n; i++)
			if (!counts[i]) {
				if (unused.len)
					kb_buf_putc(&unused, ',');
				kb_buf_puts(&unused, vals->pairs[i].key);
			}
		if (unused.len)
			kb_warn(warn, NULL, 0, 0, "well-defined vars that were never replaced: %s",
				unused.data);
		kb_buf_free(&unused);
	}
	free(counts);
	kb_node_free(vals);
	free(sorted);
	return e;
}
