/* test_concurrent.c - separate builds may run concurrently (kbuild.h: the
 * library has no global mutable state).  Many builds run at once on
 * several threads over varied trees, and each result (the output bytes,
 * or the error text) must equal the single-threaded one.  The trees:
 *   - in memory (one kb_memfs shared by every thread, as the API allows
 *     once it is only read): generators with merge/replace across a base,
 *     env and file sources, strategic-merge and JSON 6902 patches,
 *     components, prefixes, labels, images, replicas, replacements, vars,
 *     name references, an error case;
 *   - on disk: a spread of testdata/cases (success and error cases, none
 *     with helm charts or remote bases), read through kb_fs_os(), and a
 *     scratch tree of two big files (parsed ahead although only two);
 * every other concurrent build keeps no trees (kb_options.no_docs), and
 * the stream of a result is asked for from two threads at once (its
 * first kb_result_yaml joins it) and must be what kb_result_write wrote.
 * The suite runs it a second time under ThreadSanitizer (KB_TSAN build in
 * tools/test), where any data race fails it. */
#define _GNU_SOURCE
#include "tap.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef KB_TESTDATA
#error "KB_TESTDATA (the testdata directory) must be defined"
#endif

enum { THREADS = 4, ROUNDS = 2, MAX_DISK_CASES = 40 };

typedef struct tree {
	char *path;       /* kustomization directory */
	const kb_fs *fs;  /* NULL: the OS's */
	char *want;       /* single-threaded result: "ok\n" + yaml, or "error\n" + text */
} tree;

static tree *trees;
static size_t ntrees, cap_trees;

static void add_tree(const char *path, const kb_fs *fs)
{
	kb_grow((void **)&trees, &cap_trees, ntrees + 1, sizeof(*trees));
	trees[ntrees].path = kb_xstrdup(path);
	trees[ntrees].fs = fs;
	trees[ntrees].want = NULL;
	ntrees++;
}

/* One build, its outcome as text (caller frees).  jobs: the build's own
 * threads (kb_options.jobs): the reference results are made with 1, the
 * concurrent builds use several, so that a build's own pool (parsing a
 * kustomization's files ahead, printing) runs under ThreadSanitizer too
 * and must give the same bytes and the same first error. */
static void *ask_yaml(void *arg)
{
	return (void *)kb_result_yaml(arg, NULL);
}

/* kb_options.write: the streamed output, collected; the warnings as the
 * first call sees them. */
typedef struct sink {
	kb_buf out;
	char *warned;
	size_t calls;
} sink;

static int sink_write(void *ctx, const kb_result *res, const char *data, size_t len)
{
	sink *k = ctx;
	if (!k->calls++) {
		kb_buf w = KB_BUF_INIT;
		for (size_t i = 0; i < kb_result_warning_count(res); i++)
			kb_buf_printf(&w, "warning: %s\n", kb_result_warning(res, i));
		k->warned = kb_buf_detach(&w);
	}
	kb_buf_append(&k->out, data, len);
	return 0;
}

/* mode 0: the result keeps its trees; 1: no_docs; 2: streamed through
 * kb_options.write (the text must be the same, and the result hold no
 * document) */
