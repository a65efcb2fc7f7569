/*
 * ops_image.c - edit set image, set replicas, add/remove patch
 * (kustomize v5.5.0 edit/set/setimage.go, setreplicas.go,
 * edit/add/addpatch.go, edit/remove/removepatch.go).
 *
 * kustomize rebuilds `images` and `replicas` from a Go map and sorts
 * them by name; here an entry that is set changes in place and a new one
 * goes to its sorted place when the list is sorted (so a file kustomize
 * wrote stays as kustomize would write it), else at the end.
 */
#include "ops.h"
#include "transform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Orders the pairs of a new entry m like its neighbour t: m's keys stay
 * in their (canonical) order unless t writes two of them the other way
 * round; then the keys t has come first, in t's order. */
static void order_like(ed_node *m, const ed_node *t)
{
	if (!t || t->kind != ED_MAP || m->n < 2)
		return;
	long last = -1;
	bool consistent = true;
	for (size_t j = 0; j < m->n && consistent; j++) {
		ed_pair *q = ed_map_pair_ci(t, m->pairs[j].key->str);
		if (!q)
			continue;
		long at = (long)ed_map_index(t, q);
		if (at < last)
			consistent = false;
		last = at;
	}
	if (consistent)
		return;
	ed_pair *tmp = kb_xmalloc(m->n * sizeof(*tmp));
	bool *used = kb_xcalloc(m->n, sizeof(bool));
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < m->n; j++)
			if (!used[j] && strcasecmp(m->pairs[j].key->str, t->pairs[i].key->str) == 0) {
				tmp[k++] = m->pairs[j];
				used[j] = true;
			}
	for (size_t j = 0; j < m->n; j++)
		if (!used[j])
			tmp[k++] = m->pairs[j];
	memcpy(m->pairs, tmp, m->n * sizeof(*tmp));
	free(tmp);
	free(used);
}

/* An entry in kustomize's own order (keys sorted, as goyaml writes a
 * map), recognisable when it does not start with the field a person puts
 * first (name). */
static bool keys_alpha(const ed_node *m)
{
	if (!m || m->kind != ED_MAP || m->n < 2 || strcmp(m->pairs[0].key->str, "name") == 0)
		return false;
	for (size_t i = 1; i < m->n; i++)
		if (strcmp(m->pairs[i - 1].key->str, m->pairs[i].key->str) > 0)
			return false;
	return true;
}

/* The last map item of a list: what a new entry is written like. */
static const ed_node *last_map(const ed_node *list)
{
	if (!list || list->kind != ED_SEQ)
		return NULL;
	for (size_t i = list->n; i-- > 0;)
		if (list->items[i]->kind == ED_MAP)
			return list->items[i];
	return NULL;
}

/* Sets field f of entry e: in place when there, else inserted after the
 * nearest field before it in `order` (alphabetically when e's keys are
 * sorted that way, as kustomize writes them). */
static void set_entry_field(ed_node *e, const char *f, ed_node *val,
			    const char *const *order)
{
	ed_pair *p = ed_map_pair_ci(e, f);
	if (p) {
		if (p->val->kind == ED_SCALAR && val->kind == ED_SCALAR) {
			if (p->val->type != val->type || strcmp(p->val->str, val->str) != 0)
				ed_set_scalar(p->val, val->str, val->type);
			ed_node_free(val);
		} else {
			ed_pair_set(p, val);
		}
		return;
	}
	size_t at = e->n;
	if (keys_alpha(e)) {
		at = 0;
		while (at < e->n && strcmp(e->pairs[at].key->str, f) < 0)
			at++;
	} else {
		size_t fi = 0;
		while (order[fi] && strcmp(order[fi], f) != 0)
			fi++;
		for (size_t k = fi; k-- > 0;) {
			ed_pair *q = ed_map_pair_ci(e, order[k]);
			if (q) {
				at = ed_map_index(e, q) + 1;
				break;
			}
		}
		if (!order[fi])
			at = e->n;
	}
	ed_map_insert(e, at, f, val);
}

