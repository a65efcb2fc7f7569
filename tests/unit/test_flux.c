/* test_flux.c - lib/flux's parts: the envsubst port (fluxcd/pkg/envsubst's
 * eval_test.go tables), gitignore patterns (sourceignore/gitignore's
 * pattern_test.go), the sourceignore defaults, Go's path.Match, the
 * generator's image merging (fluxcd/pkg/kustomize Test_Images) and
 * flux build's SOPS masking (flux2 internal/build TestTrimSopsData).
 *
 * The *.inc tables were converted mechanically from the Go tests. */
#include "emit.h"
#include "envsubst.h"
#include "gen.h"
#include "glob.h"
#include "srcignore.h"
#include "node.h"
#include "repo.h"
#include "secrets.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct env_case {
	const char *params[8]; /* name, value, ..., NULL */
	const char *input, *output;
	int mode; /* 0: not strict; 1: strict, succeeds; 2: strict, variable not set */
} env_case;

static const env_case env_cases[] = {
#include "flux_envsubst_cases.inc"
};

typedef struct env_ctx {
	const char *const *params;
	bool strict;
} env_ctx;

static int lookup(void *p, const char *name, const char **value)
{
	env_ctx *c = p;
	for (size_t i = 0; c->params[i]; i += 2)
		if (strcmp(c->params[i], name) == 0) {
			*value = c->params[i + 1];
			return KB_ENVSUBST_SET;
		}
	/* Flux's non-strict lookup says every variable exists (as "") */
	*value = "";
	return c->strict ? KB_ENVSUBST_UNSET : KB_ENVSUBST_SET;
}

static void test_envsubst_tables(void)
{
	for (size_t i = 0; i < sizeof(env_cases) / sizeof(*env_cases); i++) {
		const env_case *t = &env_cases[i];
		env_ctx c = { t->params, t->mode != 0 };
		kb_envsubst_error err = { 0 };
		char *out = kb_envsubst(t->input, strlen(t->input), lookup, &c, t->mode != 0, NULL,
					&err, NULL);
		if (t->mode == 2) {
			if (!(out == NULL && err.var)) {
				printf("# envsubst %s: expected 'variable not set'\n", t->input);
				OK(0);
			} else {
				OK(1);
			}
		} else {
			if (!out)
				printf("# envsubst %s: %s\n", t->input, err.msg);
			STR_EQ(out ? out : "(error)", t->output);
		}
		free(out);
		free(err.var);
	}
}

static const char *unknown_lookup_names[] = { "known", "v", NULL };

static int lookup_unknown(void *p, const char *name, const char **value)
{
	(void)p;
	if (strcmp(name, "known") == 0) {
		*value = "v";
		return KB_ENVSUBST_SET;
	}
	return KB_ENVSUBST_UNKNOWN;
}

static void test_envsubst_more(void)
{
	/* errors of the parser */
	const char *bad[] = { "${", "${a", "${a:=b", "${}", "${a/b", "${#}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		env_ctx c = { unknown_lookup_names, false };
		kb_envsubst_error err = { 0 };
		char *out = kb_envsubst(bad[i], strlen(bad[i]), lookup, &c, false, NULL, &err, NULL);
		if (out)
			printf("# %s expanded to %s\n", bad[i], out);
		OK(out == NULL && err.msg);
		free(out);
	}
	/* unknown values are kept as written, defaults included */
	kb_envsubst_error err = { 0 };
	const char *in = "a: ${known} b: ${secret} c: ${other:=x} d: $${esc} e: ${secret^^}";
	kb_strv kept = { 0 };
	char *out = kb_envsubst(in, strlen(in), lookup_unknown, NULL, true, NULL, &err, &kept);
	STR_EQ(out, "a: v b: ${secret} c: x d: ${esc} e: ${secret^^}");
	OK(kept.n == 1 && strcmp(kept.v[0], "secret") == 0);
	kb_strv_free(&kept);
	free(out);
	/* a bare $var is text */
	env_ctx c = { unknown_lookup_names, false };
	out = kb_envsubst("$known ${known}", 15, lookup, &c, false, NULL, &err, NULL);
	STR_EQ(out, "$known v");
	free(out);
	/* a long document does not recurse once per expression */
	kb_buf b = KB_BUF_INIT;
	for (int i = 0; i < 200000; i++)
		kb_buf_puts(&b, "x: ${known}\n");
	out = kb_envsubst(b.data, b.len, lookup, &c, false, NULL, &err, NULL);
	OK(out && strlen(out) == 200000 * strlen("x: v\n"));
	free(out);
	kb_buf_free(&b);
	kb_strv names = { 0 };
	kb_envsubst_vars("${a} ${b:=${c}} ${a}", 20, &names);
	OK(names.n == 3 && strcmp(names.v[0], "a") == 0 && strcmp(names.v[1], "b") == 0 &&
	   strcmp(names.v[2], "c") == 0);
	kb_strv_free(&names);
}

