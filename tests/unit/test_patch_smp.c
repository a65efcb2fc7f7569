/* test_patch_smp.c - strategic merge patch; every expectation below was
 * checked against kustomize v5.5.0 (`kubectl kustomize`). */
#include "node.h"
#include "patch_smp.h"
#include "schema.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Applies patch to target and compares with want (NULL: expect the
 * resource deleted).  Returns true when everything matched. */
static bool smp_case(const char *name, const char *target, const char *patch, const char *want)
{
	kb_node *t = tap_yaml(target), *p = tap_yaml(patch), *w = want ? tap_yaml(want) : NULL;
	bool deleted = false, ok;
	kb_error *e = kb_smp_apply(t, p, kb_schema_builtin(), "patch.yaml", &deleted);
	if (e) {
		fprintf(stderr, "# %s: unexpected error: %s\n", name, e->primary.msg);
		kb_error_free(e);
		ok = false;
	} else if (!want) {
		ok = deleted;
	} else {
		ok = !deleted && kb_node_equal(t, w);
	}
	if (!ok)
		fprintf(stderr, "# case failed: %s\n", name);
	kb_node_free(t);
	kb_node_free(p);
	kb_node_free(w);
	return ok;
}

/* Expects an error whose message starts with `msg`. */
static bool smp_error(const char *target, const char *patch, const char *msg)
{
	kb_node *t = tap_yaml(target), *p = tap_yaml(patch), *orig = kb_node_clone(t);
	bool deleted = false;
	kb_error *e = kb_smp_apply(t, p, kb_schema_builtin(), "patch.yaml", &deleted);
	bool ok = e && strncmp(e->primary.msg, msg, strlen(msg)) == 0 && kb_node_equal(t, orig);
	if (e && !ok)
		fprintf(stderr, "# got error: %s\n", e->primary.msg);
	kb_error_free(e);
	kb_node_free(t);
	kb_node_free(p);
	kb_node_free(orig);
	return ok;
}

#define DEPLOY_HEAD "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
#define SVC_HEAD "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
#define FOO_HEAD "apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: f\n"

static const char *deploy3 =
	DEPLOY_HEAD
	"spec:\n"
	"  template:\n"
	"    spec:\n"
	"      containers:\n"
	"      - {name: a, image: a}\n"
	"      - {name: b, image: b}\n"
	"      - {name: c, image: c}\n";

static void test_maps(void)
{
	OK(smp_case("maps merge, null deletes, scalars replace",
		    DEPLOY_HEAD "  labels: {a: '1', b: '2'}\nspec:\n  replicas: 1\n  paused: true\n",
		    DEPLOY_HEAD "  labels: {a: null, c: '3'}\nspec:\n  replicas: 3\n  paused: null\n",
		    DEPLOY_HEAD "  labels: {b: '2', c: '3'}\nspec:\n  replicas: 3\n"));
	/* the patch's scalar takes the target's quoting: over a quoted
	 * '5' a plain 6 becomes the string "6"; over a plain value the
	 * patch decides the type */
	OK(smp_case("scalar types",
		    DEPLOY_HEAD "spec:\n  a: '5'\n  b: 5\n  c: 'true'\n  e: 1.5\n  f: x\n",
		    DEPLOY_HEAD "spec:\n  a: 6\n  b: '6'\n  c: false\n  e: 2\n  f: 7\n",
		    DEPLOY_HEAD "spec:\n  a: '6'\n  b: '6'\n  c: 'false'\n  e: 2\n  f: 7\n"));
	/* nulls inside an added subtree vanish; a null for a missing key is
	 * a no-op */
	OK(smp_case("null in added subtree",
		    DEPLOY_HEAD "spec: {}\n",
		    DEPLOY_HEAD "spec:\n  new: {a: null, b: {c: null, d: 1}}\n  gone: null\n",
		    DEPLOY_HEAD "spec:\n  new: {b: {d: 1}}\n"));
	/* an explicit null the patch does not touch stays */
	OK(smp_case("existing null kept",
		    FOO_HEAD "spec:\n  v:\n    n: null\n    t: ~\n",
		    FOO_HEAD "spec:\n  v:\n    x: 1\n",
		    FOO_HEAD "spec:\n  v:\n    n: null\n    t: null\n    x: 1\n"));
}

