#!/usr/bin/env bash
# Installs the package from the build tree into a prefix, moves the prefix elsewhere, and builds
# and runs a consumer through each route the README gives: find_package(ctnn CONFIG) and
# `pkg-config --cflags --libs ctnn`. Neither route may add -march, OpenMP or warning flags, and
# Boost must not be required (no header uses it).
#   consume_installed.sh <build-dir> <consumer-source-dir> <c++ compiler>
set -euo pipefail
build=$1 source=$2 cxx=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/first" >/dev/null
mv "$work/first" "$work/moved"  # a relocated install must still point at itself

flags=$(PKG_CONFIG_PATH="$work/moved/share/pkgconfig" pkg-config --cflags --libs ctnn)
echo "pkg-config: $flags"
include=$(grep -o -- '-I[^ ]*' <<<"$flags" | head -1)
[[ $(realpath -m "${include#-I}") == "$(realpath "$work/moved/include")" ]] ||
  { echo "FAIL: pkg-config's include path $include is not the moved prefix's"; exit 1; }
if grep -Eq -- '-march|-fopenmp|-W' <<<"$flags"; then echo "FAIL: pkg-config leaks build flags"; exit 1; fi
# shellcheck disable=SC2086
"$cxx" -O0 "$source/main.cpp" $flags -o "$work/by_pkg_config"
"$work/by_pkg_config"

cmake -S "$source" -B "$work/cmake" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$work/moved" \
  -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON --no-warn-unused-cli >/dev/null
cmake --build "$work/cmake" >/dev/null
if grep -Eq -- '-march|-fopenmp|-W' "$work/cmake/compile_commands.json"; then
  echo "FAIL: the exported target leaks build flags:"; cat "$work/cmake/compile_commands.json"; exit 1
fi
"$work/cmake/consumer"
echo "both routes build and run"
