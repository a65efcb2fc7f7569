/*
 * helm.c - helmCharts through the helm binary; see helm.h for what
 * kustomize v5.5.0 does and in which order.
 */
#define _GNU_SOURCE
#include "helm.h"
#include "emit.h"
#include "parse.h"
#include "patch_smp.h"
#include "util.h"
#include "suggest.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* types.HelmDefaultHome */
#define HELM_DEFAULT_HOME "charts"

/* ---- fields ---- */

static const char *const chart_fields[] = {
	"name",	       "version",     "repo",	       "releaseName", "namespace",
	"additionalValuesFiles",      "valuesFile",    "valuesInline", "valuesMerge",
	"includeCRDs", "skipHooks",   "apiVersions",   "kubeVersion", "nameTemplate",
	"skipTests",   "debug",	      NULL,
};
static const char *const global_fields[] = { "chartHome", "configHome", NULL };
static const char *const legacy_fields[] = {
	"chartName",   "chartVersion", "chartRepoUrl", "chartHome",	   "chartRepoName",
	"helmBin",     "helmHome",     "values",       "valuesLocal",	   "valuesMerge",
	"releaseName", "releaseNamespace",	       "extraArgs",	   NULL,
};

/* Go's JSON decoder matches field names case-insensitively. */
static const kb_node *field(const kb_node *map, const char *key)
{
	if (!map || map->kind != KB_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcasecmp(map->pairs[i].key, key) == 0)
			return map->pairs[i].val;
	return NULL;
}

/* A string field; "" when absent or null.  Go would refuse a number for a
 * string field; taking its text is kinder and changes no valid input. */
static kb_error *str_field(const kb_node *map, const char *key, const char *file,
			   const char **out)
{
	const kb_node *v = field(map, key);
	*out = "";
	if (!v || v->kind == KB_NULL)
		return NULL;
	if (!kb_node_is_scalar(v))
		return kb_error_new(file, v->line, v->col, "helm chart field '%s' must be a string",
				    key);
	*out = v->kind == KB_STR ? v->str : kb_node_text(v);
	return NULL;
}

static kb_error *bool_field(const kb_node *map, const char *key, const char *file, bool *out)
{
	const kb_node *v = field(map, key);
	*out = false;
	if (!v || v->kind == KB_NULL)
		return NULL;
	if (v->kind != KB_BOOL)
		return kb_error_new(file, v->line, v->col,
				    "helm chart field '%s' must be true or false", key);
	*out = strcmp(v->str, "true") == 0;
	return NULL;
}

/* A list-of-strings field; NULL when absent or null. */
static kb_error *list_field(const kb_node *map, const char *key, const char *file,
			    const kb_node **out)
{
	const kb_node *v = field(map, key);
	*out = NULL;
	if (!v || v->kind == KB_NULL)
		return NULL;
	bool ok = v->kind == KB_SEQ;
	for (size_t i = 0; ok && i < v->n; i++)
		ok = kb_node_is_scalar(v->items[i]);
	if (!ok)
		return kb_error_new(file, v->line, v->col,
				    "helm chart field '%s' must be a list of strings", key);
	*out = v;
	return NULL;
}

/* Strict decoding of one kustomization entry: every key must be one of
 * names (in any case); keys are rewritten to the canonical spelling. */
static kb_error *canon_strict(kb_node *map, const char *const *names, const char *const *names2,
			      const char *what, const char *file)
{
	if (map->kind != KB_MAP)
		return kb_error_new(file, map->line, map->col, "%s entries must be mappings", what);
	for (size_t i = 0; i < map->n; i++) {
		kb_pair *p = &map->pairs[i];
		const char *canon = NULL;
		for (const char *const *n = names; !canon && *n; n++)
			if (strcasecmp(p->key, *n) == 0)
				canon = *n;
		for (const char *const *n = names2; !canon && n && *n; n++)
			if (strcasecmp(p->key, *n) == 0)
				canon = *n;
		if (!canon) {
			kb_suggest sg;
			kb_suggest_init(&sg, p->key);
			for (const char *const *n = names; *n; n++)
				kb_suggest_try(&sg, *n);
			for (const char *const *n = names2; n && *n; n++)
				kb_suggest_try(&sg, *n);
			char *hint = kb_suggest_hint(&sg);
			kb_error *e = kb_error_new(file, p->line, p->col,
						   "invalid Kustomization: json: unknown field \"%s\" "
						   "in %s%s",
						   p->key, what, hint);
			free(hint);
			return e;
		}
		if (strcmp(canon, p->key) != 0)
			kb_map_rename(map, p, canon, strlen(canon));
	}
	return NULL;
}

