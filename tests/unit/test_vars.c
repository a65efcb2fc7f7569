/* test_vars.c - legacy vars: $(VAR) expansion, merging and resolving. */
#include "diag.h"
#include "node.h"
#include "resource.h"
#include "schema.h"
#include "tap.h"
#include "tconfig.h"
#include "util.h"
#include "vars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Expands in with vars given as YAML (a map of name -> value). */
static kb_node *expand(const char *in, const char *vars_yaml, size_t *counts)
{
	kb_node *vars = tap_yaml(vars_yaml);
	kb_node *r = kb_vars_expand(in, strlen(in), vars, counts);
	kb_node_free(vars);
	return r;
}

static void expect(const char *in, kb_kind kind, const char *want)
{
	kb_node *r = expand(in, "{A: x, N: 8080, F: 1.5, B: true, M: {k: v}, E: \"\"}", NULL);
	OK(r->kind == kind);
	STR_EQ(r->str, want);
	kb_node_free(r);
}

static void test_expand(void)
{
	expect("$(A)", KB_STR, "x");
	expect("a-$(A)-b", KB_STR, "a-x-b");
	/* A whole-string reference keeps the value's type. */
	expect("$(N)", KB_INT, "8080");
	expect("$(B)", KB_BOOL, "true");
	expect("$(F)", KB_FLOAT, "1.5");
	expect("--port=$(N)", KB_STR, "--port=8080");
	expect("$(B)$(F)", KB_STR, "true1.5");
	/* $$ is an escaped $, even without a reference after it. */
	expect("$$(A)", KB_STR, "$(A)");
	expect("a$$b", KB_STR, "a$b");
	/* Unknown and non-scalar vars stay as written. */
	expect("$(NOPE)", KB_STR, "$(NOPE)");
	expect("x $(NOPE) $(M)", KB_STR, "x $(NOPE) $(M)");
	expect("$(M)", KB_STR, "$(M)");
	/* Lone or incomplete operators. */
	expect("$", KB_STR, "$");
	expect("a$", KB_STR, "a$");
	expect("$x", KB_STR, "$x");
	expect("$(A", KB_STR, "$(A");
	expect("$(E)", KB_STR, "");
	expect("$()", KB_STR, "$()");

	size_t counts[6] = { 0 };
	kb_node *r = expand("$(A) $(A) $(N) $(M)", "{A: x, N: 1, M: [1]}", counts);
	STR_EQ(r->str, "x x 1 $(M)");
	OK(counts[0] == 2 && counts[1] == 1 && counts[2] == 0);
	kb_node_free(r);
}

static const char *const RESOURCES[] = {
	"apiVersion: v1\nkind: Service\nmetadata: {name: svc}\n"
	"spec: {ports: [{name: http, port: 8080, protocol: TCP}], ratio: 12345678.5}\n",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dep\n"
	"  annotations: {a: $(PORT)}\n"
	"spec:\n  template:\n    spec:\n      containers:\n      - name: c\n"
	"        image: i\n        command: [run, \"$(SVC)\", \"--p=$(PORT)\", \"$$(SVC)\"]\n"
	"        env:\n        - {name: P, value: $(PORT)}\n        - {name: R, value: $(R)}\n"
	"        - {name: Q, value: $(PROTO)}\n",
};

static void load(kb_resmap *m)
{
	kb_resmap_init(m);
	for (size_t i = 0; i < sizeof(RESOURCES) / sizeof(*RESOURCES); i++) {
		kb_error *e = kb_resmap_append(m, kb_schema_builtin(),
					       kb_resource_new(tap_yaml(RESOURCES[i]), "r.yaml"));
		OK(!e);
		kb_error_free(e);
	}
}

