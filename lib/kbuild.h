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
 * Link with `pkg-config --cflags --libs kbuild` (libkbuild.so) or, from
 * CMake, find_package(kbuild) and kbuild::kbuild; examples/ has a whole
 * program.
 *
 * Thread safety: the library has no global mutable state.  Separate
 * builds may run concurrently on separate threads, sharing nothing but
 * what the caller shares (a kb_fs, option strings).  An object (kb_result,
 * kb_error, kb_memfs) may be read from several threads at once; changing
 * or freeing it while another thread uses it is the caller's to prevent.
 * Each function below says so where it differs.
 *
 * Ownership: every object returned through an out-parameter or as a
 * non-const pointer belongs to the caller and is released with its
 * NULL-safe _free function; strings returned as `char *` are malloc'd
 * and freed by the caller with free().  A `const` pointer a function
 * returns is borrowed from the object it came from and valid until that
 * object is freed.  Pointers in kb_options are borrowed for the duration
 * of the call they are passed to.
 *
 * Nothing is printed and nothing exits: errors and warnings are values
 * (kb_error), with their file, line, column and chain of notes.
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

/*
 * The version of this header.  KBUILD_VERSION is the release (the
 * `Version:` of kbuild.pc and of the CMake package); KBUILD_ABI_VERSION
 * is the N of the shared library's SONAME, libkbuild.so.N, raised when a
 * release breaks binary compatibility.  CMakeLists.txt reads these lines,
 * so they are the one place a version is set.  kb_version() and
 * kb_abi_version() say what the library a program runs with was built as.
 */
#define KBUILD_VERSION_MAJOR 0
#define KBUILD_VERSION_MINOR 1
#define KBUILD_VERSION_PATCH 0
#define KBUILD_VERSION "0.1.0"
#define KBUILD_ABI_VERSION 0
/* 0xMMmmpp: compare with >= in #if. */
#define KBUILD_VERSION_NUMBER \
	((KBUILD_VERSION_MAJOR << 16) | (KBUILD_VERSION_MINOR << 8) | KBUILD_VERSION_PATCH)
/* The kustomize release whose output kbuild reproduces byte for byte. */
#define KBUILD_KUSTOMIZE_COMPAT "v5.5.0"

/* Set in kb_options.version so that the struct may grow compatibly:
 * fields a caller's version does not know are read as unset.
 * 2: kb_options.fs.
 * 3: function plugins (enable_exec, fn_*).
 * 4: jobs.
 * 5: no_docs.
 * 6: write, write_ctx (streamed output), exiting. */
#define KB_OPTIONS_VERSION 6

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

/* The operating system's file system (a static object; never freed).
 * Thread-safe. */
KB_API const kb_fs *kb_fs_os(void);

/*
 * An in-memory file system: files added by absolute path, directories
 * implied by the files below them, no symlinks.  Paths it does not hold
 * are looked up in `fallback` (kb_fs_os() to lay files over the disk;
 * NULL for memory only).
 *
 * Thread safety: adding files while another thread builds from the same
 * kb_memfs is not allowed; once filled, any number of concurrent builds
 * may read it.
 */
typedef struct kb_memfs kb_memfs;
/* A new, empty file system (the caller frees it with kb_memfs_free).
 * fallback is borrowed: it must outlive the kb_memfs. */
KB_API kb_memfs *kb_memfs_new(const kb_fs *fallback);
/* Adds or replaces a file; data is copied.  path must be absolute; "."
 * and ".." components are resolved.  Returns 0, or -1 with errno EINVAL.
 * Not thread-safe with other calls on the same m. */
KB_API int kb_memfs_add(kb_memfs *m, const char *path, const char *data, size_t len);
/* The kb_fs view of m (borrowed: valid until kb_memfs_free(m)), for
 * kb_options.fs. */
KB_API const kb_fs *kb_memfs_fs(kb_memfs *m);
/* Frees m and its files; NULL-safe.  No build may still be using it. */
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

