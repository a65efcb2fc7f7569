/*
 * kustfile.h - finding, parsing and validating a kustomization file.
 *
 * kustomize decodes the file strictly (unknown fields are errors, field
 * names match case-insensitively as Go's JSON decoder does) and then
 * "fixes" it: `bases` are appended to `resources`, `imageTags` to
 * `images`, `patchesJSON6902` spelled any way is `patchesJson6902`.
 * kb_kust_load does the same so later stages see one canonical shape.
 *
 * Ownership: a kb_kust owns its document and strings; kb_kust_free.
 */
#ifndef KB_KUSTFILE_H
#define KB_KUSTFILE_H

#include "diag.h"
#include "hooks.h"
#include "node.h"
#include "parse.h"
#include "util.h"

typedef struct kb_kust {
	kb_node *doc;  /* canonical field names, always a map */
	char *path;    /* absolute path of the file */
	char *display; /* the path for messages */
	char *dir;     /* absolute, symlink-free directory */
	bool component;
} kb_kust;

/* The kustomization file names kustomize recognises, in its order. */
extern const char *const kb_kust_filenames[3];

/* Returns true when dir holds a kustomization file. */
bool kb_kust_exists(const kb_fs *fs, const char *dir);
/* 1 when dir holds a kustomization file, 0 when it holds none, -1 (errno
 * set) when that cannot be told (a directory without permission), so
 * the error names the real cause. */
int kb_kust_probe(const kb_fs *fs, const char *dir);
/* Loads the kustomization in dir (absolute, canonical). */
kb_error *kb_kust_load(const kb_fs *fs, const char *dir, const kb_parse_limits *lim,
		       kb_warnings *warn,
		       kb_kust **out);
/* The same, parsing through hooks->parse when set (hooks.h). */
kb_error *kb_kust_load_hooked(const kb_fs *fs, const char *dir, const kb_parse_limits *lim,
			      kb_warnings *warn, const kb_build_hooks *hooks, kb_kust **out);
/* The same on text already read: path and dir as in kb_kust_load (path
 * need not exist; dir is its canonical directory), display names it in
 * messages.  flags: KB_KUST_ALLOW_EMPTY accepts a file with no fields
 * (what `kustomize edit` reads after `create`), read as an empty map. */
#define KB_KUST_ALLOW_EMPTY 1u
kb_error *kb_kust_parse(const char *path, const char *display, const char *dir, const char *text,
			size_t len, const kb_parse_limits *lim, kb_warnings *warn, unsigned flags,
			kb_kust **out);
void kb_kust_free(kb_kust *k);

/* Renames the keys of a replacements list (or of one replacement, a map)
 * to the canonical spelling of their Go field, case-insensitively, as
 * kustomize's JSON decoding matches them; for replacement files, which
 * kb_kust_load does not see.  Spellings that lose to another one of the
 * same field are dropped (with a warning when warn is set). */
void kb_kust_canon_replacements(kb_node *list, const char *file, kb_warnings *warn);
/* Drops the fields of a kustomization document that kustomize's
 * types.Kustomization does not have, at the top and in the nested
 * objects whose type is known (patches, images, generators, ...), as a
 * non-strict Go decoding of the file into that type does
 * (kustomize-controller rewrites a kustomization that way).  The dotted
 * paths of the dropped fields are appended to `dropped` (may be NULL). */
void kb_kust_prune_unknown(kb_node *doc, kb_strv *dropped);

/* Reads a list-of-strings field; NULL when absent.  Errors name the file. */
kb_error *kb_kust_strings(const kb_kust *k, const char *field, const kb_node **out);

#endif
