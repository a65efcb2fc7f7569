/* test_fs.c - the kb_fs interface: the OS file system, special files,
 * the in-memory file system, and builds through it. */
#include "fs.h"
#include "tap.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char cm[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n";

static void test_os_special_files(void)
{
	char *d = tap_tmpdir("fs");
	tap_write(d, "kustomization.yaml", "resources:\n- fifo.yaml\n");
	char *fifo = kb_path_join(d, "fifo.yaml");
	OK(mkfifo(fifo, 0600) == 0);
	/* a FIFO listed as a resource is refused at once, not waited on */
	char *err = NULL;
	char *y = tap_build(d, NULL, NULL, &err);
	OK(y == NULL);
	OK(err && strstr(err, "not a regular file"));
	free(y);
	free(err);
	errno = 0;
	OK(kb_read_file(fifo, NULL) == NULL && errno == EINVAL);
	kb_file_type t = 0;
	OK(kb_fs_stat(NULL, fifo, true, &t) == 0 && t == KB_FILE_OTHER);
	free(fifo);
	tap_rmtree(d);
	free(d);
}

static void test_memfs_basics(void)
{
	kb_memfs *m = kb_memfs_new(NULL);
	OK(kb_memfs_add(m, "relative/path", "x", 1) == -1);
	OK(kb_memfs_add(m, "/r/app/./kustomization.yaml", "resources:\n- cm.yaml\n", 22) == 0);
	OK(kb_memfs_add(m, "/r/app/cm.yaml", cm, strlen(cm)) == 0);
	OK(kb_memfs_add(m, "/r/app/sub/../cm.yaml", cm, strlen(cm)) == 0); /* replaces */
	const kb_fs *fs = kb_memfs_fs(m);
	OK(kb_fs_is_dir(fs, "/r"));
	OK(kb_fs_is_dir(fs, "/r/app"));
	OK(kb_fs_is_file(fs, "/r/app/cm.yaml"));
	OK(!kb_fs_is_file(fs, "/r/app/none.yaml"));
	OK(!kb_fs_is_dir(fs, "/r/ap")); /* a prefix of a name is not a directory */
	char *rp = kb_fs_realpath(fs, "/r/app/../app/cm.yaml");
	STR_EQ(rp, "/r/app/cm.yaml");
	free(rp);
	errno = 0;
	OK(kb_fs_realpath(fs, "/r/nothing") == NULL && errno == ENOENT);
	size_t len = 0;
	char *data = kb_fs_read(fs, "/r/app/cm.yaml", &len);
	OK(data && len == strlen(cm) && memcmp(data, cm, len) == 0);
	free(data);
	char **names;
	size_t n;
	OK(kb_fs_list(fs, "/r/app", &names, &n) == 0 && n == 2);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	kb_memfs_free(m);
}

/* A build from memory gives the same bytes as the same tree on disk. */
static void test_build_from_memory(void)
{
	static const char kust[] = "namePrefix: p-\nresources:\n- cm.yaml\n- ../base\n";
	static const char base[] = "resources:\n- d.yaml\n";
	static const char dep[] = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n";
	char *d = tap_tmpdir("fs");
	tap_write(d, "app/kustomization.yaml", kust);
	tap_write(d, "app/cm.yaml", cm);
	tap_write(d, "base/kustomization.yaml", base);
	tap_write(d, "base/d.yaml", dep);
	char *err = NULL;
	char *disk = tap_build(d, "app", NULL, &err);
	OK(disk != NULL);
	free(err);

	kb_memfs *m = kb_memfs_new(NULL);
	kb_memfs_add(m, "/mem/app/kustomization.yaml", kust, strlen(kust));
	kb_memfs_add(m, "/mem/app/cm.yaml", cm, strlen(cm));
	kb_memfs_add(m, "/mem/base/kustomization.yaml", base, strlen(base));
	kb_memfs_add(m, "/mem/base/d.yaml", dep, strlen(dep));
	kb_options o;
	kb_options_init(&o);
	o.fs = kb_memfs_fs(m);
	o.path = "/mem/app";
	kb_result *res = NULL;
	kb_error *e = kb_build(&o, &res);
	OK(e == NULL);
	size_t len = 0;
	const char *y = res ? kb_result_yaml(res, &len) : NULL;
	OK(y && disk && strlen(disk) == len && memcmp(disk, y, len) == 0);
	kb_result_free(res);
	kb_error_free(e);

	/* the load restrictor applies through the interface */
	kb_memfs_add(m, "/mem/esc/kustomization.yaml", "resources:\n- ../app/cm.yaml\n", 28);
	o.path = "/mem/esc";
	res = NULL;
	e = kb_build(&o, &res);
	OK(e != NULL && res == NULL);
	char *txt = e ? kb_error_format(e) : NULL;
	OK(txt && strstr(txt, "is not in or below"));
	free(txt);
	kb_error_free(e);

	/* an in-memory file over the disk: an editor's unsaved buffer */
	kb_memfs *ov = kb_memfs_new(kb_fs_os());
	char *kpath = kb_path_join(d, "app/kustomization.yaml");
	kb_memfs_add(ov, kpath, "resources:\n- cm.yaml\n", 21);
	free(kpath);
	char *app = kb_path_join(d, "app");
	o.fs = kb_memfs_fs(ov);
	o.path = app;
	res = NULL;
	e = kb_build(&o, &res);
	OK(e == NULL && res && kb_result_count(res) == 1);
	kb_result_free(res);
	kb_error_free(e);
	free(app);
	kb_memfs_free(ov);

	/* a caller of version 1 gets the OS file system whatever .fs holds */
	o.version = 1;
	o.fs = kb_memfs_fs(m);
	o.path = "/mem/app";
	res = NULL;
	e = kb_build(&o, &res);
	OK(e != NULL);
	kb_error_free(e);
	kb_result_free(res);

	kb_memfs_free(m);
	free(disk);
	tap_rmtree(d);
	free(d);
}

int main(void)
{
	test_os_special_files();
	test_memfs_basics();
	test_build_from_memory();
	return tap_done();
}
