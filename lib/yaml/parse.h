/*
 * parse.h - YAML/JSON text to kb_node trees, with libfyaml.
 *
 * Scalars are typed the way kustomize's reader (goyaml.v3) types plain
 * scalars: null, bool (true/false in any of their three spellings), int
 * (Go's ParseInt with base 0: 0x, 0o, 0b, leading-0 octal, underscores),
 * float; quoted and block scalars are strings.  Aliases are expanded
 * (bounded by a node budget, so an alias bomb is an error, not a hang);
 * nesting is bounded too.  Errors carry file:line:col.
 *
 * Ownership: *docs is a malloc'd array of owned trees; free each with
 * kb_node_free() and the array with free(), or use kb_docs_free().
 */
#ifndef KB_PARSE_H
#define KB_PARSE_H

#include "diag.h"
#include "node.h"

typedef struct kb_parse_limits {
	size_t max_depth; /* 0 = KB_DEFAULT_MAX_DEPTH */
	size_t max_nodes; /* 0 = KB_DEFAULT_MAX_NODES */
	/* kustomization files are read by goyaml.v2, where a repeated key
	 * silently replaces the earlier one; resources are read by
	 * goyaml.v3, where it is an error. */
	bool dup_keys_last_wins;
	/* patches are applied as kyaml node trees, whose field lookup finds
	 * the first of repeated keys: repeated keys are kept as extra pairs
	 * (kb_map_get finds the first); the emitter refuses a map that still
	 * holds one, as kustomize's JSON conversion does */
	bool dup_keys_first_wins;
	/* kustomization files: plain timestamps stay as written (goyaml.v2
	 * into string fields).  Elsewhere kustomize's reader turns them into
	 * time values, printed back in RFC 3339 ("2001-12-14T00:00:00Z"). */
	bool keep_timestamps;
	/* kustomization files are YAML 1.1 to goyaml.v2: yes/no/on/off/y/n
	 * are booleans there (so `namePrefix: yes` is a type error) */
	bool yaml11_bools;
	/* resource and patch files are read by kyaml's kio.ByteReader: CRLF
	 * turned into LF, the text split at every line starting with "---",
	 * and only the first document of each piece read (see parse.c) */
	bool kio;
	/* resources and strategic-merge patches are kept as kyaml node trees
	 * until printed: a map key that reads as a number, boolean, null or
	 * timestamp is kept with its text as written and flagged
	 * (kb_pair.knonstr), where other readers refuse it */
	bool nonstr_keys;
	/* JSON patches in YAML are converted to JSON by sigs.k8s.io/yaml's
	 * YAMLToJSON, a goyaml.v2 Unmarshal: it reads the first document
	 * and stops, so what follows it (more documents, or text the
	 * parser would refuse) is never looked at (not with kio) */
	bool first_doc;
	/* text that passed a strict JSON check (a JSON patch starting with
	 * '[', which kustomize decodes with encoding/json): JSON's "\/"
	 * escape is allowed (go-yaml v3 refuses it) */
	bool json;
} kb_parse_limits;

/* go-yaml v3's limit ("exceeded max depth of 10000"), which kustomize has */
#define KB_DEFAULT_MAX_DEPTH 10000
#define KB_DEFAULT_MAX_NODES 10000000

/* Parses every document of a stream.  Empty documents (nothing but
 * comments, or a bare `---`) are dropped.  `file` names the source in
 * errors (may be NULL for inline text). */
kb_error *kb_yaml_parse(const char *file, const char *buf, size_t len,
			const kb_parse_limits *lim, kb_node ***docs, size_t *ndocs);
/* Parses text that must hold at most one document; *out is NULL for an
 * empty one. */
/* kb_yaml_parse, with the documents of a big kio stream (a file of many
 * resources) parsed on pool's threads when it is not NULL; the result,
 * and the first error, are kb_yaml_parse's.  The caller must not be one
 * of pool's jobs (a job may not wait for others). */
struct kb_pool;
kb_error *kb_yaml_parse_on(const char *file, const char *buf, size_t len,
			   const kb_parse_limits *lim, struct kb_pool *pool, kb_node ***docs,
			   size_t *ndocs);
kb_error *kb_yaml_parse_one(const char *file, const char *buf, size_t len,
			    const kb_parse_limits *lim, kb_node **out);
void kb_docs_free(kb_node **docs, size_t n);

/* Refuses text that YAML's reader refuses before parsing starts: invalid
 * UTF-8 and control characters (NUL among them), with the position of
 * the first offending byte.  kb_yaml_parse calls it; anything else that
 * hands text to a YAML parser (libfyaml for edits) should too. */
kb_error *kb_yaml_check_text(const char *file, const char *buf, size_t len);

/* YAML's float syntax as goyaml writes it:
 * ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
bool kb_yaml_float_syntax(const char *s);

/* A YAML timestamp ("2006-1-2", optionally with a time, fraction and zone,
 * as goyaml accepts them) in the RFC 3339 form Go prints it; NULL when s
 * is not a valid timestamp.  Caller frees. */
char *kb_timestamp_rfc3339(const char *s);

/* Types a plain (unquoted) scalar as kustomize's reader would and
 * returns its canonical text (caller frees) in *canon. */
kb_kind kb_scalar_resolve(const char *text, size_t len, char **canon);

#endif
