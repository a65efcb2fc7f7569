/* test_transform.c - the builtin field-spec transformers with kustomize's
 * default field specs.  Expectations follow what kubectl kustomize
 * (v5.5.0) prints for the same input and kustomization fields. */
#include "diag.h"
#include "fieldspec.h"
#include "node.h"
#include "parse.h"
#include "resource.h"
#include "schema.h"
#include "tables.h"
#include "tap.h"
#include "transform.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const RESOURCES =
	"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
	"metadata: {name: things.example.com}\n"
	"---\napiVersion: apiregistration.k8s.io/v1\nkind: APIService\n"
	"metadata: {name: v1.example.com}\n"
	"---\napiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: keep}\n"
	"---\napiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\n"
	"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  labels:\n"
	"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
	"metadata: {name: crb}\n"
	"subjects:\n- {kind: ServiceAccount, name: default}\n- {kind: User, name: default}\n"
	"- {kind: ServiceAccount, name: sa, namespace: other}\n"
	"---\napiVersion: v1\nkind: Namespace\nmetadata: {name: myns}\n"
	"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
	"spec:\n  replicas: 1\n  template:\n    spec:\n"
	"      initContainers:\n      - {name: init, image: \"host:5000/img:old\"}\n"
	"      containers:\n"
	"      - {name: a, image: nginx}\n"
	"      - {name: b, image: \"nginx:1.0@sha256:abc\"}\n"
	"      - {name: c, image: \"busybox@sha256:def\"}\n"
	"      - {name: d, image: nginx-extra}\n"
	"      - {name: e, image: reg/nginx}\n";

static kb_node *parse1(const char *text)
{
	kb_node *n = NULL;
	kb_error *e = kb_yaml_parse_one("kustomization.yaml", text, strlen(text), NULL, &n);
	if (e) {
		printf("# parse error: %s\n", e->primary.msg);
		kb_error_free(e);
	}
	return n;
}

static void load(kb_resmap *m)
{
	kb_node **docs = NULL;
	size_t n = 0;
	kb_resmap_init(m);
	kb_error *e = kb_yaml_parse("r.yaml", RESOURCES, strlen(RESOURCES), NULL, &docs, &n);
	OK(e == NULL);
	kb_error_free(e);
	for (size_t i = 0; i < n; i++)
		kb_resmap_append_unchecked(m, kb_resource_new(docs[i], "r.yaml"));
	free(docs);
}

static kb_resource *by_kind(const kb_resmap *m, const char *kind)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(kb_res_kind(m->v[i]), kind) == 0)
			return m->v[i];
	return NULL;
}

static const char *str_at(const kb_resmap *m, const char *kind, const char *a, const char *b,
			  const char *c)
{
	kb_resource *r = by_kind(m, kind);
	if (!r)
		return NULL;
	return kb_node_get_str(r->doc, a, b, c, NULL);
}

static void test_prefix_suffix(void)
{
	kb_resmap m;
	load(&m);
	kb_fsset pf = { 0 }, sf = { 0 };
	kb_fsset_add_list(&pf, &kb_fs_nameprefix);
	kb_fsset_add_list(&sf, &kb_fs_namesuffix);
	kb_error *e = kb_transform_prefix_suffix(&m, "p-", NULL, &pf);
	OK(e == NULL);
	kb_error_free(e);
	e = kb_transform_prefix_suffix(&m, NULL, "-s", &sf);
	OK(e == NULL);
	kb_error_free(e);
	/* nothing to add is a no-op */
	e = kb_transform_prefix_suffix(&m, "", NULL, &pf);
	OK(e == NULL);
	kb_error_free(e);

	STR_EQ(kb_res_name(by_kind(&m, "ConfigMap")), "p-cm-s");
	STR_EQ(kb_res_name(by_kind(&m, "Thing")), "p-t-s");
	STR_EQ(kb_res_name(by_kind(&m, "Deployment")), "p-web-s");
	/* kustomize's prefixFieldSpecsToSkip */
	STR_EQ(kb_res_name(by_kind(&m, "Namespace")), "myns");
	STR_EQ(kb_res_name(by_kind(&m, "CustomResourceDefinition")), "things.example.com");
	STR_EQ(kb_res_name(by_kind(&m, "APIService")), "v1.example.com");

	/* every rename is remembered, oldest first, for name references */
	kb_resource *cm = by_kind(&m, "ConfigMap");
	OK(cm->prev_names.n == 2);
	if (cm->prev_names.n == 2) {
		STR_EQ(cm->prev_names.v[0], "cm");
		STR_EQ(cm->prev_names.v[1], "p-cm");
	}
	STR_EQ(cm->orig.name, "cm");
	OK(by_kind(&m, "Namespace")->prev_names.n == 0);
	kb_fsset_free(&pf);
	kb_fsset_free(&sf);
	kb_resmap_free(&m);
}

