/*
 * proc.h - running a child program without a shell: argv as given,
 * stdin fed from memory, stdout and stderr captured, a deadline and a
 * bound on what is kept.
 *
 * The child is started with posix_spawn (posix_spawnp when
 * KB_PROC_SEARCH_PATH is set and argv[0] has no '/'), in cwd when one is
 * given.  Its stdin is one end of a socket pair written with
 * MSG_NOSIGNAL, so a child that exits without reading its input never
 * raises SIGPIPE in the host program; stdin, stdout and stderr are
 * serviced together with poll(2), so a child that writes a lot before it
 * has read all its input does not deadlock against us.
 *
 * On timeout or when stdout grows past max_out the child is killed
 * (SIGKILL) and the run ends at once, even if a grandchild still holds
 * the pipes open.  The child stays in the caller's process group, so a
 * Ctrl-C at the terminal reaches it as it would a child of the shell.
 *
 * Thread-safety: kb_proc_run may be called from several threads at once
 * (every descriptor it makes is close-on-exec, so a concurrent spawn does
 * not inherit them).  It changes no signal disposition or mask.
 */
#ifndef KB_PROC_H
#define KB_PROC_H

#include "util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	KB_PROC_SEARCH_PATH = 1 << 0, /* look argv[0] up in PATH when it has no '/' */
};

typedef struct kb_proc_spec {
	char *const *argv;     /* argv[0] is the program; NULL-terminated */
	char *const *env;      /* NULL: the host's environ */
	const char *cwd;       /* NULL: the host's */
	const char *input;     /* fed to stdin then closed; NULL: /dev/null */
	size_t input_len;
	int64_t timeout_ms;    /* <= 0: no deadline */
	size_t max_out;        /* stdout beyond this kills the child; 0: unbounded */
	size_t max_err;        /* stderr kept (the first bytes); 0: 64 KiB */
	unsigned flags;        /* KB_PROC_* */
} kb_proc_spec;

typedef struct kb_proc_result {
	kb_buf out;            /* stdout (NUL-terminated when not empty) */
	kb_buf err;            /* stderr, up to max_err bytes */
	bool err_truncated;    /* stderr had more than max_err bytes */
	int spawn_errno;       /* != 0: the program could not be started */
	bool exited;           /* ended by exit(); exit_code is valid */
	int exit_code;
	int term_signal;       /* != 0: ended by this signal */
	bool timed_out;        /* killed at the deadline */
	bool out_overflow;     /* killed because stdout passed max_out */
} kb_proc_result;

/* Runs the child to its end (or kills it) and fills *res, which the
 * caller releases with kb_proc_result_free.  Returns 0, or -1 with errno
 * when the pipes could not be made (res->spawn_errno is set as well). */
int kb_proc_run(const kb_proc_spec *spec, kb_proc_result *res);
void kb_proc_result_free(kb_proc_result *res);

/* Go's os/exec wording of how the run ended, for messages: "exit status
 * 2", "signal: killed", "fork/exec PROG: permission denied",
 * "exec: \"PROG\": executable file not found in $PATH".  NULL when the
 * child exited with status 0.  Caller frees. */
char *kb_proc_describe(const kb_proc_spec *spec, const kb_proc_result *res);

/* Whether name (without '/') is an executable file in a directory of
 * PATH; *found (may be NULL) gets the full path, caller frees. */
bool kb_proc_find_in_path(const char *name, char **found);

#endif
