/*
 * check.c - `kbuild check [PATH...]`: build every overlay of a repository
 * and report every failure (kb_check in kbuild/check.h does the work;
 * this file turns flags into options and formats the results).
 *
 * Formats: text (compiler-style, for people), json (one object per
 * overlay per line), junit (XML for CI dashboards), github (workflow
 * annotations).  The report goes to stdout; problems of the run itself
 * (a bad flag, a directory that cannot be listed) to stderr.
 *
 * `--flux` (kb_check_flux) checks the Flux clusters at the PATHs instead:
 * one result per Flux Kustomization, in apply order, each listed in the
 * text format (a cluster has a handful), under its NAMESPACE/NAME.
 */
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: kbuild check [PATH...] [flags]\n"
	"       kbuild check --changed [FILE...] [flags]\n"
	"       kbuild check --flux [PATH...] [flags]\n"
	"\n"
	"Find every kustomization below the PATHs (default: the current directory) and\n"
	"build each exactly as `kbuild build` would, reporting every failure: a\n"
	"directory holding kustomization.yaml, kustomization.yml or Kustomization is\n"
	"an overlay, unless its kind is Component; .git is skipped.\n"
	"\n"
	"With --flux, the PATHs are Flux clusters (such as clusters/prod, or files of\n"
	"Flux Kustomizations), each rendered as `kbuild flux` renders it, and every\n"
	"Flux Kustomization of the cluster is checked and reported as NAMESPACE/NAME.\n"
	"\n"
	"Flags:\n"
	"      --flux                   check the Flux clusters at the PATHs, Kustomization\n"
	"                               by Kustomization (not with --changed, --since,\n"
	"                               --exclude)\n"
	"      --exclude GLOB           leave out directories matching GLOB (gitignore\n"
	"                               syntax, relative to the current directory;\n"
	"                               repeatable); .kbuildignore files do the same\n"
	"      --no-ignore-file         do not read .kbuildignore files\n"
	"      --changed                the arguments are changed files (what pre-commit\n"
	"                               passes): check only the overlays under the\n"
	"                               current directory whose builds read one of them\n"
	"      --since REF              check only the overlays whose builds read a file\n"
	"                               that differs from git commit REF (untracked too)\n"
	"      --strict                 a warning fails its overlay\n"
	"      --format FORMAT          text (default), json, junit or github\n"
	"  -o, --output DIR             write each built overlay's output to\n"
	"                               DIR/<overlay path>.yaml (--flux:\n"
	"                               DIR/NAMESPACE/NAME.yaml per Kustomization)\n"
	"  -j, --jobs N                 builds at once (default: the number of CPUs)\n"
	"  -v, --verbose                text: list the overlays that pass too\n"
	"      --no-cache               builds share no file cache (for measuring)\n";

static void print_usage(FILE *fp)
{
	fputs(usage_text, fp);
	fputs("\nFlux flags (with --flux, as for `kbuild flux`):\n", fp);
	fputs(cli_flux_flags_help, fp);
	fputs("\nBuild flags (as for `kbuild build`):\n", fp);
	fputs(cli_build_flags_help, fp);
	fputs("  -h, --help                   show this help\n"
	      "\n"
	      "Exit status: 0 when every overlay (or Flux Kustomization) checked builds,\n"
	      "1 when any fails, 2 on a usage error.\n",
	      fp);
}

typedef enum { FMT_TEXT, FMT_JSON, FMT_JUNIT, FMT_GITHUB } out_format;

/* A set of strings already printed (text: each distinct warning once). */
typedef struct seen_set {
	char **slot;
	size_t nslot, n;
} seen_set;

