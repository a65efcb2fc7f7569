/*
 * write.c - kb_write_path: output to a path by what is there (write.h).
 */
#include "write.h"
#include "fs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Symlinks followed before giving up, as the kernel's own limit. */
#define MAX_LINK_HOPS 40

static kb_error *io_error(const char *path, const char *resolved, int err)
{
	kb_error *e = kb_error_new(path, 0, 0, "cannot write: %s", strerror(err));
	e->code = KB_ERR_IO;
	if (resolved && strcmp(resolved, path) != 0)
		kb_error_note(e, resolved, 0, 0, "the file the symlink '%s' leads to", path);
	return e;
}

/* 0, or the errno of the write that failed. */
static int write_all(int fd, const char *data, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (n == 0)
			return EIO;
		off += (size_t)n;
	}
	return 0;
}

/* N for "/proc/self/fd/N" or "/dev/fd/N", else -1. */
static int fd_of_path(const char *p)
{
	const char *rest = NULL;
	if (kb_str_has_prefix(p, "/proc/self/fd/"))
		rest = p + strlen("/proc/self/fd/");
	else if (kb_str_has_prefix(p, "/dev/fd/"))
		rest = p + strlen("/dev/fd/");
	if (!rest || !*rest || strlen(rest) > 9)
		return -1;
	int n = 0;
	for (; *rest; rest++) {
		if (*rest < '0' || *rest > '9')
			return -1;
		n = n * 10 + (*rest - '0');
	}
	return n;
}

static char *read_link(const char *p)
{
	size_t cap = 256;
	for (;;) {
		char *buf = kb_xmalloc(cap);
		ssize_t n = readlink(p, buf, cap);
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if ((size_t)n < cap) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
		cap *= 2;
	}
}

static char *dir_of(const char *p)
{
	const char *slash = strrchr(p, '/');
	if (!slash)
		return kb_xstrdup(".");
	if (slash == p)
		return kb_xstrdup("/");
	return kb_xstrndup(p, (size_t)(slash - p));
}

/* A name no other writer is using: path.kbuild-tmp-XXXXXX, created. */
static int open_temp(const char *path, mode_t mode, char **tmp_out)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	for (int tries = 0; tries < 100; tries++) {
		unsigned char rnd[6];
		if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
			/* no entropy yet (early boot): time and address are
			 * enough, O_EXCL catches a collision */
			uint64_t x = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&rnd ^
				     ((uint64_t)tries << 40) ^ (uint64_t)getpid() << 20;
			for (size_t i = 0; i < sizeof(rnd); i++, x >>= 7)
				rnd[i] = (unsigned char)x;
		}
		char suffix[7];
		for (size_t i = 0; i < sizeof(rnd); i++)
			suffix[i] = chars[rnd[i] % (sizeof(chars) - 1)];
		suffix[6] = '\0';
		char *tmp = kb_xasprintf("%s.kbuild-tmp-%s", path, suffix);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd >= 0) {
			*tmp_out = tmp;
			return fd;
		}
		int err = errno;
		free(tmp);
		if (err != EEXIST) {
			errno = err;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}

/*
 * The writer: where the bytes go is decided, and the file opened, at the
 * first write (or at the end, for an empty output), so that a build that
 * fails before writing anything leaves the path alone, as one that writes
 * all at once does.
 */
enum { W_NONE, W_FD, W_ATOMIC, W_IN_PLACE };

struct kb_writer {
	char *path;     /* as given, for messages */
	char *p;        /* what it leads to */
	int how;        /* W_* */
	int fd;
	char *tmp;      /* W_ATOMIC: the temporary file */
	bool has_old;   /* W_ATOMIC: a regular file was there */
	struct stat old;
	kb_error *err;  /* the first failure; later writes do nothing */
};

kb_writer *kb_writer_new(const char *path)
{
	kb_writer *w = kb_xcalloc(1, sizeof(*w));
	w->path = kb_xstrdup(path ? path : "");
	w->fd = -1;
	return w;
}

