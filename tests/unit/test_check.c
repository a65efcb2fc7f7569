/* test_check.c - kb_check: whole trees with passing, failing and warning
 * overlays; the report of -j 4 equals the report of -j 1 (this test also
 * runs under ThreadSanitizer, see tools/test); changed files select
 * exactly their dependents; strict, bundles, a callback that stops. */
#include "fs.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char deploy_fmt[] =
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web%d\nspec:\n  template:\n"
	"    spec:\n      containers:\n      - name: c\n        image: nginx:1.%d\n";

/* 12 apps x (base + 2 overlays), one shared base, one component, a cluster
 * overlay over every app: passing, failing and warning overlays. */
static char *write_tree(void)
{
	char *d = tap_tmpdir("check");
	tap_write(d, "shared/kustomization.yaml", "resources:\n- sa.yaml\n");
	tap_write(d, "shared/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n");
	tap_write(d, "comp/kustomization.yaml",
		  "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
		  "commonAnnotations:\n  team: a\n");
	kb_buf cluster = KB_BUF_INIT;
	kb_buf_puts(&cluster, "resources:\n");
	for (int i = 0; i < 12; i++) {
		char rel[128], text[512];
		snprintf(rel, sizeof(rel), "apps/a%02d/base/deploy.yaml", i);
		snprintf(text, sizeof(text), deploy_fmt, i, i);
		tap_write(d, rel, text);
		snprintf(rel, sizeof(rel), "apps/a%02d/base/kustomization.yaml", i);
		tap_write(d, rel, "resources:\n- ../../../shared\n- deploy.yaml\n");
		snprintf(rel, sizeof(rel), "apps/a%02d/dev/kustomization.yaml", i);
		if (i == 3) {
			tap_write(d, rel, "resources:\n- ../base\n- missing.yaml\n"); /* fails */
		} else if (i == 7) {
			snprintf(text, sizeof(text),
				 "resources:\n- ../base\nnamespace: a%02d\nimages:\n- name: redis\n"
				 "  newTag: \"2\"\n",
				 i);
			tap_write(d, rel, text);
		} else {
			snprintf(text, sizeof(text), "resources:\n- ../base\nnamespace: a%02d\n", i);
			tap_write(d, rel, text);
		}
		snprintf(rel, sizeof(rel), "apps/a%02d/prod/kustomization.yml", i);
		if (i == 5)
			tap_write(d, rel, "resources:\n- ../base\nbogusField: 1\n"); /* fails */
		else
			tap_write(d, rel, "resources:\n- ../base\ncomponents:\n- ../../../comp\n"
					  "namePrefix: prod-\n");
		if (i != 3)
			kb_buf_printf(&cluster, "- ../apps/a%02d/dev\n", i);
	}
	tap_write(d, "cluster/Kustomization", cluster.data);
	kb_buf_free(&cluster);
	tap_write(d, ".git/kustomization.yaml", "resources: [x]\n"); /* never looked into */
	tap_write(d, "legacy/kustomization.yaml", "resources: [x]\n");
	tap_write(d, ".kbuildignore", "legacy/\n");
	return d;
}

