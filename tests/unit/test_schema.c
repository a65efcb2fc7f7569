/* test_schema.c - the builtin OpenAPI tables and kb_schema_load. */
#include "schema.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

/* Follows a dotted field path from a resource's type. */
static bool lookup(const kb_schema *s, const kb_stype *t, const char *path, kb_sfield *out)
{
	while (*path) {
		size_t len = strcspn(path, ".");
		char *step = kb_xstrndup(path, len);
		bool ok = kb_stype_field(s, t, step, out);
		free(step);
		if (!ok)
			return false;
		t = out->type;
		path += len + (path[len] == '.');
	}
	return true;
}

static void test_builtin_fields(void)
{
	const kb_schema *s = kb_schema_builtin();
	OK(s != NULL);
	OK(s == kb_schema_builtin());

	const kb_stype *dep = kb_schema_type_for(s, "apps", "v1", "Deployment");
	OK(dep != NULL);
	kb_sfield f;

	OK(lookup(s, dep, "spec.template.spec.containers", &f));
	OK(f.shape == KB_SF_ARRAY);
	OK(f.item_shape == KB_SF_OBJECT);
	OK(f.strategy == KB_PS_MERGE);
	STR_EQ(f.merge_key, "name");
	OK(f.nmerge_keys == 1 && f.merge_keys && !strcmp(f.merge_keys[0], "name"));
	OK(f.type != NULL);
	/* The element type of containers is Container: its image is a string. */
	kb_sfield img;
	OK(kb_stype_field(s, f.type, "image", &img));
	OK(img.shape == KB_SF_PRIMITIVE && img.type == NULL && img.merge_key == NULL);

	/* Container ports: list-map-keys {containerPort, protocol}. */
	OK(kb_stype_field(s, f.type, "ports", &f));
	STR_EQ(f.merge_key, "containerPort");
	OK(f.nmerge_keys == 2);
	if (f.nmerge_keys == 2) {
		STR_EQ(f.merge_keys[0], "containerPort");
		STR_EQ(f.merge_keys[1], "protocol");
	}

	OK(lookup(s, dep, "spec.template.spec.volumes", &f));
	OK(f.shape == KB_SF_ARRAY && (f.strategy & KB_PS_MERGE));
	OK(f.strategy == (KB_PS_MERGE | KB_PS_RETAIN_KEYS));
	STR_EQ(f.merge_key, "name");

	OK(lookup(s, dep, "spec.strategy", &f));
	OK(f.shape == KB_SF_OBJECT && f.strategy == KB_PS_RETAIN_KEYS && f.type);

	OK(lookup(s, dep, "spec.replicas", &f));
	OK(f.shape == KB_SF_PRIMITIVE);

	OK(lookup(s, dep, "metadata.labels", &f));
	OK(f.shape == KB_SF_MAP && f.item_shape == KB_SF_PRIMITIVE && f.type == NULL);

	/* Atomic / plain lists: no strategy, no keys. */
	OK(lookup(s, dep, "spec.template.spec.containers.args", &f));
	OK(f.shape == KB_SF_ARRAY && f.item_shape == KB_SF_PRIMITIVE && f.strategy == 0);
	OK(f.merge_key == NULL && f.nmerge_keys == 0 && f.merge_keys == NULL);

	/* $ref to a string definition (Quantity) is a primitive. */
	OK(lookup(s, dep, "spec.template.spec.containers.resources.limits", &f));
	OK(f.shape == KB_SF_MAP && f.item_shape == KB_SF_PRIMITIVE);
	OK(lookup(s, dep, "metadata.creationTimestamp", &f));
	OK(f.shape == KB_SF_PRIMITIVE && f.type == NULL);

	OK(!lookup(s, dep, "spec.noSuchField", &f));
	OK(!kb_stype_field(s, NULL, "spec", &f));
	OK(!kb_stype_field(s, dep, NULL, &f));

	const kb_stype *svc = kb_schema_type_for(s, "", "v1", "Service");
	OK(svc != NULL);
	OK(svc == kb_schema_type_for(s, NULL, "v1", "Service"));
	OK(lookup(s, svc, "spec.ports", &f));
	STR_EQ(f.merge_key, "port");
	OK(f.nmerge_keys == 2 && !strcmp(f.merge_keys[1], "protocol"));
	OK(f.strategy == KB_PS_MERGE);

	/* list-type map without a patch strategy: kyaml replaces the list. */
	const kb_stype *crd = kb_schema_type_for(s, "apiextensions.k8s.io", "v1",
						 "CustomResourceDefinition");
	OK(crd != NULL);
	OK(lookup(s, crd, "status.conditions", &f));
	OK(f.shape == KB_SF_ARRAY && f.strategy == 0 && f.merge_key == NULL);
	OK(f.nmerge_keys == 0);

	/* Scope-only kinds have no type. */
	OK(kb_schema_type_for(s, "", "v1", "PodExecOptions") == NULL);
	OK(kb_schema_type_for(s, "apps", "v1", "NoSuchKind") == NULL);
	OK(kb_schema_type_for(s, "", "v1", "Deployment") == NULL);
	OK(kb_schema_type_for(s, "apps", NULL, "Deployment") == NULL);
	OK(kb_schema_type_for(s, "apps", "v1", NULL) == NULL);
	OK(kb_schema_type_for(NULL, "apps", "v1", "Deployment") == NULL);
}

