/*
 * diff.c - `kbuild diff [--base REF] [--head REF] [PATH...]`: what a
 * change does to the rendered manifests (kbuild/diff.h does the work;
 * this file parses flags and formats the result as text, markdown or
 * JSON).
 *
 * Exit status as diff(1): 0 no differences, 1 differences, 2 trouble
 * (usage, not a git repository, unknown revision); --exit-zero makes 1
 * a 0 for CI steps that only post the result.
 *
 * `--flux PATH...` (issue 16, kb_diff_flux) renders the Flux clusters at
 * the PATHs on both sides instead, one entry per Flux Kustomization; the
 * formats below name the entries "Kustomization" rather than "overlay".
 */
#define _GNU_SOURCE
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_FLUX = CLI_OPT_FIRST_FREE - 1,
	OPT_BASE = CLI_OPT_FIRST_FREE,
	OPT_HEAD,
	OPT_FORMAT,
	OPT_COLOR,
	OPT_SHOW_SECRETS,
	OPT_EXIT_ZERO,
	OPT_ALL,
	OPT_MAX_SIZE,
	OPT_EXCLUDE,
	OPT_NO_IGNORE,
};

const char cmd_diff_usage[] =
	"Usage: kbuild diff [--base REF] [--head REF] [PATH...] [flags]\n"
	"       kbuild diff --flux [--base REF] [--head REF] [PATH...] [flags]\n"
	"\n"
	"Render every overlay below the PATHs (default .) that a change touches at\n"
	"the git revision REF (default HEAD) and in the working tree (or at --head),\n"
	"and print what differs, resource by resource.  The base side is read from\n"
	"git; the working tree is never touched.\n"
	"\n"
	"With --flux, the PATHs are Flux clusters (such as clusters/prod, or files of\n"
	"Flux Kustomizations): each is rendered on both sides as `kbuild flux` renders\n"
	"it, and what differs is shown Flux Kustomization by Kustomization.\n"
	"\n"
	"Flags:\n"
	"      --flux                   diff the Flux clusters at the PATHs, Kustomization\n"
	"                               by Kustomization (every one is rendered)\n"
	"      --base REF               revision of the base side (default HEAD)\n"
	"      --head REF               revision of the head side (default: the working tree)\n"
	"      --format FORMAT          text (default), markdown (a pull-request comment)\n"
	"                               or json\n"
	"      --color WHEN             auto (default: when stdout is a terminal and\n"
	"                               NO_COLOR is unset), always or never\n"
	"  -U, --context N              lines of context around each change (default 3)\n"
	"      --show-secrets           show Secret values (masked by default)\n"
	"      --all                    render every overlay, not only those a change touches\n"
	"      --max-size BYTES         markdown: cap the comment's size (default 60000)\n"
	"      --exclude GLOB           leave out directories matching GLOB (gitignore\n"
	"                               syntax, repeatable), as kbuild check does\n"
	"      --no-ignore-file         do not read .kbuildignore files\n"
	"  -j, --jobs N                 builds at once (default: the number of CPUs)\n"
	"      --exit-zero              exit 0 when there are differences (still 2 on trouble)\n";

static void print_usage(FILE *fp)
{
	fputs(cmd_diff_usage, fp);
	fputs("\nFlux flags (with --flux, as for `kbuild flux`):\n", fp);
	fputs(cli_flux_flags_help, fp);
	fputs("\nBuild flags (as for `kbuild build`):\n", fp);
	fputs(cli_build_flags_help, fp);
	fputs("  -h, --help                   show this help\n"
	      "\n"
	      "Exit status: 0 no differences, 1 differences, 2 trouble.\n",
	      fp);
}

/* ---- output buffer ---- */

typedef struct out {
	char *data;
	size_t len, cap;
} out;

static void out_append(out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t c = o->cap ? o->cap * 2 : 4096;
		while (c < o->len + n + 1)
			c *= 2;
		char *d = realloc(o->data, c);
		if (!d) {
			perror("kbuild: error");
			exit(2);
		}
		o->data = d;
		o->cap = c;
	}
	memcpy(o->data + o->len, s, n);
	o->len += n;
	o->data[o->len] = '\0';
}