/* Everything a result says, as text, so two runs can be compared. */
static int collect(void *ud, const kb_check_result *r)
{
	kb_buf *b = ud;
	kb_buf_printf(b, "%s ok=%d built=%d res=%zu warn=%zu\n", r->path, r->ok, r->built,
		      r->resources, r->nwarnings);
	const kb_error *all[64];
	size_t n = 0;
	if (r->error)
		all[n++] = r->error;
	for (size_t i = 0; i < r->nwarnings && n < 64; i++)
		all[n++] = r->warnings[i];
	for (size_t i = 0; i < n; i++) {
		const kb_error *g = all[i];
		kb_buf_printf(b, "  %d %s:%u:%u %s\n", kb_error_frame_kind(g, 0),
			      kb_error_frame_file(g, 0) ? kb_error_frame_file(g, 0) : "-",
			      kb_error_frame_line(g, 0), kb_error_frame_column(g, 0),
			      kb_error_frame_message(g, 0));
		for (size_t k = 1; k < kb_error_frame_count(g); k++)
			kb_buf_printf(b, "    note %s:%u %s\n",
				      kb_error_frame_file(g, k) ? kb_error_frame_file(g, k) : "-",
				      kb_error_frame_line(g, k), kb_error_frame_message(g, k));
	}
	if (r->yaml)
		kb_buf_printf(b, "  yaml %zu bytes: %.*s\n", r->yaml_len, (int)(r->yaml_len > 40 ? 40 : r->yaml_len), r->yaml);
	kb_buf_printf(b, "  deps %zu:", r->ndeps);
	for (size_t i = 0; i < r->ndeps; i++)
		kb_buf_printf(b, " %s/%u", r->deps[i], r->dep_flags[i]);
	kb_buf_putc(b, '\n');
	for (size_t i = 0; i < r->ntouched; i++)
		kb_buf_printf(b, "  touched %s\n", r->touched[i]);
	return 0;
}

static char *run_check(const char *dir, unsigned jobs, kb_check_summary *sum,
		       void (*tweak)(kb_check_options *))
{
	kb_buf b = KB_BUF_INIT;
	kb_check_options co;
	kb_check_options_init(&co);
	const char *paths[] = { dir };
	co.paths = paths;
	co.npaths = 1;
	co.jobs = jobs;
	co.keep_output = 1;
	co.on_result = collect;
	co.ud = &b;
	if (tweak)
		tweak(&co);
	kb_error *e = kb_check(&co, sum);
	OK(e == NULL);
	kb_error_free(e);
	return kb_buf_detach(&b);
}

static void test_tree_and_parallel(const char *d)
{
	kb_check_summary s1, s4;
	char *one = run_check(d, 1, &s1, NULL);
	/* 12 bases + 24 overlays + shared + cluster; comp, .git and legacy left out */
	OK(s1.overlays == 38);
	OK(s1.failed == 2);
	OK(s1.ok == 36);
	OK(s1.warnings == 2); /* a07 dev, and the cluster that includes it */
	OK(s1.components == 1);
	OK(s1.excluded == 1);
	OK(strstr(one, "apps/a03/dev ok=0 built=0") != NULL);
	OK(strstr(one, "missing.yaml") != NULL);
	OK(strstr(one, "apps/a05/prod ok=0 built=0") != NULL);
	OK(strstr(one, "bogusField") != NULL);
	OK(strstr(one, "apps/a07/dev ok=1 built=1 res=2 warn=1") != NULL);
	OK(strstr(one, "images entry 'redis' matches no container image") != NULL);
	OK(strstr(one, "cluster ok=1 built=1 res=22 warn=1") != NULL);
	OK(strstr(one, "legacy") == NULL);
	OK(strstr(one, ".git") == NULL);
	/* the same report, byte for byte, whatever the number of jobs */
	for (int round = 0; round < 3; round++) {
		char *four = run_check(d, 4, &s4, NULL);
		STR_EQ(four, one);
		OK(s4.overlays == s1.overlays && s4.failed == s1.failed && s4.warnings == s1.warnings);
		free(four);
	}
	/* and with no shared cache at all */
	char *nc = run_check(d, 3, &s4, NULL);
	STR_EQ(nc, one);
	free(nc);
	OK(s1.parse_misses < s1.parses); /* the shared base was parsed once */
	free(one);
}

static const char *changed_files[4];
static size_t nchanged_files;
static void set_changed(kb_check_options *co)
{
	co->has_changed = 1;
	co->changed = changed_files;
	co->nchanged = nchanged_files;
}