static size_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* true when s was not in the set (and now is) */
static bool seen_add(seen_set *set, const char *s)
{
	if ((set->n + 1) * 2 > set->nslot) {
		size_t ns = set->nslot ? set->nslot * 2 : 64;
		char **slot = calloc(ns, sizeof(*slot));
		if (!slot)
			abort();
		for (size_t i = 0; i < set->nslot; i++)
			if (set->slot[i]) {
				size_t h = str_hash(set->slot[i]) & (ns - 1);
				while (slot[h])
					h = (h + 1) & (ns - 1);
				slot[h] = set->slot[i];
			}
		free(set->slot);
		set->slot = slot;
		set->nslot = ns;
	}
	size_t h = str_hash(s) & (set->nslot - 1);
	while (set->slot[h]) {
		if (strcmp(set->slot[h], s) == 0)
			return false;
		h = (h + 1) & (set->nslot - 1);
	}
	set->slot[h] = strdup(s);
	if (!set->slot[h])
		abort();
	set->n++;
	return true;
}

static void seen_free(seen_set *set)
{
	for (size_t i = 0; i < set->nslot; i++)
		free(set->slot[i]);
	free(set->slot);
}

typedef struct report {
	out_format fmt;
	bool verbose;
	bool strict;
	bool flux; /* results are Flux Kustomizations */
	FILE *out;
	seen_set warned;       /* text: warnings shown */
	size_t distinct_warnings;
	/* junit: the test cases, written at the end */
	char *junit;
	size_t junit_len;
	FILE *junit_fp;
	size_t junit_tests, junit_failures;
	double junit_time;
} report;

/* One diagnostic of a result as the formatters walk it: the frames of a
 * kb_error (kbuild.h), frame 0 with its notes. */
typedef struct cdiag {
	kb_diag_kind severity;
	int code;
	const char *file; /* NULL when unknown */
	unsigned line, col;
	const char *message;
	struct cdiag *notes;
	size_t nnotes;
} cdiag;

/* A result's diagnostics: its error first (if any), then its warnings. */
typedef struct diag_view {
	cdiag *d;
	size_t nd;
} diag_view;

static cdiag frame_at(const kb_error *e, size_t i)
{
	cdiag c = { kb_error_frame_kind(e, i), kb_error_code(e), kb_error_frame_file(e, i),
		    kb_error_frame_line(e, i), kb_error_frame_column(e, i),
		    kb_error_frame_message(e, i), NULL, 0 };
	return c;
}

static cdiag diag_of(const kb_error *e)
{
	cdiag c = frame_at(e, 0);
	size_t n = kb_error_frame_count(e);
	if (n > 1) {
		c.notes = calloc(n - 1, sizeof(*c.notes));
		if (!c.notes)
			abort();
		for (size_t i = 1; i < n; i++)
			c.notes[i - 1] = frame_at(e, i);
		c.nnotes = n - 1;
	}
	return c;
}

static void view_init(diag_view *v, const kb_check_result *r)
{
	v->nd = (r->error ? 1 : 0) + r->nwarnings;
	v->d = calloc(v->nd ? v->nd : 1, sizeof(*v->d));
	if (!v->d)
		abort();
	size_t k = 0;
	if (r->error)
		v->d[k++] = diag_of(r->error);
	for (size_t i = 0; i < r->nwarnings; i++)
		v->d[k++] = diag_of(r->warnings[i]);
}

static void view_free(diag_view *v)
{
	for (size_t i = 0; i < v->nd; i++)
		free(v->d[i].notes);
	free(v->d);
}

/* ---- text ---- */

static void text_frame(FILE *fp, const char *indent, const cdiag *d, const char *fallback)
{
	fputs(indent, fp);
	const char *file = d->file ? d->file : fallback;
	if (file) {
		fputs(file, fp);
		if (d->line) {
			fprintf(fp, ":%u", d->line);
			if (d->col)
				fprintf(fp, ":%u", d->col);
		}
		fputs(": ", fp);
	}
	const char *sev = d->severity == KB_DIAG_ERROR ? "error: "
			  : d->severity == KB_DIAG_WARNING ? "warning: "
							   : "note: ";
	fprintf(fp, "%s%s\n", sev, d->message);
}

