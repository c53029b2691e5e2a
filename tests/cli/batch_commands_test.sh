#!/bin/sh
# swarmsim sweep / compare: a sweep with a run that fails at runtime (killed by --timeout)
# writes the manifest and CSV and exits 1; an invalid combination exits 3 before any run;
# usage errors exit 2; Ctrl-C exits 130; compare runs 2 policies x 2 seeds of a 2-minute
# default scenario; scripts/compare.py plots both output directories.
# usage: batch_commands_test.sh SWARMSIM SOURCE_DIR WORKDIR
set -u
swarmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
work=$3
failures=0
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
default=$src/scenarios/default.toml
py=/usr/bin/python3

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# a python check over a JSON/CSV output; $1 describes it, the rest is the program
check_py() {
    what=$1
    shift
    [ -x $py ] || return 0
    $py -c "$@" || fail "$what"
}

# sweep: 2 durations x 2 seeds; the 35-day runs cannot finish within the 1 s timeout
"$swarmsim" sweep "$default" --set run.duration_s=120,3000000 --set demand.per_depot_per_hour=300 \
    --repeat 2 --parallel 2 --timeout 1 --out-dir sweep >sweep.txt 2>sweep.err
code=$?
[ $code -eq 1 ] || fail "sweep with failing runs exited $code, expected 1: $(cat sweep.err)"
grep -q "failed: run 0002 (seed 1, run.duration_s=3000000" sweep.err ||
    fail "sweep did not say which run failed: $(cat sweep.err)"
for f in sweep/manifest.json sweep/summary.csv sweep/runs/0000/summary.json sweep/runs/0001/summary.json; do
    [ -s $f ] || fail "missing $f"
done
check_py "sweep manifest contents" '
import json, sys
m = json.load(open("sweep/manifest.json"))
runs = m["runs"]
assert m["command"] == "sweep" and m["status"] == "failed", m["status"]
assert m["scenario"]["resolved_hash"].startswith("0x") and m["swarmsim_version"]
assert [r["seed"] for r in runs] == [1, 2, 1, 2], runs
assert [r["status"] for r in runs] == ["ok", "ok", "failed", "failed"], [r["status"] for r in runs]
assert runs[0]["overrides"] == ["run.duration_s=120", "demand.per_depot_per_hour=300"]
assert runs[0]["exit_code"] == 0 and runs[0]["summary"] == "runs/0000/summary.json"
assert runs[2]["exit_code"] is None and runs[2]["signal"] == 9
assert "timed out after 1.0 s" in runs[2]["error"], runs[2]["error"]
assert all(r["wall_seconds"] > 0 for r in runs)
s = json.load(open("sweep/runs/0000/summary.json"))
assert s["command"] == "run" and s["run"]["seed"] == 1 and s["kpis"]["created"] > 0
'
check_py "sweep CSV contents" '
import csv, json, math
rows = list(csv.DictReader(open("sweep/summary.csv")))
assert list(rows[0].keys()) == ["run.duration_s", "demand.per_depot_per_hour", "kpi", "mean",
    "std", "ci95_low", "ci95_high", "n", "failed"], list(rows[0].keys())
ok = [r for r in rows if r["run.duration_s"] == "120"]
bad = [r for r in rows if r["run.duration_s"] == "3000000"]
assert len(ok) == len(bad) > 20
kpis = json.load(open("sweep/runs/0000/summary.json"))["kpis"]
assert ok[0]["kpi"] == "created"
assert "failed_by_reason.no_vehicle" in [r["kpi"] for r in ok]
# the mean and CI of created, recomputed from the two summaries
v = [json.load(open("sweep/runs/%s/summary.json" % i))["kpis"]["created"] for i in ("0000", "0001")]
mean = sum(v) / 2
sd = math.sqrt(sum((x - mean) ** 2 for x in v))
half = 12.706204736174707 * sd / math.sqrt(2)
r = ok[0]
assert abs(float(r["mean"]) - mean) < 1e-9 and abs(float(r["std"]) - sd) < 1e-9, r
assert abs(float(r["ci95_high"]) - mean - half) < 1e-6, r
assert r["n"] == "2" and r["failed"] == "0"
assert all(b["n"] == "0" and b["failed"] == "2" and b["mean"] == "" for b in bad), bad[0]
'

# an invalid combination: exit 3, every bad one named, no run started
"$swarmsim" sweep "$default" --set fleets.vans.count=10,0,-1 --out-dir invalid >out.txt 2>err.txt
code=$?
[ $code -eq 3 ] || fail "invalid sweep exited $code, expected 3"
grep -q "fleets.vans.count=0" err.txt || fail "invalid combination not named: $(cat err.txt)"
grep -q "fleets.vans.count=-1" err.txt || fail "second invalid combination not named"
[ -e invalid ] && fail "an invalid sweep created its output directory"

