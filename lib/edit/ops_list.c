/*
 * ops_list.c - edit add/remove of path lists (resources, components,
 * transformers, generators, configurations), buildMetadata, the scalar
 * fields (namespace, namePrefix, nameSuffix), labels and annotations.
 *
 * kustomize v5.5.0: kustomize/commands/edit/{add,remove,set}/... and
 * internal/util (GlobPatterns, GlobPatternsWithLoader, ConvertSliceToMap,
 * BuildMetadataValidator).
 */
#include "fs.h"
#include "glob.h"
#include "ops.h"
#include "remote.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *field, *word, *add_none, *remove_none;
} lists[] = {
	[KB_EDIT_RESOURCES] = { "resources", "resource", "must specify a resource file",
				"must specify a resource file" },
	[KB_EDIT_COMPONENTS] = { "components", "component", "must specify a component file",
				 "must specify a component file" },
	[KB_EDIT_TRANSFORMERS] = { "transformers", "transformer",
				   "must specify a yaml file which contains a transformer plugin "
				   "resource",
				   "must specify a transformer file" },
	[KB_EDIT_GENERATORS] = { "generators", "generator",
				 "must specify a yaml file which contains a generator plugin "
				 "resource",
				 "must specify a generator file" },
	[KB_EDIT_CONFIGURATIONS] = { "configurations", "configuration",
				     "must specify a yaml file which contains a configuration "
				     "resource",
				     "must specify a configuration file" },
};

static bool list_ok(kb_edit_list l)
{
	return (unsigned)l <= KB_EDIT_CONFIGURATIONS;
}

/* util.GlobPatterns: matches of each pattern; none is only a message. */
static kb_error *glob_patterns(ed_tx *t, const char *const *args, size_t n, kb_strv *out)
{
	for (size_t i = 0; i < n; i++) {
		size_t before = out->n;
		if (ed_go_glob(t->e->fs, t->e->dir, args[i], out) < 0)
			return ed_usage("syntax error in pattern '%s'", args[i]);
		if (out->n == before)
			ed_tx_msg(t, "%s has no match", args[i]);
	}
	return NULL;
}

/* kustomize's loader.New(path), which is what a resource that matches
 * no file must pass: a git URL that can be fetched, or a directory. */
static kb_error *loader_check(ed_tx *t, const char *p)
{
	if (!*p)
		return ed_usage("new root cannot be empty");
	kb_repospec rs;
	kb_error *perr = kb_repospec_parse(p, &rs);
	if (!perr) {
		kb_clone cl;
		kb_error *err = kb_repo_clone(&rs, &cl);
		kb_repospec_free(&rs);
		if (err) {
			kb_error *e2 = kb_error_new(NULL, 0, 0, "%s has no match: %s", p,
						    err->primary.msg);
			kb_error_free(err);
			return e2;
		}
		kb_clone_remove(&cl);
		return NULL;
	}
	kb_error_free(perr);
	if (p[0] == '/')
		return kb_error_new(NULL, 0, 0, "%s has no match: new root '%s' cannot be absolute", p,
				    p);
	char *abs = ed_abs(t->e, p);
	kb_error *err = NULL;
	if (!kb_fs_is_dir(t->e->fs, abs)) {
		err = kb_error_new(NULL, 0, 0,
				   "%s has no match: must build at directory: not a valid directory: "
				   "evalsymlink failure on '%s' : lstat %s: no such file or directory",
				   p, abs, abs);
		char *dd = kb_path_display(t->e->dir);
		kb_error_note(err, NULL, 0, 0,
			      "paths are relative to the kustomization's directory (%s); "
			      "--no-verify adds it unchecked",
			      dd);
		free(dd);
	}
	free(abs);
	return err;
}

/* util.GlobPatternsWithLoader */
static kb_error *glob_with_loader(ed_tx *t, const char *const *args, size_t n, bool noverify,
				  kb_strv *out)
{
	for (size_t i = 0; i < n; i++) {
		if (noverify) {
			kb_strv_push(out, args[i]);
			continue;
		}
		size_t before = out->n;
		if (ed_go_glob(t->e->fs, t->e->dir, args[i], out) < 0)
			return kb_error_new(NULL, 0, 0,
					    "error checking the filesystem: syntax error in pattern "
					    "'%s'",
					    args[i]);
		if (out->n > before)
			continue;
		kb_error *err = loader_check(t, args[i]);
		if (err)
			return err;
		kb_strv_push(out, args[i]);
	}
	return NULL;
}

static const char *kfile_name(const kb_edit *e)
{
	const char *s = strrchr(e->files[0].path, '/');
	return s ? s + 1 : e->files[0].path;
}