/* The outcome of a build (below). */
typedef struct kb_result kb_result;

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
	size_t max_nodes;      /* nodes of one YAML document after alias expansion; 0 = default */
	/* --helm-api-versions / --helm-kube-version / --helm-debug: when set
	 * they override every chart's apiVersions, kubeVersion and debug. */
	const char *const *helm_api_versions; /* borrowed */
	size_t helm_api_versions_n;
	const char *helm_kube_version;
	int helm_debug;
	/* version >= 2: the file system to read (borrowed); NULL = the OS's */
	const kb_fs *fs;
	/* version >= 3: function plugins (issue 15).  External plugins run
	 * only with enable_alpha_plugins; exec KRM functions (a config with
	 * `exec: {path: ...}` in config.kubernetes.io/function) also need
	 * enable_exec; container functions run with docker or podman.  All
	 * arrays and strings are borrowed. */
	int enable_exec;                  /* --enable-exec */
	const char *const *fn_env;        /* -e/--env KEY=VALUE or KEY, for containers */
	size_t fn_env_n;
	const char *const *fn_mounts;     /* --mount type=bind,src=DIR,dst=DIR[,rw=true] */
	size_t fn_mounts_n;
	int fn_network;                   /* --network: allow functions that declare it */
	/* --network-name: kustomize v5.5.0 accepts it and never uses it (a
	 * container runs on network "host" when it declares network, else
	 * "none"); kept so that callers can pass it through. */
	const char *fn_network_name;
	int fn_as_current_user;           /* --as-current-user: --user UID:GID, not nobody */
	const char *fn_container_runtime; /* NULL: docker, else podman, from PATH */
	long fn_timeout_ms;               /* per function or exec plugin run; 0: 300 s */
	size_t fn_max_output;             /* bytes of stdout kept; 0: 256 MiB */
	/* version >= 4: threads one build may use besides the caller's, to
	 * parse the files of a kustomization and print the result (0: one
	 * per online CPU; 1: none).  The output does not depend on it.  With
	 * more than one, the kb_fs callbacks are called from several threads.
	 * kbuild check, which runs many builds at once, gives each one 1. */
	unsigned jobs;
	/* version >= 5: the result keeps the printed text only, not the
	 * resources' node trees, and each tree is freed as soon as it is
	 * printed: for callers that print or write the result (every kb_result
	 * function works the same), a big build's peak memory is about
	 * halved.  The library's own walks of the trees (kbuild flux) leave
	 * it unset. */
	int no_docs;
	/* version >= 6: stream the output.  With write set, kb_build first
	 * checks that every resource can be printed (a build that fails
	 * still writes nothing), then prints them in order, giving each
	 * one's text, and the "---\n" between two, to write as soon as it is
	 * printed, and frees it with its tree: the whole output is never
	 * held (a big build's peak memory is about its trees').  The result
	 * then holds no documents (kb_result_count 0, kb_result_yaml ""),
	 * only the warnings.  res is that result, its warnings already
	 * complete (a caller may report them before the output).  write
	 * returns 0, or -1 with errno set: the build then fails with
	 * KB_ERR_IO ("writing the output: ..."), part of the output written.
	 * Called on the caller's thread, ctx being write_ctx.  Implies
	 * no_docs. */
	int (*write)(void *ctx, const kb_result *res, const char *data, size_t len);
	void *write_ctx;
	/* version >= 6, with write: the caller exits once the build is done,
	 * so the trees of the streamed resources are not freed (that was a
	 * tenth of a big build's time; the process's end gives the memory
	 * back).  For a command like `kbuild build` only: a process that
	 * goes on loses that memory, and a leak checker reports it. */
	int exiting;
} kb_options;

/*
 * Sets every field of a `version` kb_options to its default (path ".",
 * helm_command "helm", the rest unset) and opts->version to version;
 * fields of later versions, which the caller's struct does not have, are
 * not touched.  Returns 0, or -1 for a version this library does not
 * know (newer than its KB_OPTIONS_VERSION, or below 1).  Thread-safe.
 *
 * kb_options_init(opts) is the call for a program's own header version:
 * a program built against this header keeps working with a later library
 * whose kb_options has grown (the library never writes past the struct
 * the program allocated).  A binding that lays out kb_options itself
 * (bindings/python) passes the version of the layout it has.
 */