static char *diag_key(const cdiag *d)
{
	size_t n = strlen(d->message) + (d->file ? strlen(d->file) : 0) + 64;
	char *k = malloc(n);
	if (!k)
		abort();
	snprintf(k, n, "%s:%u:%u:%s", d->file ? d->file : "", d->line, d->col, d->message);
	return k;
}

/* The file a diagnostic without one is reported at. */
static const char *fallback_file(const kb_check_result *r)
{
	return r->flux_file && *r->flux_file ? r->flux_file : r->path;
}

/* "flux-system/apps (path ./apps/prod)": a Flux Kustomization's name in
 * the text report. */
static void flux_name(FILE *fp, const kb_check_result *r)
{
	fputs(r->path, fp);
	if (r->flux_spec_path && *r->flux_spec_path)
		fprintf(fp, " (path %s)", r->flux_spec_path);
}

static void text_flux_head(report *rp, const kb_check_result *r)
{
	FILE *fp = rp->out;
	flux_name(fp, r);
	if (!r->ok)
		fprintf(fp, ": FAILED%s\n",
			r->built && rp->strict ? " (warnings are errors with --strict)" : "");
	else if (r->flux_skipped)
		fputs(": skipped\n", fp);
	else if (r->nwarnings)
		fprintf(fp, ": ok (%zu resource%s, %zu warning%s)\n", r->resources,
			r->resources == 1 ? "" : "s", r->nwarnings, r->nwarnings == 1 ? "" : "s");
	else
		fprintf(fp, ": ok (%zu resource%s)\n", r->resources, r->resources == 1 ? "" : "s");
}

static void text_result(report *rp, const kb_check_result *r, const diag_view *v)
{
	FILE *fp = rp->out;
	/* which warnings are new to this report */
	size_t fresh = 0;
	bool *show = calloc(v->nd ? v->nd : 1, sizeof(*show));
	if (!show)
		abort();
	for (size_t i = 0; i < v->nd; i++) {
		if (v->d[i].severity != KB_DIAG_WARNING) {
			show[i] = true;
			continue;
		}
		char *k = diag_key(&v->d[i]);
		if (seen_add(&rp->warned, k)) {
			show[i] = true;
			fresh++;
			rp->distinct_warnings++;
		}
		free(k);
	}
	/* a failure under --strict shows every warning that failed it */
	if (!r->ok)
		for (size_t i = 0; i < v->nd; i++)
			show[i] = true;
	size_t shown_w = 0;
	for (size_t i = 0; i < v->nd; i++)
		if (show[i] && v->d[i].severity == KB_DIAG_WARNING)
			shown_w++;
	if (rp->flux) {
		text_flux_head(rp, r);
	} else if (!r->ok) {
		fprintf(fp, "%s: FAILED%s\n", r->path,
			r->built ? (rp->strict ? " (warnings are errors with --strict)" : "") : "");
	} else if (fresh) {
		fprintf(fp, "%s: ok, %zu warning%s\n", r->path, r->nwarnings,
			r->nwarnings == 1 ? "" : "s");
	} else if (rp->verbose) {
		fprintf(fp, "%s: ok (%zu resource%s, %.1f ms)\n", r->path, r->resources,
			r->resources == 1 ? "" : "s", r->seconds * 1000);
	}
	for (size_t i = 0; i < v->nd; i++) {
		if (!show[i])
			continue;
		text_frame(fp, "  ", &v->d[i], fallback_file(r));
		for (size_t k = 0; k < v->d[i].nnotes; k++)
			text_frame(fp, "    ", &v->d[i].notes[k], NULL);
	}
	if ((fresh || !r->ok) && r->nwarnings > shown_w)
		fprintf(fp, "  (and %zu warning%s shown above)\n", r->nwarnings - shown_w,
			r->nwarnings - shown_w == 1 ? "" : "s");
	free(show);
}

/* ---- json ---- */

