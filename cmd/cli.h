/*
 * cli.h - what the subcommands of the kbuild CLI share.
 *
 * Each subcommand lives in its own file (build.c, ...) and exposes one
 * `int cmd_NAME(int argc, char **argv)` whose argv[0] is the subcommand's
 * name; main.c dispatches.  The CLI holds no logic the library lacks: a
 * subcommand turns flags into options, calls the library and formats.
 *
 * Exit status everywhere: 0 success, 1 failure of the input, 2 usage.
 */
#ifndef KB_CLI_H
#define KB_CLI_H

#include "kbuild.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

typedef struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary; /* one line for `kbuild help` */
	const char *usage;   /* the whole `kbuild NAME --help` text */
} cli_command;

/* The table of subcommands (main.c), NULL-terminated. */
extern const cli_command cli_commands[];
const cli_command *cli_find(const char *name);

/* "kbuild: MSG\nRun 'kbuild CMD --help' for usage.\n" on stderr; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "kbuild: error: ..." with the error's notes. */
void cli_print_error(const kb_error *err);
/* Exit status for a library error: 2 for KB_ERR_USAGE, else 1. */
int cli_exit_code(const kb_error *err);
bool cli_is_dir(const char *path);

/*
 * The flags of `build`, which check, diff and flux accept too.  A
 * subcommand puts CLI_BUILD_LONGOPTS in its option table and hands every
 * option it does not handle itself to cli_build_flag().
 */
enum {
	CLI_OPT_LOAD_RESTRICTOR = 256,
	CLI_OPT_REORDER,
	CLI_OPT_ENABLE_HELM,
	CLI_OPT_HELM_COMMAND,
	CLI_OPT_HELM_API_VERSIONS,
	CLI_OPT_HELM_KUBE_VERSION,
	CLI_OPT_HELM_DEBUG,
	CLI_OPT_ALPHA_PLUGINS,
	CLI_OPT_ENABLE_EXEC,
	CLI_OPT_MANAGEDBY,
	CLI_OPT_MOUNT,
	CLI_OPT_NETWORK,
	CLI_OPT_NETWORK_NAME,
	CLI_OPT_AS_CURRENT_USER,
	CLI_OPT_ENV,
	CLI_OPT_FN_TIMEOUT,
	CLI_OPT_CONTAINER_RUNTIME,
	CLI_OPT_MAX_NODES,
	CLI_OPT_FIRST_FREE = 512, /* subcommands number their own from here */
};

#define CLI_BUILD_LONGOPTS                                                            \
	{ "load-restrictor", required_argument, NULL, CLI_OPT_LOAD_RESTRICTOR },      \
	{ "load_restrictor", required_argument, NULL, CLI_OPT_LOAD_RESTRICTOR },      \
	{ "reorder", required_argument, NULL, CLI_OPT_REORDER },                      \
	{ "enable-helm", no_argument, NULL, CLI_OPT_ENABLE_HELM },                    \
	{ "helm-command", required_argument, NULL, CLI_OPT_HELM_COMMAND },            \
	{ "helm-api-versions", required_argument, NULL, CLI_OPT_HELM_API_VERSIONS },  \
	{ "helm-kube-version", required_argument, NULL, CLI_OPT_HELM_KUBE_VERSION },  \
	{ "helm-debug", no_argument, NULL, CLI_OPT_HELM_DEBUG },                      \
	{ "enable-alpha-plugins", no_argument, NULL, CLI_OPT_ALPHA_PLUGINS },         \
	{ "enable-exec", no_argument, NULL, CLI_OPT_ENABLE_EXEC },                    \
	{ "enable-managedby-label", no_argument, NULL, CLI_OPT_MANAGEDBY },           \
	{ "env", required_argument, NULL, CLI_OPT_ENV },                              \
	{ "mount", required_argument, NULL, CLI_OPT_MOUNT },                          \
	{ "network", no_argument, NULL, CLI_OPT_NETWORK },                            \
	{ "network-name", required_argument, NULL, CLI_OPT_NETWORK_NAME },            \
	{ "as-current-user", no_argument, NULL, CLI_OPT_AS_CURRENT_USER },             \
	{ "function-timeout", required_argument, NULL, CLI_OPT_FN_TIMEOUT },          \
	{ "container-runtime", required_argument, NULL, CLI_OPT_CONTAINER_RUNTIME },   \
	{ "max-nodes", required_argument, NULL, CLI_OPT_MAX_NODES }

/* The help text of the build flags, for each subcommand's usage. */
extern const char cli_build_flags_help[];

/* Storage the build flags point into (kb_options borrows from it). */
typedef struct cli_build_flags {
	const char *api_versions[64];
	size_t n_api;
	const char *env[256];    /* -e/--env, repeatable */
	size_t n_env;
	const char *mounts[256]; /* --mount, repeatable */
	size_t n_mounts;
} cli_build_flags;

