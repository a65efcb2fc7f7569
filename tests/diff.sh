#!/bin/sh
# kbuild diff on scripted git repositories: which overlays a change shows
# in, hash renames, moves, broken overlays, masked Secrets, the working
# tree, errors, exit codes, and each format against golden files in
# testdata/diff/ (UPDATE_GOLDEN=1 rewrites them).
# usage: tests/diff.sh KBUILD SOURCE_DIR
set -u
kb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
golden=$src/testdata/diff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # name, condition (evaluated)
	if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; fi
}
# golden NAME FILE: FILE equals testdata/diff/NAME
golden() {
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then cp "$2" "$golden/$1"; fi
	if cmp -s "$2" "$golden/$1"; then pass=$((pass + 1)); else
		fail=$((fail + 1))
		echo "FAIL golden $1"
		diff -u "$golden/$1" "$2" | head -40
	fi
}

# Deterministic commits (so golden files can hold their ids), and no
# user or system git configuration.
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export GIT_AUTHOR_DATE=2024-01-01T00:00:00Z GIT_COMMITTER_DATE=2024-01-01T00:00:00Z
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR GIT_WORK_TREE NO_COLOR
r=$tmp/repo
mkdir -p "$r"
cd "$r" || exit 1
git init -q -b main .
commit() { git add -A && git commit -qm "$1" && git tag "$1"; }
w() { mkdir -p "$(dirname "$1")" && cat >"$1"; }

w base/app/kustomization.yaml <<'EOF'
resources:
- deploy.yaml
- svc.yaml
configMapGenerator:
- name: app-config
  literals:
  - LOG_LEVEL=info
EOF
w base/app/deploy.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 1
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      containers:
      - name: main
        image: example.com/app:1.0.0
        envFrom:
        - configMapRef:
            name: app-config
EOF
w base/app/svc.yaml <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  selector:
    app: app
  ports:
  - port: 80
EOF
w base/other/kustomization.yaml <<'EOF'
resources:
- cm.yaml
EOF
w base/other/cm.yaml <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
data:
  key: value
  root: /
EOF
w overlays/dev/kustomization.yaml <<'EOF'
namespace: dev
resources:
- ../../base/app
patches:
- path: replicas.yaml
EOF
w overlays/dev/replicas.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 2
EOF
w overlays/prod/kustomization.yaml <<'EOF'
namespace: prod
resources:
- ../../base/app
components:
- ../../components/monitoring
EOF
w overlays/other/kustomization.yaml <<'EOF'
namespace: other
resources:
- ../../base/other
EOF
w overlays/secret/kustomization.yaml <<'EOF'
namespace: sec
secretGenerator:
- name: creds
  literals:
  - password=hunter2
  - user=admin
EOF
w components/monitoring/kustomization.yaml <<'EOF'
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
commonAnnotations:
  monitoring: enabled
EOF
commit t1

# t2: the base's image; dev, prod and the base itself show it, other not
sed -i 's/app:1.0.0/app:1.1.0/' base/app/deploy.yaml
commit t2
# t3: one overlay's patch
sed -i 's/replicas: 2/replicas: 4/' overlays/dev/replicas.yaml
commit t3
# t4: a generator's literal: the ConfigMap's hash rename is followed
sed -i 's/LOG_LEVEL=info/LOG_LEVEL=debug/' base/app/kustomization.yaml
commit t4
# t5: the Service moves from svc.yaml into deploy.yaml: no change
{ echo '---'; cat base/app/svc.yaml; } >>base/app/deploy.yaml
rm base/app/svc.yaml
sed -i '/svc.yaml/d' base/app/kustomization.yaml
commit t5
# t6: prod breaks
printf 'patches:\n- path: missing.yaml\n' >>overlays/prod/kustomization.yaml
commit t6
# t7: a Secret's value
sed -i 's/hunter2/correct-horse/' overlays/secret/kustomization.yaml
commit t7
# t8: a resource added to one base, one removed, a component changed
w base/other/extra.yaml <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: extra
data:
  added: "yes"
EOF
printf 'resources:\n- extra.yaml\n' >base/other/kustomization.yaml
sed -i 's/monitoring: enabled/monitoring: disabled/' components/monitoring/kustomization.yaml
git rm -q overlays/prod/kustomization.yaml
commit t8