static void out_puts(out *o, const char *s)
{
	out_append(o, s, strlen(s));
}

static void out_printf(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		perror("kbuild: error");
		exit(2);
	}
	out_append(o, s, (size_t)n);
	free(s);
}

/* ---- shared wording ---- */

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "Deployment.apps podinfo/podinfo" */
static void put_id(out *o, const kb_diff_resource *r)
{
	out_puts(o, r->kind);
	if (*r->group) {
		out_puts(o, ".");
		out_puts(o, r->group);
	}
	out_puts(o, " ");
	if (*r->namespace_) {
		out_puts(o, r->namespace_);
		out_puts(o, "/");
	}
	if (r->base_name) {
		out_puts(o, r->base_name);
		out_puts(o, " -> ");
	}
	out_puts(o, r->name);
}

static const char *res_status(const kb_diff_resource *r)
{
	switch (r->status) {
	case KB_DIFF_ADDED:
		return "added";
	case KB_DIFF_REMOVED:
		return "removed";
	case KB_DIFF_CHANGED:
		return "changed";
	default:
		return "unchanged";
	}
}

static const char *ov_status(const kb_diff_overlay *ov)
{
	switch (ov->status) {
	case KB_DIFF_OVERLAY_CHANGED:
		return "changed";
	case KB_DIFF_OVERLAY_ADDED:
		return "added";
	case KB_DIFF_OVERLAY_REMOVED:
		return "removed";
	case KB_DIFF_OVERLAY_BROKEN:
		return "broken";
	case KB_DIFF_OVERLAY_FIXED:
		return "fixed";
	case KB_DIFF_OVERLAY_FAILING:
		return "failing";
	default:
		return "unchanged";
	}
}

/* What an entry is called: an overlay, or a Flux Kustomization. */
static const char *noun(bool flux)
{
	return flux ? "Kustomization" : "overlay";
}

/* What happened to an overlay, in words: "1 changed, 2 added". */
static void put_counts(out *o, const kb_diff_overlay *ov, bool flux)
{
	const char *sep = "";
	switch (ov->status) {
	case KB_DIFF_OVERLAY_BROKEN:
		out_puts(o, "stops building");
		return;
	case KB_DIFF_OVERLAY_FAILING:
		out_puts(o, "fails on both sides, differently");
		return;
	case KB_DIFF_OVERLAY_UNCHANGED:
		out_puts(o, ov->head_error ? "fails on both sides, unchanged" : "unchanged");
		return;
	case KB_DIFF_OVERLAY_FIXED:
		out_puts(o, "starts building");
		sep = ": ";
		break;
	case KB_DIFF_OVERLAY_ADDED:
		out_printf(o, "new %s%s", noun(flux), ov->head_error ? ", fails" : "");
		sep = ": ";
		break;
	case KB_DIFF_OVERLAY_REMOVED:
		out_printf(o, "%s removed", noun(flux));
		sep = ": ";
		break;
	default:
		break;
	}
	if (ov->changed) {
		out_printf(o, "%s%zu changed", sep, ov->changed);
		sep = ", ";
	}
	if (ov->added) {
		out_printf(o, "%s%zu added", sep, ov->added);
		sep = ", ";
	}
	if (ov->removed)
		out_printf(o, "%s%zu removed", sep, ov->removed);
}

static void put_summary(out *o, const kb_diff_summary *s, bool flux)
{
	const char *n = noun(flux);
	if (!s->differ) {
		out_puts(o, "no changes");
	} else {
		out_printf(o, "%zu %s%s changed: %zu %s added, %zu changed, %zu removed", s->differ,
			   n, plural(s->differ, "", "s"), s->added,
			   plural(s->added, "resource", "resources"), s->changed, s->removed);
		if (s->broken)
			out_printf(o, "; %zu %s%s building", s->broken, n,
				   plural(s->broken, " stops", "s stop"));
		if (s->fixed)
			out_printf(o, "; %zu %s%s building", s->fixed, n,
				   plural(s->fixed, " starts", "s start"));
	}
	out_printf(o, " (%zu of %zu %s%s rendered)", s->rendered, s->overlays, n,
		   plural(s->overlays, "", "s"));
}

