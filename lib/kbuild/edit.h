/*
 * kbuild/edit.h - change a kustomization file the way `kustomize edit`
 * does, rewriting only the bytes of what changes.
 *
 *   kb_edit_options o;
 *   kb_edit_options_init(&o);
 *   o.dir = "apps/prod";
 *   kb_edit *e = NULL;
 *   kb_error *err = kb_edit_open(&o, &e);
 *   const char *img[] = { "app=registry.example.com/app:1.4.2" };
 *   if (!err)
 *           err = kb_edit_set_image(e, img, 1);
 *   if (!err)
 *           err = kb_edit_write(e);   // atomic; nothing written on error
 *   ...
 *   kb_edit_free(e);
 *
 * An edit session holds one kustomization file (and, for `fix --vars`,
 * the resource files that change with it).  Every operation has the
 * syntax, semantics, validation and error texts of the kustomize v5.5.0
 * command named beside it, and applies completely or not at all: on
 * error the session is as it was.  Operations may be chained; nothing
 * touches the disk before kb_edit_write().
 *
 * What is kept: every comment (head, inline, trailing, Flux
 * `# {"$imagepolicy": ...}` markers), key order, quoting of untouched
 * scalars, blank lines, line breaks (CRLF stays CRLF), a missing final
 * line break, a `---` document start.  New entries follow their
 * neighbours' indentation, sequence style (indented or not) and quoting.
 * Each result is read back and checked against the intended data
 * before the session accepts it.
 *
 * Where kustomize's edit rewrites the whole file through its typed model
 * (turning `bases` into `resources`, `imageTags` into `images`, filling
 * in apiVersion and kind, sorting), kbuild does so only in kb_edit_fix(),
 * whose purpose that is; elsewhere those fields are left as they are and
 * read as kustomize reads them, so the build is the same.
 *
 * Paths given to operations are relative to the kustomization's
 * directory (kustomize's are relative to the current directory, which
 * `kustomize edit` requires to be that directory).
 *
 * Ownership: a session and its strings belong to the session; free it
 * with kb_edit_free() (NULL-safe).  Strings returned as `char *` are the
 * caller's (free()).  Thread safety: a session must not be used from two
 * threads at once; separate sessions are independent.
 */
#ifndef KBUILD_EDIT_H
#define KBUILD_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kb_edit kb_edit;

#define KB_EDIT_OPTIONS_VERSION 1

typedef struct kb_edit_options {
	int version;       /* KB_EDIT_OPTIONS_VERSION */
	const char *dir;   /* the kustomization's directory; "." when NULL */
	/* what validation reads (globs, generator sources, resources); NULL:
	 * the operating system's.  kb_edit_write() always writes the disk. */
	const kb_fs *fs;
} kb_edit_options;

KB_API void kb_edit_options_init(kb_edit_options *o);

/* Opens the kustomization file of o->dir (exactly one of
 * kustomization.yaml, kustomization.yml, Kustomization) and checks it as
 * kustomize reads it (unknown fields and wrong types are errors; an empty
 * file is fine). */
KB_API kb_error *kb_edit_open(const kb_edit_options *o, kb_edit **out);
/* The same on text in memory (an editor's buffer) standing for the file
 * at path; o->dir is ignored: path's directory is the kustomization's. */
KB_API kb_error *kb_edit_open_text(const kb_edit_options *o, const char *path, const char *text,
				   size_t len, kb_edit **out);

/* ---- kustomize create ---- */

#define KB_CREATE_OPTIONS_VERSION 1

typedef struct kb_create_options {
	int version;             /* KB_CREATE_OPTIONS_VERSION */
	const char *resources;   /* --resources: comma-separated paths or globs */
	const char *namespace_;  /* --namespace */
	const char *nameprefix;  /* --nameprefix */
	const char *namesuffix;  /* --namesuffix */
	const char *labels;      /* --labels k:v,k:v (commonLabels) */
	const char *annotations; /* --annotations k:v,k:v */
	bool autodetect;         /* --autodetect: add the resource files found in dir */
	bool recursive;          /* --recursive: look in subdirectories too */
} kb_create_options;

