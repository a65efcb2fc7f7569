/*
 * edit.c - `kbuild edit add|set|remove|fix ...`: kustomize edit, keeping
 * comments and layout (the library's kbuild/edit.h does the work).
 *
 * Flags every edit command takes, anywhere on its line:
 *   -C DIR      the kustomization's directory (default: the current one)
 *   --dry-run   print the new file instead of writing it
 *   --diff      print a unified diff instead of writing (implies --dry-run)
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

typedef struct edit_globals {
	const char *dir;
	bool dry_run, diff;
} edit_globals;

typedef struct sub sub;
typedef int (*sub_fn)(const sub *s, int argc, char **argv, kb_edit *e, kb_error **err);

struct sub {
	const char *verb, *kind;
	sub_fn run;
	int arg;           /* a kb_edit_list / kb_edit_meta / field, per run */
	const char *usage; /* after "Usage: kbuild edit VERB KIND " */
	const char *help;
};

static const char edit_usage[] =
	"Usage: kbuild edit [-C DIR] [--dry-run [--diff]] COMMAND ARGS...\n"
	"\n"
	"Change the kustomization file (kustomization.yaml, .yml or Kustomization)\n"
	"with the syntax and semantics of `kustomize edit` (v5.5.0), rewriting only\n"
	"the bytes that change: comments, key order, quoting, indentation, line\n"
	"breaks and Flux `# {\"$imagepolicy\": ...}` markers stay as they are.\n"
	"\n"
	"Commands:\n"
	"  add resource|component|patch|configmap|secret|label|annotation|\n"
	"      transformer|generator|configuration|buildmetadata|base\n"
	"  set image|namespace|nameprefix|namesuffix|replicas|label|annotation|\n"
	"      buildmetadata|configmap|secret\n"
	"  remove resource|component|patch|configmap|secret|label|annotation|\n"
	"      transformer|buildmetadata\n"
	"  fix [--vars]\n"
	"\n"
	"Flags:\n"
	"  -C DIR       the kustomization's directory (default: the current one);\n"
	"               paths in arguments are relative to it\n"
	"      --dry-run  print the new file on stdout instead of writing it\n"
	"      --diff     print a unified diff instead of writing it\n"
	"  -h, --help   show help (also for each command: kbuild edit set image --help)\n"
	"\n"
	"Examples:\n"
	"  kbuild edit set image app=registry.example.com/app:1.4.2\n"
	"  kbuild edit add resource deployment.yaml service.yaml\n"
	"  kbuild edit -C overlays/prod set namespace prod --diff\n"
	"\n"
	"The file is replaced atomically (permissions kept, symlinks followed);\n"
	"nothing is written when the command fails.\n"
	"Exit status: 0 on success, 1 when the edit fails, 2 on a usage error.\n";

/* ---- flag helpers ---- */

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

static char *cmd_name(const sub *s)
{
	static char buf[64];
	snprintf(buf, sizeof(buf), "edit %s %s", s->verb, s->kind);
	return buf;
}

static void sub_help(const sub *s)
{
	printf("Usage: kbuild edit %s %s %s\n\n%s", s->verb, s->kind, s->usage, s->help);
	printf("\nFlags of every edit command: -C DIR, --dry-run, --diff (see kbuild edit --help).\n");
}

/* getopt_long over a sub-command's flags; positional arguments are
 * collected into *pos.  Returns -1 when all went well, else the exit
 * status (help printed, or a usage error). */
typedef int (*flag_fn)(int c, const char *arg, void *st);

static int parse_flags(const sub *s, int argc, char **argv, const struct option *lo,
		       const char *shorts, flag_fn fn, void *st, char ***pos, int *npos)
{
	*pos = calloc((size_t)argc + 1, sizeof(char *));
	if (!*pos)
		abort();
	*npos = 0;
	opterr = 0;
	optind = 1;
	char sbuf[64];
	snprintf(sbuf, sizeof(sbuf), "-:h%s", shorts ? shorts : "");
	int c;
	while ((c = getopt_long(argc, argv, sbuf, lo, NULL)) != -1) {
		if (c == 1) {
			(*pos)[(*npos)++] = optarg;
			continue;
		}
		if (c == 'h') {
			sub_help(s);
			return 0;
		}
		if (c == ':')
			return cli_usage_error(cmd_name(s), "flag needs an argument: %s",
					       argv[optind - 1]);
		if (c == '?')
			return cli_usage_error(cmd_name(s), "unknown flag: %s", argv[optind - 1]);
		int rc = fn ? fn(c, optarg, st) : 1;
		if (rc == 1)
			return cli_usage_error(cmd_name(s), "unknown flag: %s", argv[optind - 1]);
		if (rc == 2)
			return cli_usage_error(cmd_name(s), "invalid value for %s: '%s'",
					       argv[optind - 1], optarg ? optarg : "");
	}
	for (int i = optind; i < argc; i++)
		(*pos)[(*npos)++] = argv[i];
	return -1;
}