static bool shown(const kb_diff_overlay *ov)
{
	return ov->status != KB_DIFF_OVERLAY_UNCHANGED || ov->head_error;
}

/* The error of the side that matters, for an overlay that fails. */
static const char *ov_error(const kb_diff_overlay *ov)
{
	return ov->head_error ? ov->head_error : ov->base_error;
}

static void put_hunk_header(out *o, const kb_diff_hunk *h)
{
	out_printf(o, "@@ -%zu", h->base_start);
	if (h->base_count != 1)
		out_printf(o, ",%zu", h->base_count);
	out_printf(o, " +%zu", h->head_start);
	if (h->head_count != 1)
		out_printf(o, ",%zu", h->head_count);
	out_puts(o, " @@");
	if (*h->path) {
		out_puts(o, " ");
		out_puts(o, h->path);
	}
}

/* ---- text ---- */

typedef struct colors {
	const char *bold, *red, *green, *yellow, *cyan, *reset;
} colors;

static void text_lines(out *o, const char *text, const char *indent, const char *c,
		       const colors *k)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		out_printf(o, "%s%s%.*s%s\n", c, indent, (int)n, p, *c ? k->reset : "");
		p += n + (nl ? 1 : 0);
	}
}

static void format_text(out *o, const kb_diff_result *r, bool color)
{
	bool flux = kb_diff_result_entries(r) == KB_DIFF_FLUX_KUSTOMIZATIONS;
	colors k = { "", "", "", "", "", "" };
	if (color)
		k = (colors){ "\033[1m", "\033[31m", "\033[32m", "\033[33m", "\033[36m", "\033[m" };
	for (size_t i = 0; i < kb_diff_result_count(r); i++) {
		const kb_diff_overlay *ov = kb_diff_result_overlay(r, i);
		if (!shown(ov))
			continue;
		/* a PATH's own entry (its objects, or the error that kept it
		 * from rendering) is the cluster's */
		bool whole = flux && ov->line == 0 && ov->file && strcmp(ov->file, ov->path) == 0;
		out_printf(o, "%s%s %s: ", k.bold, whole ? "cluster" : noun(flux), ov->path);
		put_counts(o, ov, flux);
		out_printf(o, "%s\n", k.reset);
		if (ov_error(ov) && ov->status != KB_DIFF_OVERLAY_FIXED &&
		    ov->status != KB_DIFF_OVERLAY_REMOVED)
			text_lines(o, ov_error(ov), "  ", k.red, &k);
		if (ov->status == KB_DIFF_OVERLAY_FAILING && ov->base_error) {
			out_puts(o, "  at base:\n");
			text_lines(o, ov->base_error, "  ", k.red, &k);
		}
		for (size_t j = 0; j < ov->nresources; j++) {
			const kb_diff_resource *res = &ov->resources[j];
			const char *c = res->status == KB_DIFF_ADDED	 ? k.green
					: res->status == KB_DIFF_REMOVED ? k.red
									 : k.yellow;
			out_printf(o, "\n%s%s%s ", k.bold, c, res_status(res));
			put_id(o, res);
			out_printf(o, "%s\n", k.reset);
			for (size_t h = 0; h < res->nhunks; h++) {
				const kb_diff_hunk *hk = &res->hunks[h];
				out_puts(o, k.cyan);
				put_hunk_header(o, hk);
				out_printf(o, "%s\n", k.reset);
				for (size_t l = 0; l < hk->nlines; l++) {
					const kb_diff_line *ln = &hk->lines[l];
					const char *lc = ln->op == '+'	 ? k.green
							 : ln->op == '-' ? k.red
									 : "";
					out_printf(o, "%s%c%s%s\n", lc, ln->op, ln->text,
						   *lc ? k.reset : "");
				}
			}
		}
		out_puts(o, "\n");
	}
	kb_diff_summary s;
	kb_diff_result_summary(r, &s);
	out_puts(o, k.bold);
	put_summary(o, &s, flux);
	out_printf(o, "%s\n", k.reset);
}

