/*
 * plugin.c - the `generators:`, `transformers:` and `validators:` fields,
 * as kustomize v5.5.0 runs them (api/internal/target/kusttarget.go,
 * api/internal/plugins/loader, api/internal/builtins).
 *
 * Each field lists plugin configs.  kustomize first takes every entry
 * that parses as inline resource YAML, then loads the others as paths
 * (files or kustomization directories, built like `resources:`), all
 * into one fresh resource map: so inline configs run before file ones
 * whatever the listing order.  Every resulting object is one plugin
 * config, run in that order.  Only the `apiVersion: builtin` kinds are
 * supported; they map onto the same library functions the kustomization
 * fields use, with the config's own fieldSpecs instead of the defaults.
 * Plugin file paths resolve against the kustomization that lists the
 * field (kustomize hands every plugin that kustomization's loader).
 */
#include "plugin.h"
#include "origin.h"
#include "generate.h"
#include "hash.h"
#include "helm.h"
#include "patch.h"
#include "replace.h"
#include "select.h"
#include "transform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum plugin_role {
	ROLE_GENERATOR,
	ROLE_TRANSFORMER,
} plugin_role;

/* builtinhelpers.GeneratorFactories / TransformerFactories.
 * SortOrderTransformer is deliberately absent, as in kustomize: it is
 * only available through the top kustomization's sortOptions. */
static const struct {
	const char *kind;
	plugin_role role;
} builtin_plugins[] = {
	{ "AnnotationsTransformer", ROLE_TRANSFORMER },
	{ "ConfigMapGenerator", ROLE_GENERATOR },
	{ "IAMPolicyGenerator", ROLE_GENERATOR },
	{ "HashTransformer", ROLE_TRANSFORMER },
	{ "ImageTagTransformer", ROLE_TRANSFORMER },
	{ "LabelTransformer", ROLE_TRANSFORMER },
	{ "NamespaceTransformer", ROLE_TRANSFORMER },
	{ "PatchJson6902Transformer", ROLE_TRANSFORMER },
	{ "PatchStrategicMergeTransformer", ROLE_TRANSFORMER },
	{ "PatchTransformer", ROLE_TRANSFORMER },
	{ "PrefixSuffixTransformer", ROLE_TRANSFORMER },
	{ "PrefixTransformer", ROLE_TRANSFORMER },
	{ "SuffixTransformer", ROLE_TRANSFORMER },
	{ "ReplicaCountTransformer", ROLE_TRANSFORMER },
	{ "SecretGenerator", ROLE_GENERATOR },
	{ "ValueAddTransformer", ROLE_TRANSFORMER },
	{ "HelmChartInflationGenerator", ROLE_GENERATOR },
	{ "ReplacementTransformer", ROLE_TRANSFORMER },
};

/* konfig.ValidatedByLabelKey: validators may add it and nothing else. */
#define VALIDATED_BY_LABEL "validated-by"

/* kyaml's Gvk.String / ResId.String, for messages that quote kustomize. */
static char *gvk_string(const char *group, const char *version, const char *kind)
{
	return kb_xasprintf("%s.%s.%s", kb_str_empty(kind) ? "[noKind]" : kind,
			    kb_str_empty(version) ? "[noVer]" : version,
			    kb_str_empty(group) ? "[noGrp]" : group);
}

static char *org_id_string(const kb_resource *r)
{
	char *gvk = gvk_string(r->orig.group, r->orig.version, r->orig.kind);
	char *s = kb_xasprintf("%s/%s.%s", gvk, kb_str_empty(r->orig.name) ? "[noName]" : r->orig.name,
			       kb_str_empty(r->orig.ns) ? "[noNs]" : r->orig.ns);
	free(gvk);
	return s;
}

static bool cfg_true(const kb_node *cfg, const char *key)
{
	const kb_node *v = kb_map_get(cfg, key);
	return v && kb_node_is_scalar(v) && strcmp(v->str, "true") == 0;
}

static char *trimmed(const char *s)
{
	if (!s)
		return kb_xstrdup("");
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
			 s[n - 1] == '\r'))
		n--;
	return kb_xstrndup(s, n);
}

/* types.FsSlice from a config's fieldSpecs; *present says whether the
 * field was given at all (Prefix/SuffixTransformer insist on it). */
static kb_error *fsset_from(const kb_resource *cfg, kb_fsset *fs, bool *present)
{
	const kb_node *list = kb_map_get(cfg->doc, "fieldSpecs");
	if (present)
		*present = list && list->kind != KB_NULL;
	if (!list || list->kind == KB_NULL)
		return NULL;
	if (list->kind != KB_SEQ)
		return kb_error_new(cfg->file, list->line, list->col,
				    "fieldSpecs of %s '%s' must be a list", kb_res_kind(cfg),
				    kb_res_name(cfg));
	for (size_t i = 0; i < list->n; i++) {
		const kb_node *x = list->items[i];
		if (x->kind != KB_MAP)
			return kb_error_new(cfg->file, x->line, x->col,
					    "each fieldSpecs entry must be a mapping with 'path'");
		static const char *const strs[] = { "group", "version", "kind", "path" };
		for (size_t k = 0; k < 4; k++) {
			const kb_node *v = kb_map_get(x, strs[k]);
			if (v && v->kind != KB_STR && v->kind != KB_NULL)
				/* Go's JSON decoder refuses a number for a string */
				return kb_error_new(cfg->file, v->line, v->col,
						    "fieldSpecs.%s of %s '%s' must be a string "
						    "(quote it: \"%s\")",
						    strs[k], kb_res_kind(cfg), kb_res_name(cfg),
						    kb_node_text(v));
		}
		kb_fsset_add(fs, kb_map_get_str(x, "group"), kb_map_get_str(x, "version"),
			     kb_map_get_str(x, "kind"), kb_map_get_str(x, "path"),
			     cfg_true(x, "create"));
	}
	return NULL;
}