# usage errors: exit 2
"$swarmsim" sweep "$default" --set run.seed --out-dir u1 >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "--set without = did not exit 2"
"$swarmsim" sweep "$default" --set run.seed=1 --set run.seed=2 --out-dir u2 >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "a key given twice did not exit 2"
"$swarmsim" sweep "$default" --set run.seed=1 >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "sweep without --out-dir did not exit 2"
"$swarmsim" compare "$default" --policies nearest_bid,no_such_policy --out-dir u3 >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "an unknown policy did not exit 2"
grep -q "registered: .*nearest_bid" err.txt || fail "unknown policy message: $(cat err.txt)"
"$swarmsim" sweep missing.toml --set run.seed=1 --out-dir u4 >/dev/null 2>err.txt
[ $? -eq 4 ] || fail "a missing scenario did not exit 4"

# Ctrl-C: the running runs stop, the rest are not started, outputs are written, exit 130
"$swarmsim" sweep "$default" --set run.duration_s=3000000 --repeat 4 --parallel 2 --out-dir interrupted \
    >out.txt 2>err.txt &
pid=$!
sleep 1
kill -INT $pid
wait $pid
code=$?
[ $code -eq 130 ] || fail "interrupted sweep exited $code, expected 130: $(cat err.txt)"
check_py "interrupted manifest" '
import json
m = json.load(open("interrupted/manifest.json"))
st = [r["status"] for r in m["runs"]]
assert m["status"] == "interrupted" and st.count("not_run") == 2 and st.count("interrupted") == 2, st
'

# compare: 2 policies x 2 seeds on a 2-minute default scenario
"$swarmsim" compare "$default" --policies nearest_bid,insertion --seeds 2 --parallel 2 --trace \
    --set run.duration_s=120 --out-dir compare >compare.txt 2>compare.err
code=$?
[ $code -eq 0 ] || fail "compare exited $code: $(cat compare.err)"
grep -q "KPI (mean ± 95% CI)" compare.txt || fail "no compare table: $(cat compare.txt)"
grep -q "insertion" compare.txt || fail "no insertion column"
check_py "compare outputs" '
import csv, json
m = json.load(open("compare/manifest.json"))
runs = m["runs"]
assert [(r["overrides"], r["seed"]) for r in runs] == [
    (["policies.allocation=nearest_bid"], 1), (["policies.allocation=nearest_bid"], 2),
    (["policies.allocation=insertion"], 1), (["policies.allocation=insertion"], 2)], runs
assert m["base_overrides"] == ["run.duration_s=120"]
rows = json.load(open("compare/compare.json"))
assert {r["policy"] for r in rows} == {"nearest_bid", "insertion"}
assert all(r["n"] == 2 for r in rows if r["kpi"] in ("created", "veh_km"))
csvrows = list(csv.DictReader(open("compare/summary.csv")))
assert len(csvrows) == len(rows) and csvrows[0]["policy"] == "nearest_bid"
'
"$swarmsim" compare "$default" --policies nearest_bid --seeds 2 --json \
    --set run.duration_s=60 --out-dir compare_json >compare.json 2>/dev/null ||
    fail "compare --json exited $?"
check_py "compare --json" 'import json; assert json.load(open("compare.json"))[0]["kpi"] == "created"'

[ -s compare/runs/0003/trace.h5 ] || fail "compare --trace wrote no trace"

# with the cloud and the oracle among the policies: the price of decentralization, cost over
# the cloud's cost on the same seed (exactly 1 for the cloud itself), and over the oracle's
"$swarmsim" compare "$src/scenarios/cloud_outage.toml" --policies oracle,cloud,auction --seeds 2 --parallel 2 \
    --set run.duration_s=2400 --out-dir pod >/dev/null 2>pod.err || fail "compare oracle,cloud,auction exited $?: $(cat pod.err)"
check_py "price of decentralization" '
import csv
all_rows = list(csv.DictReader(open("pod/summary.csv")))
rows = [r for r in all_rows if r["kpi"] == "price_of_decentralization"]
assert len(rows) == 3, rows
cloud = [r for r in rows if r["policy"] == "cloud"][0]
auction = [r for r in rows if r["policy"] == "auction"][0]
assert float(cloud["mean"]) == 1.0, cloud
assert float(auction["mean"]) > 0.5 and int(auction["n"]) == 2, auction
vs = {r["policy"]: r for r in all_rows if r["kpi"] == "price_vs_oracle"}
assert len(vs) == 3 and float(vs["oracle"]["mean"]) == 1.0, vs
assert all(float(r["mean"]) > 0.5 and int(r["n"]) == 2 for r in vs.values()), vs
'

