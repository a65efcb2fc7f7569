/*
 * fnrun.h - KRM functions: a plugin config that carries a function spec
 * (kyaml v0.18.1's fn/runtime and runfn, as kustomize v5.5.0's fnplugin
 * runs them) is run as an executable or in a container, with a
 * ResourceList on stdin and a ResourceList (or a plain stream) read back
 * from stdout.
 *
 * The spec (runtimeutil.GetFunctionSpec) comes from the annotation
 * config.kubernetes.io/function (or config.k8s.io/function), else
 * metadata.configFn, else the legacy config.kubernetes.io/container
 * image annotation; it is decoded strictly (unknown fields are errors),
 * with Go's case-insensitive field names.
 *
 * kb_fn_execute reproduces the kio pipeline around one function:
 *   - the reader's index annotations (config.kubernetes.io/index and
 *     internal.config.kubernetes.io/index) on every input object, and the
 *     pipeline's annotations-migration id;
 *   - scoping by the config's path annotation (exec functions only;
 *     container functions are global, as kustomize makes them);
 *   - the ids internal.config.kubernetes.io/id and config.k8s.io/id
 *     ("1", "2", ...) that map inputs to outputs, removed from outputs
 *     that keep them;
 *   - the output read back as kyaml's ByteReader reads it (documents split
 *     on "\n---" lines, one ResourceList or List unwrapped, index
 *     annotations on plain documents);
 *   - a default path annotation (kind_name.yaml under the namespace) on
 *     every output without one, legacy and internal forms reconciled, and
 *     the index annotations cleared by the final writer.
 * Which runtime runs: a container when the spec has an image; else the
 * executable when kb_options.enable_exec is set; else nothing (kustomize
 * then passes the input through unchanged, which kbuild does too, with a
 * warning that names the function and --enable-exec).
 *
 * Both runtimes are started without a shell (lib/util/proc.h) in the
 * kustomization's directory, bounded by kb_options.fn_timeout_ms and
 * fn_max_output.  The function's stderr goes into the error when it
 * fails and into a warning when it succeeds (kustomize lets it through to
 * the terminal).
 */
#ifndef KB_FNRUN_H
#define KB_FNRUN_H

#include "acc.h"
#include "diag.h"
#include "node.h"
#include "util.h"

#include <stdint.h>

typedef struct kb_fn_mount {
	char *type, *src, *dst;
	bool rw;
} kb_fn_mount;

/* runtimeutil.FunctionSpec */
typedef struct kb_fn_spec {
	bool defer_failure;
	char *image;  /* container.image */
	bool network; /* container.network */
	kb_fn_mount *mounts; /* container.mounts */
	size_t nmounts;
	kb_strv envs; /* container.envs: KEY=VALUE or KEY */
	char *exec_path; /* exec.path */
} kb_fn_spec;

/* The function spec of a config document; *out is NULL when it declares
 * none.  file names the config in errors. */
kb_error *kb_fn_spec_get(const kb_node *doc, const char *file, kb_fn_spec **out);
void kb_fn_spec_free(kb_fn_spec *s);

/* runtimeutil.StringToStorageMount ("type=bind,src=a,dst=b,rw=true"). */
void kb_fn_mount_parse(const char *s, kb_fn_mount *m);
void kb_fn_mount_free(kb_fn_mount *m);

/* The arguments of `docker run` for a container function (without the
 * program name), exactly as kyaml's container filter builds them:
 * --rm -i -a STDIN -a STDOUT -a STDERR --network none|host --user U
 * --security-opt=no-new-privileges, one --mount per mount (relative
 * sources joined to workdir), the -e flags of the merged environment
 * (kb_options.fn_env over the spec's envs, LOG_TO_STDERR and
 * STRUCTURED_RESULTS defaulted to true; KEY=VALUE sorted by key, then
 * bare KEYs in order), then the image.  uidgid is "nobody" or "UID:GID". */
void kb_fn_container_args(const kb_fn_spec *spec, const kb_options *opts, const char *workdir,
			  const char *uidgid, kb_strv *args);

/* One function run. */
typedef struct kb_fn_call {
	const kb_options *opts;
	const kb_parse_limits *lim;
	kb_warnings *warnings;
	const kb_fn_spec *spec;
	const kb_node *fn_config; /* ResourceList.functionConfig (borrowed) */
	const char *workdir;      /* the kustomization directory */
	const char *name;         /* "api: v, kind: K, name: N", for messages */
	const char *file;         /* the config's file, for messages */
	unsigned line, col;
} kb_fn_call;

/* Runs the function over items (ownership of the malloc'd array and of
 * every items[i] passes) and
 * returns the objects kustomize's runner would print, as new trees in
 * *out (a malloc'd array of *nout owned documents). */
kb_error *kb_fn_execute(const kb_fn_call *call, kb_node **items, size_t nitems, kb_node ***out,
			size_t *nout);

/* The container runtime to use (kb_options.fn_container_runtime, else
 * docker, else podman, whichever is on PATH); NULL when there is none.
 * Caller frees. */
char *kb_fn_container_runtime(const kb_options *opts);

/* kb_options fields of version 3 with defaults applied. */
int64_t kb_fn_timeout_ms(const kb_options *opts);
size_t kb_fn_max_output(const kb_options *opts);

#endif