/* ---- config field names ----
 *
 * kustomize decodes plugin configs with Go's encoding/json, which
 * matches struct field names case-insensitively (`Path:` is `path:`).
 * Known field names are put in canonical spelling before use; plain
 * string maps (labels, annotations, PatchTransformer's options) are
 * Go maps and stay case-sensitive. */

static const char *const top_keys[] = {
	"path", "patch", "target", "paths", "patches", "jsonOp", "prefix", "suffix",
	"fieldSpecs", "labels", "annotations", "imageTag", "replica", "value", "targets",
	"targetFilePath", "replacements", "unsetOnly", "setRoleBindingSubjects", "cloud",
	"kubernetesService", "serviceAccount", "name", "namespace", "behavior", "literals",
	"files", "envs", "env", "type", "options", NULL,
};
static const char *const selector_keys[] = {
	"group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector", NULL,
};
static const char *const fieldspec_keys[] = { "group", "version", "kind", "path", "create", NULL };
static const char *const image_keys[] = { "name", "newName", "newTag", "digest", "tagSuffix", NULL };
static const char *const replica_keys[] = { "name", "count", NULL };
static const char *const valueadd_keys[] = { "selector", "fieldPath", "filePathPosition", NULL };
static const char *const gen_opt_keys[] = {
	"labels", "annotations", "disableNameSuffixHash", "immutable", NULL,
};
static const char *const ksa_keys[] = { "name", "namespace", NULL };
static const char *const gsa_keys[] = { "name", "projectId", NULL };

static void canon_keys(kb_node *map, const char *const *keys)
{
	if (!map || map->kind != KB_MAP)
		return;
	for (size_t i = 0; i < map->n; i++) {
		const char *key = map->pairs[i].key;
		for (const char *const *k = keys; *k; k++) {
			if (strcmp(key, *k) == 0)
				break;
			if (strcasecmp(key, *k) == 0 && !kb_map_get(map, *k)) {
				kb_map_rename(map, &map->pairs[i], *k, strlen(*k));
				break;
			}
		}
	}
}

static void canon_each(kb_node *seq, const char *const *keys)
{
	for (size_t i = 0; seq && seq->kind == KB_SEQ && i < seq->n; i++)
		canon_keys(seq->items[i], keys);
}

static void canon_config(kb_node *doc)
{
	canon_keys(doc, top_keys);
	canon_keys(kb_map_get(doc, "target"), selector_keys);
	canon_each(kb_map_get(doc, "fieldSpecs"), fieldspec_keys);
	canon_keys(kb_map_get(doc, "imageTag"), image_keys);
	canon_keys(kb_map_get(doc, "replica"), replica_keys);
	kb_node *targets = kb_map_get(doc, "targets");
	canon_each(targets, valueadd_keys);
	for (size_t i = 0; targets && targets->kind == KB_SEQ && i < targets->n; i++)
		canon_keys(kb_map_get(targets->items[i], "selector"), selector_keys);
	canon_keys(kb_map_get(doc, "kubernetesService"), ksa_keys);
	canon_keys(kb_map_get(doc, "serviceAccount"), gsa_keys);
	const char *kind = kb_map_get_str(doc, "kind");
	if (kb_streq(kind, "ConfigMapGenerator") || kb_streq(kind, "SecretGenerator"))
		canon_keys(kb_map_get(doc, "options"), gen_opt_keys);
}

/* ---- collecting configs ---- */

static bool is_remote(const char *s)
{
	return strstr(s, "://") != NULL || kb_str_has_prefix(s, "git@") ||
	       kb_str_has_prefix(s, "github.com/") || kb_str_has_prefix(s, "gitlab.com/") ||
	       kb_str_has_prefix(s, "bitbucket.org/") || kb_str_has_prefix(s, "git::");
}

/* Adds parsed documents as configs, inlining the items of *List kinds
 * as kustomize's resource factory does.  Consumes docs. */
/* kustomize turns every plugin config into JSON before decoding it, which
 * fails on a repeated key ("marshalling yaml from res ..."). */
static kb_error *check_config_dups(const kb_resmap *out, size_t from)
{
	for (size_t i = from; i < out->n; i++) {
		const kb_pair *first = NULL;
		const kb_pair *d = kb_node_find_dup_key(out->v[i]->doc, &first);
		if (d)
			return kb_error_new(out->v[i]->file, d->line, d->col,
					    "mapping key \"%s\" already defined at line %u in plugin "
					    "config %s '%s'",
					    d->key, first->line, kb_res_kind(out->v[i]),
					    kb_res_name(out->v[i]));
	}
	return NULL;
}

/* kustomize's rule for an entry: inline when it parses as resource YAML
 * (every document an object with a kind and a name, or a *List),
 * otherwise a path.  A bare "file.yaml" parses as a scalar, hence a path. */
static bool parse_inline(kb_ctx *ctx, const kb_node *it, const char *display, kb_node ***docs,
			 size_t *nd)
{
	*docs = NULL;
	*nd = 0;
	kb_error *e = kb_yaml_parse(display, it->str, it->len, &ctx->lim, docs, nd);
	if (e) {
		kb_error_free(e);
		return false;
	}
	for (size_t i = 0; i < *nd; i++) {
		const kb_node *d = (*docs)[i];
		const char *kind = d->kind == KB_MAP ? kb_map_get_str(d, "kind") : NULL;
		bool ok = !kb_str_empty(kind) &&
			  ((kb_str_has_suffix(kind, "List") && kb_map_get(d, "items")) ||
			   !kb_str_empty(kb_node_get_str(d, "metadata", "name", NULL)));
		if (!ok) {
			kb_docs_free(*docs, *nd);
			*docs = NULL;
			*nd = 0;
			return false;
		}
	}
	return true;
}

