/* test_origin.c - buildMetadata: origin paths, annotation text, the
 * transformations list, and end to end through kb_build.  Expected
 * outputs were taken from kubectl kustomize v5.5.0 on the same trees. */
#define _GNU_SOURCE
#include "kbuild.h"
#include "origin.h"
#include "resource.h"
#include "tap.h"

#include <stdbool.h>
#include <stdlib.h>

static char *root;

/* Options with --enable-managedby-label on or off; valid until the next
 * call, which is all a BUILD_IS() needs. */
static const kb_options *managedby(bool on)
{
	static kb_options opts;
	kb_options_init(&opts);
	opts.enable_managedby_label = on;
	return &opts;
}

static void join_is(const char *a, const char *b, const char *want)
{
	char *got = kb_origin_join(a, b);
	STR_EQ(got, want);
	free(got);
}

/* Go's filepath.Join, as kustomize's Origin.Append uses it. */
static void test_join(void)
{
	join_is("", "service.yaml", "service.yaml");
	join_is("", "./x/", "x");
	join_is("../base", "kustomization.yaml", "../base/kustomization.yaml");
	join_is("a/b", "../../c", "c");
	join_is("..", "../x", "../../x");
	join_is("a", "..", ".");
	join_is("", "", "");
}

static void text_is(const kb_origin *o, const char *want)
{
	char *got = kb_origin_text(o);
	STR_EQ(got, want);
	free(got);
}

/* Field order of resource.Origin, empty fields left out, strings that
 * read as another type quoted the way yaml.v3 quotes them. */
static void test_text(void)
{
	kb_origin o = { .path = "a/b.yaml" };
	text_is(&o, "path: a/b.yaml\n");
	o.path = "true";
	text_is(&o, "path: \"true\"\n");
	o.path = "a: b";
	text_is(&o, "path: 'a: b'\n");
	kb_origin g = { .configured_in = "k.yaml", .by_apiversion = "builtin",
			.by_kind = "ConfigMapGenerator", .by_name = "gen" };
	text_is(&g, "configuredIn: k.yaml\nconfiguredBy:\n  apiVersion: builtin\n"
		    "  kind: ConfigMapGenerator\n  name: gen\n");
	/* yaml.v3 also quotes YAML 1.1 booleans such as "n" */
	g.by_name = "n";
	text_is(&g, "configuredIn: k.yaml\nconfiguredBy:\n  apiVersion: builtin\n"
		    "  kind: ConfigMapGenerator\n  name: \"n\"\n");
}

/* The first transformer becomes the origin of an object without one;
 * later ones are listed. */
static void test_note_transformer(void)
{
	kb_resmap m;
	kb_resmap_init(&m);
	kb_node *doc = kb_node_new(KB_MAP);
	kb_map_set(doc, "kind", kb_node_new_str("ConfigMap"));
	kb_map_ensure_map(doc, "metadata");
	kb_resmap_append_unchecked(&m, kb_resource_new(doc, "x.yaml"));
	kb_origin o = { .configured_in = "kustomization.yaml", .by_apiversion = "builtin",
			.by_kind = "PrefixTransformer" };
	kb_origin_note_transformer(&m, &o, 2);
	const char *orig = kb_node_get_str(m.v[0]->doc, "metadata", "annotations",
					   KB_ORIGIN_ANNOTATION, NULL);
	const char *tr = kb_node_get_str(m.v[0]->doc, "metadata", "annotations",
					 KB_TRANSFORMATIONS_ANNOTATION, NULL);
	STR_EQ(orig, "configuredIn: kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n"
		     "  kind: PrefixTransformer\n");
	STR_EQ(tr, "- configuredIn: kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n"
		   "    kind: PrefixTransformer\n");
	kb_resmap_free(&m);
}

static void test_build(void)
{
	tap_write(root, "base/kustomization.yaml",
		  "resources:\n- cm.yaml\nnamePrefix: b-\nbuildMetadata: [managedByLabel]\n");
	tap_write(root, "base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
	tap_write(root, "overlay/kustomization.yaml",
		  "resources:\n- ../base\nsecretGenerator:\n- name: s\n  literals: [k=v]\n"
		  "buildMetadata: [originAnnotations, transformerAnnotations]\n");
	/* paths relative to the top; the base's buildMetadata is ignored */
	BUILD_IS(root, "overlay", managedby(false),
		 "apiVersion: v1\n"
		 "kind: ConfigMap\n"
		 "metadata:\n"
		 "  annotations:\n"
		 "    alpha.config.kubernetes.io/transformations: |\n"
		 "      - configuredIn: ../base/kustomization.yaml\n"
		 "        configuredBy:\n"
		 "          apiVersion: builtin\n"
		 "          kind: PrefixTransformer\n"
		 "    config.kubernetes.io/origin: |\n"
		 "      path: ../base/cm.yaml\n"
		 "  name: b-x\n"
		 "---\n"
		 "apiVersion: v1\n"
		 "data:\n"
		 "  k: dg==\n"
		 "kind: Secret\n"
		 "metadata:\n"
		 "  annotations:\n"
		 "    config.kubernetes.io/origin: |\n"
		 "      configuredIn: kustomization.yaml\n"
		 "      configuredBy:\n"
		 "        apiVersion: builtin\n"
		 "        kind: SecretGenerator\n"
		 "  name: s-ftgtgc4t9f\n"
		 "type: Opaque\n");
	static const char labelled[] = "apiVersion: v1\n"
				       "kind: ConfigMap\n"
				       "metadata:\n"
				       "  labels:\n"
				       "    app.kubernetes.io/managed-by: kustomize-(devel)\n"
				       "  name: b-x\n";
	BUILD_IS(root, "base", managedby(false), labelled);
	BUILD_IS(root, "base", managedby(true), labelled);
	/* --enable-managedby-label without any buildMetadata */
	tap_write(root, "plain/kustomization.yaml", "resources:\n- cm.yaml\n");
	tap_write(root, "plain/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
	BUILD_IS(root, "plain", managedby(true),
		 "apiVersion: v1\n"
		 "kind: ConfigMap\n"
		 "metadata:\n"
		 "  labels:\n"
		 "    app.kubernetes.io/managed-by: kustomize-(devel)\n"
		 "  name: x\n");
	BUILD_IS(root, "plain", managedby(false),
		 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
}

int main(void)
{
	root = tap_tmpdir("origin");
	if (!root)
		return 1;
	test_join();
	test_text();
	test_note_transformer();
	test_build();
	tap_rmtree(root);
	free(root);
	return tap_done();
}
