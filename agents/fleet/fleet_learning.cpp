#include "agents/fleet/fleet_learning.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace swarm::agents {

namespace {

constexpr double kDay = 86400.0;
// prior breakdown risk of an untrained risk model: it must not send the fleet to the
// workshop before it has seen anything
constexpr double kPriorRisk = 0.01;
// SGD batches of one vehicle in one round take fewer draws than this (steps x batch x 2)
constexpr std::uint64_t kDrawsPerRound = std::uint64_t{1} << 24;
// predicted factors are clamped: a wild model must not make a road look free or shut
constexpr float kMinFactor = 0.25F;
constexpr float kMaxFactor = 8.0F;
// vehicles per chunk of the data-parallel loops
constexpr std::size_t kChunk = 64;
// zones of the congestion field at most (16 per side, FleetSpec::validate)
constexpr std::size_t kMaxZones = 256;
// the exchange's streams and keys come from their own seed (no fleet stream shifts)
constexpr std::uint64_t kExchangeSeed = 0x5EED'E8C4'A11F'0B2DULL;

}  // namespace

FleetLearning::FleetLearning(const FleetSpec& spec, std::uint32_t vehicles, std::uint64_t seed)
    : spec_(spec.learning),
      net_(spec.net()),
      time_(spec.time),
      start_s_(spec.demand.start_hour * 3600.0),
      seed_(seed),
      vehicles_(vehicles) {
    const world::BoundingBox box = net_.bounds();
    origin_ = box.min;
    if (spec_.congestion) {
        learning::CongestionSpec c = spec_.congestion_field;
        if (!(c.area_m > 0.0)) {
            c.area_m = std::max({box.max.x - box.min.x, box.max.y - box.min.y, 1.0});
        }
        spec_.congestion_field = c;
        field_.emplace(c, seed);
        zones_ = field_->zone_count();
        edge_zone_.resize(net_.edge_count());
        for (EdgeId e = 0; e < net_.edge_count(); ++e) {
            const world::Point a = net_.position(net_.source(e));
            const world::Point b = net_.position(net_.target(e));
            edge_zone_[e] = static_cast<std::uint16_t>(
                field_->zone_of({0.5 * (a.x + b.x) - origin_.x, 0.5 * (a.y + b.y) - origin_.y}));
        }
        travel_eval_ =
            learning::make_travel_time_data(*field_, c, spec_.eval_samples, seed ^ 0x7E57);
    }
    if (spec_.wear) {
        degradation_.emplace(spec_.degradation);
        const auto horizon_h =
            static_cast<std::uint32_t>(std::max(1.0, std::round(spec_.horizon_s / 3600.0)));
        const std::uint32_t steps = 24;
        risk_eval_ = learning::make_breakdown_data(spec_.degradation,
                                                   (spec_.eval_samples + steps - 1) / steps, steps,
                                                   horizon_h, seed ^ 0xB4EA);
    }
    // one travel-time regression (zone one-hot, time of day -> log factor) and one risk
    // classifier (sensor signals -> breaks within the horizon) per vehicle
    travel_spec_ = {learning::ModelKind::kLinear, (field_ ? zones_ : 0) + 4, 1, 0};
    risk_spec_ = {learning::ModelKind::kLogistic, learning::DegradationModel::kSignals, 2, 0};
    travel_bank_ = learning::ModelBank(vehicles, travel_spec_.parameters());
    risk_bank_ = learning::ModelBank(vehicles, risk_spec_.parameters());
    const float prior = static_cast<float>(std::log(kPriorRisk / (1.0 - kPriorRisk)));
    for (std::uint32_t v = 0; v < vehicles; ++v) {
        // zero weights: the travel model predicts free flow; the risk model the prior
        risk_bank_.row(v)[risk_spec_.parameters() - 1] = prior;
    }
    const std::size_t mem = std::size_t{vehicles} * spec_.memory;
    if (field_ && spec_.learns()) {
        tt_zone_.resize(mem);
        tt_time_.resize(mem);
        tt_target_.resize(mem);
    }
    tt_count_.assign(vehicles, 0);
    if (degradation_ && spec_.learns()) {
        risk_x_.resize(mem * learning::DegradationModel::kSignals);
        risk_label_.resize(mem);
    }
    risk_count_.assign(vehicles, 0);
    pending_.resize(vehicles);
    component_.resize(vehicles);
    wear_draws_.assign(vehicles, 0);
    last_utilisation_.assign(vehicles, 0.0F);
    factors_.assign(std::size_t{vehicles} * zones_, 1.0F);
    changed_.assign(vehicles, 1);
    recorded_travel_.assign(vehicles, 0);
    serviced_unrecorded_.assign(vehicles, 0);
    exchange_ =
        std::make_unique<learning::ModelExchange>(spec_.exchange, vehicles, seed ^ kExchangeSeed);
    exchange_->add_part(travel_bank_);
    exchange_->add_part(risk_bank_);
    for (auto& v : values_) {
        v.assign(vehicles, 0.0F);
    }
    // a fleet of mixed ages: each component starts somewhere along its life
    if (degradation_) {
        for (std::uint32_t v = 0; v < vehicles; ++v) {
            sim::RandomStream rng(seed, kWearStream, v, 0);
            component_[v].wear = rng.uniform(0.0, spec_.initial_wear_max);
            component_[v].hours = component_[v].wear / spec_.degradation.wear_per_hour;
            wear_draws_[v] = rng.draws();
            values_[0][v] = static_cast<float>(component_[v].wear);
        }
    }
}

