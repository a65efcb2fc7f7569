#include "kustfile.h"
#include "suggest.h"
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

bool kb_kust_exists(const kb_fs *fs, const char *dir)
{
	return kb_kust_probe(fs, dir) == 1;
}

int kb_kust_probe(const kb_fs *fs, const char *dir)
{
	int err = 0;
	for (size_t i = 0; i < 3; i++) {
		char *p = kb_path_join(dir, kb_kust_filenames[i]);
		kb_file_type t;
		int rc = kb_fs_stat(fs, p, true, &t);
		if (rc != 0 && errno != ENOENT && errno != ENOTDIR && !err)
			err = errno;
		free(p);
		if (rc == 0 && t == KB_FILE_REGULAR)
			return 1;
	}
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
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

/*
 * The Go types of the kustomization's fields, for kustomize's strict
 * decoding: an unknown field, or a value of the wrong type (a number
 * where a string is expected, as in `newTag: 1.20`), is an error there.
 */
typedef enum { T_ANY, T_STR, T_BOOL, T_INT, T_STRLIST, T_STRMAP, T_BOOLMAP, T_OBJ, T_OBJLIST } ttype;

typedef struct tfield {
	const char *name;
	ttype type;
	const struct tfield *sub; /* T_OBJ / T_OBJLIST: NULL-terminated fields */
} tfield;

static const tfield t_genopts[] = { { "labels", T_STRMAP, NULL },
				    { "annotations", T_STRMAP, NULL },
				    { "disableNameSuffixHash", T_BOOL, NULL },
				    { "immutable", T_BOOL, NULL },
				    { NULL, T_ANY, NULL } };
static const tfield t_gen[] = { { "name", T_STR, NULL },	  { "namespace", T_STR, NULL },
				{ "behavior", T_STR, NULL },	  { "literals", T_STRLIST, NULL },
				{ "files", T_STRLIST, NULL },	  { "envs", T_STRLIST, NULL },
				{ "env", T_STR, NULL },		  { "type", T_STR, NULL },
				{ "options", T_OBJ, t_genopts },  { NULL, T_ANY, NULL } };
static const tfield t_image[] = { { "name", T_STR, NULL },	{ "newName", T_STR, NULL },
				  { "newTag", T_STR, NULL },	{ "digest", T_STR, NULL },
				  { "tagSuffix", T_STR, NULL }, { NULL, T_ANY, NULL } };
static const tfield t_replica[] = { { "name", T_STR, NULL },
				    { "count", T_INT, NULL },
				    { NULL, T_ANY, NULL } };
static const tfield t_selector[] = { { "group", T_STR, NULL },	 { "version", T_STR, NULL },
				     { "kind", T_STR, NULL },	 { "name", T_STR, NULL },
				     { "namespace", T_STR, NULL },
				     { "labelSelector", T_STR, NULL },
				     { "annotationSelector", T_STR, NULL },
				     { NULL, T_ANY, NULL } };
static const tfield t_patch[] = { { "path", T_STR, NULL },	 { "patch", T_STR, NULL },
				  { "target", T_OBJ, t_selector }, { "options", T_BOOLMAP, NULL },
				  { NULL, T_ANY, NULL } };
static const tfield t_fieldspec[] = { { "path", T_STR, NULL },	 { "group", T_STR, NULL },
				      { "version", T_STR, NULL }, { "kind", T_STR, NULL },
				      { "create", T_BOOL, NULL }, { NULL, T_ANY, NULL } };
static const tfield t_label[] = { { "pairs", T_STRMAP, NULL },
				  { "includeSelectors", T_BOOL, NULL },
				  { "includeTemplates", T_BOOL, NULL },
				  { "fields", T_OBJLIST, t_fieldspec },
				  { NULL, T_ANY, NULL } };
static const tfield t_objref[] = { { "kind", T_STR, NULL },	    { "name", T_STR, NULL },
				   { "apiVersion", T_STR, NULL }, { "group", T_STR, NULL },
				   { "version", T_STR, NULL },    { "namespace", T_STR, NULL },
				   { NULL, T_ANY, NULL } };
static const tfield t_fieldref[] = { { "fieldPath", T_STR, NULL }, { NULL, T_ANY, NULL } };
static const tfield t_var[] = { { "name", T_STR, NULL },
				{ "objref", T_OBJ, t_objref },
				{ "fieldref", T_OBJ, t_fieldref },
				{ NULL, T_ANY, NULL } };
static const tfield t_legacysort[] = { { "orderFirst", T_STRLIST, NULL },
				       { "orderLast", T_STRLIST, NULL },
				       { NULL, T_ANY, NULL } };
static const tfield t_sort[] = { { "order", T_STR, NULL },
				 { "legacySortOptions", T_OBJ, t_legacysort },
				 { NULL, T_ANY, NULL } };
static const tfield t_meta[] = { { "name", T_STR, NULL },	  { "namespace", T_STR, NULL },
				 { "labels", T_STRMAP, NULL },	  { "annotations", T_STRMAP, NULL },
				 { "generateName", T_STR, NULL }, { NULL, T_ANY, NULL } };

/* Checked fields of the kustomization itself (others: see fields[]). */
static const tfield t_kust[] = {
	{ "apiVersion", T_STR, NULL },	     { "kind", T_STR, NULL },
	{ "metadata", T_OBJ, t_meta },	     { "namePrefix", T_STR, NULL },
	{ "nameSuffix", T_STR, NULL },	     { "namespace", T_STR, NULL },
	{ "commonLabels", T_STRMAP, NULL },  { "commonAnnotations", T_STRMAP, NULL },
	{ "labels", T_OBJLIST, t_label },    { "patches", T_OBJLIST, t_patch },
	{ "patchesJson6902", T_OBJLIST, t_patch },
	{ "patchesStrategicMerge", T_STRLIST, NULL },
	{ "images", T_OBJLIST, t_image },    { "imageTags", T_OBJLIST, t_image },
	{ "replicas", T_OBJLIST, t_replica }, { "vars", T_OBJLIST, t_var },
	{ "sortOptions", T_OBJ, t_sort },    { "resources", T_STRLIST, NULL },
	{ "components", T_STRLIST, NULL },   { "crds", T_STRLIST, NULL },
	{ "bases", T_STRLIST, NULL },	     { "configMapGenerator", T_OBJLIST, t_gen },
	{ "secretGenerator", T_OBJLIST, t_gen }, { "generatorOptions", T_OBJ, t_genopts },
	{ "configurations", T_STRLIST, NULL }, { "generators", T_STRLIST, NULL },
	{ "transformers", T_STRLIST, NULL }, { "validators", T_STRLIST, NULL },
	{ "buildMetadata", T_STRLIST, NULL }, { NULL, T_ANY, NULL },
};

/*
 * Field names as Go's encoding/json matches them, for every struct below
 * the kustomization (kustomize decodes YAML -> JSON -> Go): a key matches
 * a field case-insensitively (`Patch:` is `patch:`, `newtag:` is
 * `newTag:`).  The loader renames such keys to the canonical spelling
 * once, here, so every later stage can look fields up exactly.  Maps of
 * data (label pairs, patch options, helm values) are not touched.
 *
 * When several keys of one map name the same field, the JSON text that
 * sigs.k8s.io/yaml makes from the YAML has its keys sorted byte-wise and
 * the decoder keeps the last: the byte-wise greatest spelling wins.
 */
static const tfield c_fieldopts[] = { { "delimiter", T_ANY, NULL }, { "index", T_ANY, NULL },
				      { "encoding", T_ANY, NULL },  { "create", T_ANY, NULL },
				      { NULL, T_ANY, NULL } };
static const tfield c_source[] = { { "group", T_ANY, NULL },	   { "version", T_ANY, NULL },
				   { "kind", T_ANY, NULL },	   { "name", T_ANY, NULL },
				   { "namespace", T_ANY, NULL },   { "fieldPath", T_ANY, NULL },
				   { "options", T_OBJ, c_fieldopts }, { NULL, T_ANY, NULL } };
static const tfield c_rtarget[] = { { "select", T_OBJ, t_selector },
				    { "reject", T_OBJLIST, t_selector },
				    { "fieldPaths", T_ANY, NULL },
				    { "options", T_OBJ, c_fieldopts },
				    { NULL, T_ANY, NULL } };
static const tfield c_replacement[] = { { "source", T_OBJ, c_source },
					{ "targets", T_OBJLIST, c_rtarget },
					{ "path", T_ANY, NULL },
					{ NULL, T_ANY, NULL } };
static const tfield c_helmglobals[] = { { "chartHome", T_ANY, NULL },
					{ "configHome", T_ANY, NULL },
					{ NULL, T_ANY, NULL } };
static const tfield c_kust[] = {
	{ "metadata", T_OBJ, t_meta },	     { "labels", T_OBJLIST, t_label },
	{ "patches", T_OBJLIST, t_patch },   { "patchesJson6902", T_OBJLIST, t_patch },
	{ "images", T_OBJLIST, t_image },    { "imageTags", T_OBJLIST, t_image },
	{ "replicas", T_OBJLIST, t_replica }, { "vars", T_OBJLIST, t_var },
	{ "sortOptions", T_OBJ, t_sort },    { "configMapGenerator", T_OBJLIST, t_gen },
	{ "secretGenerator", T_OBJLIST, t_gen }, { "generatorOptions", T_OBJ, t_genopts },
	{ "replacements", T_OBJLIST, c_replacement }, { "helmGlobals", T_OBJ, c_helmglobals },
	{ NULL, T_ANY, NULL },
};

static void canon_object(kb_node *m, const tfield *fs, const char *file, kb_warnings *warn);

static void canon_value(kb_node *v, const tfield *f, const char *file, kb_warnings *warn)
{
	if (!v || !f->sub)
		return;
	if (f->type == T_OBJ)
		canon_object(v, f->sub, file, warn);
	else if (f->type == T_OBJLIST && v->kind == KB_SEQ)
		for (size_t i = 0; i < v->n; i++)
			canon_object(v->items[i], f->sub, file, warn);
}

static const tfield *field_of(const tfield *fs, const char *key)
{
	for (const tfield *f = fs; f->name; f++)
		if (strcasecmp(key, f->name) == 0)
			return f;
	return NULL;
}

static void canon_object(kb_node *m, const tfield *fs, const char *file, kb_warnings *warn)
{
	if (!m || m->kind != KB_MAP)
		return;
	/* Drop the spellings that lose to another one of the same field. */
	for (size_t i = 0; i < m->n;) {
		const tfield *f = field_of(fs, m->pairs[i].key);
		const kb_pair *win = NULL;
		for (size_t j = 0; f && j < m->n; j++)
			if (j != i && strcasecmp(m->pairs[j].key, f->name) == 0 &&
			    strcmp(m->pairs[j].key, m->pairs[i].key) > 0 &&
			    (!win || strcmp(m->pairs[j].key, win->key) > 0))
				win = &m->pairs[j];
		if (!win) {
			i++;
			continue;
		}
		if (warn)
			kb_warn(warn, file, m->pairs[i].line, m->pairs[i].col,
				"field '%s' is also given as '%s'; kustomize ignores this one", 
				m->pairs[i].key, win->key);
		char *key = kb_xstrdup(m->pairs[i].key);
		kb_map_del(m, key);
		free(key);
	}
	for (size_t i = 0; i < m->n; i++) {
		kb_pair *p = &m->pairs[i];
		const tfield *f = field_of(fs, p->key);
		if (!f)
			continue;
		if (strcmp(p->key, f->name) != 0)
			kb_map_rename(m, p, f->name, strlen(f->name));
		canon_value(p->val, f, file, warn);
	}
}

void kb_kust_canon_replacements(kb_node *list, const char *file, kb_warnings *warn)
{
	static const tfield f = { "replacements", T_OBJLIST, c_replacement };
	if (list && list->kind == KB_MAP)
		canon_object(list, c_replacement, file, warn);
	else
		canon_value(list, &f, file, warn);
}

static const char *kind_word(const kb_node *v)
{
	switch (v->kind) {
	case KB_BOOL:
		return "a bool";
	case KB_INT:
	case KB_FLOAT:
		return "a number";
	case KB_STR:
		return "a string";
	case KB_MAP:
		return "a mapping";
	case KB_SEQ:
		return "a list";
	default:
		return "null";
	}
}

static kb_error *type_error(const kb_kust *k, const kb_node *v, const char *path,
			    const char *want)
{
	bool quote = kb_node_is_scalar(v) && v->kind != KB_NULL && strcmp(want, "a string") == 0;
	return kb_error_new(k->display, v->line, v->col,
			    "invalid Kustomization: %s must be %s, found %s%s%s%s", path, want,
			    kind_word(v), quote ? " (quote it: \"" : "",
			    quote ? kb_node_text(v) : "", quote ? "\")" : "");
}

/* null decodes to the zero value of any Go type, so it is always fine */
static kb_error *check_scalar(const kb_kust *k, const kb_node *v, ttype t, const char *path)
{
	if (v->kind == KB_NULL)
		return NULL;
	switch (t) {
	case T_STR:
		return v->kind == KB_STR ? NULL : type_error(k, v, path, "a string");
	case T_BOOL:
		return v->kind == KB_BOOL ? NULL : type_error(k, v, path, "true or false");
	case T_INT:
		return v->kind == KB_INT ? NULL : type_error(k, v, path, "an integer");
	default:
		return NULL;
	}
}

static kb_error *check_value(const kb_kust *k, const kb_node *v, const tfield *f,
			     const char *path);

static kb_error *check_object(const kb_kust *k, const kb_node *m, const tfield *fs,
			      const char *path)
{
	if (m->kind == KB_NULL)
		return NULL;
	if (m->kind != KB_MAP)
		return type_error(k, m, path, "a mapping");
	for (size_t i = 0; i < m->n; i++) {
		const tfield *f;
		for (f = fs; f->name; f++)
			if (strcasecmp(m->pairs[i].key, f->name) == 0)
				break;
		if (!f->name) {
			kb_suggest sg;
			kb_suggest_init(&sg, m->pairs[i].key);
			for (f = fs; f->name; f++)
				kb_suggest_try(&sg, f->name);
			char *hint = kb_suggest_hint(&sg);
			kb_error *e = kb_error_new(k->display, m->pairs[i].line, m->pairs[i].col,
						   "invalid Kustomization: json: unknown field \"%s\" "
						   "in %s%s",
						   m->pairs[i].key, path, hint);
			free(hint);
			return e;
		}
		char *sub = kb_xasprintf("%s.%s", path, f->name);
		kb_error *e = check_value(k, m->pairs[i].val, f, sub);
		free(sub);
		if (e)
			return e;
	}
	return NULL;
}

static kb_error *check_value(const kb_kust *k, const kb_node *v, const tfield *f,
			     const char *path)
{
	kb_error *e = NULL;
	char *sub;
	switch (f->type) {
	case T_STR:
	case T_BOOL:
	case T_INT:
		return check_scalar(k, v, f->type, path);
	case T_STRLIST:
	case T_OBJLIST:
		if (v->kind == KB_NULL)
			return NULL;
		if (v->kind != KB_SEQ)
			return type_error(k, v, path, "a list");
		for (size_t i = 0; i < v->n && !e; i++) {
			sub = kb_xasprintf("%s[%zu]", path, i);
			e = f->type == T_STRLIST ? check_scalar(k, v->items[i], T_STR, sub)
						 : check_object(k, v->items[i], f->sub, sub);
			free(sub);
		}
		return e;
	case T_STRMAP:
	case T_BOOLMAP:
		if (v->kind == KB_NULL)
			return NULL;
		if (v->kind != KB_MAP)
			return type_error(k, v, path, "a mapping");
		for (size_t i = 0; i < v->n && !e; i++) {
			sub = kb_xasprintf("%s.%s", path, v->pairs[i].key);
			e = check_scalar(k, v->pairs[i].val, f->type == T_STRMAP ? T_STR : T_BOOL, sub);
			free(sub);
		}
		return e;
	case T_OBJ:
		return check_object(k, v, f->sub, path);
	default:
		return NULL;
	}
}

static kb_error *check_nested(const kb_kust *k)
{
	for (size_t i = 0; i < k->doc->n; i++) {
		const kb_pair *p = &k->doc->pairs[i];
		for (const tfield *f = t_kust; f->name; f++)
			if (strcmp(p->key, f->name) == 0) {
				kb_error *e = check_value(k, p->val, f, f->name);
				if (e)
					return e;
				break;
			}
	}
	return NULL;
}

/* The length of the first YAML document of text: up to a `---` or `...`
 * line at column 0 that follows content (a line that is not blank, a
 * comment or a directive).  Such a marker cannot be inside a scalar. */
static size_t first_document_len(const char *text, size_t len, bool *more)
{
	bool content = false, started = false;
	*more = false;
	for (size_t i = 0; i < len;) {
		size_t eol = i;
		while (eol < len && text[eol] != '\n')
			eol++;
		const char *l = text + i;
		size_t n = eol - i;
		bool marker = n >= 3 && (memcmp(l, "---", 3) == 0 || memcmp(l, "...", 3) == 0) &&
			      (n == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
		/* `---` after content, or a second `---` (an empty first
		 * document: kustomize then finds the file empty) */
		if (marker && (content || started)) {
			/* anything but blank lines and comments after it? */
			for (size_t j = eol; j < len; j++)
				if (text[j] != '\n' && text[j] != '\r' && text[j] != ' ' &&
				    text[j] != '\t') {
					*more = true;
					break;
				}
			return i;
		}
		if (!marker) {
			size_t j = 0;
			while (j < n && (l[j] == ' ' || l[j] == '\t' || l[j] == '\r'))
				j++;
			if (j < n && l[j] != '#' && !(j == 0 && l[0] == '%'))
				content = true;
			/* "--- value" on the marker line is content too */
		} else if ((started = true) && n > 4) {
			size_t j = 4;
			while (j < n && (l[j] == ' ' || l[j] == '\t' || l[j] == '\r'))
				j++;
			if (j < n && l[j] != '#')
				content = true;
		}
		i = eol < len ? eol + 1 : eol;
	}
	return len;
}

/* Drops the keys of map m that fs does not name (Go's non-strict JSON
 * decoding ignores them), recursing into the fields whose type is known. */
static void prune_object(kb_node *m, const tfield *fs, const char *path, kb_strv *dropped);

/* Removes pair i of m (the first pair with its key: earlier keys are
 * all different ones). */
static void drop_pair(kb_node *m, size_t i)
{
	char *key = kb_xstrdup(m->pairs[i].key);
	kb_node_free(kb_map_take(m, key));
	free(key);
}

static void prune_value(kb_node *v, const tfield *f, const char *path, kb_strv *dropped)
{
	if (f->type == T_OBJ && v->kind == KB_MAP) {
		prune_object(v, f->sub, path, dropped);
	} else if (f->type == T_OBJLIST && v->kind == KB_SEQ) {
		for (size_t i = 0; i < v->n; i++) {
			if (v->items[i]->kind != KB_MAP)
				continue;
			char *sub = kb_xasprintf("%s[%zu]", path, i);
			prune_object(v->items[i], f->sub, sub, dropped);
			free(sub);
		}
	}
}

static void prune_object(kb_node *m, const tfield *fs, const char *path, kb_strv *dropped)
{
	for (size_t i = 0; i < m->n;) {
		const tfield *f;
		for (f = fs; f->name; f++)
			if (strcasecmp(m->pairs[i].key, f->name) == 0)
				break;
		if (!f->name) {
			if (dropped)
				kb_strv_push_owned(dropped, path ? kb_xasprintf("%s.%s", path,
										m->pairs[i].key)
							 : kb_xstrdup(m->pairs[i].key));
			drop_pair(m, i);
			continue;
		}
		char *sub = path ? kb_xasprintf("%s.%s", path, f->name) : kb_xstrdup(f->name);
		prune_value(m->pairs[i].val, f, sub, dropped);
		free(sub);
		i++;
	}
}

void kb_kust_prune_unknown(kb_node *doc, kb_strv *dropped)
{
	if (!doc || doc->kind != KB_MAP)
		return;
	for (size_t i = 0; i < doc->n;) {
		kb_pair *p = &doc->pairs[i];
		size_t f;
		for (f = 0; f < sizeof(fields) / sizeof(*fields); f++)
			if (strcasecmp(p->key, fields[f].name) == 0)
				break;
		if (f == sizeof(fields) / sizeof(*fields)) {
			if (dropped)
				kb_strv_push(dropped, p->key);
			drop_pair(doc, i);
			continue;
		}
		/* Go marshals the canonical name; of two spellings of one
		 * field the later one was decoded last and wins */
		if (strcmp(p->key, fields[f].name) != 0)
			kb_map_rename(doc, p, fields[f].name, strlen(fields[f].name));
		for (size_t j = 0; j < i; j++)
			if (strcmp(doc->pairs[j].key, p->key) == 0) {
				drop_pair(doc, j);
				i--; /* this pair moved down by one */
				p = &doc->pairs[i];
				break;
			}
		for (const tfield *t = t_kust; t->name; t++)
			if (strcmp(p->key, t->name) == 0) {
				prune_value(p->val, t, t->name, dropped);
				break;
			}
		i++;
	}
}

/*
 * Names, namespaces, prefixes and image fields travel through kbuild as C
 * strings (they become resource ids), so a NUL byte in one would cut it
 * short.  kustomize would print such a name, which no Kubernetes API
 * accepts; kbuild refuses it instead of printing a different one.  Values
 * (literals, label values, patches) may hold NUL bytes.
 */
static kb_error *nul_in(const kb_kust *k, const kb_node *n, const char *what)
{
	if (n && kb_node_is_scalar(n) && memchr(n->str, '\0', n->len))
		return kb_error_new(k->display, n->line, n->col,
				    "%s holds a NUL byte; kbuild does not support NUL bytes in "
				    "names, namespaces, prefixes or images (Kubernetes rejects "
				    "them); remove it",
				    what);
	return NULL;
}

static kb_error *check_nul_names(const kb_kust *k)
{
	static const char *const top[] = { "namePrefix", "nameSuffix", "namespace" };
	kb_error *e = NULL;
	for (size_t i = 0; i < 3 && !e; i++)
		e = nul_in(k, kb_map_get(k->doc, top[i]), top[i]);
	static const char *const lists[] = { "configMapGenerator", "secretGenerator", "images",
					     "imageTags" };
	static const char *const nfields[] = { "name", "namespace", "newName", "newTag", "digest" };
	for (size_t l = 0; l < 4 && !e; l++) {
		const kb_node *list = kb_map_get(k->doc, lists[l]);
		for (size_t i = 0; list && list->kind == KB_SEQ && i < list->n && !e; i++)
			for (size_t f = 0; f < 5 && !e; f++) {
				char what[64];
				snprintf(what, sizeof(what), "%s[%zu].%s", lists[l], i, nfields[f]);
				e = nul_in(k, kb_map_get(list->items[i], nfields[f]), what);
			}
	}
	return e;
}

static kb_error *kust_parse(const char *path, const char *display, const char *dir,
			    const char *text, size_t len, const kb_parse_limits *lim,
			    kb_warnings *warn, const kb_build_hooks *hooks, unsigned flags,
			    kb_kust **out);

/*
 * A path with a NUL byte names no file: kustomize fails on it ("lstat
 * ...: invalid argument"), while a C string would silently read the file
 * named by the bytes before the NUL.  Only fields that are always paths
 * are checked (patchesStrategicMerge, generators and transformers may be
 * inline YAML, whose values may hold NUL bytes); a files entry's KEY= part
 * may hold one, its path may not.
 */
#define NO_INDEX ((size_t)-1)

static kb_error *nul_path(const kb_kust *k, const kb_node *n, const char *what, size_t i,
			  bool after_eq)
{
	if (!n || n->kind != KB_STR)
		return NULL;
	const char *p = n->str;
	size_t len = n->len;
	const char *eq = after_eq ? memchr(p, '=', len) : NULL;
	if (eq) {
		len -= (size_t)(eq + 1 - p);
		p = eq + 1;
	}
	if (!memchr(p, '\0', len))
		return NULL;
	char *shown = kb_bytes_display(p, len);
	char idx[32] = "";
	if (i != NO_INDEX)
		snprintf(idx, sizeof(idx), "[%zu]", i);
	kb_error *e = kb_error_new(k->display, n->line, n->col,
				   "%s%s: the path '%s' holds a NUL byte, which no file name can "
				   "hold (kustomize fails on it: invalid argument); remove it",
				   what, idx, shown);
	free(shown);
	return e;
}

static kb_error *nul_in_list(const kb_kust *k, const kb_node *list, const char *what,
			     bool after_eq)
{
	kb_error *e = NULL;
	if (list && list->kind == KB_STR) /* env: one path */
		return nul_path(k, list, what, NO_INDEX, after_eq);
	for (size_t i = 0; list && list->kind == KB_SEQ && i < list->n && !e; i++)
		e = nul_path(k, list->items[i], what, i, after_eq);
	return e;
}

static kb_error *check_nul_paths(const kb_kust *k)
{
	static const char *const lists[] = { "resources", "bases", "components", "crds",
					     "configurations" };
	kb_error *e = NULL;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]) && !e; i++)
		e = nul_in_list(k, kb_map_get(k->doc, lists[i]), lists[i], false);
	static const char *const objs[] = { "patches", "patchesJson6902", "replacements" };
	for (size_t l = 0; l < sizeof(objs) / sizeof(objs[0]) && !e; l++) {
		const kb_node *list = kb_map_get(k->doc, objs[l]);
		for (size_t i = 0; list && list->kind == KB_SEQ && i < list->n && !e; i++)
			e = nul_path(k, kb_map_get(list->items[i], "path"), objs[l], i, false);
	}
	if (!e)
		e = nul_path(k, kb_node_get(k->doc, "openapi", "path", NULL), "openapi.path", NO_INDEX,
			     false);
	static const char *const gens[] = { "configMapGenerator", "secretGenerator" };
	for (size_t g = 0; g < 2 && !e; g++) {
		const kb_node *list = kb_map_get(k->doc, gens[g]);
		for (size_t i = 0; list && list->kind == KB_SEQ && i < list->n && !e; i++) {
			const kb_node *it = list->items[i];
			char what[64];
			snprintf(what, sizeof(what), "%s[%zu].envs", gens[g], i);
			e = nul_in_list(k, kb_map_get(it, "envs"), what, false);
			snprintf(what, sizeof(what), "%s[%zu].env", gens[g], i);
			if (!e)
				e = nul_in_list(k, kb_map_get(it, "env"), what, false);
			snprintf(what, sizeof(what), "%s[%zu].files", gens[g], i);
			if (!e)
				e = nul_in_list(k, kb_map_get(it, "files"), what, true);
		}
	}
	return e;
}


