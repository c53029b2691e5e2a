#pragma once
// Multi-server FIFO queues on the kernel. FifoStation is the reusable part: a c-server
// first-in-first-out station that keeps its own statistics and knows nothing of events, so
// any LP (a depot's loading docks, a charger bank) can embed one and draw its own service
// times. QueueingModel wires stations to Poisson sources as LPs: a source sends each
// customer to its station with a transit delay (at least the lookahead), so the customer
// arrives when the message does. Several independent source+station pairs in one run are
// replications that the kernel runs in parallel, each LP on its own random stream.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine.hpp"
#include "sim/state_archive.hpp"

namespace swarm::sim {

// A customer as carried in an event payload (exactly 32 bytes).
struct Customer {
    std::uint64_t id = 0;      // per source, from 0
    Tick created = 0;          // when its source emitted it
    Tick arrived = 0;          // when it reached the station
    std::uint32_t source = 0;  // the index of its source
    std::uint32_t flags = 0;   // kCustomerLast, ...
};
static_assert(sizeof(Customer) <= Payload::kBytes);

// the last customer a source emits: the station's observation ends when all have come
inline constexpr std::uint32_t kCustomerLast = 1;

// Service time law, in ticks.
struct ServiceTime {
    enum class Law : std::uint8_t { kExponential, kDeterministic };
    Law law = Law::kExponential;
    double mean = 1'000'000.0;

    // draws one service time; deterministic service takes no draw
    [[nodiscard]] Tick draw(RandomStream& rng) const {
        const double t = law == Law::kExponential ? rng.exponential(mean) : mean;
        return static_cast<Tick>(std::llround(t));
    }
    // squared coefficient of variation (1 exponential, 0 deterministic)
    [[nodiscard]] double cs2() const { return law == Law::kExponential ? 1.0 : 0.0; }
};

// Running mean, variance and maximum (Welford), in whatever unit is added.
struct RunningStats {
    std::uint64_t count = 0;
    double mean = 0.0;
    double m2 = 0.0;  // sum of squared deviations from the mean
    double max = 0.0;

    void add(double x) {
        ++count;
        const double delta = x - mean;
        mean += delta / static_cast<double>(count);
        m2 += delta * (x - mean);
        max = count == 1 ? x : std::max(max, x);
    }
    [[nodiscard]] double variance() const {
        return count > 1 ? m2 / static_cast<double>(count - 1) : 0.0;
    }
};

// What a station measured. Waits count customers that arrived at or after the warm-up;
// time averages integrate over [observed_from, observed_to].
struct StationStats {
    std::uint64_t arrivals = 0;   // every arrival, warm-up included
    std::uint64_t started = 0;    // service starts
    std::uint64_t completed = 0;  // service completions
    std::uint64_t max_queue = 0;  // longest queue seen (waiting, not in service)
    std::uint64_t delayed = 0;    // measured customers who waited at all
    RunningStats wait;            // time in queue (Wq), ticks
    RunningStats sojourn;         // time in system (W), ticks
    double queue_area = 0.0;      // integral of the queue length, customer-ticks
    double busy_area = 0.0;       // integral of the busy servers, server-ticks
    Tick observed_from = 0;
    Tick observed_to = 0;

    [[nodiscard]] double observed_ticks() const {
        return observed_to > observed_from ? static_cast<double>(observed_to - observed_from) : 0.0;
    }
    // time-average number in queue (Lq)
    [[nodiscard]] double mean_queue() const {
        const double t = observed_ticks();
        return t > 0.0 ? queue_area / t : 0.0;
    }
    // time-average number of busy servers
    [[nodiscard]] double mean_busy() const {
        const double t = observed_ticks();
        return t > 0.0 ? busy_area / t : 0.0;
    }
    [[nodiscard]] double utilisation(std::uint32_t servers) const {
        return mean_busy() / static_cast<double>(servers);
    }
    // the fraction of measured customers who had to wait (Erlang C for M/M/c)
    [[nodiscard]] double delayed_fraction() const {
        return wait.count > 0 ? static_cast<double>(delayed) / static_cast<double>(wait.count)
                              : 0.0;
    }
};

// A c-server FIFO station. The owner calls arrive() and complete() at the event times and
// schedules service completions itself; the station tracks the queue and the statistics.
class FifoStation {
  public:
    explicit FifoStation(std::uint32_t servers, Tick warmup = 0)
        : servers_(servers), warmup_(warmup), ring_(kInitialCapacity) {
        if (servers == 0) {
            throw std::invalid_argument("fifo station: needs at least one server");
        }
        stats_.observed_from = warmup;
        stats_.observed_to = warmup;
    }

