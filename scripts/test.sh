#!/usr/bin/env bash
# The one test command (npm test): typecheck, then every tap suite, ending with `N passed, N failed`.
# tap's exit code is kept through the pipe (pipefail).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
echo "# typecheck (tsc --noEmit)"
if ! npx --no-install tsc --noEmit -p .; then
  echo "# typecheck failed"
  status=1
fi
# The prebuilt fleet mcp bundle must match the sources the tests run.
node scripts/build-bridge.mjs
# Build tap's plugin set from package.json first: on a fresh clone tap's first run otherwise uses its
# default plugins, whose ts-node loader breaks tsx's config imports (seen in a fresh-clone CI run).
npx --no-install tap build >/dev/null
npx --no-install tap --reporter=tap "$@" | node scripts/tap-summary.mjs
tap_status=$?
[ "$tap_status" -ne 0 ] && status=$tap_status
exit "$status"