static void test_changed(const char *d)
{
	kb_check_summary s;
	/* a base file: that app's base, its overlays and the cluster */
	char *f = kb_path_join(d, "apps/a02/base/deploy.yaml");
	changed_files[0] = f;
	nchanged_files = 1;
	char *r = run_check(d, 2, &s, set_changed);
	OK(s.overlays == 4 && s.untouched == 34);
	OK(strstr(r, "apps/a02/base ok") && strstr(r, "apps/a02/dev ok") &&
	   strstr(r, "apps/a02/prod ok") && strstr(r, "cluster ok"));
	OK(strstr(r, "touched ") != NULL);
	free(r);
	free(f);
	/* the shared base: every build that includes it */
	f = kb_path_join(d, "shared/sa.yaml");
	changed_files[0] = f;
	r = run_check(d, 2, &s, set_changed);
	OK(s.overlays == 37 && s.untouched == 1); /* a05/prod fails before reading it */
	free(r);
	free(f);
	/* the component: the prod overlays that use it (a05's fails first) */
	changed_files[0] = "comp/kustomization.yaml";
	char *cwd = getcwd(NULL, 0);
	OK(chdir(d) == 0);
	r = run_check(".", 2, &s, set_changed);
	OK(s.overlays == 11);
	free(r);
	/* a file nobody reads, and a new second kustomization file */
	changed_files[0] = "apps/a01/base/README.md";
	changed_files[1] = "apps/a01/dev/Kustomization";
	nchanged_files = 2;
	r = run_check(".", 2, &s, set_changed);
	OK(s.overlays == 2 && strstr(r, "apps/a01/dev ok") && strstr(r, "cluster ok"));
	free(r);
	/* the missing file a failing overlay names: created, it touches it */
	changed_files[0] = "apps/a03/dev/missing.yaml";
	nchanged_files = 1;
	r = run_check(".", 2, &s, set_changed);
	OK(s.overlays == 1 && strstr(r, "apps/a03/dev ok=0") != NULL);
	free(r);
	/* nothing changed: nothing built */
	nchanged_files = 0;
	r = run_check(".", 2, &s, set_changed);
	OK(s.overlays == 0 && s.untouched == 38);
	free(r);
	OK(chdir(cwd) == 0);
	free(cwd);
}

static void strict(kb_check_options *co)
{
	co->strict = 1;
}

static char bundle_dir[4096];
static void bundles(kb_check_options *co)
{
	co->bundle_dir = bundle_dir;
}

static int stop_at_3(void *ud, const kb_check_result *r)
{
	(void)r;
	return ++*(int *)ud >= 3;
}

static void test_strict_bundles_stop(const char *d)
{
	kb_check_summary s;
	char *r = run_check(d, 2, &s, strict);
	OK(s.failed == 4); /* the two that fail, and the two that warn */
	OK(strstr(r, "apps/a07/dev ok=0 built=1") != NULL);
	free(r);

	char *out = tap_tmpdir("bundles");
	snprintf(bundle_dir, sizeof(bundle_dir), "%s/b", out);
	char *cwd = getcwd(NULL, 0);
	OK(chdir(d) == 0);
	/* a stale bundle of a failing overlay goes */
	tap_write(bundle_dir, "apps/a03/dev.yaml", "stale\n");
	r = run_check(".", 2, &s, bundles);
	free(r);
	char *b = kb_path_join(bundle_dir, "apps/a00/dev.yaml");
	char *berr = NULL;
	char *want = tap_build(d, "apps/a00/dev", NULL, &berr);
	free(berr);
	char *got = kb_read_file(b, NULL);
	OK(want && got && strcmp(want, got) == 0);
	free(want);
	free(got);
	free(b);
	b = kb_path_join(bundle_dir, "apps/a03/dev.yaml");
	OK(!kb_is_file(b));
	free(b);
	OK(chdir(cwd) == 0);
	free(cwd);
	tap_rmtree(out);
	free(out);

	/* a callback that stops: the check says so and reports no more */
	int seen = 0;
	kb_check_options co;
	kb_check_options_init(&co);
	const char *paths[] = { d };
	co.paths = paths;
	co.npaths = 1;
	co.jobs = 2;
	co.on_result = stop_at_3;
	co.ud = &seen;
	kb_error *e = kb_check(&co, &s);
	OK(e != NULL && seen == 3 && s.overlays == 3);
	kb_error_free(e);

	/* a path that is not there is a usage error */
	const char *bad[] = { "/nonexistent/kbuild-check" };
	co.paths = bad;
	co.on_result = NULL;
	e = kb_check(&co, &s);
	OK(e != NULL && kb_error_code(e) == KB_ERR_USAGE);
	kb_error_free(e);
}

