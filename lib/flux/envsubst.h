/*
 * envsubst.h - fluxcd/pkg/envsubst (a fork of drone/envsubst), ported:
 * the bash-like ${var} expansion kustomize-controller runs over each
 * resource's YAML in post-build substitution.
 *
 * Supported as there: ${var}, ${var=default}, ${var:=default},
 * ${var:-default} (and :?, :+, -, +, ?, which all behave as a default),
 * ${#var}, ${var^} ${var^^} ${var,} ${var,,}, ${var:pos[:len]},
 * ${var#pat} ${var##pat} ${var%pat} ${var%%pat}, ${var/old/new},
 * ${var//old/new}, ${var/#old/new}, ${var/%old/new}, nested ${...} in
 * arguments, and the $${...} escape.  A bare $var is left alone.
 *
 * The lookup says whether a variable is set; in strict mode an unset
 * variable is an error unless a default operator handles it.  kbuild
 * adds a third answer, KB_ENVSUBST_UNKNOWN, for variables whose value
 * cannot be known offline (it lives in an encrypted Secret): their
 * expression is kept as written, unless a default operator gives a value
 * (then the variable is taken as unset: such sources hold secrets, not
 * the settings defaults stand for).
 */
#ifndef KB_FLUX_ENVSUBST_H
#define KB_FLUX_ENVSUBST_H

#include <stdbool.h>
#include <stddef.h>

enum {
	KB_ENVSUBST_UNSET = 0,
	KB_ENVSUBST_SET = 1,
	KB_ENVSUBST_UNKNOWN = 2,
};

/* Looks up name; on KB_ENVSUBST_SET stores a borrowed value in *value. */
typedef int (*kb_envsubst_lookup)(void *ctx, const char *name, const char **value);

typedef struct kb_envsubst_error {
	const char *msg; /* static text: "bad substitution", "missing closing brace", ... */
	char *var;       /* strict mode: the unset variable (malloc'd), else NULL */
} kb_envsubst_error;

/* Expands s[0..len).  On success returns the malloc'd result (NUL
 * terminated, length in *outlen) and leaves err untouched; on failure
 * returns NULL and fills err (free err->var).  `strict`: an unset
 * variable without a default operator is an error. */
struct kb_strv;
/* kept (may be NULL) collects, once each, the unknown variables whose
 * expressions were kept as written. */
char *kb_envsubst(const char *s, size_t len, kb_envsubst_lookup lookup, void *ctx, bool strict,
		  size_t *outlen, kb_envsubst_error *err, struct kb_strv *kept);

/* The variable names s references (each once, in order of first use),
 * for messages; appended to *names (a kb_strv). */
void kb_envsubst_vars(const char *s, size_t len, struct kb_strv *names);

#endif
