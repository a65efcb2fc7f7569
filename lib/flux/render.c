/*
 * render.c - kb_flux_render: a whole Flux cluster, offline (kbuild/flux.h).
 *
 * PATH is built first (as the flux-system Kustomization builds it), the
 * Flux Kustomizations found in it are queued, and each is rendered as
 * kustomize-controller would: its source resolved to a directory (this
 * repository, a --source mapping, or an ExternalArtifact assembled from
 * its ArtifactGenerator's copy rules), the kustomization generated or
 * rewritten in memory and laid over the source's artifact view, built
 * with kb_build, then post-build substitution, owner labels and
 * commonMetadata.  The Kustomizations it produces are queued in turn.
 * A Kustomization is rendered once its dependsOn are, and, when it can
 * be, after the Kustomizations that render the ConfigMaps and Secrets its
 * substituteFrom reads.
 */
#include "kbuild.h"
#include "artifact.h"
#include "diag.h"
#include "emit.h"
#include "fs.h"
#include "gen.h"
#include "hooks.h"
#include "parse.h"
#include "repo.h"
#include "result.h"
#include "secrets.h"
#include "source.h"
#include "varsub.h"
#include "write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KS_GROUP "kustomize.toolkit.fluxcd.io"
#define OWNER_NAME KS_GROUP "/name"
#define OWNER_NS KS_GROUP "/namespace"

enum { ST_PENDING, ST_DONE, ST_FAILED, ST_SKIPPED };

struct kb_flux_ks {
	char *ns, *name, *key; /* key: "ns/name" */
	char *file;
	unsigned line, col;
	kb_node *obj; /* the object as its parent applies it */
	char *parent;
	/* the cluster the object lives in, and the one its resources go to
	 * ("" for the cluster PATH belongs to; "kubeConfig NS/NAME" for one
	 * reached through spec.kubeConfig) */
	char *cluster, *target;
	bool root;
	char *source;
	char *dir;
	kb_strv deps;
	unsigned *dep_line, *dep_col;
	int state;
	bool visiting; /* cycle search */
	kb_node **docs;
	char **doc_files;
	size_t ndocs;
	kb_buf yaml;
	kb_error *err;
	kb_warnings warnings;
	bool selected;
	double seconds; /* wall time of its render */
};

struct kb_flux_result {
	kb_flux_ks **all; /* discovery order */
	size_t n, cap;
	kb_flux_ks **order; /* apply order */
	size_t norder;
	kb_buf yaml;
	kb_warnings warnings;
	kb_flux_stats stats;
	bool root_shown;
};

typedef struct srcmap {
	char *key; /* Kind/ns/name */
	char *dir;
} srcmap;

/* A source's artifact view; views of the same directory with the same
 * rules are shared (the tree is walked once). */
typedef struct viewent {
	char *key;  /* Kind/ns/name, or "(root)" */
	char *root;
	char *ignore; /* spec.ignore, "" for none */
	kb_flux_view *view;
	bool owner; /* frees view (and art) */
	kb_flux_artifact *art; /* ExternalArtifact: its files' origins */
} viewent;

typedef struct rctx {
	const kb_flux_options *o;
	kb_options bopts;
	const kb_fs *base;
	kb_memfs *artifacts; /* ExternalArtifacts, over base */
	const kb_fs *afs;
	char *path;
	char *path_display;
	bool path_is_dir;
	char *git_root;
	char *user_root; /* --repo-root, canonical */
	char *repo_root;
	char *repo_source; /* Kind/ns/name of this repository */
	srcmap *maps;
	size_t nmaps;
	viewent *views;
	size_t nviews, capviews;
	kb_node **vals;
	char **val_files;
	size_t nvals;
	kb_strv extra_ignore;
	kb_node **rootdocs;
	char **rootfiles;
	size_t nroot;
	kb_flux_result *res;
} rctx;

void kb_flux_options_init(kb_flux_options *o)
{
	memset(o, 0, sizeof(*o));
	o->version = KB_FLUX_OPTIONS_VERSION;
}

/* ---- small helpers ---- */

static bool is_flux_ks(const kb_node *d)
{
	const char *av = kb_map_get_str(d, "apiVersion");
	return av && kb_str_has_prefix(av, KS_GROUP "/") &&
	       kb_streq(kb_map_get_str(d, "kind"), "Kustomization");
}

static const char *doc_ns(const kb_node *d)
{
	const char *ns = kb_node_get_str(d, "metadata", "namespace", NULL);
	return ns ? ns : "";
}

static const char *doc_name(const kb_node *d)
{
	const char *n = kb_node_get_str(d, "metadata", "name", NULL);
	return n ? n : "";
}

static bool api_group_is(const kb_node *d, const char *group)
{
	const char *av = kb_map_get_str(d, "apiVersion");
	size_t gl = strlen(group);
	return av && strncmp(av, group, gl) == 0 && av[gl] == '/';
}

static kb_flux_ks *ks_new(const char *ns, const char *name)
{
	kb_flux_ks *k = kb_xcalloc(1, sizeof(*k));
	k->ns = kb_xstrdup(ns);
	k->name = kb_xstrdup(name);
	k->key = kb_xasprintf("%s/%s", ns, name);
	k->parent = kb_xstrdup("");
	k->cluster = kb_xstrdup("");
	k->target = kb_xstrdup("");
	k->source = kb_xstrdup("");
	k->file = kb_xstrdup("");
	return k;
}

static void ks_free(kb_flux_ks *k)
{
	if (!k)
		return;
	free(k->ns);
	free(k->name);
	free(k->key);
	free(k->file);
	kb_node_free(k->obj);
	free(k->parent);
	free(k->cluster);
	free(k->target);
	free(k->source);
	free(k->dir);
	kb_strv_free(&k->deps);
	free(k->dep_line);
	free(k->dep_col);
	for (size_t i = 0; i < k->ndocs; i++) {
		kb_node_free(k->docs[i]);
		free(k->doc_files[i]);
	}
	free(k->docs);
	free(k->doc_files);
	kb_buf_free(&k->yaml);
	kb_error_free(k->err);
	kb_warnings_free(&k->warnings);
	free(k);
}

/* The Kustomization ns/name of a cluster (NULL: any). */
static kb_flux_ks *find_ks_in(const kb_flux_result *r, const char *cluster, const char *key)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->all[i]->key, key) == 0 && !r->all[i]->root &&
		    (!cluster || strcmp(r->all[i]->cluster, cluster) == 0))
			return r->all[i];
	return NULL;
}

/* A dependency of k: in k's cluster. */
static kb_flux_ks *find_dep(const kb_flux_result *r, const kb_flux_ks *k, const char *key)
{
	return find_ks_in(r, k->cluster, key);
}

static void add_ks(kb_flux_result *r, kb_flux_ks *k)
{
	kb_grow((void **)&r->all, &r->cap, r->n + 1, sizeof(*r->all));
	r->all[r->n++] = k;
}

static void push_order(kb_flux_result *r, kb_flux_ks *k)
{
	r->order = kb_xrealloc(r->order, (r->norder + 1) * sizeof(*r->order));
	r->order[r->norder++] = k;
}

/* "Kustomization ns/name (file:line)" for notes */
static kb_error *note_ks(kb_error *e, const kb_flux_ks *k)
{
	if (k->root)
		return kb_error_note(e, k->file, 0, 0, "while building %s", k->file);
	return kb_error_note(e, k->file, k->line, k->col, "in Kustomization %s", k->key);
}

static void fail_ks(kb_flux_ks *k, kb_error *e)
{
	k->state = ST_FAILED;
	kb_error_free(k->err);
	k->err = note_ks(e, k);
}

/* ---- options ---- */

static kb_error *parse_source_maps(rctx *c)
{
	static const char *const kinds[] = { "GitRepository", "OCIRepository", "Bucket",
					     "ExternalArtifact" };
	for (size_t i = 0; i < c->o->nsources; i++) {
		const char *s = c->o->sources[i];
		const char *eq = strchr(s, '=');
		kb_error *e = NULL;
		if (!eq || eq == s || !eq[1]) {
			e = kb_error_new(NULL, 0, 0,
					 "--source '%s': expected KIND/NAMESPACE/NAME=DIR", s);
		} else {
			char *key = kb_xstrndup(s, (size_t)(eq - s));
			char *k1 = strchr(key, '/');
			char *k2 = k1 ? strchr(k1 + 1, '/') : NULL;
			bool kind_ok = false;
			if (k1 && k2 && !strchr(k2 + 1, '/') && k2[1] && k2 > k1 + 1) {
				*k1 = '\0';
				for (size_t j = 0; j < sizeof(kinds) / sizeof(*kinds); j++)
					kind_ok = kind_ok || strcmp(key, kinds[j]) == 0;
				*k1 = '/';
			}
			if (!kind_ok) {
				e = kb_error_new(NULL, 0, 0,
						 "--source '%s': expected KIND/NAMESPACE/NAME=DIR with "
						 "KIND one of GitRepository, OCIRepository, Bucket, "
						 "ExternalArtifact",
						 s);
				free(key);
			} else {
				char *dir = kb_fs_realpath(c->base, eq + 1);
				if (!dir || !kb_fs_is_dir(c->base, dir)) {
					e = kb_error_new(eq + 1, 0, 0, "--source %s: %s", key,
							 dir ? "not a directory" : strerror(errno));
					free(dir);
					free(key);
				} else {
					c->maps = kb_xrealloc(c->maps, (c->nmaps + 1) * sizeof(*c->maps));
					c->maps[c->nmaps].key = key;
					c->maps[c->nmaps].dir = dir;
					c->nmaps++;
				}
			}
		}
		if (e) {
			e->code = KB_ERR_USAGE;
			return e;
		}
	}
	return NULL;
}

static kb_error *load_values(rctx *c)
{
	for (size_t i = 0; i < c->o->nvalues_from; i++) {
		const char *f = c->o->values_from[i];
		char *abs = kb_fs_realpath(c->base, f);
		size_t len;
		char *text = abs ? kb_fs_read(c->base, abs, &len) : NULL;
		free(abs);
		if (!text) {
			kb_error *e = kb_error_new(f, 0, 0, "--values-from: cannot read: %s",
						   strerror(errno));
			e->code = KB_ERR_USAGE;
			return e;
		}
		kb_node **docs = NULL;
		size_t nd = 0;
		kb_parse_limits lim = { .max_depth = c->bopts.max_depth, .max_nodes = c->bopts.max_nodes };
		kb_error *e = kb_yaml_parse(f, text, len, &lim, &docs, &nd);
		free(text);
		if (e)
			return kb_error_note(e, NULL, 0, 0, "in --values-from %s", f);
		for (size_t d = 0; d < nd; d++) {
			const char *kind = kb_map_get_str(docs[d], "kind");
			if (docs[d]->kind != KB_MAP ||
			    (!kb_streq(kind, "ConfigMap") && !kb_streq(kind, "Secret"))) {
				kb_error *e2 = kb_error_new(f, docs[d]->line, docs[d]->col,
							    "--values-from files hold ConfigMaps and "
							    "Secrets; found %s",
							    kind ? kind : "a document without kind");
				e2->code = KB_ERR_USAGE;
				kb_docs_free(docs, nd);
				return e2;
			}
			c->vals = kb_xrealloc(c->vals, (c->nvals + 1) * sizeof(*c->vals));
			c->val_files = kb_xrealloc(c->val_files, (c->nvals + 1) * sizeof(char *));
			c->vals[c->nvals] = docs[d];
			c->val_files[c->nvals] = kb_xstrdup(f);
			c->nvals++;
		}
		free(docs);
	}
	return NULL;
}

