/* test_edit.c - lib/edit: positions, splices, Go globs, diffs, sessions
 * and their writes.  The command semantics are tested end to end by
 * tests/edit.py; here is what those cases cannot reach. */
#include "diag.h"
#include "diff.h"
#include "fs.h"
#include "glob.h"
#include "splice.h"
#include "tap.h"
#include "util.h"
#include "ydoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a session on text, files in memory ---- */

static kb_memfs *mfs;

static kb_edit *open_text(const char *text)
{
	kb_edit_options o;
	kb_edit_options_init(&o);
	o.fs = kb_memfs_fs(mfs);
	kb_edit *e = NULL;
	kb_error *err = kb_edit_open_text(&o, "/m/kustomization.yaml", text, strlen(text), &e);
	if (err) {
		char *s = kb_error_format(err);
		fprintf(stderr, "# open: %s", s);
		free(s);
		kb_error_free(err);
	}
	return e;
}

static const char *text_of(kb_edit *e)
{
	return kb_edit_text(e, NULL);
}

/* Runs one set image / namespace / ... and returns the new text (static
 * buffer) or the error message prefixed by "ERR: ". */
static char result[8192];

static const char *after(kb_edit *e, kb_error *err)
{
	if (err) {
		snprintf(result, sizeof(result), "ERR: %s", err->primary.msg);
		kb_error_free(err);
	} else {
		snprintf(result, sizeof(result), "%s", text_of(e));
	}
	return result;
}

static const char *set_image(const char *text, const char *arg)
{
	kb_edit *e = open_text(text);
	if (!e)
		return "ERR: open";
	const char *a[] = { arg };
	after(e, kb_edit_set_image(e, a, 1));
	kb_edit_free(e);
	return result;
}

static const char *set_ns(const char *text, const char *ns)
{
	kb_edit *e = open_text(text);
	if (!e)
		return "ERR: open";
	const char *a[] = { ns };
	after(e, kb_edit_set_field(e, KB_EDIT_NAMESPACE, a, 1));
	kb_edit_free(e);
	return result;
}

static const char *add_res(const char *text, const char *r)
{
	kb_edit *e = open_text(text);
	if (!e)
		return "ERR: open";
	const char *a[] = { r };
	after(e, kb_edit_add(e, KB_EDIT_RESOURCES, a, 1, 0));
	kb_edit_free(e);
	return result;
}

static const char *rm_res(const char *text, const char *r)
{
	kb_edit *e = open_text(text);
	if (!e)
		return "ERR: open";
	const char *a[] = { r };
	after(e, kb_edit_remove(e, KB_EDIT_RESOURCES, a, 1));
	kb_edit_free(e);
	return result;
}

static const char *add_label(const char *text, const char *kv)
{
	kb_edit *e = open_text(text);
	if (!e)
		return "ERR: open";
	const char *a[] = { kv };
	after(e, kb_edit_metadata(e, KB_EDIT_ADD, KB_EDIT_LABEL, a, 1, 0));
	kb_edit_free(e);
	return result;
}

