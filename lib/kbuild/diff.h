/*
 * kbuild/diff.h - what a change does to the rendered manifests: every
 * overlay a change touches rendered at two revisions, compared resource
 * by resource (`kbuild diff`).
 *
 *   kb_diff_options o;
 *   kb_diff_options_init(&o);
 *   o.base = "origin/main";              // head: the working tree
 *   kb_diff_result *r = NULL;
 *   kb_error *err = kb_diff(&o, &r);
 *   for (size_t i = 0; !err && i < kb_diff_result_count(r); i++) {
 *           const kb_diff_overlay *ov = kb_diff_result_overlay(r, i);
 *           ...                          // ov->resources[j].hunks[k].lines[l]
 *   }
 *   kb_diff_result_free(r);
 *
 * Resources are matched across the sides by id: API group, kind,
 * namespace and name (the version is not part of it: apps/v1beta1 to
 * apps/v1 is a change).  A ConfigMap or Secret whose name carries
 * kustomize's content hash is followed across the rename the hash makes
 * when its data changes, so a changed generator is one changed resource.
 * Resources whose YAML is byte-identical are unchanged wherever they
 * come from (a resource moved between files is no change); the order of
 * the stream is not compared.
 *
 * Values under a Secret's data and stringData (and its
 * last-applied-configuration annotation) are masked unless
 * show_secrets is set: each becomes "<secret sha256:XXXXXXXX>", a short
 * hash of the value (base64 decoded for data) so that a changed value
 * shows as a changed line.  The hash tells values apart; it does not
 * keep a guessable value from being confirmed by someone who guesses it.
 *
 * Ownership: results belong to the caller (kb_diff_result_free); every
 * pointer inside one is valid until then.  Thread safety: separate
 * kb_diff calls may run concurrently; a result may be read from several
 * threads.
 */
#ifndef KBUILD_DIFF_H
#define KBUILD_DIFF_H

#include "../kbuild.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1: the first version.
 * 2: kb_diff_flux (issue 16), kb_diff_result_entries and the Flux fields
 *    at the end of kb_diff_overlay. */
#define KB_DIFF_OPTIONS_VERSION 2

typedef struct kb_diff_options {
	int version; /* KB_DIFF_OPTIONS_VERSION */
	/* Where overlays are looked for (directories; default "."), all in
	 * one git repository.  Every kustomization root below them is an
	 * overlay, except directories holding a Component and .git. */
	const char *const *paths;
	size_t npaths;
	const char *base; /* revision of the base side; NULL = "HEAD" */
	const char *head; /* revision of the head side; NULL = the working tree */
	/* Build flags for both sides (load restrictor, helm, ...); path and
	 * fs are set per overlay.  NULL = defaults.  Borrowed. */
	const kb_options *build;
	unsigned context;  /* unchanged lines around each change (init: 3) */
	int show_secrets;  /* do not mask Secret values */
	/* Render every overlay on both sides, not only those whose
	 * dependencies a change touches. */
	int all;
	/* Directories left out, as `kbuild check` leaves them out:
	 * gitignore-syntax patterns relative to the current directory, and
	 * .kbuildignore files (read on each side) unless no_ignore_files. */
	const char *const *exclude;
	size_t nexclude;
	int no_ignore_files;
	unsigned jobs; /* builds at once; 0: the number of online CPUs */
} kb_diff_options;

KB_API void kb_diff_options_init(kb_diff_options *o);

typedef enum kb_diff_status {
	KB_DIFF_UNCHANGED = 0,
	KB_DIFF_ADDED,   /* at head only */
	KB_DIFF_REMOVED, /* at base only */
	KB_DIFF_CHANGED,
} kb_diff_status;

typedef struct kb_diff_line {
	char op;          /* ' ' on both sides, '-' base only, '+' head only */
	const char *text; /* without the newline, NUL-terminated */
	size_t len;
} kb_diff_line;