#define HELP_OPT { "help", no_argument, NULL, 'h' }

/* ---- commands ---- */

typedef struct bool_flags {
	unsigned flags;
} bool_flags;

enum { F_NO_VERIFY = 600, F_FORCE, F_WITHOUT_SELECTOR, F_INCLUDE_TEMPLATES, F_IGNORE, F_VARS };

static int bool_flag(int c, const char *arg, void *st)
{
	bool_flags *b = st;
	bool v = true;
	if (arg && !parse_bool(arg, &v))
		return 2;
	unsigned bit;
	switch (c) {
	case F_NO_VERIFY:
		bit = KB_EDIT_NO_VERIFY;
		break;
	case 'f':
	case F_FORCE:
		bit = KB_EDIT_FORCE;
		break;
	case F_WITHOUT_SELECTOR:
		bit = KB_EDIT_WITHOUT_SELECTOR;
		break;
	case F_INCLUDE_TEMPLATES:
		bit = KB_EDIT_INCLUDE_TEMPLATES;
		break;
	case 'i':
	case F_IGNORE:
		bit = KB_EDIT_IGNORE_MISSING;
		break;
	case F_VARS:
		bit = KB_EDIT_FIX_VARS;
		break;
	default:
		return 1;
	}
	if (v)
		b->flags |= bit;
	else
		b->flags &= ~bit;
	return 0;
}

static int run_list(const sub *s, int argc, char **argv, kb_edit *e, kb_error **err)
{
	static const struct option no_verify[] = {
		{ "no-verify", optional_argument, NULL, F_NO_VERIFY }, HELP_OPT, { NULL, 0, NULL, 0 }
	};
	static const struct option none[] = { HELP_OPT, { NULL, 0, NULL, 0 } };
	bool add = strcmp(s->verb, "add") == 0;
	bool res = s->arg == KB_EDIT_RESOURCES && add && strcmp(s->kind, "base") != 0;
	bool_flags b = { 0 };
	char **pos;
	int npos;
	int rc = parse_flags(s, argc, argv, res ? no_verify : none, NULL, bool_flag, &b, &pos, &npos);
	if (rc < 0) {
		if (strcmp(s->kind, "base") == 0)
			b.flags |= KB_EDIT_BASE;
		*err = add ? kb_edit_add(e, (kb_edit_list)s->arg, (const char *const *)pos,
					 (size_t)npos, b.flags)
			   : kb_edit_remove(e, (kb_edit_list)s->arg, (const char *const *)pos,
					    (size_t)npos);
	}
	free(pos);
	return rc;
}

static int run_bm(const sub *s, int argc, char **argv, kb_edit *e, kb_error **err)
{
	static const struct option none[] = { HELP_OPT, { NULL, 0, NULL, 0 } };
	char **pos;
	int npos;
	int rc = parse_flags(s, argc, argv, none, NULL, NULL, NULL, &pos, &npos);
	if (rc < 0) {
		kb_edit_verb v = s->verb[0] == 'a' ? KB_EDIT_ADD
				 : s->verb[0] == 's' ? KB_EDIT_SET
						     : KB_EDIT_REMOVE;
		*err = kb_edit_buildmetadata(e, v, (const char *const *)pos, (size_t)npos);
	}
	free(pos);
	return rc;
}

