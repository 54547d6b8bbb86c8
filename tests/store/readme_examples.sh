#!/usr/bin/env bash
# Runs the examples of results/README.md marked "<!-- suite: run -->" (bash blocks with $DB set,
# python blocks with DB defined) on a small study made here; each must exit 0 and print something.
# Usage: readme_examples.sh ADAPTLAB FIXTURES TMPDIR README PYTHON
set -uo pipefail
CLI=$1 FIX=$2 TMP=$3 README=$4 PY=$5
rm -rf "$TMP" && mkdir -p "$TMP"
export DB="$TMP/examples.sqlite"
# The examples call `adaptlab` and `python3` as a user would: this build's, and the venv's (with pandas).
export PATH="$(cd "$(dirname "$CLI")" && pwd):$(cd "$(dirname "$PY")" && pwd):$PATH"
"$CLI" sweep --db "$DB" --no-progress "$FIX/rerun_sweep.yaml" >/dev/null 2>&1 || { echo "FAIL: the example study"; exit 1; }
"$CLI" sweep --db "$DB" --no-progress --rerun methods=lora "$FIX/rerun_sweep.yaml" >/dev/null 2>&1 || { echo "FAIL: rerun"; exit 1; }
"$PY" - "$README" "$TMP" <<'PYEOF'
import re, sys, pathlib
text = pathlib.Path(sys.argv[1]).read_text()
blocks = re.findall(r"<!-- suite: run -->\n```(bash|python)\n(.*?)```", text, re.S)
for i, (lang, code) in enumerate(blocks):
    pathlib.Path(sys.argv[2], f"block{i}.{ 'sh' if lang == 'bash' else 'py'}").write_text(
        code if lang == "bash" else "import os\nDB = os.environ['DB']\n" + code)
print(len(blocks))
PYEOF
n=$(ls "$TMP"/block* 2>/dev/null | wc -l)
[ "$n" -ge 3 ] || { echo "FAIL: found $n marked examples in $README"; exit 1; }
fails=0
for f in "$TMP"/block*; do
  case "$f" in *.sh) out=$(bash "$f" 2>&1) ;; *.py) out=$("$PY" "$f" 2>&1) ;; esac
  rc=$?
  if [ "$rc" != 0 ] || [ -z "$out" ]; then echo "FAIL: $f (exit $rc):"; cat "$f"; echo "$out"; fails=1; else echo "$out"; fi
done
[ "$fails" = 0 ] && echo "results/README.md: $n examples ran"
exit "$fails"
