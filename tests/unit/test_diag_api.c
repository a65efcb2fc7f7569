/* test_diag_api.c - the public diagnostics API as a library user meets it
 * (kbuild.h only): an error's chain walked frame by frame, warnings as
 * structured diagnostics on success and on failure, version functions. */
#include "kbuild.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

typedef struct file {
	const char *path, *text;
} file;

/* Builds /t/<dir> from the given files, held in memory. */
static kb_error *build_mem(const file *files, const char *dir, kb_result **out)
{
	kb_memfs *m = kb_memfs_new(NULL);
	for (const file *f = files; f->path; f++)
		kb_memfs_add(m, f->path, f->text, strlen(f->text));
	kb_options o;
	kb_options_init(&o);
	o.fs = kb_memfs_fs(m);
	o.path = dir;
	kb_error *e = kb_build(&o, out);
	kb_memfs_free(m);
	return e;
}

static void test_error_chain(void)
{
	/* overlay -> base -> a resource with a YAML error */
	static const file files[] = {
		{ "/t/overlay/kustomization.yaml", "resources:\n- ../base\n" },
		{ "/t/base/kustomization.yaml", "resources:\n  - cm.yaml\n" },
		{ "/t/base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n data: x\n" },
		{ NULL, NULL },
	};
	kb_result *res = (kb_result *)1;
	kb_error *e = build_mem(files, "/t/overlay", &res);
	OK(e != NULL);
	OK(res == NULL);
	if (!e)
		return;
	OK(kb_error_code(e) == KB_ERR_BUILD);
	size_t n = kb_error_frame_count(e);
	OK(n >= 3);
	/* frame 0: the error itself, in the file that is wrong */
	OK(kb_error_frame_kind(e, 0) == KB_DIAG_ERROR);
	STR_EQ(kb_error_frame_file(e, 0), "/t/base/cm.yaml");
	OK(kb_error_frame_line(e, 0) == 5);
	OK(kb_error_frame_column(e, 0) > 0);
	OK(kb_error_frame_message(e, 0) && strstr(kb_error_frame_message(e, 0), "YAML"));
	/* the message has no location of its own: that is in the fields */
	OK(kb_error_frame_message(e, 0) && !strstr(kb_error_frame_message(e, 0), "cm.yaml:5"));
	/* notes, innermost first: the base listed it, the overlay listed the base */
	for (size_t i = 1; i < n; i++)
		OK(kb_error_frame_kind(e, i) == KB_DIAG_NOTE);
	STR_EQ(kb_error_frame_file(e, 1), "/t/base/kustomization.yaml");
	OK(kb_error_frame_line(e, 1) == 2 && kb_error_frame_column(e, 1) == 5);
	OK(strstr(kb_error_frame_message(e, 1), "cm.yaml") != NULL);
	bool overlay_note = false;
	for (size_t i = 2; i < n; i++)
		if (kb_error_frame_file(e, i) &&
		    strcmp(kb_error_frame_file(e, i), "/t/overlay/kustomization.yaml") == 0)
			overlay_note = true;
	OK(overlay_note);
	/* the formatted text is made of the same frames */
	char *text = kb_error_format(e);
	char *first = NULL;
	if (text) {
		char want[256];
		snprintf(want, sizeof(want), "%s:%u:%u: %s\n", kb_error_frame_file(e, 0),
			 kb_error_frame_line(e, 0), kb_error_frame_column(e, 0),
			 kb_error_frame_message(e, 0));
		first = strstr(text, want);
		OK(first == text);
		snprintf(want, sizeof(want), "  note: %s:%u:%u: %s\n", kb_error_frame_file(e, 1),
			 kb_error_frame_line(e, 1), kb_error_frame_column(e, 1),
			 kb_error_frame_message(e, 1));
		OK(strstr(text, want) != NULL);
	}
	free(text);
	/* out of range: nothing, not a crash */
	OK(kb_error_frame_kind(e, n) == 0);
	OK(kb_error_frame_message(e, n) == NULL);
	OK(kb_error_frame_file(e, n) == NULL);
	OK(kb_error_frame_line(e, n) == 0 && kb_error_frame_column(e, n) == 0);
	OK(kb_error_warning_count(e) == 0 && kb_error_warning(e, 0) == NULL);
	kb_error_free(e);
}

static void test_null_safety(void)
{
	OK(kb_error_frame_count(NULL) == 0);
	OK(kb_error_frame_kind(NULL, 0) == 0);
	OK(kb_error_frame_message(NULL, 0) == NULL);
	OK(kb_error_frame_file(NULL, 0) == NULL);
	OK(kb_error_frame_line(NULL, 0) == 0);
	OK(kb_error_warning_count(NULL) == 0);
	OK(kb_error_warning(NULL, 0) == NULL);
	OK(kb_result_warning_count(NULL) == 0);
	OK(kb_result_warning(NULL, 0) == NULL);
	OK(kb_result_warning_diag(NULL, 0) == NULL);
	OK(kb_result_count(NULL) == 0);
	size_t len = 99;
	STR_EQ(kb_result_yaml(NULL, &len), "");
	OK(len == 0);
	kb_error_free(NULL);
	kb_result_free(NULL);
}

