/* test_fnrun.c - function plugins below the golden cases: the function
 * spec (kyaml's GetFunctionSpec with strict, case-insensitive decoding),
 * the docker argument list, google/shlex splitting, the plugin home
 * lookup, and the working-directory checks (a kustomization at "/", as
 * kustomize's TestFnContainerMountsLoadRestrictions_root builds it in
 * memory). */
#define _GNU_SOURCE
#include "extplugin.h"
#include "fnrun.h"
#include "parse.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static kb_fn_spec *spec_of(const char *yaml, char **err)
{
	kb_node *doc = tap_yaml(yaml);
	kb_fn_spec *s = NULL;
	kb_error *e = kb_fn_spec_get(doc, "t.yaml", &s);
	*err = e ? kb_error_format(e) : NULL;
	kb_error_free(e);
	kb_node_free(doc);
	return s;
}

static char *joined(const kb_strv *v)
{
	kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; i < v->n; i++)
		kb_buf_printf(&b, "%s%s", i ? "|" : "", v->v[i]);
	return kb_buf_detach(&b);
}

static void test_spec(void)
{
	char *err;
	kb_fn_spec *s = spec_of("kind: X\nmetadata:\n  name: x\n  annotations:\n"
				"    config.kubernetes.io/function: |\n"
				"      exec:\n        path: ./fn.sh\n",
				&err);
	OK(s && !err);
	STR_EQ(s ? s->exec_path : NULL, "./fn.sh");
	kb_fn_spec_free(s);

	s = spec_of("kind: X\nmetadata:\n  name: x\n  annotations:\n"
		    "    config.kubernetes.io/function: |\n"
		    "      deferFailure: yes\n"
		    "      container:\n        image: example.com/f:v1\n        network: on\n"
		    "        envs: [A=1, B]\n"
		    "        mounts:\n        - {type: bind, src: ./a, dst: /a, rw: true}\n",
		    &err);
	OK(s && !err);
	if (s) {
		OK(s->defer_failure); /* goyaml.v2 reads yes/on as true */
		OK(s->network);
		STR_EQ(s->image, "example.com/f:v1");
		OK(s->envs.n == 2);
		OK(s->nmounts == 1 && s->mounts[0].rw);
		STR_EQ(s->nmounts ? s->mounts[0].src : NULL, "./a");
	}
	kb_fn_spec_free(s);

	/* field names match case-insensitively, as in Go's JSON decoder */
	s = spec_of("kind: X\nmetadata:\n  name: x\n  annotations:\n"
		    "    config.k8s.io/function: '{Exec: {PATH: ./y}}'\n",
		    &err);
	STR_EQ(s ? s->exec_path : NULL, "./y");
	kb_fn_spec_free(s);

	/* metadata.configFn, then the legacy container annotation */
	s = spec_of("kind: X\nmetadata:\n  name: x\n  configFn:\n    container:\n      image: i:1\n",
		    &err);
	STR_EQ(s ? s->image : NULL, "i:1");
	kb_fn_spec_free(s);
	s = spec_of("kind: X\nmetadata:\n  name: x\n  annotations:\n"
		    "    config.kubernetes.io/container: legacy:2\n",
		    &err);
	STR_EQ(s ? s->image : NULL, "legacy:2");
	kb_fn_spec_free(s);

	/* no spec at all */
	s = spec_of("kind: X\nmetadata:\n  name: x\n  annotations:\n    a: b\n", &err);
	OK(!s && !err);

	/* strict: unknown fields and wrong types are errors */
	s = spec_of("kind: X\nmetadata:\n  name: x\n  annotations:\n"
		    "    config.kubernetes.io/function: |\n      exec:\n        pth: x\n",
		    &err);
	OK(!s && err && strstr(err, "unknown field \"pth\""));
	free(err);
	s = spec_of("kind: X\nmetadata:\n  name: x\n  annotations:\n"
		    "    config.kubernetes.io/function: |\n      container:\n        image: 12\n",
		    &err);
	OK(!s && err && strstr(err, "cannot unmarshal number"));
	free(err);
	s = spec_of("kind: X\nmetadata:\n  name: x\n  annotations:\n"
		    "    config.kubernetes.io/function: '[unclosed'\n",
		    &err);
	OK(!s && err && strstr(err, "config.kubernetes.io/function unmarshal error"));
	free(err);
}

