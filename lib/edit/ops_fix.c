/*
 * ops_fix.c - edit fix (kustomize v5.5.0 edit/fix/fix.go and
 * api/types/kustomization.go FixKustomization,
 * FixKustomizationPreMarshalling).
 *
 * Each deprecated field moves to its replacement the way kustomize reads
 * it (bases after resources, imageTags after images, patchesJson6902 and
 * then patchesStrategicMerge after patches, commonLabels as a last
 * labels entry with includeSelectors), so the build does not change.
 * Where the replacement field does not exist yet, the deprecated key is
 * renamed in place; otherwise its entries move, each with its comments.
 */
#include "fix.h"
#include "fs.h"
#include "ops.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const canonical[] = {
	"apiVersion", "kind", "metadata", "openapi", "namePrefix", "nameSuffix", "namespace",
	"commonLabels", "labels", "commonAnnotations", "patchesStrategicMerge", "patchesJson6902",
	"patches", "images", "imageTags", "replacements", "replicas", "vars", "sortOptions",
	"resources", "components", "crds", "bases", "configMapGenerator", "secretGenerator",
	"helmGlobals", "helmCharts", "helmChartInflationGenerator", "generatorOptions",
	"configurations", "generators", "transformers", "validators", "buildMetadata", NULL
};

static void rename_key(ed_pair *p, const char *name)
{
	ed_set_scalar(p->key, name, KB_STR);
}

/* Moves the items of list field `from` to the end of `to`: renaming
 * `from` when there is no `to`.  Returns true when something changed. */
static bool fold_list(ed_tx *t, const char *from, const char *to)
{
	ed_pair *fp = ed_map_pair_ci(t->m, from);
	if (!fp)
		return false;
	if (fp->val->kind != ED_SEQ || fp->val->n == 0) {
		ed_map_remove(t->m, ed_map_index(t->m, fp));
		return true;
	}
	ed_pair *tp = ed_map_pair_ci(t->m, to);
	if (!tp) {
		rename_key(fp, to);
		return true;
	}
	ed_node *dst = op_list(t->m, to);
	fp = ed_map_pair_ci(t->m, from);
	while (fp->val->n)
		ed_seq_push(dst, ed_seq_take(fp->val, 0));
	ed_map_remove(t->m, ed_map_index(t->m, fp));
	return true;
}

static void fixed(ed_tx *t, kb_strv *done, const char *what)
{
	(void)t;
	kb_strv_push(done, what);
}

/* env: X -> envs: [..., X] in each generator entry */
static void fix_env(ed_tx *t, const char *field, kb_strv *done)
{
	ed_node *list = op_get(t->m, field);
	if (!list || list->kind != ED_SEQ)
		return;
	bool any = false;
	for (size_t i = 0; i < list->n; i++) {
		ed_node *g = list->items[i];
		ed_pair *ep = ed_map_pair_ci(g, "env");
		if (!ep || g->kind != ED_MAP)
			continue;
		any = true;
		if (ed_is_null(ep->val) || (ep->val->kind == ED_SCALAR && !*ep->val->str)) {
			ed_map_remove(g, ed_map_index(g, ep));
			continue;
		}
		ed_pair *es = ed_map_pair_ci(g, "envs");
		if (!es) {
			size_t at = ed_map_index(g, ep);
			ed_node *v = ed_map_take(g, at);
			ed_node *s = ed_new_seq();
			ed_seq_push(s, v);
			ed_map_insert(g, at, "envs", s);
		} else {
			ed_node *dst = op_list(g, "envs");
			ep = ed_map_pair_ci(g, "env");
			ed_seq_push(dst, ed_map_take(g, ed_map_index(g, ep)));
		}
	}
	if (any) {
		char *s = kb_xasprintf("%s env -> envs", field);
		fixed(t, done, s);
		free(s);
	}
}

/* helmChartInflationGenerator -> helmCharts and helmGlobals
 * (types.SplitHelmParameters) */