/* ---- views of sources ---- */

static viewent *view_lookup(rctx *c, const char *key)
{
	for (size_t i = 0; i < c->nviews; i++)
		if (strcmp(c->views[i].key, key) == 0)
			return &c->views[i];
	return NULL;
}

/* An object rendered so far (by a Kustomization, latest first, then by
 * the root pass), by API group (NULL: any), kind, namespace and name. */
static const kb_node *find_object(rctx *c, const char *group, const char *kind, const char *ns,
				  const char *name, const char **file)
{
	kb_flux_result *r = c->res;
	for (size_t i = r->n; i-- > 0;) {
		kb_flux_ks *k = r->all[i];
		for (size_t d = 0; d < k->ndocs; d++) {
			const kb_node *x = k->docs[d];
			if ((!group || api_group_is(x, group)) &&
			    kb_streq(kb_map_get_str(x, "kind"), kind) &&
			    strcmp(doc_name(x), name) == 0 && strcmp(doc_ns(x), ns) == 0) {
				if (file)
					*file = k->doc_files[d];
				return x;
			}
		}
	}
	for (size_t d = 0; d < c->nroot; d++) {
		const kb_node *x = c->rootdocs[d];
		if ((!group || api_group_is(x, group)) && kb_streq(kb_map_get_str(x, "kind"), kind) &&
		    strcmp(doc_name(x), name) == 0 && strcmp(doc_ns(x), ns) == 0) {
			if (file)
				*file = c->rootfiles[d];
			return x;
		}
	}
	return NULL;
}

static viewent *push_view(rctx *c)
{
	/* entries are reached by index while the array may move */
	kb_grow((void **)&c->views, &c->capviews, c->nviews + 1, sizeof(*c->views));
	viewent *v = &c->views[c->nviews++];
	memset(v, 0, sizeof(*v));
	return v;
}

static kb_error *make_view(rctx *c, const char *key, const char *dir, const kb_node *srcobj,
			   viewent **out)
{
	viewent *v = view_lookup(c, key);
	if (v) {
		*out = v;
		return NULL;
	}
	const char *ign = srcobj ? kb_node_get_str(srcobj, "spec", "ignore", NULL) : NULL;
	for (size_t i = 0; i < c->nviews; i++) {
		viewent *o = &c->views[i];
		if (!o->art && o->root && strcmp(o->root, dir) == 0 &&
		    strcmp(o->ignore, ign ? ign : "") == 0) {
			kb_flux_view *shared = o->view;
			v = push_view(c);
			v->key = kb_xstrdup(key);
			v->root = kb_xstrdup(dir);
			v->ignore = kb_xstrdup(ign ? ign : "");
			v->view = shared;
			*out = v;
			return NULL;
		}
	}
	kb_flux_view_opts vo = { c->afs, dir, ign, &c->extra_ignore, false, false };
	kb_flux_view *view = NULL;
	kb_error *e = kb_flux_view_new(&vo, &view);
	if (e)
		return e;
	v = push_view(c);
	v->key = kb_xstrdup(key);
	v->root = kb_xstrdup(dir);
	v->ignore = kb_xstrdup(ign ? ign : "");
	v->view = view;
	v->owner = true;
	if (kb_flux_view_symlinks(view)) {
		char *d = kb_path_display(dir);
		kb_warn(&c->res->warnings, d, 0, 0,
			"%zu symlink%s left out of the artifact of %s (source-controller does not "
			"archive symlinks)",
			kb_flux_view_symlinks(view), kb_flux_view_symlinks(view) == 1 ? "" : "s",
			kb_str_has_prefix(key, "(root):") ? "this repository" : key);
		free(d);
	}
	*out = v;
	return NULL;
}

static const char *map_lookup(const rctx *c, const char *key)
{
	for (size_t i = 0; i < c->nmaps; i++)
		if (strcmp(c->maps[i].key, key) == 0)
			return c->maps[i].dir;
	return NULL;
}

static const char *kind_group(const char *kind)
{
	if (strcmp(kind, "ExternalArtifact") == 0 || strcmp(kind, "GitRepository") == 0 ||
	    strcmp(kind, "OCIRepository") == 0 || strcmp(kind, "Bucket") == 0 ||
	    strcmp(kind, "HelmChart") == 0)
		return "source.toolkit.fluxcd.io";
	return NULL;
}

static kb_error *resolve_source(rctx *c, const char *kind, const char *ns, const char *name,
				int depth, viewent **out);

/* An ExternalArtifact made by an ArtifactGenerator in its namespace. */
static kb_error *resolve_external(rctx *c, const char *key, const char *ns, const char *name,
				  int depth, viewent **out)
{
	const char *gfile = NULL;
	const kb_node *gen = NULL;
	kb_flux_result *r = c->res;
	/* the generator whose spec.artifacts names it */
	for (size_t pass = 0; pass < 2 && !gen; pass++) {
		size_t nk = pass == 0 ? r->n : 1;
		for (size_t i = 0; i < nk && !gen; i++) {
			kb_node **docs = pass == 0 ? r->all[i]->docs : c->rootdocs;
			char **files = pass == 0 ? r->all[i]->doc_files : c->rootfiles;
			size_t nd = pass == 0 ? r->all[i]->ndocs : c->nroot;
			for (size_t d = 0; d < nd && !gen; d++) {
				const kb_node *x = docs[d];
				if (!api_group_is(x, "source.extensions.fluxcd.io") ||
				    !kb_streq(kb_map_get_str(x, "kind"), "ArtifactGenerator") ||
				    strcmp(doc_ns(x), ns) != 0)
					continue;
				const kb_node *arts = kb_node_get(x, "spec", "artifacts", NULL);
				for (size_t a = 0; arts && arts->kind == KB_SEQ && a < arts->n; a++)
					if (kb_streq(kb_map_get_str(arts->items[a], "name"), name)) {
						gen = x;
						gfile = files[d];
					}
			}
		}
	}
	if (!gen)
		return kb_error_new(NULL, 0, 0,
				    "source %s is not mapped to a directory and no ArtifactGenerator "
				    "in namespace '%s' makes it; give --source %s=DIR",
				    key, ns, key);
	/* resolve the generator's sources */
	const kb_node *srcs = kb_node_get(gen, "spec", "sources", NULL);
	kb_flux_art_source *as = NULL;
	size_t nas = 0;
	kb_error *e = NULL;
	for (size_t i = 0; srcs && srcs->kind == KB_SEQ && i < srcs->n && !e; i++) {
		const kb_node *s = srcs->items[i];
		const char *alias = kb_map_get_str(s, "alias");
		const char *skind = kb_map_get_str(s, "kind");
		const char *sname = kb_map_get_str(s, "name");
		const char *sns = kb_map_get_str(s, "namespace");
		if (kb_str_empty(alias) || kb_str_empty(skind) || kb_str_empty(sname)) {
			e = kb_error_new(gfile, s->line, s->col,
					 "ArtifactGenerator %s/%s: a source needs alias, kind and name",
					 ns, doc_name(gen));
			break;
		}
		viewent *sv = NULL;
		e = resolve_source(c, skind, kb_str_empty(sns) ? ns : sns, sname, depth + 1, &sv);
		if (e) {
			e = kb_error_note(e, gfile, s->line, s->col,
					  "source '%s' of ArtifactGenerator %s/%s", alias, ns,
					  doc_name(gen));
			break;
		}
		as = kb_xrealloc(as, (nas + 1) * sizeof(*as));
		as[nas].alias = alias;
		as[nas].view = sv->view;
		as[nas].art = sv->art;
		nas++;
	}
	const kb_node *arts = kb_node_get(gen, "spec", "artifacts", NULL);
	const kb_node *spec = NULL;
	for (size_t a = 0; !e && arts && a < arts->n; a++)
		if (kb_streq(kb_map_get_str(arts->items[a], "name"), name))
			spec = arts->items[a];
	char *vroot = kb_xasprintf("/.kbuild/ExternalArtifact/%s/%s", ns, name);
	kb_flux_artifact *art = NULL;
	if (!e)
		e = kb_flux_artifact_build(spec, gfile, as, nas, c->artifacts, vroot, &art);
	free(as);
	if (e) {
		free(vroot);
		return kb_error_note(e, gfile, spec ? spec->line : 0, spec ? spec->col : 0,
				     "assembling ExternalArtifact %s/%s from ArtifactGenerator %s/%s",
				     ns, name, ns, doc_name(gen));
	}
	kb_flux_view_opts vo = { c->afs, vroot, NULL, NULL, true, false };
	kb_flux_view *view = NULL;
	e = kb_flux_view_new(&vo, &view);
	free(vroot);
	if (e) {
		kb_flux_artifact_free(art);
		return e;
	}
	viewent *v = push_view(c);
	v->key = kb_xstrdup(key);
	v->view = view;
	v->owner = true;
	v->art = art;
	*out = v;
	return NULL;
}

/* A GitRepository of this repository under another name: the same URL
 * (as this repository's own GitRepository or its git remote gives it) at
 * the same branch. */
static bool same_repo(rctx *c, const kb_node *gr)
{
	const char *url = kb_node_get_str(gr, "spec", "url", NULL);
	const kb_node *ref = kb_node_get(gr, "spec", "ref", NULL);
	const char *branch = kb_map_get_str(ref, "branch");
	if (kb_str_empty(url))
		return false;
	/* a tag, semver range or commit is another revision */
	if (ref && ref->kind == KB_MAP)
		for (size_t i = 0; i < ref->n; i++)
			if (strcmp(ref->pairs[i].key, "branch") != 0)
				return false;
	char *key = kb_flux_git_url_key(url);
	bool same = false;
	/* this repository's GitRepository */
	if (c->repo_source && kb_str_has_prefix(c->repo_source, "GitRepository/")) {
		const char *rest = c->repo_source + strlen("GitRepository/");
		const char *sl = strchr(rest, '/');
		char *rns = sl ? kb_xstrndup(rest, (size_t)(sl - rest)) : NULL;
		const kb_node *self = rns ? find_object(c, "source.toolkit.fluxcd.io", "GitRepository",
							rns, sl + 1, NULL)
					  : NULL;
		free(rns);
		const char *surl = self ? kb_node_get_str(self, "spec", "url", NULL) : NULL;
		if (self != gr && surl) {
			char *sk = kb_flux_git_url_key(surl);
			const char *sb = kb_node_get_str(self, "spec", "ref", "branch", NULL);
			same = strcmp(sk, key) == 0 && (kb_str_empty(branch) || kb_str_empty(sb) ||
							strcmp(branch, sb) == 0);
			free(sk);
		}
	}
	/* the work tree's origin */
	if (!same && c->git_root && c->repo_root && strcmp(c->git_root, c->repo_root) == 0) {
		char *ourl, *obranch;
		kb_flux_git_origin(c->base, c->git_root, &ourl, &obranch);
		if (ourl) {
			char *ok = kb_flux_git_url_key(ourl);
			same = strcmp(ok, key) == 0 && (kb_str_empty(branch) || !obranch ||
							strcmp(branch, obranch) == 0);
			free(ok);
		}
		free(ourl);
		free(obranch);
	}
	free(key);
	return same;
}

