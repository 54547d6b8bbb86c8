#!/usr/bin/env bash
# Every study that runs on shipped data expands and resolves from the source tree as a user runs it
# (its files found, its options valid), with the number of runs its header describes.
# Usage: shipped_dry_run.sh ADAPTLAB SOURCE_DIR TMPDIR
set -uo pipefail
CLI=$1 SRC=$2 TMP=$3
rm -rf "$TMP" && mkdir -p "$TMP"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
cd "$SRC" || exit 1
for s in default:5 wordnet-more:3 prune-wordnet:8 pyra-minilm:15 lightpeft-minilm:9 variator-minilm:3; do
  study=${s%%:*} n=${s##*:}
  "$CLI" sweep --dry-run --db "$TMP/$study.sqlite" "experiments/$study/sweep.yaml" >"$TMP/$study.out" 2>&1 ||
    fail "$study: dry run exited $?: $(tail -3 "$TMP/$study.out")"
  grep -q "^study $study: $n runs " "$TMP/$study.out" || fail "$study: $(head -1 "$TMP/$study.out") (expected $n runs)"
done
[ "$fails" = 0 ] && echo "shipped studies: every one expands and resolves"
exit "$fails"
