#!/bin/sh
# CLI conventions (issue 17): --version; "unknown command 'rnu', did you mean 'run'?" and
# unknown options with a suggestion (exit 2); -j means worker threads everywhere and
# --parallel the runs at once of sweep/compare (--jobs is refused with the new name); the run
# summary names policy, seed, threads and outputs; compare/sweep tables lead with the
# headline KPIs and print the rest with --all; plain progress lines when stderr is no
# terminal (a bar with ETA on one, when `script` can fake it); `demo` tells the fleet story.
# usage: cli_conventions_test.sh SWARMSIM SOURCE_DIR WORKDIR
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

check_py() {
    what=$1
    shift
    [ -x $py ] || return 0
    $py -c "$@" || fail "$what"
}

# --version: "swarmsim X.Y.Z" (and the git commit when built from a checkout), exit 0
"$swarmsim" --version >out.txt 2>err.txt || fail "--version exited $?: $(cat err.txt)"
grep -Eq '^swarmsim [0-9]+\.[0-9]+\.[0-9]+( \(git [0-9a-zA-Z.-]+\))?$' out.txt ||
    fail "--version printed: $(cat out.txt)"
"$swarmsim" -V >out2.txt 2>/dev/null && cmp -s out.txt out2.txt || fail "-V differs from --version"

# a typo'd command: named, a suggestion, exit 2, nothing on stdout
"$swarmsim" rnu "$default" >out.txt 2>err.txt
[ $? -eq 2 ] || fail "an unknown command should exit 2"
grep -q "unknown command 'rnu', did you mean 'run'?" err.txt || fail "rnu message: $(cat err.txt)"
[ -s out.txt ] && fail "an unknown command printed on stdout: $(cat out.txt)"
"$swarmsim" compaer "$default" >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "compaer should exit 2"
grep -q "did you mean 'compare'?" err.txt || fail "compaer message: $(cat err.txt)"
# nothing close: the list of commands instead
"$swarmsim" frobnicate >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "frobnicate should exit 2"
grep -q "unknown command 'frobnicate' (commands: .*run" err.txt || fail "frobnicate message: $(cat err.txt)"
# an unknown option close to a known one
"$swarmsim" run "$default" --thread 2 >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "--thread should exit 2"
grep -q "swarmsim run: error: unknown option '--thread', did you mean '--threads'?" err.txt ||
    fail "--thread message: $(cat err.txt)"

# the run summary names the scenario, policy, seed, threads and what was written
"$swarmsim" run "$default" --until 120 -j 1 --seed 3 >run.txt 2>err.txt || fail "run exited $?: $(cat err.txt)"
head -1 run.txt | grep -q "^swarmsim run $default: policy nearest_bid, seed 3, 1 thread;" ||
    fail "summary header: $(head -1 run.txt)"
grep -q "^  trace  *none (-o FILE.h5 writes one" run.txt || fail "summary names no outputs: $(cat run.txt)"
"$swarmsim" run "$default" --until 120 -j 2 --set policies.allocation=auction -o t.h5 >run.txt 2>err.txt ||
    fail "run -o exited $?: $(cat err.txt)"
head -1 run.txt | grep -q "policy auction, seed 1, 2 threads;" || fail "summary header: $(head -1 run.txt)"
grep -q "^  trace  *t.h5 (complete)" run.txt || fail "summary names no trace: $(cat run.txt)"
"$swarmsim" run "$default" --until 60 --json >run.json 2>/dev/null || fail "run --json exited $?"
check_py "JSON names the policy" 'import json; d = json.load(open("run.json")); assert d["run"]["policy"] == "nearest_bid", d["run"]'

# progress: plain "progress: ..." lines with elapsed time and ETA when stderr is a file (an
# interval of 1 us: the 1200 s run takes about 10 ms on a quiet machine, under 0.01 s)
"$swarmsim" run "$default" --until 1200 --progress-interval 0.000001 >/dev/null 2>err.txt ||
    fail "run --progress-interval exited $?"
grep -Eq '^progress: sim time [0-9]+ s of 1200 s \([0-9.]+%\), elapsed [0-9]+:[0-9]{2}, ETA ([0-9]+:[0-9]{2}|-), [0-9,]+ events/s$' err.txt ||
    fail "no plain progress line: $(cat err.txt)"
