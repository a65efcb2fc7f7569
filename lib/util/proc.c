/*
 * proc.c - running a child program (proc.h).
 */
#define _GNU_SOURCE
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_MAX_ERR (64 * 1024)

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void kb_proc_result_free(kb_proc_result *res)
{
	if (!res)
		return;
	kb_buf_free(&res->out);
	kb_buf_free(&res->err);
}

/* Waits for pid until the deadline (deadline < 0: forever).  Returns true
 * when it was reaped (status set). */
static bool reap(pid_t pid, int64_t deadline, int *status)
{
	for (;;) {
		pid_t w = waitpid(pid, status, deadline < 0 ? 0 : WNOHANG);
		if (w == pid)
			return true;
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			/* ECHILD: the host ignores SIGCHLD and children are reaped
			 * unseen; nothing more can be learnt */
			*status = 0;
			return true;
		}
		if (now_ms() >= deadline)
			return false;
		struct timespec nap = { 0, 2 * 1000000L };
		nanosleep(&nap, NULL);
	}
}

int kb_proc_run(const kb_proc_spec *spec, kb_proc_result *res)
{
	memset(res, 0, sizeof(*res));
	size_t max_err = spec->max_err ? spec->max_err : DEFAULT_MAX_ERR;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	if ((spec->input && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) ||
	    pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
		res->spawn_errno = errno;
		int saved = errno;
		close_fd(&in[0]), close_fd(&in[1]), close_fd(&out[0]), close_fd(&out[1]);
		close_fd(&err[0]), close_fd(&err[1]);
		errno = saved;
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	if (spec->input)
		posix_spawn_file_actions_adddup2(&fa, in[1], 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	if (spec->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, spec->cwd);
	/* a host that ignores SIGPIPE or blocks signals would pass that on */
	sigset_t mask, dflt;
	sigemptyset(&mask);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_setsigmask(&at, &mask);
	posix_spawnattr_setsigdefault(&at, &dflt);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	char *const *env = spec->env ? spec->env : environ;
	pid_t pid = -1;
	bool search = (spec->flags & KB_PROC_SEARCH_PATH) && !strchr(spec->argv[0], '/');
	int rc = search ? posix_spawnp(&pid, spec->argv[0], &fa, &at, spec->argv, env)
			: posix_spawn(&pid, spec->argv[0], &fa, &at, spec->argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close_fd(&in[1]);
	close_fd(&out[1]);
	close_fd(&err[1]);
	if (rc != 0) {
		res->spawn_errno = rc;
		close_fd(&in[0]);
		close_fd(&out[0]);
		close_fd(&err[0]);
		return 0;
	}

	int64_t deadline = spec->timeout_ms > 0 ? now_ms() + spec->timeout_ms : -1;
	size_t written = 0;
	if (in[0] >= 0) {
		set_nonblock(in[0]);
		if (spec->input_len == 0)
			close_fd(&in[0]);
	}
	set_nonblock(out[0]);
	set_nonblock(err[0]);
	char chunk[65536];
	bool kill_it = false;
	while (out[0] >= 0 || err[0] >= 0) {
		struct pollfd p[3];
		int np = 0, iw = -1, io = -1, ie = -1;
		if (in[0] >= 0) {
			p[np] = (struct pollfd){ in[0], POLLOUT, 0 };
			iw = np++;
		}
		if (out[0] >= 0) {
			p[np] = (struct pollfd){ out[0], POLLIN, 0 };
			io = np++;
		}
		if (err[0] >= 0) {
			p[np] = (struct pollfd){ err[0], POLLIN, 0 };
			ie = np++;
		}
		int wait = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left <= 0) {
				res->timed_out = kill_it = true;
				break;
			}
			wait = left > INT_MAX ? INT_MAX : (int)left;
		}
		int r = poll(p, (nfds_t)np, wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (iw >= 0 && p[iw].revents) {
			ssize_t w = send(in[0], spec->input + written, spec->input_len - written,
					 MSG_NOSIGNAL);
			if (w > 0)
				written += (size_t)w;
			/* EPIPE / ECONNRESET: the child will not read the rest */
			if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
			    written == spec->input_len)
				close_fd(&in[0]);
		}
		if (io >= 0 && p[io].revents) {
			ssize_t n = read(out[0], chunk, sizeof(chunk));
			if (n > 0) {
				if (spec->max_out && res->out.len + (size_t)n > spec->max_out) {
					res->out_overflow = kill_it = true;
					break;
				}
				kb_buf_append(&res->out, chunk, (size_t)n);
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				close_fd(&out[0]);
			}
		}
		if (ie >= 0 && p[ie].revents) {
			ssize_t n = read(err[0], chunk, sizeof(chunk));
			if (n > 0) {
				size_t keep = res->err.len < max_err ? max_err - res->err.len : 0;
				if ((size_t)n > keep)
					res->err_truncated = true;
				kb_buf_append(&res->err, chunk, (size_t)n < keep ? (size_t)n : keep);
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				close_fd(&err[0]);
			}
		}
	}
	close_fd(&in[0]);
	close_fd(&out[0]);
	close_fd(&err[0]);
	int status = 0;
	if (!kill_it && !reap(pid, deadline, &status))
		res->timed_out = kill_it = true;
	if (kill_it) {
		kill(pid, SIGKILL);
		reap(pid, -1, &status);
	}
	if (WIFEXITED(status)) {
		res->exited = true;
		res->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->term_signal = WTERMSIG(status);
	}
	/* data is NUL-terminated from here on */
	kb_buf_append(&res->out, "", 0);
	kb_buf_append(&res->err, "", 0);
	return 0;
}

/* Go's syscall.Signal.String() for the usual signals. */
static const char *go_signal_name(int sig)
{
	switch (sig) {
	case SIGHUP: return "hangup";
	case SIGINT: return "interrupt";
	case SIGQUIT: return "quit";
	case SIGILL: return "illegal instruction";
	case SIGTRAP: return "trace/breakpoint trap";
	case SIGABRT: return "aborted";
	case SIGBUS: return "bus error";
	case SIGFPE: return "floating point exception";
	case SIGKILL: return "killed";
	case SIGUSR1: return "user defined signal 1";
	case SIGSEGV: return "segmentation fault";
	case SIGUSR2: return "user defined signal 2";
	case SIGPIPE: return "broken pipe";
	case SIGALRM: return "alarm clock";
	case SIGTERM: return "terminated";
	default: return NULL;
	}
}

char *kb_proc_describe(const kb_proc_spec *spec, const kb_proc_result *res)
{
	const char *prog = spec->argv[0];
	if (res->spawn_errno) {
		if ((spec->flags & KB_PROC_SEARCH_PATH) && !strchr(prog, '/') &&
		    res->spawn_errno == ENOENT)
			return kb_xasprintf("exec: \"%s\": executable file not found in $PATH", prog);
		char *msg = kb_xstrdup(strerror(res->spawn_errno));
		if (msg[0] >= 'A' && msg[0] <= 'Z')
			msg[0] = (char)(msg[0] - 'A' + 'a');
		char *s = kb_xasprintf("fork/exec %s: %s", prog, msg);
		free(msg);
		return s;
	}
	if (res->term_signal) {
		const char *name = go_signal_name(res->term_signal);
		if (name)
			return kb_xasprintf("signal: %s", name);
		return kb_xasprintf("signal %d", res->term_signal);
	}
	if (res->exited && res->exit_code != 0)
		return kb_xasprintf("exit status %d", res->exit_code);
	return NULL;
}

bool kb_proc_find_in_path(const char *name, char **found)
{
	if (found)
		*found = NULL;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	const char *p = path;
	for (;;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char *dir = n ? kb_xstrndup(p, n) : kb_xstrdup(".");
		char *cand = kb_xasprintf("%s/%s", dir, name);
		free(dir);
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
			if (found)
				*found = cand;
			else
				free(cand);
			return true;
		}
		free(cand);
		if (!colon)
			return false;
		p = colon + 1;
	}
}
