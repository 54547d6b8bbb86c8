#!/usr/bin/env bash
# Nothing that reaches the Slurm job script can run as a command: a --slurm-dir with a newline is
# refused before anything is written; shell characters in paths are quoted (the script runs without
# executing them, comments included); bad --devices/--partition/--cpus-per-task/--time/--gpus-per-task
# are refused before job.sh exists. Usage: slurm_injection.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
SW="$FAULTS/fixtures/tiny_run.yaml"
MARK="$TMP/PWNED"
nl_dir="$TMP/s"$'\n'"touch $MARK"$'\n'"x"
expect 1 "control character" -- "$CLI" sweep "$SW" --launcher slurm --no-submit --slurm-dir "$nl_dir"
[ -e "$nl_dir/job.sh" ] && fail "a refused launch wrote $nl_dir/job.sh"
[ -e "$nl_dir" ] && fail "a refused launch created $nl_dir"
expect 1 "control character|expected a number" -- "$CLI" sweep "$SW" "train.lr=0.1"$'\n'"touch $MARK" --launcher slurm \
  --no-submit --slurm-dir "$TMP/o"
[ -e "$TMP/o/job.sh" ] && fail "a refused override wrote $TMP/o/job.sh"
# Shell characters (not control characters) are allowed in a folder name and stay inert.
odd_dir="$TMP/a b\$(touch $MARK)\`touch $MARK\`;'q'"
expect 0 "wrote .*job.sh" -- "$CLI" sweep "$SW" --launcher slurm --no-submit --slurm-dir "$odd_dir"
bash -n "$odd_dir/job.sh" || fail "job.sh does not parse"
# Run it as Slurm would, up to the exec (a fake array task whose adaptlab is 'true').
sed "s|^exec '[^']*'|exec true|" "$odd_dir/job.sh" >"$TMP/job-run.sh"
SLURM_ARRAY_TASK_ID=0 bash "$TMP/job-run.sh" || fail "the job script failed"
[ -e "$MARK" ] && fail "a command in a path ran: $MARK exists"
# Flag values are validated before anything is written.
for bad in "--devices x,1" "--devices 0,,1" "--partition a;b" "--cpus-per-task two" "--cpus-per-task 0" \
  "--time 1h" "--gpus-per-task a100" "--gpus-per-task 1;x"; do
  set -- $bad
  d="$TMP/bad-${1#--}"
  expect 1 "$1" -- "$CLI" sweep "$SW" --launcher slurm --no-submit --slurm-dir "$d" "$1" "$2"
  [ -e "$d/job.sh" ] && fail "$bad: a refused launch left $d/job.sh"
done
expect 0 "wrote" -- "$CLI" sweep "$SW" --launcher slurm --no-submit --slurm-dir "$TMP/good" --devices 0,1 \
  --partition gpu --cpus-per-task 8 --time 1-04:00:00 --gpus-per-task a100:2
finish "slurm job script: newline refused, shell characters inert, flags validated"
