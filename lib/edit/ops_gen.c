/*
 * ops_gen.c - edit add/set/remove configmap|secret (kustomize v5.5.0
 * edit/add/addconfigmap.go, addsecret.go, edit/set/setconfigmap.go,
 * setsecret.go, edit/remove/removeconfigmap.go, removesecret.go and
 * internal/util/configmapSecretFlagsAndArgs.go).
 *
 * The result is checked the way kustomize checks it: by generating the
 * ConfigMap or Secret (generate.c), which reads the sources.
 */
#include "fs.h"
#include "generate.h"
#include "glob.h"
#include "ops.h"

#include <stdlib.h>
#include <string.h>

void kb_edit_generator_init(kb_edit_generator *g)
{
	memset(g, 0, sizeof(*g));
	g->version = KB_EDIT_GENERATOR_VERSION;
}

static const char *gs(const char *s)
{
	return s ? s : "";
}

/* Prefixes err's message (kustomize's fmt.Errorf("...: %w")). */
static kb_error *wrap(kb_error *err, const char *prefix)
{
	if (!err)
		return NULL;
	char *m = kb_xasprintf("%s: %s", prefix, err->primary.msg);
	free(err->primary.msg);
	err->primary.msg = m;
	return err;
}

/* util.NamespaceEqual: "" is "default" */
static bool ns_equal(const char *a, const char *b)
{
	if (!*a)
		a = "default";
	if (!*b)
		b = "default";
	return strcmp(a, b) == 0;
}

static const char *field_of(bool secret)
{
	return secret ? "secretGenerator" : "configMapGenerator";
}

static ed_node *find_gen(ed_tx *t, bool secret, const char *name, const char *ns)
{
	ed_node *list = op_get(t->m, field_of(secret));
	if (!list || list->kind != ED_SEQ)
		return NULL;
	for (size_t i = 0; i < list->n; i++) {
		ed_node *g = list->items[i];
		if (g->kind == ED_MAP && strcmp(op_str(g, "name"), name) == 0 &&
		    ns_equal(op_str(g, "namespace"), ns))
			return g;
	}
	return NULL;
}

/* Generates the entry as a build would: kustomize's validation. */
static kb_error *check_generate(ed_tx *t, const ed_node *entry, bool secret)
{
	kb_node *kentry = ed_to_kb(entry);
	const ed_node *go = op_get(t->m, "generatorOptions");
	kb_node *kglobal = go && go->kind == ED_MAP ? ed_to_kb(go) : NULL;
	kb_loader ld = { t->e->fs, t->e->dir, KB_LOAD_ROOT_ONLY, t->e->files[0].display };
	kb_gen_result res;
	memset(&res, 0, sizeof(res));
	kb_error *err = kb_generate(kentry, kglobal, secret, &ld, NULL, &res);
	kb_node_free(res.doc);
	kb_node_free(kentry);
	kb_node_free(kglobal);
	return err;
}

/* ExpandFileSource: [key=]glob, a key's glob must match one file. */
static kb_error *expand_files(ed_tx *t, const kb_edit_generator *g, kb_strv *out)
{
	for (size_t i = 0; i < g->nfiles; i++) {
		const char *src = g->files[i];
		/* strings.Split(pattern, "="): with exactly two parts the first
		 * is a key */
		const char *eq = strchr(src, '=');
		bool keyed = eq && !strchr(eq + 1, '=');
		char *key = keyed ? kb_xstrndup(src, (size_t)(eq - src)) : NULL;
		char *pat = keyed ? kb_xstrdup(eq + 1) : (eq ? kb_xstrndup(src, (size_t)(eq - src))
						       : kb_xstrdup(src));
		kb_strv m = { 0 };
		kb_error *err = NULL;
		if (ed_go_glob(t->e->fs, t->e->dir, pat, &m) < 0)
			err = ed_usage("syntax error in pattern '%s'", pat);
		else if (m.n == 0)
			ed_tx_msg(t, "%s has no match", pat);
		if (!err && key) {
			if (m.n != 1) {
				char *sl = op_go_slice((const char *const *)m.v, m.n);
				err = ed_usage("'pattern '%s' catches files %s, should catch only one", src,
					       sl);
				free(sl);
			} else {
				kb_strv_push_owned(out, kb_xasprintf("%s=%s", key, m.v[0]));
			}
		} else if (!err) {
			for (size_t k = 0; k < m.n; k++)
				kb_strv_push(out, m.v[k]);
		}
		kb_strv_free(&m);
		free(key);
		free(pat);
		if (err)
			return wrap(err, "failed to expand file source");
	}
	return NULL;
}