static void test_positions(void)
{
	const char *t = "a: 'q'\nb: \"x\"  # c\nc: |\n  l1\n  l2\nd:\ne: [1, 2]\nf: &x v\ng: *x\n";
	ed_doc *d = NULL;
	kb_error *err = ed_parse("t", t, strlen(t), &d);
	OK(!err && d && d->root && d->root->kind == ED_MAP && d->root->n == 7);
	if (err || !d)
		return;
	const ed_node *a = d->root->pairs[0].val;
	OK(a->start == 3 && a->end == 6 && a->style == ED_SQUOTED && a->colon == 1);
	const ed_node *b = d->root->pairs[1].val;
	OK(t[b->start] == '"' && t[b->end - 1] == '"' && b->style == ED_DQUOTED);
	const ed_node *c = d->root->pairs[2].val;
	OK(t[c->start] == '|' && strcmp(c->str, "l1\nl2\n") == 0 && t[c->end - 1] == '2');
	const ed_node *dd = d->root->pairs[3].val;
	OK(dd->type == KB_NULL && dd->start == dd->end && dd->start == (size_t)(strstr(t, "d:") - t) + 2);
	const ed_node *e = d->root->pairs[4].val;
	OK(e->flow && e->kind == ED_SEQ && e->n == 2 && t[e->start] == '[' && t[e->end - 1] == ']');
	OK(e->items[0]->type == KB_INT);
	OK(d->root->pairs[5].val->anchored && d->root->pairs[6].val->alias &&
	   strcmp(d->root->pairs[6].val->str, "v") == 0);
	OK(ed_line_of(d, c->start) == 2 && ed_col_of(d, c->start) == 3);
	ed_doc_free(d);

	/* block sequences: items know their '-', comments between them */
	t = "r:\n# c1\n- a  # x\n-   b\n-\n  k: v\n";
	err = ed_parse("t", t, strlen(t), &d);
	OK(!err);
	if (!err) {
		const ed_node *s = d->root->pairs[0].val;
		OK(s->n == 3 && t[s->items[0]->lead] == '-' && t[s->items[1]->lead] == '-' &&
		   t[s->items[2]->lead] == '-' && s->items[2]->kind == ED_MAP);
		OK(s->items[1]->start == s->items[1]->lead + 4);
	}
	ed_doc_free(d);

	/* errors name their place */
	err = ed_parse("bad.yaml", "a: [1\n", 6, &d);
	OK(err && err->primary.line > 0);
	kb_error_free(err);
	err = ed_parse("two.yaml", "a: 1\n---\nb: 2\n", 14, &d);
	OK(err && strstr(err->primary.msg, "one YAML document"));
	kb_error_free(err);
	/* an empty document is no document */
	err = ed_parse("e.yaml", "# only\n---\n", 11, &d);
	OK(!err && d && !d->root);
	ed_doc_free(d);
}

static void test_scalars(void)
{
	/* quoting, the comment after it, the spacing before it stay */
	STR_EQ(set_ns("namespace:   'old'  # c\n", "new"), "namespace:   'new'  # c\n");
	STR_EQ(set_ns("namespace: \"old\"\n", "new"), "namespace: \"new\"\n");
	/* a value that must be quoted is, whatever the old one was */
	STR_EQ(set_ns("namespace: old\n", "123"), "namespace: \"123\"\n");
	STR_EQ(set_ns("namespace: old\n", "yes"), "namespace: \"yes\"\n");
	STR_EQ(set_ns("namespace: old\n", "a: b"), "namespace: \"a: b\"\n");
	/* single quotes that cannot hold the value give way */
	STR_EQ(set_ns("namespace: 'x'\n", "it's"), "namespace: 'it''s'\n");
	/* a block scalar, an empty value, a tagged value */
	STR_EQ(set_ns("namespace: |\n  old\nresources: []\n", "new"),
	       "namespace: new\nresources: []\n");
	STR_EQ(set_ns("namespace:\nnamePrefix: p-\n", "new"), "namespace: new\nnamePrefix: p-\n");
	STR_EQ(set_ns("namespace: !!str old\n", "new"), "namespace: new\n");
	/* a block scalar's last line of spaces, indented deeper than its
	 * content, is content: a new field goes after it (kubectl's
	 * examples/inlinePatch has one) */
	STR_EQ(set_ns("patches:\n- patch: |-\n    a: b\n      \n", "zz"),
	       "patches:\n- patch: |-\n    a: b\n      \nnamespace: zz\n");
	STR_EQ(set_ns("patches:\n- patch: |-\n    a: b\n  \n\n", "zz"),
	       "patches:\n- patch: |-\n    a: b\nnamespace: zz\n  \n\n");

	kb_buf b = KB_BUF_INIT;
	ed_write_scalar(&b, "a\"b\n\tc", 6, KB_STR, ED_AUTO, false);
	STR_EQ(b.data, "\"a\\\"b\\n\\tc\"");
	kb_buf_free(&b);
	OK(!ed_plain_ok("- x", 3, false) && !ed_plain_ok("x #y", 4, false) &&
	   !ed_plain_ok("a,b", 3, true) && ed_plain_ok("a,b", 3, false) &&
	   !ed_plain_ok("~", 1, false) && !ed_plain_ok("0x1f", 4, false) &&
	   !ed_plain_ok("2024-01-01", 10, false) && ed_plain_ok("v1.2.3", 6, false) &&
	   !ed_plain_ok("on", 2, false) && !ed_plain_ok("", 0, false));
}

