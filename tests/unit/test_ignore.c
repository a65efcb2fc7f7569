/* test_ignore.c - gitignore-syntax matching for --exclude and
 * .kbuildignore, checked against what git's own rules say. */
#include "ignore.h"
#include "fs.h"
#include "tap.h"

#include <stdlib.h>

static bool ign(const char *pattern, const char *path, bool dir)
{
	kb_ignore *ig = kb_ignore_new();
	kb_ignore_add(ig, "/r", pattern);
	bool m = kb_ignore_match(ig, path, dir);
	kb_ignore_free(ig);
	return m;
}

static void test_patterns(void)
{
	/* no slash: a name at any depth */
	OK(ign("legacy", "/r/legacy", true));
	OK(ign("legacy", "/r/apps/legacy", true));
	OK(ign("legacy", "/r/apps/legacy/sub", true)); /* below an excluded dir */
	OK(!ign("legacy", "/r/apps/legacy2", true));
	OK(ign("test*", "/r/a/testing", true));
	OK(ign("*", "/r/.hidden", true)); /* '*' matches a leading dot, as in git */
	OK(ign("?", "/r/x", true));
	OK(!ign("?", "/r/xy", true));
	OK(ign("[ab]x", "/r/bx", true));
	/* a slash anchors at the base */
	OK(ign("apps/legacy", "/r/apps/legacy", true));
	OK(!ign("apps/legacy", "/r/x/apps/legacy", true));
	OK(ign("/legacy", "/r/legacy", true));
	OK(!ign("/legacy", "/r/apps/legacy", true));
	OK(!ign("apps/*", "/r/apps", true));
	OK(ign("apps/*", "/r/apps/x", true));
	OK(ign("apps/*", "/r/apps/x/y", true));
	OK(!ign("a/*/c", "/r/a/b/d/c", true)); /* '*' does not cross '/' */
	/* ** */
	OK(ign("**/legacy", "/r/legacy", true));
	OK(ign("**/legacy", "/r/a/b/legacy", true));
	OK(ign("a/**/c", "/r/a/c", true));
	OK(ign("a/**/c", "/r/a/b/d/c", true));
	OK(ign("a/**", "/r/a/b", true));
	OK(!ign("a/**", "/r/a", true)); /* inside, not the directory itself */
	/* trailing slash: directories only */
	OK(ign("tmp/", "/r/x/tmp", true));
	OK(!ign("tmp/", "/r/x/tmp", false));
	/* comments, blanks, escapes, trailing spaces */
	OK(!ign("# legacy", "/r/# legacy", true));
	OK(ign("\\#legacy", "/r/#legacy", true));
	OK(!ign("", "/r/x", true));
	OK(ign("legacy   ", "/r/legacy", true));
	OK(ign("sp\\ ", "/r/sp ", true));
	/* outside the base: never */
	OK(!ign("legacy", "/other/legacy", true));
	OK(!ign("legacy", "/r", true));
}

static void test_negation_and_order(void)
{
	kb_ignore *ig = kb_ignore_new();
	kb_ignore_add(ig, "/r", "overlays/*");
	kb_ignore_add(ig, "/r", "!overlays/prod");
	OK(kb_ignore_match(ig, "/r/overlays/dev", true));
	OK(!kb_ignore_match(ig, "/r/overlays/prod", true));
	OK(!kb_ignore_match(ig, "/r/overlays/prod/x", true));
	/* nothing below an excluded directory comes back */
	kb_ignore_add(ig, "/r", "old/");
	kb_ignore_add(ig, "/r", "!old/keep");
	OK(kb_ignore_match(ig, "/r/old/keep", true));
	/* a deeper base: applies below it only */
	kb_ignore_add(ig, "/r/apps", "/base");
	OK(kb_ignore_match(ig, "/r/apps/base", true));
	OK(!kb_ignore_match(ig, "/r/base", true));
	OK(kb_ignore_count(ig) == 5);
	kb_ignore_free(ig);
}

static void test_file(void)
{
	char *d = tap_tmpdir("ignore");
	tap_write(d, "sub/.kbuildignore", "# generated trees\nrendered/\r\n\n!rendered/keep\n*.bak\n");
	kb_ignore *ig = kb_ignore_new();
	char *f = kb_path_join(d, "sub/.kbuildignore");
	OK(kb_ignore_add_file(ig, NULL, f) == 3);
	char *p = kb_path_join(d, "sub/a/rendered");
	OK(kb_ignore_match(ig, p, true));
	free(p);
	p = kb_path_join(d, "rendered");
	OK(!kb_ignore_match(ig, p, true)); /* above the file's directory */
	free(p);
	char *missing = kb_path_join(d, "none/.kbuildignore");
	OK(kb_ignore_add_file(ig, NULL, missing) == 0);
	free(missing);
	free(f);
	kb_ignore_free(ig);
	tap_rmtree(d);
	free(d);
}

int main(void)
{
	test_patterns();
	test_negation_and_order();
	test_file();
	return tap_done();
}