static kb_error *add_base(ed_tx *t, const char *const *args, size_t n)
{
	if (n != 1)
		return ed_usage("must specify a base directory");
	ed_node *res = op_list(t->m, "resources");
	ed_node *bases = op_get(t->m, "bases");
	char *all = kb_xstrdup(args[0]);
	kb_error *err = NULL;
	for (char *save = NULL, *p = strtok_r(all, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		char *abs = ed_abs(t->e, p);
		kb_file_type ft;
		bool exists = kb_fs_stat(t->e->fs, abs, true, &ft) == 0;
		free(abs);
		if (!exists) {
			err = kb_error_new(NULL, 0, 0, "%s does not exist", p);
			break;
		}
		if (op_list_has(res, p) || op_list_has(bases, p)) {
			err = ed_err(t->e, "base %s already in kustomization file", p);
			break;
		}
		ed_seq_push(res, ed_new_str(p));
	}
	free(all);
	return err;
}

static kb_error *do_add(ed_tx *t, kb_edit_list l, const char *const *args, size_t n,
			unsigned flags)
{
	if (l == KB_EDIT_RESOURCES && (flags & KB_EDIT_BASE))
		return add_base(t, args, n);
	if (n == 0)
		return ed_usage("%s", lists[l].add_none);
	kb_strv found = { 0 };
	kb_error *err;
	bool loader = l == KB_EDIT_RESOURCES || l == KB_EDIT_COMPONENTS;
	if (loader)
		err = glob_with_loader(t, args, n, l == KB_EDIT_RESOURCES && (flags & KB_EDIT_NO_VERIFY),
				       &found);
	else
		err = glob_patterns(t, args, n, &found);
	if (err || found.n == 0) {
		kb_strv_free(&found);
		return err;
	}
	/* kustomize reads `bases` into resources (after them): new entries go
	 * after the bases to keep the build's order */
	ed_node *bases = l == KB_EDIT_RESOURCES ? op_get(t->m, "bases") : NULL;
	bool to_bases = bases && bases->kind == ED_SEQ && bases->n;
	ed_node *list = NULL;
	for (size_t i = 0; i < found.n; i++) {
		const char *p = found.v[i];
		if (loader && strcmp(p, kfile_name(t->e)) == 0)
			continue;
		ed_node *cur = op_get(t->m, lists[l].field);
		if (op_list_has(cur, p) || op_list_has(bases, p)) {
			ed_tx_msg(t, "%s %s already in kustomization file", lists[l].word, p);
			continue;
		}
		if (!list)
			list = to_bases ? bases : op_list(t->m, lists[l].field);
		ed_seq_push(list, ed_new_str(p));
	}
	if (list && to_bases)
		ed_tx_msg(t,
			  "'bases' is deprecated; the new entries went to it so that the resources "
			  "keep their order (run 'kbuild edit fix' to move them to 'resources')");
	kb_strv_free(&found);
	return NULL;
}

typedef struct list_args {
	kb_edit_list l;
	const char *const *args;
	size_t n;
	unsigned flags;
} list_args;

static kb_error *add_fn(ed_tx *t, void *p)
{
	list_args *a = p;
	return do_add(t, a->l, a->args, a->n, a->flags);
}

kb_error *kb_edit_add(kb_edit *e, kb_edit_list list, const char *const *args, size_t n,
		      unsigned flags)
{
	if (!list_ok(list))
		return ed_usage("unknown list");
	list_args a = { list, args, n, flags };
	return ed_run(e, add_fn, &a);
}

/* remove: every entry matching a pattern (filepath.Match) goes */
static kb_error *remove_from(ed_tx *t, const char *field, const char *const *args, size_t n)
{
	ed_node *list = op_get(t->m, field);
	if (!list || list->kind != ED_SEQ)
		return NULL;
	for (size_t i = list->n; i-- > 0;) {
		const char *s = ed_str(list->items[i]);
		if (!s)
			continue;
		for (size_t k = 0; k < n; k++) {
			int m = ed_go_match(args[k], s);
			if (m < 0)
				return kb_error_new(NULL, 0, 0, "syntax error in pattern '%s'", args[k]);
			if (m) {
				ed_seq_remove(list, i);
				break;
			}
		}
	}
	op_drop_empty(t->m, field);
	return NULL;
}

static kb_error *remove_fn(ed_tx *t, void *p)
{
	list_args *a = p;
	if (a->n == 0)
		return ed_usage("%s", lists[a->l].remove_none);
	kb_error *err = remove_from(t, lists[a->l].field, a->args, a->n);
	if (!err && a->l == KB_EDIT_RESOURCES)
		err = remove_from(t, "bases", a->args, a->n);
	return err;
}

kb_error *kb_edit_remove(kb_edit *e, kb_edit_list list, const char *const *args, size_t n)
{
	if (!list_ok(list))
		return ed_usage("unknown list");
	list_args a = { list, args, n, 0 };
	return ed_run(e, remove_fn, &a);
}

/* ---- buildMetadata ---- */

static const char *const bm_options[] = { "originAnnotations", "transformerAnnotations",
					  "managedByLabel" };

typedef struct bm_args {
	kb_edit_verb verb;
	const char *const *args;
	size_t n;
} bm_args;

static kb_error *bm_fn(ed_tx *t, void *p)
{
	bm_args *a = p;
	if (a->n == 0)
		return ed_usage("must specify a buildMetadata option");
	if (a->n > 1) {
		char *s = op_go_slice(a->args, a->n);
		kb_error *err = ed_usage("too many arguments: %s; to provide multiple buildMetadata "
					 "options, please separate options by comma",
					 s);
		free(s);
		return err;
	}
	kb_strv opts = { 0 };
	char *all = kb_xstrdup(a->args[0]);
	char *s = all;
	for (;;) {
		char *c = strchr(s, ',');
		if (c)
			*c = '\0';
		kb_strv_push(&opts, s);
		if (!c)
			break;
		s = c + 1;
	}
	free(all);
	kb_error *err = NULL;
	for (size_t i = 0; i < opts.n && !err; i++) {
		bool ok = false;
		for (size_t k = 0; k < 3; k++)
			ok |= strcmp(opts.v[i], bm_options[k]) == 0;
		if (!ok)
			err = ed_usage("invalid buildMetadata option: %s", opts.v[i]);
	}
	if (err) {
		kb_strv_free(&opts);
		return err;
	}
	ed_node *cur = op_get(t->m, "buildMetadata");
	if (a->verb == KB_EDIT_ADD) {
		for (size_t i = 0; i < opts.n && !err; i++) {
			ed_node *bl = op_get(t->m, "buildMetadata");
			if (op_list_has(bl, opts.v[i])) {
				const ed_node *at = NULL;
				for (size_t k = 0; k < bl->n; k++)
					if (ed_is_str(bl->items[k], opts.v[i]))
						at = bl->items[k];
				err = ed_err_at(t, at, "buildMetadata option %s already in kustomization file",
						opts.v[i]);
			}
			else
				ed_seq_push(op_list(t->m, "buildMetadata"), ed_new_str(opts.v[i]));
		}
	} else if (a->verb == KB_EDIT_SET) {
		/* the list becomes exactly opts; entries already there keep
		 * their text */
		ed_node *list = op_list(t->m, "buildMetadata");
		ed_node *fresh = ed_new_seq();
		fresh->flow = list->flow;
		for (size_t i = 0; i < opts.n; i++) {
			size_t k;
			for (k = 0; k < list->n; k++)
				if (ed_is_str(list->items[k], opts.v[i]))
					break;
			ed_seq_push(fresh, k < list->n ? ed_seq_take(list, k) : ed_new_str(opts.v[i]));
		}
		while (list->n)
			ed_seq_remove(list, 0);
		while (fresh->n)
			ed_seq_push(list, ed_seq_take(fresh, 0));
		ed_node_free(fresh);
	} else if (cur && cur->kind == ED_SEQ) {
		for (size_t i = cur->n; i-- > 0;)
			for (size_t k = 0; k < opts.n; k++)
				if (ed_is_str(cur->items[i], opts.v[k])) {
					ed_seq_remove(cur, i);
					break;
				}
		op_drop_empty(t->m, "buildMetadata");
	}
	kb_strv_free(&opts);
	return err;
}

kb_error *kb_edit_buildmetadata(kb_edit *e, kb_edit_verb verb, const char *const *args, size_t n)
{
	bm_args a = { verb, args, n };
	return ed_run(e, bm_fn, &a);
}

/* ---- namespace, namePrefix, nameSuffix ---- */

typedef struct field_args {
	kb_edit_field f;
	const char *const *args;
	size_t n;
} field_args;

static kb_error *field_fn(ed_tx *t, void *p)
{
	field_args *a = p;
	static const char *const names[] = { "namespace", "namePrefix", "nameSuffix" };
	static const char *const words[] = { "namespace", "prefix", "suffix" };
	if (a->n != 1)
		return ed_usage("must specify exactly one %s value", words[a->f]);
	const char *v = a->args[0];
	if (a->f == KB_EDIT_NAMESPACE && *v && !op_valid_dns_label(v))
		ed_tx_msg(t,
			  "warning: \"%s\" is not a valid namespace name (a lowercase RFC 1123 label: "
			  "a-z, 0-9 and '-', at most 63 characters); kubectl will refuse it",
			  v);
	if (!*v) {
		/* kustomize writes no empty field */
		op_del(t->m, names[a->f]);
		return NULL;
	}
	op_set_str(t->m, names[a->f], v, (size_t)-1);
	return NULL;
}

kb_error *kb_edit_set_field(kb_edit *e, kb_edit_field f, const char *const *args, size_t n)
{
	if ((unsigned)f > KB_EDIT_NAMESUFFIX)
		return ed_usage("unknown field");
	field_args a = { f, args, n };
	return ed_run(e, field_fn, &a);
}

/* ---- labels and annotations ---- */

typedef struct meta_args {
	kb_edit_verb verb;
	kb_edit_meta what;
	const char *const *args;
	size_t n;
	unsigned flags;
} meta_args;

/* set annotation's IsValidKey:
 * ^([a-zA-Z](([-a-zA-Z0-9.]{0,251})[a-zA-Z0-9])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]{0,61}[a-zA-Z0-9])?$ */
static bool annotation_key_ok(const char *s)
{
	const char *slash = strchr(s, '/');
	const char *name = s;
	if (slash) {
		size_t pl = (size_t)(slash - s);
		if (pl < 1 || pl > 253 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
			return false;
		if (pl > 1) {
			char last = s[pl - 1];
			if (!((last >= 'a' && last <= 'z') || (last >= 'A' && last <= 'Z') ||
			      (last >= '0' && last <= '9')))
				return false;
			for (size_t i = 1; i + 1 < pl; i++) {
				char c = s[i];
				if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				      (c >= '0' && c <= '9') || c == '-' || c == '.'))
					return false;
			}
		}
		name = slash + 1;
	}
	size_t l = strlen(name);
	if (l < 1 || l > 63)
		return false;
	for (size_t i = 0; i < l; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (i == 0 || i == l - 1) {
			if (!alnum)
				return false;
		} else if (!alnum && c != '-' && c != '_' && c != '.') {
			return false;
		}
	}
	return true;
}

