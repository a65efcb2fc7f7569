#!/bin/sh
# CLI behaviour: flags, exit codes, -o FILE / -o DIR, no partial output.
# usage: tests/cli.sh KBUILD SOURCE_DIR
set -u
kb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
ex=$src/testdata/examples/gitops
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # name, condition (evaluated)
	if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; fi
}

"$kb" --help >"$tmp/help" 2>&1; rc=$?
check "--help exits 0" '[ $rc -eq 0 ]'
check "--help lists --load-restrictor" 'grep -q -- "--load-restrictor" "$tmp/help"'
"$kb" --version >"$tmp/ver"; rc=$?
check "--version exits 0" '[ $rc -eq 0 ] && grep -q "kbuild" "$tmp/ver"'
"$kb" --no-such-flag >/dev/null 2>&1; rc=$?
check "unknown flag exits 2" '[ $rc -eq 2 ]'
"$kb" a b >/dev/null 2>&1; rc=$?
check "two directories exit 2" '[ $rc -eq 2 ]'
"$kb" --load-restrictor bogus "$ex/apps/dev" >/dev/null 2>&1; rc=$?
check "bad --load-restrictor exits 2" '[ $rc -eq 2 ]'
"$kb" --reorder bogus "$ex/apps/dev" >/dev/null 2>&1; rc=$?
check "bad --reorder exits 2" '[ $rc -eq 2 ]'

# stdout rendering, and the optional `build` word
"$kb" "$ex/apps/dev" >"$tmp/a.yaml"; rc=$?
check "build exits 0" '[ $rc -eq 0 ] && [ -s "$tmp/a.yaml" ]'
"$kb" build "$ex/apps/dev" >"$tmp/b.yaml"
check "'kbuild build DIR' equals 'kbuild DIR'" 'cmp -s "$tmp/a.yaml" "$tmp/b.yaml"'
(cd "$ex/apps/dev" && "$kb") >"$tmp/c.yaml"
check "DIR defaults to ." 'cmp -s "$tmp/a.yaml" "$tmp/c.yaml"'

# -o FILE
"$kb" "$ex/apps/dev" -o "$tmp/out.yaml"; rc=$?
check "-o FILE writes the stream" '[ $rc -eq 0 ] && cmp -s "$tmp/a.yaml" "$tmp/out.yaml"'
# a failed build leaves no file and no output
mkdir -p "$tmp/bad"
printf 'resources:\n- missing.yaml\n' >"$tmp/bad/kustomization.yaml"
"$kb" "$tmp/bad" -o "$tmp/never.yaml" >"$tmp/stdout" 2>"$tmp/stderr"; rc=$?
check "failed build exits 1" '[ $rc -eq 1 ]'
check "failed build writes no -o file" '[ ! -e "$tmp/never.yaml" ]'
check "failed build prints nothing on stdout" '[ ! -s "$tmp/stdout" ]'
check "error is compiler-style" 'grep -q "^kbuild: error: .*kustomization.yaml:2:3: " "$tmp/stderr"'
check "no temp files left behind" '[ -z "$(ls "$tmp" | grep kbuild-tmp)" ]'
# an existing -o FILE is replaced atomically, never truncated on failure
printf 'old\n' >"$tmp/keep.yaml"
"$kb" "$tmp/bad" -o "$tmp/keep.yaml" 2>/dev/null
check "failed build keeps the old -o file" '[ "$(cat "$tmp/keep.yaml")" = old ]'

# -o DIR: one file per resource, named as kustomize names them
mkdir "$tmp/outdir"
"$kb" "$ex/apps/dev" -o "$tmp/outdir"; rc=$?
check "-o DIR exits 0" '[ $rc -eq 0 ]'
check "-o DIR names files by kind and name" '[ -f "$tmp/outdir/helm.toolkit.fluxcd.io_v2_helmrelease_podinfo.yaml" ] && [ -f "$tmp/outdir/v1_namespace_podinfo.yaml" ]'
check "-o DIR writes each resource" '[ $(ls "$tmp/outdir" | wc -l) -eq 3 ]'

# --load-restrictor LoadRestrictionsNone lifts the root restriction
mkdir -p "$tmp/lr/app"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n' >"$tmp/lr/cm.yaml"
printf 'resources:\n- ../cm.yaml\n' >"$tmp/lr/app/kustomization.yaml"
"$kb" "$tmp/lr/app" >/dev/null 2>&1; rc=$?
check "file outside the root is refused" '[ $rc -eq 1 ]'
"$kb" --load-restrictor LoadRestrictionsNone "$tmp/lr/app" >/dev/null 2>&1; rc=$?
check "LoadRestrictionsNone allows it" '[ $rc -eq 0 ]'

# subcommands: help, version, a misspelled command
"$kb" help >"$tmp/h1" 2>&1; rc=$?
check "'kbuild help' exits 0 and lists commands" '[ $rc -eq 0 ] && grep -q "^Commands:" "$tmp/h1"'
"$kb" help build >"$tmp/h2" 2>&1; rc=$?
check "'kbuild help build' shows build's flags" '[ $rc -eq 0 ] && grep -q -- "--load-restrictor" "$tmp/h2"'
"$kb" build --help >"$tmp/h3" 2>&1; rc=$?
check "'kbuild build --help' equals 'kbuild help build'" '[ $rc -eq 0 ] && cmp -s "$tmp/h2" "$tmp/h3"'
"$kb" version >"$tmp/v2"; rc=$?
check "'kbuild version' prints the version" '[ $rc -eq 0 ] && cmp -s "$tmp/ver" "$tmp/v2"'
"$kb" help nosuchcommand >/dev/null 2>&1; rc=$?
check "'kbuild help UNKNOWN' exits 2" '[ $rc -eq 2 ]'
(cd "$tmp" && "$kb" biuld) >/dev/null 2>"$tmp/sugg"; rc=$?
check "misspelled command suggests the right one" '[ $rc -eq 2 ] && grep -q "did you mean .build." "$tmp/sugg"'

# --max-nodes counts one document at a time, and the error names the flag
mkdir -p "$tmp/nodes"
printf 'resources:\n- many.yaml\n' >"$tmp/nodes/kustomization.yaml"
for i in 1 2 3 4 5; do
	printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%s\ndata:\n  a: b\n  c: d\n  e: f\n' $i
done >"$tmp/nodes/many.yaml"
"$kb" --max-nodes 20 "$tmp/nodes" >/dev/null 2>&1; rc=$?
check "--max-nodes is per document (5 documents of 13 nodes pass 20)" '[ $rc -eq 0 ]'
"$kb" --max-nodes 10 "$tmp/nodes" >/dev/null 2>"$tmp/nodes.err"; rc=$?
check "a document over --max-nodes fails naming the flag" '[ $rc -eq 1 ] && grep -q -- "--max-nodes" "$tmp/nodes.err"'
"$kb" --max-nodes x "$tmp/nodes" >/dev/null 2>&1; rc=$?
check "bad --max-nodes is a usage error" '[ $rc -eq 2 ]'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
