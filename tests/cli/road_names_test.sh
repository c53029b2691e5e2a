#!/bin/sh
# Roads by name: `swarmsim network roads FILE --find TEXT` and `swarmsim run --close/--slow` on a
# small OSM file written here, then on the Monaco extract of ../shared/data when it is there.
# usage: road_names_test.sh SWARMSIM SOURCE_DIR WORKDIR
set -u
swarmsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
source_dir=$(cd "$2" && pwd)
work=$3
failures=0
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# expect CODE CMD...: run, keep stdout/stderr in out.txt/err.txt, compare the exit code
expect() {
    want=$1
    shift
    "$@" >out.txt 2>err.txt
    got=$?
    [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want; stderr: $(cat err.txt)"
}

contains() {  # contains FILE TEXT
    grep -F -q -- "$2" "$1" || fail "$1 lacks '$2': $(cat "$1")"
}

json_ok() {  # json_ok FILE PYTHON-EXPRESSION-ON-d
    if [ -x /usr/bin/python3 ]; then
        /usr/bin/python3 -c "import json,sys; d=json.load(open('$1')); sys.exit(0 if ($2) else 1)" ||
            fail "$1: not JSON or '$2' false: $(cat "$1")"
    fi
}

# a loop of three roads: Rue Grimaldi (ways 200 two-way and 201 one-way), Boulevard Albert 1er
# (way 202), and an unnamed way 204
cat >town.osm <<'OSM'
<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="43.7300" lon="7.4200"/>
  <node id="2" lat="43.7310" lon="7.4200"/>
  <node id="3" lat="43.7320" lon="7.4200"/>
  <node id="4" lat="43.7320" lon="7.4215"/>
  <node id="5" lat="43.7305" lon="7.4215"/>
  <way id="200"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="secondary"/><tag k="name" v="Rue Grimaldi"/></way>
  <way id="201"><nd ref="3"/><nd ref="4"/>
    <tag k="highway" v="secondary"/><tag k="name" v="Rue Grimaldi"/><tag k="oneway" v="yes"/></way>
  <way id="202"><nd ref="4"/><nd ref="5"/><nd ref="1"/>
    <tag k="highway" v="primary"/><tag k="name" v="Boulevard Albert 1er"/></way>
  <way id="204"><nd ref="2"/><nd ref="5"/><tag k="highway" v="residential"/></way>
</osm>
OSM

# listing: name, edges, length, way ids
expect 0 "$swarmsim" network roads town.osm --find grimaldi
contains out.txt "1 road matching 'grimaldi' in town.osm"
contains out.txt "Rue Grimaldi"
contains out.txt "200, 201"
grep -q "Rue Grimaldi *5 *0.34" out.txt || fail "Rue Grimaldi: 5 edges, 0.34 km: $(cat out.txt)"
expect 0 "$swarmsim" network roads town.osm
contains out.txt "2 roads in town.osm"
contains out.txt "Boulevard Albert 1er"
expect 0 "$swarmsim" network roads town.osm --find 204
contains out.txt "(unnamed)"
expect 0 "$swarmsim" network roads town.osm --find Albert --json
json_ok out.txt "d['roads'][0]['name'] == 'Boulevard Albert 1er' and d['roads'][0]['ways'] == [202] and d['roads'][0]['edges'] == 4"
expect 1 "$swarmsim" network roads town.osm --find "Boulevard Albret 1er"
contains err.txt "did you mean 'Boulevard Albert 1er'?"
expect 1 "$swarmsim" network roads town.osm --find 999
contains err.txt "no edge of OSM way 999"
expect 4 "$swarmsim" network roads missing.osm

cat >town.toml <<'TOML'
schema_version = 1
[run]
duration_s = 900.0
threads = 1
[network]
file = "town.osm"
[demand]
per_depot_per_hour = 120.0
zone_radius_m = 300.0
[[depots]]
id = "d"
node = 0
[[vehicle_types]]
id = "van"
[[fleets]]
id = "vans"
type = "van"
count = 3
home = "d"
TOML

# --close by name and by way, at a time and for a while; --slow by name; into the trace's
# resolved scenario
expect 0 "$swarmsim" run town.toml --close "Rue Grimaldi@120+300" --close way:202@60 \
    --slow "Boulevard Albert 1er=0.5@600" --json
json_ok out.txt "True"
expect 0 "$swarmsim" validate town.toml
# unknown names: refused with a suggestion, the flag named, nothing run (usage: exit 2)
expect 2 "$swarmsim" run town.toml --close "Boulevard Albert 1"
contains err.txt "--close Boulevard Albert 1: error: no road named 'Boulevard Albert 1' in the network (did you mean 'Boulevard Albert 1er'?)"
expect 2 "$swarmsim" run town.toml --close way:999
contains err.txt "no edge of OSM way 999"
expect 2 "$swarmsim" run town.toml --slow "Rue Grimaldi"
contains err.txt "--slow 'Rue Grimaldi': expected ROAD=FACTOR"
expect 2 "$swarmsim" run town.toml --slow "Rue Grimaldi=2"
contains err.txt "speed factor must be in (0, 1]"
# the scenario's own keys: roads = [...] with a way
cat town.toml >roads.toml
cat >>roads.toml <<'TOML'
[[disruptions]]
id = "closure"
kind = "close_roads"
roads = ["Rue Grimaldi", "way:202"]
at_s = 100.0
TOML
expect 0 "$swarmsim" run roads.toml
sed 's/"way:202"/"Rue Grimaldy"/' roads.toml >bad.toml
expect 3 "$swarmsim" validate bad.toml
contains err.txt "bad.toml:23:"
contains err.txt "did you mean 'Rue Grimaldi'?"

# Monaco (../shared/data): the boulevard by name and by way id
monaco=$source_dir/../shared/data/monaco.osm.pbf
if [ -f "$monaco" ]; then
    expect 0 "$swarmsim" network roads "$monaco" --find "albert 1er" --json
    json_ok out.txt "any(r['name'] == 'Boulevard Albert 1er' and r['edges'] > 4 for r in d['roads'])"
    way=$(/usr/bin/python3 -c "import json; d=json.load(open('out.txt')); print([r for r in d['roads'] if r['name'] == 'Boulevard Albert 1er'][0]['ways'][0])")
    expect 0 "$swarmsim" run "$source_dir/scenarios/monaco.toml" --set network.file="$monaco" \
        --set run.duration_s=600 --close "Boulevard Albert 1er@60" --close "way:$way@120" --json
    expect 2 "$swarmsim" run "$source_dir/scenarios/monaco.toml" --set network.file="$monaco" \
        --close "Boulevard Albert"
    contains err.txt "did you mean 'Boulevard Albert 1er'?"
else
    echo "monaco part skipped: $monaco not found"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all road name checks passed"