static kb_error *load_config_path(kb_ctx *ctx, kb_resmap *out, const kb_kust *k,
				  const kb_loader *ld, const kb_node *it)
{
	const char *path = it->str;
	if (is_remote(path))
		return kb_error_new(k->display, it->line, it->col,
				    "remote plugin configs are not supported yet: '%s'", path);
	char *real = kb_loader_resolve(ld, path);
	if (!real)
		return kb_error_new(k->display, it->line, it->col,
				    "accumulating resources from '%s': %s", path, strerror(errno));
	kb_error *e = NULL;
	if (kb_fs_is_dir(ld->fs, real)) {
		if (!kb_kust_exists(ld->fs, real)) {
			e = kb_error_new(k->display, it->line, it->col,
					 "'%s' is a directory without a kustomization file", path);
		} else if (!(e = kb_ctx_check_cycle(ctx, real, k, it->line))) {
			/* The directory is built like a resource base; its output
			 * objects are the configs. */
			kb_acc sub;
			kb_acc_init(&sub);
			char *saved = kb_origin_enter(&ctx->origin, path);
			e = ctx->build_dir(ctx, real, &sub);
			kb_origin_leave(&ctx->origin, saved);
			size_t from = out->n;
			if (!e)
				e = kb_resmap_absorb(out, ctx->schema, &sub.rm);
			if (!e)
				e = check_config_dups(out, from);
			kb_acc_free(&sub);
		}
	} else {
		char *data, *abs;
		size_t len;
		e = kb_loader_read(ld, path, &data, &len, &abs);
		if (!e) {
			char *display = kb_path_display(abs);
			kb_node **docs;
			size_t nd;
			e = kb_yaml_parse(display, data, len, &ctx->lim, &docs, &nd);
			if (!e) {
				size_t first = out->n;
				e = kb_acc_add_documents(ctx, out, docs, nd, display);
				if (!e)
					e = check_config_dups(out, first);
				free(docs);
				if (!e && ctx->origin)
					kb_origin_set_path(out, first, ctx->origin, path);
			}
			free(display);
			free(data);
			free(abs);
		}
	}
	free(real);
	return e;
}

static kb_error *collect_configs(kb_ctx *ctx, kb_resmap *out, const kb_kust *k,
				 const kb_loader *ld, const kb_node *list)
{
	bool *inl = kb_xcalloc(list->n ? list->n : 1, sizeof(bool));
	kb_error *e = NULL;
	for (size_t i = 0; i < list->n && !e; i++) {
		const kb_node *it = list->items[i];
		if (!kb_node_is_scalar(it) || it->kind == KB_NULL) {
			e = kb_error_new(k->display, it->line, it->col,
					 "plugin entries are file paths, directories or inline YAML "
					 "strings");
			break;
		}
		char *display = kb_xasprintf("%s:%u (inline plugin config)", k->display, it->line);
		kb_node **docs;
		size_t nd;
		if (parse_inline(ctx, it, display, &docs, &nd)) {
			inl[i] = true;
			size_t first = out->n;
			size_t from = out->n;
			e = kb_acc_add_documents(ctx, out, docs, nd, display);
			if (!e)
				e = check_config_dups(out, from);
			free(docs);
			/* inline configs come from the kustomization file itself */
			if (!e && ctx->origin)
				kb_origin_set_path(out, first, ctx->origin,
						   kb_origin_base_name(k->path));
		}
		free(display);
	}
	for (size_t i = 0; i < list->n && !e; i++) {
		if (inl[i])
			continue;
		e = load_config_path(ctx, out, k, ld, list->items[i]);
		if (e)
			e = kb_error_note(e, k->display, list->items[i]->line, list->items[i]->col,
					  "in plugin config '%s'", list->items[i]->str);
	}
	free(inl);
	return e;
}

/* ---- selection (kustomize's ResMap.Select) ---- */

static bool res_selected(kb_ctx *ctx, const kb_selector *sel, const kb_resource *r)
{
	char *group, *version;
	kb_split_apiversion(kb_res_apiversion(r), &group, &version);
	bool cluster = kb_schema_namespaced(ctx->schema, group, version, kb_res_kind(r)) == 0;
	const char *orig_ns = cluster ? KB_NS_CLUSTER : r->orig.ns;
	const char *cur_ns = cluster ? KB_NS_CLUSTER : kb_res_ns(r);
	bool ok = kb_selector_match_namespace(sel, orig_ns) || kb_selector_match_namespace(sel, cur_ns);
	ok = ok && (kb_selector_match_name(sel, r->orig.name) ||
		    kb_selector_match_name(sel, kb_res_name(r)));
	ok = ok && kb_selector_match_gvk(sel, group, version, kb_res_kind(r));
	ok = ok && kb_selector_match_labels(sel, kb_node_get(r->doc, "metadata", "labels", NULL),
					    kb_node_get(r->doc, "metadata", "annotations", NULL));
	free(group);
	free(version);
	return ok;
}

/* ---- transformers ---- */

static kb_error *run_patch(kb_ctx *ctx, kb_resmap *m, const kb_resource *cfg,
			   const kb_loader *ld)
{
	/* PatchTransformer trims its inline patch before checking it. */
	kb_node *entry = kb_node_new(KB_MAP);
	const char *path = kb_map_get_str(cfg->doc, "path");
	char *patch = trimmed(kb_map_get_str(cfg->doc, "patch"));
	if (!kb_str_empty(path))
		kb_map_set(entry, "path", kb_node_new_str(path));
	if (*patch)
		kb_map_set(entry, "patch", kb_node_new_str(patch));
	free(patch);
	const kb_node *target = kb_map_get(cfg->doc, "target");
	if (target && target->kind != KB_NULL)
		kb_map_set(entry, "target", kb_node_clone(target));
	const kb_node *opts = kb_map_get(cfg->doc, "options");
	if (opts && opts->kind != KB_NULL)
		kb_map_set(entry, "options", kb_node_clone(opts));
	kb_error *e = kb_patch_apply_entry(ctx, m, entry, ld, cfg->file);
	kb_node_free(entry);
	return e;
}

