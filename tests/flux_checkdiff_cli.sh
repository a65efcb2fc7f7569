#!/bin/sh
# kbuild check --flux and kbuild diff --flux (issue 16): the bundled
# gitops example and flux2-kustomize-helm-example checked and diffed
# Kustomization by Kustomization; formats, errors, exit codes, usage.
# usage: tests/flux_checkdiff_cli.sh KBUILD SOURCE_DIR
set -u
kb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
ex=$src/testdata/examples/gitops
rw=$src/testdata/realworld/flux2-kustomize-helm-example
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # name, condition (evaluated)
	if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; fi
}
GIT="git -c user.name=t -c user.email=t@e -c commit.gpgsign=false"
# a copy of a tree as a git repository of its own
repo() { # SRC DEST
	cp -r "$1" "$2" && (cd "$2" && git init -q . && git add -A && $GIT commit -qm a && git tag a)
}
jsonl_ok() { # FILE: every line is a JSON object
	python3 -c 'import json,sys
for l in open(sys.argv[1]): json.loads(l)' "$1"
}

# ---- help ----
for c in check diff; do
	"$kb" $c --help >"$tmp/help" 2>&1
	check "$c --help has --flux and the flux flags" 'grep -q -- "--flux  " "$tmp/help" && grep -q -- "--values-from FILE" "$tmp/help" && grep -q "^       kbuild $c --flux" "$tmp/help"'
done

# ---- check --flux ----
cd "$ex" || exit 1
"$kb" check --flux clusters/dev >"$tmp/out" 2>"$tmp/err"; rc=$?
check "check --flux: the dev cluster passes" '[ $rc -eq 0 ] && [ ! -s "$tmp/err" ]'
check "check --flux: one line per Kustomization, in apply order" '[ "$(sed -n "1,3s/ .*//p" "$tmp/out" | tr "\n" " ")" = "flux-system/flux-system flux-system/infra-controllers flux-system/apps " ]'
check "check --flux: spec.path and resources shown" 'grep -qx "flux-system/apps (path ./apps/dev): ok (3 resources)" "$tmp/out"'
check "check --flux: the summary counts Kustomizations" 'tail -n 1 "$tmp/out" | grep -qx "3 Kustomizations: 3 ok, 0 failed, 0 warnings"'
"$kb" check --flux clusters/dev clusters/prod >"$tmp/out" 2>&1; rc=$?
check "check --flux: two clusters, names say which" '[ $rc -eq 0 ] && grep -q "^clusters/prod flux-system/apps (path ./prod): ok" "$tmp/out" && tail -n 1 "$tmp/out" | grep -q "^6 Kustomizations: 6 ok"'
"$kb" check --flux clusters/prod --format json >"$tmp/out" 2>"$tmp/err"; rc=$?
check "check --flux --format json: one valid object per Kustomization" '[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 3 ] && jsonl_ok "$tmp/out"'
check "check --flux --format json: the flux object" 'grep -q "\"path\":\"flux-system/apps\".*\"flux\":{\"cluster_path\":\"clusters/prod\",\"namespace\":\"flux-system\",\"name\":\"apps\",\"spec_path\":\"./prod\",\"file\":\"clusters/prod/apps.yaml\",\"line\":2," "$tmp/out"'
check "check --flux --format json: summary on stderr" 'grep -q "^3 Kustomizations: 3 ok" "$tmp/err"'
"$kb" check --flux clusters/prod -o "$tmp/bundles" >/dev/null 2>&1; rc=$?
mkdir "$tmp/fluxdir"
"$kb" flux -q clusters/prod -o "$tmp/fluxdir"
check "check --flux -o DIR: what kbuild flux -o DIR writes" '[ $rc -eq 0 ] && diff -r "$tmp/bundles" "$tmp/fluxdir" >/dev/null && [ -s "$tmp/bundles/flux-system/apps.yaml" ]'