static const char *meta_word(kb_edit_meta w)
{
	return w == KB_EDIT_LABEL ? "label" : "annotation";
}

/* The labels entry --without-selector writes to: the first whose
 * settings match (kustomize after v5.5.0 merges into it rather than
 * adding an entry per call). */
static ed_node *labels_entry(ed_tx *t, bool templates)
{
	ed_node *labels = op_get(t->m, "labels");
	if (labels && labels->kind == ED_SEQ)
		for (size_t i = 0; i < labels->n; i++) {
			ed_node *l = labels->items[i];
			if (l->kind != ED_MAP)
				continue;
			const ed_node *is = op_get(l, "includeSelectors");
			const ed_node *it = op_get(l, "includeTemplates");
			bool sel = is && is->type == KB_BOOL && ed_is_str(is, "true");
			bool tpl = it && it->type == KB_BOOL && ed_is_str(it, "true");
			if (!sel && tpl == templates)
				return l;
		}
	return NULL;
}

static kb_error *meta_add_set(ed_tx *t, meta_args *a)
{
	const char *word = meta_word(a->what);
	if (a->n < 1)
		return ed_usage("must specify %s", word);
	if (a->verb == KB_EDIT_ADD && (a->flags & KB_EDIT_INCLUDE_TEMPLATES) &&
	    !(a->flags & KB_EDIT_WITHOUT_SELECTOR))
		return ed_usage("--without-selector flag must be specified for --include-templates "
				"to work");
	kb_strv keys = { 0 }, vals = { 0 };
	kb_error *err = NULL;
	for (size_t i = 0; i < a->n && !err; i++) {
		char *k, *v;
		err = op_kv(a->args[i], word, &k, &v);
		if (err)
			break;
		/* a repeated key: the last wins (a Go map) */
		size_t j;
		for (j = 0; j < keys.n; j++)
			if (strcmp(keys.v[j], k) == 0)
				break;
		if (j < keys.n) {
			free(vals.v[j]);
			vals.v[j] = v;
			free(k);
		} else {
			kb_strv_push_owned(&keys, k);
			kb_strv_push_owned(&vals, v);
		}
	}
	if (!err && a->verb == KB_EDIT_SET && a->what == KB_EDIT_ANNOTATION)
		for (size_t i = 0; i < keys.n && !err; i++)
			if (!annotation_key_ok(keys.v[i]))
				err = ed_usage("invalid annotation key: see the syntax and character "
					       "set rules at https://kubernetes.io/docs/concepts/"
					       "overview/working-with-objects/annotations/");
	if (!err)
		for (size_t i = 0; i < keys.n; i++) {
			if (!op_valid_label_key(keys.v[i]))
				ed_tx_msg(t,
					  "warning: '%s' is not a valid Kubernetes %s key; the API "
					  "server will refuse it",
					  keys.v[i], word);
			else if (a->what == KB_EDIT_LABEL && !op_valid_label_value(vals.v[i]))
				ed_tx_msg(t,
					  "warning: '%s' is not a valid Kubernetes label value (at most "
					  "63 characters: letters, digits, '-', '_', '.'); the API server "
					  "will refuse it",
					  vals.v[i]);
		}
	ed_node *target = NULL;
	bool new_entry = false;
	if (!err) {
		if (a->what == KB_EDIT_ANNOTATION) {
			target = op_map(t->m, "commonAnnotations");
		} else if (a->verb == KB_EDIT_ADD && (a->flags & KB_EDIT_WITHOUT_SELECTOR)) {
			bool tpl = a->flags & KB_EDIT_INCLUDE_TEMPLATES;
			ed_node *entry = labels_entry(t, tpl);
			if (!entry) {
				entry = ed_new_map();
				ed_map_append(entry, "pairs", ed_new_map());
				if (tpl)
					ed_map_append(entry, "includeTemplates", ed_new_scalar("true", KB_BOOL));
				ed_seq_push(op_list(t->m, "labels"), entry);
				new_entry = true;
			}
			target = op_map(entry, "pairs");
		} else {
			target = op_map(t->m, "commonLabels");
		}
	}
	for (size_t i = 0; !err && i < keys.n; i++) {
		ed_pair *there = ed_map_pair(target, keys.v[i]);
		if (a->verb == KB_EDIT_ADD && !new_entry && !(a->flags & KB_EDIT_FORCE) && there) {
			err = ed_err_at(t, there->val, "%s %s already in kustomization file", word,
					keys.v[i]);
			kb_error_note(err, NULL, 0, 0, "use --force to overwrite it");
			break;
		}
		op_set_map_entry(target, keys.v[i], vals.v[i]);
	}
	kb_strv_free(&keys);
	kb_strv_free(&vals);
	return err;
}