typedef struct kb_diff_hunk {
	/* as in "@@ -base_start,base_count +head_start,head_count @@":
	 * 1-based; a count of 0 puts start on the line before */
	size_t base_start, base_count;
	size_t head_start, head_count;
	/* The YAML path of the hunk's first changed line, e.g.
	 * "spec.template.spec.containers[0].image"; keys that are not plain
	 * words are quoted: metadata.annotations["example.com/x"].  "" for
	 * the document itself. */
	const char *path;
	const kb_diff_line *lines;
	size_t nlines;
} kb_diff_hunk;

typedef struct kb_diff_resource {
	kb_diff_status status;
	const char *api_version; /* head's (base's when removed) */
	const char *group;       /* "" for the core group */
	const char *kind;
	const char *namespace_;  /* "" when not set */
	const char *name;        /* head's (base's when removed) */
	/* The base side's name when it differs (a hash suffix followed),
	 * else NULL. */
	const char *base_name;
	bool masked; /* Secret values were masked */
	/* Changed: the hunks.  Added and removed: one hunk holding the whole
	 * document ('+' or '-' lines). */
	const kb_diff_hunk *hunks;
	size_t nhunks;
} kb_diff_resource;

typedef enum kb_diff_overlay_status {
	KB_DIFF_OVERLAY_UNCHANGED = 0, /* same resources (or the same error) on both sides */
	KB_DIFF_OVERLAY_CHANGED,       /* resources added, removed or changed */
	KB_DIFF_OVERLAY_ADDED,         /* a kustomization at head only */
	KB_DIFF_OVERLAY_REMOVED,       /* a kustomization at base only */
	KB_DIFF_OVERLAY_BROKEN,        /* builds at base, fails at head */
	KB_DIFF_OVERLAY_FIXED,         /* fails at base, builds at head */
	KB_DIFF_OVERLAY_FAILING,       /* fails on both sides, with different errors */
} kb_diff_overlay_status;

typedef struct kb_diff_overlay {
	/* relative to the repository's top ("apps/dev"; "." for the top) */
	const char *path;
	kb_diff_overlay_status status;
	/* The error of a side that fails (kb_error_format's text, ending in
	 * '\n'), else NULL.  An overlay that fails identically on both sides
	 * is UNCHANGED with both set. */
	const char *base_error, *head_error;
	/* Resources that differ, in the head stream's order, removed ones
	 * last in the base's order.  Overlays added or removed list all
	 * their resources as added or removed. */
	const kb_diff_resource *resources;
	size_t nresources;
	size_t added, removed, changed, unchanged;
	/* Since version 2, from kb_diff_flux (NULL and 0 from kb_diff): the
	 * file that defines the Flux Kustomization (head's; base's when it
	 * was removed), as messages show it, and its line (0 when unknown). */
	const char *file;
	unsigned line;
} kb_diff_overlay;

typedef struct kb_diff_result kb_diff_result;

typedef struct kb_diff_summary {
	size_t overlays; /* found below the paths on either side */
	size_t rendered; /* of those, rendered because a change touches them (all with `all`) */
	size_t differ;   /* overlays whose status is not UNCHANGED */
	size_t added, removed, changed; /* resources, over all overlays */
	size_t broken, fixed;           /* overlays that stop / start building */
	size_t changed_files;           /* files the change touches */
} kb_diff_summary;

/* Renders and compares (see the options).  On success *out holds the
 * rendered overlays (unchanged ones too, so a caller can tell what was
 * looked at), sorted by path.  Errors are about the request itself (not
 * in a git repository, unknown revision, a path outside the
 * repository): a build that fails is a result, not an error. */
KB_API kb_error *kb_diff(const kb_diff_options *o, kb_diff_result **out);

/* Number of overlays in r, and the i-th (borrowed). */
KB_API size_t kb_diff_result_count(const kb_diff_result *r);
KB_API const kb_diff_overlay *kb_diff_result_overlay(const kb_diff_result *r, size_t i);
KB_API void kb_diff_result_summary(const kb_diff_result *r, kb_diff_summary *s);
/* What the entries of a result are: overlays (kb_diff, and results
 * made with kb_diff_result_new) or Flux Kustomizations (kb_diff_flux:
 * each entry's path is the name kb_check_flux reports it by, e.g.
 * "flux-system/apps"). */
