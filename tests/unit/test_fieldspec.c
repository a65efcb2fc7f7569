/* test_fieldspec.c - the field-spec walk every builtin transformer uses:
 * gvk matching, steps through sequences, "[]" steps, bracketed keys,
 * create vs not, and the set's MergeOne de-duplication. */
#include "diag.h"
#include "fieldspec.h"
#include "node.h"
#include "parse.h"
#include "tables.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kb_node *parse1(const char *text)
{
	kb_node *n = NULL;
	kb_error *e = kb_yaml_parse_one("t.yaml", text, strlen(text), NULL, &n);
	if (e) {
		printf("# parse error: %s\n", e->primary.msg);
		kb_error_free(e);
	}
	return n;
}

/* Visitor: records each visited value's text and replaces it with "V". */
static kb_error *mark(kb_node **slot, void *ud)
{
	kb_buf *seen = ud;
	kb_node *n = *slot;
	if (seen->len)
		kb_buf_putc(seen, ',');
	if (kb_node_is_scalar(n))
		kb_buf_puts(seen, n->kind == KB_NULL ? "~" : n->str);
	else
		kb_buf_puts(seen, n->kind == KB_MAP ? "{}" : "[]");
	if (kb_node_is_scalar(n))
		kb_node_set_str(n, "V");
	return NULL;
}

static kb_error *fail_visit(kb_node **slot, void *ud)
{
	(void)ud;
	return kb_error_new(NULL, (*slot)->line, (*slot)->col, "stop here");
}

/* Walks `path` (any gvk) over a copy of doc; returns what was visited. */
static char *walk(kb_node *doc, const char *path, bool create, kb_create kind)
{
	kb_fieldspec fs = { NULL, NULL, NULL, path, create };
	kb_buf seen = KB_BUF_INIT;
	kb_error *e = kb_fieldspec_walk(doc, &fs, kind, mark, &seen);
	if (e) {
		kb_buf_free(&seen);
		char *m = kb_xasprintf("ERROR: %s", e->primary.msg);
		kb_error_free(e);
		return m;
	}
	return kb_buf_detach(&seen);
}

