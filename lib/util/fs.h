/*
 * fs.h - reading files the way kustomize's loader does: relative to a
 * kustomization's directory, with the load restrictor applied.
 *
 * Root restriction: under KB_LOAD_ROOT_ONLY a file must resolve (after
 * symlinks) to a path in or below the loader's root; kustomize says
 * "security; file '...' is not in or below '...'".
 */
#ifndef KB_FS_H
#define KB_FS_H

#include "diag.h"
#include "kbuild.h"

#include <stdbool.h>

typedef struct kb_loader {
	const kb_fs *fs;       /* NULL: the operating system's */
	const char *root;      /* absolute, symlink-free directory */
	kb_load_restrictor restrictor;
	const char *kfile;     /* the kustomization file, for error context (may be NULL) */
} kb_loader;

/* Reads relpath (relative to ld->root, or absolute).  On success *data is
 * a NUL-terminated malloc'd buffer of *len bytes and, when abspath is not
 * NULL, *abspath the resolved path; both owned by the caller. */
kb_error *kb_loader_read(const kb_loader *ld, const char *relpath, char **data, size_t *len,
			 char **abspath);
/* Resolves relpath against ld->root without the restriction check.
 * Returns a malloc'd canonical absolute path, or NULL when it does not
 * exist (errno set). */
char *kb_loader_resolve(const kb_loader *ld, const char *relpath);
/* The restriction check alone: NULL when abspath may be loaded. */
kb_error *kb_loader_check(const kb_loader *ld, const char *abspath, const char *relpath);

/* Through a kb_fs (NULL = the OS's).  Each returns NULL / false / -1 with
 * errno set on failure. */
char *kb_fs_realpath(const kb_fs *fs, const char *path);
int kb_fs_stat(const kb_fs *fs, const char *path, bool follow, kb_file_type *type);
/* Whole-file read of a regular file: a NUL-terminated malloc'd buffer.
 * Anything else (a FIFO, a device) is refused with EINVAL before it is
 * opened, so a build never blocks on one. */
char *kb_fs_read(const kb_fs *fs, const char *path, size_t *len);
bool kb_fs_is_dir(const kb_fs *fs, const char *path);
bool kb_fs_is_file(const kb_fs *fs, const char *path);
/* The size of the regular file at path when fs is the operating system's
 * (stat, following links), else -1: a hint for planning work only. */
long long kb_fs_size_hint(const kb_fs *fs, const char *path);
int kb_fs_list(const kb_fs *fs, const char *path, char ***names, size_t *n);

/* The same on the operating system's file system, for what only exists
 * there (a remote base's clone, helm's chart directory). */
char *kb_read_file(const char *path, size_t *len);
bool kb_is_dir(const char *path);
bool kb_is_file(const char *path);
/* A lexically clean copy of the absolute path p ("." and ".." resolved,
 * repeated '/' folded: "/a/./b/../c" -> "/a/c"); NULL when p is not
 * absolute.  Caller frees. */
char *kb_path_clean(const char *p);
/* The same for any p, read as if rooted at "/" (so ".." cannot climb
 * above it: "a/../../b" -> "/b"). */
char *kb_path_clean_rooted(const char *p);
/* Joins dir and rel ("rel" when absolute); caller frees. */
char *kb_path_join(const char *dir, const char *rel);
/* A path relative to the current directory for messages when it lies
 * below it, else the path itself; caller frees. */
char *kb_path_display(const char *abspath);

#endif