# flux2-kustomize-helm-example: every Kustomization of both clusters
cd "$rw" || exit 1
"$kb" check --flux clusters/staging clusters/production >"$tmp/out" 2>&1; rc=$?
check "check --flux: flux2-kustomize-helm-example passes" '[ $rc -eq 0 ] && tail -n 1 "$tmp/out" | grep -q "^8 Kustomizations: 8 ok, 0 failed"'
check "check --flux: its ExternalArtifact Kustomizations" 'grep -q "^clusters/staging flux-system/infra-configs (path ./configs): ok (3 resources)" "$tmp/out" && grep -q "^clusters/production flux-system/apps (path ./production): ok" "$tmp/out"'

# errors: file:line:col and the Kustomization, exit 1
cp -r "$ex" "$tmp/broken"
cd "$tmp/broken" || exit 1
sed -i 's/- name: infra-controllers/- name: infra-controlers/' clusters/prod/apps.yaml
"$kb" check --flux clusters/prod >"$tmp/out" 2>&1; rc=$?
check "check --flux: a failing Kustomization exits 1" '[ $rc -eq 1 ] && grep -qx "flux-system/apps (path ./prod): FAILED" "$tmp/out"'
check "check --flux: the error names file:line:col" 'grep -q "^  clusters/prod/apps.yaml:9:7: error: Kustomization flux-system/apps depends on flux-system/infra-controlers, which no Kustomization in the cluster defines" "$tmp/out"'
check "check --flux: a note names the Kustomization" 'grep -q "^    clusters/prod/apps.yaml:2:1: note: in Kustomization flux-system/apps" "$tmp/out"'
check "check --flux: the others still pass" 'grep -q "^flux-system/infra-controllers (path ./controllers): ok" "$tmp/out" && tail -n 1 "$tmp/out" | grep -qx "3 Kustomizations: 2 ok, 1 failed, 0 warnings"'
"$kb" check --flux clusters/prod --format github >"$tmp/out" 2>&1; rc=$?
check "check --flux --format github: an annotation at the file" '[ $rc -eq 1 ] && grep -q "^::error file=clusters/prod/apps.yaml,line=9,col=7,title=kbuild check flux-system/apps::" "$tmp/out"'
"$kb" check --flux clusters/prod --format junit >"$tmp/out" 2>/dev/null; rc=$?
check "check --flux --format junit: a failure per Kustomization" '[ $rc -eq 1 ] && grep -q "tests=\"3\" failures=\"1\"" "$tmp/out" && grep -q "<testcase classname=\"kbuild.check\" name=\"flux-system/apps\"" "$tmp/out"'
"$kb" check --flux clusters/prod -o "$tmp/b2" >/dev/null 2>&1
check "check --flux -o: no bundle for the failure" '[ -s "$tmp/b2/flux-system/infra-controllers.yaml" ] && [ ! -e "$tmp/b2/flux-system/apps.yaml" ]'
# strict substitution
sed -i 's/cluster_name: prod/other: x/' clusters/prod/apps.yaml
sed -i 's/infra-controlers/infra-controllers/' clusters/prod/apps.yaml
"$kb" check --flux --strict-substitute clusters/prod >"$tmp/out" 2>&1; rc=$?
check "check --flux --strict-substitute: an unset variable fails" '[ $rc -eq 1 ] && grep -q "cluster_name" "$tmp/out"'
"$kb" check --flux clusters/prod >/dev/null 2>&1; rc=$?
check "check --flux without it: passes" '[ $rc -eq 0 ]'