static kb_error *resolve_source(rctx *c, const char *kind, const char *ns, const char *name,
				int depth, viewent **out)
{
	*out = NULL;
	if (depth > 16)
		return kb_error_new(NULL, 0, 0,
				    "sources nest too deep (an ArtifactGenerator cycle?)");
	char *key = kb_xasprintf("%s/%s/%s", kind, ns, name);
	viewent *v = view_lookup(c, key);
	kb_error *e = NULL;
	if (v) {
		*out = v;
		free(key);
		return NULL;
	}
	const kb_node *srcobj = kind_group(kind) ? find_object(c, kind_group(kind), kind, ns, name, NULL)
						 : NULL;
	const char *dir = map_lookup(c, key);
	if (dir) {
		e = make_view(c, key, dir, srcobj, out);
	} else if (c->repo_source && strcmp(key, c->repo_source) == 0) {
		e = make_view(c, key, c->repo_root, srcobj, out);
	} else if (srcobj && strcmp(kind, "GitRepository") == 0 && same_repo(c, srcobj)) {
		e = make_view(c, key, c->repo_root, srcobj, out);
	} else if (strcmp(kind, "ExternalArtifact") == 0) {
		e = resolve_external(c, key, ns, name, depth, out);
	} else if (strcmp(kind, "GitRepository") == 0 || strcmp(kind, "OCIRepository") == 0 ||
		   strcmp(kind, "Bucket") == 0) {
		e = kb_error_new(NULL, 0, 0,
				 "source %s is not mapped to a directory; give --source %s=DIR "
				 "(this repository is %s)",
				 key, key, c->repo_source ? c->repo_source : "unknown");
	} else {
		e = kb_error_new(NULL, 0, 0,
				 "source kind '%s' is not supported (GitRepository, OCIRepository, "
				 "Bucket, ExternalArtifact)",
				 kind);
	}
	free(key);
	return e;
}

/* ---- one build ---- */

typedef struct built {
	kb_node **docs;
	char **files;
	size_t n;
} built;

static void built_free(built *b)
{
	for (size_t i = 0; i < b->n; i++) {
		kb_node_free(b->docs[i]);
		free(b->files[i]);
	}
	free(b->docs);
	free(b->files);
	memset(b, 0, sizeof(*b));
}

/* The frames of e, primary first (at most 65). */
static size_t frames_of(kb_error *e, kb_frame **fr)
{
	size_t n = 0;
	fr[n++] = &e->primary;
	for (size_t i = 0; i < e->nnotes && n < 65; i++)
		fr[n++] = &e->notes[i];
	return n;
}

/* Rewrites the frames of a build's diagnostic (an error or a warning):
 * positions in the laid-over kustomization (g's, when it wrote one) go
 * back to where the content came from -- the user's file, or the Flux
 * Kustomization's spec (ks_file) -- and files of an ExternalArtifact
 * become the repository files they were copied from.  Returns how the
 * primary frame was mapped (KB_GEN_POS_*), -1 when it is not in the
 * laid-over file. */
static int remap_diag(kb_error *e, kb_flux_gen *g, const char *ks_file, const viewent *v)
{
	kb_frame *fr[65];
	size_t n = frames_of(e, fr);
	int primary = -1;
	char *kdisp = g && g->data ? kb_path_display(g->kfile) : NULL;
	for (size_t i = 0; kdisp && i < n; i++) {
		if (!fr[i]->file || strcmp(fr[i]->file, kdisp) != 0)
			continue;
		unsigned ol, oc;
		int m = kb_flux_gen_map_pos(g, fr[i]->line, fr[i]->col, &ol, &oc);
		fr[i]->line = ol;
		fr[i]->col = oc;
		if (m == KB_GEN_POS_SPEC) {
			free(fr[i]->file);
			fr[i]->file = kb_xstrdup(ks_file);
		}
		if (i == 0)
			primary = m;
	}
	free(kdisp);
	for (size_t i = 0; v && v->art && i < n; i++) {
		const char *o = fr[i]->file ? kb_flux_artifact_origin(v->art, fr[i]->file) : NULL;
		if (o) {
			free(fr[i]->file);
			fr[i]->file = kb_xstrdup(o);
		}
	}
	return primary;
}

static kb_error *build_dir(rctx *c, viewent *v, const char *dir, const kb_node *ks,
			   const char *ks_file, built *out, kb_warnings *warn, kb_strv *notes)
{
	memset(out, 0, sizeof(*out));
	const kb_fs *vfs = kb_flux_view_fs(v->view);
	kb_parse_limits lim = { .max_depth = c->bopts.max_depth, .max_nodes = c->bopts.max_nodes };
	kb_flux_gen g;
	kb_error *e = kb_flux_generate(vfs, dir, ks, ks_file, &lim, &g);
	if (e) {
		remap_diag(e, NULL, ks_file, v);
		return e;
	}
	for (size_t i = 0; i < g.dropped.n; i++) {
		const char *disp = kb_flux_artifact_origin(v->art, g.kfile);
		char *d = disp ? kb_xstrdup(disp) : kb_path_display(g.kfile);
		kb_warn(warn, d, 0, 0,
			"unknown field '%s': kustomize-controller drops it (kustomize build would "
			"refuse the file)",
			g.dropped.v[i]);
		free(d);
	}
	if (notes)
		for (size_t i = 0; i < g.notes.n; i++)
			kb_strv_push(notes, g.notes.v[i]);
	kb_memfs *ov = NULL;
	kb_strv paths = { 0 };
	if (g.data) {
		ov = kb_memfs_new(c->afs);
		kb_memfs_add(ov, g.kfile, g.data, g.len);
		kb_strv_push(&paths, g.kfile);
		kb_flux_view_set_overlay(v->view, kb_memfs_fs(ov), &paths);
	}
	kb_options bo = c->bopts;
	bo.version = KB_OPTIONS_VERSION;
	bo.path = dir;
	bo.fs = vfs;
	kb_result *res = NULL;
	e = kb_build(&bo, &res);
	kb_flux_view_set_overlay(v->view, c->afs, NULL);
	if (e) {
		remap_diag(e, &g, ks_file, v);
		/* what the build warned before it failed is this
		 * Kustomization's, as on success */
		for (size_t i = 0; i < e->nwarnings; i++) {
			remap_diag(e->warnings[i], &g, ks_file, v);
			kb_warnings_add(warn, e->warnings[i]);
		}
		free(e->warnings);
		e->warnings = NULL;
		e->nwarnings = 0;
		kb_buf what = KB_BUF_INIT;
		for (size_t i = 0; i < g.notes.n; i++)
			kb_buf_printf(&what, "%sspec.%s", i ? ", " : "", g.notes.v[i]);
		if (g.created) {
			char *d = kb_path_display(dir);
			e = kb_error_note(e, NULL, 0, 0,
					  "%s has no kustomization file: kustomize-controller generates "
					  "one listing every .yaml/.yml file below it%s%s%s%s",
					  d, what.len ? ", with " : "", what.len ? what.data : "",
					  what.len ? " of " : "", what.len ? ks_file : "");
			free(d);
		} else if (g.data) {
			const char *o = kb_flux_artifact_origin(v->art, g.kfile);
			char *d = o ? kb_xstrdup(o) : kb_path_display(g.kfile);
			if (g.dropped.n)
				kb_buf_printf(&what, "%sunknown fields dropped", what.len ? ", " : "");
			if (!what.len)
				kb_buf_puts(&what, "buildMetadata for a kustomization without resources");
			e = kb_error_note(e, NULL, 0, 0,
					  "kustomize-controller builds %s with %s of %s laid over it; "
					  "line numbers in it are those of the rewritten file",
					  d, what.data, ks_file);
			free(d);
		}
		kb_buf_free(&what);
	}
	kb_memfs_free(ov);
	kb_strv_free(&paths);
	if (!e) {
		kb_node *const *docs;
		size_t n = kb_result_docs(res, &docs);
		out->docs = kb_xcalloc(n ? n : 1, sizeof(kb_node *));
		out->files = kb_xcalloc(n ? n : 1, sizeof(char *));
		for (size_t i = 0; i < n; i++) {
			out->docs[i] = kb_node_clone(docs[i]);
			const char *f = kb_result_doc_file(res, i);
			const char *o = kb_flux_artifact_origin(v->art, f);
			out->files[i] = kb_xstrdup(o ? o : f ? f : "");
		}
		out->n = n;
		for (size_t i = 0; i < kb_result_warning_count(res); i++) {
			kb_error *w = kb_error_clone(kb_result_warning_diag(res, i));
			int m = remap_diag(w, &g, ks_file, v);
			/* a deprecation of fields the Flux spec put there: the
			 * user's file has no such field */
			if (m >= 0 && m != KB_GEN_POS_KFILE && strstr(w->primary.msg, " is deprecated"))
				kb_error_free(w);
			else
				kb_warnings_add(warn, w);
		}
	}
	kb_result_free(res);
	kb_flux_gen_free(&g);
	return e;
}

/* ---- Kustomization objects ---- */

/* ---- positions ----
 * The nodes of a Kustomization object carry positions in the file it was
 * read from -- except those a kustomize patch put there, whose positions
 * are in the patch.  A position is kept only where that file's line holds
 * the key or text; others are cleared, and messages then name the
 * object's own line. */

static bool line_has(char **lines, size_t n, unsigned min, unsigned line, const char *text)
{
	if (!line || line < min || line > n)
		return false;
	char frag[32];
	size_t l = strcspn(text, "\n");
	if (l > sizeof(frag) - 1)
		l = sizeof(frag) - 1;
	memcpy(frag, text, l);
	frag[l] = '\0';
	return !*frag || strstr(lines[line - 1], frag) != NULL;
}

static void check_positions(kb_node *n, char **lines, size_t nl, unsigned min, int depth)
{
	if (depth > 64)
		return;
	if (n->kind == KB_MAP) {
		for (size_t i = 0; i < n->n; i++) {
			kb_pair *p = &n->pairs[i];
			if (!line_has(lines, nl, min, p->line, p->key))
				p->line = p->col = 0;
			check_positions(p->val, lines, nl, min, depth + 1);
		}
		if (n->n == 0 || n->pairs[0].line != n->line)
			n->line = n->col = 0;
	} else if (n->kind == KB_SEQ) {
		for (size_t i = 0; i < n->n; i++)
			check_positions(n->items[i], lines, nl, min, depth + 1);
		if (n->n == 0 || n->items[0]->line != n->line || !n->items[0]->line)
			n->line = n->col = 0;
	} else if (n->kind == KB_STR ? !line_has(lines, nl, min, n->line, n->str)
				       : !line_has(lines, nl, min, n->line, kb_node_text(n))) {
		n->line = n->col = 0;
	}
}