/* ---- markdown ---- */

static void html_escape(out *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			out_puts(o, "&amp;");
			break;
		case '<':
			out_puts(o, "&lt;");
			break;
		case '>':
			out_puts(o, "&gt;");
			break;
		default:
			out_append(o, s, 1);
		}
	}
}

static void md_code(out *o, const char *s)
{
	out_puts(o, "<code>");
	html_escape(o, s);
	out_puts(o, "</code>");
}

static void md_id(out *o, const kb_diff_resource *r)
{
	out tmp = { 0 };
	put_id(&tmp, r);
	md_code(o, tmp.data ? tmp.data : "");
	free(tmp.data);
}

/* A fence longer than any run of backticks the block holds. */
static size_t fence_len(const char *text)
{
	size_t best = 2, run = 0;
	for (const char *p = text; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best + 1;
}

static void md_fenced(out *o, const char *lang, const char *body)
{
	size_t n = fence_len(body);
	for (size_t i = 0; i < n; i++)
		out_puts(o, "`");
	out_printf(o, "%s\n%s", lang, body);
	if (*body && body[strlen(body) - 1] != '\n')
		out_puts(o, "\n");
	for (size_t i = 0; i < n; i++)
		out_puts(o, "`");
	out_puts(o, "\n\n");
}

/* One overlay's section; compact lists the resources without diffs. */
static void md_section(out *o, const kb_diff_overlay *ov, bool compact, bool flux)
{
	out_puts(o, "<details>\n<summary>");
	md_code(o, ov->path);
	out_puts(o, ": ");
	out tmp = { 0 };
	put_counts(&tmp, ov, flux);
	html_escape(o, tmp.data ? tmp.data : "");
	free(tmp.data);
	out_puts(o, "</summary>\n\n");
	if (ov_error(ov) && ov->status != KB_DIFF_OVERLAY_FIXED &&
	    ov->status != KB_DIFF_OVERLAY_REMOVED)
		md_fenced(o, "text", ov_error(ov));
	for (size_t j = 0; j < ov->nresources; j++) {
		const kb_diff_resource *res = &ov->resources[j];
		out_printf(o, "%s%s ", compact ? "- " : "", res_status(res));
		md_id(o, res);
		out_puts(o, compact ? "\n" : "\n\n");
		if (compact)
			continue;
		out body = { 0 };
		for (size_t h = 0; h < res->nhunks; h++) {
			const kb_diff_hunk *hk = &res->hunks[h];
			put_hunk_header(&body, hk);
			out_puts(&body, "\n");
			for (size_t l = 0; l < hk->nlines; l++)
				out_printf(&body, "%c%s\n", hk->lines[l].op, hk->lines[l].text);
		}
		md_fenced(o, "diff", body.data ? body.data : "");
		free(body.data);
	}
	if (compact && ov->nresources)
		out_puts(o, "\n");
	out_puts(o, "</details>\n\n");
}

static void md_side(out *o, const char *rev, const char *commit)
{
	if (!rev) {
		out_puts(o, "the working tree");
		return;
	}
	md_code(o, rev);
	if (commit)
		out_printf(o, " (%.12s)", commit);
}

static void format_markdown(out *o, const kb_diff_result *r, size_t cap)
{
	bool flux = kb_diff_result_entries(r) == KB_DIFF_FLUX_KUSTOMIZATIONS;
	kb_diff_summary s;
	kb_diff_result_summary(r, &s);
	out_puts(o, flux ? "<!-- kbuild-diff -->\n### kbuild diff --flux: "
			 : "<!-- kbuild-diff -->\n### kbuild diff: ");
	out tmp = { 0 };
	put_summary(&tmp, &s, flux);
	html_escape(o, tmp.data);
	free(tmp.data);
	out_puts(o, "\n\nBase ");
	md_side(o, kb_diff_result_base_rev(r), kb_diff_result_base_commit(r));
	out_puts(o, ", head ");
	md_side(o, kb_diff_result_head_rev(r), kb_diff_result_head_commit(r));
	out_puts(o, ".\n\n");
	/* room for the truncation note */
	const size_t reserve = 400;
	size_t full = 0, brief = 0, left = 0;
	for (size_t i = 0; i < kb_diff_result_count(r); i++) {
		const kb_diff_overlay *ov = kb_diff_result_overlay(r, i);
		if (!shown(ov))
			continue;
		if (left) {
			left++;
			continue;
		}
		out sec = { 0 };
		md_section(&sec, ov, false, flux);
		if (o->len + sec.len + reserve > cap) {
			sec.len = 0;
			md_section(&sec, ov, true, flux);
			if (o->len + sec.len + reserve > cap) {
				left++;
				free(sec.data);
				continue;
			}
			brief++;
		} else {
			full++;
		}
		out_append(o, sec.data, sec.len);
		free(sec.data);
	}
	if (brief || left) {
		out_printf(o,
			   "> **Note:** truncated to stay under %zu bytes: %zu %s shown in full, "
			   "%zu as a list of resources, %zu not shown. Run `kbuild diff%s` to see "
			   "everything.\n",
			   cap, full, flux ? plural(full, "Kustomization", "Kustomizations")
					   : plural(full, "overlay", "overlays"),
			   brief, left, flux ? " --flux" : "");
	}
}

/* ---- JSON ---- */

static void json_str(out *o, const char *s)
{
	if (!s) {
		out_puts(o, "null");
		return;
	}
	out_puts(o, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			out_puts(o, "\\\"");
			break;
		case '\\':
			out_puts(o, "\\\\");
			break;
		case '\n':
			out_puts(o, "\\n");
			break;
		case '\t':
			out_puts(o, "\\t");
			break;
		case '\r':
			out_puts(o, "\\r");
			break;
		default:
			if (*p < 0x20)
				out_printf(o, "\\u%04x", *p);
			else
				out_append(o, (const char *)p, 1);
		}
	}
	out_puts(o, "\"");
}

