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

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[4096];
static char tmpdir[4200]; /* TMPDIR for the builds, to find kbuild's temp dirs */
static char logpath[4200];
static const char *helm;

static void mkdir_p(const char *path)
{
	char *p = kb_xstrdup(path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
	free(p);
}

static void write_file(const char *name, const char *data)
{
	char *p = kb_xasprintf("%s/%s", root, name);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	mkdir_p(p);
	*slash = '/';
	FILE *f = fopen(p, "wb");
	if (f) {
		fputs(data, f);
		fclose(f);
	}
	free(p);
}

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

/* True when kbuild left no temp dir behind. */
static bool tmp_empty(void)
{
	DIR *d = opendir(tmpdir);
	if (!d)
		return false;
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n == 0;
}

/* Builds root/dir; returns the YAML (caller frees) or NULL with *err set
 * to the formatted error (caller frees).  The log starts empty. */
static char *build(const char *dir, bool enable, char **err)
{
	unlink(logpath);
	kb_options opts;
	kb_options_init(&opts);
	char *path = kb_xasprintf("%s/%s", root, dir);
	opts.path = path;
	opts.enable_helm = enable;
	opts.helm_command = helm;
	kb_result *res = NULL;
	kb_error *e = kb_build(&opts, &res);
	free(path);
	*err = NULL;
	if (e) {
		*err = kb_error_format(e);
		kb_error_free(e);
		return NULL;
	}
	size_t len;
	const char *y = kb_result_yaml(res, &len);
	char *out = kb_xstrndup(y, len);
	kb_result_free(res);
	return out;
}

static void expect_output(const char *dir, const char *want)
{
	char *err;
	char *got = build(dir, true, &err);
	if (err)
		printf("# %s", err);
	STR_EQ(got ? got : "(error)", want);
	OK(tmp_empty());
	free(got);
	free(err);
}

static void expect_error(const char *dir, bool enable, const char *needle)
{
	char *err;
	char *got = build(dir, enable, &err);
	OK(got == NULL);
	OK(err && strstr(err, needle));
	if (err && !strstr(err, needle))
		printf("# got: %s", err);
	OK(tmp_empty());
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
	write_file("basic/charts/demo/values.yaml", "replicas: 1\n");
	write_file("basic/kustomization.yaml", "namespace: prod\n"
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
	char *err;
	char *got = build("basic", false, &err);
	OK(got == NULL);
	OK(err && strstr(err, "must specify --enable-helm"));
	free(got);
	free(err);
	char *log = slurp(logpath);
	STR_EQ(log, ""); /* helm never ran */
	free(log);
}

/* Every flag, in AsHelmArgs' order whatever the field order. */
static void test_all_args(void)
{
	write_file("all/charts/demo/values.yaml", "a: 1\n");
	write_file("all/mine.yaml", "a: 2\n");
	write_file("all/extra/one.yaml", "b: 1\n");
	write_file("all/two.yaml", "c: 1\n");
	write_file("all/kustomization.yaml", "namespace: prod\nnamePrefix: p-\n"
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
	write_file("merge/charts/demo/values.yaml",
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
		write_file("merge/kustomization.yaml", k);
		free(k);
		char *err;
		char *got = build("merge", true, &err);
		OK(got != NULL);
		char *log = read_log();
		char *v = kb_xasprintf("values TMP/demo-kustomize-values.yaml\n%send-values\n",
				       want[i]);
		OK(strstr(log, v) != NULL);
		if (!strstr(log, v))
			printf("# %s: %s\n", modes[i], log);
		free(v);
		free(log);
		free(got);
		free(err);
	}
	write_file("merge/kustomization.yaml", "helmCharts:\n- name: demo\n  valuesMerge: bad\n"
					       "  valuesInline: {a: 1}\n");
	expect_error("merge", true, "valuesMerge must be one of [merge override replace]");
}

/* helmGlobals: chartHome relative to the kustomization, configHome passed
 * as is (the values copy still goes to a temp dir). */
static void test_globals(void)
{
	write_file("glob/mycharts/demo/values.yaml", "{}\n");
	char *k = kb_xasprintf("helmGlobals:\n"
			       "  chartHome: mycharts\n"
			       "  configHome: %s/cfg\n"
			       "helmCharts:\n- name: demo\n  releaseName: r\n",
			       root);
	write_file("glob/kustomization.yaml", k);
	free(k);
	char *err;
	char *got = build("glob", true, &err);
	OK(got != NULL);
	expect_log("version|-c|--short\n"
		   "env HELM_CONFIG_HOME=ROOT/cfg HELM_CACHE_HOME=ROOT/cfg/.cache "
		   "HELM_DATA_HOME=ROOT/cfg/.data\n"
		   "template|r|ROOT/glob/mycharts/demo|-f|TMP/demo-kustomize-values.yaml\n"
		   "env HELM_CONFIG_HOME=ROOT/cfg HELM_CACHE_HOME=ROOT/cfg/.cache "
		   "HELM_DATA_HOME=ROOT/cfg/.data\n"
		   "values TMP/demo-kustomize-values.yaml\n{}\nend-values\n");
	OK(tmp_empty());
	free(got);
	free(err);
}

/* A chart missing under chartHome is pulled; with version and repo it
 * lives in {chartHome}/{name}-{version}. */
static void test_pull(void)
{
	write_file("pull/kustomization.yaml", "helmCharts:\n"
					      "- name: demo\n"
					      "  version: 1.2.3\n"
					      "  repo: https://charts.example.com\n"
					      "  releaseName: r\n");
	char *err;
	char *got = build("pull", true, &err);
	if (err)
		printf("# %s", err);
	OK(got != NULL);
	expect_log(VERSION_CALL
		   "pull|--untar|--untardir|ROOT/pull/charts/demo-1.2.3|--repo|"
		   "https://charts.example.com|demo|--version|1.2.3\n" ENV_TMP
		   "template|r|ROOT/pull/charts/demo-1.2.3/demo|-f|TMP/demo-kustomize-values.yaml\n"
		   ENV_TMP "values TMP/demo-kustomize-values.yaml\npulled: true\nend-values\n");
	free(got);
	free(err);

	write_file("oci/kustomization.yaml", "helmCharts:\n"
					     "- name: demo\n"
					     "  repo: oci://registry.example.com/charts/\n"
					     "  releaseName: r\n");
	got = build("oci", true, &err);
	OK(got != NULL);
	char *log = read_log();
	OK(strstr(log, "pull|--untar|--untardir|ROOT/oci/charts|"
		       "oci://registry.example.com/charts/demo\n") != NULL);
	free(log);
	free(got);
	free(err);

	write_file("norepo/kustomization.yaml", "helmCharts:\n- name: demo\n");
	expect_error("norepo", true, "no repo specified for pull, no chart found at");
}

/* The deprecated form is converted: chartName -> name, values ->
 * valuesFile, chartHome -> helmGlobals.chartHome, ... */
static void test_legacy(void)
{
	write_file("legacy/home/demo/values.yaml", "x: 1\n");
	write_file("legacy/v.yaml", "x: 2\n");
	write_file("legacy/kustomization.yaml", "helmChartInflationGenerator:\n"
						"- chartName: demo\n"
						"  chartHome: home\n"
						"  releaseName: old\n"
						"  releaseNamespace: ignored\n"
						"  values: v.yaml\n");
	char *err;
	char *got = build("legacy", true, &err);
	if (err)
		printf("# %s", err);
	OK(got != NULL);
	expect_log(VERSION_CALL "template|old|ROOT/legacy/home/demo|-f|"
				"TMP/demo-kustomize-values.yaml\n" ENV_TMP
				"values TMP/demo-kustomize-values.yaml\nx: 2\nend-values\n");
	free(got);
	free(err);
}

/* The builtin plugin form in `generators:`. */
static void test_plugin_form(void)
{
	write_file("plug/charts/demo/values.yaml", "a: 1\n");
	write_file("plug/helm.yaml", "apiVersion: builtin\n"
				     "kind: HelmChartInflationGenerator\n"
				     "metadata:\n  name: h\n"
				     "name: demo\n"
				     "releaseName: fromplugin\n");
	write_file("plug/kustomization.yaml", "namespace: prod\nnamePrefix: p-\n"
					      "generators:\n- helm.yaml\n");
	expect_output("plug", default_out);
	char *log = read_log();
	OK(strstr(log, "template|fromplugin|ROOT/plug/charts/demo|-f|") != NULL);
	free(log);
}

static void test_errors(void)
{
	write_file("fail/charts/demo/values.yaml", "a: 1\n");
	write_file("fail/kustomization.yaml", "helmCharts:\n- name: demo\n  releaseName: r\n");
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

	write_file("noname/kustomization.yaml", "helmCharts:\n- releaseName: r\n");
	expect_error("noname", true, "chart name cannot be empty");

	write_file("unknown/kustomization.yaml", "helmCharts:\n- name: demo\n  bogus: 1\n");
	expect_error("unknown", true, "unknown field \"bogus\"");

	write_file("outside/charts/demo/values.yaml", "a: 1\n");
	write_file("outside/kustomization.yaml",
		   "helmCharts:\n- name: demo\n  additionalValuesFiles: [../fail/charts/demo/values.yaml]\n");
	expect_error("outside", true, "could not load additionalValuesFile");

	/* helm's output meets an object that already exists */
	write_file("dup/charts/demo/values.yaml", "a: 1\n");
	write_file("dup/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo-config\n");
	write_file("dup/kustomization.yaml", "resources: [cm.yaml]\nhelmCharts:\n- name: demo\n");
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
	write_file("parse/charts/demo/values.yaml", "a: 1\n");
	write_file("parse/kustomization.yaml", "helmCharts:\n- name: demo\n  releaseName: r\n");
	char *out = kb_xasprintf("%s/parse-out.yaml", root);
	write_file("parse-out.yaml", "WARNING: this: is: not yaml\n"
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
	char tmpl[] = "/tmp/kb-helm-test-XXXXXX";
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(root, sizeof(root), "%s", tmpl);
	snprintf(tmpdir, sizeof(tmpdir), "%s/tmp", root);
	snprintf(logpath, sizeof(logpath), "%s/helm.log", root);
	mkdir_p(tmpdir);
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
	char *cmd[] = { "rm", "-rf", root, NULL };
	pid_t pid = fork();
	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return tap_done();
}
