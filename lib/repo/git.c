/*
 * git.c - running the system git (git.h), spawned as remote.c spawns it
 * for remote bases, but with stdout (the answer) and stderr (the error
 * message) kept apart.
 */
#define _GNU_SOURCE
#include "git.h"
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Far more than any list of file names; a bound on what is kept. */
#define MAX_GIT_OUTPUT (256u << 20)

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs git with args in dir; *status is its exit status (-1 when it was
 * killed or could not be waited for). */
static kb_error *run_git(const char *dir, const char *const *args, kb_buf *out, kb_buf *err,
			 int *status)
{
	size_t n = 0;
	while (args[n])
		n++;
	char **argv = kb_xmalloc((n + 4) * sizeof(*argv));
	argv[0] = (char *)"git";
	argv[1] = (char *)"-C";
	argv[2] = (char *)dir;
	for (size_t i = 0; i < n; i++)
		argv[3 + i] = (char *)args[i];
	argv[3 + n] = NULL;
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) != 0) {
		free(argv);
		return kb_error_new(NULL, 0, 0, "cannot run git: pipe: %s", strerror(errno));
	}
	if (pipe2(pe, O_CLOEXEC) != 0) {
		close(po[0]);
		close(po[1]);
		free(argv);
		return kb_error_new(NULL, 0, 0, "cannot run git: pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawnattr_init(&at);
	sigset_t mask, dflt;
	sigemptyset(&mask);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &mask);
	posix_spawnattr_setsigdefault(&at, &dflt);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	pid_t pid;
	int rc = posix_spawnp(&pid, "git", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(po[1]);
	close(pe[1]);
	free(argv);
	if (rc != 0) {
		close(po[0]);
		close(pe[0]);
		kb_error *e = rc == ENOENT ? kb_error_new(NULL, 0, 0, "no 'git' program on PATH")
					   : kb_error_new(NULL, 0, 0, "cannot run git: %s",
							  strerror(rc));
		e->code = KB_ERR_USAGE;
		return e;
	}
	int64_t deadline = now_ms() + KB_GIT_TIMEOUT_MS;
	bool timed_out = false;
	struct pollfd p[2] = { { .fd = po[0], .events = POLLIN }, { .fd = pe[0], .events = POLLIN } };
	kb_buf *bufs[2] = { out, err };
	int open_fds = 2;
	char chunk[8192];
	while (open_fds > 0) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		int r = poll(p, 2, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t got = read(p[i].fd, chunk, sizeof(chunk));
			if (got < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (got <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			if (bufs[i]->len < MAX_GIT_OUTPUT)
				kb_buf_append(bufs[i], chunk, (size_t)got);
		}
	}
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	if (timed_out)
		kill(pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	kb_buf_append(out, "", 0);
	kb_buf_append(err, "", 0);
	if (timed_out) {
		kb_error *e = kb_error_new(NULL, 0, 0, "git %s did not finish within %d s", args[0],
					   KB_GIT_TIMEOUT_MS / 1000);
		e->code = KB_ERR_USAGE;
		return e;
	}
	return NULL;
}

/* The failure of one git command, with git's own words. */
static kb_error *git_failed(const char *what, kb_buf *err)
{
	while (err->len && strchr(" \t\r\n", err->data[err->len - 1]))
		err->data[--err->len] = '\0';
	kb_error *e = kb_error_new(NULL, 0, 0, "%s: git says: %s", what,
				   err->len ? err->data : "(nothing)");
	e->code = KB_ERR_USAGE;
	return e;
}

kb_error *kb_git_toplevel(const char *dir, char **top)
{
	*top = NULL;
	static const char *const args[] = { "rev-parse", "--show-toplevel", NULL };
	kb_buf out = KB_BUF_INIT, err = KB_BUF_INIT;
	int status;
	kb_error *e = run_git(dir, args, &out, &err, &status);
	if (!e && status != 0)
		e = git_failed("cannot find the git work tree", &err);
	if (!e) {
		while (out.len && strchr("\r\n", out.data[out.len - 1]))
			out.data[--out.len] = '\0';
		*top = kb_buf_detach(&out);
	}
	kb_buf_free(&out);
	kb_buf_free(&err);
	return e;
}

/* Appends top/NAME for each NUL-terminated name in buf. */
static void add_names(const char *top, const kb_buf *buf, kb_strv *out)
{
	for (size_t i = 0; i < buf->len;) {
		const char *name = buf->data + i;
		size_t n = strlen(name);
		if (n)
			kb_strv_push_owned(out, kb_path_join(top, name));
		i += n + 1;
	}
}

kb_error *kb_git_changed_since(const char *dir, const char *ref, kb_strv *out)
{
	char *top = NULL;
	kb_error *e = kb_git_toplevel(dir, &top);
	if (e)
		return e;
	/* the ref must name a commit; --end-of-options keeps "-x" a ref */
	char *commit = kb_xasprintf("%s^{commit}", ref);
	const char *verify[] = { "rev-parse", "--verify", "--quiet", "--end-of-options", commit,
				 NULL };
	kb_buf o = KB_BUF_INIT, er = KB_BUF_INIT;
	int status;
	e = run_git(top, verify, &o, &er, &status);
	if (!e && status != 0) {
		e = kb_error_new(NULL, 0, 0, "--since %s: no such commit in %s", ref, top);
		e->code = KB_ERR_USAGE;
	}
	free(commit);
	kb_buf_free(&o);
	kb_buf_free(&er);
	if (!e) {
		/* -z: names as they are (no quoting of odd characters) */
		const char *diff[] = { "diff", "--name-only", "--no-renames", "-z", "--no-ext-diff",
				       "--end-of-options", ref, "--", NULL };
		kb_buf d = KB_BUF_INIT, de = KB_BUF_INIT;
		e = run_git(top, diff, &d, &de, &status);
		if (!e && status != 0)
			e = git_failed("cannot list the changed files", &de);
		if (!e)
			add_names(top, &d, out);
		kb_buf_free(&d);
		kb_buf_free(&de);
	}
	if (!e) {
		static const char *const others[] = { "ls-files", "--others", "--exclude-standard",
						      "-z", NULL };
		kb_buf d = KB_BUF_INIT, de = KB_BUF_INIT;
		e = run_git(top, others, &d, &de, &status);
		if (!e && status != 0)
			e = git_failed("cannot list the untracked files", &de);
		if (!e)
			add_names(top, &d, out);
		kb_buf_free(&d);
		kb_buf_free(&de);
	}
	free(top);
	return e;
}
