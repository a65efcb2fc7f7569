/*
 * kbuild.h - public API of libkbuild, a kustomize-compatible build library.
 *
 *   kb_options opts;
 *   kb_options_init(&opts);
 *   opts.path = "apps/dev";
 *   kb_result *res = NULL;
 *   kb_error *err = kb_build(&opts, &res);
 *   if (err) { char *s = kb_error_format(err); fputs(s, stderr); free(s); kb_error_free(err); }
 *   else     { kb_result_write(res, stdout); kb_result_free(res); }
 *
 * Thread safety: the library has no global mutable state; separate builds
 * may run concurrently on separate threads.
 *
 * Ownership: every object returned through an out-parameter belongs to the
 * caller and is released with its NULL-safe _free function.  Strings
 * returned as `char *` are malloc'd and freed by the caller with free().
 */
#ifndef KBUILD_H
#define KBUILD_H

#include <stdio.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the library's public functions: the only symbols the shared
 * library exports (it is built with -fvisibility=hidden). */
#if defined(__GNUC__)
#define KB_API __attribute__((visibility("default")))
#else
#define KB_API
#endif

#define KBUILD_VERSION "0.1.0"
/* The kustomize release whose output kbuild reproduces byte for byte. */
#define KBUILD_KUSTOMIZE_COMPAT "v5.5.0"

/* Set in kb_options.version so that the struct may grow compatibly:
 * fields a caller's version does not know are read as unset.
 * 2: kb_options.fs. */
#define KB_OPTIONS_VERSION 2

/*
 * The file system a build reads.  kb_options.fs = NULL reads the
 * operating system's; a caller can build from memory, a git object store
 * or an editor's unsaved buffers by passing its own (and wrap
 * kb_fs_os() to fall back to the disk).  The load restrictor and symlink
 * rules apply to what these callbacks report, unchanged.
 *
 * Paths passed to the callbacks are absolute.  The callbacks may be
 * called from several threads at once when the same kb_fs is given to
 * concurrent builds; they must then be thread-safe.  Errors are reported
 * by returning NULL or -1 with errno set (ENOENT, EACCES, ...).
 */
typedef enum kb_file_type {
	KB_FILE_REGULAR = 1,
	KB_FILE_DIR,
	KB_FILE_SYMLINK, /* only when stat is asked not to follow links */
	KB_FILE_OTHER,   /* FIFOs, devices, sockets: never read */
} kb_file_type;

typedef struct kb_fs {
	int version; /* KB_FS_VERSION */
	void *ctx;   /* passed to every callback */
	/* The canonical absolute path (symlinks resolved, as realpath(3));
	 * malloc'd, freed by the library.  NULL with errno when it does not
	 * exist. */
	char *(*realpath)(void *ctx, const char *path);
	/* The type of path, following symlinks unless follow is 0. */
	int (*stat)(void *ctx, const char *path, int follow, kb_file_type *type);
	/* The whole file: a malloc'd buffer (freed by the library) of *len
	 * bytes plus a terminating NUL. */
	char *(*read)(void *ctx, const char *path, size_t *len);
	/* The names in a directory (without "." and ".."), in any order:
	 * a malloc'd array of malloc'd strings, freed by the library.  Used
	 * by repository discovery (check) and Flux's generated
	 * kustomizations, not by a plain build. */
	int (*list)(void *ctx, const char *path, char ***names, size_t *n);
} kb_fs;

#define KB_FS_VERSION 1

/* The operating system's file system (static; never freed). */
KB_API const kb_fs *kb_fs_os(void);

/*
 * An in-memory file system: files added by absolute path, directories
 * implied by the files below them, no symlinks.  Paths it does not hold
 * are looked up in `fallback` (kb_fs_os() to lay files over the disk;
 * NULL for memory only).  Not thread-safe while files are added; safe
 * for concurrent builds once it is only read.
 */
typedef struct kb_memfs kb_memfs;
KB_API kb_memfs *kb_memfs_new(const kb_fs *fallback);
/* Adds or replaces a file (data copied).  path must be absolute; "." and
 * ".." components are resolved.  Returns 0, or -1 with errno EINVAL. */
