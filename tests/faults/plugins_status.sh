#!/usr/bin/env bash
# Plugin errors name the plugin; status tells a kill -9'd driver on this host from a live one (issue 25, 14).
# Usage: plugins_status.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
# A plugin whose registration clashes (the same plugin loaded again under another file name).
cp "$PLUGIN" "$TMP/a.so"
cp "$PLUGIN" "$TMP/b.so"
expect 1 "plugin '$TMP/b.so': its registration failed: method 'norm_tune' is registered twice: by plugin $TMP/a.so and by plugin $TMP/b.so; rename one of them" -- \
  "$CLI" --plugin "$TMP/a.so" --plugin "$TMP/b.so" list
# A plugin method's error names the plugin in the run's record.
sed 's/^study: onefails/study: boom/; s/kind: exit/kind: throw/' "$FAULTS/fixtures/one_fails.yaml" >"$TMP/boom.yaml"
expect 2 "failed" -- "$CLI" --plugin "$TMP/a.so" sweep --no-progress --db "$TMP/boom.sqlite" "$TMP/boom.yaml"
check "$TMP/boom.sqlite" "SELECT count(*) FROM runs WHERE error LIKE '%method ''fault'' (from plugin $TMP/a.so): boom from the plugin%'" 1
# status: a driver killed with kill -9 on this host is said gone at once (its pid is not running),
# not shown running until its heartbeat goes stale.
DB="$TMP/status.sqlite"
"$CLI" --plugin "$TMP/a.so" sweep --db "$DB" --no-progress "$FIX/sleep_sweep.yaml" "methods=[{name: fault, kind: sleep, seconds: 30}]" \
  >/dev/null 2>&1 &
driver=$!
wait_for "$DB" "SELECT count(*) FROM runs WHERE status = 'running'" 1 300 || fail "no run started"
expect 0 "sweep running \(pid $driver" -- "$CLI" status --db "$DB"
kill -9 "$driver"
wait "$driver" 2>/dev/null
expect 0 "the sweep driver \(pid $driver on .*\) is gone: no process $driver runs on this host" -- "$CLI" status --db "$DB"
pkill -f "fault, kind: sleep, seconds: 30" 2>/dev/null
pkill -9 -f "$TMP/.*spec.json" 2>/dev/null
finish "plugin clashes and plugin errors name the plugin; status sees a killed driver at once"