static void test_lists(void)
{
	/* the file's sequence style and neighbours' quoting */
	STR_EQ(add_res("resources:\n  - a.yaml\n", "b.yaml"), "resources:\n  - a.yaml\n  - b.yaml\n");
	STR_EQ(add_res("resources:\n- 'a.yaml'\n", "b.yaml"), "resources:\n- 'a.yaml'\n- 'b.yaml'\n");
	STR_EQ(add_res("resources: [a.yaml] # f\n", "b.yaml"), "resources: [a.yaml, b.yaml] # f\n");
	/* an empty flow list and a null become block lists; the comment stays */
	STR_EQ(add_res("resources: [] # none yet\n", "b.yaml"), "resources: # none yet\n- b.yaml\n");
	STR_EQ(add_res("resources:\nnamespace: x\n", "b.yaml"), "resources:\n- b.yaml\nnamespace: x\n");
	/* a new field follows the file's sequence indentation */
	STR_EQ(add_res("images:\n  - name: a\n", "b.yaml"), "images:\n  - name: a\nresources:\n  - b.yaml\n");
	/* CRLF, no final line break */
	STR_EQ(add_res("resources:\r\n- a.yaml\r\n", "b.yaml"), "resources:\r\n- a.yaml\r\n- b.yaml\r\n");
	STR_EQ(add_res("resources:\n- a.yaml", "b.yaml"), "resources:\n- a.yaml\n- b.yaml");
	STR_EQ(rm_res("namespace: x\nresources:\n- a.yaml", "a.yaml"), "namespace: x");
	STR_EQ(rm_res("resources:\n- a.yaml  # gone\n# stays\n- b.yaml\n", "a.yaml"),
	       "resources:\n# stays\n- b.yaml\n");
	STR_EQ(rm_res("resources: [a.yaml, b.yaml, c.yaml]\n", "b.yaml"), "resources: [a.yaml, c.yaml]\n");
	STR_EQ(rm_res("resources: [a.yaml, b.yaml]\n", "b.yaml"), "resources: [a.yaml]\n");
	/* the last entry: the field goes, comments around it stay */
	STR_EQ(rm_res("# head\nresources:\n# about a\n- a.yaml\n# tail\n", "a.yaml"),
	       "# head\n# about a\n# tail\n");
	/* an empty file gets its first field */
	STR_EQ(add_res("", "b.yaml"), "resources:\n- b.yaml\n");
	STR_EQ(add_res("# c", "b.yaml"), "# c\nresources:\n- b.yaml");
	STR_EQ(add_res("---\n", "b.yaml"), "---\nresources:\n- b.yaml\n");
}

static void test_maps(void)
{
	STR_EQ(add_label("commonLabels: {a: b}\n", "c:d"), "commonLabels: {a: b, c: d}\n");
	STR_EQ(add_label("commonLabels:\n    a: b  # x\n", "c:d"), "commonLabels:\n    a: b  # x\n    c: d\n");
	/* sorted keys stay sorted; others get the new key last */
	STR_EQ(add_label("commonLabels:\n  a: x\n  c: x\n", "b:z"), "commonLabels:\n  a: x\n  b: z\n  c: x\n");
	STR_EQ(add_label("commonLabels:\n  c: x\n  a: x\n", "b:z"), "commonLabels:\n  c: x\n  a: x\n  b: z\n");
	/* "y" is a boolean to goyaml.v2 */
	STR_EQ(add_label("commonLabels:\n  a: x\n", "b:y"), "commonLabels:\n  a: x\n  b: \"y\"\n");
	/* values quoted by choice set the style; needed quotes do not */
	STR_EQ(add_label("commonLabels:\n  a: \"x\"\n", "b:z"), "commonLabels:\n  a: \"x\"\n  b: \"z\"\n");
	STR_EQ(add_label("commonLabels:\n  a: \"1\"\n", "b:z"), "commonLabels:\n  a: \"1\"\n  b: z\n");
	/* removing the first pair of an item, which shares the '-' line */
	STR_EQ(set_image("images:\n- newTag: v1\n  name: app\n", "app="), "images:\n- name: app\n");
	/* the marker Flux writes stays on its line */
	STR_EQ(set_image("images:\n- name: app\n  newTag: v1 # {\"$imagepolicy\": \"ns:app:tag\"}\n",
			 "app:v2"),
	       "images:\n- name: app\n  newTag: v2 # {\"$imagepolicy\": \"ns:app:tag\"}\n");
}

