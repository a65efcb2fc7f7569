/*
 * common.c - helpers the subcommands share (cli.h).
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "kbuild: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "\nRun 'kbuild %s --help' for usage.\n", cmd);
	else
		fprintf(stderr, "\nRun 'kbuild --help' for usage.\n");
	return 2;
}

void cli_print_error(const kb_error *err)
{
	char *msg = kb_error_format(err);
	fprintf(stderr, "kbuild: error: %s", msg);
	free(msg);
}

int cli_exit_code(const kb_error *err)
{
	return kb_error_code(err) == KB_ERR_USAGE ? 2 : 1;
}

bool cli_is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *cli_path_join(const char *dir, const char *name)
{
	size_t ld = strlen(dir), ln = strlen(name);
	char *p = malloc(ld + ln + 2);
	if (!p)
		abort();
	memcpy(p, dir, ld);
	size_t o = ld;
	if (ld && dir[ld - 1] != '/')
		p[o++] = '/';
	memcpy(p + o, name, ln + 1);
	return p;
}

/* Flag values for completion (cli.h).  The build flags' words are the
 * ones cli_build_flag() accepts (tests/cli_ux.sh builds with each). */
const cli_flag_hint cli_flag_hints[] = {
	{ "load-restrictor", CLI_VALUE_WORDS, "LoadRestrictionsRootOnly LoadRestrictionsNone", NULL },
	{ "load_restrictor", CLI_VALUE_WORDS, "LoadRestrictionsRootOnly LoadRestrictionsNone", NULL },
	{ "reorder", CLI_VALUE_WORDS, "legacy none", NULL },
	{ "helm-command", CLI_VALUE_COMMAND, NULL, NULL },
	{ "format", CLI_VALUE_WORDS, "text json junit github", "check" },
	{ NULL, 0, NULL, NULL },
};

const char cli_build_flags_help[] =
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
	"      --enable-managedby-label\n"
	"                               add app.kubernetes.io/managed-by to every resource\n"
	"  -e, --env KEY[=VALUE]        environment for function plugins (repeatable)\n"
	"      --mount, --network, --network-name, --as-current-user\n"
	"                               container function flags (accepted, unused)\n"
	"      --max-nodes N            refuse a YAML document of more than N nodes once\n"
	"                               its aliases are expanded (default 10000000)\n";

int cli_build_flag(const char *cmd, int c, char *arg, kb_options *opts, cli_build_flags *st)
{
	switch (c) {
	case CLI_OPT_LOAD_RESTRICTOR:
		if (strcmp(arg, "LoadRestrictionsRootOnly") == 0 || !*arg)
			opts->load_restrictor = KB_LOAD_ROOT_ONLY;
		else if (strcmp(arg, "LoadRestrictionsNone") == 0)
			opts->load_restrictor = KB_LOAD_NONE;
		else {
			cli_usage_error(cmd,
					"illegal flag value --load-restrictor %s; use "
					"LoadRestrictionsRootOnly or LoadRestrictionsNone",
					arg);
			return 2;
		}
		return 0;
	case CLI_OPT_REORDER:
		if (strcmp(arg, "legacy") == 0)
			opts->reorder = KB_REORDER_LEGACY;
		else if (strcmp(arg, "none") == 0)
			opts->reorder = KB_REORDER_NONE;
		else {
			cli_usage_error(cmd, "illegal flag value --reorder %s; use legacy or none",
					arg);
			return 2;
		}
		return 0;
	case CLI_OPT_ENABLE_HELM:
		opts->enable_helm = 1;
		return 0;
	case CLI_OPT_HELM_COMMAND:
		opts->helm_command = arg;
		return 0;
	case CLI_OPT_ALPHA_PLUGINS:
		opts->enable_alpha_plugins = 1;
		return 0;
	case CLI_OPT_MANAGEDBY:
		opts->enable_managedby_label = 1;
		return 0;
	case CLI_OPT_HELM_API_VERSIONS:
		/* repeatable, and comma-separated as a Go string slice */
		for (char *tok = strtok(arg, ","); tok; tok = strtok(NULL, ","))
			if (st->n_api < sizeof(st->api_versions) / sizeof(*st->api_versions))
				st->api_versions[st->n_api++] = tok;
		opts->helm_api_versions = st->api_versions;
		opts->helm_api_versions_n = st->n_api;
		return 0;
	case CLI_OPT_HELM_KUBE_VERSION:
		opts->helm_kube_version = arg;
		return 0;
	case CLI_OPT_HELM_DEBUG:
		opts->helm_debug = 1;
		return 0;
	case CLI_OPT_MAX_NODES: {
		char *end;
		unsigned long long v = strtoull(arg, &end, 10);
		if (!*arg || *end || v == 0 || arg[0] == '-') {
			cli_usage_error(cmd, "illegal flag value --max-nodes %s; give a positive number",
					arg);
			return 2;
		}
		opts->max_nodes = (size_t)v;
		return 0;
	}
	case CLI_OPT_ENABLE_EXEC:
	case CLI_OPT_ENV:
	case CLI_OPT_MOUNT:
	case CLI_OPT_NETWORK:
	case CLI_OPT_NETWORK_NAME:
	case CLI_OPT_AS_CURRENT_USER:
		/* accepted for compatibility; they only matter to function
		 * plugins, which are not implemented yet */
		return 0;
	default:
		return 1;
	}
}

void cli_build_env(kb_options *opts)
{
	const char *v = getenv("KUSTOMIZE_ENABLE_MANAGEDBY_LABEL");
	if (v && strcmp(v, "on") == 0)
		opts->enable_managedby_label = 1;
}
