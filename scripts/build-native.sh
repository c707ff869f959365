#!/usr/bin/env bash
# Build the native crates (crates/ringbus, crates/logstream) into
# crates/<name>/<name>.<platform>.node, next to each crate (git-ignored), with @napi-rs/cli.
# Without the CLI (e.g. an install that omitted devDependencies) it runs cargo itself and copies
# the library to the same name. `--if-cargo` exits 0 when there is no cargo (postinstall uses it);
# otherwise a missing toolchain is an error. The loaders fall back to TypeScript when no .node
# file is there, and FLEET_NATIVE=0 makes them ignore it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1 && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  if [ "${1:-}" = "--if-cargo" ]; then
    echo "# native build skipped: no cargo (the TypeScript fallbacks will be used)"
    exit 0
  fi
  echo "build-native: cargo not found; install Rust (rustup) or use the TypeScript fallbacks" >&2
  exit 1
fi
# Two cores are shared with everything else on the machine.
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) suffix="linux-x64-$(ldd --version 2>&1 | grep -qi musl && echo musl || echo gnu)" ;;
  Linux-aarch64) suffix="linux-arm64-$(ldd --version 2>&1 | grep -qi musl && echo musl || echo gnu)" ;;
  Darwin-arm64) suffix="darwin-arm64" ;;
  Darwin-x86_64) suffix="darwin-x64" ;;
  *) suffix="" ;;
esac

for crate in ringbus logstream; do
  dir="crates/$crate"
  if [ -x node_modules/.bin/napi ]; then
    echo "# napi build $crate"
    node_modules/.bin/napi build --platform --release \
      --manifest-path "$dir/Cargo.toml" --config-path "$dir/napi.json" \
      --output-dir "$dir" --no-js --dts index.d.ts
  else
    [ -n "$suffix" ] || { echo "build-native: no @napi-rs/cli and an unknown platform" >&2; exit 1; }
    echo "# cargo build $crate (no @napi-rs/cli installed)"
    cargo build --release --package "$crate"
    lib="target/release/lib$crate.so"
    [ -f "$lib" ] || lib="target/release/lib$crate.dylib"
    cp "$lib" "$dir/$crate.$suffix.node"
  fi
done
