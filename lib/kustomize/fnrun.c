/*
 * fnrun.c - KRM functions (fnrun.h): kyaml v0.18.1's runtimeutil,
 * fn/runtime/exec, fn/runtime/container, runfn and the parts of kio
 * (ByteReader, ByteWriter, Pipeline) one function run goes through.
 */
#include "fnrun.h"
#include "emit.h"
#include "parse.h"
#include "proc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define FUNCTION_ANNOTATION "config.kubernetes.io/function"
#define OLD_FUNCTION_ANNOTATION "config.k8s.io/function"
#define CONTAINER_ANNOTATION "config.kubernetes.io/container"

/* kioutil's annotations */
#define A_INDEX "internal.config.kubernetes.io/index"
#define A_PATH "internal.config.kubernetes.io/path"
#define A_SEQINDENT "internal.config.kubernetes.io/seqindent"
#define A_ID "internal.config.kubernetes.io/id"
#define A_LEGACY_INDEX "config.kubernetes.io/index"
#define A_LEGACY_PATH "config.kubernetes.io/path"
#define A_LEGACY_ID "config.k8s.io/id"
#define A_MIGRATION "internal.config.kubernetes.io/annotations-migration-resource-id"
#define INTERNAL_PREFIX "internal.config.kubernetes.io/"

#define DEFAULT_TIMEOUT_MS (300L * 1000)
#define DEFAULT_MAX_OUTPUT ((size_t)256 * 1024 * 1024)

int64_t kb_fn_timeout_ms(const kb_options *opts)
{
	return opts->fn_timeout_ms > 0 ? opts->fn_timeout_ms : DEFAULT_TIMEOUT_MS;
}

size_t kb_fn_max_output(const kb_options *opts)
{
	return opts->fn_max_output ? opts->fn_max_output : DEFAULT_MAX_OUTPUT;
}

/* ---- Go's path package ('/'-separated) ---- */

/* path.Clean */
static char *go_path_clean(const char *p)
{
	if (!p || !*p)
		return kb_xstrdup(".");
	bool rooted = p[0] == '/';
	size_t n = strlen(p);
	char *out = kb_xmalloc(n + 2);
	size_t w = 0, dotdot = 0;
	size_t r = 0;
	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < n) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			while (r < n && p[r] != '/')
				out[w++] = p[r++];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

/* path.Dir */
static char *go_path_dir(const char *p)
{
	const char *slash = strrchr(p, '/');
	char *head = slash ? kb_xstrndup(p, (size_t)(slash - p + 1)) : kb_xstrdup("");
	char *c = go_path_clean(head);
	free(head);
	return c;
}

/* path.Base of a cleaned path */
static const char *go_path_base(const char *p)
{
	const char *slash = strrchr(p, '/');
	return slash && slash[1] ? slash + 1 : p;
}

/* path.Join of non-empty elements, cleaned ("" when all are empty) */
static char *go_path_join3(const char *a, const char *b, const char *c)
{
	kb_buf buf = KB_BUF_INIT;
	const char *parts[3] = { a, b, c };
	for (int i = 0; i < 3; i++) {
		if (kb_str_empty(parts[i]))
			continue;
		if (buf.len)
			kb_buf_putc(&buf, '/');
		kb_buf_puts(&buf, parts[i]);
	}
	if (!buf.len)
		return kb_buf_detach(&buf);
	char *s = go_path_clean(buf.data);
	kb_buf_free(&buf);
	return s;
}

/* ---- annotations on documents (kyaml's SetAnnotation & co.) ---- */

static kb_node *annotations_of(const kb_node *doc)
{
	kb_node *a = kb_node_get(doc, "metadata", "annotations", NULL);
	return a && a->kind == KB_MAP ? a : NULL;
}

/* The annotation's text, or NULL (GetMeta reads them as strings). */
static const char *ann_get(const kb_node *doc, const char *key)
{
	kb_node *a = annotations_of(doc);
	const kb_node *v = a ? kb_map_get(a, key) : NULL;
	if (!v || !kb_node_is_scalar(v))
		return NULL;
	return v->kind == KB_NULL ? "" : kb_node_text(v);
}

static void ann_set(kb_node *doc, const char *key, const char *value)
{
	if (!doc || doc->kind != KB_MAP)
		return;
	kb_node *md = kb_map_ensure_map(doc, "metadata");
	if (md->kind != KB_MAP)
		return;
	kb_node *a = kb_map_ensure_map(md, "annotations");
	if (a->kind != KB_MAP)
		return;
	kb_map_set(a, key, kb_node_new_str(value));
}

static void ann_del(kb_node *doc, const char *key)
{
	kb_node *a = annotations_of(doc);
	if (a)
		kb_map_del(a, key);
}

/* yaml.ClearEmptyAnnotations */
static void clear_empty_annotations(kb_node *doc)
{
	kb_node *md = kb_map_get(doc, "metadata");
	kb_node *a = md && md->kind == KB_MAP ? kb_map_get(md, "annotations") : NULL;
	if (a && ((a->kind == KB_MAP && a->n == 0) || a->kind == KB_NULL))
		kb_map_del(md, "annotations");
}

/* kioutil.CopyLegacyAnnotations: each of path, index and id set in one
 * form only is copied to the other. */
static void copy_legacy_annotations(kb_node *doc)
{
	static const char *const pairs[3][2] = {
		{ A_LEGACY_PATH, A_PATH }, { A_LEGACY_INDEX, A_INDEX }, { A_LEGACY_ID, A_ID },
	};
	for (int i = 0; i < 3; i++) {
		const char *nv = ann_get(doc, pairs[i][1]);
		const char *lv = ann_get(doc, pairs[i][0]);
		if (!kb_str_empty(nv)) {
			if (kb_str_empty(lv)) {
				char *v = kb_xstrdup(nv);
				ann_set(doc, pairs[i][0], v);
				free(v);
			}
		} else if (!kb_str_empty(lv)) {
			char *v = kb_xstrdup(lv);
			ann_set(doc, pairs[i][1], v);
			free(v);
		}
	}
}

/* ---- the function spec ---- */

static void spec_free_fields(kb_fn_spec *s)
{
	free(s->image);
	free(s->exec_path);
	for (size_t i = 0; i < s->nmounts; i++)
		kb_fn_mount_free(&s->mounts[i]);
	free(s->mounts);
	kb_strv_free(&s->envs);
}

