#!/bin/sh
# `kbuild check` on the command line: help, usage errors and exit codes,
# -o bundles, the github format's escaping, a read-only bundle directory.
# usage: tests/check_cli.sh KBUILD SOURCE_DIR
set -u
kb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
trees=$src/testdata/check/trees
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # name, condition (evaluated)
	if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; fi
}

"$kb" check --help >"$tmp/help" 2>&1; rc=$?
check "check --help exits 0" '[ $rc -eq 0 ] && grep -q -- "--changed" "$tmp/help" && grep -q -- "--load-restrictor" "$tmp/help"'
"$kb" help check >"$tmp/help2" 2>&1
check "'kbuild help check' equals 'kbuild check --help'" 'cmp -s "$tmp/help" "$tmp/help2"'
"$kb" help >"$tmp/help3" 2>&1
check "'kbuild help' lists check" 'grep -q "^  check " "$tmp/help3"'
for bad in "-j 0" "-j x" "--jobs" "--format" "--nope" "--load-restrictor bogus"; do
	(cd "$trees/pass" && "$kb" check $bad) >/dev/null 2>&1; rc=$?
	check "check $bad exits 2" '[ $rc -eq 2 ]'
done
(cd "$trees/pass" && "$kb" check) >"$tmp/out" 2>&1; rc=$?
check "a passing tree exits 0" '[ $rc -eq 0 ] && grep -q "^3 overlays: 3 ok, 0 failed, 0 warnings$" "$tmp/out"'
(cd "$trees/mixed" && "$kb" check) >"$tmp/out" 2>&1; rc=$?
check "a failing tree exits 1" '[ $rc -eq 1 ]'
(cd "$trees/mixed" && "$kb" check --load-restrictor LoadRestrictionsNone ok) >/dev/null 2>&1; rc=$?
check "build flags are accepted" '[ $rc -eq 0 ]'

# -o DIR: one file per built overlay, byte for byte `kbuild build`
(cd "$trees/mixed" && "$kb" check -o "$tmp/b" ok with-comp missing) >/dev/null 2>&1; rc=$?
check "-o exits as the check does" '[ $rc -eq 1 ]'
"$kb" "$trees/mixed/ok" >"$tmp/ok.yaml"
check "-o writes DIR/<overlay>.yaml as kbuild build prints it" 'cmp -s "$tmp/ok.yaml" "$tmp/b/ok.yaml"'
check "-o writes no file for a failed overlay" '[ ! -e "$tmp/b/missing.yaml" ] && [ -f "$tmp/b/with-comp.yaml" ]'
check "-o leaves no temporary files" '[ -z "$(ls "$tmp/b" | grep kbuild-tmp)" ]'
(cd "$trees/pass" && "$kb" check -o "$tmp/b2" .) >/dev/null 2>&1
check "-o names nested overlays by their path" '[ -f "$tmp/b2/overlays/dev.yaml" ] && [ -f "$tmp/b2/base.yaml" ]'
(cd "$trees/pass/base" && "$kb" check -o "$tmp/b3") >/dev/null 2>&1
check "-o names the overlay '.' after the directory" '[ -f "$tmp/b3/base.yaml" ]'
printf 'x' >"$tmp/file"
(cd "$trees/pass" && "$kb" check -o "$tmp/file") >/dev/null 2>"$tmp/err"; rc=$?
check "-o onto a file is a usage error" '[ $rc -eq 2 ] && grep -q "cannot write bundles" "$tmp/err"'
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$tmp/ro" && chmod a-w "$tmp/ro"
	(cd "$trees/pass" && "$kb" check -o "$tmp/ro") >"$tmp/out" 2>&1; rc=$?
	check "an unwritable bundle directory fails the overlays" '[ $rc -eq 1 ] && grep -q "cannot" "$tmp/out"'
fi

# github: a message with a newline or a percent sign stays one annotation
mkdir -p "$tmp/gh/a%b,c:d"
printf 'resources:\n- missing.yaml\n' >"$tmp/gh/a%b,c:d/kustomization.yaml"
(cd "$tmp/gh" && "$kb" check --format github) >"$tmp/gh.out" 2>&1
check "github annotations escape %, ',' and ':' in properties" 'grep -q "^::error file=a%25b%2Cc%3Ad/kustomization.yaml,line=2,col=3,title=kbuild check a%25b%2Cc%3Ad::accumulating" "$tmp/gh.out"'

# a directory that cannot be listed is a warning on stderr, not silence
if [ "$(id -u)" -ne 0 ]; then
	mkdir -p "$tmp/nolist/locked" && chmod 000 "$tmp/nolist/locked"
	(cd "$tmp/nolist" && "$kb" check) >/dev/null 2>"$tmp/err"
	check "an unlistable directory is reported" 'grep -q "cannot look into" "$tmp/err"'
	chmod 755 "$tmp/nolist/locked"
fi

# a symlink loop does not hang the walk, and a linked directory is not followed
mkdir -p "$tmp/loop/a"
cp "$trees/pass/base/kustomization.yaml" "$trees/pass/base/cm.yaml" "$tmp/loop/a/"
ln -s .. "$tmp/loop/a/up"
ln -s a "$tmp/loop/b"
(cd "$tmp/loop" && "$kb" check) >"$tmp/out" 2>&1; rc=$?
check "symlinked directories are not followed" '[ $rc -eq 0 ] && grep -q "^1 overlay: 1 ok" "$tmp/out"'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
