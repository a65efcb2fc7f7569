/* test_kustfile.c - finding and validating a kustomization file, in
 * temporary directories that are removed afterwards. */
#include "diag.h"
#include "kustfile.h"
#include "node.h"
#include "tap.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root[PATH_MAX];

/* A fresh empty directory under root (absolute and canonical, as
 * kb_kust_load requires); caller frees. */
static char *new_dir(const char *name)
{
	char *d = kb_xasprintf("%s/%s", root, name);
	char *cmd = kb_xasprintf("mkdir -p '%s'", d);
	OK(system(cmd) == 0);
	free(cmd);
	return d;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = kb_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	OK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(p);
}

/* Loads a kustomization with the given text in a new directory;
 * returns the error (caller frees) and the loaded file in *out. */
static kb_error *load_text(const char *dirname, const char *fname, const char *text,
			   kb_warnings *w, kb_kust **out)
{
	char *d = new_dir(dirname);
	write_file(d, fname, text);
	kb_error *e = kb_kust_load(NULL, d, NULL, w, out);
	free(d);
	return e;
}

static void test_find(void)
{
	OK(strcmp(kb_kust_filenames[0], "kustomization.yaml") == 0);
	OK(strcmp(kb_kust_filenames[1], "kustomization.yml") == 0);
	OK(strcmp(kb_kust_filenames[2], "Kustomization") == 0);

	/* each of the three names is found */
	for (size_t i = 0; i < 3; i++) {
		char *name = kb_xasprintf("find%zu", i);
		kb_kust *k = NULL;
		kb_error *e = load_text(name, kb_kust_filenames[i], "namePrefix: x-\n", NULL, &k);
		OK(e == NULL && k != NULL);
		if (k) {
			OK(kb_str_has_suffix(k->path, kb_kust_filenames[i]));
			OK(kb_str_has_suffix(k->dir, name));
			OK(!k->component);
			STR_EQ(kb_map_get_str(k->doc, "namePrefix"), "x-");
		}
		kb_error_free(e);
		kb_kust_free(k);
		char *d = kb_xasprintf("%s/%s", root, name);
		OK(kb_kust_exists(NULL, d));
		free(d);
		free(name);
	}

	/* none: an error that names the directory */
	char *d = new_dir("none");
	OK(!kb_kust_exists(NULL, d));
	kb_kust *k = (kb_kust *)1;
	kb_error *e = kb_kust_load(NULL, d, NULL, NULL, &k);
	OK(e != NULL && k == NULL);
	OK(e && strstr(e->primary.msg, "unable to find") != NULL);
	kb_error_free(e);

	/* two of them: kustomize refuses to choose */
	write_file(d, "kustomization.yaml", "resources: []\n");
	write_file(d, "Kustomization", "resources: []\n");
	e = kb_kust_load(NULL, d, NULL, NULL, &k);
	OK(e != NULL && k == NULL);
	OK(e && strstr(e->primary.msg, "multiple kustomization files") != NULL);
	kb_error_free(e);
	free(d);
}

