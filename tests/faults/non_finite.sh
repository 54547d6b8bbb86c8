#!/usr/bin/env bash
# Infinite and NaN numbers are refused at the sweep file's line, not stored as JSON null.
# Usage: non_finite.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
SW="$FAULTS/fixtures/non_finite.yaml"
expect 1 "non_finite.yaml:8:20: key 'lr' in train options: expected a finite number, got '.inf'" -- "$CLI" sweep --dry-run "$SW"
expect 1 "<override 'train.lr=1e999'>:1:1: key 'lr' in train options: expected a finite number, got '1e999'" -- \
  "$CLI" sweep --dry-run "$FAULTS/fixtures/tiny_run.yaml" train.lr=1e999
expect 1 "expected a finite number, got '.nan'" -- "$CLI" sweep --dry-run "$FAULTS/fixtures/tiny_run.yaml" train.lr=.nan
finish "non-finite numbers are refused where they are written"
