/*
 * git.c - running the system git (git.h).
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
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* A local git command that runs longer than this is stuck (a lock, a
 * hook waiting on a terminal): it is ended and reported, never waited
 * on forever. */
#define GIT_TIMEOUT_MS KB_GIT_TIMEOUT_MS
/* The longest wait for one cat-file answer. */
#define BATCH_TIMEOUT_MS (60 * 1000)
/* git's own messages are short; more is noise in an error. */
#define MAX_STDERR (16 * 1024)

/* keep: the caller's variables (check --since in a pre-commit hook);
 * otherwise those that would point git elsewhere are dropped. */
static char **git_environment(bool keep_all)
{
	static const char *const drop[] = {
		"GIT_DIR=",	    "GIT_WORK_TREE=",
		"GIT_INDEX_FILE=",  "GIT_OBJECT_DIRECTORY=",
		"GIT_ALTERNATE_OBJECT_DIRECTORIES=", "GIT_COMMON_DIR=",
		"GIT_NAMESPACE=",   "GIT_PREFIX=",
		"GIT_OPTIONAL_LOCKS=", "GIT_TERMINAL_PROMPT=",
		"GIT_PAGER=",	    "PAGER=",
	};
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **env = kb_xmalloc((n + 4) * sizeof(*env));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool keep = true;
		for (size_t d = 0; d < sizeof(drop) / sizeof(*drop) && keep; d++)
			if (kb_str_has_prefix(environ[i], drop[d]) &&
			    (!keep_all || kb_str_has_prefix(environ[i], "GIT_OPTIONAL_LOCKS=") ||
			     kb_str_has_prefix(environ[i], "GIT_TERMINAL_PROMPT=") ||
			     kb_str_has_prefix(environ[i], "GIT_PAGER=")))
				keep = false;
		if (keep)
			env[k++] = environ[i];
	}
	/* reading must not write .git/index (git status/diff refresh it) */
	env[k++] = (char *)"GIT_OPTIONAL_LOCKS=0";
	env[k++] = (char *)"GIT_TERMINAL_PROMPT=0";
	env[k++] = (char *)"GIT_PAGER=cat";
	env[k] = NULL;
	return env;
}

/* argv = git -C dir args... (NULL-terminated; the strings stay the
 * caller's). */
static char **git_argv(const char *dir, const char *const *args)
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
	return argv;
}

static char *command_text(const char *const *args)
{
	kb_buf b = KB_BUF_INIT;
	kb_buf_puts(&b, "git");
	for (size_t i = 0; args[i]; i++)
		kb_buf_printf(&b, " %s", args[i]);
	return kb_buf_detach(&b);
}

/* Spawns argv with fd 0 = in_fd (or /dev/null when -1), fd 1 = out_fd,
 * fd 2 = err_fd. */
static kb_error *spawn(char **argv, int in_fd, int out_fd, int err_fd, bool keep_env, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	if (in_fd < 0)
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	else
		posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	posix_spawnattr_init(&at);
	sigset_t mask, dflt;
	sigemptyset(&mask);
	sigemptyset(&dflt);
	/* dispositions a host program may have set that would break git */
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &mask);
	posix_spawnattr_setsigdefault(&at, &dflt);
	/* its own group: a terminal's ^C reaches kbuild, which ends git */
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF);
	char **env = git_environment(keep_env);
	int rc = posix_spawnp(pid, argv[0], &fa, &at, argv, env);
	free(env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc == ENOENT)
		return kb_error_new(NULL, 0, 0,
				    "no 'git' program on PATH (kbuild diff reads revisions "
				    "through the system git; install git)");
	if (rc != 0)
		return kb_error_new(NULL, 0, 0, "cannot run git: %s", strerror(rc));
	return NULL;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reap(pid_t pid, int *status, bool kill_it)
{
	if (kill_it) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			/* ECHILD: the host ignores SIGCHLD */
			st = 0;
			break;
		}
	}
	if (status)
		*status = st;
}

static void trim_end(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && strchr(" \t\r\n", s[n - 1]))
		s[--n] = '\0';
}