static void format_json(out *o, const kb_diff_result *r)
{
	bool flux = kb_diff_result_entries(r) == KB_DIFF_FLUX_KUSTOMIZATIONS;
	kb_diff_summary s;
	kb_diff_result_summary(r, &s);
	/* "overlays" names the entries in both modes, so one reader reads
	 * both; --flux says what they are */
	out_puts(o, flux ? "{\n  \"entries\": \"kustomizations\",\n  \"base\": {\"rev\": "
			 : "{\n  \"base\": {\"rev\": ");
	json_str(o, kb_diff_result_base_rev(r));
	out_puts(o, ", \"commit\": ");
	json_str(o, kb_diff_result_base_commit(r));
	out_puts(o, "},\n  \"head\": {\"rev\": ");
	json_str(o, kb_diff_result_head_rev(r));
	out_puts(o, ", \"commit\": ");
	json_str(o, kb_diff_result_head_commit(r));
	out_printf(o,
		   "},\n  \"summary\": {\"overlays\": %zu, \"rendered\": %zu, \"differ\": %zu, "
		   "\"resources_added\": %zu, \"resources_changed\": %zu, \"resources_removed\": "
		   "%zu, \"broken\": %zu, \"fixed\": %zu, \"changed_files\": %zu},\n"
		   "  \"overlays\": [",
		   s.overlays, s.rendered, s.differ, s.added, s.changed, s.removed, s.broken,
		   s.fixed, s.changed_files);
	for (size_t i = 0; i < kb_diff_result_count(r); i++) {
		const kb_diff_overlay *ov = kb_diff_result_overlay(r, i);
		out_puts(o, i ? ",\n    {" : "\n    {");
		out_puts(o, "\"path\": ");
		json_str(o, ov->path);
		if (flux) {
			out_puts(o, ", \"file\": ");
			json_str(o, ov->file);
			out_printf(o, ", \"line\": %u", ov->line);
		}
		out_printf(o, ", \"status\": \"%s\", \"base_error\": ", ov_status(ov));
		json_str(o, ov->base_error);
		out_puts(o, ", \"head_error\": ");
		json_str(o, ov->head_error);
		out_printf(o,
			   ", \"added\": %zu, \"changed\": %zu, \"removed\": %zu, \"unchanged\": "
			   "%zu,\n     \"resources\": [",
			   ov->added, ov->changed, ov->removed, ov->unchanged);
		for (size_t j = 0; j < ov->nresources; j++) {
			const kb_diff_resource *res = &ov->resources[j];
			out_puts(o, j ? ",\n      {" : "\n      {");
			out_printf(o, "\"status\": \"%s\", \"apiVersion\": ", res_status(res));
			json_str(o, res->api_version);
			out_puts(o, ", \"group\": ");
			json_str(o, res->group);
			out_puts(o, ", \"kind\": ");
			json_str(o, res->kind);
			out_puts(o, ", \"namespace\": ");
			json_str(o, res->namespace_);
			out_puts(o, ", \"name\": ");
			json_str(o, res->name);
			out_puts(o, ", \"base_name\": ");
			json_str(o, res->base_name);
			out_printf(o, ", \"masked\": %s,\n       \"hunks\": [",
				   res->masked ? "true" : "false");
			for (size_t h = 0; h < res->nhunks; h++) {
				const kb_diff_hunk *hk = &res->hunks[h];
				out_printf(o,
					   "%s{\"base_start\": %zu, \"base_count\": %zu, "
					   "\"head_start\": %zu, \"head_count\": %zu, \"path\": ",
					   h ? ",\n        " : "\n        ", hk->base_start,
					   hk->base_count, hk->head_start, hk->head_count);
				json_str(o, hk->path);
				out_puts(o, ", \"lines\": [");
				for (size_t l = 0; l < hk->nlines; l++) {
					char *line = NULL;
					if (asprintf(&line, "%c%s", hk->lines[l].op,
						     hk->lines[l].text) < 0) {
						perror("kbuild: error");
						exit(2);
					}
					if (l)
						out_puts(o, ", ");
					json_str(o, line);
					free(line);
				}
				out_puts(o, "]}");
			}
			out_puts(o, res->nhunks ? "]}" : "]}");
		}
		out_puts(o, ov->nresources ? "]}" : "]}");
	}
	out_puts(o, kb_diff_result_count(r) ? "\n  ]\n}\n" : "]\n}\n");
}