void kb_fn_spec_free(kb_fn_spec *s)
{
	if (!s)
		return;
	spec_free_fields(s);
	free(s);
}

void kb_fn_mount_free(kb_fn_mount *m)
{
	free(m->type);
	free(m->src);
	free(m->dst);
	memset(m, 0, sizeof(*m));
}

void kb_fn_mount_parse(const char *s, kb_fn_mount *m)
{
	memset(m, 0, sizeof(*m));
	/* options split on ',', each key=value; the last of a key wins, as
	 * with kyaml's map */
	const char *p = s ? s : "";
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		if (eq) {
			char *key = kb_xstrndup(p, (size_t)(eq - p));
			char *val = kb_xstrndup(eq + 1, n - (size_t)(eq - p) - 1);
			char **dst = NULL;
			if (strcmp(key, "type") == 0)
				dst = &m->type;
			else if (strcmp(key, "src") == 0 || strcmp(key, "source") == 0)
				dst = &m->src;
			else if (strcmp(key, "dst") == 0 || strcmp(key, "target") == 0)
				dst = &m->dst;
			else if (strcmp(key, "rw") == 0)
				m->rw = strcmp(val, "true") == 0;
			if (dst) {
				free(*dst);
				*dst = val;
				val = NULL;
			}
			free(key);
			free(val);
		}
		if (!comma)
			break;
		p = comma + 1;
	}
}

/* Strict decoding as sigs.k8s.io/yaml.UnmarshalStrict does it: Go's JSON
 * decoder with unknown fields refused and field names matched exactly
 * first, then case-insensitively. */
typedef struct decoder {
	const char *file;
	unsigned line, col; /* of the annotation, when the spec is in one */
	const char *where;  /* "config.kubernetes.io/function" or "configFn" */
} decoder;

static kb_error *dec_error(const decoder *d, const kb_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static kb_error *dec_error(const decoder *d, const kb_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = kb_xvasprintf(fmt, ap);
	va_end(ap);
	/* positions inside an annotation's text are not file positions */
	unsigned line = d->line ? d->line : (at ? at->line : 0);
	unsigned col = d->line ? d->col : (at ? at->col : 0);
	kb_error *e = kb_error_new(d->file, line, col, "%s unmarshal error: %s", d->where, msg);
	free(msg);
	return e;
}

/* The index of the field key names among names (exact, then folded), or
 * -1. */
static int field_index(const char *key, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(key, names[i]) == 0)
			return i;
	for (int i = 0; names[i]; i++)
		if (strcasecmp(key, names[i]) == 0)
			return i;
	return -1;
}

static const char *node_type_name(const kb_node *v)
{
	switch (v->kind) {
	case KB_BOOL: return "bool";
	case KB_INT:
	case KB_FLOAT: return "number";
	case KB_STR: return "string";
	case KB_SEQ: return "array";
	case KB_MAP: return "object";
	default: return "null";
	}
}

static kb_error *dec_string(const decoder *d, const kb_node *v, const char *field, char **out)
{
	if (v->kind == KB_NULL)
		return NULL;
	if (v->kind != KB_STR)
		return dec_error(d, v, "json: cannot unmarshal %s into Go struct field %s of type string",
				 node_type_name(v), field);
	free(*out);
	*out = kb_xstrdup(v->str);
	return NULL;
}

static kb_error *dec_bool(const decoder *d, const kb_node *v, const char *field, bool *out)
{
	if (v->kind == KB_NULL)
		return NULL;
	if (v->kind != KB_BOOL)
		return dec_error(d, v, "json: cannot unmarshal %s into Go struct field %s of type bool",
				 node_type_name(v), field);
	*out = strcmp(v->str, "true") == 0;
	return NULL;
}

static kb_error *dec_object(const decoder *d, const kb_node *v, const char *what)
{
	if (v->kind == KB_MAP || v->kind == KB_NULL)
		return NULL;
	return dec_error(d, v, "json: cannot unmarshal %s into Go struct field %s of type object",
			 node_type_name(v), what);
}

static kb_error *dec_mount(const decoder *d, const kb_node *v, kb_fn_mount *m)
{
	static const char *const names[] = { "type", "src", "dst", "rw", NULL };
	kb_error *e = dec_object(d, v, "ContainerSpec.container.mounts");
	for (size_t i = 0; !e && v->kind == KB_MAP && i < v->n; i++) {
		const kb_node *f = v->pairs[i].val;
		switch (field_index(v->pairs[i].key, names)) {
		case 0: e = dec_string(d, f, "StorageMount.container.mounts.type", &m->type); break;
		case 1: e = dec_string(d, f, "StorageMount.container.mounts.src", &m->src); break;
		case 2: e = dec_string(d, f, "StorageMount.container.mounts.dst", &m->dst); break;
		case 3: e = dec_bool(d, f, "StorageMount.container.mounts.rw", &m->rw); break;
		default:
			e = dec_error(d, f, "json: unknown field \"%s\"", v->pairs[i].key);
		}
	}
	return e;
}

static kb_error *dec_container(const decoder *d, const kb_node *v, kb_fn_spec *s)
{
	static const char *const names[] = { "image", "network", "mounts", "envs", NULL };
	kb_error *e = dec_object(d, v, "FunctionSpec.container");
	for (size_t i = 0; !e && v->kind == KB_MAP && i < v->n; i++) {
		const kb_node *f = v->pairs[i].val;
		switch (field_index(v->pairs[i].key, names)) {
		case 0: e = dec_string(d, f, "ContainerSpec.container.image", &s->image); break;
		case 1: e = dec_bool(d, f, "ContainerSpec.container.network", &s->network); break;
		case 2:
			if (f->kind == KB_NULL)
				break;
			if (f->kind != KB_SEQ) {
				e = dec_error(d, f,
					      "json: cannot unmarshal %s into Go struct field "
					      "ContainerSpec.container.mounts of type "
					      "[]runtimeutil.StorageMount",
					      node_type_name(f));
				break;
			}
			for (size_t k = 0; k < s->nmounts; k++)
				kb_fn_mount_free(&s->mounts[k]);
			free(s->mounts);
			s->mounts = kb_xcalloc(f->n ? f->n : 1, sizeof(kb_fn_mount));
			s->nmounts = f->n;
			for (size_t k = 0; !e && k < f->n; k++)
				e = dec_mount(d, f->items[k], &s->mounts[k]);
			break;
		case 3:
			if (f->kind == KB_NULL)
				break;
			if (f->kind != KB_SEQ) {
				e = dec_error(d, f,
					      "json: cannot unmarshal %s into Go struct field "
					      "ContainerSpec.container.envs of type []string",
					      node_type_name(f));
				break;
			}
			kb_strv_free(&s->envs);
			for (size_t k = 0; !e && k < f->n; k++) {
				const kb_node *x = f->items[k];
				if (x->kind == KB_NULL) {
					kb_strv_push(&s->envs, "");
				} else if (x->kind != KB_STR) {
					e = dec_error(d, x,
						      "json: cannot unmarshal %s into Go struct field "
						      "ContainerSpec.container.envs of type string",
						      node_type_name(x));
				} else {
					kb_strv_push(&s->envs, x->str);
				}
			}
			break;
		default:
			e = dec_error(d, f, "json: unknown field \"%s\"", v->pairs[i].key);
		}
	}
	return e;
}