static void test_builtin_scope(void)
{
	const kb_schema *s = kb_schema_builtin();
	OK(kb_schema_namespaced(s, "", "v1", "ConfigMap") == 1);
	OK(kb_schema_namespaced(s, NULL, "v1", "ConfigMap") == 1);
	OK(kb_schema_type_for(s, "", "v1", "ConfigMap") != NULL);
	OK(kb_schema_namespaced(s, "apps", "v1", "Deployment") == 1);
	OK(kb_schema_namespaced(s, "", "v1", "Namespace") == 0);
	OK(kb_schema_namespaced(s, "rbac.authorization.k8s.io", "v1", "ClusterRole") == 0);
	OK(kb_schema_namespaced(s, "rbac.authorization.k8s.io", "v1", "Role") == 1);
	OK(kb_schema_namespaced(s, "apiextensions.k8s.io", "v1", "CustomResourceDefinition") == 0);
	/* Not in v5.5.0's scope data: treated as namespaced, as kustomize
	 * v5.5.0 does (it namespaces these cluster-scoped kinds). */
	OK(kb_schema_namespaced(s, "admissionregistration.k8s.io", "v1",
				"ValidatingAdmissionPolicy") == -1);
	OK(kb_schema_namespaced(s, "", "v1", "NodeProxyOptions") == 0);
	/* Known kind, unknown scope. */
	OK(kb_schema_namespaced(s, "apps", "v1", "DeploymentList") == -1);
	OK(kb_schema_type_for(s, "apps", "v1", "DeploymentList") != NULL);
	OK(kb_schema_namespaced(s, "example.com", "v1", "Widget") == -1);
	OK(kb_schema_namespaced(s, "", "v1", NULL) == -1);

	/* Tables are sorted as bsearch needs. */
	int sorted = 1;
	for (size_t i = 1; i < kb_schema_resources_n; i++) {
		const kb_schema_resource *a = &kb_schema_resources[i - 1], *b = &kb_schema_resources[i];
		int c = strcmp(a->group, b->group);
		if (!c)
			c = strcmp(a->version, b->version);
		if (!c)
			c = strcmp(a->kind, b->kind);
		if (c >= 0)
			sorted = 0;
	}
	OK(sorted);
	sorted = 1;
	for (size_t i = 0; i < kb_schema_types_n; i++)
		for (size_t j = 1; j < kb_schema_types[i].nfields; j++)
			if (strcmp(kb_schema_types[i].fields[j - 1].name,
				   kb_schema_types[i].fields[j].name) >= 0)
				sorted = 0;
	OK(sorted);

	/* Freeing the builtin schema is a no-op. */
	kb_schema_free((kb_schema *)s);
	kb_schema_free(NULL);
	OK(kb_schema_namespaced(s, "", "v1", "Namespace") == 0);
}

