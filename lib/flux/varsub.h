/*
 * varsub.h - kustomize-controller's post-build variable substitution
 * (fluxcd/pkg/kustomize SubstituteVariables) on one built object.
 *
 * As in the controller, the substitution runs over the object's YAML
 * text (as kustomize prints it), and the result is read back as YAML
 * 1.1 (sigs.k8s.io/yaml), so `replicas: ${n}` becomes a number and
 * `enabled: ${yes}` a bool.
 *
 * Ownership: kb_flux_vars owns its strings; kb_flux_vars_free.
 */
#ifndef KB_FLUX_VARSUB_H
#define KB_FLUX_VARSUB_H

#include "diag.h"
#include "node.h"
#include "util.h"

typedef struct kb_flux_vars {
	kb_strv names, values, origins; /* parallel; origins name the source in messages */
	/* some source of values could not be read offline (an encrypted
	 * Secret, a reference skipped with --skip-unresolved): variables
	 * not found are then kept as written instead of emptied */
	bool unknown_possible;
} kb_flux_vars;

/* Sets (or overrides) name; newlines are removed from value, as the
 * controller does. */
void kb_flux_vars_set(kb_flux_vars *v, const char *name, const char *value, const char *origin);
void kb_flux_vars_free(kb_flux_vars *v);

/* The object opts out (label or annotation
 * kustomize.toolkit.fluxcd.io/substitute: disabled). */
bool kb_flux_subst_disabled(const kb_node *doc);

/* Substitutes *doc (replaced by the new tree on success).  `what` names
 * the object in messages ("ConfigMap apps/app-vars"), file the file it
 * came from.  Variables looked up but unknown are appended to
 * *unknown_used (each once). */
kb_error *kb_flux_substitute(kb_node **doc, const kb_flux_vars *vars, bool strict,
			     const char *what, const char *file, kb_strv *unknown_used);

#endif