    // a customer arrives at `now`; true if it starts service at once, and then the owner
    // schedules its completion
    bool arrive(Tick now, const Customer& customer) {
        advance(now);
        ++stats_.arrivals;
        if (busy_ < servers_) {
            start(now, customer);
            return true;
        }
        push(customer);
        stats_.max_queue = std::max<std::uint64_t>(stats_.max_queue, size_);
        return false;
    }

    // `done` finishes service at `now`; returns the customer who takes the freed server,
    // whose completion the owner then schedules
    std::optional<Customer> complete(Tick now, const Customer& done) {
        advance(now);
        ++stats_.completed;
        if (measured(done)) {
            stats_.sojourn.add(static_cast<double>(now - done.arrived));
        }
        if (size_ == 0 || busy_ > servers_) {
            --busy_;  // nobody waits, or servers were taken away: this one stays idle
            return std::nullopt;
        }
        const Customer next = pop();
        --busy_;
        start(now, next);
        return next;
    }

    // Changes the number of servers at `now` (>= 1). Customers in service finish; with fewer
    // servers the freed ones stay idle until busy <= servers; with more, waiting customers
    // start at once and are returned, for the owner to schedule their completions.
    std::vector<Customer> set_servers(Tick now, std::uint32_t servers) {
        if (servers == 0) {
            throw std::invalid_argument("fifo station: needs at least one server");
        }
        advance(now);
        servers_ = servers;
        std::vector<Customer> started;
        while (busy_ < servers_ && size_ > 0) {
            const Customer c = pop();
            start(now, c);
            started.push_back(c);
        }
        return started;
    }

    // ends the observation window at `now`: later changes no longer count in time averages
    void close(Tick now) {
        advance(now);
        closed_ = true;
    }

    [[nodiscard]] std::uint32_t servers() const { return servers_; }
    [[nodiscard]] std::uint32_t busy() const { return busy_; }
    [[nodiscard]] std::size_t queue_length() const { return size_; }
    [[nodiscard]] bool closed() const { return closed_; }
    [[nodiscard]] const StationStats& stats() const { return stats_; }

    // checkpoints: everything, the waiting line in FIFO order (where it sits in the ring
    // changes nothing), under the archive's current scope
    void save(StateArchive& ar) const {
        ar.put_value("servers", servers_);
        ar.put_value("busy", busy_);
        ar.put_value("warmup", warmup_);
        ar.put_value("last_change", last_change_);
        ar.put_value("closed", std::uint8_t{closed_});
        std::vector<Customer> queue(size_);
        for (std::size_t i = 0; i < size_; ++i) {
            queue[i] = ring_[(head_ + i) % ring_.size()];
        }
        {
            const auto q = ar.scope("queue");
            ar.put_field("id", queue, &Customer::id);
            ar.put_field("created", queue, &Customer::created);
            ar.put_field("arrived", queue, &Customer::arrived);
            ar.put_field("source", queue, &Customer::source);
            ar.put_field("flags", queue, &Customer::flags);
        }
        const auto st = ar.scope("stats");
        ar.put_value("arrivals", stats_.arrivals);
        ar.put_value("started", stats_.started);
        ar.put_value("completed", stats_.completed);
        ar.put_value("max_queue", stats_.max_queue);
        ar.put_value("delayed", stats_.delayed);
        save_stats(ar, "wait", stats_.wait);
        save_stats(ar, "sojourn", stats_.sojourn);
        ar.put_value("queue_area", stats_.queue_area);
        ar.put_value("busy_area", stats_.busy_area);
        ar.put_value("observed_from", stats_.observed_from);
        ar.put_value("observed_to", stats_.observed_to);
    }
    void load(const StateArchive& ar) {
        const auto servers = ar.get_value<std::uint32_t>("servers");
        if (servers == 0) {
            throw CheckpointError("checkpoint field 'servers' of a fifo station is 0");
        }
        servers_ = servers;
        ar.get_value("busy", busy_);
        ar.get_value("warmup", warmup_);
        ar.get_value("last_change", last_change_);
        closed_ = ar.get_value<std::uint8_t>("closed") != 0;
        {
            const auto q = ar.scope("queue");
            std::vector<Customer> queue(ar.count("id"));
            ar.get_field("id", queue, &Customer::id);
            ar.get_field("created", queue, &Customer::created);
            ar.get_field("arrived", queue, &Customer::arrived);
            ar.get_field("source", queue, &Customer::source);
            ar.get_field("flags", queue, &Customer::flags);
            size_ = queue.size();
            head_ = 0;
            queue.resize(std::max(kInitialCapacity, size_ + 1));
            ring_ = std::move(queue);
        }
        const auto st = ar.scope("stats");
        ar.get_value("arrivals", stats_.arrivals);
        ar.get_value("started", stats_.started);
        ar.get_value("completed", stats_.completed);
        ar.get_value("max_queue", stats_.max_queue);
        ar.get_value("delayed", stats_.delayed);
        load_stats(ar, "wait", stats_.wait);
        load_stats(ar, "sojourn", stats_.sojourn);
        ar.get_value("queue_area", stats_.queue_area);
        ar.get_value("busy_area", stats_.busy_area);
        ar.get_value("observed_from", stats_.observed_from);
        ar.get_value("observed_to", stats_.observed_to);
    }

