/*
 * discover.h - finding the kustomization roots of a repository: the
 * directories `kbuild check` builds (and diff compares).
 *
 * A root is a directory holding a kustomization file under any of the
 * three names kustomize accepts (kustomization.yaml, kustomization.yml,
 * Kustomization) whose kind is not Component: a Component only builds
 * inside a parent.  A kustomization file that cannot be read or parsed
 * still makes a root (its build reports why).  Below each path given,
 * the walk
 *   - skips `.git` directories and does not follow symlinked directories
 *     (a link loop cannot hang it; what a link points to is found where
 *     it lies, when that is below a path given);
 *   - leaves out directories matched by an --exclude pattern or by a
 *     .kbuildignore file (ignore.h: gitignore syntax).  The .kbuildignore
 *     files read are those in every directory walked and in the
 *     directories above each path up to the top of its git work tree (the
 *     nearest one holding `.git`); without a work tree, only those walked;
 *   - goes on below a root (an overlay's base directory is a root too).
 * The exclusions apply to the paths given too: a path that is itself
 * excluded is left out with a warning.
 *
 * Roots come out in walk order (names sorted byte-wise, parents before
 * their subdirectories), each once even when several paths reach it.
 *
 * Ownership: kb_roots owns its entries; kb_roots_free.
 */
#ifndef KB_DISCOVER_H
#define KB_DISCOVER_H

#include "diag.h"
#include "hooks.h"
#include "kbuild.h"
#include "parse.h"

#include <stdbool.h>

typedef struct kb_root {
	char *dir;     /* absolute, symlink-free */
	char *display; /* for messages: relative to the current directory when below it */
	char *kfile;   /* absolute path of its kustomization file */
} kb_root;

typedef struct kb_roots {
	kb_root *v;
	size_t n, cap;
	size_t components; /* Component directories left out */
	size_t excluded;   /* directories left out by --exclude or .kbuildignore */
} kb_roots;

typedef struct kb_discover_opts {
	const kb_fs *fs;              /* NULL: the OS's */
	const char *const *paths;     /* where to look; NULL or none: "." */
	size_t npaths;
	const char *const *exclude;   /* gitignore-syntax patterns, relative to the current directory */
	size_t nexclude;
	bool no_ignore_files;         /* do not read .kbuildignore files */
	const kb_parse_limits *lim;   /* for reading kustomization files; NULL: defaults */
	const kb_build_hooks *hooks;  /* their parse (a shared cache); NULL: none */
} kb_discover_opts;

/*
 * Fills out (zeroed by the caller) with the roots below the paths.  A
 * path that does not exist or is not a directory is an error (code
 * KB_ERR_USAGE); a directory below it that cannot be listed is skipped
 * with a warning in warn (may be NULL).
 */
kb_error *kb_discover(const kb_discover_opts *o, kb_roots *out, kb_warnings *warn);
void kb_roots_free(kb_roots *r);

#endif
