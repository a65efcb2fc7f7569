#include "target.h"
#include "fs.h"
#include "generate.h"
#include "helm.h"
#include "kustfile.h"
#include "openapi.h"
#include "origin.h"
#include "patch.h"
#include "plugin.h"
#include "pool.h"
#include "remote.h"
#include "replace.h"
#include "vars.h"
#include "transform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* How resource files are read: they stay kyaml node trees until printed,
 * so a map key of another type (a plain `6443:`) is kept, not refused.
 * Zeroed first: the parse cache keys on the struct's bytes. */
static kb_parse_limits resource_limits(const kb_ctx *ctx)
{
	kb_parse_limits l;
	memset(&l, 0, sizeof(l));
	l = ctx->lim;
	l.nonstr_keys = true;
	return l;
}

/* Below this many resource files in one kustomization they are parsed at
 * their turn: starting threads would cost more than it saves; unless
 * there are at least two and they are big (a CRD install of a few large
 * files), which the OS file system can tell before reading them. */
#define PARALLEL_PARSE_MIN 4
#define PARALLEL_PARSE_BIG (256 * 1024)

static kb_error *accumulate_file(kb_ctx *ctx, kb_acc *acc, const kb_loader *ld, const char *path)
{
	char *data, *abs;
	size_t len;
	kb_error *e = kb_loader_read(ld, path, &data, &len, &abs);
	if (e)
		return e;
	char *display = kb_path_display(abs);
	kb_node **docs;
	size_t ndocs;
	kb_parse_limits rlim = resource_limits(ctx);
	/* on this thread: a big file's documents may be parsed on the pool */
	struct kb_pool *pool = len >= PARALLEL_PARSE_BIG ? kb_ctx_pool(ctx) : NULL;
	e = kb_hooks_parse(kb_ctx_hooks(ctx), abs, display, data, len, &rlim, pool, &docs,
			   &ndocs);
	free(data);
	if (!e) {
		size_t first = acc->rm.n;
		e = kb_acc_add_documents(ctx, &acc->rm, docs, ndocs, display);
		free(docs);
		if (!e && ctx->origin)
			kb_origin_set_path(&acc->rm, first, ctx->origin, path);
	}
	free(display);
	free(abs);
	return e;
}

static kb_error *accumulate_dir(kb_ctx *ctx, kb_acc *acc, const kb_kust *k, const char *real,
				unsigned line, bool component)
{
	kb_error *e = kb_ctx_check_cycle(ctx, real, k, line);
	if (e)
		return e;
	if (component)
		return kb_target_run(ctx, real, acc, true);
	kb_acc sub;
	kb_acc_init(&sub);
	e = kb_target_run(ctx, real, &sub, false);
	if (!e)
		e = kb_resmap_absorb(&acc->rm, ctx->schema, &sub.rm);
	if (!e) {
		kb_tconfig_merge(&acc->cfg, &sub.cfg);
		for (size_t i = 0; i < sub.vars->n; i++) {
			kb_seq_push(acc->vars, sub.vars->items[i]);
			sub.vars->items[i] = NULL;
		}
		sub.vars->n = 0;
	}
	kb_acc_free(&sub);
	return e;
}

/* Whether kustomize's loader would clone path (NewRepoSpecFromURL). */
static bool is_git_url(const char *path)
{
	kb_repospec rs;
	kb_error *e = kb_repospec_parse(path, &rs);
	bool ok = e == NULL;
	kb_error_free(e);
	kb_repospec_free(&rs);
	return ok;
}

/* kustomize's newLoaderAtGitClone: the kustomization at the path inside
 * a fresh clone, built like a local directory.  Its resources are copied
 * into acc as they are read, so the clone goes as soon as it is built. */