static kb_error *meta_remove(ed_tx *t, meta_args *a)
{
	const char *word = meta_word(a->what);
	if (a->n < 1)
		return ed_usage("must specify %s", word);
	if (a->n > 1)
		return ed_usage("%ss must be comma-separated, with no spaces", word);
	kb_strv keys = { 0 };
	char *all = kb_xstrdup(a->args[0]);
	char *s = all;
	kb_error *err = NULL;
	for (;;) {
		char *c = strchr(s, ',');
		if (c)
			*c = '\0';
		if (!*s) {
			err = ed_usage("invalid %s: '' (name is empty)", word);
			break;
		}
		kb_strv_push(&keys, s);
		if (!c)
			break;
		s = c + 1;
	}
	free(all);
	const char *field = a->what == KB_EDIT_LABEL ? "commonLabels" : "commonAnnotations";
	bool ignore = a->flags & KB_EDIT_IGNORE_MISSING;
	ed_node *m = err ? NULL : op_get(t->m, field);
	if (!err && (!m || m->kind != ED_MAP)) {
		if (!ignore)
			err = ed_err(t->e, "%s is not defined in kustomization file", field);
		m = NULL;
	}
	for (size_t i = 0; !err && m && i < keys.n; i++) {
		ed_pair *p = ed_map_pair(m, keys.v[i]);
		if (!p) {
			if (!ignore)
				err = ed_err(t->e, "%s %s is not defined in kustomization file", word,
					     keys.v[i]);
			continue;
		}
		while ((p = ed_map_pair(m, keys.v[i])) != NULL)
			ed_map_remove(m, ed_map_index(m, p));
	}
	if (!err && m)
		op_drop_empty(t->m, field);
	kb_strv_free(&keys);
	return err;
}

static kb_error *meta_fn(ed_tx *t, void *p)
{
	meta_args *a = p;
	return a->verb == KB_EDIT_REMOVE ? meta_remove(t, a) : meta_add_set(t, a);
}

kb_error *kb_edit_metadata(kb_edit *e, kb_edit_verb verb, kb_edit_meta what,
			   const char *const *args, size_t n, unsigned flags)
{
	meta_args a = { verb, what, args, n, flags };
	return ed_run(e, meta_fn, &a);
}