grep -q "$(printf '\r')" err.txt && fail "carriage returns in progress written to a file"
"$swarmsim" run "$default" --until 1200 --progress-interval 0 >/dev/null 2>err.txt
grep -q "^progress:" err.txt && fail "--progress-interval 0 still printed progress"
# on a terminal: a bar redrawn in place (script(1) gives the run a pseudo-terminal)
if script -qec true /dev/null >/dev/null 2>&1; then
    script -qec "'$swarmsim' run '$default' --until 1800 >/dev/null" tty.txt >/dev/null 2>&1 ||
        fail "run under script exited $?"
    grep -Eq '\[[#.]{24}\] +[0-9]+%  sim [0-9]+/1800 s  elapsed [0-9]+:[0-9]{2}  ETA' tty.txt ||
        fail "no progress bar on a terminal: $(tr '\r' '\n' <tty.txt | tail -3)"
else
    echo "skip: script(1) cannot make a pseudo-terminal here (progress bar)"
fi

# sweep: -j is the threads of each run, --parallel the runs at once
"$swarmsim" sweep "$default" --set run.duration_s=60 --repeat 2 -j 2 --parallel 1 --out-dir sj \
    >sweep.txt 2>sweep.err || fail "sweep -j 2 --parallel 1 exited $?: $(cat sweep.err)"
grep -q "2 runs (1 x 2 seeds), 1 at a time, 2 threads each" sweep.err || fail "sweep banner: $(cat sweep.err)"
grep -Eq '^\[2/2\] run 0001 .* ok in [0-9.]+ s; elapsed [0-9]+:[0-9]{2}, ETA 0:00$' sweep.err ||
    fail "sweep progress line: $(cat sweep.err)"
check_py "sweep -j means threads" '
import json
m = json.load(open("sj/manifest.json"))
assert m["threads_per_run"] == 2 and m["parallel"] == 1, m
for r in m["runs"]:
    s = json.load(open("sj/" + r["summary"]))
    assert s["host"]["threads"] == 2, s["host"]
'
"$swarmsim" sweep "$default" --set run.duration_s=60 --threads-per-run 2 --out-dir sold >/dev/null 2>&1 ||
    fail "--threads-per-run (the old spelling, same meaning) no longer works"
check_py "--threads-per-run" 'import json; assert json.load(open("sold/manifest.json"))["threads_per_run"] == 2'
"$swarmsim" sweep "$default" --set run.duration_s=60 --jobs 2 --out-dir sjobs >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "--jobs should be a usage error now"
grep -q -- "--jobs is now --parallel N" err.txt || fail "--jobs message: $(cat err.txt)"
[ -e sjobs ] && fail "a refused --jobs created its output directory"

# compare: the headline KPIs first; veh_km and the rest only with --all (summary.csv has all)
"$swarmsim" compare "$default" --policies nearest_bid,auction --seeds 1 --parallel 2 \
    --set run.duration_s=120 --out-dir cmp >cmp.txt 2>cmp.err || fail "compare exited $?: $(cat cmp.err)"
sed -n 2p cmp.txt | grep -q "^on_time_in_full_pct " || fail "compare does not lead with on-time: $(cat cmp.txt)"
grep -q "^cost " cmp.txt || fail "compare has no cost row: $(cat cmp.txt)"
grep -q "^veh_km " cmp.txt && fail "compare prints veh_km without --all"
grep -q "more KPIs: --all prints them" cmp.txt || fail "compare does not say --all: $(cat cmp.txt)"
grep -Eq "^runs ok / failed +1 / 0 +1 / 0" cmp.txt || fail "compare counts no ok runs: $(cat cmp.txt)"
"$swarmsim" compare "$default" --policies nearest_bid,auction --seeds 1 --all --force \
    --set run.duration_s=120 --out-dir cmp >all.txt 2>/dev/null || fail "compare --all exited $?"