static kb_error *accumulate_remote(kb_ctx *ctx, kb_acc *acc, const kb_kust *k, const char *url,
				   unsigned line, bool component)
{
	kb_repospec rs;
	kb_error *e = kb_repospec_parse(url, &rs);
	if (!e)
		e = kb_repo_check_cycle(ctx->repo, rs.raw);
	kb_clone clone = { NULL, NULL };
	/* not kb_ctx_hooks: a shared clone serves remote bases at any depth */
	const kb_build_hooks *hk = ctx->hooks && ctx->hooks->clone ? ctx->hooks : NULL;
	if (!e)
		e = hk ? hk->clone(hk->ud, &rs, &clone) : kb_repo_clone(&rs, &clone);
	if (!e) {
		kb_repo_frame frame = { rs.raw, clone.dir, ctx->repo };
		/* origin paths restart at the repository root; kustomize v5.5.0
		 * names the root itself "notCloned" (origin.go Append) */
		char *saved = ctx->origin;
		if (saved)
			ctx->origin = kb_origin_join(*rs.kust_path ? "" : "notCloned", rs.kust_path);
		ctx->repo = &frame;
		e = accumulate_dir(ctx, acc, k, clone.root, line, component);
		ctx->repo = frame.up;
		kb_origin_leave(&ctx->origin, saved);
	}
	if (hk)
		hk->release(hk->ud, &clone);
	else
		kb_clone_remove(&clone);
	kb_repospec_free(&rs);
	return e;
}

/*
 * A resource file read and parsed ahead of its turn on the build's
 * threads.  The files of one kustomization are independent until their
 * documents are added, in order, to the accumulator, so the expensive
 * part (parsing) can run side by side; what is added, and the first
 * error reported, are the same as when each file is read and parsed at
 * its turn (accumulate_file).
 */
typedef struct ahead {
	kb_ctx *ctx;
	const kb_loader *ld;
	const char *path;
	char *abs, *display;
	kb_node **docs;
	size_t ndocs;
	kb_error *err;
	size_t ticket;
	bool waited;
} ahead;

static void parse_ahead(void *arg)
{
	ahead *a = arg;
	char *data;
	size_t len;
	a->err = kb_loader_read(a->ld, a->path, &data, &len, &a->abs);
	if (a->err)
		return;
	a->display = kb_path_display(a->abs);
	kb_parse_limits rlim = resource_limits(a->ctx);
	/* a pool job itself: no pool below */
	a->err = kb_hooks_parse(kb_ctx_hooks(a->ctx), a->abs, a->display, data, len, &rlim, NULL,
				&a->docs, &a->ndocs);
	free(data);
}

/* accumulate_file with the work done ahead: takes a's results. */
static kb_error *accumulate_ahead(kb_ctx *ctx, kb_acc *acc, ahead *a)
{
	kb_pool_wait_one(ctx->pool, a->ticket);
	a->waited = true;
	kb_error *e = a->err;
	a->err = NULL;
	if (!e) {
		size_t first = acc->rm.n;
		e = kb_acc_add_documents(ctx, &acc->rm, a->docs, a->ndocs, a->display);
		free(a->docs);
		a->docs = NULL;
		if (!e && ctx->origin)
			kb_origin_set_path(&acc->rm, first, ctx->origin, a->path);
	}
	return e;
}


/* The resource files of k to parse ahead (NULL when not worth it): one
 * slot per entry of list, NULL for entries that are not plain files. */
static ahead **plan_ahead(kb_ctx *ctx, const kb_node *list, const kb_loader *ld)
{
	if (ctx->jobs == 1 || list->n < 2)
		return NULL;
	ahead **v = kb_xcalloc(list->n, sizeof(*v));
	size_t files = 0;
	long long bytes = 0;
	for (size_t i = 0; i < list->n; i++) {
		const char *path = list->items[i]->str;
		if (kb_str_empty(path) || kb_remote_is_http_file(path))
			continue;
		char *real = kb_loader_resolve(ld, path);
		if (real && kb_fs_is_file(ld->fs, real)) {
			v[i] = kb_xcalloc(1, sizeof(ahead));
			v[i]->ctx = ctx;
			v[i]->ld = ld;
			v[i]->path = path;
			files++;
			if (files < PARALLEL_PARSE_MIN && bytes < PARALLEL_PARSE_BIG) {
				long long sz = kb_fs_size_hint(ld->fs, real);
				if (sz > 0)
					bytes += sz;
			}
		}
		free(real);
	}
	bool worth = files >= PARALLEL_PARSE_MIN || (files >= 2 && bytes >= PARALLEL_PARSE_BIG);
	struct kb_pool *pool = worth ? kb_ctx_pool(ctx) : NULL;
	for (size_t i = 0; i < list->n; i++) {
		if (!v[i])
			continue;
		if (pool) {
			v[i]->ticket = kb_pool_submit(pool, parse_ahead, v[i]);
		} else {
			free(v[i]);
			v[i] = NULL;
		}
	}
	if (!pool) {
		free(v);
		return NULL;
	}
	return v;
}

