/* test_remote.c - remote bases: the URL parser against kustomize's
 * api/internal/git/repospec_test.go (v5.5.0), and builds from local
 * git repositories through file:// URLs (there is no network here). */
#define _GNU_SOURCE
#include "kbuild.h"
#include "remote.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- parser ---- */

static void expect_spec(const char *url, const char *host, const char *repo, const char *kust,
			const char *ref, const char *clone)
{
	kb_repospec rs;
	kb_error *e = kb_repospec_parse(url, &rs);
	OK(e == NULL);
	if (e) {
		printf("# %s: %s\n", url, e->primary.msg);
		kb_error_free(e);
		return;
	}
	STR_EQ(rs.host, host);
	STR_EQ(rs.repo_path, repo);
	STR_EQ(rs.kust_path, kust);
	STR_EQ(rs.ref, ref);
	STR_EQ(rs.raw, url);
	if (clone) {
		char *c = kb_repospec_clone_spec(&rs);
		STR_EQ(c, clone);
		free(c);
	}
	kb_repospec_free(&rs);
}

static void expect_parse_error(const char *url, const char *msg)
{
	kb_repospec rs;
	kb_error *e = kb_repospec_parse(url, &rs);
	OK(e != NULL);
	if (e) {
		OK(strstr(e->primary.msg, msg) != NULL);
		if (!strstr(e->primary.msg, msg))
			printf("# %s: got '%s', want '%s'\n", url, e->primary.msg, msg);
	}
	kb_error_free(e);
	kb_repospec_free(&rs);
}

/* TestNewRepoSpecFromUrl_Permute */
static void test_permute(void)
{
	static const char *const hosts[][2] = {
		{ "gitHub.com/", "https://github.com/" },
		{ "github.com:", "https://github.com/" },
		{ "http://github.com/", "https://github.com/" },
		{ "https://github.com/", "https://github.com/" },
		{ "hTTps://github.com/", "https://github.com/" },
		{ "https://git-codecommit.us-east-2.amazonaws.com/",
		  "https://git-codecommit.us-east-2.amazonaws.com/" },
		{ "https://fabrikops2.visualstudio.com/", "https://fabrikops2.visualstudio.com/" },
		{ "ssh://git.example.com:7999/", "ssh://git.example.com:7999/" },
		{ "git::https://gitlab.com/", "https://gitlab.com/" },
		{ "git::http://git.example.com/", "http://git.example.com/" },
		{ "git::https://git.example.com/", "https://git.example.com/" },
		{ "git@github.com:", "git@github.com:" },
		{ "git@github.com/", "git@github.com:" },
		{ "git::git@github.com:", "git@github.com:" },
		{ "org-12345@github.com:", "org-12345@github.com:" },
		{ "org-12345@github.com/", "org-12345@github.com:" },
	};
	static const char *const repos[] = { "someOrg/someRepo", "kubernetes/website" };
	static const char *const paths[] = { "README.md", "foo/krusty.txt", "" };
	static const char *const refs[] = { "group/version", "someBranch", "master", "v0.1.0", "" };
	for (size_t h = 0; h < sizeof(hosts) / sizeof(*hosts); h++)
		for (size_t r = 0; r < 2; r++)
			for (size_t p = 0; p < 3; p++)
				for (size_t f = 0; f < 5; f++) {
					char *url = kb_xasprintf("%s%s%s%s%s%s", hosts[h][0], repos[r],
								 *paths[p] ? "/" : "", paths[p],
								 *refs[f] ? "?ref=" : "", refs[f]);
					expect_spec(url, hosts[h][1], repos[r], paths[p], refs[f], NULL);
					free(url);
				}
}

