/* test_plugin.c - generators / transformers / validators fields, end to
 * end through kb_build.  Expected outputs and messages were taken from
 * kubectl kustomize v5.5.0 on the same trees. */
#define _GNU_SOURCE
#include "kbuild.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[4096];

static void write_file(const char *name, const char *data)
{
	char *p = kb_xasprintf("%s/%s", root, name);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	char *cmd = kb_xasprintf("mkdir -p '%s'", p);
	if (system(cmd) != 0)
		printf("# mkdir failed: %s\n", p);
	free(cmd);
	*slash = '/';
	FILE *f = fopen(p, "wb");
	if (f) {
		fputs(data, f);
		fclose(f);
	}
	free(p);
}

/* Builds root/dir; returns the YAML (caller frees) or NULL with *err set
 * to the formatted error (caller frees). */
static char *build(const char *dir, char **err)
{
	kb_options opts;
	kb_options_init(&opts);
	char *path = kb_xasprintf("%s/%s", root, dir);
	opts.path = path;
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
	char *got = build(dir, &err);
	if (err)
		printf("# %s", err);
	STR_EQ(got ? got : "(error)", want);
	free(got);
	free(err);
}

static void expect_error(const char *dir, const char *needle)
{
	char *err;
	char *got = build(dir, &err);
	OK(got == NULL);
	OK(err && strstr(err, needle));
	if (err && !strstr(err, needle))
		printf("# got: %s", err);
	free(got);
	free(err);
}

static const char cm_yaml[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";

/* Inline configs run before file configs whatever the listing order. */
static void test_inline_before_files(void)
{
	write_file("order/cm.yaml", cm_yaml);
	write_file("order/pa.yaml", "apiVersion: builtin\n"
				    "kind: PrefixSuffixTransformer\n"
				    "metadata:\n  name: a\n"
				    "prefix: A-\n"
				    "fieldSpecs:\n- path: metadata/name\n");
	write_file("order/kustomization.yaml",
		   "resources:\n- cm.yaml\n"
		   "transformers:\n"
		   "- pa.yaml\n"
		   "- |-\n"
		   "  apiVersion: builtin\n"
		   "  kind: PrefixSuffixTransformer\n"
		   "  metadata:\n    name: b\n"
		   "  prefix: B-\n"
		   "  fieldSpecs:\n  - path: metadata/name\n");
	expect_output("order", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: A-B-x\n");
}

static void test_inline_generator(void)
{
	write_file("gen/kustomization.yaml", "generators:\n"
					     "- |-\n"
					     "  apiVersion: builtin\n"
					     "  kind: ConfigMapGenerator\n"
					     "  metadata:\n    name: mymap\n"
					     "  literals:\n  - FRUIT=apple\n  - VEGETABLE=carrot\n");
	expect_output("gen", "apiVersion: v1\n"
			     "data:\n  FRUIT: apple\n  VEGETABLE: carrot\n"
			     "kind: ConfigMap\n"
			     "metadata:\n  name: mymap-kfd8tf729k\n");
}

/* A directory entry is built; its output objects are the configs, and
 * paths inside them resolve against the kustomization listing it.
 * Field names match case-insensitively (Go's encoding/json). */
static void test_directory_configs(void)
{
	write_file("dir/app/d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
				     "spec:\n  template:\n    spec:\n      containers:\n"
				     "      - name: c\n        image: nginx\n");
	write_file("dir/app/p.yaml", "- op: add\n  path: /spec/x\n  value: 1\n");
	write_file("dir/app/kustomization.yaml", "resources:\n- d.yaml\ntransformers:\n- ../tr\n");
	write_file("dir/tr/kustomization.yaml", "resources:\n- t.yaml\nnamePrefix: pre-\n");
	write_file("dir/tr/t.yaml", "apiVersion: builtin\nkind: PatchTransformer\n"
				    "metadata:\n  name: p\n"
				    "Path: p.yaml\n"
				    "target:\n  kind: Deployment\n"
				    "---\n"
				    "apiVersion: builtin\nkind: ImageTagTransformer\n"
				    "metadata:\n  name: i\n"
				    "imageTag:\n  name: nginx\n  newTag: \"1.2\"\n"
				    "---\n"
				    "apiVersion: builtin\nkind: LabelTransformer\n"
				    "metadata:\n  name: l\n"
				    "labels:\n  team: a\n"
				    "fieldSpecs:\n- path: metadata/labels\n  create: true\n"
				    "  kind: Deployment\n");
	expect_output("dir/app", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
				 "  labels:\n    team: a\n  name: d\n"
				 "spec:\n  template:\n    spec:\n      containers:\n"
				 "      - image: nginx:1.2\n        name: c\n"
				 "  x: 1\n");
}

static void test_errors(void)
{
	write_file("ext/cm.yaml", cm_yaml);
	write_file("ext/kustomization.yaml",
		   "resources:\n- cm.yaml\n"
		   "transformers:\n- \"{apiVersion: foo/v1, kind: Bar, metadata: {name: x}}\"\n");
	expect_error("ext", "external plugins disabled; unable to load external plugin 'Bar'");

	write_file("sort/cm.yaml", cm_yaml);
	write_file("sort/kustomization.yaml",
		   "resources:\n- cm.yaml\n"
		   "transformers:\n"
		   "- \"{apiVersion: builtin, kind: SortOrderTransformer, metadata: {name: x}}\"\n");
	expect_error("sort", "unable to load builtin SortOrderTransformer.builtin.[noGrp]");

	write_file("role/kustomization.yaml",
		   "transformers:\n"
		   "- \"{apiVersion: builtin, kind: ConfigMapGenerator, metadata: {name: x}}\"\n");
	expect_error("role", "plugin ConfigMapGenerator.builtin.[noGrp]/x.[noNs] not a transformer");

	write_file("val/cm.yaml", cm_yaml);
	write_file("val/kustomization.yaml",
		   "resources:\n- cm.yaml\n"
		   "validators:\n"
		   "- \"{apiVersion: builtin, kind: LabelTransformer, metadata: {name: x}, "
		   "labels: {a: b}, fieldSpecs: [{path: metadata/labels, create: true}]}\"\n");
	expect_error("val", "validator shouldn't modify the resource map");

	write_file("nofile/kustomization.yaml", "transformers:\n- missing.yaml\n");
	expect_error("nofile", "missing.yaml");
}

/* A validator that changes nothing passes. */
static void test_quiet_validator(void)
{
	write_file("qval/cm.yaml", cm_yaml);
	write_file("qval/kustomization.yaml",
		   "resources:\n- cm.yaml\n"
		   "validators:\n"
		   "- \"{apiVersion: builtin, kind: LabelTransformer, metadata: {name: x}, "
		   "labels: {a: b}, fieldSpecs: [{path: metadata/labels, kind: Nope}]}\"\n");
	expect_output("qval", cm_yaml);
}

int main(void)
{
	char tmpl[] = "/tmp/kb_test_plugin.XXXXXX";
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return 1;
	}
	if (!realpath(tmpl, root)) {
		perror("realpath");
		return 1;
	}
	test_inline_before_files();
	test_inline_generator();
	test_directory_configs();
	test_errors();
	test_quiet_validator();
	char *cmd = kb_xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	free(cmd);
	return tap_done();
}