KB_API void kb_create_options_init(kb_create_options *c);
/* A session on a new kustomization.yaml in o->dir, written as kustomize
 * create writes it; it is an error when the directory already holds a
 * kustomization file.  kb_edit_write() creates the file. */
KB_API kb_error *kb_edit_create(const kb_edit_options *o, const kb_create_options *c,
				kb_edit **out);

/* ---- lists of paths ---- */

typedef enum kb_edit_list {
	KB_EDIT_RESOURCES,      /* add resource (and the deprecated add base) */
	KB_EDIT_COMPONENTS,     /* add/remove component */
	KB_EDIT_TRANSFORMERS,   /* add/remove transformer */
	KB_EDIT_GENERATORS,     /* add generator */
	KB_EDIT_CONFIGURATIONS, /* add configuration */
} kb_edit_list;

#define KB_EDIT_NO_VERIFY 1u /* add resource --no-verify */
#define KB_EDIT_BASE 2u      /* add base DIR,DIR (one comma-separated argument) */

/* `edit add resource|component|transformer|generator|configuration
 * ARG...`: globs expanded (Go's rules); a resource or component with no
 * match must be a directory or a git URL that can be fetched (unless
 * KB_EDIT_NO_VERIFY); entries already there are skipped with a message. */
KB_API kb_error *kb_edit_add(kb_edit *e, kb_edit_list list, const char *const *args, size_t n,
			     unsigned flags);
/* `edit remove resource|component|transformer PATTERN...`: entries
 * matching any pattern (Go's filepath.Match) go. */
KB_API kb_error *kb_edit_remove(kb_edit *e, kb_edit_list list, const char *const *args,
				size_t n);

/* ---- buildMetadata: add / set / remove OPTION[,OPTION] ---- */

typedef enum kb_edit_verb { KB_EDIT_ADD, KB_EDIT_SET, KB_EDIT_REMOVE } kb_edit_verb;

KB_API kb_error *kb_edit_buildmetadata(kb_edit *e, kb_edit_verb verb, const char *const *args,
				       size_t n);

/* ---- labels and annotations ---- */

typedef enum kb_edit_meta { KB_EDIT_LABEL, KB_EDIT_ANNOTATION } kb_edit_meta;

#define KB_EDIT_FORCE 1u             /* add label/annotation --force */
#define KB_EDIT_WITHOUT_SELECTOR 2u  /* add label --without-selector (labels:) */
#define KB_EDIT_INCLUDE_TEMPLATES 4u /* add label --include-templates */
#define KB_EDIT_IGNORE_MISSING 8u    /* remove label/annotation --ignore-non-existence */

/* add/set: args are KEY:VALUE (split at the first ':', one pair of
 * surrounding double quotes dropped from the value); remove: one
 * argument KEY[,KEY].  Keys and values Kubernetes would refuse are
 * accepted as kustomize accepts them, with a warning. */
KB_API kb_error *kb_edit_metadata(kb_edit *e, kb_edit_verb verb, kb_edit_meta what,
				  const char *const *args, size_t n, unsigned flags);

/* ---- set namespace|nameprefix|namesuffix VALUE ---- */

typedef enum kb_edit_field { KB_EDIT_NAMESPACE, KB_EDIT_NAMEPREFIX, KB_EDIT_NAMESUFFIX } kb_edit_field;

KB_API kb_error *kb_edit_set_field(kb_edit *e, kb_edit_field f, const char *const *args,
				   size_t n);

/* ---- set image / set replicas ---- */

/* NAME=NEWNAME[:TAG][@DIGEST], NAME[:TAG][@DIGEST]; '*' as new name, tag
 * or digest keeps what the file has.  An entry for NAME is replaced in
 * place (other entries keep their place); a new one goes where it keeps
 * a list sorted by name sorted, else at the end. */
KB_API kb_error *kb_edit_set_image(kb_edit *e, const char *const *args, size_t n);
/* NAME=COUNT */
KB_API kb_error *kb_edit_set_replicas(kb_edit *e, const char *const *args, size_t n);

/* ---- patches ---- */

#define KB_EDIT_PATCH_VERSION 1

