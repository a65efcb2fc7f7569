/* test_diag.c - error values: the compiler-style text users see, the
 * note chain, NULL-safety, and warning collection. */
#include "diag.h"
#include "kbuild.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void check_format(const kb_error *e, const char *want)
{
	char *s = kb_error_format(e);
	STR_EQ(s, want);
	free(s);
}

static void test_format(void)
{
	/* file:line:col, with parts left out when unknown */
	kb_error *e = kb_error_new("a.yaml", 3, 7, "bad %s", "thing");
	check_format(e, "a.yaml:3:7: bad thing\n");
	OK(kb_error_code(e) == KB_ERR_BUILD);
	kb_error_free(e);
	e = kb_error_new("a.yaml", 3, 0, "no column");
	check_format(e, "a.yaml:3: no column\n");
	kb_error_free(e);
	/* a column without a line says nothing useful: dropped */
	e = kb_error_new("a.yaml", 0, 5, "no line");
	check_format(e, "a.yaml: no line\n");
	kb_error_free(e);
	e = kb_error_new(NULL, 4, 2, "no file");
	check_format(e, "no file\n");
	kb_error_free(e);

	/* the message is formatted once: a '%' in an argument stays as is */
	e = kb_error_new("f", 1, 1, "%s", "100% sure %d");
	check_format(e, "f:1:1: 100% sure %d\n");
	kb_error_free(e);

	/* notes, innermost first, each on its own line */
	e = kb_error_new("base/deploy.yaml", 3, 7, "mapping values are not allowed here");
	kb_error *same = kb_error_note(e, "base/kustomization.yaml", 2, 3,
				       "while loading resource '%s'", "deploy.yaml");
	OK(same == e);
	kb_error_note(e, NULL, 0, 0, "in overlay %d", 1);
	OK(e->nnotes == 2);
	check_format(e, "base/deploy.yaml:3:7: mapping values are not allowed here\n"
			"  note: base/kustomization.yaml:2:3: while loading resource "
			"'deploy.yaml'\n"
			"  note: in overlay 1\n");
	/* the primary frame is unchanged by notes */
	OK(e->primary.line == 3 && e->primary.col == 7);
	OK(strcmp(e->primary.file, "base/deploy.yaml") == 0);
	kb_error_free(e);

	/* many notes (the array grows) */
	e = kb_error_new(NULL, 0, 0, "x");
	for (int i = 0; i < 50; i++)
		kb_error_note(e, "f", (unsigned)i + 1, 0, "n%d", i);
	OK(e->nnotes == 50);
	OK(strcmp(e->notes[49].msg, "n49") == 0 && e->notes[49].line == 50);
	char *s = kb_error_format(e);
	OK(s && strstr(s, "  note: f:50: n49\n") != NULL);
	free(s);
	kb_error_free(e);

	/* the file name is copied, not borrowed */
	char file[] = "tmp.yaml";
	e = kb_error_new(file, 1, 1, "m");
	file[0] = 'X';
	check_format(e, "tmp.yaml:1:1: m\n");
	kb_error_free(e);
}

static void test_null_safety(void)
{
	OK(kb_error_note(NULL, "f", 1, 1, "ignored") == NULL);
	kb_error_free(NULL);
	OK(kb_error_code(NULL) == 0);
	char *s = kb_error_format(NULL);
	OK(s != NULL);
	STR_EQ(s, "");
	free(s);
	kb_warn(NULL, "f", 1, 1, "ignored");
	kb_warnings_free(NULL);
}

static void test_warnings(void)
{
	kb_warnings w = { 0 };
	/* compiler-style: the "warning: " goes after the position */
	kb_warn(&w, "k.yaml", 4, 1, "'%s' is deprecated", "bases");
	kb_warn(&w, NULL, 0, 0, "plain");
	/* the same warning twice is said once (a base used twice) */
	kb_warn(&w, "k.yaml", 4, 1, "'%s' is deprecated", "bases");
	OK(w.n == 2);
	if (w.n == 2) {
		STR_EQ(w.v[0], "k.yaml:4:1: warning: 'bases' is deprecated");
		STR_EQ(w.v[1], "warning: plain");
	}
	/* each line has its structured twin */
	OK(w.diag && w.diag[0]->kind == KB_DIAG_WARNING && w.diag[0]->code == KB_WARN_SUSPICIOUS);
	OK(w.diag && w.diag[0]->primary.line == 4 && w.diag[0]->primary.col == 1);
	OK(w.diag && strcmp(w.diag[0]->primary.msg, "'bases' is deprecated") == 0);
	OK(w.diag && w.diag[1]->primary.file == NULL);
	/* same text at another place is another warning */
	kb_warn(&w, "k.yaml", 5, 1, "'%s' is deprecated", "bases");
	OK(w.n == 3);
	kb_warnings_free(&w);
	OK(w.n == 0 && w.v == NULL);
	/* reusable after free */
	kb_warn(&w, NULL, 0, 0, "again");
	OK(w.n == 1);
	kb_warnings_free(&w);

	/* moved into an error (what kb_build does when it fails): the error
	 * owns them, the list is empty and reusable */
	for (int i = 0; i < 20; i++)
		kb_warn_code(&w, KB_WARN_DEPRECATED, "f", (unsigned)i + 1, 0, "w%d", i);
	kb_error *e = kb_error_new("f", 1, 1, "failed");
	kb_warnings_move_to(&w, e);
	OK(w.n == 0 && w.v == NULL && w.diag == NULL);
	OK(kb_error_warning_count(e) == 20);
	OK(kb_error_code(kb_error_warning(e, 19)) == KB_WARN_DEPRECATED);
	OK(kb_error_frame_line(kb_error_warning(e, 19), 0) == 20);
	kb_warn(&w, NULL, 0, 0, "more");
	kb_warnings_move_to(&w, e);
	OK(kb_error_warning_count(e) == 21);
	kb_error_free(e);
	kb_warn(&w, NULL, 0, 0, "dropped");
	kb_warnings_move_to(&w, NULL);
	OK(w.n == 0);
}

int main(void)
{
	test_format();
	test_null_safety();
	test_warnings();
	return tap_done();
}