# usage
"$kb" check --flux --since HEAD clusters/prod >/dev/null 2>"$tmp/err"; rc=$?
check "check --flux --since: usage error" '[ $rc -eq 2 ] && grep -q "do not apply to --flux" "$tmp/err"'
"$kb" check --flux --exclude x clusters/prod >/dev/null 2>&1; rc=$?
check "check --flux --exclude: usage error" '[ $rc -eq 2 ]'
"$kb" check --source GitRepository/a/b=. clusters/prod >/dev/null 2>"$tmp/err"; rc=$?
check "check: flux flags need --flux" '[ $rc -eq 2 ] && grep -q "need --flux" "$tmp/err"'
"$kb" check --flux clusters/none >/dev/null 2>"$tmp/err"; rc=$?
check "check --flux: a missing PATH exits 2" '[ $rc -eq 2 ] && grep -q "clusters/none" "$tmp/err"'

# ---- diff --flux ----
repo "$ex" "$tmp/g"
cd "$tmp/g" || exit 1
"$kb" diff --flux clusters/prod >"$tmp/out" 2>&1; rc=$?
check "diff --flux: nothing changed exits 0" '[ $rc -eq 0 ] && [ "$(cat "$tmp/out")" = "no changes (3 of 3 Kustomizations rendered)" ]'
sed -i 's/replicaCount: 3/replicaCount: 5/' apps/prod/podinfo-values.yaml
sed -i 's/cluster_name: prod/cluster_name: production/' clusters/prod/apps.yaml
"$kb" diff --flux clusters/prod >"$tmp/out" 2>&1; rc=$?
check "diff --flux: a change exits 1" '[ $rc -eq 1 ]'
check "diff --flux: per Kustomization" 'grep -qx "Kustomization flux-system/apps: 1 changed" "$tmp/out" && grep -qx "Kustomization flux-system/flux-system: 1 changed" "$tmp/out" && ! grep -q "infra-controllers:" "$tmp/out"'
check "diff --flux: the values and the substitution" 'grep -qx "+    replicaCount: 5" "$tmp/out" && grep -qx "+      cluster: production" "$tmp/out" && grep -qx "@@ -40,12 +40,12 @@ spec.values.podAnnotations.cluster" "$tmp/out"'
check "diff --flux: the summary" 'tail -n 1 "$tmp/out" | grep -qx "2 Kustomizations changed: 0 resources added, 2 changed, 0 removed (3 of 3 Kustomizations rendered)"'
"$kb" diff --flux clusters/prod --format json >"$tmp/out" 2>&1; rc=$?
check "diff --flux --format json: valid, says its entries" '[ $rc -eq 1 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"entries\"]==\"kustomizations\"; a=[o for o in d[\"overlays\"] if o[\"path\"]==\"flux-system/apps\"][0]; assert a[\"status\"]==\"changed\" and a[\"file\"]==\"clusters/prod/apps.yaml\" and a[\"line\"]==2" "$tmp/out"'
"$kb" diff --flux clusters/prod --format markdown --exit-zero >"$tmp/out" 2>&1; rc=$?
check "diff --flux --format markdown --exit-zero" '[ $rc -eq 0 ] && grep -q "^### kbuild diff --flux: 2 Kustomizations changed" "$tmp/out" && grep -q "<summary><code>flux-system/apps</code>: 1 changed</summary>" "$tmp/out"'
$GIT commit -qam b && git tag b
"$kb" diff --flux --base a --head b clusters/prod clusters/dev >"$tmp/out" 2>&1; rc=$?
check "diff --flux --base --head: two revisions, two clusters" '[ $rc -eq 1 ] && grep -qx "Kustomization clusters/prod flux-system/apps: 1 changed" "$tmp/out" && ! grep -q "clusters/dev flux-system/apps:" "$tmp/out"'
# a Kustomization that stops building, one that is new
printf 'x: [\n' >>infrastructure/controllers/kustomization.yaml
cp clusters/dev/infrastructure.yaml clusters/dev/more.yaml
sed -i 's/name: infra-controllers/name: more/' clusters/dev/more.yaml
"$kb" diff --flux clusters/dev >"$tmp/out" 2>&1; rc=$?
check "diff --flux: a Kustomization that stops building" '[ $rc -eq 1 ] && grep -qx "Kustomization flux-system/infra-controllers: stops building" "$tmp/out" && grep -q "infrastructure/controllers/kustomization.yaml:" "$tmp/out"'
check "diff --flux: a new Kustomization" 'grep -q "^Kustomization flux-system/more: new Kustomization, fails" "$tmp/out"'
git checkout -q . && rm clusters/dev/more.yaml
# a cluster that does not render at all: its whole stream against the error
printf 'x: [\n' >>clusters/dev/infrastructure.yaml
"$kb" diff --flux clusters/dev >"$tmp/out" 2>&1; rc=$?
check "diff --flux: a cluster that stops rendering" '[ $rc -eq 1 ] && grep -qx "cluster clusters/dev: stops building" "$tmp/out" && grep -q "clusters/dev/infrastructure.yaml:" "$tmp/out"'
git checkout -q .
# a values file git does not track is read on both sides
cat >clusters/dev/vals.yaml <<'EOF'
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: vals
  namespace: flux-system