static void free_ahead(kb_ctx *ctx, ahead **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		ahead *a = v[i];
		if (!a)
			continue;
		if (!a->waited)
			kb_pool_wait_one(ctx->pool, a->ticket);
		kb_error_free(a->err);
		kb_docs_free(a->docs, a->ndocs);
		free(a->abs);
		free(a->display);
		free(a);
	}
	free(v);
}

static kb_error *accumulate_entries(kb_ctx *ctx, kb_acc *acc, const kb_kust *k,
				    const kb_loader *ld, const kb_node *list, ahead **pre);

static kb_error *accumulate_resources(kb_ctx *ctx, kb_acc *acc, const kb_kust *k,
				      const kb_loader *ld)
{
	const kb_node *list = kb_map_get(k->doc, "resources");
	if (!list || list->kind != KB_SEQ)
		return NULL;
	ahead **pre = plan_ahead(ctx, list, ld);
	kb_error *e = accumulate_entries(ctx, acc, k, ld, list, pre);
	free_ahead(ctx, pre, list->n);
	return e;
}

static kb_error *accumulate_entries(kb_ctx *ctx, kb_acc *acc, const kb_kust *k,
				    const kb_loader *ld, const kb_node *list, ahead **pre)
{
	for (size_t i = 0; i < list->n; i++) {
		const kb_node *it = list->items[i];
		const char *path = it->str;
		kb_error *e = NULL;
		if (kb_str_empty(path))
			continue;
		if (kb_remote_is_http_file(path))
			return kb_error_new(k->display, it->line, it->col,
					    "accumulating resources from '%s': HTTP resources are not "
					    "supported (kbuild does not access the network); download "
					    "the file and refer to it by path",
					    path);
		char *real = kb_loader_resolve(ld, path);
		/* kustomize tries a file, then a git URL, then a directory */
		if (!(real && kb_fs_is_file(ld->fs, real)) && is_git_url(path)) {
			free(real);
			e = accumulate_remote(ctx, acc, k, path, it->line, false);
			if (e)
				return kb_error_note(e, k->display, it->line, it->col,
						     "in resource '%s'", path);
			continue;
		}
		if (!real) {
			return kb_error_new(k->display, it->line, it->col,
					    "accumulating resources: '%s': %s", path,
					    strerror(errno));
		}
		if (kb_fs_is_dir(ld->fs, real)) {
			int found = kb_kust_probe(ld->fs, real);
			if (found < 0) {
				e = kb_error_new(k->display, it->line, it->col,
						 "accumulating resources: cannot look into directory "
						 "'%s': %s",
						 path, strerror(errno));
			} else if (found == 0) {
				e = kb_error_new(k->display, it->line, it->col,
						 "accumulating resources: '%s' is a directory without a "
						 "kustomization file",
						 path);
			} else if (!(e = kb_repo_check_containment(ctx->repo, real))) {
				char *saved = kb_origin_enter(&ctx->origin, path);
				e = accumulate_dir(ctx, acc, k, real, it->line, false);
				kb_origin_leave(&ctx->origin, saved);
			}
		} else if (pre && pre[i]) {
			e = accumulate_ahead(ctx, acc, pre[i]);
		} else {
			e = accumulate_file(ctx, acc, ld, path);
		}
		free(real);
		if (e)
			return kb_error_note(e, k->display, it->line, it->col,
					     "in resource '%s'", path);
	}
	return NULL;
}

