/*
 * build.c - the top of the pipeline (kustomize's makeCustomizedResMap and
 * Kustomizer.Run): build the root target, then, once for the whole tree,
 * add hash suffixes, fix name references, drop local-config objects,
 * sort, strip build annotations and print.
 */
#include "kbuild.h"
#include "diag.h"
#include "emit.h"
#include "fs.h"
#include "hash.h"
#include "hooks.h"
#include "kustfile.h"
#include "nameref.h"
#include "origin.h"
#include "pool.h"
#include "result.h"
#include "sort.h"
#include "target.h"
#include "transform.h"
#include "vars.h"
#include "write.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One printed resource. */
typedef struct kb_printed {
	char *text;  /* its YAML document, without the "---" before it */
	size_t len;
	char *fname; /* group_version_kind_name.yaml, lower case (for -o DIR) */
	char *ns;    /* its namespace; NULL for cluster-scoped kinds */
	char *file;  /* the file it came from, as messages name it */
} kb_printed;

struct kb_result {
	kb_printed *out; /* ndocs of them, in output order */
	size_t ndocs;
	size_t total;    /* bytes of the whole stream */
	/* the stream joined, made by the first kb_result_yaml() call of a
	 * result of two or more documents (kb_result_write writes the
	 * pieces: a build that is only printed never holds it twice) */
	_Atomic(char *) joined;
	kb_node **docs;  /* the resources' trees; NULL with kb_options.no_docs */
	kb_warnings warnings;
};

/* The size of kb_options at each version: what kb_options_init_version
 * may write.  A new field (and KB_OPTIONS_VERSION bump) adds its line. */
static const size_t options_size[] = {
	0,
	offsetof(kb_options, fs),                 /* 1 */
	offsetof(kb_options, fs) + sizeof(void *), /* 2: fs */
	offsetof(kb_options, jobs),                /* 3: enable_exec, fn_* */
	offsetof(kb_options, no_docs),             /* 4: jobs */
	offsetof(kb_options, write),               /* 5: no_docs */
	sizeof(kb_options),                        /* 6: write, write_ctx, exiting */
};
_Static_assert(sizeof(options_size) / sizeof(*options_size) == KB_OPTIONS_VERSION + 1,
	       "a new kb_options version needs its size in options_size[]");

int kb_options_init_version(kb_options *opts, int version)
{
	if (!opts || version < 1 || version > KB_OPTIONS_VERSION)
		return -1;
	memset(opts, 0, options_size[version]);
	opts->version = version;
	opts->path = ".";
	opts->helm_command = "helm";
	return 0;
}

/* A full-size copy of a caller's options: the fields its version has,
 * the defaults for the rest (a newer caller's unknown fields are left
 * out). */
void kb_options_copy(kb_options *dst, const kb_options *src)
{
	kb_options_init(dst);
	if (!src)
		return;
	int v = src->version < 1 ? 1 : src->version > KB_OPTIONS_VERSION ? KB_OPTIONS_VERSION
									   : src->version;
	memcpy(dst, src, options_size[v]);
	dst->version = KB_OPTIONS_VERSION;
}

const char *kb_version(void)
{
	return KBUILD_VERSION;
}

int kb_abi_version(void)
{
	return KBUILD_ABI_VERSION;
}

static void drop_local_config(kb_resmap *m)
{
	for (size_t i = 0; i < m->n;) {
		if (kb_node_get(m->v[i]->doc, "metadata", "annotations",
				"config.kubernetes.io/local-config", NULL))
			kb_resmap_remove(m, i);
		else
			i++;
	}
}

/* The top kustomization's buildMetadata: kustomize reads it there only
 * and copies it over every level below. */
typedef struct build_meta {
	bool any, origin, transformations, managed_by;
} build_meta;

static void read_build_metadata(const kb_fs *fs, const char *dir, const kb_parse_limits *lim,
				const kb_build_hooks *hooks, build_meta *bm)
{
	memset(bm, 0, sizeof(*bm));
	kb_kust *top = NULL;
	kb_error *e = kb_kust_load_hooked(fs, dir, lim, NULL, hooks, &top);
	if (e) {
		/* kb_target_run reports it */
		kb_error_free(e);
		return;
	}
	const kb_node *list = kb_map_get(top->doc, "buildMetadata");
	bm->any = list && list->kind == KB_SEQ && list->n > 0;
	bm->origin = kb_build_metadata_has(top->doc, "originAnnotations");
	bm->transformations = kb_build_metadata_has(top->doc, "transformerAnnotations");
	bm->managed_by = kb_build_metadata_has(top->doc, "managedByLabel");
	kb_kust_free(top);
}