KB_API int kb_options_init_version(kb_options *opts, int version);
#define kb_options_init(opts) ((void)kb_options_init_version((opts), KB_OPTIONS_VERSION))

typedef struct kb_error kb_error;

/* Codes, from kb_error_code(): what went wrong (an error) or what looks
 * wrong (a warning). */
enum {
	KB_ERR_BUILD = 1, /* the input cannot be built (exit 1) */
	KB_ERR_USAGE = 2, /* the caller asked for something invalid (exit 2) */
	KB_ERR_IO = 3,    /* writing the output failed (ENOSPC, EIO, ...: exit 1) */
	KB_WARN_SUSPICIOUS = 101, /* accepted as kustomize does, but surely a mistake */
	KB_WARN_DEPRECATED = 102, /* a deprecated field; the message names its successor */
};

/* The kind of one frame of a diagnostic. */
typedef enum kb_diag_kind {
	KB_DIAG_ERROR = 1,
	KB_DIAG_WARNING = 2,
	KB_DIAG_NOTE = 3, /* context of the frames before it: where that was reached from */
} kb_diag_kind;

/*
 * Builds the kustomization at opts->path (opts NULL: the defaults).  On
 * success returns NULL and stores the result in *out (the caller frees
 * it with kb_result_free); on failure returns the error (the caller frees
 * it with kb_error_free) and *out is left NULL.  The warnings the build
 * gave come with either: kb_result_warning_diag() on success,
 * kb_error_warning() on failure.
 *
 * opts and everything it points to are only read, during the call.
 * Thread-safe: concurrent builds do not share state (a kb_fs given to
 * several must itself be thread-safe).
 */
KB_API kb_error *kb_build(const kb_options *opts, kb_result **out);

/* ---- results ----
 * A kb_result is immutable once built: all of these may be called from
 * several threads at once. */

/* The YAML stream of the result exactly as `kustomize build` prints it
 * (borrowed from res; *len, when len is not NULL, gets its length). */
KB_API const char *kb_result_yaml(const kb_result *res, size_t *len);
/* Number of resources in the result (0 for NULL). */
KB_API size_t kb_result_count(const kb_result *res);
/* Writes the stream to fp and flushes it.  Returns 0, or -1 with errno
 * set.  Thread-safe as stdio is (fp locked per call). */
KB_API int kb_result_write(const kb_result *res, FILE *fp);
/* Writes one file per resource into the existing directory dir, named as
 * kustomize names them ([namespace_]group_version_kind_name.yaml), each
 * by the rules of kb_result_write_file.  Returns NULL or an error of code
 * KB_ERR_IO (the caller frees it). */
KB_API kb_error *kb_result_write_dir(const kb_result *res, const char *dir);
/* Writes the stream to path by what is there: a new path or a regular
 * file atomically (temporary file + rename; an existing file keeps its
 * mode), a symlink through to the file it names, /dev/stdout-like
 * descriptors, FIFOs and devices in place (never replaced).  Returns NULL
 * or an error of code KB_ERR_IO naming the path (the caller frees it). */
KB_API kb_error *kb_result_write_file(const kb_result *res, const char *path);
/* A path a streamed build (kb_options.write) writes as it prints, by the
 * rules of kb_result_write_file.  The path is looked at and opened at the
 * first write, so a build that fails before writing leaves it alone.  Set
 * kb_options.write to kb_output_write and write_ctx to the output; after
 * kb_build, kb_output_finish with commit true when the build succeeded:
 * a regular file's temporary copy is renamed into place (an empty output
 * still makes the file), or, without commit, removed.  It returns NULL or
 * an error of code KB_ERR_IO naming the path (a write that failed during
 * the build included), and frees out.  One build per output. */