spec:
  interval: 10m
  path: ./vals
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  postBuild:
    substituteFrom:
    - kind: Secret
      name: tokens
EOF
mkdir vals && printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: v\n  namespace: default\ndata:\n  t: ${token}\n' >vals/cm.yaml
$GIT add -A && $GIT commit -qm c
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: tokens\n  namespace: flux-system\nstringData:\n  token: s3cr3t\n' >"$tmp/decrypted.yaml"
"$kb" diff --flux --values-from "$tmp/decrypted.yaml" clusters/dev >"$tmp/out" 2>&1; rc=$?
check "diff --flux --values-from: both sides read it" '[ $rc -eq 0 ] && grep -q "^no changes (4 of 4 Kustomizations rendered)" "$tmp/out"'
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: tokens\n  namespace: flux-system\nstringData:\n  token: s3cr3t\n' >decrypted.yaml
echo decrypted.yaml >.git/info/exclude
"$kb" diff --flux --values-from decrypted.yaml clusters/dev >"$tmp/out" 2>&1; rc=$?
check "diff --flux --values-from: an ignored file in the repository too" '[ $rc -eq 0 ] && grep -q "^no changes" "$tmp/out"'
# usage
"$kb" diff --flux --exclude x clusters/dev >/dev/null 2>&1; rc=$?
check "diff --flux --exclude: usage error" '[ $rc -eq 2 ]'
"$kb" diff --values-from x clusters/dev >/dev/null 2>"$tmp/err"; rc=$?
check "diff: flux flags need --flux" '[ $rc -eq 2 ] && grep -q "need --flux" "$tmp/err"'
"$kb" diff --flux clusters/none >/dev/null 2>"$tmp/err"; rc=$?
check "diff --flux: a missing PATH exits 2" '[ $rc -eq 2 ] && grep -q "clusters/none: does not exist" "$tmp/err"'
"$kb" diff --flux clusters/dev "$ex/clusters/dev" >/dev/null 2>"$tmp/err"; rc=$?
check "diff --flux: a PATH of another repository exits 2" '[ $rc -eq 2 ] && grep -q "not in the repository at" "$tmp/err"'

# flux2-kustomize-helm-example: a change to a shared base shows in both clusters
repo "$rw" "$tmp/rw"
cd "$tmp/rw" || exit 1
sed -i 's/interval: 50m/interval: 55m/' apps/base/podinfo/release.yaml
"$kb" diff --flux clusters/staging clusters/production >"$tmp/out" 2>&1; rc=$?
check "diff --flux: flux2-kustomize-helm-example, a base change in both clusters" '[ $rc -eq 1 ] && grep -qx "Kustomization clusters/staging flux-system/apps: 1 changed" "$tmp/out" && grep -qx "Kustomization clusters/production flux-system/apps: 1 changed" "$tmp/out" && tail -n 1 "$tmp/out" | grep -q "(8 of 8 Kustomizations rendered)"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
