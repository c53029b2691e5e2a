// Scripted interventions: what the live map's mouse does (a depot down, the cloud link cut, a
// share of the fleet broken, a road closed by name), given on the command line at a simulated
// time (`swarmsim-viz SCENARIO --do 600:depot_down:west`). Each step becomes the VizCommand
// the mouse would send and goes through the same queue, adapter and FleetModel::apply, at a
// barrier at exactly its time, so a screenshot at --at T is the same picture every time.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "io/scenario/scenario.hpp"
#include "viz/disruption.hpp"

namespace swarm::viz {

// A bad --do or --close value: what() is "--do '900:cloud_cutt': unknown action ...". The
// visualizer exits 2 (a bad flag value), as for any usage error.
class ScriptError : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

// one --do value, split but not yet checked against the scenario: "T:ACTION[:ARG]"
struct ScriptStep {
    std::string flag = "--do";  // the option it came from, for messages
    std::string text;           // the value as given
    double at_s = 0.0;
    std::string action;
    std::string arg;  // everything after the second ':' (a road name may hold ':')
};

// a step resolved on the scenario: the command the mouse would send, at its time
struct ScriptedCommand {
    double at_s = 0.0;
    VizCommand command;
    std::string text;  // the --do value
};

// the actions and what their argument is, for help and messages
inline constexpr std::string_view kScriptActions =
    "depot_down:DEPOT, depot_up:DEPOT, cloud_cut, cloud_restore, break:SHARE, close:ROAD, "
    "reopen:ROAD (DEPOT an id or index, SHARE 0.2 or 20%, ROAD a name, way:ID or edge id)";

// "T:ACTION[:ARG]"; ScriptError naming the value and what is wrong (with a did-you-mean for
// a misspelt action)
ScriptStep parse_step(std::string_view text);
// `--close ROAD` of the visualizer: the step 0:close:ROAD, named as the flag in messages
ScriptStep close_step(std::string_view road);

// the step's command on this scenario: the depot by id or index, the road by name, way or
// edge id (io/scenario/road_names.hpp: a road is every edge of that name or way; an edge id is
// that street in both directions, as a click). std::invalid_argument with a suggestion for an
// unknown depot or road, a time after the run's end or a share outside (0, 1]: ScriptError
// naming the flag and value.
ScriptedCommand resolve_step(const ScriptStep& step, const io::Scenario& scenario);

}  // namespace swarm::viz
