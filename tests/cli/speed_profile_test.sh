#!/bin/sh
# network.speed_profile from the command line: the shipped profile file validates (with its
# one-line summary) and runs on the grid city, the same results on -j 1 and -j 2, different
# from free flow, and an empty profile is free flow; a bad profile is refused by validate and
# run alike (exit 3, the profile file's line and column); scenarios/monaco_rush_hour.toml
# (when ../shared/data has the map) is later than the same morning on free-flowing roads.
# usage: speed_profile_test.sh SWARMSIM SOURCE_DIR WORKDIR
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

# a field of the run's JSON: run.event_hash, kpis.delivered_late, ...
field() {
    /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'): d=d[k]
print(d)" "$1" "$2"
}

peaks=$src/scenarios/speed_profiles/weekday_peaks.toml
grid=$src/scenarios/default.toml  # 08:00 to 09:00: the morning peak

"$swarmsim" validate "$grid" --set "network.speed_profile=$peaks" >out.txt 2>err.txt ||
    fail "validate with the profile exited $?: $(cat err.txt)"
grep -q "speed profile: the network at .* % of its free-flow speed at 08 h (slowest)" out.txt ||
    fail "validate printed no speed profile line: $(cat out.txt)"

for j in 1 2; do
    "$swarmsim" run "$grid" --until 1800 -j $j --json --set "network.speed_profile=$peaks" \
        >peak$j.json 2>err.txt || fail "run -j $j with the profile exited $?: $(cat err.txt)"
done
"$swarmsim" run "$grid" --until 1800 --json >free.json 2>err.txt ||
    fail "run without a profile exited $?: $(cat err.txt)"
"$swarmsim" run "$grid" --until 1800 --json --set 'network.speed_profile={}' >empty.json \
    2>err.txt || fail "run with an empty profile exited $?: $(cat err.txt)"
if [ -x /usr/bin/python3 ]; then
    [ "$(field peak1.json run.event_hash)" = "$(field peak2.json run.event_hash)" ] ||
        fail "event hash differs between -j 1 and -j 2 with the profile"
    [ "$(field peak1.json run.kpi_hash)" = "$(field peak2.json run.kpi_hash)" ] ||
        fail "KPI hash differs between -j 1 and -j 2 with the profile"
    [ "$(field peak1.json run.event_hash)" != "$(field free.json run.event_hash)" ] ||
        fail "the profile changed nothing"
    [ "$(field empty.json run.event_hash)" = "$(field free.json run.event_hash)" ] ||
        fail "an empty profile is not free flow"
    /usr/bin/python3 -c "import json,sys
p=json.load(open('peak1.json'))['kpis']; f=json.load(open('free.json'))['kpis']
sys.exit(0 if p['drive_hours']/p['veh_km'] > 1.1*f['drive_hours']/f['veh_km'] else 1)" ||
        fail "the peak does not slow the fleet down per km"
fi

# refusals: the same message and exit code from validate and run, at the profile's position
printf 'all = { 7-10 = 0.6 }\nprimary = { 8-9 = 3.0 }\n' >bad.toml
for cmd in validate run; do
    "$swarmsim" $cmd "$grid" --set network.speed_profile=bad.toml >out.txt 2>err.txt
    rc=$?
    [ $rc = 3 ] || fail "$cmd with a bad profile exited $rc, not 3"
    grep -q "^bad.toml:2:19: error: network.speed_profile.primary.8-9 must be <= 2$" err.txt ||
        fail "$cmd: unexpected message: $(cat err.txt)"
done
"$swarmsim" validate "$grid" --set 'network.speed_profile={residental={7-10=0.5}}' \
    >out.txt 2>err.txt
[ $? = 3 ] || fail "a misspelt road class was accepted"
grep -q "unknown key 'residental' in network.speed_profile (did you mean 'residential'?)" \
    err.txt || fail "no suggestion for a misspelt road class: $(cat err.txt)"
"$swarmsim" validate "$grid" --set 'network.speed_profile={all={8-10=0.5,9-11=0.7}}' \
    >out.txt 2>err.txt
grep -q "network.speed_profile.all: hour 9 is in both '8-10' and '9-11'" err.txt ||
    fail "overlapping hour ranges: $(cat err.txt)"

# the shipped rush-hour morning on Monaco: later with the peak than on free-flowing roads
map=$src/../shared/data/monaco.osm.pbf
if [ ! -f "$map" ]; then
    echo "skip: $map not found (monaco_rush_hour.toml not run)"
elif [ -x /usr/bin/python3 ]; then
    sc=$src/scenarios/monaco_rush_hour.toml
    "$swarmsim" run "$sc" --set "network.file=$map" -j 2 --json >rush.json 2>err.txt ||
        fail "monaco_rush_hour exited $?: $(cat err.txt)"
    "$swarmsim" run "$sc" --set "network.file=$map" -j 2 --json \
        --set 'network.speed_profile={}' >rush_free.json 2>err.txt ||
        fail "monaco_rush_hour on free-flowing roads exited $?: $(cat err.txt)"
    /usr/bin/python3 -c "import json,sys
p=json.load(open('rush.json'))['kpis']; f=json.load(open('rush_free.json'))['kpis']
print('monaco_rush_hour on time %.2f %% (free flow %.2f %%), late %d (%d)' % (p['on_time_in_full_pct'], f['on_time_in_full_pct'], p['delivered_late'], f['delivered_late']))
sys.exit(0 if p['on_time_in_full_pct'] < f['on_time_in_full_pct'] and p['delivered_late'] > f['delivered_late'] else 1)" ||
        fail "the morning peak made monaco_rush_hour no later"
fi

[ $failures = 0 ] && echo "speed profile CLI tests passed"
exit $((failures > 0))