double FleetLearning::time_of_day(sim::Tick t) const {
    return std::fmod(start_s_ + time_.to_seconds(t), kDay);
}

double FleetLearning::drive_edge(std::uint32_t v, EdgeId e, sim::Tick t, sim::RandomStream& rng) {
    if (!field_) {
        return 1.0;
    }
    const double tod = time_of_day(t);
    const world::Point a = net_.position(net_.source(e));
    const world::Point b = net_.position(net_.target(e));
    const world::Point mid{0.5 * (a.x + b.x) - origin_.x, 0.5 * (a.y + b.y) - origin_.y};
    const double factor = field_->observe(mid, tod, 1.0, rng);
    if (!tt_target_.empty()) {
        const std::size_t i = std::size_t{v} * spec_.memory + tt_count_[v] % spec_.memory;
        tt_zone_[i] = edge_zone_[e];
        tt_time_[i] = static_cast<float>(tod);
        tt_target_[i] = static_cast<float>(std::log(factor));
        ++tt_count_[v];
    }
    return factor;
}

std::span<const float> FleetLearning::predicted_factors(std::uint32_t v, sim::Tick t) {
    const std::span<float> out(factors_.data() + std::size_t{v} * zones_, zones_);
    if (!field_) {
        return out;
    }
    // linear model [W (1 x zones + 4) | b]: the zone's weight plus the shared time terms
    const std::span<const float> w = travel_bank_.row(v);
    std::array<float, kMaxZones + 4> x{};
    field_->zone_features(0, time_of_day(t), x.data());
    float shared = w[travel_spec_.inputs];  // bias
    for (std::size_t k = 0; k < 4; ++k) {
        shared += w[zones_ + k] * x[zones_ + k];
    }
    for (std::uint32_t z = 0; z < zones_; ++z) {
        out[z] = std::clamp(std::exp(w[z] + shared), kMinFactor, kMaxFactor);
    }
    return out;
}

void FleetLearning::remember_risk(std::uint32_t v, const Pending& p, bool broke) {
    ++totals_.risk_samples;
    if (risk_label_.empty()) {
        return;
    }
    const std::size_t i = std::size_t{v} * spec_.memory + risk_count_[v] % spec_.memory;
    std::copy(p.x.begin(), p.x.end(),
              risk_x_.begin() + static_cast<std::ptrdiff_t>(i * p.x.size()));
    risk_label_[i] = broke ? 1 : 0;
    ++risk_count_[v];
}