/* TestNewRepoSpecFromUrlErrors */
static void test_parse_errors(void)
{
	expect_parse_error("/tmp", "uri looks like abs path");
	expect_parse_error("../../tmp", "failed to parse scheme");
	expect_parse_error("src/github.com/org/repo/path", "failed to parse scheme");
	expect_parse_error("iauhsdiuashduas", "failed to parse scheme");
	expect_parse_error("htxxxtp://github.com/", "failed to parse scheme");
	expect_parse_error("ssh://git.example.com", "failed to parse repo path segment");
	expect_parse_error("git::___", "failed to parse scheme");
	expect_parse_error("https://host?ref=group/version/minor_version",
			   "failed to parse repo path segment");
	expect_parse_error("https://github.com/org/repo.git//path/../../exits/repo",
			   "url path exits repo");
	expect_parse_error("github.com!org/repo.git//path", "failed to parse scheme");
	expect_parse_error("gh:org/repo", "failed to parse scheme");
	expect_parse_error("https://github.com/thisisa404.yaml", "failed to parse repo path segment");
	expect_parse_error("file:////tmp//path/to/whatever", "failed to parse repo path segment");
	expect_parse_error("git@scp://github.com/org/repo.git//path",
			   "failed to parse repo path segment");
	expect_parse_error("git@ssh://github.com/org/repo.git//path",
			   "failed to parse repo path segment");
	/* local paths kustomize never clones */
	expect_parse_error("gitlab.com/org/repo", "failed to parse scheme");
	expect_parse_error("base", "failed to parse scheme");
}