  private:
    static constexpr std::size_t kInitialCapacity = 64;

    static void save_stats(StateArchive& ar, std::string_view name, const RunningStats& s) {
        const auto g = ar.scope(name);
        ar.put_value("count", s.count);
        ar.put_value("mean", s.mean);
        ar.put_value("m2", s.m2);
        ar.put_value("max", s.max);
    }
    static void load_stats(const StateArchive& ar, std::string_view name, RunningStats& s) {
        const auto g = ar.scope(name);
        ar.get_value("count", s.count);
        ar.get_value("mean", s.mean);
        ar.get_value("m2", s.m2);
        ar.get_value("max", s.max);
    }

    [[nodiscard]] bool measured(const Customer& c) const { return c.arrived >= warmup_; }

    // integrates queue length and busy servers from the last change up to `now`
    void advance(Tick now) {
        if (closed_ || now <= last_change_) {
            return;
        }
        const Tick from = std::max(last_change_, warmup_);
        if (now > from) {
            const auto dt = static_cast<double>(now - from);
            stats_.queue_area += static_cast<double>(size_) * dt;
            stats_.busy_area += static_cast<double>(busy_) * dt;
            stats_.observed_to = now;
        }
        last_change_ = now;
    }

    void start(Tick now, const Customer& c) {
        ++busy_;
        ++stats_.started;
        if (measured(c)) {
            stats_.wait.add(static_cast<double>(now - c.arrived));
            stats_.delayed += now > c.arrived ? 1 : 0;
        }
    }

    // the waiting line: a ring buffer that doubles when full
    void push(const Customer& c) {
        if (size_ == ring_.size()) {
            std::vector<Customer> bigger(ring_.size() * 2);
            for (std::size_t i = 0; i < size_; ++i) {
                bigger[i] = ring_[(head_ + i) % ring_.size()];
            }
            ring_ = std::move(bigger);
            head_ = 0;
        }
        ring_[(head_ + size_) % ring_.size()] = c;
        ++size_;
    }
    Customer pop() {
        const Customer c = ring_[head_];
        head_ = (head_ + 1) % ring_.size();
        --size_;
        return c;
    }

    std::uint32_t servers_;
    std::uint32_t busy_ = 0;
    Tick warmup_;
    Tick last_change_ = 0;
    bool closed_ = false;
    std::vector<Customer> ring_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
    StationStats stats_;
};

// a new member is state to save: add it to FifoStation::save and load, then its size here
static_assert(sizeof(StationStats) == 9 * sizeof(std::uint64_t) + 2 * sizeof(RunningStats) &&
                  sizeof(RunningStats) == 4 * sizeof(std::uint64_t),
              "StationStats changed: save and load the new member (FifoStation)");
static_assert(sizeof(FifoStation) == 4 * sizeof(std::uint64_t) + sizeof(std::vector<Customer>) +
                                         2 * sizeof(std::size_t) + sizeof(StationStats),
              "FifoStation changed: save and load the new member");

struct StationParams {
    std::uint32_t servers = 1;
    ServiceTime service;
};

// A Poisson source: `customers` customers at mean interarrival time (ticks), then silence.
struct SourceParams {
    std::uint32_t station = 0;  // the index of the station it feeds
    double mean_interarrival = 2'000'000.0;
    std::uint64_t customers = 100'000;
};

struct QueueingParams {
    std::vector<StationParams> stations;
    std::vector<SourceParams> sources;
    Tick transit = 1'000'000;  // source-to-station delay, >= the engine's lookahead
    Tick warmup = 0;           // statistics start here
};

// k independent replications of one source feeding one station
[[nodiscard]] inline QueueingParams replicate(std::uint32_t k, const StationParams& station,
                                              SourceParams source) {
    QueueingParams params;
    params.stations.assign(k, station);
    for (std::uint32_t i = 0; i < k; ++i) {
        source.station = i;
        params.sources.push_back(source);
    }
    return params;
}

// Sources and stations as LPs. Each station's sources come right before it in LP order,
// so that pairs land in the same partition.
class QueueingModel final : public Model {
  public:
    static constexpr EventType kEventGenerate = 1;  // source: emit a customer now
    static constexpr EventType kEventArrive = 2;    // station: a customer arrives
    static constexpr EventType kEventDepart = 3;    // station: a service completes

