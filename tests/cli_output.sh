#!/bin/sh
# -o PATH by what is at the path (issue 9, defect 4): regular files and new
# paths atomically, symlinks written through, FIFOs, devices and
# /dev/stdout-like descriptors written in place, write errors exit 1.
#
# Every special file is one this script makes under its own temporary
# directory (a symlink to /dev/full, a FIFO, a device node when root may
# make one): CI runs as root, where an old kbuild's rename really replaced
# /dev/null.  Each case fails with the old rename-over-everything code.
# usage: tests/cli_output.sh KBUILD SOURCE_DIR
set -u
kb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
ex=$src/testdata/examples/gitops/apps/dev
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # name, condition (evaluated)
	if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; fi
}
# bounded, so a regression that blocks on a FIFO fails instead of hanging
run() { timeout 20 "$kb" "$@"; }

"$kb" "$ex" >"$tmp/want.yaml" || { echo "cannot build the example"; exit 1; }

# a symlink is written through: the link stays, its target gets the bytes
printf 'old\n' >"$tmp/target.yaml"
ln -s target.yaml "$tmp/link.yaml"
run "$ex" -o "$tmp/link.yaml"; rc=$?
check "-o SYMLINK exits 0" '[ $rc -eq 0 ]'
check "-o SYMLINK keeps the symlink" '[ -L "$tmp/link.yaml" ] && [ "$(readlink "$tmp/link.yaml")" = target.yaml ]'
check "-o SYMLINK writes the target" 'cmp -s "$tmp/want.yaml" "$tmp/target.yaml"'
# through a chain of links into another directory, still atomic there
mkdir "$tmp/sub"
ln -s ../sub/deep.yaml "$tmp/sub/l1"
ln -s sub/l1 "$tmp/l2"
run "$ex" -o "$tmp/l2"; rc=$?
check "-o through two symlinks writes the end file" '[ $rc -eq 0 ] && [ -L "$tmp/l2" ] && [ -L "$tmp/sub/l1" ] && cmp -s "$tmp/want.yaml" "$tmp/sub/deep.yaml"'
check "no temporary files left beside the target" '[ -z "$(ls -a "$tmp" "$tmp/sub" | grep kbuild-tmp)" ]'
# a failed build leaves the symlink's target as it was
mkdir "$tmp/bad"
printf 'resources:\n- missing.yaml\n' >"$tmp/bad/kustomization.yaml"
printf 'old\n' >"$tmp/target.yaml"
run "$tmp/bad" -o "$tmp/link.yaml" 2>/dev/null; rc=$?
check "failed build through a symlink keeps the target" '[ $rc -eq 1 ] && [ "$(cat "$tmp/target.yaml")" = old ] && [ -L "$tmp/link.yaml" ]'
# a dangling symlink: its target is created (as kubectl does)
ln -s made.yaml "$tmp/dangling"
run "$ex" -o "$tmp/dangling"; rc=$?
check "-o DANGLING-SYMLINK creates the target" '[ $rc -eq 0 ] && [ -L "$tmp/dangling" ] && cmp -s "$tmp/want.yaml" "$tmp/made.yaml"'
# a symlink loop is an error, not a hang
ln -s loop2 "$tmp/loop1"
ln -s loop1 "$tmp/loop2"
run "$ex" -o "$tmp/loop1" 2>"$tmp/err"; rc=$?
check "-o SYMLINK-LOOP exits 1 naming the path" '[ $rc -eq 1 ] && grep -q "loop1: cannot write: Too many levels of symbolic links" "$tmp/err"'

# the mode of an existing file is kept, a new file gets 0666 less umask
# (the old code set 0644 by a chmod after an fchmod on a closed descriptor)
printf 'x\n' >"$tmp/private.yaml"
chmod 600 "$tmp/private.yaml"
run "$ex" -o "$tmp/private.yaml"
check "-o FILE keeps an existing file's mode" '[ "$(stat -c %a "$tmp/private.yaml")" = 600 ] && cmp -s "$tmp/want.yaml" "$tmp/private.yaml"'
(umask 027 && run "$ex" -o "$tmp/new.yaml")
check "-o NEWFILE honours the umask" '[ "$(stat -c %a "$tmp/new.yaml")" = 640 ]'
# atomic: a hard link to the old file still sees the old bytes
printf 'old\n' >"$tmp/replaced.yaml"
ln "$tmp/replaced.yaml" "$tmp/hardlink.yaml"
run "$ex" -o "$tmp/replaced.yaml"
check "-o FILE replaces by rename (old inode untouched)" '[ "$(cat "$tmp/hardlink.yaml")" = old ] && cmp -s "$tmp/want.yaml" "$tmp/replaced.yaml"'