/* TestNewRepoSpecFromUrl_Smoke */
static void test_smoke(void)
{
	expect_spec("https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somedir",
		    "https://git-codecommit.us-east-2.amazonaws.com/", "someorg/somerepo", "somedir",
		    "", "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo");
	expect_spec("https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somedir"
		    "?ref=testbranch",
		    "https://git-codecommit.us-east-2.amazonaws.com/", "someorg/somerepo", "somedir",
		    "testbranch", "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo");
	expect_spec("https://fabrikops2.visualstudio.com/someorg/somerepo?ref=master",
		    "https://fabrikops2.visualstudio.com/", "someorg/somerepo", "", "master",
		    "https://fabrikops2.visualstudio.com/someorg/somerepo");
	expect_spec("http://github.com/someorg/somerepo/somedir", "https://github.com/",
		    "someorg/somerepo", "somedir", "", "https://github.com/someorg/somerepo");
	expect_spec("git@github.com:someorg/somerepo/somedir", "git@github.com:",
		    "someorg/somerepo", "somedir", "", "git@github.com:someorg/somerepo");
	expect_spec("http://github.com/someorg/somerepo.git/somedir", "https://github.com/",
		    "someorg/somerepo.git", "somedir", "", "https://github.com/someorg/somerepo.git");
	expect_spec("git@github.com:someorg/somerepo.git/somedir", "git@github.com:",
		    "someorg/somerepo.git", "somedir", "", "git@github.com:someorg/somerepo.git");
	expect_spec("git@gitlab2.sqtools.ru:infra/kubernetes/thanos-base.git?ref=v0.1.0",
		    "git@gitlab2.sqtools.ru:", "infra/kubernetes/thanos-base.git", "", "v0.1.0",
		    "git@gitlab2.sqtools.ru:infra/kubernetes/thanos-base.git");
	expect_spec("git@bitbucket.org:company/project.git//path?ref=branch", "git@bitbucket.org:",
		    "company/project.git", "path", "branch", "git@bitbucket.org:company/project.git");
	expect_spec("git@bitbucket.org/company/project.git//path?ref=branch", "git@bitbucket.org/",
		    "company/project.git", "path", "branch", "git@bitbucket.org/company/project.git");
	expect_spec("ssh://git@bitbucket.org/company/project.git//path?ref=branch",
		    "ssh://git@bitbucket.org/", "company/project.git", "path", "branch",
		    "ssh://git@bitbucket.org/company/project.git");
	expect_spec("https://itfs.mycompany.com/collection/project/_git/somerepos",
		    "https://itfs.mycompany.com/", "collection/project/_git/somerepos", "", "",
		    "https://itfs.mycompany.com/collection/project/_git/somerepos");
	expect_spec("https://itfs.mycompany.com/collection/project/_git/somerepos?version=v1.0.0",
		    "https://itfs.mycompany.com/", "collection/project/_git/somerepos", "", "v1.0.0",
		    NULL);
	expect_spec("https://itfs.mycompany.com/collection/project/_git/somerepos/somedir"
		    "?version=v1.0.0",
		    "https://itfs.mycompany.com/", "collection/project/_git/somerepos", "somedir",
		    "v1.0.0", NULL);
	expect_spec("git::https://itfs.mycompany.com/collection/project/_git/somerepos",
		    "https://itfs.mycompany.com/", "collection/project/_git/somerepos", "", "",
		    "https://itfs.mycompany.com/collection/project/_git/somerepos");
	expect_spec("https://bitbucket.example.com/scm/project/repository.git",
		    "https://bitbucket.example.com/", "scm/project/repository.git", "", "", NULL);
	expect_spec("ssh://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somepath",
		    "ssh://git-codecommit.us-east-2.amazonaws.com/", "someorg/somerepo", "somepath",
		    "", "ssh://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo");
	expect_spec("git@github.com/someorg/somerepo/somepath", "git@github.com:",
		    "someorg/somerepo", "somepath", "", "git@github.com:someorg/somerepo");
	expect_spec("https://github.com/kubernetes-sigs/kustomize//examples/multibases/dev/"
		    "?ref=v1.0.6",
		    "https://github.com/", "kubernetes-sigs/kustomize", "examples/multibases/dev/",
		    "v1.0.6", "https://github.com/kubernetes-sigs/kustomize");
	expect_spec("file://a/b/c/someRepo.git/somepath?ref=someBranch", "file://",
		    "a/b/c/someRepo.git", "somepath", "someBranch", "file://a/b/c/someRepo.git");
	expect_spec("file://a/b/c/someRepo//somepath?ref=someBranch", "file://", "a/b/c/someRepo",
		    "somepath", "someBranch", "file://a/b/c/someRepo");
	expect_spec("file://a/b/c/someRepo?ref=someBranch", "file://", "a/b/c/someRepo", "",
		    "someBranch", "file://a/b/c/someRepo");
	expect_spec("file:///a/b/c/someRepo?ref=someBranch", "file://", "/a/b/c/someRepo", "",
		    "someBranch", "file:///a/b/c/someRepo");
	expect_spec("ssh://git@github.com/kubernetes-sigs/kustomize//examples/multibases/dev"
		    "?ref=v1.0.6",
		    "git@github.com:", "kubernetes-sigs/kustomize", "examples/multibases/dev",
		    "v1.0.6", "git@github.com:kubernetes-sigs/kustomize");
	expect_spec("file:///a/b/c/someRepo", "file://", "/a/b/c/someRepo", "", "",
		    "file:///a/b/c/someRepo");
	expect_spec("file:///", "file://", "/", "", "", "file:///");
	expect_spec("https://example.org/path/to/repo//examples/multibases/dev",
		    "https://example.org/", "path/to/repo", "examples/multibases/dev", "",
		    "https://example.org/path/to/repo");
	expect_spec("https://example.org/path/to/repo.git/examples/multibases/dev",
		    "https://example.org/", "path/to/repo.git", "examples/multibases/dev", "",
		    "https://example.org/path/to/repo.git");
	expect_spec("ssh://alice@example.com/path/to/repo//examples/multibases/dev",
		    "ssh://alice@example.com/", "path/to/repo", "examples/multibases/dev", "",
		    "ssh://alice@example.com/path/to/repo");
	expect_spec("https://authority/org/repo?ref=group/version", "https://authority/",
		    "org/repo", "", "group/version", "https://authority/org/repo");
	expect_spec("https://authority/org/repo/?ref=includes_git/for_some_reason",
		    "https://authority/", "org/repo", "", "includes_git/for_some_reason",
		    "https://authority/org/repo");
	expect_spec("https://authority/org/repo/?ref=includes.git/for_some_reason",
		    "https://authority/", "org/repo", "", "includes.git/for_some_reason",
		    "https://authority/org/repo");
	expect_spec("https://authority/org/repo/%-invalid-uri-so-not-parsable-by-net/url.Parse",
		    "https://authority/", "org/repo",
		    "%-invalid-uri-so-not-parsable-by-net/url.Parse", "", NULL);
	expect_spec("ssh://myusername@bitbucket.org/ourteamname/ourrepositoryname.git//path"
		    "?ref=branch",
		    "ssh://myusername@bitbucket.org/", "ourteamname/ourrepositoryname.git", "path",
		    "branch", "ssh://myusername@bitbucket.org/ourteamname/ourrepositoryname.git");
	expect_spec("file://git@home/path/to/repository.git//path?ref=branch", "file://",
		    "git@home/path/to/repository.git", "path", "branch",
		    "file://git@home/path/to/repository.git");
	expect_spec("http://git@home.com/path/to/repository.git//path?ref=branch",
		    "http://git@home.com/", "path/to/repository.git", "path", "branch",
		    "http://git@home.com/path/to/repository.git");
	expect_spec("https://git@home.com/path/to/repository.git//path?ref=branch",
		    "https://git@home.com/", "path/to/repository.git", "path", "branch", NULL);
	expect_spec("ssh://git@ssh.github.com:443/YOUR-USERNAME/YOUR-REPOSITORY.git",
		    "ssh://git@ssh.github.com:443/", "YOUR-USERNAME/YOUR-REPOSITORY.git", "", "",
		    "ssh://git@ssh.github.com:443/YOUR-USERNAME/YOUR-REPOSITORY.git");
	expect_spec("git@gitlab.com/user:name/YOUR-REPOSITORY.git/path", "git@gitlab.com/",
		    "user:name/YOUR-REPOSITORY.git", "path", "",
		    "git@gitlab.com/user:name/YOUR-REPOSITORY.git");
	expect_spec("git@gitlab.com:gitlab-tests/sample-project.git", "git@gitlab.com:",
		    "gitlab-tests/sample-project.git", "", "", NULL);
	expect_spec("git@gitlab.com:gitlab-tests/sample-project", "git@gitlab.com:",
		    "gitlab-tests/sample-project", "", "", NULL);
	expect_spec("https://username@dev.azure.com/org/project/_git/repo//path/to/kustomization/"
		    "root",
		    "https://username@dev.azure.com/", "org/project/_git/repo",
		    "path/to/kustomization/root", "",
		    "https://username@dev.azure.com/org/project/_git/repo");
	expect_spec("https://org.visualstudio.com/project/_git/repo/path/to/kustomization/root",
		    "https://org.visualstudio.com/", "project/_git/repo", "path/to/kustomization/root",
		    "", NULL);
	expect_spec("ssh://org-12345@github.com/kubernetes-sigs/kustomize", "org-12345@github.com:",
		    "kubernetes-sigs/kustomize", "", "",
		    "org-12345@github.com:kubernetes-sigs/kustomize");
	expect_spec("org-12345@github.com/kubernetes-sigs/kustomize", "org-12345@github.com:",
		    "kubernetes-sigs/kustomize", "", "", NULL);
	expect_spec("git@gist.github.com:bc7947cb727d7f9217e7862d961a1ffd.git",
		    "git@gist.github.com:", "bc7947cb727d7f9217e7862d961a1ffd.git", "", "", NULL);
	expect_spec("https://gist.github.com/bc7947cb727d7f9217e7862d961a1ffd.git",
		    "https://gist.github.com/", "bc7947cb727d7f9217e7862d961a1ffd.git", "", "", NULL);
	/* escaped query values, as in kustomize's remote tests */
	expect_spec("https://github.com/kubernetes-sigs/kustomize//examples/multibases/dev/"
		    "?submodules=0&ref=kustomize%2Fv4.5.7&timeout=300",
		    "https://github.com/", "kubernetes-sigs/kustomize", "examples/multibases/dev/",
		    "kustomize/v4.5.7", NULL);
}