    explicit QueueingModel(QueueingParams params) : params_(std::move(params)) {
        validate();
        // lay out LPs: for each station its sources, then the station
        std::vector<std::vector<std::uint32_t>> feeding(params_.stations.size());
        for (std::uint32_t j = 0; j < params_.sources.size(); ++j) {
            feeding[params_.sources[j].station].push_back(j);
        }
        source_lp_.resize(params_.sources.size());
        for (std::uint32_t i = 0; i < params_.stations.size(); ++i) {
            for (const std::uint32_t j : feeding[i]) {
                source_lp_[j] = static_cast<LpId>(roles_.size());
                roles_.push_back({Role::kSource, j});
            }
            station_lp_.push_back(static_cast<LpId>(roles_.size()));
            roles_.push_back({Role::kStation, i});
            stations_.emplace_back(params_.stations[i].servers, params_.warmup,
                                   static_cast<std::uint32_t>(feeding[i].size()));
        }
        sources_.resize(params_.sources.size());
    }

    [[nodiscard]] std::uint32_t lp_count() const {
        return static_cast<std::uint32_t>(roles_.size());
    }
    [[nodiscard]] LpId station_lp(std::uint32_t station) const { return station_lp_[station]; }
    [[nodiscard]] LpId source_lp(std::uint32_t source) const { return source_lp_[source]; }
    [[nodiscard]] const QueueingParams& params() const { return params_; }
    [[nodiscard]] std::size_t station_count() const { return stations_.size(); }
    [[nodiscard]] const FifoStation& station(std::uint32_t i) const { return stations_[i].station; }
    [[nodiscard]] const StationStats& stats(std::uint32_t i) const {
        return stations_[i].station.stats();
    }
    // the arrival rate a station sees, per tick
    [[nodiscard]] double arrival_rate(std::uint32_t station) const {
        double rate = 0.0;
        for (const SourceParams& s : params_.sources) {
            if (s.station == station) {
                rate += 1.0 / s.mean_interarrival;
            }
        }
        return rate;
    }

    // each source's first arrival, Exp(mean) after time 0 (drawn on substream 1)
    void seed_events(Engine& engine) const {
        for (std::uint32_t j = 0; j < params_.sources.size(); ++j) {
            const SourceParams& p = params_.sources[j];
            if (p.customers == 0) {
                continue;
            }
            RandomStream init(engine.config().seed, source_lp_[j], 1);
            engine.inject(source_lp_[j], interarrival(init, p), kEventGenerate);
        }
    }

    void handle(Context& ctx, const Event& event) override {
        const Role role = roles_[ctx.self()];
        if (role.kind == Role::kSource) {
            on_generate(ctx, role.index);
        } else if (event.type == kEventArrive) {
            on_arrive(ctx, role.index, event.payload.as<Customer>());
        } else {
            on_depart(ctx, role.index, event.payload.as<Customer>());
        }
    }

  private:
    struct Role {
        enum Kind : std::uint32_t { kSource, kStation };
        Kind kind;
        std::uint32_t index;
    };
    // one cache line each: neighbouring LPs may run on different threads
    struct alignas(64) SourceState {
        std::uint64_t emitted = 0;
    };
    struct alignas(64) StationState {
        StationState(std::uint32_t servers, Tick warmup, std::uint32_t feeding)
            : station(servers, warmup), sources(feeding) {}
        FifoStation station;
        std::uint32_t sources;           // how many sources feed it
        std::uint32_t sources_done = 0;  // how many sent their last customer
    };