static kb_error *dec_spec(const decoder *d, const kb_node *v, kb_fn_spec *s)
{
	static const char *const names[] = { "deferFailure", "container", "exec", NULL };
	static const char *const exec_names[] = { "path", NULL };
	if (v->kind != KB_MAP && v->kind != KB_NULL)
		return dec_error(d, v,
				 "json: cannot unmarshal %s into Go value of type "
				 "runtimeutil.FunctionSpec",
				 node_type_name(v));
	kb_error *e = NULL;
	for (size_t i = 0; !e && v->kind == KB_MAP && i < v->n; i++) {
		const kb_node *f = v->pairs[i].val;
		switch (field_index(v->pairs[i].key, names)) {
		case 0: e = dec_bool(d, f, "FunctionSpec.deferFailure", &s->defer_failure); break;
		case 1: e = dec_container(d, f, s); break;
		case 2:
			e = dec_object(d, f, "FunctionSpec.exec");
			for (size_t k = 0; !e && f->kind == KB_MAP && k < f->n; k++) {
				if (field_index(f->pairs[k].key, exec_names) == 0)
					e = dec_string(d, f->pairs[k].val, "ExecSpec.exec.path",
						       &s->exec_path);
				else
					e = dec_error(d, f->pairs[k].val, "json: unknown field \"%s\"",
						      f->pairs[k].key);
			}
			break;
		default:
			e = dec_error(d, f, "json: unknown field \"%s\"", v->pairs[i].key);
		}
	}
	return e;
}

kb_error *kb_fn_spec_get(const kb_node *doc, const char *file, kb_fn_spec **out)
{
	*out = NULL;
	const kb_node *ann = annotations_of(doc);
	static const char *const keys[] = { FUNCTION_ANNOTATION, OLD_FUNCTION_ANNOTATION };
	/* the annotation text is read by sigs.k8s.io/yaml: goyaml.v2, where
	 * yes/no/on/off are booleans */
	kb_parse_limits lim = { 0 };
	lim.yaml11_bools = true;
	for (int i = 0; i < 2; i++) {
		const kb_pair *p = ann ? kb_map_get_pair(ann, keys[i]) : NULL;
		const char *text = p && kb_node_is_scalar(p->val) && p->val->kind != KB_NULL
					   ? kb_node_text(p->val)
					   : NULL;
		if (kb_str_empty(text))
			continue;
		decoder d = { file, p->line, p->col, keys[i] };
		kb_node *v = NULL;
		kb_error *e = kb_yaml_parse_one(NULL, text, strlen(text), &lim, &v);
		if (e) {
			kb_error *w = dec_error(&d, NULL, "error converting YAML to JSON: %s",
						e->primary.msg);
			kb_error_free(e);
			return w;
		}
		kb_fn_spec *s = kb_xcalloc(1, sizeof(*s));
		e = v ? dec_spec(&d, v, s) : NULL;
		kb_node_free(v);
		if (e) {
			kb_fn_spec_free(s);
			return e;
		}
		*out = s;
		return NULL;
	}
	const kb_node *cfn = kb_node_get(doc, "metadata", "configFn", NULL);
	if (cfn && cfn->kind != KB_NULL) {
		decoder d = { file, 0, 0, "configFn" };
		kb_fn_spec *s = kb_xcalloc(1, sizeof(*s));
		kb_error *e = dec_spec(&d, cfn, s);
		if (e) {
			kb_fn_spec_free(s);
			return e;
		}
		*out = s;
		return NULL;
	}
	const char *img = ann_get(doc, CONTAINER_ANNOTATION);
	if (!kb_str_empty(img)) {
		kb_fn_spec *s = kb_xcalloc(1, sizeof(*s));
		s->image = kb_xstrdup(img);
		*out = s;
	}
	return NULL;
}

/* ---- the container's environment (runtimeutil.ContainerEnv) ---- */

typedef struct cenv {
	kb_strv keys, vals; /* EnvVars, in insertion order, unique keys */
	kb_strv exports;    /* VarsToExport, unique */
} cenv;

static void cenv_set(cenv *c, const char *k, const char *v)
{
	for (size_t i = 0; i < c->keys.n; i++)
		if (strcmp(c->keys.v[i], k) == 0) {
			free(c->vals.v[i]);
			c->vals.v[i] = kb_xstrdup(v);
			return;
		}
	kb_strv_push(&c->keys, k);
	kb_strv_push(&c->vals, v);
}

static void cenv_export(cenv *c, const char *k)
{
	if (!kb_strv_contains(&c->exports, k))
		kb_strv_push(&c->exports, k);
}

/* NewContainerEnvFromStringSlice: the two defaults, then each entry */
static void cenv_init(cenv *c, const char *const *envs, size_t n)
{
	memset(c, 0, sizeof(*c));
	cenv_set(c, "LOG_TO_STDERR", "true");
	cenv_set(c, "STRUCTURED_RESULTS", "true");
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(envs[i], '=');
		if (!eq) {
			cenv_export(c, envs[i]);
		} else {
			char *k = kb_xstrndup(envs[i], (size_t)(eq - envs[i]));
			cenv_set(c, k, eq + 1);
			free(k);
		}
	}
}

