#!/bin/sh
# The install test: what a new user gets from `cmake --install --prefix P`.
# Installs this build into a temporary prefix, then, against that prefix
# only: compiles and runs examples/ through pkg-config (shared and
# --static) and through the CMake package (shared and static), runs the
# Python binding's tests on the installed package and library, and checks
# the exported symbols, the versions, the SONAME and the relocatable .pc.
# usage: tests/install.sh BUILD_DIR SOURCE_DIR PYTHON CC
set -u
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
python=$3
cc=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # name, condition (evaluated)
	if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; fi
}
log=$tmp/log
step() { # name, command...: runs it, output to the log, shown when it fails
	name=$1
	shift
	if "$@" >"$log" 2>&1; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/  | /' "$log" | tail -n 30; fi
}

prefix=$tmp/prefix
step "cmake --install into a fresh prefix" cmake --install "$build" --prefix "$prefix"
libdir=$(dirname "$(find "$prefix" -name kbuild.pc | head -n 1)")
libdir=$(dirname "$libdir")
check "kbuild.pc installed" '[ -f "$libdir/pkgconfig/kbuild.pc" ]'
# the version, said in one place (kbuild.h), everywhere the same
hv() { sed -n "s/^#define $1 \(.*\)/\1/p" "$src/lib/kbuild.h" | tr -d '"'; }
version=$(hv KBUILD_VERSION)
abi=$(hv KBUILD_ABI_VERSION)
check "header version is MAJOR.MINOR.PATCH" '[ "$version" = "$(hv KBUILD_VERSION_MAJOR).$(hv KBUILD_VERSION_MINOR).$(hv KBUILD_VERSION_PATCH)" ]'

# ---- files in their places ----
check "CLI installed" '[ -x "$prefix/bin/kbuild" ]'
check "shared library with its SONAME link" '[ -f "$libdir/libkbuild.so.$version" ] && [ -L "$libdir/libkbuild.so.$abi" ] && [ -L "$libdir/libkbuild.so" ]'
check "static library" '[ -f "$libdir/libkbuild.a" ]'
check "SONAME is libkbuild.so.ABI" 'readelf -d "$libdir/libkbuild.so" | grep -q "SONAME.*\[libkbuild.so.$abi\]"'
check "kbuild.h installed" 'cmp -s "$src/lib/kbuild.h" "$prefix/include/kbuild.h"'
missing=""
for h in "$src"/lib/kbuild/*.h; do
	[ -e "$h" ] || continue
	cmp -s "$h" "$prefix/include/kbuild/$(basename "$h")" || missing="$missing $h"
done
check "every lib/kbuild/*.h installed" '[ -z "$missing" ]'
missing=""
for m in "$src"/man/*.1; do
	[ -f "$prefix/share/man/man1/$(basename "$m")" ] || missing="$missing $m"
done
check "every man/*.1 installed" '[ -z "$missing" ]'
check "bash completion installed" '[ -s "$prefix/share/bash-completion/completions/kbuild" ] && bash -n "$prefix/share/bash-completion/completions/kbuild"'
check "zsh completion installed" '[ -s "$prefix/share/zsh/site-functions/_kbuild" ] && head -n 1 "$prefix/share/zsh/site-functions/_kbuild" | grep -q "^#compdef kbuild"'
check "fish completion installed" '[ -s "$prefix/share/fish/vendor_completions.d/kbuild.fish" ]'
check "CMake package installed" '[ -f "$libdir/cmake/kbuild/kbuildConfig.cmake" ] && [ -f "$libdir/cmake/kbuild/kbuildConfigVersion.cmake" ]'
check "installed CLI runs" '[ "$("$prefix/bin/kbuild" version)" = "kbuild $version (kustomize v5.5.0 compatible)" ]'

# ---- the exported symbols: exactly the KB_API functions ----
nm -D --defined-only "$libdir/libkbuild.so" | awk '{print $3}' | sort >"$tmp/exported"
check "nm -D shows only kb_ symbols" '[ -s "$tmp/exported" ] && ! grep -v "^kb_" "$tmp/exported"'
cat "$prefix/include/kbuild.h" $(find "$prefix/include/kbuild" -name '*.h' 2>/dev/null) |
	tr '\n' ' ' | tr ';' '\n' | sed -n 's/.*KB_API[^(]*[ *]\(kb_[a-z0-9_]*\) *(.*/\1/p' | sort -u >"$tmp/declared"