typedef struct pat_case {
	const char *pattern, *domain, *path;
	bool is_dir;
	int want; /* 0 no match, 1 exclude, 2 include */
} pat_case;

static const pat_case pat_cases[] = {
#include "flux_pattern_cases.inc"
};

static void test_gitignore_patterns(void)
{
	for (size_t i = 0; i < sizeof(pat_cases) / sizeof(*pat_cases); i++) {
		const pat_case *t = &pat_cases[i];
		kb_srcignore *ig = kb_srcignore_new();
		kb_srcignore_add(ig, t->pattern, t->domain);
		int got = kb_srcignore_match_result(ig, t->path, t->is_dir);
		if (got != t->want)
			printf("# pattern %s (domain %s) on %s: got %d, want %d\n", t->pattern,
			       t->domain, t->path, got, t->want);
		OK(got == t->want);
		kb_srcignore_free(ig);
	}
	/* matcher_test.go: later patterns take precedence */
	kb_srcignore *ig = kb_srcignore_new();
	kb_srcignore_add(ig, "**/middle/v[uo]l?ano", NULL);
	kb_srcignore_add(ig, "!volcano", NULL);
	OK(kb_srcignore_match(ig, "head/middle/vulkano", false));
	OK(!kb_srcignore_match(ig, "head/middle/volcano", false));
	kb_srcignore_free(ig);
	/* sourceignore_test.go TestReadPatterns */
	ig = kb_srcignore_new();
	kb_srcignore_add_text(ig, "ignore-dir/*\n!ignore-dir/include\n", NULL);
	OK(kb_srcignore_match(ig, "ignore-dir/file.yaml", false));
	OK(!kb_srcignore_match(ig, "file.yaml", false));
	OK(!kb_srcignore_match(ig, "ignore-dir/include", false));
	kb_srcignore_free(ig);
	ig = kb_srcignore_new();
	kb_srcignore_add_text(ig, "ignore-dir/*\n# !ignore-dir/include", NULL);
	OK(kb_srcignore_match(ig, "ignore-dir/file.yaml", false));
	OK(kb_srcignore_match(ig, "ignore-dir/include", false));
	kb_srcignore_free(ig);
	ig = kb_srcignore_new();
	kb_srcignore_add_text(ig, "ignore-dir/*", "domain/scoped");
	OK(kb_srcignore_match(ig, "domain/scoped/ignore-dir/file.yaml", false));
	OK(!kb_srcignore_match(ig, "ignore-dir/file.yaml", false));
	kb_srcignore_free(ig);
	/* TestVCSPatterns, TestDefaultPatterns */
	ig = kb_srcignore_new();
	kb_srcignore_add_defaults(ig, true);
	const char *match[] = { ".git/config", ".gitignore", "image.jpg", "archive.tar.gz",
				".github/workflows/workflow.yaml", "subdir/.flux.yaml",
				"subdir2/.sops.yaml" };
	for (size_t i = 0; i < sizeof(match) / sizeof(*match); i++)
		OK(kb_srcignore_match(ig, match[i], false));
	const char *nomatch[] = { "workload.yaml", "workload.yml", "simple.txt" };
	for (size_t i = 0; i < sizeof(nomatch) / sizeof(*nomatch); i++)
		OK(!kb_srcignore_match(ig, nomatch[i], false));
	kb_srcignore_add(ig, "!*.jpg", NULL);
	OK(!kb_srcignore_match(ig, "image.jpg", false));
	kb_srcignore_free(ig);
	/* VCS only (a source with rules of its own keeps *.png) */
	ig = kb_srcignore_new();
	kb_srcignore_add_defaults(ig, false);
	OK(kb_srcignore_match(ig, ".git/config", false));
	OK(!kb_srcignore_match(ig, "image.png", false));
	kb_srcignore_free(ig);
}

