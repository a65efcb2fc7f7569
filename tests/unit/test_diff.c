/* test_diff.c - kb_diff end to end on a scripted repository: the same
 * result on one thread and on several (both sides read concurrently
 * through the revisions' file systems; tools/test runs this under
 * ThreadSanitizer), the overlays a change selects, errors. */
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sh(const char *dir, const char *cmd)
{
	char *c = kb_xasprintf("cd '%s' && { %s; } >/dev/null 2>&1", dir, cmd);
	int rc = system(c);
	free(c);
	return rc;
}

#define GIT "git -c user.name=t -c user.email=t@e -c commit.gpgsign=false "

static char *repo(void)
{
	char *d = tap_tmpdir("diff");
	tap_write(d, "base/kustomization.yaml",
		  "resources:\n- cm.yaml\nconfigMapGenerator:\n- name: gen\n  literals:\n  - A=1\n");
	tap_write(d, "base/cm.yaml",
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: v1\n");
	tap_write(d, "lone/kustomization.yaml", "resources:\n- cm.yaml\n");
	tap_write(d, "lone/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lone\n");
	for (int i = 0; i < 12; i++) {
		char *k = kb_xasprintf("ov/o%02d/kustomization.yaml", i);
		char *t = kb_xasprintf("namespace: ns%d\nresources:\n- ../../base\n", i);
		tap_write(d, k, t);
		free(k);
		free(t);
	}
	OK(sh(d, "git init -q . && git add -A && " GIT "commit -qm a && git tag a") == 0);
	tap_write(d, "base/cm.yaml",
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: v2\n");
	OK(sh(d, "sed -i 's/A=1/A=2/' base/kustomization.yaml && " GIT "commit -qam b && git tag b") ==
	   0);
	return d;
}

/* One line per overlay: path, status, counts. */
static char *digest(const kb_diff_result *r)
{
	kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; i < kb_diff_result_count(r); i++) {
		const kb_diff_overlay *o = kb_diff_result_overlay(r, i);
		if (o->status == KB_DIFF_OVERLAY_UNCHANGED)
			continue;
		kb_buf_printf(&b, "%s %d +%zu ~%zu -%zu\n", o->path, (int)o->status, o->added,
			      o->changed, o->removed);
		for (size_t j = 0; j < o->nresources; j++)
			for (size_t h = 0; h < o->resources[j].nhunks; h++)
				kb_buf_printf(&b, "  %s %zu\n", o->resources[j].hunks[h].path,
					      o->resources[j].hunks[h].nlines);
	}
	kb_buf_append(&b, "", 0);
	return kb_buf_detach(&b);
}

static char *run(const char *dir, const char *base, const char *head, unsigned jobs, int all,
		 kb_diff_summary *s)
{
	kb_diff_options o;
	kb_diff_options_init(&o);
	const char *paths[] = { dir };
	o.paths = paths;
	o.npaths = 1;
	o.base = base;
	o.head = head;
	o.jobs = jobs;
	o.all = all;
	kb_diff_result *r = NULL;
	kb_error *e = kb_diff(&o, &r);
	OK(e == NULL);
	if (e) {
		char *t = kb_error_format(e);
		fprintf(stderr, "# %s", t);
		free(t);
		kb_error_free(e);
		return NULL;
	}
	kb_diff_result_summary(r, s);
	char *d = digest(r);
	kb_diff_result_free(r);
	return d;
}

static void test_threads(void)
{
	char *d = repo();
	kb_diff_summary s1, s4, sa;
	char *one = run(d, "a", "b", 1, 0, &s1);
	char *four = run(d, "a", "b", 4, 0, &s4);
	STR_EQ(four, one);
	/* the change reaches the base and its 12 overlays, not `lone` */
	OK(s1.overlays == 14 && s1.rendered == 13 && s1.differ == 13);
	OK(s1.changed == 26 && s1.added == 0 && s1.removed == 0);
	char *all = run(d, "a", "b", 4, 1, &sa);
	STR_EQ(all, one); /* lone rendered too, and unchanged: not in the digest but counted */
	OK(sa.rendered == 14);
	free(one);
	free(four);
	free(all);
	/* the working tree as head, while both sides' builds run at once */
	OK(sh(d, "git checkout -q a") == 0);
	one = run(d, "b", NULL, 1, 0, &s1);
	four = run(d, "b", NULL, 4, 0, &s4);
	STR_EQ(four, one);
	OK(s1.differ == 13);
	free(one);
	free(four);
	tap_rmtree(d);
	free(d);
}

static void test_errors(void)
{
	char *d = repo();
	kb_diff_options o;
	kb_diff_options_init(&o);
	const char *paths[] = { d };
	o.paths = paths;
	o.npaths = 1;
	o.base = "nope";
	kb_diff_result *r = NULL;
	kb_error *e = kb_diff(&o, &r);
	OK(e && !r && kb_error_code(e) == KB_ERR_USAGE);
	kb_error_free(e);
	tap_rmtree(d);
	free(d);
}

int main(void)
{
	test_threads();
	test_errors();
	return tap_done();
}
