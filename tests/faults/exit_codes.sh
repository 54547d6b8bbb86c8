#!/usr/bin/env bash
# Exit codes tell the truth: a sweep with a failed run exits 2, and so does a resume that skips the
# failed run (saying how many are failed); --retry-failed runs it again.
# Usage: exit_codes.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
DB="$TMP/x.sqlite"
SW="$FAULTS/fixtures/one_fails.yaml"
expect 2 "1 run, 0 skipped, 1 failed" -- "$CLI" --plugin "$PLUGIN" sweep --db "$DB" --no-progress "$SW"
expect 2 "1 done, 1 failed earlier and kept .*--retry-failed" -- "$CLI" --plugin "$PLUGIN" sweep --db "$DB" --no-progress "$SW"
expect 2 "0 run, 1 skipped, 1 failed" -- "$CLI" --plugin "$PLUGIN" sweep --db "$DB" --no-progress --retry-failed "$SW"
check "$DB" "SELECT attempt FROM runs WHERE status = 'failed'" 2
# All done: 0, and a dry run is 0 whatever the statuses.
expect 0 "0 of 2 already done|1 of 2 already done" -- "$CLI" --plugin "$PLUGIN" sweep --db "$DB" --dry-run "$SW"
DB2="$TMP/ok.sqlite"
expect 0 "1 run, 0 skipped, 0 failed" -- "$CLI" sweep --db "$DB2" --no-progress "$FAULTS/fixtures/tiny_run.yaml"
expect 0 "all 1 runs already done" -- "$CLI" sweep --db "$DB2" --no-progress "$FAULTS/fixtures/tiny_run.yaml"
finish "exit codes count failed runs, kept or new"