/* Go's path/match_test.go */
static const struct {
	const char *pattern, *s;
	int want; /* 1, 0, -1 bad pattern */
} go_match[] = {
	{ "abc", "abc", 1 },
	{ "*", "abc", 1 },
	{ "*c", "abc", 1 },
	{ "a*", "a", 1 },
	{ "a*", "abc", 1 },
	{ "a*", "ab/c", 0 },
	{ "a*/b", "abc/b", 1 },
	{ "a*/b", "a/c/b", 0 },
	{ "a*b*c*d*e*/f", "axbxcxdxe/f", 1 },
	{ "a*b*c*d*e*/f", "axbxcxdxexxx/f", 1 },
	{ "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", 0 },
	{ "a*b*c*d*e*/f", "axbxcxdxexxx/fff", 0 },
	{ "a*b?c*x", "abxbbxdbxebxczzx", 1 },
	{ "a*b?c*x", "abxbbxdbxebxczzy", 0 },
	{ "ab[c]", "abc", 1 },
	{ "ab[b-d]", "abc", 1 },
	{ "ab[e-g]", "abc", 0 },
	{ "ab[^c]", "abc", 0 },
	{ "ab[^b-d]", "abc", 0 },
	{ "ab[^e-g]", "abc", 1 },
	{ "a\\*b", "a*b", 1 },
	{ "a\\*b", "ab", 0 },
	{ "a?b", "a\xe2\x98\xba" "b", 1 },
	{ "a[^a]b", "a\xe2\x98\xba" "b", 1 },
	{ "a???b", "a\xe2\x98\xba" "b", 0 },
	{ "a[^a][^a][^a]b", "a\xe2\x98\xba" "b", 0 },
	{ "[a-\xce\xb6]*", "\xce\xb1", 1 },
	{ "*[a-\xce\xb6]", "A", 0 },
	{ "a?b", "a/b", 0 },
	{ "a*b", "a/b", 0 },
	{ "[\\]a]", "]", 1 },
	{ "[\\-]", "-", 1 },
	{ "[x\\-]", "x", 1 },
	{ "[x\\-]", "-", 1 },
	{ "[x\\-]", "z", 0 },
	{ "[\\-x]", "x", 1 },
	{ "[\\-x]", "-", 1 },
	{ "[\\-x]", "a", 0 },
	{ "[]a]", "]", -1 },
	{ "[-]", "-", -1 },
	{ "[x-]", "x", -1 },
	{ "[x-]", "-", -1 },
	{ "[x-]", "z", -1 },
	{ "[-x]", "x", -1 },
	{ "[-x]", "-", -1 },
	{ "[-x]", "a", -1 },
	{ "\\", "a", -1 },
	{ "[a-b-c]", "a", -1 },
	{ "[", "a", -1 },
	{ "[^", "a", -1 },
	{ "[^bc", "a", -1 },
	{ "a[", "a", -1 },
	{ "a[", "ab", -1 },
	{ "a[", "x", -1 },
	{ "a/b[", "x", -1 },
	{ "*x", "xxx", 1 },
};

static void test_go_match(void)
{
	for (size_t i = 0; i < sizeof(go_match) / sizeof(*go_match); i++) {
		int got = kb_go_match_mode(go_match[i].pattern, strlen(go_match[i].pattern),
					   go_match[i].s, strlen(go_match[i].s), KB_MATCH_GO);
		if (got != go_match[i].want)
			printf("# Match(%s, %s) = %d, want %d\n", go_match[i].pattern, go_match[i].s,
			       got, go_match[i].want);
		OK(got == go_match[i].want);
	}
	OK(kb_doublestar_match("**/*.md", "a/b/c.md"));
	OK(kb_doublestar_match("**/*.md", "c.md"));
	OK(!kb_doublestar_match("*.md", "a/c.md"));
	OK(kb_doublestar_match("a/**", "a/b/c"));
	OK(kb_doublestar_match("*.{yaml,yml}", "x.yml"));
	OK(!kb_doublestar_match("*.{yaml,yml}", "x.json"));
}

