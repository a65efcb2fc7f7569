#define _GNU_SOURCE
#include "remote.h"
#include "fs.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define NS_PER_SEC 1000000000LL
/* git's own messages are short; more is noise in an error and a risk to memory */
#define MAX_GIT_OUTPUT (64 * 1024)

static const char FILE_SCHEME[] = "file://";
static const char SSH_SCHEME[] = "ssh://";
static const char HTTPS_SCHEME[] = "https://";
static const char HTTP_SCHEME[] = "http://";

/* ---- URL parsing (repospec.go) ---- */

/* Length of prefix when s starts with it ignoring case (prefix is lower
 * case), else 0. */
static size_t prefix_icase(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	for (size_t i = 0; i < n; i++)
		if (!s[i] || tolower((unsigned char)s[i]) != prefix[i])
			return 0;
	return n;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Go's url.QueryUnescape of s[0..n): NULL for a malformed escape. */
static char *query_unescape(const char *s, size_t n)
{
	kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int h = i + 2 < n ? hexval(s[i + 1]) : -1;
			int l = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (h < 0 || l < 0) {
				kb_buf_free(&b);
				return NULL;
			}
			kb_buf_putc(&b, (char)(h * 16 + l));
			i += 2;
		} else {
			kb_buf_putc(&b, s[i] == '+' ? ' ' : s[i]);
		}
	}
	return kb_buf_detach(&b);
}

/* Go's strconv.Atoi, for values that fit in 64 bits. */
static bool parse_int(const char *s, long long *out)
{
	const char *p = s;
	bool neg = false;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!*p)
		return false;
	unsigned long long v = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (v > (unsigned long long)LLONG_MAX / 10)
			return false;
		v = v * 10 + (unsigned)(*p - '0');
		if (v > (unsigned long long)LLONG_MAX)
			return false;
	}
	*out = neg ? -(long long)v : (long long)v;
	return true;
}

/* Go's strconv.ParseBool. */
static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

bool kb_remote_parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1ULL },
		{ "us", 1000ULL },
		{ "\xc2\xb5s", 1000ULL }, /* U+00B5 micro sign */
		{ "\xce\xbcs", 1000ULL }, /* U+03BC Greek mu */
		{ "ms", 1000000ULL },
		{ "s", 1000000000ULL },
		{ "m", 60ULL * 1000000000ULL },
		{ "h", 3600ULL * 1000000000ULL },
	};
	const uint64_t limit = 1ULL << 63;
	bool neg = false;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return true;
	}
	if (!*s)
		return false;
	uint64_t d = 0;
	while (*s) {
		if (!(*s == '.' || (*s >= '0' && *s <= '9')))
			return false;
		uint64_t v = 0, f = 0;
		double scale = 1;
		const char *start = s;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (v > (limit - 1) / 10)
				return false;
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > limit)
				return false;
		}
		bool pre = s != start, post = false;
		if (*s == '.') {
			s++;
			start = s;
			bool overflow = false;
			/* like Go, digits past what fits are consumed and ignored */
			for (; *s >= '0' && *s <= '9'; s++) {
				if (overflow)
					continue;
				if (f > (limit - 1) / 10) {
					overflow = true;
					continue;
				}
				uint64_t y = f * 10 + (uint64_t)(*s - '0');
				if (y > limit) {
					overflow = true;
					continue;
				}
				f = y;
				scale *= 10;
			}
			post = s != start;
		}
		if (!pre && !post)
			return false;
		size_t ul = 0;
		while (s[ul] && s[ul] != '.' && !(s[ul] >= '0' && s[ul] <= '9'))
			ul++;
		if (ul == 0)
			return false;
		uint64_t unit = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++)
			if (strlen(units[i].name) == ul && memcmp(units[i].name, s, ul) == 0)
				unit = units[i].ns;
		if (!unit)
			return false;
		s += ul;
		if (v > limit / unit)
			return false;
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > limit)
				return false;
		}
		d += v;
		if (d > limit)
			return false;
	}
	if (neg) {
		*ns = d == limit ? INT64_MIN : -(int64_t)d;
		return true;
	}
	if (d > limit - 1)
		return false;
	*ns = (int64_t)d;
	return true;
}

