#include "kustfile.h"
#include "fs.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const kb_kust_filenames[3] = { "kustomization.yaml", "kustomization.yml",
					   "Kustomization" };

/* The fields of kustomize v5.5.0's types.Kustomization, and what they
 * hold (for the shape check done here; deeper checks live with the
 * stage that uses the field). */
typedef enum { F_ANY, F_STR, F_STRLIST, F_MAP, F_LIST, F_STRMAP } ftype;

static const struct {
	const char *name;
	ftype type;
	const char *deprecated; /* replacement, when deprecated */
} fields[] = {
	{ "apiVersion", F_STR, NULL },
	{ "kind", F_STR, NULL },
	{ "metadata", F_MAP, NULL },
	{ "openapi", F_MAP, NULL },
	{ "namePrefix", F_STR, NULL },
	{ "nameSuffix", F_STR, NULL },
	{ "namespace", F_STR, NULL },
	{ "commonLabels", F_STRMAP, "labels" },
	{ "labels", F_LIST, NULL },
	{ "commonAnnotations", F_STRMAP, NULL },
	{ "patchesStrategicMerge", F_LIST, "patches" },
	{ "patchesJson6902", F_LIST, "patches" },
	{ "patches", F_LIST, NULL },
	{ "images", F_LIST, NULL },
	{ "imageTags", F_LIST, "images" },
	{ "replacements", F_LIST, NULL },
	{ "replicas", F_LIST, NULL },
	{ "vars", F_LIST, "replacements" },
	{ "sortOptions", F_MAP, NULL },
	{ "resources", F_STRLIST, NULL },
	{ "components", F_STRLIST, NULL },
	{ "crds", F_STRLIST, NULL },
	{ "bases", F_STRLIST, "resources" },
	{ "configMapGenerator", F_LIST, NULL },
	{ "secretGenerator", F_LIST, NULL },
	{ "helmGlobals", F_MAP, NULL },
	{ "helmCharts", F_LIST, NULL },
	{ "helmChartInflationGenerator", F_LIST, "helmCharts" },
	{ "generatorOptions", F_MAP, NULL },
	{ "configurations", F_STRLIST, NULL },
	{ "generators", F_STRLIST, NULL },
	{ "transformers", F_STRLIST, NULL },
	{ "validators", F_STRLIST, NULL },
	{ "buildMetadata", F_STRLIST, NULL },
};

bool kb_kust_exists(const char *dir)
{
	for (size_t i = 0; i < 3; i++) {
		char *p = kb_path_join(dir, kb_kust_filenames[i]);
		bool ok = kb_is_file(p);
		free(p);
		if (ok)
			return true;
	}
	return false;
}

void kb_kust_free(kb_kust *k)
{
	if (!k)
		return;
	kb_node_free(k->doc);
	free(k->path);
	free(k->display);
	free(k->dir);
	free(k);
}

static const char *type_word(ftype t)
{
	switch (t) {
	case F_STR:
		return "a string";
	case F_STRLIST:
		return "a list of strings";
	case F_MAP:
	case F_STRMAP:
		return "a mapping";
	case F_LIST:
		return "a list";
	default:
		return "a value";
	}
}

static bool shape_ok(const kb_node *v, ftype t)
{
	if (v->kind == KB_NULL)
		return true;
	switch (t) {
	case F_STR:
		return kb_node_is_scalar(v);
	case F_STRLIST:
		if (v->kind != KB_SEQ)
			return false;
		for (size_t i = 0; i < v->n; i++)
			if (!kb_node_is_scalar(v->items[i]))
				return false;
		return true;
	case F_MAP:
		return v->kind == KB_MAP;
	case F_STRMAP:
		if (v->kind != KB_MAP)
			return false;
		for (size_t i = 0; i < v->n; i++)
			if (!kb_node_is_scalar(v->pairs[i].val))
				return false;
		return true;
	case F_LIST:
		return v->kind == KB_SEQ;
	default:
		return true;
	}
}