static void json_str(FILE *fp, const char *s)
{
	if (!s) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", fp);
			break;
		case '\\':
			fputs("\\\\", fp);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		case '\r':
			fputs("\\r", fp);
			break;
		case '\t':
			fputs("\\t", fp);
			break;
		default:
			if (*p < 0x20)
				fprintf(fp, "\\u%04x", *p);
			else
				fputc(*p, fp);
		}
	}
	fputc('"', fp);
}

static void json_diag(FILE *fp, const cdiag *d)
{
	static const char *const sev[] = { "", "error", "warning", "note" };
	fprintf(fp, "{\"severity\":\"%s\",\"file\":", sev[d->severity]);
	json_str(fp, d->file);
	fprintf(fp, ",\"line\":%u,\"column\":%u,\"message\":", d->line, d->col);
	json_str(fp, d->message);
	if (d->severity == KB_DIAG_WARNING)
		fprintf(fp, ",\"code\":\"%s\"",
			d->code == KB_WARN_DEPRECATED ? "deprecated" : "suspicious");
	if (d->nnotes) {
		fputs(",\"notes\":[", fp);
		for (size_t i = 0; i < d->nnotes; i++) {
			if (i)
				fputc(',', fp);
			json_diag(fp, &d->notes[i]);
		}
		fputc(']', fp);
	}
	fputc('}', fp);
}

static void json_result(report *rp, const kb_check_result *r, const diag_view *v)
{
	FILE *fp = rp->out;
	fputs("{\"path\":", fp);
	json_str(fp, r->path);
	fprintf(fp, ",\"ok\":%s,\"built\":%s,\"duration_ms\":%.3f,\"resources\":%zu,"
		    "\"warnings\":%zu,\"diagnostics\":[",
		r->ok ? "true" : "false", r->built ? "true" : "false", r->seconds * 1000,
		r->resources, r->nwarnings);
	for (size_t i = 0; i < v->nd; i++) {
		if (i)
			fputc(',', fp);
		json_diag(fp, &v->d[i]);
	}
	fputc(']', fp);
	if (r->flux_path) {
		fputs(",\"flux\":{\"cluster_path\":", fp);
		json_str(fp, r->flux_path);
		fputs(",\"namespace\":", fp);
		json_str(fp, r->flux_namespace);
		fputs(",\"name\":", fp);
		json_str(fp, r->flux_name);
		fputs(",\"spec_path\":", fp);
		json_str(fp, r->flux_spec_path);
		fputs(",\"file\":", fp);
		json_str(fp, r->flux_file);
		fprintf(fp, ",\"line\":%u,\"cluster\":", r->flux_line);
		json_str(fp, r->flux_cluster);
		fprintf(fp, ",\"skipped\":%s}", r->flux_skipped ? "true" : "false");
	}
	if (r->bundle) {
		fputs(",\"bundle\":", fp);
		json_str(fp, r->bundle);
	}
	if (r->ntouched) {
		fputs(",\"changed\":[", fp);
		for (size_t i = 0; i < r->ntouched; i++) {
			if (i)
				fputc(',', fp);
			json_str(fp, r->touched[i]);
		}
		fputc(']', fp);
	}
	fputs("}\n", fp);
}

/* ---- junit ---- */

static void xml_str(FILE *fp, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&apos;", fp);
			break;
		default:
			/* characters XML 1.0 does not allow */
			if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				fputc('?', fp);
			else
				fputc(*p, fp);
		}
	}
}

/* "file:line:col: severity: message" of d and its notes, one per line */
static char *diag_text(const cdiag *d, const char *fallback)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (!fp)
		abort();
	text_frame(fp, "", d, fallback);
	for (size_t k = 0; k < d->nnotes; k++)
		text_frame(fp, "  ", &d->notes[k], NULL);
	fclose(fp);
	return buf;
}

