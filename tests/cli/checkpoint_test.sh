#!/bin/sh
# swarmsim run --checkpoint-at and swarmsim fork (issue 18, docs/checkpoints.md): taking
# checkpoints does not change a run; a fork without changes is the uninterrupted run (event
# hash, KPI hash, trace frames from the checkpoint on) with 1 and 2 threads, on the shipped
# disruption scenarios; a fork under another policy runs to the end with every order
# accounted for; illegal changes, bad checkpoints and bad times are refused with their exit
# codes and a message naming the file.
# usage: checkpoint_test.sh SWARMSIM SOURCE_DIR WORKDIR
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
field() {  # field NAME FILE: a string field of a run's JSON
    grep -o "\"$1\": \"[^\"]*\"" "$2" | head -1 | sed 's/.*: "\(.*\)"/\1/'
}
python=/usr/bin/python3
have_h5py=0
if [ -x $python ] && $python -c "import h5py, numpy" 2>/dev/null; then
    have_h5py=1
fi

# scenario, checkpoint time (s), policy
cases="bridge_collapse:2400:auction bridge_collapse:1800:cloud bridge_collapse:2000:cbba
cloud_outage:2700:cloud demand_surge:3000:auction depot_fire:2500:auction
district_flood:3000:cbba fleet_attrition:2000:auction radio_blackout:2400:cbba
predictive_maintenance:5000:auction"
for c in $cases; do
    s=${c%%:*}; rest=${c#*:}; t=${rest%%:*}; p=${rest#*:}
    name="$s/$p@$t"
    mkdir -p "$s-$p" && cd "$s-$p" || exit 1
    set -- --set policies.allocation=$p --set output.events=true --seed 3 --json \
        --progress-interval 0
    "$swarmsim" run "$src/scenarios/$s.toml" "$@" -j 1 -o whole.h5 > whole.json 2>whole.err \
        || fail "$name: the uninterrupted run failed: $(tail -2 whole.err)"
    "$swarmsim" run "$src/scenarios/$s.toml" "$@" -j 2 --checkpoint-at "$t" \
        --checkpoint-dir . > cut.json 2>cut.err || fail "$name: the run with a checkpoint failed"
    ck="$s-seed3-t$t.h5"
    [ -f "$ck" ] || fail "$name: no checkpoint $ck"
    for key in event_hash kpi_hash; do
        [ "$(field $key whole.json)" = "$(field $key cut.json)" ] \
            || fail "$name: taking a checkpoint changed the $key"
    done
    for j in 1 2; do
        "$swarmsim" fork "$ck" -j $j --json --progress-interval 0 -o fork$j.h5 > fork$j.json \
            2>fork$j.err || fail "$name: fork -j $j failed: $(tail -2 fork$j.err)"
        for key in event_hash kpi_hash; do
            [ -n "$(field $key whole.json)" ] \
                && [ "$(field $key whole.json)" = "$(field $key fork$j.json)" ] \
                || fail "$name: fork -j $j: $key $(field $key fork$j.json), uninterrupted $(field $key whole.json)"
        done
        grep -q "\"forked_from\": {\"checkpoint\": \"$ck\", \"t_s\": $t}" fork$j.json \
            || fail "$name: fork -j $j does not say where it came from"
    done
    if [ $have_h5py = 1 ]; then
        # every data set with a time axis: the fork's rows are the uninterrupted run's from its
        # first row on (KPI rows of intervals that ended since the run's frame before t
        # included); /events: the same rows from t on, none before
        $python - whole.h5 fork1.h5 "$t" "$src/scripts" <<'PY' || fail "$name: the fork's trace differs from the uninterrupted one after the checkpoint"
import sys, h5py, numpy as np
whole, fork, t = h5py.File(sys.argv[1]), h5py.File(sys.argv[2]), float(sys.argv[3])
sys.path.insert(0, sys.argv[4])
import trace as swarm_trace
bad = []
compared = 0
def visit(name, obj):
    global compared
    if not isinstance(obj, h5py.Group) or "time" not in obj or "value" not in obj:
        return
    if name not in fork:
        bad.append(name + ": missing"); return
    tw, tf = whole[name + "/time"][()], fork[name + "/time"][()]
    if tw.ndim != 1 or tf.ndim != 1:
        return
    start = min(t, tf[0]) if len(tf) else t
    kw, kf = tw >= start, tf >= start
    if not np.array_equal(tw[kw], tf[kf]) or not kf.all():
        bad.append(name + ": sample times"); return
    vw, vf = whole[name + "/value"][()][kw], fork[name + "/value"][()][kf]
    same = np.array_equal(vw, vf, equal_nan=True) if vw.dtype.kind == "f" else np.array_equal(vw, vf)
    compared += 1
    if not same:
        bad.append(name + ": values")
whole.visititems(visit)
# the positions (schema 3: rebuilt from the legs table, whose rows differ: the fork's first
# frame is a keyframe with a row for every vehicle)
pw, pf = swarm_trace.positions(whole), swarm_trace.positions(fork)
tw = whole["particles/agents/position/time"][()][:len(pw)]
tf = fork["particles/agents/position/time"][()][:len(pf)]
start = min(t, tf[0]) if len(tf) else t
if not np.array_equal(pw[tw >= start].view("u4"), pf[tf >= start].view("u4")) or len(pf) < 2:
    bad.append("particles/agents/position: the rebuilt positions")
if fork["particles/agents/position/legs_per_frame"][0] != pf.shape[1]:
    bad.append("particles/agents/position/legs: the fork's first frame is not a keyframe")
compared += 1
ew, ef = whole["events"][()], fork["events"][()]
if not np.array_equal(ew[ew["time"] >= t], ef):
    bad.append("events: %d rows from t on, the fork has %d (%d before t)"
               % ((ew["time"] >= t).sum(), len(ef), (ef["time"] < t).sum()))
if list(whole["events"].attrs.get("disruption_labels", [])) != list(fork["events"].attrs.get("disruption_labels", [])):
    bad.append("events@disruption_labels")
if fork["parameters"].attrs.get("fork_time_s") != t:
    bad.append("parameters@fork_time_s")
for b in bad:
    print("  " + b)
sys.exit(1 if bad or compared < 3 else 0)
PY
    fi
    cd ..
done

# another policy from the checkpoint: runs to the end, conservation checked by the run itself
ck=bridge_collapse-auction/bridge_collapse-seed3-t2400.h5
for p in cloud cbba oracle first_claim; do
    "$swarmsim" fork "$ck" --set policies.allocation=$p --json --progress-interval 0 \
        > switch-$p.json 2>switch-$p.err || fail "fork to $p failed: $(tail -2 switch-$p.err)"
    grep -q "\"policy\": \"$p\"" switch-$p.json || fail "fork to $p did not run $p"
done
[ "$(field event_hash switch-cloud.json)" != "$(field event_hash bridge_collapse-auction/whole.json)" ] \
    || fail "a fork under another policy has the uninterrupted run's event hash"

# another way of sharing the learned models (gossip to FedAvg) from a learning run's
# checkpoint; turning learning off is refused
lk=predictive_maintenance-auction/predictive_maintenance-seed3-t5000.h5
"$swarmsim" fork "$lk" --set learning.mode=fedavg --json --progress-interval 0 \
    > fedavg.json 2>fedavg.err || fail "fork to fedavg failed: $(tail -2 fedavg.err)"
[ "$(field event_hash fedavg.json)" != "$(field event_hash predictive_maintenance-auction/whole.json)" ] \
    || fail "a fork to fedavg has the gossip run's event hash"
"$swarmsim" fork "$lk" --set learning.mode=off > /dev/null 2> off.err
[ $? -eq 3 ] || fail "turning learning off mid-run was not refused with exit 3"
grep -q "learning.mode cannot change mid-run from 'gossip' to 'off'" off.err \
    || fail "learning off message: $(cat off.err)"

# changes a fork may not make: exit 3, naming the key and the checkpoint
"$swarmsim" fork "$ck" --set demand.due_s=900 > /dev/null 2> illegal.err
[ $? -eq 3 ] || fail "an illegal change was not refused with exit 3"
grep -q "$ck: error: demand.due_s cannot change mid-run" illegal.err || fail "illegal change message: $(cat illegal.err)"
"$swarmsim" fork "$ck" --close "Bridge 50@100" > /dev/null 2> early.err
[ $? -eq 3 ] || fail "a disruption before the checkpoint was not refused"
"$swarmsim" fork "$ck" --close "Bridge 50@2700" --until 3000 > /dev/null 2> late.err \
    || fail "a new disruption after the checkpoint was refused: $(cat late.err)"

# bad checkpoints: exit 3 naming the file; a missing one exit 4
size=$(wc -c < "$ck")
head -c $((size / 2)) "$ck" > truncated.h5
cp "$ck" flipped.h5
printf '\377' | dd of=flipped.h5 bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
echo "not a checkpoint" > text.h5
for f in truncated.h5 flipped.h5 text.h5 bridge_collapse-auction/whole.h5; do
    "$swarmsim" fork "$f" > /dev/null 2> bad.err
    code=$?
    [ $code -eq 3 ] || fail "$f: exit $code, want 3"
    grep -q "$f" bad.err || fail "$f: the message does not name the file: $(cat bad.err)"
done
"$swarmsim" fork nowhere.h5 > /dev/null 2>&1
[ $? -eq 4 ] || fail "a missing checkpoint is not exit 4"

# checkpoint times outside the run: a usage error before anything runs
"$swarmsim" run "$src/scenarios/bridge_collapse.toml" --checkpoint-at 99999 > /dev/null 2> out.err
[ $? -eq 2 ] || fail "--checkpoint-at after the end is not exit 2"
# an existing checkpoint is kept without --force
"$swarmsim" run "$src/scenarios/bridge_collapse.toml" --seed 3 --until 2500 \
    --checkpoint-at 2400 --checkpoint-dir bridge_collapse-auction > /dev/null 2> exists.err
[ $? -eq 4 ] || fail "an existing checkpoint was not refused"

# whatif: the shared history once, each branch from the checkpoint; "as is" is the
# uninterrupted run
"$swarmsim" whatif "$src/scenarios/bridge_collapse.toml" --seed 3 --at 2400 \
    --branch cbba:policies.allocation=cbba --branch cloud:policies.allocation=cloud,comms.cloud_loss=0.1 \
    --out-dir whatif > whatif.out 2> whatif.err || fail "whatif failed: $(tail -3 whatif.err)"
[ -f whatif/prefix/bridge_collapse-seed3-t2400.h5 ] || fail "whatif: no checkpoint of the shared history"
grep -q '"branch": "cloud"' whatif/manifest.json || fail "whatif: no cloud branch in the manifest"
[ "$(field kpi_hash whatif/runs/0000/summary.json)" = "$(field kpi_hash bridge_collapse-auction/whole.json)" ] \
    || fail "whatif: the branch 'as is' is not the uninterrupted run"
grep -q '"policy": "cloud"' whatif/runs/0002/summary.json || fail "whatif: the cloud branch did not run the cloud"
"$swarmsim" whatif "$src/scenarios/bridge_collapse.toml" --at 2400 --branch bad:demand.due_s=60 \
    --out-dir whatif-bad > /dev/null 2> whatif-bad.err
grep -q "demand.due_s cannot change mid-run" whatif-bad/runs/0001/stderr.txt \
    || fail "whatif: an illegal branch does not say why"
"$swarmsim" whatif "$src/scenarios/bridge_collapse.toml" --at 2400 --branch nocolon \
    --out-dir whatif-usage > /dev/null 2>&1
[ $? -eq 2 ] || fail "whatif: a malformed --branch is not exit 2"
if [ $have_h5py = 1 ] && $python -c "import matplotlib" 2>/dev/null; then
    $python "$src/scripts/report.py" whatif -o whatif/report > /dev/null 2>&1 \
        && [ -f whatif/report/comparison.png ] || fail "report.py did not plot the whatif"
fi

if [ $failures -gt 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "checkpoint tests passed"
