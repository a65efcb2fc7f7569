#!/bin/sh
# What a person meets in the first minutes (issue 13): `kbuild COMMAND
# --help` for every command, man pages, "did you mean" for misspelt
# fields and patch targets, warnings before an error, shell completion.
# Table-driven where it can be: the commands are read from `kbuild help`,
# so a new command is checked without an edit here.
# usage: tests/cli_ux.sh KBUILD SOURCE_DIR
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

# ---- every command: --help, -h, help CMD, a man page ----
"$kb" help >"$tmp/overview"
commands=$(sed -n '/^Commands:/,/^$/p' "$tmp/overview" | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p')
check "the overview lists commands" '[ -n "$commands" ] && echo "$commands" | grep -qx build'
version=$("$kb" version | sed -n 's/^kbuild \([^ ]*\) .*/\1/p')
for c in $commands; do
	"$kb" "$c" --help >"$tmp/h-long" 2>&1; rc=$?
	check "kbuild $c --help exits 0" '[ $rc -eq 0 ]'
	check "kbuild $c --help starts with its usage" 'head -n 1 "$tmp/h-long" | grep -q "^Usage: kbuild \(\[\)\?$c\b"'
	check "kbuild $c --help lists -h, --help" 'grep -q -- "-h, --help" "$tmp/h-long"'
	"$kb" "$c" -h >"$tmp/h-short" 2>&1
	check "kbuild $c -h equals --help" 'cmp -s "$tmp/h-long" "$tmp/h-short"'
	"$kb" help "$c" >"$tmp/h-help" 2>&1
	check "kbuild help $c equals kbuild $c --help" 'cmp -s "$tmp/h-long" "$tmp/h-help"'
	page=$src/man/kbuild-$c.1
	check "man/kbuild-$c.1 exists" '[ -f "$page" ]'
	check "man/kbuild-$c.1 names the command" '[ -f "$page" ] && grep -q "^kbuild\\\\-$c \\\\- " "$page"'
	check "kbuild.1 refers to kbuild-$c(1)" 'grep -q "^\.BR kbuild\\\\-$c (1)" "$src/man/kbuild.1"'
	# the completion reads each command's flags from its help
	"$kb" __complete "$c" --h >"$tmp/comp"
	check "completion knows $c's flags" 'grep -q "^--help" "$tmp/comp"'
done
"$kb" version extra >/dev/null 2>&1; rc=$?
check "kbuild version ARG exits 2" '[ $rc -eq 2 ]'
"$kb" help build extra >/dev/null 2>&1; rc=$?
check "kbuild help A B exits 2" '[ $rc -eq 2 ]'
"$kb" help --help >"$tmp/hh"; rc=$?
check "kbuild help --help is help's usage" '[ $rc -eq 0 ] && head -n 1 "$tmp/hh" | grep -q "^Usage: kbuild help \[COMMAND\]"'

# man pages: each renders without a groff warning and carries the version
for page in "$src"/man/*.1; do
	n=$(basename "$page")
	LC_ALL=C.UTF-8 groff -ww -z -man -Tutf8 "$page" >"$tmp/groff" 2>&1
	check "$n renders without warnings" '[ ! -s "$tmp/groff" ]'
	check "$n says kbuild $version" 'grep -q "^\.TH .* \"kbuild $version\"" "$page"'
done

# ---- did you mean ----
mkdir -p "$tmp/k"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: my-config\n' >"$tmp/k/cm.yaml"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: my-app\nspec:\n  replicas: 1\n' >"$tmp/k/d.yaml"
printf 'resorces:\n- cm.yaml\n' >"$tmp/k/kustomization.yaml"
"$kb" "$tmp/k" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "misspelt kustomization field: exit 1" '[ $rc -eq 1 ] && [ ! -s "$tmp/out" ]'
check "misspelt kustomization field: did you mean 'resources'" 'grep -q "kustomization.yaml:1:1: invalid Kustomization: json: unknown field \"resorces\"; did you mean .resources.?" "$tmp/err"'
printf 'resources:\n- d.yaml\nnamePrefx: x-\n' >"$tmp/k/kustomization.yaml"
"$kb" "$tmp/k" >/dev/null 2>"$tmp/err"
check "misspelt namePrefix: did you mean 'namePrefix'" 'grep -q "kustomization.yaml:3:1: .*\"namePrefx\"; did you mean .namePrefix.?" "$tmp/err"'
printf 'resources:\n- d.yaml\nimages:\n- name: nginx\n  tag: "1.25"\n' >"$tmp/k/kustomization.yaml"
"$kb" "$tmp/k" >/dev/null 2>"$tmp/err"; rc=$?
check "misspelt image field: did you mean 'newTag'" '[ $rc -eq 1 ] && grep -q "kustomization.yaml:5:3: .*unknown field \"tag\" in images\[0\]; did you mean .newTag.?" "$tmp/err"'
printf 'resources:\n- d.yaml\nimages:\n- name: nginx\n  colour: blue\n' >"$tmp/k/kustomization.yaml"
"$kb" "$tmp/k" >/dev/null 2>"$tmp/err"
check "an unrelated unknown field gets no guess" 'grep -q "unknown field \"colour\" in images\[0\]$" "$tmp/err"'
printf 'resources:\n- d.yaml\npatches:\n- path: p.yaml\n  targt:\n    kind: Deployment\n' >"$tmp/k/kustomization.yaml"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: my-app\n' >"$tmp/k/p.yaml"
"$kb" "$tmp/k" >/dev/null 2>"$tmp/err"
check "misspelt patch field: did you mean 'target'" 'grep -q "unknown field \"targt\" in .*; did you mean .target.?" "$tmp/err"'
# a patch target that selects nothing but nearly names a resource: the
# output is kustomize's (the patch does nothing), with a warning
cat >"$tmp/k/kustomization.yaml" <<'EOF'
resources:
- d.yaml
patches:
- target:
    kind: Deployment
    name: my-ap
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 3
EOF
"$kb" "$tmp/k" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "near-miss patch target: builds as kustomize does" '[ $rc -eq 0 ] && grep -q "replicas: 1" "$tmp/out"'
check "near-miss patch target: warns with the close name" 'grep -q "^kbuild: .*kustomization.yaml:6:11: warning: patch target name .my-ap. selects no resource, so the patch does nothing; did you mean .my-app.?" "$tmp/err"'
sed -i 's/name: my-ap$/name: unrelated/' "$tmp/k/kustomization.yaml"
"$kb" "$tmp/k" >/dev/null 2>"$tmp/err"
check "a target far from every name: the plain warning, no guess" 'grep -q "warning: patch target selects no resource, so the inline patch changes nothing" "$tmp/err" && ! grep -q "did you mean" "$tmp/err"'
sed -i 's/name: unrelated$/name: my-.*/' "$tmp/k/kustomization.yaml"
"$kb" "$tmp/k" >"$tmp/out" 2>"$tmp/err"
check "a regex target is not second-guessed" '[ ! -s "$tmp/err" ] && grep -q "replicas: 3" "$tmp/out"'
# patchesJson6902 gets the same check
printf 'resources:\n- d.yaml\npatchesJson6902:\n- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: myapp\n  patch: "[{\\"op\\": \\"add\\", \\"path\\": \\"/x\\", \\"value\\": 1}]"\n' >"$tmp/k/kustomization.yaml"
"$kb" "$tmp/k" >/dev/null 2>"$tmp/err"
check "near-miss patchesJson6902 target warns" 'grep -q "kustomization.yaml:8:11: warning: patch target name .myapp. .*did you mean .my-app.?" "$tmp/err"'
# a strategic merge patch without target that names no resource fails
# (as in kustomize); a close name is suggested
printf 'resources:\n- d.yaml\npatches:\n- path: p.yaml\n' >"$tmp/k/kustomization.yaml"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: my-ap\nspec:\n  replicas: 2\n' >"$tmp/k/p.yaml"
"$kb" "$tmp/k" >/dev/null 2>"$tmp/err"; rc=$?
check "SM patch naming no resource: exit 1 and did you mean" '[ $rc -eq 1 ] && grep -q "no resource matches strategic merge patch .*; did you mean metadata.name .my-app.?" "$tmp/err"'

# warnings come before the error when the build fails
printf 'bases:\n- ../nowhere\n' >"$tmp/k/kustomization.yaml"
"$kb" "$tmp/k" >/dev/null 2>"$tmp/err"; rc=$?
check "failed build: warning then error" '[ $rc -eq 1 ] && head -n 1 "$tmp/err" | grep -q "^kbuild: .*kustomization.yaml:1:1: warning: .bases. is deprecated" && sed -n 2p "$tmp/err" | grep -q "^kbuild: error: "'

# ---- completion ----
"$kb" completion >/dev/null 2>&1; rc=$?
check "kbuild completion without a shell exits 2" '[ $rc -eq 2 ]'
"$kb" completion tcsh >/dev/null 2>"$tmp/err"; rc=$?
check "kbuild completion UNKNOWN exits 2" '[ $rc -eq 2 ] && grep -q "unknown shell .tcsh." "$tmp/err"'
for sh in bash zsh fish; do
	"$kb" completion $sh >"$tmp/comp.$sh"; rc=$?
	check "kbuild completion $sh exits 0" '[ $rc -eq 0 ] && [ -s "$tmp/comp.$sh" ]'
done
# the protocol the scripts use, directly
cd "$ex" || exit 1
"$kb" __complete "" >"$tmp/c"
check "__complete: first word offers commands" 'grep -q "^build	" "$tmp/c" && grep -q "^completion	" "$tmp/c" && grep -q "^version	" "$tmp/c"'
check "__complete: first word offers directories" 'grep -qx "apps/" "$tmp/c"'
"$kb" __complete apps/ >"$tmp/c"
check "__complete: kustomization dirs as words, others to go on" 'grep -q "^apps/dev	kustomization" "$tmp/c" && grep -q "^apps/prod	kustomization" "$tmp/c" && grep -qx "apps/base/" "$tmp/c"'
"$kb" __complete --reorder "" >"$tmp/c"
check "__complete: --reorder values" '[ "$(tail -n +2 "$tmp/c" | tr "\n" " ")" = "legacy none " ]'
"$kb" __complete build --load-restrictor=LoadRestrictionsN >"$tmp/c"
check "__complete: --flag=VALUE form" '[ "$(tail -n +2 "$tmp/c")" = "--load-restrictor=LoadRestrictionsNone" ]'
"$kb" __complete -o "" >"$tmp/c"
check "__complete: -o completes files" '[ "$(head -n 1 "$tmp/c")" = files ]'
"$kb" __complete --helm-command "" >"$tmp/c"
check "__complete: --helm-command completes commands" '[ "$(head -n 1 "$tmp/c")" = commands ]'
"$kb" __complete build --reo >"$tmp/c"
check "__complete: flags with their help" 'grep -q "^--reorder	legacy (default) or none" "$tmp/c"'
"$kb" __complete help "" >"$tmp/c"
check "__complete: help COMMAND offers commands only" 'grep -q "^build	" "$tmp/c" && ! grep -q "apps/" "$tmp/c"'
"$kb" __complete completion "" >"$tmp/c"
check "__complete: completion offers the shells" '[ "$(tail -n +2 "$tmp/c" | tr "\n" " ")" = "bash zsh fish " ]'
"$kb" __complete completion bash "" >"$tmp/c"
check "__complete: nothing after the shell" '[ "$(wc -l <"$tmp/c")" -eq 1 ]'
"$kb" __complete build apps/dev "" >"$tmp/c"
check "__complete: one DIR only" '[ "$(wc -l <"$tmp/c")" -eq 1 ]'
"$kb" __complete --enable-helm "" >"$tmp/c"
check "__complete: a flag without a value is followed by DIR" 'grep -qx "apps/" "$tmp/c" && ! grep -q "^build" "$tmp/c"'
# "~/" before the shell expands it
mkdir -p "$tmp/home/ov/base" "$tmp/home/ov/dev"
printf 'resources: []\n' >"$tmp/home/ov/dev/kustomization.yaml"
HOME=$tmp/home "$kb" __complete "~/ov/" >"$tmp/c"
check "__complete: ~/ is read as \$HOME" 'grep -q "^~/ov/dev	kustomization" "$tmp/c" && ! grep -q "base" "$tmp/c"'
# every value completion offers is one the flag accepts
for flag in reorder load-restrictor; do
	for v in $("$kb" __complete "--$flag" "" | tail -n +2); do
		"$kb" "--$flag" "$v" apps/dev >/dev/null 2>&1; rc=$?
		check "--$flag $v (offered by completion) is accepted" '[ $rc -eq 0 ]'
	done
done

# bash: the script run as bash runs it, words split at '=' as bash does
export PATH="$(dirname "$kb"):$PATH"
cat >"$tmp/bash-test" <<'EOF'
source "$1"
t() { # COMP_LINE, then the words as bash splits them
	COMP_LINE=$1; COMP_POINT=${#1}; shift
	COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=(); _kbuild
	printf '%s\n' "${COMPREPLY[*]}"
}
t "kbuild " kbuild ""
t "kbuild apps/" kbuild apps/
t "kbuild --reo" kbuild --reo
t "kbuild --reorder " kbuild --reorder ""
t "kbuild --reorder=le" kbuild --reorder = le
t "kbuild completion " kbuild completion ""
t "kbuild -o LIC" kbuild -o LIC
EOF
if command -v bash >/dev/null; then
	bash -n "$tmp/comp.bash"
	check "bash script parses" '[ $? -eq 0 ]'
	bash "$tmp/bash-test" "$tmp/comp.bash" >"$tmp/b" 2>"$tmp/berr"
	check "bash: commands and directories" 'sed -n 1p "$tmp/b" | grep -q "^build check completion create diff edit flux help version.*apps/"'
	check "bash: kustomization directories" '[ "$(sed -n 2p "$tmp/b")" = "apps/dev apps/base/ apps/prod" ] || [ "$(sed -n 2p "$tmp/b" | tr " " "\n" | sort | tr "\n" " ")" = "apps/base/ apps/dev apps/prod " ]'
	check "bash: flags" '[ "$(sed -n 3p "$tmp/b")" = "--reorder" ]'
	check "bash: flag values" '[ "$(sed -n 4p "$tmp/b")" = "legacy none" ]'
	check "bash: --flag=value as bash splits it" '[ "$(sed -n 5p "$tmp/b")" = "legacy" ]'
	check "bash: the shells" '[ "$(sed -n 6p "$tmp/b")" = "bash zsh fish" ]'
	check "bash: -o completes files" '[ "$(sed -n 7p "$tmp/b")" = "LICENSE" ]'
	check "bash: no errors" '[ ! -s "$tmp/berr" ]'
fi
if command -v zsh >/dev/null; then
	zsh -n "$tmp/comp.zsh"
	check "zsh script parses" '[ $? -eq 0 ]'
	# outside a completion widget compadd and _files are stood in for
	zsh -fc '
		compadd() { while [[ $1 == -* && $1 != -- ]]; do case $1 in -d|-S) shift;; esac; shift; done
			[[ $1 == -- ]] && shift; print -r -- "compadd $*"; }
		_files() { print -r -- "_files $*"; }
		_command_names() { print -r -- "_command_names"; }
		compdef() { :; }
		source "$1"
		t() { words=("${(@z)1}"); [[ $1 == *" " ]] && words+=(""); CURRENT=${#words}; _kbuild; print -- "--"; }
		t "kbuild --reo"; t "kbuild apps/"; t "kbuild --reorder="; t "kbuild -o "; t "kbuild completion "
	' zsh "$tmp/comp.zsh" >"$tmp/z" 2>"$tmp/zerr"
	check "zsh: flags" 'sed -n 1p "$tmp/z" | grep -qx "compadd --reorder"'
	check "zsh: kustomization dirs, and dirs to go on without a space" 'grep -q "^compadd apps/dev apps/prod$\|^compadd apps/prod apps/dev$" "$tmp/z" && grep -qx "compadd apps/base/" "$tmp/z"'
	check "zsh: --flag=value" 'grep -qx "compadd --reorder=legacy --reorder=none" "$tmp/z"'
	check "zsh: -o completes files" 'grep -qx "_files " "$tmp/z"'
	check "zsh: the shells" 'grep -qx "compadd bash zsh fish" "$tmp/z"'
	check "zsh: no errors" '[ ! -s "$tmp/zerr" ]'
fi
if command -v fish >/dev/null; then
	fish --no-execute "$tmp/comp.fish"
	check "fish script parses" '[ $? -eq 0 ]'
	HOME=$tmp fish --no-config -c '
		source $argv[1]
		for l in "kbuild --reo" "kbuild apps/" "kbuild --reorder=" "kbuild -o LIC" "kbuild completion "
			complete -C "$l"; echo --
		end' "$tmp/comp.fish" >"$tmp/f" 2>"$tmp/ferr"
	check "fish: flags with help" 'grep -q "^--reorder	legacy (default) or none" "$tmp/f"'
	check "fish: kustomization dirs" 'grep -q "^apps/dev	kustomization" "$tmp/f" && grep -qx "apps/base/" "$tmp/f"'
	check "fish: --flag=value" 'grep -qx -- "--reorder=legacy" "$tmp/f"'
	check "fish: -o completes files" 'grep -q "^LICENSE" "$tmp/f"'
	check "fish: the shells" 'grep -qx zsh "$tmp/f"'
	check "fish: no errors" '[ ! -s "$tmp/ferr" ]'
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