static void junit_result(report *rp, const kb_check_result *r, const diag_view *v)
{
	FILE *fp = rp->junit_fp;
	rp->junit_tests++;
	rp->junit_time += r->seconds;
	fputs("    <testcase classname=\"kbuild.check\" name=\"", fp);
	xml_str(fp, r->path);
	fprintf(fp, "\" time=\"%.3f\"", r->seconds);
	if (r->ok && v->nd == 0) {
		fputs("/>\n", fp);
		return;
	}
	fputs(">\n", fp);
	if (!r->ok) {
		rp->junit_failures++;
		const cdiag *first = v->nd ? &v->d[0] : NULL;
		fputs("      <failure type=\"", fp);
		fputs(r->built ? "strict" : "build", fp);
		fputs("\" message=\"", fp);
		xml_str(fp, first ? first->message : "failed");
		fputs("\">", fp);
		for (size_t i = 0; i < v->nd; i++) {
			char *t = diag_text(&v->d[i], fallback_file(r));
			xml_str(fp, t);
			free(t);
		}
		fputs("</failure>\n", fp);
	} else {
		/* warnings of an overlay that passes */
		fputs("      <system-err>", fp);
		for (size_t i = 0; i < v->nd; i++) {
			char *t = diag_text(&v->d[i], fallback_file(r));
			xml_str(fp, t);
			free(t);
		}
		fputs("</system-err>\n", fp);
	}
	fputs("    </testcase>\n", fp);
}

static void junit_finish(report *rp)
{
	fclose(rp->junit_fp);
	rp->junit_fp = NULL;
	FILE *fp = rp->out;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
	fprintf(fp,
		"<testsuites name=\"kbuild check\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"time=\"%.3f\">\n",
		rp->junit_tests, rp->junit_failures, rp->junit_time);
	fprintf(fp,
		"  <testsuite name=\"kbuild check\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"skipped=\"0\" time=\"%.3f\">\n",
		rp->junit_tests, rp->junit_failures, rp->junit_time);
	if (rp->junit_len)
		fwrite(rp->junit, 1, rp->junit_len, fp);
	fputs("  </testsuite>\n</testsuites>\n", fp);
	free(rp->junit);
	rp->junit = NULL;
}

/* ---- github ---- */

/* GitHub's workflow-command escaping: data escapes %, CR, LF; property
 * values also ':' and ','. */
static void gh_escape(FILE *fp, const char *s, bool property)
{
	for (; s && *s; s++) {
		if (*s == '%')
			fputs("%25", fp);
		else if (*s == '\r')
			fputs("%0D", fp);
		else if (*s == '\n')
			fputs("%0A", fp);
		else if (property && *s == ':')
			fputs("%3A", fp);
		else if (property && *s == ',')
			fputs("%2C", fp);
		else
			fputc(*s, fp);
	}
}

static void github_result(report *rp, const kb_check_result *r, const diag_view *v)
{
	FILE *fp = rp->out;
	for (size_t i = 0; i < v->nd; i++) {
		const cdiag *d = &v->d[i];
		bool err = d->severity == KB_DIAG_ERROR || rp->strict;
		fputs(err ? "::error file=" : "::warning file=", fp);
		gh_escape(fp, d->file ? d->file : fallback_file(r), true);
		if (d->line) {
			fprintf(fp, ",line=%u", d->line);
			if (d->col)
				fprintf(fp, ",col=%u", d->col);
		}
		fputs(",title=", fp);
		gh_escape(fp, "kbuild check ", true);
		gh_escape(fp, r->path, true);
		fputs("::", fp);
		gh_escape(fp, d->message, false);
		for (size_t k = 0; k < d->nnotes; k++) {
			char *t = NULL;
			size_t tl = 0;
			FILE *m = open_memstream(&t, &tl);
			if (!m)
				abort();
			text_frame(m, "", &d->notes[k], NULL);
			fclose(m);
			if (tl && t[tl - 1] == '\n')
				t[--tl] = '\0';
			fputs("%0A", fp);
			gh_escape(fp, t, false);
			free(t);
		}
		fputc('\n', fp);
	}
	if (!r->ok && v->nd == 0) {
		fputs("::error file=", fp);
		gh_escape(fp, fallback_file(r), true);
		fputs("::", fp);
		gh_escape(fp, r->path, false);
		fputs(" failed\n", fp);
	}
}

