#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for tests and for trying the Slurm launcher:
#   source <(tools/slurm/local-cluster.sh start DIR)   # prints `export SLURM_CONF=...`
#   tools/slurm/local-cluster.sh stop DIR
# Needs root and Debian's slurm-wlm + munge (tools/setup.sh --with-slurm installs them).
# Daemons: munged (own socket under DIR), slurmctld and slurmd with state, spool and logs under DIR.
set -euo pipefail
cmd=${1:?usage: local-cluster.sh start|stop DIR}
DIR=$(mkdir -p "${2:?usage: local-cluster.sh start|stop DIR}" && cd "$2" && pwd)
CONF="$DIR/slurm.conf"
SOCK="$DIR/munge.socket"

stop() {
  [ -f "$CONF" ] && SLURM_CONF="$CONF" scontrol shutdown >/dev/null 2>&1 || true
  for f in slurmd.pid slurmctld.pid munged.pid; do
    [ -f "$DIR/$f" ] && kill "$(cat "$DIR/$f")" 2>/dev/null || true
  done
  sleep 0.5
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "usage: local-cluster.sh start|stop DIR" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "local-cluster.sh: needs root (slurmd runs jobs as their user)" >&2; exit 1; }
for b in munged slurmctld slurmd sbatch; do
  command -v "$b" >/dev/null || { echo "local-cluster.sh: $b not found (apt-get install slurm-wlm munge)" >&2; exit 1; }
done
stop
mkdir -p "$DIR/state" "$DIR/spool" "$DIR/munge"
[ -f /etc/munge/munge.key ] || { mungekey --create >/dev/null 2>&1 || create-munge-key -f >/dev/null 2>&1; }
munged --force --socket="$SOCK" --pid-file="$DIR/munged.pid" --log-file="$DIR/munged.log" --seed-file="$DIR/munge/seed"
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
port=$((20000 + RANDOM % 20000))
cat > "$CONF" <<CONF
ClusterName=adaptlab
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCK
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$CONF"
slurmctld -f "$CONF"
slurmd -f "$CONF"
for _ in $(seq 1 100); do
  if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "export SLURM_CONF=$CONF"
    exit 0
  fi
  sleep 0.2
done
echo "local-cluster.sh: the node never became idle; see $DIR/slurmctld.log and $DIR/slurmd.log" >&2
sinfo >&2 || true
exit 1
