/*
 * extplugin.h - external plugins listed under generators:, transformers:
 * and validators: (kustomize v5.5.0's api/internal/plugins: loader,
 * execplugin, fnplugin and utils).
 *
 * A config that is not `apiVersion: builtin` is, with
 * kb_options.enable_alpha_plugins:
 *   - a KRM function when it carries a function spec (fnrun.h): run with
 *     a ResourceList, exec or container;
 *   - else a legacy exec plugin: the executable
 *     {plugin home}/{group}/{version}/{lowercased kind}/{Kind}, where the
 *     plugin home is the first existing of $KUSTOMIZE_PLUGIN_HOME,
 *     $XDG_CONFIG_HOME/kustomize/plugin, $HOME/.config/kustomize/plugin and
 *     $HOME/kustomize/plugin.  It runs in the kustomization's directory
 *     with the config written to a temporary file as its first argument
 *     (then argsOneLiner, split like a shell would, or the lines of
 *     argsFromFile), KUSTOMIZE_PLUGIN_CONFIG_STRING and
 *     KUSTOMIZE_PLUGIN_CONFIG_ROOT in its environment, and the resources on
 *     stdin (nothing for a generator).  Go plugins (.so) are refused.
 *
 * What comes back is handled as kustomize's utils do:
 *   - a generator's output is a resource stream whose objects are
 *     absorbed (create/merge/replace from the kustomize.config.k8s.io/
 *     behavior annotation, a name hash when kustomize.config.k8s.io/
 *     needs-hash is true);
 *   - a transformer's output replaces the objects with the same current
 *     id, adds new ones at the end and removes those it left out;
 *   - a validator's output may not contain any object of the build:
 *     kustomize v5.5.0 compares what it read back with the originals node
 *     by node, source positions included, so any object returned counts
 *     as a change (see kb_ext_validate).
 * On the way in, each object carries kustomize's build annotations (its
 * previous names, namespaces and kinds, prefixes and suffixes, generator
 * behavior and hash flag) and kustomize.config.k8s.io/id (its current id
 * as YAML); on the way out they are read back, so an object the plugin
 * rebuilds from scratch loses its history exactly as it does in kustomize.
 */
#ifndef KB_EXTPLUGIN_H
#define KB_EXTPLUGIN_H

#include "acc.h"
#include "diag.h"
#include "fs.h"
#include "resource.h"

typedef struct kb_ext_plugin kb_ext_plugin;

/* Loads and configures the plugin for cfg (loadAndConfigurePlugin):
 * finds its executable or function spec and reads its arguments.  ld is
 * the loader of the kustomization that lists it.  The caller has checked
 * enable_alpha_plugins.  *out belongs to the caller. */
kb_error *kb_ext_load(kb_ctx *ctx, const kb_resource *cfg, const kb_loader *ld,
		      kb_ext_plugin **out);
void kb_ext_free(kb_ext_plugin *p);

kb_error *kb_ext_generate(kb_ctx *ctx, kb_ext_plugin *p, kb_acc *acc);
kb_error *kb_ext_transform(kb_ctx *ctx, kb_ext_plugin *p, kb_resmap *m);
kb_error *kb_ext_validate(kb_ctx *ctx, kb_ext_plugin *p, const kb_resmap *m);

/* The plugin home kustomize would use (the first existing candidate);
 * NULL with *tried listing the candidates when none exists.  Both
 * malloc'd. */
char *kb_ext_plugin_home(char **tried);

/* google/shlex's Split: whitespace-separated words with '...', "..."
 * and backslash escapes; a '#' starting a word starts a comment.  On a
 * syntax error the words before it are kept (kustomize ignores the
 * error). */
void kb_shlex_split(const char *s, kb_strv *out);

#endif