static kb_error *accumulate_components(kb_ctx *ctx, kb_acc *acc, const kb_kust *k,
				       const kb_loader *ld)
{
	const kb_node *list = kb_map_get(k->doc, "components");
	if (!list || list->kind != KB_SEQ)
		return NULL;
	for (size_t i = 0; i < list->n; i++) {
		const kb_node *it = list->items[i];
		const char *path = it->str;
		if (is_git_url(path)) {
			/* components are always directories: no file or HTTP first */
			kb_error *e = accumulate_remote(ctx, acc, k, path, it->line, true);
			if (e)
				return kb_error_note(e, k->display, it->line, it->col,
						     "in component '%s'", path);
			continue;
		}
		char *real = kb_loader_resolve(ld, path);
		if (!real || !kb_fs_is_dir(ld->fs, real)) {
			free(real);
			return kb_error_new(k->display, it->line, it->col,
					    "component '%s' must be a directory holding a kustomization "
					    "of kind Component",
					    path);
		}
		kb_error *e = kb_repo_check_containment(ctx->repo, real);
		char *saved = kb_origin_enter(&ctx->origin, path);
		if (!e)
			e = accumulate_dir(ctx, acc, k, real, it->line, true);
		kb_origin_leave(&ctx->origin, saved);
		free(real);
		if (e)
			return kb_error_note(e, k->display, it->line, it->col, "in component '%s'",
					     path);
	}
	return NULL;
}

static kb_error *load_configurations(kb_ctx *ctx, kb_acc *acc, const kb_kust *k,
				     const kb_loader *ld)
{
	const kb_node *list = kb_map_get(k->doc, "configurations");
	kb_tconfig extra;
	if (!list || list->kind != KB_SEQ || list->n == 0) {
		kb_tconfig_init_defaults(&extra);
		kb_tconfig_merge(&acc->cfg, &extra);
		kb_tconfig_free(&extra);
		return NULL;
	}
	kb_tconfig_init_empty(&extra);
	kb_error *e = NULL;
	for (size_t i = 0; i < list->n && !e; i++) {
		const kb_node *it = list->items[i];
		char *data, *abs;
		size_t len;
		e = kb_loader_read(ld, it->str, &data, &len, &abs);
		if (e) {
			e = kb_error_note(e, k->display, it->line, it->col, "in configurations");
			break;
		}
		char *display = kb_path_display(abs);
		kb_node **docs;
		size_t nd;
		kb_parse_limits glim = kb_ctx_goyaml_limits(ctx);
		e = kb_yaml_parse(display, data, len, &glim, &docs, &nd);
		if (!e) {
			for (size_t d = 0; !e && d < nd; d++)
				e = kb_tconfig_add_doc(&extra, docs[d], display);
			kb_docs_free(docs, nd);
		}
		free(display);
		free(data);
		free(abs);
	}
	if (!e) {
		kb_tconfig_add_defaults(&extra);
		kb_tconfig_merge(&acc->cfg, &extra);
	}
	kb_tconfig_free(&extra);
	return e;
}

/* kustomize's LoadConfigFromCRDs: `crds:` lists OpenAPI definition files
 * (not CustomResourceDefinition objects) whose annotated properties add
 * field specs, merged like a `configurations:` file. */
static kb_error *load_crds(kb_ctx *ctx, kb_acc *acc, const kb_kust *k, const kb_loader *ld)
{
	const kb_node *list = kb_map_get(k->doc, "crds");
	if (!list || list->kind != KB_SEQ)
		return NULL;
	kb_tconfig extra;
	kb_tconfig_init_empty(&extra);
	kb_error *e = NULL;
	for (size_t i = 0; i < list->n && !e; i++) {
		const kb_node *it = list->items[i];
		char *data, *abs;
		size_t len;
		if (kb_str_empty(it->str)) {
			e = kb_error_new(k->display, it->line, it->col,
					 "crds entries must be file paths");
			break;
		}
		e = kb_loader_read(ld, it->str, &data, &len, &abs);
		if (e) {
			e = kb_error_note(e, k->display, it->line, it->col, "loading CRDs");
			break;
		}
		char *display = kb_path_display(abs);
		kb_node *doc = NULL;
		kb_parse_limits glim = kb_ctx_goyaml_limits(ctx);
		e = kb_yaml_parse_one(display, data, len, &glim, &doc);
		if (!e)
			e = kb_openapi_crds_add(&extra, doc, display);
		if (e)
			e = kb_error_note(e, k->display, it->line, it->col,
					  "unable to parse open API definition from '%s'", it->str);
		kb_node_free(doc);
		free(display);
		free(data);
		free(abs);
	}
	if (!e)
		kb_tconfig_merge(&acc->cfg, &extra);
	kb_tconfig_free(&extra);
	return e;
}

