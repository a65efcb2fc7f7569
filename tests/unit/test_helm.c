/* test_helm.c - helmCharts / helmGlobals / helmChartInflationGenerator
 * end to end through kb_build, with tests/helm/fake-helm standing in for
 * helm (it logs its arguments and prints canned YAML).  The argument
 * lists are kustomize v5.5.0's (types.HelmChart.AsHelmArgs, the
 * generator's pullCommand and checkHelmVersion).
 *
 * The stub is argv[1], else $KB_FAKE_HELM, else found next to this
 * source file (CMake compiles it by absolute path). */
#define _GNU_SOURCE
#include "kbuild.h"
#include "tap.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *root;
static char tmpdir[4200]; /* TMPDIR for the builds, to find kbuild's temp dirs */
static char logpath[4200];
static const char *helm;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return kb_xstrdup("");
	kb_buf b = KB_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kb_buf_append(&b, chunk, n);
	fclose(f);
	return kb_buf_detach(&b);
}

/* Replaces every occurrence of `from` with `to`. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	kb_buf b = KB_BUF_INIT;
	size_t fl = strlen(from);
	const char *p;
	while ((p = strstr(s, from))) {
		kb_buf_append(&b, s, (size_t)(p - s));
		kb_buf_puts(&b, to);
		s = p + fl;
	}
	kb_buf_puts(&b, s);
	return kb_buf_detach(&b);
}

/* The log with kbuild's temp dirs written TMP and the test root ROOT.
 * Temp dirs are {tmpdir}/kustomize-helm-XXXXXX (mkdtemp's 6 chars). */
static char *read_log(void)
{
	char *raw = slurp(logpath);
	kb_buf b = KB_BUF_INIT;
	size_t tl = strlen(tmpdir);
	const char *s = raw;
	const char *p;
	while ((p = strstr(s, tmpdir)) && strncmp(p + tl, "/kustomize-helm-", 16) == 0 &&
	       strlen(p + tl + 16) >= 6) {
		kb_buf_append(&b, s, (size_t)(p - s));
		kb_buf_puts(&b, "TMP");
		s = p + tl + 16 + 6;
	}
	kb_buf_puts(&b, s);
	char *t = kb_buf_detach(&b);
	char *out = replace_all(t, root, "ROOT");
	free(t);
	free(raw);
	return out;
}

/* Options for a build through fake-helm, helm enabled or not; valid until
 * the next call. */
static const kb_options *helm_opts(bool enable)
{
	static kb_options opts;
	kb_options_init(&opts);
	opts.enable_helm = enable;
	opts.helm_command = helm;
	return &opts;
}

/* Each build starts with an empty log, so that expect_log() sees only
 * its own helm calls.  Every build must leave no temp dir behind. */
static void expect_output(const char *dir, const char *want)
{
	unlink(logpath);
	BUILD_IS(root, dir, helm_opts(true), want);
	OK(tap_dir_empty(tmpdir));
}

static void expect_error(const char *dir, bool enable, const char *needle)
{
	unlink(logpath);
	BUILD_FAILS(root, dir, helm_opts(enable), needle);
	OK(tap_dir_empty(tmpdir));
}

/* One check: root/dir builds with helm enabled; for tests that look at
 * helm's log rather than the output. */
static void expect_built(const char *dir)
{
	unlink(logpath);
	char *err;
	char *got = tap_build(root, dir, helm_opts(true), &err);
	if (err)
		printf("# %s", err);
	OK(got != NULL);
	free(got);
	free(err);
}

static void expect_log(const char *want)
{
	char *got = read_log();
	STR_EQ(got, want);
	free(got);
}

#define ENV_TMP "env HELM_CONFIG_HOME=TMP/helm HELM_CACHE_HOME=TMP/helm/.cache " \
		"HELM_DATA_HOME=TMP/helm/.data\n"
#define VERSION_CALL "version|-c|--short\n" ENV_TMP

static const char default_out[] = "apiVersion: v1\n"
				  "data:\n  key: value\n"
				  "kind: ConfigMap\n"
				  "metadata:\n  name: p-demo-config\n  namespace: prod\n"
				  "---\n"
				  "apiVersion: apps/v1\n"
				  "kind: Deployment\n"
				  "metadata:\n  name: p-demo\n  namespace: prod\n"
				  "spec:\n  template:\n    spec:\n      containers:\n"
				  "      - image: nginx:1.25\n        name: demo\n";

/* The output is absorbed like any generated object: the kustomization's
 * namespace and prefix apply.  v5.5.0 does not pass that namespace to
 * helm.  The values file is always a copy in the temp dir. */