/* Appends the items of map[from] to map[to] and drops map[from]. */
static void append_field(kb_node *doc, const char *from, const char *to)
{
	kb_node *src = kb_map_take(doc, from);
	if (!src)
		return;
	if (src->kind == KB_SEQ && src->n) {
		kb_node *dst = kb_map_get(doc, to);
		if (!dst || dst->kind != KB_SEQ) {
			unsigned line = src->line;
			dst = kb_map_set(doc, to, kb_node_new(KB_SEQ));
			dst->line = line;
		}
		for (size_t i = 0; i < src->n; i++)
			kb_seq_push(dst, src->items[i]);
		src->n = 0;
	}
	kb_node_free(src);
}

/* Go's zero value: what a field decodes to when absent.  kustomize calls
 * a kustomization whose fields are all zero "empty" and refuses it; an
 * empty list or map is not zero (it decodes to a non-nil value). */
static bool is_zero(const kb_node *v)
{
	switch (v->kind) {
	case KB_NULL:
		return true;
	case KB_STR:
		return v->len == 0;
	case KB_BOOL:
		return strcmp(v->str, "false") == 0;
	case KB_INT:
	case KB_FLOAT:
		return strcmp(v->str, "0") == 0;
	default:
		return false;
	}
}

static bool is_zero_kustomization(const kb_node *doc)
{
	for (size_t i = 0; i < doc->n; i++) {
		const char *key = doc->pairs[i].key;
		if (strcmp(key, "apiVersion") == 0 || strcmp(key, "kind") == 0)
			continue;
		if (!is_zero(doc->pairs[i].val))
			return false;
	}
	return true;
}

/* Known fields of the structs inside a kustomization (kustomize decodes
 * them strictly too).  A NULL-terminated list per struct. */
static const char *const gen_fields[] = { "name", "namespace", "behavior", "literals", "files",
					  "envs", "env", "type", "options", NULL };
static const char *const genopt_fields[] = { "labels", "annotations", "disableNameSuffixHash",
					     "immutable", NULL };
static const char *const image_fields[] = { "name", "newName", "newTag", "digest", "tagSuffix",
					    NULL };
static const char *const replica_fields[] = { "name", "count", NULL };
static const char *const json6902_fields[] = { "path", "patch", "target", "options", NULL };
static const char *const var_fields[] = { "name", "objref", "fieldref", NULL };
static const char *const objref_fields[] = { "kind", "name", "apiVersion", "group", "version",
					     "namespace", NULL };
static const char *const fieldref_fields[] = { "fieldPath", NULL };
static const char *const sort_fields[] = { "order", "legacySortOptions", NULL };
static const char *const legacy_sort_fields[] = { "orderFirst", "orderLast", NULL };

static kb_error *check_map(const kb_kust *k, const kb_node *m, const char *const *known,
			   const char *where)
{
	if (!m || m->kind != KB_MAP)
		return NULL;
	for (size_t i = 0; i < m->n; i++) {
		size_t f;
		for (f = 0; known[f]; f++)
			if (strcasecmp(m->pairs[i].key, known[f]) == 0)
				break;
		if (!known[f])
			return kb_error_new(k->display, m->pairs[i].line, m->pairs[i].col,
					    "invalid Kustomization: json: unknown field \"%s\" in %s",
					    m->pairs[i].key, where);
	}
	return NULL;
}

static kb_error *check_list(const kb_kust *k, const char *field, const char *const *known)
{
	const kb_node *l = kb_map_get(k->doc, field);
	for (size_t i = 0; l && l->kind == KB_SEQ && i < l->n; i++) {
		const kb_node *it = l->items[i];
		if (it->kind != KB_MAP && it->kind != KB_NULL)
			return kb_error_new(k->display, it->line, it->col,
					    "invalid Kustomization: entries of '%s' must be mappings",
					    field);
		kb_error *e = check_map(k, it, known, field);
		if (e)
			return e;
	}
	return NULL;
}