static kb_error *run_patch_sm(kb_ctx *ctx, kb_resmap *m, const kb_resource *cfg,
			      const kb_loader *ld)
{
	const kb_node *paths = kb_map_get(cfg->doc, "paths");
	const char *patches = kb_map_get_str(cfg->doc, "patches");
	bool have_paths = paths && paths->kind == KB_SEQ && paths->n > 0;
	if (!have_paths && kb_str_empty(patches))
		return kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
				    "empty file path and empty patch content");
	/* Every patch is loaded (Config) before any is applied (Transform). */
	kb_node *entries = kb_node_new(KB_SEQ);
	for (size_t i = 0; have_paths && i < paths->n; i++) {
		const kb_node *p = paths->items[i];
		if (!kb_node_is_scalar(p) || p->kind == KB_NULL)
			continue;
		kb_node *entry = kb_node_new(KB_MAP);
		/* For legacy reasons a path may hold the patch text itself. */
		kb_map_set(entry, strchr(p->str, '\n') ? "patch" : "path", kb_node_new_str(p->str));
		kb_seq_push(entries, entry);
	}
	if (!kb_str_empty(patches)) {
		kb_node *entry = kb_node_new(KB_MAP);
		kb_map_set(entry, "patch", kb_node_new_str(patches));
		kb_seq_push(entries, entry);
	}
	kb_error *e = NULL;
	for (size_t i = 0; i < entries->n && !e; i++)
		e = kb_patch_apply_entry(ctx, m, entries->items[i], ld, cfg->file);
	kb_node_free(entries);
	return e;
}

static kb_error *run_patch_json(kb_ctx *ctx, kb_resmap *m, const kb_resource *cfg,
				const kb_loader *ld)
{
	const kb_node *target = kb_map_get(cfg->doc, "target");
	const char *path = kb_map_get_str(cfg->doc, "path");
	const char *op = kb_map_get_str(cfg->doc, "jsonOp");
	if (!target || target->kind != KB_MAP || kb_str_empty(kb_map_get_str(target, "name")))
		return kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
				    "must specify the target name");
	if (kb_str_empty(path) && kb_str_empty(op))
		return kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
				    "empty file path and empty jsonOp");
	if (!kb_str_empty(path) && !kb_str_empty(op))
		return kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
				    "must specify a file path or jsonOp, not both");
	kb_node *entry = kb_node_new(KB_MAP);
	kb_map_set(entry, kb_str_empty(path) ? "patch" : "path",
		   kb_node_new_str(kb_str_empty(path) ? op : path));
	kb_map_set(entry, "target", kb_node_clone(target));
	kb_error *e = kb_patch_apply_entry(ctx, m, entry, ld, cfg->file);
	kb_node_free(entry);
	return e;
}

static kb_error *run_affix(kb_resmap *m, const kb_resource *cfg, bool prefix, bool suffix)
{
	kb_fsset fs = { 0 };
	bool present;
	kb_error *e = fsset_from(cfg, &fs, &present);
	if (!e && !present)
		e = kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
				 "fieldSpecs is not expected to be nil");
	/* PrefixSuffixTransformer is a prefix pass then a suffix pass. */
	if (!e && prefix)
		e = kb_transform_prefix_suffix(m, kb_map_get_str(cfg->doc, "prefix"), NULL, &fs);
	if (!e && suffix)
		e = kb_transform_prefix_suffix(m, NULL, kb_map_get_str(cfg->doc, "suffix"), &fs);
	kb_fsset_free(&fs);
	return e;
}

static kb_error *run_pairs(kb_resmap *m, const kb_resource *cfg, const char *field)
{
	const kb_node *pairs = kb_map_get(cfg->doc, field);
	if (!pairs || pairs->kind == KB_NULL)
		return NULL;
	if (pairs->kind != KB_MAP)
		return kb_error_new(cfg->file, pairs->line, pairs->col, "%s must be a mapping",
				    field);
	kb_fsset fs = { 0 };
	kb_error *e = fsset_from(cfg, &fs, NULL);
	if (!e)
		e = strcmp(field, "labels") == 0 ? kb_transform_labels(m, pairs, &fs)
						 : kb_transform_annotations(m, pairs, &fs);
	kb_fsset_free(&fs);
	return e;
}

/* kustomize checks after each object that the new namespace made no
 * two objects alike. */
static kb_error *check_ns_conflicts(kb_ctx *ctx, const kb_resmap *m, const char *file)
{
	kb_error *e = NULL;
	for (size_t i = 0; i < m->n && !e; i++) {
		kb_resid a;
		kb_res_id(m->v[i], &a);
		for (size_t j = i + 1; j < m->n && !e; j++) {
			kb_resid b;
			kb_res_id(m->v[j], &b);
			if (kb_resid_equal(ctx->schema, &a, &b)) {
				char *ids = kb_resid_string(&a);
				e = kb_error_new(file, 0, 0,
						 "namespace transformation produces ID conflict: %s", ids);
				free(ids);
			}
			kb_resid_free(&b);
		}
		kb_resid_free(&a);
	}
	return e;
}