/* v / 10^prec with the fraction's trailing zeros dropped, Go style. */
static void put_fixed(kb_buf *b, uint64_t v, int prec)
{
	uint64_t p = 1;
	for (int i = 0; i < prec; i++)
		p *= 10;
	kb_buf_printf(b, "%llu", (unsigned long long)(v / p));
	uint64_t frac = v % p;
	if (!frac)
		return;
	char digits[24];
	snprintf(digits, sizeof(digits), "%0*llu", prec, (unsigned long long)frac);
	size_t n = strlen(digits);
	while (n > 0 && digits[n - 1] == '0')
		n--;
	kb_buf_putc(b, '.');
	kb_buf_append(b, digits, n);
}

char *kb_remote_format_duration(int64_t ns)
{
	kb_buf b = KB_BUF_INIT;
	if (ns == 0) {
		kb_buf_puts(&b, "0s");
		return kb_buf_detach(&b);
	}
	uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	if (ns < 0)
		kb_buf_putc(&b, '-');
	if (u < 1000) {
		kb_buf_printf(&b, "%lluns", (unsigned long long)u);
	} else if (u < 1000000) {
		put_fixed(&b, u, 3);
		kb_buf_puts(&b, "\xc2\xb5s");
	} else if (u < (uint64_t)NS_PER_SEC) {
		put_fixed(&b, u, 6);
		kb_buf_puts(&b, "ms");
	} else {
		uint64_t secs = u / (uint64_t)NS_PER_SEC;
		uint64_t h = secs / 3600, m = secs / 60 % 60;
		if (h)
			kb_buf_printf(&b, "%lluh%llum", (unsigned long long)h, (unsigned long long)m);
		else if (m)
			kb_buf_printf(&b, "%llum", (unsigned long long)m);
		put_fixed(&b, u % (60ULL * (uint64_t)NS_PER_SEC), 9);
		kb_buf_putc(&b, 's');
	}
	return kb_buf_detach(&b);
}

void kb_remote_parse_query(const char *query, char **ref, int64_t *timeout_ns, bool *submodules)
{
	*ref = kb_xstrdup("");
	*timeout_ns = KB_REMOTE_DEFAULT_TIMEOUT_NS;
	*submodules = true;
	/* url.Values.Get: the first value of each key */
	char *val[4] = { NULL, NULL, NULL, NULL };
	static const char *const keys[4] = { "ref", "version", "timeout", "submodules" };
	bool bad = false;
	const char *p = query;
	while (p && !bad) {
		const char *amp = strchr(p, '&');
		size_t n = amp ? (size_t)(amp - p) : strlen(p);
		if (memchr(p, ';', n)) {
			/* Go rejects semicolons; parseQuery then keeps every default */
			bad = true;
		} else if (n > 0) {
			const char *eq = memchr(p, '=', n);
			size_t kn = eq ? (size_t)(eq - p) : n;
			char *k = query_unescape(p, kn);
			char *v = eq ? query_unescape(eq + 1, n - kn - 1) : kb_xstrdup("");
			if (!k || !v) {
				bad = true;
			} else {
				for (int i = 0; i < 4; i++)
					if (strcmp(k, keys[i]) == 0 && !val[i]) {
						val[i] = v;
						v = NULL;
					}
			}
			free(k);
			free(v);
		}
		p = amp ? amp + 1 : NULL;
	}
	if (!bad) {
		if (!kb_str_empty(val[0]) || val[1]) {
			free(*ref);
			*ref = kb_xstrdup(!kb_str_empty(val[0]) ? val[0] : val[1]);
		}
		long long secs;
		int64_t d;
		if (!kb_str_empty(val[2])) {
			if (parse_int(val[2], &secs) && secs > 0)
				*timeout_ns = secs > INT64_MAX / NS_PER_SEC ? INT64_MAX : secs * NS_PER_SEC;
			else if (kb_remote_parse_duration(val[2], &d) && d > 0)
				*timeout_ns = d;
		}
		bool b;
		if (!kb_str_empty(val[3]) && parse_bool(val[3], &b))
			*submodules = b;
	}
	for (int i = 0; i < 4; i++)
		free(val[i]);
}

/* The leading "user@" of s (extractUsername's ^[a-zA-Z][a-zA-Z0-9-]*@). */
static size_t username_len(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return 0;
	size_t i = 1;
	while (isalnum((unsigned char)s[i]) || s[i] == '-')
		i++;
	return s[i] == '@' ? i + 1 : 0;
}

static bool is_standard_github(const char *s)
{
	return prefix_icase(s, "github.com/") || prefix_icase(s, "github.com:");
}

