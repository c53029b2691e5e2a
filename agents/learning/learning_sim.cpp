#include "agents/learning/learning_sim.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "agents/comms/radio_grid.hpp"
#include "agents/learning/robust.hpp"

namespace swarm::learning {
namespace {

// substreams: one per purpose, so adding draws to one never shifts another
enum Tag : std::uint32_t {
    kTagInit = 0x4C00,
    kTagChurn,
    kTagBatch,
    kTagPeer,
    kTagLoss,
    kTagAttack,
    kTagIntruder,
    kTagRoles,
    kTagFedAvg,
    kTagMove,
};

// the stream of (agent, purpose) in a round: each round owns 2^32 draws
sim::RandomStream stream(std::uint64_t seed, std::uint32_t agent, Tag tag, std::uint32_t round) {
    return {seed, agent, tag, std::uint64_t{round} << 32};
}

constexpr std::size_t kChunk = 64;

// ticks of the comms model (delays are compared with the round period in seconds)
constexpr sim::TimeScale kTime{};

// fn(i) for i in [0, n) on the executor, in chunks of kChunk agents
template <class Fn>
void parallel(sim::Executor& ex, std::size_t n, Fn&& fn) {
    sim::for_each_range(ex, n, kChunk, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            fn(i);
        }
    });
}

constexpr std::uint32_t kNoBucket = ~std::uint32_t{0};

