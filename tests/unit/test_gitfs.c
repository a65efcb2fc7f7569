/* test_gitfs.c - kb_fs over a git revision: trees, blobs, symlinks,
 * errors, and builds of a revision while the working tree differs. */
#include "fs.h"
#include "tap.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int sh(const char *dir, const char *cmd)
{
	char *c = kb_xasprintf("cd '%s' && { %s; } >/dev/null 2>&1", dir, cmd);
	int rc = system(c);
	free(c);
	return rc;
}

#define GIT_ID "git -c user.name=t -c user.email=t@e -c commit.gpgsign=false "

static const char cm1[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: one\n";
static const char cm2[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: two\n";

static char *repo(void)
{
	char *d = tap_tmpdir("gitfs");
	tap_write(d, "app/kustomization.yaml", "resources:\n- cm.yaml\n");
	tap_write(d, "app/cm.yaml", cm1);
	tap_write(d, "shared/real.yaml", cm1);
	OK(sh(d, "git init -q . && ln -s ../shared/real.yaml app/link.yaml && "
		 "ln -s shared linkdir && ln -s loop1 loop2 && ln -s loop2 loop1 && "
		 "ln -s \"$PWD/shared\" abslink && git add -A && " GIT_ID "commit -qm one") == 0);
	/* the working tree moves on: the revision must not see it */
	tap_write(d, "app/cm.yaml", cm2);
	tap_write(d, "app/new.yaml", cm2);
	OK(sh(d, "rm shared/real.yaml") == 0);
	return d;
}

static void test_reads(void)
{
	char *d = repo();
	kb_gitfs *g = NULL;
	kb_error *e = kb_gitfs_open(d, "HEAD", &g);
	OK(e == NULL);
	if (!g) {
		kb_error_free(e);
		return;
	}
	STR_EQ(kb_gitfs_root(g), d);
	OK(kb_gitfs_commit(g) && strlen(kb_gitfs_commit(g)) == 40);
	const kb_fs *fs = kb_gitfs_fs(g);
	char *p = kb_path_join(d, "app/cm.yaml");
	size_t len = 0;
	char *data = kb_fs_read(fs, p, &len);
	STR_EQ(data, cm1);
	OK(len == strlen(cm1));
	free(data);
	free(p);
	/* a file only the working tree has does not exist */
	p = kb_path_join(d, "app/new.yaml");
	errno = 0;
	OK(!kb_fs_is_file(fs, p) && errno == ENOENT);
	free(p);
	/* one the working tree deleted does */
	p = kb_path_join(d, "shared/real.yaml");
	OK(kb_fs_is_file(fs, p));
	free(p);
	/* symlinks: a relative file link, a directory link, an absolute one */
	p = kb_path_join(d, "app/link.yaml");
	char *rp = kb_fs_realpath(fs, p);
	char *want = kb_path_join(d, "shared/real.yaml");
	STR_EQ(rp, want);
	kb_file_type t = 0;
	OK(kb_fs_stat(fs, p, false, &t) == 0 && t == KB_FILE_SYMLINK);
	OK(kb_fs_stat(fs, p, true, &t) == 0 && t == KB_FILE_REGULAR);
	data = kb_fs_read(fs, p, NULL);
	STR_EQ(data, cm1);
	free(data);
	free(rp);
	free(p);
	p = kb_path_join(d, "linkdir/../app/cm.yaml");
	/* ".." after a link is physical: linkdir/.. is the top */
	rp = kb_fs_realpath(fs, p);
	char *w2 = kb_path_join(d, "app/cm.yaml");
	STR_EQ(rp, w2);
	free(w2);
	free(rp);
	free(p);
	p = kb_path_join(d, "abslink/real.yaml");
	rp = kb_fs_realpath(fs, p);
	STR_EQ(rp, want);
	free(rp);
	free(p);
	free(want);
	p = kb_path_join(d, "loop1/x");
	errno = 0;
	OK(kb_fs_realpath(fs, p) == NULL && errno == ELOOP);
	free(p);
	p = kb_path_join(d, "app/cm.yaml/x");
	errno = 0;
	OK(kb_fs_realpath(fs, p) == NULL && errno == ENOTDIR);
	free(p);
	/* listing */
	char **names = NULL;
	size_t n = 0;
	p = kb_path_join(d, "app");
	OK(kb_fs_list(fs, p, &names, &n) == 0 && n == 3);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(p);
	/* the repository's .git is the disk's, as in a checkout */
	p = kb_path_join(d, ".git");
	OK(kb_fs_is_dir(fs, p));
	free(p);
	/* outside the repository: the OS */
	OK(kb_fs_is_dir(fs, "/tmp"));
	/* a build of the revision while the working tree differs */
	kb_options o;
	kb_options_init(&o);
	o.fs = fs;
	char *err = NULL;
	char *y = tap_build(d, "app", &o, &err);
	OK(y && strstr(y, "a: one"));
	free(y);
	free(err);
	y = tap_build(d, "app", NULL, &err);
	OK(y && strstr(y, "a: two"));
	free(y);
	free(err);
	kb_gitfs_free(g);
	tap_rmtree(d);
	free(d);
}

static void test_errors(void)
{
	char *d = repo();
	kb_gitfs *g = NULL;
	kb_error *e = kb_gitfs_open(d, "no-such-branch", &g);
	OK(e && !g);
	char *s = e ? kb_error_format(e) : NULL;
	OK(s && strstr(s, "unknown revision 'no-such-branch'"));
	OK(e && kb_error_code(e) == KB_ERR_USAGE);
	free(s);
	kb_error_free(e);
	e = kb_gitfs_open(d, "--output=x", &g);
	OK(e && !g);
	kb_error_free(e);
	char *out = tap_tmpdir("nogit");
	e = kb_gitfs_open(out, "HEAD", &g);
	s = e ? kb_error_format(e) : NULL;
	OK(s && strstr(s, "not in a git repository"));
	free(s);
	kb_error_free(e);
	/* a path that does not exist is looked up from its parent */
	char *sub = kb_path_join(d, "no/such/dir");
	e = kb_gitfs_open(sub, "HEAD", &g);
	OK(e == NULL && g);
	kb_error_free(e);
	kb_gitfs_free(g);
	free(sub);
	tap_rmtree(out);
	free(out);
	tap_rmtree(d);
	free(d);
}

int main(void)
{
	test_reads();
	test_errors();
	return tap_done();
}