run() { # base head [flags...]: stdout in $tmp/out, exit code in $rc
	b=$1 h=$2
	shift 2
	"$kb" diff --base "$b" --head "$h" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# a base change shows in each overlay using it, nowhere else
run t1 t2
check "base change exits 1" '[ $rc -eq 1 ]'
golden base-change.txt "$tmp/out"
check "base change: not in overlays/other" '! grep -q "overlay overlays/other" "$tmp/out"'
check "base change: in dev and prod" 'grep -q "overlay overlays/dev" "$tmp/out" && grep -q "overlay overlays/prod" "$tmp/out"'
check "base change: the component is no overlay" '! grep -q "components/monitoring" "$tmp/out"'
check "base change: hunk labelled with its YAML path" 'grep -q "^@@ .* @@ spec.template.spec.containers\[0\].image$" "$tmp/out"'
check "base change: only dependents rendered" 'grep -q "(3 of 6 overlays rendered)" "$tmp/out"'
run t1 t2 --all
check "--all renders every overlay" 'grep -q "(6 of 6 overlays rendered)" "$tmp/out"'
check "--all reports the same overlays" '[ "$(grep -c "^overlay " "$tmp/out")" -eq 3 ]'

# an overlay's patch
run t2 t3
check "patch change: only dev" '[ "$(grep "^overlay " "$tmp/out")" = "overlay overlays/dev: 1 changed" ]'
check "patch change: replicas" 'grep -q "^+  replicas: 4" "$tmp/out"'
check "patch change: only dev rendered" 'grep -q "(1 of 6 overlays rendered)" "$tmp/out"'

# a generator change: one changed ConfigMap, not one added and one removed
run t3 t4
golden generator-rename.txt "$tmp/out"
check "generator: rename followed" 'grep -q "^changed ConfigMap dev/app-config-[a-z0-9]* -> app-config-[a-z0-9]*$" "$tmp/out"'
check "generator: nothing added or removed" '! grep -q "^added\|^removed" "$tmp/out"'

# a resource moved between files is no change
run t4 t5
check "move: exits 0" '[ $rc -eq 0 ]'
check "move: no changes" 'grep -q "^no changes" "$tmp/out"'

# an overlay that breaks
run t5 t6
check "broken: exits 1" '[ $rc -eq 1 ]'
check "broken: reported" 'grep -q "^overlay overlays/prod: stops building" "$tmp/out"'
check "broken: with the error" 'grep -q "missing.yaml" "$tmp/out"'
check "broken: summary" 'grep -q "1 overlay stops building" "$tmp/out"'
run t6 t5
check "fixed: reported" 'grep -q "^overlay overlays/prod: starts building" "$tmp/out"'

# Secrets are masked
run t6 t7
golden secret-masked.txt "$tmp/out"
check "secret: value not shown" '! grep -q "hunter2\|correct-horse\|aHVudGVyMg\|Y29ycmVjdC1ob3Jz" "$tmp/out"'
check "secret: changed value shows as a changed line" 'grep -q "^-  password: <secret sha256:" "$tmp/out" && grep -q "^+  password: <secret sha256:" "$tmp/out"'
check "secret: unchanged value keeps its mask" 'grep -q "^   user: <secret sha256:" "$tmp/out"'
run t6 t7 --show-secrets
check "--show-secrets shows the values" 'grep -q "^+  password: Y29ycmVjdC1ob3JzZQ==" "$tmp/out"'
run t6 t7 --format json
check "secret: masked in json" '! grep -q "hunter2\|Y29ycmVjdC1ob3Jz" "$tmp/out" && grep -q "\"masked\": true" "$tmp/out"'
run t6 t7 --format markdown
check "secret: masked in markdown" '! grep -q "hunter2\|Y29ycmVjdC1ob3Jz" "$tmp/out"'

# added and removed resources and overlays; a component's change
run t7 t8
golden added-removed.txt "$tmp/out"
check "removed overlay" 'grep -q "^overlay overlays/prod: overlay removed" "$tmp/out"'

# each format against golden files
run t1 t4 --format text
golden t1-t4.txt "$tmp/out"
run t1 t4 --format markdown
golden t1-t4.md "$tmp/out"
run t1 t4 --format json
golden t1-t4.json "$tmp/out"
check "json parses" 'python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/out"'
run t5 t8 --format json
check "json with errors and removed overlays parses" 'python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/out"'
run t1 t4 --format markdown --max-size 1500
golden t1-t4-capped.md "$tmp/out"
check "markdown cap: under the size" '[ "$(wc -c <"$tmp/out")" -le 1500 ]'
check "markdown cap: says so" 'grep -q "truncated" "$tmp/out"'
run t1 t2 -U 1
check "-U 1: one line of context" 'grep -q "^@@ -18,3 +18,3 @@ spec.template.spec.containers\[0\].image$" "$tmp/out"'

# colour
run t1 t2 --color always
check "--color always colours" 'grep -q "$(printf "\033")\[32m+" "$tmp/out"'
run t1 t2 --color auto
check "--color auto: no colour into a file" '! grep -q "$(printf "\033")" "$tmp/out"'
NO_COLOR=1 "$kb" diff --base t1 --head t2 --color always >"$tmp/out" 2>&1
check "--color always beats NO_COLOR" 'grep -q "$(printf "\033")" "$tmp/out"'

# exit codes
run t1 t2 --exit-zero
check "--exit-zero exits 0 on differences" '[ $rc -eq 0 ] && [ -s "$tmp/out" ]'
run no-such-ref t2
check "unknown REF exits 2" '[ $rc -eq 2 ]'
check "unknown REF says so" 'grep -q "unknown revision .no-such-ref." "$tmp/err"'
run t1 t2 --format yaml
check "bad --format exits 2" '[ $rc -eq 2 ]'
(cd "$tmp" && "$kb" diff) >/dev/null 2>"$tmp/err"
rc=$?
check "not a git repository exits 2" '[ $rc -eq 2 ]'
check "not a git repository says so" 'grep -q "not in a git repository" "$tmp/err"'
run t1 t2 /
check "a path outside the repository exits 2" '[ $rc -eq 2 ]'
run t1 t2 no/such/dir
check "a path on neither side exits 2" '[ $rc -eq 2 ] && grep -q "no/such/dir: not a directory at t1 nor at t2" "$tmp/err"'
"$kb" help diff >"$tmp/out" 2>&1
check "kbuild help diff" 'grep -q "^Usage: kbuild diff" "$tmp/out"'
"$kb" --help >"$tmp/out" 2>&1
check "kbuild --help lists diff" 'grep -q "^  diff " "$tmp/out"'

# exclusions as check has them
run t1 t2 --exclude overlays/prod
check "--exclude leaves an overlay out" '! grep -q "overlay overlays/prod" "$tmp/out" && grep -q "overlay overlays/dev" "$tmp/out"'
run t1 t2 -j 1
check "-j 1 gives the same report" 'cmp -s "$tmp/out" "$golden/base-change.txt"'

# a .kbuildignore above the path given is read on both sides
git checkout -q -b ignored t3
printf 'overlays/prod\n' >.kbuildignore
git add .kbuildignore && git commit -qm ignore-prod && git tag t9
sed -i 's/replicas: 4/replicas: 6/' overlays/dev/replicas.yaml
"$kb" diff --base t9 overlays >"$tmp/out" 2>&1
check ".kbuildignore at the top: the same on both sides" '[ "$(grep "^overlay " "$tmp/out")" = "overlay overlays/dev: 1 changed" ]'
git checkout -q . && git checkout -q main

# paths limit the overlays
run t1 t2 overlays/dev
check "PATH limits the overlays" '[ "$(grep -c "^overlay " "$tmp/out")" -eq 1 ]'
(cd overlays && "$kb" diff --base t1 --head t2 .) >"$tmp/out" 2>&1
check "PATH relative to a subdirectory" '[ "$(grep -c "^overlay " "$tmp/out")" -eq 2 ]'

# the working tree: uncommitted and untracked changes against HEAD
git checkout -q t5
sed -i 's/replicas: 4/replicas: 5/' overlays/dev/replicas.yaml
w overlays/new/kustomization.yaml <<'EOF'
resources:
- ../../base/other
EOF
"$kb" diff >"$tmp/out" 2>"$tmp/err"
rc=$?
check "working tree: exits 1" '[ $rc -eq 1 ]'
check "working tree: uncommitted change" 'grep -q "^+  replicas: 5" "$tmp/out"'
check "working tree: untracked overlay" 'grep -q "^overlay overlays/new: new overlay: 1 added" "$tmp/out"'
check "working tree: untouched" '[ -z "$(git status --porcelain -uno | grep -v overlays/dev/replicas.yaml)" ]'
# an ignored file read by a build counts as a change of the working tree
printf 'overlays/dev/extra.env\n' >.gitignore
git add .gitignore && git commit -qm ignore
git stash -q
printf 'A=1\n' >overlays/dev/extra.env
printf 'configMapGenerator:\n- name: extra\n  envs:\n  - extra.env\n' >>overlays/dev/kustomization.yaml
git commit -qam "reads an ignored file"
rm overlays/dev/extra.env
printf 'A=2\n' >overlays/dev/extra.env
"$kb" diff --base HEAD >"$tmp/out" 2>&1
check "working tree: an ignored file's change" 'grep -q "^overlay overlays/dev" "$tmp/out" && grep -q "^+  A: \"2\"" "$tmp/out"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