static void test_labels(void)
{
	kb_resmap m;
	load(&m);
	/* commonLabels: the default specs plus metadata/labels */
	kb_fsset fs = { 0 };
	kb_fsset_add_list(&fs, &kb_fs_commonlabels);
	kb_fsset_add(&fs, NULL, NULL, NULL, "metadata/labels", true);
	kb_node *pairs = parse1("team: x\nempty:\n");
	kb_error *e = kb_transform_labels(&m, pairs, &fs);
	OK(e == NULL);
	kb_error_free(e);
	for (size_t i = 0; i < m.n; i++)
		STR_EQ(kb_node_get_str(m.v[i]->doc, "metadata", "labels", "team", NULL), "x");
	/* a null label value becomes "" (labels are map[string]string) */
	kb_node *empty = kb_node_get(by_kind(&m, "ConfigMap")->doc, "metadata", "labels", "empty",
				     NULL);
	OK(empty && empty->kind == KB_STR && empty->len == 0);
	/* selectors are created where the spec says create */
	STR_EQ(str_at(&m, "Service", "spec", "selector", "team"), "x");
	kb_resource *d = by_kind(&m, "Deployment");
	STR_EQ(kb_node_get_str(d->doc, "spec", "selector", "matchLabels", "team", NULL), "x");
	STR_EQ(kb_node_get_str(d->doc, "spec", "template", "metadata", "labels", "team", NULL),
	       "x");
	/* ...and not where it does not (affinity terms are create: false) */
	OK(kb_node_get(d->doc, "spec", "template", "spec", "affinity", NULL) == NULL);
	/* a ConfigMap has no selector */
	OK(kb_node_get(by_kind(&m, "ConfigMap")->doc, "spec", NULL) == NULL);
	kb_node_free(pairs);

	/* a key that YAML reads as a number cannot survive kustomize's JSON
	 * round trip */
	kb_node *bad = kb_node_new(KB_MAP);
	kb_map_set(bad, "123", kb_node_new_str("v"));
	e = kb_transform_labels(&m, bad, &fs);
	OK(e != NULL && strstr(e->primary.msg, "123") != NULL);
	kb_error_free(e);
	kb_node_free(bad);

	/* labels on a scalar metadata/labels are an error, not a crash */
	kb_resource *cm = by_kind(&m, "ConfigMap");
	kb_map_set(kb_map_get(cm->doc, "metadata"), "labels", kb_node_new_str("oops"));
	pairs = parse1("k: v\n");
	e = kb_transform_labels(&m, pairs, &fs);
	OK(e != NULL);
	kb_error_free(e);
	kb_node_free(pairs);

	/* annotations go through the same walk */
	kb_fsset an = { 0 };
	kb_fsset_add(&an, NULL, NULL, NULL, "metadata/annotations", true);
	kb_map_set(kb_map_get(cm->doc, "metadata"), "labels", kb_node_new(KB_MAP));
	pairs = parse1("note: \"1\"\n");
	e = kb_transform_annotations(&m, pairs, &an);
	OK(e == NULL);
	kb_error_free(e);
	STR_EQ(str_at(&m, "Thing", "metadata", "annotations", "note"), "1");
	kb_node_free(pairs);
	kb_fsset_free(&an);
	kb_fsset_free(&fs);
	kb_resmap_free(&m);
}