typedef struct kb_output kb_output;
KB_API kb_output *kb_output_new(const char *path);
KB_API int kb_output_write(void *out, const kb_result *res, const char *data, size_t len);
KB_API kb_error *kb_output_finish(kb_output *out, int commit);
/* Warnings the build gave (deprecated fields, suspicious input), in the
 * order they were found, each once.  kb_result_warning() is the
 * formatted line ("file:line:col: warning: what", no newline);
 * kb_result_warning_diag() the same warning as a diagnostic of kind
 * KB_DIAG_WARNING, to walk with the kb_error_frame_* functions.  Both are
 * borrowed from res; NULL when i is out of range. */
KB_API size_t kb_result_warning_count(const kb_result *res);
KB_API const char *kb_result_warning(const kb_result *res, size_t i);
KB_API const kb_error *kb_result_warning_diag(const kb_result *res, size_t i);
/* Frees res and everything borrowed from it; NULL-safe. */
KB_API void kb_result_free(kb_result *res);

/* ---- diagnostics ----
 * A kb_error is one diagnostic: an error, or a warning (from
 * kb_result_warning_diag or kb_error_warning).  It is a chain of frames:
 * frame 0 is the diagnostic itself (kind KB_DIAG_ERROR or
 * KB_DIAG_WARNING), frames 1.. its notes (KB_DIAG_NOTE), innermost
 * first: the resource that failed, then the kustomization that listed
 * it, and so on outwards.  Each frame has a message and, where known, a
 * file (as the user named it, relative to the current directory when
 * below it), a 1-based line and a 1-based column (0 when unknown).
 *
 * None of these change the error: any number of threads may read one
 * error at once.  Every function is NULL-safe (a NULL error has no
 * frames, code 0). */

/* Compiler-style text of the error and its notes, one line each, ending
 * in '\n':
 *   in/cm.yaml:5:2: invalid YAML: ...
 *     note: in/kustomization.yaml:2:3: in resource 'cm.yaml'
 * The caller frees it with free(). */
KB_API char *kb_error_format(const kb_error *err);
/* KB_ERR_* for an error, KB_WARN_* for a warning. */
KB_API int kb_error_code(const kb_error *err);
/* The number of frames: 1 + the number of notes (0 for NULL). */
KB_API size_t kb_error_frame_count(const kb_error *err);
/* Frame i's kind (0 when i is out of range). */
KB_API kb_diag_kind kb_error_frame_kind(const kb_error *err, size_t i);
/* Frame i's message, without location or "note: " (borrowed; NULL when
 * i is out of range). */
KB_API const char *kb_error_frame_message(const kb_error *err, size_t i);
/* Frame i's file (borrowed; NULL when unknown or out of range). */
KB_API const char *kb_error_frame_file(const kb_error *err, size_t i);
/* Frame i's line and column, 1-based; 0 when unknown or out of range. */
KB_API unsigned kb_error_frame_line(const kb_error *err, size_t i);
KB_API unsigned kb_error_frame_column(const kb_error *err, size_t i);
/* An error from kb_build carries the warnings the build gave before it
 * failed (diagnostics of kind KB_DIAG_WARNING, borrowed from err); other
 * errors and warnings have none. */
KB_API size_t kb_error_warning_count(const kb_error *err);
KB_API const kb_error *kb_error_warning(const kb_error *err, size_t i);
/* Frees err with its notes and warnings; NULL-safe.  Only for errors the
 * caller owns (returned by a function), never for borrowed warnings. */
KB_API void kb_error_free(kb_error *err);

/* The library's version, KBUILD_VERSION as it was built (a static
 * string), and its ABI version, the N of libkbuild.so.N.  A program can
 * compare them with the header it was compiled with.  Thread-safe. */
KB_API const char *kb_version(void);
KB_API int kb_abi_version(void);

#ifdef __cplusplus
}
#endif

/* The public headers of the library's other parts (one per command:
 * kbuild/check.h, ...) are included here, so users include kbuild.h. */
#include "kbuild/check.h"
#include "kbuild/gitfs.h"
#include "kbuild/diff.h"
#include "kbuild/flux.h"
#include "kbuild/edit.h"

#endif