static void test_git_url_key(void)
{
	const char *same[] = { "ssh://git@github.com/Org/Repo.git", "git@github.com:Org/Repo",
			       "https://github.com/Org/Repo/", "https://GitHub.com/Org/Repo.git",
			       "ssh://git@github.com:22/Org/Repo" };
	for (size_t i = 0; i < sizeof(same) / sizeof(*same); i++) {
		char *k = kb_flux_git_url_key(same[i]);
		STR_EQ(k, "github.com/Org/Repo");
		free(k);
	}
}

static void test_local_relative(void)
{
	/* Test_IsLocalRelativePath */
	OK(kb_flux_is_local_relative("foobar.yaml"));
	OK(kb_flux_is_local_relative("./foobar.yaml"));
	OK(kb_flux_is_local_relative("file://foobar.yaml"));
	OK(!kb_flux_is_local_relative("file:///foobar.yaml"));
	OK(!kb_flux_is_local_relative("/foobar.yaml"));
	OK(!kb_flux_is_local_relative("https://github.com/owner/repo"));
	OK(!kb_flux_is_local_relative("git@github.com:owner/repo"));
	OK(!kb_flux_is_local_relative("ssh://git@github.com/owner/repo"));
	OK(!kb_flux_is_local_relative("github.com/owner/repo"));
}

/* fluxcd/pkg/kustomize Test_Images: the Flux images merged into the
 * kustomization's.  (The table's formats use positional arguments.) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void test_images(void)
{
	static const char *const img = "ghcr.io/example/app";
	static const char *const dg =
		"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	struct {
		const char *existing; /* YAML flow of the images list, or NULL */
		const char *flux;
		const char *want;
	} t[] = {
		{ "{name: %1$s, newTag: v1.2.3}", "{name: %1$s, newName: registry.example.com/app}",
		  "{name: %1$s, newName: registry.example.com/app, newTag: v1.2.3}" },
		{ "{name: %1$s, newName: registry.example.com/app}", "{name: %1$s, newTag: v2.0.0}",
		  "{name: %1$s, newName: registry.example.com/app, newTag: v2.0.0}" },
		{ "{name: %1$s, digest: '%2$s'}", "{name: %1$s, newName: registry.example.com/app}",
		  "{name: %1$s, newName: registry.example.com/app, digest: '%2$s'}" },
		{ "{name: %1$s, digest: '%2$s'}", "{name: %1$s, newTag: v2.0.0}",
		  "{name: %1$s, newTag: v2.0.0}" },
		{ "{name: %1$s, newTag: v1.2.3}", "{name: %1$s, digest: '%2$s'}",
		  "{name: %1$s, digest: '%2$s'}" },
		{ "{name: %1$s, newName: registry.example.com/app, digest: '%2$s'}",
		  "{name: %1$s, newTag: v2.0.0}",
		  "{name: %1$s, newName: registry.example.com/app, newTag: v2.0.0}" },
		{ "{name: %1$s, newTag: v1.2.3}", "{name: %1$s, newTag: v2.0.0, digest: '%2$s'}",
		  "{name: %1$s, newTag: v2.0.0, digest: '%2$s'}" },
		{ "{name: %1$s, newName: registry.example.com/app, newTag: v1.2.3}", "{name: %1$s}",
		  "{name: %1$s, newName: registry.example.com/app, newTag: v1.2.3}" },
		{ "{name: %1$s, newName: old.example.com/app, newTag: v1.2.3}",
		  "{name: %1$s, newName: registry.example.com/app, newTag: v2.0.0}",
		  "{name: %1$s, newName: registry.example.com/app, newTag: v2.0.0}" },
		{ NULL, "{name: %1$s, newName: registry.example.com/app, newTag: v2.0.0}",
		  "{name: %1$s, newName: registry.example.com/app, newTag: v2.0.0}" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		char buf[1024];
		kb_memfs *m = kb_memfs_new(NULL);
		char *k;
		if (t[i].existing) {
			snprintf(buf, sizeof(buf), t[i].existing, img, dg);
			k = kb_xasprintf("resources:\n- deployment.yaml\nimages:\n- %s\n", buf);
		} else {
			k = kb_xasprintf("resources:\n- deployment.yaml\n");
		}
		kb_memfs_add(m, "/src/kustomization.yaml", k, strlen(k));
		free(k);
		snprintf(buf, sizeof(buf), t[i].flux, img, dg);
		char *ks = kb_xasprintf("spec:\n  images:\n  - %s\n", buf);
		kb_node *ksdoc = tap_yaml(ks);
		free(ks);
		kb_flux_gen g;
		kb_error *e = kb_flux_generate(kb_memfs_fs(m), "/src", ksdoc, "ks.yaml", NULL, &g);
		OK(e == NULL);
		if (!e) {
			snprintf(buf, sizeof(buf), t[i].want, img, dg);
			char *w = kb_xasprintf("- %s\n", buf);
			kb_node *want = tap_yaml(w);
			free(w);
			const kb_node *got = kb_map_get(g.doc, "images");
			bool eq = got && want && kb_node_equal(got, want);
			if (!eq) {
				kb_buf b = KB_BUF_INIT;
				if (got)
					kb_emit_doc(&b, got);
				printf("# images case %zu: got %s\n", i, b.data ? b.data : "(none)");
				kb_buf_free(&b);
			}
			OK(eq);
			kb_node_free(want);
			kb_flux_gen_free(&g);
		}
		kb_error_free(e);
		kb_node_free(ksdoc);
		kb_memfs_free(m);
	}
}