static void set_copy(kb_node *dst, const char *key, const kb_node *src, const char *srckey)
{
	const kb_node *v = kb_map_get(src, srckey);
	if (v)
		kb_map_set(dst, key, kb_node_clone(v));
}

static bool nonempty_str(const kb_node *map, const char *key)
{
	const kb_node *v = kb_map_get(map, key);
	return v && kb_node_is_scalar(v) && v->kind != KB_NULL && v->len > 0;
}

kb_error *kb_helm_charts(const kb_kust *k, kb_node **charts, kb_node **globals)
{
	*charts = kb_node_new(KB_SEQ);
	*globals = NULL;
	kb_error *e = NULL;
	const kb_node *hc = kb_map_get(k->doc, "helmCharts");
	for (size_t i = 0; hc && hc->kind == KB_SEQ && i < hc->n && !e; i++) {
		kb_node *c = kb_seq_push(*charts, kb_node_clone(hc->items[i]));
		e = canon_strict(c, chart_fields, NULL, "helmCharts", k->display);
	}
	const kb_node *hg = kb_map_get(k->doc, "helmGlobals");
	if (!e && hg && hg->kind == KB_MAP) {
		*globals = kb_node_clone(hg);
		e = canon_strict(*globals, global_fields, NULL, "helmGlobals", k->display);
	}
	/* SplitHelmParameters / makeHelmChartFromHca: only these fields
	 * survive the conversion (releaseNamespace, extraArgs, helmBin and
	 * chartRepoName are dropped by kustomize too). */
	const kb_node *old = kb_map_get(k->doc, "helmChartInflationGenerator");
	kb_node *legacy_globals = kb_node_new(KB_MAP);
	for (size_t i = 0; old && old->kind == KB_SEQ && i < old->n && !e; i++) {
		kb_node *o = kb_node_clone(old->items[i]);
		e = canon_strict(o, legacy_fields, NULL, "helmChartInflationGenerator", k->display);
		if (!e) {
			kb_node *c = kb_node_new(KB_MAP);
			c->line = o->line;
			c->col = o->col;
			set_copy(c, "name", o, "chartName");
			set_copy(c, "version", o, "chartVersion");
			set_copy(c, "repo", o, "chartRepoUrl");
			set_copy(c, "valuesFile", o, "values");
			set_copy(c, "valuesInline", o, "valuesLocal");
			set_copy(c, "valuesMerge", o, "valuesMerge");
			set_copy(c, "releaseName", o, "releaseName");
			kb_seq_push(*charts, c);
			/* last non-empty wins */
			if (nonempty_str(o, "helmHome"))
				set_copy(legacy_globals, "configHome", o, "helmHome");
			if (nonempty_str(o, "chartHome"))
				set_copy(legacy_globals, "chartHome", o, "chartHome");
		}
		kb_node_free(o);
	}
	if (!*globals) {
		*globals = legacy_globals;
		legacy_globals = NULL;
	}
	kb_node_free(legacy_globals);
	if (e) {
		kb_node_free(*charts);
		kb_node_free(*globals);
		*charts = *globals = NULL;
	}
	return e;
}

/* ---- paths and temp dirs ---- */

/* Go's filepath.Join: a and b joined by '/', then Clean'd (so an
 * absolute b is NOT taken as is, and "." / ".." are folded). */
