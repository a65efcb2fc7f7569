/*
 * kbuild/check.h - validate every overlay of a repository (`kbuild check`).
 *
 *   static int on_result(void *ud, const kb_check_result *r)
 *   {
 *           printf("%s: %s\n", r->path, r->ok ? "ok" : "FAILED");
 *           return 0;                        // nonzero stops the check
 *   }
 *   ...
 *   kb_check_options co;
 *   kb_check_options_init(&co);
 *   const char *paths[] = { "clusters", "apps" };
 *   co.paths = paths; co.npaths = 2;
 *   co.on_result = on_result;
 *   kb_check_summary sum;
 *   kb_error *err = kb_check(&co, &sum);     // an error of the run itself
 *   ... sum.failed ...
 *
 * kb_check finds every kustomization root below the paths (all three file
 * names; not .git, not Component directories, not what --exclude patterns
 * or .kbuildignore files leave out), builds each exactly as kb_build
 * would, on a pool of threads whose builds share one cache of the files
 * read and parsed (each build gets its own copies), and hands each
 * overlay's result to a callback.
 *
 * Dependency sets: every build records the files and directories it
 * read, or asked about (kustomization files probed and not found
 * included).  With `changed` or `since`, only the overlays whose builds
 * touched one of the changed paths are reported; the others are built
 * to learn that (a build is cheap) but never reported.  A deleted or
 * renamed file counts for the builds that still name it, and a build that
 * no longer names it was changed by an edit to a file it reads.
 *
 * Thread safety: kb_check may run concurrently with other library calls;
 * the callback is called on the thread that called kb_check, one result
 * at a time, in discovery order (whatever the number of jobs), so the
 * report of a run does not depend on -j.
 *
 * Ownership: everything a kb_check_result points to belongs to the
 * library and is valid only during the callback; copy what you keep.
 *
 * Inside the library, the parts kb_check is made of serve other commands
 * too (lib/repo/: discover.h finds the roots, deps.h records dependency
 * sets through a kb_fs wrapper, cache.h and session.h run many builds
 * through shared caches, git.h asks git what changed).
 */
#ifndef KBUILD_CHECK_H
#define KBUILD_CHECK_H

#include "../kbuild.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1: the first version.
 * 2: kb_check_flux (issue 16) and the Flux fields at the end of
 *    kb_check_result. */
#define KB_CHECK_OPTIONS_VERSION 2

/* A dependency's flags: what the build did with the path (OR'ed). */
enum {
	KB_CHECK_DEP_READ = 1,    /* read its content */
	KB_CHECK_DEP_STAT = 2,    /* asked whether it exists or what it is */
	KB_CHECK_DEP_MISSING = 4, /* it does not exist */
	KB_CHECK_DEP_DIR = 8,     /* a directory */
	KB_CHECK_DEP_LIST = 16,   /* listed the directory */
	KB_CHECK_DEP_TREE = 32,   /* everything below the directory (a helm chart) */
};

typedef struct kb_check_result {
	const char *path; /* the overlay directory as shown (relative when below the
			   * current directory) */
	const char *dir;  /* absolute, symlink-free */
	int ok;           /* built, and under strict without warnings */
	int built;        /* the build itself succeeded */
	double seconds;   /* wall time of the build */
	size_t resources; /* resources in the output (0 when it failed) */
	/* Why it failed (the build's error, or the writing of its bundle), or
	 * NULL; a diagnostic to walk with the kb_error_frame_* functions. */
	const kb_error *error;
	/* The build's warnings, diagnostics of kind KB_DIAG_WARNING (code
	 * KB_WARN_SUSPICIOUS or KB_WARN_DEPRECATED), in the order found. */
	const kb_error *const *warnings;
	size_t nwarnings;
	/* The output, when built and keep_output is set; else NULL. */
	const char *yaml;
	size_t yaml_len;
	/* The file written under bundle_dir (as shown), or NULL. */
	const char *bundle;
	/* The dependency set: absolute, lexically clean paths, sorted
	 * byte-wise, with KB_CHECK_DEP_* flags. */
	const char *const *deps;
	const unsigned *dep_flags;
	size_t ndeps;
	/* With changed/since: the changed paths this build touched, as shown
	 * (relative to the current directory when below it). */
	const char *const *touched;
	size_t ntouched;
	/* Since version 2, from kb_check_flux (NULL and 0 from kb_check).
	 * The PATH the entry was rendered from, as shown; the Flux
	 * Kustomization's namespace and name ("" for the entry of the PATH
	 * itself: its own objects when no Kustomization builds it, or the
	 * error that kept it from rendering); the file that defines it, as
	 * messages show it, and its line (0 when unknown); the cluster its
	 * resources go to ("" for PATH's, "kubeConfig NAMESPACE/SECRET" for
	 * one reached through spec.kubeConfig); and whether it was skipped
	 * under skip_unresolved (then not built, and ok unless strict);
	 * its spec.path as written ("" for the entry of the PATH). */
	const char *flux_path;
	const char *flux_namespace, *flux_name;
	const char *flux_file;
	unsigned flux_line;
	const char *flux_cluster;
	int flux_skipped;
	const char *flux_spec_path;
} kb_check_result;