void FleetLearning::sense(sim::Tick t, std::span<const float> utilisation,
                          std::span<const std::uint8_t> running,
                          std::vector<std::uint32_t>& broke) {
    ++totals_.rounds;
    round_log_.clear();
    totals_.travel_observations = 0;
    for (const std::uint64_t n : tt_count_) {
        totals_.travel_observations += n;
    }
    if (!degradation_) {
        return;
    }
    const sim::Tick horizon = time_.from_seconds(spec_.horizon_s);
    const double hours = spec_.round_s / 3600.0;
    for (std::uint32_t v = 0; v < vehicles_; ++v) {
        // a sample's label is known once the horizon has passed: positive when a breakdown
        // came within it. Positives wait as long as negatives, or the first hours of a run
        // would teach the models that everything breaks down.
        std::vector<Pending>& pend = pending_[v];
        std::size_t aged = 0;
        while (aged < pend.size() && t - pend[aged].t >= horizon) {
            remember_risk(v, pend[aged], pend[aged].broke);
            ++aged;
        }
        pend.erase(pend.begin(), pend.begin() + static_cast<std::ptrdiff_t>(aged));
        if (running[v] == 0) {
            continue;
        }
        const double u = std::clamp(static_cast<double>(utilisation[v]), 0.0, 1.0);
        last_utilisation_[v] = static_cast<float>(u);
        sim::RandomStream rng(seed_, kWearStream, v, wear_draws_[v]);
        if (degradation_->advance(component_[v], hours, u, rng)) {
            // it broke within the horizon of every sample still waiting: positives
            for (Pending& p : pend) {
                p.broke = true;
            }
            broke.push_back(v);
            ++totals_.wear_breakdowns;
        } else {
            Pending p{t, {}, false};
            degradation_->signals(component_[v], u, rng, p.x.data());
            pend.push_back(p);
        }
        wear_draws_[v] = rng.draws();
        values_[0][v] = static_cast<float>(component_[v].wear);
    }
}

void FleetLearning::train_one(std::uint32_t v, learning::Scratch& scratch,
                              learning::Dataset& batch) {
    sim::RandomStream rng(seed_, kLearnStream, v, totals_.rounds * kDrawsPerRound);
    const auto lr = static_cast<float>(spec_.learning_rate);
    std::vector<std::uint32_t> rows(spec_.batch);
    for (std::uint32_t i = 0; i < spec_.batch; ++i) {
        rows[i] = i;
    }
    const std::size_t base = std::size_t{v} * spec_.memory;
    changed_[v] = 1;
    const std::uint64_t tt_n = std::min<std::uint64_t>(tt_count_[v], spec_.memory);
    if (tt_n > 0 && !tt_target_.empty()) {
        batch.features = travel_spec_.inputs;
        batch.classes = 0;
        batch.targets = 1;
        batch.labels.clear();
        batch.x.resize(std::size_t{spec_.batch} * batch.features);
        batch.y.resize(spec_.batch);
        for (std::uint32_t step = 0; step < spec_.steps_per_round; ++step) {
            for (std::uint32_t i = 0; i < spec_.batch; ++i) {
                const std::size_t k = base + rng.below(tt_n);
                field_->zone_features(tt_zone_[k], tt_time_[k],
                                      batch.x.data() + std::size_t{i} * batch.features);
                batch.y[i] = tt_target_[k];
            }
            learning::sgd_step(travel_spec_, travel_bank_.row(v), batch, rows, lr, scratch);
        }
    }
    const std::uint64_t risk_n = std::min<std::uint64_t>(risk_count_[v], spec_.memory);
    if (risk_n > 0 && !risk_label_.empty()) {
        constexpr std::uint32_t kS = learning::DegradationModel::kSignals;
        batch.features = kS;
        batch.classes = 2;
        batch.targets = 0;
        batch.y.clear();
        batch.x.resize(std::size_t{spec_.batch} * kS);
        batch.labels.resize(spec_.batch);
        for (std::uint32_t step = 0; step < spec_.steps_per_round; ++step) {
            for (std::uint32_t i = 0; i < spec_.batch; ++i) {
                const std::size_t k = base + rng.below(risk_n);
                std::copy_n(risk_x_.begin() + static_cast<std::ptrdiff_t>(k * kS), kS,
                            batch.x.begin() + static_cast<std::ptrdiff_t>(std::size_t{i} * kS));
                batch.labels[i] = risk_label_[k];
            }
            learning::sgd_step(risk_spec_, risk_bank_.row(v), batch, rows, lr, scratch);
        }
    }
}

