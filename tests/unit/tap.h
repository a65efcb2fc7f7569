/* tap.h - a tiny TAP-style test harness for the unit tests, and the
 * scratch-tree and build helpers the end-to-end tests share. */
#ifndef KB_TAP_H
#define KB_TAP_H

#include "kbuild.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

extern int tap_failures;
extern int tap_count;

void tap_ok(int cond, const char *file, int line, const char *expr);
void tap_str_eq(const char *got, const char *want, const char *file, int line, const char *expr);
int tap_done(void);

#define OK(cond) tap_ok(!!(cond), __FILE__, __LINE__, #cond)
#define STR_EQ(got, want) tap_str_eq((got), (want), __FILE__, __LINE__, #got)

/* ---- scratch trees ----
 * Every `dir, rel` pair names dir/rel; rel may be NULL for dir itself. */

/* Creates a fresh directory /tmp/kb-test-TAG-XXXXXX and returns its real
 * path (caller frees), so that paths kbuild prints compare equal to the
 * ones the test builds.  NULL, with a diagnostic, on failure. */
char *tap_tmpdir(const char *tag);
/* mkdir -p dir/rel.  Returns 0, or -1 when the directory is not there. */
int tap_mkdir(const char *dir, const char *rel);
/* Writes dir/rel, creating its parent directories. */
void tap_write(const char *dir, const char *rel, const char *text);
/* The same for data that may hold NUL bytes. */
void tap_write_n(const char *dir, const char *rel, const void *data, size_t len);
/* True when dir exists and holds nothing: what a test checks to see that
 * kbuild removed its temporary directories. */
bool tap_dir_empty(const char *dir);
/* rm -rf dir; a tree left behind is reported, not fatal. */
void tap_rmtree(const char *dir);

/* ---- builds ---- */

/* Builds dir/rel with a copy of opts (defaults when NULL) whose path is
 * dir/rel.  Returns the YAML (caller frees), or NULL with *err_text set to
 * the formatted error (caller frees; NULL on success). */
char *tap_build(const char *dir, const char *rel, const kb_options *opts, char **err_text);
/* One check: the build succeeds with exactly want. */
void tap_build_is(const char *dir, const char *rel, const kb_options *opts, const char *want,
		  const char *file, int line);
/* Two checks: the build fails, and its error text contains needle. */
void tap_build_fails(const char *dir, const char *rel, const kb_options *opts, const char *needle,
		     const char *file, int line);

#define BUILD_IS(dir, rel, opts, want) tap_build_is(dir, rel, opts, want, __FILE__, __LINE__)
#define BUILD_FAILS(dir, rel, opts, needle) \
	tap_build_fails(dir, rel, opts, needle, __FILE__, __LINE__)

/* ---- YAML ---- */

typedef struct kb_node kb_node; /* node.h; repeated so tap.h stays light */

/* Parses one document (as if read from t.yaml); NULL, with a diagnostic,
 * when it does not parse. */
kb_node *tap_yaml(const char *text);

#endif
