/* test_flux_checkdiff.c - `check --flux` and `diff --flux` in the library:
 * kb_check_flux's one result per Flux Kustomization (names, files, errors,
 * bundles, usage errors) and kb_diff_flux on a scripted git repository
 * (Kustomizations paired across revisions, added, broken, a values file
 * git does not track read on both sides). */
#include "tap.h"
#include "fs.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GIT "git -c user.name=t -c user.email=t@e -c commit.gpgsign=false "

static int sh(const char *dir, const char *cmd)
{
	char *c = kb_xasprintf("cd '%s' && { %s; } >/dev/null 2>&1", dir, cmd);
	int rc = system(c);
	free(c);
	return rc;
}

static char *sync_yaml(const char *cluster)
{
	return kb_xasprintf(
		"apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n"
		"  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n"
		"  url: https://example.com/fleet\n---\n"
		"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
		"  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 10m\n"
		"  path: ./clusters/%s\n  prune: true\n  sourceRef:\n    kind: GitRepository\n"
		"    name: flux-system\n",
		cluster);
}

static char *ks(const char *name, const char *path, const char *extra)
{
	return kb_xasprintf("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
			    "metadata:\n  name: %s\n  namespace: flux-system\nspec:\n"
			    "  interval: 10m\n  path: %s\n  prune: true\n  sourceRef:\n"
			    "    kind: GitRepository\n    name: flux-system\n%s",
			    name, path, extra);
}

/* A fleet in dir: clusters/dev (infra, apps after it, substituting
 * ${who}) and clusters/prod (apps only). */
static void write_fleet(const char *d, bool with_broken)
{
	char *s = sync_yaml("dev");
	tap_write(d, "clusters/dev/flux-system/gotk-sync.yaml", s);
	free(s);
	tap_write(d, "clusters/dev/flux-system/kustomization.yaml", "resources:\n- gotk-sync.yaml\n");
	s = ks("apps", "./apps", "  dependsOn:\n  - name: infra\n  postBuild:\n    substitute:\n"
				 "      who: world\n");
	tap_write(d, "clusters/dev/apps.yaml", s);
	free(s);
	s = ks("infra", "./infra", "");
	tap_write(d, "clusters/dev/infra.yaml", s);
	free(s);
	if (with_broken) {
		s = ks("broken", "./nowhere", "");
		tap_write(d, "clusters/dev/broken.yaml", s);
		free(s);
	}
	s = sync_yaml("prod");
	tap_write(d, "clusters/prod/flux-system/gotk-sync.yaml", s);
	free(s);
	tap_write(d, "clusters/prod/flux-system/kustomization.yaml", "resources:\n- gotk-sync.yaml\n");
	s = ks("apps", "./apps", "  postBuild:\n    substitute:\n      who: prod\n");
	tap_write(d, "clusters/prod/apps.yaml", s);
	free(s);
	tap_write(d, "apps/cm.yaml",
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n  namespace: default\n"
		  "data:\n  greeting: hello ${who}\n");
	tap_write(d, "infra/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: infra\n");
}

/* ---- kb_check_flux ---- */

typedef struct seen {
	char *name[16], *file[16], *spec[16], *yaml[16], *err[16];
	unsigned line[16];
	int ok[16];
	size_t n;
} seen;

static int collect(void *ud, const kb_check_result *r)
{
	seen *s = ud;
	if (s->n >= 16)
		return 1;
	size_t i = s->n++;
	s->name[i] = kb_xstrdup(r->path);
	s->file[i] = kb_xstrdup(r->flux_file ? r->flux_file : "(null)");
	s->spec[i] = kb_xstrdup(r->flux_spec_path ? r->flux_spec_path : "(null)");
	s->yaml[i] = r->yaml ? kb_xstrndup(r->yaml, r->yaml_len) : NULL;
	s->err[i] = r->error ? kb_error_format(r->error) : NULL;
	s->line[i] = r->flux_line;
	s->ok[i] = r->ok;
	return 0;
}