check "every KB_API function is exported, nothing else" 'cmp -s "$tmp/declared" "$tmp/exported" || { diff "$tmp/declared" "$tmp/exported"; false; }'

# ---- pkg-config ----
export PKG_CONFIG_PATH="$libdir/pkgconfig"
unset PKG_CONFIG_LIBDIR 2>/dev/null || true
check "pkg-config --modversion is the header's" '[ "$(pkg-config --modversion kbuild)" = "$version" ]'
check "pkg-config --cflags points into the prefix" 'pkg-config --cflags kbuild | grep -q -- "-I$prefix/lib[^ ]*/\.\./\.\./include\|-I$prefix/include"'
check "pkg-config --libs links libkbuild alone" '[ "$(pkg-config --libs kbuild | sed "s/-L[^ ]* //")" = "-lkbuild " ] || [ "$(pkg-config --libs kbuild | sed "s/-L[^ ]* //")" = "-lkbuild" ]'
check "pkg-config --static --libs adds the dependencies" 'pkg-config --static --libs kbuild | grep -q -- "-lfyaml" && pkg-config --static --libs kbuild | grep -q -- "-lpcre2-8" && pkg-config --static --libs kbuild | grep -q -- "-lyaml"'
# relocatable: the same files elsewhere point there
cp -a "$prefix" "$tmp/moved"
check "kbuild.pc is relocatable (\${pcfiledir})" '[ "$(PKG_CONFIG_PATH=$tmp/moved/${libdir#$prefix/}/pkgconfig pkg-config --variable=includedir kbuild | sed "s|/lib[^ ]*/\.\./\.\.||")" = "$tmp/moved/include" ]'
rm -rf "$tmp/moved"

ex=$tmp/example
cp -r "$src/examples" "$ex"
tree=$src/testdata/examples/gitops/apps/dev
"$prefix/bin/kbuild" "$tree" >"$tmp/want.yaml"
printf 'apiVersion: v1\ndata:\n  mode: in-memory\nkind: ConfigMap\nmetadata:\n  name: mem-settings\n' >"$tmp/want-mem.yaml"

# shared, through pkg-config: the compile and link lines are pkg-config's
step "pkg-config shared: compile" sh -c "cd '$ex' && $cc -Wall -Werror \$(pkg-config --cflags kbuild) -o shared kbuild-example.c \$(pkg-config --libs kbuild)"
check "pkg-config shared: needs libkbuild.so.$abi" 'readelf -d "$ex/shared" | grep -q "NEEDED.*libkbuild.so.$abi"'
LD_LIBRARY_PATH="$libdir" "$ex/shared" "$tree" >"$tmp/got" 2>/dev/null
check "pkg-config shared: same bytes as the CLI" 'cmp -s "$tmp/want.yaml" "$tmp/got"'
LD_LIBRARY_PATH="$libdir" "$ex/shared" --memory >"$tmp/got" 2>/dev/null
check "pkg-config shared: builds from memory" 'cmp -s "$tmp/want-mem.yaml" "$tmp/got"'
LD_LIBRARY_PATH="$libdir" "$ex/shared" --version >"$tmp/got"; rc=$?
check "pkg-config shared: library and header versions agree" '[ $rc -eq 0 ] && [ "$(cat "$tmp/got")" = "header $version abi $abi, library $version abi $abi" ]'
mkdir -p "$tmp/bad"
printf 'bases:\n- ../nowhere\n' >"$tmp/bad/kustomization.yaml"
LD_LIBRARY_PATH="$libdir" "$ex/shared" "$tmp/bad" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "pkg-config shared: structured warning and error" '[ $rc -eq 1 ] && grep -q "^warning \[code 102\] file=.*kustomization.yaml line=1 column=1: .bases. is deprecated" "$tmp/err" && grep -q "^error \[code 1\] file=" "$tmp/err"'
# static, through pkg-config --static: no libkbuild.so needed at run time
step "pkg-config --static: compile" sh -c "cd '$ex' && $cc -Wall -Werror -static \$(pkg-config --static --cflags kbuild) -o static kbuild-example.c \$(pkg-config --static --libs kbuild)"
check "pkg-config --static: no libkbuild.so needed" '[ -x "$ex/static" ] && ! readelf -d "$ex/static" 2>/dev/null | grep -q "NEEDED.*libkbuild"'
"$ex/static" "$tree" >"$tmp/got" 2>/dev/null
check "pkg-config --static: same bytes as the CLI" 'cmp -s "$tmp/want.yaml" "$tmp/got"'
# the example's Makefile says the same
step "examples/Makefile (shared and STATIC=1)" sh -c "cd '$ex' && make -s CC='$cc' && LD_LIBRARY_PATH='$libdir' ./kbuild-example --version && rm kbuild-example && make -s CC='$cc' STATIC=1 && ./kbuild-example --memory"

