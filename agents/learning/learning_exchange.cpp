// The model exchanges of the round loop: push-pull, push-sum, D-PSGD / gossip-learning
// mixing and FedAvg (split from learning_sim.cpp, which holds setup, the loop and metrics).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "agents/learning/learning_internal.hpp"
#include "agents/learning/learning_sim.hpp"
#include "agents/learning/robust.hpp"

namespace swarm::learning {

using namespace detail;

namespace {

constexpr std::uint32_t kNever = ~std::uint32_t{0};

// a push-sum message as signed: the values (float32) then the weight (double), host order
void push_sum_bytes(std::span<const float> values, double weight, std::vector<std::uint8_t>& out) {
    out.resize(values.size() * sizeof(float) + sizeof(double));
    std::memcpy(out.data(), values.data(), values.size() * sizeof(float));
    std::memcpy(out.data() + values.size() * sizeof(float), &weight, sizeof(double));
}

}  // namespace

// Push-pull averaging. Agents initiate in index order; op k is the exchange of initiator
// i with a random neighbour. Ops touching disjoint agents commute, so op k goes into layer
// 1 + max(layer of the last op on either agent); layers run in order, the ops of a layer
// in parallel: the result equals the sequential loop bit for bit.
void LearningSim::push_pull() {
    const std::uint32_t n = spec_.agents;
    const std::size_t p = bank_.parameters();
    const double tamper_rate = spec_.identity.tamper_rate;
    const bool coded =
        spec_.compression.kind != CompressionKind::kNone || keys_ != nullptr || tamper_rate > 0.0;
    const std::uint64_t payload =
        spec_.compression.payload_bytes(p) + (keys_ ? kSignatureBytes : 0);
    const comms::LinkModel channel(spec_.comms, kTime);
    const double delay = kTime.to_seconds(channel.delay(comms::Link::kRadio, payload));
    const bool in_time = delay <= spec_.period_s;
    const std::uint64_t wire = channel.wire_bytes(payload);
    struct Op {
        std::uint32_t i, j;
        bool push, pull;                    // delivered in time
        bool push_tampered, pull_tampered;  // altered on the way
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
        ops[i] = {i, j, push, push && pull, false, false};
        if (tamper_rate > 0.0) {
            auto tamper = stream(spec_.seed, i, kTagTamper, round_);
            ops[i].push_tampered = tamper.bernoulli(tamper_rate);
            ops[i].pull_tampered = tamper.bernoulli(tamper_rate);
        }
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
            messages_.record_send(op.i, wire, comms::MessageCounters::kSerial);
            messages_.record_drop(op.i, comms::MessageCounters::kSerial);
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
            messages_.record_send(op.i, wire, lane_of(q));
            if (!op.push) {
                ++ci.lost;
                messages_.record_drop(op.i, lane_of(q));
                return;
            }
            messages_.record_receive(op.j, wire, lane_of(q));
            cj.delay_s += delay;
            auto xi = bank_.row(op.i);
            auto xj = bank_.row(op.j);
            if (coded) {
                exchange_coded(op.i, op.j, op.pull, op.push_tampered, op.pull_tampered, wire, delay,
                               lane_of(q));
                return;
            }
            messages_.record_send(op.j, wire, lane_of(q));
            if (!op.pull) {
                ++cj.lost;
                messages_.record_drop(op.j, lane_of(q));
            } else {
                messages_.record_receive(op.i, wire, lane_of(q));
                ci.delay_s += delay;
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

// One push-pull exchange on the wire: i's push reaches j (already counted), j replies
// unless it rejects the push, and each side averages with what it decoded of the other's
// message. Signed updates are verified; a tampered one fails its signature.
void LearningSim::exchange_coded(std::uint32_t i, std::uint32_t j, bool pull, bool push_tampered,
                                 bool pull_tampered, std::uint64_t wire, double delay,
                                 std::size_t lane) {
    auto& ci = counters_[i];
    auto& cj = counters_[j];
    const std::array<std::span<float>, 1> xi{bank_.row(i)};
    const std::array<std::span<float>, 1> xj{bank_.row(j)};
    const PairWire pair{&spec_.compression, keys_.get(), round_, true};
    // the attacker's weights for the push, then the pull (initiator i's stream)
    auto poison_rng = stream(spec_.seed, i, kTagPoison, round_);
    const PairOutcome o = exchange_pair(pair, i, j, xi, xj, xi, xj, pull, push_tampered,
                                        pull_tampered, poison_rng, ci, cj);
    if (!o.replied) {
        return;  // j ignored the request
    }
    messages_.record_send(j, wire, lane);
    if (!pull) {
        ++cj.lost;
        messages_.record_drop(j, lane);
    } else {
        messages_.record_receive(i, wire, lane);
        ci.delay_s += delay;
    }
}

// Push-sum: every online agent keeps half of (s, w) and sends half to a random neighbour.
// Lost halves are lost mass. Receivers add their inbox in sender order.
void LearningSim::push_sum() {
    const std::uint32_t n = spec_.agents;
    const std::size_t p = bank_.parameters();
    const comms::LinkModel channel(spec_.comms, kTime);
    // values and the weight (as a double), and the signature
    const std::uint64_t payload = p * 4 + 8 + (keys_ ? kSignatureBytes : 0);
    const double delay = kTime.to_seconds(channel.delay(comms::Link::kRadio, payload));
    const std::uint64_t wire = channel.wire_bytes(payload);
    const double tamper_rate = spec_.identity.tamper_rate;
    std::vector<std::uint32_t> target(n, n);  // n: nothing delivered
    std::vector<unsigned char> tampered(tamper_rate > 0.0 ? n : 0, 0);
    std::vector<Signature> signatures(keys_ ? n : 0);
    parallel(executor_, n, [&](std::size_t a) {
        const auto i = static_cast<std::uint32_t>(a);
        if (online_[i] == 0 || overlay_.degree(i) == 0) {
            return;
        }
        const std::uint32_t j = random_peer(i);
        auto loss = stream(spec_.seed, i, kTagLoss, round_);
        auto& c = counters_[i];
        messages_.record_send(i, wire, lane_of(a));
        if (channel.lost(comms::Link::kRadio, 0.0, loss) || delay > spec_.period_s) {
            ++c.lost;
            messages_.record_drop(i, lane_of(a));
        } else if (online_[j] == 0) {
            ++c.unreachable;
            messages_.record_drop(i, lane_of(a));
        } else {
            target[i] = j;
        }
        // keep half (exact in binary floating point)
        for (auto& v : bank_.row(i)) {
            v *= 0.5F;
        }
        weight_[i] *= 0.5;
        if (target[i] == n) {
            return;
        }
        if (keys_) {
            thread_local std::vector<std::uint8_t> bytes;
            push_sum_bytes(bank_.row(i), weight_[i], bytes);
            signatures[i] = keys_->sign(i, round_, bytes);
        }
        if (tamper_rate > 0.0) {
            auto tamper = stream(spec_.seed, i, kTagTamper, round_);
            tampered[i] = tamper.bernoulli(tamper_rate) ? 1 : 0;
        }
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
        thread_local std::vector<std::uint8_t> bytes;
        thread_local std::vector<float> fake;
        for (std::uint32_t q = start[j]; q < start[j + 1]; ++q) {
            const auto i = inbox[q];
            std::span<const float> src = next_.row(i);
            messages_.record_receive(j, wire, lane_of(a));
            counters_[j].delay_s += delay;
            const bool altered = !tampered.empty() && tampered[i] != 0;
            if (altered) {
                // the values are replaced on the way; the weight, sender and signature stay
                fake.resize(p);
                auto poison_rng = stream(spec_.seed, i, kTagPoison, round_);
                poison(poison_rng, fake);
                src = fake;
            }
            if (keys_) {
                push_sum_bytes(src, sent_w[i], bytes);
                if (!accept_update(counters_[j],
                                   keys_->verify_fresh(i, round_, round_, bytes, &signatures[i]),
                                   altered)) {
                    continue;  // the mass is lost
                }
            }
            for (std::size_t k = 0; k < p; ++k) {
                dst[k] += src[k];
            }
            weight_[j] += sent_w[i];
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
    const std::uint64_t signature = keys_ ? kSignatureBytes : 0;
    const std::uint64_t wire = channel.wire_bytes(payload) + signature;
    const double delay = kTime.to_seconds(channel.delay(comms::Link::kRadio, payload + signature));
    const bool in_time = delay <= spec_.period_s;
    const auto& id = spec_.identity;
    const bool replays = id.replay_rate > 0.0;
    const bool coded =
        spec_.compression.kind != CompressionKind::kNone || keys_ != nullptr || replays;
    const bool attacked = spec_.attack.kind != AttackKind::kNone;
    if (attacked) {
        compute_honest_stats();
    }
    if (replays && replay_round_.empty()) {
        replay_payloads_.resize(std::size_t{n} * payload);
        replay_signatures_.resize(n);
        replay_round_.assign(n, kNever);  // nothing recorded yet
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
                verdicts[i] = keys_->verify_fresh(i, round_, round_, bytes, &signatures[i]);
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
            messages_.record_send(i, wire, lane_of(a));
            const bool lost = channel.lost(comms::Link::kRadio, 0.0, loss);
            if (online_[j] == 0 || lost || !in_time) {
                ++(online_[j] == 0 ? c.unreachable : lost ? c.lost : c.late);
                messages_.record_drop(i, lane_of(a));
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
        thread_local std::vector<float> fake;
        received.resize(std::size_t{overlay_.degree(j) + 1} * p);
        weights.clear();
        auto& c = counters_[j];
        std::size_t m = 0;
        const double dj = overlay_.degree(j);
        auto tamper = stream(spec_.seed, j, kTagTamper, round_);
        auto poison_rng = stream(spec_.seed, j, kTagPoison, round_);
        for (std::uint32_t k = 0; k < overlay_.degree(j); ++k) {
            if (delivered[overlay_.reverse(j, k)] == 0) {
                continue;
            }
            const auto i = overlay_.neighbour(j, k);
            messages_.record_receive(j, wire, lane_of(a));
            c.delay_s += delay;
            std::span<float> slot(received.data() + m * p, p);
            if (id.tamper_rate > 0.0 && tamper.bernoulli(id.tamper_rate)) {
                // the weights are replaced on the way; sender id, round and signature stay
                fake.resize(p);
                poison(poison_rng, fake);
                encode(spec_.compression, fake, junk);
                if (keys_ &&
                    !accept_update(c, keys_->verify_fresh(i, round_, round_, junk, &signatures[i]),
                                   true)) {
                    continue;
                }
                std::copy(own.begin(), own.end(), slot.begin());
                decode(spec_.compression, junk, slot);
            } else if (keys_ && !accept_update(c, verdicts[i], false)) {
                continue;
            } else if (coded) {
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
        if (id.unsigned_rate > 0.0 || id.forged_rate > 0.0 || id.unknown_rate > 0.0) {
            auto rng = stream(spec_.seed, j, kTagIntruder, round_);
            const double kinds[3] = {id.unsigned_rate, id.forged_rate, id.unknown_rate};
            for (int kind = 0; kind < 3; ++kind) {
                if (!rng.bernoulli(kinds[kind])) {
                    continue;
                }
                received.resize(std::max(received.size(), (m + 1) * p));
                std::span<float> slot(received.data() + m * p, p);
                poison(rng, slot);
                messages_.record_receive(j, wire, lane_of(a));
                if (keys_) {
                    encode(spec_.compression, slot, junk);
                    const std::uint32_t claimed = kind == 2 ? n + j : overlay_.neighbour(j, 0);
                    const Signature sig = sign_update(outsider.secret_key, claimed, round_, junk);
                    if (!accept_update(c,
                                       keys_->verify_fresh(claimed, round_, round_, junk,
                                                           kind == 0 ? nullptr : &sig),
                                       false)) {
                        continue;
                    }
                }
                weights.push_back(all_neighbours ? static_cast<float>(1.0 / (1.0 + dj + 1.0))
                                                 : 0.0F);
                ++m;
            }
        }
        // an outsider replays what a random neighbour sent in an earlier round, signature
        // and all (the signed round gives it away)
        if (replays && overlay_.degree(j) > 0) {
            auto rng = stream(spec_.seed, j, kTagReplay, round_);
            const bool replay = rng.bernoulli(id.replay_rate);
            const auto i =
                overlay_.neighbour(j, static_cast<std::uint32_t>(rng.below(overlay_.degree(j))));
            if (replay && replay_round_[i] != kNever) {
                const std::span<const std::uint8_t> old(
                    replay_payloads_.data() + std::size_t{i} * payload, payload);
                messages_.record_receive(j, wire, lane_of(a));
                const bool ok =
                    !keys_ || accept_update(c,
                                            keys_->verify_fresh(i, replay_round_[i], round_, old,
                                                                &replay_signatures_[i]),
                                            false);
                if (ok) {
                    received.resize(std::max(received.size(), (m + 1) * p));
                    std::span<float> slot(received.data() + m * p, p);
                    std::copy(own.begin(), own.end(), slot.begin());
                    decode(spec_.compression, old, slot);
                    weights.push_back(all_neighbours ? static_cast<float>(1.0 / (1.0 + dj + 1.0))
                                                     : 0.0F);
                    ++m;
                }
            }
        }
        if (!all_neighbours) {
            std::fill(weights.begin(), weights.end(), static_cast<float>(1.0 / double(m + 1)));
        }
        aggregate(spec_.aggregator, own, {received.data(), m * p}, m, weights, out, scratch);
    });
    std::swap(bank_, next_);
    if (replays) {
        // what the outsider recorded this round, for later replays
        for (std::uint32_t i = 0; i < n; ++i) {
            if (online_[i] == 0) {
                continue;
            }
            std::copy_n(payloads.begin() + static_cast<long>(std::size_t{i} * payload), payload,
                        replay_payloads_.begin() + static_cast<long>(std::size_t{i} * payload));
            if (keys_) {
                replay_signatures_[i] = signatures[i];
            }
            replay_round_[i] = round_;
        }
    }
}

// FedAvg through the cloud link: sampled agents download the global model, train, upload;
// the server combines what arrives (weighted by data size, or the robust aggregator).
void LearningSim::fedavg() {
    const std::uint32_t n = spec_.agents;
    const std::size_t p = bank_.parameters();
    const comms::LinkModel channel(spec_.comms, kTime);
    const std::uint64_t payload =
        spec_.compression.payload_bytes(p) + (keys_ ? kSignatureBytes : 0);
    const std::uint64_t wire = channel.wire_bytes(payload);
    const double delay = kTime.to_seconds(channel.delay(comms::Link::kCloud, payload));
    const bool in_time = 2.0 * delay <= spec_.period_s;
    const bool attacked = spec_.attack.kind != AttackKind::kNone;
    const double tamper_rate = spec_.identity.tamper_rate;
    std::vector<unsigned char> chosen(n, 0);
    std::vector<unsigned char> uploaded(n, 0);
    std::vector<unsigned char> upload_tampered(n, 0);
    // the server signs the global model it hands out (its key is the one after the agents')
    const KeyPair server = keys_ ? derive_key_pair(spec_.seed, n) : KeyPair{};
    const CompressionSpec raw{};
    std::vector<std::uint8_t> global_bytes;
    Signature server_sig{};
    Verdict download_verdict = Verdict::kAccepted;
    if (keys_) {
        encode(raw, global_, global_bytes);
        server_sig = sign_update(server.secret_key, n, round_, global_bytes);
        // every participant gets the same bytes and signature: verified once
        download_verdict = verify_update(server.public_key, n, round_, global_bytes, &server_sig);
    }
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
        messages_.record_receive(i, wire, lane_of(a));
        c.delay_s += delay;
        bool down_tampered = false;
        if (tamper_rate > 0.0) {
            auto tamper = stream(spec_.seed, i, kTagTamper, round_);
            down_tampered = tamper.bernoulli(tamper_rate);
            upload_tampered[i] = tamper.bernoulli(tamper_rate) ? 1 : 0;
        }
        auto row = bank_.row(i);
        if (down_tampered) {
            auto poison_rng = stream(spec_.seed, i, kTagPoison, round_);
            poison(poison_rng, row);
            if (keys_) {
                thread_local std::vector<std::uint8_t> bytes;
                encode(raw, row, bytes);
                if (!accept_update(
                        c, verify_update(server.public_key, n, round_, bytes, &server_sig), true)) {
                    std::copy(global_.begin(), global_.end(), row.begin());
                    return;  // the agent sits this round out
                }
            }
        } else {
            if (!accept_update(c, download_verdict, false)) {
                return;
            }
            std::copy(global_.begin(), global_.end(), row.begin());
        }
        chosen[i] = 1;
        messages_.record_send(i, wire, lane_of(a));
        if (up) {
            uploaded[i] = 1;
        } else {
            ++c.lost;
            messages_.record_drop(i, lane_of(a));
        }
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
    std::vector<std::uint32_t> accepted;
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
        if (spec_.compression.kind != CompressionKind::kNone || keys_ || tamper_rate > 0.0) {
            std::vector<std::uint8_t> buf;
            encode(spec_.compression, slot, buf);
            Signature sig{};
            if (keys_) {
                sig = keys_->sign(i, round_, buf);
            }
            if (upload_tampered[i] != 0) {
                // the upload's own draws, after the download's in the round's substream
                sim::RandomStream poison_rng(spec_.seed, i, kTagPoison,
                                             (std::uint64_t{round_} << 32) | (1ULL << 31));
                poison(poison_rng, slot);
                encode(spec_.compression, slot, buf);
            }
            // the server's rejections are counted at the uploading agent
            if (keys_ &&
                !accept_update(counters_[i], keys_->verify_fresh(i, round_, round_, buf, &sig),
                               upload_tampered[i] != 0)) {
                continue;
            }
            std::copy(global_.begin(), global_.end(), slot.begin());
            decode(spec_.compression, buf, slot);
        }
        accepted.push_back(i);
        ++m;
    }
    if (m == 0) {
        return;  // nothing arrived: the global model stays
    }
    // by data size; equal shares if the uploaders hold no data at all
    double total = 0.0;
    for (const std::uint32_t i : accepted) {
        total += double(partition_[i].size());
    }
    for (const std::uint32_t i : accepted) {
        weights.push_back(static_cast<float>(total > 0.0 ? double(partition_[i].size()) / total
                                                         : 1.0 / double(m)));
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

}  // namespace swarm::learning