static void sanitize_positions(const rctx *c, kb_node *obj, const char *file)
{
	if (!file || !*file || !obj->line)
		return;
	char *abs;
	if (file[0] == '/') {
		abs = kb_xstrdup(file);
	} else {
		char *cwd = getcwd(NULL, 0);
		abs = kb_path_join(cwd ? cwd : "/", file);
		free(cwd);
	}
	size_t len;
	char *text = kb_fs_read(c->base, abs, &len);
	free(abs);
	if (!text)
		return;
	kb_strv lines = { 0 };
	for (char *p = text, *e; *p; p = e + 1) {
		e = strchr(p, '\n');
		if (!e) {
			kb_strv_push(&lines, p);
			break;
		}
		*e = '\0';
		kb_strv_push(&lines, p);
	}
	unsigned min = obj->line;
	unsigned keep_line = obj->line, keep_col = obj->col;
	check_positions(obj, lines.v, lines.n, min, 0);
	obj->line = keep_line;
	obj->col = keep_col;
	kb_strv_free(&lines);
	free(text);
}

/* A node's line, or the object's when the node has none. */
static unsigned lpos(const kb_flux_ks *k, const kb_node *n)
{
	return n && n->line ? n->line : k->line;
}

static unsigned cpos(const kb_flux_ks *k, const kb_node *n)
{
	return n && n->line ? n->col : k->col;
}

static kb_flux_ks *ks_from_object(const rctx *c, const kb_node *d, const char *file,
				  const char *parent, const char *cluster)
{
	const char *ns = doc_ns(d);
	kb_flux_ks *k = ks_new(*ns ? ns : "default", doc_name(d));
	free(k->cluster);
	k->cluster = kb_xstrdup(cluster ? cluster : "");
	const kb_node *kc = kb_node_get(d, "spec", "kubeConfig", NULL);
	free(k->target);
	if (kc && kc->kind == KB_MAP) {
		const char *sn = kb_node_get_str(kc, "secretRef", "name", NULL);
		const char *cn = kb_node_get_str(kc, "configMapRef", "name", NULL);
		k->target = kb_xasprintf("kubeConfig %s/%s", k->ns, sn ? sn : cn ? cn : "?");
	} else {
		k->target = kb_xstrdup(k->cluster);
	}
	free(k->file);
	k->file = kb_xstrdup(file ? file : "");
	k->line = d->line;
	k->col = d->col;
	k->obj = kb_node_clone(d);
	sanitize_positions(c, k->obj, k->file);
	free(k->parent);
	k->parent = kb_xstrdup(parent ? parent : "");
	if (!*ns)
		kb_warn(&k->warnings, k->file, k->line, 0,
			"Kustomization '%s' has no namespace; it is read as 'default' (the API "
			"server refuses a namespaced object without one when it is applied)",
			k->name);
	const kb_node *deps = kb_node_get(k->obj, "spec", "dependsOn", NULL);
	for (size_t i = 0; deps && deps->kind == KB_SEQ && i < deps->n; i++) {
		const kb_node *it = deps->items[i];
		const char *dn = kb_map_get_str(it, "name");
		const char *dns = kb_map_get_str(it, "namespace");
		if (kb_str_empty(dn))
			continue;
		kb_strv_push_owned(&k->deps, kb_xasprintf("%s/%s", kb_str_empty(dns) ? k->ns : dns, dn));
		k->dep_line = kb_xrealloc(k->dep_line, k->deps.n * sizeof(unsigned));
		k->dep_col = kb_xrealloc(k->dep_col, k->deps.n * sizeof(unsigned));
		k->dep_line[k->deps.n - 1] = lpos(k, it);
		k->dep_col[k->deps.n - 1] = cpos(k, it);
	}
	return k;
}

/* Queues the Flux Kustomizations among docs (produced by `by`). */
static void discover(rctx *c, kb_flux_ks *by, kb_node **docs, char **files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_flux_ks(docs[i]))
			continue;
		const char *ns = doc_ns(docs[i]);
		char *key = kb_xasprintf("%s/%s", *ns ? ns : "default", doc_name(docs[i]));
		const char *cl = by ? by->target : "";
		kb_flux_ks *old = find_ks_in(c->res, cl, key);
		if (!old) {
			add_ks(c->res, ks_from_object(c, docs[i], files[i], by ? by->key : "", cl));
		} else if (old != by && by && strcmp(old->parent, by->key) != 0) {
			kb_warn(&by->warnings, files[i], docs[i]->line, 0,
				"Kustomization %s is also applied by %s; the two fight over it "
				"(kept the first)",
				key, *old->parent ? old->parent : "the root");
		}
		free(key);
	}
}

/* ---- post-build ---- */

static const kb_node *find_values_object(rctx *c, const char *kind, const char *ns,
					 const char *name, const char **file, bool *from_flag)
{
	for (size_t i = 0; i < c->nvals; i++) {
		const kb_node *d = c->vals[i];
		const char *dns = doc_ns(d);
		if (kb_streq(kb_map_get_str(d, "kind"), kind) && strcmp(doc_name(d), name) == 0 &&
		    (!*dns || strcmp(dns, ns) == 0)) {
			*file = c->val_files[i];
			*from_flag = true;
			return d;
		}
	}
	*from_flag = false;
	const kb_node *d = find_object(c, NULL, kind, ns, name, file);
	/* core v1 objects only */
	if (d && !kb_streq(kb_map_get_str(d, "apiVersion"), "v1"))
		d = NULL;
	return d;
}

/* A Secret the cluster makes from an object rendered from the
 * repository (an ExternalSecret, a SealedSecret): its values cannot be
 * known offline.  Returns what makes it ("ExternalSecret ns/name"; caller
 * frees), or NULL. */
static char *made_in_cluster(rctx *c, const char *kind, const char *ns, const char *name)
{
	if (strcmp(kind, "Secret") != 0)
		return NULL;
	kb_flux_result *r = c->res;
	for (size_t i = 0; i < r->n; i++) {
		const kb_flux_ks *k = r->all[i];
		for (size_t d = 0; d < k->ndocs; d++) {
			const kb_node *x = k->docs[d];
			if (strcmp(doc_ns(x), ns) != 0)
				continue;
			const char *xk = kb_map_get_str(x, "kind");
			const char *target = NULL;
			if (kb_streq(xk, "ExternalSecret") && api_group_is(x, "external-secrets.io")) {
				target = kb_node_get_str(x, "spec", "target", "name", NULL);
				if (kb_str_empty(target))
					target = doc_name(x);
			} else if (kb_streq(xk, "SealedSecret") && api_group_is(x, "bitnami.com")) {
				target = kb_node_get_str(x, "spec", "template", "metadata", "name", NULL);
				if (kb_str_empty(target))
					target = doc_name(x);
			}
			if (target && strcmp(target, name) == 0)
				return kb_xasprintf("%s %s/%s", xk, ns, doc_name(x));
		}
	}
	return NULL;
}

static bool values_ready(rctx *c, const kb_flux_ks *k)
{
	const kb_node *refs = kb_node_get(k->obj, "spec", "postBuild", "substituteFrom", NULL);
	for (size_t i = 0; refs && refs->kind == KB_SEQ && i < refs->n; i++) {
		const kb_node *r = refs->items[i];
		const char *kind = kb_map_get_str(r, "kind"), *name = kb_map_get_str(r, "name");
		const kb_node *opt = kb_map_get(r, "optional");
		if (opt && opt->kind == KB_BOOL && strcmp(opt->str, "true") == 0)
			continue;
		if (!kind || !name)
			continue;
		const char *f;
		bool flag;
		char *maker = NULL;
		if (!find_values_object(c, kind, k->ns, name, &f, &flag) &&
		    !(maker = made_in_cluster(c, kind, k->ns, name)))
			return false;
		free(maker);
	}
	return true;
}

static kb_error *load_vars(rctx *c, kb_flux_ks *k, const kb_node *pb, const built *own,
			   kb_flux_vars *vars)
{
	const kb_node *refs = kb_map_get(pb, "substituteFrom");
	if (refs && refs->kind != KB_SEQ && refs->kind != KB_NULL)
		return kb_error_new(k->file, lpos(k, refs), cpos(k, refs),
				    "spec.postBuild.substituteFrom must be a list");
	for (size_t i = 0; refs && refs->kind == KB_SEQ && i < refs->n; i++) {
		const kb_node *r = refs->items[i];
		const char *kind = kb_map_get_str(r, "kind"), *name = kb_map_get_str(r, "name");
		const kb_node *opt = kb_map_get(r, "optional");
		bool optional = opt && opt->kind == KB_BOOL && strcmp(opt->str, "true") == 0;
		if (!kb_streq(kind, "ConfigMap") && !kb_streq(kind, "Secret"))
			return kb_error_new(k->file, lpos(k, r), cpos(k, r),
					    "spec.postBuild.substituteFrom[%zu].kind must be ConfigMap "
					    "or Secret",
					    i);
		if (kb_str_empty(name))
			return kb_error_new(k->file, lpos(k, r), cpos(k, r),
					    "spec.postBuild.substituteFrom[%zu] needs a name", i);
		const char *file = NULL;
		bool from_flag = false;
		const kb_node *obj = find_values_object(c, kind, k->ns, name, &file, &from_flag);
		for (size_t d = 0; !obj && own && d < own->n; d++) {
			/* one of its own resources: in the cluster, the copy it
			 * applied last time */
			const kb_node *x = own->docs[d];
			if (kb_streq(kb_map_get_str(x, "kind"), kind) &&
			    kb_streq(kb_map_get_str(x, "apiVersion"), "v1") &&
			    strcmp(doc_name(x), name) == 0 && strcmp(doc_ns(x), k->ns) == 0) {
				obj = x;
				file = own->files[d];
				kb_warn(&k->warnings, k->file, lpos(k, r), cpos(k, r),
					"substituteFrom %s %s/%s is one of this Kustomization's own "
					"resources: its values are the ones it applied before (a first "
					"apply to an empty cluster fails)",
					kind, k->ns, name);
			}
		}
		char *maker = obj ? NULL : made_in_cluster(c, kind, k->ns, name);
		if (maker) {
			vars->unknown_possible = true;
			kb_warn(&k->warnings, k->file, lpos(k, r), cpos(k, r),
				"substituteFrom Secret %s/%s is made in the cluster by %s; its "
				"variables are kept as written (give its values with --values-from)",
				k->ns, name, maker);
			free(maker);
			continue;
		}
		if (!obj) {
			if (optional)
				continue;
			if (c->o->skip_unresolved) {
				vars->unknown_possible = true;
				kb_warn(&k->warnings, k->file, lpos(k, r), cpos(k, r),
					"substituteFrom %s %s/%s is neither rendered from the "
					"repository nor given with --values-from; its variables are "
					"kept as written",
					kind, k->ns, name);
				continue;
			}
			return kb_error_new(k->file, lpos(k, r), cpos(k, r),
					    "substituteFrom: %s %s/%s is neither rendered from the "
					    "repository nor given with --values-from (mark it optional, "
					    "give --values-from FILE, or --skip-unresolved)",
					    kind, k->ns, name);
		}
		if (!from_flag && kb_flux_is_sops_secret(obj)) {
			vars->unknown_possible = true;
			kb_warn(&k->warnings, k->file, lpos(k, r), cpos(k, r),
				"substituteFrom Secret %s/%s is SOPS-encrypted; its variables are kept "
				"as written (give a decrypted copy with --values-from)",
				k->ns, name);
			continue;
		}
		kb_strv keys = { 0 }, values = { 0 };
		kb_error *e = kb_flux_object_values(obj, file, &keys, &values);
		if (e) {
			kb_strv_free(&keys);
			kb_strv_free(&values);
			return kb_error_note(e, k->file, lpos(k, r), cpos(k, r), "in substituteFrom");
		}
		char *origin = kb_xasprintf("%s %s/%s", kind, k->ns, name);
		for (size_t j = 0; j < keys.n; j++)
			kb_flux_vars_set(vars, keys.v[j], values.v[j], origin);
		free(origin);
		kb_strv_free(&keys);
		kb_strv_free(&values);
	}
	const kb_node *sub = kb_map_get(pb, "substitute");
	if (sub && sub->kind != KB_MAP && sub->kind != KB_NULL)
		return kb_error_new(k->file, lpos(k, sub), cpos(k, sub),
				    "spec.postBuild.substitute must be a mapping of strings");
	for (size_t i = 0; sub && sub->kind == KB_MAP && i < sub->n; i++) {
		const kb_node *v = sub->pairs[i].val;
		if (v->kind != KB_STR && v->kind != KB_NULL)
			return kb_error_new(k->file, lpos(k, v), cpos(k, v),
					    "spec.postBuild.substitute.%s must be a string (quote it: "
					    "\"%s\"); the API server refuses other types",
					    sub->pairs[i].key, kb_node_text(v));
		kb_flux_vars_set(vars, sub->pairs[i].key, v->kind == KB_NULL ? "" : v->str,
				 "spec.postBuild.substitute");
	}
	return NULL;
}