static void test_fieldspecs(void)
{
	OK(kb_fs_nameprefix.n == 1);
	STR_EQ(kb_fs_nameprefix.v[0].path, "metadata/name");
	OK(kb_fs_nameprefix.v[0].kind == NULL && kb_fs_nameprefix.v[0].group == NULL);
	OK(kb_fs_images.n > 0 && kb_fs_images.v[0].create);
	OK(kb_fs_commonlabels.n > 0);
	OK(kb_fs_varreference.n > 0);
	OK(kb_fs_volumeclaimmetadatalabels.n > 0);
	OK(kb_namerefs_n > 0);
	int found = 0;
	for (size_t i = 0; i < kb_namerefs_n; i++)
		if (!strcmp(kb_namerefs[i].kind, "ConfigMap")) {
			found = 1;
			STR_EQ(kb_namerefs[i].version, "v1");
			OK(kb_namerefs[i].group == NULL);
			OK(kb_namerefs[i].referrers.n > 5);
		}
	OK(found);
}

/* ---- kb_schema_load on a hand-built document ---- */

static kb_node *str_seq(const char *a, const char *b)
{
	kb_node *s = kb_node_new(KB_SEQ);
	kb_seq_push(s, kb_node_new_str(a));
	if (b)
		kb_seq_push(s, kb_node_new_str(b));
	return s;
}

static kb_node *gvk(const char *g, const char *v, const char *k)
{
	kb_node *m = kb_node_new(KB_MAP);
	kb_map_set(m, "group", kb_node_new_str(g));
	kb_map_set(m, "version", kb_node_new_str(v));
	kb_map_set(m, "kind", kb_node_new_str(k));
	return m;
}

static kb_node *ref(const char *name)
{
	kb_node *m = kb_node_new(KB_MAP);
	char *r = kb_xasprintf("#/definitions/%s", name);
	kb_map_set(m, "$ref", kb_node_new_str(r));
	free(r);
	return m;
}