void FleetLearning::train(sim::Executor& executor) {
    if (!spec_.learns()) {
        return;
    }
    sim::for_each_range(executor, vehicles_, kChunk, [this](std::size_t from, std::size_t to) {
        learning::Scratch scratch;
        learning::Dataset batch;
        for (std::size_t v = from; v < to; ++v) {
            train_one(static_cast<std::uint32_t>(v), scratch, batch);
        }
    });
}

void FleetLearning::begin_exchange() {
    exchange_->begin_round(static_cast<std::uint32_t>(totals_.rounds));
}

void FleetLearning::count_exchange(std::uint32_t a, std::uint32_t b) {
    totals_.model_tampered = exchange_->tampered();
    if (spec_.exchange.sign) {
        totals_.model_rejected = exchange_->rejected();
        for (const std::uint32_t v : {a, b}) {
            if (v < vehicles_) {
                values_[7][v] = static_cast<float>(exchange_->counters(v).rejected());
            }
        }
    }
}

learning::PairOutcome FleetLearning::push_pull(std::uint32_t v, std::uint32_t u, bool pull) {
    const learning::PairOutcome o = exchange_->push_pull(v, u, pull);
    changed_[u] = o.replied ? 1 : changed_[u];  // u accepted v's push (and replied)
    changed_[v] = o.pulled ? 1 : changed_[v];
    count_exchange(v, u);
    return o;
}

void FleetLearning::federated_round(std::span<const std::uint32_t> members,
                                    std::span<const std::uint32_t> receivers) {
    // each model weighted by the samples behind it (at least 1: an empty model counts)
    std::vector<double> weights(std::size_t{2} * vehicles_);
    for (std::uint32_t v = 0; v < vehicles_; ++v) {
        weights[v] = static_cast<double>(
            std::max<std::uint64_t>(1, std::min<std::uint64_t>(tt_count_[v], spec_.memory)));
        weights[vehicles_ + v] = static_cast<double>(
            std::max<std::uint64_t>(1, std::min<std::uint64_t>(risk_count_[v], spec_.memory)));
    }
    std::vector<std::uint32_t> took;
    exchange_->federated(members, weights, receivers, took);
    for (const std::uint32_t v : took) {
        changed_[v] = 1;
    }
    count_exchange(vehicles_, vehicles_);
    if (spec_.exchange.sign) {
        for (const std::uint32_t v : receivers) {
            values_[7][v] = static_cast<float>(exchange_->counters(v).rejected());
        }
    }
}

std::uint32_t FleetLearning::transfer_bytes() const {
    return static_cast<std::uint32_t>(exchange_->payload_bytes());
}

void FleetLearning::count_transfer(std::uint32_t from, std::uint32_t to, std::uint32_t wire_bytes,
                                   bool delivered) {
    ++totals_.model_messages;
    totals_.model_bytes += wire_bytes;
    totals_.model_drops += delivered ? 0 : 1;
    if (from < vehicles_) {
        values_[6][from] += static_cast<float>(wire_bytes);
    }
    if (delivered) {
        round_log_.push_back({from, to, wire_bytes});
        if (keep_log_) {
            log_.push_back({from, to, wire_bytes});
        }
    }
}

void FleetLearning::take_exchanges(std::vector<Exchange>& out) {
    out.insert(out.end(), log_.begin(), log_.end());
    log_.clear();
}

