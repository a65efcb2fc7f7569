/*
 * kbuild/gitfs.h - a file system (kb_fs) over a git revision, so that a
 * build reads a commit as it would its checkout, without one.
 *
 *   kb_gitfs *g = NULL;
 *   kb_error *err = kb_gitfs_open("apps/dev", "origin/main", &g);
 *   kb_options opts;
 *   kb_options_init(&opts);
 *   opts.fs = kb_gitfs_fs(g);
 *   opts.path = "/abs/repo/apps/dev";   // paths as in the working tree
 *   err = kb_build(&opts, &res);
 *   kb_gitfs_free(g);
 *
 * The revision's tree is laid over the repository's working-tree
 * directory: /abs/repo/apps/dev names apps/dev as it is in the revision,
 * whatever the working tree holds (files there that the revision lacks
 * do not exist; nothing in the working tree is read or written).  Paths
 * outside the repository are the operating system's.  Symbolic links in
 * the tree resolve as the OS would resolve them in a checkout (relative
 * to the link, absolute ones from "/", ".." after a link physical,
 * ELOOP past 40 links).  Submodules are directories whose contents
 * cannot be read (ENOTSUP).  Blobs are served raw: no smudge filters
 * (git-lfs pointers stay pointers) and no end-of-line conversion.
 *
 * Trees and blobs are read through one `git cat-file --batch` process
 * kept open for the life of the kb_gitfs, and cached.
 */
#ifndef KBUILD_GITFS_H
#define KBUILD_GITFS_H

#include "../kbuild.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kb_gitfs kb_gitfs;

/* Opens revision rev (anything `git rev-parse` accepts that names a
 * commit or tree: "HEAD", "origin/main", a tag, an id) of the git
 * repository that contains path (a file or directory; when it does not
 * exist, its nearest existing parent).  Errors: path not in a git
 * repository with a working tree, rev unknown, git missing (all
 * KB_ERR_USAGE).  *out belongs to the caller.  Thread safety: the kb_fs
 * it gives may be used by concurrent builds (calls are serialised
 * inside). */
KB_API kb_error *kb_gitfs_open(const char *path, const char *rev, kb_gitfs **out);
/* The kb_fs view, valid until kb_gitfs_free. */
KB_API const kb_fs *kb_gitfs_fs(kb_gitfs *g);
/* The repository's working-tree directory (absolute, canonical). */
KB_API const char *kb_gitfs_root(const kb_gitfs *g);
/* The revision as given, and the commit id it names (NULL when rev
 * names a tree). */
KB_API const char *kb_gitfs_rev(const kb_gitfs *g);
KB_API const char *kb_gitfs_commit(const kb_gitfs *g);
/* Ends the git process and frees everything (NULL-safe). */
KB_API void kb_gitfs_free(kb_gitfs *g);

/* The repository top that contains path (absolute, canonical; caller
 * frees), for callers that need it before opening a revision. */
KB_API kb_error *kb_git_toplevel(const char *path, char **top);

#ifdef __cplusplus
}
#endif

#endif