static long find_path_separator(const char *s, bool accept_scp)
{
	const char *slash = strchr(s, '/');
	long sep = slash ? slash - s : -1;
	if (accept_scp) {
		/* the colon delimits scp-style paths only before any '/' */
		const char *colon = strchr(s, ':');
		long ci = colon ? colon - s : -1;
		if (sep == -1 || (ci > 0 && ci < sep))
			sep = ci;
	}
	return sep;
}

/* extractHost: *host is malloc'd, *rest points into n. */
static kb_error *extract_host(const char *n, char **host, const char **rest)
{
	/* go-getter's "git::" forced protocol is silently dropped */
	n += prefix_icase(n, "git::");
	const char *scheme = "";
	static const char *const schemes[] = { SSH_SCHEME, HTTPS_SCHEME, HTTP_SCHEME, FILE_SCHEME };
	for (size_t i = 0; i < 4; i++) {
		size_t l = prefix_icase(n, schemes[i]);
		if (l) {
			scheme = schemes[i];
			n += l;
			break;
		}
	}
	size_t ul = username_len(n);
	char *user = kb_xstrndup(n, ul);
	n += ul;
	bool github = is_standard_github(n);
	/* Kustomize has always required a username for scp-style URLs
	 * that are not github's. */
	bool accept_scp = !*scheme && (ul > 0 || github);
	if (!*scheme && !accept_scp) {
		free(user);
		return kb_error_new(NULL, 0, 0, "failed to parse scheme");
	}
	if (scheme == FILE_SCHEME) {
		/* a file URL is a path: what looked like a user belongs to it */
		*host = kb_xstrdup(FILE_SCHEME);
		*rest = n - ul;
		free(user);
		return NULL;
	}
	long sep = find_path_separator(n, accept_scp);
	char *h = sep >= 0 ? kb_xstrndup(n, (size_t)sep + 1) : kb_xstrdup(n);
	*rest = sep >= 0 ? n + sep + 1 : n + strlen(n);
	if (github) {
		/* github URLs are normalized to https or scp style */
		free(h);
		if (kb_str_has_prefix(scheme, SSH_SCHEME) || ul > 0) {
			scheme = "";
			h = kb_xstrdup("github.com:");
		} else {
			scheme = HTTPS_SCHEME;
			user[0] = '\0';
			h = kb_xstrdup("github.com/");
		}
	}
	if (!*h) {
		free(h);
		free(user);
		return kb_error_new(NULL, 0, 0, "failed to parse host segment");
	}
	*host = kb_xasprintf("%s%s%s", scheme, user, h);
	free(h);
	free(user);
	return NULL;
}

/* kustRootPathExitsRepo: the first element of filepath.Clean of the
 * path (one leading '/' dropped) is "..". */
static bool path_exits_repo(const char *p)
{
	if (*p == '/')
		p++;
	bool rooted = *p == '/';
	/* depth below the start, and how many ".." lead the cleaned path */
	long depth = 0, ups = 0;
	while (*p) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (depth > 0)
				depth--;
			else if (!rooted)
				ups++;
		} else {
			depth++;
		}
		p += n;
	}
	return ups > 0;
}

/* parsePathParts: repo path and kustomization root, both malloc'd. */
static kb_error *parse_path_parts(const char *n, bool all_segments, char **repo, char **kust)
{
	const char *g = strstr(n, "_git/");
	const char *dbl = strstr(n, "//");
	const char *dotgit = strstr(n, ".git");
	char *r = NULL, *k = NULL;
	if (g) {
		/* Azure's _git/ is one directory above the repository */
		const char *name = g + 5;
		const char *slash = strchr(name, '/');
		r = kb_xstrndup(n, slash ? (size_t)(slash - n) : strlen(n));
		k = kb_xstrdup(slash ? slash + 1 : "");
	} else if (dbl) {
		/* "//" only marks where the repository ends; it is no path element */
		r = kb_xstrndup(n, (size_t)(dbl - n));
		k = kb_xstrdup(dbl + 2);
	} else if (dotgit) {
		r = kb_xstrndup(n, (size_t)(dotgit + 4 - n));
		k = kb_xstrdup(dotgit + 4);
	} else if (all_segments) {
		r = kb_xstrdup(n);
		k = kb_xstrdup("");
	} else {
		/* github's historical org/repo */
		const char *s1 = strchr(n, '/');
		if (s1) {
			const char *s2 = strchr(s1 + 1, '/');
			r = kb_xstrndup(n, s2 ? (size_t)(s2 - n) : strlen(n));
			k = kb_xstrdup(s2 ? s2 + 1 : "");
		}
	}
	if (!r || !*r) {
		free(r);
		free(k);
		return kb_error_new(NULL, 0, 0, "failed to parse repo path segment");
	}
	if (path_exits_repo(k)) {
		free(r);
		free(k);
		return kb_error_new(NULL, 0, 0, "url path exits repo: %s", n);
	}
	*repo = r;
	if (*k == '/') {
		*kust = kb_xstrdup(k + 1);
		free(k);
	} else {
		*kust = k;
	}
	return NULL;
}

