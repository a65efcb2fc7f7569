/* test_replace.c - replacements: path syntax, lookup, create,
 * delimiter/index, typing and errors. */
#include "diag.h"
#include "node.h"
#include "parse.h"
#include "replace.h"
#include "resource.h"
#include "tap.h"
#include "acc.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const RESOURCES =
	"apiVersion: v1\n"
	"kind: ConfigMap\n"
	"metadata:\n"
	"  name: src\n"
	"  annotations:\n"
	"    a.b/c: hello\n"
	"data:\n"
	"  host: db.example.com\n"
	"  port: \"5432\"\n"
	"  seq: [x, y, z]\n"
	"---\n"
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata:\n"
	"  name: dep\n"
	"spec:\n"
	"  replicas: 1\n"
	"  template:\n"
	"    spec:\n"
	"      containers:\n"
	"      - name: app\n"
	"        image: app:1\n"
	"        env:\n"
	"        - name: URL\n"
	"          value: http://old:80/x\n"
	"      - name: sidecar\n"
	"        image: side:1\n";

static void load(kb_resmap *m)
{
	kb_node **docs;
	size_t n;
	kb_resmap_init(m);
	kb_error *e = kb_yaml_parse("res.yaml", RESOURCES, strlen(RESOURCES), NULL, &docs, &n);
	OK(e == NULL);
	kb_error_free(e);
	for (size_t i = 0; !e && i < n; i++)
		kb_resmap_append_unchecked(m, kb_resource_new(docs[i], "res.yaml"));
	free(docs);
}

/* Applies `yaml` (a replacements list) to a fresh resource set; returns
 * the error message (caller frees) or NULL, leaving the result in *m. */
static char *run(kb_resmap *m, const char *yaml)
{
	kb_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	load(m);
	kb_node *list = tap_yaml(yaml);
	kb_error *e = kb_replacements_apply(&ctx, m, list, NULL, "kustomization.yaml");
	kb_node_free(list);
	char *msg = e ? kb_xstrdup(e->primary.msg) : NULL;
	kb_error_free(e);
	return msg;
}

static const kb_node *dep(const kb_resmap *m)
{
	return m->v[1]->doc;
}

static void test_split(void)
{
	kb_strv v = { 0 };
	kb_replace_split_path("spec.template.spec.containers.[name=a.b].image", &v);
	OK(v.n == 6);
	if (v.n == 6) {
		STR_EQ(v.v[4], "[name=a.b]");
		STR_EQ(v.v[5], "image");
	}
	kb_strv_free(&v);

	kb_replace_split_path("metadata.annotations.[a.b/c]", &v);
	OK(v.n == 3);
	if (v.n == 3)
		STR_EQ(v.v[2], "a.b/c");
	kb_strv_free(&v);

	kb_replace_split_path("data.config\\.json.x", &v);
	OK(v.n == 3);
	if (v.n == 3)
		STR_EQ(v.v[1], "config.json");
	kb_strv_free(&v);

	/* One leading delimiter is allowed. */
	kb_replace_split_path(".a.b", &v);
	OK(v.n == 2);
	if (v.n == 2)
		STR_EQ(v.v[0], "a");
	kb_strv_free(&v);
}