/* krusty's managed-by LabelTransformer, run after sorting. */
static kb_error *add_managed_by(kb_resmap *m)
{
	kb_node *pairs = kb_node_new(KB_MAP);
	kb_map_set(pairs, KB_MANAGED_BY_LABEL, kb_node_new_str(KB_MANAGED_BY_VALUE));
	kb_fsset fs = { 0 };
	kb_fsset_add(&fs, NULL, NULL, NULL, "metadata/labels", true);
	kb_error *e = kb_transform_labels(m, pairs, &fs);
	kb_fsset_free(&fs);
	kb_node_free(pairs);
	return e;
}

/* Build annotations kustomize never prints (resource.BuildAnnotations;
 * other internal.config.kubernetes.io/ keys are printed), and the origin /
 * transformations ones unless buildMetadata asks for them. */
static void strip_build_annotations(kb_node *doc, const build_meta *bm)
{
	const char *const keys[] = {
		bm->origin ? NULL : KB_ORIGIN_ANNOTATION,
		bm->transformations ? NULL : KB_TRANSFORMATIONS_ANNOTATION,
	};
	kb_node *md = kb_map_get(doc, "metadata");
	kb_node *ann = kb_map_get(md, "annotations");
	/* kustomize clears a null or empty annotations map before it prints
	 * (kyaml's ClearEmptyAnnotations): an annotation a patch set to null
	 * leaves no `annotations: {}` behind, while `labels: {}` stays. */
	if (ann && (ann->kind == KB_NULL || (ann->kind == KB_MAP && ann->n == 0))) {
		kb_map_del(md, "annotations");
		return;
	}
	if (!ann || ann->kind != KB_MAP)
		return;
	bool removed = false;
	for (size_t i = 0; i < ann->n;) {
		const char *k = ann->pairs[i].key;
		bool drop = kb_is_build_annotation(k);
		for (size_t j = 0; j < sizeof(keys) / sizeof(*keys); j++)
			drop = drop || (keys[j] && strcmp(k, keys[j]) == 0);
		if (drop) {
			kb_map_del(ann, k);
			removed = true;
		} else {
			i++;
		}
	}
	if (removed && ann->n == 0) {
		kb_map_del(md, "annotations");
		return;
	}
	/* annotations are map[string]string when kustomize prints them: a
	 * number or bool a transformer put there reads back as its text */
	for (size_t i = 0; i < ann->n; i++) {
		kb_node *v = ann->pairs[i].val;
		if (v->kind != KB_STR && kb_node_is_scalar(v)) {
			char *t = kb_xstrdup(v->kind == KB_NULL ? "" : kb_node_text(v));
			kb_node_set_str(v, t);
			free(t);
		}
	}
}

/*
 * Numbers as kustomize prints them: it marshals each object to JSON and
 * goyaml.v2 reads that back, so a float64 comes out as
 * kb_go_float_output says (1e20 as "1e+20", 1234567.5 as
 * "1.2345675e+06"), whatever text the reader gave it.
 */
static void settle_numbers(kb_node *n)
{
	if (!n)
		return;
	if (n->kind == KB_FLOAT) {
		char *end;
		double f = strtod(n->str, &end);
		if (*end || !isfinite(f))
			return;
		char *t = kb_go_float_output(f);
		if (strcmp(t, n->str) != 0)
			kb_node_replace(n, kb_node_new_scalar(t[strspn(t, "-0123456789")] ? KB_FLOAT
										     : KB_INT,
							      t));
		free(t);
		return;
	}
	if (n->kind == KB_MAP)
		for (size_t i = 0; i < n->n; i++)
			settle_numbers(n->pairs[i].val);
	else if (n->kind == KB_SEQ)
		for (size_t i = 0; i < n->n; i++)
			settle_numbers(n->items[i]);
}

