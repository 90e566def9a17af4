#!/usr/bin/env bash
# Builds Tierlab's web app into OUT: index.html, tierlab.js (wasm-bindgen's JS glue) and
# tierlab_bg.wasm, a static site to serve from any web server (README: "Tierlab in the browser").
#
#   scripts/web/build.sh OUT
#
# The library is compiled for wasm32-unknown-unknown as a cdylib (`cargo rustc --lib
# --crate-type cdylib`: the package itself stays an rlib, so native builds make no cdylib),
# with 128-bit SIMD and getrandom's JavaScript backend, in target/wasm (so it never fights a
# native build over target/). Two routes:
# - a rustup toolchain with the wasm32-unknown-unknown target installed: plain cargo;
# - otherwise Debian's rustc-web, cargo-web and rust-web-src (apt-get install -y rustc-web
#   cargo-web rust-web-src), which build the wasm32 standard library themselves
#   (-Zbuild-std), linked with the rustup toolchain's rust-lld.
# Then wasm-bindgen (wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in
# Cargo.lock: `cargo install wasm-bindgen-cli --version V`, without --locked) writes the glue.
set -euo pipefail

OUT=${1:?usage: scripts/web/build.sh OUT}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$ROOT"

TARGET=wasm32-unknown-unknown
TARGET_DIR=${TIERLAB_WASM_TARGET_DIR:-$ROOT/target/wasm}
# simd128: the engine's registers are wasm's 128-bit vectors (`wide`); the cfg picks
# getrandom's browser backend (crypto.getRandomValues), which the scenario's seeded streams
# never use but rand's optional OS seeding links.
export RUSTFLAGS='--cfg getrandom_backend="wasm_js" -C target-feature=+simd128'
# The release profile keeps line tables for native profilers; the page has no use for them.
export CARGO_PROFILE_RELEASE_DEBUG=false
# No unwinding on wasm32-unknown-unknown: a panic stops the page (and says so in the console).
export CARGO_PROFILE_RELEASE_PANIC=abort

lock_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}
WB_VERSION=$(lock_version)
if ! command -v wasm-bindgen >/dev/null 2>&1; then
  echo "wasm-bindgen is missing: cargo install wasm-bindgen-cli --version $WB_VERSION" >&2
  exit 1
fi
have=$(wasm-bindgen --version | awk '{print $2}')
if [ "$have" != "$WB_VERSION" ]; then
  echo "wasm-bindgen $have does not match the wasm-bindgen crate $WB_VERSION in Cargo.lock:" >&2
  echo "  cargo install wasm-bindgen-cli --version $WB_VERSION --force" >&2
  exit 1
fi

build=(rustc --lib --release --target "$TARGET" --target-dir "$TARGET_DIR" --crate-type cdylib)
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  echo "== building with the rustup toolchain's $TARGET target"
  cargo "${build[@]}"
else
  if [ ! -x /usr/bin/rustc ] || [ ! -x /usr/bin/cargo ]; then
    echo "No $TARGET standard library: install the target (rustup target add $TARGET) or Debian's" >&2
    echo "  apt-get install -y rustc-web cargo-web rust-web-src" >&2
    exit 1
  fi
  LLD="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"
  if [ ! -x "$LLD" ]; then
    echo "rust-lld not found at $LLD (the rustup toolchain's linker)" >&2
    exit 1
  fi
  echo "== building with Debian's rustc ($(/usr/bin/rustc --version)) and -Zbuild-std"
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$LLD" \
    /usr/bin/cargo "${build[@]}" -Zbuild-std=std,panic_abort
fi

WASM="$TARGET_DIR/$TARGET/release/tierlab.wasm"
echo "== wasm-bindgen $WB_VERSION"
wasm-bindgen --target web --no-typescript --out-dir "$OUT" --out-name tierlab "$WASM"
cp "$ROOT/scripts/web/index.html" "$OUT/index.html"
# A site on GitHub Pages is served through Jekyll unless this file is there.
touch "$OUT/.nojekyll"
wasm_bytes=$(stat -c %s "$OUT/tierlab_bg.wasm")
gz_bytes=$(gzip -9 -c "$OUT/tierlab_bg.wasm" | wc -c)
echo "== built $OUT: tierlab_bg.wasm $wasm_bytes bytes, $gz_bytes gzip -9"