/* Called once per overlay checked; nonzero stops the check (the overlays
 * not yet reported are not). */
typedef int (*kb_check_fn)(void *ud, const kb_check_result *r);

typedef struct kb_check_options {
	int version; /* KB_CHECK_OPTIONS_VERSION */
	/* The build flags (borrowed; its path is ignored, its fs is the file
	 * system read); NULL: kb_options_init's defaults. */
	const kb_options *build;
	/* Where to look for overlays (borrowed); none: ".". */
	const char *const *paths;
	size_t npaths;
	/* gitignore-syntax patterns of directories to leave out, relative to
	 * the current directory (borrowed). */
	const char *const *exclude;
	size_t nexclude;
	int no_ignore_files; /* do not read .kbuildignore files */
	/* Only the overlays whose builds touch one of these files (relative
	 * to the current directory, or absolute), when has_changed is set:
	 * an empty list then checks nothing. */
	const char *const *changed;
	size_t nchanged;
	int has_changed;
	/* Only the overlays whose builds touch a file that differs between
	 * this git commit and the work tree (untracked files included), asked
	 * of the system git in the first path's repository.  With changed
	 * too, the union. */
	const char *since;
	unsigned jobs;  /* builds at once; 0: the number of online CPUs */
	int strict;     /* a warning fails its overlay */
	/* Writes each built overlay's output to bundle_dir/<path>.yaml (the
	 * overlay's path as shown; "." is named after the current directory,
	 * a path outside it by its absolute path), atomically; a failed
	 * overlay's file is removed.  NULL: none. */
	const char *bundle_dir;
	int keep_output; /* results carry the output */
	int no_cache;    /* builds share no cache (to measure what it saves) */
	kb_check_fn on_result; /* may be NULL */
	/* Problems of the run that belong to no overlay (a directory that
	 * cannot be listed, a path given that is excluded, no kustomization
	 * found), as warning diagnostics, borrowed for the call.  May be NULL. */
	void (*on_warning)(void *ud, const kb_error *warning);
	void *ud; /* passed to both */
} kb_check_options;

/* Grows with KB_CHECK_OPTIONS_VERSION, at its end; kb_check writes only
 * the fields the caller's o->version knows. */
typedef struct kb_check_summary {
	size_t overlays;   /* reported */
	size_t ok, failed;
	size_t warnings;   /* warning diagnostics, summed over the overlays reported */
	size_t untouched;  /* found and built, but not touched by the change */
	size_t components; /* Component directories left out */
	size_t excluded;   /* directories left out by --exclude / .kbuildignore */
	size_t changed;    /* changed paths considered */
	double seconds;    /* wall time of the whole check */
	/* what the shared cache saved: lookups, and of them misses */
	size_t reads, read_misses, parses, parse_misses;
} kb_check_summary;

KB_API void kb_check_options_init(kb_check_options *o);

/*
 * Checks as o says, calling o->on_result per overlay, and fills *sum
 * (may be NULL).  o must have been set up by kb_check_options_init.  Returns NULL when the run itself worked, whatever the
 * overlays did; an error for a bad path, --since ref or bundle directory
 * (code KB_ERR_USAGE), or when the callback stopped the check (code
 * KB_ERR_BUILD; the summary then counts what was reported).
 */
KB_API kb_error *kb_check(const kb_check_options *o, kb_check_summary *sum);

/*
 * `kbuild check --flux`: checks the Flux clusters at o->paths (default
 * "."; each a directory such as clusters/prod or a file of Flux
 * Kustomizations) as kustomize-controller would build them, rather than
 * the overlays below them.  Each PATH is rendered as kb_flux_render
 * renders flux->path (kbuild/flux.h), up to o->jobs PATHs at once, and
 * each of its Flux Kustomizations is one result, in apply order: r->path
 * is "NAMESPACE/NAME" ("PATH NAMESPACE/NAME" when several PATHs are
 * given; " (kubeConfig NS/SECRET)" follows for another cluster's), the
 * flux_* fields say which it is, r->error is its error (a diagnostic
 * naming the file and line, with a note naming the Kustomization and
 * the file that defines it) and r->warnings its warnings.  A PATH that
 * does not render at all (its own kustomization is broken) is one
 * failed result named by the PATH.
 *
 * Of o, build (its fs is read), paths, jobs, strict, keep_output,
 * bundle_dir (DIR/NAMESPACE/NAME.yaml per Kustomization, under
 * DIR/PATH/ when several PATHs are given; DIR/_root.yaml for a PATH's
 * own objects: what `kbuild flux -o DIR` writes), on_result, on_warning
 * (warnings of a render that belong to no Kustomization) and ud apply;
 * changed, since and exclude do not (KB_ERR_USAGE when set).  Of flux
 * (NULL: defaults), everything but path, build, select and style (the
 * output is kustomize's) applies.  Returns as kb_check does; a PATH that
 * does not exist is a KB_ERR_USAGE error.  The summary counts results
 * as overlays; its cache figures are 0.
 */
struct kb_flux_options;
KB_API kb_error *kb_check_flux(const kb_check_options *o, const struct kb_flux_options *flux,
			       kb_check_summary *sum);

#ifdef __cplusplus
}
#endif

#endif