static void expect_query(const char *q, const char *ref, int64_t secs_x1000, bool sub)
{
	char *r;
	int64_t t;
	bool s;
	kb_remote_parse_query(q, &r, &t, &s);
	STR_EQ(r, ref);
	OK(t == secs_x1000 * 1000000LL);
	if (t != secs_x1000 * 1000000LL)
		printf("# %s: timeout %lld ns\n", q, (long long)t);
	OK(s == sub);
	free(r);
}

/* TestParseQuery, in milliseconds */
static void test_query(void)
{
	const int64_t def = 27000;
	expect_query("", "", def, true);
	expect_query("ref=v1.0.0", "v1.0.0", def, true);
	expect_query("ref=kustomize/v4.5.7", "kustomize/v4.5.7", def, true);
	expect_query("version=master", "master", def, true);
	expect_query("version=master&ref=v1.0.0", "v1.0.0", def, true);
	expect_query("version=master&submodules=", "master", def, true);
	expect_query("version=master&submodules=maybe", "master", def, true);
	expect_query("version=master&submodules=true", "master", def, true);
	expect_query("version=master&submodules=false", "master", def, false);
	expect_query("version=master&timeout=", "master", def, true);
	expect_query("version=master&timeout=jiffy", "master", def, true);
	expect_query("version=master&timeout=0", "master", def, true);
	expect_query("version=master&timeout=0s", "master", def, true);
	expect_query("version=master&timeout=61", "master", 61000, true);
	expect_query("version=master&timeout=1m1s", "master", 61000, true);
	expect_query("version=master&submodules=false&timeout=1m1s", "master", 61000, false);
	/* beyond kustomize's table: Go's url.ParseQuery and time.ParseDuration */
	expect_query("timeout=500ms", "", 500, true);
	expect_query("timeout=1.5h", "", 5400000, true);
	expect_query("timeout=-5", "", def, true);
	expect_query("submodules=0", "", def, false);
	expect_query("ref=a%2Fb+c", "a/b c", def, true);
	/* a malformed query keeps every default, as parseQuery does */
	expect_query("ref=v1&timeout=61&x=%zz", "", def, true);
	expect_query("ref=v1;timeout=61", "", def, true);
	expect_query("ref=&version=v2", "v2", def, true);
	expect_query("ref=v1&ref=v2", "v1", def, true);

	int64_t ns;
	OK(kb_remote_parse_duration("1ns", &ns) && ns == 1);
	OK(kb_remote_parse_duration("2us", &ns) && ns == 2000);
	OK(kb_remote_parse_duration("1h2m3.5s", &ns) && ns == 3723500000000LL);
	OK(kb_remote_parse_duration(".5s", &ns) && ns == 500000000);
	OK(!kb_remote_parse_duration("5", &ns));
	OK(!kb_remote_parse_duration("s", &ns));
	OK(!kb_remote_parse_duration("1d", &ns));
	OK(!kb_remote_parse_duration("", &ns));
	OK(!kb_remote_parse_duration("9999999999h", &ns));

	static const struct {
		int64_t ns;
		const char *s;
	} fmt[] = {
		{ 27000000000LL, "27s" },   { 61000000000LL, "1m1s" }, { 3600000000000LL, "1h0m0s" },
		{ 500000000LL, "500ms" },   { 1, "1ns" },             { 1500, "1.5\xc2\xb5s" },
		{ 1500000000LL, "1.5s" },   { 0, "0s" },
	};
	for (size_t i = 0; i < sizeof(fmt) / sizeof(*fmt); i++) {
		char *s = kb_remote_format_duration(fmt[i].ns);
		STR_EQ(s, fmt[i].s);
		free(s);
	}
}

