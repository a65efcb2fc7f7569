/*
 * main.c - the kbuild command line: dispatch to a subcommand.
 *
 * `kbuild DIR` and `kbuild [flags] DIR` are `kbuild build DIR`, as
 * `kustomize build` users expect.  A first word that names a subcommand
 * runs it (a directory that happens to be called like a subcommand is
 * built with `kbuild build check` or `kbuild ./check`).
 */
#include "cli.h"

#include <string.h>
#include <sys/stat.h>
#if defined(__GLIBC__)
#include <malloc.h> /* mallopt */
#endif

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

extern const char cmd_build_usage[];
extern const char cmd_completion_usage[];

static const char cmd_help_usage[] =
	"Usage: kbuild help [COMMAND]\n"
	"\n"
	"Show kbuild's overview, or the help of COMMAND (the same as\n"
	"`kbuild COMMAND --help`).\n"
	"\n"
	"Flags:\n"
	"  -h, --help                   show this help\n";

static const char cmd_version_usage[] =
	"Usage: kbuild version\n"
	"\n"
	"Print kbuild's version and the kustomize release whose output it reproduces.\n"
	"\n"
	"Flags:\n"
	"  -h, --help                   show this help\n";

/* A command whose `usage` is set gets `kbuild NAME --help` from main();
 * the others handle --help themselves. */
const cli_command cli_commands[] = {
	{ "build", cmd_build, "build a kustomization (the default command)", NULL },
	{ "check", cmd_check, "build every overlay below a directory, report every failure", NULL },
	{ "completion", cmd_completion, "print a bash, zsh or fish completion script",
	  cmd_completion_usage },
	{ "create", cmd_create, "create a kustomization file (kustomize create)", NULL },
	{ "diff", cmd_diff, "show what a change does to the rendered manifests", NULL },
	{ "edit", cmd_edit, "change a kustomization file, keeping comments and layout", NULL },
	{ "flux", cmd_flux, "render a Flux cluster offline, as kustomize-controller builds it", NULL },
	{ "help", cmd_help, "show help for kbuild or one of its commands", cmd_help_usage },
	{ "version", cmd_version, "print the version", cmd_version_usage },
	{ NULL, NULL, NULL, NULL },
};

const cli_command *cli_find(const char *name)
{
	for (const cli_command *c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void print_overview(FILE *fp)
{
	fputs(cmd_build_usage, fp);
	fputs(cli_build_flags_help, fp);
	fputs("  -h, --help                   show this help\n"
	      "      --version                show the version\n"
	      "\n"
	      "Commands:\n",
	      fp);
	for (const cli_command *c = cli_commands; c->name; c++)
		fprintf(fp, "  %-10s %s\n", c->name, c->summary);
	fputs("\nRun 'kbuild COMMAND --help' for a command's flags.\n"
	      "Exit status: 0 on success, 1 when the input fails, 2 on a usage error.\n",
	      fp);
}

static bool is_help_flag(const char *a)
{
	return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

static int cmd_version(int argc, char **argv)
{
	if (argc > 1)
		return cli_usage_error("version", "unexpected argument '%s'", argv[1]);
	printf("kbuild %s (kustomize %s compatible)\n", kb_version(), KBUILD_KUSTOMIZE_COMPAT);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		print_overview(stdout);
		return 0;
	}
	if (argc > 2)
		return cli_usage_error("help", "expected one command, got '%s' too", argv[2]);
	const cli_command *c = cli_find(argv[1]);
	if (!c)
		return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
	if (c->usage) {
		fputs(c->usage, stdout);
		return 0;
	}
	char *av[] = { (char *)c->name, (char *)"--help", NULL };
	return c->run(2, av);
}

/* Levenshtein distance, capped: small words only. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 32 || lb > 32)
		return 99;
	size_t row[33];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

int main(int argc, char **argv)
{
#ifdef M_TOP_PAD
	/* glibc grows the heap 128 KiB at a time: a 12 MB build made some
	 * hundreds of brk and mprotect calls (a tenth of its time).  Asking
	 * for 16 MiB at a time costs nothing until the pages are touched. */
	mallopt(M_TOP_PAD, 16 << 20);
#endif
	if (argc < 2)
		return cmd_build(argc, argv);
	const char *first = argv[1];
	if (strcmp(first, "-h") == 0 || strcmp(first, "--help") == 0) {
		print_overview(stdout);
		return 0;
	}
	if (strcmp(first, "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	if (strcmp(first, "__complete") == 0)
		return cmd_complete(argc - 1, argv + 1);
	/* `kbuild init` is kustomize's alias of create (not listed) */
	const cli_command *c = cli_find(strcmp(first, "init") == 0 ? "create" : first);
	if (c && c->usage && argc > 2 && is_help_flag(argv[2])) {
		fputs(c->usage, stdout);
		return 0;
	}
	if (c)
		return c->run(argc - 1, argv + 1);
	if (first[0] != '-') {
		struct stat st;
		if (stat(first, &st) != 0 && !strchr(first, '/')) {
			for (const cli_command *k = cli_commands; k->name; k++)
				if (edit_distance(first, k->name) <= 2)
					return cli_usage_error(NULL,
							       "unknown command '%s'; did you mean "
							       "'%s'?",
							       first, k->name);
		}
	}
	/* kbuild [flags] DIR: build */
	return cmd_build(argc, argv);
}