static void test_matches(void)
{
	kb_fieldspec any = { NULL, NULL, NULL, "x", false };
	kb_fieldspec dep = { "apps", NULL, "Deployment", "x", false };
	kb_fieldspec v1 = { NULL, "v1", "Service", "x", false };
	OK(kb_fieldspec_matches(&any, "", "v1", "ConfigMap"));
	OK(kb_fieldspec_matches(&dep, "apps", "v1", "Deployment"));
	OK(kb_fieldspec_matches(&dep, "apps", "v1beta2", "Deployment"));
	OK(!kb_fieldspec_matches(&dep, "extensions", "v1beta1", "Deployment"));
	OK(!kb_fieldspec_matches(&dep, "apps", "v1", "StatefulSet"));
	OK(kb_fieldspec_matches(&v1, "", "v1", "Service"));
	OK(!kb_fieldspec_matches(&v1, "", "v2", "Service"));

	/* the walk checks the gvk of the document itself */
	kb_node *doc = parse1("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
	kb_buf seen = KB_BUF_INIT;
	kb_error *e = kb_fieldspec_walk(doc, &dep, KB_CREATE_NONE, mark, &seen);
	OK(e == NULL && seen.len == 0);
	kb_fieldspec name = { "", "v1", "ConfigMap", "metadata/name", false };
	e = kb_fieldspec_walk(doc, &name, KB_CREATE_NONE, mark, &seen);
	OK(e == NULL);
	STR_EQ(seen.data, "a");
	STR_EQ(kb_node_get_str(doc, "metadata", "name", NULL), "V");
	kb_buf_free(&seen);
	kb_node_free(doc);
}

static void test_walk_sequences(void)
{
	kb_node *doc = parse1("spec:\n"
			      "  containers:\n"
			      "  - {name: a, image: i1}\n"
			      "  - {name: b}\n"
			      "  - {name: c, image: i3}\n"
			      "  matrix: [[{v: 1}, {v: 2}], [{v: 3}]]\n"
			      "  nulled: ~\n"
			      "  scalar: s\n");
	/* a plain step into a list visits every element (and skips the
	 * elements that lack the field) */
	char *got = walk(doc, "spec/containers/image", false, KB_CREATE_NONE);
	STR_EQ(got, "i1,i3");
	free(got);
	/* "[]" says the same thing explicitly */
	got = walk(doc, "spec/containers[]/name", false, KB_CREATE_NONE);
	STR_EQ(got, "a,b,c");
	free(got);
	/* nested lists are flattened */
	got = walk(doc, "spec/matrix/v", false, KB_CREATE_NONE);
	STR_EQ(got, "1,2,3");
	free(got);
	/* a missing field is skipped, also below a null */
	got = walk(doc, "spec/missing/x", false, KB_CREATE_NONE);
	STR_EQ(got, "");
	free(got);
	got = walk(doc, "spec/nulled/x", false, KB_CREATE_NONE);
	STR_EQ(got, "");
	free(got);
	/* stepping into a scalar is an error that names the step */
	got = walk(doc, "spec/scalar/x", false, KB_CREATE_NONE);
	OK(strncmp(got, "ERROR: ", 7) == 0 && strstr(got, "'x'") != NULL);
	free(got);
	/* the whole collection may be the target */
	got = walk(doc, "spec/containers", false, KB_CREATE_NONE);
	STR_EQ(got, "[]");
	free(got);
	kb_node_free(doc);
}

static void test_create(void)
{
	kb_node *doc = parse1("metadata: {name: x}\n");
	/* create: false never adds anything */
	char *got = walk(doc, "spec/selector/matchLabels", false, KB_CREATE_MAP);
	STR_EQ(got, "");
	free(got);
	OK(kb_map_get(doc, "spec") == NULL);
	/* create with KB_CREATE_NONE (the caller says "do not") adds nothing */
	got = walk(doc, "spec/selector", true, KB_CREATE_NONE);
	STR_EQ(got, "");
	free(got);
	OK(kb_map_get(doc, "spec") == NULL);
	/* create: intermediate maps, then a map at the end */
	got = walk(doc, "spec/selector/matchLabels", true, KB_CREATE_MAP);
	STR_EQ(got, "{}");
	free(got);
	kb_node *ml = kb_node_get(doc, "spec", "selector", "matchLabels", NULL);
	OK(ml && ml->kind == KB_MAP && ml->n == 0);
	/* ...or an empty string scalar */
	got = walk(doc, "metadata/namespace", true, KB_CREATE_SCALAR);
	STR_EQ(got, "");
	free(got);
	STR_EQ(kb_node_get_str(doc, "metadata", "namespace", NULL), "V");
	/* a "[]" step is never created */
	got = walk(doc, "spec/list[]/x", true, KB_CREATE_SCALAR);
	STR_EQ(got, "");
	free(got);
	OK(kb_node_get(doc, "spec", "list", NULL) == NULL);
	kb_node_free(doc);

	/* an existing null turns into what the path needs */
	doc = parse1("spec:\n  list:\n  sel:\n");
	got = walk(doc, "spec/list[]/x", false, KB_CREATE_NONE);
	STR_EQ(got, "");
	free(got);
	kb_node *l = kb_node_get(doc, "spec", "list", NULL);
	OK(l && l->kind == KB_SEQ && l->n == 0);
	got = walk(doc, "spec/sel/k", true, KB_CREATE_SCALAR);
	STR_EQ(got, "");
	free(got);
	kb_node *sel = kb_node_get(doc, "spec", "sel", NULL);
	OK(sel && sel->kind == KB_MAP);
	STR_EQ(kb_node_get_str(doc, "spec", "sel", "k", NULL), "V");
	kb_node_free(doc);
}

static void test_bracketed_and_errors(void)
{
	/* "[a/b]" names a key that contains a slash */
	kb_node *doc = parse1("metadata:\n  annotations:\n    example.com/x: one\n");
	char *got = walk(doc, "metadata/annotations/[example.com/x]", false, KB_CREATE_NONE);
	STR_EQ(got, "one");
	free(got);
	kb_node_free(doc);

	/* a visitor's error stops the walk and comes back unchanged */
	doc = parse1("a: [{b: 1}, {b: 2}]\n");
	kb_fieldspec fs = { NULL, NULL, NULL, "a/b", false };
	kb_error *e = kb_fieldspec_walk(doc, &fs, KB_CREATE_NONE, fail_visit, NULL);
	OK(e != NULL && strcmp(e->primary.msg, "stop here") == 0);
	OK(e && e->primary.line == 1);
	kb_error_free(e);
	kb_node_free(doc);
}

static void test_fsset(void)
{
	kb_fsset set = { 0 };
	char path[] = "metadata/labels";
	kb_fsset_add(&set, NULL, NULL, "Deployment", path, true);
	/* strings are copied: the caller's buffer may change */
	path[0] = 'X';
	STR_EQ(set.v[0].path, "metadata/labels");
	/* an exact duplicate is skipped */
	kb_fsset_add(&set, NULL, NULL, "Deployment", "metadata/labels", true);
	OK(set.n == 1);
	/* a more general spec for the same path is dropped (MergeOne)... */
	kb_fsset_add(&set, NULL, NULL, NULL, "metadata/labels", true);
	OK(set.n == 1);
	/* ...but a different kind, or a different path, is kept */
	kb_fsset_add(&set, NULL, NULL, "Service", "metadata/labels", true);
	kb_fsset_add(&set, NULL, NULL, "Deployment", "spec/x", false);
	OK(set.n == 3);

	kb_fsset other = { 0 };
	kb_fsset_add_set(&other, &set);
	OK(other.n == 3);
	kb_fsset_add_set(&other, &set);
	OK(other.n == 3);
	kb_fsset_free(&other);
	kb_fsset_free(&set);
	OK(set.n == 0 && set.v == NULL);
	kb_fsset_free(NULL);

	/* the generated defaults load, without duplicates */
	kb_fsset d = { 0 };
	kb_fsset_add_list(&d, &kb_fs_commonlabels);
	OK(d.n > 10 && d.n <= kb_fs_commonlabels.n);
	size_t n = d.n;
	kb_fsset_add_list(&d, &kb_fs_commonlabels);
	OK(d.n == n);
	kb_fsset_free(&d);
}

int main(void)
{
	test_matches();
	test_walk_sequences();
	test_create();
	test_bracketed_and_errors();
	test_fsset();
	return tap_done();
}
