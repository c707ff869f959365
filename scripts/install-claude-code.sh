#!/usr/bin/env bash
# Install the pinned Claude Code CLI for the real end-to-end test (test/e2e/claude-code.test.ts),
# outside the project's dependencies: into $CLAUDE_CODE_DIR (default ~/.cache/claude-fleet/claude-code).
# Idempotent: when that version is already installed and runs, it returns at once.
#
#   bash scripts/install-claude-code.sh        # prints the path of the claude binary on its last line
#
# 2.1.330 declares engines.node >=22 and installs on Node 20 with an EBADENGINE warning: the CLI is a
# native binary (~381 MB, from the optional dependency @anthropic-ai/claude-code-<platform>) that the
# package's postinstall (install.cjs) hard-links over the stub bin/claude.exe. When install scripts
# were skipped, the stub says "claude native binary not installed": install.cjs is then run here.
set -euo pipefail

VERSION="${CLAUDE_CODE_VERSION:-2.1.330}"
PREFIX="${CLAUDE_CODE_DIR:-${HOME}/.cache/claude-fleet/claude-code}"
PKG="$PREFIX/node_modules/@anthropic-ai/claude-code"
BIN="$PKG/bin/claude.exe"

installed_version() {
  [ -x "$BIN" ] || return 1
  # --version works offline and without credentials; it prints "2.1.330 (Claude Code)".
  DISABLE_AUTOUPDATER=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 "$BIN" --version 2>/dev/null | awk '{print $1}'
}

if [ "$(installed_version || true)" = "$VERSION" ]; then
  echo "# claude-code $VERSION already installed"
  echo "$BIN"
  exit 0
fi

echo "# installing @anthropic-ai/claude-code@$VERSION into $PREFIX"
start=$(date +%s)
mkdir -p "$PREFIX"
# A package.json of its own, so npm never walks up into a project and the prefix stays self-contained.
[ -f "$PREFIX/package.json" ] || echo '{"name":"claude-fleet-claude-code","private":true}' >"$PREFIX/package.json"
# --engine-strict=false: the pinned version asks for Node >= 22 but runs as a native binary on Node 20.
npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error --engine-strict=false --save-exact \
  "@anthropic-ai/claude-code@$VERSION" 2>&1 | grep -v EBADENGINE || true

if [ "$(installed_version || true)" != "$VERSION" ]; then
  # Install scripts were skipped (or the link failed): link the native binary ourselves.
  echo "# running the package's install.cjs (postinstall did not run)"
  (cd "$PKG" && node install.cjs)
fi

got="$(installed_version || true)"
if [ "$got" != "$VERSION" ]; then
  echo "claude-code $VERSION did not install: $BIN --version gave '${got:-nothing}'" >&2
  exit 1
fi
echo "# claude-code $VERSION installed in $(( $(date +%s) - start ))s ($(du -sh "$PREFIX" | cut -f1) in $PREFIX)"
echo "$BIN"
