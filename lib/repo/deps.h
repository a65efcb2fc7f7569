/*
 * deps.h - dependency sets: every path one build asked the file system
 * about, recorded by a kb_fs wrapper (kb_depfs) the build reads through.
 *
 * A build depends on every file it read, and also on every path whose
 * existence or type it asked about: the kustomization.yml it probed and
 * did not find, the directory it checked for a kustomization, the file
 * a missing resource names.  So creating, deleting or renaming such a
 * path touches the build as editing a file it read does, and a check of
 * "what does this change touch" stays exact with no record of earlier
 * runs: a deleted file that a build still names is in its set (as
 * missing), and one it no longer names was dropped by an edit to a file
 * the build reads.
 *
 *   kb_deps *d = kb_deps_new();
 *   kb_depfs rec;
 *   kb_depfs_init(&rec, NULL, d);        // over the OS's file system
 *   opts.fs = &rec.fs;  kb_build(&opts, &res);
 *   kb_deps_seal(d);
 *   if (kb_deps_touched_by(d, "/repo/apps/base/deploy.yaml")) ...
 *
 * Paths are absolute and lexically clean ("/a/b/../c" is kept as
 * "/a/c"); a path reached through a symlink is recorded both as asked
 * and as resolved.  The realpath, stat, read and list callbacks are all
 * recorded, errors included.
 *
 * Thread safety: a kb_deps is filled by one build (kb_deps_add is not
 * thread-safe); once sealed it is read-only and safe to read from any
 * thread.
 */
#ifndef KB_DEPS_H
#define KB_DEPS_H

#include "kbuild.h"

#include <stdbool.h>
#include <stddef.h>

/* What the build did with a path (OR'ed). */
enum {
	KB_DEP_READ = 1,    /* read its content */
	KB_DEP_STAT = 2,    /* asked whether it exists, its type or real path */
	KB_DEP_MISSING = 4, /* it did not exist (or could not be looked at) */
	KB_DEP_DIR = 8,     /* it is a directory */
	KB_DEP_LIST = 16,   /* listed the directory: any name added or removed in it counts */
	KB_DEP_TREE = 32,   /* depends on everything below the directory (helm charts) */
};

typedef struct kb_deps kb_deps;

kb_deps *kb_deps_new(void);
void kb_deps_free(kb_deps *d);
/* Records path with flags (merged with earlier flags for the same path).
 * Relative paths are ignored. */
void kb_deps_add(kb_deps *d, const char *path, unsigned flags);
/* Sorts the set by path; from then on it is read-only. */
void kb_deps_seal(kb_deps *d);
/* The entries of a sealed set, sorted by path (strcmp). */
size_t kb_deps_count(const kb_deps *d);
const char *kb_deps_path(const kb_deps *d, size_t i);
unsigned kb_deps_flags(const kb_deps *d, size_t i);
/* The flags of path in a sealed set, 0 when absent. */
unsigned kb_deps_lookup(const kb_deps *d, const char *path);
/* Whether a change of the file at path (created, edited, deleted or
 * renamed away) can change the build that recorded d (sealed): path is
 * in the set, lies below a KB_DEP_TREE directory, or is a name in a
 * KB_DEP_LIST directory. */
bool kb_deps_touched_by(const kb_deps *d, const char *path);

/* An absolute, canonical form of a path that may not exist (relative to
 * the current directory): its longest existing prefix resolved by the
 * OS, the rest appended.  Caller frees. */
char *kb_path_canonical(const char *path);

/*
 * The recording file system: forwards every call to `under` (NULL: the
 * OS's) and records it in deps.  Lives in caller storage, one per build;
 * its kb_fs is valid while the struct is.
 */
typedef struct kb_depfs {
	kb_fs fs;          /* give &fs to the build (kb_options.fs) */
	const kb_fs *under;
	kb_deps *deps;
} kb_depfs;

void kb_depfs_init(kb_depfs *r, const kb_fs *under, kb_deps *deps);

#endif
