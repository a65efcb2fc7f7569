#!/bin/sh
# CLI behaviour: flags, exit codes, -o FILE / -o DIR, no partial output.
# usage: tests/cli.sh KBUILD SOURCE_DIR
set -u
kb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
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

# function plugins: the flags reach the container runtime (a fake docker
# that logs its arguments and prints what the echo-args image reports)
pl=$src/testdata/plugins
fd=$pl/bin/docker
args_case=$pl/cases/fn-container-args/in
"$kb" --help >"$tmp/help2" 2>&1
check "--help explains --enable-exec" 'grep -q -- "--enable-exec .*exec KRM functions" "$tmp/help2"'
check "--help lists --function-timeout" 'grep -q -- "--function-timeout" "$tmp/help2"'
"$kb" --function-timeout soon "$ex/apps/dev" >/dev/null 2>&1; rc=$?
check "bad --function-timeout exits 2" '[ $rc -eq 2 ]'
FAKE_DOCKER_LOG=$tmp/docker.log "$kb" --enable-alpha-plugins --container-runtime "$fd" \
	--as-current-user --network-name mynet -e 'LIST=a,b' "$args_case" >"$tmp/fn.yaml" 2>"$tmp/fn.err"; rc=$?
check "--container-runtime runs the given program" '[ $rc -eq 0 ] && [ -s "$tmp/docker.log" ]'
check "--as-current-user passes UID:GID" 'grep -q "|--user|$(id -u):$(id -g)|" "$tmp/docker.log"'
check "--network-name changes nothing (as in kustomize)" '! grep -q mynet "$tmp/docker.log"'
check "-e keeps commas" 'grep -q "|-e|LIST=a,b|" "$tmp/docker.log"'
check "the container gets the -e environment" 'grep -q "LIST=a,b" "$tmp/fn.yaml"'
tdir=$tmp/fntmp
mkdir -p "$tdir"
TMPDIR=$tdir KUSTOMIZE_PLUGIN_HOME=$pl/cases/exec-plugin-args-and-env/plugins \
	"$kb" --enable-alpha-plugins "$pl/cases/exec-plugin-args-and-env/in" >/dev/null 2>&1; rc=$?
check "exec plugin runs" '[ $rc -eq 0 ]'
check "exec plugin config file is removed" '[ -z "$(ls -A "$tdir")" ]'
TMPDIR=$tdir KUSTOMIZE_PLUGIN_HOME=$pl/errors/exec-plugin-fails/plugins \
	"$kb" --enable-alpha-plugins "$pl/errors/exec-plugin-fails/in" >"$tmp/ep.out" 2>"$tmp/ep.err"; rc=$?
check "failed exec plugin exits 1 with its stderr" '[ $rc -eq 1 ] && grep -q "cannot reach the vault" "$tmp/ep.err"'
check "failed exec plugin prints nothing on stdout" '[ ! -s "$tmp/ep.out" ]'
check "failed exec plugin's config file is removed too" '[ -z "$(ls -A "$tdir")" ]'
"$kb" --enable-alpha-plugins "$pl/cases/fn-exec-without-enable-exec/in" >/dev/null 2>"$tmp/skip.err"; rc=$?
check "an exec function without --enable-exec is skipped with a warning" '[ $rc -eq 0 ] && grep -q "warning: exec function .* --enable-exec" "$tmp/skip.err"'
"$kb" --enable-alpha-plugins --enable-exec "$pl/cases/fn-stderr/in" >/dev/null 2>"$tmp/stderr.err"; rc=$?
check "a function's stderr is shown as a warning" '[ $rc -eq 0 ] && grep -q "and another" "$tmp/stderr.err"'

KUSTOMIZE_PLUGIN_HOME=$pl/cases/exec-plugin-args-and-env/plugins \
	"$kb" --enable_alpha_plugins "$pl/cases/exec-plugin-args-and-env/in" >/dev/null 2>&1; rc=$?
check "--enable_alpha_plugins is --enable-alpha-plugins (kubectl's normalization)" '[ $rc -eq 0 ]'

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

# -j: a build's own threads change nothing in the output or the error
mkdir -p "$tmp/wide"
: >"$tmp/wide/kustomization.yaml"
printf 'resources:\n' >"$tmp/wide/kustomization.yaml"
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%s\ndata:\n  a: "%s"\n' $i $i >"$tmp/wide/r$i.yaml"
	printf -- '- r%s.yaml\n' $i >>"$tmp/wide/kustomization.yaml"
done
"$kb" -j 1 "$tmp/wide" >"$tmp/wide1.yaml"; rc1=$?
"$kb" -j 4 "$tmp/wide" >"$tmp/wide4.yaml"; rc4=$?
check "-j 4 prints the bytes -j 1 prints" '[ $rc1 -eq 0 ] && [ $rc4 -eq 0 ] && cmp -s "$tmp/wide1.yaml" "$tmp/wide4.yaml"'
printf 'apiVersion: v1\nkind: [\n' >"$tmp/wide/r07.yaml"
rm "$tmp/wide/r15.yaml"
"$kb" -j 1 "$tmp/wide" >/dev/null 2>"$tmp/wide1.err"
"$kb" -j 4 "$tmp/wide" >/dev/null 2>"$tmp/wide4.err"; rc=$?
check "-j 4 reports the first failing file, as -j 1 does" '[ $rc -eq 1 ] && cmp -s "$tmp/wide1.err" "$tmp/wide4.err" && grep -q r07.yaml "$tmp/wide4.err"'
"$kb" -j 0 "$tmp/wide" >/dev/null 2>&1; rc=$?
check "-j 0 is a usage error" '[ $rc -eq 2 ]'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