# ---- CMake: find_package(kbuild) ----
for kind in shared static; do
	opt=OFF
	[ $kind = static ] && opt=ON
	step "CMake $kind: configure and build" sh -c "cmake -S '$ex' -B '$tmp/cm-$kind' -DCMAKE_PREFIX_PATH='$prefix' -DCMAKE_C_COMPILER='$cc' -DKBUILD_EXAMPLE_STATIC=$opt && cmake --build '$tmp/cm-$kind'"
	"$tmp/cm-$kind/kbuild-example" "$tree" >"$tmp/got" 2>/dev/null
	check "CMake $kind: same bytes as the CLI (no LD_LIBRARY_PATH)" 'cmp -s "$tmp/want.yaml" "$tmp/got"'
done
check "CMake shared links libkbuild.so.$abi" 'readelf -d "$tmp/cm-shared/kbuild-example" | grep -q "NEEDED.*libkbuild.so.$abi"'
check "CMake static does not" '! readelf -d "$tmp/cm-static/kbuild-example" | grep -q "NEEDED.*libkbuild"'
step "CMake: a newer major version is refused" sh -c "printf 'cmake_minimum_required(VERSION 3.18)\nproject(v C)\nfind_package(kbuild 99 REQUIRED)\n' >'$tmp/v.txt' && mkdir -p '$tmp/v' && cp '$tmp/v.txt' '$tmp/v/CMakeLists.txt' && ! cmake -S '$tmp/v' -B '$tmp/v/b' -DCMAKE_PREFIX_PATH='$prefix'"

# ---- Python: the installed package finds the installed library ----
pydir=$(find "$prefix" -type d -name kbuild -path '*packages*' | head -n 1)
check "Python package installed" '[ -f "$pydir/__init__.py" ] && [ -f "$pydir/_config.py" ]'
pypath=$(dirname "$pydir")
loaded=$(cd "$tmp" && env -u KBUILD_LIBRARY PYTHONPATH="$pypath" "$python" -c '
import kbuild, sys
maps = open("/proc/self/maps").read()
print(kbuild.__file__)
print([l.split()[-1] for l in maps.splitlines() if "libkbuild" in l][0])
print(kbuild.version())')
check "Python loads the prefix's package and library" '[ "$(echo "$loaded" | sed -n 1p)" = "$pydir/__init__.py" ] && [ "$(echo "$loaded" | sed -n 2p)" = "$(readlink -f "$libdir/libkbuild.so.$abi")" ] && [ "$(echo "$loaded" | sed -n 3p)" = "$version" ]'
step "Python binding tests on the installed package" env -u KBUILD_LIBRARY KBUILD_PYTHONPATH="$pypath" KBUILD_CLI="$prefix/bin/kbuild" "$python" -m unittest discover -s "$src/bindings/python/tests"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
