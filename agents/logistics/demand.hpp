// Seeded order demand: a non-homogeneous Poisson process per customer zone whose rate
// follows a periodic profile (e.g. the day), sampled by thinning (Lewis & Shedler 1979).
// The process is immutable model data; all randomness comes from the stream the caller
// passes (the depot LP's own demand substream), so arrivals are a pure function of
// (seed, LP, substream, draw count) and never of threads.
#pragma once

#include <cstdint>
#include <vector>

#include "agents/logistics/order.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace swarm::agents {

// Customers served from one depot: orders go to a node drawn uniformly from `nodes`.
struct CustomerZone {
    std::uint32_t depot = 0;
    std::vector<std::uint32_t> nodes;  // road-network node ids
    double orders_per_hour = 0.0;      // base rate, multiplied by the profile's factor
};

// A periodic piecewise-constant factor: `factors` are equal bins over `period`, bin i
// covering [floor(i*period/n), floor((i+1)*period/n)) of each period (period in ticks).
struct RateProfile {
    std::vector<double> factors{1.0};
    Tick period = 1;
    Tick offset = 0;  // simulated time 0 is this far into the period (a day's start hour)

    // a constant factor 1
    [[nodiscard]] static RateProfile flat(Tick period);
    // 24 hourly factors over a day with a morning peak (8-10 h) and an afternoon peak
    // (15-17 h), quiet nights; scaled to mean 1, so orders_per_hour is the daily mean
    // simulated time 0 is `start_hour` o'clock (0 <= start_hour <= 24)
    [[nodiscard]] static RateProfile day(const sim::TimeScale& scale = {}, double start_hour = 0.0);

    [[nodiscard]] double factor_at(Tick t) const;
    [[nodiscard]] double max_factor() const;
    // integral of the factor over [from, to), in factor x ticks
    [[nodiscard]] double integral(Tick from, Tick to) const;
};

// A uniform law on [min, max]; min == max is a fixed value (one draw is still taken, so
// that changing a law never shifts the draws of the attributes after it).
struct UniformRange {
    double min = 0.0;
    double max = 0.0;
};

// Order attributes, in capacity units and seconds.
struct DemandParams {
    UniformRange size{1.0, 1.0};
    bool integer_size = true;               // size uniform over the integers in [min, max]
    UniformRange ready_offset_s{0.0, 0.0};  // ready = created + offset
    UniformRange window_s{3600.0, 3600.0};  // due = ready + window
    UniformRange service_s{60.0, 60.0};     // hand-over time at the customer
};

class DemandProcess {
  public:
    // std::invalid_argument for negative/non-finite rates or factors, an empty profile, a
    // period <= 0, a zone without nodes but with a positive rate, or min > max in a law
    DemandProcess(CustomerZone zone, RateProfile profile, DemandParams params,
                  sim::TimeScale scale = {});

    // the first arrival strictly after `now`, or kTickNever when the rate is 0 forever
    [[nodiscard]] Tick next_arrival(Tick now, sim::RandomStream& rng) const;

    // an order created at `now`: customer node, size, ready, due, service time. Takes 5
    // draws (plus rare rejections in the node choice). Its id is set by OrderBook::create.
    [[nodiscard]] Order make_order(Tick now, sim::RandomStream& rng) const;

    // arrival rate at t, orders per hour
    [[nodiscard]] double rate_per_hour(Tick t) const;
    // expected number of arrivals in [from, to)
    [[nodiscard]] double expected_arrivals(Tick from, Tick to) const;

    [[nodiscard]] const CustomerZone& zone() const { return zone_; }
    [[nodiscard]] const RateProfile& profile() const { return profile_; }
    [[nodiscard]] const DemandParams& params() const { return params_; }

  private:
    CustomerZone zone_;
    RateProfile profile_;
    DemandParams params_;
    sim::TimeScale scale_;
    double base_per_tick_ = 0.0;  // orders per tick at factor 1
    double max_per_tick_ = 0.0;   // the thinning envelope: base x max factor
};

}  // namespace swarm::agents