/* kv: made by configMapGenerator/secretGenerator, which give an object
 * kustomize's generatorBehavior build annotation (helm output has none);
 * external plugins see it as r->generated. */
static kb_error *absorb_generated(kb_ctx *ctx, kb_acc *acc, kb_gen_result *g,
				  const kb_kust *k, const kb_node *entry, bool kv)
{
	if (ctx->origin) {
		/* set before a merge, which keeps the existing object's origin */
		bool secret = kb_streq(kb_map_get_str(g->doc, "kind"), "Secret");
		kb_origin o;
		char *in;
		kb_origin_builtin(&o, ctx->origin, k->path,
				  secret ? "SecretGenerator" : "ConfigMapGenerator", &in);
		kb_origin_set(g->doc, &o, true);
		free(in);
	}
	kb_resource *r = kb_resource_new(g->doc, k->display);
	g->doc = NULL;
	r->generated = kv;
	r->needs_hash = g->needs_hash;
	r->behavior = g->behavior;
	return kb_acc_absorb(ctx, acc, r, k->display, entry->line, entry->col);
}

static kb_error *run_generators(kb_ctx *ctx, kb_acc *acc, const kb_kust *k, const kb_loader *ld)
{
	const kb_node *opts = kb_map_get(k->doc, "generatorOptions");
	static const char *const fields[2] = { "configMapGenerator", "secretGenerator" };
	for (int s = 0; s < 2; s++) {
		const kb_node *list = kb_map_get(k->doc, fields[s]);
		if (!list || list->kind != KB_SEQ)
			continue;
		for (size_t i = 0; i < list->n; i++) {
			kb_gen_result g;
			memset(&g, 0, sizeof(g));
			kb_error *e = kb_generate(list->items[i], opts, s == 1, ld, &ctx->warnings, &g);
			if (!e)
				e = absorb_generated(ctx, acc, &g, k, list->items[i], true);
			kb_node_free(g.doc);
			if (e)
				return kb_error_note(e, k->display, list->items[i]->line,
						     list->items[i]->col, "in %s", fields[s]);
		}
	}
	return NULL;
}

/* helmCharts (with helmGlobals, and the legacy helmChartInflationGenerator
 * converted): kustomize runs them after the configMap and secret
 * generators and absorbs each chart's output as it does theirs, so an
 * object that already exists is an error. */
static kb_error *run_helm_charts(kb_ctx *ctx, kb_acc *acc, const kb_kust *k, const kb_loader *ld)
{
	kb_node *charts, *globals;
	kb_error *e = kb_helm_charts(k, &charts, &globals);
	for (size_t i = 0; !e && i < charts->n; i++) {
		const kb_node *c = charts->items[i];
		kb_resmap out;
		kb_resmap_init(&out);
		e = kb_helm_inflate(ctx, globals, c, ld, k->display, &out);
		for (size_t j = 0; !e && j < out.n; j++) {
			kb_gen_result g = { out.v[j]->doc, KB_BEHAVIOR_UNSET, false };
			out.v[j]->doc = NULL;
			e = absorb_generated(ctx, acc, &g, k, c, false);
			kb_node_free(g.doc);
		}
		kb_resmap_free(&out);
		if (e)
			e = kb_error_note(e, k->display, c->line, c->col, "in helm chart '%s'",
					  kb_map_get_str(c, "name") ? kb_map_get_str(c, "name") : "");
	}
	kb_node_free(charts);
	kb_node_free(globals);
	return e;
}

/* check's "almost always a mistake": a label or annotation transformer
 * that leaves every resource as it was (no resource has a field it
 * applies to, or every one already carries its values). */
static void warn_unchanged(kb_ctx *ctx, const kb_kust *k, const kb_acc *acc,
			   const kb_node *pairs, size_t changed, unsigned line, unsigned col,
			   const char *what)
{
	if (changed || !pairs || pairs->kind != KB_MAP || pairs->n == 0)
		return;
	kb_warn(&ctx->warnings, k->display, line, col, "%s changes nothing: %s", what,
		acc->rm.n == 0 ? "there is no resource for it to change"
			       : "no resource has a field it applies to, or every one already "
				 "has its values");
}

