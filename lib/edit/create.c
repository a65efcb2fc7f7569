/*
 * create.c - kustomize create (kustomize v5.5.0 commands/create).
 *
 * The new file is written as kustomize writes it: each field marshalled
 * on its own by goyaml (through lib/yaml's emitter, which writes the same
 * bytes), in kustomize's field order: apiVersion, kind, resources,
 * namePrefix, nameSuffix, namespace, commonLabels, commonAnnotations.
 */
#include "emit.h"
#include "fs.h"
#include "glob.h"
#include "kustfile.h"
#include "ops.h"
#include "parse.h"
#include "remote.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void kb_create_options_init(kb_create_options *c)
{
	memset(c, 0, sizeof(*c));
	c->version = KB_CREATE_OPTIONS_VERSION;
}

static const char *cs(const char *s)
{
	return s ? s : "";
}

/* util.ConvertToMap: "k:v,k:v" */
static kb_error *convert_map(const char *in, const char *kind, kb_node **out)
{
	*out = kb_node_new(KB_MAP);
	if (!*in)
		return NULL;
	char *all = kb_xstrdup(in);
	char *s = all;
	kb_error *err = NULL;
	for (;;) {
		char *c = strchr(s, ',');
		if (c)
			*c = '\0';
		char *k, *v;
		err = op_kv(s, kind, &k, &v);
		if (err)
			break;
		kb_map_set(*out, k, kb_node_new_str(v));
		free(k);
		free(v);
		if (!c)
			break;
		s = c + 1;
	}
	free(all);
	if (err) {
		kb_node_free(*out);
		*out = NULL;
	}
	return err;
}

/* What rf.SliceFromBytes accepts: a stream whose every non-empty
 * document is an object with a kind and (unless a List) a name. */