static char *build(const tree *t, unsigned jobs, int mode)
{
	kb_options o;
	kb_options_init(&o);
	o.path = t->path;
	o.fs = t->fs;
	o.jobs = jobs;
	o.no_docs = mode == 1;
	sink k = { KB_BUF_INIT, NULL, 0 };
	if (mode == 2) {
		o.write = sink_write;
		o.write_ctx = &k;
	}
	kb_result *res = NULL;
	kb_error *e = kb_build(&o, &res);
	kb_buf b = KB_BUF_INIT;
	if (e && k.calls)
		kb_buf_puts(&b, "BAD: output written before an error\n");
	if (!e && mode == 2) {
		size_t len = 1;
		kb_result_yaml(res, &len);
		if (kb_result_count(res) != 0 || len != 0)
			kb_buf_puts(&b, "BAD: a streamed result holds documents\n");
		kb_buf w = KB_BUF_INIT;
		for (size_t i = 0; i < kb_result_warning_count(res); i++)
			kb_buf_printf(&w, "warning: %s\n", kb_result_warning(res, i));
		if (k.calls && strcmp(w.data ? w.data : "", k.warned ? k.warned : "") != 0)
			kb_buf_puts(&b, "BAD: the warnings write saw are not the result's\n");
		kb_buf_free(&w);
		kb_buf_puts(&b, "ok\n");
		kb_buf_append(&b, k.out.data ? k.out.data : "", k.out.len);
		for (size_t i = 0; i < kb_result_warning_count(res); i++)
			kb_buf_printf(&b, "warning: %s\n", kb_result_warning(res, i));
		kb_result_free(res);
		res = NULL;
	}
	kb_buf_free(&k.out);
	free(k.warned);
	if (!e && !res) {
		/* streamed: done above */
	} else if (e) {
		char *txt = kb_error_format(e);
		kb_buf_printf(&b, "error %d\n%s", kb_error_code(e), txt);
		free(txt);
		kb_error_free(e);
	} else {
		char *written = NULL;
		size_t wlen = 0;
		FILE *mf = open_memstream(&written, &wlen);
		/* (not OK(): tap is not thread-safe; a difference goes into
		 * the text, which then differs from the reference's) */
		bool bad = !mf || kb_result_write(res, mf) != 0;
		if (mf)
			fclose(mf);
		pthread_t th;
		void *other = NULL;
		bool started = pthread_create(&th, NULL, ask_yaml, res) == 0;
		size_t len = 0;
		const char *y = kb_result_yaml(res, &len);
		if (started) {
			pthread_join(th, &other);
			bad |= other != (void *)y;
		}
		bad |= !(wlen == len && memcmp(written, y, len) == 0);
		free(written);
		if (bad)
			kb_buf_puts(&b, "BAD: kb_result_write and kb_result_yaml disagree\n");
		kb_buf_puts(&b, "ok\n");
		kb_buf_append(&b, y, len);
		for (size_t i = 0; i < kb_result_warning_count(res); i++)
			kb_buf_printf(&b, "warning: %s\n", kb_result_warning(res, i));
		kb_result_free(res);
	}
	return kb_buf_detach(&b);
}

static int sink_fail(void *ctx, const kb_result *res, const char *data, size_t len)
{
	(void)res;
	(void)data;
	(void)len;
	(*(size_t *)ctx)++;
	errno = ENOSPC;
	return -1;
}

/* Streamed output: a resource that cannot be printed fails the build
 * before anything is written, wherever it stands (kb_emit_check); a
 * write that fails fails the build (KB_ERR_IO). */
static void test_stream_errors(const kb_fs *fs)
{
	kb_options o;
	kb_options_init(&o);
	o.fs = fs;
	o.jobs = 3;
	size_t calls = 0;
	o.write = sink_fail;
	o.write_ctx = &calls;
	kb_result *res = NULL;
	o.path = "/mem/late-print-error";
	o.load_restrictor = KB_LOAD_NONE; /* it reads ../wide */
	kb_error *e = kb_build(&o, &res);
	OK(e && !res && calls == 0);
	char *t = e ? kb_error_format(e) : NULL;
	OK(t && strstr(t, "already defined") && strstr(t, "last.yaml"));
	if (t && !strstr(t, "already defined"))
		printf("# %s\n", t);
	free(t);
	kb_error_free(e);
	o.path = "/mem/wide";
	e = kb_build(&o, &res);
	OK(e && !res && calls == 1 && kb_error_code(e) == KB_ERR_IO);
	t = e ? kb_error_format(e) : NULL;
	OK(t && strstr(t, "writing the output") && strstr(t, strerror(ENOSPC)));
	free(t);
	kb_error_free(e);
}

typedef struct worker {
	size_t id;
	size_t mismatches;
	size_t builds;
	char *first_bad; /* path of the first tree whose result differed */
} worker;

static void *run_worker(void *arg)
{
	worker *w = arg;
	for (size_t r = 0; r < ROUNDS; r++) {
		/* each thread walks the trees from its own start, so that
		 * different trees and the same tree both overlap in time */
		for (size_t k = 0; k < ntrees; k++) {
			const tree *t = &trees[(k + w->id * ntrees / THREADS + r) % ntrees];
			char *got = build(t, 3, (int)((k + r) % 3));
			w->builds++;
			if (strcmp(got, t->want) != 0) {
				w->mismatches++;
				if (!w->first_bad)
					w->first_bad = t->path;
			}
			free(got);
		}
	}
	return NULL;
}

/* ---- the in-memory trees ---- */

static void mem_add(kb_memfs *m, const char *path, const char *text)
{
	kb_memfs_add(m, path, text, strlen(text));
}