kb_error *kb_kust_load(const kb_fs *fs, const char *dir, const kb_parse_limits *lim,
		       kb_warnings *warn, kb_kust **out)
{
	return kb_kust_load_hooked(fs, dir, lim, warn, NULL, out);
}

kb_error *kb_kust_load_hooked(const kb_fs *fs, const char *dir, const kb_parse_limits *lim,
			      kb_warnings *warn, const kb_build_hooks *hooks, kb_kust **out)
{
	*out = NULL;
	const char *found = NULL;
	int nfound = 0;
	for (size_t i = 0; i < 3; i++) {
		char *p = kb_path_join(dir, kb_kust_filenames[i]);
		if (kb_fs_is_file(fs, p)) {
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

	char *path = kb_path_join(dir, found);
	char *display = kb_path_display(path);
	size_t len;
	char *text = kb_fs_read(fs, path, &len);
	kb_error *e;
	if (!text)
		e = kb_error_new(display, 0, 0, "cannot read: %s", strerror(errno));
	else
		e = kust_parse(path, display, dir, text, len, lim, warn, hooks, 0, out);
	free(text);
	free(path);
	free(display);
	return e;
}

kb_error *kb_kust_parse(const char *path, const char *display, const char *dir, const char *text,
			size_t len, const kb_parse_limits *lim, kb_warnings *warn, unsigned flags,
			kb_kust **out)
{
	return kust_parse(path, display, dir, text, len, lim, warn, NULL, flags, out);
}

static kb_error *kust_parse(const char *path, const char *display, const char *dir,
			    const char *text, size_t len, const kb_parse_limits *lim,
			    kb_warnings *warn, const kb_build_hooks *hooks, unsigned flags,
			    kb_kust **out)
{
	*out = NULL;
	kb_kust *k = kb_xcalloc(1, sizeof(*k));
	k->dir = kb_xstrdup(dir);
	k->path = kb_xstrdup(path);
	k->display = kb_xstrdup(display);
	kb_error *e = NULL;
	kb_node **docs = NULL;
	size_t ndocs = 0;
	kb_parse_limits klim = lim ? *lim : (kb_parse_limits){ 0 };
	klim.dup_keys_last_wins = true;
	klim.kio = false; /* sigs.k8s.io/yaml, not kio */
	klim.keep_timestamps = true;
	klim.yaml11_bools = true;
	/* sigs.k8s.io/yaml decodes only the first document: what follows
	 * the next document marker is never read (not even parsed). */
	bool more = false;
	size_t first = first_document_len(text, len, &more);
	if (more && warn) {
		unsigned line = 1;
		for (size_t i = 0; i < first; i++)
			line += text[i] == '\n';
		kb_warn(warn, k->display, line, 1,
			"the kustomization file holds more than one YAML document; kustomize reads "
			"only the first");
	}
	e = kb_hooks_parse(hooks, k->path, k->display, text, first, &klim, NULL, &docs, &ndocs);
	if (e)
		goto fail;
	if (ndocs == 0 && (flags & KB_KUST_ALLOW_EMPTY)) {
		free(docs);
		docs = kb_xmalloc(sizeof(*docs));
		docs[0] = kb_node_new(KB_MAP);
		ndocs = 1;
	}
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
			kb_suggest sg;
			kb_suggest_init(&sg, p->key);
			for (f = 0; f < sizeof(fields) / sizeof(*fields); f++)
				kb_suggest_try(&sg, fields[f].name);
			if (kb_suggest_best(&sg))
				e = kb_error_new(k->display, p->line, p->col,
						 "invalid Kustomization: json: unknown field \"%s\"; "
						 "did you mean '%s'?",
						 p->key, kb_suggest_best(&sg));
			else
				e = kb_error_new(k->display, p->line, p->col,
						 "invalid Kustomization: json: unknown field \"%s\"; "
						 "check its spelling against the kustomization reference",
						 p->key);
			goto fail;
		}
		if (!shape_ok(p->val, fields[f].type)) {
			e = kb_error_new(k->display, p->val->line ? p->val->line : p->line,
					 p->val->col, "invalid Kustomization: '%s' must be %s",
					 fields[f].name, type_word(fields[f].type));
			goto fail;
		}
	}
	/* Two spellings of one field (e.g. patchesJson6902 and
	 * patchesJSON6902): the byte-wise greatest wins, as in kustomize. */
	for (size_t i = 0; i < k->doc->n;) {
		const kb_pair *win = NULL;
		for (size_t j = 0; j < k->doc->n; j++)
			if (j != i && strcasecmp(k->doc->pairs[j].key, k->doc->pairs[i].key) == 0 &&
			    strcmp(k->doc->pairs[j].key, k->doc->pairs[i].key) > 0 &&
			    (!win || strcmp(k->doc->pairs[j].key, win->key) > 0))
				win = &k->doc->pairs[j];
		if (!win) {
			i++;
			continue;
		}
		if (warn)
			kb_warn(warn, k->display, k->doc->pairs[i].line, k->doc->pairs[i].col,
				"field '%s' is also given as '%s'; kustomize ignores this one",
				k->doc->pairs[i].key, win->key);
		char *key = kb_xstrdup(k->doc->pairs[i].key);
		kb_map_del(k->doc, key);
		free(key);
	}
	for (size_t i = 0; i < k->doc->n; i++) {
		kb_pair *p = &k->doc->pairs[i];
		size_t f;
		for (f = 0; f < sizeof(fields) / sizeof(*fields); f++)
			if (strcasecmp(p->key, fields[f].name) == 0)
				break;
		if (strcmp(p->key, fields[f].name) != 0)
			kb_map_rename(k->doc, p, fields[f].name, strlen(fields[f].name));
		if (fields[f].deprecated && warn)
			kb_warn_code(warn, KB_WARN_DEPRECATED, k->display, p->line, p->col,
				     "'%s' is deprecated; use '%s' instead", p->key,
				fields[f].deprecated);
	}
	canon_object(k->doc, c_kust, k->display, warn);

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
	if (!e)
		e = check_nul_names(k);
	if (!e)
		e = check_nul_paths(k);
	if (e)
		goto fail;
	if (!(flags & KB_KUST_ALLOW_EMPTY) && is_zero_kustomization(k->doc)) {
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