static void cenv_free(cenv *c)
{
	kb_strv_free(&c->keys);
	kb_strv_free(&c->vals);
	kb_strv_free(&c->exports);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void kb_fn_container_args(const kb_fn_spec *spec, const kb_options *opts, const char *workdir,
			  const char *uidgid, kb_strv *args)
{
	static const char *const head[] = {
		"run", "--rm", "-i", "-a", "STDIN", "-a", "STDOUT", "-a", "STDERR", "--network",
	};
	for (size_t i = 0; i < sizeof(head) / sizeof(*head); i++)
		kb_strv_push(args, head[i]);
	kb_strv_push(args, spec->network ? "host" : "none");
	kb_strv_push(args, "--user");
	kb_strv_push(args, uidgid);
	kb_strv_push(args, "--security-opt=no-new-privileges");
	/* declarative mounts, then --mount flags */
	size_t nflag = opts->fn_mounts ? opts->fn_mounts_n : 0;
	for (size_t i = 0; i < spec->nmounts + nflag; i++) {
		kb_fn_mount parsed;
		const kb_fn_mount *m;
		if (i < spec->nmounts) {
			m = &spec->mounts[i];
		} else {
			kb_fn_mount_parse(opts->fn_mounts[i - spec->nmounts], &parsed);
			m = &parsed;
		}
		const char *src = m->src ? m->src : "";
		char *abs = src[0] == '/' ? kb_xstrdup(src) : go_path_join3(workdir, src, NULL);
		kb_strv_push(args, "--mount");
		kb_strv_push_owned(args, kb_xasprintf("type=%s,source=%s,target=%s%s",
						      m->type ? m->type : "", abs,
						      m->dst ? m->dst : "", m->rw ? "" : ",readonly"));
		free(abs);
		if (i >= spec->nmounts)
			kb_fn_mount_free(&parsed);
	}
	/* runfn's mergeContainerEnv: the flags' values over the spec's */
	cenv decl, imp;
	cenv_init(&decl, (const char *const *)spec->envs.v, spec->envs.n);
	cenv_init(&imp, opts->fn_env, opts->fn_env ? opts->fn_env_n : 0);
	for (size_t i = 0; i < imp.keys.n; i++)
		cenv_set(&decl, imp.keys.v[i], imp.vals.v[i]);
	for (size_t i = 0; i < imp.exports.n; i++)
		cenv_export(&decl, imp.exports.v[i]);
	char **sorted = kb_xmalloc((decl.keys.n ? decl.keys.n : 1) * sizeof(char *));
	for (size_t i = 0; i < decl.keys.n; i++)
		sorted[i] = decl.keys.v[i];
	qsort(sorted, decl.keys.n, sizeof(char *), cmp_strp);
	for (size_t i = 0; i < decl.keys.n; i++) {
		size_t k = 0;
		while (strcmp(decl.keys.v[k], sorted[i]) != 0)
			k++;
		kb_strv_push(args, "-e");
		kb_strv_push_owned(args, kb_xasprintf("%s=%s", decl.keys.v[k], decl.vals.v[k]));
	}
	for (size_t i = 0; i < decl.exports.n; i++) {
		kb_strv_push(args, "-e");
		kb_strv_push(args, decl.exports.v[i]);
	}
	free(sorted);
	cenv_free(&decl);
	cenv_free(&imp);
	kb_strv_push(args, spec->image);
}

char *kb_fn_container_runtime(const kb_options *opts)
{
	if (!kb_str_empty(opts->fn_container_runtime))
		return kb_xstrdup(opts->fn_container_runtime);
	static const char *const names[] = { "docker", "podman" };
	for (int i = 0; i < 2; i++)
		if (kb_proc_find_in_path(names[i], NULL))
			return kb_xstrdup(names[i]);
	return NULL;
}

/* ---- reading what the function printed (kio.ByteReader) ---- */

typedef struct fn_output {
	kb_node **nodes;
	size_t n, cap;
	kb_node *results; /* ResourceList.results, or NULL */
} fn_output;

static void out_push(fn_output *o, kb_node *n)
{
	kb_grow((void **)&o->nodes, &o->cap, o->n + 1, sizeof(kb_node *));
	o->nodes[o->n++] = n;
}

static void out_free(fn_output *o)
{
	for (size_t i = 0; i < o->n; i++)
		kb_node_free(o->nodes[i]);
	free(o->nodes);
	kb_node_free(o->results);
	memset(o, 0, sizeof(*o));
}

static unsigned count_lines(const char *s, size_t n)
{
	unsigned k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* Sets the index annotations as the reader does (after copying legacy
 * ones over). */
static void set_reader_index(kb_node *doc, size_t index)
{
	if (doc->kind != KB_MAP)
		return;
	copy_legacy_annotations(doc);
	char buf[32];
	snprintf(buf, sizeof(buf), "%zu", index);
	ann_set(doc, A_LEGACY_INDEX, buf);
	ann_set(doc, A_INDEX, buf);
}

static kb_error *read_output(const char *text, size_t len, const kb_parse_limits *lim,
			     const char *display, fn_output *o)
{
	memset(o, 0, sizeof(*o));
	/* \r\n becomes \n, then documents are split on `\n---.*\n` */
	kb_buf norm = KB_BUF_INIT;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;
		kb_buf_putc(&norm, text[i]);
	}
	kb_buf_append(&norm, "", 0);
	const char *s = norm.data ? norm.data : "";
	size_t n = norm.len;
	typedef struct span {
		size_t from, to; /* chunk text */
	} span;
	span *chunks = NULL;
	size_t nchunks = 0, cap = 0, prev = 0;
	kb_error *e = NULL;
	if (n > 0) {
		size_t i = 0;
		while (i < n) {
			const char *hit = strstr(s + i, "\n---");
			if (!hit)
				break;
			size_t at = (size_t)(hit - s);
			const char *eol = strchr(s + at + 1, '\n');
			if (!eol)
				break; /* the regexp needs the line's newline */
			/* anything but a comment after the separator is refused */
			const char *rest = s + at + 4;
			while (rest < eol && (*rest == ' ' || *rest == '\t' || *rest == '\r' ||
					      *rest == '\f' || *rest == '\v'))
				rest++;
			if (rest < eol && *rest != '#') {
				const char *end = eol;
				while (end > s + at + 1 && (end[-1] == ' ' || end[-1] == '\t'))
					end--;
				e = kb_error_new(display, count_lines(s, at + 1) + 1, 1,
						 "invalid document separator: %.*s",
						 (int)(end - (s + at + 1)), s + at + 1);
				break;
			}
			kb_grow((void **)&chunks, &cap, nchunks + 1, sizeof(span));
			chunks[nchunks++] = (span){ prev, at };
			prev = (size_t)(eol - s) + 1;
			i = prev;
		}
		if (!e) {
			kb_grow((void **)&chunks, &cap, nchunks + 1, sizeof(span));
			chunks[nchunks++] = (span){ prev, n };
		}
	}
	size_t index = 0;
	for (size_t c = 0; !e && c < nchunks; c++) {
		/* each chunk but the last gets back the newline the split ate */
		kb_buf chunk = KB_BUF_INIT;
		kb_buf_append(&chunk, s + chunks[c].from, chunks[c].to - chunks[c].from);
		if (c + 1 < nchunks)
			kb_buf_putc(&chunk, '\n');
		kb_node **docs = NULL;
		size_t nd = 0;
		e = kb_yaml_parse(display, chunk.data ? chunk.data : "", chunk.len, lim, &docs, &nd);
		kb_buf_free(&chunk);
		if (e) {
			unsigned off = count_lines(s, chunks[c].from);
			if (e->primary.line)
				e->primary.line += off;
			break;
		}
		/* the decoder reads one document per chunk */
		kb_node *doc = nd > 0 ? docs[0] : NULL;
		for (size_t k = 1; k < nd; k++)
			kb_node_free(docs[k]);
		free(docs);
		if (!doc || doc->kind == KB_NULL) {
			kb_node_free(doc);
			continue;
		}
		const char *kind = doc->kind == KB_MAP ? kb_map_get_str(doc, "kind") : NULL;
		bool wrapped = nchunks == 1 &&
			       (kb_streq(kind, "ResourceList") || kb_streq(kind, "List")) &&
			       (kb_map_get_pair(doc, "items") || kb_map_get_pair(doc, "functionConfig"));
		if (wrapped) {
			kb_node *res = kb_map_take(doc, "results");
			if (res) {
				kb_node_free(o->results);
				o->results = res;
			}
			kb_node *items = kb_map_get(doc, "items");
			if (items && items->kind == KB_SEQ) {
				for (size_t k = 0; k < items->n; k++) {
					out_push(o, items->items[k]);
					items->items[k] = kb_node_new(KB_NULL);
				}
			} else if (items && items->kind != KB_NULL) {
				e = kb_error_new(display, items->line, items->col,
						 "the items of a %s must be a list", kind);
			}
			kb_node_free(doc);
			continue;
		}
		set_reader_index(doc, index++);
		out_push(o, doc);
	}
	free(chunks);
	kb_buf_free(&norm);
	if (e)
		out_free(o);
	return e;
}

/* ---- results ---- */

/* "[severity] message (in Kind/name field path)" lines of the results
 * whose severity is error, or of all of them when all is set. */
static void describe_results(const kb_node *results, bool all, kb_buf *b, size_t *count)
{
	*count = 0;
	for (size_t i = 0; results && results->kind == KB_SEQ && i < results->n; i++) {
		const kb_node *r = results->items[i];
		if (r->kind != KB_MAP)
			continue;
		const char *sev = kb_map_get_str(r, "severity");
		if (!all && !kb_streq(sev, "error"))
			continue;
		const char *msg = kb_map_get_str(r, "message");
		kb_buf_printf(b, "\n    [%s] %s", kb_str_empty(sev) ? "info" : sev,
			      msg ? msg : "");
		const kb_node *ref = kb_map_get(r, "resourceRef");
		const char *rk = kb_map_get_str(ref, "kind");
		const char *rn = kb_map_get_str(ref, "name");
		const char *fp = kb_node_get_str(r, "field", "path", NULL);
		const char *file = kb_node_get_str(r, "file", "path", NULL);
		if (rk || rn || fp || file) {
			kb_buf_puts(b, " (");
			const char *sep = "";
			if (rk || rn) {
				kb_buf_printf(b, "%s/%s", rk ? rk : "", rn ? rn : "");
				sep = " ";
			}
			if (fp) {
				kb_buf_printf(b, "%sfield %s", sep, fp);
				sep = " ";
			}
			if (file)
				kb_buf_printf(b, "%sfile %s", sep, file);
			kb_buf_putc(b, ')');
		}
		(*count)++;
	}
}

/* stderr as indented lines, without its last newline */
static void describe_stderr(const kb_proc_result *pr, kb_buf *b)
{
	const char *s = pr->err.data ? pr->err.data : "";
	size_t n = pr->err.len;
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (!n)
		return;
	kb_buf_puts(b, "\n  stderr:");
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t k = nl ? (size_t)(nl - (s + i)) : n - i;
		kb_buf_printf(b, "\n    %.*s", (int)k, s + i);
		i += k + 1;
	}
	if (pr->err_truncated)
		kb_buf_puts(b, "\n    ...");
}

