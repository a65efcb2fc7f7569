#include "sort.h"

#include <stdlib.h>
#include <string.h>

/* kustomize's SortOrderTransformer defaults (api/internal/builtins). */
static const char *const default_first[] = {
	"Namespace",	      "ResourceQuota",	   "StorageClass",
	"CustomResourceDefinition", "ServiceAccount", "PodSecurityPolicy",
	"Role",		      "ClusterRole",	   "RoleBinding",
	"ClusterRoleBinding", "ConfigMap",	   "Secret",
	"Endpoints",	      "Service",	   "LimitRange",
	"PriorityClass",      "PersistentVolume",  "PersistentVolumeClaim",
	"Deployment",	      "StatefulSet",	   "CronJob",
	"PodDisruptionBudget",
};
static const char *const default_last[] = { "MutatingWebhookConfiguration",
					    "ValidatingWebhookConfiguration" };

typedef struct sort_key {
	kb_resource *r;
	int rank;
	char *gvk;    /* legacyGVKSortString */
	char *is_ns;  /* kind == Namespace */
	bool empty_group;
	char *idstr;  /* legacyResIDSortString */
} sort_key;

typedef struct order {
	const char *const *first;
	size_t nfirst;
	const char *const *last;
	size_t nlast;
} order;

static int rank_of(const order *o, const char *kind)
{
	for (size_t i = 0; i < o->nfirst; i++)
		if (strcmp(o->first[i], kind) == 0)
			return -(int)o->nfirst + (int)i;
	for (size_t i = 0; i < o->nlast; i++)
		if (strcmp(o->last[i], kind) == 0)
			return 1 + (int)i;
	return 0;
}

static int key_cmp(const void *pa, const void *pb)
{
	const sort_key *a = pa, *b = pb;
	if (strcmp(a->gvk, b->gvk) != 0) {
		if (a->rank != b->rank)
			return a->rank < b->rank ? -1 : 1;
		int c = strcmp(a->gvk, b->gvk);
		/* kustomize's quirk: two Namespace kinds, one in the core
		 * group, compare the other way round */
		if (a->is_ns && b->is_ns && (a->empty_group || b->empty_group))
			return -c;
		return c;
	}
	return strcmp(a->idstr, b->idstr);
}

static char *gvk_string(const kb_resource *r, bool *empty_group)
{
	char *g, *v;
	kb_split_apiversion(kb_res_apiversion(r), &g, &v);
	const char *k = kb_res_kind(r);
	*empty_group = !*g;
	char *s = kb_xasprintf("%s_%s_%s", *g ? g : "~G", *v ? v : "~V", *k ? k : "~K");
	free(g);
	free(v);
	return s;
}

static void sort_with(kb_resmap *m, const order *o)
{
	sort_key *keys = kb_xcalloc(m->n ? m->n : 1, sizeof(sort_key));
	for (size_t i = 0; i < m->n; i++) {
		kb_resource *r = m->v[i];
		keys[i].r = r;
		keys[i].rank = rank_of(o, kb_res_kind(r));
		keys[i].gvk = gvk_string(r, &keys[i].empty_group);
		keys[i].is_ns = strcmp(kb_res_kind(r), "Namespace") == 0 ? "" : NULL;
		const char *ns = kb_res_ns(r), *name = kb_res_name(r);
		keys[i].idstr = kb_xasprintf("%s|%s|%s", keys[i].gvk, *ns ? ns : "~X",
					     *name ? name : "~N");
	}
	qsort(keys, m->n, sizeof(sort_key), key_cmp);
	for (size_t i = 0; i < m->n; i++) {
		m->v[i] = keys[i].r;
		free(keys[i].gvk);
		free(keys[i].idstr);
	}
	free(keys);
}

static kb_error *string_list(const kb_node *n, const char *what, const char *file,
			     const char ***out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (!n || n->kind == KB_NULL)
		return NULL;
	if (n->kind != KB_SEQ)
		return kb_error_new(file, n->line, n->col, "sortOptions: %s must be a list of kinds",
				    what);
	const char **v = kb_xcalloc(n->n ? n->n : 1, sizeof(char *));
	for (size_t i = 0; i < n->n; i++) {
		if (!kb_node_is_scalar(n->items[i])) {
			free(v);
			return kb_error_new(file, n->items[i]->line, n->items[i]->col,
					    "sortOptions: %s must be a list of kinds", what);
		}
		v[i] = n->items[i]->str;
	}
	*out = v;
	*nout = n->n;
	return NULL;
}

kb_error *kb_sort_resources(kb_resmap *m, const kb_node *so, kb_reorder reorder,
			    const char *file)
{
	order o = { default_first, sizeof(default_first) / sizeof(*default_first), default_last,
		    sizeof(default_last) / sizeof(*default_last) };
	if (so && so->kind == KB_MAP) {
		const char *ord = kb_map_get_str(so, "order");
		const kb_node *lso = kb_map_get(so, "legacySortOptions");
		if (kb_streq(ord, "fifo")) {
			if (lso && lso->kind != KB_NULL)
				return kb_error_new(file, lso->line, lso->col,
						    "sortOptions: legacySortOptions may only be "
						    "given with order: legacy");
			return NULL;
		}
		if (!kb_streq(ord, "legacy"))
			return kb_error_new(file, so->line, so->col,
					    "sortOptions: order must be 'legacy' or 'fifo'");
		if (lso && lso->kind == KB_MAP) {
			const char **first, **last;
			size_t nf, nl;
			kb_error *e = string_list(kb_map_get(lso, "orderFirst"), "orderFirst", file,
						  &first, &nf);
			if (e)
				return e;
			e = string_list(kb_map_get(lso, "orderLast"), "orderLast", file, &last, &nl);
			if (e) {
				free(first);
				return e;
			}
			order custom = { first, nf, last, nl };
			sort_with(m, &custom);
			free(first);
			free(last);
			return NULL;
		}
		sort_with(m, &o);
		return NULL;
	}
	if (reorder == KB_REORDER_NONE)
		return NULL;
	sort_with(m, &o);
	return NULL;
}
