#!/usr/bin/env bash
# Builds the uniffi library with cargo and generates its Kotlin bindings with the workspace's
# own uniffi-bindgen (the same uniffi version as the library). Run by Maven in
# generate-sources; usage: build-native.sh <cargo profile: release|dev> <maven target dir>.
set -euo pipefail
profile=${1:-release}
target=${2:?the Maven target directory}
workspace=$(cd "$(dirname "$0")/../.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
case "$profile" in
  dev) dir=debug ;;
  release) dir=release ;;
  *) echo "unknown cargo profile $profile (release or dev)" >&2; exit 2 ;;
esac
cd "$workspace"
cargo build --quiet --profile "$profile" -p cqlbridge-uniffi -p cqlbridge-uniffi-bindgen
lib="$workspace/target/$dir/libcqlbridge_uniffi.so"
rm -rf "$target/generated-sources/uniffi"
mkdir -p "$target/generated-sources/uniffi" "$target/native/linux-x86-64"
# (bindings/uniffi/uniffi.toml, found through cargo metadata, names the package cqlbridge.uniffi)
"$workspace/target/$dir/uniffi-bindgen" generate "$lib" --language kotlin --no-format \
  --out-dir "$target/generated-sources/uniffi"
# The jar carries the library without its debug info (strip comes with the C toolchain).
if command -v strip >/dev/null; then
  strip --strip-debug -o "$target/native/linux-x86-64/libcqlbridge_uniffi.so" "$lib"
else
  cp "$lib" "$target/native/linux-x86-64/libcqlbridge_uniffi.so"
fi
