/* test_resdiff.c - the diff by resource (kb_diff_result_add): matching,
 * hash renames, order, masking, YAML paths of hunks, overlay statuses. */
#include "resdiff.h"
#include "tap.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static kb_diff_side side(const char *yaml)
{
	kb_diff_side s = { true, yaml, yaml ? strlen(yaml) : 0, NULL };
	return s;
}

static const kb_diff_overlay *diff2(kb_diff_result *r, const char *a, const char *b)
{
	kb_diff_side x = side(a), y = side(b);
	kb_diff_options o;
	kb_diff_options_init(&o);
	kb_error *e = kb_diff_result_add(r, "t", &x, &y, &o);
	OK(e == NULL);
	kb_error_free(e);
	return kb_diff_result_overlay(r, kb_diff_result_count(r) - 1);
}

#define CM(name, val) \
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " name "\ndata:\n  k: " val "\n"
#define DEP(img) \
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  namespace: n\n" \
	"spec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: " img "\n"

static void test_order_and_moves(void)
{
	kb_diff_result *r = kb_diff_result_new();
	/* the same resources in another order: no change */
	const kb_diff_overlay *o = diff2(r, CM("a", "1") "---\n" CM("b", "2"), CM("b", "2") "---\n" CM("a", "1"));
	OK(o->status == KB_DIFF_OVERLAY_UNCHANGED && o->nresources == 0 && o->unchanged == 2);
	/* added, removed, changed */
	o = diff2(r, CM("a", "1") "---\n" CM("b", "2"), CM("a", "9") "---\n" CM("c", "3"));
	OK(o->status == KB_DIFF_OVERLAY_CHANGED && o->nresources == 3);
	if (o->nresources == 3) {
		OK(o->resources[0].status == KB_DIFF_CHANGED && strcmp(o->resources[0].name, "a") == 0);
		OK(o->resources[1].status == KB_DIFF_ADDED && strcmp(o->resources[1].name, "c") == 0);
		OK(o->resources[2].status == KB_DIFF_REMOVED && strcmp(o->resources[2].name, "b") == 0);
		STR_EQ(o->resources[0].hunks[0].path, "data.k");
	}
	/* the same name in two namespaces are two resources */
	o = diff2(r, CM("a", "1"), CM("a", "1") "---\n"
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: x\n");
	OK(o->added == 1 && o->unchanged == 1);
	kb_diff_result_free(r);
}

static void test_hash_rename(void)
{
	kb_diff_result *r = kb_diff_result_new();
	const kb_diff_overlay *o = diff2(r, CM("cfg-hf678c7m2b", "1"), CM("cfg-47668c6k28", "2"));
	OK(o->nresources == 1 && o->resources[0].status == KB_DIFF_CHANGED);
	STR_EQ(o->resources[0].base_name, "cfg-hf678c7m2b");
	STR_EQ(o->resources[0].name, "cfg-47668c6k28");
	/* a name that only looks like a stem plus hash on one side, with two
	 * candidates on the other, is not guessed at */
	o = diff2(r, CM("cfg-hf678c7m2b", "1"), CM("cfg-47668c6k28", "2") "---\n" CM("cfg-2222222222", "3"));
	OK(o->added == 2 && o->removed == 1 && o->changed == 0);
	/* not a hash (a vowel), not followed */
	o = diff2(r, CM("cfg-aaaaaaaaaa", "1"), CM("cfg-bbbbbbbbbb", "1"));
	OK(o->added == 1 && o->removed == 1);
	/* only ConfigMaps and Secrets carry hashes */
	o = diff2(r, DEP("x") , "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d-hf678c7m2b\n");
	OK(o->added == 1 && o->removed == 1);
	kb_diff_result_free(r);
}

#define SECRET(data) \
	"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n" data

static void test_masking(void)
{
	kb_diff_result *r = kb_diff_result_new();
	const kb_diff_overlay *o =
		diff2(r, SECRET("data:\n  p: aHVudGVyMg==\n  u: YWRtaW4=\n"),
		      SECRET("data:\n  p: c3dvcmRmaXNo\n  u: YWRtaW4=\n"));
	OK(o->nresources == 1 && o->resources[0].masked);
	bool leaked = false, changed_line = false;
	for (size_t h = 0; o->nresources && h < o->resources[0].nhunks; h++)
		for (size_t l = 0; l < o->resources[0].hunks[h].nlines; l++) {
			const kb_diff_line *ln = &o->resources[0].hunks[h].lines[l];
			if (strstr(ln->text, "aHVudGVyMg") || strstr(ln->text, "c3dvcmRmaXNo") ||
			    strstr(ln->text, "YWRtaW4"))
				leaked = true;
			if (ln->op == '+' && strstr(ln->text, "p: <secret sha256:"))
				changed_line = true;
		}
	OK(!leaked);
	OK(changed_line);
	/* the same value in data (base64) and stringData hashes the same */
	char *a = kb_diff_mask_value("aHVudGVyMg==", 12, true);
	char *b = kb_diff_mask_value("hunter2", 7, false);
	STR_EQ(a, b);
	free(a);
	free(b);
	/* a value that does not change keeps its mask: no difference */
	o = diff2(r, SECRET("stringData:\n  p: x\n"), SECRET("stringData:\n  p: x\n"));
	OK(o->status == KB_DIFF_OVERLAY_UNCHANGED);
	/* shown when asked */
	kb_diff_side x = side(SECRET("stringData:\n  p: old\n")), y = side(SECRET("stringData:\n  p: new\n"));
	kb_diff_options opt;
	kb_diff_options_init(&opt);
	opt.show_secrets = 1;
	kb_error *e = kb_diff_result_add(r, "s", &x, &y, &opt);
	OK(!e);
	o = kb_diff_result_overlay(r, kb_diff_result_count(r) - 1);
	OK(o->nresources == 1 && !o->resources[0].masked);
	bool shown = false;
	for (size_t l = 0; o->nresources && l < o->resources[0].hunks[0].nlines; l++)
		shown |= strcmp(o->resources[0].hunks[0].lines[l].text, "  p: new") == 0;
	OK(shown);
	kb_diff_result_free(r);
}

static void test_paths(void)
{
	kb_diff_result *r = kb_diff_result_new();
	const kb_diff_overlay *o = diff2(r, DEP("a:1"), DEP("a:2"));
	OK(o->nresources == 1);
	if (o->nresources)
		STR_EQ(o->resources[0].hunks[0].path, "spec.template.spec.containers[0].image");
	o = diff2(r,
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n"
		  "    example.com/x: \"1\"\n",
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n"
		  "    example.com/x: \"2\"\n");
	if (o->nresources)
		STR_EQ(o->resources[0].hunks[0].path, "metadata.annotations[\"example.com/x\"]");
	/* a line inside a block scalar belongs to its key */
	o = diff2(r, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  f: |\n    a\n    b\n",
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  f: |\n    a\n    c\n");
	if (o->nresources)
		STR_EQ(o->resources[0].hunks[0].path, "data.f");
	kb_diff_result_free(r);
}

static void test_statuses(void)
{
	kb_diff_result *r = kb_diff_result_new();
	kb_diff_side ok = side(CM("a", "1")), bad = { true, NULL, 0, "boom\n" },
		     bad2 = { true, NULL, 0, "other\n" }, none = { 0 };
	struct {
		kb_diff_side *b, *h;
		kb_diff_overlay_status want;
	} cases[] = {
		{ &ok, &bad, KB_DIFF_OVERLAY_BROKEN },	   { &bad, &ok, KB_DIFF_OVERLAY_FIXED },
		{ &bad, &bad, KB_DIFF_OVERLAY_UNCHANGED }, { &bad, &bad2, KB_DIFF_OVERLAY_FAILING },
		{ &none, &ok, KB_DIFF_OVERLAY_ADDED },	   { &ok, &none, KB_DIFF_OVERLAY_REMOVED },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		kb_error *e = kb_diff_result_add(r, "x", cases[i].b, cases[i].h, NULL);
		OK(!e);
		OK(kb_diff_result_overlay(r, i)->status == cases[i].want);
	}
	OK(kb_diff_result_overlay(r, 1)->added == 1); /* fixed: what it now renders */
	OK(kb_diff_result_differs(r));
	/* a stream that is not YAML is an error, not a result */
	kb_diff_side junk = side("a: [\n");
	kb_error *e = kb_diff_result_add(r, "j", &junk, &ok, NULL);
	OK(e != NULL);
	kb_error_free(e);
	kb_diff_result_free(r);
}

int main(void)
{
	test_order_and_moves();
	test_hash_rename();
	test_masking();
	test_paths();
	test_statuses();
	return tap_done();
}
