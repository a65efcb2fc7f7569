#!/bin/sh
# kbuild flux: flags, exit codes, -o DIR / -o FILE, --kustomization, no
# partial output, help and man page.
# usage: tests/flux_cli.sh KBUILD SOURCE_DIR
set -u
kb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
ex=$src/testdata/examples/gitops
cases=$src/testdata/flux/cases
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # name, condition (evaluated)
	if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; fi
}

"$kb" flux --help >"$tmp/help"; rc=$?
check "flux --help exits 0" '[ $rc -eq 0 ] && grep -q -- "--values-from" "$tmp/help" && grep -q -- "--load-restrictor" "$tmp/help"'
"$kb" help flux >"$tmp/help2"; rc=$?
check "kbuild help flux" '[ $rc -eq 0 ] && cmp -s "$tmp/help" "$tmp/help2"'
"$kb" --help | grep -q "^  flux "
check "kbuild --help lists flux" '[ $? -eq 0 ]'
check "man page exists" '[ -f "$src/man/kbuild-flux.1" ] && grep -q "^\.TH KBUILD-FLUX" "$src/man/kbuild-flux.1"'
"$kb" flux --no-such-flag "$ex/clusters/dev" >/dev/null 2>&1; rc=$?
check "unknown flag exits 2" '[ $rc -eq 2 ]'
"$kb" flux a b >/dev/null 2>&1; rc=$?
check "two paths exit 2" '[ $rc -eq 2 ]'
"$kb" flux -k nonamespace "$ex/clusters/dev" >/dev/null 2>&1; rc=$?
check "bad --kustomization exits 2" '[ $rc -eq 2 ]'
"$kb" flux --source bogus "$ex/clusters/dev" >/dev/null 2>"$tmp/err"; rc=$?
check "bad --source exits 2" '[ $rc -eq 2 ] && grep -q "KIND/NAMESPACE/NAME=DIR" "$tmp/err"'
"$kb" flux --source GitRepository/a/b=/no/such/dir "$ex/clusters/dev" >/dev/null 2>&1; rc=$?
check "--source to a missing directory exits 2" '[ $rc -eq 2 ]'
"$kb" flux "$tmp/none" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "missing PATH exits 1" '[ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q "^kbuild: error: " "$tmp/err"'

# the whole cluster, and its summary
"$kb" flux "$ex/clusters/dev" >"$tmp/dev.yaml" 2>"$tmp/err"; rc=$?
check "bundled dev cluster renders" '[ $rc -eq 0 ] && [ -s "$tmp/dev.yaml" ]'
check "summary on stderr" 'grep -q "^kbuild: flux: 3 Kustomizations rendered, 13 resources, 3 HelmReleases" "$tmp/err"'
"$kb" flux -q "$ex/clusters/dev" >/dev/null 2>"$tmp/err"
check "-q: no summary" '[ ! -s "$tmp/err" ]'
check "owner labels" 'grep -q "kustomize.toolkit.fluxcd.io/name: apps" "$tmp/dev.yaml"'
check "dependsOn order: infra before apps" '[ $(grep -n "kustomize.toolkit.fluxcd.io/name: infra-controllers" "$tmp/dev.yaml" | head -1 | cut -d: -f1) -lt $(grep -n "kustomize.toolkit.fluxcd.io/name: apps" "$tmp/dev.yaml" | head -1 | cut -d: -f1) ]'
(cd "$ex/clusters/dev" && "$kb" flux -q) >"$tmp/dot.yaml"
check "PATH defaults to ." 'cmp -s "$tmp/dev.yaml" "$tmp/dot.yaml"'

# --kustomization
"$kb" flux -q -k flux-system/apps "$ex/clusters/dev" >"$tmp/apps.yaml"; rc=$?
check "--kustomization prints that one" '[ $rc -eq 0 ] && grep -q "name: podinfo" "$tmp/apps.yaml" && ! grep -q "kustomize.toolkit.fluxcd.io/name: infra-controllers" "$tmp/apps.yaml"'
"$kb" flux -q -k flux-system/nope "$ex/clusters/dev" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--kustomization of an unknown one exits 1" '[ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q "no Kustomization flux-system/nope" "$tmp/err"'