static kb_error *run_labels(kb_ctx *ctx, kb_acc *acc, const kb_kust *k)
{
	const kb_node *labels = kb_map_get(k->doc, "labels");
	for (size_t i = 0; labels && labels->kind == KB_SEQ && i < labels->n; i++) {
		const kb_node *l = labels->items[i];
		if (l->kind != KB_MAP)
			return kb_error_new(k->display, l->line, l->col,
					    "labels entries must be mappings with 'pairs'");
		for (size_t f = 0; f < l->n; f++) {
			const char *key = l->pairs[f].key;
			if (strcmp(key, "pairs") && strcmp(key, "includeSelectors") &&
			    strcmp(key, "includeTemplates") && strcmp(key, "fields"))
				return kb_error_new(k->display, l->pairs[f].line, l->pairs[f].col,
						    "invalid Kustomization: json: unknown field \"%s\" "
						    "in labels",
						    key);
		}
		kb_fsset fs = { 0 };
		const kb_node *fields = kb_map_get(l, "fields");
		for (size_t f = 0; fields && fields->kind == KB_SEQ && f < fields->n; f++) {
			const kb_node *x = fields->items[f];
			const kb_node *create = kb_map_get(x, "create");
			kb_fsset_add(&fs, kb_map_get_str(x, "group"), kb_map_get_str(x, "version"),
				     kb_map_get_str(x, "kind"), kb_map_get_str(x, "path"),
				     create && kb_streq(create->str, "true"));
		}
		kb_fsset_add_set(&fs, &acc->cfg.labels);
		const kb_node *sel = kb_map_get(l, "includeSelectors");
		const kb_node *tpl = kb_map_get(l, "includeTemplates");
		/* kustomize's FsSlice.MergeAll/MergeOne: a spec for the same
		 * path and kinds with another `create` is an error */
		bool ok = true;
		if (sel && kb_streq(sel->str, "true")) {
			ok = kb_fsset_add_set(&fs, &acc->cfg.common_labels);
		} else {
			if (tpl && kb_streq(tpl->str, "true"))
				ok = kb_fsset_add_set(&fs, &acc->cfg.template_labels);
			ok = ok && kb_fsset_add(&fs, NULL, NULL, NULL, "metadata/labels", true);
		}
		if (!ok) {
			kb_fsset_free(&fs);
			return kb_error_new(k->display, l->line, l->col,
					    "failed to merge labels: conflicting fieldspecs (a `fields` "
					    "entry names a path the label's defaults use, with another "
					    "`create`)");
		}
		size_t changed = 0;
		kb_error *e = kb_transform_labels_changed(&acc->rm, kb_map_get(l, "pairs"), &fs,
							  &changed);
		kb_fsset_free(&fs);
		if (e)
			return e;
		warn_unchanged(ctx, k, acc, kb_map_get(l, "pairs"), changed, l->line, l->col,
			       "this labels entry");
	}
	size_t changed = 0;
	const kb_node *cl = kb_map_get(k->doc, "commonLabels");
	kb_error *e = kb_transform_labels_changed(&acc->rm, cl, &acc->cfg.common_labels, &changed);
	if (!e && cl) {
		const kb_pair *at = kb_map_get_pair(k->doc, "commonLabels");
		warn_unchanged(ctx, k, acc, cl, changed, at->line, at->col, "commonLabels");
	}
	return e;
}

