/* test_deps.c - dependency sets: the recording file system, and the
 * exact set of files a build reads, through bases, components,
 * generator files, patch files and configurations. */
#include "deps.h"
#include "fs.h"
#include "session.h"
#include "tap.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_set(void)
{
	char *c = kb_path_clean("/a//b/./c/../d/");
	STR_EQ(c, "/a/b/d");
	free(c);
	c = kb_path_clean("/..");
	STR_EQ(c, "/");
	free(c);
	OK(kb_path_clean("rel/x") == NULL);

	kb_deps *d = kb_deps_new();
	kb_deps_add(d, "/r/b.yaml", KB_DEP_READ);
	kb_deps_add(d, "/r/x/../a.yaml", KB_DEP_STAT | KB_DEP_MISSING);
	kb_deps_add(d, "/r/a.yaml", KB_DEP_STAT); /* found after all */
	kb_deps_add(d, "/r/m.yaml", KB_DEP_STAT | KB_DEP_MISSING);
	kb_deps_add(d, "/r/m.yaml", KB_DEP_READ | KB_DEP_MISSING);
	kb_deps_add(d, "/r/chart", KB_DEP_TREE | KB_DEP_DIR);
	kb_deps_add(d, "/r/listed", KB_DEP_LIST | KB_DEP_DIR);
	kb_deps_add(d, "relative", KB_DEP_READ);
	kb_deps_seal(d);
	kb_deps_add(d, "/r/late", KB_DEP_READ); /* sealed: ignored */
	OK(kb_deps_count(d) == 5);
	STR_EQ(kb_deps_path(d, 0), "/r/a.yaml");
	OK(kb_deps_flags(d, 0) == KB_DEP_STAT);
	OK(kb_deps_lookup(d, "/r/m.yaml") == (KB_DEP_STAT | KB_DEP_READ | KB_DEP_MISSING));
	OK(kb_deps_lookup(d, "/r/late") == 0);
	OK(kb_deps_touched_by(d, "/r/b.yaml"));
	OK(kb_deps_touched_by(d, "/r/./a.yaml"));
	OK(kb_deps_touched_by(d, "/r/m.yaml")); /* created: it was looked for */
	OK(!kb_deps_touched_by(d, "/r/c.yaml"));
	OK(kb_deps_touched_by(d, "/r/chart/templates/deploy.yaml"));
	OK(kb_deps_touched_by(d, "/r/listed/new"));
	OK(!kb_deps_touched_by(d, "/r/listed/sub/new")); /* only names in it */
	OK(!kb_deps_touched_by(d, "/r/chartx"));
	kb_deps_free(d);
}

static const char deploy[] = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
			     "spec:\n  template:\n    spec:\n      containers:\n      - name: c\n"
			     "        image: nginx\n";

/* A tree that reaches files every way a kustomization can. */
static char *write_tree(void)
{
	char *d = tap_tmpdir("deps");
	tap_write(d, "base/kustomization.yaml",
		  "resources:\n- deploy.yaml\nconfigurations:\n- kconf.yaml\n"
		  "configMapGenerator:\n- name: cfg\n  files:\n  - app.properties\n  envs:\n"
		  "  - app.env\n");
	tap_write(d, "base/deploy.yaml", deploy);
	tap_write(d, "base/app.properties", "a=1\n");
	tap_write(d, "base/app.env", "B=2\n");
	tap_write(d, "base/kconf.yaml", "nameReference:\n- kind: ConfigMap\n  fieldSpecs:\n"
					"  - kind: MyKind\n    path: spec/cfg\n");
	tap_write(d, "base/unused.yaml", deploy);
	tap_write(d, "comp/kustomization.yaml",
		  "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n"
		  "- extra.yaml\npatches:\n- path: patch.yaml\n  target:\n    kind: Deployment\n");
	tap_write(d, "comp/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n");
	tap_write(d, "comp/patch.yaml",
		  "- op: add\n  path: /metadata/annotations\n  value:\n    comp: \"yes\"\n");
	tap_write(d, "overlay/kustomization.yaml",
		  "resources:\n- ../base\ncomponents:\n- ../comp\npatchesStrategicMerge:\n"
		  "- smp.yaml\n");
	tap_write(d, "overlay/smp.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
					 "  name: web\nspec:\n  replicas: 2\n");
	tap_write(d, "unrelated/kustomization.yaml", "resources:\n- x.yaml\n");
	tap_write(d, "unrelated/x.yaml", deploy);
	return d;
}

