/* test_select.c - target selectors and label selectors. */
#include "diag.h"
#include "node.h"
#include "select.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A map from "k=v" pairs, NULL-terminated: label sets, and selector
 * specs for compile(). */
static kb_node *map_of(const char *kv, ...)
{
	kb_node *m = kb_node_new(KB_MAP);
	va_list ap;
	va_start(ap, kv);
	for (const char *s = kv; s; s = va_arg(ap, const char *)) {
		const char *eq = strchr(s, '=');
		char *k = kb_xstrndup(s, (size_t)(eq - s));
		kb_map_set(m, k, kb_node_new_str(eq + 1));
		free(k);
	}
	va_end(ap);
	return m;
}

static bool ls_matches(const char *sel, const kb_node *labels)
{
	kb_labelsel *ls = NULL;
	kb_error *e = kb_labelsel_parse(sel, &ls);
	if (e) {
		printf("# unexpected parse error for [%s]: %s\n", sel, e->primary.msg);
		kb_error_free(e);
		return false;
	}
	bool r = kb_labelsel_match(ls, labels);
	kb_labelsel_free(ls);
	return r;
}

/* The parse error text for sel, or "OK". */
static char *ls_err(const char *sel)
{
	kb_labelsel *ls = NULL;
	kb_error *e = kb_labelsel_parse(sel, &ls);
	kb_labelsel_free(ls);
	if (!e)
		return kb_xstrdup("OK");
	char *m = kb_xstrdup(e->primary.msg);
	kb_error_free(e);
	return m;
}

#define ERR_EQ(sel, want)            \
	do {                         \
		char *g_ = ls_err(sel); \
		STR_EQ(g_, want);    \
		free(g_);            \
	} while (0)