# -o DIR: one file per Kustomization
mkdir "$tmp/outdir"
"$kb" flux -q "$ex/clusters/dev" -o "$tmp/outdir"; rc=$?
check "-o DIR exits 0" '[ $rc -eq 0 ]'
check "-o DIR writes NAMESPACE/NAME.yaml" '[ -f "$tmp/outdir/flux-system/flux-system.yaml" ] && [ -f "$tmp/outdir/flux-system/apps.yaml" ] && [ -f "$tmp/outdir/flux-system/infra-controllers.yaml" ]'
"$kb" flux -q -k flux-system/apps "$ex/clusters/dev" >"$tmp/apps2.yaml"
check "-o DIR file equals --kustomization output" 'cmp -s "$tmp/outdir/flux-system/apps.yaml" "$tmp/apps2.yaml"'
check "-o DIR leaves no temp files" '[ -z "$(find "$tmp/outdir" -name "*kbuild-tmp*")" ]'
mkdir "$tmp/rootdir"
"$kb" flux -q "$src/testdata/realworld/flux2-kustomize-helm-example/clusters/staging" -o "$tmp/rootdir"
check "-o DIR: PATH's own objects go to _root.yaml" '[ -f "$tmp/rootdir/_root.yaml" ] && grep -q "kind: ArtifactGenerator" "$tmp/rootdir/_root.yaml"'

# -o FILE
"$kb" flux -q "$ex/clusters/dev" -o "$tmp/dev-file.yaml"; rc=$?
check "-o FILE writes the stream" '[ $rc -eq 0 ] && cmp -s "$tmp/dev.yaml" "$tmp/dev-file.yaml"'

# a failing Kustomization: nothing on stdout, no -o file
c=$cases/ks.error-missing-path
(cd "$c" && "$kb" flux in/repo/clusters/c --repo-root in/repo -o "$tmp/never.yaml") >"$tmp/out" 2>"$tmp/err"; rc=$?
check "failure exits 1" '[ $rc -eq 1 ]'
check "failure writes no -o file" '[ ! -e "$tmp/never.yaml" ]'
check "failure prints nothing on stdout" '[ ! -s "$tmp/out" ]'
check "failure names the Kustomization and file" 'grep -q "^kbuild: error: in/repo/clusters/c/apps.yaml:9:9: kustomization path not found" "$tmp/err" && grep -q "note: in/repo/clusters/c/apps.yaml:2:1: in Kustomization flux-system/apps" "$tmp/err"'
# a failure elsewhere does not stop --kustomization of a good one
mkdir -p "$tmp/mixed/clusters/c" "$tmp/mixed/ok"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  namespace: default\n' >"$tmp/mixed/ok/cm.yaml"
for n in ok broken; do
	printf 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: %s\n  namespace: flux-system\nspec:\n  interval: 1m\n  prune: true\n  path: ./%s\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n' $n $n >"$tmp/mixed/clusters/c/$n.yaml"
done
"$kb" flux -q --repo-root "$tmp/mixed" -k flux-system/ok "$tmp/mixed/clusters/c" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--kustomization ignores others' failures" '[ $rc -eq 0 ] && grep -q "name: ok" "$tmp/out" && grep -q "warning: Kustomization flux-system/broken failed" "$tmp/err"'
"$kb" flux -q --repo-root "$tmp/mixed" "$tmp/mixed/clusters/c" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "without it they fail the run" '[ $rc -eq 1 ] && [ ! -s "$tmp/out" ]'

# the user's tree is never written
before=$(find "$ex" -type f | sort | xargs cat | cksum)
"$kb" flux -q "$ex/clusters/prod" >/dev/null
after=$(find "$ex" -type f | sort | xargs cat | cksum)
check "the tree is not written" '[ "$before" = "$after" ]'
# build flags kustomize-controller does not honour are said so
"$kb" flux -q --enable-helm "$ex/clusters/dev" >/dev/null 2>"$tmp/err"; rc=$?
check "--enable-helm is ignored with a warning" '[ $rc -eq 0 ] && grep -q "is ignored: kustomize-controller" "$tmp/err"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