static void fix_helm(ed_tx *t, kb_strv *done)
{
	ed_pair *hp = ed_map_pair_ci(t->m, "helmChartInflationGenerator");
	if (!hp)
		return;
	static const char *const renames[][2] = {
		{ "chartName", "name" },     { "chartVersion", "version" },
		{ "chartRepoUrl", "repo" },  { "values", "valuesFile" },
		{ "valuesLocal", "valuesInline" }, { "valuesMerge", "valuesMerge" },
		{ "releaseName", "releaseName" },
	};
	char *chart_home = NULL, *config_home = NULL;
	ed_node *list = hp->val;
	if (list->kind == ED_SEQ) {
		for (size_t i = 0; i < list->n; i++) {
			ed_node *g = list->items[i];
			if (g->kind != ED_MAP)
				continue;
			const char *ch = op_str(g, "chartHome"), *hh = op_str(g, "helmHome");
			if (*ch) {
				free(chart_home);
				chart_home = kb_xstrdup(ch);
			}
			if (*hh) {
				free(config_home);
				config_home = kb_xstrdup(hh);
			}
			for (size_t k = g->n; k-- > 0;) {
				ed_pair *p = &g->pairs[k];
				size_t r;
				for (r = 0; r < sizeof(renames) / sizeof(*renames); r++)
					if (strcasecmp(p->key->str, renames[r][0]) == 0)
						break;
				if (r < sizeof(renames) / sizeof(*renames)) {
					if (strcmp(p->key->str, renames[r][1]) != 0)
						rename_key(p, renames[r][1]);
					continue;
				}
				if (strcasecmp(p->key->str, "chartHome") != 0 &&
				    strcasecmp(p->key->str, "helmHome") != 0 && !ed_is_null(p->val))
					ed_tx_msg(t,
						  "helmChartInflationGenerator: '%s' has no counterpart in "
						  "helmCharts and was dropped (kustomize ignores it too)",
						  p->key->str);
				ed_map_remove(g, k);
			}
		}
	}
	if ((chart_home || config_home) && !op_get(t->m, "helmGlobals")) {
		ed_node *gl = ed_new_map();
		if (chart_home)
			ed_map_append(gl, "chartHome", ed_new_str(chart_home));
		if (config_home)
			ed_map_append(gl, "configHome", ed_new_str(config_home));
		hp = ed_map_pair_ci(t->m, "helmChartInflationGenerator");
		ed_map_insert(t->m, ed_map_index(t->m, hp), "helmGlobals", gl);
	}
	free(chart_home);
	free(config_home);
	fold_list(t, "helmChartInflationGenerator", "helmCharts");
	fixed(t, done, "helmChartInflationGenerator -> helmCharts");
}

/* patchesStrategicMerge entries -> patches: {path} when the file can be
 * read, else {patch} */
static void fix_psm(ed_tx *t, kb_strv *done)
{
	ed_pair *pp = ed_map_pair_ci(t->m, "patchesStrategicMerge");
	if (!pp)
		return;
	fixed(t, done, "patchesStrategicMerge -> patches");
	ed_node *src = pp->val;
	if (src->kind != ED_SEQ || src->n == 0) {
		ed_map_remove(t->m, ed_map_index(t->m, pp));
		return;
	}
	ed_node *conv = ed_new_seq();
	while (src->n) {
		ed_node *v = ed_seq_take(src, 0);
		const char *s = ed_str(v) ? ed_str(v) : "";
		char *abs = ed_abs(t->e, s);
		size_t len;
		char *data = *s && !strchr(s, '\n') ? kb_fs_read(t->e->fs, abs, &len) : NULL;
		free(abs);
		ed_node *m = ed_new_map();
		m->heads_from = v->orig;
		ed_map_append(m, data ? "path" : "patch", v);
		free(data);
		ed_seq_push(conv, m);
	}
	ed_pair *dst = ed_map_pair_ci(t->m, "patches");
	if (!dst) {
		pp = ed_map_pair_ci(t->m, "patchesStrategicMerge");
		rename_key(pp, "patches");
		while (conv->n)
			ed_seq_push(pp->val, ed_seq_take(conv, 0));
	} else {
		ed_node *list = op_list(t->m, "patches");
		while (conv->n)
			ed_seq_push(list, ed_seq_take(conv, 0));
		pp = ed_map_pair_ci(t->m, "patchesStrategicMerge");
		ed_map_remove(t->m, ed_map_index(t->m, pp));
	}
	ed_node_free(conv);
}