static kb_node *make_doc(void)
{
	kb_node *doc = kb_node_new(KB_MAP);
	kb_node *defs = kb_map_set(doc, "definitions", kb_node_new(KB_MAP));

	/* com.example.Widget: spec -> WidgetSpec, metadata labels map */
	kb_node *w = kb_map_set(defs, "com.example.Widget", kb_node_new(KB_MAP));
	kb_map_set(w, "type", kb_node_new_str("object"));
	kb_node *wp = kb_map_set(w, "properties", kb_node_new(KB_MAP));
	kb_map_set(wp, "spec", ref("com.example.WidgetSpec"));
	kb_node *labels = kb_map_set(wp, "labels", kb_node_new(KB_MAP));
	kb_map_set(labels, "type", kb_node_new_str("object"));
	kb_node *ap = kb_map_set(labels, "additionalProperties", kb_node_new(KB_MAP));
	kb_map_set(ap, "type", kb_node_new_str("string"));
	kb_map_set(wp, "size", ref("com.example.Quantity"));
	kb_map_set(wp, "broken", ref("com.example.Missing"));
	kb_node *gv = kb_map_set(w, "x-kubernetes-group-version-kind", kb_node_new(KB_SEQ));
	kb_seq_push(gv, gvk("example.com", "v1", "Widget"));
	kb_seq_push(gv, gvk("", "v1", "CoreWidget"));

	kb_node *q = kb_map_set(defs, "com.example.Quantity", kb_node_new(KB_MAP));
	kb_map_set(q, "type", kb_node_new_str("string"));

	kb_node *sp = kb_map_set(defs, "com.example.WidgetSpec", kb_node_new(KB_MAP));
	kb_map_set(sp, "type", kb_node_new_str("object"));
	kb_node *spp = kb_map_set(sp, "properties", kb_node_new(KB_MAP));
	kb_node *parts = kb_map_set(spp, "parts", kb_node_new(KB_MAP));
	kb_map_set(parts, "type", kb_node_new_str("array"));
	kb_map_set(parts, "items", ref("com.example.Part"));
	kb_map_set(parts, "x-kubernetes-patch-strategy", kb_node_new_str("merge,retainKeys"));
	kb_map_set(parts, "x-kubernetes-patch-merge-key", kb_node_new_str("id"));
	kb_node *ports = kb_map_set(spp, "ports", kb_node_new(KB_MAP));
	kb_map_set(ports, "type", kb_node_new_str("array"));
	kb_map_set(ports, "items", ref("com.example.Part"));
	kb_map_set(ports, "x-kubernetes-patch-strategy", kb_node_new_str("merge"));
	kb_map_set(ports, "x-kubernetes-list-type", kb_node_new_str("map"));
	kb_map_set(ports, "x-kubernetes-list-map-keys", str_seq("port", "protocol"));
	kb_node *conds = kb_map_set(spp, "conditions", kb_node_new(KB_MAP));
	kb_map_set(conds, "type", kb_node_new_str("array"));
	kb_map_set(conds, "items", ref("com.example.Part"));
	kb_map_set(conds, "x-kubernetes-list-type", kb_node_new_str("map"));
	kb_map_set(conds, "x-kubernetes-list-map-keys", str_seq("type", NULL));
	kb_node *byname = kb_map_set(spp, "byName", kb_node_new(KB_MAP));
	kb_map_set(byname, "type", kb_node_new_str("object"));
	kb_map_set(byname, "additionalProperties", ref("com.example.Part"));

	kb_node *part = kb_map_set(defs, "com.example.Part", kb_node_new(KB_MAP));
	kb_map_set(part, "type", kb_node_new_str("object"));
	kb_node *pp = kb_map_set(part, "properties", kb_node_new(KB_MAP));
	kb_node *id = kb_map_set(pp, "id", kb_node_new(KB_MAP));
	kb_map_set(id, "type", kb_node_new_str("string"));

	/* Self-referential definitions must not loop. */
	kb_map_set(defs, "com.example.Loop", ref("com.example.Loop"));
	kb_node *lp = kb_map_set(pp, "loop", ref("com.example.Loop"));
	(void)lp;

	/* paths: Widget namespaced (one of its paths is), Gadget cluster. */
	kb_node *paths = kb_map_set(doc, "paths", kb_node_new(KB_MAP));
	kb_node *p1 = kb_map_set(paths, "/apis/example.com/v1/widgets", kb_node_new(KB_MAP));
	kb_map_set(kb_map_ensure_map(p1, "get"), "x-kubernetes-group-version-kind",
		   gvk("example.com", "v1", "Widget"));
	kb_node *p2 = kb_map_set(paths, "/apis/example.com/v1/namespaces/{namespace}/widgets",
				 kb_node_new(KB_MAP));
	kb_map_set(kb_map_ensure_map(p2, "get"), "x-kubernetes-group-version-kind",
		   gvk("example.com", "v1", "Widget"));
	kb_node *p3 = kb_map_set(paths, "/apis/example.com/v1/gadgets", kb_node_new(KB_MAP));
	kb_map_set(kb_map_ensure_map(p3, "get"), "x-kubernetes-group-version-kind",
		   gvk("example.com", "v1", "Gadget"));
	/* kyaml's precomputed scopes win over the custom schema. */
	kb_node *p4 = kb_map_set(paths, "/api/v1/namespaces/{namespace}/namespaces",
				 kb_node_new(KB_MAP));
	kb_map_set(kb_map_ensure_map(p4, "get"), "x-kubernetes-group-version-kind",
		   gvk("", "v1", "Namespace"));
	return doc;
}