/* Removes the entries after `keep` named name from lists a and b. */
static void drop_dups(ed_node *a, ed_node *b, const ed_node *keep, const char *name)
{
	bool seen = false;
	ed_node *lists[2] = { a, b };
	for (int l = 0; l < 2; l++) {
		ed_node *list = lists[l];
		if (!list || list->kind != ED_SEQ)
			continue;
		for (size_t i = 0; i < list->n;) {
			ed_node *it = list->items[i];
			if (it == keep) {
				seen = true;
				i++;
				continue;
			}
			if (seen && it->kind == ED_MAP && strcmp(op_str(it, "name"), name) == 0) {
				ed_seq_remove(list, i);
				continue;
			}
			i++;
		}
	}
}

static ed_node *find_named(ed_node *a, ed_node *b, const char *name)
{
	ed_node *lists[2] = { a, b };
	for (int l = 0; l < 2; l++) {
		ed_node *list = lists[l];
		if (!list || list->kind != ED_SEQ)
			continue;
		for (size_t i = 0; i < list->n; i++)
			if (list->items[i]->kind == ED_MAP &&
			    strcmp(op_str(list->items[i], "name"), name) == 0)
				return list->items[i];
	}
	return NULL;
}

/* ---- set image ---- */

typedef struct image_arg {
	char *name, *new_name, *tag, *digest;
} image_arg;

static const char image_usage[] =
	"invalid format of image, use one of the following options:\n"
	"- <image>=<newimage>:<newtag>\n"
	"- <image>=<newimage>@<digest>\n"
	"- <image>=<newimage>:<newtag>@<digest>\n"
	"- <image>=<newimage>\n"
	"- <image>:<newtag>\n"
	"- <image>:<newtag>@<digest>\n"
	"- <image>@<digest>";

static kb_error *parse_image(const char *arg, image_arg *out)
{
	memset(out, 0, sizeof(*out));
	const char *eq = strchr(arg, '=');
	const char *value = eq ? eq + 1 : arg;
	char *name, *tag, *digest;
	kb_image_split(value, &name, &tag, &digest);
	if (strcmp(name, arg) == 0) {
		free(name);
		free(tag);
		free(digest);
		return ed_usage("%s", image_usage);
	}
	out->tag = tag ? tag : kb_xstrdup("");
	out->digest = digest ? digest : kb_xstrdup("");
	if (!eq) {
		out->name = name;
		out->new_name = kb_xstrdup("");
	} else {
		out->name = kb_xstrndup(arg, (size_t)(eq - arg));
		out->new_name = name;
	}
	return NULL;
}

static void image_arg_free(image_arg *a)
{
	free(a->name);
	free(a->new_name);
	free(a->tag);
	free(a->digest);
}

typedef struct strs_args {
	const char *const *args;
	size_t n;
} strs_args;

static const char *const image_order[] = { "name", "newName", "newTag", "digest", NULL };

static kb_error *image_fn(ed_tx *t, void *p)
{
	strs_args *a = p;
	if (a->n == 0)
		return ed_usage("no image specified");
	image_arg *imgs = kb_xcalloc(a->n, sizeof(*imgs));
	size_t ni = 0;
	kb_error *err = NULL;
	for (size_t i = 0; i < a->n && !err; i++) {
		image_arg im;
		err = parse_image(a->args[i], &im);
		if (err)
			break;
		size_t k;
		for (k = 0; k < ni; k++)
			if (strcmp(imgs[k].name, im.name) == 0)
				break;
		if (k < ni) {
			image_arg_free(&imgs[k]);
			imgs[k] = im;
		} else {
			imgs[ni++] = im;
		}
	}
	for (size_t i = 0; i < ni && !err; i++) {
		image_arg *im = &imgs[i];
		ed_node *images = op_get(t->m, "images");
		ed_node *tags = op_get(t->m, "imageTags");
		ed_node *e = find_named(images, tags, im->name);
		const char *vals[3] = { im->new_name, im->tag, im->digest };
		static const char *const fields[3] = { "newName", "newTag", "digest" };
		if (e) {
			for (int f = 0; f < 3; f++) {
				if (strcmp(vals[f], "*") == 0)
					continue;
				if (!*vals[f])
					op_del(e, fields[f]);
				else
					set_entry_field(e, fields[f], ed_new_str(vals[f]), image_order);
			}
			/* kustomize rebuilds the entry from the argument */
			op_del(e, "tagSuffix");
			drop_dups(images, tags, e, im->name);
			continue;
		}
		ed_node *list = op_list(t->m, "images");
		const ed_node *tmpl = last_map(list);
		ed_node *n = ed_new_map();
		ed_map_append(n, "name", ed_new_str(im->name));
		for (int f = 0; f < 3; f++)
			if (*vals[f] && strcmp(vals[f], "*") != 0)
				ed_map_append(n, fields[f], ed_new_str(vals[f]));
		if (keys_alpha(tmpl)) {
			/* digest, name, newName, newTag */
			ed_node *o = ed_new_map();
			static const char *const alpha[] = { "digest", "name", "newName", "newTag" };
			for (int k = 0; k < 4; k++) {
				ed_pair *q = ed_map_pair(n, alpha[k]);
				if (q)
					ed_map_append(o, alpha[k], ed_new_str(q->val->str));
			}
			ed_node_free(n);
			n = o;
		} else {
			order_like(n, tmpl);
		}
		ed_seq_insert(list, op_sorted_pos(list, im->name), n);
	}
	for (size_t i = 0; i < ni; i++)
		image_arg_free(&imgs[i]);
	free(imgs);
	return err;
}