/* `key:` with no value is dropped where `key: null` is kept: the two
 * differ only by the null's text, empty for the former. */
static void test_empty_null(void)
{
	kb_node *t = tap_yaml(FOO_HEAD "spec:\n  bar:\n    B: null\n    C: Z\n");
	kb_node *p = tap_yaml(FOO_HEAD "spec:\n  bar:\n    D: W\n");
	kb_node *w = tap_yaml(FOO_HEAD "spec:\n  bar:\n    C: Z\n    D: W\n");
	kb_node *b = kb_node_get(t, "spec", "bar", "B", NULL);
	OK(b && b->kind == KB_NULL);
	if (b) {
		b->str[0] = '\0';
		b->len = 0;
	}
	bool del;
	kb_error *e = kb_smp_apply(t, p, kb_schema_builtin(), NULL, &del);
	OK(!e && !del && kb_node_equal(t, w));
	kb_error_free(e);
	kb_node_free(t);
	kb_node_free(p);
	kb_node_free(w);
}

static void test_merge_key_lists(void)
{
	/* patch elements first (patch order), then the rest */
	OK(smp_case("containers by name",
		    deploy3,
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - {name: c, image: c2}\n      - {name: d, image: d}\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - {name: c, image: c2}\n      - {name: d, image: d}\n"
				"      - {name: a, image: a}\n      - {name: b, image: b}\n"));
	/* nested: env by name and volumeMounts by mountPath inside a
	 * container; an element directive deletes */
	OK(smp_case("env and volumeMounts",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - name: a\n        env:\n        - {name: X, value: '1'}\n"
				"        - {name: Y, value: '2'}\n"
				"        volumeMounts:\n        - {mountPath: /a, name: v}\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - name: a\n        env:\n        - {name: Y, $patch: delete}\n"
				"        - {name: Z, value: '3'}\n"
				"        volumeMounts:\n        - {mountPath: /b, name: v}\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - name: a\n        env:\n        - {name: Z, value: '3'}\n"
				"        - {name: X, value: '1'}\n"
				"        volumeMounts:\n        - {mountPath: /b, name: v}\n"
				"        - {mountPath: /a, name: v}\n"));
	/* container ports: merge keys containerPort+protocol */
	OK(smp_case("ports added without protocol",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - name: a\n        ports:\n        - containerPort: 8080\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - name: a\n        ports:\n        - containerPort: 80\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - name: a\n        ports:\n        - containerPort: 80\n"
				"        - containerPort: 8080\n"));
	/* Service ports (port+protocol): kyaml's multi-key matching keeps
	 * the target's port 80 (no protocol) and drops the patch's; the
	 * port 53 entries merge by protocol */
	OK(smp_case("service ports multi-key quirk",
		    SVC_HEAD "spec:\n  ports:\n  - {port: 80, name: http}\n"
			     "  - {port: 53, protocol: UDP, name: dns}\n"
			     "  - {port: 53, protocol: TCP, name: dnstcp}\n",
		    SVC_HEAD "spec:\n  ports:\n  - {port: 80, protocol: TCP, targetPort: 8080}\n"
			     "  - {port: 53, protocol: UDP, targetPort: 5353}\n"
			     "  - {port: 53, name: x}\n",
		    SVC_HEAD "spec:\n  ports:\n  - {port: 80, name: http}\n"
			     "  - {port: 53, protocol: UDP, name: dns, targetPort: 5353}\n"
			     "  - {port: 53, protocol: TCP, name: dnstcp}\n"));
	/* target elements sharing a key collapse into the last one */
	OK(smp_case("duplicate keys in target",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - {name: a, image: a}\n      - {name: b, image: b}\n"
				"      - {name: a, image: a2}\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - {name: b, image: b2}\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - {name: b, image: b2}\n      - {name: a, image: a2}\n"));
	/* volumes: a null member removes the old volume source */
	OK(smp_case("volumes",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      volumes:\n"
				"      - {name: v, emptyDir: {}}\n      - {name: w, secret: {secretName: s}}\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      volumes:\n"
				"      - {name: v, emptyDir: null, configMap: {name: cm}}\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      volumes:\n"
				"      - {name: v, configMap: {name: cm}}\n"
				"      - {name: w, secret: {secretName: s}}\n"));
}