static const char cm[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";

static void check_deprecated_warning(const kb_error *w, const char *formatted)
{
	OK(w != NULL);
	if (!w)
		return;
	OK(kb_error_frame_count(w) == 1);
	OK(kb_error_frame_kind(w, 0) == KB_DIAG_WARNING);
	OK(kb_error_code(w) == KB_WARN_DEPRECATED);
	STR_EQ(kb_error_frame_file(w, 0), "/t/app/kustomization.yaml");
	OK(kb_error_frame_line(w, 0) == 1 && kb_error_frame_column(w, 0) == 1);
	STR_EQ(kb_error_frame_message(w, 0), "'bases' is deprecated; use 'resources' instead");
	/* formatting a warning gives the same line as kb_result_warning */
	char *s = kb_error_format(w);
	STR_EQ(s, "/t/app/kustomization.yaml:1:1: warning: 'bases' is deprecated; use "
		  "'resources' instead\n");
	if (formatted && s) {
		size_t l = strlen(s);
		OK(l > 0 && strncmp(s, formatted, l - 1) == 0 && formatted[l - 1] == '\0');
	}
	free(s);
}

static void test_warnings_on_success(void)
{
	const file files[] = {
		{ "/t/app/kustomization.yaml", "bases:\n- ../base\n" },
		{ "/t/base/kustomization.yaml", "resources:\n- cm.yaml\n" },
		{ "/t/base/cm.yaml", cm },
		{ NULL, NULL },
	};
	kb_result *res = NULL;
	kb_error *e = build_mem(files, "/t/app", &res);
	OK(e == NULL);
	OK(res != NULL);
	if (!res) {
		kb_error_free(e);
		return;
	}
	OK(kb_result_count(res) == 1);
	OK(kb_result_warning_count(res) == 1);
	check_deprecated_warning(kb_result_warning_diag(res, 0), kb_result_warning(res, 0));
	OK(kb_result_warning_diag(res, 1) == NULL);
	kb_result_free(res);
}

static void test_warnings_on_failure(void)
{
	/* the deprecated field is seen, then the missing file fails the build */
	const file files[] = {
		{ "/t/app/kustomization.yaml", "bases:\n- ../base\n" },
		{ "/t/base/kustomization.yaml", "resources:\n- missing.yaml\n" },
		{ NULL, NULL },
	};
	kb_result *res = NULL;
	kb_error *e = build_mem(files, "/t/app", &res);
	OK(e != NULL && res == NULL);
	if (!e)
		return;
	OK(kb_error_code(e) == KB_ERR_BUILD);
	OK(kb_error_warning_count(e) == 1);
	check_deprecated_warning(kb_error_warning(e, 0), NULL);
	/* a warning carries no warnings of its own */
	OK(kb_error_warning_count(kb_error_warning(e, 0)) == 0);
	OK(kb_error_warning(e, 1) == NULL);
	/* the formatted error is the error alone */
	char *s = kb_error_format(e);
	OK(s && !strstr(s, "deprecated"));
	free(s);
	kb_error_free(e);

	/* a suspicious-input warning has its own code: an env file line
	 * without a key (kustomize keeps it) */
	const file files2[] = {
		{ "/t/g/kustomization.yaml",
		  "configMapGenerator:\n- name: c\n  envs:\n  - a.env\n" },
		{ "/t/g/a.env", "=novalue\nK=v\n" },
		{ NULL, NULL },
	};
	e = build_mem(files2, "/t/g", &res);
	OK(e == NULL);
	if (res) {
		OK(kb_result_warning_count(res) >= 1);
		const kb_error *w = kb_result_warning_diag(res, 0);
		OK(kb_error_code(w) == KB_WARN_SUSPICIOUS);
		OK(kb_error_frame_kind(w, 0) == KB_DIAG_WARNING);
		STR_EQ(kb_error_frame_file(w, 0), "/t/g/a.env");
		OK(kb_error_frame_line(w, 0) == 1);
	}
	kb_result_free(res);
	kb_error_free(e);
}

static void test_versions(void)
{
	STR_EQ(kb_version(), KBUILD_VERSION);
	OK(kb_abi_version() == KBUILD_ABI_VERSION);
	char v[32];
	snprintf(v, sizeof(v), "%d.%d.%d", KBUILD_VERSION_MAJOR, KBUILD_VERSION_MINOR,
		 KBUILD_VERSION_PATCH);
	STR_EQ(v, KBUILD_VERSION);
	OK(KBUILD_VERSION_NUMBER == ((KBUILD_VERSION_MAJOR << 16) | (KBUILD_VERSION_MINOR << 8) |
				     KBUILD_VERSION_PATCH));
}

/* kb_options_init_version writes only what the caller's version has */
static void test_options_versions(void)
{
	kb_options o;
	memset(&o, 0xAB, sizeof(o));
	const kb_fs *marker = (const kb_fs *)&o;
	o.fs = marker;
	OK(kb_options_init_version(&o, 1) == 0);
	OK(o.version == 1);
	STR_EQ(o.path, ".");
	STR_EQ(o.helm_command, "helm");
	OK(o.enable_helm == 0 && o.max_nodes == 0 && o.helm_api_versions == NULL);
	OK(o.fs == marker); /* a version-1 struct has no fs: untouched */
	OK(kb_options_init_version(&o, 2) == 0);
	OK(o.version == 2 && o.fs == NULL);
	OK(kb_options_init_version(&o, KB_OPTIONS_VERSION + 1) == -1);
	OK(kb_options_init_version(&o, 0) == -1);
	OK(kb_options_init_version(NULL, 1) == -1);
	kb_options_init(&o);
	OK(o.version == KB_OPTIONS_VERSION);
}

int main(void)
{
	test_options_versions();
	test_error_chain();
	test_null_safety();
	test_warnings_on_success();
	test_warnings_on_failure();
	test_versions();
	return tap_done();
}
