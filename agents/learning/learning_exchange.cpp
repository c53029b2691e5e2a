// The model exchanges of the round loop: push-pull, push-sum, D-PSGD / gossip-learning
// mixing and FedAvg (split from learning_sim.cpp, which holds setup, the loop and metrics).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "agents/learning/learning_internal.hpp"
#include "agents/learning/learning_sim.hpp"
#include "agents/learning/robust.hpp"

namespace swarm::learning {

using namespace detail;

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

}  // namespace swarm::learning