/* How many clones are under dir while the callback runs. */
typedef struct clone_count {
	const char *tmp;
	size_t max_seen;
	kb_buf report;
} clone_count;

static int count_clones(void *ud, const kb_check_result *r)
{
	clone_count *c = ud;
	char **names;
	size_t n;
	if (kb_fs_list(NULL, c->tmp, &names, &n) == 0) {
		if (n > c->max_seen)
			c->max_seen = n;
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	return collect(&c->report, r);
}

/* Remote bases: one fetch per URL for the whole check, and a URL that
 * cannot be fetched fails every overlay naming it, each with its error. */
static void test_remote_shared(void)
{
	char *root = tap_tmpdir("checkremote");
	tap_write(root, "work/app/kustomization.yaml", "resources:\n- cm.yaml\n");
	tap_write(root, "work/app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\n");
	const char *git = "git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main"
			  " -c commit.gpgsign=false";
	char *script = kb_xasprintf("cd '%s' && %s init --bare -q repo.git && cd work && %s init -q && "
				    "%s add -A && %s commit -q -m one && %s remote add origin "
				    "../repo.git && %s push -q origin main",
				    root, git, git, git, git, git, git);
	int rc = system(script);
	free(script);
	OK(rc == 0);
	char *tree = kb_path_join(root, "tree");
	for (int i = 0; i < 6; i++) {
		char rel[64], text[512];
		snprintf(rel, sizeof(rel), "o%d/kustomization.yaml", i);
		snprintf(text, sizeof(text), "resources:\n- file://%s/repo.git//app?ref=main\nnamePrefix: p%d-\n",
			 root, i);
		tap_write(tree, rel, text);
	}
	char text[512];
	snprintf(text, sizeof(text), "resources:\n- file://%s/none.git//app?ref=main\n", root);
	tap_write(tree, "bad1/kustomization.yaml", text);
	tap_write(tree, "bad2/kustomization.yaml", text);
	char *tmp = kb_path_join(root, "tmp");
	tap_mkdir(tmp, NULL);
	const char *old = getenv("TMPDIR");
	char *saved = old ? kb_xstrdup(old) : NULL;
	setenv("TMPDIR", tmp, 1);
	clone_count cc = { tmp, 0, KB_BUF_INIT };
	kb_check_options co;
	kb_check_options_init(&co);
	const char *paths[] = { tree };
	co.paths = paths;
	co.npaths = 1;
	co.jobs = 4;
	co.on_result = count_clones;
	co.ud = &cc;
	kb_check_summary s;
	kb_error *e = kb_check(&co, &s);
	OK(e == NULL);
	kb_error_free(e);
	OK(s.overlays == 8 && s.ok == 6 && s.failed == 2);
	OK(cc.max_seen == 1); /* one clone, shared by the six overlays */
	OK(tap_dir_empty(tmp)); /* removed when the check is over */
	OK(cc.report.data && strstr(cc.report.data, "bad2 ok=0") && strstr(cc.report.data, "none.git"));
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
	kb_buf_free(&cc.report);
	free(tmp);
	free(tree);
	tap_rmtree(root);
	free(root);
}

int main(void)
{
	char *d = write_tree();
	test_tree_and_parallel(d);
	test_changed(d);
	test_strict_bundles_stop(d);
	test_remote_shared();
	tap_rmtree(d);
	free(d);
	return tap_done();
}
