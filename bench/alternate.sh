#!/bin/sh
# alternate.sh ROUNDS EPOCHS NAME=COMMAND ... — `make bench-compare`
# (README, "Performance"): the one-thread epoch time of several
# `bench_epoch --train-only` variants (another build, another option), run in
# turn ROUNDS times so that the load of a shared machine falls on all of them
# alike. For each run: the median CPU time of epochs 2..EPOCHS (CPU time moves
# far less with other jobs' load than wall time); for each variant: the median
# over the rounds and its range, the medians of the per-round differences
# to the first variant and to the one before it (with the variants below:
# dropout's cost), the test accuracy, and the 1-minute load average seen
# before the runs.
# Example:
#   bench/alternate.sh 6 4 before=/tmp/old/build/bench_epoch after=build/bench_epoch \
#       'dropout=build/bench_epoch --dropout 0.2'
set -eu
ROUNDS=$1 EPOCHS=$2
shift 2
OUT=${TMPDIR:-/tmp}/nn-bench-alternate.$$
trap 'rm -f "$OUT"' EXIT
: > "$OUT"
export OPENBLAS_NUM_THREADS=1 OPENBLAS_THREAD_TIMEOUT=${OPENBLAS_THREAD_TIMEOUT:-4}
r=1
while [ "$r" -le "$ROUNDS" ]; do
    i=0
    for v in "$@"; do
        name=${v%%=*} cmd=${v#*=}
        load=$(cut -d' ' -f1 /proc/loadavg)
        # "bench: nn, 1 thread: wall 0.81 0.80 s; CPU 0.80 0.79 s; test accuracy ..."
        line=$($cmd --train-only --epochs "$EPOCHS" | grep '^bench: nn, 1 thread') ||
            { echo "alternate.sh: '$cmd' printed no epoch line" >&2; exit 1; }
        cpu=$(echo "$line" | sed 's/.*CPU \([0-9. ]*\) s;.*/\1/')
        acc=$(echo "$line" | sed 's/.*test accuracy \([0-9.]*\).*/\1/')
        echo "$r $i $name $load $acc $cpu" >> "$OUT"
        echo "nn: round $r, $name: CPU per epoch $cpu s (load $load)" >&2
        i=$((i + 1))
    done
    r=$((r + 1))
done
echo
echo "one thread, CPU seconds per epoch (median of epochs 2..$EPOCHS of each run); $ROUNDS round(s), the variants in turn:"
awk '
function median(a, n,    i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
    n = 0
    for (f = 7; f <= NF; f++) e[++n] = $f
    m = median(e, n)
    v = $2; name[v] = $3; k = ++runs[v]
    run[v, k] = m; load[v, k] = $4; acc[v] = $5
    if (v == 0) base[$1] = m; else { diff[v, k] = m - base[$1]; prev[v, k] = m - last[$1] }
    last[$1] = m
    if (v > nv) nv = v
}
END {
    printf "  %-10s %8s %8s %8s %10s %10s %9s  %s\n", "variant", "median", "min", "max", "vs first", "vs prev",
           "accuracy", "load"
    for (v = 0; v <= nv; v++) {
        lo = 1e9; hi = -1; lmin = 1e9; lmax = -1
        for (k = 1; k <= runs[v]; k++) {
            a[k] = run[v, k]; d[k] = diff[v, k]; p[k] = prev[v, k]
            if (a[k] < lo) lo = a[k]
            if (a[k] > hi) hi = a[k]
            if (load[v, k] < lmin) lmin = load[v, k]
            if (load[v, k] > lmax) lmax = load[v, k]
        }
        vs = v ? sprintf("%+.3f", median(d, runs[v])) : "-"
        vp = v ? sprintf("%+.3f", median(p, runs[v])) : "-"
        printf "  %-10s %8.3f %8.3f %8.3f %10s %10s %9s  %.1f-%.1f\n", name[v], median(a, runs[v]), lo, hi, vs,
               vp, acc[v], lmin, lmax
    }
}' "$OUT"