static kb_error *run_namespace(kb_ctx *ctx, kb_resmap *m, const kb_resource *cfg)
{
	const char *ns = kb_node_get_str(cfg->doc, "metadata", "namespace", NULL);
	const char *mode = kb_map_get_str(cfg->doc, "setRoleBindingSubjects");
	kb_subject_mode sm;
	if (kb_str_empty(mode) || strcmp(mode, "defaultOnly") == 0)
		sm = KB_SUBJECTS_DEFAULT_ONLY;
	else if (strcmp(mode, "allServiceAccounts") == 0)
		sm = KB_SUBJECTS_ALL_SERVICE_ACCOUNTS;
	else if (strcmp(mode, "none") == 0)
		sm = KB_SUBJECTS_NONE;
	else
		return kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
				    "invalid value \"%s\" for setRoleBindingSubjects: must be one of "
				    "\"defaultOnly\", \"none\" or \"allServiceAccounts\"",
				    mode);
	if (kb_str_empty(ns))
		return NULL;
	kb_fsset all = { 0 }, fs = { 0 };
	kb_error *e = fsset_from(cfg, &all, NULL);
	/* namespace.Filter drops subjects/namespace specs of the binding
	 * kinds: setRoleBindingSubjects alone decides about subjects. */
	for (size_t i = 0; i < all.n; i++) {
		const kb_fieldspec *f = &all.v[i];
		if ((kb_streq(f->kind, "RoleBinding") || kb_streq(f->kind, "ClusterRoleBinding")) &&
		    kb_streq(f->path, "subjects/namespace"))
			continue;
		kb_fsset_add(&fs, f->group, f->version, f->kind, f->path, f->create);
	}
	kb_fsset_free(&all);
	if (!e)
		e = kb_transform_namespace(m, ctx->schema, ns, &fs, sm,
					   cfg_true(cfg->doc, "unsetOnly"));
	kb_fsset_free(&fs);
	if (!e)
		e = check_ns_conflicts(ctx, m, cfg->file);
	return e;
}

static kb_error *run_image(kb_resmap *m, const kb_resource *cfg)
{
	const kb_node *img = kb_map_get(cfg->doc, "imageTag");
	/* An empty image name matches no real image. */
	if (!img || img->kind != KB_MAP || kb_str_empty(kb_map_get_str(img, "name")))
		return NULL;
	kb_fsset fs = { 0 };
	kb_error *e = fsset_from(cfg, &fs, NULL);
	if (!e)
		e = kb_transform_image(m, img, &fs, cfg->file);
	kb_fsset_free(&fs);
	return e;
}

static bool res_has_name(const kb_resource *r, const char *name)
{
	if (kb_streq(kb_res_name(r), name) || kb_streq(r->orig.name, name))
		return true;
	for (size_t i = 0; i < r->prev_names.n; i++)
		if (kb_streq(r->prev_names.v[i], name))
			return true;
	return false;
}

static kb_error *run_replicas(kb_ctx *ctx, kb_resmap *m, const kb_resource *cfg)
{
	const kb_node *rep = kb_map_get(cfg->doc, "replica");
	kb_node *empty = NULL;
	if (!rep || rep->kind != KB_MAP)
		rep = empty = kb_node_new(KB_MAP);
	const char *name = kb_map_get_str(rep, "name");
	kb_fsset fs = { 0 };
	kb_error *e = fsset_from(cfg, &fs, NULL);
	/* kustomize fails when no field spec selects an object of that name. */
	bool found = false;
	for (size_t i = 0; !e && !found && i < m->n; i++) {
		kb_resource *r = m->v[i];
		if (!res_has_name(r, name ? name : ""))
			continue;
		char *group, *version;
		kb_split_apiversion(kb_res_apiversion(r), &group, &version);
		for (size_t k = 0; !found && k < fs.n; k++)
			found = kb_fieldspec_matches(&fs.v[k], group, version, kb_res_kind(r)) ||
				kb_fieldspec_matches(&fs.v[k], r->orig.group, r->orig.version,
						     r->orig.kind);
		free(group);
		free(version);
	}
	if (!e && !found) {
		kb_buf b = KB_BUF_INIT;
		for (size_t k = 0; k < fs.n; k++) {
			char *g = gvk_string(fs.v[k].group, fs.v[k].version, fs.v[k].kind);
			kb_buf_printf(&b, "%s%s", k ? " " : "", g);
			free(g);
		}
		e = kb_error_new(cfg->file, rep->line, rep->col,
				 "resource with name %s does not match a config with the following "
				 "GVK [%s]",
				 name ? name : "", b.data ? b.data : "");
		kb_buf_free(&b);
	}
	if (!e)
		e = kb_transform_replicas(m, ctx->schema, rep, &fs, cfg->file);
	kb_fsset_free(&fs);
	kb_node_free(empty);
	return e;
}

/* kyaml filesys.PathSplit/InsertPathPart/PathJoin, on '/' paths. */
static char *insert_path_part(const char *path, long pos, const char *part)
{
	if (kb_str_empty(part))
		return kb_xstrdup(path);
	kb_strv parts = { 0 };
	if (path[0] == '/')
		kb_strv_push(&parts, "");
	const char *p = path;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n > 0 && !(n == 1 && p[0] == '.'))
			kb_strv_push_owned(&parts, kb_xstrndup(p, n));
		p += n;
		if (*p == '/')
			p++;
	}
	if (pos < 0)
		pos = 0;
	if ((size_t)pos > parts.n)
		pos = (long)parts.n;
	if (parts.n > 0 && parts.v[0][0] == '\0' && (size_t)pos < parts.n)
		pos++;
	kb_buf b = KB_BUF_INIT;
	bool abs = parts.n > 0 && parts.v[0][0] == '\0';
	bool first = true;
	if (abs)
		kb_buf_putc(&b, '/');
	for (size_t i = 0; i <= parts.n; i++) {
		const char *s = (size_t)pos == i ? part : NULL;
		for (int twice = 0; twice < 2; twice++) {
			if (twice == 1)
				s = i < parts.n ? parts.v[i] : NULL;
			if (!s || !*s)
				continue;
			if (!first)
				kb_buf_putc(&b, '/');
			kb_buf_puts(&b, s);
			first = false;
		}
	}
	kb_strv_free(&parts);
	char *out = kb_buf_detach(&b);
	return out ? out : kb_xstrdup("");
}

/* valueadd.Filter: LookupCreate a scalar at a '/'-separated path ('\/'
 * escapes a slash) and set it. */