void FleetLearning::decide(std::span<const std::uint8_t> eligible,
                           std::vector<std::uint32_t>& due) {
    if (!degradation_) {
        return;
    }
    constexpr std::uint32_t kS = learning::DegradationModel::kSignals;
    for (std::uint32_t v = 0; v < vehicles_; ++v) {
        if (pending_[v].empty() || pending_[v].back().broke) {
            continue;
        }
        // softmax over two logits = the logistic of their difference
        const std::span<const float> w = risk_bank_.row(v);
        const auto& x = pending_[v].back().x;
        double z0 = w[2 * kS];
        double z1 = w[2 * kS + 1];
        for (std::uint32_t k = 0; k < kS; ++k) {
            z0 += static_cast<double>(w[k]) * x[k];
            z1 += static_cast<double>(w[kS + k]) * x[k];
        }
        const double risk = 1.0 / (1.0 + std::exp(z0 - z1));
        values_[1][v] = static_cast<float>(risk);
        if (eligible[v] != 0 && risk > spec_.risk_threshold) {
            due.push_back(v);
            ++totals_.services_planned;
        }
    }
}

void FleetLearning::evaluate_one(std::uint32_t v) {
    if (!risk_eval_.x.empty()) {
        const learning::Evaluation e =
            learning::evaluate(risk_spec_, risk_bank_.row(v), risk_eval_);
        values_[2][v] = static_cast<float>(e.loss);
        values_[3][v] = static_cast<float>(e.accuracy);
    }
    if (!travel_eval_.x.empty()) {
        const learning::Evaluation e =
            learning::evaluate(travel_spec_, travel_bank_.row(v), travel_eval_);
        values_[4][v] = static_cast<float>(std::sqrt(2.0 * e.loss));
    }
}

void FleetLearning::evaluate(sim::Executor& executor) {
    sim::for_each_range(executor, vehicles_, kChunk, [this](std::size_t from, std::size_t to) {
        for (std::size_t v = from; v < to; ++v) {
            if (changed_[v] != 0) {
                evaluate_one(static_cast<std::uint32_t>(v));
                changed_[v] = 0;
            }
        }
    });
    // means in vehicle order (independent of the split)
    double loss = 0.0;
    double acc = 0.0;
    double rmse = 0.0;
    for (std::uint32_t v = 0; v < vehicles_; ++v) {
        loss += values_[2][v];
        acc += values_[3][v];
        rmse += values_[4][v];
    }
    const double n = std::max(1.0, static_cast<double>(vehicles_));
    metrics_.risk_loss = loss / n;
    metrics_.risk_accuracy = acc / n;
    metrics_.travel_time_rmse = rmse / n;
    metrics_.consensus_risk = learning::consensus_distance(risk_bank_);
    const std::vector<float> mean = learning::mean_row(risk_bank_);
    for (std::uint32_t v = 0; v < vehicles_; ++v) {
        double d = 0.0;
        const std::span<const float> row = risk_bank_.row(v);
        for (std::size_t k = 0; k < row.size(); ++k) {
            const double x = static_cast<double>(row[k]) - static_cast<double>(mean[k]);
            d += x * x;
        }
        values_[5][v] = static_cast<float>(d);
    }
    metrics_.consensus_travel = learning::consensus_distance(travel_bank_);
}

void FleetLearning::serviced(std::uint32_t v) {
    component_[v] = {};
    // what the unlabelled samples would have shown is censored by the service: drop them
    std::erase_if(pending_[v], [](const Pending& p) { return !p.broke; });
    values_[0][v] = 0.0F;
    serviced_unrecorded_[v] = 1;
}

std::size_t FleetLearning::memory_bytes() const {
    std::size_t b = travel_bank_.bytes() + risk_bank_.bytes();
    b += tt_zone_.capacity() * sizeof(std::uint16_t) + tt_time_.capacity() * sizeof(float) +
         tt_target_.capacity() * sizeof(float) + risk_x_.capacity() * sizeof(float) +
         risk_label_.capacity() + edge_zone_.capacity() * sizeof(std::uint16_t) +
         factors_.capacity() * sizeof(float) + recorded_travel_.capacity() * sizeof(std::uint64_t) +
         serviced_unrecorded_.capacity();
    for (const auto& p : pending_) {
        b += p.capacity() * sizeof(Pending);
    }
    for (const auto& v : values_) {
        b += v.capacity() * sizeof(float);
    }
    return b;
}

}  // namespace swarm::agents