typedef struct kb_edit_patch {
	int version;                    /* KB_EDIT_PATCH_VERSION */
	const char *path;               /* --path */
	const char *patch;              /* --patch (inline) */
	const char *group, *version_, *kind, *name, *namespace_; /* the target */
	const char *annotation_selector, *label_selector;
} kb_edit_patch;

KB_API void kb_edit_patch_init(kb_edit_patch *p);
KB_API kb_error *kb_edit_add_patch(kb_edit *e, const kb_edit_patch *p);
KB_API kb_error *kb_edit_remove_patch(kb_edit *e, const kb_edit_patch *p);

/* ---- configMapGenerator / secretGenerator ---- */

#define KB_EDIT_GENERATOR_VERSION 1

typedef struct kb_edit_generator {
	int version;                          /* KB_EDIT_GENERATOR_VERSION */
	bool secret;                          /* secretGenerator */
	const char *const *args;              /* NAME (exactly one) */
	size_t nargs;
	const char *const *files;             /* --from-file [KEY=]PATH (globs) */
	size_t nfiles;
	const char *const *literals;          /* --from-literal KEY=VALUE */
	size_t nliterals;
	const char *env_file;                 /* --from-env-file */
	const char *behavior;                 /* --behavior create|merge|replace */
	const char *type;                     /* secrets: --type (NULL: Opaque) */
	const char *namespace_;               /* --namespace */
	const char *new_namespace;            /* set: --new-namespace */
	bool disable_name_suffix_hash;        /* --disableNameSuffixHash */
} kb_edit_generator;

KB_API void kb_edit_generator_init(kb_edit_generator *g);
/* add configmap|secret: adds to (or creates) the generator NAME in the
 * namespace; the result is checked by generating it. */
KB_API kb_error *kb_edit_add_generator(kb_edit *e, const kb_edit_generator *g);
/* set configmap|secret: changes existing literals, or the namespace. */
KB_API kb_error *kb_edit_set_generator(kb_edit *e, const kb_edit_generator *g);
/* remove configmap|secret NAME[,NAME] [--namespace]. */
KB_API kb_error *kb_edit_remove_generator(kb_edit *e, bool secret, const char *const *args,
					  size_t n, const char *namespace_);

/* ---- fix ---- */

#define KB_EDIT_FIX_VARS 1u /* --vars: vars to replacements (edits resource files) */

/* Deprecated fields to their replacements, as `kustomize edit fix`:
 * bases -> resources, imageTags -> images, patchesJson6902 and
 * patchesStrategicMerge -> patches, commonLabels -> labels, env -> envs,
 * helmChartInflationGenerator -> helmCharts/helmGlobals, field names in
 * their canonical spelling, and apiVersion/kind when missing.  Moved
 * entries take their comments along.  The kustomization is built before
 * and after; a difference is reported as a message. */
KB_API kb_error *kb_edit_fix(kb_edit *e, unsigned flags);

/* ---- results ---- */

/* The kustomization file: absolute path, display path, current text. */
KB_API const char *kb_edit_path(const kb_edit *e);
KB_API const char *kb_edit_display_path(const kb_edit *e);
KB_API const char *kb_edit_text(const kb_edit *e, size_t *len);
/* True when some file of the session differs from what was read. */
KB_API bool kb_edit_changed(const kb_edit *e);
/* A unified diff (3 lines of context, `--- a/PATH` / `+++ b/PATH`) of
 * every changed file; "" when nothing changed.  Caller frees. */
KB_API char *kb_edit_diff(const kb_edit *e);
/* Writes the changed files: each atomically (a temporary file in the
 * same directory renamed over it), through symlinks (the link stays a
 * link), keeping the file's permissions (and owner, when run as root).
 * All temporary files are written before any is renamed, so an error
 * while writing leaves every file as it was.  Nothing is written for an
 * unchanged file. */
KB_API kb_error *kb_edit_write(kb_edit *e);
/* What kustomize logs while editing ("resource x already in
 * kustomization file") and kbuild's warnings, one line each. */
KB_API size_t kb_edit_message_count(const kb_edit *e);
KB_API const char *kb_edit_message(const kb_edit *e, size_t i);
KB_API void kb_edit_free(kb_edit *e);

#ifdef __cplusplus
}
#endif

#endif
