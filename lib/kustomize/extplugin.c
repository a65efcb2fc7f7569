/*
 * extplugin.c - external plugins: KRM functions and legacy exec plugins
 * (extplugin.h).
 */
#include "extplugin.h"
#include "emit.h"
#include "fnrun.h"
#include "origin.h"
#include "parse.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#define ID_ANNOTATION "kustomize.config.k8s.io/id"
#define HASH_ANNOTATION "kustomize.config.k8s.io/needs-hash"
#define BEHAVIOR_ANNOTATION "kustomize.config.k8s.io/behavior"
#define LOCAL_CONFIG_ANNOTATION "config.kubernetes.io/local-config"

/* kustomize's build annotations that hold a resource's state */
#define B_PREV_KINDS "internal.config.kubernetes.io/previousKinds"
#define B_PREV_NAMES "internal.config.kubernetes.io/previousNames"
#define B_PREV_NS "internal.config.kubernetes.io/previousNamespaces"
#define B_PREFIXES "internal.config.kubernetes.io/prefixes"
#define B_SUFFIXES "internal.config.kubernetes.io/suffixes"
#define B_REFBY "internal.config.kubernetes.io/refBy"
#define B_BEHAVIOR "internal.config.kubernetes.io/generatorBehavior"
#define B_NEEDS_HASH "internal.config.kubernetes.io/needsHashSuffix"

/* execplugin's maxArgStringLength */
#define MAX_ENV_STRING 131071

struct kb_ext_plugin {
	const kb_resource *cfg;
	const kb_loader *ld;
	kb_fn_spec *spec; /* a KRM function, or NULL */
	char *exec;       /* a legacy exec plugin's executable */
	kb_strv args;
	char *cfg_yaml;   /* the config as kustomize marshals it */
	char *name;       /* kustomize's pluginName, for messages */
	char *display;    /* "Kind 'name'" */
};

void kb_ext_free(kb_ext_plugin *p)
{
	if (!p)
		return;
	kb_fn_spec_free(p->spec);
	free(p->exec);
	kb_strv_free(&p->args);
	free(p->cfg_yaml);
	free(p->name);
	free(p->display);
	free(p);
}

/* ResId.String of the config's original id, as kustomize's messages
 * quote it. */
static char *org_id_string(const kb_resource *r)
{
	char *g, *v;
	kb_split_apiversion(kb_res_apiversion(r), &g, &v);
	const char *kind = r->prev_kinds.n ? r->prev_kinds.v[0] : kb_res_kind(r);
	const char *name = r->prev_names.n ? r->prev_names.v[0] : kb_res_name(r);
	const char *ns = r->prev_ns.n ? r->prev_ns.v[0] : kb_res_ns(r);
	char *s = kb_xasprintf("%s.%s.%s/%s.%s", kb_str_empty(kind) ? "[noKind]" : kind,
			       kb_str_empty(v) ? "[noVer]" : v, kb_str_empty(g) ? "[noGrp]" : g,
			       kb_str_empty(name) ? "[noName]" : name, kb_str_empty(ns) ? "[noNs]" : ns);
	free(g);
	free(v);
	return s;
}

/* ---- google/shlex ---- */

void kb_shlex_split(const char *s, kb_strv *out)
{
	const char *p = s ? s : "";
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			return;
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		kb_buf w = KB_BUF_INIT;
		bool ok = true;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
			if (*p == '\\') {
				if (!p[1]) {
					ok = false;
					p++;
					break;
				}
				kb_buf_putc(&w, p[1]);
				p += 2;
			} else if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');
				if (!end) {
					ok = false;
					p += strlen(p);
					break;
				}
				kb_buf_append(&w, p + 1, (size_t)(end - p - 1));
				p = end + 1;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1]) {
						kb_buf_putc(&w, p[1]);
						p += 2;
					} else if (*p == '\\') {
						p++;
						break;
					} else {
						kb_buf_putc(&w, *p++);
					}
				}
				if (*p != '"') {
					ok = false;
					break;
				}
				p++;
			} else {
				kb_buf_putc(&w, *p++);
			}
		}
		if (!ok) {
			kb_buf_free(&w);
			return;
		}
		kb_buf_append(&w, "", 0);
		kb_strv_push_owned(out, kb_buf_detach(&w));
	}
}

/* ---- the plugin home (konfig.DefaultAbsPluginHome) ---- */

char *kb_ext_plugin_home(char **tried)
{
	const char *home = getenv("HOME");
	if (kb_str_empty(home))
		home = "~";
	const char *kph = getenv("KUSTOMIZE_PLUGIN_HOME");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	char *cand[4] = {
		kb_str_empty(kph) ? NULL : kb_xstrdup(kph),
		kb_str_empty(xdg) ? NULL : kb_xasprintf("%s/kustomize/plugin", xdg),
		kb_xasprintf("%s/.config/kustomize/plugin", home),
		kb_xasprintf("%s/kustomize/plugin", home),
	};
	static const char *const notes[4] = {
		"$KUSTOMIZE_PLUGIN_HOME", "$XDG_CONFIG_HOME/kustomize/plugin",
		"$HOME/.config/kustomize/plugin", "$HOME/kustomize/plugin",
	};
	char *found = NULL;
	kb_buf t = KB_BUF_INIT;
	for (int i = 0; i < 4; i++) {
		struct stat st;
		if (!found && cand[i] && stat(cand[i], &st) == 0)
			found = kb_xstrdup(cand[i]);
		kb_buf_printf(&t, "%s%s (%s)", i ? ", " : "", notes[i], cand[i] ? cand[i] : "unset");
		free(cand[i]);
	}
	if (tried)
		*tried = kb_buf_detach(&t);
	kb_buf_free(&t);
	return found;
}