sed -n 2p all.txt | grep -q "^on_time_in_full_pct " || fail "compare --all does not lead with on-time"
grep -q "^veh_km " all.txt || fail "compare --all has no veh_km row"
grep -q "more KPIs" all.txt && fail "compare --all still hides KPIs"
short=$(wc -l <cmp.txt)
long=$(wc -l <all.txt)
[ "$long" -gt $((short + 20)) ] || fail "--all printed $long lines, the default $short"
check_py "summary.csv keeps every KPI" '
import csv
kpis = {r["kpi"] for r in csv.DictReader(open("cmp/summary.csv"))}
assert {"veh_km", "created", "on_time_in_full_pct", "cost"} <= kpis, kpis
'
# sweep tables too
grep -q "^  on_time_in_full_pct " sweep.txt || fail "sweep table has no headline KPIs: $(cat sweep.txt)"
grep -q "^  veh_km " sweep.txt && fail "sweep prints veh_km without --all"
grep -q "^run.duration_s=60  (2 ok, 0 failed)" sweep.txt || fail "sweep counts no ok runs: $(cat sweep.txt)"

# demo: the cloud-outage story, cloud against the swarm on one seed (shortened here)
"$swarmsim" demo --set run.duration_s=2400 >demo.txt 2>demo.err || fail "demo exited $?: $(cat demo.err)"
grep -q "^swarmsim demo: scenarios/cloud_outage.toml (seed 1)" demo.txt || fail "demo header: $(cat demo.txt)"
grep -q "Cloud  *Swarm (auction)" demo.txt || fail "demo has no cloud/swarm columns: $(cat demo.txt)"
grep -q "outage at 30 min for 20 min" demo.txt || fail "demo does not name the outage: $(cat demo.txt)"
grep -q "price of decentralization (swarm cost / cloud cost): [0-9.]*" demo.txt ||
    fail "demo does not state the price of decentralization"
"$swarmsim" demo --set run.duration_s=2400 --json -j 1 >demo1.json 2>/dev/null || fail "demo --json -j 1 exited $?"
"$swarmsim" demo --set run.duration_s=2400 --json -j 2 >demo2.json 2>/dev/null || fail "demo --json -j 2 exited $?"
check_py "demo JSON, the same for 1 and 2 threads" '
import json
a, b = (json.load(open(p)) for p in ("demo1.json", "demo2.json"))
assert [r["policy"] for r in a["runs"]] == ["cloud", "auction"], a["runs"]
assert a["runs"][0]["kpis"]["created"] > 0
for d in (a, b):
    for r in d["runs"]:
        r.pop("wall_seconds")
assert a == b, "demo differs between 1 and 2 threads"
'
check_py "demo text states the JSON figures" '
import json, re
d = json.load(open("demo1.json"))
cloud, swarm = (r["kpis"] for r in d["runs"])
text = open("demo.txt").read()
pod = float(re.search(r"swarm cost / cloud cost\): ([0-9.]+)", text).group(1))
assert abs(pod - swarm["cost"] / cloud["cost"]) < 1e-3, (pod, swarm["cost"], cloud["cost"])
waits = re.search(r"waited ([0-9.]+) s on average .* cloud, ([0-9.]+) s under the swarm", text)
assert abs(float(waits.group(1)) - cloud["decision_latency_mean_s"]) < 0.051, waits.group(0)
assert abs(float(waits.group(2)) - swarm["decision_latency_mean_s"]) < 0.051, waits.group(0)
peaks = re.search(r"peaked at ([0-9,]+) under the cloud and ([0-9,]+)", text)
assert [int(p.replace(",", "")) for p in peaks.groups()] == [r["peak_backlog"] for r in d["runs"]]
'
"$swarmsim" demo --set fleets.vanz.count=3 >/dev/null 2>err.txt
[ $? -eq 3 ] || fail "demo with a bad override should exit 3: $(cat err.txt)"

# the analysis scripts run through their shebang (/usr/bin/python3): executable in git too
for script in compare.py report.py trace.py; do
    [ -x "$src/scripts/$script" ] || fail "scripts/$script is not executable"
    if [ "$script" != trace.py ] && [ -x $py ] && $py -c "import matplotlib, h5py" 2>/dev/null; then
        "$src/scripts/$script" --help >/dev/null 2>err.txt || fail "scripts/$script --help: $(cat err.txt)"
    fi
done
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
    for script in compare.py report.py trace.py; do
        git -C "$src" ls-files -s "scripts/$script" | grep -q '^100755 ' ||
            fail "scripts/$script is not committed executable (100755)"
    done
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "CLI conventions: all checks passed"