/* ---- the command ---- */

static bool parse_size(const char *s, size_t *v)
{
	char *end = NULL;
	unsigned long long n = strtoull(s, &end, 10);
	if (!*s || *end || s[0] == '-')
		return false;
	*v = (size_t)n;
	return true;
}

/* The command; ff is freed by the caller, whichever way it returns. */
static int run_diff(int argc, char **argv, cli_flux_flags *ff)
{
	static const struct option longopts[] = {
		{ "base", required_argument, NULL, OPT_BASE },
		{ "head", required_argument, NULL, OPT_HEAD },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "context", required_argument, NULL, 'U' },
		{ "show-secrets", no_argument, NULL, OPT_SHOW_SECRETS },
		{ "exit-zero", no_argument, NULL, OPT_EXIT_ZERO },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "no-ignore-file", no_argument, NULL, OPT_NO_IGNORE },
		{ "jobs", required_argument, NULL, 'j' },
		{ "flux", no_argument, NULL, OPT_FLUX },
		CLI_FLUX_LONGOPTS,
		CLI_BUILD_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	kb_options bo;
	kb_options_init(&bo);
	cli_build_flags bf = { 0 };
	kb_diff_options o;
	kb_diff_options_init(&o);
	kb_flux_options fo;
	kb_flux_options_init(&fo);
	bool flux = false;
	const char *format = "text", *color = "auto";
	bool exit_zero = false;
	size_t max_size = 60000;
	/* --exclude values point into argv; there are fewer than argc */
	const char *exclude[argc + 1];
	size_t nexclude = 0;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":U:j:e:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_BASE:
			o.base = optarg;
			break;
		case OPT_HEAD:
			o.head = optarg;
			break;
		case OPT_FORMAT:
			format = optarg;
			if (strcmp(format, "text") && strcmp(format, "markdown") &&
			    strcmp(format, "json"))
				return cli_usage_error("diff",
						       "illegal flag value --format %s; use text, "
						       "markdown or json",
						       optarg);
			break;
		case OPT_COLOR:
			color = optarg;
			if (strcmp(color, "auto") && strcmp(color, "always") && strcmp(color, "never"))
				return cli_usage_error("diff",
						       "illegal flag value --color %s; use auto, "
						       "always or never",
						       optarg);
			break;
		case 'U': {
			size_t n;
			if (!parse_size(optarg, &n) || n > 100000)
				return cli_usage_error("diff", "illegal flag value --context %s",
						       optarg);
			o.context = (unsigned)n;
			break;
		}
		case OPT_SHOW_SECRETS:
			o.show_secrets = 1;
			break;
		case OPT_EXIT_ZERO:
			exit_zero = true;
			break;
		case OPT_FLUX:
			flux = true;
			break;
		case OPT_ALL:
			o.all = 1;
			break;
		case OPT_EXCLUDE:
			exclude[nexclude++] = optarg;
			break;
		case OPT_NO_IGNORE:
			o.no_ignore_files = 1;
			break;
		case 'j': {
			size_t n;
			if (!parse_size(optarg, &n) || n < 1 || n > 1024)
				return cli_usage_error("diff", "illegal flag value --jobs %s", optarg);
			o.jobs = (unsigned)n;
			break;
		}
		case OPT_MAX_SIZE:
			if (!parse_size(optarg, &max_size) || max_size < 1000)
				return cli_usage_error("diff",
						       "illegal flag value --max-size %s (at least "
						       "1000 bytes)",
						       optarg);
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		case ':':
			return cli_usage_error("diff", "flag needs an argument: %s", argv[optind - 1]);
		case '?':
			return cli_usage_error("diff", "unknown flag: %s", argv[optind - 1]);
		case 'e':
			c = CLI_OPT_ENV;
			/* fall through */
		default:
			if (cli_flux_flag(c, optarg, &fo, ff) == 0)
				break;
			switch (cli_build_flag("diff", c, optarg, &bo, &bf)) {
			case 0:
				break;
			case 2:
				return 2;
			default:
				return cli_usage_error("diff", "unknown flag: %s", argv[optind - 1]);
			}
		}
	}
	if (ff->any && !flux) {
		return cli_usage_error("diff", "the Flux flags (--source, --values-from, ...) need "
					       "--flux");
	}
	cli_flux_flags_apply(ff, &fo);
	cli_build_env(&bo);
	o.build = &bo;
	o.exclude = exclude;
	o.nexclude = nexclude;
	o.paths = (const char *const *)(argv + optind);
	o.npaths = (size_t)(argc - optind);

	kb_diff_result *r = NULL;
	kb_error *err = flux ? kb_diff_flux(&o, &fo, &r) : kb_diff(&o, &r);
	if (err) {
		cli_print_error(err);
		kb_error_free(err);
		return 2;
	}
	out buf = { 0 };
	if (strcmp(format, "json") == 0) {
		format_json(&buf, r);
	} else if (strcmp(format, "markdown") == 0) {
		format_markdown(&buf, r, max_size);
	} else {
		const char *nc = getenv("NO_COLOR");
		const char *term = getenv("TERM");
		bool use = strcmp(color, "always") == 0 ||
			   (strcmp(color, "auto") == 0 && isatty(STDOUT_FILENO) && !(nc && *nc) &&
			    !(term && strcmp(term, "dumb") == 0));
		format_text(&buf, r, use);
	}
	int code = kb_diff_result_differs(r) && !exit_zero ? 1 : 0;
	kb_diff_result_free(r);
	if ((buf.len && fwrite(buf.data, 1, buf.len, stdout) != buf.len) || fflush(stdout) != 0) {
		perror("kbuild: error: writing output");
		code = 2;
	}
	free(buf.data);
	return code;
}

int cmd_diff(int argc, char **argv)
{
	cli_flux_flags ff = { 0 };
	int code = run_diff(argc, argv, &ff);
	cli_flux_flags_free(&ff);
	return code;
}