static void test_basic(void)
{
	tap_write(root, "basic/charts/demo/values.yaml", "replicas: 1\n");
	tap_write(root, "basic/kustomization.yaml", "namespace: prod\n"
						    "namePrefix: p-\n"
						    "helmCharts:\n"
						    "- name: demo\n"
						    "  releaseName: rel\n");
	expect_output("basic", default_out);
	expect_log(VERSION_CALL
		   "template|rel|ROOT/basic/charts/demo|-f|TMP/demo-kustomize-values.yaml\n" ENV_TMP
		   "values TMP/demo-kustomize-values.yaml\nreplicas: 1\nend-values\n");
}

static void test_not_enabled(void)
{
	unlink(logpath);
	BUILD_FAILS(root, "basic", helm_opts(false), "must specify --enable-helm");
	char *log = slurp(logpath);
	STR_EQ(log, ""); /* helm never ran */
	free(log);
}

/* Every flag, in AsHelmArgs' order whatever the field order. */
static void test_all_args(void)
{
	tap_write(root, "all/charts/demo/values.yaml", "a: 1\n");
	tap_write(root, "all/mine.yaml", "a: 2\n");
	tap_write(root, "all/extra/one.yaml", "b: 1\n");
	tap_write(root, "all/two.yaml", "c: 1\n");
	tap_write(root, "all/kustomization.yaml",
		  "namespace: prod\nnamePrefix: p-\n"
		  "helmCharts:\n"
		  "- debug: true\n"
		  "  skipHooks: true\n"
		  "  skipTests: true\n"
		  "  includeCRDs: true\n"
		  "  kubeVersion: \"1.29\"\n"
		  "  apiVersions: [monitoring.coreos.com/v1, v2]\n"
		  "  additionalValuesFiles: [./extra/one.yaml, two.yaml]\n"
		  "  valuesFile: mine.yaml\n"
		  "  nameTemplate: tpl\n"
		  "  namespace: ns1\n"
		  "  name: demo\n");
	expect_output("all", default_out);
	expect_log(VERSION_CALL
		   "template|--generate-name|ROOT/all/charts/demo|--namespace|ns1|--name-template|tpl"
		   "|-f|TMP/demo-kustomize-values.yaml|-f|ROOT/all/extra/one.yaml|-f|ROOT/all/two.yaml"
		   "|--api-versions|monitoring.coreos.com/v1|--api-versions|v2|--kube-version|1.29"
		   "|--include-crds|--skip-tests|--no-hooks|--debug\n" ENV_TMP
		   "values TMP/demo-kustomize-values.yaml\na: 2\nend-values\n"
		   "values ROOT/all/extra/one.yaml\nb: 1\nend-values\n"
		   "values ROOT/all/two.yaml\nc: 1\nend-values\n");
}

/* valuesMerge: override (default) lets inline win, merge lets the file
 * win, replace ignores the file. */
static void test_values_merge(void)
{
	static const char *const modes[3] = { "override", "merge", "replace" };
	static const char *const want[3] = {
		"image:\n  repo: x\n  tag: inline\nlist:\n- 3\nnew: 1\nold: 1\n",
		"image:\n  repo: x\n  tag: file\nlist:\n- 1\n- 2\nnew: 1\nold: 1\n",
		"image:\n  tag: inline\nlist:\n- 3\nnew: 1\n",
	};
	tap_write(root, "merge/charts/demo/values.yaml",
		  "old: 1\nimage:\n  tag: file\n  repo: x\nlist: [1, 2]\n");
	for (int i = 0; i < 3; i++) {
		char *k = kb_xasprintf("helmCharts:\n"
				       "- name: demo\n"
				       "  releaseName: r\n"
				       "  valuesMerge: %s\n"
				       "  valuesInline:\n"
				       "    new: 1\n"
				       "    image:\n      tag: inline\n"
				       "    list: [3]\n",
				       modes[i]);
		tap_write(root, "merge/kustomization.yaml", k);
		free(k);
		expect_built("merge");
		char *log = read_log();
		char *v = kb_xasprintf("values TMP/demo-kustomize-values.yaml\n%send-values\n",
				       want[i]);
		OK(strstr(log, v) != NULL);
		if (!strstr(log, v))
			printf("# %s: %s\n", modes[i], log);
		free(v);
		free(log);
	}
	tap_write(root, "merge/kustomization.yaml",
		  "helmCharts:\n- name: demo\n  valuesMerge: bad\n"
		  "  valuesInline: {a: 1}\n");
	expect_error("merge", true, "valuesMerge must be one of [merge override replace]");
}