static void test_build_reads_exactly(void)
{
	char *d = write_tree();
	kb_session *s = kb_session_new(NULL, 0);
	kb_options o;
	kb_options_init(&o);
	char *ov = kb_path_join(d, "overlay");
	o.path = ov;
	kb_deps *deps = NULL;
	kb_result *res = NULL;
	kb_error *e = kb_session_build(s, &o, &deps, &res);
	OK(e == NULL && res != NULL);
	if (e) {
		char *t = kb_error_format(e);
		fprintf(stderr, "%s", t);
		free(t);
	}
	/* exactly these files were read, nothing more */
	static const char *const want[] = {
		"base/app.env", "base/app.properties", "base/deploy.yaml", "base/kconf.yaml",
		"base/kustomization.yaml", "comp/extra.yaml", "comp/kustomization.yaml",
		"comp/patch.yaml", "overlay/kustomization.yaml", "overlay/smp.yaml",
	};
	kb_buf got = KB_BUF_INIT, exp = KB_BUF_INIT;
	size_t dl = strlen(d);
	for (size_t i = 0; i < kb_deps_count(deps); i++)
		if (kb_deps_flags(deps, i) & KB_DEP_READ) {
			const char *p = kb_deps_path(deps, i);
			kb_buf_printf(&got, "%s\n", strncmp(p, d, dl) == 0 ? p + dl + 1 : p);
		}
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++)
		kb_buf_printf(&exp, "%s\n", want[i]);
	STR_EQ(got.data, exp.data);
	/* what it looked for and did not find counts too */
	char *p = kb_path_join(d, "overlay/kustomization.yml");
	OK(kb_deps_lookup(deps, p) & KB_DEP_MISSING);
	OK(kb_deps_touched_by(deps, p));
	free(p);
	p = kb_path_join(d, "comp/Kustomization");
	OK(kb_deps_touched_by(deps, p));
	free(p);
	p = kb_path_join(d, "base");
	OK(kb_deps_lookup(deps, p) & KB_DEP_DIR);
	free(p);
	p = kb_path_join(d, "unrelated/x.yaml");
	OK(!kb_deps_touched_by(deps, p));
	free(p);
	p = kb_path_join(d, "base/unused.yaml");
	OK(!kb_deps_touched_by(deps, p));
	free(p);
	kb_buf_free(&got);
	kb_buf_free(&exp);

	/* the same bytes as a plain build, and a second build through the
	 * warm caches gives the same set */
	char *err = NULL;
	char *plain = tap_build(d, "overlay", NULL, &err);
	size_t len;
	const char *y = kb_result_yaml(res, &len);
	OK(plain && strlen(plain) == len && memcmp(plain, y, len) == 0);
	free(plain);
	free(err);
	kb_deps *again = NULL;
	kb_result *res2 = NULL;
	e = kb_session_build(s, &o, &again, &res2);
	OK(e == NULL && kb_deps_count(again) == kb_deps_count(deps));
	bool same = true;
	for (size_t i = 0; i < kb_deps_count(deps) && same; i++)
		same = strcmp(kb_deps_path(deps, i), kb_deps_path(again, i)) == 0 &&
		       kb_deps_flags(deps, i) == kb_deps_flags(again, i);
	OK(same);
	const char *y2 = kb_result_yaml(res2, &len);
	OK(strcmp(y, y2) == 0);
	kb_session_stats st;
	kb_session_stats_get(s, &st);
	OK(st.parses.lookups > st.parses.misses); /* the second build parsed from the cache */
	OK(st.reads.lookups > st.reads.misses);
	kb_result_free(res2);
	kb_deps_free(again);

	/* a failed build still has its set: the missing file is in it */
	tap_write(d, "broken/kustomization.yaml", "resources:\n- gone.yaml\n");
	char *br = kb_path_join(d, "broken");
	o.path = br;
	kb_deps *bd = NULL;
	kb_result *bres = NULL;
	e = kb_session_build(s, &o, &bd, &bres);
	OK(e != NULL && bres == NULL);
	p = kb_path_join(d, "broken/gone.yaml");
	OK(kb_deps_touched_by(bd, p));
	free(p);
	kb_error_free(e);
	kb_deps_free(bd);
	free(br);

	kb_result_free(res);
	kb_deps_free(deps);
	kb_session_free(s);
	free(ov);
	tap_rmtree(d);
	free(d);
}