static kb_error *add_gen_fn(ed_tx *t, void *arg)
{
	const kb_edit_generator *g = arg;
	kb_strv files = { 0 };
	kb_error *err = expand_files(t, g, &files);
	if (err) {
		kb_strv_free(&files);
		return err;
	}
	/* ValidateAdd */
	if (g->nargs != 1)
		err = ed_usage("name must be specified once");
	else if (!*gs(g->env_file) && files.n == 0 && g->nliterals == 0)
		err = ed_usage("at least from-env-file, or from-file or from-literal must be set");
	else if (*gs(g->env_file) && (files.n || g->nliterals))
		err = ed_usage("from-env-file cannot be combined with from-file or from-literal");
	else if (*gs(g->behavior) && strcmp(g->behavior, "create") != 0 &&
		 strcmp(g->behavior, "merge") != 0 && strcmp(g->behavior, "replace") != 0)
		err = ed_usage("invalid behavior: must be one of \"create\", \"merge\", or "
			       "\"replace\"");
	if (err) {
		kb_strv_free(&files);
		return wrap(err, "failed to validate flags");
	}
	const char *name = g->args[0];
	const char *ns = gs(g->namespace_);
	ed_node *entry = find_gen(t, g->secret, name, ns);
	if (!entry) {
		entry = ed_new_map();
		ed_map_append(entry, "name", ed_new_str(name));
		if (*ns)
			ed_map_append(entry, "namespace", ed_new_str(ns));
		if (g->secret)
			ed_map_append(entry, "type", ed_new_str(*gs(g->type) ? g->type : "Opaque"));
		ed_seq_push(op_list(t->m, field_of(g->secret)), entry);
	}
	/* MergeFlagsIntoGeneratorArgs */
	for (size_t i = 0; i < g->nliterals; i++)
		ed_seq_push(op_list(entry, "literals"), ed_new_str(g->literals[i]));
	for (size_t i = 0; i < files.n; i++)
		ed_seq_push(op_list(entry, "files"), ed_new_str(files.v[i]));
	if (*gs(g->env_file))
		ed_seq_push(op_list(entry, "envs"), ed_new_str(g->env_file));
	if (g->disable_name_suffix_hash) {
		/* kustomize replaces the options with {disableNameSuffixHash:
		 * true}, dropping their labels and annotations; only the flag
		 * is set here */
		ed_node *opts = op_map(entry, "options");
		ed_pair *p = ed_map_pair_ci(opts, "disableNameSuffixHash");
		if (!p)
			ed_map_append(opts, "disableNameSuffixHash", ed_new_scalar("true", KB_BOOL));
		else if (!(p->val->type == KB_BOOL && ed_is_str(p->val, "true")))
			ed_set_scalar(p->val, "true", KB_BOOL);
	}
	if (*gs(g->behavior))
		op_set_str(entry, "behavior", g->behavior, (size_t)-1);
	kb_strv_free(&files);
	err = check_generate(t, entry, g->secret);
	return err ? wrap(err, g->secret ? "failed to create secret" : "failed to create configmap")
		   : NULL;
}

kb_error *kb_edit_add_generator(kb_edit *e, const kb_edit_generator *g)
{
	return ed_run(e, add_gen_fn, (void *)g);
}

/* validateAndExtractLiteralSource: exactly one '=' */
static kb_error *literal_kv(const char *s, char **key)
{
	const char *eq = strchr(s, '=');
	if (!eq || strchr(eq + 1, '='))
		return ed_usage("invalid format: literal values must be specified in the key=value "
				"format");
	*key = kb_xstrndup(s, (size_t)(eq - s));
	return NULL;
}