/* Follows path to where it leads and opens it there. */
static void writer_open(kb_writer *w)
{
	if (!*w->path) {
		w->err = io_error("", NULL, ENOENT);
		return;
	}
	char *p = kb_xstrdup(w->path);
	for (int hops = 0;; hops++) {
		int fd = fd_of_path(p);
		if (fd >= 0) {
			/* the descriptor as it is: reopening it would lose a
			 * pipe's or socket's identity and an append mode */
			w->how = W_FD;
			w->fd = fd;
			break;
		}
		struct stat st;
		if (lstat(p, &st) != 0) {
			if (errno == ENOENT)
				w->how = W_ATOMIC;
			else
				w->err = io_error(w->path, p, errno);
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			if (kb_str_has_prefix(p, "/proc/")) {
				/* a magic link ("pipe:[12]", "socket:[3]"):
				 * only open(2) can follow it */
				w->how = W_IN_PLACE;
				break;
			}
			if (hops >= MAX_LINK_HOPS) {
				w->err = io_error(w->path, p, ELOOP);
				break;
			}
			char *t = read_link(p);
			if (!t) {
				w->err = io_error(w->path, p, errno);
				break;
			}
			if (t[0] != '/') {
				char *d = dir_of(p);
				char *j = kb_path_join(d, t);
				free(d);
				free(t);
				t = j;
			}
			free(p);
			p = t;
			continue;
		}
		if (S_ISREG(st.st_mode)) {
			w->how = W_ATOMIC;
			w->has_old = true;
			w->old = st;
		} else if (S_ISDIR(st.st_mode)) {
			w->err = io_error(w->path, p, EISDIR);
		} else {
			w->how = W_IN_PLACE;
		}
		break;
	}
	w->p = p;
	if (w->err)
		return;
	if (w->how == W_ATOMIC) {
		/* a new file gets 0666 less the umask, as any program's output
		 * does; an existing one its own bits (at the end) */
		w->fd = open_temp(p, w->has_old ? 0600 : 0666, &w->tmp);
		if (w->fd < 0)
			w->err = io_error(w->path, p, errno);
	} else if (w->how == W_IN_PLACE) {
		w->fd = open(p, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (w->fd < 0)
			w->err = io_error(w->path, p, errno);
	}
}

int kb_writer_write(kb_writer *w, const char *data, size_t len)
{
	if (!w->err && w->how == W_NONE)
		writer_open(w);
	if (!w->err) {
		int err = write_all(w->fd, data, len);
		if (err)
			w->err = io_error(w->path, w->p, err);
	}
	if (w->err) {
		errno = EIO;
		return -1;
	}
	return 0;
}

kb_error *kb_writer_finish(kb_writer *w, bool commit)
{
	if (commit && !w->err && w->how == W_NONE)
		writer_open(w); /* an empty output still makes the file */
	int err = 0;
	if (w->how == W_ATOMIC && w->fd >= 0) {
		if (commit && !w->err && w->has_old) {
			/* keep the owner where we may (root writing a user's
			 * file), before the mode: chown clears set-id bits */
			if (w->old.st_uid != geteuid() || w->old.st_gid != getegid())
				(void)fchown(w->fd, w->old.st_uid, w->old.st_gid);
			if (fchmod(w->fd, w->old.st_mode & 07777) != 0)
				err = errno;
		}
		if (commit && !w->err && !err && fsync(w->fd) != 0)
			err = errno;
		if (close(w->fd) != 0 && !err)
			err = errno;
		if (commit && !w->err && !err && rename(w->tmp, w->p) != 0)
			err = errno;
		if (!commit || w->err || err)
			unlink(w->tmp);
	} else if (w->how == W_IN_PLACE && w->fd >= 0) {
		if (close(w->fd) != 0 && !err)
			err = errno;
	}
	kb_error *e = w->err;
	if (!e && err && commit)
		e = io_error(w->path, w->p, err);
	free(w->tmp);
	free(w->p);
	free(w->path);
	free(w);
	return e;
}

kb_error *kb_write_path(const char *path, const char *data, size_t len)
{
	kb_writer *w = kb_writer_new(path);
	if (len)
		(void)kb_writer_write(w, data, len);
	return kb_writer_finish(w, true);
}
