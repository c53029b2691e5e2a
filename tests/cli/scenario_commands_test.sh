#!/bin/sh
# swarmsim validate / run on TOML scenarios: the shipped scenarios validate, a short run
# prints JSON that is identical for 1 and 2 threads (wall-time fields aside), exit codes
# 3 (invalid scenario), 2 (usage), 4 (unreadable file: missing, a directory, a device or a
# FIFO, for validate and run alike) and 130 (Ctrl-C).
# usage: scenario_commands_test.sh SWARMSIM SOURCE_DIR WORKDIR
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

# every shipped scenario validates; monaco* only with the shared map
monaco=$src/../shared/data/monaco.osm.pbf
for scenario in "$src"/scenarios/*.toml; do
    case $scenario in
        */monaco*.toml)
            if [ -f "$monaco" ]; then
                "$swarmsim" validate "$scenario" --set "network.file=$monaco" >out.txt 2>err.txt ||
                    fail "validate $scenario exited $?: $(cat err.txt)"
            else
                echo "skip: $monaco not found"
            fi
            ;;
        *)
            "$swarmsim" validate "$scenario" >out.txt 2>err.txt ||
                fail "validate $scenario exited $?: $(cat err.txt)"
            grep -q ": ok (" out.txt || fail "validate $scenario printed no ok line: $(cat out.txt)"
            ;;
    esac
done

# every shipped scenario also runs, shortened (10 min: every fleet must have delivered);
# monaco only with the shared map; the disruption scenarios run in full (they are small) and
# must apply their disruptions
for scenario in "$src"/scenarios/*.toml; do
    set -- --until 600 --json
    disrupted=0
    if grep -q '^\[\[disruptions\]\]' "$scenario"; then
        set -- --json -j 2
        disrupted=1
    fi
    case $scenario in
        */monaco*.toml)
            [ -f "$monaco" ] || continue
            set -- "$@" --set "network.file=$monaco"
            ;;
    esac
    "$swarmsim" run "$scenario" "$@" >run.json 2>err.txt ||
        fail "run $scenario exited $?: $(cat err.txt)"
    if [ -x /usr/bin/python3 ]; then
        /usr/bin/python3 -c "import json,sys; d=json.load(open('run.json')); sys.exit(0 if d['run']['events'] > 0 else 1)" ||
            fail "run $scenario: no events or bad JSON: $(cat run.json)"
        if [ $disrupted = 1 ]; then
            /usr/bin/python3 -c "import json,sys; d=json.load(open('run.json')); sys.exit(0 if d['kpis']['disruptions'] > 0 else 1)" ||
                fail "run $scenario: no disruption was applied"
            # every fleet works, and the disruption shows within two KPI intervals (10 min)
            # of its onset: in Q(t) when orders are lost, in the leading indicators when
            # work is held up (docs/disruptions.md)
            /usr/bin/python3 - run.json "$scenario" <<'PY' || fail "run $scenario: see above"
import json, sys, tomllib
d = json.load(open(sys.argv[1]))
k = d["kpis"]
for fid, f in k["fleets"].items():
    assert f["deliveries"] > 0 and f["vehicles_used"] > 0, f"fleet {fid} delivered nothing: {f}"
