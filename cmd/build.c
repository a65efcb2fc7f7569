/*
 * build.c - `kbuild [build] [DIR]`: kustomize build.
 *
 * Turns flags into kb_options, calls kb_build, and maps the result to
 * output and exit codes: 0 success, 1 build error, 2 usage error.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

const char cmd_build_usage[] =
	"Usage: kbuild [build] [DIR] [flags]\n"
	"\n"
	"Build a kustomization target from a directory and print the resources it\n"
	"produces, byte for byte as `kustomize build` (v5.5.0) prints them.\n"
	"DIR defaults to the current directory.\n"
	"\n"
	"Flags:\n"
	"  -o, --output PATH            write to PATH: an existing directory gets one file\n"
	"                               per resource, anything else one file; a regular\n"
	"                               file is replaced atomically, a symlink written\n"
	"                               through, /dev/stdout, FIFOs and devices in place;\n"
	"                               nothing is written when the build fails\n"
	"  -j, --jobs N                 threads for parsing and printing (default: one per\n"
	"                               CPU; 1: none); the output is the same\n";

static void print_warnings(const kb_result *res)
{
	for (size_t i = 0; i < kb_result_warning_count(res); i++)
		fprintf(stderr, "kbuild: %s\n", kb_result_warning(res, i));
}

/* The build writes its output here as it prints it (kb_options.write),
 * the warnings first, as kustomize reports them before the output. */
typedef struct stdout_sink {
	bool warned;
} stdout_sink;

static int write_stdout(void *ctx, const kb_result *res, const char *data, size_t len)
{
	stdout_sink *s = ctx;
	if (!s->warned) {
		s->warned = true;
		print_warnings(res);
	}
	return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

static void print_usage(FILE *fp)
{
	fputs(cmd_build_usage, fp);
	fputs(cli_build_flags_help, fp);
	fputs("  -h, --help                   show this help\n"
	      "\n"
	      "Exit status: 0 on success, 1 when the build fails, 2 on a usage error.\n",
	      fp);
}

int cmd_build(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		CLI_BUILD_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	kb_options opts;
	kb_options_init(&opts);
	cli_build_flags bf = { 0 };
	const char *output = NULL;
	int c;
	opterr = 0;
	optind = 1;
	cli_normalize_flag_names(argc, argv);
	while ((c = getopt_long(argc, argv, ":o:e:hj:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || v == 0 || v > 1024 || optarg[0] == '-')
				return cli_usage_error("build", "illegal flag value --jobs %s; give a "
						       "number from 1 to 1024", optarg);
			opts.jobs = (unsigned)v;
			break;
		}
		case 'o':
			output = optarg;
			break;
		case 'e':
			c = CLI_OPT_ENV;
			/* fall through */
		default:
			if (c == 'h') {
				print_usage(stdout);
				return 0;
			}
			if (c == ':')
				return cli_usage_error("build", "flag needs an argument: %s",
						       argv[optind - 1]);
			if (c == '?')
				return cli_usage_error("build", "unknown flag: %s", argv[optind - 1]);
			switch (cli_build_flag("build", c, optarg, &opts, &bf)) {
			case 0:
				break;
			case 2:
				return 2;
			default:
				return cli_usage_error("build", "unknown flag: %s", argv[optind - 1]);
			}
		}
	}
	int rest = argc - optind;
	char **args = argv + optind;
	if (rest > 1)
		return cli_usage_error("build", "expected at most one directory argument, got '%s'",
				       args[1]);
	if (rest == 1)
		opts.path = args[0];
	cli_build_env(&opts);
	/* the command only prints the result: to stdout as it is printed */
	opts.no_docs = 1;
	stdout_sink sink = { false };
	kb_output *file = NULL;
#if !defined(__SANITIZE_ADDRESS__)
	/* the command ends with the build: freeing the trees would only
	 * cost time (under AddressSanitizer they are freed, for its leak
	 * check) */
	opts.exiting = 1;
#endif
	if (!output) {
		opts.write = write_stdout;
		opts.write_ctx = &sink;
	} else if (!cli_is_dir(output)) {
		file = kb_output_new(output);
		opts.write = kb_output_write;
		opts.write_ctx = file;
	}

	kb_result *res = NULL;
	kb_error *err = kb_build(&opts, &res);
	/* -o FILE: in place, or nothing written, as the build went; a write
	 * that failed is told by the output's error, which names the path */
	kb_error *oe = file ? kb_output_finish(file, !err) : NULL;
	if (err) {
		/* as a compiler does: the warnings, then the error */
		for (size_t i = 0; i < kb_error_warning_count(err); i++) {
			char *w = kb_error_format(kb_error_warning(err, i));
			fprintf(stderr, "kbuild: %s", w);
			free(w);
		}
		cli_print_error(oe && kb_error_code(err) == KB_ERR_IO ? oe : err);
		int code = cli_exit_code(err);
		kb_error_free(err);
		kb_error_free(oe);
		return code;
	}
	if (!sink.warned)
		print_warnings(res);
	if (oe) {
		cli_print_error(oe);
		kb_error_free(oe);
		kb_result_free(res);
		return 1;
	}
	int code = 0;
	if (output && !file) {
		err = kb_result_write_dir(res, output);
		if (err) {
			cli_print_error(err);
			kb_error_free(err);
			code = 1;
		}
	} else if (fflush(stdout) != 0) {
		perror("kbuild: error: writing output");
		code = 1;
	}
	kb_result_free(res);
	return code;
}
