/* test_warnings.c - what kustomize accepts silently but is almost always
 * a mistake gets a warning naming the entry's file:line:col (and the
 * output stays kustomize's); what does its job gets none. */
#include "kbuild.h"
#include "fs.h"
#include "tap.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char deploy[] = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
			     "  labels:\n    app: web\nspec:\n  template:\n    spec:\n"
			     "      containers:\n      - name: c\n        image: nginx:1\n";

static char *root;

/* The warnings of building dir (one per line), or NULL when it fails. */
static char *warnings_of(const char *dir, const char *kust)
{
	tap_write(root, "base/deploy.yaml", deploy);
	tap_write(root, "base/kustomization.yaml", "resources:\n- deploy.yaml\n");
	char *k = kb_xasprintf("%s/kustomization.yaml", dir);
	tap_write(root, k, kust);
	free(k);
	kb_options o;
	kb_options_init(&o);
	char *path = kb_path_join(root, dir);
	o.path = path;
	kb_result *res = NULL;
	kb_error *e = kb_build(&o, &res);
	free(path);
	if (e) {
		char *t = kb_error_format(e);
		printf("# build failed: %s", t);
		free(t);
		kb_error_free(e);
		return NULL;
	}
	kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; i < kb_result_warning_count(res); i++)
		kb_buf_printf(&b, "%s\n", kb_result_warning(res, i));
	kb_result_free(res);
	return kb_buf_detach(&b);
}

static void expect(const char *dir, const char *kust, const char *want)
{
	char *got = warnings_of(dir, kust);
	OK(got != NULL);
	if (!got)
		return;
	/* the paths are absolute here (the tree is outside the cwd) */
	char *prefix = kb_xasprintf("%s/", root);
	kb_buf rel = KB_BUF_INIT;
	for (const char *p = got; *p;) {
		const char *hit = strstr(p, prefix);
		if (!hit) {
			kb_buf_puts(&rel, p);
			break;
		}
		kb_buf_append(&rel, p, (size_t)(hit - p));
		p = hit + strlen(prefix);
	}
	STR_EQ(rel.data ? rel.data : "", want);
	kb_buf_free(&rel);
	free(prefix);
	free(got);
}

int main(void)
{
	root = tap_tmpdir("warnings");
	/* patches: a target selecting nothing, inline and from a file */
	tap_write(root, "p/ops.yaml", "- op: add\n  path: /x\n  value: 1\n");
	expect("p",
	       "resources:\n- ../base\npatches:\n- target:\n    kind: StatefulSet\n  patch: |\n"
	       "    - op: add\n      path: /x\n      value: 1\n- path: ops.yaml\n  target:\n"
	       "    name: nope\n- path: ops.yaml\n  target:\n    kind: Deployment\n",
	       "p/kustomization.yaml:4:3: warning: patch target selects no resource, so the inline "
	       "patch changes nothing; check the target's kind, name, namespace and selectors\n"
	       "p/kustomization.yaml:11:3: warning: patch target selects no resource, so patch "
	       "'p/ops.yaml' changes nothing; check the target's kind, name, namespace and "
	       "selectors\n");
	expect("j",
	       "resources:\n- ../base\npatchesJson6902:\n- target:\n    kind: Service\n    name: web\n"
	       "  patch: '[{\"op\": \"add\", \"path\": \"/x\", \"value\": 1}]'\n",
	       "j/kustomization.yaml:3:1: warning: 'patchesJson6902' is deprecated; use 'patches' "
	       "instead\n"
	       "j/kustomization.yaml:4:3: warning: patch target selects no resource, so the inline "
	       "patch changes nothing; check the target's kind, name, namespace and selectors\n");
	/* images: one that matches, one that does not */
	expect("i", "resources:\n- ../base\nimages:\n- name: nginx\n  newTag: \"2\"\n- name: ngin\n"
		    "  newTag: \"2\"\n",
	       "i/kustomization.yaml:6:3: warning: images entry 'ngin' matches no container image; "
	       "check its name\n");
	/* labels and annotations that change nothing, and ones that do */
	expect("l",
	       "resources:\n- ../base\nlabels:\n- pairs:\n    app: web\n- pairs:\n    tier: x\n"
	       "commonLabels:\n  app: web\n",
	       "l/kustomization.yaml:8:1: warning: 'commonLabels' is deprecated; use 'labels' instead\n"
	       "l/kustomization.yaml:4:3: warning: this labels entry changes nothing: no resource has "
	       "a field it applies to, or every one already has its values\n");
	expect("l2", "resources:\n- ../base\nlabels:\n- pairs:\n    app: web\n",
	       "l2/kustomization.yaml:4:3: warning: this labels entry changes nothing: no resource has "
	       "a field it applies to, or every one already has its values\n");
	expect("e", "configMapGenerator: []\nlabels:\n- pairs:\n    a: b\ncommonAnnotations:\n  x: z\n",
	       "e/kustomization.yaml:3:3: warning: this labels entry changes nothing: there is no "
	       "resource for it to change\n"
	       "e/kustomization.yaml:5:1: warning: commonAnnotations changes nothing: there is no "
	       "resource for it to change\n");
	expect("a", "resources:\n- ../base\ncommonAnnotations:\n  note: x\n", "");
	/* a PatchTransformer plugin config warns the same way, at its file */
	tap_write(root, "t/pt.yaml",
		  "apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: pt\ntarget:\n"
		  "  kind: Job\npatch: '[{\"op\": \"add\", \"path\": \"/x\", \"value\": 1}]'\n");
	char *got = warnings_of("t", "resources:\n- ../base\ntransformers:\n- pt.yaml\n");
	OK(got && strstr(got, "t/pt.yaml") && strstr(got, "patch target selects no resource"));
	free(got);
	/* kustomize's output is unchanged: the patch that selects nothing
	 * leaves the Deployment as the base has it */
	char *err = NULL;
	char *plain = tap_build(root, "base", NULL, &err);
	char *patched = tap_build(root, "p", NULL, &err);
	OK(plain && patched && strstr(patched, "x: 1") && !strstr(plain, "x: 1"));
	free(plain);
	free(patched);
	free(err);
	tap_rmtree(root);
	free(root);
	return tap_done();
}
