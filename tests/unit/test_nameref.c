/* test_nameref.c - name-reference fix-up; the expectations follow
 * kustomize v5.5.0 (`kubectl kustomize` on equivalent trees). */
#include "nameref.h"
#include "node.h"
#include "schema.h"
#include "tap.h"
#include "tconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kb_resource *add(kb_resmap *m, const char *file, const char *text)
{
	kb_resource *r = kb_resource_new(tap_yaml(text), file);
	kb_resmap_append_unchecked(m, r);
	return r;
}

/* Runs the fix-up with the default config; returns the error (or NULL). */
static kb_error *fix(kb_resmap *m)
{
	kb_tconfig cfg;
	kb_tconfig_init_defaults(&cfg);
	kb_error *e = kb_nameref_fix(m, kb_schema_builtin(), &cfg);
	kb_tconfig_free(&cfg);
	return e;
}

static const char *get(const kb_resource *r, const char *a, const char *b, const char *c,
		       const char *d)
{
	const char *s = kb_node_get_str(r->doc, a, b, c, d, NULL);
	return s ? s : "(missing)";
}

static const kb_node *item(const kb_node *seq, size_t i)
{
	return seq && seq->kind == KB_SEQ && i < seq->n ? seq->items[i] : NULL;
}

static const char *str_at(const kb_node *map, const char *key)
{
	const char *s = kb_map_get_str(map, key);
	return s ? s : "(missing)";
}

static const char *deployment =
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata: {name: dep}\n"
	"spec:\n"
	"  template:\n"
	"    spec:\n"
	"      volumes:\n"
	"      - {name: v, configMap: {name: cm}}\n"
	"      containers:\n"
	"      - name: c\n"
	"        envFrom:\n"
	"        - configMapRef: {name: cm}\n";

static const char *vol_cm(const kb_resource *dep)
{
	const kb_node *vols = kb_node_get(dep->doc, "spec", "template", "spec", "volumes", NULL);
	return kb_node_get_str(item(vols, 0), "configMap", "name", NULL);
}