/* ---- loading ---- */

static kb_error *cfg_error(const kb_resource *cfg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static kb_error *cfg_error(const kb_resource *cfg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kb_error *e = kb_error_newv(cfg->file, cfg->doc->line, cfg->doc->col, fmt, ap);
	va_end(ap);
	return e;
}

/* The config's string field (matched case-insensitively, as Go's JSON
 * decoder does); NULL when absent. */
static kb_error *cfg_string(const kb_resource *cfg, const char *field, const char **out)
{
	*out = NULL;
	const kb_node *doc = cfg->doc;
	const kb_pair *hit = kb_map_get_pair(doc, field);
	for (size_t i = 0; !hit && i < doc->n; i++)
		if (strcasecmp(doc->pairs[i].key, field) == 0)
			hit = &doc->pairs[i];
	if (!hit || hit->val->kind == KB_NULL)
		return NULL;
	if (hit->val->kind != KB_STR)
		return kb_error_new(cfg->file, hit->val->line, hit->val->col,
				    "%s of plugin config %s '%s' must be a string", field,
				    kb_res_kind(cfg), kb_res_name(cfg));
	*out = hit->val->str;
	return NULL;
}

static kb_error *load_exec(kb_ctx *ctx, kb_ext_plugin *p)
{
	const kb_resource *cfg = p->cfg;
	char *tried = NULL;
	char *home = kb_ext_plugin_home(&tried);
	if (!home) {
		kb_error *e = cfg_error(cfg,
					"unable to find plugin root - tried: %s (plugin %s '%s' is neither "
					"a builtin nor a KRM function, so kustomize looks for an exec "
					"plugin there)",
					tried, kb_res_kind(cfg), kb_res_name(cfg));
		free(tried);
		return e;
	}
	free(tried);
	char *g, *v;
	kb_split_apiversion(kb_res_apiversion(cfg), &g, &v);
	const char *kind = cfg->prev_kinds.n ? cfg->prev_kinds.v[0] : kb_res_kind(cfg);
	char *lower = kb_xstrdup(kind);
	for (char *c = lower; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	kb_buf path = KB_BUF_INIT;
	kb_buf_puts(&path, home);
	const char *parts[4] = { g, v, lower, kind };
	for (int i = 0; i < 4; i++)
		if (*parts[i])
			kb_buf_printf(&path, "/%s", parts[i]);
	free(g);
	free(v);
	free(lower);
	free(home);
	p->exec = kb_buf_detach(&path);
	struct stat st;
	kb_error *e = NULL;
	if (stat(p->exec, &st) != 0) {
		char *so = kb_xasprintf("%s.so", p->exec);
		if (errno != ENOENT)
			e = cfg_error(cfg, "plugin %s '%s': cannot use %s: %s", kb_res_kind(cfg),
				      kb_res_name(cfg), p->exec, strerror(errno));
		else if (stat(so, &st) == 0)
			e = cfg_error(cfg,
				      "plugin %s '%s' is a Go plugin (%s), which kbuild cannot load; "
				      "rebuild it as an exec plugin or a KRM function",
				      kb_res_kind(cfg), kb_res_name(cfg), so);
		else
			e = cfg_error(cfg,
				      "no exec plugin for %s '%s': expected an executable at %s (or "
				      "Go object code at %s, which kbuild cannot load)",
				      kb_res_kind(cfg), kb_res_name(cfg), p->exec, so);
		free(so);
		return e;
	}
	if ((st.st_mode & 0111) == 0)
		return cfg_error(cfg, "unexecutable plugin at: %s (chmod +x it)", p->exec);
	/* processOptionalArgsFields */
	const char *one, *file;
	if ((e = cfg_string(cfg, "argsOneLiner", &one)) ||
	    (e = cfg_string(cfg, "argsFromFile", &file)))
		return e;
	if (!kb_str_empty(one))
		kb_shlex_split(one, &p->args);
	if (!kb_str_empty(file)) {
		char *data, *abs;
		size_t len;
		if ((e = p->ld ? kb_loader_read(p->ld, file, &data, &len, &abs) : NULL))
			return kb_error_note(e, cfg->file, cfg->doc->line, cfg->doc->col,
					     "in argsFromFile of plugin %s '%s'", kb_res_kind(cfg),
					     kb_res_name(cfg));
		const char *s = data;
		while (s && *s) {
			const char *nl = strchr(s, '\n');
			size_t n = nl ? (size_t)(nl - s) : strlen(s);
			const char *t = s;
			while (t < s + n && *t == ' ')
				t++;
			if (t < s + n)
				kb_strv_push_owned(&p->args, kb_xstrndup(t, (size_t)(s + n - t)));
			s += n + (nl ? 1 : 0);
		}
		free(data);
		free(abs);
	}
	(void)ctx;
	return NULL;
}

kb_error *kb_ext_load(kb_ctx *ctx, const kb_resource *cfg, const kb_loader *ld,
		      kb_ext_plugin **out)
{
	*out = NULL;
	kb_ext_plugin *p = kb_xcalloc(1, sizeof(*p));
	p->cfg = cfg;
	p->ld = ld;
	p->display = kb_xasprintf("%s '%s'", kb_res_kind(cfg), kb_res_name(cfg));
	kb_buf y = KB_BUF_INIT;
	kb_error *e = kb_emit_doc(&y, cfg->doc);
	p->cfg_yaml = kb_buf_detach(&y);
	if (e) {
		kb_ext_free(p);
		return kb_error_note(e, cfg->file, cfg->doc->line, cfg->doc->col,
				     "marshalling yaml from plugin config %s '%s'", kb_res_kind(cfg),
				     kb_res_name(cfg));
	}
	e = kb_fn_spec_get(cfg->doc, cfg->file, &p->spec);
	if (e) {
		kb_ext_free(p);
		return kb_error_note(e, cfg->file, cfg->doc->line, cfg->doc->col,
				     "in the function spec of plugin %s '%s'", kb_res_kind(cfg),
				     kb_res_name(cfg));
	}
	if (p->spec) {
		/* mounts must stay under the kustomization directory */
		for (size_t i = 0; i < p->spec->nmounts; i++) {
			const char *src = p->spec->mounts[i].src ? p->spec->mounts[i].src : "";
			char *id = org_id_string(cfg);
			if (src[0] == '/') {
				e = cfg_error(cfg,
					      "plugin %s with mount path '%s' is not permitted; mount "
					      "paths must be relative to the current kustomization "
					      "directory",
					      id, src);
			} else {
				/* filepath.Clean, then a "../" prefix */
				kb_strv parts = { 0 };
				const char *s = src;
				while (*s) {
					const char *sl = strchr(s, '/');
					size_t n = sl ? (size_t)(sl - s) : strlen(s);
					if (n == 2 && s[0] == '.' && s[1] == '.') {
						if (parts.n && strcmp(parts.v[parts.n - 1], ".."))
							free(parts.v[--parts.n]);
						else
							kb_strv_push(&parts, "..");
					} else if (n && !(n == 1 && s[0] == '.')) {
						kb_strv_push_owned(&parts, kb_xstrndup(s, n));
					}
					s += n + (sl ? 1 : 0);
				}
				if (parts.n > 1 && strcmp(parts.v[0], "..") == 0)
					e = cfg_error(cfg,
						      "plugin %s with mount path '%s' is not permitted; "
						      "mount paths must be under the current kustomization "
						      "directory",
						      id, src);
				kb_strv_free(&parts);
			}
			free(id);
			if (e) {
				kb_ext_free(p);
				return e;
			}
		}
		const char *av = kb_map_get_str(cfg->doc, "apiVersion");
		const char *kind = kb_map_get_str(cfg->doc, "kind");
		p->name = kb_xasprintf("api: %s, kind: %s, name: %s", av ? av : "", kind ? kind : "",
				       kb_res_name(cfg));
		*out = p;
		return NULL;
	}
	if ((e = load_exec(ctx, p))) {
		kb_ext_free(p);
		return e;
	}
	p->name = kb_xstrdup(p->exec);
	*out = p;
	return NULL;
}

/* ---- build annotations: kbuild's resource state <-> kustomize's ---- */

static kb_node *ann_map(kb_node *doc, bool create)
{
	if (!doc || doc->kind != KB_MAP)
		return NULL;
	kb_node *md = create ? kb_map_ensure_map(doc, "metadata") : kb_map_get(doc, "metadata");
	if (!md || md->kind != KB_MAP)
		return NULL;
	kb_node *a = create ? kb_map_ensure_map(md, "annotations") : kb_map_get(md, "annotations");
	return a && a->kind == KB_MAP ? a : NULL;
}

static const char *ann_text(const kb_node *doc, const char *key)
{
	kb_node *a = ann_map((kb_node *)doc, false);
	const kb_node *v = a ? kb_map_get(a, key) : NULL;
	if (!v || !kb_node_is_scalar(v))
		return NULL;
	return v->kind == KB_NULL ? "" : kb_node_text(v);
}

/* resource.SetAnnotations: an empty map is removed */
static void drop_empty_annotations(kb_node *doc)
{
	kb_node *md = doc && doc->kind == KB_MAP ? kb_map_get(doc, "metadata") : NULL;
	kb_node *a = md && md->kind == KB_MAP ? kb_map_get(md, "annotations") : NULL;
	if (a && ((a->kind == KB_MAP && a->n == 0) || a->kind == KB_NULL))
		kb_map_del(md, "annotations");
}

static void join_csv(kb_buf *b, const kb_strv *v, bool ns, const kb_ctx *ctx,
		     const kb_resource *r)
{
	for (size_t i = 0; i < v->n; i++) {
		const char *s = v->v[i];
		if (ns) {
			/* kustomize stores the effective namespace */
			char *g, *ver;
			kb_split_apiversion(kb_res_apiversion(r), &g, &ver);
			const char *kind = i < r->prev_kinds.n ? r->prev_kinds.v[i] : kb_res_kind(r);
			if (kb_schema_namespaced(ctx->schema, g, ver, kind) == 0)
				s = "_non_namespaceable_";
			else if (kb_str_empty(s))
				s = "default";
			free(g);
			free(ver);
		}
		if (kb_str_empty(s))
			continue; /* appendCsvAnnotation skips empty values */
		kb_buf_printf(b, "%s%s", b->len ? "," : "", s);
	}
}

static void set_csv(kb_node *doc, const char *key, kb_buf *b)
{
	if (!b->len)
		return;
	kb_node *a = ann_map(doc, true);
	const char *old = kb_map_get_str(a, key);
	char *v = old && *old ? kb_xasprintf("%s,%s", old, b->data) : kb_xstrdup(b->data);
	kb_map_set(a, key, kb_node_new_str(v));
	free(v);
	kb_buf_free(b);
}

/* The prefixes and suffixes kustomize records, recovered from the name
 * history as nameref.c does (but while plugins run, no hash suffix has
 * been added yet). */
static void affixes(const kb_resource *r, kb_buf *pre, kb_buf *suf)
{
	size_t n = r->prev_names.n;
	for (size_t t = 0; t < n; t++) {
		const char *old = r->prev_names.v[t];
		const char *nw = t + 1 < n ? r->prev_names.v[t + 1] : kb_res_name(r);
		size_t lo = strlen(old), ln = strlen(nw);
		if (ln <= lo)
			continue;
		if (strcmp(nw + ln - lo, old) == 0)
			kb_buf_printf(pre, "%s%.*s", pre->len ? "," : "", (int)(ln - lo), nw);
		else if (strncmp(nw, old, lo) == 0)
			kb_buf_printf(suf, "%s%s", suf->len ? "," : "", nw + lo);
	}
}

static const char *behavior_name(int b)
{
	switch (b) {
	case KB_BEHAVIOR_CREATE: return "create";
	case KB_BEHAVIOR_MERGE: return "merge";
	case KB_BEHAVIOR_REPLACE: return "replace";
	default: return "unspecified";
	}
}

static int behavior_parse(const char *s)
{
	if (kb_streq(s, "create"))
		return KB_BEHAVIOR_CREATE;
	if (kb_streq(s, "merge"))
		return KB_BEHAVIOR_MERGE;
	if (kb_streq(s, "replace"))
		return KB_BEHAVIOR_REPLACE;
	return KB_BEHAVIOR_UNSET;
}

/* The document of r as kustomize holds it: r's state as build
 * annotations.  Returns a new tree. */
static kb_node *export_state(const kb_ctx *ctx, const kb_resource *r)
{
	kb_node *doc = kb_node_clone(r->doc);
	kb_buf b = KB_BUF_INIT;
	join_csv(&b, &r->prev_names, false, ctx, r);
	set_csv(doc, B_PREV_NAMES, &b);
	join_csv(&b, &r->prev_ns, true, ctx, r);
	set_csv(doc, B_PREV_NS, &b);
	join_csv(&b, &r->prev_kinds, false, ctx, r);
	set_csv(doc, B_PREV_KINDS, &b);
	kb_buf pre = KB_BUF_INIT, suf = KB_BUF_INIT;
	affixes(r, &pre, &suf);
	set_csv(doc, B_PREFIXES, &pre);
	set_csv(doc, B_SUFFIXES, &suf);
	join_csv(&b, &r->refby, false, ctx, r);
	set_csv(doc, B_REFBY, &b);
	if (r->generated)
		kb_map_set(ann_map(doc, true), B_BEHAVIOR, kb_node_new_str(behavior_name(r->behavior)));
	if (r->needs_hash)
		kb_map_set(ann_map(doc, true), B_NEEDS_HASH, kb_node_new_str("enabled"));
	return doc;
}

static void split_csv(const char *s, kb_strv *out)
{
	const char *p = s;
	for (;;) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		kb_strv_push_owned(out, kb_xstrndup(p, n));
		if (!c)
			break;
		p = c + 1;
	}
}

/* Reads r's state back from its build annotations (which are removed
 * from the document), as kustomize's state is those annotations. */
static kb_error *import_state(kb_resource *r, const char *file)
{
	kb_strv_free(&r->prev_names);
	kb_strv_free(&r->prev_ns);
	kb_strv_free(&r->prev_kinds);
	kb_strv_free(&r->refby);
	const char *names = ann_text(r->doc, B_PREV_NAMES);
	if (names) {
		const char *ns = ann_text(r->doc, B_PREV_NS);
		const char *kinds = ann_text(r->doc, B_PREV_KINDS);
		split_csv(names, &r->prev_names);
		split_csv(ns ? ns : "", &r->prev_ns);
		split_csv(kinds ? kinds : "", &r->prev_kinds);
		if (r->prev_names.n != r->prev_ns.n || r->prev_names.n != r->prev_kinds.n)
			return kb_error_new(file, 0, 0,
					    "%s '%s': number of previous names, number of previous "
					    "namespaces, number of previous kinds not equal",
					    kb_res_kind(r), kb_res_name(r));
	}
	const char *refby = ann_text(r->doc, B_REFBY);
	if (refby)
		split_csv(refby, &r->refby);
	const char *beh = ann_text(r->doc, B_BEHAVIOR);
	r->generated = beh != NULL;
	r->behavior = behavior_parse(beh);
	r->needs_hash = kb_streq(ann_text(r->doc, B_NEEDS_HASH), "enabled");
	kb_node *a = ann_map(r->doc, false);
	static const char *const keys[] = {
		B_PREV_KINDS, B_PREV_NAMES, B_PREV_NS, B_PREFIXES, B_SUFFIXES, B_REFBY,
		B_BEHAVIOR, B_NEEDS_HASH,
	};
	bool removed = false;
	for (size_t i = 0; a && i < sizeof(keys) / sizeof(*keys); i++)
		removed |= kb_map_del(a, keys[i]);
	if (removed)
		drop_empty_annotations(r->doc);
	/* OrgId: the oldest previous id, else the current one */
	kb_resid_free(&r->orig);
	kb_res_id(r, &r->orig);
	if (r->prev_names.n) {
		free(r->orig.kind);
		free(r->orig.name);
		free(r->orig.ns);
		r->orig.kind = kb_xstrdup(r->prev_kinds.v[0]);
		r->orig.name = kb_xstrdup(r->prev_names.v[0]);
		r->orig.ns = kb_xstrdup(r->prev_ns.v[0]);
	}
	return NULL;
}

/* yaml.Marshal(ResId): sorted keys, empty ones left out */
static char *id_yaml(const kb_resource *r)
{
	kb_resid id;
	kb_res_id(r, &id);
	kb_node *m = kb_node_new(KB_MAP);
	const char *keys[5] = { "group", "kind", "name", "namespace", "version" };
	const char *vals[5] = { id.group, id.kind, id.name, id.ns, id.version };
	for (int i = 0; i < 5; i++)
		if (!kb_str_empty(vals[i]))
			kb_map_set(m, keys[i], kb_node_new_str(vals[i]));
	kb_buf b = KB_BUF_INIT;
	kb_error *e = kb_emit_doc(&b, m);
	kb_error_free(e);
	kb_node_free(m);
	kb_resid_free(&id);
	return kb_buf_detach(&b);
}

/* json.Marshal(ResId), for the duplicate message */
static char *id_json(const kb_resource *r)
{
	kb_resid id;
	kb_res_id(r, &id);
	kb_buf b = KB_BUF_INIT;
	const char *keys[5] = { "group", "version", "kind", "name", "namespace" };
	const char *vals[5] = { id.group, id.version, id.kind, id.name, id.ns };
	kb_buf_putc(&b, '{');
	bool first = true;
	for (int i = 0; i < 5; i++) {
		if (kb_str_empty(vals[i]))
			continue;
		kb_buf_printf(&b, "%s\"%s\":\"%s\"", first ? "" : ",", keys[i], vals[i]);
		first = false;
	}
	kb_buf_putc(&b, '}');
	kb_resid_free(&id);
	return kb_buf_detach(&b);
}

/* ---- running ---- */

static char **exec_environment(const kb_ext_plugin *p, kb_warnings *w)
{
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **env = kb_xcalloc(n + 3, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!kb_str_has_prefix(environ[i], "KUSTOMIZE_PLUGIN_CONFIG_STRING=") &&
		    !kb_str_has_prefix(environ[i], "KUSTOMIZE_PLUGIN_CONFIG_ROOT="))
			env[k++] = kb_xstrdup(environ[i]);
	char *s = kb_xasprintf("KUSTOMIZE_PLUGIN_CONFIG_STRING=%s", p->cfg_yaml);
	if (strlen(s) <= MAX_ENV_STRING) {
		env[k++] = s;
	} else {
		kb_warn(w, p->cfg->file, p->cfg->doc->line, p->cfg->doc->col,
			"KUSTOMIZE_PLUGIN_CONFIG_STRING exceeds hard limit of %d characters, the "
			"environment variable will be omitted",
			MAX_ENV_STRING);
		free(s);
	}
	s = kb_xasprintf("KUSTOMIZE_PLUGIN_CONFIG_ROOT=%s", p->ld ? p->ld->root : "");
	if (strlen(s) <= MAX_ENV_STRING) {
		env[k++] = s;
	} else {
		kb_warn(w, p->cfg->file, p->cfg->doc->line, p->cfg->doc->col,
			"KUSTOMIZE_PLUGIN_CONFIG_ROOT exceeds hard limit of %d characters, the "
			"environment variable will be omitted",
			MAX_ENV_STRING);
		free(s);
	}
	env[k] = NULL;
	return env;
}

/* invokePlugin: the config in a temporary file as the first argument,
 * input on stdin; *out gets stdout. */
static kb_error *exec_invoke(kb_ctx *ctx, kb_ext_plugin *p, const char *input, size_t len,
			     kb_buf *out)
{
	const kb_resource *cfg = p->cfg;
	const char *tmpdir = getenv("TMPDIR");
	char *tmp = kb_xasprintf("%s/kust-plugin-config-XXXXXX",
				 kb_str_empty(tmpdir) ? "/tmp" : tmpdir);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		kb_error *e = cfg_error(cfg, "creating tmp plugin config file %s: %s", tmp,
					strerror(errno));
		free(tmp);
		return e;
	}
	size_t n = strlen(p->cfg_yaml), off = 0;
	while (off < n) {
		ssize_t w = write(fd, p->cfg_yaml + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (close(fd) != 0 || off < n) {
		kb_error *e = cfg_error(cfg, "writing plugin config to %s: %s", tmp, strerror(errno));
		unlink(tmp);
		free(tmp);
		return e;
	}
	char **argv = kb_xcalloc(p->args.n + 3, sizeof(char *));
	argv[0] = p->exec;
	argv[1] = tmp;
	for (size_t i = 0; i < p->args.n; i++)
		argv[2 + i] = p->args.v[i];
	char **env = exec_environment(p, &ctx->warnings);
	kb_proc_spec ps = { 0 };
	ps.argv = argv;
	ps.env = env;
	/* the kustomization's directory, when it is one on disk */
	ps.cwd = p->ld && kb_is_dir(p->ld->root) ? p->ld->root : NULL;
	ps.input = input ? input : "";
	ps.input_len = len;
	ps.timeout_ms = kb_fn_timeout_ms(ctx->opts);
	ps.max_out = kb_fn_max_output(ctx->opts);
	kb_proc_result pr;
	kb_error *e = NULL;
	if (kb_proc_run(&ps, &pr) != 0) {
		e = cfg_error(cfg, "cannot run exec plugin %s: %s", p->exec, strerror(errno));
	} else {
		char *why = NULL;
		if (pr.timed_out) {
			long ms = (long)kb_fn_timeout_ms(ctx->opts);
			why = kb_xasprintf("timed out after %ld.%03lds (raise the limit with "
					   "--function-timeout)",
					   ms / 1000, ms % 1000);
		} else if (pr.out_overflow) {
			why = kb_xasprintf("printed more than %zu bytes on stdout (the limit)",
					   kb_fn_max_output(ctx->opts));
		} else {
			why = kb_proc_describe(&ps, &pr);
		}
		if (why) {
			kb_buf msg = KB_BUF_INIT;
			kb_buf_printf(&msg, "failure in exec plugin %s (%s): %s", p->display, p->exec,
				      why);
			const char *s = pr.err.data ? pr.err.data : "";
			size_t k = pr.err.len;
			while (k > 0 && (s[k - 1] == '\n' || s[k - 1] == ' '))
				k--;
			if (k) {
				kb_buf_puts(&msg, "\n  stderr:");
				size_t i = 0;
				while (i < k) {
					const char *nl = memchr(s + i, '\n', k - i);
					size_t m = nl ? (size_t)(nl - (s + i)) : k - i;
					kb_buf_printf(&msg, "\n    %.*s", (int)m, s + i);
					i += m + 1;
				}
			}
			e = cfg_error(cfg, "%s", msg.data);
			kb_buf_free(&msg);
			free(why);
		} else {
			kb_buf_append(out, pr.out.data ? pr.out.data : "", pr.out.len);
		}
		kb_proc_result_free(&pr);
	}
	unlink(tmp);
	for (char **x = env; *x; x++)
		free(*x);
	free(env);
	free(argv);
	free(tmp);
	return e;
}

static kb_fn_call fn_call(kb_ctx *ctx, const kb_ext_plugin *p, const kb_node *fn_config)
{
	kb_fn_call c = { 0 };
	c.opts = ctx->opts;
	c.lim = &ctx->lim;
	c.warnings = &ctx->warnings;
	c.spec = p->spec;
	c.fn_config = fn_config;
	c.workdir = p->ld ? p->ld->root : NULL;
	c.name = p->name;
	c.file = p->cfg->file;
	c.line = p->cfg->doc->line;
	c.col = p->cfg->doc->col;
	return c;
}

/* The function's config: the plugin config with local-config set. */
static kb_node *function_config(const kb_ext_plugin *p)
{
	kb_node *fc = kb_node_clone(p->cfg->doc);
	kb_map_set(ann_map(fc, true), LOCAL_CONFIG_ANNOTATION, kb_node_new_str("true"));
	return fc;
}

/* Runs the plugin over input objects (owned; consumed) and returns the
 * documents it produced. */
static kb_error *run_plugin(kb_ctx *ctx, kb_ext_plugin *p, kb_node **items, size_t n,
			    bool generator, kb_node ***docs, size_t *ndocs)
{
	*docs = NULL;
	*ndocs = 0;
	kb_error *e = NULL;
	if (p->spec) {
		kb_node *fc = function_config(p);
		if (generator) {
			/* kustomize feeds a generator its own config as the one
			 * input object */
			items = kb_xmalloc(sizeof(kb_node *));
			items[0] = kb_node_clone(fc);
			n = 1;
		}
		kb_fn_call c = fn_call(ctx, p, fc);
		e = kb_fn_execute(&c, items, n, docs, ndocs);
		kb_node_free(fc);
		return e;
	}
	kb_buf in = KB_BUF_INIT;
	for (size_t i = 0; i < n && !e; i++) {
		if (i)
			kb_buf_puts(&in, "---\n");
		e = kb_emit_doc(&in, items[i]);
	}
	for (size_t i = 0; i < n; i++)
		kb_node_free(items[i]);
	free(items);
	kb_buf out = KB_BUF_INIT;
	if (!e)
		e = exec_invoke(ctx, p, generator ? NULL : (in.data ? in.data : ""), in.len, &out);
	kb_buf_free(&in);
	if (!e) {
		char *display = kb_xasprintf("stdout of exec plugin %s", p->display);
		e = kb_yaml_parse(display, out.data ? out.data : "", out.len, &ctx->lim, docs, ndocs);
		free(display);
		if (e)
			e = kb_error_note(e, p->cfg->file, p->cfg->doc->line, p->cfg->doc->col,
					  "exec plugin %s printed output that is not YAML",
					  p->display);
	}
	kb_buf_free(&out);
	return e;
}

/* The input objects of a transformer or validator: each as kustomize
 * holds it, with its id. */
static kb_node **input_items(const kb_ctx *ctx, const kb_resmap *m)
{
	kb_node **items = kb_xcalloc(m->n ? m->n : 1, sizeof(kb_node *));
	for (size_t i = 0; i < m->n; i++) {
		items[i] = export_state(ctx, m->v[i]);
		char *id = id_yaml(m->v[i]);
		kb_map_set(ann_map(items[i], true), ID_ANNOTATION, kb_node_new_str(id));
		free(id);
	}
	return items;
}

/* The plugin's documents as resources (the resource factory's rules:
 * *List kinds inlined, kind and name required), in *out. */
static kb_error *output_resources(kb_ctx *ctx, const kb_ext_plugin *p, kb_node **docs,
				  size_t ndocs, bool check_dups, kb_resmap *out)
{
	char *display = kb_xasprintf("output of plugin %s", p->display);
	kb_error *e = NULL;
	size_t i;
	for (i = 0; i < ndocs && !e; i++) {
		kb_node *d = docs[i];
		docs[i] = NULL;
		if (!d || d->kind == KB_NULL) {
			kb_node_free(d);
			continue;
		}
		kb_resmap one;
		kb_resmap_init(&one);
		e = kb_acc_add_documents(ctx, &one, &d, 1, display);
		for (size_t k = 0; k < one.n; k++) {
			kb_resource *r = one.v[k];
			one.v[k] = NULL;
			if (!e && check_dups) {
				/* stale: kustomize removes the id it added */
				kb_node *a = ann_map(r->doc, false);
				if (a && kb_map_del(a, ID_ANNOTATION))
					drop_empty_annotations(r->doc);
			}
			if (!e)
				e = import_state(r, display);
			if (!e && check_dups) {
				kb_resid id;
				kb_res_id(r, &id);
				if (kb_resmap_find(out, ctx->schema, &id) >= 0) {
					char *js = id_json(r);
					e = kb_error_new(p->cfg->file, p->cfg->doc->line,
							 p->cfg->doc->col,
							 "plugin %s generated duplicate resource: %s",
							 p->name, js);
					free(js);
				}
				kb_resid_free(&id);
			}
			if (!e && check_dups)
				kb_resmap_append_unchecked(out, r);
			else if (!e)
				e = kb_resmap_append(out, ctx->schema, r);
			else
				kb_resource_free(r);
		}
		one.n = 0;
		kb_resmap_free(&one);
	}
	for (; i < ndocs; i++)
		kb_node_free(docs[i]);
	free(docs);
	free(display);
	return e;
}

kb_error *kb_ext_generate(kb_ctx *ctx, kb_ext_plugin *p, kb_acc *acc)
{
	kb_node **docs;
	size_t ndocs;
	kb_error *e = run_plugin(ctx, p, NULL, 0, true, &docs, &ndocs);
	if (e)
		return e;
	kb_resmap gen;
	kb_resmap_init(&gen);
	e = output_resources(ctx, p, docs, ndocs, false, &gen);
	/* UpdateResourceOptions */
	for (size_t i = 0; !e && i < gen.n; i++) {
		kb_resource *r = gen.v[i];
		const char *hash = ann_text(r->doc, HASH_ANNOTATION);
		char *beh = kb_xstrdup(ann_text(r->doc, BEHAVIOR_ANNOTATION) ? ann_text(r->doc, BEHAVIOR_ANNOTATION) : "");
		if (hash) {
			/* strconv.ParseBool */
			static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
			static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
			bool ok = false, val = false;
			for (int k = 0; k < 6; k++) {
				if (strcmp(hash, yes[k]) == 0)
					ok = val = true;
				if (strcmp(hash, no[k]) == 0)
					ok = true;
			}
			if (!ok) {
				e = kb_error_new(p->cfg->file, p->cfg->doc->line, p->cfg->doc->col,
						 "the annotation \"%s\" contains an invalid value (\"%s\") "
						 "on %s '%s' from plugin %s",
						 HASH_ANNOTATION, hash, kb_res_kind(r), kb_res_name(r),
						 p->display);
				free(beh);
				break;
			}
			if (val)
				r->needs_hash = true;
		}
		kb_node *a = ann_map(r->doc, false);
		if (a) {
			kb_map_del(a, HASH_ANNOTATION);
			kb_map_del(a, BEHAVIOR_ANNOTATION);
			drop_empty_annotations(r->doc);
		}
		r->behavior = behavior_parse(beh);
		r->generated = true;
		free(beh);
	}
	for (size_t i = 0; i < gen.n; i++) {
		kb_resource *r = gen.v[i];
		gen.v[i] = NULL;
		if (e) {
			kb_resource_free(r);
			continue;
		}
		kb_origin_set_from_plugin(r->doc, p->cfg);
		e = kb_acc_absorb(ctx, acc, r, p->cfg->file, p->cfg->doc->line, p->cfg->doc->col);
		if (e)
			e = kb_error_note(e, p->cfg->file, p->cfg->doc->line, p->cfg->doc->col,
					  "merging from generator %s", p->display);
	}
	gen.n = 0;
	kb_resmap_free(&gen);
	return e;
}

kb_error *kb_ext_transform(kb_ctx *ctx, kb_ext_plugin *p, kb_resmap *m)
{
	kb_node **docs;
	size_t ndocs;
	kb_error *e = run_plugin(ctx, p, input_items(ctx, m), m->n, false, &docs, &ndocs);
	if (e)
		return e;
	kb_resmap got;
	kb_resmap_init(&got);
	e = output_resources(ctx, p, docs, ndocs, true, &got);
	if (e) {
		kb_resmap_free(&got);
		return e;
	}
	/* UpdateResMapValues: same current id replaces, new ones are
	 * appended, missing ones go */
	size_t before = m->n;
	bool *keep = kb_xcalloc(before + got.n + 1, sizeof(bool));
	for (size_t i = 0; i < got.n; i++) {
		kb_resource *r = got.v[i];
		got.v[i] = NULL;
		kb_resid id;
		kb_res_id(r, &id);
		long idx = kb_resmap_find(m, ctx->schema, &id);
		kb_resid_free(&id);
		if (idx >= 0) {
			kb_resource *old = m->v[idx];
			kb_node_free(old->doc);
			old->doc = r->doc;
			r->doc = NULL;
			kb_strv_free(&old->prev_names);
			kb_strv_free(&old->prev_ns);
			kb_strv_free(&old->prev_kinds);
			kb_strv_free(&old->refby);
			old->prev_names = r->prev_names;
			old->prev_ns = r->prev_ns;
			old->prev_kinds = r->prev_kinds;
			old->refby = r->refby;
			memset(&r->prev_names, 0, sizeof(kb_strv));
			memset(&r->prev_ns, 0, sizeof(kb_strv));
			memset(&r->prev_kinds, 0, sizeof(kb_strv));
			memset(&r->refby, 0, sizeof(kb_strv));
			kb_resid_free(&old->orig);
			old->orig = r->orig;
			memset(&r->orig, 0, sizeof(r->orig));
			old->behavior = r->behavior;
			old->needs_hash = r->needs_hash;
			old->generated = r->generated;
			kb_resource_free(r);
			keep[idx] = true;
		} else {
			kb_resmap_append_unchecked(m, r);
			keep[m->n - 1] = true;
		}
	}
	got.n = 0;
	kb_resmap_free(&got);
	for (size_t i = m->n; i-- > 0;)
		if (!keep[i])
			kb_resmap_remove(m, i);
	free(keep);
	return NULL;
}

kb_error *kb_ext_validate(kb_ctx *ctx, kb_ext_plugin *p, const kb_resmap *m)
{
	kb_node **docs;
	size_t ndocs;
	kb_error *e = run_plugin(ctx, p, input_items(ctx, m), m->n, false, &docs, &ndocs);
	if (e)
		return e;
	kb_resmap got;
	kb_resmap_init(&got);
	e = output_resources(ctx, p, docs, ndocs, true, &got);
	/* kustomize applies the output to a shallow copy of the map, so added
	 * and dropped objects are ignored, while an object it returns is
	 * replaced by the one read back, which never equals the original
	 * node for node (source positions differ) */
	for (size_t i = 0; !e && i < got.n; i++) {
		kb_resid id;
		kb_res_id(got.v[i], &id);
		long idx = kb_resmap_find(m, ctx->schema, &id);
		kb_resid_free(&id);
		if (idx < 0)
			continue;
		const kb_resource *r = m->v[idx];
		e = kb_error_new(p->cfg->file, p->cfg->doc->line, p->cfg->doc->col,
				 "validator shouldn't modify the resource map: validator %s printed "
				 "%s '%s', and kustomize v5.5.0 counts any object a validator prints "
				 "back as modified (it compares the objects it reads back with the "
				 "originals node by node, source positions included); a validator "
				 "passes only when it prints nothing",
				 p->display, kb_res_kind(r), kb_res_name(r));
	}
	kb_resmap_free(&got);
	return e;
}
