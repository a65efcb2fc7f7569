/* test_flux_api.c - kbuild/flux.h as check and diff call it: a tree held
 * in memory (kb_options.fs), every Kustomization's result, errors kept per
 * Kustomization, selection, the stats. */
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(kb_memfs *m, const char *path, const char *text)
{
	kb_memfs_add(m, path, text, strlen(text));
}

static const char sync_yaml[] =
	"apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n"
	"  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n"
	"  url: https://example.com/fleet\n---\n"
	"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
	"  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 10m\n"
	"  path: ./clusters/dev\n  prune: true\n  sourceRef:\n    kind: GitRepository\n"
	"    name: flux-system\n";

static char *ks(const char *name, const char *path, const char *extra)
{
	return kb_xasprintf("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
				 "metadata:\n  name: %s\n  namespace: flux-system\nspec:\n"
				 "  interval: 10m\n  path: %s\n  prune: true\n  sourceRef:\n"
				 "    kind: GitRepository\n    name: flux-system\n%s",
				 name, path, extra);
}

static void test_memory_tree(void)
{
	kb_memfs *m = kb_memfs_new(NULL);
	add(m, "/repo/clusters/dev/flux-system/gotk-sync.yaml", sync_yaml);
	add(m, "/repo/clusters/dev/flux-system/kustomization.yaml", "resources:\n- gotk-sync.yaml\n");
	char *a = ks("apps", "./apps", "  dependsOn:\n  - name: infra\n  postBuild:\n"
					"    substitute:\n      who: world\n");
	char *i = ks("infra", "./infra", "");
	char *b = ks("broken", "./nowhere", "");
	add(m, "/repo/clusters/dev/apps.yaml", a);
	add(m, "/repo/clusters/dev/infra.yaml", i);
	add(m, "/repo/clusters/dev/broken.yaml", b);
	free(a);
	free(i);
	free(b);
	add(m, "/repo/apps/cm.yaml",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n  namespace: default\n"
	    "data:\n  greeting: hello ${who}\n");
	add(m, "/repo/infra/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: infra\n");

	kb_options bo;
	kb_options_init(&bo);
	bo.fs = kb_memfs_fs(m);
	kb_flux_options o;
	kb_flux_options_init(&o);
	o.path = "/repo/clusters/dev";
	o.build = &bo;
	kb_flux_result *r = NULL;
	kb_error *e = kb_flux_render(&o, &r);
	OK(e == NULL);
	if (e) {
		char *s = kb_error_format(e);
		printf("# %s", s);
		free(s);
		kb_error_free(e);
		kb_memfs_free(m);
		return;
	}
	/* flux-system first (it builds PATH), then infra before apps */
	OK(kb_flux_result_count(r) == 4);
	const char *order[4];
	for (size_t k = 0; k < 4 && k < kb_flux_result_count(r); k++)
		order[k] = kb_flux_ks_name(kb_flux_result_get(r, k));
	STR_EQ(order[0], "flux-system");
	const kb_flux_ks *apps = kb_flux_result_find(r, "flux-system", "apps");
	const kb_flux_ks *infra = kb_flux_result_find(r, "flux-system", "infra");
	const kb_flux_ks *broken = kb_flux_result_find(r, "flux-system", "broken");
	OK(apps && infra && broken);
	size_t ai = 0, ii = 0;
	for (size_t k = 0; k < kb_flux_result_count(r); k++) {
		if (kb_flux_result_get(r, k) == apps)
			ai = k;
		if (kb_flux_result_get(r, k) == infra)
			ii = k;
	}
	OK(ii < ai);
	/* per-Kustomization results */
	OK(kb_flux_ks_error(apps) == NULL);
	OK(strstr(kb_flux_ks_yaml(apps, NULL), "greeting: hello world\n") != NULL);
	OK(strstr(kb_flux_ks_yaml(apps, NULL), "kustomize.toolkit.fluxcd.io/name: apps") != NULL);
	OK(kb_flux_ks_resource_count(apps) == 1);
	STR_EQ(kb_flux_ks_source(apps), "GitRepository/flux-system/flux-system");
	STR_EQ(kb_flux_ks_parent(apps), "flux-system/flux-system");
	STR_EQ(kb_flux_ks_cluster(apps), "");
	unsigned line = 0;
	STR_EQ(kb_flux_ks_file(apps, &line), "/repo/clusters/dev/apps.yaml");
	OK(line == 1);
	OK(kb_flux_ks_depends_count(apps) == 1 && strcmp(kb_flux_ks_depends(apps, 0), "flux-system/infra") == 0);
	STR_EQ(kb_flux_ks_dir(apps), "/repo/apps");
	/* the failure stays with its Kustomization */
	const kb_error *be = kb_flux_ks_error(broken);
	OK(be != NULL);
	if (be) {
		char *s = kb_error_format(be);
		OK(strstr(s, "kustomization path not found") && strstr(s, "/repo/clusters/dev/broken.yaml"));
		free(s);
	}
	STR_EQ(kb_flux_ks_yaml(broken, NULL), "");
	OK(kb_flux_result_error_count(r) == 1);
	kb_flux_stats st;
	kb_flux_result_stats(r, &st);
	OK(st.kustomizations == 4 && st.rendered == 3 && st.failed == 1);
	/* the stream holds each resource once */
	const char *y = kb_flux_result_yaml(r, NULL);
	OK(strstr(y, "name: hello") && strstr(y, "name: infra"));
	kb_flux_result_free(r);

	/* selection: only apps, other failures do not count */
	const char *sel[] = { "flux-system/apps" };
	o.select = sel;
	o.nselect = 1;
	e = kb_flux_render(&o, &r);
	OK(e == NULL);
	if (!e) {
		OK(kb_flux_result_error_count(r) == 0);
		OK(kb_flux_ks_selected(kb_flux_result_find(r, "flux-system", "apps")));
		OK(!kb_flux_ks_selected(kb_flux_result_find(r, "flux-system", "infra")));
		y = kb_flux_result_yaml(r, NULL);
		OK(strstr(y, "name: hello") && !strstr(y, "kind: Namespace"));
		kb_flux_result_free(r);
	}
	kb_error_free(e);
	/* an unknown selection is an error */
	const char *nosel[] = { "flux-system/none" };
	o.select = nosel;
	e = kb_flux_render(&o, &r);
	OK(e != NULL && r == NULL);
	kb_error_free(e);
	kb_memfs_free(m);
}

static void test_bad_options(void)
{
	kb_flux_options o;
	kb_flux_options_init(&o);
	kb_flux_result *r = NULL;
	kb_error *e = kb_flux_render(&o, &r);
	OK(e && kb_error_code(e) == KB_ERR_USAGE && r == NULL);
	kb_error_free(e);
	const char *src[] = { "Foo/a/b=/tmp" };
	o.path = "/";
	o.sources = src;
	o.nsources = 1;
	e = kb_flux_render(&o, &r);
	OK(e && kb_error_code(e) == KB_ERR_USAGE);
	kb_error_free(e);
}

int main(void)
{
	test_memory_tree();
	test_bad_options();
	return tap_done();
}