static void test_lookup(void)
{
	kb_node *doc = tap_yaml("a:\n  list: [p, q]\n  objs:\n  - {name: n1, v: 1}\n"
			      "  - {name: n2, v: 2}\n  s: text\n");
	kb_node *out;
	kb_error *e;

	OK((e = kb_replace_lookup(doc, "a.list.1", &out)) == NULL && out);
	if (out)
		STR_EQ(out->str, "q");
	OK((e = kb_replace_lookup(doc, "a.list.-", &out)) == NULL && out);
	if (out)
		STR_EQ(out->str, "q");
	OK((e = kb_replace_lookup(doc, "a.list.[=p]", &out)) == NULL && out);
	if (out)
		STR_EQ(out->str, "p");
	OK((e = kb_replace_lookup(doc, "a.objs.[name=n2].v", &out)) == NULL && out);
	if (out)
		STR_EQ(out->str, "2");
	/* The source lookup matches exactly, not as a pattern. */
	OK((e = kb_replace_lookup(doc, "a.objs.[name=n].v", &out)) == NULL && !out);
	OK((e = kb_replace_lookup(doc, "a.missing.x", &out)) == NULL && !out);
	OK((e = kb_replace_lookup(doc, "a.list.7", &out)) == NULL && !out);

	e = kb_replace_lookup(doc, "a.list.*", &out);
	OK(e != NULL);
	if (e)
		STR_EQ(e->primary.msg, "wildcard is not supported in PathGetter");
	kb_error_free(e);
	e = kb_replace_lookup(doc, "a.list.-1", &out);
	OK(e != NULL);
	if (e)
		STR_EQ(e->primary.msg, "array index -1 cannot be negative");
	kb_error_free(e);
	e = kb_replace_lookup(doc, "a.s.x", &out);
	OK(e != NULL && strstr(e->primary.msg, "expected MappingNode but got ScalarNode"));
	kb_error_free(e);
	e = kb_replace_lookup(doc, "a.list.[p]", &out);
	OK(e != NULL && strstr(e->primary.msg, "fieldName=fieldValue"));
	kb_error_free(e);
	kb_node_free(doc);
}

static void test_simple_and_types(void)
{
	kb_resmap m;
	char *err = run(&m, "- source: {kind: ConfigMap, fieldPath: data.port}\n"
			    "  targets:\n"
			    "  - select: {kind: Deployment}\n"
			    "    fieldPaths:\n"
			    "    - spec.replicas\n"
			    "    - spec.template.spec.containers.[name=app].image\n");
	OK(err == NULL);
	/* An int target stays an int; a string target stays a string. */
	const kb_node *r = kb_node_get(dep(&m), "spec", "replicas", NULL);
	OK(r && r->kind == KB_INT && strcmp(r->str, "5432") == 0);
	const kb_node *img = kb_node_get(dep(&m), "spec", "template", "spec", "containers", NULL);
	OK(img && img->kind == KB_SEQ && img->n == 2);
	if (img && img->n == 2) {
		const kb_node *v = kb_map_get(img->items[0], "image");
		OK(v && v->kind == KB_STR && strcmp(v->str, "5432") == 0);
		STR_EQ(kb_map_get_str(img->items[1], "image"), "side:1");
	}
	free(err);
	kb_resmap_free(&m);

	/* A string that is no number cannot go into an int field. */
	err = run(&m, "- source: {kind: ConfigMap, fieldPath: data.host}\n"
		      "  targets:\n"
		      "  - select: {kind: Deployment}\n"
		      "    fieldPaths: [spec.replicas]\n");
	OK(err && strstr(err, "cannot decode !!str `db.example.com` as a !!int"));
	free(err);
	kb_resmap_free(&m);
}

static void test_default_fieldpath_and_regex(void)
{
	kb_resmap m;
	/* Default source field is metadata.name; target [name=e] is an
	 * unanchored pattern, so it hits "sidecar" but not "app". */
	char *err = run(&m, "- source: {kind: ConfigMap}\n"
			    "  targets:\n"
			    "  - select: {kind: Deployment}\n"
			    "    fieldPaths:\n"
			    "    - spec.template.spec.containers.[name=e].image\n");
	OK(err == NULL);
	const kb_node *cs = kb_node_get(dep(&m), "spec", "template", "spec", "containers", NULL);
	if (cs && cs->n == 2) {
		STR_EQ(kb_map_get_str(cs->items[0], "image"), "app:1");
		STR_EQ(kb_map_get_str(cs->items[1], "image"), "src");
	}
	free(err);
	kb_resmap_free(&m);

	/* Wildcard over every container. */
	err = run(&m, "- source: {kind: ConfigMap, fieldPath: data.seq.1}\n"
		      "  targets:\n"
		      "  - select: {kind: Deployment}\n"
		      "    fieldPaths: [spec.template.spec.containers.*.image]\n");
	OK(err == NULL);
	cs = kb_node_get(dep(&m), "spec", "template", "spec", "containers", NULL);
	if (cs && cs->n == 2) {
		STR_EQ(kb_map_get_str(cs->items[0], "image"), "y");
		STR_EQ(kb_map_get_str(cs->items[1], "image"), "y");
	}
	free(err);
	kb_resmap_free(&m);
}