static kb_error *set_gen_fn(ed_tx *t, void *arg)
{
	const kb_edit_generator *g = arg;
	const char *Kind = g->secret ? "Secret" : "ConfigMap";
	const char *fail = g->secret ? "failed to create secret" : "failed to create configmap";
	kb_error *err = NULL;
	if (g->nargs != 1)
		err = ed_usage("name must be specified once");
	else if (g->nliterals == 0 && !*gs(g->new_namespace))
		err = ed_usage("at least one of [--from-literal, --new-namespace] must be specified");
	if (err)
		return wrap(err, "failed to validate flags");
	ed_node *entry = find_gen(t, g->secret, g->args[0], gs(g->namespace_));
	if (!entry) {
		err = ed_err(t->e, "unable to find %s with name \"%s\"", Kind, g->args[0]);
		char *pre = kb_xasprintf("could not set new %s value", Kind);
		wrap(err, pre);
		free(pre);
		return wrap(err, fail);
	}
	if (g->nliterals) {
		ed_node *lits = op_get(entry, "literals");
		/* every literal of the entry must be KEY=VALUE */
		for (size_t i = 0; lits && lits->kind == ED_SEQ && i < lits->n && !err; i++) {
			char *k = NULL;
			err = literal_kv(gs(ed_str(lits->items[i])), &k);
			free(k);
		}
		for (size_t i = 0; i < g->nliterals && !err; i++) {
			char *k = NULL;
			err = literal_kv(g->literals[i], &k);
			if (err)
				break;
			bool found = false;
			for (size_t j = 0; lits && lits->kind == ED_SEQ && j < lits->n; j++) {
				const char *s = gs(ed_str(lits->items[j]));
				size_t kl = strlen(k);
				if (strncmp(s, k, kl) == 0 && s[kl] == '=') {
					found = true;
					if (strcmp(s, g->literals[i]) != 0)
						ed_set_scalar(lits->items[j], g->literals[i], KB_STR);
				}
			}
			if (!found)
				err = ed_err(t->e, "key '%s' not found in resource", k);
			free(k);
		}
		if (err) {
			wrap(err, "failed to update resource");
			wrap(err, "failed to update literal sources");
			return wrap(err, fail);
		}
	}
	if (*gs(g->new_namespace))
		op_set_str(entry, "namespace", g->new_namespace, (size_t)-1);
	err = check_generate(t, entry, g->secret);
	if (err) {
		char *pre = kb_xasprintf("failed to validate %s structure", Kind);
		wrap(err, pre);
		free(pre);
		return wrap(err, fail);
	}
	return NULL;
}

kb_error *kb_edit_set_generator(kb_edit *e, const kb_edit_generator *g)
{
	return ed_run(e, set_gen_fn, (void *)g);
}

typedef struct rm_args {
	bool secret;
	const char *const *args;
	size_t n;
	const char *ns;
} rm_args;

static kb_error *remove_gen_fn(ed_tx *t, void *arg)
{
	rm_args *a = arg;
	const char *word = a->secret ? "secret" : "configmap";
	if (a->n == 0)
		return ed_usage("at least one %s name must be specified", word);
	if (a->n > 1) {
		char *sl = op_go_slice(a->args, a->n);
		kb_error *err = ed_usage("too many arguments: %s; to provide multiple %ss to remove, "
					 "please separate %s names by commas",
					 sl, word, word);
		free(sl);
		return err;
	}
	kb_strv names = { 0 };
	char *all = kb_xstrdup(a->args[0]);
	char *s = all;
	for (;;) {
		char *c = strchr(s, ',');
		if (c)
			*c = '\0';
		kb_strv_push(&names, s);
		if (!c)
			break;
		s = c + 1;
	}
	free(all);
	bool *found = kb_xcalloc(names.n, sizeof(bool));
	size_t nfound = 0;
	ed_node *list = op_get(t->m, field_of(a->secret));
	for (size_t i = list && list->kind == ED_SEQ ? list->n : 0; i-- > 0;) {
		ed_node *g = list->items[i];
		if (g->kind != ED_MAP || !ns_equal(op_str(g, "namespace"), gs(a->ns)))
			continue;
		for (size_t k = 0; k < names.n; k++)
			if (strcmp(op_str(g, "name"), names.v[k]) == 0) {
				if (!found[k])
					nfound++;
				found[k] = true;
				ed_seq_remove(list, i);
				break;
			}
	}
	kb_error *err = NULL;
	if (!nfound) {
		err = ed_err(t->e, "no specified %s(s) were found in the kustomization.yaml file",
			     word);
	} else {
		for (size_t k = 0; k < names.n; k++)
			if (!found[k])
				ed_tx_msg(t, "%s %s doesn't exist in kustomization file", word,
					  names.v[k]);
		op_drop_empty(t->m, field_of(a->secret));
	}
	free(found);
	kb_strv_free(&names);
	return err;
}

kb_error *kb_edit_remove_generator(kb_edit *e, bool secret, const char *const *args, size_t n,
				   const char *namespace_)
{
	rm_args a = { secret, args, n, namespace_ };
	return ed_run(e, remove_gen_fn, &a);
}