static kb_error *check_nested(const kb_kust *k)
{
	kb_error *e = NULL;
	static const char *const gens[] = { "configMapGenerator", "secretGenerator" };
	for (int g = 0; g < 2 && !e; g++) {
		e = check_list(k, gens[g], gen_fields);
		const kb_node *l = kb_map_get(k->doc, gens[g]);
		for (size_t i = 0; !e && l && l->kind == KB_SEQ && i < l->n; i++)
			e = check_map(k, kb_map_get(l->items[i], "options"), genopt_fields,
				      "generator options");
	}
	if (!e)
		e = check_map(k, kb_map_get(k->doc, "generatorOptions"), genopt_fields,
			      "generatorOptions");
	if (!e)
		e = check_list(k, "images", image_fields);
	if (!e)
		e = check_list(k, "imageTags", image_fields);
	if (!e)
		e = check_list(k, "replicas", replica_fields);
	if (!e)
		e = check_list(k, "patchesJson6902", json6902_fields);
	if (!e)
		e = check_list(k, "vars", var_fields);
	const kb_node *vars = kb_map_get(k->doc, "vars");
	for (size_t i = 0; !e && vars && vars->kind == KB_SEQ && i < vars->n; i++) {
		e = check_map(k, kb_map_get(vars->items[i], "objref"), objref_fields, "vars objref");
		if (!e)
			e = check_map(k, kb_map_get(vars->items[i], "fieldref"), fieldref_fields,
				      "vars fieldref");
	}
	const kb_node *so = kb_map_get(k->doc, "sortOptions");
	if (!e)
		e = check_map(k, so, sort_fields, "sortOptions");
	if (!e)
		e = check_map(k, kb_map_get(so, "legacySortOptions"), legacy_sort_fields,
			      "sortOptions.legacySortOptions");
	return e;
}