kb_error *kb_repospec_parse(const char *url, kb_repospec *rs)
{
	memset(rs, 0, sizeof(*rs));
	if (url[0] == '/')
		return kb_error_new(NULL, 0, 0, "uri looks like abs path: %s", url);
	/* '?' may only start the query (rfc3986), so it is cut first */
	const char *q = strchr(url, '?');
	char *n = q ? kb_xstrndup(url, (size_t)(q - url)) : kb_xstrdup(url);
	char *ref;
	int64_t timeout;
	bool submodules;
	kb_remote_parse_query(q ? q + 1 : "", &ref, &timeout, &submodules);
	char *host = NULL, *repo = NULL, *kust = NULL;
	const char *rest = NULL;
	kb_error *e = extract_host(n, &host, &rest);
	if (!e)
		e = parse_path_parts(rest, strcmp(host, FILE_SCHEME) == 0, &repo, &kust);
	free(n);
	if (e) {
		free(host);
		free(ref);
		return e;
	}
	rs->raw = kb_xstrdup(url);
	rs->host = host;
	rs->repo_path = repo;
	rs->kust_path = kust;
	rs->ref = ref;
	rs->timeout_ns = timeout;
	rs->submodules = submodules;
	return NULL;
}

void kb_repospec_free(kb_repospec *rs)
{
	if (!rs)
		return;
	free(rs->raw);
	free(rs->host);
	free(rs->repo_path);
	free(rs->kust_path);
	free(rs->ref);
	memset(rs, 0, sizeof(*rs));
}

char *kb_repospec_clone_spec(const kb_repospec *rs)
{
	return kb_xasprintf("%s%s", rs->host, rs->repo_path);
}

bool kb_remote_is_http_file(const char *url)
{
	if (!prefix_icase(url, HTTP_SCHEME) && !prefix_icase(url, HTTPS_SCHEME))
		return false;
	kb_repospec rs;
	kb_error *e = kb_repospec_parse(url, &rs);
	if (e) {
		kb_error_free(e);
		return true;
	}
	kb_repospec_free(&rs);
	size_t n = strcspn(url, "?");
	return ends_with(url, n, ".yaml") || ends_with(url, n, ".yml") || ends_with(url, n, ".json");
}

/* ---- loader checks (fileloader.go) ---- */

static bool path_within(const char *path, const char *root)
{
	size_t n = strlen(root);
	return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

kb_error *kb_repo_check_cycle(const kb_repo_frame *chain, const char *raw)
{
	/* kustomize compares the raw URLs; a prefix counts as the same repo */
	for (const kb_repo_frame *f = chain; f; f = f->up)
		if (kb_str_has_prefix(f->raw, raw))
			return kb_error_new(NULL, 0, 0,
					    "cycle detected: URI '%s' referenced by previous URI '%s'",
					    raw, f->raw);
	return NULL;
}

kb_error *kb_repo_check_containment(const kb_repo_frame *chain, const char *dir)
{
	if (!chain || path_within(dir, chain->clone_dir))
		return NULL;
	return kb_error_new(NULL, 0, 0,
			    "security; bases in kustomizations found in cloned git repos must be "
			    "within the repo, but base '%s' is outside '%s'",
			    dir, chain->clone_dir);
}

/* ---- running git (gitrunner.go) ---- */

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* The environment for git without the variables that would point it at
 * some other repository than the clone (set when kbuild runs from a git
 * hook, say).  The strings stay environ's. */
static char **git_environment(void)
{
	static const char *const drop[] = {
		"GIT_DIR=", "GIT_WORK_TREE=", "GIT_INDEX_FILE=", "GIT_OBJECT_DIRECTORY=",
		"GIT_ALTERNATE_OBJECT_DIRECTORIES=", "GIT_COMMON_DIR=", "GIT_NAMESPACE=",
		"GIT_PREFIX=",
	};
	size_t n = 0;
	bool has_prompt = false;
	while (environ && environ[n])
		n++;
	char **env = kb_xmalloc((n + 2) * sizeof(*env));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool keep = true;
		for (size_t d = 0; d < sizeof(drop) / sizeof(*drop); d++)
			if (kb_str_has_prefix(environ[i], drop[d]))
				keep = false;
		if (kb_str_has_prefix(environ[i], "GIT_TERMINAL_PROMPT="))
			has_prompt = true;
		if (keep)
			env[k++] = environ[i];
	}
	/* git runs in its own process group, where a password prompt on the
	 * terminal would stop it until the timeout; fail at once instead */
	if (!has_prompt)
		env[k++] = (char *)"GIT_TERMINAL_PROMPT=0";
	env[k] = NULL;
	return env;
}