static char *describe(const kb_node *d)
{
	const char *ns = doc_ns(d);
	return kb_xasprintf("%s %s%s%s", kb_map_get_str(d, "kind") ? kb_map_get_str(d, "kind") : "object",
			    ns, *ns ? "/" : "", doc_name(d));
}

static void set_label(kb_node *d, const char *key, const char *val)
{
	kb_node *md = kb_map_ensure_map(d, "metadata");
	kb_node *l = kb_map_ensure_map(md, "labels");
	kb_map_set(l, key, kb_node_new_str(val));
}

static void set_common_metadata(kb_node *d, const kb_node *cm)
{
	static const char *const fields[2] = { "labels", "annotations" };
	for (int f = 0; f < 2; f++) {
		const kb_node *m = kb_map_get(cm, fields[f]);
		if (!m || m->kind != KB_MAP || m->n == 0)
			continue;
		kb_node *md = kb_map_ensure_map(d, "metadata");
		kb_node *t = kb_map_ensure_map(md, fields[f]);
		for (size_t i = 0; i < m->n; i++) {
			const kb_node *v = m->pairs[i].val;
			kb_map_set(t, m->pairs[i].key,
				   kb_node_new_str(kb_node_is_scalar(v) && v->kind != KB_NULL
							   ? kb_node_text(v)
							   : ""));
		}
	}
}

/* Labels and annotations are strings to the API server; a value that
 * substitution turned into a number or bool (YAML 1.1 reads "yes" and
 * "3" so) is refused when applied.  Looks at every metadata (pod
 * templates too), before and after in step. */
static void warn_retyped(kb_flux_ks *k, const kb_node *before, const kb_node *after,
			 const char *what, const char *file, int depth)
{
	static const char *const fields[2] = { "labels", "annotations" };
	if (!before || !after || depth > 64)
		return;
	if (after->kind == KB_SEQ && before->kind == KB_SEQ) {
		for (size_t i = 0; i < after->n && i < before->n; i++)
			warn_retyped(k, before->items[i], after->items[i], what, file, depth + 1);
		return;
	}
	if (after->kind != KB_MAP || before->kind != KB_MAP)
		return;
	for (size_t p = 0; p < after->n; p++) {
		const kb_node *bv = kb_map_get(before, after->pairs[p].key);
		if (strcmp(after->pairs[p].key, "metadata") != 0 || after->pairs[p].val->kind != KB_MAP) {
			warn_retyped(k, bv, after->pairs[p].val, what, file, depth + 1);
			continue;
		}
		for (int f = 0; f < 2; f++) {
			const kb_node *m = kb_map_get(after->pairs[p].val, fields[f]);
			const kb_node *old = kb_map_get(bv, fields[f]);
			for (size_t i = 0; m && m->kind == KB_MAP && i < m->n; i++) {
				const kb_node *v = m->pairs[i].val;
				if (v->kind != KB_BOOL && v->kind != KB_INT && v->kind != KB_FLOAT)
					continue;
				const kb_node *ov = kb_map_get(old, m->pairs[i].key);
				if (!ov || ov->kind != KB_STR || !strstr(ov->str, "${"))
					continue;
				kb_warn(&k->warnings, file, ov->line, ov->col,
					"%s: %s '%s' is %s after post-build substitution (%s became "
					"%s), which the API server refuses; give the variable a value "
					"that reads as a string (quotes in the value: '\"%s\"')",
					what, f ? "annotation" : "label", m->pairs[i].key,
					v->kind == KB_BOOL ? "a bool" : "a number", ov->str,
					kb_node_text(v), kb_node_text(v));
			}
		}
	}
}

/* The objects as kustomize-controller applies them. */
static kb_error *post_build(rctx *c, kb_flux_ks *k, built *b)
{
	const kb_node *spec = kb_map_get(k->obj, "spec");
	const kb_node *pb = kb_map_get(spec, "postBuild");
	bool strict = c->o->strict_substitute;
	kb_flux_vars vars = { 0 };
	kb_error *e = NULL;
	bool subst = pb && pb->kind == KB_MAP;
	bool always = false;
	if (subst) {
		e = load_vars(c, k, pb, b, &vars);
		always = kb_streq(kb_map_get_str(pb, "substituteStrategy"), "Always");
	}
	kb_strv unknown = { 0 };
	for (size_t i = 0; i < b->n && !e; i++) {
		kb_node *d = b->docs[i];
		if (kb_str_empty(kb_map_get_str(d, "apiVersion")) ||
		    kb_str_empty(kb_map_get_str(d, "kind")) || !*doc_name(d)) {
			e = kb_error_new(b->files[i], d->line, d->col,
					 "an object without apiVersion, kind or metadata.name: "
					 "kustomize-controller refuses it");
			break;
		}
		/* a source of unknown values is taken to hold some */
		if (subst && (vars.names.n > 0 || always || vars.unknown_possible) &&
		    !kb_flux_subst_disabled(d)) {
			char *what = describe(d);
			kb_node *before = kb_node_clone(d);
			e = kb_flux_substitute(&b->docs[i], &vars, strict, what, b->files[i], &unknown);
			if (!e)
				warn_retyped(k, before, b->docs[i], what, b->files[i], 0);
			kb_node_free(before);
			free(what);
			if (e)
				break;
			d = b->docs[i];
		}
		if (!c->o->no_owner_labels) {
			set_label(d, OWNER_NAME, k->name);
			set_label(d, OWNER_NS, k->ns);
		}
		const kb_node *cm = kb_map_get(spec, "commonMetadata");
		if (cm && cm->kind == KB_MAP)
			set_common_metadata(d, cm);
	}
	if (!e && unknown.n) {
		kb_buf b2 = KB_BUF_INIT;
		for (size_t i = 0; i < unknown.n; i++)
			kb_buf_printf(&b2, "%s${%s}", i ? ", " : "", unknown.v[i]);
		kb_warn(&k->warnings, k->file, k->line, 0,
			"variables kept as written (their values are not known offline): %s",
			b2.data);
		kb_buf_free(&b2);
	}
	kb_strv_free(&unknown);
	kb_flux_vars_free(&vars);
	return e;
}

static const char *str_field(const kb_node *m, const char *key)
{
	const kb_node *v = kb_map_get(m, key);
	return v && v->kind == KB_STR ? v->str : NULL;
}

static void take_built(kb_flux_ks *k, built *b)
{
	k->docs = b->docs;
	k->doc_files = b->files;
	k->ndocs = b->n;
	memset(b, 0, sizeof(*b));
}

static void render_ks(rctx *c, kb_flux_ks *k)
{
	const kb_node *spec = kb_map_get(k->obj, "spec");
	if (!spec || spec->kind != KB_MAP) {
		fail_ks(k, kb_error_new(k->file, k->line, k->col, "Kustomization has no spec"));
		return;
	}
	const kb_node *sref = kb_map_get(spec, "sourceRef");
	const char *skind = str_field(sref, "kind"), *sname = str_field(sref, "name");
	const char *sns = str_field(sref, "namespace");
	if (kb_str_empty(skind) || kb_str_empty(sname)) {
		fail_ks(k, kb_error_new(k->file, lpos(k, sref), cpos(k, sref),
					"spec.sourceRef needs kind and name"));
		return;
	}
	if (!kb_map_get(spec, "interval") || !kb_map_get(spec, "prune"))
		kb_warn(&k->warnings, k->file, lpos(k, spec), 0,
			"spec.%s is required: the API server refuses this Kustomization",
			!kb_map_get(spec, "interval") ? "interval" : "prune");
	const kb_node *susp = kb_map_get(spec, "suspend");
	if (susp && susp->kind == KB_BOOL && strcmp(susp->str, "true") == 0)
		kb_warn(&k->warnings, k->file, lpos(k, susp), cpos(k, susp),
			"suspended: kustomize-controller does not apply it until it is resumed");
	free(k->source);
	k->source = kb_xasprintf("%s/%s/%s", skind, kb_str_empty(sns) ? k->ns : sns, sname);
	viewent *v = NULL;
	kb_error *e = resolve_source(c, skind, kb_str_empty(sns) ? k->ns : sns, sname, 0, &v);
	if (e) {
		if (!e->primary.file) {
			e->primary.file = kb_xstrdup(k->file);
			e->primary.line = lpos(k, sref);
			e->primary.col = cpos(k, sref);
		} else {
			e = kb_error_note(e, k->file, lpos(k, sref), cpos(k, sref), "spec.sourceRef");
		}
		if (c->o->skip_unresolved && strstr(e->primary.msg, "not mapped to a directory")) {
			kb_warn(&k->warnings, e->primary.file, e->primary.line, e->primary.col,
				"Kustomization %s skipped: %s", k->key, e->primary.msg);
			kb_error_free(e);
			k->state = ST_SKIPPED;
			return;
		}
		fail_ks(k, e);
		return;
	}
	const kb_node *pnode = kb_map_get(spec, "path");
	const char *path = str_field(spec, "path");
	char *dir = kb_flux_secure_join(kb_flux_view_root(v->view), path ? path : "");
	free(k->dir);
	k->dir = kb_xstrdup(dir);
	kb_file_type t;
	if (kb_fs_stat(kb_flux_view_fs(v->view), dir, true, &t) != 0 || t != KB_FILE_DIR) {
		bool missing = errno == ENOENT || errno == EACCES || t != KB_FILE_DIR;
		char *rootd = kb_path_display(kb_flux_view_root(v->view));
		fail_ks(k, kb_error_new(k->file, lpos(k, pnode), cpos(k, pnode),
					"kustomization path not found: '%s' is %s in source %s%s%s%s",
					path ? path : "", missing ? "not a directory" : "unreadable",
					k->source, v->art ? "" : " (", v->art ? "" : rootd,
					v->art ? "" : ")"));
		free(rootd);
		free(dir);
		return;
	}
	built b;
	e = build_dir(c, v, dir, k->obj, k->file, &b, &k->warnings, NULL);
	free(dir);
	if (!e)
		e = post_build(c, k, &b);
	if (e) {
		built_free(&b);
		fail_ks(k, e);
		return;
	}
	take_built(k, &b);
	k->state = ST_DONE;
	discover(c, k, k->docs, k->doc_files, k->ndocs);
}