#pragma GCC diagnostic pop

static void test_generator_shapes(void)
{
	kb_memfs *m = kb_memfs_new(NULL);
	const char *cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
	kb_memfs_add(m, "/src/app/b.yaml", cm, strlen(cm));
	kb_memfs_add(m, "/src/app/a.yml", cm, strlen(cm));
	kb_memfs_add(m, "/src/app/notes.txt", "x", 1);
	kb_memfs_add(m, "/src/app/sub/c.yaml", cm, strlen(cm));
	kb_memfs_add(m, "/src/app/base/kustomization.yaml", "resources: []\n", 14);
	kb_memfs_add(m, "/src/app/base/ignored.yaml", cm, strlen(cm));
	kb_node *ks = tap_yaml("spec:\n  targetNamespace: ns\n  namePrefix: p-\n");
	kb_flux_gen g;
	kb_error *e = kb_flux_generate(kb_memfs_fs(m), "/src/app", ks, "ks.yaml", NULL, &g);
	OK(e == NULL && g.created);
	/* sorted, .yaml/.yml only, a directory with a kustomization listed as one */
	STR_EQ(g.data, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
		       "namePrefix: p-\nnamespace: ns\nresources:\n- ./a.yml\n- ./b.yaml\n- ./base\n"
		       "- ./sub/c.yaml\n");
	kb_flux_gen_free(&g);
	kb_node_free(ks);
	/* an existing file: unknown fields dropped, no resources -> buildMetadata */
	const char *k = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
			"Namespace: old\nfoo: bar\nconfigMapGenerator:\n- name: x\n  literals: [a=b]\n"
			"  bogus: 1\n";
	kb_memfs_add(m, "/src/k/kustomization.yaml", k, strlen(k));
	ks = tap_yaml("spec: {}\n");
	e = kb_flux_generate(kb_memfs_fs(m), "/src/k", ks, "ks.yaml", NULL, &g);
	OK(e == NULL && !g.created);
	STR_EQ(g.data, "apiVersion: kustomize.config.k8s.io/v1beta1\nbuildMetadata:\n"
		       "- originAnnotations\nconfigMapGenerator:\n- literals:\n  - a=b\n  name: x\n"
		       "kind: Kustomization\nnamespace: old\n");
	OK(g.dropped.n == 2);
	kb_flux_gen_free(&g);
	kb_node_free(ks);
	/* unchanged: nothing to lay over */
	const char *k2 = "resources:\n- a.yaml\n";
	kb_memfs_add(m, "/src/k2/kustomization.yaml", k2, strlen(k2));
	ks = tap_yaml("spec:\n  path: ./k2\n");
	e = kb_flux_generate(kb_memfs_fs(m), "/src/k2", ks, "ks.yaml", NULL, &g);
	OK(e == NULL && g.data == NULL);
	kb_flux_gen_free(&g);
	kb_node_free(ks);
	/* a remote component is refused */
	ks = tap_yaml("spec:\n  components:\n  - https://github.com/x/y\n");
	e = kb_flux_generate(kb_memfs_fs(m), "/src/k2", ks, "ks.yaml", NULL, &g);
	OK(e && strstr(e->primary.msg, "must be local and relative"));
	kb_error_free(e);
	kb_node_free(ks);
	kb_memfs_free(m);
}