static void test_refusals(void)
{
	/* an anchored node that changes would change its aliases too */
	OK(strncmp(set_ns("namespace: &ns a\nnamePrefix: *ns\n", "b"), "ERR: ", 5) == 0 &&
	   strstr(result, "anchor"));
	OK(strncmp(set_image("images:\n- &i\n  name: app\n  newTag: v1\nimageTags:\n- *i\n",
			     "app:v2"),
		   "ERR: ", 5) == 0 &&
	   strstr(result, "anchor"));
	/* an alias that has to change */
	OK(strncmp(set_ns("namePrefix: &p a-\nnamespace: *p\n", "b"), "ERR: ", 5) == 0 &&
	   strstr(result, "alias"));
	/* what is not a kustomization is refused at open */
	kb_edit_options o;
	kb_edit_options_init(&o);
	kb_edit *e = NULL;
	kb_error *err = kb_edit_open_text(&o, "/m/kustomization.yaml", "foo: 1\n", 7, &e);
	OK(err && strstr(err->primary.msg, "unknown field"));
	kb_error_free(err);
	err = kb_edit_open_text(&o, "/m/kustomization.yaml", "- a\n", 4, &e);
	OK(err != NULL);
	kb_error_free(err);
	/* a failed operation leaves the session as it was */
	e = open_text("resources:\n- a.yaml\n");
	const char *a[] = { "missing.yaml" };
	err = kb_edit_add(e, KB_EDIT_RESOURCES, a, 1, 0);
	OK(err && strstr(err->primary.msg, "has no match"));
	kb_error_free(err);
	STR_EQ(text_of(e), "resources:\n- a.yaml\n");
	OK(!kb_edit_changed(e));
	kb_edit_free(e);
}

static void test_moves(void)
{
	kb_edit *e = open_text("resources:\n- a.yaml\nbases:\n# the base\n- ../base  # b\n");
	OK(e && !kb_edit_fix(e, 0));
	STR_EQ(text_of(e), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
			   "resources:\n- a.yaml\n# the base\n- ../base  # b\n");
	OK(kb_edit_message_count(e) >= 1);
	kb_edit_free(e);
	/* a moved block scalar is re-indented where it goes */
	e = open_text("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
		      "patchesStrategicMerge:\n- |-\n  apiVersion: v1\n  kind: X\n");
	OK(e && !kb_edit_fix(e, 0));
	STR_EQ(text_of(e), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
			   "patches:\n- patch: |-\n    apiVersion: v1\n    kind: X\n");
	kb_edit_free(e);
}