KB_API int kb_memfs_add(kb_memfs *m, const char *path, const char *data, size_t len);
/* The kb_fs view of m, valid until kb_memfs_free(m). */
KB_API const kb_fs *kb_memfs_fs(kb_memfs *m);
KB_API void kb_memfs_free(kb_memfs *m);

typedef enum kb_load_restrictor {
	KB_LOAD_ROOT_ONLY = 0, /* files must lie in or below their kustomization */
	KB_LOAD_NONE = 1,      /* no restriction */
} kb_load_restrictor;

typedef enum kb_reorder {
	KB_REORDER_UNSET = 0, /* legacy unless sortOptions says otherwise */
	KB_REORDER_LEGACY,
	KB_REORDER_NONE,
} kb_reorder;

typedef struct kb_options {
	int version; /* KB_OPTIONS_VERSION */
	const char *path; /* the kustomization directory; "." when NULL */
	kb_load_restrictor load_restrictor;
	kb_reorder reorder;
	int enable_helm;
	const char *helm_command; /* "helm" when NULL */
	int enable_alpha_plugins;
	int enable_managedby_label;
	/* Limits that keep hostile input from exhausting the machine. */
	size_t max_depth;      /* nesting of one YAML document; 0 = default */
	size_t max_nodes;      /* nodes after alias expansion per file; 0 = default */
	/* --helm-api-versions / --helm-kube-version / --helm-debug: when set
	 * they override every chart's apiVersions, kubeVersion and debug. */
	const char *const *helm_api_versions; /* borrowed */
	size_t helm_api_versions_n;
	const char *helm_kube_version;
	int helm_debug;
	/* version >= 2: the file system to read (borrowed); NULL = the OS's */
	const kb_fs *fs;
} kb_options;

KB_API void kb_options_init(kb_options *opts);

typedef struct kb_error kb_error;
typedef struct kb_result kb_result;

/* Error codes, from kb_error_code(). */
enum {
	KB_ERR_BUILD = 1, /* the input cannot be built (exit 1) */
	KB_ERR_USAGE = 2, /* the caller asked for something invalid (exit 2) */
	KB_ERR_IO = 3,    /* writing the output failed */
};

/* Builds the kustomization at opts->path.  On success returns NULL and
 * stores the result in *out; on failure returns the error and *out is
 * left NULL. */
KB_API kb_error *kb_build(const kb_options *opts, kb_result **out);

/* The YAML stream of the result exactly as `kustomize build` prints it.
 * The returned buffer belongs to the result. */
KB_API const char *kb_result_yaml(const kb_result *res, size_t *len);
/* Number of resources in the result. */
KB_API size_t kb_result_count(const kb_result *res);
/* Writes the stream to FILE. Returns 0 or -1 (errno set). */
KB_API int kb_result_write(const kb_result *res, FILE *fp);
/* Writes one file per resource into an existing directory, named as
 * kustomize names them.  Each file is written atomically. */
KB_API kb_error *kb_result_write_dir(const kb_result *res, const char *dir);
/* Writes the stream to a file atomically (temporary file + rename). */
KB_API kb_error *kb_result_write_file(const kb_result *res, const char *path);
/* Warnings the build produced (deprecated fields, suspicious input),
 * one formatted line each, without trailing newline. */
KB_API size_t kb_result_warning_count(const kb_result *res);
KB_API const char *kb_result_warning(const kb_result *res, size_t i);
KB_API void kb_result_free(kb_result *res);

/* Compiler-style text of an error with its notes; ends in '\n'.
 * Caller frees. */
KB_API char *kb_error_format(const kb_error *err);
KB_API int kb_error_code(const kb_error *err);
KB_API void kb_error_free(kb_error *err);

KB_API const char *kb_version(void);

#ifdef __cplusplus
}
#endif

/* The public headers of the library's other parts (one per command:
 * kbuild/check.h, ...) are included here, so users include kbuild.h. */
#include "kbuild/diagnostics.h"

#endif
