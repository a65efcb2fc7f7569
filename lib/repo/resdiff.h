/*
 * resdiff.h - the diff by resource (kbuild/diff.h: kb_diff_result_add)
 * and the result it fills; diff.c adds the revisions and counts.
 */
#ifndef KB_REPO_RESDIFF_H
#define KB_REPO_RESDIFF_H

#include "kbuild.h"
#include "kbuild/diff.h"

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