static void test_validation(void)
{
	kb_kust *k = NULL;
	/* unknown fields are errors with the key's position */
	kb_error *e = load_text("unknown", "kustomization.yaml",
				"resources:\n- a.yaml\nnamePrefx: x-\n", NULL, &k);
	OK(e != NULL && k == NULL);
	if (e) {
		OK(strstr(e->primary.msg, "unknown field \"namePrefx\"") != NULL);
		OK(e->primary.line == 3 && e->primary.col == 1);
		OK(kb_str_has_suffix(e->primary.file, "kustomization.yaml"));
	}
	kb_error_free(e);

	/* field names match case-insensitively and are canonicalised */
	kb_warnings w = { 0 };
	e = load_text("case", "kustomization.yaml",
		      "NAMEPREFIX: a-\nnamesuffix: -b\nPatchesJSON6902: []\n", &w, &k);
	OK(e == NULL);
	if (k) {
		STR_EQ(kb_map_get_str(k->doc, "namePrefix"), "a-");
		STR_EQ(kb_map_get_str(k->doc, "nameSuffix"), "-b");
		OK(kb_map_get(k->doc, "patchesJson6902") != NULL);
		OK(kb_map_get(k->doc, "NAMEPREFIX") == NULL);
	}
	/* the deprecated field got a warning */
	OK(w.n == 1 && strstr(w.v[0], "patchesJson6902") != NULL);
	kb_warnings_free(&w);
	kb_error_free(e);
	kb_kust_free(k);
	k = NULL;

	/* bases are appended to resources (FixKustomization) */
	e = load_text("bases", "kustomization.yaml",
		      "bases:\n- ../b1\n- ../b2\nresources:\n- r.yaml\n", &w, &k);
	OK(e == NULL);
	const kb_node *res = NULL;
	if (k) {
		OK(kb_map_get(k->doc, "bases") == NULL);
		kb_error *e2 = kb_kust_strings(k, "resources", &res);
		OK(e2 == NULL);
		kb_error_free(e2);
		OK(res && res->n == 3);
		if (res && res->n == 3) {
			STR_EQ(res->items[0]->str, "r.yaml");
			STR_EQ(res->items[1]->str, "../b1");
			STR_EQ(res->items[2]->str, "../b2");
		}
		e2 = kb_kust_strings(k, "components", &res);
		OK(e2 == NULL && res == NULL);
		kb_error_free(e2);
	}
	OK(w.n == 1 && strstr(w.v[0], "'bases' is deprecated") != NULL);
	kb_warnings_free(&w);
	kb_error_free(e);
	kb_kust_free(k);
	k = NULL;
	/* bases alone make a resources list */
	e = load_text("basesonly", "kustomization.yaml", "bases:\n- ../b\n", NULL, &k);
	OK(e == NULL);
	if (k && kb_kust_strings(k, "resources", &res) == NULL)
		OK(res && res->n == 1);
	kb_error_free(e);
	kb_kust_free(k);
	k = NULL;

	/* kind and apiVersion */
	e = load_text("comp", "kustomization.yaml",
		      "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
		      "namePrefix: c-\n",
		      NULL, &k);
	OK(e == NULL && k && k->component);
	kb_error_free(e);
	kb_kust_free(k);
	k = NULL;
	e = load_text("badkind", "kustomization.yaml", "resources: []\nkind: Deployment\n", NULL,
		      &k);
	OK(e != NULL && e->primary.line == 2 && strstr(e->primary.msg, "Deployment") != NULL);
	kb_error_free(e);
	e = load_text("badav", "kustomization.yaml",
		      "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Kustomization\n", NULL,
		      &k);
	OK(e != NULL && e->primary.line == 1 && strstr(e->primary.msg, "v1beta1") != NULL);
	kb_error_free(e);
	e = load_text("badcav", "kustomization.yaml",
		      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Component\n", NULL, &k);
	OK(e != NULL && strstr(e->primary.msg, "v1alpha1") != NULL);
	kb_error_free(e);

	/* shapes */
	e = load_text("shape", "kustomization.yaml", "resources: a.yaml\n", NULL, &k);
	OK(e != NULL && strstr(e->primary.msg, "'resources' must be a list of strings") != NULL);
	kb_error_free(e);
	e = load_text("shape2", "kustomization.yaml", "commonLabels:\n  a: {b: c}\n", NULL, &k);
	OK(e != NULL && strstr(e->primary.msg, "commonLabels") != NULL);
	kb_error_free(e);

	/* empty, comment-only, non-mapping and multi-document files */
	e = load_text("empty", "kustomization.yaml", "", NULL, &k);
	OK(e != NULL && strstr(e->primary.msg, "empty") != NULL);
	kb_error_free(e);
	e = load_text("comment", "kustomization.yaml", "# nothing here\n", NULL, &k);
	OK(e != NULL && strstr(e->primary.msg, "empty") != NULL);
	kb_error_free(e);
	/* kubectl kustomize: "kustomization.yaml is empty" when nothing but
	 * apiVersion and kind is set; an empty list is something */
	e = load_text("onlykind", "kustomization.yaml",
		      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n", NULL,
		      &k);
	OK(e != NULL && strstr(e->primary.msg, "empty") != NULL);
	kb_error_free(e);
	e = load_text("emptylist", "kustomization.yaml", "resources: []\n", NULL, &k);
	OK(e == NULL && k != NULL);
	kb_error_free(e);
	kb_kust_free(k);
	k = NULL;
	e = load_text("list", "kustomization.yaml", "- a\n", NULL, &k);
	OK(e != NULL);
	kb_error_free(e);
	/* only the first document is read (sigs.k8s.io/yaml), with a warning;
	 * what follows is not even parsed */
	kb_warnings mw = { 0 };
	e = load_text("multi", "kustomization.yaml", "resources: []\n---\nbad: [\n", &mw, &k);
	OK(e == NULL && k != NULL);
	OK(mw.n == 1 && strstr(mw.v[0], "only the first") != NULL);
	kb_warnings_free(&mw);
	kb_error_free(e);
	kb_kust_free(k);
	k = NULL;
	/* an empty first document makes the file empty */
	e = load_text("multi2", "kustomization.yaml", "---\n---\nresources: []\n", NULL, &k);
	OK(e != NULL && k == NULL);
	kb_error_free(e);

	/* a kustomization's duplicate keys: last wins, as in goyaml.v2 */
	e = load_text("dup", "kustomization.yaml", "namePrefix: a-\nnamePrefix: b-\n", NULL, &k);
	OK(e == NULL);
	if (k)
		STR_EQ(kb_map_get_str(k->doc, "namePrefix"), "b-");
	kb_error_free(e);
	kb_kust_free(k);
	k = NULL;

	/* YAML errors carry the position */
	e = load_text("syntax", "kustomization.yaml", "resources:\n- a\n b: [\n", NULL, &k);
	OK(e != NULL && e->primary.line >= 2);
	kb_error_free(e);
	kb_kust_free(NULL);
}

int main(void)
{
	char tmpl[] = "/tmp/kb-kustfile-XXXXXX";
	if (!mkdtemp(tmpl) || !realpath(tmpl, root)) {
		perror("mkdtemp");
		return 1;
	}
	test_find();
	test_validation();
	char *cmd = kb_xasprintf("rm -rf '%s'", root);
	OK(system(cmd) == 0);
	free(cmd);
	return tap_done();
}