/* ---- running it ---- */

typedef struct runner {
	const kb_fn_call *call;
	bool container;
	char *runtime;    /* container runtime, or NULL */
	kb_strv argv;     /* with argv[0] */
	char *what;       /* "exec ./fn.sh" / "container image X", for messages */
} runner;

static void runner_free(runner *r)
{
	free(r->runtime);
	kb_strv_free(&r->argv);
	free(r->what);
}

/* runfn's ffp: which filter, if any.  *r->what stays NULL when the
 * function is not run at all. */
static kb_error *make_runner(const kb_fn_call *c, runner *r)
{
	memset(r, 0, sizeof(*r));
	r->call = c;
	const kb_fn_spec *s = c->spec;
	if (!kb_str_empty(s->image)) {
		r->container = true;
		r->what = kb_xasprintf("container image %s", s->image);
		/* a missing runtime is reported when the function runs, after
		 * the working directory checks (kustomize's order) */
		r->runtime = kb_fn_container_runtime(c->opts);
		char uidgid[64];
		if (c->opts->fn_as_current_user)
			snprintf(uidgid, sizeof(uidgid), "%u:%u", (unsigned)getuid(),
				 (unsigned)getgid());
		else
			snprintf(uidgid, sizeof(uidgid), "nobody");
		kb_strv_push(&r->argv, r->runtime ? r->runtime : "docker");
		kb_fn_container_args(s, c->opts, c->workdir, uidgid, &r->argv);
		return NULL;
	}
	if (!kb_str_empty(s->exec_path) && c->opts->enable_exec) {
		r->what = kb_xasprintf("exec %s", s->exec_path);
		kb_strv_push(&r->argv, s->exec_path);
	}
	return NULL;
}