    [[nodiscard]] static Tick interarrival(RandomStream& rng, const SourceParams& p) {
        return static_cast<Tick>(std::llround(rng.exponential(p.mean_interarrival)));
    }

    void validate() const {
        if (params_.transit <= 0) {
            throw std::invalid_argument("queueing: transit must be > 0 ticks");
        }
        for (const StationParams& s : params_.stations) {
            if (s.servers == 0 || !(s.service.mean >= 0.0)) {
                throw std::invalid_argument(
                    "queueing: a station needs servers >= 1 and a "
                    "service mean >= 0");
            }
        }
        for (const SourceParams& s : params_.sources) {
            if (s.station >= params_.stations.size()) {
                throw std::invalid_argument("queueing: source feeds station " +
                                            std::to_string(s.station) + " which does not exist");
            }
            if (!(s.mean_interarrival > 0.0)) {
                throw std::invalid_argument("queueing: mean interarrival must be > 0");
            }
        }
    }

    // a source emits one customer and, unless it was the last, schedules the next
    void on_generate(Context& ctx, std::uint32_t j) {
        const SourceParams& p = params_.sources[j];
        SourceState& s = sources_[j];
        Customer c;
        c.id = s.emitted++;
        c.created = ctx.now();
        c.source = j;
        c.flags = s.emitted == p.customers ? kCustomerLast : 0;
        ctx.send(station_lp_[p.station], params_.transit, kEventArrive, Payload::of(c));
        if ((c.flags & kCustomerLast) == 0) {
            ctx.schedule_self(interarrival(ctx.rng(), p), kEventGenerate);
        }
    }

    // a customer reaches the station: served at once or queued
    void on_arrive(Context& ctx, std::uint32_t i, Customer c) {
        StationState& st = stations_[i];
        c.arrived = ctx.now();
        if (st.station.arrive(ctx.now(), c)) {
            begin_service(ctx, i, c);
        }
        // observation ends with the last arrival: the drain after it is not steady state
        if ((c.flags & kCustomerLast) != 0 && ++st.sources_done == st.sources) {
            st.station.close(ctx.now());
        }
    }

    // a service ends; the head of the queue, if any, takes the server
    void on_depart(Context& ctx, std::uint32_t i, const Customer& done) {
        if (const auto next = stations_[i].station.complete(ctx.now(), done)) {
            begin_service(ctx, i, *next);
        }
    }

    void begin_service(Context& ctx, std::uint32_t i, const Customer& c) {
        const Tick service = params_.stations[i].service.draw(ctx.rng());
        ctx.schedule_self(service, kEventDepart, Payload::of(c));
    }

    QueueingParams params_;
    std::vector<Role> roles_;
    std::vector<LpId> station_lp_;
    std::vector<LpId> source_lp_;
    std::vector<SourceState> sources_;
    std::vector<StationState> stations_;
};

// A mean over independent replications with its 95% confidence half-width (Student t).
struct Estimate {
    double mean = 0.0;
    double stddev = 0.0;      // sample standard deviation of the replications
    double half_width = 0.0;  // of the 95% confidence interval of the mean
    std::size_t n = 0;

    [[nodiscard]] bool contains(double x) const { return std::fabs(x - mean) <= half_width; }
};

// the 0.975 quantile of Student's t with `df` degrees of freedom
[[nodiscard]] inline double student_t_975(std::size_t df) {
    static constexpr double kTable[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                        2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                        2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                        2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
    if (df == 0) {
        return std::numeric_limits<double>::infinity();
    }
    if (df <= std::size(kTable)) {
        return kTable[df - 1];
    }
    // Cornish-Fisher expansion around the normal quantile
    const double z = 1.959963984540054;
    const auto v = static_cast<double>(df);
    return z + (z * z * z + z) / (4.0 * v) +
           (5.0 * std::pow(z, 5) + 16.0 * z * z * z + 3.0 * z) / (96.0 * v * v);
}

[[nodiscard]] inline Estimate estimate_95(const std::vector<double>& replications) {
    Estimate e;
    RunningStats s;
    for (const double x : replications) {
        s.add(x);
    }
    e.n = replications.size();
    e.mean = s.mean;
    e.stddev = std::sqrt(s.variance());
    e.half_width = e.n > 1 ? student_t_975(e.n - 1) * e.stddev / std::sqrt(static_cast<double>(e.n))
                           : std::numeric_limits<double>::infinity();
    return e;
}

}  // namespace swarm::sim