static void test_create(void)
{
	kb_resmap m;
	char *err = run(&m, "- source: {kind: ConfigMap, fieldPath: data.port}\n"
			    "  targets:\n"
			    "  - select: {kind: Deployment}\n"
			    "    fieldPaths:\n"
			    "    - metadata.labels.port\n"
			    "    - spec.template.spec.containers.[name=new].image\n"
			    "    - spec.template.spec.volumes.0.name\n"
			    "    options: {create: true}\n");
	OK(err == NULL);
	/* A created field has no tag: its text is typed afresh. */
	const kb_node *p = kb_node_get(dep(&m), "metadata", "labels", "port", NULL);
	OK(p && p->kind == KB_INT && strcmp(p->str, "5432") == 0);
	const kb_node *cs = kb_node_get(dep(&m), "spec", "template", "spec", "containers", NULL);
	OK(cs && cs->n == 3);
	if (cs && cs->n == 3) {
		STR_EQ(kb_map_get_str(cs->items[2], "name"), "new");
		const kb_node *img = kb_map_get(cs->items[2], "image");
		OK(img && img->kind == KB_INT);
	}
	const kb_node *vols = kb_node_get(dep(&m), "spec", "template", "spec", "volumes", NULL);
	OK(vols && vols->kind == KB_SEQ && vols->n == 1);
	free(err);
	kb_resmap_free(&m);

	/* Without create a missing field is an error. */
	err = run(&m, "- source: {kind: ConfigMap}\n"
		      "  targets:\n"
		      "  - select: {kind: Deployment}\n"
		      "    fieldPaths: [metadata.labels.x]\n");
	OK(err != NULL);
	if (err)
		STR_EQ(err, "unable to find field \"metadata.labels.x\" in replacement target");
	free(err);
	kb_resmap_free(&m);

	/* Indices are created only as an append. */
	err = run(&m, "- source: {kind: ConfigMap}\n"
		      "  targets:\n"
		      "  - select: {kind: Deployment}\n"
		      "    fieldPaths: [spec.tls.5.hosts]\n"
		      "    options: {create: true}\n");
	OK(err != NULL);
	if (err)
		STR_EQ(err, "unable to find or create field \"spec.tls.5.hosts\" in replacement "
			    "target: index 5 specified but only 0 elements found");
	free(err);
	kb_resmap_free(&m);
}

static void test_delimiter(void)
{
	kb_resmap m;
	char *err = run(&m, "- source:\n"
			    "    kind: ConfigMap\n"
			    "    fieldPath: data.host\n"
			    "    options: {delimiter: '.', index: 0}\n"
			    "  targets:\n"
			    "  - select: {kind: Deployment}\n"
			    "    fieldPaths:\n"
			    "    - spec.template.spec.containers.[name=app].env.[name=URL].value\n"
			    "    options: {delimiter: '/', index: 2}\n"
			    "  - select: {kind: Deployment}\n"
			    "    fieldPaths: [spec.template.spec.containers.1.image]\n"
			    "    options: {delimiter: ':', index: -1}\n"
			    "  - select: {kind: Deployment}\n"
			    "    fieldPaths: [spec.template.spec.containers.0.image]\n"
			    "    options: {delimiter: ':', index: 9}\n");
	OK(err == NULL);
	const kb_node *cs = kb_node_get(dep(&m), "spec", "template", "spec", "containers", NULL);
	if (cs && cs->n == 2) {
		/* "http://old:80/x" split on "/" is [http:, "", old:80, x]. */
		const kb_node *env = kb_map_get(cs->items[0], "env");
		OK(env && env->kind == KB_SEQ && env->n == 1);
		if (env && env->n == 1)
			STR_EQ(kb_map_get_str(env->items[0], "value"), "http://db/x");
		STR_EQ(kb_map_get_str(cs->items[1], "image"), "db:side:1");
		STR_EQ(kb_map_get_str(cs->items[0], "image"), "app:1:db");
	}
	free(err);
	kb_resmap_free(&m);

	err = run(&m, "- source:\n"
		      "    kind: ConfigMap\n"
		      "    fieldPath: data.host\n"
		      "    options: {delimiter: '.', index: 3}\n"
		      "  targets:\n"
		      "  - select: {kind: Deployment}\n");
	OK(err != NULL);
	if (err)
		STR_EQ(err, "options.index 3 is out of bounds for value db.example.com");
	free(err);
	kb_resmap_free(&m);

	err = run(&m, "- source:\n"
		      "    kind: ConfigMap\n"
		      "    fieldPath: data.seq\n"
		      "    options: {delimiter: '.'}\n"
		      "  targets:\n"
		      "  - select: {kind: Deployment}\n");
	OK(err != NULL);
	if (err)
		STR_EQ(err, "delimiter option can only be used with scalar nodes");
	free(err);
	kb_resmap_free(&m);
}

