/*
 * acc.h - what the stages of one kustomization level share: the build
 * context (kb_ctx) and kustomize's ResAccumulator (kb_acc), with the
 * operations generators and plugins need to add objects to it.
 *
 * This is the small interface that keeps target.c (which runs a level),
 * plugin.c and helm.c (which run inside one) free of an include cycle:
 * they depend on acc.h, and a plugin that must build a whole directory
 * (a transformer config given as a kustomization directory) goes through
 * kb_ctx.build_dir, which the top of the build sets to kb_target_run.
 */
#ifndef KB_ACC_H
#define KB_ACC_H

#include "diag.h"
#include "hooks.h"
#include "kbuild.h"
#include "kustfile.h"
#include "openapi.h"
#include "parse.h"
#include "resource.h"
#include "schema.h"
#include "tconfig.h"

typedef struct kb_acc kb_acc;

typedef struct kb_ctx {
	const kb_options *opts;
	const kb_schema *schema; /* builtin, or the first `openapi:` path (schema_set) */
	kb_schema *owned_schema;
	/* kyaml's global schema state: once an `openapi:` field has set it,
	 * later ones are ignored; until then, openapi_layer says what a
	 * custom schema set now is layered with (see openapi.h). */
	bool schema_set;
	kb_openapi_layer openapi_layer;
	kb_parse_limits lim;
	kb_warnings warnings;
	kb_strv stack; /* directories being built, for cycle detection */
	/* innermost git clone being built (remote.h), or NULL */
	const struct kb_repo_frame *repo;
	/* buildMetadata: origin path of the kustomization being built,
	 * relative to the top one; NULL when the top asks for no build
	 * metadata (kustomize then tracks no origins at all). */
	char *origin;
	bool top_any_kind; /* the directory given to kb_build may hold a Component */
	/* Builds the kustomization in dir (absolute, canonical) into acc as a
	 * resource base: kb_target_run, set by the top of the build. */
	kb_error *(*build_dir)(struct kb_ctx *ctx, const char *dir, kb_acc *acc);
	const kb_fs *fs; /* the caller's (kb_options.fs), NULL for the OS's */
	/* An `openapi: path:` schema that does not parse: kustomize reads it
	 * only when a strategic-merge patch first needs a schema (and then
	 * crashes), so the build goes on with the builtin schema and the
	 * error is reported at that point. */
	kb_error *schema_error;
	const kb_build_hooks *hooks; /* kb_build_hooked's, or NULL */
	/* threads for parsing a level's files and printing (kb_options.jobs):
	 * made on first use by kb_ctx_pool, freed by the top of the build */
	unsigned jobs;
	struct kb_pool *pool;
} kb_ctx;

/* The build's thread pool, started on first use; NULL when the build
 * keeps to one thread (jobs 1, or no thread could be started). */
struct kb_pool *kb_ctx_pool(kb_ctx *ctx);

/* The parse limits for files kustomize reads with sigs.k8s.io/yaml
 * (goyaml.v2 into typed structs: configurations, CRDs, openapi schemas,
 * replacement and values files) rather than kio.ByteReader. */
static inline kb_parse_limits kb_ctx_goyaml_limits(const kb_ctx *ctx)
{
	kb_parse_limits l = ctx->lim;
	l.kio = false;
	return l;
}

/* The file system the level being built reads: a remote base's clone
 * is on disk whatever the caller's file system is. */
static inline const kb_fs *kb_ctx_fs(const kb_ctx *ctx)
{
	return ctx->repo ? NULL : ctx->fs;
}

/* The hooks for the level being built: none inside a remote base's
 * clone, whose temporary files are no part of the caller's tree. */
static inline const kb_build_hooks *kb_ctx_hooks(const kb_ctx *ctx)
{
	return ctx->repo ? NULL : ctx->hooks;
}

struct kb_acc {
	kb_resmap rm;
	kb_tconfig cfg;
	kb_node *vars; /* KB_SEQ of var definitions, merged up the tree */
};

void kb_acc_init(kb_acc *acc);
void kb_acc_free(kb_acc *acc);

/* Appends parsed documents as resources (inlining *List items), taking
 * ownership of every docs[i]; duplicate ids and non-objects are errors. */
kb_error *kb_acc_add_documents(kb_ctx *ctx, kb_resmap *out, kb_node **docs, size_t ndocs,
				  const char *display);

/* Adds a generated object (ownership passes) with kustomize's
 * create/merge/replace rules (r->behavior) against what acc holds. */
kb_error *kb_acc_absorb(kb_ctx *ctx, kb_acc *acc, kb_resource *r, const char *file,
			   unsigned line, unsigned col);

/* kustomize's errIfArgEqualOrHigher: NULL unless cand is (or contains) a
 * kustomization directory on the path being built; k and line place the
 * error. */
kb_error *kb_ctx_check_cycle(kb_ctx *ctx, const char *cand, const kb_kust *k,
				unsigned line);

#endif
