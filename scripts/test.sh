#!/usr/bin/env bash
# The one test command (npm test): typecheck, then every tap suite on SQLite, then the plugin suites
# (plugins/**/*.test.ts, the test kit's own test and the API fuzzer) again on PostgreSQL, in a throwaway cluster
# started once for the run (scripts/test-postgres.mjs), each fleet in a fresh database of its own
# (test/kit/storage.ts). One summary ends it all: `N passed, N failed[, N skipped]`.
#
# Arguments go to tap, for both runs; the PostgreSQL run keeps only the files under plugins/,
# test/kit/ and test/fuzz/ (and skips itself when none are left). A directory argument means its *.test.ts files.
# Without PostgreSQL (not installed, not root) the PostgreSQL run is skipped with a note and its
# suites count as skipped; with CI=true that is a failure instead.
set -uo pipefail
shopt -s globstar nullglob
cd "$(dirname "$0")/.."
status=0

# The PostgreSQL run's suites, when no file is named.
PG_SUITES=(plugins/**/*.test.ts test/kit/**/*.test.ts test/fuzz/**/*.test.ts)

# Split the arguments: paths (files, directories, globs) and everything else (options, their values).
tap_args=()
pg_args=()
pg_files=()
named_files=0
for arg in "$@"; do
  if [[ "$arg" != -* && ( -e "$arg" || "$arg" == *'*'* || "$arg" == *.ts ) ]]; then
    named_files=1
    paths=("$arg")
    # tap would look for .js files in a directory (its TypeScript plugin is off): name the suites.
    if [ -d "$arg" ]; then
      paths=("${arg%/}"/**/*.test.ts)
      [ ${#paths[@]} -eq 0 ] && paths=("$arg")
    fi
    tap_args+=("${paths[@]}")
    for path in "${paths[@]}"; do
      case "${path#./}" in
        plugins/* | test/kit/* | test/fuzz/*) pg_files+=("$path") ;;
      esac
    done
  else
    tap_args+=("$arg")
    pg_args+=("$arg")
  fi
done
[ "$named_files" -eq 0 ] && pg_files=("${PG_SUITES[@]}")
pg_args+=("${pg_files[@]}")

# Static checks: the typecheck and the type-aware linter run side by side (each uses one core),
# then the formatter's check. A failure fails the run; the tests still run, to report everything.
# Each counts in the summary as one test passed or failed (`# check: <name> passed|failed`).
echo "# typecheck (tsc --noEmit), lint (eslint), format (prettier --check)"
checks=()
lint_log=$(mktemp)
npx --no-install eslint . >"$lint_log" 2>&1 &
lint_pid=$!
if npx --no-install tsc --noEmit -p .; then checks+=("typecheck passed"); else
  echo "# typecheck failed"
  checks+=("typecheck failed")
  status=1
fi
if wait "$lint_pid"; then checks+=("lint passed"); else
  cat "$lint_log"
  echo "# lint failed (npx eslint . to see it again)"
  checks+=("lint failed")
  status=1
fi
rm -f "$lint_log"
if npx --no-install prettier --check . --log-level warn; then checks+=("format passed"); else
  echo "# format check failed: run npm run format"
  checks+=("format failed")
  status=1
fi
# The prebuilt fleet mcp bundle must match the sources the tests run.
node scripts/build-bridge.mjs
# Build tap's plugin set from package.json first: on a fresh clone tap's first run otherwise uses its
# default plugins, whose ts-node loader breaks tsx's config imports (seen in a fresh-clone CI run).
npx --no-install tap build >/dev/null

# The PostgreSQL cluster: started once, stopped and removed however this script ends.
pg_dir=""
pg_url=""
pg_skip=""
pg_fail=""
stop_postgres() {
  if [ -n "$pg_dir" ]; then
    node scripts/test-postgres.mjs stop "$pg_dir" || echo "# could not stop the PostgreSQL cluster in $pg_dir" >&2
    pg_dir=""
  fi
}
trap stop_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
if [ ${#pg_files[@]} -gt 0 ]; then
  if reason=$(node scripts/test-postgres.mjs check); then
    pg_dir=$(mktemp -d -t fleet-pg-XXXXXX)
    if pg_url=$(node scripts/test-postgres.mjs start "$pg_dir"); then
      echo "# postgres: a throwaway cluster at $pg_url"
    else
      pg_fail="the throwaway cluster did not start (see above)"
    fi
  elif [ "${CI:-}" = "true" ]; then
    pg_fail="PostgreSQL cannot run here ($reason), and CI must run every suite on it"
  else
    pg_skip="PostgreSQL cannot run here ($reason)"
  fi
fi

{
  run_status=0
  for check in "${checks[@]}"; do echo "# check: $check"; done
  echo "# storage: sqlite"
  FLEET_TEST_STORAGE=sqlite npx --no-install tap --reporter=tap "${tap_args[@]}" || run_status=$?
  if [ -n "$pg_url" ]; then
    echo "# storage: postgres"
    FLEET_TEST_STORAGE=postgres FLEET_TEST_PG_URL="$pg_url" \
      npx --no-install tap --reporter=tap "${pg_args[@]}" || run_status=$?
  elif [ -n "$pg_fail" ]; then
    echo "# storage: postgres failed: $pg_fail"
    run_status=1
  elif [ -n "$pg_skip" ]; then
    echo "# storage: postgres skipped (${#pg_files[@]} suites): $pg_skip"
  else
    echo "# postgres: not run: no suite under plugins/, test/kit/ or test/fuzz/ among the arguments"
  fi
  exit "$run_status"
} | node scripts/tap-summary.mjs
tap_status=$?
[ "$tap_status" -ne 0 ] && status=$tap_status
stop_postgres
exit "$status"