/* ---- scheduling ---- */

static bool deps_ready(rctx *c, const kb_flux_ks *k, bool *unknown)
{
	*unknown = false;
	bool ok = true;
	for (size_t i = 0; i < k->deps.n; i++) {
		kb_flux_ks *d = find_dep(c->res, k, k->deps.v[i]);
		if (!d) {
			*unknown = true;
			ok = false;
		} else if (d->state == ST_PENDING) {
			ok = false;
		}
	}
	return ok;
}

/* A cycle through pending Kustomizations starting at k: appends it to path
 * and returns true when found. */
static bool find_cycle(rctx *c, kb_flux_ks *k, kb_flux_ks ***path, size_t *n)
{
	if (k->visiting) {
		/* trim the path to the cycle */
		size_t s = 0;
		while (s < *n && (*path)[s] != k)
			s++;
		memmove(*path, *path + s, (*n - s) * sizeof(**path));
		*n -= s;
		return true;
	}
	k->visiting = true;
	*path = kb_xrealloc(*path, (*n + 1) * sizeof(**path));
	(*path)[(*n)++] = k;
	for (size_t i = 0; i < k->deps.n; i++) {
		kb_flux_ks *d = find_dep(c->res, k, k->deps.v[i]);
		if (d && d->state == ST_PENDING && find_cycle(c, d, path, n))
			return true;
	}
	(*n)--;
	k->visiting = false;
	return false;
}

static void warn_failed_deps(rctx *c, kb_flux_ks *k)
{
	for (size_t i = 0; i < k->deps.n; i++) {
		kb_flux_ks *d = find_dep(c->res, k, k->deps.v[i]);
		if (d && (d->state == ST_FAILED || d->state == ST_SKIPPED))
			kb_warn(&k->warnings, k->file, k->dep_line[i], k->dep_col[i],
				"depends on %s, which %s: in the cluster this Kustomization waits "
				"for it",
				d->key, d->state == ST_FAILED ? "failed" : "was skipped");
	}
}

/* Picks the next Kustomization to render; resolves dead ends (missing
 * dependencies, cycles) by failing the Kustomizations involved.  NULL
 * when none is left. */
static kb_flux_ks *pick(rctx *c)
{
	kb_flux_result *r = c->res;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->n; i++) {
			kb_flux_ks *k = r->all[i];
			bool unknown;
			if (k->state == ST_PENDING && deps_ready(c, k, &unknown) &&
			    (pass == 1 || values_ready(c, k)))
				return k;
		}
	/* dead end: a dependency nothing defines */
	for (size_t i = 0; i < r->n; i++) {
		kb_flux_ks *k = r->all[i];
		bool unknown;
		if (k->state != ST_PENDING || (deps_ready(c, k, &unknown), !unknown))
			continue;
		for (size_t j = 0; j < k->deps.n; j++) {
			if (find_dep(r, k, k->deps.v[j]))
				continue;
			if (c->o->skip_unresolved) {
				kb_warn(&k->warnings, k->file, k->dep_line[j], k->dep_col[j],
					"depends on Kustomization %s, which no Kustomization in the "
					"cluster defines (ignored)",
					k->deps.v[j]);
				free(k->deps.v[j]);
				memmove(k->deps.v + j, k->deps.v + j + 1,
					(k->deps.n - j - 1) * sizeof(char *));
				memmove(k->dep_line + j, k->dep_line + j + 1,
					(k->deps.n - j - 1) * sizeof(unsigned));
				memmove(k->dep_col + j, k->dep_col + j + 1,
					(k->deps.n - j - 1) * sizeof(unsigned));
				k->deps.n--;
				j--;
				continue;
			}
			fail_ks(k, kb_error_new(k->file, k->dep_line[j], k->dep_col[j],
						"Kustomization %s depends on %s, which no Kustomization "
						"in the cluster defines (check the name and namespace in "
						"dependsOn)",
						k->key, k->deps.v[j]));
			push_order(r, k);
			return pick(c);
		}
		return pick(c);
	}
	/* a cycle */
	for (size_t i = 0; i < r->n; i++) {
		kb_flux_ks *k = r->all[i];
		if (k->state != ST_PENDING)
			continue;
		kb_flux_ks **path = NULL;
		size_t n = 0;
		for (size_t j = 0; j < r->n; j++)
			r->all[j]->visiting = false;
		if (!find_cycle(c, k, &path, &n) || n == 0) {
			free(path);
			continue;
		}
		kb_buf b = KB_BUF_INIT;
		for (size_t j = 0; j < n; j++)
			kb_buf_printf(&b, "%s -> ", path[j]->key);
		kb_buf_puts(&b, path[0]->key);
		for (size_t j = 0; j < n; j++) {
			kb_flux_ks *m = path[j];
			kb_flux_ks *next = path[(j + 1) % n];
			size_t di = 0;
			while (di < m->deps.n && strcmp(m->deps.v[di], next->key) != 0)
				di++;
			fail_ks(m, kb_error_new(m->file, di < m->deps.n ? m->dep_line[di] : m->line,
						di < m->deps.n ? m->dep_col[di] : 0,
						"dependsOn cycle: %s (none of these is ever applied)",
						b.data));
			push_order(r, m);
		}
		kb_buf_free(&b);
		free(path);
		return pick(c);
	}
	return NULL;
}

/* ---- the repository ---- */

/* PATH relative to root when below it. */
static bool ends_with_path(const char *path, const char *suffix, char **prefix)
{
	/* suffix: a cleaned relative path ("clusters/dev"), "" for any */
	size_t pl = strlen(path), sl = strlen(suffix);
	if (sl == 0) {
		*prefix = kb_xstrdup(path);
		return true;
	}
	if (sl >= pl || strcmp(path + pl - sl, suffix) != 0 || path[pl - sl - 1] != '/')
		return false;
	*prefix = pl - sl - 1 == 0 ? kb_xstrdup("/") : kb_xstrndup(path, pl - sl - 1);
	return true;
}

static char *clean_rel(const char *p)
{
	char *abs = kb_flux_secure_join("/", p ? p : "");
	char *r = kb_xstrdup(abs + 1);
	free(abs);
	return r;
}

/* The Kustomization among the root docs that builds PATH itself from
 * this repository (flux bootstrap's flux-system). */
static const kb_node *self_ref(rctx *c, char **root)
{
	if (!c->path_is_dir)
		return NULL;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < c->nroot; i++) {
			const kb_node *d = c->rootdocs[i];
			if (!is_flux_ks(d))
				continue;
			const char *kind = kb_node_get_str(d, "spec", "sourceRef", "kind", NULL);
			if (!kb_streq(kind, "GitRepository") && !kb_streq(kind, "OCIRepository") &&
			    !kb_streq(kind, "Bucket"))
				continue;
			char *rel = clean_rel(kb_node_get_str(d, "spec", "path", NULL));
			bool ok = false;
			if (c->user_root) {
				const char *below = kb_flux_path_below(c->user_root, c->path);
				ok = below && strcmp(below, rel) == 0;
				if (ok)
					*root = kb_xstrdup(c->user_root);
			} else if (pass == 0 && c->git_root) {
				const char *below = kb_flux_path_below(c->git_root, c->path);
				ok = below && strcmp(below, rel) == 0;
				if (ok)
					*root = kb_xstrdup(c->git_root);
			} else if (pass == 1 && *rel) {
				ok = ends_with_path(c->path, rel, root);
			}
			free(rel);
			if (ok)
				return d;
		}
	return NULL;
}

/* Whether every path of this repository the root docs name exists below
 * root (to tell where the repository starts without a .git). */
static bool refs_exist(rctx *c, const char *root, size_t *nrefs)
{
	*nrefs = 0;
	const char *rs = c->repo_source;
	for (size_t i = 0; i < c->nroot; i++) {
		const kb_node *d = c->rootdocs[i];
		kb_strv paths = { 0 };
		if (is_flux_ks(d)) {
			const char *kind = kb_node_get_str(d, "spec", "sourceRef", "kind", NULL);
			const char *name = kb_node_get_str(d, "spec", "sourceRef", "name", NULL);
			const char *sns = kb_node_get_str(d, "spec", "sourceRef", "namespace", NULL);
			const char *ns = doc_ns(d);
			char *key = kb_xasprintf("%s/%s/%s", kind ? kind : "", kb_str_empty(sns) ? ns : sns,
						 name ? name : "");
			if (rs && strcmp(key, rs) == 0)
				kb_strv_push_owned(&paths, clean_rel(kb_node_get_str(d, "spec", "path", NULL)));
			free(key);
		} else if (api_group_is(d, "source.extensions.fluxcd.io") &&
			   kb_streq(kb_map_get_str(d, "kind"), "ArtifactGenerator")) {
			kb_strv aliases = { 0 };
			const kb_node *srcs = kb_node_get(d, "spec", "sources", NULL);
			for (size_t s = 0; srcs && srcs->kind == KB_SEQ && s < srcs->n; s++) {
				const kb_node *x = srcs->items[s];
				const char *sns = kb_map_get_str(x, "namespace");
				char *key = kb_xasprintf("%s/%s/%s",
							 kb_map_get_str(x, "kind") ? kb_map_get_str(x, "kind") : "",
							 kb_str_empty(sns) ? doc_ns(d) : sns,
							 kb_map_get_str(x, "name") ? kb_map_get_str(x, "name") : "");
				if (rs && strcmp(key, rs) == 0 && kb_map_get_str(x, "alias"))
					kb_strv_push(&aliases, kb_map_get_str(x, "alias"));
				free(key);
			}
			const kb_node *arts = kb_node_get(d, "spec", "artifacts", NULL);
			for (size_t a = 0; arts && arts->kind == KB_SEQ && a < arts->n; a++) {
				const kb_node *cp = kb_map_get(arts->items[a], "copy");
				for (size_t j = 0; cp && cp->kind == KB_SEQ && j < cp->n; j++) {
					const char *from = kb_map_get_str(cp->items[j], "from");
					if (!from || from[0] != '@')
						continue;
					const char *sl = strchr(from, '/');
					if (!sl)
						continue;
					char *alias = kb_xstrndup(from + 1, (size_t)(sl - from - 1));
					if (kb_strv_contains(&aliases, alias))
						kb_strv_push_owned(&paths, kb_flux_glob_literal_prefix(sl + 1));
					free(alias);
				}
			}
			kb_strv_free(&aliases);
		}
		for (size_t p = 0; p < paths.n; p++) {
			(*nrefs)++;
			char *abs = kb_path_join(root, paths.v[p]);
			bool ok = kb_fs_is_dir(c->base, abs) || kb_fs_is_file(c->base, abs);
			free(abs);
			if (!ok) {
				kb_strv_free(&paths);
				return false;
			}
		}
		kb_strv_free(&paths);
	}
	return true;
}