# scripts/compare.py on both output directories, report.py on the compare traces
if [ -x $py ] && $py -c "import matplotlib, h5py" 2>/dev/null; then
    for d in sweep compare; do
        $py "$src/scripts/compare.py" $d -o plots_$d >out.txt 2>err.txt ||
            fail "compare.py $d exited $?: $(cat err.txt)"
        [ -s plots_$d/compare.png ] || fail "compare.py $d wrote no PNG"
        grep -q "Distance driven (km)" plots_$d/compare.md || fail "compare.py $d: no distance row"
    done
    grep -q "| Swarm (nearest bid) | Swarm (insertion) |" plots_compare/compare.md ||
        fail "compare.md has no policy columns: $(cat plots_compare/compare.md)"
    grep -q "timed out after 1.0 s" plots_sweep/compare.md || fail "compare.md lists no failed run"
    $py "$src/scripts/compare.py" sweep --kpi no_such_kpi >/dev/null 2>err.txt
    [ $? -eq 4 ] || fail "compare.py with an unknown KPI did not exit 4"
    $py "$src/scripts/report.py" compare -o report_compare >out.txt 2>err.txt ||
        fail "report.py on a compare dir exited $?: $(cat err.txt)"
    [ -s report_compare/comparison.png ] || fail "report.py wrote no comparison plot"
    [ "$(grep -c "seed" report_compare/comparison.md)" -eq 4 ] ||
        fail "comparison.md does not list 4 runs: $(cat report_compare/comparison.md)"
    $py "$src/scripts/report.py" compare/runs/0000/trace.h5 compare/runs/0002/trace.h5 \
        -o report_two >out.txt 2>err.txt || fail "report.py on two traces exited $?: $(cat err.txt)"
    [ -s report_two/comparison.png ] || fail "report.py on two traces wrote no plot"
else
    echo "skip: python3 with matplotlib and h5py not found (compare.py, report.py)"
fi

# SIGTERM (a scheduler's stop) stops a batch like Ctrl-C
"$swarmsim" sweep "$default" --set run.duration_s=3000000 --repeat 2 --parallel 2 --out-dir terminated \
    >out.txt 2>err.txt &
pid=$!
tries=0
while [ ! -f terminated/runs/0001/stderr.txt ] && [ $tries -lt 200 ]; do
    sleep 0.05
    tries=$((tries + 1))
done
sleep 0.3
kill -TERM $pid
wait $pid
code=$?
[ $code -eq 130 ] || fail "a sweep stopped by SIGTERM exited $code, expected 130: $(cat err.txt)"
check_py "terminated manifest" '
import json
m = json.load(open("terminated/manifest.json"))
assert m["status"] == "interrupted", m["status"]
assert [r["status"] for r in m["runs"]] == ["interrupted", "interrupted"], m["runs"]
'

# an earlier batch's outputs are kept unless --force (exit 4 before any run); with --force the
# runs' traces are replaced too
"$swarmsim" sweep "$default" --set run.duration_s=60 --trace --out-dir again >/dev/null 2>err.txt ||
    fail "sweep into a new directory exited $?: $(cat err.txt)"
cp again/manifest.json manifest.before
"$swarmsim" sweep "$default" --set run.duration_s=60 --trace --out-dir again >out.txt 2>err.txt
[ $? -eq 4 ] || fail "a sweep over an earlier one should exit 4: $(cat err.txt)"
grep -q "output file 'again': holds an earlier batch's outputs (manifest.json, runs/): not overwritten (pass --force" err.txt ||
    fail "earlier batch message: $(cat err.txt)"
cmp -s again/manifest.json manifest.before || fail "the earlier manifest was changed"
"$swarmsim" sweep "$default" --set run.duration_s=60 --trace --out-dir again --force >/dev/null 2>err.txt ||
    fail "sweep --force exited $?: $(cat err.txt)"
check_py "sweep --force replaced the runs and their traces" '
import json
m = json.load(open("again/manifest.json"))
assert m["status"] == "ok" and all(r["status"] == "ok" and r["trace"] for r in m["runs"]), m["runs"]
'
ls again/*.partial again/runs/*/*.partial >/dev/null 2>&1 && fail "sweep left partial files"
touch notadir
"$swarmsim" sweep "$default" --set run.duration_s=60 --out-dir notadir >/dev/null 2>err.txt
[ $? -eq 4 ] || fail "--out-dir on a file should exit 4: $(cat err.txt)"

if [ $failures -eq 0 ]; then
    echo "batch command tests passed"
    exit 0
fi
echo "$failures failure(s)"
exit 1