static void test_mounts(void)
{
	kb_fn_mount m;
	kb_fn_mount_parse("type=bind,source=/a,target=/b,rw=true", &m);
	STR_EQ(m.type, "bind");
	STR_EQ(m.src, "/a");
	STR_EQ(m.dst, "/b");
	OK(m.rw);
	kb_fn_mount_free(&m);
	kb_fn_mount_parse("src=x,dst=y,rw=yes,junk,src=z", &m);
	STR_EQ(m.src, "z"); /* the last of a key wins */
	OK(!m.rw);           /* only rw=true */
	OK(m.type == NULL);
	kb_fn_mount_free(&m);
}

static void test_container_args(void)
{
	char *err;
	kb_fn_spec *s = spec_of("kind: X\nmetadata:\n  name: x\n  annotations:\n"
				"    config.kubernetes.io/function: |\n"
				"      container:\n        image: img\n        envs: [Z=1, A=2, E]\n"
				"        mounts:\n        - {type: bind, src: rel/../d, dst: /d}\n",
				&err);
	kb_options o;
	kb_options_init(&o);
	const char *env[] = { "A=flag", "F", "E" };
	const char *mounts[] = { "type=bind,src=/abs,dst=/x,rw=true" };
	o.fn_env = env;
	o.fn_env_n = 3;
	o.fn_mounts = mounts;
	o.fn_mounts_n = 1;
	kb_strv args = { 0 };
	kb_fn_container_args(s, &o, "/work/k", "nobody", &args);
	char *j = joined(&args);
	STR_EQ(j, "run|--rm|-i|-a|STDIN|-a|STDOUT|-a|STDERR|--network|none|--user|nobody|"
		  "--security-opt=no-new-privileges|"
		  "--mount|type=bind,source=/work/k/d,target=/d,readonly|"
		  "--mount|type=bind,source=/abs,target=/x|"
		  "-e|A=flag|-e|LOG_TO_STDERR=true|-e|STRUCTURED_RESULTS=true|-e|Z=1|-e|E|-e|F|img");
	free(j);
	kb_strv_free(&args);
	s->network = true;
	kb_options_init(&o);
	kb_fn_container_args(s, &o, "/w", "0:0", &args);
	j = joined(&args);
	OK(strstr(j, "--network|host|--user|0:0|") != NULL);
	free(j);
	kb_strv_free(&args);
	kb_fn_spec_free(s);
}

static void test_shlex(void)
{
	kb_strv v = { 0 };
	kb_shlex_split("one \"two three\" 'fo\"ur' five\\ six # gone", &v);
	char *j = joined(&v);
	STR_EQ(j, "one|two three|fo\"ur|five six");
	free(j);
	kb_strv_free(&v);
	kb_shlex_split("a#b \"x\\\"y\" c", &v);
	j = joined(&v);
	STR_EQ(j, "a#b|x\"y|c");
	free(j);
	kb_strv_free(&v);
	/* an unclosed quote: the words before it stay */
	kb_shlex_split("a b 'c d", &v);
	j = joined(&v);
	STR_EQ(j, "a|b");
	free(j);
	kb_strv_free(&v);
}