static const char deploy[] =
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\n"
	"spec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: web\n  template:\n"
	"    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n"
	"      - name: app\n        image: nginx:1.25\n        args: [\"$(MODE)\"]\n"
	"        envFrom:\n        - configMapRef:\n            name: settings\n"
	"        - secretRef:\n            name: creds\n      volumes:\n      - name: v\n"
	"        configMap:\n          name: settings\n";
static const char service[] =
	"apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n"
	"  ports:\n  - port: 80\n    targetPort: 8080\n";

static kb_memfs *mem_trees(void)
{
	kb_memfs *m = kb_memfs_new(NULL);
	/* a base with generators and resources */
	mem_add(m, "/mem/base/kustomization.yaml",
		"resources:\n- deploy.yaml\n- service.yaml\n"
		"configMapGenerator:\n- name: settings\n  literals:\n  - MODE=base\n  - LEVEL=1\n"
		"  envs:\n  - app.env\n"
		"secretGenerator:\n- name: creds\n  files:\n  - password.txt\n"
		"vars:\n- name: MODE\n  objref:\n    apiVersion: v1\n    kind: ConfigMap\n"
		"    name: settings\n  fieldref:\n    fieldpath: data.MODE\n");
	mem_add(m, "/mem/base/deploy.yaml", deploy);
	mem_add(m, "/mem/base/service.yaml", service);
	mem_add(m, "/mem/base/app.env", "COLOR=blue\n# comment\nSIZE=10\n");
	mem_add(m, "/mem/base/password.txt", "hunter2\n");
	/* a component */
	mem_add(m, "/mem/comp/kustomization.yaml",
		"apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
		"commonAnnotations:\n  comp: \"on\"\n"
		"configMapGenerator:\n- name: settings\n  behavior: merge\n  literals:\n  - FROM_COMP=1\n");
	/* an overlay: merge/replace generators, patches of both kinds,
	 * prefix, labels, images, replicas, replacements */
	mem_add(m, "/mem/overlay/kustomization.yaml",
		"resources:\n- ../base\ncomponents:\n- ../comp\nnamePrefix: dev-\nnamespace: dev\n"
		"labels:\n- pairs:\n    env: dev\n  includeSelectors: true\n"
		"images:\n- name: nginx\n  newTag: \"1.27\"\nreplicas:\n- name: web\n  count: 3\n"
		"configMapGenerator:\n- name: settings\n  behavior: merge\n  literals:\n  - MODE=dev\n"
		"- name: extra\n  literals:\n  - a=b\n"
		"secretGenerator:\n- name: creds\n  behavior: replace\n  literals:\n  - password=s3cret\n"
		"patches:\n- path: smp.yaml\n- target:\n    kind: Service\n  patch: |-\n"
		"    - op: replace\n      path: /spec/ports/0/port\n      value: 8080\n"
		"replacements:\n- source:\n    kind: ConfigMap\n    name: extra\n    fieldPath: data.a\n"
		"  targets:\n  - select:\n      kind: Deployment\n    fieldPaths:\n"
		"    - metadata.annotations.a\n    options:\n      create: true\n");
	mem_add(m, "/mem/overlay/smp.yaml",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
		"    spec:\n      containers:\n      - name: app\n        env:\n        - name: X\n"
		"          value: \"1\"\n      - name: sidecar\n        image: busybox\n");
	/* the same base under another overlay, with JSON 6902 and legacy
	 * fields and sort options */
	mem_add(m, "/mem/prod/kustomization.yaml",
		"resources:\n- ../base\nnameSuffix: -prod\ncommonLabels:\n  env: prod\n"
		"patchesJson6902:\n- target:\n    group: apps\n    version: v1\n    kind: Deployment\n"
		"    name: web\n  path: json.yaml\n"
		"sortOptions:\n  order: fifo\n");
	mem_add(m, "/mem/prod/json.yaml",
		"- op: add\n  path: /spec/template/spec/containers/0/ports\n  value:\n"
		"  - containerPort: 8080\n- op: remove\n  path: /spec/replicas\n");
	/* an error case: a patch that matches nothing */
	mem_add(m, "/mem/broken/kustomization.yaml",
		"resources:\n- ../base\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: Nope\n"
		"    metadata:\n      name: none\n");
	/* wide: enough files and resources for a build to parse and print
	 * on its own threads; wide-broken fails in two files, of which the
	 * earlier must be the one reported */
	kb_buf k = KB_BUF_INIT, kb = KB_BUF_INIT;
	kb_buf_puts(&k, "namePrefix: w-\ncommonLabels:\n  wide: \"yes\"\nresources:\n");
	kb_buf_puts(&kb, "resources:\n");
	for (int i = 0; i < 24; i++) {
		char path[64], text[512];
		snprintf(path, sizeof(path), "/mem/wide/r%02d.yaml", i);
		snprintf(text, sizeof(text),
			 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\ndata:\n  a: |\n"
			 "    line one\n    line two\n---\napiVersion: v1\nkind: Secret\n"
			 "metadata:\n  name: s%d\nstringData:\n  k: \"v%d\"\n",
			 i, i, i);
		mem_add(m, path, text);
		kb_buf_printf(&k, "- r%02d.yaml\n", i);
		snprintf(path, sizeof(path), "/mem/wide-broken/r%02d.yaml", i);
		if (i == 10)
			mem_add(m, path, "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n");
		else if (i != 20)
			mem_add(m, path, text);
		kb_buf_printf(&kb, "- r%02d.yaml\n", i);
	}
	mem_add(m, "/mem/wide/kustomization.yaml", k.data);
	mem_add(m, "/mem/wide-broken/kustomization.yaml", kb.data);
	/* the last of many resources cannot be printed (a repeated key) */
	kb_buf lp = KB_BUF_INIT;
	kb_buf_puts(&lp, "resources:\n");
	for (int i = 0; i < 24; i++)
		kb_buf_printf(&lp, "- ../wide/r%02d.yaml\n", i);
	kb_buf_puts(&lp, "- last.yaml\n");
	mem_add(m, "/mem/late-print-error/kustomization.yaml", lp.data);
	mem_add(m, "/mem/late-print-error/last.yaml",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: zz\ndata:\n  k: v\n  k: w\n");
	kb_buf_free(&lp);
	kb_buf_free(&k);
	kb_buf_free(&kb);
	return m;
}

/* ---- the disk trees ---- */

/* True when a file below dir mentions what would run a program or
 * reach the network (helm charts, remote bases). */
static bool uses_outside_tools(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	struct dirent *de;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *p = kb_xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			found = uses_outside_tools(p);
		} else if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < 1 << 20) {
			FILE *f = fopen(p, "rb");
			if (f) {
				char *buf = kb_xmalloc((size_t)st.st_size + 1);
				size_t n = fread(buf, 1, (size_t)st.st_size, f);
				buf[n] = '\0';
				found = strstr(buf, "helmChart") || strstr(buf, "://") ||
					strstr(buf, "github.com") || strstr(buf, "git@") ||
					strstr(buf, "?ref=");
				free(buf);
				fclose(f);
			}
		}
		free(p);
	}
	closedir(d);
	return found;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A spread of testdata/cases: every case whose args name just a
 * directory, taken at an even stride up to MAX_DISK_CASES. */