// Stable counting sort of the indices i with key[i] != kNoBucket by key (< buckets):
// bucket b holds order[start[b] .. start[b + 1]), indices ascending.
void bucket_sort(std::span<const std::uint32_t> key, std::uint32_t buckets,
                 std::vector<std::uint32_t>& start, std::vector<std::uint32_t>& order) {
    start.assign(std::size_t{buckets} + 1, 0);
    for (const std::uint32_t k : key) {
        if (k != kNoBucket) {
            ++start[k + 1];
        }
    }
    for (std::uint32_t b = 0; b < buckets; ++b) {
        start[b + 1] += start[b];
    }
    order.resize(start[buckets]);
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (std::uint32_t i = 0; i < key.size(); ++i) {
        if (key[i] != kNoBucket) {
            order[fill[key[i]]++] = i;
        }
    }
}

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
    for (double r : {identity.unsigned_rate, identity.forged_rate, identity.unknown_rate}) {
        if (!(r >= 0.0 && r <= 1.0)) {
            throw std::invalid_argument("learning: intruder rates must be in [0, 1]");
        }
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

// Push-pull averaging. Agents initiate in index order; op k is the exchange of initiator
// i with a random neighbour. Ops touching disjoint agents commute, so op k goes into layer
// 1 + max(layer of the last op on either agent); layers run in order, the ops of a layer
// in parallel: the result equals the sequential loop bit for bit.
void LearningSim::push_pull() {
    const std::uint32_t n = spec_.agents;
    const std::size_t p = bank_.parameters();
    const bool coded = spec_.compression.kind != CompressionKind::kNone;
    const std::uint64_t payload = spec_.compression.payload_bytes(p);
    const comms::LinkModel channel(spec_.comms, kTime);
    const double delay = kTime.to_seconds(channel.delay(comms::Link::kRadio, payload));
    const bool in_time = delay <= spec_.period_s;
    const std::uint64_t wire = channel.wire_bytes(payload);
    struct Op {
        std::uint32_t i, j;
        bool push, pull;  // delivered in time
    };
    std::vector<Op> ops(n);
    std::vector<unsigned char> active(n, 0);
    parallel(executor_, n, [&](std::size_t a) {
        const auto i = static_cast<std::uint32_t>(a);
        if (online_[i] == 0 || overlay_.degree(i) == 0) {
            return;
        }
        const std::uint32_t j = random_peer(i);
        auto loss = stream(spec_.seed, i, kTagLoss, round_);
        const bool push = !channel.lost(comms::Link::kRadio, 0.0, loss) && in_time;
        const bool pull = !channel.lost(comms::Link::kRadio, 0.0, loss) && in_time;
        ops[i] = {i, j, push, push && pull};
        active[i] = 1;
    });
    // layers (sequential, O(n) integer work)
    std::vector<std::uint32_t> last(n, 0);
    std::vector<std::uint32_t> layer_of(n, 0);
    std::uint32_t layers = 0;
    for (std::uint32_t k = 0; k < n; ++k) {
        if (active[k] == 0) {
            continue;
        }
        const auto& op = ops[k];
        if (online_[op.j] == 0) {
            ++counters_[op.i].unreachable;
            messages_.record_send(op.i, wire);
            messages_.record_drop(op.i);
            active[k] = 0;
            continue;
        }
        const std::uint32_t l = std::max(last[op.i], last[op.j]) + 1;
        last[op.i] = last[op.j] = l;
        layer_of[k] = l;
        layers = std::max(layers, l);
    }
    std::vector<std::uint32_t> start;
    std::vector<std::uint32_t> order;
    for (std::uint32_t k = 0; k < n; ++k) {
        layer_of[k] = active[k] != 0 ? layer_of[k] : kNoBucket;
    }
    bucket_sort(layer_of, layers + 1, start, order);
    for (std::uint32_t l = 1; l <= layers; ++l) {
        const std::uint32_t from = start[l];
        const std::size_t count = start[l + 1] - from;
        parallel(executor_, count, [&](std::size_t q) {
            // rows are 4 bytes x p apart at random: fetch the next pair's while averaging
            if (q + 2 < count) {
                const Op& ahead = ops[order[from + q + 2]];
                const float* a = bank_.row(ahead.i).data();
                const float* b = bank_.row(ahead.j).data();
                for (std::size_t k = 0; k < p; k += 16) {
                    __builtin_prefetch(a + k, 1);
                    __builtin_prefetch(b + k, 1);
                }
            }
            const Op& op = ops[order[from + q]];
            auto& ci = counters_[op.i];
            auto& cj = counters_[op.j];
            messages_.record_send(op.i, wire);
            if (!op.push) {
                ++ci.lost;
                messages_.record_drop(op.i);
                return;
            }
            messages_.record_receive(op.j, wire);
            cj.delay_s += delay;
            messages_.record_send(op.j, wire);
            if (!op.pull) {
                ++cj.lost;
                messages_.record_drop(op.j);
            } else {
                messages_.record_receive(op.i, wire);
                ci.delay_s += delay;
            }
            auto xi = bank_.row(op.i);
            auto xj = bank_.row(op.j);
            if (coded) {
                // each side averages with what it decoded of the other's message
                thread_local std::vector<std::uint8_t> bi, bj;
                thread_local std::vector<float> vi, vj;
                encode(spec_.compression, xi, bi);
                encode(spec_.compression, xj, bj);
                vi.assign(xj.begin(), xj.end());  // j's view of i's model
                vj.assign(xi.begin(), xi.end());  // i's view of j's model
                decode(spec_.compression, bi, vi);
                decode(spec_.compression, bj, vj);
                for (std::size_t k = 0; k < p; ++k) {
                    const float a = xi[k];
                    xj[k] = 0.5F * (xj[k] + vi[k]);
                    if (op.pull) {
                        xi[k] = 0.5F * (a + vj[k]);
                    }
                }
                return;
            }
            float* __restrict a = xi.data();
            float* __restrict b = xj.data();
            if (op.pull) {
                for (std::size_t k = 0; k < p; ++k) {
                    const float m = 0.5F * (a[k] + b[k]);
                    a[k] = m;
                    b[k] = m;
                }
            } else {
                for (std::size_t k = 0; k < p; ++k) {
                    b[k] = 0.5F * (a[k] + b[k]);
                }
            }
        });
    }
}

// Push-sum: every online agent keeps half of (s, w) and sends half to a random neighbour.
// Lost halves are lost mass. Receivers add their inbox in sender order.
void LearningSim::push_sum() {
    const std::uint32_t n = spec_.agents;
    const std::size_t p = bank_.parameters();
    const comms::LinkModel channel(spec_.comms, kTime);
    const std::uint64_t payload = p * 4 + 8;  // values and the weight (as a double)
    const double delay = kTime.to_seconds(channel.delay(comms::Link::kRadio, payload));
    const std::uint64_t wire = channel.wire_bytes(payload);
    std::vector<std::uint32_t> target(n, n);  // n: nothing delivered
    parallel(executor_, n, [&](std::size_t a) {
        const auto i = static_cast<std::uint32_t>(a);
        if (online_[i] == 0 || overlay_.degree(i) == 0) {
            return;
        }
        const std::uint32_t j = random_peer(i);
        auto loss = stream(spec_.seed, i, kTagLoss, round_);
        auto& c = counters_[i];
        messages_.record_send(i, wire);
        if (channel.lost(comms::Link::kRadio, 0.0, loss) || delay > spec_.period_s) {
            ++c.lost;
            messages_.record_drop(i);
        } else if (online_[j] == 0) {
            ++c.unreachable;
            messages_.record_drop(i);
        } else {
            target[i] = j;
        }
        // keep half (exact in binary floating point)
        for (auto& v : bank_.row(i)) {
            v *= 0.5F;
        }
        weight_[i] *= 0.5;
    });
    // inbox per receiver, senders in increasing order
    for (auto& t : target) {
        t = t < n ? t : kNoBucket;
    }
    std::vector<std::uint32_t> start;
    std::vector<std::uint32_t> inbox;
    bucket_sort(target, n, start, inbox);
    // the halves sent are what senders now hold (they kept an equal half)
    std::copy(bank_.data(), bank_.data() + n * p, next_.data());
    std::vector<double> sent_w(weight_);
    parallel(executor_, n, [&](std::size_t a) {
        const auto j = static_cast<std::uint32_t>(a);
        auto dst = bank_.row(j);
        for (std::uint32_t q = start[j]; q < start[j + 1]; ++q) {
            const auto i = inbox[q];
            const auto src = next_.row(i);
            for (std::size_t k = 0; k < p; ++k) {
                dst[k] += src[k];
            }
            weight_[j] += sent_w[i];
            messages_.record_receive(j, wire);
            counters_[j].delay_s += delay;
        }
    });
}

void LearningSim::compute_honest_stats() {
    const std::size_t p = bank_.parameters();
    honest_mean_ = mean_row(bank_, honest_);
    honest_std_.assign(p, 0.0F);
    std::vector<double> acc(p, 0.0);
    std::size_t m = 0;
    for (std::uint32_t i = 0; i < spec_.agents; ++i) {
        if (honest_[i] == 0) {
            continue;
        }
        const auto r = bank_.row(i);
        for (std::size_t k = 0; k < p; ++k) {
            const double d = double(r[k]) - honest_mean_[k];
            acc[k] += d * d;
        }
        ++m;
    }
    for (std::size_t k = 0; k < p; ++k) {
        honest_std_[k] =
            static_cast<float>(std::sqrt(acc[k] / double(std::max<std::size_t>(m, 1))));
    }
}

// Model exchange for D-PSGD (to every neighbour, Metropolis-Hastings weights) and gossip
// learning (to one random neighbour, equal weights with the receiver's own model).
void LearningSim::mix(bool all_neighbours) {
    const std::uint32_t n = spec_.agents;
    const std::size_t p = bank_.parameters();
    const comms::LinkModel channel(spec_.comms, kTime);
    const std::uint64_t payload = spec_.compression.payload_bytes(p);
    const std::uint64_t wire = channel.wire_bytes(payload) + (keys_ ? 64 : 0);
    const double delay =
        kTime.to_seconds(channel.delay(comms::Link::kRadio, payload + (keys_ ? 64 : 0)));
    const bool in_time = delay <= spec_.period_s;
    const bool coded = spec_.compression.kind != CompressionKind::kNone || keys_ != nullptr;
    const bool attacked = spec_.attack.kind != AttackKind::kNone;
    if (attacked) {
        compute_honest_stats();
    }
    // what each agent sends this round (Byzantine agents: the crafted model)
    std::vector<float> crafted;
    std::vector<std::uint8_t> payloads(coded ? std::size_t{n} * payload : 0);
    std::vector<Signature> signatures(keys_ ? n : 0);
    std::vector<Verdict> verdicts(n, Verdict::kAccepted);
    if (attacked) {
        crafted.assign(std::size_t{n} * p, 0.0F);
    }
    parallel(executor_, n, [&](std::size_t a) {
        const auto i = static_cast<std::uint32_t>(a);
        if (online_[i] == 0) {
            return;
        }
        std::span<const float> send = bank_.row(i);
        if (byzantine_[i] != 0) {
            auto rng = stream(spec_.seed, i, kTagAttack, round_);
            std::span<float> out(crafted.data() + a * p, p);
            craft_attack(spec_.attack, alie_z_, honest_mean_, honest_std_, rng, out);
            send = out;
        }
        if (coded) {
            thread_local std::vector<std::uint8_t> buf;
            encode(spec_.compression, send, buf);
            std::copy(buf.begin(), buf.end(), payloads.begin() + static_cast<long>(a * payload));
            if (keys_) {
                const std::span<const std::uint8_t> bytes(payloads.data() + a * payload, payload);
                signatures[i] = keys_->sign(i, round_, bytes);
                // identical bytes and signature reach every receiver: verify once
                verdicts[i] = keys_->verify(i, round_, bytes, &signatures[i]);
            }
        }
    });
    // delivery of each directed edge (sender draws, in neighbour order)
    std::vector<unsigned char> delivered(overlay_.edges(), 0);
    parallel(executor_, n, [&](std::size_t a) {
        const auto i = static_cast<std::uint32_t>(a);
        if (online_[i] == 0 || overlay_.degree(i) == 0) {
            return;
        }
        auto loss = stream(spec_.seed, i, kTagLoss, round_);
        auto& c = counters_[i];
        auto send_to = [&](std::uint32_t k) {
            const auto j = overlay_.neighbour(i, k);
            messages_.record_send(i, wire);
            const bool lost = channel.lost(comms::Link::kRadio, 0.0, loss);
            if (online_[j] == 0 || lost || !in_time) {
                ++(online_[j] == 0 ? c.unreachable : lost ? c.lost : c.late);
                messages_.record_drop(i);
            } else {
                delivered[overlay_.edge(i, k)] = 1;
            }
        };
        if (all_neighbours) {
            for (std::uint32_t k = 0; k < overlay_.degree(i); ++k) {
                send_to(k);
            }
        } else {
            send_to(random_peer_slot(i));
        }
    });
    // receivers verify, decode and aggregate into next_
    const KeyPair outsider = keys_ ? derive_key_pair(~spec_.seed, 0) : KeyPair{};
    parallel(executor_, n, [&](std::size_t a) {
        const auto j = static_cast<std::uint32_t>(a);
        auto own = bank_.row(j);
        auto out = next_.row(j);
        if (online_[j] == 0) {
            std::copy(own.begin(), own.end(), out.begin());
            return;
        }
        thread_local std::vector<float> received;
        thread_local std::vector<float> weights;
        thread_local AggregatorScratch scratch;
        thread_local std::vector<std::uint8_t> junk;
        received.resize(std::size_t{overlay_.degree(j) + 1} * p);
        weights.clear();
        auto& c = counters_[j];
        std::size_t m = 0;
        const double dj = overlay_.degree(j);
        auto accept = [&](Verdict v) {
            switch (v) {
                case Verdict::kAccepted:
                    return true;
                case Verdict::kUnsigned:
                    ++c.rejected_unsigned;
                    break;
                case Verdict::kForged:
                    ++c.rejected_forged;
                    break;
                case Verdict::kUnknown:
                    ++c.rejected_unknown;
                    break;
            }
            return false;
        };
        for (std::uint32_t k = 0; k < overlay_.degree(j); ++k) {
            if (delivered[overlay_.reverse(j, k)] == 0) {
                continue;
            }
            const auto i = overlay_.neighbour(j, k);
            messages_.record_receive(j, wire);
            c.delay_s += delay;
            if (keys_ && !accept(verdicts[i])) {
                continue;
            }
            std::span<float> slot(received.data() + m * p, p);
            if (coded) {
                std::copy(own.begin(), own.end(), slot.begin());
                decode(spec_.compression, {payloads.data() + std::size_t{i} * payload, payload},
                       slot);
            } else {
                const auto src = byzantine_[i] != 0 ? std::span<const float>(
                                                          crafted.data() + std::size_t{i} * p, p)
                                                    : std::span<const float>(bank_.row(i));
                std::copy(src.begin(), src.end(), slot.begin());
            }
            const double di = overlay_.degree(i);
            weights.push_back(all_neighbours ? static_cast<float>(1.0 / (1.0 + std::max(di, dj)))
                                             : 0.0F);
            ++m;
        }
        // outsiders try to inject a poisoned update (large random weights)
        const auto& id = spec_.identity;
        if (id.unsigned_rate > 0.0 || id.forged_rate > 0.0 || id.unknown_rate > 0.0) {
            auto rng = stream(spec_.seed, j, kTagIntruder, round_);
            const double kinds[3] = {id.unsigned_rate, id.forged_rate, id.unknown_rate};
            for (int kind = 0; kind < 3; ++kind) {
                if (!rng.bernoulli(kinds[kind])) {
                    continue;
                }
                received.resize(std::max(received.size(), (m + 1) * p));
                std::span<float> slot(received.data() + m * p, p);
                for (std::size_t q = 0; q < p; ++q) {
                    slot[q] = static_cast<float>(rng.normal(0.0, 10.0));
                }
                messages_.record_receive(j, wire);
                if (keys_) {
                    encode(spec_.compression, slot, junk);
                    const std::uint32_t claimed = kind == 2 ? n + j : overlay_.neighbour(j, 0);
                    const Signature sig = sign_update(outsider.secret_key, claimed, round_, junk);
                    if (!accept(keys_->verify(claimed, round_, junk, kind == 0 ? nullptr : &sig))) {
                        continue;
                    }
                }
                weights.push_back(all_neighbours ? static_cast<float>(1.0 / (1.0 + dj + 1.0))
                                                 : 0.0F);
                ++m;
            }
        }
        if (!all_neighbours) {
            std::fill(weights.begin(), weights.end(), static_cast<float>(1.0 / double(m + 1)));
        }
        aggregate(spec_.aggregator, own, {received.data(), m * p}, m, weights, out, scratch);
    });
    std::swap(bank_, next_);
}

// FedAvg through the cloud link: sampled agents download the global model, train, upload;
// the server combines what arrives (weighted by data size, or the robust aggregator).
void LearningSim::fedavg() {
    const std::uint32_t n = spec_.agents;
    const std::size_t p = bank_.parameters();
    const comms::LinkModel channel(spec_.comms, kTime);
    const std::uint64_t payload = spec_.compression.payload_bytes(p);
    const std::uint64_t wire = channel.wire_bytes(payload);
    const double delay = kTime.to_seconds(channel.delay(comms::Link::kCloud, payload));
    const bool in_time = 2.0 * delay <= spec_.period_s;
    const bool attacked = spec_.attack.kind != AttackKind::kNone;
    std::vector<unsigned char> chosen(n, 0);
    std::vector<unsigned char> uploaded(n, 0);
    parallel(executor_, n, [&](std::size_t a) {
        const auto i = static_cast<std::uint32_t>(a);
        auto rng = stream(spec_.seed, i, kTagFedAvg, round_);
        auto loss = stream(spec_.seed, i, kTagLoss, round_);
        const bool pick = rng.bernoulli(spec_.fedavg_fraction);
        const bool down = !channel.lost(comms::Link::kCloud, 0.0, loss);
        const bool up = !channel.lost(comms::Link::kCloud, 0.0, loss);
        if (!pick || online_[i] == 0) {
            return;
        }
        auto& c = counters_[i];
        if (!down || !in_time) {
            ++(down ? c.late : c.lost);
            return;
        }
        // the download is counted at the agent (the cloud is not an agent)
        messages_.record_receive(i, wire);
        c.delay_s += delay;
        chosen[i] = 1;
        messages_.record_send(i, wire);
        if (up) {
            uploaded[i] = 1;
        } else {
            ++c.lost;
            messages_.record_drop(i);
        }
        std::copy(global_.begin(), global_.end(), bank_.row(i).begin());
    });
    // participants train from the global model (train_local skips the others)
    std::vector<unsigned char> saved(online_);
    for (std::uint32_t i = 0; i < n; ++i) {
        online_[i] = chosen[i];
    }
    train_local();
    online_ = saved;
    if (attacked) {
        compute_honest_stats();
    }
    std::vector<float> received;
    std::vector<float> weights;
    double total = 0.0;
    std::size_t uploaders = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        if (uploaded[i] != 0) {
            total += double(partition_[i].size());
            ++uploaders;
        }
    }
    std::size_t m = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        if (uploaded[i] == 0) {
            continue;
        }
        received.resize((m + 1) * p);
        std::span<float> slot(received.data() + m * p, p);
        if (byzantine_[i] != 0) {
            auto rng = stream(spec_.seed, i, kTagAttack, round_);
            craft_attack(spec_.attack, alie_z_, honest_mean_, honest_std_, rng, slot);
        } else {
            const auto r = bank_.row(i);
            std::copy(r.begin(), r.end(), slot.begin());
        }
        if (spec_.compression.kind != CompressionKind::kNone) {
            std::vector<std::uint8_t> buf;
            encode(spec_.compression, slot, buf);
            std::copy(global_.begin(), global_.end(), slot.begin());
            decode(spec_.compression, buf, slot);
        }
        // by data size; equal shares if the uploaders hold no data at all
        weights.push_back(static_cast<float>(total > 0.0 ? double(partition_[i].size()) / total
                                                         : 1.0 / double(uploaders)));
        ++m;
    }
    if (m == 0) {
        return;  // nothing arrived: the global model stays
    }
    std::vector<float> out(p);
    AggregatorScratch scratch;
    if (spec_.aggregator.kind == AggregatorKind::kMean) {
        // the server's own (old) model gets weight 0: plain FedAvg
        aggregate(spec_.aggregator, global_, received, m, weights, out, scratch);
    } else {
        std::fill(weights.begin(), weights.end(), static_cast<float>(1.0 / double(m + 1)));
        aggregate(spec_.aggregator, global_, received, m, weights, out, scratch);
    }
    global_ = out;
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

const RoundMetrics& LearningSim::record() {
    const std::uint32_t n = spec_.agents;
    RoundMetrics m;
    m.round = round_;
    m.time_s = double(round_) * spec_.period_s;
    m.online = static_cast<std::uint32_t>(std::count(online_.begin(), online_.end(), 1));
    m.totals = totals();
    if (spec_.protocol == ProtocolKind::kPushSum) {
        ModelBank est(n, bank_.parameters());
        for (std::uint32_t i = 0; i < n; ++i) {
            const auto e = estimate(i);
            std::copy(e.begin(), e.end(), est.row(i).begin());
        }
        m.consensus_distance = consensus_distance(est, honest_);
    } else {
        m.consensus_distance = consensus_distance(bank_, honest_);
    }
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
                                   c.rejected_unknown};
        h = fnv(h, v, sizeof v);
    }
    return h;
}

}  // namespace swarm::learning