static kb_error *value_add(kb_resource *r, const char *field_path, long pos, const char *value,
			   const char *file)
{
	kb_strv fields = { 0 };
	const char *p = field_path;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		char *f = kb_xstrndup(p, n);
		if (fields.n > 0 && kb_str_has_suffix(fields.v[fields.n - 1], "\\")) {
			char *last = fields.v[fields.n - 1];
			last[strlen(last) - 1] = '\0';
			fields.v[fields.n - 1] = kb_xasprintf("%s/%s", last, f);
			free(last);
			free(f);
		} else {
			kb_strv_push_owned(&fields, f);
		}
		if (!slash)
			break;
		p = slash + 1;
	}
	kb_error *e = NULL;
	kb_node *cur = r->doc;
	for (size_t i = 0; i < fields.n && !e; i++) {
		bool last = i + 1 == fields.n;
		kb_node *next = kb_map_get(cur, fields.v[i]);
		if (!next || next->kind == KB_NULL)
			next = kb_map_set(cur, fields.v[i],
					  last ? kb_node_new_str("") : kb_node_new(KB_MAP));
		if (last ? !kb_node_is_scalar(next) : next->kind != KB_MAP) {
			e = kb_error_new(file, next->line, next->col,
					 "wrong node kind at '%s' of %s '%s': expected %s", field_path,
					 kb_res_kind(r), kb_res_name(r),
					 last ? "a scalar" : "a mapping");
			break;
		}
		if (last) {
			char *v = pos > 0 ? insert_path_part(next->str, pos - 1, value)
					  : kb_xstrdup(value);
			kb_node_replace(next, kb_node_new_str(v));
			free(v);
		}
		cur = next;
	}
	kb_strv_free(&fields);
	return e;
}

static kb_error *run_value_add(kb_ctx *ctx, kb_resmap *m, const kb_resource *cfg,
			       const kb_loader *ld)
{
	char *value = trimmed(kb_map_get_str(cfg->doc, "value"));
	if (!*value) {
		/* defaults to the kustomization directory's base name */
		free(value);
		const char *base = strrchr(ld->root, '/');
		value = kb_xstrdup(base && base[1] ? base + 1 : ld->root);
	}
	kb_node *targets = kb_node_new(KB_SEQ);
	const kb_node *t = kb_map_get(cfg->doc, "targets");
	for (size_t i = 0; t && t->kind == KB_SEQ && i < t->n; i++)
		kb_seq_push(targets, kb_node_clone(t->items[i]));
	kb_error *e = NULL;
	const char *tfp = kb_map_get_str(cfg->doc, "targetFilePath");
	if (!kb_str_empty(tfp)) {
		char *data, *abs;
		size_t len;
		e = kb_loader_read(ld, tfp, &data, &len, &abs);
		if (!e) {
			char *display = kb_path_display(abs);
			kb_node **docs;
			size_t nd;
			e = kb_yaml_parse(display, data, len, &ctx->lim, &docs, &nd);
			if (!e && nd > 0) {
				const kb_node *ft = kb_map_get(docs[0], "targets");
				for (size_t i = 0; ft && ft->kind == KB_SEQ && i < ft->n; i++)
					kb_seq_push(targets, kb_node_clone(ft->items[i]));
			}
			if (!e)
				kb_docs_free(docs, nd);
			free(display);
			free(data);
			free(abs);
		}
	}
	if (!e && targets->n == 0)
		e = kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
				 "must specify at least one target");
	for (size_t i = 0; !e && i < targets->n; i++) {
		const kb_node *tg = targets->items[i];
		const char *fp = kb_map_get_str(tg, "fieldPath");
		const char *pos = kb_map_get_str(tg, "filePathPosition");
		if (kb_str_empty(fp))
			e = kb_error_new(cfg->file, tg->line, tg->col, "fieldPath cannot be empty");
		else if (pos && strtol(pos, NULL, 10) < 0)
			e = kb_error_new(cfg->file, tg->line, tg->col,
					 "value of FilePathPosition (%ld) cannot be negative",
					 strtol(pos, NULL, 10));
	}
	for (size_t i = 0; !e && i < targets->n; i++) {
		const kb_node *tg = targets->items[i];
		const kb_node *selnode = kb_map_get(tg, "selector");
		const char *fp = kb_map_get_str(tg, "fieldPath");
		const char *pos = kb_map_get_str(tg, "filePathPosition");
		kb_selector *sel = NULL;
		if (selnode && selnode->kind != KB_NULL &&
		    (e = kb_selector_compile(selnode, cfg->file, &sel)))
			break;
		/* Borrowed pointers: the namespace transformer takes a map. */
		kb_resmap picked;
		kb_resmap_init(&picked);
		for (size_t k = 0; k < m->n; k++)
			if (!sel || res_selected(ctx, sel, m->v[k]))
				kb_resmap_append_unchecked(&picked, m->v[k]);
		if (strcmp(fp, "metadata/namespace") == 0) {
			kb_fsset none = { 0 };
			e = kb_transform_namespace(&picked, ctx->schema, value, &none,
						   KB_SUBJECTS_DEFAULT_ONLY, false);
		} else {
			for (size_t k = 0; !e && k < picked.n; k++)
				e = value_add(picked.v[k], fp, pos ? strtol(pos, NULL, 10) : 0, value,
					      cfg->file);
		}
		free(picked.v);
		kb_selector_free(sel);
	}
	kb_node_free(targets);
	free(value);
	return e;
}

