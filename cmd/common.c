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
	{ "container-runtime", CLI_VALUE_COMMAND, NULL, NULL },
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
	"      --enable-alpha-plugins   run plugins that are not builtins: KRM functions\n"
	"                               (exec or container) and exec plugins under\n"
	"                               $KUSTOMIZE_PLUGIN_HOME or $XDG_CONFIG_HOME/kustomize/plugin\n"
	"      --enable-exec            also run exec KRM functions (raw executables named\n"
	"                               by a config's exec.path); do not use for untrusted\n"
	"                               configs\n"
	"      --enable-managedby-label\n"
	"                               add app.kubernetes.io/managed-by to every resource\n"
	"  -e, --env KEY[=VALUE]        environment for container functions: KEY=VALUE\n"
	"                               sets it, KEY passes this environment's value\n"
	"                               (repeatable)\n"
	"      --mount type=bind,src=DIR,dst=DIR[,rw=true]\n"
	"                               storage mounted into container functions\n"
	"                               (repeatable; read-only unless rw=true)\n"
	"      --network                let container functions that declare network\n"
	"                               access run (with --network host)\n"
	"      --network-name NAME      accepted for compatibility; kustomize v5.5.0 ignores\n"
	"                               it too\n"
	"      --as-current-user        run container functions as this user's uid:gid\n"
	"                               instead of nobody\n"
	"      --container-runtime CMD  the container runtime (default: docker, else podman,\n"
	"                               from PATH)\n"
	"      --function-timeout DUR   kill a function or exec plugin that runs longer\n"
	"                               (e.g. 90s, 5m; default 5m)\n"
	"      --max-nodes N            refuse a YAML document of more than N nodes once\n"
	"                               its aliases are expanded (default 10000000)\n";

/* A Go-style duration ("1m30s", "500ms", "2h") or plain seconds, in
 * milliseconds; -1 when it does not parse or is not positive. */
static long parse_duration_ms(const char *s)
{
	if (!s || !*s)
		return -1;
	double total = 0;
	const char *p = s;
	while (*p) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || v < 0)
			return -1;
		p = end;
		double unit = 1000; /* bare number: seconds */
		if (strncmp(p, "ms", 2) == 0) {
			unit = 1, p += 2;
		} else if (*p == 's') {
			unit = 1000, p++;
		} else if (*p == 'm') {
			unit = 60000, p++;
		} else if (*p == 'h') {
			unit = 3600000, p++;
		} else if (*p) {
			return -1;
		}
		total += v * unit;
	}
	if (total < 1 || total > 1e12)
		return -1;
	return (long)total;
}

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
		opts->enable_exec = 1;
		return 0;
	case CLI_OPT_ENV:
		/* repeatable; a Go string array, so commas are kept */
		if (st->n_env == sizeof(st->env) / sizeof(*st->env)) {
			cli_usage_error(cmd, "too many --env flags");
			return 2;
		}
		st->env[st->n_env++] = arg;
		opts->fn_env = st->env;
		opts->fn_env_n = st->n_env;
		return 0;
	case CLI_OPT_MOUNT:
		if (st->n_mounts == sizeof(st->mounts) / sizeof(*st->mounts)) {
			cli_usage_error(cmd, "too many --mount flags");
			return 2;
		}
		st->mounts[st->n_mounts++] = arg;
		opts->fn_mounts = st->mounts;
		opts->fn_mounts_n = st->n_mounts;
		return 0;
	case CLI_OPT_NETWORK:
		opts->fn_network = 1;
		return 0;
	case CLI_OPT_NETWORK_NAME:
		opts->fn_network_name = arg;
		return 0;
	case CLI_OPT_AS_CURRENT_USER:
		opts->fn_as_current_user = 1;
		return 0;
	case CLI_OPT_FN_TIMEOUT: {
		long ms = parse_duration_ms(arg);
		if (ms < 0) {
			cli_usage_error(cmd,
					"illegal flag value --function-timeout %s; use a duration "
					"such as 30s, 5m or 1m30s",
					arg);
			return 2;
		}
		opts->fn_timeout_ms = ms;
		return 0;
	}
	case CLI_OPT_CONTAINER_RUNTIME:
		opts->fn_container_runtime = arg;
		return 0;
	default:
		return 1;
	}
}

void cli_normalize_flag_names(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return;
		if (strncmp(a, "--", 2) != 0)
			continue;
		for (char *p = a + 2; *p && *p != '='; p++)
			if (*p == '_')
				*p = '-';
	}
}

void cli_build_env(kb_options *opts)
{
	const char *v = getenv("KUSTOMIZE_ENABLE_MANAGEDBY_LABEL");
	if (v && strcmp(v, "on") == 0)
		opts->enable_managedby_label = 1;
}

/* ---- the flux flags ---- */

const char cli_flux_flags_help[] =
	"      --source KIND/NS/NAME=DIR\n"
	"                               where a source's files are (GitRepository,\n"
	"                               OCIRepository, Bucket, ExternalArtifact; repeatable).\n"
	"                               This repository's GitRepository needs none\n"
	"      --repo-root DIR          the repository PATH belongs to (default: found)\n"
	"      --values-from FILE       ConfigMaps/Secrets (YAML) substituteFrom reads first,\n"
	"                               e.g. a decrypted copy of a SOPS Secret (repeatable)\n"
	"      --ignore-paths LIST      more .sourceignore rules, comma-separated\n"
	"      --strict-substitute      an unset variable without a default is an error\n"
	"      --skip-unresolved        an unmapped source or a missing dependsOn or\n"
	"                               substituteFrom target is a warning, not an error\n"
	"      --no-owner-labels        leave out the kustomize.toolkit.fluxcd.io/name and\n"
	"                               /namespace labels (set when it applies)\n";

static void push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv) {
		perror("kbuild");
		exit(2);
	}
	nv[(*n)++] = s;
	*v = nv;
}

int cli_flux_flag(int c, char *arg, kb_flux_options *o, cli_flux_flags *st)
{
	switch (c) {
	case CLI_OPT_FLUX_SOURCE:
		/* flux build's --local-sources takes a comma-separated list */
		for (char *tok = strtok(arg, ","); tok; tok = strtok(NULL, ","))
			push(&st->sources, &st->nsources, tok);
		break;
	case CLI_OPT_FLUX_REPO_ROOT:
		o->repo_root = arg;
		break;
	case CLI_OPT_FLUX_VALUES_FROM:
		push(&st->values, &st->nvalues, arg);
		break;
	case CLI_OPT_FLUX_IGNORE_PATHS:
		for (char *tok = strtok(arg, ","); tok; tok = strtok(NULL, ","))
			push(&st->ignores, &st->nignores, tok);
		break;
	case CLI_OPT_FLUX_STRICT_SUBST:
		o->strict_substitute = 1;
		break;
	case CLI_OPT_FLUX_SKIP_UNRESOLVED:
		o->skip_unresolved = 1;
		break;
	case CLI_OPT_FLUX_NO_OWNER_LABELS:
		o->no_owner_labels = 1;
		break;
	default:
		return 1;
	}
	st->any = true;
	return 0;
}

void cli_flux_flags_apply(const cli_flux_flags *st, kb_flux_options *o)
{
	o->sources = st->sources;
	o->nsources = st->nsources;
	o->values_from = st->values;
	o->nvalues_from = st->nvalues;
	o->ignore_paths = st->ignores;
	o->nignore_paths = st->nignores;
}

void cli_flux_flags_free(cli_flux_flags *st)
{
	free(st->sources);
	free(st->values);
	free(st->ignores);
	memset(st, 0, sizeof(*st));
}