static kb_error *root_pass(rctx *c, const char *root, bool passthrough, kb_flux_ks *rootks)
{
	for (size_t i = 0; i < c->nroot; i++) {
		kb_node_free(c->rootdocs[i]);
		free(c->rootfiles[i]);
	}
	free(c->rootdocs);
	free(c->rootfiles);
	c->rootdocs = NULL;
	c->rootfiles = NULL;
	c->nroot = 0;
	if (!c->path_is_dir) {
		size_t len;
		char *text = kb_fs_read(c->base, c->path, &len);
		if (!text)
			return kb_error_new(c->path_display, 0, 0, "cannot read: %s", strerror(errno));
		kb_node **docs = NULL;
		size_t nd = 0;
		kb_parse_limits lim = { .max_depth = c->bopts.max_depth, .max_nodes = c->bopts.max_nodes };
		kb_error *e = kb_yaml_parse(c->path_display, text, len, &lim, &docs, &nd);
		free(text);
		if (e)
			return e;
		c->rootdocs = kb_xcalloc(nd ? nd : 1, sizeof(kb_node *));
		c->rootfiles = kb_xcalloc(nd ? nd : 1, sizeof(char *));
		for (size_t i = 0; i < nd; i++) {
			if (docs[i]->kind != KB_MAP) {
				kb_node_free(docs[i]);
				continue;
			}
			c->rootdocs[c->nroot] = docs[i];
			c->rootfiles[c->nroot++] = kb_xstrdup(c->path_display);
		}
		free(docs);
		return NULL;
	}
	viewent *v = NULL;
	kb_error *e = NULL;
	viewent pv = { 0 };
	if (passthrough) {
		kb_flux_view_opts vo = { c->afs, root, NULL, NULL, false, true };
		e = kb_flux_view_new(&vo, &pv.view);
		v = &pv;
	} else {
		char *key = kb_xasprintf("(root):%s", root);
		e = make_view(c, key, root, NULL, &v);
		free(key);
	}
	if (e)
		return e;
	kb_node *empty = kb_node_new(KB_MAP);
	built b;
	kb_warnings quiet = { 0 };
	e = build_dir(c, v, c->path, empty, c->path_display, &b,
		      passthrough ? &quiet : &rootks->warnings, NULL);
	kb_warnings_free(&quiet);
	kb_node_free(empty);
	kb_flux_view_free(pv.view);
	if (e)
		return e;
	c->rootdocs = b.docs;
	c->rootfiles = b.files;
	c->nroot = b.n;
	return NULL;
}

static kb_error *find_repo(rctx *c, kb_flux_ks *rootks, const kb_node **selfks)
{
	*selfks = NULL;
	char *root = NULL;
	const kb_node *s = self_ref(c, &root);
	if (s) {
		*selfks = s;
		const char *sns = kb_node_get_str(s, "spec", "sourceRef", "namespace", NULL);
		c->repo_source = kb_xasprintf("%s/%s/%s",
					      kb_node_get_str(s, "spec", "sourceRef", "kind", NULL),
					      kb_str_empty(sns) ? (*doc_ns(s) ? doc_ns(s) : "default") : sns,
					      kb_node_get_str(s, "spec", "sourceRef", "name", NULL));
		c->repo_root = root;
		return NULL;
	}
	/* flux bootstrap's convention */
	c->repo_source = kb_xstrdup("GitRepository/flux-system/flux-system");
	const char *mapped = map_lookup(c, c->repo_source);
	if (mapped) {
		c->repo_root = kb_xstrdup(mapped);
		return NULL;
	}
	if (c->user_root) {
		c->repo_root = kb_xstrdup(c->user_root);
		return NULL;
	}
	size_t nrefs = 0;
	if (c->git_root && refs_exist(c, c->git_root, &nrefs)) {
		c->repo_root = kb_xstrdup(c->git_root);
		return NULL;
	}
	/* the nearest ancestor where every named path exists */
	char *cand = c->path_is_dir ? kb_xstrdup(c->path) : kb_xstrdup(c->path);
	if (!c->path_is_dir) {
		char *sl = strrchr(cand, '/');
		if (sl && sl != cand)
			*sl = '\0';
	}
	for (;;) {
		if (refs_exist(c, cand, &nrefs) && nrefs > 0) {
			c->repo_root = cand;
			return NULL;
		}
		char *sl = strrchr(cand, '/');
		if (!sl || sl == cand)
			break;
		*sl = '\0';
	}
	free(cand);
	c->repo_root = kb_xstrdup(c->git_root ? c->git_root
					      : c->path_is_dir ? c->path : c->path);
	if (!c->path_is_dir && !c->git_root) {
		char *sl = strrchr(c->repo_root, '/');
		if (sl && sl != c->repo_root)
			*sl = '\0';
	}
	if (nrefs > 0)
		kb_warn(&rootks->warnings, NULL, 0, 0,
			"cannot tell where the repository of %s starts (no Kustomization builds it, "
			"no .git above it, and the paths its Kustomizations name exist nowhere); "
			"assuming %s: give --repo-root",
			c->path_display, c->repo_root);
	return NULL;
}

/* ---- output ---- */

static char *res_key(const kb_node *d)
{
	const char *av = kb_map_get_str(d, "apiVersion");
	const char *sl = av ? strchr(av, '/') : NULL;
	char *g = sl ? kb_xstrndup(av, (size_t)(sl - av)) : kb_xstrdup("");
	char *k = kb_xasprintf("%s|%s|%s|%s", g, kb_map_get_str(d, "kind") ? kb_map_get_str(d, "kind") : "",
			       doc_ns(d), doc_name(d));
	free(g);
	return k;
}

static kb_error *emit_one(const rctx *c, const kb_node *d, kb_buf *out, bool first)
{
	bool fb = c->o->style == KB_FLUX_STYLE_FLUX_BUILD;
	if (!fb && !first)
		kb_buf_puts(out, "---\n");
	kb_error *e = NULL;
	if (fb && kb_streq(kb_map_get_str(d, "kind"), "Secret")) {
		kb_buf text = KB_BUF_INIT;
		e = kb_emit_doc(&text, d);
		kb_node *m = e ? NULL : kb_node_clone(d);
		if (!e) {
			char *what = describe(d);
			e = kb_flux_mask_secret(m, text.data ? text.data : "", what);
			free(what);
		}
		if (!e)
			e = kb_emit_doc(out, m);
		kb_node_free(m);
		kb_buf_free(&text);
	} else {
		e = kb_emit_doc(out, d);
	}
	if (fb)
		kb_buf_puts(out, "---\n");
	return e;
}

static bool shown(const kb_flux_ks *k)
{
	return k->state == ST_DONE && k->selected;
}

static kb_error *assemble(rctx *c)
{
	kb_flux_result *r = c->res;
	kb_strv seen = { 0 };
	bool first = true;
	kb_error *e = NULL;
	for (size_t i = 0; i < r->norder && !e; i++) {
		kb_flux_ks *k = r->order[i];
		if (k->state != ST_DONE)
			continue;
		for (size_t d = 0; d < k->ndocs && !e; d++) {
			const kb_node *x = k->docs[d];
			e = emit_one(c, x, &k->yaml, d == 0);
			if (e || !shown(k))
				continue;
			char *rk = res_key(x);
			char *key = kb_xasprintf("%s|%s", k->target, rk);
			free(rk);
			if (kb_strv_contains(&seen, key)) {
				char *what = describe(x);
				kb_warn(&k->warnings, k->doc_files[d], x->line, 0,
					"%s is also applied by another Kustomization; printed once",
					what);
				free(what);
				free(key);
				continue;
			}
			kb_strv_push_owned(&seen, key);
			e = emit_one(c, x, &r->yaml, first);
			first = false;
			r->stats.resources++;
			if (kb_streq(kb_map_get_str(x, "kind"), "HelmRelease") &&
			    api_group_is(x, "helm.toolkit.fluxcd.io"))
				r->stats.helmreleases++;
			if (kb_flux_is_sops_secret(x)) {
				r->stats.sops_secrets++;
				const kb_node *dec = kb_node_get(k->obj, "spec", "decryption", NULL);
				const char *dis = kb_node_get_str(x, "metadata", "annotations",
								  KS_GROUP "/decrypt", NULL);
				if (!k->root && !dec && !kb_streq(dis, "disabled")) {
					char *what = describe(x);
					kb_warn(&k->warnings, k->doc_files[d], x->line, 0,
						"%s is SOPS-encrypted but Kustomization %s has no "
						"spec.decryption: kustomize-controller refuses to apply it",
						what, k->key);
					free(what);
				}
			}
		}
	}
	kb_strv_free(&seen);
	return e;
}

/* ---- the entry point ---- */

static void ctx_free(rctx *c)
{
	for (size_t i = 0; i < c->nviews; i++) {
		free(c->views[i].key);
		free(c->views[i].root);
		free(c->views[i].ignore);
		if (c->views[i].owner) {
			kb_flux_view_free(c->views[i].view);
			kb_flux_artifact_free(c->views[i].art);
		}
	}
	free(c->views);
	for (size_t i = 0; i < c->nmaps; i++) {
		free(c->maps[i].key);
		free(c->maps[i].dir);
	}
	free(c->maps);
	for (size_t i = 0; i < c->nvals; i++) {
		kb_node_free(c->vals[i]);
		free(c->val_files[i]);
	}
	free(c->vals);
	free(c->val_files);
	for (size_t i = 0; i < c->nroot; i++) {
		kb_node_free(c->rootdocs[i]);
		free(c->rootfiles[i]);
	}
	free(c->rootdocs);
	free(c->rootfiles);
	kb_strv_free(&c->extra_ignore);
	kb_memfs_free(c->artifacts);
	free(c->path);
	free(c->path_display);
	free(c->git_root);
	free(c->user_root);
	free(c->repo_root);
	free(c->repo_source);
}