kb_error *kb_edit_set_image(kb_edit *e, const char *const *args, size_t n)
{
	strs_args a = { args, n };
	return ed_run(e, image_fn, &a);
}

/* ---- set replicas ---- */

static const char *const replica_order[] = { "name", "count", NULL };

static kb_error *replicas_fn(ed_tx *t, void *p)
{
	strs_args *a = p;
	if (a->n == 0)
		return ed_usage("no replicas specified");
	kb_strv names = { 0 }, counts = { 0 };
	kb_error *err = NULL;
	for (size_t i = 0; i < a->n; i++) {
		const char *arg = a->args[i];
		const char *eq = strchr(arg, '=');
		long long c;
		if (!eq || strchr(eq + 1, '=') || !kb_go_atoi(eq + 1, &c)) {
			err = ed_usage("invalid format of replica, use the following format: "
				       "<name>=<count>");
			break;
		}
		char *name = kb_xstrndup(arg, (size_t)(eq - arg));
		char *cs = kb_xasprintf("%lld", c);
		size_t k;
		for (k = 0; k < names.n; k++)
			if (strcmp(names.v[k], name) == 0)
				break;
		if (k < names.n) {
			free(counts.v[k]);
			counts.v[k] = cs;
			free(name);
		} else {
			kb_strv_push_owned(&names, name);
			kb_strv_push_owned(&counts, cs);
		}
	}
	for (size_t i = 0; !err && i < names.n; i++) {
		ed_node *list = op_get(t->m, "replicas");
		ed_node *e = find_named(list, NULL, names.v[i]);
		if (e) {
			set_entry_field(e, "count", ed_new_scalar(counts.v[i], KB_INT), replica_order);
			for (size_t k = e->n; k-- > 0;) {
				const char *key = e->pairs[k].key->str;
				if (strcasecmp(key, "name") != 0 && strcasecmp(key, "count") != 0)
					ed_map_remove(e, k);
			}
			drop_dups(list, NULL, e, names.v[i]);
			continue;
		}
		list = op_list(t->m, "replicas");
		const ed_node *tmpl = last_map(list);
		ed_node *n = ed_new_map();
		if (keys_alpha(tmpl)) {
			ed_map_append(n, "count", ed_new_scalar(counts.v[i], KB_INT));
			ed_map_append(n, "name", ed_new_str(names.v[i]));
		} else {
			ed_map_append(n, "name", ed_new_str(names.v[i]));
			ed_map_append(n, "count", ed_new_scalar(counts.v[i], KB_INT));
			order_like(n, tmpl);
		}
		ed_seq_insert(list, op_sorted_pos(list, names.v[i]), n);
	}
	kb_strv_free(&names);
	kb_strv_free(&counts);
	return err;
}

kb_error *kb_edit_set_replicas(kb_edit *e, const char *const *args, size_t n)
{
	strs_args a = { args, n };
	return ed_run(e, replicas_fn, &a);
}

/* ---- patches ---- */

void kb_edit_patch_init(kb_edit_patch *p)
{
	memset(p, 0, sizeof(*p));
	p->version = KB_EDIT_PATCH_VERSION;
}