static void test_namespace(void)
{
	kb_resmap m;
	load(&m);
	kb_fsset fs = { 0 };
	kb_fsset_add_list(&fs, &kb_fs_namespace);
	kb_error *e = kb_transform_namespace(&m, kb_schema_builtin(), "prod", &fs,
					     KB_SUBJECTS_DEFAULT_ONLY, false);
	OK(e == NULL);
	kb_error_free(e);
	STR_EQ(kb_res_ns(by_kind(&m, "ConfigMap")), "prod");
	STR_EQ(kb_res_ns(by_kind(&m, "Deployment")), "prod");
	/* overwritten, not only filled in */
	STR_EQ(kb_res_ns(by_kind(&m, "Service")), "prod");
	/* an unknown kind is assumed namespaced */
	STR_EQ(kb_res_ns(by_kind(&m, "Thing")), "prod");
	/* cluster-scoped kinds get no metadata.namespace */
	OK(kb_node_get(by_kind(&m, "ClusterRoleBinding")->doc, "metadata", "namespace", NULL) ==
	   NULL);
	OK(kb_node_get(by_kind(&m, "CustomResourceDefinition")->doc, "metadata", "namespace",
		       NULL) == NULL);
	OK(kb_node_get(by_kind(&m, "APIService")->doc, "metadata", "namespace", NULL) == NULL);
	/* ...but their namespace fields are set (created) */
	STR_EQ(str_at(&m, "APIService", "spec", "service", "namespace"), "prod");
	/* a v1 Namespace is renamed */
	STR_EQ(kb_res_name(by_kind(&m, "Namespace")), "prod");
	/* subjects named "default" (of any kind) follow; others keep theirs */
	kb_node *subj = kb_map_get(by_kind(&m, "ClusterRoleBinding")->doc, "subjects");
	OK(subj && subj->n == 3);
	if (subj && subj->n == 3) {
		STR_EQ(kb_map_get_str(subj->items[0], "namespace"), "prod");
		STR_EQ(kb_map_get_str(subj->items[1], "namespace"), "prod");
		STR_EQ(kb_map_get_str(subj->items[2], "namespace"), "other");
	}
	/* a previous id is stored for every resource, changed or not */
	kb_resource *svc = by_kind(&m, "Service");
	OK(svc->prev_ns.n == 1 && strcmp(svc->prev_ns.v[0], "keep") == 0);
	OK(by_kind(&m, "ClusterRoleBinding")->prev_names.n == 1);
	kb_resmap_free(&m);

	/* unset_only keeps namespaces already set; all service accounts */
	load(&m);
	e = kb_transform_namespace(&m, kb_schema_builtin(), "dev", &fs,
				   KB_SUBJECTS_ALL_SERVICE_ACCOUNTS, true);
	OK(e == NULL);
	kb_error_free(e);
	STR_EQ(kb_res_ns(by_kind(&m, "Service")), "keep");
	STR_EQ(kb_res_ns(by_kind(&m, "ConfigMap")), "dev");
	subj = kb_map_get(by_kind(&m, "ClusterRoleBinding")->doc, "subjects");
	if (subj && subj->n == 3) {
		STR_EQ(kb_map_get_str(subj->items[0], "namespace"), "dev");
		/* a User is no service account */
		OK(kb_map_get(subj->items[1], "namespace") == NULL);
		/* unset_only: "other" stays */
		STR_EQ(kb_map_get_str(subj->items[2], "namespace"), "other");
	}
	kb_resmap_free(&m);

	/* no subjects touched at all */
	load(&m);
	e = kb_transform_namespace(&m, kb_schema_builtin(), "x", &fs, KB_SUBJECTS_NONE, false);
	kb_error_free(e);
	subj = kb_map_get(by_kind(&m, "ClusterRoleBinding")->doc, "subjects");
	OK(subj && kb_map_get(subj->items[0], "namespace") == NULL);
	kb_fsset_free(&fs);
	kb_resmap_free(&m);
}

static void check_split(const char *image, const char *name, const char *tag,
			const char *digest)
{
	char *n = NULL, *t = NULL, *d = NULL;
	kb_image_split(image, &n, &t, &d);
	STR_EQ(n, name);
	if (tag)
		STR_EQ(t, tag);
	else
		OK(t == NULL);
	if (digest)
		STR_EQ(d, digest);
	else
		OK(d == NULL);
	free(n);
	free(t);
	free(d);
}

static const char *container_image(const kb_resmap *m, const char *list, size_t i)
{
	kb_node *l = kb_node_get(by_kind(m, "Deployment")->doc, "spec", "template", "spec", list,
				 NULL);
	if (!l || l->kind != KB_SEQ || i >= l->n)
		return NULL;
	return kb_map_get_str(l->items[i], "image");
}