static void lower_into(kb_buf *b, const char *s)
{
	for (; *s; s++)
		kb_buf_putc(b, (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s);
}

/* kustomize's file name of a resource in -o DIR, without the namespace
 * prefix (which depends on all resources: kb_result_write_dir). */
static char *file_name_of(const kb_node *d)
{
	char *g, *v;
	kb_split_apiversion(kb_map_get_str(d, "apiVersion"), &g, &v);
	kb_buf name = KB_BUF_INIT;
	const char *kind = kb_map_get_str(d, "kind");
	const char *parts[3] = { g, v, kind ? kind : "" };
	bool first = true;
	for (int p = 0; p < 3; p++) {
		if (!*parts[p])
			continue;
		if (!first)
			kb_buf_putc(&name, '_');
		lower_into(&name, parts[p]);
		first = false;
	}
	kb_buf_putc(&name, '_');
	const char *nm = kb_node_get_str(d, "metadata", "name", NULL);
	lower_into(&name, nm ? nm : "");
	kb_buf_puts(&name, ".yaml");
	free(g);
	free(v);
	return kb_buf_detach(&name);
}

/* One resource made ready for printing and printed into its own buffer:
 * what render() runs for each resource, on the build's threads when
 * there are enough resources to share out.  With no_docs the resource's
 * tree is freed as soon as it is printed, so that a big build holds the
 * trees still to print and the text printed so far, not both whole. */
typedef struct print_job {
	kb_resource *r;
	const build_meta *bm;
	const kb_schema *schema;
	bool no_docs;
	kb_printed p;
	kb_error *err;
} print_job;

/* What every resource goes through just before it is printed (or
 * checked for printing: the same tree). */
static void prepare_print(kb_resource *r, const build_meta *bm)
{
	strip_build_annotations(r->doc, bm);
	settle_numbers(r->doc);
}

static void print_one(void *arg)
{
	print_job *j = arg;
	kb_resource *r = j->r;
	prepare_print(r, j->bm);
	kb_buf out = KB_BUF_INIT;
	j->err = kb_emit_doc(&out, r->doc);
	if (j->err) {
		kb_buf_free(&out);
		return;
	}
	/* the buffer was reserved from an estimate: give back what it does
	 * not use */
	j->p.len = out.len;
	j->p.text = out.data ? realloc(out.data, out.len + 1) : kb_xstrdup("");
	if (!j->p.text)
		j->p.text = out.data;
	char *g, *v;
	kb_split_apiversion(kb_res_apiversion(r), &g, &v);
	if (kb_schema_namespaced(j->schema, g, v, kb_res_kind(r)) != 0)
		j->p.ns = kb_xstrdup(kb_res_ns(r));
	free(g);
	free(v);
	j->p.fname = file_name_of(r->doc);
	j->p.file = kb_xstrdup(r->file ? r->file : "");
	if (j->no_docs) {
		kb_node_free(r->doc);
		r->doc = NULL;
	}
}

/* e, from printing r, says which object it is about. */
static kb_error *printing_error(kb_error *e, const kb_resource *r)
{
	if (!e->primary.file && e->primary.line)
		/* the position is in the file the object came from */
		e->primary.file = kb_xstrdup(r->file);
	return kb_error_note(e, r->file, 0, 0, "while printing %s '%s'", kb_res_kind(r),
			     kb_res_name(r));
}

static void printed_free(kb_printed *p)
{
	free(p->text);
	free(p->fname);
	free(p->ns);
	free(p->file);
}

/* Below this many resources printing stays on the caller's thread:
 * starting threads would cost more than it saves. */
#define PARALLEL_PRINT_MIN 16

static kb_error *render(kb_ctx *ctx, kb_result *res, kb_resmap *m, const build_meta *bm)
{
	bool no_docs = ctx->opts->no_docs != 0;
	res->out = kb_xcalloc(m->n ? m->n : 1, sizeof(*res->out));
	if (!no_docs)
		res->docs = kb_xcalloc(m->n ? m->n : 1, sizeof(kb_node *));
	print_job *jobs = kb_xcalloc(m->n ? m->n : 1, sizeof(*jobs));
	struct kb_pool *pool = m->n >= PARALLEL_PRINT_MIN ? kb_ctx_pool(ctx) : NULL;
	size_t first_ticket = 0;
	for (size_t i = 0; i < m->n; i++) {
		jobs[i].r = m->v[i];
		jobs[i].bm = bm;
		jobs[i].schema = ctx->schema;
		jobs[i].no_docs = no_docs;
		if (pool) {
			size_t t = kb_pool_submit(pool, print_one, &jobs[i]);
			if (i == 0)
				first_ticket = t;
		}
	}
	/* in order, so that the first resource that cannot be printed is the
	 * one reported, as when they are printed one after another */
	kb_error *e = NULL;
	size_t i;
	for (i = 0; i < m->n && !e; i++) {
		print_job *j = &jobs[i];
		kb_resource *r = j->r;
		if (pool)
			kb_pool_wait_one(pool, first_ticket + i);
		else
			print_one(j);
		if (j->err) {
			e = printing_error(j->err, r);
			j->err = NULL;
			break;
		}
		res->total += j->p.len + (i > 0 ? 4 : 0);
		res->out[i] = j->p;
		memset(&j->p, 0, sizeof(j->p));
		if (!no_docs) {
			res->docs[i] = r->doc;
			r->doc = NULL;
		}
		res->ndocs++;
	}
	if (pool)
		kb_pool_wait(pool); /* after a failure, the jobs still running */
	for (size_t k = 0; k < m->n; k++) {
		printed_free(&jobs[k].p);
		kb_error_free(jobs[k].err);
	}
	free(jobs);
	return e;
}

/* ---- streamed output (kb_options.write) ---- */

typedef struct check_job {
	kb_resource *r;
	const build_meta *bm;
	kb_error *err;
} check_job;

static void check_one(void *arg)
{
	check_job *j = arg;
	prepare_print(j->r, j->bm);
	j->err = kb_emit_check(j->r->doc);
}

typedef struct emit_job {
	kb_resource *r;
	bool leak; /* kb_options.exiting */
	size_t ticket;
	kb_buf out;
	kb_error *err;
} emit_job;

static void emit_one(void *arg)
{
	emit_job *j = arg;
	j->err = kb_emit_doc(&j->out, j->r->doc);
	if (!j->leak)
		kb_node_free(j->r->doc);
	j->r->doc = NULL;
}

/* Documents printed ahead of the one being written, per thread: enough to
 * keep the threads busy, few enough that the output is never held. */
#define STREAM_AHEAD 4

static kb_error *render_stream(kb_ctx *ctx, kb_result *res, kb_resmap *m, const build_meta *bm)
{
	const kb_options *o = ctx->opts;
	size_t n = m->n;
	struct kb_pool *pool = n >= PARALLEL_PRINT_MIN ? kb_ctx_pool(ctx) : NULL;
	kb_error *e = NULL;
	/* every resource is checked before the first byte goes out */
	check_job *cj = kb_xcalloc(n ? n : 1, sizeof(*cj));
	for (size_t i = 0; i < n; i++) {
		cj[i].r = m->v[i];
		cj[i].bm = bm;
		if (pool)
			kb_pool_submit(pool, check_one, &cj[i]);
	}
	if (pool)
		kb_pool_wait(pool);
	for (size_t i = 0; i < n && !e; i++) {
		if (!pool)
			check_one(&cj[i]);
		if (cj[i].err) {
			e = printing_error(cj[i].err, m->v[i]);
			cj[i].err = NULL;
		}
	}
	for (size_t i = 0; i < n; i++)
		kb_error_free(cj[i].err);
	free(cj);
	if (e)
		return e;

	/* the warnings are complete: write may report them first (a view;
	 * the build hands them over at its end) */
	res->warnings = ctx->warnings;
	emit_job *ej = kb_xcalloc(n ? n : 1, sizeof(*ej));
	size_t ahead = pool ? STREAM_AHEAD * kb_pool_threads(pool) : 0, next = 0;
	for (size_t i = 0; i < n && !e; i++) {
		for (; pool && next < n && next <= i + ahead; next++) {
			ej[next].r = m->v[next];
			ej[next].leak = o->exiting != 0;
			ej[next].ticket = kb_pool_submit(pool, emit_one, &ej[next]);
		}
		emit_job *j = &ej[i];
		if (pool) {
			kb_pool_wait_one(pool, j->ticket);
		} else {
			j->r = m->v[i];
			j->leak = o->exiting != 0;
			emit_one(j);
		}
		if (j->err) {
			/* kb_emit_check passed it: not expected */
			e = printing_error(j->err, m->v[i]);
			j->err = NULL;
			break;
		}
		if ((i > 0 && o->write(o->write_ctx, res, "---\n", 4) != 0) ||
		    (j->out.len && o->write(o->write_ctx, res, j->out.data, j->out.len) != 0))
		{
			e = kb_error_new(NULL, 0, 0, "writing the output: %s", strerror(errno));
			e->code = KB_ERR_IO;
		}
		kb_buf_free(&j->out);
	}
	if (pool)
		kb_pool_wait(pool); /* after a failure, the jobs still running */
	for (size_t i = 0; i < n; i++) {
		kb_buf_free(&ej[i].out);
		kb_error_free(ej[i].err);
	}
	free(ej);
	memset(&res->warnings, 0, sizeof(res->warnings));
	return e;
}

kb_error *kb_build(const kb_options *opts, kb_result **out)
{
	return kb_build_hooked(opts, NULL, out);
}

kb_error *kb_build_hooked(const kb_options *opts, const kb_build_hooks *hooks, kb_result **out)
{
	*out = NULL;
	kb_options defaults;
	if (!opts) {
		kb_options_init(&defaults);
		opts = &defaults;
	}
	const char *path = opts->path ? opts->path : ".";
	const kb_fs *fs = opts->version >= 2 ? opts->fs : NULL;
	char *dir = NULL;
	if (fs && path[0] != '/') {
		/* a caller's file system sees absolute paths only */
		char *cwd = getcwd(NULL, 0);
		char *abs = kb_path_join(cwd ? cwd : "/", path);
		dir = kb_fs_realpath(fs, abs);
		free(abs);
		free(cwd);
	} else {
		dir = kb_fs_realpath(fs, path);
	}
	if (!dir)
		return kb_error_new(path, 0, 0, "cannot build: %s", strerror(errno));
	if (!kb_fs_is_dir(fs, dir)) {
		free(dir);
		return kb_error_new(path, 0, 0,
				    "cannot build: not a directory (give the directory that holds "
				    "kustomization.yaml)");
	}
	/* The stages read a full-size copy: fields beyond the caller's
	 * version are not in its struct and read as unset. */
	kb_options full;
	kb_options_copy(&full, opts);
	opts = &full;
	kb_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.opts = opts;
	ctx.build_dir = kb_target_build_base;
	ctx.fs = fs;
	ctx.hooks = hooks;
	ctx.jobs = opts->jobs;
	ctx.schema = kb_schema_builtin();
	ctx.lim.max_depth = opts->max_depth;
	ctx.lim.max_nodes = opts->max_nodes;
	/* resources, patches and plugin configs go through kio.ByteReader */
	ctx.lim.kio = true;

	kb_acc acc;
	kb_acc_init(&acc);
	kb_result *res = kb_xcalloc(1, sizeof(*res));
	ctx.top_any_kind = true;
	build_meta bm;
	read_build_metadata(ctx.fs, dir, &ctx.lim, hooks, &bm);
	if (bm.any)
		ctx.origin = kb_xstrdup("");
	kb_error *e = kb_target_run(&ctx, dir, &acc, false);
	if (!e)
		e = kb_hash_suffix_all(&acc.rm);
	if (!e)
		e = kb_nameref_fix(&acc.rm, ctx.schema, &acc.cfg);
	if (!e)
		e = kb_vars_resolve(&acc.rm, ctx.schema, acc.vars, &acc.cfg, &ctx.warnings);
	if (!e) {
		drop_local_config(&acc.rm);
		/* sortOptions of the top kustomization only */
		kb_kust *top = NULL;
		e = kb_kust_load_hooked(ctx.fs, dir, &ctx.lim, NULL, hooks, &top);
		if (!e)
			e = kb_sort_resources(&acc.rm, kb_map_get(top->doc, "sortOptions"),
					      opts->reorder, top->display);
		kb_kust_free(top);
	}
	if (!e && (opts->enable_managedby_label || bm.managed_by))
		e = add_managed_by(&acc.rm);
	if (!e)
		e = opts->write ? render_stream(&ctx, res, &acc.rm, &bm)
				: render(&ctx, res, &acc.rm, &bm);
	kb_pool_free(ctx.pool);
	kb_acc_free(&acc);
	kb_strv_free(&ctx.stack);
	free(ctx.origin);
	kb_schema_free(ctx.owned_schema);
	kb_error_free(ctx.schema_error);
	free(dir);
	if (e) {
		/* the warnings found before the failure go with the error */
		kb_warnings_move_to(&ctx.warnings, e);
		kb_result_free(res);
		return e;
	}
	res->warnings = ctx.warnings;
	memset(&ctx.warnings, 0, sizeof(ctx.warnings));
	*out = res;
	return NULL;
}

const char *kb_result_yaml(const kb_result *res, size_t *len)
{
	if (len)
		*len = res ? res->total : 0;
	if (!res || res->ndocs == 0)
		return "";
	if (res->ndocs == 1)
		return res->out[0].text;
	kb_result *r = (kb_result *)res; /* the cache only: the value never changes */
	char *j = atomic_load(&r->joined);
	if (j)
		return j;
	char *mine = kb_xmalloc(res->total + 1), *p = mine;
	for (size_t i = 0; i < res->ndocs; i++) {
		if (i > 0) {
			memcpy(p, "---\n", 4);
			p += 4;
		}
		memcpy(p, res->out[i].text, res->out[i].len);
		p += res->out[i].len;
	}
	*p = '\0';
	char *expected = NULL;
	if (atomic_compare_exchange_strong(&r->joined, &expected, mine))
		return mine;
	free(mine); /* another thread joined it first */
	return expected;
}

size_t kb_result_docs(const kb_result *res, kb_node *const **docs)
{
	*docs = res ? res->docs : NULL;
	return res && res->docs ? res->ndocs : 0;
}

const char *kb_result_doc_file(const kb_result *res, size_t i)
{
	return res && i < res->ndocs ? res->out[i].file : NULL;
}

size_t kb_result_count(const kb_result *res)
{
	return res ? res->ndocs : 0;
}

size_t kb_result_warning_count(const kb_result *res)
{
	return res ? res->warnings.n : 0;
}

const char *kb_result_warning(const kb_result *res, size_t i)
{
	return res && i < res->warnings.n ? res->warnings.v[i] : NULL;
}

const kb_error *kb_result_warning_diag(const kb_result *res, size_t i)
{
	return res && i < res->warnings.n ? res->warnings.diag[i] : NULL;
}

int kb_result_write(const kb_result *res, FILE *fp)
{
	for (size_t i = 0; res && i < res->ndocs; i++) {
		if (i > 0 && fwrite("---\n", 1, 4, fp) != 4)
			return -1;
		const kb_printed *p = &res->out[i];
		if (p->len && fwrite(p->text, 1, p->len, fp) != p->len)
			return -1;
	}
	return fflush(fp) == 0 ? 0 : -1;
}

kb_error *kb_result_write_file(const kb_result *res, const char *path)
{
	size_t len;
	const char *y = kb_result_yaml(res, &len);
	return kb_write_path(path, y, len);
}

struct kb_output {
	kb_writer *w;
};

kb_output *kb_output_new(const char *path)
{
	kb_output *o = kb_xmalloc(sizeof(*o));
	o->w = kb_writer_new(path);
	return o;
}

int kb_output_write(void *out, const kb_result *res, const char *data, size_t len)
{
	(void)res;
	return kb_writer_write(((kb_output *)out)->w, data, len);
}

kb_error *kb_output_finish(kb_output *out, int commit)
{
	if (!out)
		return NULL;
	kb_error *e = kb_writer_finish(out->w, commit != 0);
	free(out);
	return e;
}

kb_error *kb_result_write_dir(const kb_result *res, const char *dir)
{
	/* kustomize's writer: the namespace prefix appears only when the
	 * namespaced resources span more than one namespace. */
	bool multi_ns = false;
	const char *first_ns = NULL;
	for (size_t i = 0; i < res->ndocs; i++) {
		if (!res->out[i].ns)
			continue;
		if (!first_ns)
			first_ns = res->out[i].ns;
		else if (strcmp(first_ns, res->out[i].ns) != 0)
			multi_ns = true;
	}
	for (size_t i = 0; i < res->ndocs; i++) {
		const kb_printed *p = &res->out[i];
		kb_buf name = KB_BUF_INIT;
		if (multi_ns && p->ns) {
			lower_into(&name, p->ns);
			kb_buf_putc(&name, '_');
		}
		kb_buf_puts(&name, p->fname);
		char *path = kb_path_join(dir, name.data);
		kb_error *e = kb_write_path(path, p->text, p->len);
		free(path);
		kb_buf_free(&name);
		if (e)
			return e;
	}
	return NULL;
}

void kb_result_free(kb_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->ndocs; i++) {
		printed_free(&res->out[i]);
		if (res->docs)
			kb_node_free(res->docs[i]);
	}
	free(res->out);
	free(res->docs);
	free(atomic_load(&res->joined));
	kb_warnings_free(&res->warnings);
	free(res);
}