typedef enum kb_diff_entries {
	KB_DIFF_OVERLAYS = 0,
	KB_DIFF_FLUX_KUSTOMIZATIONS = 1,
} kb_diff_entries;
KB_API kb_diff_entries kb_diff_result_entries(const kb_diff_result *r);
/* True when anything differs (what diff(1) exits 1 for). */
KB_API bool kb_diff_result_differs(const kb_diff_result *r);
/* The base side's revision as asked and the commit it names; the head
 * side's (NULL revision: the working tree).  Borrowed. */
KB_API const char *kb_diff_result_base_rev(const kb_diff_result *r);
KB_API const char *kb_diff_result_base_commit(const kb_diff_result *r);
KB_API const char *kb_diff_result_head_rev(const kb_diff_result *r);
KB_API const char *kb_diff_result_head_commit(const kb_diff_result *r);
KB_API void kb_diff_result_free(kb_diff_result *r);

/*
 * The comparison alone, for streams rendered elsewhere (a Flux
 * Kustomization's output, two files): each call adds one entry named
 * `name` to r, comparing the sides given.  A side is a YAML stream
 * (exists, yaml/len), a failure (exists, error: its text) or absent
 * (!exists: the entry is ADDED or REMOVED).  `kbuild diff --flux`
 * (issue 16) adds one entry per Flux Kustomization this way.
 */
typedef struct kb_diff_side {
	bool exists;
	const char *yaml;  /* the rendered stream when it built */
	size_t len;
	const char *error; /* the error text when it did not (then yaml is ignored) */
} kb_diff_side;

KB_API kb_diff_result *kb_diff_result_new(void);
/* Errors: a side's stream is not YAML (KB_ERR_BUILD). */
KB_API kb_error *kb_diff_result_add(kb_diff_result *r, const char *name, const kb_diff_side *base,
				    const kb_diff_side *head, const kb_diff_options *o);

/*
 * `kbuild diff --flux`: what a change does to the Flux clusters at
 * o->paths (default "."; directories such as clusters/prod, or files of
 * Flux Kustomizations), Kustomization by Kustomization.  Each PATH is
 * rendered as kb_flux_render renders it (kbuild/flux.h) at o->base (read
 * from git, through kb_gitfs) and at o->head (or in the working tree),
 * and the Kustomizations are paired by name across the sides: namespace
 * and name, the cluster their resources go to, and the PATH when several
 * are given (the names kb_check_flux reports).  Each pair is compared as
 * kb_diff_result_add compares two streams, so a change to an app's base
 * shows under every Flux Kustomization that builds it; a Kustomization
 * found on one side only is ADDED or REMOVED, one that starts or stops
 * failing BROKEN or FIXED (its error is the side's text).  A PATH that
 * does not render at all on one side is one entry named by the PATH
 * (its whole stream against the error).  Everything is rendered: there
 * is no selection by the change's files (`all` changes nothing).
 *
 * Of o, paths, base, head, build, context, show_secrets and jobs (PATHs
 * rendered at once) apply; exclude does not (KB_ERR_USAGE).  Of flux
 * (NULL: defaults), everything but path, build, select and style
 * applies.  Its values_from files, and the work tree's .git/config and
 * .git/HEAD (which GitRepository is this repository), are read from the
 * working tree on both sides, so a decrypted copy git does not track
 * works; a sources directory is read through each side's file system
 * (at the side's revision inside the repository, from disk outside it).
 * Errors as kb_diff's.  On success *out holds one entry per
 * Kustomization (kb_diff_result_entries says KB_DIFF_FLUX_KUSTOMIZATIONS),
 * PATH by PATH in the order given: each PATH's in the head side's apply
 * order, then the ones removed from it.  The summary's overlays and
 * rendered count these entries.
 */
struct kb_flux_options;
KB_API kb_error *kb_diff_flux(const kb_diff_options *o, const struct kb_flux_options *flux,
			      kb_diff_result **out);

#ifdef __cplusplus
}
#endif

#endif