static kb_error *run_it(const runner *r, const char *input, size_t len, kb_proc_result *pr)
{
	const kb_fn_call *c = r->call;
	/* exec.Filter.Run's checks, which container functions go through too */
	const char *wd = c->workdir;
	if (kb_str_empty(wd))
		return kb_error_new(c->file, c->line, c->col,
				    "couldn't execute function %s: no working directory set for exec "
				    "function",
				    c->name);
	if (wd[0] != '/')
		return kb_error_new(c->file, c->line, c->col,
				    "couldn't execute function %s: relative working directory %s not "
				    "allowed",
				    c->name, wd);
	if (strcmp(wd, "/") == 0)
		return kb_error_new(c->file, c->line, c->col,
				    "couldn't execute function %s: root working directory '/' not "
				    "allowed",
				    c->name);
	if (r->container && !r->runtime)
		return kb_error_new(c->file, c->line, c->col,
				    "function %s runs in a container (image %s), which needs docker "
				    "or podman: neither is on PATH (install one, or name the runtime "
				    "with --container-runtime)",
				    c->name, c->spec->image);
	char **argv = kb_xcalloc(r->argv.n + 1, sizeof(char *));
	for (size_t i = 0; i < r->argv.n; i++)
		argv[i] = r->argv.v[i];
	kb_proc_spec ps = { 0 };
	ps.argv = argv;
	ps.cwd = wd;
	ps.input = input;
	ps.input_len = len;
	ps.timeout_ms = kb_fn_timeout_ms(c->opts);
	ps.max_out = kb_fn_max_output(c->opts);
	/* a program named without a '/' is looked up in PATH (Go's
	 * exec.Command); docker and podman always are */
	ps.flags = KB_PROC_SEARCH_PATH;
	kb_error *e = NULL;
	if (kb_proc_run(&ps, pr) != 0)
		e = kb_error_new(c->file, c->line, c->col, "couldn't execute function %s: %s",
				 c->name, strerror(errno));
	free(argv);
	return e;
}

/* The error for a run that failed: how it ended, the error results, and
 * stderr. */
static kb_error *run_failure(const runner *r, const kb_proc_result *pr, const kb_node *results,
			     const char *extra)
{
	const kb_fn_call *c = r->call;
	kb_buf why = KB_BUF_INIT;
	char **argv = kb_xcalloc(r->argv.n + 1, sizeof(char *));
	for (size_t i = 0; i < r->argv.n; i++)
		argv[i] = r->argv.v[i];
	kb_proc_spec ps = { 0 };
	ps.argv = argv;
	ps.flags = KB_PROC_SEARCH_PATH;
	if (pr->timed_out) {
		long ms = (long)kb_fn_timeout_ms(c->opts);
		kb_buf_printf(&why, "timed out after %ld.%03lds (raise the limit with "
				    "--function-timeout)",
			      ms / 1000, ms % 1000);
	} else if (pr->out_overflow) {
		kb_buf_printf(&why, "printed more than %zu bytes on stdout (the limit)",
			      kb_fn_max_output(c->opts));
	} else {
		char *d = kb_proc_describe(&ps, pr);
		kb_buf_puts(&why, d ? d : "failed");
		free(d);
		if (pr->spawn_errno == ENOENT && r->container)
			kb_buf_printf(&why, " (the container runtime '%s' was not found)",
				      r->runtime);
		else if (pr->spawn_errno == ENOENT)
			kb_buf_printf(&why, " (exec paths are relative to %s)", c->workdir);
	}
	free(argv);
	if (extra)
		kb_buf_puts(&why, extra);
	size_t nres;
	kb_buf rb = KB_BUF_INIT;
	describe_results(results, false, &rb, &nres);
	if (nres)
		kb_buf_printf(&why, "\n  results:%s", rb.data);
	kb_buf_free(&rb);
	describe_stderr(pr, &why);
	kb_error *e = kb_error_new(c->file, c->line, c->col, "couldn't execute function %s (%s): %s",
				   c->name, r->what, why.data ? why.data : "");
	kb_buf_free(&why);
	return e;
}

/* runtimeutil.FunctionFilter.getFunctionScope */
static char *function_scope(const kb_node *fn_config)
{
	const char *p = ann_get(fn_config, A_PATH);
	if (!p)
		p = ann_get(fn_config, A_LEGACY_PATH);
	if (!p)
		return NULL;
	char *dir = go_path_dir(p);
	if (strcmp(go_path_base(dir), "functions") == 0) {
		char *up = go_path_dir(dir);
		free(dir);
		dir = up;
	}
	return dir;
}

/* FunctionFilter.scope: *in are the nodes given to the function. */
static void scope_nodes(const char *dir, bool global, kb_node **nodes, size_t n, kb_node ***in,
			size_t *nin, kb_node ***saved, size_t *nsaved)
{
	*in = kb_xcalloc(n ? n : 1, sizeof(kb_node *));
	*saved = kb_xcalloc(n ? n : 1, sizeof(kb_node *));
	*nin = *nsaved = 0;
	for (size_t i = 0; i < n; i++) {
		bool take = global || !dir || strcmp(dir, "") == 0 || strcmp(dir, ".") == 0;
		if (!take) {
			const char *p = ann_get(nodes[i], A_PATH);
			if (!p)
				p = ann_get(nodes[i], A_LEGACY_PATH);
			if (p) {
				char *rd = go_path_dir(p);
				if (strcmp(go_path_base(rd), "functions") == 0) {
					char *up = go_path_dir(rd);
					free(rd);
					rd = up;
				}
				take = kb_str_has_prefix(rd, dir);
				free(rd);
			}
		}
		if (take)
			(*in)[(*nin)++] = nodes[i];
		else
			(*saved)[(*nsaved)++] = nodes[i];
	}
}

/* kioutil.DefaultPathAnnotation */
static void default_path_annotation(const char *dir, kb_node *doc)
{
	if (doc->kind != KB_MAP)
		return;
	copy_legacy_annotations(doc);
	kb_node *a = annotations_of(doc);
	if (a && kb_map_get(a, A_PATH))
		return;
	const char *kind = kb_map_get_str(doc, "kind");
	const char *name = kb_node_get_str(doc, "metadata", "name", NULL);
	const char *ns = kb_node_get_str(doc, "metadata", "namespace", NULL);
	char *lower = kb_xstrdup(kind ? kind : "");
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	char *file = kb_xasprintf("%s_%s.yaml", lower, name ? name : "");
	char *path = go_path_join3(dir, ns, file);
	ann_set(doc, A_PATH, path);
	ann_set(doc, A_LEGACY_PATH, path);
	free(path);
	free(file);
	free(lower);
}

