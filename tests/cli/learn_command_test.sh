#!/bin/sh
# swarmsim learn: the shipped learning scenarios run (shortened), JSON results are identical
# for 1 and 2 threads (wall time aside), --csv writes the series, and exit codes 3 (invalid
# scenario), 4 (unreadable file) and 2 (usage).
# usage: learn_command_test.sh SWARMSIM SOURCE_DIR WORKDIR
set -u
swarmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
work=$3
failures=0
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

radio=$src/scenarios/learning/radio.toml
for threads in 1 2; do
    "$swarmsim" learn "$radio" --rounds 20 -j $threads --json >run$threads.json 2>err.txt ||
        fail "learn -j $threads exited $?: $(cat err.txt)"
    grep -v '"wall_s"' run$threads.json | sed 's/"wall_s": [^,]*,//' >run$threads.cmp
done
cmp -s run1.cmp run2.cmp || fail "learn JSON differs between 1 and 2 threads"
grep -q '"state_hash": "0x' run1.json || fail "no state hash in the JSON"
grep -q '"rejected_forged": [1-9]' run1.json || fail "no forged update was rejected"

"$swarmsim" learn "$radio" --rounds 20 --csv series.csv >out.txt 2>err.txt ||
    fail "learn --csv exited $?: $(cat err.txt)"
head -1 series.csv | grep -q '^round,time_s,online' || fail "CSV header missing"
[ "$(wc -l <series.csv)" -eq 2 ] || fail "CSV should hold one row per evaluation (20 rounds: 1)"
# the CSV is not overwritten without --force, never written to a device or through a link
# (refused before the run, exit 4), and replaced with --force
echo precious >kept.csv
"$swarmsim" learn "$radio" --rounds 20 --csv kept.csv >/dev/null 2>err.txt
[ $? -eq 4 ] || fail "learn --csv on an existing file should exit 4"
grep -q "output file 'kept.csv': exists: not overwritten (pass --force" err.txt ||
    fail "existing CSV message: $(cat err.txt)"
[ "$(cat kept.csv)" = precious ] || fail "an existing CSV was changed without --force"
"$swarmsim" learn "$radio" --rounds 20 --csv /dev/null --force >/dev/null 2>err.txt
[ $? -eq 4 ] || fail "learn --csv /dev/null should exit 4"
grep -q "is a character device" err.txt || fail "device CSV message: $(cat err.txt)"
"$swarmsim" learn "$radio" --rounds 20 --csv kept.csv --force >/dev/null 2>err.txt ||
    fail "learn --csv --force exited $?: $(cat err.txt)"
head -1 kept.csv | grep -q '^round,' || fail "--force did not replace the CSV"
ls kept.csv.*.partial >/dev/null 2>&1 && fail "learn left a partial CSV"
grep -q 'average model accuracy' out.txt || fail "no summary printed"

# averaging protocols need no data
"$swarmsim" learn "$radio" --rounds 5 --set learning.protocol=push_sum \
    --set learning.overlay=complete --json >ps.json 2>err.txt ||
    fail "push_sum exited $?: $(cat err.txt)"

if [ -d /usr/share/datasets/fashion-mnist ]; then
    "$swarmsim" learn "$src/scenarios/learning/fashion.toml" --rounds 2 \
        --set learning.eval_samples=10 --set learning.test_samples=100 >out.txt 2>err.txt ||
        fail "fashion scenario exited $?: $(cat err.txt)"
else
    echo "skip: Fashion-MNIST not installed"
fi

# issue 21: an attack that blows the models up is reported (warning and KPI), exit 0 still
tiny="--set learning.agents=40 --set learning.overlay=regular --set learning.degree=6
      --set data.samples=2000 --set run.eval_every=10 --set churn.leave=0
      --set learning.compression=none --set identity.forged_rate=0 --set identity.unknown_rate=0"
# shellcheck disable=SC2086
"$swarmsim" learn "$radio" --rounds 40 --set attack.fraction=0.3 $tiny --json >div.json 2>err.txt ||
    fail "the ALIE-30% run exited $?: $(cat err.txt)"
grep -q "WARNING: .*the models DIVERGED at round [1-9]" err.txt ||
    fail "no divergence warning on stderr: $(cat err.txt)"
grep -q '"diverged": true, "diverged_at_round": [1-9][0-9]*, "divergence": "consensus distance' \
    div.json || fail "no divergence KPI in the JSON: $(head -2 div.json)"
# shellcheck disable=SC2086
"$swarmsim" learn "$radio" --rounds 40 --set attack.fraction=0.3 $tiny --csv div.csv >out.txt \
    2>err.txt || fail "the ALIE-30% run with --csv exited $?"
head -1 div.csv | grep -q ',rejected_tampered,rejected_replayed,nonfinite_agents,diverged$' ||
    fail "CSV header lacks the divergence columns: $(head -1 div.csv)"
tail -1 div.csv | grep -q ',1$' || fail "last CSV row not marked diverged: $(tail -1 div.csv)"
grep -q "diverged                YES at round" out.txt || fail "summary lacks the divergence"
# shellcheck disable=SC2086
"$swarmsim" learn "$radio" --rounds 40 --set attack.kind=none $tiny --json >clean.json 2>err.txt ||
    fail "the attack-free run exited $?"
grep -q WARNING err.txt && fail "a healthy run warned: $(cat err.txt)"
grep -q '"diverged": false, "diverged_at_round": null' clean.json ||
    fail "healthy run not reported as such"
"$swarmsim" learn "$radio" --set learning.divergence_bound=0 >out.txt 2>err.txt
[ $? -eq 3 ] || fail "divergence_bound = 0 should exit 3"
grep -q "learning.divergence_bound must be > 0" err.txt || fail "unhelpful message: $(cat err.txt)"
# signed, uncompressed push-pull: an update altered in transit is rejected and counted
"$swarmsim" learn "$radio" --rounds 5 --set learning.protocol=push_pull \
    --set learning.overlay=complete --set learning.compression=none \
    --set identity.tamper_rate=0.2 --json >tamper.json 2>err.txt ||
    fail "tampered push-pull exited $?: $(cat err.txt)"
grep -q '"rejected_tampered": [1-9]' tamper.json || fail "no tampered update was rejected"

"$swarmsim" learn "$radio" --set attack.kind=bulyan >out.txt 2>err.txt
[ $? -eq 3 ] || fail "an unknown attack should exit 3"
grep -q "attack.kind must be one of" err.txt || fail "unhelpful message: $(cat err.txt)"
"$swarmsim" learn "$radio" --set learning.degree=7 --set learning.overlay=ring >out.txt 2>err.txt
[ $? -eq 3 ] || fail "an odd ring degree should exit 3"
"$swarmsim" learn missing.toml >out.txt 2>err.txt
[ $? -eq 4 ] || fail "a missing file should exit 4"
"$swarmsim" learn "$radio" --rounds 0 >out.txt 2>err.txt
[ $? -eq 2 ] || fail "--rounds 0 should exit 2"

[ $failures -eq 0 ] && echo "learn command: all checks passed"
exit $failures
