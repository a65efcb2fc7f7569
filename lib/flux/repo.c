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

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

void kb_flux_git_origin(const kb_fs *fs, const char *root, char **url, char **branch)
{
	*url = *branch = NULL;
	char *cfg = kb_xasprintf("%s/.git/config", root);
	size_t len;
	char *text = kb_fs_read(fs, cfg, &len);
	free(cfg);
	if (text) {
		bool in_origin = false;
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
			char *t = trim(line);
			if (*t == '[') {
				in_origin = strncmp(t, "[remote \"origin\"]", 17) == 0;
				continue;
			}
			if (in_origin && strncmp(t, "url", 3) == 0) {
				char *eq = strchr(t, '=');
				if (eq && !*url)
					*url = kb_xstrdup(trim(eq + 1));
			}
		}
		free(text);
	}
	char *head = kb_xasprintf("%s/.git/HEAD", root);
	text = kb_fs_read(fs, head, &len);
	free(head);
	if (text) {
		char *nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		char *t = trim(text);
		if (strncmp(t, "ref: refs/heads/", 16) == 0)
			*branch = kb_xstrdup(t + 16);
		free(text);
	}
}

char *kb_flux_git_url_key(const char *url)
{
	const char *p = url;
	const char *sch = strstr(p, "://");
	bool scp = false;
	if (sch)
		p = sch + 3;
	const char *at = strchr(p, '@');
	const char *sl = strchr(p, '/');
	if (at && (!sl || at < sl))
		p = at + 1;
	if (!sch) {
		/* scp-like: host:path */
		const char *colon = strchr(p, ':');
		sl = strchr(p, '/');
		scp = colon && (!sl || colon < sl);
	}
	kb_buf b = KB_BUF_INIT;
	bool host = true;
	for (const char *c = p; *c; c++) {
		char ch = *c;
		if (host && (ch == '/' || (scp && ch == ':'))) {
			host = false;
			kb_buf_putc(&b, '/');
			continue;
		}
		if (host && ch == ':') {
			/* a port: dropped (ssh and https differ there) */
			while (c[1] && c[1] != '/')
				c++;
			continue;
		}
		if (host && ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		kb_buf_putc(&b, ch);
	}
	char *r = kb_buf_detach(&b);
	size_t n = strlen(r);
	while (n && r[n - 1] == '/')
		r[--n] = '\0';
	if (n > 4 && strcmp(r + n - 4, ".git") == 0)
		r[n - 4] = '\0';
	return r;
}