/* helmGlobals: chartHome relative to the kustomization, configHome passed
 * as is (the values copy still goes to a temp dir). */
static void test_globals(void)
{
	tap_write(root, "glob/mycharts/demo/values.yaml", "{}\n");
	char *k = kb_xasprintf("helmGlobals:\n"
			       "  chartHome: mycharts\n"
			       "  configHome: %s/cfg\n"
			       "helmCharts:\n- name: demo\n  releaseName: r\n",
			       root);
	tap_write(root, "glob/kustomization.yaml", k);
	free(k);
	expect_built("glob");
	expect_log("version|-c|--short\n"
		   "env HELM_CONFIG_HOME=ROOT/cfg HELM_CACHE_HOME=ROOT/cfg/.cache "
		   "HELM_DATA_HOME=ROOT/cfg/.data\n"
		   "template|r|ROOT/glob/mycharts/demo|-f|TMP/demo-kustomize-values.yaml\n"
		   "env HELM_CONFIG_HOME=ROOT/cfg HELM_CACHE_HOME=ROOT/cfg/.cache "
		   "HELM_DATA_HOME=ROOT/cfg/.data\n"
		   "values TMP/demo-kustomize-values.yaml\n{}\nend-values\n");
	OK(tap_dir_empty(tmpdir));
}

/* A chart missing under chartHome is pulled; with version and repo it
 * lives in {chartHome}/{name}-{version}. */
static void test_pull(void)
{
	tap_write(root, "pull/kustomization.yaml", "helmCharts:\n"
						   "- name: demo\n"
						   "  version: 1.2.3\n"
						   "  repo: https://charts.example.com\n"
						   "  releaseName: r\n");
	expect_built("pull");
	expect_log(VERSION_CALL
		   "pull|--untar|--untardir|ROOT/pull/charts/demo-1.2.3|--repo|"
		   "https://charts.example.com|demo|--version|1.2.3\n" ENV_TMP
		   "template|r|ROOT/pull/charts/demo-1.2.3/demo|-f|TMP/demo-kustomize-values.yaml\n"
		   ENV_TMP "values TMP/demo-kustomize-values.yaml\npulled: true\nend-values\n");

	tap_write(root, "oci/kustomization.yaml", "helmCharts:\n"
						  "- name: demo\n"
						  "  repo: oci://registry.example.com/charts/\n"
						  "  releaseName: r\n");
	expect_built("oci");
	char *log = read_log();
	OK(strstr(log, "pull|--untar|--untardir|ROOT/oci/charts|"
		       "oci://registry.example.com/charts/demo\n") != NULL);
	free(log);

	tap_write(root, "norepo/kustomization.yaml", "helmCharts:\n- name: demo\n");
	expect_error("norepo", true, "no repo specified for pull, no chart found at");
}

/* The deprecated form is converted: chartName -> name, values ->
 * valuesFile, chartHome -> helmGlobals.chartHome, ... */
static void test_legacy(void)
{
	tap_write(root, "legacy/home/demo/values.yaml", "x: 1\n");
	tap_write(root, "legacy/v.yaml", "x: 2\n");
	tap_write(root, "legacy/kustomization.yaml", "helmChartInflationGenerator:\n"
						     "- chartName: demo\n"
						     "  chartHome: home\n"
						     "  releaseName: old\n"
						     "  releaseNamespace: ignored\n"
						     "  values: v.yaml\n");
	expect_built("legacy");
	expect_log(VERSION_CALL "template|old|ROOT/legacy/home/demo|-f|"
				"TMP/demo-kustomize-values.yaml\n" ENV_TMP
				"values TMP/demo-kustomize-values.yaml\nx: 2\nend-values\n");
}

/* The builtin plugin form in `generators:`. */
static void test_plugin_form(void)
{
	tap_write(root, "plug/charts/demo/values.yaml", "a: 1\n");
	tap_write(root, "plug/helm.yaml", "apiVersion: builtin\n"
					  "kind: HelmChartInflationGenerator\n"
					  "metadata:\n  name: h\n"
					  "name: demo\n"
					  "releaseName: fromplugin\n");
	tap_write(root, "plug/kustomization.yaml", "namespace: prod\nnamePrefix: p-\n"
						   "generators:\n- helm.yaml\n");
	expect_output("plug", default_out);
	char *log = read_log();
	OK(strstr(log, "template|fromplugin|ROOT/plug/charts/demo|-f|") != NULL);
	free(log);
}