static void test_plugin_home(const char *dir)
{
	char *kph = kb_xasprintf("%s/kph", dir), *xdg = kb_xasprintf("%s/xdg", dir);
	tap_mkdir(dir, "kph");
	tap_mkdir(dir, "xdg/kustomize/plugin");
	tap_mkdir(dir, "home/.config/kustomize/plugin");
	tap_mkdir(dir, "home/kustomize/plugin");
	char *home = kb_xasprintf("%s/home", dir);
	setenv("HOME", home, 1);
	setenv("KUSTOMIZE_PLUGIN_HOME", kph, 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	char *tried, *h = kb_ext_plugin_home(&tried);
	STR_EQ(h, kph);
	free(h);
	free(tried);
	setenv("KUSTOMIZE_PLUGIN_HOME", "", 1);
	h = kb_ext_plugin_home(&tried);
	char *want = kb_xasprintf("%s/kustomize/plugin", xdg);
	STR_EQ(h, want);
	free(want);
	free(h);
	free(tried);
	unsetenv("XDG_CONFIG_HOME");
	h = kb_ext_plugin_home(&tried);
	want = kb_xasprintf("%s/.config/kustomize/plugin", home);
	STR_EQ(h, want);
	free(want);
	free(h);
	free(tried);
	char *nohome = kb_xasprintf("%s/nothing", dir);
	setenv("HOME", nohome, 1);
	h = kb_ext_plugin_home(&tried);
	OK(h == NULL && tried && strstr(tried, "$KUSTOMIZE_PLUGIN_HOME (unset)"));
	free(h);
	free(tried);
	free(nohome);
	free(home);
	free(kph);
	free(xdg);
}

/* kustomize: "couldn't execute function: root working directory '/' not
 * allowed" for a kustomization at the root of an in-memory file system. */
static void test_root_workdir(void)
{
	kb_memfs *m = kb_memfs_new(NULL);
	const char *k = "generators:\n- gener.yaml\n";
	const char *g = "apiVersion: examples.config.kubernetes.io/v1beta1\n"
			"kind: CockroachDB\nmetadata:\n  name: demo\n  annotations:\n"
			"    config.kubernetes.io/function: |\n      container:\n"
			"        image: gcr.io/kustomize-functions/example-cockroachdb:v0.1.0\n"
			"spec:\n  replicas: 3\n";
	kb_memfs_add(m, "/kustomization.yaml", k, strlen(k));
	kb_memfs_add(m, "/gener.yaml", g, strlen(g));
	kb_options o;
	kb_options_init(&o);
	o.path = "/";
	o.fs = kb_memfs_fs(m);
	o.enable_alpha_plugins = 1;
	o.fn_container_runtime = "kbuild-no-such-runtime";
	kb_result *res = NULL;
	kb_error *e = kb_build(&o, &res);
	char *text = e ? kb_error_format(e) : NULL;
	OK(e && text && strstr(text, "root working directory '/' not allowed"));
	free(text);
	kb_error_free(e);
	kb_result_free(res);
	kb_memfs_free(m);
}

/* An options struct of an older version is read without its new fields:
 * enable_exec set beyond version 2 must not run the exec function. */
static void test_old_options(const char *dir)
{
	tap_write(dir, "old/kustomization.yaml", "resources:\n- cm.yaml\ngenerators:\n- gen.yaml\n");
	tap_write(dir, "old/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
	tap_write(dir, "old/gen.yaml",
		  "apiVersion: t/v1\nkind: G\nmetadata:\n  name: g\n  annotations:\n"
		  "    config.kubernetes.io/function: |\n      exec:\n        path: ./gen.sh\n");
	tap_write(dir, "old/gen.sh",
		  "#!/bin/sh\nprintf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: generated\\n'\n");
	char *sh = kb_xasprintf("%s/old/gen.sh", dir);
	chmod(sh, 0755);
	free(sh);
	kb_options o;
	kb_options_init(&o);
	o.enable_alpha_plugins = 1;
	o.enable_exec = 1;
	BUILD_IS(dir, "old", &o,
		 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n---\n"
		 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: generated\n");
	o.version = 2;
	BUILD_IS(dir, "old", &o, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
}

/* kb_options.fn_max_output bounds what a function may print, and
 * fn_timeout_ms how long it may take. */
static void test_limits(const char *dir)
{
	tap_write(dir, "big/kustomization.yaml", "generators:\n- gen.yaml\n");
	tap_write(dir, "big/gen.yaml",
		  "apiVersion: t/v1\nkind: G\nmetadata:\n  name: g\n  annotations:\n"
		  "    config.kubernetes.io/function: |\n      exec:\n        path: ./gen.sh\n");
	tap_write(dir, "big/gen.sh", "#!/bin/sh\ncat >/dev/null\nexec yes 'x: 1'\n");
	char *sh = kb_xasprintf("%s/big/gen.sh", dir);
	chmod(sh, 0755);
	free(sh);
	kb_options o;
	kb_options_init(&o);
	o.enable_alpha_plugins = 1;
	o.enable_exec = 1;
	o.fn_max_output = 100000;
	BUILD_FAILS(dir, "big", &o, "printed more than 100000 bytes on stdout");
	tap_write(dir, "big/gen.sh", "#!/bin/sh\nexec sleep 30\n");
	o.fn_max_output = 0;
	o.fn_timeout_ms = 200;
	BUILD_FAILS(dir, "big", &o, "timed out after 0.200s");
}

int main(void)
{
	test_spec();
	test_mounts();
	test_container_args();
	test_shlex();
	char *dir = tap_tmpdir("fnrun");
	test_plugin_home(dir);
	test_root_workdir();
	test_old_options(dir);
	test_limits(dir);
	tap_rmtree(dir);
	free(dir);
	return tap_done();
}