static kb_error *run(const char *dir, const char *const *args, bool keep_env, kb_buf *out,
		     int *ok_status, char **err_text)
{
	kb_buf o = KB_BUF_INIT, er = KB_BUF_INIT;
	if (err_text)
		*err_text = NULL;
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) != 0)
		return kb_error_new(NULL, 0, 0, "cannot run git: pipe: %s", strerror(errno));
	if (pipe2(pe, O_CLOEXEC) != 0) {
		int err = errno;
		close(po[0]);
		close(po[1]);
		return kb_error_new(NULL, 0, 0, "cannot run git: pipe: %s", strerror(err));
	}
	char **argv = git_argv(dir, args);
	pid_t pid;
	kb_error *e = spawn(argv, -1, po[1], pe[1], keep_env, &pid);
	free(argv);
	close(po[1]);
	close(pe[1]);
	if (e) {
		close(po[0]);
		close(pe[0]);
		return e;
	}
	long long deadline = now_ms() + GIT_TIMEOUT_MS;
	bool timed_out = false;
	struct pollfd p[2] = { { .fd = po[0], .events = POLLIN }, { .fd = pe[0], .events = POLLIN } };
	char chunk[65536];
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		long long left = deadline - now_ms();
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
			ssize_t n = read(p[i].fd, chunk, sizeof(chunk));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				continue;
			}
			if (i == 0)
				kb_buf_append(&o, chunk, (size_t)n);
			else if (er.len < MAX_STDERR)
				kb_buf_append(&er, chunk, (size_t)n);
		}
	}
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	int status = 0;
	reap(pid, &status, timed_out);
	kb_buf_append(&o, "", 0);
	kb_buf_append(&er, "", 0);
	trim_end(er.data);
	char *cmd = command_text(args);
	if (timed_out) {
		e = kb_error_new(NULL, 0, 0, "'%s' in %s did not finish in %d seconds; ended it",
				 cmd, dir, GIT_TIMEOUT_MS / 1000);
	} else if (ok_status) {
		*ok_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (err_text)
			*err_text = kb_buf_detach(&er);
	} else if (WIFSIGNALED(status)) {
		e = kb_error_new(NULL, 0, 0, "'%s' in %s: %s%ssignal %d", cmd, dir, er.data,
				 *er.data ? ": " : "", WTERMSIG(status));
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		e = kb_error_new(NULL, 0, 0, "'%s' in %s: %s%sexit status %d", cmd, dir, er.data,
				 *er.data ? ": " : "", WEXITSTATUS(status));
	}
	free(cmd);
	kb_buf_free(&er);
	if (e) {
		kb_buf_free(&o);
		return e;
	}
	*out = o;
	return NULL;
}

kb_error *kb_git_run(const char *dir, const char *const *args, kb_buf *out, int *ok_status,
		     char **err_text)
{
	return run(dir, args, false, out, ok_status, err_text);
}

/* ---- the work tree ---- */

/* path, or its nearest existing parent, made absolute. */
static char *existing_dir(const char *path)
{
	char *cwd = getcwd(NULL, 0);
	char *p = kb_path_join(cwd ? cwd : "/", path && *path ? path : ".");
	free(cwd);
	for (;;) {
		struct stat st;
		if (stat(p, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				char *sl = strrchr(p, '/');
				if (sl && sl != p)
					*sl = '\0';
				else
					strcpy(p, "/");
			}
			return p;
		}
		char *sl = strrchr(p, '/');
		if (!sl || sl == p) {
			strcpy(p, "/");
			return p;
		}
		*sl = '\0';
	}
}