/* flux2 internal/build TestTrimSopsData */
static void mask_is(const char *in, const char *want)
{
	kb_node *d = tap_yaml(in);
	kb_buf text = KB_BUF_INIT;
	kb_emit_doc(&text, d);
	kb_error *e = kb_flux_mask_secret(d, text.data, "Secret x");
	OK(e == NULL);
	kb_buf out = KB_BUF_INIT;
	kb_emit_doc(&out, d);
	STR_EQ(out.data, want);
	kb_buf_free(&out);
	kb_buf_free(&text);
	kb_node_free(d);
	kb_error_free(e);
}

static void test_mask(void)
{
	mask_is("apiVersion: v1\nkind: Secret\nmetadata:\n  name: my-secret\ntype: Opaque\ndata:\n"
		"  token: |\n"
		"    ewoJImRhdGEiOiAiRU5DW0FFUzI1Nl9HQ00sZGF0YTpvQmU1UGxQbWZRQ1VVYzRzcUtJbW\n"
		"    p3PT0saXY6TUxMRVcxNVFDOWtSZFZWYWdKbnpMQ1NrMHhaR1dJcEFlVGZIenl4VDEwZz0s\n"
		"    dGFnOkszR2tCQ0dTK3V0NFRwazZuZGIwQ0E9PSx0eXBlOnN0cl0iLAoJInNvcHMiOiB7Cg\n"
		"    kJImttcyI6IG51bGwsCgkJImdjcF9rbXMiOiBudWxsLAoJCSJhenVyZV9rdiI6IG51bGws\n"
		"    CgkJImhjX3ZhdWx0IjogbnVsbCwKCQkiYWdlIjogWwoJCQl7CgkJCQkicmVjaXBpZW50Ij\n"
		"    ogImFnZTEwbGEyZ2Uwd3R2eDNxcjdkYXRxZjdyczR5bmd4c3pkYWw5MjdmczlydWthbXI4\n"
		"    dTJwc2hzdnR6N2NlIiwKCQkJCSJlbmMiOiAiLS0tLS1CRUdJTiBBR0UgRU5DUllQVEVEIE\n"
		"    ZJTEUtLS0tLVxuWVdkbExXVnVZM0o1Y0hScGIyNHViM0puTDNZeENpMCtJRmd5TlRVeE9T\n"
		"    Cgl9Cn0=\n",
		"apiVersion: v1\ndata:\n  token: KipTT1BTKio=\nkind: Secret\nmetadata:\n"
		"  name: my-secret\ntype: Opaque\n");
	mask_is("apiVersion: v1\ndata:\n  password: cGFzc3dvcmQK\n  username: YWRtaW4K\n"
		"kind: Secret\nmetadata:\n  name: secret-basic-auth\ntype: kubernetes.io/basic-auth\n",
		"apiVersion: v1\ndata:\n  password: cGFzc3dvcmQK\n  username: YWRtaW4K\n"
		"kind: Secret\nmetadata:\n  name: secret-basic-auth\ntype: kubernetes.io/basic-auth\n");
	mask_is("apiVersion: v1\ndata:\n  .dockerconfigjson: ENC[AES256_GCM,data:KHCF,type:str]\n"
		"kind: Secret\nmetadata:\n  name: secret\ntype: kubernetes.io/dockerconfigjson\n"
		"sops:\n  kms: []\n  mac: ENC[AES256_GCM,data:AHdY,type:str]\n  version: 3.7.1\n",
		"apiVersion: v1\ndata:\n  .dockerconfigjson: eyJtYXNrIjoiKipTT1BTKioifQ==\n"
		"kind: Secret\nmetadata:\n  name: secret\ntype: kubernetes.io/dockerconfigjson\n");
	/* base64 both ways */
	char *b = kb_base64_encode("**SOPS**", 8);
	STR_EQ(b, "KipTT1BTKio=");
	size_t n, bad;
	char *d = kb_base64_decode(b, strlen(b), &n, &bad);
	STR_EQ(d, "**SOPS**");
	free(d);
	free(b);
	OK(kb_base64_decode("abc", 3, &n, &bad) == NULL);
	OK(kb_base64_decode("ab=c", 4, &n, &bad) == NULL);
}

int main(void)
{
	test_envsubst_tables();
	test_envsubst_more();
	test_gitignore_patterns();
	test_go_match();
	test_local_relative();
	test_git_url_key();
	test_images();
	test_generator_shapes();
	test_mask();
	return tap_done();
}