static kb_error *run_transformers(kb_ctx *ctx, kb_acc *acc, const kb_kust *k,
				  const kb_loader *ld)
{
	kb_error *e;
	const kb_node *v;
	/* A strategic merge makes kyaml parse its schema now: a custom one
	 * set later is added on top of the builtin definitions. */
	v = kb_map_get(k->doc, "patchesStrategicMerge");
	const kb_node *pl = kb_map_get(k->doc, "patches");
	if ((v && v->kind == KB_SEQ && v->n) || (pl && pl->kind == KB_SEQ && pl->n))
		ctx->openapi_layer = KB_OPENAPI_OVER_BUILTIN;
	if ((e = kb_patch_strategic_merge_list(ctx, &acc->rm, k, ld)))
		return e;
	if ((e = kb_patch_patches(ctx, &acc->rm, k, ld)))
		return e;
	const char *ns = kb_map_get_str(k->doc, "namespace");
	if (!kb_str_empty(ns) &&
	    (e = kb_transform_namespace(&acc->rm, ctx->schema, ns, &acc->cfg.ns,
					KB_SUBJECTS_DEFAULT_ONLY, false)))
		return e;
	const char *prefix = kb_map_get_str(k->doc, "namePrefix");
	if (!kb_str_empty(prefix) &&
	    (e = kb_transform_prefix_suffix(&acc->rm, prefix, NULL, &acc->cfg.prefix)))
		return e;
	const char *suffix = kb_map_get_str(k->doc, "nameSuffix");
	if (!kb_str_empty(suffix) &&
	    (e = kb_transform_prefix_suffix(&acc->rm, NULL, suffix, &acc->cfg.suffix)))
		return e;
	if ((e = run_labels(ctx, acc, k)))
		return e;
	size_t changed = 0;
	const kb_node *ca = kb_map_get(k->doc, "commonAnnotations");
	if ((e = kb_transform_annotations_changed(&acc->rm, ca, &acc->cfg.annotations, &changed)))
		return e;
	if (ca) {
		const kb_pair *at = kb_map_get_pair(k->doc, "commonAnnotations");
		warn_unchanged(ctx, k, acc, ca, changed, at->line, at->col, "commonAnnotations");
	}
	if ((e = kb_patch_json6902_list(ctx, &acc->rm, k, ld)))
		return e;
	v = kb_map_get(k->doc, "replicas");
	for (size_t i = 0; v && v->kind == KB_SEQ && i < v->n; i++)
		if ((e = kb_transform_replicas(&acc->rm, ctx->schema, v->items[i], &acc->cfg.replicas,
					       k->display)))
			return e;
	v = kb_map_get(k->doc, "images");
	for (size_t i = 0; v && v->kind == KB_SEQ && i < v->n; i++) {
		size_t matched = 0;
		const kb_node *img = v->items[i];
		if ((e = kb_transform_image_matched(&acc->rm, img, &acc->cfg.images, k->display,
						    &matched)))
			return e;
		if (!matched)
			kb_warn(&ctx->warnings, k->display, img->line, img->col,
				"images entry '%s' matches no container image; check its name",
				kb_map_get_str(img, "name"));
	}
	if ((e = kb_replacements_apply(ctx, &acc->rm, kb_map_get(k->doc, "replacements"), ld,
				       k->display)))
		return e;
	/* a replacement writes into the node that is there (shared values) */
	kb_resmap_sync_shared(&acc->rm);
	if (ctx->origin)
		kb_origin_note_builtins(&acc->rm, k->doc, ctx->origin, k->path);
	return kb_plugins_run(ctx, acc, k, ld, "transformers");
}

/* kustomize's openapi.SetSchema: the top kustomization sets the schema
 * first; otherwise the first base or component (depth first, as loaded)
 * with an `openapi:` field does, and it applies from then on.  The file is
 * read even when the schema is already set, as kustomize does. */