static void test_load(void)
{
	kb_node *doc = make_doc();
	kb_schema *s = NULL;
	kb_error *err = kb_schema_load(doc, "schema.json", &s);
	OK(err == NULL);
	OK(s != NULL);
	kb_node_free(doc); /* the schema keeps no pointers into the document */
	if (!s)
		return;

	const kb_stype *w = kb_schema_type_for(s, "example.com", "v1", "Widget");
	OK(w != NULL);
	OK(kb_schema_type_for(s, "", "v1", "CoreWidget") == w);
	OK(kb_schema_type_for(s, NULL, "v1", "CoreWidget") == w);
	/* A loaded schema replaces the builtin one. */
	OK(kb_schema_type_for(s, "apps", "v1", "Deployment") == NULL);

	kb_sfield f;
	OK(lookup(s, w, "labels", &f));
	OK(f.shape == KB_SF_MAP && f.item_shape == KB_SF_PRIMITIVE && f.type == NULL);
	OK(lookup(s, w, "size", &f));
	OK(f.shape == KB_SF_PRIMITIVE);
	OK(lookup(s, w, "broken", &f));
	OK(f.shape == KB_SF_PRIMITIVE && f.type == NULL);

	OK(lookup(s, w, "spec.parts", &f));
	OK(f.shape == KB_SF_ARRAY && f.item_shape == KB_SF_OBJECT && f.type != NULL);
	OK(f.strategy == (KB_PS_MERGE | KB_PS_RETAIN_KEYS));
	STR_EQ(f.merge_key, "id");
	OK(f.nmerge_keys == 1);
	OK(lookup(s, w, "spec.parts.id", &f));
	OK(f.shape == KB_SF_PRIMITIVE);
	OK(lookup(s, w, "spec.parts.loop", &f));
	OK(f.shape == KB_SF_PRIMITIVE);

	OK(lookup(s, w, "spec.ports", &f));
	STR_EQ(f.merge_key, "port");
	OK(f.nmerge_keys == 2);
	if (f.nmerge_keys == 2)
		STR_EQ(f.merge_keys[1], "protocol");

	OK(lookup(s, w, "spec.conditions", &f));
	OK(f.strategy == 0 && f.merge_key == NULL && f.nmerge_keys == 0);

	OK(lookup(s, w, "spec.byName", &f));
	OK(f.shape == KB_SF_MAP && f.item_shape == KB_SF_OBJECT && f.type != NULL);
	OK(lookup(s, w, "spec.byName.id", &f));

	OK(kb_schema_namespaced(s, "example.com", "v1", "Widget") == 1);
	OK(kb_schema_namespaced(s, "example.com", "v1", "Gadget") == 0);
	OK(kb_schema_type_for(s, "example.com", "v1", "Gadget") == NULL);
	OK(kb_schema_namespaced(s, "", "v1", "CoreWidget") == -1);
	OK(kb_schema_namespaced(s, "", "v1", "Namespace") == 0);
	OK(kb_schema_namespaced(s, "apps", "v1", "Deployment") == 1);
	kb_schema_free(s);

	/* Malformed documents. */
	kb_node *bad = kb_node_new_str("nope");
	s = (kb_schema *)1;
	err = kb_schema_load(bad, "bad.json", &s);
	OK(err != NULL && s == NULL);
	kb_error_free(err);
	kb_node_free(bad);

	bad = kb_node_new(KB_MAP);
	kb_map_set(bad, "definitions", str_seq("a", NULL));
	err = kb_schema_load(bad, "bad.json", &s);
	OK(err != NULL && s == NULL);
	kb_error_free(err);
	kb_node_free(bad);

	/* No definitions at all: an empty but usable schema. */
	kb_node *empty = kb_node_new(KB_MAP);
	err = kb_schema_load(empty, "empty.json", &s);
	OK(err == NULL && s != NULL);
	OK(kb_schema_type_for(s, "example.com", "v1", "Widget") == NULL);
	OK(kb_schema_namespaced(s, "", "v1", "ConfigMap") == 1);
	kb_schema_free(s);
	kb_node_free(empty);
}

int main(void)
{
	test_builtin_fields();
	test_builtin_scope();
	test_fieldspecs();
	test_load();
	return tap_done();
}