static int run_meta(const sub *s, int argc, char **argv, kb_edit *e, kb_error **err)
{
	static const struct option add_label[] = {
		{ "force", optional_argument, NULL, F_FORCE },
		{ "without-selector", optional_argument, NULL, F_WITHOUT_SELECTOR },
		{ "include-templates", optional_argument, NULL, F_INCLUDE_TEMPLATES },
		HELP_OPT,
		{ NULL, 0, NULL, 0 }
	};
	static const struct option add_anno[] = { { "force", optional_argument, NULL, F_FORCE },
						  HELP_OPT,
						  { NULL, 0, NULL, 0 } };
	static const struct option rm[] = {
		{ "ignore-non-existence", optional_argument, NULL, F_IGNORE }, HELP_OPT,
		{ NULL, 0, NULL, 0 }
	};
	static const struct option none[] = { HELP_OPT, { NULL, 0, NULL, 0 } };
	kb_edit_verb v = s->verb[0] == 'a' ? KB_EDIT_ADD : s->verb[0] == 's' ? KB_EDIT_SET
										: KB_EDIT_REMOVE;
	const struct option *lo = none;
	const char *shorts = NULL;
	if (v == KB_EDIT_ADD) {
		lo = s->arg == KB_EDIT_LABEL ? add_label : add_anno;
		shorts = "f";
	} else if (v == KB_EDIT_REMOVE) {
		lo = rm;
		shorts = "i";
	}
	bool_flags b = { 0 };
	char **pos;
	int npos;
	int rc = parse_flags(s, argc, argv, lo, shorts, bool_flag, &b, &pos, &npos);
	if (rc < 0)
		*err = kb_edit_metadata(e, v, (kb_edit_meta)s->arg, (const char *const *)pos,
					(size_t)npos, b.flags);
	free(pos);
	return rc;
}

static int run_field(const sub *s, int argc, char **argv, kb_edit *e, kb_error **err)
{
	static const struct option none[] = { HELP_OPT, { NULL, 0, NULL, 0 } };
	char **pos;
	int npos;
	int rc = parse_flags(s, argc, argv, none, NULL, NULL, NULL, &pos, &npos);
	if (rc < 0) {
		const char *const *a = (const char *const *)pos;
		if (s->arg == 100)
			*err = kb_edit_set_image(e, a, (size_t)npos);
		else if (s->arg == 101)
			*err = kb_edit_set_replicas(e, a, (size_t)npos);
		else
			*err = kb_edit_set_field(e, (kb_edit_field)s->arg, a, (size_t)npos);
	}
	free(pos);
	return rc;
}

enum { P_PATH = 700, P_PATCH, P_GROUP, P_VERSION, P_KIND, P_NAME, P_NAMESPACE, P_ASEL, P_LSEL };

static int patch_flag(int c, const char *arg, void *st)
{
	kb_edit_patch *p = st;
	switch (c) {
	case P_PATH:
		p->path = arg;
		return 0;
	case P_PATCH:
		p->patch = arg;
		return 0;
	case P_GROUP:
		p->group = arg;
		return 0;
	case P_VERSION:
		p->version_ = arg;
		return 0;
	case P_KIND:
		p->kind = arg;
		return 0;
	case P_NAME:
		p->name = arg;
		return 0;
	case P_NAMESPACE:
		p->namespace_ = arg;
		return 0;
	case P_ASEL:
		p->annotation_selector = arg;
		return 0;
	case P_LSEL:
		p->label_selector = arg;
		return 0;
	default:
		return 1;
	}
}

static int run_patch(const sub *s, int argc, char **argv, kb_edit *e, kb_error **err)
{
	static const struct option lo[] = {
		{ "path", required_argument, NULL, P_PATH },
		{ "patch", required_argument, NULL, P_PATCH },
		{ "group", required_argument, NULL, P_GROUP },
		{ "version", required_argument, NULL, P_VERSION },
		{ "kind", required_argument, NULL, P_KIND },
		{ "name", required_argument, NULL, P_NAME },
		{ "namespace", required_argument, NULL, P_NAMESPACE },
		{ "annotation-selector", required_argument, NULL, P_ASEL },
		{ "label-selector", required_argument, NULL, P_LSEL },
		HELP_OPT,
		{ NULL, 0, NULL, 0 },
	};
	kb_edit_patch p;
	kb_edit_patch_init(&p);
	char **pos;
	int npos;
	int rc = parse_flags(s, argc, argv, lo, NULL, patch_flag, &p, &pos, &npos);
	if (rc < 0) {
		if (npos)
			rc = cli_usage_error(cmd_name(s), "unexpected argument '%s'", pos[0]);
		else
			*err = s->verb[0] == 'a' ? kb_edit_add_patch(e, &p) : kb_edit_remove_patch(e, &p);
	}
	free(pos);
	return rc;
}

enum { G_FILE = 800, G_LITERAL, G_ENV, G_HASH, G_BEHAVIOR, G_TYPE, G_NS, G_NEWNS };

