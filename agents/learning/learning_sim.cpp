#include "agents/learning/learning_sim.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "agents/comms/radio_grid.hpp"
#include "agents/learning/learning_internal.hpp"
#include "agents/learning/robust.hpp"

namespace swarm::learning {
namespace {

using namespace detail;

std::uint64_t fnv(std::uint64_t h, const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < bytes; ++i) {
        h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    return h;
}

}  // namespace

const char* to_string(ProtocolKind kind) {
    switch (kind) {
        case ProtocolKind::kPushPull:
            return "push_pull";
        case ProtocolKind::kPushSum:
            return "push_sum";
        case ProtocolKind::kDpsgd:
            return "dpsgd";
        case ProtocolKind::kGossipLearning:
            return "gossip_learning";
        case ProtocolKind::kFedAvg:
            return "fedavg";
        case ProtocolKind::kLocal:
            return "local";
    }
    return "?";
}

ProtocolKind protocol_kind_from_string(const std::string& name) {
    for (auto k : {ProtocolKind::kPushPull, ProtocolKind::kPushSum, ProtocolKind::kDpsgd,
                   ProtocolKind::kGossipLearning, ProtocolKind::kFedAvg, ProtocolKind::kLocal}) {
        if (name == to_string(k)) {
            return k;
        }
    }
    throw std::invalid_argument("unknown protocol '" + name +
                                "' (push_pull, push_sum, dpsgd, gossip_learning, fedavg, local)");
}

bool trains(ProtocolKind kind) {
    return kind != ProtocolKind::kPushPull && kind != ProtocolKind::kPushSum;
}

void LearningSpec::validate() const {
    if (agents < 2) {
        throw std::invalid_argument("learning: agents must be >= 2");
    }
    if (!(period_s > 0.0) || !std::isfinite(period_s)) {
        throw std::invalid_argument("learning: period_s must be > 0");
    }
    if (!trains(protocol) && values == 0) {
        throw std::invalid_argument("learning: values must be > 0");
    }
    if (eval_every == 0) {
        throw std::invalid_argument("learning: eval_every must be > 0");
    }
    if (trains(protocol)) {
        model.validate();
        if (!(train.learning_rate > 0.0F) || train.batch == 0) {
            throw std::invalid_argument("learning: learning_rate and batch must be > 0");
        }
    }
    if (!(churn.leave >= 0.0 && churn.leave <= 1.0 && churn.join >= 0.0 && churn.join <= 1.0)) {
        throw std::invalid_argument("learning: churn leave and join must be in [0, 1]");
    }
    for (double r : {identity.unsigned_rate, identity.forged_rate, identity.unknown_rate,
                     identity.replay_rate, identity.tamper_rate}) {
        if (!(r >= 0.0 && r <= 1.0)) {
            throw std::invalid_argument(
                "learning: identity rates (unsigned, forged, unknown, replay, tamper) must be "
                "in [0, 1]");
        }
    }
    if (!(divergence_bound > 0.0) || !std::isfinite(divergence_bound)) {
        throw std::invalid_argument("learning: divergence_bound must be > 0 and finite");
    }
    if (!(fedavg_fraction > 0.0 && fedavg_fraction <= 1.0)) {
        throw std::invalid_argument("learning: fedavg_fraction must be in (0, 1]");
    }
    if (!(radio.area_m > 0.0) || !(radio.speed_mps >= 0.0) ||
        !(radio.turn >= 0.0 && radio.turn <= 1.0) || !std::isfinite(radio.area_m) ||
        !std::isfinite(radio.speed_mps)) {
        throw std::invalid_argument(
            "learning: radio needs area_m > 0, speed_mps >= 0, turn in [0, 1]");
    }
    partition.validate();
    compression.validate();
    comms.validate(kTime);
    attack.validate();
    aggregator.validate();
}

AgentCounters& AgentCounters::operator+=(const AgentCounters& o) {
    bytes_sent += o.bytes_sent;
    bytes_received += o.bytes_received;
    messages_sent += o.messages_sent;
    messages_received += o.messages_received;
    dropped += o.dropped;
    lost += o.lost;
    late += o.late;
    unreachable += o.unreachable;
    rejected_unsigned += o.rejected_unsigned;
    rejected_forged += o.rejected_forged;
    rejected_unknown += o.rejected_unknown;
    rejected_tampered += o.rejected_tampered;
    rejected_replayed += o.rejected_replayed;
    delay_s += o.delay_s;
    return *this;
}

void sample_batch(std::uint64_t seed, std::uint32_t agent, std::uint32_t round, std::uint32_t step,
                  std::span<const std::uint32_t> local, std::uint32_t batch,
                  std::vector<std::uint32_t>& out) {
    sim::RandomStream rng(seed, agent, kTagBatch,
                          (std::uint64_t{round} << 32) | (std::uint64_t{step} << 24));
    out.resize(local.empty() ? 0 : batch);
    for (auto& r : out) {
        r = local[rng.below(local.size())];
    }
}

LearningSim::LearningSim(const LearningSpec& spec, const Dataset* train, const Dataset* test,
                         sim::Executor& executor)
    : spec_(spec), train_(train), test_(test), executor_(executor) {
    spec_.validate();
    const std::uint32_t n = spec_.agents;
    if (trains(spec_.protocol)) {
        if (train == nullptr || train->size() == 0) {
            throw std::invalid_argument(std::string("learning: protocol ") +
                                        to_string(spec_.protocol) + " needs training data");
        }
        if (train->features != spec_.model.inputs) {
            throw std::invalid_argument(
                "learning: model inputs (" + std::to_string(spec_.model.inputs) +
                ") differ from the data's features (" + std::to_string(train->features) + ")");
        }
        partition_ = make_partition(*train, n, spec_.partition, spec_.seed);
    }
    switch (spec_.overlay) {
        case OverlayKind::kComplete:
            overlay_ = Overlay::complete(n);
            break;
        case OverlayKind::kRing:
            overlay_ = make_ring(n, spec_.degree);
            break;
        case OverlayKind::kRegular:
            overlay_ = make_random_regular(n, spec_.degree, spec_.seed);
            break;
        case OverlayKind::kSmallWorld:
            overlay_ = make_small_world(n, spec_.degree, spec_.rewire, spec_.seed);
            break;
        case OverlayKind::kRadio: {
            // uniform start, random headings; the graph is rebuilt every round
            positions_.resize(n);
            heading_.resize(n);
            for (std::uint32_t i = 0; i < n; ++i) {
                sim::RandomStream rng(spec_.seed, i, kTagMove);
                positions_[i] = {rng.uniform(0.0, spec_.radio.area_m),
                                 rng.uniform(0.0, spec_.radio.area_m)};
                heading_[i] = rng.uniform(0.0, 6.283185307179586);
            }
            grid_ = std::make_unique<comms::RadioGrid>(spec_.comms.radio_range_m);
            rebuild_radio();
            break;
        }
    }
    const std::size_t params = trains(spec_.protocol) ? spec_.model.parameters() : spec_.values;
    bank_ = ModelBank(n, params);
    if (spec_.protocol != ProtocolKind::kPushPull) {
        next_ = ModelBank(n, params);  // push-pull averages in place
    }
    weight_.assign(n, 1.0);
    online_.assign(n, 1);
    byzantine_.assign(n, 0);
    honest_.assign(n, 1);
    counters_.assign(n, {});
    messages_.resize(n);
    messages_.set_lanes(lanes(n));
    // Byzantine agents: a seeded random subset of the attack fraction
    if (spec_.attack.kind != AttackKind::kNone && spec_.attack.fraction > 0.0) {
        const auto f = static_cast<std::uint32_t>(std::floor(spec_.attack.fraction * n + 0.5));
        std::vector<std::uint32_t> ids(n);
        for (std::uint32_t i = 0; i < n; ++i) {
            ids[i] = i;
        }
        sim::RandomStream rng(spec_.seed, 0, kTagRoles);
        for (std::uint32_t i = 0; i < f; ++i) {
            std::swap(ids[i], ids[i + rng.below(n - i)]);
            byzantine_[ids[i]] = 1;
            honest_[ids[i]] = 0;
        }
        alie_z_ = spec_.attack.z > 0.0 ? spec_.attack.z : alie_z(n, f);
    }
    if (spec_.identity.sign) {
        keys_ = std::make_unique<KeyDirectory>(n, spec_.seed);
    }
    if (trains(spec_.protocol)) {
        // every agent starts from the same model, as after a common initialisation
        sim::RandomStream rng(spec_.seed, 0, kTagInit);
        std::vector<float> w0(params);
        init_weights(spec_.model, w0, rng);
        for (std::uint32_t i = 0; i < n; ++i) {
            std::copy(w0.begin(), w0.end(), bank_.row(i).begin());
        }
        global_ = w0;
    }
}

LearningSim::~LearningSim() = default;

AgentCounters LearningSim::agent_counters(std::uint32_t i) const {
    const comms::MessageTotals m = messages_.agent(i);
    const LearningCounters& c = counters_[i];
    AgentCounters a;
    a.bytes_sent = m.bytes_sent;
    a.bytes_received = m.bytes_received;
    a.messages_sent = m.messages_sent;
    a.messages_received = m.messages_received;
    a.dropped = m.dropped;
    a.lost = c.lost;
    a.late = c.late;
    a.unreachable = c.unreachable;
    a.rejected_unsigned = c.rejected_unsigned;
    a.rejected_forged = c.rejected_forged;
    a.rejected_unknown = c.rejected_unknown;
    a.rejected_tampered = c.rejected_tampered;
    a.rejected_replayed = c.rejected_replayed;
    a.delay_s = c.delay_s;
    return a;
}

AgentCounters LearningSim::totals() const {
    AgentCounters t;
    for (std::uint32_t i = 0; i < spec_.agents; ++i) {
        t += agent_counters(i);
    }
    return t;
}

void LearningSim::churn() {
    if (spec_.churn.leave <= 0.0 && spec_.churn.join <= 0.0) {
        return;
    }
    parallel(executor_, spec_.agents, [&](std::size_t i) {
        auto rng = stream(spec_.seed, static_cast<std::uint32_t>(i), kTagChurn, round_);
        const double u = rng.uniform();
        if (online_[i] != 0) {
            online_[i] = u < spec_.churn.leave ? 0 : 1;
        } else {
            online_[i] = u < spec_.churn.join ? 1 : 0;
        }
    });
}

void LearningSim::train_local() {
    const auto& ts = spec_.train;
    parallel(executor_, spec_.agents, [&](std::size_t i) {
        if (online_[i] == 0 || partition_[i].empty()) {
            return;
        }
        thread_local Scratch scratch;
        thread_local std::vector<std::uint32_t> rows;
        for (std::uint32_t s = 0; s < ts.local_steps; ++s) {
            sample_batch(spec_.seed, static_cast<std::uint32_t>(i), round_, s, partition_[i],
                         ts.batch, rows);
            sgd_step(spec_.model, bank_.row(i), *train_, rows, ts.learning_rate, scratch);
        }
    });
}

std::uint32_t LearningSim::random_peer_slot(std::uint32_t i) const {
    auto peer = stream(spec_.seed, i, kTagPeer, round_);
    return static_cast<std::uint32_t>(peer.below(overlay_.degree(i)));
}

std::uint32_t LearningSim::random_peer(std::uint32_t i) const {
    return overlay_.neighbour(i, random_peer_slot(i));
}

void LearningSim::move() {
    const double step = spec_.radio.speed_mps * spec_.period_s;
    const double side = spec_.radio.area_m;
    parallel(executor_, spec_.agents, [&](std::size_t a) {
        const auto i = static_cast<std::uint32_t>(a);
        auto rng = stream(spec_.seed, i, kTagMove, round_ + 1);
        if (rng.bernoulli(spec_.radio.turn)) {
            heading_[i] = rng.uniform(0.0, 6.283185307179586);
        }
        auto reflect = [side](double v) {
            v = std::fmod(std::fabs(v), 2.0 * side);
            return v > side ? 2.0 * side - v : v;
        };
        positions_[i].x = reflect(positions_[i].x + step * std::cos(heading_[i]));
        positions_[i].y = reflect(positions_[i].y + step * std::sin(heading_[i]));
    });
}

void LearningSim::rebuild_radio() {
    grid_->rebuild(positions_, conditions_, online_);
    overlay_ = Overlay::from_graph(grid_->graph());
}

void LearningSim::step() {
    if (!initial_known_) {
        initial_consensus_ = current_consensus();
        initial_known_ = true;
    }
    churn();
    if (grid_) {
        move();
        rebuild_radio();
    }
    switch (spec_.protocol) {
        case ProtocolKind::kPushPull:
            push_pull();
            break;
        case ProtocolKind::kPushSum:
            push_sum();
            break;
        case ProtocolKind::kDpsgd:
            train_local();
            mix(true);
            break;
        case ProtocolKind::kGossipLearning:
            train_local();
            mix(false);
            break;
        case ProtocolKind::kFedAvg:
            fedavg();
            break;
        case ProtocolKind::kLocal:
            train_local();
            break;
    }
    ++round_;
}

void LearningSim::run() {
    while (round_ < spec_.rounds) {
        step();
        if (round_ % spec_.eval_every == 0 || round_ == spec_.rounds) {
            record();
        }
    }
}

std::vector<float> LearningSim::estimate(std::uint32_t agent) const {
    const auto r = bank_.row(agent);
    std::vector<float> e(r.begin(), r.end());
    if (spec_.protocol == ProtocolKind::kPushSum) {
        for (auto& v : e) {
            v = static_cast<float>(double(v) / weight_[agent]);
        }
    }
    return e;
}

double LearningSim::current_consensus() const {
    if (spec_.protocol == ProtocolKind::kPushSum) {
        const std::uint32_t n = spec_.agents;
        ModelBank est(n, bank_.parameters());
        for (std::uint32_t i = 0; i < n; ++i) {
            const auto e = estimate(i);
            std::copy(e.begin(), e.end(), est.row(i).begin());
        }
        return consensus_distance(est, honest_);
    }
    return consensus_distance(bank_, honest_);
}

double LearningSim::divergence_threshold() const {
    const double start = std::isfinite(initial_consensus_) ? initial_consensus_ : 0.0;
    return std::max(spec_.divergence_bound, start);
}

void LearningSim::check_divergence(RoundMetrics& m) {
    const std::uint32_t n = spec_.agents;
    std::vector<unsigned char> bad(n, 0);
    parallel(executor_, n, [&](std::size_t i) {
        if (honest_[i] == 0) {
            return;
        }
        for (const float v : bank_.row(i)) {
            if (!std::isfinite(v)) {
                bad[i] = 1;
                return;
            }
        }
        if (spec_.protocol == ProtocolKind::kPushSum && !(weight_[i] > 0.0)) {
            bad[i] = 1;  // an estimate s / w without weight
        }
    });
    m.nonfinite_agents = static_cast<std::uint32_t>(std::count(bad.begin(), bad.end(), 1));
    m.nonfinite_global =
        spec_.protocol == ProtocolKind::kFedAvg &&
        std::any_of(global_.begin(), global_.end(), [](float v) { return !std::isfinite(v); });
    // local training never exchanges models: their distance says nothing about divergence
    const double bound = divergence_threshold();
    const bool far = spec_.protocol != ProtocolKind::kLocal && !(m.consensus_distance <= bound);
    m.diverged = m.nonfinite_agents > 0 || m.nonfinite_global || far;
    if (m.diverged && !divergence_.diverged) {
        divergence_.diverged = true;
        divergence_.round = m.round;
        divergence_.consensus_distance = m.consensus_distance;
        divergence_.bound = bound;
        divergence_.nonfinite_agents = m.nonfinite_agents;
        divergence_.nonfinite_global = m.nonfinite_global;
    }
}

std::string Divergence::reason() const {
    if (!diverged) {
        return "not diverged";
    }
    std::string out;
    auto add = [&out](const std::string& part) { out += (out.empty() ? "" : "; ") + part; };
    if (nonfinite_agents > 0) {
        add(std::to_string(nonfinite_agents) + " honest agents hold non-finite weights");
    }
    if (nonfinite_global) {
        add("the global model holds non-finite weights");
    }
    if (!(consensus_distance <= bound)) {
        char text[96];
        std::snprintf(text, sizeof text, "consensus distance %.4g > divergence_bound %.4g",
                      consensus_distance, bound);
        add(text);
    }
    return out;
}

const RoundMetrics& LearningSim::record() {
    const std::uint32_t n = spec_.agents;
    RoundMetrics m;
    m.round = round_;
    m.time_s = double(round_) * spec_.period_s;
    m.online = static_cast<std::uint32_t>(std::count(online_.begin(), online_.end(), 1));
    m.totals = totals();
    m.consensus_distance = current_consensus();
    if (!initial_known_) {
        initial_consensus_ = m.consensus_distance;
        initial_known_ = true;
    }
    check_divergence(m);
    if (trains(spec_.protocol) && test_ != nullptr && test_->size() > 0) {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        m.agent_loss.assign(n, nan);
        m.agent_accuracy.assign(n, nan);
        parallel(executor_, n, [&](std::size_t i) {
            if (honest_[i] == 0) {
                return;
            }
            const auto e = evaluate(spec_.model, bank_.row(i), *test_, spec_.eval_samples);
            m.agent_loss[i] = static_cast<float>(e.loss);
            m.agent_accuracy[i] = static_cast<float>(e.accuracy);
        });
        double sl = 0.0;
        double sa = 0.0;
        std::size_t h = 0;
        for (std::uint32_t i = 0; i < n; ++i) {
            if (honest_[i] != 0) {
                sl += m.agent_loss[i];
                sa += m.agent_accuracy[i];
                ++h;
            }
        }
        m.mean_loss = h > 0 ? sl / double(h) : 0.0;
        m.mean_accuracy = h > 0 ? sa / double(h) : 0.0;
        const auto avg =
            spec_.protocol == ProtocolKind::kFedAvg ? global_ : mean_row(bank_, honest_);
        const auto e = evaluate(spec_.model, avg, *test_, spec_.test_samples);
        m.model_loss = e.loss;
        m.model_accuracy = e.accuracy;
    }
    series_.push_back(std::move(m));
    return series_.back();
}

std::uint64_t LearningSim::state_hash() const {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv(h, bank_.data(), bank_.bytes());
    h = fnv(h, weight_.data(), weight_.size() * sizeof(double));
    h = fnv(h, global_.data(), global_.size() * sizeof(float));
    h = fnv(h, online_.data(), online_.size());
    for (std::uint32_t i = 0; i < spec_.agents; ++i) {
        const AgentCounters c = agent_counters(i);
        const std::uint64_t v[] = {c.bytes_sent,
                                   c.bytes_received,
                                   c.messages_sent,
                                   c.messages_received,
                                   c.dropped,
                                   c.lost,
                                   c.late,
                                   c.unreachable,
                                   c.rejected_unsigned,
                                   c.rejected_forged,
                                   c.rejected_unknown,
                                   c.rejected_tampered,
                                   c.rejected_replayed};
        h = fnv(h, v, sizeof v);
    }
    return h;
}

}  // namespace swarm::learning