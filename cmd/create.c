/*
 * create.c - `kbuild create`: kustomize create (kbuild/edit.h's
 * kb_edit_create), with the edit commands' -C, --dry-run and --diff.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static bool parse_bool(const char *v, bool *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
	for (int i = 0; i < 6; i++) {
		if (strcmp(v, t[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(v, f[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static const char create_usage[] =
	"Usage: kbuild create [-C DIR] [--resources LIST] [--namespace NS]\n"
	"                     [--nameprefix P] [--namesuffix S] [--labels K:V,...]\n"
	"                     [--annotations K:V,...] [--autodetect [--recursive]]\n"
	"                     [--dry-run [--diff]]\n"
	"\n"
	"Create a kustomization.yaml in the directory, as `kustomize create` does.\n"
	"\n"
	"Flags:\n"
	"  -C DIR                the directory (default: the current one)\n"
	"      --resources LIST  comma-separated files, directories, globs or git URLs\n"
	"      --namespace NS    set namespace\n"
	"      --nameprefix P    set namePrefix\n"
	"      --namesuffix S    set nameSuffix\n"
	"      --labels K:V,...  set commonLabels\n"
	"      --annotations K:V,... set commonAnnotations\n"
	"      --autodetect      add the Kubernetes resource files found in the directory\n"
	"      --recursive       look in subdirectories too (a directory holding a\n"
	"                        kustomization is added as a whole)\n"
	"      --dry-run         print the new file instead of writing it\n"
	"      --diff            print it as a diff instead of writing it\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit status: 0 on success, 1 when it fails, 2 on a usage error.\n";

enum { C_RES = 900, C_NS, C_ANNO, C_LABELS, C_PREFIX, C_SUFFIX, C_AUTO, C_REC, C_DRY, C_DIFF };

int cmd_create(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "resources", required_argument, NULL, C_RES },
		{ "namespace", required_argument, NULL, C_NS },
		{ "annotations", required_argument, NULL, C_ANNO },
		{ "labels", required_argument, NULL, C_LABELS },
		{ "nameprefix", required_argument, NULL, C_PREFIX },
		{ "namesuffix", required_argument, NULL, C_SUFFIX },
		{ "autodetect", optional_argument, NULL, C_AUTO },
		{ "recursive", optional_argument, NULL, C_REC },
		{ "dry-run", no_argument, NULL, C_DRY },
		{ "diff", no_argument, NULL, C_DIFF },
		{ "dir", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	kb_create_options c;
	kb_create_options_init(&c);
	const char *dir = NULL;
	bool dry_run = false, diff = false;
	opterr = 0;
	optind = 1;
	int ch;
	while ((ch = getopt_long(argc, argv, ":C:h", lo, NULL)) != -1) {
		bool b = true;
		switch (ch) {
		case 'C':
			dir = optarg;
			break;
		case 'h':
			fputs(create_usage, stdout);
			return 0;
		case C_RES:
			c.resources = optarg;
			break;
		case C_NS:
			c.namespace_ = optarg;
			break;
		case C_ANNO:
			c.annotations = optarg;
			break;
		case C_LABELS:
			c.labels = optarg;
			break;
		case C_PREFIX:
			c.nameprefix = optarg;
			break;
		case C_SUFFIX:
			c.namesuffix = optarg;
			break;
		case C_AUTO:
		case C_REC:
			if (optarg && !parse_bool(optarg, &b))
				return cli_usage_error("create", "invalid value for %s: '%s'",
						       argv[optind - 1], optarg);
			if (ch == C_AUTO)
				c.autodetect = b;
			else
				c.recursive = b;
			break;
		case C_DRY:
			dry_run = true;
			break;
		case C_DIFF:
			diff = true;
			break;
		case ':':
			return cli_usage_error("create", "flag needs an argument: %s", argv[optind - 1]);
		default:
			return cli_usage_error("create", "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("create", "unexpected argument '%s'; use -C DIR for another "
						 "directory",
				       argv[optind]);
	kb_edit_options o;
	kb_edit_options_init(&o);
	o.dir = dir;
	kb_edit *e = NULL;
	kb_error *err = kb_edit_create(&o, &c, &e);
	if (err) {
		cli_print_error(err);
		int code = cli_exit_code(err);
		kb_error_free(err);
		return code;
	}
	int rc = cli_edit_finish(e, dry_run, diff);
	kb_edit_free(e);
	return rc;
}