static void disk_trees(void)
{
	const char *root = KB_TESTDATA "/cases";
	DIR *d = opendir(root);
	if (!d) {
		printf("# cannot open %s\n", root);
		return;
	}
	kb_strv names = { 0 };
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			kb_strv_push(&names, de->d_name);
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	size_t stride = names.n / MAX_DISK_CASES + 1, added = 0;
	for (size_t i = 0; i < names.n && added < MAX_DISK_CASES; i += stride) {
		char *argsp = kb_xasprintf("%s/%s/args", root, names.v[i]);
		FILE *f = fopen(argsp, "r");
		free(argsp);
		if (!f)
			continue;
		char line[512] = "";
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || strchr(line, ' ') || line[0] == '-')
			continue; /* flags: not a plain build */
		char *dir = kb_xasprintf("%s/%s/%s", root, names.v[i], line);
		char *real = realpath(dir, NULL);
		if (real && !uses_outside_tools(real)) {
			add_tree(real, NULL);
			added++;
		}
		free(real);
		free(dir);
	}
	kb_strv_free(&names);
}

int main(void)
{
	kb_memfs *m = mem_trees();
	const kb_fs *mfs = kb_memfs_fs(m);
	add_tree("/mem/base", mfs);
	add_tree("/mem/overlay", mfs);
	add_tree("/mem/prod", mfs);
	add_tree("/mem/broken", mfs);
	add_tree("/mem/wide", mfs);
	add_tree("/mem/wide-broken", mfs);
	size_t nmem = ntrees;
	/* two files of over 256 KiB: parsed on the build's threads */
	char *big = tap_tmpdir("concurrent-big");
	tap_write(big, "kustomization.yaml", "namePrefix: b-\nresources:\n- one.yaml\n- two.yaml\n");
	for (int f = 0; f < 2; f++) {
		kb_buf t = KB_BUF_INIT;
		kb_buf_printf(&t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big%d\ndata:\n", f);
		for (int i = 0; t.len < 300 * 1024; i++)
			kb_buf_printf(&t, "  key%05d: \"value %d of file %d, long enough\"\n", i, i, f);
		kb_buf_printf(&t, "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s%d\n", f);
		tap_write(big, f ? "two.yaml" : "one.yaml", t.data);
		kb_buf_free(&t);
	}
	add_tree(big, NULL);
	/* one file of many documents, over 256 KiB: its documents are parsed
	 * on the build's threads (kb_yaml_parse_on) */
	char *many = tap_tmpdir("concurrent-many");
	tap_write(many, "kustomization.yaml", "namePrefix: m-\nresources:\n- all.yaml\n");
	kb_buf all = KB_BUF_INIT;
	for (int i = 0; all.len < 400 * 1024; i++)
		kb_buf_printf(&all, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm%04d\ndata:\n"
				    "  a: \"value %d, long enough to make the file big\"\n---\n",
			      i, i);
	tap_write(many, "all.yaml", all.data);
	kb_buf_free(&all);
	add_tree(many, NULL);
	disk_trees();
	printf("# %zu trees (%zu in memory), %d threads x %d rounds\n", ntrees, nmem, THREADS,
	       ROUNDS);
	OK(ntrees >= nmem + 20);

	size_t oks = 0;
	for (size_t i = 0; i < ntrees; i++) {
		trees[i].want = build(&trees[i], 1, 0);
		/* streamed on this thread, and the result made so, agree */
		char *streamed = build(&trees[i], 1, 2);
		OK(strcmp(streamed, trees[i].want) == 0);
		if (strcmp(streamed, trees[i].want) != 0)
			printf("# %s: streamed\n%s\n# kept\n%s\n", trees[i].path, streamed, trees[i].want);
		free(streamed);
		oks += strncmp(trees[i].want, "ok\n", 3) == 0;
	}
	/* the memory trees build as meant (the broken one fails) */
	OK(strncmp(trees[0].want, "ok\n", 3) == 0);
	OK(strncmp(trees[1].want, "ok\n", 3) == 0);
	OK(strstr(trees[1].want, "name: dev-settings-") && strstr(trees[1].want, "FROM_COMP"));
	OK(strncmp(trees[2].want, "ok\n", 3) == 0);
	OK(strncmp(trees[3].want, "error", 5) == 0);
	OK(strncmp(trees[4].want, "ok\n", 3) == 0 && strstr(trees[4].want, "name: w-s23"));
	OK(strncmp(trees[5].want, "error", 5) == 0 && strstr(trees[5].want, "r10.yaml") &&
	   !strstr(trees[5].want, "r20.yaml"));
	OK(oks > ntrees / 2);
	for (size_t i = 0; i < ntrees; i++)
		OK(!strstr(trees[i].want, "BAD: "));
	OK(strncmp(trees[nmem].want, "ok\n", 3) == 0 && strstr(trees[nmem].want, "name: b-big1"));
	OK(strncmp(trees[nmem + 1].want, "ok\n", 3) == 0 &&
	   strstr(trees[nmem + 1].want, "name: m-cm3000"));

	test_stream_errors(mfs);

	pthread_t th[THREADS];
	worker w[THREADS];
	for (size_t i = 0; i < THREADS; i++) {
		w[i] = (worker){ .id = i };
		OK(pthread_create(&th[i], NULL, run_worker, &w[i]) == 0);
	}
	size_t builds = 0;
	for (size_t i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		builds += w[i].builds;
		OK(w[i].mismatches == 0);
		if (w[i].mismatches)
			printf("# thread %zu: %zu result(s) differ from the single-threaded build, "
			       "first %s\n",
			       i, w[i].mismatches, w[i].first_bad);
	}
	OK(builds == (size_t)THREADS * ROUNDS * ntrees);
	printf("# %zu concurrent builds\n", builds);

	tap_rmtree(big);
	free(big);
	tap_rmtree(many);
	free(many);
	for (size_t i = 0; i < ntrees; i++) {
		free(trees[i].path);
		free(trees[i].want);
	}
	free(trees);
	kb_memfs_free(m);
	return tap_done();
}
