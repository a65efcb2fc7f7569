/*
 * hooks.h - what a caller running many builds of one tree (check, diff)
 * can plug into a build without changing its result: a parse cache and
 * a note of the directories a build depends on outside the file system
 * interface.  A plain kb_build has no hooks.
 *
 * The hooks see absolute paths only.  Every hook is optional (NULL).  A
 * hook may be called from several builds on several threads at once
 * when the same hooks are given to concurrent builds.
 */
#ifndef KB_HOOKS_H
#define KB_HOOKS_H

#include "diag.h"
#include "kbuild.h"
#include "parse.h"
#include "remote.h"

typedef struct kb_build_hooks {
	void *ud; /* passed to every hook */
	/* Parses buf (len bytes, read from the file at path; display names
	 * it in messages) exactly as kb_yaml_parse(display, buf, len, lim,
	 * docs, ndocs) would, returning trees the build owns.  Used for
	 * kustomization files and resource files, the files a tree's
	 * builds share most; a cache returns copies of trees parsed once. */
	kb_error *(*parse)(void *ud, const char *path, const char *display, const char *buf,
			   size_t len, const kb_parse_limits *lim, kb_node ***docs, size_t *ndocs);
	/* The build reads everything below dir by other means than the file
	 * system interface (helm reads a chart directory itself). */
	void (*depend_tree)(void *ud, const char *dir);
	/* Fetches a remote base as kb_repo_clone(rs, out) would; the build
	 * hands the clone back to release (instead of kb_clone_remove) when
	 * it is done with it.  A caller running many builds fetches each URL
	 * once and removes the clones when the last build is over.  Both or
	 * neither are set.  Called for remote bases at any depth. */
	kb_error *(*clone)(void *ud, const kb_repospec *rs, kb_clone *out);
	void (*release)(void *ud, kb_clone *c);
} kb_build_hooks;

/* kb_yaml_parse, or the hook's parse when there is one.  pool, when not
 * NULL, may parse the documents of a big file (kb_yaml_parse_on): the
 * caller is not one of its jobs. */
kb_error *kb_hooks_parse(const kb_build_hooks *h, const char *path, const char *display,
			 const char *buf, size_t len, const kb_parse_limits *lim,
			 struct kb_pool *pool, kb_node ***docs, size_t *ndocs);

/* A copy of a caller's options of any version into a current struct:
 * the fields src->version has, the defaults for the others (a caller of
 * an older version has a smaller struct, never read past its end). */
void kb_options_copy(kb_options *dst, const kb_options *src);

/* kb_build with hooks (NULL: none): the same result, errors and
 * warnings (on the result, or carried by the error). */
kb_error *kb_build_hooked(const kb_options *opts, const kb_build_hooks *hooks,
			  kb_result **out);

#endif
