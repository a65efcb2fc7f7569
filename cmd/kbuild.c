/*
 * kbuild - a kustomize-compatible `build`.
 *
 * This file only turns flags into kb_options, calls the library, and
 * maps results to output and exit codes: 0 success, 1 build error,
 * 2 usage error.
 */
#include "kbuild.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_text[] =
	"Usage: kbuild [build] [DIR] [flags]\n"
	"\n"
	"Build a kustomization target from a directory and print the resources it\n"
	"produces, byte for byte as `kustomize build` (v5.5.0) prints them.\n"
	"DIR defaults to the current directory.\n"
	"\n"
	"Flags:\n"
	"  -o, --output PATH            write to PATH: an existing directory gets one file\n"
	"                               per resource, anything else one file (written\n"
	"                               atomically; nothing is written when the build fails)\n"
	"      --load-restrictor VALUE  LoadRestrictionsRootOnly (default) or\n"
	"                               LoadRestrictionsNone\n"
	"      --reorder VALUE          legacy (default) or none\n"
	"      --enable-helm            enable helmCharts (runs `helm template`)\n"
	"      --helm-command CMD       helm binary (default \"helm\")\n"
	"      --helm-api-versions V    Kubernetes api versions for helm (repeatable)\n"
	"      --helm-kube-version V    Kubernetes version for helm\n"
	"      --helm-debug             run helm with --debug\n"
	"      --enable-alpha-plugins   enable KRM function plugins\n"
	"      --enable-exec            enable exec KRM functions\n"
	"      --enable-managedby-label add app.kubernetes.io/managed-by to every resource\n"
	"  -e, --env KEY[=VALUE]        environment for function plugins (repeatable)\n"
	"      --mount, --network, --network-name, --as-current-user\n"
	"                               container function flags (accepted, unused)\n"
	"  -h, --help                   show this help\n"
	"      --version                show the version\n"
	"\n"
	"Exit status: 0 on success, 1 when the build fails, 2 on a usage error.\n";

