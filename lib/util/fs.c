#include "fs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

char *kb_read_file(const char *path, size_t *len)
{
	/* open + fstat + exact reads: no stdio buffering, no tty probe */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int err = errno;
		close(fd);
		errno = err;
		return NULL;
	}
	kb_buf b = KB_BUF_INIT;
	size_t want = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536;
	kb_grow((void **)&b.data, &b.cap, want + 1, 1);
	for (;;) {
		if (b.cap - b.len < 2)
			kb_grow((void **)&b.data, &b.cap, b.cap * 2, 1);
		ssize_t n = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			close(fd);
			kb_buf_free(&b);
			errno = err;
			return NULL;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
	}
	close(fd);
	b.data[b.len] = '\0';
	if (len)
		*len = b.len;
	return kb_buf_detach(&b);
}

bool kb_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool kb_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *kb_path_join(const char *dir, const char *rel)
{
	if (rel[0] == '/' || !dir || !*dir)
		return kb_xstrdup(rel);
	size_t dl = strlen(dir);
	return kb_xasprintf("%s%s%s", dir, dir[dl - 1] == '/' ? "" : "/", rel);
}

char *kb_path_display(const char *abspath)
{
	char cwd[PATH_MAX];
	if (abspath && abspath[0] == '/' && getcwd(cwd, sizeof(cwd))) {
		size_t n = strlen(cwd);
		if (strncmp(abspath, cwd, n) == 0 && abspath[n] == '/')
			return kb_xstrdup(abspath + n + 1);
		if (strcmp(abspath, cwd) == 0)
			return kb_xstrdup(".");
	}
	return kb_xstrdup(abspath ? abspath : "");
}

char *kb_loader_resolve(const kb_loader *ld, const char *relpath)
{
	char *joined = kb_path_join(ld->root, relpath);
	/* Fast path for the common "file.yaml" beside its kustomization: the
	 * root is already canonical, so unless the entry is a symlink the
	 * joined path is the real one (saves realpath's readlink per
	 * component on every file). */
	if (relpath[0] != '/' && !strchr(relpath, '/') && strcmp(relpath, ".") != 0 &&
	    strcmp(relpath, "..") != 0 && ld->root[0] == '/') {
		struct stat st;
		if (lstat(joined, &st) == 0 && !S_ISLNK(st.st_mode))
			return joined;
	}
	char *real = realpath(joined, NULL);
	free(joined);
	return real;
}

static bool path_within(const char *path, const char *root)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return true;
	return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

kb_error *kb_loader_check(const kb_loader *ld, const char *abspath, const char *relpath)
{
	if (ld->restrictor == KB_LOAD_NONE || path_within(abspath, ld->root))
		return NULL;
	char *dr = kb_path_display(ld->root);
	kb_error *e = kb_error_new(ld->kfile, 0, 0,
				   "security; file '%s' is not in or below '%s' (use "
				   "--load-restrictor LoadRestrictionsNone to allow it)",
				   relpath, dr);
	free(dr);
	return e;
}

kb_error *kb_loader_read(const kb_loader *ld, const char *relpath, char **data, size_t *len,
			 char **abspath)
{
	*data = NULL;
	if (abspath)
		*abspath = NULL;
	/* kustomize downloads these itself (loader.IsRemoteFile) */
	if (strncasecmp(relpath, "http://", 7) == 0 || strncasecmp(relpath, "https://", 8) == 0)
		return kb_error_new(ld->kfile, 0, 0,
				    "cannot read '%s': HTTP resources are not supported (kbuild "
				    "does not access the network); download the file and refer to "
				    "it by path",
				    relpath);
	char *real = kb_loader_resolve(ld, relpath);
	if (!real)
		return kb_error_new(ld->kfile, 0, 0, "cannot read '%s': %s", relpath,
				    strerror(errno));
	kb_error *e = kb_loader_check(ld, real, relpath);
	if (e) {
		free(real);
		return e;
	}
	if (kb_is_dir(real)) {
		free(real);
		return kb_error_new(ld->kfile, 0, 0, "'%s' is a directory, expected a file",
				    relpath);
	}
	*data = kb_read_file(real, len);
	if (!*data) {
		e = kb_error_new(ld->kfile, 0, 0, "cannot read '%s': %s", relpath, strerror(errno));
		free(real);
		return e;
	}
	if (abspath)
		*abspath = real;
	else
		free(real);
	return NULL;
}
