/*
 * srcignore.c - gitignore patterns as fluxcd/pkg/sourceignore/gitignore
 * parses and matches them (ignore.h).
 */
#include "srcignore.h"
#include "glob.h"

#include <stdlib.h>
#include <string.h>

typedef struct pattern {
	kb_strv domain;
	kb_strv parts; /* the pattern split at '/' */
	bool inclusion, dir_only, is_glob;
} pattern;

struct kb_srcignore {
	pattern *v;
	size_t n, cap;
};

/* The defaults of sourceignore.go. */
static const char exclude_vcs[] = ".git/,.gitignore,.gitmodules,.gitattributes";
static const char exclude_rest[] =
	"*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip,"
	".github/,.circleci/,.travis.yml,.gitlab-ci.yml,appveyor.yml,.drone.yml,cloudbuild.yaml,"
	"codeship-services.yml,codeship-steps.yml,"
	"**/.goreleaser.yml,**/.sops.yaml,**/.flux.yaml";

kb_srcignore *kb_srcignore_new(void)
{
	return kb_xcalloc(1, sizeof(kb_srcignore));
}

void kb_srcignore_free(kb_srcignore *ig)
{
	if (!ig)
		return;
	for (size_t i = 0; i < ig->n; i++) {
		kb_strv_free(&ig->v[i].domain);
		kb_strv_free(&ig->v[i].parts);
	}
	free(ig->v);
	free(ig);
}

size_t kb_srcignore_count(const kb_srcignore *ig)
{
	return ig ? ig->n : 0;
}

static void split_into(kb_strv *out, const char *s, size_t len, bool skip_empty)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '/') {
			if (!skip_empty || i > start)
				kb_strv_push_owned(out, kb_xstrndup(s + start, i - start));
			start = i + 1;
		}
	}
}

void kb_srcignore_add(kb_srcignore *ig, const char *p, const char *domain)
{
	kb_grow((void **)&ig->v, &ig->cap, ig->n + 1, sizeof(*ig->v));
	pattern *pt = &ig->v[ig->n++];
	memset(pt, 0, sizeof(*pt));
	if (domain && *domain)
		split_into(&pt->domain, domain, strlen(domain), true);
	if (p[0] == '!') {
		pt->inclusion = true;
		p++;
	}
	size_t len = strlen(p);
	/* trailing spaces go, unless the last one is escaped ("\ ") */
	if (!(len >= 2 && p[len - 1] == ' ' && p[len - 2] == '\\'))
		while (len > 0 && p[len - 1] == ' ')
			len--;
	if (len > 0 && p[len - 1] == '/') {
		pt->dir_only = true;
		len--;
	}
	if (memchr(p, '/', len))
		pt->is_glob = true;
	split_into(&pt->parts, p, len, false);
}

void kb_srcignore_add_text(kb_srcignore *ig, const char *text, const char *domain)
{
	const char *s = text;
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		size_t m = n;
		if (m > 0 && s[m - 1] == '\r') /* bufio.ScanLines drops it */
			m--;
		char *line = kb_xstrndup(s, m);
		bool blank = true;
		for (char *c = line; *c; c++)
			if (*c != ' ' && *c != '\t' && *c != '\r' && *c != '\v' && *c != '\f')
				blank = false;
		if (line[0] != '#' && !blank)
			kb_srcignore_add(ig, line, domain);
		free(line);
		s += n;
		if (*s == '\n')
			s++;
	}
}

static void add_list(kb_srcignore *ig, const char *list)
{
	char *copy = kb_xstrdup(list);
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		kb_srcignore_add(ig, t, NULL);
	free(copy);
}

void kb_srcignore_add_defaults(kb_srcignore *ig, bool all)
{
	add_list(ig, exclude_vcs);
	if (all)
		add_list(ig, exclude_rest);
}

static bool fmatch(const char *pat, const char *name)
{
	return kb_go_match_mode(pat, strlen(pat), name, strlen(name), KB_MATCH_GO) == 1;
}

static bool simple_name_match(const pattern *p, char **path, size_t n, bool is_dir)
{
	for (size_t i = 0; i < n; i++) {
		if (!fmatch(p->parts.v[0], path[i]))
			continue;
		if (p->dir_only && !is_dir && i == n - 1)
			return false;
		return true;
	}
	return false;
}

static bool glob_match(const pattern *p, char **path, size_t n, bool is_dir)
{
	bool matched = false, can_traverse = false;
	for (size_t i = 0; i < p->parts.n; i++) {
		const char *pat = p->parts.v[i];
		if (!*pat) {
			can_traverse = false;
			continue;
		}
		if (strcmp(pat, "**") == 0) {
			if (i == p->parts.n - 1)
				break;
			can_traverse = true;
			continue;
		}
		if (strstr(pat, "**"))
			return false;
		if (n == 0)
			return false;
		if (can_traverse) {
			can_traverse = false;
			while (n > 0) {
				const char *e = path[0];
				path++;
				n--;
				if (fmatch(pat, e)) {
					matched = true;
					break;
				} else if (n == 0) {
					matched = false;
				}
			}
		} else {
			if (!fmatch(pat, path[0]))
				return false;
			matched = true;
			path++;
			n--;
		}
	}
	if (matched && p->dir_only && !is_dir && n == 0)
		matched = false;
	return matched;
}

/* 0 no match, 1 exclude, 2 include */
static int pattern_match(const pattern *p, char **path, size_t n, bool is_dir)
{
	if (n <= p->domain.n)
		return 0;
	for (size_t i = 0; i < p->domain.n; i++)
		if (strcmp(path[i], p->domain.v[i]) != 0)
			return 0;
	path += p->domain.n;
	n -= p->domain.n;
	if (p->is_glob ? !glob_match(p, path, n, is_dir) : !simple_name_match(p, path, n, is_dir))
		return 0;
	return p->inclusion ? 2 : 1;
}

int kb_srcignore_match_result(const kb_srcignore *ig, const char *rel, bool is_dir)
{
	if (!ig || ig->n == 0)
		return 0;
	kb_strv comps = { 0 };
	split_into(&comps, rel, strlen(rel), true);
	int res = 0;
	for (size_t i = ig->n; i-- > 0;) {
		int m = pattern_match(&ig->v[i], comps.v, comps.n, is_dir);
		if (m) {
			res = m;
			break;
		}
	}
	kb_strv_free(&comps);
	return res;
}

bool kb_srcignore_match(const kb_srcignore *ig, const char *rel, bool is_dir)
{
	return kb_srcignore_match_result(ig, rel, is_dir) == 1;
}

void kb_srcignore_append(kb_srcignore *dst, const kb_srcignore *src)
{
	for (size_t i = 0; i < src->n; i++) {
		kb_grow((void **)&dst->v, &dst->cap, dst->n + 1, sizeof(*dst->v));
		pattern *d = &dst->v[dst->n++];
		const pattern *p = &src->v[i];
		memset(d, 0, sizeof(*d));
		for (size_t j = 0; j < p->domain.n; j++)
			kb_strv_push(&d->domain, p->domain.v[j]);
		for (size_t j = 0; j < p->parts.n; j++)
			kb_strv_push(&d->parts, p->parts.v[j]);
		d->inclusion = p->inclusion;
		d->dir_only = p->dir_only;
		d->is_glob = p->is_glob;
	}
}