static void test_scalar_rename(void)
{
	kb_resmap m;
	kb_resmap_init(&m);
	kb_resource *cm = add(&m, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n");
	kb_resource *dep = add(&m, "dep.yaml", deployment);
	kb_res_set_name(cm, "p-cm");
	kb_res_set_name(dep, "p-dep");
	/* the hash suffix comes last */
	cm->needs_hash = true;
	kb_res_set_name(cm, "p-cm-abc");
	OK(fix(&m) == NULL);
	STR_EQ(vol_cm(dep), "p-cm-abc");
	const kb_node *ctr = item(kb_node_get(dep->doc, "spec", "template", "spec", "containers",
					      NULL),
				  0);
	STR_EQ(kb_node_get_str(item(kb_map_get(ctr, "envFrom"), 0), "configMapRef", "name", NULL),
	       "p-cm-abc");
	OK(cm->refby.n > 0);
	kb_resmap_free(&m);
}

static void test_not_renamed(void)
{
	/* An object never renamed is no candidate; nothing changes. */
	kb_resmap m;
	kb_resmap_init(&m);
	add(&m, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n");
	kb_resource *dep = add(&m, "dep.yaml", deployment);
	kb_resource *other = add(&m, "s.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: cm}\n");
	/* a renamed object of another kind must not be picked */
	kb_res_set_name(other, "x-cm");
	OK(fix(&m) == NULL);
	STR_EQ(vol_cm(dep), "cm");
	kb_resmap_free(&m);
}

static void test_namespaces(void)
{
	/* Same-named ConfigMaps in two namespaces: the referrer's own
	 * namespace decides. */
	kb_resmap m;
	kb_resmap_init(&m);
	kb_resource *a = add(&m, "a.yaml",
			     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: a}\n");
	kb_resource *b = add(&m, "b.yaml",
			     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: b}\n");
	kb_resource *dep = add(&m, "dep.yaml", deployment);
	kb_res_set_ns(dep, "b");
	kb_res_set_name(a, "a-cm");
	kb_res_set_name(b, "b-cm");
	OK(fix(&m) == NULL);
	STR_EQ(vol_cm(dep), "b-cm");
	kb_resmap_free(&m);
}

static void test_prefix_tiebreak(void)
{
	/* Two bases with the same ConfigMap, each with its own prefix: the
	 * referrer's prefixes pick the one from its base. */
	kb_resmap m;
	kb_resmap_init(&m);
	kb_resource *a = add(&m, "a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n");
	kb_resource *b = add(&m, "b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n");
	kb_resource *dep = add(&m, "dep.yaml", deployment);
	kb_res_set_name(a, "a-cm");
	kb_res_set_name(b, "b-cm");
	kb_res_set_name(dep, "b-dep");
	OK(fix(&m) == NULL);
	STR_EQ(vol_cm(dep), "b-cm");
	kb_resmap_free(&m);
}

static void test_rbac(void)
{
	kb_resmap m;
	kb_resmap_init(&m);
	kb_resource *sa = add(&m, "sa.yaml",
			      "apiVersion: v1\nkind: ServiceAccount\n"
			      "metadata: {name: sa, namespace: old}\n");
	kb_resource *role = add(&m, "role.yaml",
				"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
				"metadata: {name: role, namespace: new}\n"
				"rules:\n- resourceNames: [cfg, other]\n");
	kb_resource *crole = add(&m, "crole.yaml",
				 "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
				 "metadata: {name: role}\n");
	kb_resource *cfg = add(&m, "cfg.yaml",
			       "apiVersion: v1\nkind: ConfigMap\n"
			       "metadata: {name: cfg, namespace: new}\n");
	kb_resource *rb = add(&m, "rb.yaml",
			      "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
			      "metadata: {name: rb, namespace: new}\n"
			      "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: role}\n"
			      "subjects:\n"
			      "- {kind: ServiceAccount, name: sa, namespace: old}\n"
			      "- {kind: ServiceAccount, name: sa, namespace: elsewhere}\n");
	kb_res_set_ns(sa, "new");
	kb_res_set_name(sa, "p-sa");
	kb_res_set_name(role, "p-role");
	kb_res_set_name(crole, "q-role");
	kb_res_set_name(cfg, "p-cfg");
	OK(fix(&m) == NULL);
	/* roleRef follows its kind: the Role, not the ClusterRole */
	STR_EQ(get(rb, "roleRef", "name", NULL, NULL), "p-role");
	const kb_node *subjects = kb_map_get(rb->doc, "subjects");
	/* the subject follows the account's name and namespace */
	STR_EQ(str_at(item(subjects, 0), "name"), "p-sa");
	STR_EQ(str_at(item(subjects, 0), "namespace"), "new");
	/* a subject in a namespace nothing came from is left alone */
	STR_EQ(str_at(item(subjects, 1), "name"), "sa");
	STR_EQ(str_at(item(subjects, 1), "namespace"), "elsewhere");
	/* a sequence of names */
	const kb_node *rn = kb_map_get(item(kb_map_get(role->doc, "rules"), 0), "resourceNames");
	OK(rn && rn->n == 2);
	STR_EQ(item(rn, 0) ? item(rn, 0)->str : NULL, "p-cfg");
	STR_EQ(item(rn, 1) ? item(rn, 1)->str : NULL, "other");
	kb_resmap_free(&m);
}

static void test_map_refs(void)
{
	kb_resmap m;
	kb_resmap_init(&m);
	kb_resource *svc = add(&m, "svc.yaml",
			       "apiVersion: v1\nkind: Service\nmetadata: {name: svc}\n");
	kb_resource *dep = add(&m, "dep.yaml",
			       "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n");
	kb_resource *hook = add(&m, "hook.yaml",
				"apiVersion: admissionregistration.k8s.io/v1\n"
				"kind: ValidatingWebhookConfiguration\n"
				"metadata: {name: hook}\n"
				"webhooks:\n"
				"- name: a.b.c\n"
				"  clientConfig: {service: {name: svc, namespace: default}}\n");
	kb_resource *hpa = add(&m, "hpa.yaml",
			       "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
			       "metadata: {name: hpa}\n"
			       "spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, "
			       "name: web}}\n");
	kb_res_set_ns(svc, "ns1");
	kb_res_set_name(svc, "p-svc");
	kb_res_set_name(dep, "p-web");
	OK(fix(&m) == NULL);
	const kb_node *wh = item(kb_map_get(hook->doc, "webhooks"), 0);
	STR_EQ(kb_node_get_str(wh, "clientConfig", "service", "name", NULL), "p-svc");
	STR_EQ(kb_node_get_str(wh, "clientConfig", "service", "namespace", NULL), "ns1");
	STR_EQ(get(hpa, "spec", "scaleTargetRef", "name", NULL), "p-web");
	kb_resmap_free(&m);
}

static void test_ambiguous(void)
{
	/* A cluster-scoped binding naming an account without a namespace,
	 * with two such accounts renamed alike in different namespaces.
	 * (Were the binding not prefixed like them, kustomize's exact
	 * prefix match would drop both and change nothing.) */
	kb_resmap m;
	kb_resmap_init(&m);
	kb_resource *a = add(&m, "a.yaml",
			     "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: a}\n");
	kb_resource *b = add(&m, "b.yaml",
			     "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: b}\n");
	kb_resource *crb = add(&m, "crb.yaml",
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
	    "metadata: {name: crb}\n"
	    "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\n"
	    "subjects:\n- {kind: ServiceAccount, name: sa}\n");
	kb_res_set_name(a, "x-sa");
	kb_res_set_name(b, "x-sa");
	/* same prefix as both, so prefixes cannot break the tie */
	kb_res_set_name(crb, "x-crb");
	kb_error *e = fix(&m);
	OK(e != NULL);
	if (e) {
		OK(strstr(e->primary.msg, "found multiple possible referrals") != NULL);
		OK(strstr(e->primary.msg, "ServiceAccount.v1.[noGrp]/x-sa.a") != NULL);
		STR_EQ(e->primary.file, "crb.yaml");
		OK(e->nnotes > 0 && strstr(e->notes[0].msg, "'subjects'") != NULL);
		kb_error_free(e);
	}
	kb_resmap_free(&m);
}

static void test_same_result_not_ambiguous(void)
{
	/* Candidates that all give the same name are no ambiguity for a
	 * scalar reference (a cluster-scoped referrer sees both). */
	kb_resmap m;
	kb_resmap_init(&m);
	kb_resource *a = add(&m, "a.yaml",
			     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: a}\n");
	kb_resource *b = add(&m, "b.yaml",
			     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: b}\n");
	kb_resource *cr = add(&m, "cr.yaml",
			      "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
			      "metadata: {name: cr}\nrules:\n- resourceNames: [cfg]\n");
	kb_res_set_name(a, "x-cfg");
	kb_res_set_name(b, "x-cfg");
	kb_res_set_name(cr, "x-cr");
	kb_error *e = fix(&m);
	OK(e == NULL);
	kb_error_free(e);
	const kb_node *rn = kb_map_get(item(kb_map_get(cr->doc, "rules"), 0), "resourceNames");
	STR_EQ(item(rn, 0) ? item(rn, 0)->str : NULL, "x-cfg");
	kb_resmap_free(&m);
}

int main(void)
{
	test_scalar_rename();
	test_not_renamed();
	test_namespaces();
	test_prefix_tiebreak();
	test_rbac();
	test_map_refs();
	test_ambiguous();
	test_same_result_not_ambiguous();
	return tap_done();
}
