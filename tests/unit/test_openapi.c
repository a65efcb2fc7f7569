/* test_openapi.c - the `openapi:` and `crds:` kustomization fields, end
 * to end through kb_build.  Expected outputs were taken from kubectl
 * kustomize v5.5.0 on the same trees. */
#define _GNU_SOURCE
#include "kbuild.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* MyCRD's spec.items merge by name; the object schemas are inline. */
static const char schema[] =
	"{\"definitions\": {\n"
	" \"v1.MyCRD\": {\"type\": \"object\",\n"
	"  \"x-kubernetes-group-version-kind\": [{\"group\": \"example.com\", \"kind\": \"MyCRD\", \"version\": \"v1\"}],\n"
	"  \"properties\": {\"apiVersion\": {\"type\": \"string\"}, \"kind\": {\"type\": \"string\"},\n"
	"   \"metadata\": {\"type\": \"object\"},\n"
	"   \"spec\": {\"type\": \"object\", \"properties\": {\n"
	"    \"items\": {\"type\": \"array\", \"x-kubernetes-patch-strategy\": \"merge\",\n"
	"     \"x-kubernetes-patch-merge-key\": \"name\",\n"
	"     \"items\": {\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\"}, \"value\": {\"type\": \"string\"}}}}}}}}}}\n";

static const char crd[] = "apiVersion: example.com/v1\n"
			  "kind: MyCRD\n"
			  "metadata:\n"
			  "  name: c\n"
			  "spec:\n"
			  "  items:\n"
			  "  - name: a\n"
			  "    value: \"1\"\n";

static const char deployment[] = "apiVersion: apps/v1\n"
				 "kind: Deployment\n"
				 "metadata:\n"
				 "  name: d\n"
				 "spec:\n"
				 "  template:\n"
				 "    spec:\n"
				 "      containers:\n"
				 "      - name: a\n"
				 "        image: a\n";

static const char deployment_patch[] = "patches:\n"
				       "- patch: |-\n"
				       "    apiVersion: apps/v1\n"
				       "    kind: Deployment\n"
				       "    metadata:\n"
				       "      name: d\n"
				       "    spec:\n"
				       "      template:\n"
				       "        spec:\n"
				       "          containers:\n"
				       "          - name: b\n"
				       "            image: b\n";

static void test_top_level_custom_schema(void)
{
	write_file("t1/schema.json", schema);
	write_file("t1/crd.yaml", crd);
	write_file("t1/kustomization.yaml", "resources:\n"
					    "- crd.yaml\n"
					    "openapi:\n"
					    "  path: schema.json\n"
					    "patches:\n"
					    "- patch: |-\n"
					    "    apiVersion: example.com/v1\n"
					    "    kind: MyCRD\n"
					    "    metadata:\n"
					    "      name: c\n"
					    "    spec:\n"
					    "      items:\n"
					    "      - name: b\n"
					    "        value: \"2\"\n");
	expect_output("t1", "apiVersion: example.com/v1\n"
			    "kind: MyCRD\n"
			    "metadata:\n"
			    "  name: c\n"
			    "spec:\n"
			    "  items:\n"
			    "  - name: b\n"
			    "    value: \"2\"\n"
			    "  - name: a\n"
			    "    value: \"1\"\n");
}

/* A base's schema set before anything consulted kyaml's schema stands
 * alone: the Deployment loses its builtin merge keys. */
static void test_base_schema_alone(void)
{
	write_file("t2/base/schema.json", schema);
	write_file("t2/base/kustomization.yaml", "openapi:\n  path: schema.json\n");
	write_file("t2/app/dep.yaml", deployment);
	char *k = kb_xasprintf("resources:\n- dep.yaml\n- ../base\n%s", deployment_patch);
	write_file("t2/app/kustomization.yaml", k);
	free(k);
	expect_output("t2/app", "apiVersion: apps/v1\n"
				"kind: Deployment\n"
				"metadata:\n"
				"  name: d\n"
				"spec:\n"
				"  template:\n"
				"    spec:\n"
				"      containers:\n"
				"      - image: b\n"
				"        name: b\n");
}

/* A kind kyaml does not know, seen before the base sets its schema,
 * makes kyaml parse the builtin schema too. */
static void test_base_schema_layered(void)
{
	write_file("t3/base/schema.json", schema);
	write_file("t3/base/kustomization.yaml", "openapi:\n  path: schema.json\n");
	write_file("t3/app/dep.yaml", deployment);
	write_file("t3/app/other.yaml", "apiVersion: example.com/v1\n"
					"kind: Other\n"
					"metadata:\n"
					"  name: o\n");
	char *k = kb_xasprintf("resources:\n- other.yaml\n- dep.yaml\n- ../base\n%s",
			       deployment_patch);
	write_file("t3/app/kustomization.yaml", k);
	free(k);
	expect_output("t3/app", "apiVersion: apps/v1\n"
				"kind: Deployment\n"
				"metadata:\n"
				"  name: d\n"
				"spec:\n"
				"  template:\n"
				"    spec:\n"
				"      containers:\n"
				"      - image: b\n"
				"        name: b\n"
				"      - image: a\n"
				"        name: a\n"
				"---\n"
				"apiVersion: example.com/v1\n"
				"kind: Other\n"
				"metadata:\n"
				"  name: o\n");
}