static const char *const target_fields[] = { "group", "version", "kind", "name", "namespace",
					     "annotationSelector", "labelSelector" };

static const char *pf(const char *s)
{
	return s ? s : "";
}

static const char *target_value(const kb_edit_patch *p, size_t i)
{
	switch (i) {
	case 0:
		return pf(p->group);
	case 1:
		return pf(p->version_);
	case 2:
		return pf(p->kind);
	case 3:
		return pf(p->name);
	case 4:
		return pf(p->namespace_);
	case 5:
		return pf(p->annotation_selector);
	default:
		return pf(p->label_selector);
	}
}

static bool has_target(const kb_edit_patch *p)
{
	for (size_t i = 0; i < 7; i++)
		if (*target_value(p, i))
			return true;
	return false;
}

/* types.Patch.Equals against an entry of the file */
static bool patch_equal(const ed_node *e, const kb_edit_patch *p)
{
	if (e->kind != ED_MAP)
		return false;
	if (strcmp(op_str(e, "path"), pf(p->path)) != 0 || strcmp(op_str(e, "patch"), pf(p->patch)))
		return false;
	if (!ed_is_null(op_get(e, "options")))
		return false;
	const ed_node *t = op_get(e, "target");
	bool et = !ed_is_null(t);
	if (et != has_target(p))
		return false;
	if (!et)
		return true;
	if (t->kind != ED_MAP)
		return false;
	for (size_t i = 0; i < 7; i++)
		if (strcmp(op_str(t, target_fields[i]), target_value(p, i)) != 0)
			return false;
	return true;
}

static const char *patch_label(const kb_edit_patch *p)
{
	return *pf(p->path) ? p->path : pf(p->patch);
}

static kb_error *add_patch_fn(ed_tx *t, void *arg)
{
	const kb_edit_patch *p = arg;
	if (*pf(p->patch) && *pf(p->path))
		return ed_usage("patch and path can't be set at the same time");
	if (!*pf(p->patch) && !*pf(p->path))
		return ed_usage("must provide either patch or path");
	ed_node *list = op_get(t->m, "patches");
	if (list && list->kind == ED_SEQ)
		for (size_t i = 0; i < list->n; i++)
			if (patch_equal(list->items[i], p)) {
				ed_tx_msg(t, "patch %s already in kustomization file", patch_label(p));
				return NULL;
			}
	list = op_list(t->m, "patches");
	const ed_node *tmpl = last_map(list);
	ed_node *n = ed_new_map();
	if (*pf(p->path))
		ed_map_append(n, "path", ed_new_str(p->path));
	else
		ed_map_append(n, "patch", ed_new_str(p->patch));
	if (has_target(p)) {
		ed_node *tg = ed_new_map();
		for (size_t i = 0; i < 7; i++)
			if (*target_value(p, i))
				ed_map_append(tg, target_fields[i], ed_new_str(target_value(p, i)));
		ed_map_append(n, "target", tg);
		order_like(tg, tmpl ? op_get(tmpl, "target") : NULL);
	}
	order_like(n, tmpl);
	ed_seq_push(list, n);
	return NULL;
}

kb_error *kb_edit_add_patch(kb_edit *e, const kb_edit_patch *p)
{
	return ed_run(e, add_patch_fn, (void *)p);
}

static kb_error *remove_patch_fn(ed_tx *t, void *arg)
{
	const kb_edit_patch *p = arg;
	if (*pf(p->patch) && *pf(p->path))
		return ed_usage("patch and path can't be set at the same time");
	ed_node *list = op_get(t->m, "patches");
	size_t removed = 0;
	if (list && list->kind == ED_SEQ)
		for (size_t i = list->n; i-- > 0;)
			if (patch_equal(list->items[i], p)) {
				ed_seq_remove(list, i);
				removed++;
			}
	if (!removed) {
		ed_tx_msg(t, "patch %s doesn't exist in kustomization file", patch_label(p));
		return NULL;
	}
	op_drop_empty(t->m, "patches");
	return NULL;
}

kb_error *kb_edit_remove_patch(kb_edit *e, const kb_edit_patch *p)
{
	return ed_run(e, remove_patch_fn, (void *)p);
}