static void test_http_file(void)
{
	OK(kb_remote_is_http_file("https://github.com/thisisa404.yaml"));
	OK(kb_remote_is_http_file("https://raw.githubusercontent.com/kubernetes-sigs/kustomize/"
				  "v3.1.0/examples/multibases/base/pod.yaml?timeout=300"));
	OK(kb_remote_is_http_file("HTTP://example.com/x.json"));
	OK(!kb_remote_is_http_file("https://github.com/org/repo//app?ref=v1"));
	OK(!kb_remote_is_http_file("git@github.com:org/repo/x.yaml"));
	OK(!kb_remote_is_http_file("file:///repo/x.yaml"));
	OK(!kb_remote_is_http_file("deploy.yaml"));
}

static void test_cycle_and_containment(void)
{
	kb_repo_frame outer = { "file:///r/a.git//app?ref=v1", "/tmp/c1", NULL };
	kb_repo_frame inner = { "file:///r/b.git", "/tmp/c2", &outer };
	kb_error *e = kb_repo_check_cycle(&inner, "file:///r/a.git//app");
	OK(e && strstr(e->primary.msg, "cycle detected: URI 'file:///r/a.git//app' referenced by "
				      "previous URI 'file:///r/a.git//app?ref=v1'"));
	kb_error_free(e);
	OK(kb_repo_check_cycle(&inner, "file:///r/c.git") == NULL);
	OK(kb_repo_check_cycle(NULL, "file:///r/a.git") == NULL);
	OK(kb_repo_check_containment(&inner, "/tmp/c2/x") == NULL);
	e = kb_repo_check_containment(&inner, "/tmp/c1/x");
	OK(e && strstr(e->primary.msg, "must be within the repo"));
	kb_error_free(e);
	OK(kb_repo_check_containment(NULL, "/anywhere") == NULL);
}

