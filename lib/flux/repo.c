/*
 * repo.c - finding the git work tree (repo.h).
 */
#include "repo.h"
#include "fs.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

char *kb_flux_git_root(const kb_fs *fs, const char *path)
{
	char *d = kb_xstrdup(path);
	if (!kb_fs_is_dir(fs, d)) {
		char *sl = strrchr(d, '/');
		if (sl)
			*(sl == d ? sl + 1 : sl) = '\0';
	}
	for (;;) {
		char *g = kb_path_join(d, ".git");
		kb_file_type t;
		/* a directory, or a file (worktrees and submodules) */
		bool yes = kb_fs_stat(fs, g, false, &t) == 0 && (t == KB_FILE_DIR || t == KB_FILE_REGULAR);
		free(g);
		if (yes)
			return d;
		char *sl = strrchr(d, '/');
		if (!sl || sl == d || !d[1])
			break;
		*sl = '\0';
	}
	free(d);
	return NULL;
}
