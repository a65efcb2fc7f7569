/*
 * remote.h - remote bases: git repository URLs in resources and
 * components, kustomize's api/internal/git (repospec.go, cloner.go,
 * gitrunner.go) and the git half of api/internal/loader/fileloader.go.
 *
 * A URL such as https://github.com/org/repo//app?ref=v1 is split into the
 * part handed to git (https://github.com/org/repo), the kustomization's
 * directory inside the repository (app) and query parameters (ref or
 * version, timeout, submodules).  The repository is fetched with the
 * system git into a fresh temporary directory, exactly the commands
 * kustomize runs (init, remote add, fetch --depth=1, checkout FETCH_HEAD,
 * submodule update), each bounded by the timeout; the caller builds the
 * directory and removes the clone.
 *
 * Plain http(s) file URLs, which kustomize downloads itself, are not
 * supported: kbuild does not access the network other than through git.
 */
#ifndef KB_REMOTE_H
#define KB_REMOTE_H

#include "diag.h"

#include <stdbool.h>
#include <stdint.h>

/* kustomize's defaultTimeout, per git command. */
#define KB_REMOTE_DEFAULT_TIMEOUT_NS (27LL * 1000000000LL)

typedef struct kb_repospec {
	char *raw;          /* the URL as written; kustomize's key for repo cycles */
	char *host;         /* scheme, user and host: "https://github.com/", "git@github.com:", "file://" */
	char *repo_path;    /* "org/repo.git"; an absolute path after file:// */
	char *kust_path;    /* kustomization directory in the repository, "" for its root */
	char *ref;          /* branch, tag or commit; "" for the remote's HEAD */
	int64_t timeout_ns; /* for each git command */
	bool submodules;
} kb_repospec;

/* Parses url as kustomize's NewRepoSpecFromURL does.  An error means url
 * is not a git URL (kustomize then treats it as a local path); its
 * message is kustomize's ("failed to parse scheme", ...). */
kb_error *kb_repospec_parse(const char *url, kb_repospec *rs);
void kb_repospec_free(kb_repospec *rs);
/* What git fetches: host + repo_path.  Caller frees. */
char *kb_repospec_clone_spec(const kb_repospec *rs);

/* The query half of a URL ("ref=v1&timeout=61"), kustomize's parseQuery:
 * malformed or empty values fall back to the defaults.  *ref is malloc'd. */
void kb_remote_parse_query(const char *query, char **ref, int64_t *timeout_ns,
			   bool *submodules);
/* Go's time.ParseDuration ("61s", "1m1s", "500ms", "1.5h"). */
bool kb_remote_parse_duration(const char *s, int64_t *ns);
/* Go's Duration.String ("27s", "1m1s", "500ms"); caller frees. */
char *kb_remote_format_duration(int64_t ns);

/* An http:// or https:// URL that kustomize would download as a file
 * rather than clone: not a git URL, or one naming a .yaml, .yml or .json
 * file (a clone can only be built at a directory). */
bool kb_remote_is_http_file(const char *url);

/* The clones being built, innermost first, living on the C stack of the
 * builder; NULL when building local files only. */
typedef struct kb_repo_frame {
	const char *raw;       /* URL of the clone */
	const char *clone_dir; /* canonical clone directory */
	const struct kb_repo_frame *up;
} kb_repo_frame;

/* kustomize's errIfRepoCycle: a URL that prefixes one being built. */
kb_error *kb_repo_check_cycle(const kb_repo_frame *chain, const char *raw);
/* kustomize's errIfGitContainmentViolation: a base of a kustomization
 * found in a clone must lie in that clone.  NULL when chain is NULL. */
kb_error *kb_repo_check_containment(const kb_repo_frame *chain, const char *dir);

typedef struct kb_clone {
	char *dir;  /* canonical temporary directory holding the checkout */
	char *root; /* canonical kustomization directory inside it */
} kb_clone;

/* Fetches rs into a new temporary directory and resolves its
 * kust_path, which must be a directory inside the clone.  On error
 * nothing is left behind. */
kb_error *kb_repo_clone(const kb_repospec *rs, kb_clone *out);
/* Removes the clone's directory tree and frees out's fields. */
void kb_clone_remove(kb_clone *c);

#endif