static void test_glob(void)
{
	static const struct {
		const char *pat, *name;
		int want;
	} m[] = {
		{ "abc", "abc", 1 },	     { "*", "abc", 1 },		   { "*c", "abc", 1 },
		{ "a*", "a", 1 },	     { "a*", "abc", 1 },	   { "a*", "ab/c", 0 },
		{ "a*/b", "abc/b", 1 },	     { "a*/b", "a/c/b", 0 },
		{ "a*b*c*d*e*/f", "axbxcxdxe/f", 1 },
		{ "a*b*c*d*e*/f", "axbxcxdxexxx/f", 1 },
		{ "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", 0 },
		{ "a*b*c*d*e*/f", "axbxcxdxexxx/fff", 0 },
		{ "a*b?c*x", "abxbbxdbxebxczzx", 1 },
		{ "a*b?c*x", "abxbbxdbxebxczzy", 0 },
		{ "ab[c]", "abc", 1 },	     { "ab[b-d]", "abc", 1 },	   { "ab[e-g]", "abc", 0 },
		{ "ab[^c]", "abc", 0 },	     { "ab[^b-d]", "abc", 0 },	   { "ab[^e-g]", "abc", 1 },
		{ "a\\*b", "a*b", 1 },	     { "a\\*b", "ab", 0 },	   { "a?b", "a\xe2\x98\xba" "b", 1 },
		{ "a[^a]b", "a\xe2\x98\xba" "b", 1 }, { "a???b", "a\xe2\x98\xba" "b", 0 },
		{ "a?b", "a/b", 0 },	     { "a*b", "a/b", 0 },	   { "[\\]a]", "]", 1 },
		{ "[\\-]", "-", 1 },	     { "[x\\-]", "x", 1 },	   { "[x\\-]", "z", 0 },
		{ "[]a]", "]", -1 },	     { "[-]", "-", -1 },	   { "[x-]", "x", -1 },
		{ "[-x]", "x", -1 },	     { "\\", "a", -1 },		   { "[a-b-c]", "a", -1 },
		{ "[", "a", -1 },	     { "[^", "a", -1 },		   { "[^bc", "a", -1 },
		{ "a[", "a", -1 },	     { "a[", "ab", -1 },	   { "a[", "x", -1 },
		{ "a/b[", "x", -1 },	     { "*x", "xxx", 1 },	   { "*", ".hidden", 1 },
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(*m); i++) {
		int got = ed_go_match(m[i].pat, m[i].name);
		if (got != m[i].want)
			fprintf(stderr, "# match %s %s: %d, want %d\n", m[i].pat, m[i].name, got,
				m[i].want);
		OK(got == m[i].want);
	}
	char *d = tap_tmpdir("glob");
	tap_write(d, "b.yaml", "");
	tap_write(d, "a.yaml", "");
	tap_write(d, ".h.yaml", "");
	tap_write(d, "sub/c.yaml", "");
	tap_write(d, "sub/d.txt", "");
	kb_strv out = { 0 };
	OK(ed_go_glob(NULL, d, "*.yaml", &out) == 0 && out.n == 3 &&
	   strcmp(out.v[0], ".h.yaml") == 0 && strcmp(out.v[1], "a.yaml") == 0);
	kb_strv_free(&out);
	OK(ed_go_glob(NULL, d, "./s*/*.yaml", &out) == 0 && out.n == 1 &&
	   strcmp(out.v[0], "sub/c.yaml") == 0);
	kb_strv_free(&out);
	OK(ed_go_glob(NULL, d, "sub", &out) == 0 && out.n == 1 && strcmp(out.v[0], "sub") == 0);
	kb_strv_free(&out);
	OK(ed_go_glob(NULL, d, "nope", &out) == 0 && out.n == 0);
	OK(ed_go_glob(NULL, d, "a[", &out) < 0);
	kb_strv_free(&out);
	tap_rmtree(d);
	free(d);
}

