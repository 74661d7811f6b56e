#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying the SLURM route of docs/experiments.md
# (dask-jobqueue's SLURMCluster) against a real controller and node, and for its test
# (tests/test_slurm.py). Debian's packages: apt-get install slurmctld slurmd slurm-client munge.
#
#   scripts/slurm_local.sh start DIR   # munged, slurmctld and slurmd, every file in DIR; prints
#                                      #   export SLURM_CONF=DIR/slurm.conf (sbatch, squeue ... then use it)
#   scripts/slurm_local.sh stop DIR    # cancels the cluster's jobs and stops the three daemons
#
# Runs as root (slurmd starts jobs as their users). Nothing outside DIR is written or read but the
# packages' programs and plugins: its own MUNGE key and socket, a slurm.conf naming this host as
# controller and node "localnode" on 127.0.0.1 with free ports, state, spool, logs and PID files.
# No cgroups: processes are tracked by /proc (proctrack/linuxproc, task/none), which a container
# allows; no accounting database (accounting_storage/none).
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$2

stop_pid_file() {  # stop the daemon whose PID file this is (only that process), waiting up to 20 s
    local file=$1 pid
    [ -s "$file" ] || return 0
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$file"
}

case "$action" in
start)
    for tool in munged munge slurmctld slurmd sbatch sinfo; do
        command -v "$tool" >/dev/null || { echo "error: $tool is missing: apt-get install slurmctld slurmd slurm-client munge" >&2; exit 2; }
    done
    [ "$(id -u)" -eq 0 ] || { echo "error: start a Slurm node as root (slurmd runs jobs as their users)" >&2; exit 2; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    mkdir -p "$dir/state" "$dir/spool" "$dir/logs"
    chmod 755 "$dir"  # munged: every user must reach its socket

    # MUNGE: a key of this cluster's own, the daemon on a socket in DIR (--force: as root).
    [ -s "$dir/munge.key" ] || { head -c 1024 /dev/urandom > "$dir/munge.key"; chmod 600 "$dir/munge.key"; }
    munged --force --socket="$dir/munge.socket" --key-file="$dir/munge.key" --log-file="$dir/munged.log" \
        --pid-file="$dir/munged.pid" --seed-file="$dir/munged.seed"

    free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
    cpus=$(getconf _NPROCESSORS_ONLN)  # not nproc, which answers OMP_NUM_THREADS (1 in the test process on CI: a one-CPU node, the second worker job pending)
    memory_mb=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
    cat > "$dir/slurm.conf" <<EOF
ClusterName=tenseki
SlurmctldHost=$(hostname)(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
NodeName=localnode NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=debug Nodes=localnode Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$dir/slurm.conf"
    slurmctld -f "$SLURM_CONF"
    slurmd -f "$SLURM_CONF" -N localnode
    for _ in $(seq 150); do  # the node registers within seconds
        if sinfo -h -N -o %t 2>/dev/null | grep -qx idle; then
            echo "export SLURM_CONF=$SLURM_CONF"
            exit 0
        fi
        sleep 0.2
    done
    echo "error: the Slurm node did not come up within 30 s; see $dir/slurmctld.log and $dir/slurmd.log" >&2
    exit 1
    ;;
stop)
    dir=$(cd "$dir" && pwd)
    export SLURM_CONF="$dir/slurm.conf"
    if [ -s "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
        scancel --full --partition=debug 2>/dev/null || true  # the cluster's jobs, before their daemon goes
        for _ in $(seq 100); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
    fi
    stop_pid_file "$dir/slurmd.pid"
    stop_pid_file "$dir/slurmctld.pid"
    stop_pid_file "$dir/munged.pid"
    ;;
*)
    usage
    ;;
esac