static void test_merge_errors(void)
{
	kb_node *acc = kb_node_new(KB_SEQ);
	kb_node *vars =
		tap_yaml("- name: X\n  objref: {kind: Service, name: svc, apiVersion: v1}\n");
	OK(!kb_vars_merge(acc, vars, "k.yaml"));
	OK(acc->n == 1);
	/* Defaulted field path and split apiVersion. */
	STR_EQ(kb_map_get_str(acc->items[0], "fieldPath"), "metadata.name");
	STR_EQ(kb_map_get_str(acc->items[0], "version"), "v1");
	kb_error *e = kb_vars_merge(acc, vars, "k.yaml");
	OK(e && strstr(e->primary.msg, "var 'X' already encountered"));
	kb_error_free(e);
	kb_node_free(vars);

	/* Field names are matched case-insensitively; unknown ones fail. */
	vars = tap_yaml("- Name: Y\n  objRef: {Kind: Service, name: svc, apiversion: apps/v1}\n"
		     "  fieldref: {fieldpath: spec.x}\n");
	OK(!kb_vars_merge(acc, vars, "k.yaml"));
	STR_EQ(kb_map_get_str(acc->items[1], "group"), "apps");
	STR_EQ(kb_map_get_str(acc->items[1], "fieldPath"), "spec.x");
	kb_node_free(vars);
	vars = tap_yaml("- name: Z\n  objref: {kind: Service, nam: svc}\n");
	e = kb_vars_merge(acc, vars, "k.yaml");
	OK(e && strstr(e->primary.msg, "unknown field \"nam\""));
	kb_error_free(e);
	kb_node_free(vars);
	vars = tap_yaml("- name: 3\n");
	e = kb_vars_merge(acc, vars, "k.yaml");
	OK(e && strstr(e->primary.msg, "cannot unmarshal number"));
	kb_error_free(e);
	kb_node_free(vars);
	kb_node_free(acc);
}

static void test_resolve(void)
{
	kb_resmap m;
	load(&m);
	kb_tconfig cfg;
	kb_tconfig_init_defaults(&cfg);
	kb_node *acc = kb_node_new(KB_SEQ);
	kb_node *vars = tap_yaml(
		"- name: SVC\n  objref: {kind: Service, name: svc, apiVersion: v1}\n"
		"- name: PORT\n  objref: {kind: Service, name: svc, apiVersion: v1}\n"
		"  fieldref: {fieldpath: 'spec.ports[0].port'}\n"
		"- name: PROTO\n  objref: {kind: Service, name: svc, apiVersion: v1}\n"
		"  fieldref: {fieldpath: 'spec.ports.[name=http].protocol'}\n"
		"- name: R\n  objref: {kind: Service, name: svc, apiVersion: v1}\n"
		"  fieldref: {fieldpath: spec.ratio}\n"
		"- name: UNUSED\n  objref: {kind: Service, name: svc, apiVersion: v1}\n");
	/* The parent's prefix renames the service after the vars were
	 * bound; the objref's original name still finds it. */
	kb_error *e = kb_vars_merge_bind(acc, vars, "k.yaml", &m, kb_schema_builtin());
	OK(!e);
	kb_res_set_name(m.v[0], "p-svc");
	kb_warnings w = { 0 };
	e = kb_vars_resolve(&m, kb_schema_builtin(), acc, &cfg, &w);
	OK(!e);
	if (e)
		printf("# %s\n", e->primary.msg);
	kb_error_free(e);
	kb_node *c = kb_node_get(m.v[1]->doc, "spec", "template", "spec", "containers", NULL);
	kb_node *cmd = kb_map_get(c->items[0], "command");
	STR_EQ(cmd->items[1]->str, "p-svc");
	STR_EQ(cmd->items[2]->str, "--p=8080");
	STR_EQ(cmd->items[3]->str, "$(SVC)");
	kb_node *env = kb_map_get(c->items[0], "env");
	kb_node *p = kb_map_get(env->items[0], "value");
	OK(p->kind == KB_INT);
	STR_EQ(p->str, "8080");
	kb_node *r = kb_map_get(env->items[1], "value");
	OK(r->kind == KB_FLOAT);
	STR_EQ(r->str, "12345678.5");
	STR_EQ(kb_map_get_str(env->items[2], "value"), "TCP");
	/* Annotations end up strings, as kustomize rewrites them. */
	kb_node *a = kb_node_get(m.v[1]->doc, "metadata", "annotations", "a", NULL);
	OK(a->kind == KB_STR);
	STR_EQ(a->str, "8080");
	OK(w.n == 1 && strstr(w.v[0], "never replaced: UNUSED"));
	kb_warnings_free(&w);
	kb_node_free(vars);
	kb_node_free(acc);
	kb_resmap_free(&m);
	kb_tconfig_free(&cfg);
}

