/*
 * kbuild-example.c - a program that embeds libkbuild: it builds a
 * kustomization and reports what happened the way an editor or a CI tool
 * would, from the structured diagnostics rather than from text.
 *
 *   kbuild-example DIR        build DIR from disk, print the YAML
 *   kbuild-example --memory   build a kustomization held in memory
 *   kbuild-example --version  the library's version against the header's
 *
 * Build it against an installed kbuild (see examples/Makefile and
 * examples/CMakeLists.txt):
 *   cc kbuild-example.c $(pkg-config --cflags --libs kbuild)
 *   cc -static kbuild-example.c $(pkg-config --static --cflags --libs kbuild)
 *
 * Exit status: 0 built, 1 the build failed, 2 usage.
 */
#include <kbuild.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_name(kb_diag_kind k)
{
	switch (k) {
	case KB_DIAG_ERROR:
		return "error";
	case KB_DIAG_WARNING:
		return "warning";
	case KB_DIAG_NOTE:
		return "note";
	}
	return "?";
}

/* One diagnostic, frame by frame: what a tool would turn into editor
 * markers or CI annotations. */
static void report(const kb_error *d)
{
	for (size_t i = 0; i < kb_error_frame_count(d); i++) {
		const char *file = kb_error_frame_file(d, i);
		fprintf(stderr, "%s%s [code %d] file=%s line=%u column=%u: %s\n", i ? "  " : "",
			kind_name(kb_error_frame_kind(d, i)), kb_error_code(d), file ? file : "-",
			kb_error_frame_line(d, i), kb_error_frame_column(d, i),
			kb_error_frame_message(d, i));
	}
}

static int build(kb_options *opts)
{
	kb_result *res = NULL;
	kb_error *err = kb_build(opts, &res);
	if (err) {
		/* warnings found before the failure come with the error */
		for (size_t i = 0; i < kb_error_warning_count(err); i++)
			report(kb_error_warning(err, i));
		report(err);
		kb_error_free(err);
		return 1;
	}
	for (size_t i = 0; i < kb_result_warning_count(res); i++)
		report(kb_result_warning_diag(res, i));
	fprintf(stderr, "%zu resources\n", kb_result_count(res));
	int rc = kb_result_write(res, stdout) == 0 ? 0 : 1;
	kb_result_free(res);
	return rc;
}

static int build_from_memory(void)
{
	static const char kust[] = "namePrefix: mem-\n"
				   "resources:\n"
				   "- cm.yaml\n";
	static const char cm[] = "apiVersion: v1\n"
				 "kind: ConfigMap\n"
				 "metadata:\n"
				 "  name: settings\n"
				 "data:\n"
				 "  mode: in-memory\n";
	kb_memfs *m = kb_memfs_new(NULL);
	if (kb_memfs_add(m, "/app/kustomization.yaml", kust, strlen(kust)) != 0 ||
	    kb_memfs_add(m, "/app/cm.yaml", cm, strlen(cm)) != 0) {
		kb_memfs_free(m);
		return 1;
	}
	kb_options opts;
	kb_options_init(&opts);
	opts.path = "/app";
	opts.fs = kb_memfs_fs(m);
	int rc = build(&opts);
	kb_memfs_free(m);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR | --memory | --version\n", argv[0]);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("header %s abi %d, library %s abi %d\n", KBUILD_VERSION, KBUILD_ABI_VERSION,
		       kb_version(), kb_abi_version());
		/* a program built against one header and run with another
		 * library can tell */
		return strcmp(kb_version(), KBUILD_VERSION) == 0 &&
				       kb_abi_version() == KBUILD_ABI_VERSION
			       ? 0
			       : 1;
	}
	if (strcmp(argv[1], "--memory") == 0)
		return build_from_memory();
	kb_options opts;
	kb_options_init(&opts);
	opts.path = argv[1];
	return build(&opts);
}
