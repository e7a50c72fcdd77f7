#!/usr/bin/env bash
# Generates the Swift bindings of the uniffi library with the workspace's own uniffi-bindgen:
# Sources/CqlbridgeUniffi/cqlbridge_uniffi.swift and Sources/cqlbridge_uniffiFFI/*.h (not
# committed; module.modulemap is). Usage: generate.sh [release|dev].
set -euo pipefail
profile=${1:-dev}
here=$(cd "$(dirname "$0")" && pwd)
workspace=$(cd "$here/../.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
case "$profile" in dev) dir=debug ;; release) dir=release ;; *) echo "unknown profile $profile" >&2; exit 2 ;; esac
cd "$workspace"
cargo build --quiet --profile "$profile" -p cqlbridge-uniffi -p cqlbridge-uniffi-bindgen
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"target/$dir/uniffi-bindgen" generate "target/$dir/libcqlbridge_uniffi.so" --language swift --no-format --out-dir "$out"
mkdir -p "$here/Sources/CqlbridgeUniffi" "$here/Sources/cqlbridge_uniffiFFI"
cp "$out/cqlbridge_uniffi.swift" "$here/Sources/CqlbridgeUniffi/"
cp "$out/cqlbridge_uniffiFFI.h" "$here/Sources/cqlbridge_uniffiFFI/"
echo "generated Swift bindings in bindings/swift/Sources (CqlbridgeUniffi, cqlbridge_uniffiFFI)"