static void test_recorder_over_memfs(void)
{
	kb_memfs *m = kb_memfs_new(NULL);
	const char *k = "resources:\n- cm.yaml\n";
	const char *cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";
	kb_memfs_add(m, "/m/app/kustomization.yaml", k, strlen(k));
	kb_memfs_add(m, "/m/app/cm.yaml", cm, strlen(cm));
	kb_deps *d = kb_deps_new();
	kb_depfs rec;
	kb_depfs_init(&rec, kb_memfs_fs(m), d);
	kb_options o;
	kb_options_init(&o);
	o.path = "/m/app";
	o.fs = &rec.fs;
	kb_result *res = NULL;
	kb_error *e = kb_build(&o, &res);
	OK(e == NULL && kb_result_count(res) == 1);
	char **names;
	size_t n;
	OK(kb_fs_list(&rec.fs, "/m/app", &names, &n) == 0 && n == 2);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	kb_deps_seal(d);
	OK(kb_deps_lookup(d, "/m/app/cm.yaml") & KB_DEP_READ);
	OK(kb_deps_lookup(d, "/m/app") & KB_DEP_LIST);
	OK(kb_deps_touched_by(d, "/m/app/new.yaml"));
	kb_deps_free(d);
	kb_result_free(res);
	kb_memfs_free(m);
}

/* helm reads a chart itself: the build depends on the whole chart tree */
static void test_helm_chart_tree(void)
{
	char *stub = kb_xstrdup(__FILE__);
	char *slash = strrchr(stub, '/');
	if (slash)
		*slash = '\0';
	char *helm = kb_xasprintf("%s/../helm/fake-helm", stub);
	free(stub);
	if (access(helm, X_OK) != 0) {
		printf("# fake-helm not found: helm dependency test skipped\n");
		free(helm);
		return;
	}
	char *d = tap_tmpdir("depshelm");
	tap_write(d, "app/kustomization.yaml", "helmCharts:\n- name: demo\n  releaseName: rel\n");
	tap_write(d, "app/charts/demo/values.yaml", "replicas: 1\n");
	tap_write(d, "app/charts/demo/templates/cm.yaml", "kind: ConfigMap\n");
	kb_session *s = kb_session_new(NULL, 0);
	kb_options o;
	kb_options_init(&o);
	char *app = kb_path_join(d, "app");
	o.path = app;
	o.enable_helm = 1;
	o.helm_command = helm;
	kb_deps *deps = NULL;
	kb_result *res = NULL;
	kb_error *e = kb_session_build(s, &o, &deps, &res);
	OK(e == NULL && res != NULL);
	char *chart = kb_path_join(d, "app/charts/demo");
	OK(kb_deps_lookup(deps, chart) & KB_DEP_TREE);
	char *tpl = kb_path_join(d, "app/charts/demo/templates/cm.yaml");
	OK(kb_deps_touched_by(deps, tpl));
	char *other = kb_path_join(d, "app/charts/other/x.yaml");
	OK(!kb_deps_touched_by(deps, other));
	free(other);
	free(tpl);
	free(chart);
	kb_error_free(e);
	kb_result_free(res);
	kb_deps_free(deps);
	kb_session_free(s);
	free(app);
	free(helm);
	tap_rmtree(d);
	free(d);
}

int main(void)
{
	test_set();
	test_build_reads_exactly();
	test_recorder_over_memfs();
	test_helm_chart_tree();
	return tap_done();
}