static kb_error *fix_common_labels(ed_tx *t, kb_strv *done)
{
	ed_pair *cp = ed_map_pair_ci(t->m, "commonLabels");
	if (!cp)
		return NULL;
	if (cp->val->kind != ED_MAP || cp->val->n == 0) {
		ed_map_remove(t->m, ed_map_index(t->m, cp));
		fixed(t, done, "commonLabels -> labels");
		return NULL;
	}
	ed_node *labels = op_get(t->m, "labels");
	if (labels && labels->kind == ED_SEQ)
		for (size_t i = 0; i < labels->n; i++) {
			const ed_node *pairs = op_get(labels->items[i], "pairs");
			if (!pairs || pairs->kind != ED_MAP)
				continue;
			for (size_t k = 0; k < pairs->n; k++)
				if (ed_map_pair(cp->val, pairs->pairs[k].key->str))
					return ed_err_at(t, pairs->pairs[k].val,
						      "label name '%s' exists in both commonLabels and "
						      "labels",
						      pairs->pairs[k].key->str);
		}
	ed_node *entry = ed_new_map();
	bool rename = !ed_map_pair_ci(t->m, "labels");
	size_t at = ed_map_index(t->m, cp);
	const ed_pair *porig = cp->orig;
	const ed_node *heads = cp->val->orig;
	ed_node *pairs = ed_map_take(t->m, at);
	ed_map_append(entry, "pairs", pairs);
	ed_map_append(entry, "includeSelectors", ed_new_scalar("true", KB_BOOL));
	if (rename) {
		/* the pair stays where it was, under its new name */
		ed_node *s = ed_new_seq();
		ed_seq_push(s, entry);
		ed_map_insert(t->m, at, "labels", s);
		t->m->pairs[at].orig = porig;
	} else {
		entry->heads_from = heads;
		ed_seq_push(op_list(t->m, "labels"), entry);
	}
	fixed(t, done, "commonLabels -> labels");
	return NULL;
}