/* Applies one build flag to opts.  Returns 0 when c was a build flag and
 * was applied, 1 when c is not a build flag, 2 on a bad value (the
 * usage error has been printed). */
int cli_build_flag(const char *cmd, int c, char *arg, kb_options *opts, cli_build_flags *st);
/* Long flag names with '_' for '-' (--enable_alpha_plugins, as
 * kustomize's documentation spells them) are rewritten in place, as
 * kubectl's flag normalization reads them.  Stops at "--". */
void cli_normalize_flag_names(int argc, char **argv);
/* What the environment adds to the options (KUSTOMIZE_ENABLE_MANAGEDBY_LABEL). */
void cli_build_env(kb_options *opts);

/*
 * The flags of `flux` that say how a cluster renders, which `check --flux`
 * and `diff --flux` accept too: CLI_FLUX_LONGOPTS in the option table,
 * cli_flux_flag() for each option, cli_flux_flags_apply() once parsing is
 * done (the lists grow while parsing), cli_flux_flags_free() at the end.
 */
enum {
	CLI_OPT_FLUX_SOURCE = 400,
	CLI_OPT_FLUX_REPO_ROOT,
	CLI_OPT_FLUX_VALUES_FROM,
	CLI_OPT_FLUX_IGNORE_PATHS,
	CLI_OPT_FLUX_STRICT_SUBST,
	CLI_OPT_FLUX_SKIP_UNRESOLVED,
	CLI_OPT_FLUX_NO_OWNER_LABELS,
};

#define CLI_FLUX_LONGOPTS                                                             \
	{ "source", required_argument, NULL, CLI_OPT_FLUX_SOURCE },                   \
	{ "local-sources", required_argument, NULL, CLI_OPT_FLUX_SOURCE },            \
	{ "repo-root", required_argument, NULL, CLI_OPT_FLUX_REPO_ROOT },             \
	{ "values-from", required_argument, NULL, CLI_OPT_FLUX_VALUES_FROM },         \
	{ "ignore-paths", required_argument, NULL, CLI_OPT_FLUX_IGNORE_PATHS },       \
	{ "strict-substitute", no_argument, NULL, CLI_OPT_FLUX_STRICT_SUBST },        \
	{ "skip-unresolved", no_argument, NULL, CLI_OPT_FLUX_SKIP_UNRESOLVED },       \
	{ "no-owner-labels", no_argument, NULL, CLI_OPT_FLUX_NO_OWNER_LABELS }

/* Their help text. */
extern const char cli_flux_flags_help[];

typedef struct cli_flux_flags {
	const char **sources, **values, **ignores; /* point into argv */
	size_t nsources, nvalues, nignores;
	bool any; /* a flux flag was given */
} cli_flux_flags;

/* Applies one flux flag to o (its lists to st).  Returns 0 when c was a
 * flux flag, 1 when it is not. */
int cli_flux_flag(int c, char *arg, kb_flux_options *o, cli_flux_flags *st);
void cli_flux_flags_apply(const cli_flux_flags *st, kb_flux_options *o);
void cli_flux_flags_free(cli_flux_flags *st);

/*
 * Completion of flag values (completion.c): a flag with a fixed set of
 * values, or whose value is a kind of path the placeholder in its help
 * line does not say (FILE/PATH, DIR and CMD are understood from it), gets
 * a line here, e.g. { "format", CLI_VALUE_WORDS, "text json", "check" }.
 * Keyed by the long name without "--" and, when `command` is set, by the
 * command (its line wins over one for any command); NULL-terminated.
 */
typedef enum cli_value_kind {
	CLI_VALUE_WORDS = 1,     /* one of `words`, space-separated */
	CLI_VALUE_FILE,          /* a file name */
	CLI_VALUE_DIR,           /* a directory */
	CLI_VALUE_KUSTOMIZATION, /* a directory holding a kustomization */
	CLI_VALUE_COMMAND,       /* a program on PATH */
} cli_value_kind;

typedef struct cli_flag_hint {
	const char *flag;
	cli_value_kind kind;
	const char *words;
	const char *command; /* only for this command's flag; NULL: any command's */
} cli_flag_hint;

extern const cli_flag_hint cli_flag_hints[];

/* dir/name, malloc'd. */
char *cli_path_join(const char *dir, const char *name);

int cmd_build(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_flux(int argc, char **argv);
int cmd_edit(int argc, char **argv);
int cmd_create(int argc, char **argv);

/* The end of an edit command (edit.c): prints the session's messages on
 * stderr, then its new file (dry_run) or diff (diff) on stdout, or
 * writes the changed files.  Returns the exit status. */
int cli_edit_finish(kb_edit *e, bool dry_run, bool diff);
int cmd_completion(int argc, char **argv);
/* The hidden `kbuild __complete WORD...` behind the completion scripts. */
int cmd_complete(int argc, char **argv);
int cmd_diff(int argc, char **argv);

#endif
