/*
 * acc.c - the accumulator of one kustomization level (acc.h).
 */
#include "acc.h"
#include "fs.h"
#include "generate.h"
#include "pool.h"

#include <stdlib.h>
#include <string.h>

void kb_acc_init(kb_acc *acc)
{
	kb_resmap_init(&acc->rm);
	/* filled as kustomize's ResAccumulator is: bases' configs, then each
	 * kustomization's own (defaults, or its configurations + defaults) */
	kb_tconfig_init_empty(&acc->cfg);
	acc->vars = kb_node_new(KB_SEQ);
}

void kb_acc_free(kb_acc *acc)
{
	if (!acc)
		return;
	kb_resmap_free(&acc->rm);
	kb_tconfig_free(&acc->cfg);
	kb_node_free(acc->vars);
	acc->vars = NULL;
}

/* kustomize's errIfArgEqualOrHigher: a kustomization may not load a
 * directory that contains (or is) itself or any kustomization on the
 * path that led to it.  That catches cycles and `resources: [..]`. */
kb_error *kb_ctx_check_cycle(kb_ctx *ctx, const char *cand, const kb_kust *k, unsigned line)
{
	for (size_t i = ctx->stack.n; i-- > 0;) {
		const char *root = ctx->stack.v[i];
		size_t n = strlen(cand);
		if (strncmp(root, cand, n) == 0 && (root[n] == '\0' || root[n] == '/' || n == 1)) {
			kb_buf chain = KB_BUF_INIT;
			for (size_t j = 0; j < ctx->stack.n; j++) {
				char *d = kb_path_display(ctx->stack.v[j]);
				kb_buf_printf(&chain, "%s -> ", d);
				free(d);
			}
			char *dc = kb_path_display(cand);
			kb_buf_puts(&chain, dc);
			kb_error *e = kb_error_new(k->display, line, 0,
						   "cycle detected: '%s' contains a kustomization "
						   "that is already being built (%s)",
						   dc, chain.data);
			free(dc);
			kb_buf_free(&chain);
			return e;
		}
	}
	return NULL;
}

/* kyaml answers a namespace-scope question about a kind outside its
 * precomputed table by deferring the builtin schema's parse; a custom
 * schema set later then gets the builtin definitions parsed after it. */
static void note_kind(kb_ctx *ctx, const kb_node *doc)
{
	if (ctx->openapi_layer != KB_OPENAPI_ALONE)
		return;
	char *g, *v;
	kb_split_apiversion(kb_map_get_str(doc, "apiVersion"), &g, &v);
	if (kb_schema_namespaced(kb_schema_builtin(), g, v, kb_map_get_str(doc, "kind")) < 0)
		ctx->openapi_layer = KB_OPENAPI_UNDER_BUILTIN;
	free(g);
	free(v);
}

/* kustomize's resource factory refuses objects without kind or name. */
static kb_error *check_object(const kb_node *d, const char *display)
{
	const char *kind = kb_map_get_str(d, "kind");
	if (kb_str_empty(kind))
		return kb_error_new(display, d->line, d->col,
				    "missing 'kind' in resource; every resource needs apiVersion, "
				    "kind and metadata.name");
	if (kb_str_empty(kb_node_get_str(d, "metadata", "name", NULL)))
		return kb_error_new(display, d->line, d->col,
				    "missing metadata.name in %s object; every resource needs "
				    "apiVersion, kind and metadata.name",
				    kind);
	return NULL;
}

kb_error *kb_acc_add_documents(kb_ctx *ctx, kb_resmap *out, kb_node **docs, size_t ndocs,
				  const char *display)
{
	kb_error *e = NULL;
	size_t i;
	for (i = 0; i < ndocs && !e; i++) {
		kb_node *d = docs[i];
		docs[i] = NULL;
		if (d->kind != KB_MAP) {
			e = kb_error_new(display, d->line, d->col,
					 "a resource must be a YAML mapping (found a %s)",
					 d->kind == KB_SEQ ? "list" : "scalar");
			kb_node_free(d);
			break;
		}
		const char *kind = kb_map_get_str(d, "kind");
		kb_node *items = kb_map_get(d, "items");
		if (kind && kb_str_has_suffix(kind, "List") && items && items->kind == KB_SEQ) {
			/* kustomize inlines the items of any *List */
			for (size_t k = 0; k < items->n && !e; k++) {
				kb_node *it = items->items[k];
				if (it->kind != KB_MAP) {
					e = kb_error_new(display, it->line, it->col,
							 "items of a %s must be mappings", kind);
					break;
				}
				if ((e = check_object(it, display)))
					break;
				items->items[k] = kb_node_new(KB_NULL);
				note_kind(ctx, it);
				e = kb_resmap_append(out, ctx->schema, kb_resource_new(it, display));
			}
			kb_node_free(d);
			continue;
		}
		if (kb_str_empty(kind)) {
			e = kb_error_new(display, d->line, d->col,
					 "missing 'kind' in resource; every resource needs apiVersion, "
					 "kind and metadata.name");
			kb_node_free(d);
			break;
		}
		if ((e = check_object(d, display))) {
			kb_node_free(d);
			break;
		}
		note_kind(ctx, d);
		e = kb_resmap_append(out, ctx->schema, kb_resource_new(d, display));
	}
	for (; i < ndocs; i++)
		kb_node_free(docs[i]);
	return e;
}

kb_error *kb_acc_absorb(kb_ctx *ctx, kb_acc *acc, kb_resource *r, const char *file,
			   unsigned line, unsigned col)
{
	kb_resid id;
	kb_res_id(r, &id);
	long found = -1;
	int nfound = 0;
	for (size_t i = 0; i < acc->rm.n; i++)
		if (kb_res_matches_any_id(ctx->schema, acc->rm.v[i], &id)) {
			if (found < 0)
				found = (long)i;
			nfound++;
		}
	kb_error *e = NULL;
	char *ids = kb_resid_string(&id);
	bool mr = r->behavior == KB_BEHAVIOR_MERGE || r->behavior == KB_BEHAVIOR_REPLACE;
	if (nfound == 0) {
		if (mr) {
			e = kb_error_new(file, line, col,
					 "id %s does not exist; cannot merge or replace (is the base "
					 "that generates it listed in resources?)",
					 ids);
			kb_resource_free(r);
		} else {
			kb_resmap_append_unchecked(&acc->rm, r);
		}
	} else if (nfound > 1) {
		e = kb_error_new(file, line, col, "found multiple objects matching generator id %s",
				 ids);
		kb_resource_free(r);
	} else if (!mr) {
		e = kb_error_new(file, line, col,
				 "cannot add generated %s: an object with that id already exists; "
				 "set behavior: merge or replace",
				 ids);
		kb_resource_free(r);
	} else {
		kb_resource *old = acc->rm.v[found];
		e = kb_generate_merge(old->doc, r->doc, r->behavior);
		/* merging into a plain object never adds a hash */
		old->needs_hash = old->needs_hash && r->needs_hash;
		kb_resource_free(r);
	}
	free(ids);
	kb_resid_free(&id);
	return e;
}


struct kb_pool *kb_ctx_pool(kb_ctx *ctx)
{
	if (ctx->jobs == 1)
		return NULL;
	if (!ctx->pool) {
		unsigned n = ctx->jobs ? ctx->jobs : kb_cpu_count();
		if (n < 2) {
			ctx->jobs = 1;
			return NULL;
		}
		ctx->pool = kb_pool_new(n);
		if (!ctx->pool)
			ctx->jobs = 1; /* no threads: carry on in this one */
	}
	return ctx->pool;
}