static void test_resolve_errors(void)
{
	static const struct {
		const char *vars, *want;
		bool bind;
	} cases[] = {
		{ "- name: X\n  objref: {kind: Service, name: nope, apiVersion: v1}\n",
		  "cannot be mapped", false },
		{ "- name: X\n  objref: {kind: Service, name: nope, apiVersion: v1}\n",
		  "cannot be mapped", true },
		/* Without a version the objref matches nothing. */
		{ "- name: X\n  objref: {kind: Service, name: svc}\n", "cannot be mapped", true },
		{ "- name: X\n  objref: {kind: Service, name: svc, apiVersion: v1}\n"
		  "  fieldref: {fieldPath: spec.missing}\n",
		  "not found in corresponding resource", true },
		{ "- name: X\n  objref: {kind: Service, name: svc, apiVersion: v1}\n"
		  "  fieldref: {fieldPath: 'spec.ports[3].port'}\n",
		  "not found in corresponding resource", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		kb_resmap m;
		load(&m);
		kb_tconfig cfg;
		kb_tconfig_init_defaults(&cfg);
		kb_node *acc = kb_node_new(KB_SEQ);
		kb_node *vars = tap_yaml(cases[i].vars);
		kb_error *e = cases[i].bind ? kb_vars_merge_bind(acc, vars, "k.yaml", &m,
								 kb_schema_builtin())
					    : kb_vars_merge(acc, vars, "k.yaml");
		OK(!e);
		kb_error_free(e);
		e = kb_vars_resolve(&m, kb_schema_builtin(), acc, &cfg, NULL);
		OK(e && strstr(e->primary.msg, cases[i].want));
		if (e && !strstr(e->primary.msg, cases[i].want))
			printf("# case %zu: %s\n", i, e->primary.msg);
		kb_error_free(e);
		kb_node_free(vars);
		kb_node_free(acc);
		kb_resmap_free(&m);
		kb_tconfig_free(&cfg);
	}
}

/* Two bases each rename their own "svc"; each var stays with the one its
 * kustomization saw, where matching at the top would be ambiguous. */
static void test_binding(void)
{
	const kb_schema *s = kb_schema_builtin();
	const char *svc = "apiVersion: v1\nkind: Service\nmetadata: {name: svc}\n";
	const char *pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: pod}\n"
			  "spec: {containers: [{name: c, image: i, args: [\"$(A)\", \"$(B)\"]}]}\n";
	kb_node *acc = kb_node_new(KB_SEQ);
	kb_resmap top;
	kb_resmap_init(&top);
	for (int b = 0; b < 2; b++) {
		kb_resmap base;
		kb_resmap_init(&base);
		kb_resource *r = kb_resource_new(tap_yaml(svc), "svc.yaml");
		kb_resmap_append_unchecked(&base, r);
		kb_res_set_name(r, b ? "b-svc" : "a-svc");
		char *text = kb_xasprintf(
			"- name: %s\n  objref: {kind: Service, name: svc, apiVersion: v1}\n",
			b ? "B" : "A");
		kb_node *vars = tap_yaml(text);
		free(text);
		OK(!kb_vars_merge_bind(acc, vars, "k.yaml", &base, s));
		kb_node_free(vars);
		OK(!kb_resmap_absorb(&top, s, &base));
		kb_resmap_free(&base);
	}
	kb_resmap_append_unchecked(&top, kb_resource_new(tap_yaml(pod), "pod.yaml"));
	kb_tconfig cfg;
	kb_tconfig_init_defaults(&cfg);
	kb_error *e = kb_vars_resolve(&top, s, acc, &cfg, NULL);
	OK(!e);
	kb_error_free(e);
	kb_node *args = kb_node_get(top.v[2]->doc, "spec", "containers", NULL);
	args = kb_map_get(args->items[0], "args");
	STR_EQ(args->items[0]->str, "a-svc");
	STR_EQ(args->items[1]->str, "b-svc");

	/* Merged without resources, the same vars are ambiguous. */
	kb_node *loose = kb_node_new(KB_SEQ);
	kb_node *vars =
		tap_yaml("- name: C\n  objref: {kind: Service, name: svc, apiVersion: v1}\n");
	OK(!kb_vars_merge(loose, vars, "k.yaml"));
	e = kb_vars_resolve(&top, s, loose, &cfg, NULL);
	OK(e && strstr(e->primary.msg, "found 2 resId matches"));
	kb_error_free(e);
	/* And so is binding against both at once. */
	e = kb_vars_merge_bind(loose, vars, "k.yaml", &top, s);
	OK(e && strstr(e->primary.msg, "found 2 resId matches"));
	kb_error_free(e);
	kb_node_free(vars);
	kb_node_free(loose);

	/* Vars of sibling bases meet at the top: same name is an error. */
	kb_node *dup = kb_node_clone(acc);
	kb_seq_push(dup, kb_node_clone(acc->items[0]));
	e = kb_vars_resolve(&top, s, dup, &cfg, NULL);
	OK(e && strstr(e->primary.msg, "var 'A' already encountered"));
	kb_error_free(e);
	kb_node_free(dup);

	kb_tconfig_free(&cfg);
	kb_node_free(acc);
	kb_resmap_free(&top);
}

int main(void)
{
	test_expand();
	test_merge_errors();
	test_resolve();
	test_resolve_errors();
	test_binding();
	return tap_done();
}