/* The internal annotations of a node (GetInternalAnnotations) as a map
 * node (owned). */
static kb_node *internal_annotations(const kb_node *doc)
{
	kb_node *m = kb_node_new(KB_MAP);
	kb_node *a = annotations_of(doc);
	for (size_t i = 0; a && i < a->n; i++) {
		const char *k = a->pairs[i].key;
		if (kb_str_has_prefix(k, INTERNAL_PREFIX) || strcmp(k, A_LEGACY_PATH) == 0 ||
		    strcmp(k, A_LEGACY_INDEX) == 0 || strcmp(k, A_LEGACY_ID) == 0)
			kb_map_set(m, k, kb_node_clone(a->pairs[i].val));
	}
	return m;
}

static const char *map_text(const kb_node *m, const char *k)
{
	const kb_node *v = kb_map_get(m, k);
	return v && kb_node_is_scalar(v) ? (v->kind == KB_NULL ? "" : kb_node_text(v)) : NULL;
}

static kb_error *check_mismatched(const kb_fn_call *c, const kb_node *doc)
{
	static const char *const what[3] = { "path", "index", "id" };
	static const char *const keys[3][2] = {
		{ A_PATH, A_LEGACY_PATH }, { A_INDEX, A_LEGACY_INDEX }, { A_ID, A_LEGACY_ID },
	};
	for (int i = 0; i < 3; i++) {
		const char *a = ann_get(doc, keys[i][0]), *b = ann_get(doc, keys[i][1]);
		if (!kb_str_empty(a) && !kb_str_empty(b) && strcmp(a, b) != 0)
			return kb_error_new(c->file, c->line, c->col,
					    "function %s: resource input to function has mismatched "
					    "legacy and internal %s annotations",
					    c->name, what[i]);
	}
	return NULL;
}

/* kio.ReconcileInternalAnnotations for one output node; orig maps the
 * migration ids to the inputs' internal annotations. */
static kb_error *reconcile(const kb_fn_call *c, kb_node *doc, const kb_node *orig)
{
	if (doc->kind != KB_MAP)
		return NULL;
	/* missingInternalOrLegacyAnnotations */
	static const char *const pairs[3][2] = {
		{ A_PATH, A_LEGACY_PATH }, { A_INDEX, A_LEGACY_INDEX }, { A_ID, A_LEGACY_ID },
	};
	for (int i = 0; i < 3; i++) {
		const char *v = ann_get(doc, pairs[i][0]), *l = ann_get(doc, pairs[i][1]);
		if (kb_str_empty(v) && kb_str_empty(l))
			continue;
		char *copy = kb_xstrdup(kb_str_empty(v) ? l : v);
		if (kb_str_empty(v))
			ann_set(doc, pairs[i][0], copy);
		else if (kb_str_empty(l))
			ann_set(doc, pairs[i][1], copy);
		free(copy);
	}
	/* checkAnnotationsAltered: a change to one form is copied to the
	 * other */
	const char *rid = ann_get(doc, A_MIGRATION);
	const kb_node *oa = rid ? kb_map_get(orig, rid) : NULL;
	for (int i = 0; oa && i < 2; i++) {
		const char *o = map_text(oa, pairs[i][0]);
		if (!o)
			o = map_text(oa, pairs[i][1]);
		if (kb_str_empty(o))
			continue;
		char *in = kb_xstrdup(ann_get(doc, pairs[i][0]) ? ann_get(doc, pairs[i][0]) : "");
		char *lg = kb_xstrdup(ann_get(doc, pairs[i][1]) ? ann_get(doc, pairs[i][1]) : "");
		kb_error *e = NULL;
		if (strcmp(o, in) && strcmp(o, lg) && strcmp(in, lg))
			e = kb_error_new(c->file, c->line, c->col,
					 "function %s: resource input to function has mismatched legacy "
					 "and internal %s annotations",
					 c->name, i == 0 ? "path" : "index");
		else if (strcmp(o, in))
			ann_set(doc, pairs[i][1], in);
		else if (strcmp(o, lg))
			ann_set(doc, pairs[i][0], lg);
		free(in);
		free(lg);
		if (e)
			return e;
	}
	kb_error *e = check_mismatched(c, doc);
	ann_del(doc, A_MIGRATION);
	return e;
}

static void free_nodes(kb_node **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kb_node_free(v[i]);
	free(v);
}

