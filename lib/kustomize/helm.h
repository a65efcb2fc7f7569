/*
 * helm.h - helmCharts / helmGlobals (and the legacy
 * helmChartInflationGenerator), as kustomize v5.5.0 runs them
 * (api/types/helmchartargs.go, api/internal/builtins/
 * HelmChartInflationGenerator.go, api/internal/target/
 * kusttarget_configplugin.go).
 *
 * Per chart, in kustomize's order:
 *   - refuse unless kb_options.enable_helm ("must specify --enable-helm");
 *   - chartHome defaults to "charts" under the kustomization; with both
 *     version and repo the chart lives in {chartHome}/{name}-{version};
 *   - valuesFile defaults to {chartHome}/{name}/values.yaml; every
 *     additionalValuesFiles entry must load through the loader (root
 *     restriction) and is passed as {root}/{file};
 *   - configHome defaults to a fresh temp dir + "/helm"; helm runs with
 *     HELM_CONFIG_HOME={configHome}, HELM_CACHE_HOME={configHome}/.cache,
 *     HELM_DATA_HOME={configHome}/.data added to the environment;
 *   - `helm version -c --short` must report major version 3;
 *   - when {chartHome}/{name} is not a directory, `helm pull --untar
 *     --untardir {chartHome} ...` fetches it (needs repo);
 *   - the values file is always copied to {tmp}/{name}-kustomize-values.yaml;
 *     with valuesInline it is first merged (valuesMerge: override = inline
 *     wins, merge = the file wins, replace = inline only; kyaml merge2
 *     semantics: maps merge, lists and scalars are replaced, null deletes);
 *   - `helm template` with types.HelmChart.AsHelmArgs' exact arguments;
 *     its stdout is parsed as a resource stream (kind *List inlined).
 * The temp dir is removed before returning, on success and on error.
 *
 * v5.5.0 does NOT pass the kustomization's `namespace` to helm (that came
 * in v5.8); the namespace transformer namespaces the output like any other
 * resource.  The --helm-api-versions / --helm-kube-version / --helm-debug
 * overrides are not in kb_options; the per-chart fields are honoured.
 *
 * helm runs through posix_spawnp with stdin on /dev/null and stdout and
 * stderr captured; no shell is involved.
 */
#ifndef KB_HELM_H
#define KB_HELM_H

#include "diag.h"
#include "fs.h"
#include "kustfile.h"
#include "node.h"
#include "resource.h"
#include "acc.h"

/* The charts a kustomization asks for, as kustomize's
 * FixKustomizationPostUnmarshalling leaves them: helmCharts followed by
 * the helmChartInflationGenerator entries converted
 * (types.SplitHelmParameters).  *charts is a new KB_SEQ of chart maps
 * with canonical field names (positions kept), *globals a new KB_MAP of
 * the effective helmGlobals (helmGlobals, else the legacy entries' last
 * non-empty chartHome / helmHome).  Unknown fields are errors, as in
 * kustomize's strict decoding.  Both trees belong to the caller. */
kb_error *kb_helm_charts(const kb_kust *k, kb_node **charts, kb_node **globals);

/* Inflates one chart.  chart holds the HelmChart fields, globals the
 * HelmGlobals fields (chartHome, configHome); for a
 * HelmChartInflationGenerator plugin config both are the config itself.
 * Field names match case-insensitively.  Files resolve through ld; file
 * names the configuring file in messages.  The resources helm printed are
 * appended to out (checked for duplicate ids), not yet absorbed. */
kb_error *kb_helm_inflate(kb_ctx *ctx, const kb_node *globals, const kb_node *chart,
			  const kb_loader *ld, const char *file, kb_resmap *out);

#endif