static void test_images(void)
{
	check_split("nginx", "nginx", NULL, NULL);
	check_split("nginx:1.0", "nginx", "1.0", NULL);
	/* a registry port is not a tag */
	check_split("host:5000/img", "host:5000/img", NULL, NULL);
	check_split("host:5000/img:tag", "host:5000/img", "tag", NULL);
	check_split("img@sha256:abc", "img", NULL, "sha256:abc");
	check_split("img:1.0@sha256:abc", "img", "1.0", "sha256:abc");
	check_split("host:5000/a/b@sha256:abc", "host:5000/a/b", NULL, "sha256:abc");

	kb_resmap m;
	load(&m);
	kb_fsset fs = { 0 };
	kb_fsset_add_list(&fs, &kb_fs_images);
	const char *entries[] = {
		"name: nginx\nnewName: reg/nginx\nnewTag: \"2.0\"\n",
		"name: host:5000/img\nnewTag: new\n",
		"name: busybox\ndigest: sha256:fff\n",
	};
	for (size_t i = 0; i < 3; i++) {
		kb_node *img = parse1(entries[i]);
		kb_error *e = kb_transform_image(&m, img, &fs, "kustomization.yaml");
		OK(e == NULL);
		kb_error_free(e);
		kb_node_free(img);
	}
	STR_EQ(container_image(&m, "containers", 0), "reg/nginx:2.0");
	/* a new tag drops the old tag and digest */
	STR_EQ(container_image(&m, "containers", 1), "reg/nginx:2.0");
	/* a digest replaces the tag */
	STR_EQ(container_image(&m, "containers", 2), "busybox@sha256:fff");
	/* the name must match whole */
	STR_EQ(container_image(&m, "containers", 3), "nginx-extra");
	/* the name is anchored at the start too: "reg/nginx" is no "nginx" */
	STR_EQ(container_image(&m, "containers", 4), "reg/nginx");
	STR_EQ(container_image(&m, "initContainers", 0), "host:5000/img:new");

	/* tag and digest together */
	kb_node *img = parse1("name: reg/nginx\nnewTag: \"3\"\ndigest: sha256:123\n");
	kb_error *e = kb_transform_image(&m, img, &fs, "kustomization.yaml");
	OK(e == NULL);
	kb_error_free(e);
	kb_node_free(img);
	STR_EQ(container_image(&m, "containers", 0), "reg/nginx:3@sha256:123");

	/* errors name the kustomization */
	img = parse1("newTag: x\n");
	e = kb_transform_image(&m, img, &fs, "kustomization.yaml");
	OK(e != NULL && kb_streq(e->primary.file, "kustomization.yaml"));
	kb_error_free(e);
	kb_node_free(img);
	img = parse1("name: \"nginx[\"\nnewTag: x\n");
	e = kb_transform_image(&m, img, &fs, "kustomization.yaml");
	OK(e != NULL && strstr(e->primary.msg, "regular expression") != NULL);
	kb_error_free(e);
	kb_node_free(img);
	kb_fsset_free(&fs);
	kb_resmap_free(&m);
}

static void test_replicas(void)
{
	kb_resmap m;
	load(&m);
	kb_fsset fs = { 0 };
	kb_fsset_add_list(&fs, &kb_fs_replicas);
	kb_node *rep = parse1("name: web\ncount: 3\n");
	kb_error *e = kb_transform_replicas(&m, kb_schema_builtin(), rep, &fs, "k.yaml");
	OK(e == NULL);
	kb_error_free(e);
	kb_node_free(rep);
	kb_node *r = kb_node_get(by_kind(&m, "Deployment")->doc, "spec", "replicas", NULL);
	OK(r && r->kind == KB_INT);
	STR_EQ(r ? r->str : NULL, "3");

	/* an old name still matches after a rename */
	kb_res_set_name(by_kind(&m, "Deployment"), "p-web");
	rep = parse1("name: web\ncount: 0\n");
	e = kb_transform_replicas(&m, kb_schema_builtin(), rep, &fs, "k.yaml");
	OK(e == NULL);
	kb_error_free(e);
	kb_node_free(rep);
	STR_EQ(kb_node_get_str(by_kind(&m, "Deployment")->doc, "spec", "replicas", NULL), "0");

	/* a name that matches nothing scalable is an error, with position */
	rep = parse1("name: nosuch\ncount: 2\n");
	e = kb_transform_replicas(&m, kb_schema_builtin(), rep, &fs, "k.yaml");
	OK(e != NULL && strstr(e->primary.msg, "nosuch") != NULL);
	OK(e && kb_streq(e->primary.file, "k.yaml") && e->primary.line == 1);
	kb_error_free(e);
	kb_node_free(rep);
	/* so is a ConfigMap's name: ConfigMaps have no replicas */
	rep = parse1("name: cm\ncount: 2\n");
	e = kb_transform_replicas(&m, kb_schema_builtin(), rep, &fs, "k.yaml");
	OK(e != NULL);
	kb_error_free(e);
	kb_node_free(rep);
	OK(kb_node_get(by_kind(&m, "ConfigMap")->doc, "spec", NULL) == NULL);
	rep = parse1("count: 2\n");
	e = kb_transform_replicas(&m, kb_schema_builtin(), rep, &fs, "k.yaml");
	OK(e != NULL);
	kb_error_free(e);
	kb_node_free(rep);
	kb_fsset_free(&fs);
	kb_resmap_free(&m);
}

int main(void)
{
	test_prefix_suffix();
	test_labels();
	test_namespace();
	test_images();
	test_replicas();
	return tap_done();
}