static bool is_resource_file(const char *text, size_t len)
{
	kb_node **docs = NULL;
	size_t n = 0;
	kb_error *err = kb_yaml_parse(NULL, text, len, NULL, &docs, &n);
	if (err) {
		kb_error_free(err);
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		const kb_node *d = docs[i];
		if (d->kind == KB_NULL || (d->kind == KB_MAP && d->n == 0))
			continue;
		if (d->kind != KB_MAP) {
			ok = false;
			break;
		}
		const char *kind = kb_map_get_str(d, "kind");
		if (!kind || !*kind) {
			ok = false;
			break;
		}
		const char *name = kb_node_get_str(d, "metadata", "name", NULL);
		if (!kb_str_has_suffix(kind, "List") && (!name || !*name))
			ok = false;
	}
	kb_docs_free(docs, n);
	return ok;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* detectResources: filepath.Walk of dir (lexical order); directories
 * holding a kustomization are added and not entered. */
static void detect(const kb_fs *fs, const char *root, const char *rel, bool recursive,
		   kb_strv *out)
{
	char *abs = *rel ? kb_path_join(root, rel) : kb_xstrdup(root);
	char **names = NULL;
	size_t n = 0;
	if (kb_fs_list(fs, abs, &names, &n) != 0) {
		free(abs);
		return;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *r = *rel ? kb_xasprintf("%s/%s", rel, names[i]) : kb_xstrdup(names[i]);
		char *a = kb_path_join(abs, names[i]);
		kb_file_type t;
		if (kb_fs_stat(fs, a, false, &t) == 0) {
			if (t == KB_FILE_DIR) {
				if (recursive) {
					if (kb_kust_exists(fs, a))
						kb_strv_push(out, r);
					else
						detect(fs, root, r, recursive, out);
				}
			} else {
				size_t len;
				char *text = kb_fs_read(fs, a, &len);
				if (text && is_resource_file(text, len))
					kb_strv_push(out, r);
				free(text);
			}
		}
		free(a);
		free(r);
		free(names[i]);
	}
	free(names);
	free(abs);
}

static void emit_field(kb_buf *b, const char *key, kb_node *val)
{
	kb_node *m = kb_node_new(KB_MAP);
	kb_map_set(m, key, val);
	kb_error *err = kb_emit_doc(b, m);
	kb_error_free(err);
	kb_node_free(m);
}

kb_error *kb_edit_create(const kb_edit_options *o, const kb_create_options *c, kb_edit **out)
{
	*out = NULL;
	kb_create_options defaults;
	if (!c) {
		kb_create_options_init(&defaults);
		c = &defaults;
	}
	const kb_fs *fs = o ? o->fs : NULL;
	const char *d = o && o->dir ? o->dir : ".";
	char *dir = kb_fs_realpath(fs, d);
	if (!dir || !kb_fs_is_dir(fs, dir)) {
		kb_error *err = kb_error_new(d, 0, 0, "%s", dir ? "not a directory" : strerror(errno));
		free(dir);
		return err;
	}
	/* a session whose file does not exist yet */
	kb_edit *e = kb_xcalloc(1, sizeof(*e));
	e->dir = dir;
	e->fs = fs;
	e->files = kb_xcalloc(1, sizeof(*e->files));
	e->nfiles = 1;
	e->files[0].path = kb_path_join(dir, "kustomization.yaml");
	e->files[0].display = kb_path_display(e->files[0].path);
	e->files[0].text = kb_xstrdup("");

	kb_error *err = NULL;
	kb_strv res = { 0 };
	if (*cs(c->resources)) {
		kb_strv args = { 0 };
		char *all = kb_xstrdup(c->resources);
		char *s = all;
		for (;;) {
			char *cm = strchr(s, ',');
			if (cm)
				*cm = '\0';
			kb_strv_push(&args, s);
			if (!cm)
				break;
			s = cm + 1;
		}
		free(all);
		for (size_t i = 0; i < args.n && !err; i++) {
			size_t before = res.n;
			if (ed_go_glob(fs, dir, args.v[i], &res) < 0) {
				err = kb_error_new(NULL, 0, 0,
						   "error checking the filesystem: syntax error in "
						   "pattern '%s'",
						   args.v[i]);
				break;
			}
			if (res.n > before)
				continue;
			/* loader.New: a git URL that can be fetched, or a directory */
			kb_repospec rs;
			kb_error *perr = kb_repospec_parse(args.v[i], &rs);
			if (!perr) {
				kb_clone cl;
				kb_error *cerr = kb_repo_clone(&rs, &cl);
				kb_repospec_free(&rs);
				if (cerr) {
					err = kb_error_new(NULL, 0, 0, "%s has no match: %s", args.v[i],
							   cerr->primary.msg);
					kb_error_free(cerr);
				} else {
					kb_clone_remove(&cl);
					kb_strv_push(&res, args.v[i]);
				}
				continue;
			}
			kb_error_free(perr);
			char *abs = kb_path_join(dir, args.v[i]);
			if (args.v[i][0] == '/')
				err = kb_error_new(NULL, 0, 0,
						   "%s has no match: new root '%s' cannot be absolute",
						   args.v[i], args.v[i]);
			else if (!kb_fs_is_dir(fs, abs))
				err = kb_error_new(NULL, 0, 0,
						   "%s has no match: must build at directory: not a valid "
						   "directory: evalsymlink failure on '%s' : lstat %s: no "
						   "such file or directory",
						   args.v[i], abs, abs);
			else
				kb_strv_push(&res, args.v[i]);
			free(abs);
		}
		kb_strv_free(&args);
	}
	if (!err && kb_kust_probe(fs, dir) != 0)
		err = kb_error_new(NULL, 0, 0, "kustomization file already exists");
	if (!err && c->autodetect) {
		kb_strv found = { 0 };
		detect(fs, dir, "", c->recursive, &found);
		for (size_t i = 0; i < found.n; i++)
			if (!kb_strv_contains(&res, found.v[i]))
				kb_strv_push(&res, found.v[i]);
		kb_strv_free(&found);
	}
	kb_node *labels = NULL, *annos = NULL;
	if (!err)
		err = convert_map(cs(c->annotations), "annotation", &annos);
	if (!err)
		err = convert_map(cs(c->labels), "label", &labels);
	if (!err && *cs(c->namespace_) && !op_valid_dns_label(c->namespace_))
		kb_strv_push_owned(&e->msgs,
				   kb_xasprintf("warning: \"%s\" is not a valid namespace name; "
						"kubectl will refuse it",
						c->namespace_));
	if (!err) {
		kb_buf b = KB_BUF_INIT;
		emit_field(&b, "apiVersion", kb_node_new_str("kustomize.config.k8s.io/v1beta1"));
		emit_field(&b, "kind", kb_node_new_str("Kustomization"));
		if (res.n) {
			kb_node *s = kb_node_new(KB_SEQ);
			for (size_t i = 0; i < res.n; i++)
				kb_seq_push(s, kb_node_new_str(res.v[i]));
			emit_field(&b, "resources", s);
		}
		if (*cs(c->nameprefix))
			emit_field(&b, "namePrefix", kb_node_new_str(c->nameprefix));
		if (*cs(c->namesuffix))
			emit_field(&b, "nameSuffix", kb_node_new_str(c->namesuffix));
		if (*cs(c->namespace_))
			emit_field(&b, "namespace", kb_node_new_str(c->namespace_));
		if (labels->n) {
			emit_field(&b, "commonLabels", labels);
			labels = NULL;
		}
		if (annos->n) {
			emit_field(&b, "commonAnnotations", annos);
			annos = NULL;
		}
		free(e->files[0].text);
		e->files[0].len = b.len;
		e->files[0].text = kb_buf_detach(&b);
	}
	kb_node_free(labels);
	kb_node_free(annos);
	kb_strv_free(&res);
	if (err) {
		kb_edit_free(e);
		return err;
	}
	*out = e;
	return NULL;
}
