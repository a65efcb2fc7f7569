/* test_plugin.c - generators / transformers / validators fields, end to
 * end through kb_build.  Expected outputs and messages were taken from
 * kubectl kustomize v5.5.0 on the same trees. */
#define _GNU_SOURCE
#include "kbuild.h"
#include "tap.h"
#include "util.h"

#include <stdbool.h>
#include <stdlib.h>

static char *root;

static const char cm_yaml[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";

/* Inline configs run before file configs whatever the listing order. */
static void test_inline_before_files(void)
{
	tap_write(root, "order/cm.yaml", cm_yaml);
	tap_write(root, "order/pa.yaml", "apiVersion: builtin\n"
					 "kind: PrefixSuffixTransformer\n"
					 "metadata:\n  name: a\n"
					 "prefix: A-\n"
					 "fieldSpecs:\n- path: metadata/name\n");
	tap_write(root, "order/kustomization.yaml",
		  "resources:\n- cm.yaml\n"
		  "transformers:\n"
		  "- pa.yaml\n"
		  "- |-\n"
		  "  apiVersion: builtin\n"
		  "  kind: PrefixSuffixTransformer\n"
		  "  metadata:\n    name: b\n"
		  "  prefix: B-\n"
		  "  fieldSpecs:\n  - path: metadata/name\n");
	BUILD_IS(root, "order", NULL,
		 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: A-B-x\n");
}

static void test_inline_generator(void)
{
	tap_write(root, "gen/kustomization.yaml",
		  "generators:\n"
		  "- |-\n"
		  "  apiVersion: builtin\n"
		  "  kind: ConfigMapGenerator\n"
		  "  metadata:\n    name: mymap\n"
		  "  literals:\n  - FRUIT=apple\n  - VEGETABLE=carrot\n");
	BUILD_IS(root, "gen", NULL, "apiVersion: v1\n"
				    "data:\n  FRUIT: apple\n  VEGETABLE: carrot\n"
				    "kind: ConfigMap\n"
				    "metadata:\n  name: mymap-kfd8tf729k\n");
}

/* A directory entry is built; its output objects are the configs, and
 * paths inside them resolve against the kustomization listing it.
 * Field names match case-insensitively (Go's encoding/json). */
static void test_directory_configs(void)
{
	tap_write(root, "dir/app/d.yaml",
		  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
		  "spec:\n  template:\n    spec:\n      containers:\n"
		  "      - name: c\n        image: nginx\n");
	tap_write(root, "dir/app/p.yaml", "- op: add\n  path: /spec/x\n  value: 1\n");
	tap_write(root, "dir/app/kustomization.yaml",
		  "resources:\n- d.yaml\ntransformers:\n- ../tr\n");
	tap_write(root, "dir/tr/kustomization.yaml", "resources:\n- t.yaml\nnamePrefix: pre-\n");
	tap_write(root, "dir/tr/t.yaml", "apiVersion: builtin\nkind: PatchTransformer\n"
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
	BUILD_IS(root, "dir/app", NULL, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
					"  labels:\n    team: a\n  name: d\n"
					"spec:\n  template:\n    spec:\n      containers:\n"
					"      - image: nginx:1.2\n        name: c\n"
					"  x: 1\n");
}

/* Each case's kustomization, with cm.yaml beside it when with_cm, and a
 * part of the error it must fail with. */
static void test_errors(void)
{
	static const struct {
		const char *dir;
		bool with_cm;
		const char *kustomization;
		const char *needle;
	} cases[] = {
		{ "ext", true,
		  "resources:\n- cm.yaml\n"
		  "transformers:\n- \"{apiVersion: foo/v1, kind: Bar, metadata: {name: x}}\"\n",
		  "external plugins disabled; unable to load external plugin 'Bar'" },
		{ "sort", true,
		  "resources:\n- cm.yaml\n"
		  "transformers:\n"
		  "- \"{apiVersion: builtin, kind: SortOrderTransformer, metadata: {name: x}}\"\n",
		  "unable to load builtin SortOrderTransformer.builtin.[noGrp]" },
		{ "role", false,
		  "transformers:\n"
		  "- \"{apiVersion: builtin, kind: ConfigMapGenerator, metadata: {name: x}}\"\n",
		  "plugin ConfigMapGenerator.builtin.[noGrp]/x.[noNs] not a transformer" },
		{ "val", true,
		  "resources:\n- cm.yaml\n"
		  "validators:\n"
		  "- \"{apiVersion: builtin, kind: LabelTransformer, metadata: {name: x}, "
		  "labels: {a: b}, fieldSpecs: [{path: metadata/labels, create: true}]}\"\n",
		  "validator shouldn't modify the resource map" },
		{ "nofile", false, "transformers:\n- missing.yaml\n", "missing.yaml" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dir = kb_xasprintf("%s/%s", root, cases[i].dir);
		if (cases[i].with_cm)
			tap_write(dir, "cm.yaml", cm_yaml);
		tap_write(dir, "kustomization.yaml", cases[i].kustomization);
		BUILD_FAILS(dir, NULL, NULL, cases[i].needle);
		free(dir);
	}
}

/* A validator that changes nothing passes. */
static void test_quiet_validator(void)
{
	tap_write(root, "qval/cm.yaml", cm_yaml);
	tap_write(root, "qval/kustomization.yaml",
		  "resources:\n- cm.yaml\n"
		  "validators:\n"
		  "- \"{apiVersion: builtin, kind: LabelTransformer, metadata: {name: x}, "
		  "labels: {a: b}, fieldSpecs: [{path: metadata/labels, kind: Nope}]}\"\n");
	BUILD_IS(root, "qval", NULL, cm_yaml);
}

int main(void)
{
	root = tap_tmpdir("plugin");
	if (!root)
		return 1;
	test_inline_before_files();
	test_inline_generator();
	test_directory_configs();
	test_errors();
	test_quiet_validator();
	tap_rmtree(root);
	free(root);
	return tap_done();
}
