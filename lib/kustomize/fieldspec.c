#include "fieldspec.h"

#include <stdlib.h>
#include <string.h>

bool kb_fsset_add(kb_fsset *set, const char *group, const char *version, const char *kind,
		  const char *path, bool create)
{
	/* kustomize's FsSlice.MergeOne: an incoming spec is dropped when an
	 * existing one has the same path and matches every gvk field the
	 * incoming one sets (so a general default never joins a set that
	 * already has a kind-specific spec for that path) */
	for (size_t i = 0; i < set->n; i++) {
		kb_fieldspec *f = &set->v[i];
		if (kb_streq(f->path, path) && (kb_str_empty(group) || kb_streq(f->group, group)) &&
		    (kb_str_empty(version) || kb_streq(f->version, version)) &&
		    (kb_str_empty(kind) || kb_streq(f->kind, kind)))
			return f->create == create;
	}
	kb_grow((void **)&set->v, &set->cap, set->n + 1, sizeof(kb_fieldspec));
	kb_fieldspec *f = &set->v[set->n++];
#define OWN(s) ((s) ? (kb_strv_push(&set->owned, (s)), set->owned.v[set->owned.n - 1]) : NULL)
	f->group = OWN(group);
	f->version = OWN(version);
	f->kind = OWN(kind);
	f->path = OWN(path);
#undef OWN
	f->create = create;
	return true;
}

void kb_fsset_add_list(kb_fsset *set, const kb_fieldspec_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		kb_fsset_add(set, list->v[i].group, list->v[i].version, list->v[i].kind,
			     list->v[i].path, list->v[i].create);
}

bool kb_fsset_add_set(kb_fsset *set, const kb_fsset *other)
{
	bool ok = true;
	for (size_t i = 0; i < other->n; i++)
		ok &= kb_fsset_add(set, other->v[i].group, other->v[i].version, other->v[i].kind,
				   other->v[i].path, other->v[i].create);
	return ok;
}

void kb_fsset_free(kb_fsset *set)
{
	if (!set)
		return;
	free(set->v);
	kb_strv_free(&set->owned);
	memset(set, 0, sizeof(*set));
}

bool kb_fieldspec_matches(const kb_fieldspec *fs, const char *group, const char *version,
			  const char *kind)
{
	if (!kb_str_empty(fs->kind) && !kb_streq(fs->kind, kind))
		return false;
	if (!kb_str_empty(fs->group) && !kb_streq(fs->group, group))
		return false;
	if (!kb_str_empty(fs->version) && !kb_streq(fs->version, version))
		return false;
	return true;
}

/* Splits a path at '/', keeping "[a/b]" bracketed steps whole. */
static size_t split_path(const char *path, char ***out)
{
	kb_strv sv = { 0 };
	const char *p = path, *start = path;
	int depth = 0;
	for (;; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']' && depth)
			depth--;
		if (*p == '\0' || (*p == '/' && depth == 0)) {
			kb_strv_push_owned(&sv, kb_xstrndup(start, (size_t)(p - start)));
			if (!*p)
				break;
			start = p + 1;
		}
	}
	*out = sv.v;
	return sv.n;
}

typedef struct walk {
	char **steps;
	size_t nsteps;
	bool create;
	kb_create create_kind;
	kb_fs_visit_fn fn;
	void *ud;
} walk;

static kb_error *walk_node(walk *w, kb_node **slot, size_t i);

static kb_error *walk_map(walk *w, kb_node *map, size_t i)
{
	char *step = w->steps[i];
	size_t sl = strlen(step);
	bool is_seq = sl > 2 && strcmp(step + sl - 2, "[]") == 0;
	char *name = kb_xstrndup(step, is_seq ? sl - 2 : sl);
	/* "[a/b]" addresses a key holding a slash */
	if (name[0] == '[' && name[strlen(name) - 1] == ']' && !strchr(name, '=')) {
		char *inner = kb_xstrndup(name + 1, strlen(name) - 2);
		free(name);
		name = inner;
	}
	bool last = i + 1 == w->nsteps;
	kb_pair *p = kb_map_get_pair(map, name);
	kb_error *e = NULL;
	if (!p) {
		if (!w->create || w->create_kind == KB_CREATE_NONE || is_seq) {
			free(name);
			return NULL;
		}
		kb_node *nv;
		if (!last || w->create_kind == KB_CREATE_MAP)
			nv = kb_node_new(KB_MAP);
		else
			nv = kb_node_new_str("");
		kb_map_set(map, name, nv);
		p = kb_map_get_pair(map, name);
	} else if (p->val->kind == KB_NULL && is_seq) {
		/* kyaml turns an existing null into the kind the path says it
		 * is (a "[]" step is a list), whether or not it creates */
		kb_node_replace(p->val, kb_node_new(KB_SEQ));
	} else if (p->val->kind == KB_NULL && w->create && w->create_kind != KB_CREATE_NONE &&
		   (!last || w->create_kind == KB_CREATE_MAP)) {
		kb_node_replace(p->val, kb_node_new(KB_MAP));
	}
	free(name);
	e = walk_node(w, &p->val, i + 1);
	return e;
}

static kb_error *walk_node(walk *w, kb_node **slot, size_t i)
{
	kb_node *n = *slot;
	if (i == w->nsteps)
		return w->fn(slot, w->ud);
	if (!n || n->kind == KB_NULL)
		return NULL;
	if (n->kind == KB_SEQ) {
		for (size_t k = 0; k < n->n; k++) {
			kb_error *e = walk_node(w, &n->items[k], i);
			if (e)
				return e;
		}
		return NULL;
	}
	if (n->kind == KB_MAP)
		return walk_map(w, n, i);
	return kb_error_new(NULL, n->line, n->col,
			    "expected a mapping or sequence at '%s' of field path '%s', found a "
			    "scalar",
			    w->steps[i], w->steps[0]);
}

kb_error *kb_fieldspec_walk(kb_node *doc, const kb_fieldspec *fs, kb_create create,
			    kb_fs_visit_fn fn, void *ud)
{
	char *group, *version;
	kb_split_apiversion(kb_map_get_str(doc, "apiVersion"), &group, &version);
	bool match = kb_fieldspec_matches(fs, group, version, kb_map_get_str(doc, "kind"));
	free(group);
	free(version);
	if (!match)
		return NULL;
	walk w;
	w.nsteps = split_path(fs->path, &w.steps);
	w.create = fs->create;
	w.create_kind = create;
	w.fn = fn;
	w.ud = ud;
	kb_node *root = doc;
	kb_error *e = walk_node(&w, &root, 0);
	for (size_t i = 0; i < w.nsteps; i++)
		free(w.steps[i]);
	free(w.steps);
	return e;
}