static void test_labelsel(void)
{
	kb_node *l = map_of("app=web", "tier=front", "n=5", "example.com/x=y", NULL);
	kb_map_set(l, "obj", kb_node_new(KB_MAP));
	kb_map_set(l, "num", kb_node_new_int(7));

	OK(ls_matches("", l));
	OK(ls_matches(NULL, l));
	OK(ls_matches("  ", NULL));
	OK(ls_matches("app=web", l));
	OK(ls_matches("app==web", l));
	OK(ls_matches(" app = web , tier=front ", l));
	OK(!ls_matches("app=db", l));
	OK(!ls_matches("app=web,tier=back", l));
	OK(ls_matches("app!=db", l));
	OK(ls_matches("missing!=db", l));
	OK(!ls_matches("app!=web", l));
	OK(ls_matches("app in (db, web)", l));
	OK(ls_matches("app in(web)", l));
	OK(!ls_matches("app in (db)", l));
	OK(!ls_matches("missing in (db)", l));
	OK(ls_matches("app notin (db)", l));
	OK(ls_matches("missing notin (db)", l));
	OK(!ls_matches("app notin (db,web)", l));
	OK(ls_matches("app", l));
	OK(!ls_matches("missing", l));
	OK(ls_matches("!missing", l));
	OK(!ls_matches("!app", l));
	OK(ls_matches("example.com/x=y", l));
	OK(ls_matches("n>4,n<6", l));
	OK(!ls_matches("n>5", l));
	OK(!ls_matches("app>1", l));
	OK(ls_matches("num=7", l));      /* scalars compare by text */
	OK(ls_matches("obj=", l));       /* collections read as "" */
	OK(ls_matches("missing=", NULL) == false);
	kb_node *t = map_of("x=in", NULL);
	OK(ls_matches("x in (in, notin)", t));
	kb_node_free(t);
	t = map_of("x=", NULL);
	OK(ls_matches("x in (,a)", t));
	kb_node_free(t);
	t = map_of("x=a", NULL);
	OK(ls_matches("x notin ()", t));
	kb_node_free(t);
	/* non-map label sets are empty */
	kb_node *str = kb_node_new_str("app=web");
	OK(!ls_matches("app", str));
	OK(ls_matches("!app", str));
	kb_node_free(str);
	kb_node_free(l);

	ERR_EQ("app=web", "OK");
	ERR_EQ("a in (b,,c)", "OK");
	ERR_EQ("a in b", "unable to parse requirement: found 'b' expected: '('");
	ERR_EQ("a in (b", "unable to parse requirement: found '', expected: ',' or ')'");
	ERR_EQ("a in ()x", "found 'x', expected: ',' or 'end of string'");
	ERR_EQ("a,", "found '', expected: identifier after ','");
	ERR_EQ(",a", "found ',', expected: !, identifier, or 'end of string'");
	ERR_EQ("a b", "unable to parse requirement: found 'b', expected: '=', '!=', '==', 'in', notin'");
	ERR_EQ("a=b=c", "found '=', expected: ',' or 'end of string'");
	ERR_EQ("!a=b", "found '=', expected: ',' or 'end of string'");
	ERR_EQ("a==(b)", "unable to parse requirement: found '(', expected: identifier");
	ERR_EQ("a>x", "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer");
	ERR_EQ("-a=b",
	       "unable to parse requirement: invalid label key \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
	ERR_EQ("/a", "unable to parse requirement: invalid label key \"/a\": prefix part must be non-empty");
	ERR_EQ("a/b/c=d",
	       "unable to parse requirement: invalid label key \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
	ERR_EQ("Ex.com/a",
	       "unable to parse requirement: invalid label key \"Ex.com/a\": prefix part a DNS-1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
	ERR_EQ("a=-b",
	       "unable to parse requirement: invalid label value: \"-b\": at key: \"a\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
	ERR_EQ("a=b c", "found 'c', expected: ',' or 'end of string'");
}

static kb_selector *compile(kb_node *spec)
{
	kb_selector *s = NULL;
	kb_error *e = kb_selector_compile(spec, "k.yaml", &s);
	if (e) {
		printf("# compile error: %s\n", e->primary.msg);
		kb_error_free(e);
	}
	kb_node_free(spec);
	return s;
}

static void test_selector(void)
{
	kb_selector *s;

	/* empty selector matches everything */
	s = compile(kb_node_new(KB_MAP));
	OK(s && kb_selector_match(s, "", "v1", "ConfigMap", "cm", NULL, NULL, NULL));
	OK(kb_selector_match(s, "apps", "v1", "Deployment", "d", KB_NS_CLUSTER, NULL, NULL));
	kb_selector_free(s);
	s = NULL;
	OK(!kb_selector_compile(NULL, "k.yaml", &s) && s);
	kb_selector_free(s);

	/* anchoring */
	s = compile(map_of("name=foo", NULL));
	OK(kb_selector_match(s, "", "v1", "ConfigMap", "foo", "", NULL, NULL));
	OK(!kb_selector_match(s, "", "v1", "ConfigMap", "foobar", "", NULL, NULL));
	OK(!kb_selector_match(s, "", "v1", "ConfigMap", "xfoo", "", NULL, NULL));
	OK(!kb_selector_match(s, "", "v1", "ConfigMap", "foo\n", "", NULL, NULL));
	OK(!kb_selector_match(s, "", "v1", "ConfigMap", NULL, "", NULL, NULL));
	kb_selector_free(s);
	s = compile(map_of("name=foo.*", NULL));
	OK(kb_selector_match_name(s, "foobar"));
	OK(kb_selector_match_name(s, "foo"));
	OK(!kb_selector_match_name(s, "afoo"));
	kb_selector_free(s);
	/* alternation stays inside the anchors */
	s = compile(map_of("kind=Deployment|StatefulSet", NULL));
	OK(kb_selector_match_gvk(s, "apps", "v1", "StatefulSet"));
	OK(kb_selector_match_gvk(s, "apps", "v1", "Deployment"));
	OK(!kb_selector_match_gvk(s, "apps", "v1", "DeploymentX"));
	OK(!kb_selector_match_gvk(s, "apps", "v1", "XStatefulSet"));
	kb_selector_free(s);

	/* gvk */
	s = compile(map_of("group=apps", "version=v1", "kind=Deployment", NULL));
	OK(kb_selector_match_gvk(s, "apps", "v1", "Deployment"));
	OK(!kb_selector_match_gvk(s, "", "v1", "Deployment"));
	OK(!kb_selector_match_gvk(s, "apps", "v1beta1", "Deployment"));
	OK(!kb_selector_match_gvk(s, "apps", "v1", "deployment"));
	kb_selector_free(s);

	/* namespaces are effective namespaces */
	s = compile(map_of("namespace=default", NULL));
	OK(kb_selector_match_namespace(s, NULL));
	OK(kb_selector_match_namespace(s, ""));
	OK(kb_selector_match_namespace(s, "default"));
	OK(!kb_selector_match_namespace(s, "prod"));
	OK(!kb_selector_match_namespace(s, KB_NS_CLUSTER));
	kb_selector_free(s);
	s = compile(map_of("namespace=prod", NULL));
	OK(kb_selector_match_namespace(s, "prod"));
	OK(!kb_selector_match_namespace(s, ""));
	kb_selector_free(s);
	s = compile(map_of("namespace=.*", NULL));
	OK(kb_selector_match_namespace(s, KB_NS_CLUSTER)); /* as in kustomize */
	kb_selector_free(s);
	STR_EQ(kb_effective_namespace(NULL, false), "default");
	STR_EQ(kb_effective_namespace("default", true), KB_NS_CLUSTER);
	STR_EQ(kb_effective_namespace("x", false), "x");

	/* label and annotation selectors */
	s = compile(map_of("labelSelector=app=web", "annotationSelector=team in (a,b)", NULL));
	kb_node *labels = map_of("app=web", NULL);
	kb_node *ann = map_of("team=b", NULL);
	kb_node *ann2 = map_of("team=c", NULL);
	OK(kb_selector_match(s, "", "v1", "Service", "svc", "", labels, ann));
	OK(!kb_selector_match(s, "", "v1", "Service", "svc", "", labels, ann2));
	OK(!kb_selector_match(s, "", "v1", "Service", "svc", "", NULL, ann));
	kb_selector_free(s);

	/* literal selectors (replacements) */
	kb_node *sp = map_of("name=foo.*", "namespace=default", NULL);
	s = NULL;
	OK(!kb_selector_compile_literal(sp, "k.yaml", &s));
	OK(!kb_selector_match_name(s, "foobar"));
	OK(kb_selector_match_name(s, "foo.*"));
	OK(kb_selector_match_namespace(s, ""));
	kb_selector_free(s);
	kb_node_free(sp);

	/* errors */
	kb_error *e;
	sp = map_of("name=foo(", NULL);
	sp->pairs[0].val->line = 3;
	sp->pairs[0].val->col = 9;
	s = NULL;
	e = kb_selector_compile(sp, "k.yaml", &s);
	OK(e && !s);
	if (e) {
		char *f = kb_error_format(e);
		OK(strstr(f, "k.yaml:3:9: invalid regular expression in selector name 'foo('") != NULL);
		free(f);
	}
	kb_error_free(e);
	kb_node_free(sp);

	sp = map_of("labelSelector=a in b", NULL);
	e = kb_selector_compile(sp, "k.yaml", &s);
	OK(e && strstr(e->primary.msg, "invalid labelSelector 'a in b': unable to parse requirement"));
	kb_error_free(e);
	kb_node_free(sp);

	sp = kb_node_new(KB_MAP);
	kb_map_set(sp, "version", kb_node_new_int(1));
	e = kb_selector_compile(sp, "k.yaml", &s);
	OK(e && strstr(e->primary.msg, "selector field 'version' must be a string"));
	kb_error_free(e);
	kb_map_set(sp, "version", kb_node_new(KB_NULL));
	e = kb_selector_compile(sp, "k.yaml", &s);
	OK(!e && s && kb_selector_match_gvk(s, "", "anything", "X"));
	kb_selector_free(s);
	kb_node_free(sp);

	sp = kb_node_new_str("x");
	e = kb_selector_compile(sp, "k.yaml", &s);
	OK(e && strstr(e->primary.msg, "must be a map"));
	kb_error_free(e);
	kb_node_free(sp);

	kb_node_free(labels);
	kb_node_free(ann);
	kb_node_free(ann2);
}

int main(void)
{
	test_labelsel();
	test_selector();
	return tap_done();
}