static kb_error *run_transformer(kb_ctx *ctx, kb_resmap *m, const kb_resource *cfg,
				 const kb_loader *ld)
{
	const char *kind = kb_res_kind(cfg);
	if (strcmp(kind, "PatchTransformer") == 0)
		return run_patch(ctx, m, cfg, ld);
	if (strcmp(kind, "PatchStrategicMergeTransformer") == 0)
		return run_patch_sm(ctx, m, cfg, ld);
	if (strcmp(kind, "PatchJson6902Transformer") == 0)
		return run_patch_json(ctx, m, cfg, ld);
	if (strcmp(kind, "PrefixSuffixTransformer") == 0)
		return run_affix(m, cfg, true, true);
	if (strcmp(kind, "PrefixTransformer") == 0)
		return run_affix(m, cfg, true, false);
	if (strcmp(kind, "SuffixTransformer") == 0)
		return run_affix(m, cfg, false, true);
	if (strcmp(kind, "LabelTransformer") == 0)
		return run_pairs(m, cfg, "labels");
	if (strcmp(kind, "AnnotationsTransformer") == 0)
		return run_pairs(m, cfg, "annotations");
	if (strcmp(kind, "NamespaceTransformer") == 0)
		return run_namespace(ctx, m, cfg);
	if (strcmp(kind, "ImageTagTransformer") == 0)
		return run_image(m, cfg);
	if (strcmp(kind, "ReplicaCountTransformer") == 0)
		return run_replicas(ctx, m, cfg);
	if (strcmp(kind, "HashTransformer") == 0)
		return kb_hash_suffix_all(m);
	if (strcmp(kind, "ValueAddTransformer") == 0)
		return run_value_add(ctx, m, cfg, ld);
	if (strcmp(kind, "ReplacementTransformer") == 0)
		return kb_replacements_apply(ctx, m, kb_map_get(cfg->doc, "replacements"), ld,
					     cfg->file);
	return kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
			    "builtin transformer %s is not supported", kind);
}

/* ---- generators ---- */

/* appendReplaceOrMerge, as target.c's absorb_generated does it for
 * configMapGenerator / secretGenerator. */
static kb_error *absorb(kb_ctx *ctx, kb_acc *acc, kb_resource *r, const char *file)
{
	return kb_acc_absorb(ctx, acc, r, file, 0, 0);
}

static kb_error *run_kv_generator(kb_ctx *ctx, kb_acc *acc, const kb_resource *cfg,
				  const kb_loader *ld, bool secret)
{
	/* The args sit at the top level; metadata.name and namespace fill
	 * in name and namespace when those are not given. */
	kb_node *entry = kb_node_clone(cfg->doc);
	kb_map_del(entry, "apiVersion");
	kb_map_del(entry, "kind");
	kb_node *md = kb_map_take(entry, "metadata");
	static const char *const keys[2] = { "name", "namespace" };
	for (int i = 0; i < 2; i++) {
		const char *v = md ? kb_map_get_str(md, keys[i]) : NULL;
		if (kb_str_empty(kb_map_get_str(entry, keys[i])) && !kb_str_empty(v))
			kb_map_set(entry, keys[i], kb_node_new_str(v));
	}
	kb_node_free(md);
	kb_gen_result g;
	memset(&g, 0, sizeof(g));
	kb_error *e = kb_generate(entry, NULL, secret, ld, &ctx->warnings, &g);
	kb_node_free(entry);
	if (e)
		return e;
	kb_resource *r = kb_resource_new(g.doc, cfg->file);
	r->generated = true;
	r->needs_hash = g.needs_hash;
	r->behavior = g.behavior;
	kb_origin_set_from_plugin(r->doc, cfg);
	return absorb(ctx, acc, r, cfg->file);
}

static kb_error *run_iam(kb_ctx *ctx, kb_acc *acc, const kb_resource *cfg)
{
	const char *cloud = kb_map_get_str(cfg->doc, "cloud");
	if (!kb_streq(cloud, "gke"))
		return kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
				    "cloud provider %s not supported yet", cloud ? cloud : "");
	const char *ksa = kb_node_get_str(cfg->doc, "kubernetesService", "name", NULL);
	const char *kns = kb_node_get_str(cfg->doc, "kubernetesService", "namespace", NULL);
	const char *gsa = kb_node_get_str(cfg->doc, "serviceAccount", "name", NULL);
	const char *proj = kb_node_get_str(cfg->doc, "serviceAccount", "projectId", NULL);
	kb_node *doc = kb_node_new(KB_MAP);
	kb_map_set(doc, "apiVersion", kb_node_new_str("v1"));
	kb_map_set(doc, "kind", kb_node_new_str("ServiceAccount"));
	kb_node *md = kb_map_ensure_map(doc, "metadata");
	kb_node *ann = kb_map_ensure_map(md, "annotations");
	char *v = kb_xasprintf("%s@%s.iam.gserviceaccount.com", gsa ? gsa : "", proj ? proj : "");
	kb_map_set(ann, "iam.gke.io/gcp-service-account", kb_node_new_str(v));
	free(v);
	kb_map_set(md, "name", kb_node_new_str(ksa ? ksa : ""));
	if (!kb_str_empty(kns))
		kb_map_set(md, "namespace", kb_node_new_str(kns));
	kb_resource *r = kb_resource_new(doc, cfg->file);
	kb_origin_set_from_plugin(r->doc, cfg);
	return absorb(ctx, acc, r, cfg->file);
}

/* The config holds HelmGlobals and HelmChart fields side by side. */
static kb_error *run_helm(kb_ctx *ctx, kb_acc *acc, const kb_resource *cfg, const kb_loader *ld)
{
	kb_resmap out;
	kb_resmap_init(&out);
	kb_error *e = kb_helm_inflate(ctx, cfg->doc, cfg->doc, ld, cfg->file, &out);
	for (size_t j = 0; j < out.n; j++) {
		if (!e)
			e = absorb(ctx, acc, out.v[j], cfg->file); /* takes the resource */
		else
			kb_resource_free(out.v[j]);
	}
	out.n = 0;
	kb_resmap_free(&out);
	return e;
}