static void test_errors(void)
{
	tap_write(root, "fail/charts/demo/values.yaml", "a: 1\n");
	tap_write(root, "fail/kustomization.yaml", "helmCharts:\n- name: demo\n  releaseName: r\n");
	setenv("FAKE_HELM_FAIL", "chart is broken", 1);
	expect_error("fail", true, "Error: chart is broken: unable to run: '");
	expect_error("fail", true, "(is '");
	expect_error("fail", true, "exit status 1");
	unsetenv("FAKE_HELM_FAIL");

	setenv("FAKE_HELM_VERSION", "v2.17.0+ga", 1);
	expect_error("fail", true, "this plugin requires helm V3 but got v2.17.0");
	setenv("FAKE_HELM_VERSION", "no version here", 1);
	expect_error("fail", true, "cannot find version string in no version here");
	unsetenv("FAKE_HELM_VERSION");

	tap_write(root, "noname/kustomization.yaml", "helmCharts:\n- releaseName: r\n");
	expect_error("noname", true, "chart name cannot be empty");

	tap_write(root, "unknown/kustomization.yaml", "helmCharts:\n- name: demo\n  bogus: 1\n");
	expect_error("unknown", true, "unknown field \"bogus\"");

	tap_write(root, "outside/charts/demo/values.yaml", "a: 1\n");
	tap_write(root, "outside/kustomization.yaml",
		  "helmCharts:\n- name: demo\n"
		  "  additionalValuesFiles: [../fail/charts/demo/values.yaml]\n");
	expect_error("outside", true, "could not load additionalValuesFile");

	/* helm's output meets an object that already exists */
	tap_write(root, "dup/charts/demo/values.yaml", "a: 1\n");
	tap_write(root, "dup/cm.yaml",
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo-config\n");
	tap_write(root, "dup/kustomization.yaml",
		  "resources: [cm.yaml]\nhelmCharts:\n- name: demo\n");
	expect_error("dup", true, "demo-config");

	/* a missing helm binary */
	const char *saved = helm;
	helm = "/nonexistent/helm";
	expect_error("fail", true, "fork/exec /nonexistent/helm");
	helm = saved;
}

/* Text before the first "---" (helm sometimes prints notes) is skipped;
 * *List objects are inlined. */
static void test_output_parsing(void)
{
	tap_write(root, "parse/charts/demo/values.yaml", "a: 1\n");
	tap_write(root, "parse/kustomization.yaml",
		  "helmCharts:\n- name: demo\n  releaseName: r\n");
	char *out = kb_xasprintf("%s/parse-out.yaml", root);
	tap_write(root, "parse-out.yaml",
		  "WARNING: this: is: not yaml\n"
		  "---\n"
		  "apiVersion: v1\nkind: List\nitems:\n"
		  "- apiVersion: v1\n  kind: Service\n  metadata:\n    name: s\n");
	setenv("FAKE_HELM_OUTPUT", out, 1);
	expect_output("parse", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n");
	unsetenv("FAKE_HELM_OUTPUT");
	free(out);
}

static const char *find_stub(int argc, char **argv)
{
	if (argc > 1)
		return argv[1];
	if (getenv("KB_FAKE_HELM"))
		return getenv("KB_FAKE_HELM");
	static char path[4096];
	const char *src = __FILE__;
	const char *slash = strrchr(src, '/');
	if (src[0] != '/' || !slash)
		return NULL;
	snprintf(path, sizeof(path), "%.*s/../helm/fake-helm", (int)(slash - src), src);
	return path;
}

int main(int argc, char **argv)
{
	helm = find_stub(argc, argv);
	if (!helm || access(helm, X_OK) != 0) {
		printf("# skipped: fake-helm not found (pass its path as argv[1] or $KB_FAKE_HELM)\n");
		return 77;
	}
	root = tap_tmpdir("helm");
	if (!root)
		return 1;
	snprintf(tmpdir, sizeof(tmpdir), "%s/tmp", root);
	snprintf(logpath, sizeof(logpath), "%s/helm.log", root);
	tap_mkdir(tmpdir, NULL);
	setenv("TMPDIR", tmpdir, 1);
	setenv("FAKE_HELM_LOG", logpath, 1);
	unsetenv("FAKE_HELM_FAIL");
	unsetenv("FAKE_HELM_OUTPUT");
	unsetenv("FAKE_HELM_VERSION");

	test_basic();
	test_not_enabled();
	test_all_args();
	test_values_merge();
	test_globals();
	test_pull();
	test_legacy();
	test_plugin_form();
	test_errors();
	test_output_parsing();

	/* leave nothing behind; the tree holds only what this test wrote */
	tap_rmtree(root);
	free(root);
	return tap_done();
}
