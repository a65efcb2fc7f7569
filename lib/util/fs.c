#include "fs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

char *kb_read_file(const char *path, size_t *len)
{
	/* open + fstat + exact reads: no stdio buffering, no tty probe.
	 * O_NONBLOCK so that opening a FIFO does not wait for a writer; it
	 * is refused below like every file that is not regular. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int err = errno;
		close(fd);
		errno = err;
		return NULL;
	}
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
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

static char *os_realpath(void *ctx, const char *path)
{
	(void)ctx;
	return realpath(path, NULL);
}

static int os_stat(void *ctx, const char *path, int follow, kb_file_type *type)
{
	(void)ctx;
	struct stat st;
	if ((follow ? stat(path, &st) : lstat(path, &st)) != 0)
		return -1;
	*type = S_ISREG(st.st_mode)   ? KB_FILE_REGULAR
		: S_ISDIR(st.st_mode) ? KB_FILE_DIR
		: S_ISLNK(st.st_mode) ? KB_FILE_SYMLINK
				      : KB_FILE_OTHER;
	return 0;
}

static char *os_read(void *ctx, const char *path, size_t *len)
{
	(void)ctx;
	return kb_read_file(path, len);
}

static int os_list(void *ctx, const char *path, char ***names, size_t *n)
{
	(void)ctx;
	DIR *d = opendir(path);
	if (!d)
		return -1;
	kb_strv v = { 0 };
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		kb_strv_push(&v, de->d_name);
	}
	closedir(d);
	*names = v.v;
	*n = v.n;
	return 0;
}

static const kb_fs os_fs = {
	.version = KB_FS_VERSION,
	.ctx = NULL,
	.realpath = os_realpath,
	.stat = os_stat,
	.read = os_read,
	.list = os_list,
};

const kb_fs *kb_fs_os(void)
{
	return &os_fs;
}

char *kb_fs_realpath(const kb_fs *fs, const char *path)
{
	fs = fs ? fs : &os_fs;
	return fs->realpath(fs->ctx, path);
}

int kb_fs_stat(const kb_fs *fs, const char *path, bool follow, kb_file_type *type)
{
	fs = fs ? fs : &os_fs;
	return fs->stat(fs->ctx, path, follow, type);
}

char *kb_fs_read(const kb_fs *fs, const char *path, size_t *len)
{
	if (!fs || fs == &os_fs)
		return kb_read_file(path, len);
	kb_file_type t;
	if (fs->stat(fs->ctx, path, 1, &t) != 0)
		return NULL;
	if (t != KB_FILE_REGULAR) {
		errno = t == KB_FILE_DIR ? EISDIR : EINVAL;
		return NULL;
	}
	return fs->read(fs->ctx, path, len);
}

bool kb_fs_is_dir(const kb_fs *fs, const char *path)
{
	kb_file_type t;
	return kb_fs_stat(fs, path, true, &t) == 0 && t == KB_FILE_DIR;
}

bool kb_fs_is_file(const kb_fs *fs, const char *path)
{
	kb_file_type t;
	return kb_fs_stat(fs, path, true, &t) == 0 && t == KB_FILE_REGULAR;
}

long long kb_fs_size_hint(const kb_fs *fs, const char *path)
{
	struct stat st;
	if ((fs && fs != &os_fs) || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	return (long long)st.st_size;
}

int kb_fs_list(const kb_fs *fs, const char *path, char ***names, size_t *n)
{
	fs = fs ? fs : &os_fs;
	*names = NULL;
	*n = 0;
	if (!fs->list) {
		errno = ENOTSUP;
		return -1;
	}
	return fs->list(fs->ctx, path, names, n);
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

char *kb_path_clean_rooted(const char *path)
{
	size_t len = strlen(path);
	char *out = kb_xmalloc(len + 2);
	size_t o = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

char *kb_path_clean(const char *path)
{
	return path && path[0] == '/' ? kb_path_clean_rooted(path) : NULL;
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
		kb_file_type t;
		if (kb_fs_stat(ld->fs, joined, false, &t) == 0 && t != KB_FILE_SYMLINK)
			return joined;
	}
	char *real = kb_fs_realpath(ld->fs, joined);
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
	kb_file_type t;
	if (kb_fs_stat(ld->fs, real, true, &t) == 0 && t != KB_FILE_REGULAR) {
		free(real);
		if (t == KB_FILE_DIR)
			return kb_error_new(ld->kfile, 0, 0, "'%s' is a directory, expected a file",
					    relpath);
		return kb_error_new(ld->kfile, 0, 0,
				    "'%s' is not a regular file (a FIFO, device or socket); only "
				    "files and directories can be loaded",
				    relpath);
	}
	*data = kb_fs_read(ld->fs, real, len);
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