/* Runs argv (argv[0] looked up in PATH) with stdin from /dev/null and
 * stdout and stderr captured together, killing it and everything it
 * started when timeout_ns passes.  *status is the waitpid status. */
static kb_error *run_command(char *const argv[], int64_t timeout_ns, kb_buf *out, int *status,
			     bool *timed_out)
{
	*timed_out = false;
	*status = 0;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return kb_error_new(NULL, 0, 0, "cannot run %s: pipe: %s", argv[0], strerror(errno));
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawnattr_init(&at);
	sigset_t mask, dflt;
	sigemptyset(&mask);
	sigemptyset(&dflt);
	/* dispositions a host program may have set that would break git */
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &mask);
	posix_spawnattr_setsigdefault(&at, &dflt);
	/* its own group, so a timeout also ends git's helpers (ssh, remote-https) */
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF);
	char **env = git_environment();
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, env);
	free(env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		if (rc == ENOENT)
			return kb_error_new(NULL, 0, 0, "no '%s' program on PATH", argv[0]);
		return kb_error_new(NULL, 0, 0, "cannot run %s: %s", argv[0], strerror(rc));
	}
	int64_t deadline = now_ns() + timeout_ns;
	if (deadline < timeout_ns) /* overflow */
		deadline = INT64_MAX;
	char chunk[4096];
	for (;;) {
		int64_t left = deadline - now_ns();
		if (left <= 0) {
			*timed_out = true;
			break;
		}
		int64_t ms = left / 1000000 + (left % 1000000 != 0);
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		int r = poll(&p, 1, ms > INT_MAX ? INT_MAX : (int)ms);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		ssize_t n = read(fds[0], chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break; /* end of output: git is finishing */
		if (out->len < MAX_GIT_OUTPUT)
			kb_buf_append(out, chunk, (size_t)n);
	}
	close(fds[0]);
	while (!*timed_out) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return NULL;
		if (w < 0 && errno != EINTR) {
			/* ECHILD: the host ignores SIGCHLD, so children are reaped
			 * unseen; the next step finds out whether git worked */
			*status = 0;
			return NULL;
		}
		if (now_ns() >= deadline) {
			*timed_out = true;
			break;
		}
		struct timespec nap = { 0, 5 * 1000000L };
		nanosleep(&nap, NULL);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return NULL;
}

/* One git command in dir, as kustomize's gitRunner.run: failures name
 * the command and git's output. */
static kb_error *run_git(const kb_repospec *rs, const char *dir, const char *const *args)
{
	size_t n = 0;
	while (args[n])
		n++;
	char **argv = kb_xmalloc((n + 4) * sizeof(*argv));
	argv[0] = (char *)"git";
	argv[1] = (char *)"-C";
	argv[2] = (char *)dir;
	kb_buf cmd = KB_BUF_INIT;
	kb_buf_puts(&cmd, "git");
	for (size_t i = 0; i < n; i++) {
		argv[3 + i] = (char *)args[i];
		kb_buf_printf(&cmd, " %s", args[i]);
	}
	argv[3 + n] = NULL;
	kb_buf out = KB_BUF_INIT;
	int status;
	bool timed_out;
	kb_error *e = run_command(argv, rs->timeout_ns, &out, &status, &timed_out);
	free(argv);
	kb_buf_append(&out, "", 0); /* data is NUL-terminated from here on */
	/* git's output ends in a newline; the message adds its own */
	while (out.len > 0 && out.data[out.len - 1] && strchr(" \t\r\n", out.data[out.len - 1]))
		out.data[--out.len] = '\0';
	if (!e && timed_out) {
		char *d = kb_remote_format_duration(rs->timeout_ns);
		e = kb_error_new(NULL, 0, 0,
				 "fetching '%s': hit %s timeout running '%s' (raise it with "
				 "?timeout= in the URL)",
				 rs->raw, d, cmd.data);
		free(d);
	} else if (!e && WIFSIGNALED(status)) {
		e = kb_error_new(NULL, 0, 0, "fetching '%s': failed to run '%s': %s%ssignal %d",
				 rs->raw, cmd.data, out.data, *out.data ? ": " : "",
				 WTERMSIG(status));
	} else if (!e && WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		e = kb_error_new(NULL, 0, 0, "fetching '%s': failed to run '%s': %s%sexit status %d",
				 rs->raw, cmd.data, out.data, *out.data ? ": " : "",
				 WEXITSTATUS(status));
	} else if (e) {
		e = kb_error_note(e, NULL, 0, 0, "fetching '%s'", rs->raw);
	}
	kb_buf_free(&out);
	kb_buf_free(&cmd);
	return e;
}

