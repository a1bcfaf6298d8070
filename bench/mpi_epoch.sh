#!/bin/sh
# mpi_epoch.sh NN NN_MPI DATA EPOCHS — `make bench-mpi` (README, "Training on
# several processes"): the epoch time of the demo network (784-256-128-10,
# batch 64, Fashion-MNIST) in one process with 1 and 2 OpenBLAS threads and
# under mpirun with 1 and 2 ranks of one thread each, with the time rank 0
# spent in MPI_Allreduce and the bytes reduced per step.
# An epoch's time is the median over epochs 2..EPOCHS (the first warms up).
set -eu
NN=$1 NN_MPI=$2 DATA=$3 EPOCHS=$4
OUT=${TMPDIR:-/tmp}/nn-bench-mpi.$$
mkdir -p "$OUT"
trap 'rm -rf "$OUT"' EXIT
ARGS="--data $DATA --arch 784-256-128-10 --epochs $EPOCHS --batch 64 --lr 0.05 --seed 1"
# --mca mpi_yield_when_idle 1: a rank waiting in MPI_Allreduce yields its core
# instead of spinning, which matters when the ranks share the cores with
# other work (as on a 2-core machine).
MPIRUN="mpirun --oversubscribe --allow-run-as-root --bind-to none --mca btl self,vader --mca mpi_yield_when_idle 1 -x OPENBLAS_NUM_THREADS=1 -x OPENBLAS_THREAD_TIMEOUT=4"

# median of the epoch times (the "(x s)" of every epoch line but the first)
median() {
    sed -n 's/^.*epoch *\([0-9]*\)\/.*(\([0-9.]*\) s)$/\1 \2/p' "$1" | awk '$1 > 1 {print $2}' | sort -n |
        awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

run() { # label, then the command
    label=$1; shift
    echo "nn: $label" >&2
    "$@" > "$OUT/$label.txt" 2> "$OUT/$label.err" || { cat "$OUT/$label.err" >&2; exit 1; }
}

run one1 env OPENBLAS_NUM_THREADS=1 OPENBLAS_THREAD_TIMEOUT=4 "$NN" train $ARGS
run one2 env OPENBLAS_NUM_THREADS=2 OPENBLAS_THREAD_TIMEOUT=4 "$NN" train $ARGS
run mpi1 $MPIRUN -np 1 "$NN_MPI" train $ARGS
run mpi2 $MPIRUN -np 2 "$NN_MPI" train $ARGS

# "2 ranks: 3752 allreduces of 940584 bytes (0.94 MB), 3.21 s in MPI_Allreduce on rank 0"
line=$(grep 'allreduces of' "$OUT/mpi2.txt")
steps=$(echo "$line" | awk '{print $3}')
bytes=$(echo "$line" | awk '{print $6}')
secs=$(echo "$line" | awk '{print $10}')
t1=$(median "$OUT/one1.txt")
t2=$(median "$OUT/mpi2.txt")
printf '\nDemo network 784-256-128-10, batch 64, %s epochs (median of epochs 2..%s):\n\n' "$EPOCHS" "$EPOCHS"
printf '  %-44s %10s\n' "run" "s/epoch"
printf '  %-44s %10s\n' "nn, 1 process, OpenBLAS 1 thread" "$t1"
printf '  %-44s %10s\n' "nn, 1 process, OpenBLAS 2 threads" "$(median "$OUT/one2.txt")"
printf '  %-44s %10s\n' "nn-mpi, 1 rank x 1 thread" "$(median "$OUT/mpi1.txt")"
printf '  %-44s %10s\n' "nn-mpi, 2 ranks x 1 thread" "$t2"
echo
awk -v steps="$steps" -v bytes="$bytes" -v secs="$secs" -v e="$EPOCHS" -v t1="$t1" -v t2="$t2" 'BEGIN {
    per = steps / e
    share = (t2 > 0) ? 100 * secs / e / t2 : 0
    printf "  2 ranks: %d allreduces per epoch of %d bytes (%.2f MB) each\n", per, bytes, bytes / 1e6
    printf "  rank 0 in MPI_Allreduce: %.3f s per epoch (all epochs), %.3f ms per step, %.0f%% of an epoch\n",
           secs / e, 1e3 * secs / steps, share
    printf "  compute per step, 1 process 1 thread: %.3f ms (%.2f us per row)\n", 1e3 * t1 / per,
           1e6 * t1 / per / 64
}'