/* ---- end to end ---- */

static char *root;

static int sh(const char *script)
{
	char *cmd = kb_xasprintf("cd '%s' && (%s) >/dev/null 2>&1", root, script);
	int rc = system(cmd);
	if (rc != 0)
		printf("# failed: %s\n", script);
	free(cmd);
	return rc;
}

/* A kustomization listing url, and whatever else follows. */
static void local_kust(const char *dir, const char *field, const char *url, const char *extra)
{
	char *name = kb_xasprintf("%s/kustomization.yaml", dir);
	char *body = kb_xasprintf("%s:\n- %s\n%s", field, url, extra);
	tap_write(root, name, body);
	free(body);
	free(name);
}

static const char cm_v1[] = "apiVersion: v1\ndata:\n  k: v1\nkind: ConfigMap\n"
			    "metadata:\n  name: app-cm\n  namespace: prod\n";
static const char cm_v2[] = "apiVersion: v1\ndata:\n  k: v2\nkind: ConfigMap\n"
			    "metadata:\n  name: app-cm\n  namespace: prod\n";

/* A file:// URL for a path below root. */
static char *repo_url(const char *below_root)
{
	return kb_xasprintf("file://%s/%s", root, below_root);
}

/* Kustomizations each naming one remote base (a URL below root), with
 * namespace: prod, and what they build to. */
static const struct {
	const char *dir;
	const char *url;
	const char *want;
} builds[] = {
	{ "tag", "repo.git//app?ref=v1", cm_v1 },
	/* no ref: the remote's HEAD; ?version= is ref's synonym */
	{ "head", "repo.git//app", cm_v2 },
	{ "version", "repo.git//app?version=v1&timeout=61&submodules=false", cm_v1 },
	/* the .git suffix ends the repository without "//" */
	{ "suffix", "repo.git/app?ref=v1", cm_v1 },
};

/* Kustomizations naming one remote base under field, and a part of the
 * error each fails with. */
static const struct {
	const char *dir;
	const char *field;
	const char *url;
	const char *needle;
} fails[] = {
	{ "norepo", "resources", "nope.git//app", "does not appear to be a git repository" },
	/* every git command is bounded by ?timeout= */
	{ "timeout", "resources", "repo.git//app?timeout=1ns",
	  "hit 1ns timeout running 'git init --quiet'" },
	/* remote kustomizations are always root-restricted */
	{ "escape", "resources", "repo.git//escape?ref=v1",
	  "security; file '../shared/extra.yaml' is not in or below" },
	{ "file", "resources", "repo.git//app/cm.yaml?ref=v1",
	  "refers to file 'app/cm.yaml'; expecting directory" },
	{ "missing", "resources", "repo.git//missing?ref=v1",
	  "no directory 'missing' in the repository" },
	{ "cycle", "resources", "repo.git//cyc", "cycle detected: URI" },
	/* a Kustomization is no component, remote or not */
	{ "notcomp", "components", "repo.git//app?ref=v1", "Component" },
};