# a FIFO is written, not replaced
mkfifo "$tmp/fifo"
timeout 20 cat "$tmp/fifo" >"$tmp/from-fifo" &
reader=$!
run "$ex" -o "$tmp/fifo"; rc=$?
# an old kbuild renamed over the FIFO: the reader never gets a writer
[ $rc -eq 0 ] || kill $reader 2>/dev/null
[ -p "$tmp/fifo" ] || kill $reader 2>/dev/null
wait $reader
check "-o FIFO exits 0" '[ $rc -eq 0 ]'
check "-o FIFO keeps the FIFO" '[ -p "$tmp/fifo" ]'
check "-o FIFO delivers the stream" 'cmp -s "$tmp/want.yaml" "$tmp/from-fifo"'

# /dev/stdout-like paths: a link to /proc/self/fd/1 (what /dev/stdout is)
ln -s /proc/self/fd/1 "$tmp/stdout"
run "$ex" -o "$tmp/stdout" >"$tmp/via-stdout"; rc=$?
check "-o LINK-TO-/proc/self/fd/1 writes stdout" '[ $rc -eq 0 ] && [ -L "$tmp/stdout" ] && cmp -s "$tmp/want.yaml" "$tmp/via-stdout"'
run "$ex" -o "$tmp/stdout" | cat >"$tmp/via-pipe"
check "-o LINK-TO-/proc/self/fd/1 writes into a pipe" 'cmp -s "$tmp/want.yaml" "$tmp/via-pipe"'
# appending stays appending (the shell's descriptor is used as it is)
printf 'first\n' >"$tmp/append.log"
run "$ex" -o /dev/fd/1 >>"$tmp/append.log"; rc=$?
check "-o /dev/fd/1 with >> appends" '[ $rc -eq 0 ] && [ "$(head -n 1 "$tmp/append.log")" = first ] && [ $(wc -c <"$tmp/append.log") -eq $(( $(wc -c <"$tmp/want.yaml") + 6 )) ]'
if [ "$(id -u)" -ne 0 ]; then
	# the real /dev/stdout, only where an old kbuild could not replace it
	run "$ex" -o /dev/stdout >"$tmp/devstdout"; rc=$?
	check "-o /dev/stdout writes stdout" '[ $rc -eq 0 ] && cmp -s "$tmp/want.yaml" "$tmp/devstdout"'
fi

# a device: write errors (ENOSPC from /dev/full) exit 1, the link stays
ln -s /dev/full "$tmp/full"
run "$ex" -o "$tmp/full" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "-o LINK-TO-/dev/full exits 1" '[ $rc -eq 1 ]'
check "-o LINK-TO-/dev/full says no space" 'grep -q "^kbuild: error: .*full: cannot write: No space left on device" "$tmp/err"'
check "-o LINK-TO-/dev/full keeps the link" '[ -L "$tmp/full" ] && [ "$(readlink "$tmp/full")" = /dev/full ]'
check "-o LINK-TO-/dev/full prints nothing on stdout" '[ ! -s "$tmp/out" ]'
ln -s /dev/null "$tmp/null"
run "$ex" -o "$tmp/null"; rc=$?
check "-o LINK-TO-/dev/null exits 0 and keeps the link" '[ $rc -eq 0 ] && [ -L "$tmp/null" ] && [ -c /dev/null ]'
# stdout itself full
run "$ex" >/dev/full 2>"$tmp/err"; rc=$?
check "stdout on /dev/full exits 1 with a message" '[ $rc -eq 1 ] && grep -q "No space left on device" "$tmp/err"'
# a device node of our own (root only; on a nodev /tmp it cannot be
# opened, which must be an error that leaves the node alone)
if mknod "$tmp/nulldev" c 1 3 2>/dev/null; then
	run "$ex" -o "$tmp/nulldev" 2>"$tmp/err"; rc=$?
	check "-o DEVICE keeps the device node" '[ -c "$tmp/nulldev" ]'
	check "-o DEVICE writes or fails cleanly" '[ $rc -eq 0 ] || { [ $rc -eq 1 ] && grep -q "nulldev: cannot write" "$tmp/err"; }'