/* a growable array of strings (each owned) */
typedef struct strs {
	char **v;
	size_t n, cap;
} strs;

static void strs_push(strs *a, const char *s)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 8;
		a->v = realloc(a->v, a->cap * sizeof(*a->v));
		if (!a->v)
			abort();
	}
	a->v[a->n] = strdup(s);
	if (!a->v[a->n])
		abort();
	a->n++;
}

static void strs_free(strs *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

typedef struct gen_state {
	kb_edit_generator g;
	strs files, literals;
} gen_state;

static int gen_flag(int c, const char *arg, void *st)
{
	gen_state *g = st;
	bool b = true;
	switch (c) {
	case G_FILE: {
		/* a string slice: comma-separated, repeatable */
		char *all = strdup(arg);
		if (!all)
			abort();
		char *s = all;
		for (;;) {
			char *cm = strchr(s, ',');
			if (cm)
				*cm = '\0';
			strs_push(&g->files, s);
			if (!cm)
				break;
			s = cm + 1;
		}
		free(all);
		return 0;
	}
	case G_LITERAL:
		strs_push(&g->literals, arg);
		return 0;
	case G_ENV:
		g->g.env_file = arg;
		return 0;
	case G_HASH:
		if (arg && !parse_bool(arg, &b))
			return 2;
		g->g.disable_name_suffix_hash = b;
		return 0;
	case G_BEHAVIOR:
		g->g.behavior = arg;
		return 0;
	case G_TYPE:
		g->g.type = arg;
		return 0;
	case G_NS:
		g->g.namespace_ = arg;
		return 0;
	case G_NEWNS:
		g->g.new_namespace = arg;
		return 0;
	default:
		return 1;
	}
}

static int run_gen(const sub *s, int argc, char **argv, kb_edit *e, kb_error **err)
{
	static const struct option add_cm[] = {
		{ "from-file", required_argument, NULL, G_FILE },
		{ "from-literal", required_argument, NULL, G_LITERAL },
		{ "from-env-file", required_argument, NULL, G_ENV },
		{ "disableNameSuffixHash", optional_argument, NULL, G_HASH },
		{ "behavior", required_argument, NULL, G_BEHAVIOR },
		{ "namespace", required_argument, NULL, G_NS },
		HELP_OPT,
		{ NULL, 0, NULL, 0 },
	};
	static const struct option add_sec[] = {
		{ "from-file", required_argument, NULL, G_FILE },
		{ "from-literal", required_argument, NULL, G_LITERAL },
		{ "from-env-file", required_argument, NULL, G_ENV },
		{ "disableNameSuffixHash", optional_argument, NULL, G_HASH },
		{ "type", required_argument, NULL, G_TYPE },
		{ "namespace", required_argument, NULL, G_NS },
		HELP_OPT,
		{ NULL, 0, NULL, 0 },
	};
	static const struct option set[] = {
		{ "from-literal", required_argument, NULL, G_LITERAL },
		{ "namespace", required_argument, NULL, G_NS },
		{ "new-namespace", required_argument, NULL, G_NEWNS },
		HELP_OPT,
		{ NULL, 0, NULL, 0 },
	};
	static const struct option rm[] = {
		{ "namespace", required_argument, NULL, G_NS },
		HELP_OPT,
		{ NULL, 0, NULL, 0 },
	};
	bool secret = strcmp(s->kind, "secret") == 0;
	const struct option *lo = s->verb[0] == 'a' ? (secret ? add_sec : add_cm)
				  : s->verb[0] == 's' ? set
						      : rm;
	gen_state g;
	memset(&g, 0, sizeof(g));
	kb_edit_generator_init(&g.g);
	g.g.secret = secret;
	char **pos;
	int npos;
	int rc = parse_flags(s, argc, argv, lo, NULL, gen_flag, &g, &pos, &npos);
	if (rc < 0) {
		g.g.args = (const char *const *)pos;
		g.g.nargs = (size_t)npos;
		g.g.files = (const char *const *)g.files.v;
		g.g.nfiles = g.files.n;
		g.g.literals = (const char *const *)g.literals.v;
		g.g.nliterals = g.literals.n;
		if (s->verb[0] == 'a')
			*err = kb_edit_add_generator(e, &g.g);
		else if (s->verb[0] == 's')
			*err = kb_edit_set_generator(e, &g.g);
		else
			*err = kb_edit_remove_generator(e, secret, (const char *const *)pos,
							(size_t)npos, g.g.namespace_);
	}
	strs_free(&g.files);
	strs_free(&g.literals);
	free(pos);
	return rc;
}

static int run_fix(const sub *s, int argc, char **argv, kb_edit *e, kb_error **err)
{
	static const struct option lo[] = { { "vars", optional_argument, NULL, F_VARS }, HELP_OPT,
					    { NULL, 0, NULL, 0 } };
	bool_flags b = { 0 };
	char **pos;
	int npos;
	int rc = parse_flags(s, argc, argv, lo, NULL, bool_flag, &b, &pos, &npos);
	if (rc < 0) {
		if (npos)
			rc = cli_usage_error("edit fix", "unexpected argument '%s'", pos[0]);
		else
			*err = kb_edit_fix(e, b.flags);
	}
	free(pos);
	return rc;
}

static const sub subs[] = {
	{ "add", "resource", run_list, KB_EDIT_RESOURCES, "PATH|GLOB|URL... [--no-verify]",
	  "Adds files, directories or remote bases to `resources`.  A path that matches\n"
	  "nothing must be a directory or a git URL that can be fetched, unless\n"
	  "--no-verify.  Entries already there are skipped.\n" },
	{ "add", "component", run_list, KB_EDIT_COMPONENTS, "PATH|GLOB...",
	  "Adds components (directories holding a kind: Component) to `components`.\n" },
	{ "add", "transformer", run_list, KB_EDIT_TRANSFORMERS, "FILE|GLOB...",
	  "Adds transformer configuration files to `transformers`.\n" },
	{ "add", "generator", run_list, KB_EDIT_GENERATORS, "FILE|GLOB...",
	  "Adds generator configuration files to `generators`.\n" },
	{ "add", "configuration", run_list, KB_EDIT_CONFIGURATIONS, "FILE|GLOB...",
	  "Adds transformer configurations to `configurations`.\n" },
	{ "add", "base", run_list, KB_EDIT_RESOURCES, "DIR[,DIR...]",
	  "Adds directories to `resources` (kustomize's deprecated `add base`).\n" },
	{ "add", "buildmetadata", run_bm, 0, "OPTION[,OPTION...]",
	  "Adds originAnnotations, transformerAnnotations or managedByLabel to\n"
	  "`buildMetadata`.\n" },
	{ "add", "label", run_meta, KB_EDIT_LABEL,
	  "KEY:VALUE... [-f] [--without-selector [--include-templates]]",
	  "Adds to `commonLabels` (with --without-selector: to a `labels` entry that\n"
	  "does not touch selectors).  An existing key needs --force.\n" },
	{ "add", "annotation", run_meta, KB_EDIT_ANNOTATION, "KEY:VALUE... [-f]",
	  "Adds to `commonAnnotations`.  An existing key needs --force.\n" },
	{ "add", "patch", run_patch, 0,
	  "--path FILE | --patch TEXT [--group G] [--version V] [--kind K] [--name N]\n"
	  "       [--namespace NS] [--label-selector S] [--annotation-selector S]",
	  "Adds an entry to `patches` (skipped when the same one is there).\n" },
	{ "add", "configmap", run_gen, 0,
	  "NAME [--from-file [KEY=]PATH] [--from-literal KEY=VALUE] [--from-env-file FILE]\n"
	  "       [--behavior create|merge|replace] [--namespace NS] [--disableNameSuffixHash]",
	  "Adds a `configMapGenerator` entry, or sources to the one named NAME in the\n"
	  "namespace.  The result is checked by generating it.\n" },
	{ "add", "secret", run_gen, 0,
	  "NAME [--from-file [KEY=]PATH] [--from-literal KEY=VALUE] [--from-env-file FILE]\n"
	  "       [--type TYPE] [--namespace NS] [--disableNameSuffixHash]",
	  "Adds a `secretGenerator` entry, or sources to the one named NAME.\n" },
	{ "set", "image", run_field, 100,
	  "NAME=NEWNAME[:TAG][@DIGEST] | NAME[:TAG][@DIGEST] ...",
	  "Sets `images` entries.  '*' as new name, tag or digest keeps the file's.\n"
	  "An entry for NAME changes in place (its comments, Flux $imagepolicy markers\n"
	  "included); a new one goes to its sorted place in a sorted list, else last.\n"
	  "Example: kbuild edit set image app=registry.example.com/app:1.4.2\n" },
	{ "set", "replicas", run_field, 101, "NAME=COUNT...", "Sets `replicas` entries.\n" },
	{ "set", "namespace", run_field, KB_EDIT_NAMESPACE, "NAMESPACE", "Sets `namespace`.\n" },
	{ "set", "nameprefix", run_field, KB_EDIT_NAMEPREFIX, "PREFIX", "Sets `namePrefix`.\n" },
	{ "set", "namesuffix", run_field, KB_EDIT_NAMESUFFIX, "SUFFIX", "Sets `nameSuffix`.\n" },
	{ "set", "label", run_meta, KB_EDIT_LABEL, "KEY:VALUE...",
	  "Sets `commonLabels` entries (added or overwritten).\n" },
	{ "set", "annotation", run_meta, KB_EDIT_ANNOTATION, "KEY:VALUE...",
	  "Sets `commonAnnotations` entries (added or overwritten).\n" },
	{ "set", "buildmetadata", run_bm, 0, "OPTION[,OPTION...]",
	  "Sets `buildMetadata` to exactly these options.\n" },
	{ "set", "configmap", run_gen, 0,
	  "NAME [--from-literal KEY=VALUE] [--namespace NS] [--new-namespace NS]",
	  "Changes existing literals of a `configMapGenerator` entry, or its namespace.\n" },
	{ "set", "secret", run_gen, 0,
	  "NAME [--from-literal KEY=VALUE] [--namespace NS] [--new-namespace NS]",
	  "Changes existing literals of a `secretGenerator` entry, or its namespace.\n" },
	{ "remove", "resource", run_list, KB_EDIT_RESOURCES, "PATTERN...",
	  "Removes the `resources` (and `bases`) entries matching a pattern.\n" },
	{ "remove", "component", run_list, KB_EDIT_COMPONENTS, "PATTERN...",
	  "Removes the `components` entries matching a pattern.\n" },
	{ "remove", "transformer", run_list, KB_EDIT_TRANSFORMERS, "PATTERN...",
	  "Removes the `transformers` entries matching a pattern.\n" },
	{ "remove", "label", run_meta, KB_EDIT_LABEL, "KEY[,KEY...] [-i]",
	  "Removes `commonLabels` entries; -i ignores keys that are not there.\n" },
	{ "remove", "annotation", run_meta, KB_EDIT_ANNOTATION, "KEY[,KEY...] [-i]",
	  "Removes `commonAnnotations` entries; -i ignores keys that are not there.\n" },
	{ "remove", "patch", run_patch, 0,
	  "--path FILE | --patch TEXT [--group G] [--version V] [--kind K] [--name N]\n"
	  "       [--namespace NS] [--label-selector S] [--annotation-selector S]",
	  "Removes the `patches` entries equal to the one described.\n" },
	{ "remove", "configmap", run_gen, 0, "NAME[,NAME...] [--namespace NS]",
	  "Removes `configMapGenerator` entries.\n" },
	{ "remove", "secret", run_gen, 0, "NAME[,NAME...] [--namespace NS]",
	  "Removes `secretGenerator` entries.\n" },
	{ "remove", "buildmetadata", run_bm, 0, "OPTION[,OPTION...]",
	  "Removes options from `buildMetadata`.\n" },
	{ "fix", "", run_fix, 0, "[--vars]",
	  "Moves deprecated fields to their replacements as kustomize does: bases ->\n"
	  "resources, imageTags -> images, patchesJson6902 and patchesStrategicMerge ->\n"
	  "patches, commonLabels -> labels, env -> envs, helmChartInflationGenerator ->\n"
	  "helmCharts; spells field names canonically and adds apiVersion and kind.\n"
	  "Moved entries keep their comments.  --vars also turns vars into\n"
	  "replacements, writing VAR_PLACEHOLDER into the resource files that used\n"
	  "$(VAR).  The kustomization is built before and after; a difference is\n"
	  "reported.\n" },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

/* Takes -C DIR, --dry-run and --diff out of argv (anywhere before `--`). */
static int take_globals(int *argc, char **argv, edit_globals *g)
{
	int w = 1;
	bool dashdash = false;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		if (!dashdash && strcmp(a, "--") == 0) {
			dashdash = true;
			argv[w++] = argv[i];
			continue;
		}
		if (!dashdash && strcmp(a, "--dry-run") == 0) {
			g->dry_run = true;
		} else if (!dashdash && strcmp(a, "--diff") == 0) {
			g->diff = true;
		} else if (!dashdash && (strcmp(a, "-C") == 0 || strcmp(a, "--dir") == 0)) {
			if (i + 1 >= *argc)
				return cli_usage_error("edit", "flag needs an argument: %s", a);
			g->dir = argv[++i];
		} else if (!dashdash && strncmp(a, "-C", 2) == 0 && a[2]) {
			g->dir = a + 2;
		} else if (!dashdash && strncmp(a, "--dir=", 6) == 0) {
			g->dir = a + 6;
		} else {
			argv[w++] = argv[i];
		}
	}
	argv[w] = NULL;
	*argc = w;
	return -1;
}

/* Prints the result or writes it; returns the exit status. */
int cli_edit_finish(kb_edit *e, bool dry_run, bool diff)
{
	for (size_t i = 0; i < kb_edit_message_count(e); i++)
		fprintf(stderr, "kbuild: %s\n", kb_edit_message(e, i));
	if (diff) {
		char *d = kb_edit_diff(e);
		fputs(d, stdout);
		free(d);
	} else if (dry_run) {
		size_t len;
		const char *t = kb_edit_text(e, &len);
		fwrite(t, 1, len, stdout);
	} else if (kb_edit_changed(e)) {
		kb_error *err = kb_edit_write(e);
		if (err) {
			cli_print_error(err);
			kb_error_free(err);
			return 1;
		}
	}
	if (fflush(stdout) != 0) {
		perror("kbuild: error: writing output");
		return 1;
	}
	return 0;
}

static void verb_help(const char *verb)
{
	printf("Usage: kbuild edit %s KIND ARGS...\n\nKinds:\n", verb);
	for (const sub *s = subs; s->verb; s++)
		if (strcmp(s->verb, verb) == 0) {
			/* the first sentence, on one line */
			printf("  %-14s ", s->kind);
			for (const char *c = s->help; *c; c++) {
				if (*c == '.' && (c[1] == ' ' || c[1] == '\n' || !c[1])) {
					putchar('.');
					break;
				}
				putchar(*c == '\n' ? ' ' : *c);
			}
			putchar('\n');
		}
	printf("\nRun 'kbuild edit %s KIND --help' for a kind's arguments.\n", verb);
}

int cmd_edit(int argc, char **argv)
{
	edit_globals g = { NULL, false, false };
	int rc = take_globals(&argc, argv, &g);
	if (rc >= 0)
		return rc;
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(edit_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *verb = argv[1];
	bool known_verb = false;
	for (const sub *s = subs; s->verb; s++)
		known_verb |= strcmp(s->verb, verb) == 0;
	if (!known_verb)
		return cli_usage_error("edit", "unknown edit command '%s'; use add, set, remove or fix",
				       verb);
	const sub *s = NULL;
	int shift;
	if (strcmp(verb, "fix") == 0) {
		s = &subs[sizeof(subs) / sizeof(*subs) - 2];
		shift = 1;
	} else {
		if (argc < 3 || strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0) {
			verb_help(verb);
			return argc < 3 ? 2 : 0;
		}
		for (const sub *k = subs; k->verb; k++)
			if (strcmp(k->verb, verb) == 0 && strcmp(k->kind, argv[2]) == 0)
				s = k;
		if (!s) {
			char cmd[32];
			snprintf(cmd, sizeof(cmd), "edit %s", verb);
			return cli_usage_error(cmd, "unknown kind '%s' for 'edit %s'", argv[2], verb);
		}
		shift = 2;
	}
	/* help needs no kustomization */
	for (int i = shift + 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			sub_help(s);
			return 0;
		}
	}
	kb_edit_options o;
	kb_edit_options_init(&o);
	o.dir = g.dir;
	kb_edit *e = NULL;
	kb_error *err = kb_edit_open(&o, &e);
	if (err) {
		cli_print_error(err);
		int code = cli_exit_code(err);
		kb_error_free(err);
		return code;
	}
	rc = s->run(s, argc - shift, argv + shift, e, &err);
	if (rc >= 0) {
		kb_edit_free(e);
		return rc;
	}
	if (err) {
		cli_print_error(err);
		int code = cli_exit_code(err);
		kb_error_free(err);
		kb_edit_free(e);
		return code;
	}
	rc = cli_edit_finish(e, g.dry_run, g.diff);
	kb_edit_free(e);
	return rc;
}