static void test_end_to_end(void)
{
	/* the repository: app/ (tag v1, then changed on main), a component,
	 * a base reaching outside its kustomization, and a self-reference */
	tap_write(root, "work/app/cm.yaml",
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: v1\n");
	tap_write(root, "work/app/kustomization.yaml", "namePrefix: app-\nresources:\n- cm.yaml\n");
	tap_write(root, "work/comp/kustomization.yaml",
		  "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
		  "commonLabels:\n  team: blue\n");
	tap_write(root, "work/shared/extra.yaml",
		  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n");
	tap_write(root, "work/escape/kustomization.yaml", "resources:\n- ../shared/extra.yaml\n");
	tap_write(root, "work/nested/kustomization.yaml", "resources:\n- ../app\n");
	char *self = kb_xasprintf("resources:\n- file://%s/repo.git//cyc\n", root);
	tap_write(root, "work/cyc/kustomization.yaml", self);
	free(self);
	const char *git = "git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main"
			  " -c commit.gpgsign=false -c tag.gpgsign=false";
	char *script = kb_xasprintf(
		"%s init --bare -q repo.git && cd work && %s init -q && %s add -A && "
		"%s commit -q -m one && %s tag v1 && "
		"sed -i 's/k: v1/k: v2/' app/cm.yaml && %s commit -q -am two && "
		"%s remote add origin ../repo.git && %s push -q origin main v1",
		git, git, git, git, git, git, git, git);
	int rc = sh(script);
	free(script);
	OK(rc == 0);
	if (rc != 0)
		return;

	/* clones go under TMPDIR; each is removed once built */
	char *tmp = kb_xasprintf("%s/tmp", root);
	OK(tap_mkdir(tmp, NULL) == 0);
	setenv("TMPDIR", tmp, 1);

	for (size_t i = 0; i < sizeof(builds) / sizeof(builds[0]); i++) {
		char *url = repo_url(builds[i].url);
		local_kust(builds[i].dir, "resources", url, "namespace: prod\n");
		BUILD_IS(root, builds[i].dir, NULL, builds[i].want);
		free(url);
	}

	/* a remote component, and a base reached through ../ inside the clone */
	char *url = repo_url("repo.git//comp?ref=v1");
	char *extra = kb_xasprintf("resources:\n- file://%s/repo.git//nested?ref=v1\n"
				   "namespace: prod\n",
				   root);
	local_kust("comp", "components", url, extra);
	BUILD_IS(root, "comp", NULL,
		 "apiVersion: v1\ndata:\n  k: v1\nkind: ConfigMap\nmetadata:\n"
		 "  labels:\n    team: blue\n  name: app-cm\n  namespace: prod\n");
	free(extra);
	free(url);

	OK(tap_dir_empty(tmp));

	/* a ref the repository lacks: git's message and the URL */
	url = repo_url("repo.git//app?ref=v9");
	local_kust("badref", "resources", url, "");
	BUILD_FAILS(root, "badref", NULL, "couldn't find remote ref v9");
	BUILD_FAILS(root, "badref", NULL, url);
	BUILD_FAILS(root, "badref", NULL, "git fetch --depth=1");
	free(url);

	for (size_t i = 0; i < sizeof(fails) / sizeof(fails[0]); i++) {
		url = repo_url(fails[i].url);
		local_kust(fails[i].dir, fails[i].field, url, "");
		BUILD_FAILS(root, fails[i].dir, NULL, fails[i].needle);
		free(url);
	}

	local_kust("http", "resources", "https://example.com/manifests/deploy.yaml", "");
	BUILD_FAILS(root, "http", NULL, "HTTP resources are not supported");

	OK(tap_dir_empty(tmp));
	unsetenv("TMPDIR");
	free(tmp);
}

int main(void)
{
	test_permute();
	test_parse_errors();
	test_smoke();
	test_query();
	test_http_file();
	test_cycle_and_containment();

	root = tap_tmpdir("remote");
	if (!root) {
		OK(0);
		return tap_done();
	}
	test_end_to_end();
	tap_rmtree(root);
	free(root);
	return tap_done();
}