static kb_error *set_openapi(kb_ctx *ctx, const kb_kust *k)
{
	const kb_node *oa = kb_map_get(k->doc, "openapi");
	if (!oa || oa->kind != KB_MAP)
		return NULL;
	kb_pair *at = kb_map_get_pair(k->doc, "openapi");
	const kb_node *path = kb_map_get(oa, "path");
	const kb_node *version = kb_map_get(oa, "version");
	char *data = NULL, *abs = NULL;
	size_t len = 0;
	kb_error *e = NULL;
	if (path) {
		kb_loader ld = { kb_ctx_fs(ctx), k->dir,
				 ctx->repo ? KB_LOAD_ROOT_ONLY : ctx->opts->load_restrictor,
				 k->display };
		e = kb_loader_read(&ld, path->str ? path->str : "", &data, &len, &abs);
		if (e)
			return kb_error_note(e, k->display, path->line, path->col, "in openapi");
	}
	if (ctx->schema_set)
		goto out;
	if (path) {
		if (version) {
			e = kb_error_new(k->display, at->line, at->col,
					 "openapi: builtin version and custom schema provided, cannot "
					 "use both");
			goto out;
		}
		char *display = kb_path_display(abs);
		kb_node *doc = NULL;
		kb_schema *s = NULL;
		kb_parse_limits glim = kb_ctx_goyaml_limits(ctx);
		e = kb_yaml_parse_one(display, data, len, &glim, &doc);
		if (!e)
			e = kb_openapi_schema(doc, display, ctx->openapi_layer, &s);
		kb_node_free(doc);
		free(display);
		if (e) {
			e = kb_error_note(e, k->display, path->line, path->col,
					  "invalid schema file '%s'", path->str);
			kb_warn(&ctx->warnings, k->display, path->line, path->col,
				"openapi schema '%s' is invalid (%s); kustomize ignores it until "
				"a strategic-merge patch needs it",
				path->str, e->primary.msg);
			kb_error_free(ctx->schema_error);
			ctx->schema_error = e;
			ctx->schema_set = true;
			e = NULL;
			goto out;
		}
		/* Only the first openapi field sets a schema, so nothing
		 * still points at an earlier owned one. */
		kb_schema_free(ctx->owned_schema);
		ctx->owned_schema = s;
		ctx->schema = s;
		ctx->schema_set = true;
		goto out;
	}
	if (!version || kb_str_empty(version->str))
		goto out;
	if (strcmp(version->str, KB_OPENAPI_BUILTIN_VERSION)) {
		e = kb_error_new(k->display, version->line, version->col,
				 "openapi: the specified OpenAPI version '%s' is not built in (only "
				 "%s is)",
				 version->str, KB_OPENAPI_BUILTIN_VERSION);
		goto out;
	}
	ctx->schema_set = true; /* the builtin schema, now fixed */
out:
	free(data);
	free(abs);
	return e;
}

kb_error *kb_target_run(kb_ctx *ctx, const char *dir, kb_acc *acc, bool component)
{
	kb_kust *k = NULL;
	kb_error *e = kb_kust_load_hooked(kb_ctx_fs(ctx), dir, &ctx->lim, &ctx->warnings,
					  kb_ctx_hooks(ctx), &k);
	if (e)
		return e;
	if ((e = set_openapi(ctx, k)))
		goto out;
	if (component && !k->component) {
		e = kb_error_new(k->display, 0, 0,
				 "expected kind 'Component' in a kustomization listed under "
				 "components, found 'Kustomization'");
		goto out;
	}
	/* kustomize builds a Component given directly, like a Kustomization */
	bool top = ctx->top_any_kind && ctx->stack.n == 0;
	if (!component && k->component && !top) {
		e = kb_error_new(k->display, 0, 0,
				 "expected kind 'Kustomization' but found 'Component'; list a "
				 "Component under 'components', not 'resources'");
		goto out;
	}

	kb_strv_push(&ctx->stack, dir);
	/* kustomize: files of a remote base never escape their kustomization */
	kb_loader ld = { kb_ctx_fs(ctx), k->dir,
			 ctx->repo ? KB_LOAD_ROOT_ONLY : ctx->opts->load_restrictor, k->display };
	e = accumulate_resources(ctx, acc, k, &ld);
	if (!e)
		e = load_configurations(ctx, acc, k, &ld);
	if (!e)
		e = load_crds(ctx, acc, k, &ld);
	if (!e)
		e = run_generators(ctx, acc, k, &ld);
	if (!e)
		e = run_helm_charts(ctx, acc, k, &ld);
	if (!e)
		e = kb_plugins_run(ctx, acc, k, &ld, "generators");
	if (!e)
		e = accumulate_components(ctx, acc, k, &ld);
	if (!e)
		e = run_transformers(ctx, acc, k, &ld);
	if (!e)
		e = kb_plugins_run(ctx, acc, k, &ld, "validators");
	if (!e)
		e = kb_vars_merge_bind(acc->vars, kb_map_get(k->doc, "vars"), k->display, &acc->rm,
				       ctx->schema);
	free(ctx->stack.v[--ctx->stack.n]);
out:
	kb_kust_free(k);
	return e;
}

kb_error *kb_target_build_base(kb_ctx *ctx, const char *dir, kb_acc *acc)
{
	return kb_target_run(ctx, dir, acc, false);
}
