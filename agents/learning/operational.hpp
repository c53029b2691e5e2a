// Operational data the simulation itself produces, for agents to learn from: a hidden,
// seeded congestion field (travel-time multipliers that vary by area and time of day) and
// a hidden component-degradation model (wear that raises breakdown risk, seen only
// through noisy sensor signals). Pure generators: the fleet will draw observations from
// them; here they also build data sets for tests and experiments.
#pragma once

#include <cstdint>
#include <vector>

#include "agents/learning/dataset.hpp"
#include "agents/world/road_network.hpp"
#include "sim/random.hpp"

namespace swarm::learning {

struct CongestionSpec {
    double area_m = 5000.0;   // side of the square the field covers
    std::uint32_t zones = 4;  // zones per side, each with its own level and rush hours
    double max_level = 1.6;   // zone base multipliers are drawn in [1, max_level]
    double max_rush = 1.0;    // extra multiplier at the peak of a rush hour, up to this
    double noise = 0.1;       // log-normal noise of one observation (sigma of the log)
};

class CongestionField {
  public:
    // std::invalid_argument for a bad spec
    CongestionField(const CongestionSpec& spec, std::uint64_t seed);

    // the true multiplier (>= 1) at p and time of day t (seconds, wraps at 86,400)
    [[nodiscard]] double factor(world::Point p, double time_of_day_s) const;
    // one noisy travel-time observation of an edge with free-flow time free_flow_s
    [[nodiscard]] double observe(world::Point p, double time_of_day_s, double free_flow_s,
                                 sim::RandomStream& rng) const;
    // model inputs for (p, t): the zone as one-hot (an agent knows where it drives), then
    // the time of day on the circle at periods of 24 h and 12 h
    [[nodiscard]] std::uint32_t feature_count() const { return spec_.zones * spec_.zones + 4; }
    void features(world::Point p, double time_of_day_s, float* out) const;
    // the zone p lies in (row-major over zones x zones cells); the field's area starts at 0
    [[nodiscard]] std::uint32_t zone_of(world::Point p) const;
    [[nodiscard]] std::uint32_t zone_count() const { return spec_.zones * spec_.zones; }
    // the one-hot zone and time features without a position (a zone's cell known already)
    void zone_features(std::uint32_t zone, double time_of_day_s, float* out) const;

  private:
    struct Zone {
        double level;
        double rush;    // amplitude
        double peak_s;  // time of the morning peak
        double width_s;
    };
    CongestionSpec spec_;
    std::vector<Zone> zones_;
};

// Samples (random place and time) -> target log(observed / free-flow time).
Dataset make_travel_time_data(const CongestionField& field, const CongestionSpec& spec,
                              std::size_t samples, std::uint64_t seed);

struct DegradationSpec {
    double wear_per_hour = 0.004;  // mean wear added per hour of full use
    double base_hazard = 1e-4;     // breakdowns per hour when new
    double wear_hazard = 0.05;     // extra breakdowns per hour at wear 1 (cubic in wear)
    double sensor_noise = 0.05;    // standard deviation of each signal
};

// One vehicle's component through time: wear grows with use, the hazard with wear^3,
// a breakdown resets the wear (repair). Signals are what the vehicle's sensors report.
struct ComponentState {
    double wear = 0.0;
    double hours = 0.0;
};

class DegradationModel {
  public:
    explicit DegradationModel(const DegradationSpec& spec);
    // advances one step of `hours` at utilisation u in [0, 1]; true on breakdown (the state
    // is then reset to new)
    bool advance(ComponentState& s, double hours, double utilisation, sim::RandomStream& rng) const;
    // breakdowns per hour now
    [[nodiscard]] double hazard(const ComponentState& s) const;
    // sensor signals: vibration, temperature, hours since repair (scaled)
    static constexpr std::uint32_t kSignals = 3;
    void signals(const ComponentState& s, double utilisation, sim::RandomStream& rng,
                 float* out) const;

  private:
    DegradationSpec spec_;
};

// Vehicles run for `steps` hourly steps; each step is a sample of signals labelled 1 when
// the component breaks within the next `horizon` steps.
Dataset make_breakdown_data(const DegradationSpec& spec, std::uint32_t vehicles,
                            std::uint32_t steps, std::uint32_t horizon, std::uint64_t seed);

}  // namespace swarm::learning
