/* test_openapi.c - the `openapi:` and `crds:` kustomization fields, end
 * to end through kb_build.  Expected outputs were taken from kubectl
 * kustomize v5.5.0 on the same trees. */
#define _GNU_SOURCE
#include "kbuild.h"
#include "tap.h"
#include "util.h"

#include <stdlib.h>

static char *root;

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

/* A patch adding item b to MyCRD c; a macro so that a test may give b
 * more fields. */
#define MYCRD_PATCH                        \
	"patches:\n"                       \
	"- patch: |-\n"                    \
	"    apiVersion: example.com/v1\n" \
	"    kind: MyCRD\n"                \
	"    metadata:\n"                  \
	"      name: c\n"                  \
	"    spec:\n"                      \
	"      items:\n"                   \
	"      - name: b\n"

static void test_top_level_custom_schema(void)
{
	tap_write(root, "t1/schema.json", schema);
	tap_write(root, "t1/crd.yaml", crd);
	tap_write(root, "t1/kustomization.yaml", "resources:\n"
						 "- crd.yaml\n"
						 "openapi:\n"
						 "  path: schema.json\n" MYCRD_PATCH
						 "        value: \"2\"\n");
	BUILD_IS(root, "t1", NULL, "apiVersion: example.com/v1\n"
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

/* The tree the base-schema tests share: t/base sets the custom schema;
 * t/app lists `resources` and then ../base, and patches the Deployment. */
static void write_base_schema_tree(const char *t, const char *resources)
{
	char *dir = kb_xasprintf("%s/%s", root, t);
	tap_write(dir, "base/schema.json", schema);
	tap_write(dir, "base/kustomization.yaml", "openapi:\n  path: schema.json\n");
	tap_write(dir, "app/dep.yaml", deployment);
	char *k = kb_xasprintf("resources:\n%s- ../base\n%s", resources, deployment_patch);
	tap_write(dir, "app/kustomization.yaml", k);
	free(k);
	free(dir);
}

/* A base's schema set before anything consulted kyaml's schema stands
 * alone: the Deployment loses its builtin merge keys. */
static void test_base_schema_alone(void)
{
	write_base_schema_tree("t2", "- dep.yaml\n");
	BUILD_IS(root, "t2/app", NULL, "apiVersion: apps/v1\n"
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
	write_base_schema_tree("t3", "- other.yaml\n- dep.yaml\n");
	tap_write(root, "t3/app/other.yaml", "apiVersion: example.com/v1\n"
					     "kind: Other\n"
					     "metadata:\n"
					     "  name: o\n");
	BUILD_IS(root, "t3/app", NULL, "apiVersion: apps/v1\n"
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
	tap_write(root, "t6/base/schema.json", schema);
	tap_write(root, "t6/base/crd.yaml", crd);
	tap_write(root, "t6/base/kustomization.yaml", "resources:\n"
						      "- crd.yaml\n"
						      "openapi:\n"
						      "  path: schema.json\n");
	tap_write(root, "t6/app/kustomization.yaml", "resources:\n"
						     "- ../base\n"
						     "openapi:\n"
						     "  version: v1.21.2\n" MYCRD_PATCH);
	BUILD_IS(root, "t6/app", NULL, "apiVersion: example.com/v1\n"
				       "kind: MyCRD\n"
				       "metadata:\n"
				       "  name: c\n"
				       "spec:\n"
				       "  items:\n"
				       "  - name: b\n");
}

static void test_errors(void)
{
	tap_write(root, "t4/crd.yaml", crd);
	tap_write(root, "t4/kustomization.yaml",
		  "resources:\n- crd.yaml\nopenapi:\n  version: v1.20.0\n");
	BUILD_FAILS(root, "t4", NULL, "is not built in");
	tap_write(root, "t5/crd.yaml", crd);
	tap_write(root, "t5/schema.json", schema);
	tap_write(root, "t5/kustomization.yaml", "resources:\n"
						 "- crd.yaml\n"
						 "openapi:\n"
						 "  version: v1.21.2\n"
						 "  path: schema.json\n");
	BUILD_FAILS(root, "t5", NULL, "cannot use both");
	tap_write(root, "t7/kustomization.yaml", "openapi:\n  path: missing.json\n");
	BUILD_FAILS(root, "t7", NULL, "missing.json");
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

/* A ConfigMap and a Thing naming it; a macro so that a test may append
 * fields to the Thing's spec. */
#define CM_AND_THING                   \
	"apiVersion: v1\n"             \
	"kind: ConfigMap\n"            \
	"metadata:\n"                  \
	"  name: cm\n"                 \
	"---\n"                        \
	"apiVersion: example.com/v1\n" \
	"kind: Thing\n"                \
	"metadata:\n"                  \
	"  name: t\n"                  \
	"spec:\n"                      \
	"  configRef:\n"               \
	"    id: cm\n"

static void test_crds(void)
{
	tap_write(root, "c1/defs.json", crd_defs);
	tap_write(root, "c1/kustomization.yaml", "crds:\n"
						 "- defs.json\n"
						 "namePrefix: p-\n"
						 "commonAnnotations:\n"
						 "  team: x\n"
						 "resources:\n"
						 "- res.yaml\n");
	tap_write(root, "c1/res.yaml", CM_AND_THING "  notes: {}\n");
	/* the reference follows the renamed ConfigMap through the name key
	 * `id`; `notes` takes the common annotations */
	BUILD_IS(root, "c1", NULL, "apiVersion: v1\n"
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
	tap_write(root, "c2/base/defs.json", crd_defs);
	tap_write(root, "c2/base/kustomization.yaml",
		  "crds:\n- defs.json\nresources:\n- res.yaml\n");
	tap_write(root, "c2/base/res.yaml", CM_AND_THING);
	tap_write(root, "c2/app/kustomization.yaml", "namePrefix: q-\nresources:\n- ../base\n");
	BUILD_IS(root, "c2/app", NULL, "apiVersion: v1\n"
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
	tap_write(root, "c3/bad.json", "[1, 2]\n");
	tap_write(root, "c3/kustomization.yaml", "crds:\n- bad.json\n");
	BUILD_FAILS(root, "c3", NULL, "unable to parse open API definition");
}

int main(void)
{
	root = tap_tmpdir("openapi");
	if (!root)
		return 1;
	test_top_level_custom_schema();
	test_base_schema_alone();
	test_base_schema_layered();
	test_overlay_version_wins();
	test_errors();
	test_crds();
	tap_rmtree(root);
	free(root);
	return tap_done();
}