static void test_selection_errors(void)
{
	kb_resmap m;
	char *err = run(&m, "- source: {version: v1x}\n  targets: []\n");
	OK(err != NULL);
	if (err)
		STR_EQ(err, "nothing selected by [noKind].v1x.[noGrp]/[noName].[noNs]");
	free(err);
	kb_resmap_free(&m);

	/* An empty source selector selects everything: two matches. */
	err = run(&m, "- source: {fieldPath: metadata.name}\n  targets: []\n");
	OK(err != NULL);
	if (err)
		STR_EQ(err, "multiple matches for selector "
			    "[noKind].[noVer].[noGrp]/[noName].[noNs]:metadata.name");
	free(err);
	kb_resmap_free(&m);

	/* Selectors are literal, not patterns. */
	err = run(&m, "- source: {kind: Config.*}\n  targets: []\n");
	OK(err != NULL && strstr(err, "nothing selected by"));
	free(err);
	kb_resmap_free(&m);

	err = run(&m, "- source: {kind: ConfigMap}\n");
	OK(err != NULL);
	if (err)
		STR_EQ(err, "replacements must specify a source and at least one target");
	free(err);
	kb_resmap_free(&m);

	err = run(&m, "- source: {kind: ConfigMap}\n  targets:\n  - fieldPaths: [a]\n");
	OK(err != NULL);
	if (err)
		STR_EQ(err, "target must specify resources to select");
	free(err);
	kb_resmap_free(&m);

	err = run(&m, "- sourceValue: x\n  targets: []\n");
	OK(err != NULL);
	if (err)
		STR_EQ(err, "json: unknown field \"sourceValue\"");
	free(err);
	kb_resmap_free(&m);

	err = run(&m, "- path: r.yaml\n  source: {kind: ConfigMap}\n");
	OK(err != NULL);
	if (err)
		STR_EQ(err, "cannot specify both path and inline replacement");
	free(err);
	kb_resmap_free(&m);
}

static void test_reject(void)
{
	kb_resmap m;
	/* Every resource but the rejected one gets the annotation value. */
	char *err = run(&m, "- source:\n"
			    "    kind: ConfigMap\n"
			    "    fieldPath: metadata.annotations.[a.b/c]\n"
			    "  targets:\n"
			    "  - select: {}\n"
			    "    reject: [{kind: ConfigMap}]\n"
			    "    fieldPaths: [metadata.annotations.note]\n"
			    "    options: {create: true}\n");
	OK(err == NULL);
	STR_EQ(kb_node_get_str(dep(&m), "metadata", "annotations", "note", NULL), "hello");
	OK(kb_node_get(m.v[0]->doc, "metadata", "annotations", "note", NULL) == NULL);
	free(err);
	kb_resmap_free(&m);
}

int main(void)
{
	test_split();
	test_lookup();
	test_simple_and_types();
	test_default_fieldpath_and_regex();
	test_create();
	test_delimiter();
	test_selection_errors();
	test_reject();
	return tap_done();
}