/* The overlay's version wins over its base's path. */
static void test_overlay_version_wins(void)
{
	write_file("t6/base/schema.json", schema);
	write_file("t6/base/crd.yaml", crd);
	write_file("t6/base/kustomization.yaml", "resources:\n"
						 "- crd.yaml\n"
						 "openapi:\n"
						 "  path: schema.json\n");
	write_file("t6/app/kustomization.yaml", "resources:\n"
						"- ../base\n"
						"openapi:\n"
						"  version: v1.21.2\n"
						"patches:\n"
						"- patch: |-\n"
						"    apiVersion: example.com/v1\n"
						"    kind: MyCRD\n"
						"    metadata:\n"
						"      name: c\n"
						"    spec:\n"
						"      items:\n"
						"      - name: b\n");
	expect_output("t6/app", "apiVersion: example.com/v1\n"
				"kind: MyCRD\n"
				"metadata:\n"
				"  name: c\n"
				"spec:\n"
				"  items:\n"
				"  - name: b\n");
}

static void test_errors(void)
{
	write_file("t4/crd.yaml", crd);
	write_file("t4/kustomization.yaml", "resources:\n- crd.yaml\nopenapi:\n  version: v1.20.0\n");
	expect_error("t4", "is not built in");
	write_file("t5/crd.yaml", crd);
	write_file("t5/schema.json", schema);
	write_file("t5/kustomization.yaml", "resources:\n"
					    "- crd.yaml\n"
					    "openapi:\n"
					    "  version: v1.21.2\n"
					    "  path: schema.json\n");
	expect_error("t5", "cannot use both");
	write_file("t7/kustomization.yaml", "openapi:\n  path: missing.json\n");
	expect_error("t7", "missing.json");
}

static const char crd_defs[] =
	"{\n"
	" \"example.com/v1.Thing\": {\"Schema\": {\"properties\": {\n"
	"   \"apiVersion\": {\"type\": \"string\"}, \"kind\": {\"type\": \"string\"},\n"
	"   \"metadata\": {\"$ref\": \"meta.ObjectMeta\"},\n"
	"   \"spec\": {\"$ref\": \"example.com/v1.ThingSpec\"}}}},\n"
	" \"example.com/v1.ThingSpec\": {\"Schema\": {\"properties\": {\n"
	"   \"configRef\": {\"x-kubernetes-object-ref-api-version\": \"v1\",\n"
	"                 \"x-kubernetes-object-ref-kind\": \"ConfigMap\",\n"
	"                 \"x-kubernetes-object-ref-name-key\": \"id\"},\n"
	"   \"notes\": {\"x-kubernetes-annotation\": \"\"}}}}\n"
	"}\n";

static void test_crds(void)
{
	write_file("c1/defs.json", crd_defs);
	write_file("c1/kustomization.yaml", "crds:\n"
					    "- defs.json\n"
					    "namePrefix: p-\n"
					    "commonAnnotations:\n"
					    "  team: x\n"
					    "resources:\n"
					    "- res.yaml\n");
	write_file("c1/res.yaml", "apiVersion: v1\n"
				  "kind: ConfigMap\n"
				  "metadata:\n"
				  "  name: cm\n"
				  "---\n"
				  "apiVersion: example.com/v1\n"
				  "kind: Thing\n"
				  "metadata:\n"
				  "  name: t\n"
				  "spec:\n"
				  "  configRef:\n"
				  "    id: cm\n"
				  "  notes: {}\n");
	/* the reference follows the renamed ConfigMap through the name key
	 * `id`; `notes` takes the common annotations */
	expect_output("c1", "apiVersion: v1\n"
			    "kind: ConfigMap\n"
			    "metadata:\n"
			    "  annotations:\n"
			    "    team: x\n"
			    "  name: p-cm\n"
			    "---\n"
			    "apiVersion: example.com/v1\n"
			    "kind: Thing\n"
			    "metadata:\n"
			    "  annotations:\n"
			    "    team: x\n"
			    "  name: p-t\n"
			    "spec:\n"
			    "  configRef:\n"
			    "    id: p-cm\n"
			    "  notes:\n"
			    "    team: x\n");
	/* crds of a base reach the overlay's name references */
	write_file("c2/base/defs.json", crd_defs);
	write_file("c2/base/kustomization.yaml", "crds:\n- defs.json\nresources:\n- res.yaml\n");
	write_file("c2/base/res.yaml", "apiVersion: v1\n"
				       "kind: ConfigMap\n"
				       "metadata:\n"
				       "  name: cm\n"
				       "---\n"
				       "apiVersion: example.com/v1\n"
				       "kind: Thing\n"
				       "metadata:\n"
				       "  name: t\n"
				       "spec:\n"
				       "  configRef:\n"
				       "    id: cm\n");
	write_file("c2/app/kustomization.yaml", "namePrefix: q-\nresources:\n- ../base\n");
	expect_output("c2/app", "apiVersion: v1\n"
				"kind: ConfigMap\n"
				"metadata:\n"
				"  name: q-cm\n"
				"---\n"
				"apiVersion: example.com/v1\n"
				"kind: Thing\n"
				"metadata:\n"
				"  name: q-t\n"
				"spec:\n"
				"  configRef:\n"
				"    id: q-cm\n");
	write_file("c3/bad.json", "[1, 2]\n");
	write_file("c3/kustomization.yaml", "crds:\n- bad.json\n");
	expect_error("c3", "unable to parse open API definition");
}

int main(void)
{
	char tmpl[] = "/tmp/kb_test_openapi.XXXXXX";
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return 1;
	}
	if (!realpath(tmpl, root)) {
		perror("realpath");
		return 1;
	}
	test_top_level_custom_schema();
	test_base_schema_alone();
	test_base_schema_layered();
	test_overlay_version_wins();
	test_errors();
	test_crds();
	char *cmd = kb_xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	free(cmd);
	return tap_done();
}
