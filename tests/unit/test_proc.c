/* test_proc.c - the child-process runner (lib/util/proc.h): big inputs
 * and outputs without deadlock, stderr, exit statuses and signals in Go's
 * words, the deadline (also with a grandchild holding the pipes), the
 * output bound, a child that never reads its input, cwd and env. */
#define _GNU_SOURCE
#include "proc.h"
#include "tap.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run(char *const *argv, const char *input, size_t len, int64_t timeout, size_t max_out,
	       size_t max_err, kb_proc_result *r)
{
	kb_proc_spec s = { 0 };
	s.argv = argv;
	s.input = input;
	s.input_len = len;
	s.timeout_ms = timeout;
	s.max_out = max_out;
	s.max_err = max_err;
	s.flags = KB_PROC_SEARCH_PATH;
	return kb_proc_run(&s, r);
}

static char *describe(char *const *argv, const kb_proc_result *r)
{
	kb_proc_spec s = { 0 };
	s.argv = argv;
	s.flags = KB_PROC_SEARCH_PATH;
	return kb_proc_describe(&s, r);
}

int main(void)
{
	kb_proc_result r;

	/* 8 MiB through cat: it writes while we still write */
	size_t n = 8u << 20;
	char *big = malloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	char *cat[] = { "cat", NULL };
	OK(run(cat, big, n, 20000, 0, 0, &r) == 0);
	OK(r.exited && r.exit_code == 0);
	OK(r.out.len == n && memcmp(r.out.data, big, n) == 0);
	OK(describe(cat, &r) == NULL);
	kb_proc_result_free(&r);

	/* a child that exits without reading: no SIGPIPE for us */
	char *tru[] = { "true", NULL };
	OK(run(tru, big, n, 20000, 0, 0, &r) == 0);
	OK(r.exited && r.exit_code == 0 && !r.timed_out);
	kb_proc_result_free(&r);

	/* stderr and the exit status */
	char *fail[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	OK(run(fail, NULL, 0, 20000, 0, 0, &r) == 0);
	STR_EQ(r.out.data, "out\n");
	STR_EQ(r.err.data, "err\n");
	char *d = describe(fail, &r);
	STR_EQ(d, "exit status 3");
	free(d);
	kb_proc_result_free(&r);

	/* a signal, in Go's words */
	char *sig[] = { "/bin/sh", "-c", "kill -TERM $$", NULL };
	OK(run(sig, NULL, 0, 20000, 0, 0, &r) == 0);
	OK(r.term_signal == SIGTERM);
	d = describe(sig, &r);
	STR_EQ(d, "signal: terminated");
	free(d);
	kb_proc_result_free(&r);

	/* the deadline */
	char *slp[] = { "sleep", "30", NULL };
	double t0 = now();
	OK(run(slp, "", 0, 300, 0, 0, &r) == 0);
	OK(r.timed_out);
	OK(now() - t0 < 10);
	d = describe(slp, &r);
	STR_EQ(d, "signal: killed");
	free(d);
	kb_proc_result_free(&r);

	/* ... also when a grandchild keeps stdout open */
	char *gc[] = { "/bin/sh", "-c", "sleep 30 & sleep 30", NULL };
	t0 = now();
	OK(run(gc, NULL, 0, 300, 0, 0, &r) == 0);
	OK(r.timed_out);
	OK(now() - t0 < 10);
	kb_proc_result_free(&r);

	/* a child that closes its output but does not exit */
	char *lin[] = { "/bin/sh", "-c", "exec >/dev/null 2>&1; sleep 30", NULL };
	t0 = now();
	OK(run(lin, NULL, 0, 300, 0, 0, &r) == 0);
	OK(r.timed_out);
	OK(now() - t0 < 10);
	kb_proc_result_free(&r);

	/* the output bound */
	char *yes[] = { "yes", NULL };
	OK(run(yes, NULL, 0, 20000, 1 << 20, 0, &r) == 0);
	OK(r.out_overflow);
	OK(r.out.len <= 1 << 20);
	kb_proc_result_free(&r);

	/* stderr is kept up to max_err */
	char *noisy[] = { "/bin/sh", "-c", "yes | head -c 100000 >&2", NULL };
	OK(run(noisy, NULL, 0, 20000, 0, 1000, &r) == 0);
	OK(r.err_truncated && r.err.len == 1000);
	OK(r.exited && r.exit_code == 0);
	kb_proc_result_free(&r);

	/* programs that are not there */
	char *nope[] = { "kbuild-no-such-program", NULL };
	OK(run(nope, NULL, 0, 20000, 0, 0, &r) == 0);
	OK(r.spawn_errno == ENOENT);
	d = describe(nope, &r);
	STR_EQ(d, "exec: \"kbuild-no-such-program\": executable file not found in $PATH");
	free(d);
	kb_proc_result_free(&r);
	char *rel[] = { "./kbuild-no-such-program", NULL };
	OK(run(rel, NULL, 0, 20000, 0, 0, &r) == 0);
	d = describe(rel, &r);
	STR_EQ(d, "fork/exec ./kbuild-no-such-program: no such file or directory");
	free(d);
	kb_proc_result_free(&r);

	/* cwd (a relative program resolves there) and env */
	char *dir = tap_tmpdir("proc");
	tap_write(dir, "hello.sh", "#!/bin/sh\npwd -P\necho \"$GREETING\"\n");
	char *path = kb_xasprintf("%s/hello.sh", dir);
	chmod(path, 0755);
	char *hello[] = { "./hello.sh", NULL };
	char *env[] = { "GREETING=hi", "PATH=/usr/bin:/bin", NULL };
	kb_proc_spec s = { 0 };
	s.argv = hello;
	s.env = env;
	s.cwd = dir;
	s.timeout_ms = 20000;
	OK(kb_proc_run(&s, &r) == 0);
	char *want = kb_xasprintf("%s\nhi\n", dir);
	STR_EQ(r.out.data, want);
	free(want);
	kb_proc_result_free(&r);
	free(path);

	/* find in PATH */
	char *found = NULL;
	OK(kb_proc_find_in_path("sh", &found) && found && strstr(found, "/sh"));
	free(found);
	OK(!kb_proc_find_in_path("kbuild-no-such-program", NULL));

	tap_rmtree(dir);
	free(dir);
	free(big);
	return tap_done();
}