sc = tomllib.load(open(sys.argv[2], "rb"))
onset = min(x["at_s"] for x in sc["disruptions"] if "at_s" in x)
kinds = {x["kind"] for x in sc["disruptions"]}
s, tl = d["series"], d["timeline"]
width = s["interval_s"]
first = int(onset // width)
window = range(first, min(first + 2, len(s["service_level"])))
before = [i for i, t in enumerate(tl["t_s"]) if t <= onset]
after = [i for i, t in enumerate(tl["t_s"]) if onset < t <= onset + 2 * width]
def rises(key):
    return max(tl[key][i] for i in after) > max(tl[key][i] for i in before)
name = sys.argv[2]
if kinds & {"depot_down", "break_vehicles"}:
    # orders are lost at once: Q falls in the interval of the onset or the next
    assert any(s["lost"][i] > 0 for i in window), (name, [s["lost"][i] for i in window])
    assert min(s["service_level"][i] for i in window) < 1.0, name
if "flood" in name:
    # orders no vehicle can route are held at their depots (docs/inputs.md, "Unreachable
    # orders"): unassigned orders pile up
    assert rises("unassigned"), (name, tl["unassigned"])
if kinds & {"cloud_down", "radio_blackout", "demand_surge"}:
    # work is held: unassigned orders pile up and the oldest waits for minutes
    assert rises("unassigned"), (name, tl["unassigned"])
    assert max(tl["oldest_unassigned_age_s"][i] or 0 for i in after) >= 0.75 * width, (name, tl)
print(f"{name}: visible within {2 * width:.0f} s of the onset at {onset:.0f} s")
PY
        else
            /usr/bin/python3 - run.json "$scenario" <<'PY' || fail "run $scenario: a fleet delivered nothing"
import json, sys
for fid, f in json.load(open(sys.argv[1]))["kpis"]["fleets"].items():
    assert f["deliveries"] > 0, f"{sys.argv[2]}: fleet {fid} delivered nothing in 600 s: {f}"
PY
        fi
    fi
done

# scenarios/cloud_outage.toml: the cloud policy stalls during the outage while the auction
# keeps allocating (asserted on the KPIs of both runs, same seed)
if [ -x /usr/bin/python3 ]; then
    "$swarmsim" run "$src/scenarios/cloud_outage.toml" --json >cloud.json 2>err.txt ||
        fail "cloud_outage (cloud) exited $?: $(cat err.txt)"
    "$swarmsim" run "$src/scenarios/cloud_outage.toml" --json --set policies.allocation=auction \
        >auction.json 2>err.txt || fail "cloud_outage (auction) exited $?: $(cat err.txt)"
    /usr/bin/python3 - <<'PY' || fail "cloud_outage: the cloud did not stall or the auction did not keep going"
import json
c = json.load(open("cloud.json"))["kpis"]
a = json.load(open("auction.json"))["kpis"]
assert c["decision_latency_mean_s"] > 10 * a["decision_latency_mean_s"], (c, a)
assert c["service_level_min"] < a["service_level_min"], (c["service_level_min"], a["service_level_min"])
assert c["delivered_late"] > a["delivered_late"], (c["delivered_late"], a["delivered_late"])
# the stall is priced: late orders cost the cloud what they do not cost the auction (its
# total cost can still be lower: the central planner drives less, docs/central-planner.md)
assert c["cost_lateness"] > a["cost_lateness"], (c["cost_lateness"], a["cost_lateness"])
PY
    # a loading vehicle left without orders at its home depot may go straight to charging
    "$swarmsim" run "$src/scenarios/demand_surge.toml" --json --seed 1 \
        --set policies.allocation=cloud >surge.json 2>err.txt ||
        fail "demand_surge (cloud, seed 1) exited $?: $(cat err.txt)"
fi

# a short run, human and JSON, for 1 and 2 threads
default=$src/scenarios/default.toml
"$swarmsim" run "$default" --until 300 >text.txt 2>err.txt || fail "run exited $?: $(cat err.txt)"
grep -q "KPI hash" text.txt || fail "no KPI hash in the summary: $(cat text.txt)"
grep -q "veh-km" text.txt || fail "no fleet KPIs in the summary"
for threads in 1 2; do
    "$swarmsim" run "$default" --until 600 --json -j "$threads" >"t$threads.json" 2>err.txt ||
        fail "run -j $threads exited $?: $(cat err.txt)"
done
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 - t1.json t2.json <<'PY' || fail "JSON check failed"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for doc in (a, b):
    assert doc["command"] == "run"
    assert doc["run"]["simulated_s"] == 600, doc["run"]
    assert doc["run"]["vehicles"] == 300 and doc["run"]["depots"] == 4
    assert doc["run"]["interrupted"] is False
    assert doc["kpis"]["created"] > 0, doc["kpis"]
    assert 0.0 <= doc["kpis"]["utilisation"] <= 1.0
assert a["host"]["threads"] == 1 and b["host"]["threads"] == 2
# everything but the host section (threads, partitions, wall time) is the same
a.pop("host"), b.pop("host")
assert a == b, f"results differ across thread counts:\n{a}\n{b}"
PY
fi

# --seed and --set change the run; a bad override is an invalid scenario
"$swarmsim" run "$default" --until 120 --json --seed 7 --set fleets.vans.count=40 >seed.json 2>err.txt ||
    fail "run --seed --set exited $?: $(cat err.txt)"
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["run"]["seed"]==7 and d["run"]["vehicles"]==100, d["run"]' seed.json ||
        fail "--seed/--set not applied"
fi
"$swarmsim" run "$default" --set fleets.vanz.count=40 >/dev/null 2>err.txt
[ $? -eq 3 ] || fail "a bad override should exit 3"
grep -q "^--set fleets.vanz.count=40: error: no entry of 'fleets' has id 'vanz'" err.txt ||
    fail "bad override message: $(cat err.txt)"

# invalid scenarios: 3, every error printed
printf 'schema_version = 1\n[run]\nduraton_s = 5\n' >bad1.toml
printf 'schema_version = 2\n' >bad2.toml
"$swarmsim" validate "$default" bad1.toml bad2.toml >out.txt 2>err.txt
[ $? -eq 3 ] || fail "validate with bad scenarios should exit 3"
grep -q "^bad1.toml:3:1: error: unknown key 'duraton_s' in run (did you mean 'duration_s'?)$" err.txt ||
    fail "bad1 message: $(cat err.txt)"
grep -q "^bad2.toml:1:18: error: schema_version must be 1" err.txt || fail "bad2 message: $(cat err.txt)"
"$swarmsim" run bad1.toml >/dev/null 2>err.txt
[ $? -eq 3 ] || fail "run on a bad scenario should exit 3"
"$swarmsim" validate "$src/tests/io/scenario/bad/fleet_count_absurd.toml" >/dev/null 2>err.txt
[ $? -eq 3 ] || fail "an absurd fleet should exit 3"

# settings that leave the fleet inert are refused by validate and run, naming the field; a
# network without coordinates is warned about (exit 0)
flood=$src/scenarios/district_flood.toml
for cmd in validate run; do
    "$swarmsim" $cmd "$flood" --set comms.radio_latency_s=2 >/dev/null 2>err.txt
    [ $? -eq 3 ] || fail "$cmd with a radio latency above the bid window should exit 3"
    grep -q "^--set comms.radio_latency_s=2: error: comms.radio_latency_s = 2: an offer and its bid take 4.000181 s" err.txt ||
        fail "$cmd radio latency message: $(cat err.txt)"
done
"$swarmsim" validate "$flood" --set comms.radio_latency_s=2 --set policies.bid_window_s=4.5 >/dev/null 2>err.txt ||
    fail "a bid window above the round trip should validate: $(cat err.txt)"
printf 'p sp 3 6\na 1 2 100\na 2 1 100\na 2 3 100\na 3 2 100\na 1 3 100\na 3 1 100\n' >flat.gr
cat >flat.toml <<'TOML'
schema_version = 1
[network]
file = "flat.gr"
[[depots]]
id = "a"
node = 0
[[vehicle_types]]
id = "van"
[[fleets]]
id = "vans"
type = "van"
count = 2
home = "a"
TOML
"$swarmsim" validate flat.toml >/dev/null 2>err.txt || fail "flat.toml should validate: $(cat err.txt)"
grep -q "^flat.toml:3:8: warning: network.file 'flat.gr': no coordinates" err.txt ||
    fail "flat.toml warning: $(cat err.txt)"

# issue 21: validate and run agree that an unreadable scenario is an I/O error (4), refuse a
# device or FIFO at once (validate /dev/zero grew to 6 GB), refuse what run would fail on
# naming the key (3), and a generated network too large before building it
mkfifo fifo.toml || fail "mkfifo"
for cmd in validate run; do
    [ $cmd = run ] && set -- --until 60 || set --
    for path in no-such-file.toml . /dev/zero fifo.toml; do
        timeout 20 "$swarmsim" $cmd "$path" >/dev/null 2>err.txt
        code=$?
        [ $code -eq 4 ] || fail "$cmd $path should exit 4, got $code: $(cat err.txt)"
        grep -q "^$path: error: cannot read the scenario file (" err.txt ||
            fail "$cmd $path message: $(cat err.txt)"
    done
    for set in policies.board_interval_s=1e-300 comms.radio_bandwidth_bps=1e-300 \
        vehicle_types.van.speed_factor=1e-300; do
        "$swarmsim" $cmd "$default" "$@" --set "$set" >/dev/null 2>err.txt
        code=$?
        [ $code -eq 3 ] || fail "$cmd --set $set should exit 3, got $code: $(cat err.txt)"
        key=${set%%=*}
        grep -q "^--set $set: error: [^ ]*\.${key##*.} = 1e-300" err.txt ||
            fail "$cmd --set $set: the message names no key: $(cat err.txt)"
    done
    timeout 20 "$swarmsim" $cmd "$default" "$@" --set network.rows=4000 --set network.cols=4000 \
        >/dev/null 2>err.txt
    code=$?
    [ $code -eq 3 ] || fail "$cmd of a 4000 x 4000 grid should exit 3 at once, got $code"
    grep -q "network.rows x network.cols = 4000 x 4000 must be <= 1000000" err.txt ||
        fail "$cmd 4000 x 4000 message: $(cat err.txt)"
done
"$swarmsim" validate "$default" >out.txt 2>err.txt || fail "validate default: $(cat err.txt)"
grep -q "; network [0-9.]* MB)$" out.txt || fail "validate states no network memory: $(cat out.txt)"
"$swarmsim" run "$default" --until nan >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "--until nan should exit 2"
grep -q "^--until: expected a finite number > 0, got nan" err.txt || fail "--until nan: $(cat err.txt)"
for cmd in run learn; do
    "$swarmsim" $cmd "$default" --seed -1 >/dev/null 2>err.txt
    [ $? -eq 2 ] || fail "$cmd --seed -1 should exit 2"
    grep -q "^--seed: expected a non-negative integer, got -1" err.txt ||
        fail "$cmd --seed -1: $(cat err.txt)"
done
# file bytes quoted in a message are escaped (no raw terminal escape sequence)
printf 'schema_version = 1\n[policies]\nallocation = "x\\u001b[2J"\n' >esc.toml
"$swarmsim" validate esc.toml >/dev/null 2>err.txt
[ $? -eq 3 ] || fail "esc.toml should exit 3"
grep -q "not 'x\\\\x1b\[2J'" err.txt || fail "esc.toml message not escaped: $(cat -v err.txt)"
if grep -q "$(printf '\033')" err.txt; then
    fail "esc.toml: a raw escape character reached the terminal"
fi

# usage errors: 2; unreadable scenario or unwritable trace: 4
"$swarmsim" run "$default" --no-such-flag >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "an unknown flag should exit 2"
"$swarmsim" run >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "run without a scenario should exit 2"
"$swarmsim" run "$default" -j -1 >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "-j -1 should exit 2"
"$swarmsim" run no-such-file.toml >/dev/null 2>err.txt
[ $? -eq 4 ] || fail "a missing scenario file should exit 4"
"$swarmsim" run "$default" --until 600 -o no-such-dir/trace.h5 >/dev/null 2>err.txt
[ $? -eq 4 ] || fail "an unwritable trace path should exit 4: $(cat err.txt)"

# -o writes a complete H5MD trace that a real client (h5py) reads
"$swarmsim" run "$default" --until 600 -o trace.h5 >/dev/null 2>err.txt ||
    fail "run -o trace.h5 exited $?: $(cat err.txt)"
if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
    /usr/bin/python3 - trace.h5 <<'PY' || fail "trace.h5 is not a complete H5MD trace"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    assert int(f.attrs["complete"]) == 1
    assert "h5md" in f and "particles/agents/position/legs" in f
    assert f["particles/agents/position/step"].shape[0] >= 5, "expected a frame a minute"
    text = f["parameters/scenario"][()]
    text = text.decode() if isinstance(text, bytes) else str(text)
    assert "schema_version" in text
PY
    # determinism reaches the trace: every data set equal for 1 and 2 threads (parameters/
    # holds the resolved scenario, which records the thread count asked for)
    "$swarmsim" run "$default" --until 600 -j 1 -o t1.h5 >/dev/null 2>err.txt || fail "-j 1 trace"
    "$swarmsim" run "$default" --until 600 -j 2 -o t2.h5 >/dev/null 2>err.txt || fail "-j 2 trace"
    /usr/bin/python3 - t1.h5 t2.h5 <<'PY' || fail "traces differ between 1 and 2 threads"
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
assert len(names) > 10, names
for n in names:
    if n.startswith("parameters/"):
        continue
    assert n in b, n
    x, y = np.asarray(a[n][()]), np.asarray(b[n][()])
    # bit for bit (NaN, "none unassigned", equals itself), objects (strings) by value
    same = x.dtype == y.dtype and x.shape == y.shape and (
        np.array_equal(x, y) if x.dtype == object else x.tobytes() == y.tobytes())
    assert same, n
PY
fi

# Ctrl-C: stop at the next barrier, partial summary, exit 130
"$swarmsim" run "$default" --set run.duration_s=3000000 --json >int.json 2>err.txt &
pid=$!
# (a background job starts with SIGINT ignored until swarmsim installs its handler: repeat)
tries=0
while kill -0 $pid 2>/dev/null && [ $tries -lt 30 ]; do
    sleep 1
    kill -INT $pid 2>/dev/null
    tries=$((tries + 1))
done
wait $pid
code=$?
[ $code -eq 130 ] || fail "SIGINT should exit 130, got $code: $(cat err.txt)"
grep -q '"interrupted": true' int.json || fail "no partial summary after SIGINT: $(cat int.json)"

# the JSON names the scenario file as JSON: a quote, a backslash and a tab in its path
odd='odd "name\	x.toml'
cp "$src/scenarios/default.toml" "$odd"
"$swarmsim" run "$odd" --until 60 --json >odd.json 2>err.txt || fail "run of '$odd' exited $?"
/usr/bin/python3 -c "import json,sys; d=json.load(open('odd.json')); assert d['scenario'].endswith(sys.argv[1]), d['scenario']" "$odd" ||
    fail "the JSON of a run of '$odd' is not valid or does not name it: $(head -c 300 odd.json)"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "scenario commands: all checks passed"