static char *go_join(const char *a, const char *b)
{
	char *s = kb_xasprintf("%s/%s", a, b);
	bool rooted = s[0] == '/';
	kb_strv parts = { 0 };
	for (char *tok = s; *tok;) {
		char *end = strchr(tok, '/');
		size_t n = end ? (size_t)(end - tok) : strlen(tok);
		if (n == 0 || (n == 1 && tok[0] == '.')) {
			/* skip */
		} else if (n == 2 && tok[0] == '.' && tok[1] == '.') {
			if (parts.n && strcmp(parts.v[parts.n - 1], "..") != 0)
				free(parts.v[--parts.n]);
			else if (!rooted)
				kb_strv_push(&parts, "..");
		} else {
			kb_strv_push_owned(&parts, kb_xstrndup(tok, n));
		}
		tok += n;
		if (*tok == '/')
			tok++;
	}
	kb_buf out = KB_BUF_INIT;
	if (rooted)
		kb_buf_putc(&out, '/');
	for (size_t i = 0; i < parts.n; i++) {
		if (i)
			kb_buf_putc(&out, '/');
		kb_buf_puts(&out, parts.v[i]);
	}
	if (out.len == 0)
		kb_buf_putc(&out, '.');
	kb_strv_free(&parts);
	free(s);
	return kb_buf_detach(&out);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	/* FTW_PHYS: a symlink helm left behind is removed, never followed. */
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- running helm ---- */

typedef struct helm_job {
	const kb_options *opts;
	const char *helm;       /* the command */
	const char *file;       /* for messages */
	unsigned line, col;
	char *tmp_dir;          /* kustomize-helm-XXXXXX, removed at the end */
	char *config_home;
	char *abs_chart_home;
	char *values_file;      /* the copy passed with -f */
	kb_strv additional;     /* resolved additionalValuesFiles */
} helm_job;

static kb_error *job_error(const helm_job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static kb_error *job_error(const helm_job *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kb_error *e = kb_error_newv(j->file, j->line, j->col, fmt, ap);
	va_end(ap);
	return e;
}

/* os.MkdirTemp("", "kustomize-helm-"), once per chart. */
static kb_error *establish_tmp_dir(helm_job *j, const char *why)
{
	if (j->tmp_dir)
		return NULL;
	const char *base = getenv("TMPDIR");
	if (kb_str_empty(base))
		base = "/tmp";
	char *tmpl = kb_xasprintf("%s/kustomize-helm-XXXXXX", base);
	if (!mkdtemp(tmpl)) {
		int err = errno;
		free(tmpl);
		return job_error(j, "%s: %s", why, strerror(err));
	}
	j->tmp_dir = tmpl;
	return NULL;
}

/* Go's "[A B C]" rendering of the extra environment, for messages. */
static void env_string(const helm_job *j, kb_buf *b)
{
	kb_buf_printf(b, "[HELM_CONFIG_HOME=%s HELM_CACHE_HOME=%s/.cache HELM_DATA_HOME=%s/.data]",
		      j->config_home, j->config_home, j->config_home);
}

/* The child's environment: ours without the three HELM_*_HOME variables,
 * then those (Go keeps the last of duplicate keys, so this is what
 * append(os.Environ(), env...) amounts to). */
static char **make_env(const helm_job *j)
{
	size_t n = 0;
	for (char **e = environ; e && *e; e++)
		n++;
	char **env = kb_xcalloc(n + 4, sizeof(char *));
	size_t k = 0;
	for (char **e = environ; e && *e; e++)
		if (!kb_str_has_prefix(*e, "HELM_CONFIG_HOME=") &&
		    !kb_str_has_prefix(*e, "HELM_CACHE_HOME=") &&
		    !kb_str_has_prefix(*e, "HELM_DATA_HOME="))
			env[k++] = kb_xstrdup(*e);
	env[k++] = kb_xasprintf("HELM_CONFIG_HOME=%s", j->config_home);
	env[k++] = kb_xasprintf("HELM_CACHE_HOME=%s/.cache", j->config_home);
	env[k++] = kb_xasprintf("HELM_DATA_HOME=%s/.data", j->config_home);
	env[k] = NULL;
	return env;
}

static void free_env(char **env)
{
	for (char **e = env; *e; e++)
		free(*e);
	free(env);
}

/* Reads both pipes until EOF; polling both keeps a child that fills one
 * pipe while we block on the other from deadlocking. */
static void drain(int outfd, int errfd, kb_buf *out, kb_buf *err)
{
	struct pollfd p[2] = { { outfd, POLLIN, 0 }, { errfd, POLLIN, 0 } };
	kb_buf *dst[2] = { out, err };
	int open_fds = 2;
	char chunk[65536];
	while (open_fds > 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t r = read(p[i].fd, chunk, sizeof(chunk));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			kb_buf_append(dst[i], chunk, (size_t)r);
		}
	}
}

/* Runs helm with args (NULL-terminated, without argv[0]).  stdout is
 * returned in *out even on failure; a non-zero exit is kustomize's
 * "unable to run" error prefixed with helm's stderr. */
static kb_error *run_helm(helm_job *j, kb_strv *args, kb_buf *out)
{
	kb_buf err = KB_BUF_INIT;
	char **argv = kb_xcalloc(args->n + 2, sizeof(char *));
	argv[0] = (char *)j->helm;
	for (size_t i = 0; i < args->n; i++)
		argv[i + 1] = args->v[i];
	char **env = make_env(j);

	int op[2] = { -1, -1 }, ep[2] = { -1, -1 };
	int spawn_err = 0;
	pid_t pid = -1;
	posix_spawn_file_actions_t fa;
	bool fa_ok = false;
	/* O_CLOEXEC so that helm runs started by other threads do not
	 * inherit our pipe ends and keep them open past our child's exit. */
	if (pipe2(op, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		spawn_err = errno;
	} else if ((spawn_err = posix_spawn_file_actions_init(&fa)) == 0) {
		fa_ok = true;
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, op[1], 1);
		posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
		spawn_err = posix_spawnp(&pid, j->helm, &fa, NULL, argv, env);
	}
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	for (int i = 1; i < 2; i++) {
		if (op[i] >= 0)
			close(op[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	int status = 0;
	if (!spawn_err) {
		drain(op[0], ep[0], out, &err);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (op[0] >= 0)
		close(op[0]);
	if (ep[0] >= 0)
		close(ep[0]);
	free_env(env);

	kb_error *e = NULL;
	if (spawn_err || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		kb_buf why = KB_BUF_INIT;
		/* The words Go's os/exec would use. */
		if (spawn_err == ENOENT && !strchr(j->helm, '/'))
			kb_buf_printf(&why, "exec: \"%s\": executable file not found in $PATH",
				      j->helm);
		else if (spawn_err)
			kb_buf_printf(&why, "fork/exec %s: %s", j->helm, strerror(spawn_err));
		else if (WIFSIGNALED(status))
			kb_buf_printf(&why, "signal: %s", strsignal(WTERMSIG(status)));
		else
			kb_buf_printf(&why, "exit status %d", WEXITSTATUS(status));
		kb_buf cmd = KB_BUF_INIT;
		kb_buf_puts(&cmd, j->helm);
		for (size_t i = 0; i < args->n; i++)
			kb_buf_printf(&cmd, " %s", args->v[i]);
		kb_buf env_s = KB_BUF_INIT;
		env_string(j, &env_s);
		kb_buf prefix = KB_BUF_INIT;
		bool debug = kb_strv_contains(args, "--debug");
		if (debug) {
			kb_buf_puts(&prefix, " Helm stack trace:\n");
			if (err.len)
				kb_buf_append(&prefix, err.data, err.len);
			kb_buf_puts(&prefix, "\nHelm template:\n");
			if (out->len)
				kb_buf_append(&prefix, out->data, out->len);
			kb_buf_puts(&prefix, "\n");
		} else if (err.len) {
			/* helm ends its message with a newline; the colon
			 * that follows reads better on the same line */
			size_t n = err.len;
			while (n > 0 && (err.data[n - 1] == '\n' || err.data[n - 1] == '\r'))
				n--;
			kb_buf_append(&prefix, err.data, n);
		}
		e = job_error(j, "%s%sunable to run: '%s' with env=%s (is '%s' installed?): %s",
			      prefix.len ? prefix.data : "", prefix.len ? ": " : "", cmd.data,
			      env_s.data, j->helm, why.data);
		kb_buf_free(&why);
		kb_buf_free(&cmd);
		kb_buf_free(&env_s);
		kb_buf_free(&prefix);
	}
	kb_buf_free(&err);
	free(argv);
	return e;
}

static void push2(kb_strv *v, const char *a, const char *b)
{
	kb_strv_push(v, a);
	kb_strv_push(v, b);
}

/* checkHelmVersion: the first `v?\d+(\.\d+)+` in the output must have
 * major version 3. */
static kb_error *check_version(helm_job *j)
{
	kb_strv args = { 0 };
	kb_strv_push(&args, "version");
	kb_strv_push(&args, "-c");
	kb_strv_push(&args, "--short");
	kb_buf out = KB_BUF_INIT;
	kb_error *e = run_helm(j, &args, &out);
	kb_strv_free(&args);
	if (e) {
		kb_buf_free(&out);
		return e;
	}
	const char *s = out.data ? out.data : "";
	const char *start = NULL, *end = NULL;
	for (const char *p = s; *p && !start; p++) {
		const char *q = p;
		if (*q == 'v')
			q++;
		if (*q < '0' || *q > '9')
			continue;
		while (*q >= '0' && *q <= '9')
			q++;
		const char *r = q;
		while (r[0] == '.' && r[1] >= '0' && r[1] <= '9') {
			r++;
			while (*r >= '0' && *r <= '9')
				r++;
		}
		if (r != q) {
			start = p;
			end = r;
		}
	}
	if (!start) {
		e = job_error(j, "cannot find version string in %s", s);
	} else {
		if (*start == 'v')
			start++;
		char *v = kb_xstrndup(start, (size_t)(end - start));
		size_t major = strcspn(v, ".");
		if (major != 1 || v[0] != '3')
			e = job_error(j, "this plugin requires helm V3 but got v%s", v);
		free(v);
	}
	kb_buf_free(&out);
	return e;
}

/* ---- values ---- */

static kb_error *write_values(helm_job *j, const char *name, const char *data, size_t len)
{
	kb_error *e = establish_tmp_dir(j, "cannot create tmp dir to write helm values");
	if (e)
		return e;
	j->values_file = kb_xasprintf("%s/%s-kustomize-values.yaml", j->tmp_dir, name);
	FILE *f = fopen(j->values_file, "wb");
	bool ok = f && fwrite(data, 1, len, f) == len;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		return job_error(j, "failed to write values file: %s: %s", j->values_file,
				 strerror(errno));
	return NULL;
}

/* createNewMergedValuesFile / copyValuesFile. */
static kb_error *prepare_values(helm_job *j, kb_ctx *ctx, const kb_loader *ld,
				const char *name, const char *values_file, const kb_node *inline_v,
				const char *merge)
{
	bool has_inline = inline_v && inline_v->kind == KB_MAP && inline_v->n > 0;
	bool replace = strcmp(merge, "replace") == 0;
	char *data = NULL;
	size_t len = 0;
	kb_error *e = NULL;
	if (!has_inline || !replace) {
		e = kb_loader_read(ld, values_file, &data, &len, NULL);
		if (e)
			return e;
	}
	if (!has_inline) {
		e = write_values(j, name, data, len);
		free(data);
		return e;
	}
	kb_node *result = NULL;
	if (replace) {
		result = kb_node_clone(inline_v);
	} else {
		kb_node *file_v = NULL;
		char *display = kb_path_display(values_file);
		kb_parse_limits glim = kb_ctx_goyaml_limits(ctx);
		e = kb_yaml_parse_one(display, data, len, &glim, &file_v);
		free(data);
		if (!e && file_v && file_v->kind == KB_NULL) {
			kb_node_free(file_v);
			file_v = NULL;
		}
		if (!e && file_v && file_v->kind != KB_MAP)
			e = kb_error_new(display, file_v->line, file_v->col,
					 "could not merge values: the values file must hold a "
					 "mapping");
		free(display);
		if (e) {
			kb_node_free(file_v);
			return kb_error_note(e, j->file, j->line, j->col,
					     "could not parse values file");
		}
		if (!file_v)
			file_v = kb_node_new(KB_MAP);
		/* merge2.Merge(src, dest) lets src win; override passes
		 * (inline, file), merge passes (file, inline). */
		bool override = strcmp(merge, "override") == 0;
		kb_node *dest = override ? file_v : kb_node_clone(inline_v);
		const kb_node *src = override ? inline_v : file_v;
		bool deleted = false;
		e = kb_smp_apply(dest, src, NULL, "valuesInline", &deleted);
		if (!override)
			kb_node_free(file_v);
		if (e) {
			kb_node_free(dest);
			return kb_error_note(e, j->file, j->line, j->col, "could not merge values");
		}
		result = deleted ? kb_node_new(KB_MAP) : dest;
	}
	kb_buf y = KB_BUF_INIT;
	e = kb_emit_doc(&y, result);
	kb_node_free(result);
	if (!e)
		e = write_values(j, name, y.data ? y.data : "", y.len);
	kb_buf_free(&y);
	return e;
}

/* ---- helm output ---- */

static kb_error *parse_output(kb_ctx *ctx, helm_job *j, const char *name, kb_buf *out,
			      kb_resmap *rm)
{
	char *display = kb_xasprintf("helm template output of chart '%s'", name);
	const char *data = out->data ? out->data : "";
	kb_node **docs = NULL;
	size_t nd = 0;
	kb_error *e = kb_yaml_parse(display, data, out->len, &ctx->lim, &docs, &nd);
	if (e) {
		const char *sep = NULL;
		for (const char *p = data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
			if (strncmp(p, "---", 3) == 0 && (p[3] == '\n' || p[3] == '\r' ||
							  p[3] == ' ' || p[3] == '\0')) {
				sep = p;
				break;
			}
		if (sep && sep != data &&
		    !kb_yaml_parse(display, sep, out->len - (size_t)(sep - data), &ctx->lim,
				   &docs, &nd)) {
			kb_error_free(e);
			e = NULL;
		}
	}
	if (e) {
		e = kb_error_note(e, j->file, j->line, j->col,
				  "could not parse helm output into resources");
	} else {
		e = kb_acc_add_documents(ctx, rm, docs, nd, display);
		free(docs);
	}
	free(display);
	return e;
}

/* ---- the generator ---- */

kb_error *kb_helm_inflate(kb_ctx *ctx, const kb_node *globals, const kb_node *chart,
			  const kb_loader *ld, const char *file, kb_resmap *out)
{
	helm_job j;
	memset(&j, 0, sizeof(j));
	j.opts = ctx->opts;
	j.helm = ctx->opts->helm_command;
	j.file = file;
	j.line = chart->line;
	j.col = chart->col;
	/* Config: kustomize refuses before looking at the chart. */
	if (!ctx->opts->enable_helm)
		return job_error(&j, "must specify --enable-helm");
	if (kb_str_empty(j.helm))
		return job_error(&j, "must specify --helm-command");

	const char *name, *version, *repo, *values_file, *merge, *chart_home, *config_home;
	const char *release, *ns, *name_tpl, *kube_version;
	const kb_node *additional, *api_versions;
	bool include_crds, skip_hooks, skip_tests, debug;
	kb_error *e = NULL;
	if ((e = str_field(chart, "name", file, &name)) ||
	    (e = str_field(chart, "version", file, &version)) ||
	    (e = str_field(chart, "repo", file, &repo)) ||
	    (e = str_field(chart, "releaseName", file, &release)) ||
	    (e = str_field(chart, "namespace", file, &ns)) ||
	    (e = str_field(chart, "valuesFile", file, &values_file)) ||
	    (e = str_field(chart, "valuesMerge", file, &merge)) ||
	    (e = str_field(chart, "kubeVersion", file, &kube_version)) ||
	    (e = str_field(chart, "nameTemplate", file, &name_tpl)) ||
	    (e = str_field(globals, "chartHome", file, &chart_home)) ||
	    (e = str_field(globals, "configHome", file, &config_home)) ||
	    (e = list_field(chart, "additionalValuesFiles", file, &additional)) ||
	    (e = list_field(chart, "apiVersions", file, &api_versions)) ||
	    (e = bool_field(chart, "includeCRDs", file, &include_crds)) ||
	    (e = bool_field(chart, "skipHooks", file, &skip_hooks)) ||
	    (e = bool_field(chart, "skipTests", file, &skip_tests)) ||
	    (e = bool_field(chart, "debug", file, &debug)))
		return e;
	const kb_node *inline_v = field(chart, "valuesInline");
	if (inline_v && inline_v->kind != KB_NULL && inline_v->kind != KB_MAP)
		return kb_error_new(file, inline_v->line, inline_v->col,
				    "helm chart field 'valuesInline' must be a mapping");

	/* validateArgs */
	if (!*name)
		return job_error(&j, "chart name cannot be empty");
	if (!*chart_home)
		chart_home = HELM_DEFAULT_HOME;
	char *home = chart_home[0] == '/' ? go_join(chart_home, ".") : go_join(ld->root, chart_home);
	if (*version && *repo) {
		char *nv = kb_xasprintf("%s-%s", name, version);
		j.abs_chart_home = go_join(home, nv);
		free(nv);
		free(home);
	} else {
		j.abs_chart_home = home;
	}
	char *default_values = NULL;
	if (!*values_file) {
		char *dir = go_join(j.abs_chart_home, name);
		default_values = go_join(dir, "values.yaml");
		free(dir);
		values_file = default_values;
	}
	for (size_t i = 0; additional && i < additional->n && !e; i++) {
		const kb_node *it = additional->items[i];
		const char *f = kb_node_text(it);
		char *data = NULL;
		size_t len;
		e = kb_loader_read(ld, f, &data, &len, NULL);
		free(data);
		if (e)
			e = kb_error_note(e, file, it->line, it->col,
					  "could not load additionalValuesFile '%s'", f);
		else
			kb_strv_push_owned(&j.additional, go_join(ld->root, f));
	}
	if (!e && !*merge)
		merge = "override";
	if (!e && strcmp(merge, "merge") && strcmp(merge, "override") && strcmp(merge, "replace"))
		e = job_error(&j, "valuesMerge must be one of [merge override replace]");
	if (!e && !*config_home) {
		e = establish_tmp_dir(&j, "unable to create tmp dir for HELM_CONFIG_HOME");
		if (!e)
			j.config_home = kb_xasprintf("%s/helm", j.tmp_dir);
	} else if (!e) {
		j.config_home = kb_xstrdup(config_home);
	}

	/* Generate */
	if (!e)
		e = check_version(&j);
	if (!e) {
		char *chart_dir = go_join(j.abs_chart_home, name);
		/* helm reads the chart itself, not through the build's kb_fs */
		const kb_build_hooks *hk = kb_ctx_hooks(ctx);
		if (hk && hk->depend_tree)
			hk->depend_tree(hk->ud, chart_dir);
		bool exists = kb_is_dir(chart_dir);
		if (!exists && !*repo) {
			e = job_error(&j, "no repo specified for pull, no chart found at '%s'",
				      chart_dir);
		} else if (!exists) {
			kb_strv args = { 0 };
			kb_strv_push(&args, "pull");
			kb_strv_push(&args, "--untar");
			push2(&args, "--untardir", j.abs_chart_home);
			if (kb_str_has_prefix(repo, "oci://")) {
				size_t n = strlen(repo);
				while (n > 0 && repo[n - 1] == '/')
					n--;
				kb_strv_push_owned(&args, kb_xasprintf("%.*s/%s", (int)n, repo, name));
			} else {
				push2(&args, "--repo", repo);
				kb_strv_push(&args, name);
			}
			if (*version)
				push2(&args, "--version", version);
			kb_buf ignored = KB_BUF_INIT;
			e = run_helm(&j, &args, &ignored);
			kb_buf_free(&ignored);
			kb_strv_free(&args);
		}
		free(chart_dir);
	}
	if (!e)
		e = prepare_values(&j, ctx, ld, name, values_file,
				   inline_v && inline_v->kind == KB_MAP ? inline_v : NULL, merge);
	kb_buf stdout_b = KB_BUF_INIT;
	if (!e) {
		/* AsHelmArgs, in its order */
		kb_strv args = { 0 };
		kb_strv_push(&args, "template");
		kb_strv_push(&args, *release ? release : "--generate-name");
		kb_strv_push_owned(&args, go_join(j.abs_chart_home, name));
		if (*ns)
			push2(&args, "--namespace", ns);
		if (*name_tpl)
			push2(&args, "--name-template", name_tpl);
		push2(&args, "-f", j.values_file);
		for (size_t i = 0; i < j.additional.n; i++)
			push2(&args, "-f", j.additional.v[i]);
		/* the build's --helm-* flags override the chart's fields */
		const kb_options *o = ctx->opts;
		if (o->helm_api_versions_n) {
			for (size_t i = 0; i < o->helm_api_versions_n; i++)
				push2(&args, "--api-versions", o->helm_api_versions[i]);
		} else {
			for (size_t i = 0; api_versions && i < api_versions->n; i++)
				push2(&args, "--api-versions",
				      kb_node_text(api_versions->items[i]));
		}
		if (!kb_str_empty(o->helm_kube_version))
			push2(&args, "--kube-version", o->helm_kube_version);
		else if (*kube_version)
			push2(&args, "--kube-version", kube_version);
		if (include_crds)
			kb_strv_push(&args, "--include-crds");
		if (skip_tests)
			kb_strv_push(&args, "--skip-tests");
		if (skip_hooks)
			kb_strv_push(&args, "--no-hooks");
		if (debug || o->helm_debug)
			kb_strv_push(&args, "--debug");
		e = run_helm(&j, &args, &stdout_b);
		kb_strv_free(&args);
	}
	if (!e)
		e = parse_output(ctx, &j, name, &stdout_b, out);
	kb_buf_free(&stdout_b);

	if (j.tmp_dir)
		remove_tree(j.tmp_dir);
	free(j.tmp_dir);
	free(j.config_home);
	free(j.abs_chart_home);
	free(j.values_file);
	free(default_values);
	kb_strv_free(&j.additional);
	return e;
}