static int on_result(void *ud, const kb_check_result *r)
{
	report *rp = ud;
	diag_view v;
	view_init(&v, r);
	switch (rp->fmt) {
	case FMT_TEXT:
		text_result(rp, r, &v);
		break;
	case FMT_JSON:
		json_result(rp, r, &v);
		break;
	case FMT_JUNIT:
		junit_result(rp, r, &v);
		break;
	case FMT_GITHUB:
		github_result(rp, r, &v);
		break;
	}
	view_free(&v);
	return 0;
}

static void on_warning(void *ud, const kb_error *w)
{
	(void)ud;
	cdiag d = diag_of(w);
	fputs("kbuild: ", stderr);
	text_frame(stderr, "", &d, NULL);
	free(d.notes);
}

static void print_summary(report *rp, const kb_check_summary *s)
{
	size_t w = rp->fmt == FMT_TEXT ? rp->distinct_warnings : s->warnings;
	fprintf(rp->out, "%zu %s%s: %zu ok, %zu failed, %zu warning%s", s->overlays,
		rp->flux ? "Kustomization" : "overlay", s->overlays == 1 ? "" : "s", s->ok,
		s->failed, w, w == 1 ? "" : "s");
	if (s->untouched)
		fprintf(rp->out, " (%zu not touched by the change)", s->untouched);
	fputc('\n', rp->out);
	if (rp->verbose && rp->fmt == FMT_TEXT && rp->flux)
		fprintf(rp->out, "%.0f ms\n", s->seconds * 1000);
	else if (rp->verbose && rp->fmt == FMT_TEXT)
		fprintf(rp->out,
			"%zu Component%s and %zu excluded director%s left out; shared cache: %zu "
			"file reads (%zu from disk), %zu parses (%zu parsed); %.0f ms\n",
			s->components, s->components == 1 ? "" : "s", s->excluded,
			s->excluded == 1 ? "y" : "ies", s->reads, s->read_misses, s->parses,
			s->parse_misses, s->seconds * 1000);
}

