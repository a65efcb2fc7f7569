/* test_origin.c - buildMetadata: origin paths, annotation text, the
 * transformations list, and end to end through kb_build.  Expected
 * outputs were taken from kubectl kustomize v5.5.0 on the same trees. */
#define _GNU_SOURCE
#include "kbuild.h"
#include "origin.h"
#include "resource.h"
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

static void expect_build(const char *dir, bool managedby, const char *want)
{
	kb_options opts;
	kb_options_init(&opts);
	char *path = kb_xasprintf("%s/%s", root, dir);
	opts.path = path;
	opts.enable_managedby_label = managedby;
	kb_result *res = NULL;
	kb_error *e = kb_build(&opts, &res);
	free(path);
	if (e) {
		char *s = kb_error_format(e);
		printf("# %s", s);
		free(s);
		kb_error_free(e);
		STR_EQ("(error)", want);
		return;
	}
	size_t len;
	const char *y = kb_result_yaml(res, &len);
	char *got = kb_xstrndup(y, len);
	STR_EQ(got, want);
	free(got);
	kb_result_free(res);
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
	write_file("base/kustomization.yaml",
		   "resources:\n- cm.yaml\nnamePrefix: b-\nbuildMetadata: [managedByLabel]\n");
	write_file("base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
	write_file("overlay/kustomization.yaml",
		   "resources:\n- ../base\nsecretGenerator:\n- name: s\n  literals: [k=v]\n"
		   "buildMetadata: [originAnnotations, transformerAnnotations]\n");
	/* paths relative to the top; the base's buildMetadata is ignored */
	expect_build("overlay", false,
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
	expect_build("base", false, labelled);
	expect_build("base", true, labelled);
	/* --enable-managedby-label without any buildMetadata */
	write_file("plain/kustomization.yaml", "resources:\n- cm.yaml\n");
	write_file("plain/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
	expect_build("plain", true,
		     "apiVersion: v1\n"
		     "kind: ConfigMap\n"
		     "metadata:\n"
		     "  labels:\n"
		     "    app.kubernetes.io/managed-by: kustomize-(devel)\n"
		     "  name: x\n");
	expect_build("plain", false, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
}

int main(void)
{
	char tmpl[] = "/tmp/kb_test_origin.XXXXXX";
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return 1;
	}
	if (!realpath(tmpl, root)) {
		perror("realpath");
		return 1;
	}
	test_join();
	test_text();
	test_note_transformer();
	test_build();
	char *cmd = kb_xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	free(cmd);
	return tap_done();
}
