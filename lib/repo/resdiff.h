/*
 * resdiff.h - the diff by resource (kbuild/diff.h: kb_diff_result_add)
 * and the result it fills; diff.c adds the revisions and counts.
 */
#ifndef KB_REPO_RESDIFF_H
#define KB_REPO_RESDIFF_H

#include "kbuild.h"
#include "kbuild/diff.h"
#include "kbuild/gitfs.h"

struct kb_diff_result {
	kb_diff_overlay *ov;
	size_t n, cap;
	void **mem; /* everything the overlays point into */
	size_t nmem, capmem;
	char *base_rev, *base_commit, *head_rev, *head_commit;
	size_t overlays;      /* found, for the summary */
	size_t changed_files;
	bool counted;         /* overlays/rendered set by kb_diff */
	kb_diff_entries entries;
};

/* What kb_diff and kb_diff_flux compare: the PATHs of o ("." when
 * none), the base revision (o->base, else HEAD) opened as gb at the
 * repository of the first PATH, and the head (o->head) as gh, NULL for
 * the working tree.  On success the caller frees gb and gh. */
typedef struct kb_diff_sides {
	const char *const *paths;
	size_t npaths;
	const char *base_rev;
	kb_gitfs *gb, *gh;
} kb_diff_sides;
kb_error *kb_diff_sides_open(const kb_diff_options *o, kb_diff_sides *s);

/* The number of files that differ between two commits of the
 * repository at top (head_commit NULL: the working tree, untracked and
 * ignored files included), as kb_diff counts them. */
kb_error *kb_diff_count_changed(const char *top, const char *base_commit,
				 const char *head_commit, size_t *n);

/* A copy of s (NULL: NULL) that lives as long as r, for what callers
 * add to an entry (kb_diff_flux: the file that defines it). */
const char *kb_diff_result_keep(kb_diff_result *r, const char *s);

/* Sorts the overlays by path. */
void kb_diff_result_sort(kb_diff_result *r);

/* The mask of one Secret value: "<secret sha256:XXXXXXXX>" (caller
 * frees); base64 says the value is base64 (a data entry), hashed
 * decoded when it decodes. */
char *kb_diff_mask_value(const char *val, size_t len, bool base64);

#endif