static kb_error *fix_fn(ed_tx *t, void *arg)
{
	unsigned flags = *(unsigned *)arg;
	kb_strv done = { 0 };
	/* a repeated field: kustomize reads only the last (goyaml.v2), and so
	 * does its fix; the others go */
	for (size_t i = 0; i < t->m->n; i++) {
		ed_pair *last = ed_map_pair_ci(t->m, t->m->pairs[i].key->str);
		if (last != &t->m->pairs[i]) {
			char *s = kb_xasprintf("a repeated '%s' removed (kustomize reads only the last)",
					       t->m->pairs[i].key->str);
			fixed(t, &done, s);
			free(s);
			ed_map_remove(t->m, i);
			i--;
		}
	}
	/* field names in their canonical spelling */
	for (size_t i = 0; i < t->m->n; i++) {
		ed_pair *p = &t->m->pairs[i];
		for (size_t k = 0; canonical[k]; k++)
			if (strcasecmp(p->key->str, canonical[k]) == 0 &&
			    strcmp(p->key->str, canonical[k]) != 0) {
				char *s = kb_xasprintf("%s -> %s", p->key->str, canonical[k]);
				fixed(t, &done, s);
				free(s);
				rename_key(p, canonical[k]);
			}
	}
	if (fold_list(t, "bases", "resources"))
		fixed(t, &done, "bases -> resources");
	if (fold_list(t, "imageTags", "images"))
		fixed(t, &done, "imageTags -> images");
	fix_env(t, "configMapGenerator", &done);
	fix_env(t, "secretGenerator", &done);
	fix_helm(t, &done);
	if (fold_list(t, "patchesJson6902", "patches"))
		fixed(t, &done, "patchesJson6902 -> patches");
	fix_psm(t, &done);
	kb_error *err = fix_common_labels(t, &done);
	if (!err && (flags & KB_EDIT_FIX_VARS) && op_get(t->m, "vars")) {
		err = ed_fix_vars(t);
		if (!err)
			fixed(t, &done, "vars -> replacements");
	}
	if (!err) {
		/* apiVersion and kind, at the top */
		const char *kind = op_str(t->m, "kind");
		if (!*kind) {
			op_del(t->m, "kind");
			size_t at = ed_map_pair_ci(t->m, "apiVersion")
					    ? ed_map_index(t->m, ed_map_pair_ci(t->m, "apiVersion")) + 1
					    : 0;
			ed_map_insert(t->m, at, "kind", ed_new_str("Kustomization"));
			kind = "Kustomization";
			fixed(t, &done, "kind: Kustomization added");
		}
		if (!*op_str(t->m, "apiVersion")) {
			op_del(t->m, "apiVersion");
			ed_pair *kp = ed_map_pair_ci(t->m, "kind");
			ed_map_insert(t->m, ed_map_index(t->m, kp), "apiVersion",
				      ed_new_str(strcmp(kind, "Component") == 0
							 ? "kustomize.config.k8s.io/v1alpha1"
							 : "kustomize.config.k8s.io/v1beta1"));
			fixed(t, &done, "apiVersion added");
		}
	}
	if (!err) {
		for (size_t i = 0; i < done.n; i++)
			ed_tx_msg(t, "fixed: %s", done.v[i]);
		if (!done.n)
			ed_tx_msg(t, "nothing to fix");
	}
	kb_strv_free(&done);
	return err;
}

/* The build of the session's directory with the files as they are now
 * in the session (laid over the disk): its output, or NULL and *err. */
static char *build_now(const kb_edit *e, char **errtext)
{
	kb_memfs *mfs = kb_memfs_new(e->fs ? e->fs : kb_fs_os());
	for (size_t i = 0; i < e->nfiles; i++)
		kb_memfs_add(mfs, e->files[i].path, e->files[i].text, e->files[i].len);
	kb_options o;
	kb_options_init(&o);
	o.path = e->dir;
	o.fs = kb_memfs_fs(mfs);
	kb_result *res = NULL;
	kb_error *err = kb_build(&o, &res);
	char *out = NULL;
	*errtext = NULL;
	if (err) {
		*errtext = kb_error_format(err);
		kb_error_free(err);
	} else {
		size_t len;
		const char *y = kb_result_yaml(res, &len);
		out = kb_xstrndup(y, len);
	}
	kb_result_free(res);
	kb_memfs_free(mfs);
	return out;
}

kb_error *kb_edit_fix(kb_edit *e, unsigned flags)
{
	char *berr = NULL;
	char *before = build_now(e, &berr);
	free(berr);
	kb_error *err = ed_run(e, fix_fn, &flags);
	if (!err) {
		char *aerr = NULL;
		char *after = build_now(e, &aerr);
		if (!after && before) {
			size_t l = strlen(aerr);
			while (l && aerr[l - 1] == '\n')
				aerr[--l] = '\0';
			kb_strv_push_owned(&e->msgs,
					   kb_xasprintf("warning: the fixed kustomization fails to "
							"build: %s",
							aerr));
		} else if (after && before && strcmp(after, before) != 0) {
			kb_strv_push(&e->msgs, "warning: the fixed kustomization builds to "
					       "different output; compare `kbuild` before and after "
					       "(--dry-run shows the new file)");
		}
		free(after);
		free(aerr);
	}
	free(before);
	return err;
}