static void test_diff(void)
{
	char *s = ed_unified_diff("a\nb\nc\n", 6, "a\nB\nc\n", 6, "k.yaml", "k.yaml");
	STR_EQ(s, "--- a/k.yaml\n+++ b/k.yaml\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	free(s);
	s = ed_unified_diff("x", 1, "x\ny", 3, "k", "k");
	STR_EQ(s, "--- a/k\n+++ b/k\n@@ -1 +1,2 @@\n-x\n\\ No newline at end of file\n+x\n+y\n"
		  "\\ No newline at end of file\n");
	free(s);
	s = ed_unified_diff("", 0, "n\n", 2, "/dev/null", "k");
	STR_EQ(s, "--- /dev/null\n+++ b/k\n@@ -0,0 +1 @@\n+n\n");
	free(s);
	/* two changes far apart are two hunks */
	kb_buf a = KB_BUF_INIT, b = KB_BUF_INIT;
	for (int i = 0; i < 20; i++) {
		kb_buf_printf(&a, "l%d\n", i);
		kb_buf_printf(&b, "%s%d\n", i == 2 || i == 17 ? "X" : "l", i);
	}
	s = ed_unified_diff(a.data, a.len, b.data, b.len, "k", "k");
	OK(strstr(s, "@@ -1,6 +1,6 @@") && strstr(s, "@@ -15,6 +15,6 @@"));
	free(s);
	kb_buf_free(&a);
	kb_buf_free(&b);
	s = ed_unified_diff("same\n", 5, "same\n", 5, "k", "k");
	STR_EQ(s, "");
	free(s);
}

static void test_write(void)
{
	char *d = tap_tmpdir("edit");
	tap_write(d, "real/k.yaml", "resources:\n- a.yaml\n");
	tap_write(d, "b.yaml", "");
	char *link = kb_xasprintf("%s/kustomization.yaml", d);
	OK(symlink("real/k.yaml", link) == 0);
	char *real = kb_xasprintf("%s/real/k.yaml", d);
	OK(chmod(real, 0604) == 0);
	kb_edit_options o;
	kb_edit_options_init(&o);
	o.dir = d;
	kb_edit *e = NULL;
	kb_error *err = kb_edit_open(&o, &e);
	OK(!err && e);
	const char *a[] = { "b.yaml" };
	OK(e && !kb_edit_add(e, KB_EDIT_RESOURCES, a, 1, 0));
	char *diff = e ? kb_edit_diff(e) : NULL;
	OK(diff && strstr(diff, "+- b.yaml\n"));
	free(diff);
	OK(e && !kb_edit_write(e));
	struct stat st;
	OK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	OK(stat(real, &st) == 0 && (st.st_mode & 07777) == 0604);
	size_t len;
	char *body = kb_read_file(real, &len);
	STR_EQ(body, "resources:\n- a.yaml\n- b.yaml\n");
	free(body);
	/* written once: a second write of the same session writes nothing */
	ino_t ino = st.st_ino;
	OK(e && !kb_edit_changed(e) && !kb_edit_write(e));
	OK(stat(real, &st) == 0 && st.st_ino == ino);
	kb_edit_free(e);
	/* no kustomization */
	unlink(link);
	err = kb_edit_open(&o, &e);
	OK(err && strstr(err->primary.msg, "Missing kustomization file"));
	kb_error_free(err);
	/* two of them */
	tap_write(d, "kustomization.yaml", "");
	tap_write(d, "Kustomization", "");
	err = kb_edit_open(&o, &e);
	OK(err && strstr(err->primary.msg, "Found multiple kustomization file: [kustomization.yaml "
					   "Kustomization]"));
	kb_error_free(err);
	/* create writes a new file; a second create is refused */
	unlink(link);
	char *k2 = kb_xasprintf("%s/Kustomization", d);
	unlink(k2);
	free(k2);
	kb_create_options c;
	kb_create_options_init(&c);
	c.resources = "b.yaml";
	err = kb_edit_create(&o, &c, &e);
	OK(!err && e && !kb_edit_write(e));
	kb_edit_free(e);
	body = kb_read_file(link, &len);
	STR_EQ(body, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
		     "- b.yaml\n");
	free(body);
	err = kb_edit_create(&o, &c, &e);
	OK(err && strstr(err->primary.msg, "already exists"));
	kb_error_free(err);
	free(link);
	free(real);
	tap_rmtree(d);
	free(d);
}

int main(void)
{
	mfs = kb_memfs_new(NULL);
	kb_memfs_add(mfs, "/m/a.yaml", "", 0);
	kb_memfs_add(mfs, "/m/b.yaml", "", 0);
	test_positions();
	test_scalars();
	test_lists();
	test_maps();
	test_refusals();
	test_moves();
	test_glob();
	test_diff();
	test_write();
	kb_memfs_free(mfs);
	return tap_done();
}