fi

# -o DIR through a symlink to a directory, and into a directory whose
# file is a symlink
mkdir "$tmp/outdir"
ln -s outdir "$tmp/dirlink"
run "$ex" -o "$tmp/dirlink"; rc=$?
check "-o SYMLINK-TO-DIR writes one file per resource" '[ $rc -eq 0 ] && [ -L "$tmp/dirlink" ] && [ $(ls "$tmp/outdir" | wc -l) -eq 3 ]'
f=v1_namespace_podinfo.yaml
mkdir "$tmp/outdir2"
ln -s ../kept-ns.yaml "$tmp/outdir2/$f"
run "$ex" -o "$tmp/outdir2"; rc=$?
check "-o DIR writes through a symlinked resource file" '[ $rc -eq 0 ] && [ -L "$tmp/outdir2/$f" ] && cmp -s "$tmp/outdir/$f" "$tmp/kept-ns.yaml"'

# a missing parent directory is an error naming the path
run "$ex" -o "$tmp/no/such/dir/out.yaml" 2>"$tmp/err"; rc=$?
check "-o in a missing directory exits 1" '[ $rc -eq 1 ] && grep -q "out.yaml: cannot write: No such file or directory" "$tmp/err"'

# -o FILE is written as the build prints (kb_output): a build whose last
# resource cannot be printed (a repeated key) writes nothing, not even its
# first resources, and leaves the old file and no temporary file; an
# empty build still makes the file; a big one gives stdout's bytes
mkdir "$tmp/late"
printf 'resources:\n- a.yaml\n- b.yaml\n' >"$tmp/late/kustomization.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n' >"$tmp/late/a.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: v\n  k: w\n' >"$tmp/late/b.yaml"
printf 'old\n' >"$tmp/late.yaml"
run "$tmp/late" -o "$tmp/late.yaml" 2>"$tmp/err"; rc=$?
check "-o FILE: a late printing error exits 1" '[ $rc -eq 1 ] && grep -q "already defined" "$tmp/err"'
check "-o FILE: a late printing error keeps the old file" '[ "$(cat "$tmp/late.yaml")" = old ]'
check "-o FILE: a late printing error leaves no temporary file" '[ -z "$(ls -a "$tmp" | grep kbuild-tmp)" ]'
run "$tmp/late" >"$tmp/late-out" 2>/dev/null; rc=$?
check "stdout: a late printing error prints nothing" '[ $rc -eq 1 ] && [ ! -s "$tmp/late-out" ]'
mkdir "$tmp/empty"
printf 'resources: []\n' >"$tmp/empty/kustomization.yaml"
run "$tmp/empty" -o "$tmp/empty.yaml"; rc=$?
check "-o FILE: an empty build makes an empty file" '[ $rc -eq 0 ] && [ -f "$tmp/empty.yaml" ] && [ ! -s "$tmp/empty.yaml" ]'
mkdir "$tmp/many"
: >"$tmp/many/kustomization.yaml"
printf 'resources:\n' >>"$tmp/many/kustomization.yaml"
i=0
while [ $i -lt 40 ]; do
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\ndata:\n  k: v%d\n' $i $i >"$tmp/many/c$i.yaml"
	printf -- '- c%d.yaml\n' $i >>"$tmp/many/kustomization.yaml"
	i=$((i + 1))
done
run "$tmp/many" >"$tmp/many-want.yaml"
run "$tmp/many" -o "$tmp/many.yaml"; rc=$?
check "-o FILE: 40 resources, stdout's bytes" '[ $rc -eq 0 ] && [ -s "$tmp/many.yaml" ] && cmp -s "$tmp/many-want.yaml" "$tmp/many.yaml"'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
