/*
 * write.c - kb_write_path: output to a path by what is there (write.h).
 */
#include "write.h"
#include "fs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
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

/* A regular file or nothing at p: temporary file + rename.  old is the
 * existing file's stat, NULL when there is none. */
static kb_error *write_atomic(const char *path, const char *p, const struct stat *old,
			      const char *data, size_t len)
{
	char *tmp = NULL;
	/* a new file gets 0666 less the umask, as any program's output
	 * does; an existing one its own bits (set below) */
	int fd = open_temp(p, old ? 0600 : 0666, &tmp);
	if (fd < 0)
		return io_error(path, p, errno);
	int err = write_all(fd, data, len);
	if (!err && old) {
		/* keep the owner where we may (root writing a user's file),
		 * before the mode: chown clears set-id bits */
		if (old->st_uid != geteuid() || old->st_gid != getegid())
			(void)fchown(fd, old->st_uid, old->st_gid);
		if (fchmod(fd, old->st_mode & 07777) != 0)
			err = errno;
	}
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (!err && rename(tmp, p) != 0)
		err = errno;
	if (err)
		unlink(tmp);
	free(tmp);
	return err ? io_error(path, p, err) : NULL;
}

/* A device, FIFO or socket-like file: written where it is. */
static kb_error *write_in_place(const char *path, const char *p, const char *data, size_t len)
{
	int fd = open(p, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return io_error(path, p, errno);
	int err = write_all(fd, data, len);
	if (close(fd) != 0 && !err)
		err = errno;
	return err ? io_error(path, p, err) : NULL;
}

kb_error *kb_write_path(const char *path, const char *data, size_t len)
{
	if (!path || !*path)
		return io_error("", NULL, ENOENT);
	char *p = kb_xstrdup(path);
	kb_error *e = NULL;
	for (int hops = 0;; hops++) {
		int fd = fd_of_path(p);
		if (fd >= 0) {
			/* the descriptor as it is: reopening it would lose a
			 * pipe's or socket's identity and an append mode */
			int err = write_all(fd, data, len);
			e = err ? io_error(path, p, err) : NULL;
			break;
		}
		struct stat st;
		if (lstat(p, &st) != 0) {
			e = errno == ENOENT ? write_atomic(path, p, NULL, data, len)
					    : io_error(path, p, errno);
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			if (kb_str_has_prefix(p, "/proc/")) {
				/* a magic link ("pipe:[12]", "socket:[3]"):
				 * only open(2) can follow it */
				e = write_in_place(path, p, data, len);
				break;
			}
			if (hops >= MAX_LINK_HOPS) {
				e = io_error(path, p, ELOOP);
				break;
			}
			char *t = read_link(p);
			if (!t) {
				e = io_error(path, p, errno);
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
		if (S_ISREG(st.st_mode))
			e = write_atomic(path, p, &st, data, len);
		else if (S_ISDIR(st.st_mode))
			e = io_error(path, p, EISDIR);
		else
			e = write_in_place(path, p, data, len);
		break;
	}
	free(p);
	return e;
}