static void seen_free(seen *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->name[i]);
		free(s->file[i]);
		free(s->spec[i]);
		free(s->yaml[i]);
		free(s->err[i]);
	}
	memset(s, 0, sizeof(*s));
}

static size_t find(const seen *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return i;
	return (size_t)-1;
}

static void test_check(void)
{
	char *d = tap_tmpdir("fluxcheck");
	write_fleet(d, true);
	char *dev = kb_path_join(d, "clusters/dev");
	char *prod = kb_path_join(d, "clusters/prod");

	seen s = { 0 };
	kb_check_options co;
	kb_check_options_init(&co);
	const char *one[] = { dev };
	co.paths = one;
	co.npaths = 1;
	co.keep_output = 1;
	co.on_result = collect;
	co.ud = &s;
	kb_check_summary sum;
	kb_error *e = kb_check_flux(&co, NULL, &sum);
	OK(e == NULL);
	kb_error_free(e);
	/* one result per Kustomization, in apply order */
	OK(s.n == 4 && sum.overlays == 4 && sum.ok == 3 && sum.failed == 1);
	if (s.n == 4) {
		STR_EQ(s.name[0], "flux-system/flux-system");
		OK(find(&s, "flux-system/infra") < find(&s, "flux-system/apps"));
	}
	size_t a = find(&s, "flux-system/apps"), b = find(&s, "flux-system/broken");
	OK(a != (size_t)-1 && b != (size_t)-1);
	if (a != (size_t)-1 && b != (size_t)-1) {
		OK(s.ok[a] && s.err[a] == NULL);
		STR_EQ(s.spec[a], "./apps");
		OK(strstr(s.file[a], "clusters/dev/apps.yaml") != NULL && s.line[a] == 1);
		OK(s.yaml[a] && strstr(s.yaml[a], "greeting: hello world\n"));
		/* the failure: its error names the Kustomization and its file */
		OK(!s.ok[b] && s.err[b] != NULL);
		OK(s.err[b] && strstr(s.err[b], "kustomization path not found") &&
		   strstr(s.err[b], "clusters/dev/broken.yaml"));
		OK(s.yaml[b] == NULL);
	}
	seen_free(&s);

	/* several PATHs: each name says its cluster; bundles per PATH */
	char *out = kb_path_join(d, "bundles");
	const char *two[] = { dev, prod };
	co.paths = two;
	co.npaths = 2;
	co.bundle_dir = out;
	e = kb_check_flux(&co, NULL, &sum);
	OK(e == NULL);
	kb_error_free(e);
	OK(s.n == 6 && sum.overlays == 6 && sum.failed == 1);
	char *devname = kb_path_display(dev), *prodname = kb_path_display(prod);
	char *pa = kb_xasprintf("%s flux-system/apps", prodname);
	char *da = kb_xasprintf("%s flux-system/apps", devname);
	size_t pi = find(&s, pa), di = find(&s, da);
	OK(pi != (size_t)-1 && di != (size_t)-1);
	if (pi != (size_t)-1)
		OK(s.yaml[pi] && strstr(s.yaml[pi], "greeting: hello prod\n"));
	/* DIR/PATH/NAMESPACE/NAME.yaml, what kbuild flux -o writes */
	char *bf = kb_xasprintf("%s/%s/flux-system/apps.yaml", out, prodname);
	size_t len = 0;
	char *text = kb_fs_read(NULL, bf, &len);
	OK(text && pi != (size_t)-1 && s.yaml[pi] && strcmp(text, s.yaml[pi]) == 0);
	free(text);
	free(bf);
	/* a failed Kustomization leaves no bundle */
	bf = kb_xasprintf("%s/%s/flux-system/broken.yaml", out, devname);
	OK(!kb_fs_is_file(NULL, bf));
	free(bf);
	free(pa);
	free(da);
	free(devname);
	free(prodname);
	seen_free(&s);
	co.bundle_dir = NULL;

	/* usage errors: a missing PATH, --since, --exclude */
	char *nope = kb_path_join(d, "clusters/nope");
	const char *bad[] = { nope };
	co.paths = bad;
	co.npaths = 1;
	e = kb_check_flux(&co, NULL, &sum);
	OK(e && kb_error_code(e) == KB_ERR_USAGE);
	kb_error_free(e);
	seen_free(&s);
	co.paths = one;
	co.since = "HEAD";
	e = kb_check_flux(&co, NULL, &sum);
	OK(e && kb_error_code(e) == KB_ERR_USAGE && s.n == 0);
	kb_error_free(e);
	co.since = NULL;
	const char *ex[] = { "x" };
	co.exclude = ex;
	co.nexclude = 1;
	e = kb_check_flux(&co, NULL, &sum);
	OK(e && kb_error_code(e) == KB_ERR_USAGE && s.n == 0);
	kb_error_free(e);
	co.exclude = NULL;
	co.nexclude = 0;

	/* strict substitution through the flux options */
	tap_write(d, "apps/cm2.yaml",
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: unset\n  namespace: default\n"
		  "data:\n  v: ${nobody}\n");
	kb_flux_options fo;
	kb_flux_options_init(&fo);
	fo.strict_substitute = 1;
	e = kb_check_flux(&co, &fo, &sum);
	OK(e == NULL);
	kb_error_free(e);
	a = find(&s, "flux-system/apps");
	OK(a != (size_t)-1 && !s.ok[a] && s.err[a] && strstr(s.err[a], "nobody"));
	seen_free(&s);

	free(nope);
	free(out);
	free(dev);
	free(prod);
	tap_rmtree(d);
	free(d);
}