enum {
	OPT_LOAD_RESTRICTOR = 256,
	OPT_REORDER,
	OPT_ENABLE_HELM,
	OPT_HELM_COMMAND,
	OPT_HELM_API_VERSIONS,
	OPT_HELM_KUBE_VERSION,
	OPT_HELM_DEBUG,
	OPT_ALPHA_PLUGINS,
	OPT_ENABLE_EXEC,
	OPT_MANAGEDBY,
	OPT_MOUNT,
	OPT_NETWORK,
	OPT_NETWORK_NAME,
	OPT_AS_CURRENT_USER,
	OPT_VERSION,
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "kbuild: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun 'kbuild --help' for usage.\n");
	return 2;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "load-restrictor", required_argument, NULL, OPT_LOAD_RESTRICTOR },
		{ "load_restrictor", required_argument, NULL, OPT_LOAD_RESTRICTOR },
		{ "reorder", required_argument, NULL, OPT_REORDER },
		{ "enable-helm", no_argument, NULL, OPT_ENABLE_HELM },
		{ "helm-command", required_argument, NULL, OPT_HELM_COMMAND },
		{ "helm-api-versions", required_argument, NULL, OPT_HELM_API_VERSIONS },
		{ "helm-kube-version", required_argument, NULL, OPT_HELM_KUBE_VERSION },
		{ "helm-debug", no_argument, NULL, OPT_HELM_DEBUG },
		{ "enable-alpha-plugins", no_argument, NULL, OPT_ALPHA_PLUGINS },
		{ "enable-exec", no_argument, NULL, OPT_ENABLE_EXEC },
		{ "enable-managedby-label", no_argument, NULL, OPT_MANAGEDBY },
		{ "env", required_argument, NULL, 'e' },
		{ "mount", required_argument, NULL, OPT_MOUNT },
		{ "network", no_argument, NULL, OPT_NETWORK },
		{ "network-name", required_argument, NULL, OPT_NETWORK_NAME },
		{ "as-current-user", no_argument, NULL, OPT_AS_CURRENT_USER },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	kb_options opts;
	kb_options_init(&opts);
	const char *output = NULL;
	const char *api_versions[64];
	size_t n_api = 0;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:e:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case OPT_LOAD_RESTRICTOR:
			if (strcmp(optarg, "LoadRestrictionsRootOnly") == 0 || !*optarg)
				opts.load_restrictor = KB_LOAD_ROOT_ONLY;
			else if (strcmp(optarg, "LoadRestrictionsNone") == 0)
				opts.load_restrictor = KB_LOAD_NONE;
			else
				return usage_error("illegal flag value --load-restrictor %s; use "
						   "LoadRestrictionsRootOnly or LoadRestrictionsNone",
						   optarg);
			break;
		case OPT_REORDER:
			if (strcmp(optarg, "legacy") == 0)
				opts.reorder = KB_REORDER_LEGACY;
			else if (strcmp(optarg, "none") == 0)
				opts.reorder = KB_REORDER_NONE;
			else
				return usage_error("illegal flag value --reorder %s; use legacy or none",
						   optarg);
			break;
		case OPT_ENABLE_HELM:
			opts.enable_helm = 1;
			break;
		case OPT_HELM_COMMAND:
			opts.helm_command = optarg;
			break;
		case OPT_ALPHA_PLUGINS:
			opts.enable_alpha_plugins = 1;
			break;
		case OPT_MANAGEDBY:
			opts.enable_managedby_label = 1;
			break;
		case OPT_HELM_API_VERSIONS:
			/* repeatable, and comma-separated as a Go string slice */
			for (char *tok = strtok(optarg, ","); tok; tok = strtok(NULL, ","))
				if (n_api < sizeof(api_versions) / sizeof(*api_versions))
					api_versions[n_api++] = tok;
			opts.helm_api_versions = api_versions;
			opts.helm_api_versions_n = n_api;
			break;
		case OPT_HELM_KUBE_VERSION:
			opts.helm_kube_version = optarg;
			break;
		case OPT_HELM_DEBUG:
			opts.helm_debug = 1;
			break;
		case OPT_ENABLE_EXEC:
		case 'e':
		case OPT_MOUNT:
		case OPT_NETWORK:
		case OPT_NETWORK_NAME:
		case OPT_AS_CURRENT_USER:
			/* accepted for compatibility; they only matter to features
			 * that are not implemented yet (helm, function plugins) */
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case OPT_VERSION:
			printf("kbuild %s (kustomize %s compatible)\n", kb_version(),
			       KBUILD_KUSTOMIZE_COMPAT);
			return 0;
		case ':':
			return usage_error("flag needs an argument: %s", argv[optind - 1]);
		default:
			return usage_error("unknown flag: %s", argv[optind - 1]);
		}
	}
	int rest = argc - optind;
	char **args = argv + optind;
	if (rest > 0 && strcmp(args[0], "build") == 0) {
		rest--;
		args++;
	}
	if (rest > 1)
		return usage_error("expected at most one directory argument, got '%s'", args[1]);
	if (rest == 1)
		opts.path = args[0];

	if (getenv("KUSTOMIZE_ENABLE_MANAGEDBY_LABEL") &&
	    strcmp(getenv("KUSTOMIZE_ENABLE_MANAGEDBY_LABEL"), "on") == 0)
		opts.enable_managedby_label = 1;

	kb_result *res = NULL;
	kb_error *err = kb_build(&opts, &res);
	if (err) {
		char *msg = kb_error_format(err);
		fprintf(stderr, "kbuild: error: %s", msg);
		free(msg);
		int code = kb_error_code(err) == KB_ERR_USAGE ? 2 : 1;
		kb_error_free(err);
		return code;
	}
	for (size_t i = 0; i < kb_result_warning_count(res); i++)
		fprintf(stderr, "kbuild: %s\n", kb_result_warning(res, i));
	int code = 0;
	if (output) {
		err = is_dir(output) ? kb_result_write_dir(res, output)
				     : kb_result_write_file(res, output);
		if (err) {
			char *msg = kb_error_format(err);
			fprintf(stderr, "kbuild: error: %s", msg);
			free(msg);
			kb_error_free(err);
			code = 1;
		}
	} else if (kb_result_write(res, stdout) != 0) {
		perror("kbuild: error: writing output");
		code = 1;
	}
	kb_result_free(res);
	return code;
}