kb_error *kb_kust_load(const char *dir, const kb_parse_limits *lim, kb_warnings *warn,
		       kb_kust **out)
{
	*out = NULL;
	const char *found = NULL;
	int nfound = 0;
	for (size_t i = 0; i < 3; i++) {
		char *p = kb_path_join(dir, kb_kust_filenames[i]);
		if (kb_is_file(p)) {
			if (!found)
				found = kb_kust_filenames[i];
			nfound++;
		}
		free(p);
	}
	char *ddir = kb_path_display(dir);
	if (nfound > 1) {
		kb_error *e = kb_error_new(ddir, 0, 0,
					   "found multiple kustomization files; keep only one of "
					   "kustomization.yaml, kustomization.yml, Kustomization");
		free(ddir);
		return e;
	}
	if (!found) {
		kb_error *e = kb_error_new(ddir, 0, 0,
					   "unable to find one of 'kustomization.yaml', "
					   "'kustomization.yml' or 'Kustomization' in directory '%s'",
					   ddir);
		free(ddir);
		return e;
	}
	free(ddir);

	kb_kust *k = kb_xcalloc(1, sizeof(*k));
	k->dir = kb_xstrdup(dir);
	k->path = kb_path_join(dir, found);
	k->display = kb_path_display(k->path);
	size_t len;
	char *text = kb_read_file(k->path, &len);
	kb_error *e = NULL;
	if (!text) {
		e = kb_error_new(k->display, 0, 0, "cannot read: %s", strerror(errno));
		goto fail;
	}
	kb_node **docs = NULL;
	size_t ndocs = 0;
	kb_parse_limits klim = lim ? *lim : (kb_parse_limits){ 0 };
	klim.dup_keys_last_wins = true;
	klim.keep_timestamps = true;
	e = kb_yaml_parse(k->display, text, len, &klim, &docs, &ndocs);
	free(text);
	if (e)
		goto fail;
	if (ndocs == 0) {
		kb_docs_free(docs, ndocs);
		e = kb_error_new(k->display, 0, 0, "kustomization file is empty");
		goto fail;
	}
	if (ndocs > 1 || docs[0]->kind != KB_MAP) {
		unsigned line = ndocs > 1 ? docs[1]->line : docs[0]->line;
		kb_docs_free(docs, ndocs);
		e = kb_error_new(k->display, line, 0,
				 "a kustomization file must hold exactly one YAML mapping");
		goto fail;
	}
	k->doc = docs[0];
	free(docs);

	/* Canonical field names (Go's JSON matching is case-insensitive). */
	for (size_t i = 0; i < k->doc->n; i++) {
		kb_pair *p = &k->doc->pairs[i];
		size_t f;
		for (f = 0; f < sizeof(fields) / sizeof(*fields); f++)
			if (strcasecmp(p->key, fields[f].name) == 0)
				break;
		if (f == sizeof(fields) / sizeof(*fields)) {
			e = kb_error_new(k->display, p->line, p->col,
					 "invalid Kustomization: json: unknown field \"%s\"; check "
					 "its spelling against the kustomization reference",
					 p->key);
			goto fail;
		}
		if (strcmp(p->key, fields[f].name) != 0) {
			free(p->key);
			p->key = kb_xstrdup(fields[f].name);
		}
		if (!shape_ok(p->val, fields[f].type)) {
			e = kb_error_new(k->display, p->val->line ? p->val->line : p->line,
					 p->val->col, "invalid Kustomization: '%s' must be %s",
					 p->key, type_word(fields[f].type));
			goto fail;
		}
		if (fields[f].deprecated && warn)
			kb_warn(warn, k->display, p->line, p->col,
				"'%s' is deprecated; use '%s' instead", p->key,
				fields[f].deprecated);
	}
	/* Two spellings of one field (e.g. patchesJson6902 and
	 * patchesJSON6902) collide after canonicalisation. */
	for (size_t i = 0; i < k->doc->n; i++)
		for (size_t j = i + 1; j < k->doc->n; j++)
			if (strcmp(k->doc->pairs[i].key, k->doc->pairs[j].key) == 0) {
				e = kb_error_new(k->display, k->doc->pairs[j].line, 0,
						 "field '%s' appears twice", k->doc->pairs[j].key);
				goto fail;
			}

	const char *kind = kb_map_get_str(k->doc, "kind");
	const char *av = kb_map_get_str(k->doc, "apiVersion");
	if (!kind || !*kind || strcmp(kind, "Kustomization") == 0) {
		if (av && *av && strcmp(av, "kustomize.config.k8s.io/v1beta1") != 0) {
			e = kb_error_new(k->display, kb_map_get(k->doc, "apiVersion")->line, 0,
					 "apiVersion for Kustomization should be "
					 "kustomize.config.k8s.io/v1beta1");
			goto fail;
		}
	} else if (strcmp(kind, "Component") == 0) {
		if (av && *av && strcmp(av, "kustomize.config.k8s.io/v1alpha1") != 0) {
			e = kb_error_new(k->display, kb_map_get(k->doc, "apiVersion")->line, 0,
					 "apiVersion for Component should be "
					 "kustomize.config.k8s.io/v1alpha1");
			goto fail;
		}
		k->component = true;
	} else {
		e = kb_error_new(k->display, kb_map_get(k->doc, "kind")->line, 0,
				 "kind should be Kustomization or Component, not '%s'", kind);
		goto fail;
	}

	e = check_nested(k);
	if (e)
		goto fail;
	if (is_zero_kustomization(k->doc)) {
		e = kb_error_new(k->display, 0, 0,
				 "kustomization.yaml is empty: it sets no field besides apiVersion "
				 "and kind");
		goto fail;
	}

	/* kustomize's FixKustomization */
	append_field(k->doc, "bases", "resources");
	append_field(k->doc, "imageTags", "images");
	*out = k;
	return NULL;
fail:
	kb_kust_free(k);
	return e;
}

kb_error *kb_kust_strings(const kb_kust *k, const char *field, const kb_node **out)
{
	const kb_node *v = kb_map_get(k->doc, field);
	*out = (v && v->kind == KB_SEQ) ? v : NULL;
	return NULL;
}