kb_error *kb_fn_execute(const kb_fn_call *c, kb_node **items, size_t nitems, kb_node ***out,
			size_t *nout)
{
	*out = NULL;
	*nout = 0;
	kb_error *e = NULL;
	/* runfn reads its input with the reader's index annotations */
	for (size_t i = 0; i < nitems; i++)
		set_reader_index(items[i], i);

	/* getFunctionFilters */
	if (c->spec->network && !c->opts->fn_network) {
		free_nodes(items, nitems);
		return kb_error_new(c->file, c->line, c->col,
				    "function %s: network required but not enabled with --network",
				    c->name);
	}
	runner r;
	if ((e = make_runner(c, &r))) {
		runner_free(&r);
		free_nodes(items, nitems);
		return e;
	}
	kb_node **result = items;
	size_t nresult = nitems;
	kb_node *results = NULL;
	if (!r.what) {
		/* no filter: the pipeline copies its input to its output */
		if (!kb_str_empty(c->spec->exec_path))
			kb_warn(c->warnings, c->file, c->line, c->col,
				"exec function %s (%s) was not run: exec functions run only with "
				"--enable-exec (kustomize skips it without a word)",
				c->name, c->spec->exec_path);
	} else {
		/* PreprocessResourcesForInternalAnnotationMigration */
		kb_node *orig = kb_node_new(KB_MAP);
		for (size_t i = 0; i < nitems && !e; i++) {
			char id[32];
			snprintf(id, sizeof(id), "%zu", i);
			ann_set(items[i], A_MIGRATION, id);
			kb_map_set(orig, id, internal_annotations(items[i]));
			copy_legacy_annotations(items[i]);
			e = check_mismatched(c, items[i]);
		}
		/* FunctionFilter.Filter: scope, ids, the ResourceList */
		/* container functions are global (runfn sets GlobalScope on them);
		 * the scope directory still prefixes default paths */
		char *dir = function_scope(c->fn_config);
		kb_node **in = NULL, **saved = NULL;
		size_t nin = 0, nsaved = 0;
		scope_nodes(dir, r.container, items, nitems, &in, &nin, &saved, &nsaved);
		free(items);
		items = NULL;
		result = NULL;
		nresult = 0;
		kb_node *ids = kb_node_new(KB_MAP);
		for (size_t i = 0; i < nin; i++) {
			char id[32];
			snprintf(id, sizeof(id), "%zu", i + 1);
			ann_set(in[i], A_ID, id);
			ann_set(in[i], A_LEGACY_ID, id);
			kb_map_set(ids, id, kb_node_new(KB_NULL));
		}
		kb_buf input = KB_BUF_INIT;
		if (!e) {
			kb_node *rl = kb_node_new(KB_MAP);
			kb_map_set(rl, "apiVersion", kb_node_new_str("config.kubernetes.io/v1"));
			kb_map_set(rl, "kind", kb_node_new_str("ResourceList"));
			kb_node *seq = kb_map_set(rl, "items", kb_node_new(KB_SEQ));
			for (size_t i = 0; i < nin; i++) {
				kb_node *copy = kb_node_clone(in[i]);
				clear_empty_annotations(copy);
				kb_seq_push(seq, copy);
			}
			if (c->fn_config)
				kb_map_set(rl, "functionConfig", kb_node_clone(c->fn_config));
			e = kb_emit_doc(&input, rl);
			kb_node_free(rl);
			if (e)
				e = kb_error_note(e, c->file, c->line, c->col,
						  "writing the ResourceList for function %s", c->name);
		}
		kb_proc_result pr;
		memset(&pr, 0, sizeof(pr));
		bool ran = false;
		if (!e && !(e = run_it(&r, input.data ? input.data : "", input.len, &pr)))
			ran = true;
		kb_buf_free(&input);
		bool failed = ran && (pr.spawn_errno || pr.timed_out || pr.out_overflow ||
				      !pr.exited || pr.exit_code != 0);
		fn_output fo;
		memset(&fo, 0, sizeof(fo));
		if (ran && !(pr.spawn_errno || pr.timed_out || pr.out_overflow)) {
			char *display = kb_xasprintf("stdout of function %s", c->name);
			kb_error *re = read_output(pr.out.data ? pr.out.data : "", pr.out.len, c->lim,
						   display, &fo);
			free(display);
			if (re) {
				/* kyaml reports the unreadable output before the exit */
				char *extra = NULL;
				if (failed) {
					char *d = kb_proc_describe(&(kb_proc_spec){ .argv = r.argv.v, .flags = KB_PROC_SEARCH_PATH }, &pr);
					extra = kb_xasprintf(" (and the function ended with %s)", d ? d : "an error");
					free(d);
				}
				kb_buf msg = KB_BUF_INIT;
				kb_buf_printf(&msg, "function %s printed output that is not YAML%s",
					      c->name, extra ? extra : "");
				describe_stderr(&pr, &msg);
				e = kb_error_note(re, c->file, c->line, c->col, "%s", msg.data);
				kb_buf_free(&msg);
				free(extra);
			}
		} else if (ran) {
			failed = true;
		}
		if (!e && ran) {
			/* copyCommentsAndSyncOrder: matched outputs lose their ids */
			for (size_t i = 0; i < fo.n; i++) {
				const char *id = ann_get(fo.nodes[i], A_ID);
				if (!id)
					id = ann_get(fo.nodes[i], A_LEGACY_ID);
				if (id && kb_map_get_pair(ids, id)) {
					ann_del(fo.nodes[i], A_ID);
					ann_del(fo.nodes[i], A_LEGACY_ID);
				}
			}
			results = fo.results;
			fo.results = NULL;
			if (failed) {
				e = run_failure(&r, &pr, results, NULL);
				if (c->spec->defer_failure)
					e = kb_error_note(e, c->file, c->line, c->col,
							  "the function has deferFailure: true; its "
							  "failure is reported once the pipeline ends");
			}
		}
		if (!e && ran) {
			/* stderr of a function that worked reaches the user, as
			 * kustomize lets it through to the terminal */
			kb_buf msg = KB_BUF_INIT;
			describe_stderr(&pr, &msg);
			if (msg.len)
				kb_warn(c->warnings, c->file, c->line, c->col, "function %s wrote:%s",
					c->name, msg.data + strlen("\n  stderr:"));
			kb_buf_free(&msg);
			size_t nerr;
			kb_buf rb = KB_BUF_INIT;
			describe_results(results, false, &rb, &nerr);
			if (nerr)
				kb_warn(c->warnings, c->file, c->line, c->col,
					"function %s reported %zu error result%s but exited 0, so "
					"kustomize ignores them:%s",
					c->name, nerr, nerr == 1 ? "" : "s", rb.data);
			kb_buf_free(&rb);
			for (size_t i = 0; i < fo.n; i++)
				default_path_annotation(dir ? dir : "", fo.nodes[i]);
			/* output, then the out-of-scope nodes */
			result = kb_xcalloc(fo.n + nsaved + 1, sizeof(kb_node *));
			nresult = 0;
			for (size_t i = 0; i < fo.n; i++)
				result[nresult++] = fo.nodes[i];
			for (size_t i = 0; i < nsaved; i++)
				result[nresult++] = saved[i];
			free(fo.nodes);
			fo.nodes = NULL;
			fo.n = 0;
			nsaved = 0;
			for (size_t i = 0; !e && i < nresult; i++)
				e = reconcile(c, result[i], orig);
		} else if (!e) {
			result = NULL;
			nresult = 0;
		}
		if (e) {
			free_nodes(result, nresult);
			result = NULL;
			nresult = 0;
		}
		out_free(&fo);
		free_nodes(in, nin);
		free_nodes(saved, nsaved);
		kb_node_free(ids);
		kb_node_free(orig);
		free(dir);
		kb_proc_result_free(&pr);
	}
	kb_node_free(results);
	runner_free(&r);
	if (e) {
		free_nodes(result, nresult);
		return e;
	}
	/* the writer: reader annotations cleared, empty annotations dropped */
	for (size_t i = 0; i < nresult; i++) {
		ann_del(result[i], A_INDEX);
		ann_del(result[i], A_LEGACY_INDEX);
		ann_del(result[i], A_SEQINDENT);
		clear_empty_annotations(result[i]);
	}
	*out = result;
	*nout = nresult;
	return NULL;
}