static void test_primitive_lists(void)
{
	/* finalizers: strategy merge, no key: merged by value, patch first */
	OK(smp_case("finalizers",
		    FOO_HEAD "  finalizers: [x]\n",
		    FOO_HEAD "  finalizers: [y]\n",
		    FOO_HEAD "  finalizers: [y]\n"));
	OK(smp_case("finalizers on a known kind",
		    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [a, b]\n",
		    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [c, a]\n",
		    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
		    "  finalizers: [c, a, b]\n"));
	/* args: no strategy: replaced */
	OK(smp_case("args replaced",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - {name: a, args: [x, y]}\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - {name: a, args: [z]}\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - {name: a, args: [z]}\n"));
}

static void test_schemaless(void)
{
	/* custom resources: lists replaced, maps merged; an embedded object
	 * with its own apiVersion/kind gets that kind's schema */
	OK(smp_case("custom resource",
		    FOO_HEAD "spec:\n  items:\n  - {name: a, v: 1}\n  - {name: b, v: 2}\n"
			     "  tmpl:\n    apiVersion: v1\n    kind: Pod\n    spec:\n"
			     "      containers:\n      - {name: a, image: a}\n"
			     "  plain:\n    spec:\n      containers:\n      - {name: a, image: a}\n",
		    FOO_HEAD "spec:\n  items:\n  - {name: b, v: 3}\n"
			     "  tmpl:\n    spec:\n      containers:\n      - {name: b, image: b}\n"
			     "  plain:\n    spec:\n      containers:\n      - {name: b, image: b}\n",
		    FOO_HEAD "spec:\n  items:\n  - {name: b, v: 3}\n"
			     "  tmpl:\n    apiVersion: v1\n    kind: Pod\n    spec:\n"
			     "      containers:\n      - {name: b, image: b}\n      - {name: a, image: a}\n"
			     "  plain:\n    spec:\n      containers:\n      - {name: b, image: b}\n"));
	/* unknown field of a known kind: replaced too */
	OK(smp_case("unknown field",
		    DEPLOY_HEAD "spec:\n  extra:\n  - {name: a}\n",
		    DEPLOY_HEAD "spec:\n  extra:\n  - {name: b}\n",
		    DEPLOY_HEAD "spec:\n  extra:\n  - {name: b}\n"));
	/* without any schema every list is replaced */
	kb_node *t = tap_yaml(deploy3);
	kb_node *p = tap_yaml(DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				      "      - {name: z}\n");
	kb_node *w = kb_node_clone(p);
	bool del;
	kb_error *e = kb_smp_apply(t, p, NULL, NULL, &del);
	OK(!e && !del && kb_node_equal(t, w));
	kb_error_free(e);
	kb_node_free(t);
	kb_node_free(p);
	kb_node_free(w);
}

static void test_directives(void)
{
	OK(smp_case("$patch: delete resource", deploy3, DEPLOY_HEAD "$patch: delete\n", NULL));
	OK(smp_case("$patch: delete map",
		    DEPLOY_HEAD "  labels: {a: b}\nspec:\n  replicas: 1\n",
		    DEPLOY_HEAD "  labels:\n    $patch: delete\n",
		    DEPLOY_HEAD "spec:\n  replicas: 1\n"));
	OK(smp_case("$patch: replace map",
		    DEPLOY_HEAD "spec:\n  replicas: 1\n  paused: true\n",
		    DEPLOY_HEAD "spec:\n  $patch: replace\n  replicas: 5\n",
		    DEPLOY_HEAD "spec:\n  replicas: 5\n"));
	OK(smp_case("$patch: merge map",
		    DEPLOY_HEAD "spec:\n  replicas: 1\n",
		    DEPLOY_HEAD "spec:\n  $patch: merge\n  paused: true\n",
		    DEPLOY_HEAD "spec:\n  replicas: 1\n  paused: true\n"));
	OK(smp_case("$patch: delete element",
		    deploy3,
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - {name: b, $patch: delete}\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - {name: a, image: a}\n      - {name: c, image: c}\n"));
	/* $patch: replace on an element is a no-op in kustomize */
	OK(smp_case("$patch: replace element is ignored",
		    deploy3,
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - {name: b, $patch: replace, image: b2}\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - {name: b, image: b}\n"
				"      - {name: a, image: a}\n      - {name: c, image: c}\n"));
	OK(smp_case("- $patch: replace list",
		    deploy3,
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - $patch: replace\n      - {name: z, image: z}\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - {name: z, image: z}\n"));
	OK(smp_case("- $patch: delete list",
		    deploy3,
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n      containers:\n"
				"      - $patch: delete\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec: {}\n"));
	OK(smp_error(deploy3, DEPLOY_HEAD "spec:\n  $patch: bogus\n",
		     "unknown patch strategy 'bogus'"));
	/* in a subtree the target lacks, kyaml never looks at $patch */
	OK(smp_case("$patch in an added map stays",
		    DEPLOY_HEAD "spec: {}\n",
		    DEPLOY_HEAD "spec:\n  new: {$patch: bogus, a: 1}\n",
		    DEPLOY_HEAD "spec:\n  new: {$patch: bogus, a: 1}\n"));
}

/* kustomize does not know $setElementOrder, $retainKeys or
 * $deleteFromPrimitiveList: they land in the output as plain fields. */
static void test_apimachinery_directives(void)
{
	OK(smp_case("$setElementOrder is a plain field",
		    deploy3,
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n"
				"      $setElementOrder/containers: [{name: c}, {name: a}]\n"
				"      containers:\n      - {name: b, $patch: delete}\n",
		    DEPLOY_HEAD "spec:\n  template:\n    spec:\n"
				"      $setElementOrder/containers: [{name: c}, {name: a}]\n"
				"      containers:\n"
				"      - {name: a, image: a}\n      - {name: c, image: c}\n"));
	OK(smp_case("$retainKeys is a plain field",
		    DEPLOY_HEAD "spec:\n  strategy:\n    type: RollingUpdate\n"
				"    rollingUpdate: {maxSurge: 1}\n",
		    DEPLOY_HEAD "spec:\n  strategy:\n    $retainKeys: [type]\n    type: Recreate\n",
		    DEPLOY_HEAD "spec:\n  strategy:\n    $retainKeys: [type]\n    type: Recreate\n"
				"    rollingUpdate: {maxSurge: 1}\n"));
	OK(smp_case("$deleteFromPrimitiveList is a plain field",
		    DEPLOY_HEAD "  finalizers: [a, b]\n",
		    DEPLOY_HEAD "  $deleteFromPrimitiveList/finalizers: [a]\n",
		    DEPLOY_HEAD "  finalizers: [a, b]\n  $deleteFromPrimitiveList/finalizers: [a]\n"));
}

static void test_errors(void)
{
	OK(smp_error(SVC_HEAD "spec:\n  selector: {app: x}\n",
		     SVC_HEAD "spec:\n  selector: {app: {b: c}}\n",
		     "wrong node kind: expected ScalarNode but got MappingNode"));
	OK(smp_error(SVC_HEAD "spec:\n  ports: [{port: 80}]\n", SVC_HEAD "spec:\n  ports: {a: b}\n",
		     "wrong node kind: expected SequenceNode but got MappingNode"));
}

int main(void)
{
	test_maps();
	test_empty_null();
	test_merge_key_lists();
	test_primitive_lists();
	test_schemaless();
	test_directives();
	test_apimachinery_directives();
	test_errors();
	return tap_done();
}