/* ---- kb_diff_flux ---- */

static const kb_diff_overlay *entry(const kb_diff_result *r, const char *name)
{
	for (size_t i = 0; i < kb_diff_result_count(r); i++)
		if (strcmp(kb_diff_result_overlay(r, i)->path, name) == 0)
			return kb_diff_result_overlay(r, i);
	return NULL;
}

static void test_diff(void)
{
	char *d = tap_tmpdir("fluxdiff");
	write_fleet(d, false);
	/* values only the working tree has (a decrypted copy git ignores) */
	char *s = ks("apps", "./apps",
		     "  dependsOn:\n  - name: infra\n  postBuild:\n    substitute:\n"
		     "      who: world\n    substituteFrom:\n    - kind: Secret\n      name: vals\n");
	tap_write(d, "clusters/dev/apps.yaml", s);
	free(s);
	tap_write(d, "apps/cm.yaml",
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n  namespace: default\n"
		  "data:\n  greeting: hello ${who}\n  token: ${token}\n");
	tap_write(d, ".gitignore", "secret.yaml\n");
	tap_write(d, "secret.yaml",
		  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: vals\n  namespace: flux-system\n"
		  "stringData:\n  token: s3cr3t\n");
	OK(sh(d, "git init -q . && git add -A && " GIT "commit -qm a && git tag a") == 0);
	char *dev = kb_path_join(d, "clusters/dev");
	char *vals = kb_path_join(d, "secret.yaml");
	const char *paths[] = { dev };
	const char *values[] = { vals };
	kb_flux_options fo;
	kb_flux_options_init(&fo);
	fo.values_from = values;
	fo.nvalues_from = 1;
	kb_diff_options o;
	kb_diff_options_init(&o);
	o.paths = paths;
	o.npaths = 1;

	/* nothing changed: every Kustomization rendered, none differs */
	kb_diff_result *r = NULL;
	kb_error *e = kb_diff_flux(&o, &fo, &r);
	OK(e == NULL && r != NULL);
	if (e) {
		char *t = kb_error_format(e);
		printf("# %s", t);
		free(t);
	}
	kb_error_free(e);
	if (r) {
		OK(kb_diff_result_entries(r) == KB_DIFF_FLUX_KUSTOMIZATIONS);
		OK(kb_diff_result_count(r) == 3 && !kb_diff_result_differs(r));
		const kb_diff_overlay *ov = entry(r, "flux-system/apps");
		/* the values file was read on the base side too */
		OK(ov && !ov->base_error && !ov->head_error);
		OK(ov && ov->file && strstr(ov->file, "clusters/dev/apps.yaml") && ov->line == 1);
	}
	kb_diff_result_free(r);

	/* a change to a base shows under the Kustomization that builds it,
	 * a new Kustomization is added, one that stops building is broken */
	tap_write(d, "apps/cm.yaml",
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n  namespace: default\n"
		  "data:\n  greeting: goodbye ${who}\n  token: ${token}\n");
	s = ks("extra", "./infra", "  targetNamespace: extra\n");
	tap_write(d, "clusters/dev/extra.yaml", s);
	free(s);
	tap_write(d, "infra/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: [\n");
	e = kb_diff_flux(&o, &fo, &r);
	OK(e == NULL && r != NULL);
	kb_error_free(e);
	if (r) {
		OK(kb_diff_result_differs(r));
		const kb_diff_overlay *apps = entry(r, "flux-system/apps");
		const kb_diff_overlay *infra = entry(r, "flux-system/infra");
		const kb_diff_overlay *extra = entry(r, "flux-system/extra");
		const kb_diff_overlay *fs = entry(r, "flux-system/flux-system");
		OK(infra && infra->status == KB_DIFF_OVERLAY_BROKEN && infra->head_error &&
		   strstr(infra->head_error, "infra/ns.yaml"));
		OK(extra && (extra->status == KB_DIFF_OVERLAY_ADDED));
		/* flux-system applies one more Kustomization object */
		OK(fs && fs->status == KB_DIFF_OVERLAY_CHANGED && fs->added == 1);
		/* apps still renders (kbuild flux warns that in the cluster it
		 * waits for the failed infra) and shows its change */
		OK(apps && apps->status == KB_DIFF_OVERLAY_CHANGED && apps->changed == 1);
		kb_diff_summary sum;
		kb_diff_result_summary(r, &sum);
		OK(sum.overlays == 4 && sum.rendered == 4 && sum.changed_files >= 3);
	}
	kb_diff_result_free(r);

	/* commit it (infra fixed) and compare two revisions */
	tap_write(d, "infra/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: infra\n");
	OK(sh(d, "git add -A && " GIT "commit -qm b && git tag b") == 0);
	o.base = "a";
	o.head = "b";
	e = kb_diff_flux(&o, &fo, &r);
	OK(e == NULL && r != NULL);
	kb_error_free(e);
	if (r) {
		const kb_diff_overlay *apps = entry(r, "flux-system/apps");
		OK(apps && apps->status == KB_DIFF_OVERLAY_CHANGED && apps->changed == 1);
		if (apps && apps->nresources == 1)
			STR_EQ(apps->resources[0].name, "hello");
		OK(entry(r, "flux-system/infra") &&
		   entry(r, "flux-system/infra")->status == KB_DIFF_OVERLAY_UNCHANGED);
		STR_EQ(kb_diff_result_head_rev(r), "b");
	}
	kb_diff_result_free(r);

	/* usage errors */
	o.base = NULL;
	o.head = NULL;
	const char *ex[] = { "x" };
	o.exclude = ex;
	o.nexclude = 1;
	e = kb_diff_flux(&o, &fo, &r);
	OK(e && kb_error_code(e) == KB_ERR_USAGE && r == NULL);
	kb_error_free(e);
	o.exclude = NULL;
	o.nexclude = 0;
	char *nope = kb_path_join(d, "clusters/nope");
	const char *bad[] = { nope };
	o.paths = bad;
	e = kb_diff_flux(&o, &fo, &r);
	OK(e && kb_error_code(e) == KB_ERR_USAGE && r == NULL);
	kb_error_free(e);

	free(nope);
	free(vals);
	free(dev);
	tap_rmtree(d);
	free(d);
}

int main(void)
{
	test_check();
	test_diff();
	return tap_done();
}