/* ---- cloning (cloner.go) ---- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0; /* remove as much as possible */
}

static void remove_tree(const char *dir)
{
	/* FTW_PHYS: a symlink in the checkout is removed, never followed */
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void kb_clone_remove(kb_clone *c)
{
	if (!c)
		return;
	if (c->dir)
		remove_tree(c->dir);
	free(c->dir);
	free(c->root);
	c->dir = c->root = NULL;
}

kb_error *kb_repo_clone(const kb_repospec *rs, kb_clone *out)
{
	memset(out, 0, sizeof(*out));
	const char *tmp = getenv("TMPDIR");
	if (kb_str_empty(tmp))
		tmp = "/tmp";
	char *templ = kb_xasprintf("%s/kbuild-remote-XXXXXX", tmp);
	if (!mkdtemp(templ)) {
		kb_error *e = kb_error_new(NULL, 0, 0, "fetching '%s': cannot create %s: %s",
					   rs->raw, templ, strerror(errno));
		free(templ);
		return e;
	}
	/* canonical, like every directory the builder compares */
	out->dir = realpath(templ, NULL);
	if (!out->dir) {
		kb_error *e = kb_error_new(NULL, 0, 0, "fetching '%s': %s: %s", rs->raw, templ,
					   strerror(errno));
		rmdir(templ);
		free(templ);
		return e;
	}
	free(templ);

	char *spec = kb_repospec_clone_spec(rs);
	const char *ref = kb_str_empty(rs->ref) ? "HEAD" : rs->ref;
	/* origin is needed by relative submodule URLs; the fetch names the
	 * URL itself so that git's errors show it */
	const char *const init[] = { "init", "--quiet", NULL };
	const char *const remote[] = { "remote", "add", "origin", spec, NULL };
	const char *const fetch[] = { "fetch", "--depth=1", spec, ref, NULL };
	const char *const checkout[] = { "checkout", "--quiet", "FETCH_HEAD", NULL };
	const char *const submodule[] = { "submodule", "update", "--init", "--recursive", NULL };
	kb_error *e = run_git(rs, out->dir, init);
	if (!e)
		e = run_git(rs, out->dir, remote);
	if (!e)
		e = run_git(rs, out->dir, fetch);
	if (!e)
		e = run_git(rs, out->dir, checkout);
	if (!e && rs->submodules)
		e = run_git(rs, out->dir, submodule);
	free(spec);

	if (!e) {
		char *joined = kb_path_join(out->dir, rs->kust_path);
		out->root = realpath(joined, NULL);
		if (!out->root)
			e = kb_error_new(NULL, 0, 0, "'%s': no directory '%s' in the repository: %s",
					 rs->raw, rs->kust_path, strerror(errno));
		free(joined);
	}
	if (!e) {
		struct stat st;
		if (stat(out->root, &st) != 0 || !S_ISDIR(st.st_mode))
			e = kb_error_new(NULL, 0, 0,
					 "'%s' refers to file '%s'; expecting directory (a remote "
					 "URL must name a directory holding a kustomization)",
					 rs->raw, rs->kust_path);
		else if (!path_within(out->root, out->dir))
			/* a symlink in the repository may point anywhere */
			e = kb_error_new(NULL, 0, 0,
					 "'%s' refers to directory outside of repo '%s'", rs->raw,
					 out->dir);
	}
	if (e)
		kb_clone_remove(out);
	return e;
}