kb_error *kb_flux_render(const kb_flux_options *o, kb_flux_result **out)
{
	*out = NULL;
	if (!o || o->version < 1 || kb_str_empty(o->path)) {
		kb_error *e = kb_error_new(NULL, 0, 0, "kb_flux_render: no path given");
		e->code = KB_ERR_USAGE;
		return e;
	}
	rctx c;
	memset(&c, 0, sizeof(c));
	c.o = o;
	/* a caller's options of an older version are a smaller struct */
	kb_options_copy(&c.bopts, o->build);
	c.base = c.bopts.fs ? c.bopts.fs : kb_fs_os();
	/* kustomize-controller's krusty options */
	c.bopts.version = KB_OPTIONS_VERSION;
	c.bopts.load_restrictor = KB_LOAD_NONE;
	c.bopts.enable_helm = 0;
	c.bopts.enable_alpha_plugins = 0;
	c.bopts.enable_managedby_label = 0;
	/* krusty.Options{} as a struct literal: Reorder "" is neither legacy
	 * nor unspecified, so kustomize keeps the resources' order (unless the
	 * kustomization has sortOptions) */
	c.bopts.reorder = KB_REORDER_NONE;
	c.artifacts = kb_memfs_new(c.base);
	c.afs = kb_memfs_fs(c.artifacts);
	for (size_t i = 0; i < o->nignore_paths; i++)
		kb_strv_push(&c.extra_ignore, o->ignore_paths[i]);

	kb_flux_result *r = kb_xcalloc(1, sizeof(*r));
	c.res = r;
	kb_error *e = NULL;
	if (o->path[0] == '/') {
		c.path = kb_fs_realpath(c.base, o->path);
	} else {
		char *cwd = getcwd(NULL, 0);
		char *abs = kb_path_join(cwd ? cwd : "/", o->path);
		c.path = kb_fs_realpath(c.base, abs);
		free(abs);
		free(cwd);
	}
	if (!c.path) {
		e = kb_error_new(o->path, 0, 0, "cannot render: %s", strerror(errno));
		goto out;
	}
	c.path_display = kb_path_display(c.path);
	c.path_is_dir = kb_fs_is_dir(c.base, c.path);
	if (o->repo_root) {
		c.user_root = kb_fs_realpath(c.base, o->repo_root);
		if (!c.user_root || !kb_fs_is_dir(c.base, c.user_root)) {
			e = kb_error_new(o->repo_root, 0, 0, "--repo-root: %s",
					 c.user_root ? "not a directory" : strerror(errno));
			e->code = KB_ERR_USAGE;
			goto out;
		}
		if (!kb_flux_path_below(c.user_root, c.path)) {
			e = kb_error_new(o->repo_root, 0, 0, "--repo-root: %s is not below it",
					 c.path_display);
			e->code = KB_ERR_USAGE;
			goto out;
		}
	}
	if ((e = parse_source_maps(&c)) || (e = load_values(&c)))
		goto out;
	c.git_root = kb_flux_git_root(c.base, c.path);

	kb_flux_ks *rootks = ks_new("", "");
	rootks->root = true;
	free(rootks->file);
	rootks->file = kb_xstrdup(c.path_display);
	free(rootks->key);
	rootks->key = kb_xstrdup("");
	/* a first look at PATH, with no artifact rules, tells where the
	 * repository starts; PATH is then built again as kustomize-controller
	 * sees it (the artifact of the repository) */
	const kb_node *selfks = NULL;
	kb_error *first = root_pass(&c, c.path, true, rootks);
	e = find_repo(&c, rootks, &selfks);
	if (!e && c.path_is_dir) {
		e = root_pass(&c, c.repo_root, false, rootks);
		if (!e && selfks) {
			char *r2 = NULL;
			char *saved = c.user_root;
			c.user_root = c.repo_root;
			selfks = self_ref(&c, &r2);
			c.user_root = saved;
			free(r2);
		}
	} else if (!e && first) {
		e = first;
		first = NULL;
	}
	kb_error_free(first);
	if (e) {
		ks_free(rootks);
		goto out;
	}
	if (selfks) {
		/* flux-system builds PATH: it is the first Kustomization */
		size_t idx = 0;
		while (idx < c.nroot && c.rootdocs[idx] != selfks)
			idx++;
		add_ks(r, ks_from_object(&c, selfks, c.rootfiles[idx], "", ""));
		/* what the root pass warned about, flux-system says again */
		ks_free(rootks);
	} else {
		add_ks(r, rootks);
		rootks->state = ST_DONE;
		rootks->docs = kb_xcalloc(c.nroot ? c.nroot : 1, sizeof(kb_node *));
		rootks->doc_files = kb_xcalloc(c.nroot ? c.nroot : 1, sizeof(char *));
		for (size_t i = 0; i < c.nroot; i++) {
			rootks->docs[i] = kb_node_clone(c.rootdocs[i]);
			rootks->doc_files[i] = kb_xstrdup(c.rootfiles[i]);
		}
		rootks->ndocs = c.nroot;
		push_order(r, rootks);
		r->root_shown = true;
		discover(&c, rootks, rootks->docs, rootks->doc_files, rootks->ndocs);
	}

	for (kb_flux_ks *k; (k = pick(&c));) {
		warn_failed_deps(&c, k);
		double t0 = kb_now_s();
		render_ks(&c, k);
		k->seconds = kb_now_s() - t0;
		push_order(r, k);
	}
	/* those left pending were resolved by pick (failed) */
	for (size_t i = 0; i < r->n; i++)
		r->all[i]->selected = o->nselect == 0;
	for (size_t s = 0; s < o->nselect; s++) {
		kb_flux_ks *k = find_ks_in(r, NULL, o->select[s]);
		if (!k) {
			e = kb_error_new(NULL, 0, 0,
					 "no Kustomization %s in the cluster rendered from %s", o->select[s],
					 c.path_display);
			goto out;
		}
		k->selected = true;
	}
	e = assemble(&c);
	if (e)
		goto out;
	for (size_t i = 0; i < r->n; i++) {
		kb_flux_ks *k = r->all[i];
		if (k->root)
			continue;
		r->stats.kustomizations++;
		if (k->state == ST_DONE)
			r->stats.rendered++;
		else if (k->state == ST_FAILED)
			r->stats.failed++;
		else if (k->state == ST_SKIPPED)
			r->stats.skipped++;
	}
	/* skipped ones were never ordered */
	for (size_t i = 0; i < r->n; i++) {
		kb_flux_ks *k = r->all[i];
		bool in = false;
		for (size_t j = 0; j < r->norder; j++)
			in = in || r->order[j] == k;
		if (!in)
			push_order(r, k);
	}
out:
	ctx_free(&c);
	if (e) {
		kb_flux_result_free(r);
		return e;
	}
	*out = r;
	return NULL;
}

/* ---- accessors ---- */

size_t kb_flux_result_count(const kb_flux_result *r)
{
	return r ? r->norder : 0;
}

const kb_flux_ks *kb_flux_result_get(const kb_flux_result *r, size_t i)
{
	return r && i < r->norder ? r->order[i] : NULL;
}

const kb_flux_ks *kb_flux_result_find(const kb_flux_result *r, const char *ns, const char *name)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (!r->all[i]->root && strcmp(r->all[i]->ns, ns) == 0 &&
		    strcmp(r->all[i]->name, name) == 0)
			return r->all[i];
	return NULL;
}

const char *kb_flux_result_yaml(const kb_flux_result *r, size_t *len)
{
	if (len)
		*len = r ? r->yaml.len : 0;
	return r && r->yaml.data ? r->yaml.data : "";
}

size_t kb_flux_result_error_count(const kb_flux_result *r)
{
	size_t n = 0;
	for (size_t i = 0; r && i < r->n; i++)
		n += r->all[i]->err != NULL && r->all[i]->selected;
	return n;
}

static kb_error *mkdir_p(const char *dir)
{
	char *p = kb_xstrdup(dir);
	for (char *s = p + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) != 0 && errno != EEXIST) {
				kb_error *e = kb_error_new(p, 0, 0, "cannot create directory: %s",
							   strerror(errno));
				e->code = KB_ERR_IO;
				free(p);
				return e;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return NULL;
}

kb_error *kb_flux_result_write_dir(const kb_flux_result *r, const char *dir)
{
	for (size_t i = 0; i < r->norder; i++) {
		const kb_flux_ks *k = r->order[i];
		if (k->state != ST_DONE || !k->selected)
			continue;
		char *sub = k->root ? kb_xstrdup(dir) : kb_path_join(dir, k->ns);
		kb_error *e = mkdir_p(sub);
		char *file = k->root ? kb_path_join(sub, "_root.yaml")
				     : kb_xasprintf("%s/%s.yaml", sub, k->name);
		if (!e)
			e = kb_write_path(file, k->yaml.data ? k->yaml.data : "", k->yaml.len);
		free(file);
		free(sub);
		if (e)
			return e;
	}
	return NULL;
}

kb_error *kb_flux_result_write_file(const kb_flux_result *r, const char *path)
{
	return kb_write_path(path, r->yaml.data ? r->yaml.data : "", r->yaml.len);
}

int kb_flux_ks_selected(const kb_flux_ks *k)
{
	return k->selected;
}

size_t kb_flux_result_warning_count(const kb_flux_result *r)
{
	return r ? r->warnings.n : 0;
}

const char *kb_flux_result_warning(const kb_flux_result *r, size_t i)
{
	return r && i < r->warnings.n ? r->warnings.v[i] : NULL;
}

void kb_flux_result_stats(const kb_flux_result *r, kb_flux_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (r)
		*st = r->stats;
}

void kb_flux_result_free(kb_flux_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		ks_free(r->all[i]);
	free(r->all);
	free(r->order);
	kb_buf_free(&r->yaml);
	kb_warnings_free(&r->warnings);
	free(r);
}

const char *kb_flux_ks_namespace(const kb_flux_ks *k) { return k->ns; }
const char *kb_flux_ks_name(const kb_flux_ks *k) { return k->name; }
int kb_flux_ks_is_root(const kb_flux_ks *k) { return k->root; }
const char *kb_flux_ks_parent(const kb_flux_ks *k) { return k->parent; }
const char *kb_flux_ks_cluster(const kb_flux_ks *k) { return k->target; }
const char *kb_flux_ks_source(const kb_flux_ks *k) { return k->source; }
const char *kb_flux_ks_dir(const kb_flux_ks *k) { return k->dir; }
const kb_error *kb_flux_ks_error(const kb_flux_ks *k) { return k->err; }
int kb_flux_ks_skipped(const kb_flux_ks *k) { return k->state == ST_SKIPPED; }
size_t kb_flux_ks_warning_count(const kb_flux_ks *k) { return k->warnings.n; }
size_t kb_flux_ks_depends_count(const kb_flux_ks *k) { return k->deps.n; }
double kb_flux_ks_seconds(const kb_flux_ks *k) { return k->seconds; }

const char *kb_flux_ks_path(const kb_flux_ks *k)
{
	const char *p = k->root || !k->obj ? NULL : kb_node_get_str(k->obj, "spec", "path", NULL);
	return p ? p : "";
}

const char *kb_flux_ks_file(const kb_flux_ks *k, unsigned *line)
{
	if (line)
		*line = k->line;
	return k->file;
}

const char *kb_flux_ks_yaml(const kb_flux_ks *k, size_t *len)
{
	if (len)
		*len = k->yaml.len;
	return k->yaml.data ? k->yaml.data : "";
}

size_t kb_flux_ks_resource_count(const kb_flux_ks *k)
{
	return k->state == ST_DONE ? k->ndocs : 0;
}

const char *kb_flux_ks_warning(const kb_flux_ks *k, size_t i)
{
	return i < k->warnings.n ? k->warnings.v[i] : NULL;
}

const kb_error *kb_flux_ks_warning_diag(const kb_flux_ks *k, size_t i)
{
	return i < k->warnings.n ? k->warnings.diag[i] : NULL;
}

const kb_error *kb_flux_result_warning_diag(const kb_flux_result *r, size_t i)
{
	return r && i < r->warnings.n ? r->warnings.diag[i] : NULL;
}

const char *kb_flux_ks_depends(const kb_flux_ks *k, size_t i)
{
	return i < k->deps.n ? k->deps.v[i] : NULL;
}