static kb_error *run_generator(kb_ctx *ctx, kb_acc *acc, const kb_resource *cfg,
			       const kb_loader *ld)
{
	const char *kind = kb_res_kind(cfg);
	if (strcmp(kind, "ConfigMapGenerator") == 0)
		return run_kv_generator(ctx, acc, cfg, ld, false);
	if (strcmp(kind, "SecretGenerator") == 0)
		return run_kv_generator(ctx, acc, cfg, ld, true);
	if (strcmp(kind, "IAMPolicyGenerator") == 0)
		return run_iam(ctx, acc, cfg);
	if (strcmp(kind, "HelmChartInflationGenerator") == 0)
		return run_helm(ctx, acc, cfg, ld);
	return kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
			    "builtin generator %s is not supported", kind);
}

/* ---- validators ---- */

static kb_error *run_validator(kb_ctx *ctx, kb_acc *acc, const kb_resource *cfg,
			       const kb_loader *ld)
{
	/* kustomize runs the validator on the real map and then insists
	 * that it differs from a copy taken before only by the
	 * validated-by label; here the copy is the one transformed, so a
	 * failure leaves the map as it was. */
	kb_resmap copy;
	kb_resmap_init(&copy);
	for (size_t i = 0; i < acc->rm.n; i++)
		kb_resmap_append_unchecked(&copy, kb_resource_clone(acc->rm.v[i]));
	kb_error *e = run_transformer(ctx, &copy, cfg, ld);
	bool same = copy.n == acc->rm.n;
	for (size_t i = 0; !e && same && i < copy.n; i++) {
		kb_node *stripped = kb_node_clone(copy.v[i]->doc);
		kb_node *labels = kb_node_get(stripped, "metadata", "labels", NULL);
		if (labels && labels->kind == KB_MAP)
			kb_map_del(labels, VALIDATED_BY_LABEL);
		same = kb_node_equal(stripped, acc->rm.v[i]->doc);
		kb_node_free(stripped);
	}
	if (!e && !same) {
		char *id = org_id_string(cfg);
		e = kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
				 "validator shouldn't modify the resource map (validator %s)", id);
		free(id);
	}
	if (!e) {
		kb_resmap tmp = acc->rm;
		acc->rm = copy;
		copy = tmp;
	}
	kb_resmap_free(&copy);
	return e;
}

/* ---- driver ---- */

/* Finds the builtin's role, or reports why the config cannot be loaded
 * (loader.loadAndConfigurePlugin / makeBuiltinPlugin). */
static kb_error *check_plugin(kb_ctx *ctx, const kb_resource *cfg, plugin_role want)
{
	const char *kind = kb_res_kind(cfg);
	char *group, *version;
	kb_split_apiversion(kb_res_apiversion(cfg), &group, &version);
	bool builtin = *group == '\0' && strcmp(version, "builtin") == 0;
	kb_error *e = NULL;
	if (!builtin) {
		if (!ctx->opts->enable_alpha_plugins)
			e = kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
					 "external plugins disabled; unable to load external plugin "
					 "'%s'",
					 kind);
		else
			e = kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
					 "external plugin '%s' (apiVersion %s): exec, container and Go "
					 "plugins are not implemented yet",
					 kind, kb_res_apiversion(cfg));
		goto out;
	}
	size_t i;
	for (i = 0; i < sizeof(builtin_plugins) / sizeof(*builtin_plugins); i++)
		if (strcmp(builtin_plugins[i].kind, kind) == 0)
			break;
	if (i == sizeof(builtin_plugins) / sizeof(*builtin_plugins)) {
		char *gvk = gvk_string(group, version, kind);
		e = kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col,
				 "unable to load builtin %s", gvk);
		free(gvk);
	} else if (builtin_plugins[i].role != want) {
		char *id = org_id_string(cfg);
		e = kb_error_new(cfg->file, cfg->doc->line, cfg->doc->col, "plugin %s not a %s", id,
				 want == ROLE_GENERATOR ? "generator" : "transformer");
		free(id);
	}
out:
	free(group);
	free(version);
	return e;
}

kb_error *kb_plugins_run(kb_ctx *ctx, kb_acc *acc, const kb_kust *k, const kb_loader *ld,
			 const char *field)
{
	const kb_node *list = kb_map_get(k->doc, field);
	if (!list || list->kind != KB_SEQ || list->n == 0)
		return NULL;
	const kb_pair *fp = kb_map_get_pair(k->doc, field);
	bool gen = strcmp(field, "generators") == 0;
	bool val = strcmp(field, "validators") == 0;
	plugin_role role = gen ? ROLE_GENERATOR : ROLE_TRANSFORMER;

	kb_resmap cfgs;
	kb_resmap_init(&cfgs);
	kb_error *e = collect_configs(ctx, &cfgs, k, ld, list);
	for (size_t i = 0; !e && i < cfgs.n; i++)
		canon_config(cfgs.v[i]->doc);
	/* kustomize loads every plugin before running any. */
	for (size_t i = 0; !e && i < cfgs.n; i++)
		e = check_plugin(ctx, cfgs.v[i], role);
	for (size_t i = 0; !e && i < cfgs.n; i++) {
		const kb_resource *cfg = cfgs.v[i];
		if (gen)
			e = run_generator(ctx, acc, cfg, ld);
		else if (val)
			e = run_validator(ctx, acc, cfg, ld);
		else if (!(e = run_transformer(ctx, &acc->rm, cfg, ld)))
			kb_origin_note_plugin(&acc->rm, cfg);
		if (e)
			e = kb_error_note(e, cfg->file, cfg->doc->line, cfg->doc->col,
					  "in %s plugin %s '%s'", gen ? "generator" : "transformer",
					  kb_res_kind(cfg), kb_res_name(cfg));
	}
	kb_resmap_free(&cfgs);
	if (e)
		e = kb_error_note(e, k->display, fp ? fp->line : 0, fp ? fp->col : 0, "in '%s'",
				  field);
	return e;
}
