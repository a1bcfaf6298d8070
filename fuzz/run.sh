#!/usr/bin/env bash
# fuzz/run.sh SECONDS TARGET... — runs each libFuzzer target for SECONDS.
#
# Each target reads its committed seeds from fuzz/corpus/TARGET and keeps
# what it discovers in build/fuzz/corpus/TARGET (the first corpus directory
# is the one libFuzzer writes to, so the repository stays clean). A crash,
# leak, timeout or out-of-memory is saved under build/fuzz/artifacts/TARGET/
# and fails the run; replay it with `build/fuzz/fuzz_TARGET FILE`.
# Prints one line per target: executions, coverage (cov: edges, ft: features)
# and corpus size, also written to build/fuzz/summary.txt.
set -u
secs=$1
shift
out=build/fuzz
mkdir -p "$out"
summary=$out/summary.txt
printf '%-8s %10s %8s %6s %6s %7s  %s\n' target execs exec/s cov ft corpus result | tee "$summary"
failed=0
for t in "$@"; do
    mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
    log=$out/$t.log
    "$out/fuzz_$t" "$out/corpus/$t" "fuzz/corpus/$t" -max_total_time="$secs" \
        -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" \
        -rss_limit_mb=2048 -timeout=10 >"$log" 2>&1
    rc=$?
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    if [ "$rc" -eq 0 ]; then result=ok; else result="FAILED (exit $rc, see $log)"; failed=1; fi
    printf '%-8s %10s %8s %6s %6s %7s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
        "${ft:-?}" "${corp:-?}" "$result" | tee -a "$summary"
    if [ "$rc" -ne 0 ]; then
        grep -E 'ERROR|SUMMARY|Test unit written|runtime error' "$log" | head -8
    fi
done
exit $failed