int cmd_check(int argc, char **argv)
{
	enum {
		OPT_EXCLUDE = CLI_OPT_FIRST_FREE,
		OPT_NO_IGNORE,
		OPT_CHANGED,
		OPT_SINCE,
		OPT_STRICT,
		OPT_FORMAT,
		OPT_NO_CACHE,
		OPT_FLUX,
	};
	static const struct option longopts[] = {
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "no-ignore-file", no_argument, NULL, OPT_NO_IGNORE },
		{ "changed", no_argument, NULL, OPT_CHANGED },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "flux", no_argument, NULL, OPT_FLUX },
		CLI_FLUX_LONGOPTS,
		CLI_BUILD_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	kb_options opts;
	kb_options_init(&opts);
	cli_build_flags bf = { 0 };
	kb_check_options co;
	kb_check_options_init(&co);
	kb_flux_options fo;
	kb_flux_options_init(&fo);
	cli_flux_flags ff = { 0 };
	report rp;
	memset(&rp, 0, sizeof(rp));
	rp.out = stdout;
	const char **excl = calloc((size_t)argc + 1, sizeof(*excl));
	if (!excl)
		abort();
	size_t nexcl = 0;
	int c;
	opterr = 0;
	optind = 1;
	int code = 0;
	while ((c = getopt_long(argc, argv, ":o:j:e:vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_EXCLUDE:
			excl[nexcl++] = optarg;
			break;
		case OPT_NO_IGNORE:
			co.no_ignore_files = 1;
			break;
		case OPT_CHANGED:
			co.has_changed = 1;
			break;
		case OPT_SINCE:
			co.since = optarg;
			break;
		case OPT_STRICT:
			co.strict = 1;
			break;
		case OPT_NO_CACHE:
			co.no_cache = 1;
			break;
		case OPT_FLUX:
			rp.flux = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				rp.fmt = FMT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				rp.fmt = FMT_JSON;
			else if (strcmp(optarg, "junit") == 0)
				rp.fmt = FMT_JUNIT;
			else if (strcmp(optarg, "github") == 0)
				rp.fmt = FMT_GITHUB;
			else {
				code = cli_usage_error("check",
						       "illegal flag value --format %s; use text, "
						       "json, junit or github",
						       optarg);
				goto out;
			}
			break;
		case 'o':
			co.bundle_dir = optarg;
			break;
		case 'j': {
			char *end;
			errno = 0;
			long n = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || n < 1 || n > 1024) {
				code = cli_usage_error("check",
						       "illegal flag value -j %s; give a number of "
						       "jobs from 1 to 1024",
						       optarg);
				goto out;
			}
			co.jobs = (unsigned)n;
			break;
		}
		case 'v':
			rp.verbose = true;
			break;
		case 'h':
			print_usage(stdout);
			goto out;
		case ':':
			code = cli_usage_error("check", "flag needs an argument: %s", argv[optind - 1]);
			goto out;
		case '?':
			code = cli_usage_error("check", "unknown flag: %s", argv[optind - 1]);
			goto out;
		case 'e':
			c = CLI_OPT_ENV;
			/* fall through */
		default:
			if (cli_flux_flag(c, optarg, &fo, &ff) == 0)
				break;
			switch (cli_build_flag("check", c, optarg, &opts, &bf)) {
			case 0:
				break;
			case 2:
				code = 2;
				goto out;
			default:
				code = cli_usage_error("check", "unknown flag: %s", argv[optind - 1]);
				goto out;
			}
		}
	}
	if (ff.any && !rp.flux) {
		code = cli_usage_error("check", "the Flux flags (--source, --values-from, ...) "
						"need --flux");
		goto out;
	}
	cli_flux_flags_apply(&ff, &fo);
	cli_build_env(&opts);
	co.build = &opts;
	co.exclude = excl;
	co.nexclude = nexcl;
	if (co.has_changed) {
		co.changed = (const char *const *)argv + optind;
		co.nchanged = (size_t)(argc - optind);
	} else {
		co.paths = (const char *const *)argv + optind;
		co.npaths = (size_t)(argc - optind);
	}
	co.keep_output = 0;
	rp.strict = co.strict;
	co.on_result = on_result;
	co.on_warning = on_warning;
	co.ud = &rp;
	if (rp.fmt == FMT_JUNIT) {
		rp.junit_fp = open_memstream(&rp.junit, &rp.junit_len);
		if (!rp.junit_fp)
			abort();
	}
	kb_check_summary sum;
	kb_error *err = rp.flux ? kb_check_flux(&co, &fo, &sum) : kb_check(&co, &sum);
	if (rp.fmt == FMT_JUNIT)
		junit_finish(&rp);
	if (err) {
		fflush(stdout);
		cli_print_error(err);
		code = kb_error_code(err) == KB_ERR_USAGE ? 2 : 1;
		kb_error_free(err);
		goto out;
	}
	if (rp.fmt == FMT_TEXT || rp.fmt == FMT_GITHUB)
		print_summary(&rp, &sum);
	else if (rp.fmt == FMT_JSON || rp.fmt == FMT_JUNIT) {
		/* the report is data on stdout; people still get the line */
		FILE *keep = rp.out;
		rp.out = stderr;
		print_summary(&rp, &sum);
		rp.out = keep;
	}
	if (fflush(stdout) != 0) {
		perror("kbuild: error: writing the report");
		code = 1;
		goto out;
	}
	code = sum.failed ? 1 : 0;
out:
	if (rp.junit_fp)
		fclose(rp.junit_fp);
	free(rp.junit);
	seen_free(&rp.warned);
	cli_flux_flags_free(&ff);
	free(excl);
	return code;
}
