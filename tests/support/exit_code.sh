#!/usr/bin/env bash
# exit_code.sh RC CMD...: runs CMD with its output passed through; when its exit code is not RC, says
# so on a line that the CTest entries' FAIL_REGULAR_EXPRESSION catches (CTest ignores the exit code of
# a test that matches output).
want=$1; shift
"$@"; rc=$?
if [ "$rc" != "$want" ]; then
  echo "adaptlab-test: exit code $rc, expected $want"
  exit 1
fi
exit 0