kb_error *kb_git_toplevel(const char *path, char **top)
{
	*top = NULL;
	char *dir = existing_dir(path);
	const char *const args[] = { "rev-parse", "--show-toplevel", NULL };
	kb_buf out = KB_BUF_INIT;
	int status = 0;
	char *err_text = NULL;
	kb_error *e = kb_git_run(dir, args, &out, &status, &err_text);
	if (!e && status != 0)
		e = kb_error_new(path, 0, 0,
				 "not in a git repository with a working tree (kbuild reads "
				 "revisions and changes from git; run it inside a clone)%s%s",
				 err_text && *err_text ? "\n  git: " : "", err_text ? err_text : "");
	free(err_text);
	free(dir);
	if (e) {
		kb_buf_free(&out);
		e->code = KB_ERR_USAGE;
		return e;
	}
	char *nl = strchr(out.data, '\n');
	if (nl)
		*nl = '\0';
	if (!*out.data) {
		kb_buf_free(&out);
		e = kb_error_new(path, 0, 0,
				 "not in a git repository with a working tree (a bare "
				 "repository or a .git directory has no files to build)");
		e->code = KB_ERR_USAGE;
		return e;
	}
	*top = realpath(out.data, NULL);
	if (!*top)
		*top = kb_xstrdup(out.data);
	kb_buf_free(&out);
	return NULL;
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

/* A failure of one git command, with git's own words. */
static kb_error *git_failed(const char *what, const char *err)
{
	kb_error *e = kb_error_new(NULL, 0, 0, "%s: git says: %s", what,
				   err && *err ? err : "(nothing)");
	e->code = KB_ERR_USAGE;
	return e;
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
	kb_buf o = KB_BUF_INIT;
	int status = 0;
	char *et = NULL;
	e = run(top, verify, true, &o, &status, &et);
	if (!e && status != 0) {
		e = kb_error_new(NULL, 0, 0, "--since %s: no such commit in %s", ref, top);
		e->code = KB_ERR_USAGE;
	}
	free(commit);
	free(et);
	et = NULL;
	kb_buf_free(&o);
	if (!e) {
		/* -z: names as they are (no quoting of odd characters) */
		const char *diff[] = { "diff", "--name-only", "--no-renames", "-z", "--no-ext-diff",
				       "--end-of-options", ref, "--", NULL };
		e = run(top, diff, true, &o, &status, &et);
		if (!e && status != 0)
			e = git_failed("cannot list the changed files", et);
		if (!e)
			add_names(top, &o, out);
		kb_buf_free(&o);
		free(et);
		et = NULL;
	}
	if (!e) {
		static const char *const others[] = { "ls-files", "--others", "--exclude-standard",
						      "-z", NULL };
		e = run(top, others, true, &o, &status, &et);
		if (!e && status != 0)
			e = git_failed("cannot list the untracked files", et);
		if (!e)
			add_names(top, &o, out);
		kb_buf_free(&o);
		free(et);
	}
	if (e && e->code != KB_ERR_USAGE)
		e->code = KB_ERR_USAGE;
	free(top);
	return e;
}

/* ---- cat-file --batch ---- */

struct kb_git_batch {
	pid_t pid;
	int sock; /* our end: requests out, answers in */
	int err;  /* git's stderr */
	char *dir;
	bool broken;
	/* bytes read past the current answer */
	char *buf;
	size_t len, cap, off;
};

kb_error *kb_git_batch_open(const char *dir, kb_git_batch **out)
{
	*out = NULL;
	/* A socket rather than a pipe for git's stdin: a write to a git that
	 * died is an error (MSG_NOSIGNAL), not a SIGPIPE that would kill the
	 * host program, and the library must not change its signal mask. */
	int sv[2], pe[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return kb_error_new(NULL, 0, 0, "cannot run git: socketpair: %s", strerror(errno));
	if (pipe2(pe, O_CLOEXEC) != 0) {
		int err = errno;
		close(sv[0]);
		close(sv[1]);
		return kb_error_new(NULL, 0, 0, "cannot run git: pipe: %s", strerror(err));
	}
	const char *const args[] = { "cat-file", "--batch", NULL };
	char **argv = git_argv(dir, args);
	pid_t pid;
	kb_error *e = spawn(argv, sv[1], sv[1], pe[1], false, &pid);
	free(argv);
	close(sv[1]);
	close(pe[1]);
	if (e) {
		close(sv[0]);
		close(pe[0]);
		return e;
	}
	/* git's stderr is read only when something failed; keep it from
	 * blocking git meanwhile */
	fcntl(pe[0], F_SETFL, fcntl(pe[0], F_GETFL) | O_NONBLOCK);
	kb_git_batch *b = kb_xcalloc(1, sizeof(*b));
	b->pid = pid;
	b->sock = sv[0];
	b->err = pe[0];
	b->dir = kb_xstrdup(dir);
	*out = b;
	return NULL;
}

static kb_error *batch_fail(kb_git_batch *b, const char *what)
{
	b->broken = true;
	char tail[4096];
	ssize_t n = read(b->err, tail, sizeof(tail) - 1);
	tail[n > 0 ? n : 0] = '\0';
	trim_end(tail);
	return kb_error_new(NULL, 0, 0, "'git cat-file --batch' in %s: %s%s%s", b->dir, what,
			    *tail ? ": " : "", tail);
}

/* Makes at least need bytes available at b->buf + b->off. */
static kb_error *batch_fill(kb_git_batch *b, size_t need)
{
	while (b->len - b->off < need) {
		if (b->off > 0 && b->off == b->len)
			b->off = b->len = 0;
		if (b->cap - b->len < 65536) {
			if (b->off > 0) {
				memmove(b->buf, b->buf + b->off, b->len - b->off);
				b->len -= b->off;
				b->off = 0;
			}
			size_t want = b->len + (need > 65536 ? need : 65536) + 1;
			kb_grow((void **)&b->buf, &b->cap, want, 1);
		}
		struct pollfd p = { .fd = b->sock, .events = POLLIN };
		int r = poll(&p, 1, BATCH_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return batch_fail(b, "no answer in 60 seconds");
		if (r < 0)
			return batch_fail(b, strerror(errno));
		ssize_t n = read(b->sock, b->buf + b->len, b->cap - b->len - 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return batch_fail(b, strerror(errno));
		if (n == 0)
			return batch_fail(b, "git exited");
		b->len += (size_t)n;
	}
	return NULL;
}

/* The next line of the answer (without '\n'), in place. */
static kb_error *batch_line(kb_git_batch *b, char **line)
{
	for (;;) {
		char *s = b->buf ? b->buf + b->off : NULL;
		char *nl = s ? memchr(s, '\n', b->len - b->off) : NULL;
		if (nl) {
			*nl = '\0';
			*line = s;
			b->off += (size_t)(nl - s) + 1;
			return NULL;
		}
		kb_error *e = batch_fill(b, b->len - b->off + 1);
		if (e)
			return e;
	}
}

kb_error *kb_git_batch_send(kb_git_batch *b, const char *name)
{
	if (b->broken)
		return kb_error_new(NULL, 0, 0, "'git cat-file --batch' in %s failed earlier",
				    b->dir);
	/* a name git cannot be given is asked as one that cannot exist, so
	 * that every request still has its answer */
	bool bad = strchr(name, '\n') || !*name;
	char *req = kb_xasprintf("%s\n", bad ? "kbuild-no-such-object" : name);
	size_t off = 0, n = strlen(req);
	while (off < n) {
		ssize_t w = send(b->sock, req + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			free(req);
			return batch_fail(b, strerror(errno));
		}
		off += (size_t)w;
	}
	free(req);
	return NULL;
}

kb_error *kb_git_batch_get(kb_git_batch *b, const char *name, bool *found, const char **type,
			   char **id, char **data, size_t *len)
{
	*found = false;
	if (id)
		*id = NULL;
	*data = NULL;
	*len = 0;
	kb_error *e = kb_git_batch_send(b, name);
	return e ? e : kb_git_batch_recv(b, found, type, id, data, len);
}

kb_error *kb_git_batch_recv(kb_git_batch *b, bool *found, const char **type, char **id,
			    char **data, size_t *len)
{
	*found = false;
	if (id)
		*id = NULL;
	*data = NULL;
	*len = 0;
	if (b->broken)
		return kb_error_new(NULL, 0, 0, "'git cat-file --batch' in %s failed earlier",
				    b->dir);
	char *line;
	kb_error *e = batch_line(b, &line);
	if (e)
		return e;
	/* "<id> <type> <size>", or "<name> missing" / "<name> ambiguous" */
	size_t ll = strlen(line);
	if ((ll >= 8 && strcmp(line + ll - 8, " missing") == 0) ||
	    (ll >= 10 && strcmp(line + ll - 10, " ambiguous") == 0))
		return NULL;
	char *sp1 = strchr(line, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2)
		return batch_fail(b, "unexpected answer");
	*sp1 = *sp2 = '\0';
	const char *t = sp1 + 1;
	static const char *const types[] = { "blob", "tree", "commit", "tag" };
	*type = NULL;
	for (size_t i = 0; i < 4; i++)
		if (strcmp(t, types[i]) == 0)
			*type = types[i];
	long long size;
	if (!*type || !kb_go_atoi(sp2 + 1, &size) || size < 0)
		return batch_fail(b, "unexpected answer");
	char *oid = id ? kb_xstrdup(line) : NULL;
	/* line points into buf, which batch_fill may move: done with it */
	e = batch_fill(b, (size_t)size + 1);
	if (e) {
		free(oid);
		return e;
	}
	char *d = kb_xmalloc((size_t)size + 1);
	memcpy(d, b->buf + b->off, (size_t)size);
	d[size] = '\0';
	if (b->buf[b->off + (size_t)size] != '\n') {
		free(d);
		free(oid);
		return batch_fail(b, "unexpected answer");
	}
	b->off += (size_t)size + 1;
	*found = true;
	if (id)
		*id = oid;
	*data = d;
	*len = (size_t)size;
	return NULL;
}

void kb_git_batch_close(kb_git_batch *b)
{
	if (!b)
		return;
	/* end of input ends git; a stuck one is killed */
	shutdown(b->sock, SHUT_WR);
	close(b->sock);
	close(b->err);
	int st;
	pid_t w = waitpid(b->pid, &st, WNOHANG);
	if (w == 0) {
		struct timespec nap = { 0, 2 * 1000000L };
		for (int i = 0; i < 500 && w == 0; i++) {
			nanosleep(&nap, NULL);
			w = waitpid(b->pid, &st, WNOHANG);
		}
		if (w == 0)
			reap(b->pid, NULL, true);
	}
	free(b->buf);
	free(b->dir);
	free(b);
}
