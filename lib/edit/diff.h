/*
 * diff.h - unified diffs of two texts (Myers' O(ND) line diff), for
 * `kbuild edit --dry-run --diff` and kb_edit_diff().
 */
#ifndef KB_EDIT_DIFF_H
#define KB_EDIT_DIFF_H

#include <stddef.h>

/* `--- a/NAME` / `+++ b/NAME` and hunks with 3 lines of context; a last
 * line without a line break is marked "\ No newline at end of file".
 * "" when the texts are equal.  old_name "/dev/null" names a new file.
 * Caller frees. */
char *ed_unified_diff(const char *a, size_t alen, const char *b, size_t blen,
		      const char *old_name, const char *new_name);

#endif
