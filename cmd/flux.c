/*
 * flux.c - `kbuild flux PATH`: render a Flux cluster offline.
 *
 * Turns flags into kb_flux_options, calls kb_flux_render, prints the
 * cluster (or the chosen Kustomizations) and a summary on stderr.
 * Exit status: 0 success, 1 when a Kustomization fails, 2 usage error.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

enum {
	OPT_FLUX_BUILD = CLI_OPT_FIRST_FREE,
};

const char cmd_flux_usage[] =
	"Usage: kbuild flux [PATH] [flags]\n"
	"\n"
	"Render a Flux cluster offline: build PATH (a directory such as\n"
	"clusters/production, or a YAML file of Flux Kustomizations), then every Flux\n"
	"Kustomization it holds and those they produce in turn, in dependsOn order, as\n"
	"kustomize-controller builds them (generated kustomization, targetNamespace,\n"
	"patches, images, components, namePrefix/Suffix, post-build substitution, its\n"
	"labels), and print what reaches the cluster.  PATH defaults to '.'.\n"
	"\n"
	"Flags:\n"
	"  -o, --output PATH            an existing directory gets PATH/NAMESPACE/NAME.yaml\n"
	"                               per Kustomization, anything else the whole stream\n"
	"  -k, --kustomization NS/NAME  print only this Kustomization (repeatable)\n"
	"      --flux-build             print as `flux build kustomization --dry-run` does:\n"
	"                               '---' after every document, SOPS values masked\n"
	"  -q, --quiet                  no summary on stderr\n";

static void print_usage(FILE *fp)
{
	fputs(cmd_flux_usage, fp);
	fputs(cli_flux_flags_help, fp);
	fputs(cli_build_flags_help, fp);
	fputs("  -h, --help                   show this help\n"
	      "\n"
	      "Exit status: 0 on success, 1 when a Kustomization fails, 2 on a usage error.\n",
	      fp);
}

typedef struct strlist {
	const char **v;
	size_t n;
} strlist;

static void strlist_push(strlist *l, const char *s)
{
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (!l->v) {
		perror("kbuild");
		exit(1);
	}
	l->v[l->n++] = s;
}

static void print_warnings(const kb_flux_result *r)
{
	for (size_t i = 0; i < kb_flux_result_warning_count(r); i++)
		fprintf(stderr, "kbuild: %s\n", kb_flux_result_warning(r, i));
	for (size_t i = 0; i < kb_flux_result_count(r); i++) {
		const kb_flux_ks *k = kb_flux_result_get(r, i);
		for (size_t w = 0; w < kb_flux_ks_warning_count(k); w++)
			fprintf(stderr, "kbuild: %s\n", kb_flux_ks_warning(k, w));
	}
}

int cmd_flux(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "kustomization", required_argument, NULL, 'k' },
		{ "flux-build", no_argument, NULL, OPT_FLUX_BUILD },
		CLI_FLUX_LONGOPTS,
		{ "quiet", no_argument, NULL, 'q' },
		CLI_BUILD_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	kb_options bopts;
	kb_options_init(&bopts);
	cli_build_flags bf = { 0 };
	kb_flux_options o;
	kb_flux_options_init(&o);
	strlist sel = { 0 };
	cli_flux_flags ff = { 0 };
	const char *output = NULL;
	bool quiet = false;
	int c, code = 0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:k:qe:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'k':
			if (!strchr(optarg, '/') || optarg[0] == '/' ||
			    !strchr(optarg, '/')[1] || strchr(strchr(optarg, '/') + 1, '/')) {
				code = cli_usage_error("flux", "--kustomization wants NAMESPACE/NAME, got '%s'",
						       optarg);
				goto out;
			}
			strlist_push(&sel, optarg);
			break;
		case OPT_FLUX_BUILD:
			o.style = KB_FLUX_STYLE_FLUX_BUILD;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			print_usage(stdout);
			goto out;
		case ':':
			code = cli_usage_error("flux", "flag needs an argument: %s", argv[optind - 1]);
			goto out;
		case '?':
			code = cli_usage_error("flux", "unknown flag: %s", argv[optind - 1]);
			goto out;
		case 'e':
			c = CLI_OPT_ENV;
			/* fall through */
		default:
			if (cli_flux_flag(c, optarg, &o, &ff) == 0)
				break;
			switch (cli_build_flag("flux", c, optarg, &bopts, &bf)) {
			case 0:
				break;
			case 2:
				code = 2;
				goto out;
			default:
				code = cli_usage_error("flux", "unknown flag: %s", argv[optind - 1]);
				goto out;
			}
			if (c == CLI_OPT_ENABLE_HELM || c == CLI_OPT_ALPHA_PLUGINS ||
			    c == CLI_OPT_MANAGEDBY || c == CLI_OPT_REORDER ||
			    (c == CLI_OPT_LOAD_RESTRICTOR && bopts.load_restrictor != KB_LOAD_NONE))
				fprintf(stderr,
					"kbuild: warning: %s is ignored: kustomize-controller builds with "
					"LoadRestrictionsNone, in the resources' order, without helm, "
					"plugins or the managed-by label\n",
					argv[optind - 1]);
		}
	}
	if (argc - optind > 1) {
		code = cli_usage_error("flux", "expected at most one PATH, got '%s'", argv[optind + 1]);
		goto out;
	}
	o.path = argc - optind == 1 ? argv[optind] : ".";
	o.build = &bopts;
	cli_flux_flags_apply(&ff, &o);

	o.select = sel.v;
	o.nselect = sel.n;

	kb_flux_result *r = NULL;
	kb_error *err = kb_flux_render(&o, &r);
	if (err) {
		cli_print_error(err);
		code = cli_exit_code(err);
		kb_error_free(err);
		goto out;
	}
	print_warnings(r);
	for (size_t i = 0; i < kb_flux_result_count(r); i++) {
		const kb_flux_ks *k = kb_flux_result_get(r, i);
		const kb_error *e = kb_flux_ks_error(k);
		if (!e)
			continue;
		if (kb_flux_ks_selected(k)) {
			cli_print_error(e);
		} else {
			/* not asked for: said in one line */
			char *msg = kb_error_format(e);
			char *nl = strchr(msg, '\n');
			if (nl)
				*nl = '\0';
			fprintf(stderr, "kbuild: warning: Kustomization %s/%s failed: %s\n",
				kb_flux_ks_namespace(k), kb_flux_ks_name(k), msg);
			free(msg);
		}
	}
	size_t failed = kb_flux_result_error_count(r);
	if (failed) {
		fprintf(stderr, "kbuild: %zu Kustomization%s failed; nothing printed\n", failed,
			failed == 1 ? "" : "s");
		code = 1;
		kb_flux_result_free(r);
		goto out;
	}
	if (output) {
		err = cli_is_dir(output) ? kb_flux_result_write_dir(r, output)
					 : kb_flux_result_write_file(r, output);
		if (err) {
			cli_print_error(err);
			kb_error_free(err);
			code = 1;
		}
	} else {
		size_t len;
		const char *data = kb_flux_result_yaml(r, &len);
		if ((len && fwrite(data, 1, len, stdout) != len) || fflush(stdout) != 0) {
			perror("kbuild: error: writing output");
			code = 1;
		}
	}
	if (!quiet) {
		kb_flux_stats st;
		kb_flux_result_stats(r, &st);
		fprintf(stderr,
			"kbuild: flux: %zu Kustomization%s rendered%s, %zu resource%s, %zu "
			"HelmRelease%s",
			st.rendered, st.rendered == 1 ? "" : "s", "", st.resources,
			st.resources == 1 ? "" : "s", st.helmreleases, st.helmreleases == 1 ? "" : "s");
		if (st.skipped)
			fprintf(stderr, ", %zu skipped", st.skipped);
		if (st.sops_secrets)
			fprintf(stderr, ", %zu SOPS-encrypted Secret%s passed through", st.sops_secrets,
				st.sops_secrets == 1 ? "" : "s");
		fputc('\n', stderr);
	}
	kb_flux_result_free(r);
out:
	free(sel.v);
	cli_flux_flags_free(&ff);
	return code;
}
