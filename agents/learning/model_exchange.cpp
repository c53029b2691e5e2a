#include "agents/learning/model_exchange.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "agents/learning/learning_internal.hpp"
#include "sim/state_archive.hpp"

namespace swarm::learning {

void ExchangeSpec::validate() const {
    compression.validate();
    attack.validate();
    aggregator.validate();
    if (!(tamper_rate >= 0.0 && tamper_rate <= 1.0)) {
        throw std::invalid_argument("exchange: tamper_rate must be in [0, 1]");
    }
    if (attack.kind != AttackKind::kNone && !(attack.fraction > 0.0 && attack.fraction < 1.0)) {
        throw std::invalid_argument("exchange: an attack needs a fraction of attackers in (0, 1)");
    }
    if (attack.kind == AttackKind::kNone && attack.fraction > 0.0) {
        throw std::invalid_argument("exchange: attackers (fraction > 0) need an attack kind");
    }
}

ModelExchange::ModelExchange(const ExchangeSpec& spec, std::uint32_t agents, std::uint64_t seed)
    : spec_(spec), agents_(agents), seed_(seed) {
    spec_.validate();
    if (agents == 0) {
        throw std::invalid_argument("exchange: no agents");
    }
    byzantine_.assign(agents, 0);
    honest_.assign(agents, 1);
    counters_.assign(std::size_t{agents} + 1, {});
    if (spec_.attacked()) {
        // a seeded random subset, as LearningSim draws it
        const auto f = static_cast<std::uint32_t>(
            std::min<double>(std::floor(spec_.attack.fraction * agents + 0.5), agents));
        std::vector<std::uint32_t> ids(agents);
        for (std::uint32_t i = 0; i < agents; ++i) {
            ids[i] = i;
        }
        sim::RandomStream rng = stream(0, detail::kTagRoles);
        for (std::uint32_t i = 0; i < f; ++i) {
            std::swap(ids[i], ids[i + rng.below(agents - i)]);
            byzantine_[ids[i]] = 1;
            honest_[ids[i]] = 0;
        }
        attackers_ = f;
        alie_z_ = spec_.attack.z > 0.0 ? spec_.attack.z : alie_z(agents, f);
    }
    if (spec_.sign) {
        keys_ = std::make_unique<KeyDirectory>(agents + 1, seed);  // the server is the last
    }
}

ModelExchange::~ModelExchange() = default;

void ModelExchange::add_part(ModelBank& bank) {
    if (bank.agents() != agents_ || banks_.size() == Views{}.size()) {
        throw std::invalid_argument("exchange: a part needs one row per agent (at most 4 parts)");
    }
    banks_.push_back(&bank);
    const std::span<const float> first = bank.row(0);
    global_.insert(global_.end(), first.begin(), first.end());
    parameters_ += bank.parameters();
    if (spec_.attacked()) {
        crafted_.assign(std::size_t{agents_} * parameters_, 0.0F);
    }
}

sim::RandomStream ModelExchange::stream(std::uint32_t agent, std::uint32_t tag,
                                        std::uint64_t extra) const {
    return {seed_, agent, tag, (std::uint64_t{round_} << 32) | extra};
}

UpdateParts ModelExchange::rows(std::uint32_t a, Views& out, bool crafted) {
    if (crafted) {
        return flat({crafted_.data() + std::size_t{a} * parameters_, parameters_}, out);
    }
    for (std::size_t k = 0; k < banks_.size(); ++k) {
        out[k] = banks_[k]->row(a);
    }
    return {out.data(), banks_.size()};
}

UpdateParts ModelExchange::flat(std::span<float> v, Views& out) const {
    std::size_t at = 0;
    for (std::size_t k = 0; k < banks_.size(); ++k) {
        out[k] = v.subspan(at, banks_[k]->parameters());
        at += banks_[k]->parameters();
    }
    return {out.data(), banks_.size()};
}

std::size_t ModelExchange::payload_bytes() const {
    std::size_t bytes = spec_.sign ? kSignatureBytes : 0;
    for (const ModelBank* b : banks_) {
        bytes += spec_.compression.payload_bytes(b->parameters());
    }
    return bytes;
}

std::uint64_t ModelExchange::rejected() const {
    std::uint64_t n = 0;
    for (const LearningCounters& c : counters_) {
        n += c.rejected();
    }
    return n;
}

void ModelExchange::begin_round(std::uint32_t round) {
    round_ = round;
    if (!spec_.attacked()) {
        return;
    }
    // omniscient attackers: mean and spread of the honest models, part by part
    std::size_t at = 0;
    for (const ModelBank* bank : banks_) {
        const std::size_t p = bank->parameters();
        const std::vector<float> mean = mean_row(*bank, honest_);
        std::vector<double> acc(p, 0.0);
        std::size_t m = 0;
        for (std::uint32_t i = 0; i < agents_; ++i) {
            if (honest_[i] == 0) {
                continue;
            }
            const std::span<const float> r = bank->row(i);
            for (std::size_t k = 0; k < p; ++k) {
                const double d = double(r[k]) - mean[k];
                acc[k] += d * d;
            }
            ++m;
        }
        std::vector<float> sd(p);
        for (std::size_t k = 0; k < p; ++k) {
            sd[k] = static_cast<float>(std::sqrt(acc[k] / double(std::max<std::size_t>(m, 1))));
        }
        for (std::uint32_t i = 0; i < agents_; ++i) {
            if (byzantine_[i] != 0) {
                // one stream per attacker and round, parts in order
                sim::RandomStream rng = stream(i, detail::kTagAttack, at);
                craft_attack(spec_.attack, alie_z_, mean, sd, rng,
                             {crafted_.data() + std::size_t{i} * parameters_ + at, p});
            }
        }
        at += p;
    }
}

PairOutcome ModelExchange::push_pull(std::uint32_t i, std::uint32_t j, bool pull) {
    Views xi{}, xj{}, si{}, sj{};
    bool push_tampered = false;
    bool pull_tampered = false;
    if (spec_.tamper_rate > 0.0) {
        sim::RandomStream tamper = stream(i, detail::kTagTamper);
        push_tampered = tamper.bernoulli(spec_.tamper_rate);
        pull_tampered = tamper.bernoulli(spec_.tamper_rate);
    }
    sim::RandomStream poison_rng = stream(i, detail::kTagPoison);
    const PairWire wire{&spec_.compression, keys_.get(), round_, spec_.coded()};
    const PairOutcome o =
        exchange_pair(wire, i, j, rows(i, xi), rows(j, xj), rows(i, si, byzantine_[i] != 0),
                      rows(j, sj, byzantine_[j] != 0), pull, push_tampered, pull_tampered,
                      poison_rng, counters_[i], counters_[j]);
    tampered_ += (push_tampered ? 1U : 0U) + (o.replied && pull && pull_tampered ? 1U : 0U);
    return o;
}

void ModelExchange::federated(std::span<const std::uint32_t> uploads,
                              std::span<const double> weights,
                              std::span<const std::uint32_t> downloads,
                              std::vector<std::uint32_t>& took) {
    const std::size_t p = parameters_;
    const bool coded = spec_.coded();
    LearningCounters& server = counters_[agents_];
    Views v{}, w{};
    // the uploads the server accepts, decoded, one row each
    std::vector<float> received;
    std::vector<std::uint32_t> accepted;
    std::vector<std::uint8_t> bytes;
    std::vector<float> fake;
    for (const std::uint32_t a : uploads) {
        const UpdateParts send = rows(a, v, byzantine_[a] != 0);
        const std::size_t m = accepted.size();
        received.resize((m + 1) * p);
        const std::span<float> slot(received.data() + m * p, p);
        if (!coded) {
            flatten(send, fake);
            std::copy(fake.begin(), fake.end(), slot.begin());
            accepted.push_back(a);
            continue;
        }
        encode_update(spec_.compression, send, bytes);
        Signature sig{};
        if (keys_) {
            sig = keys_->sign(a, round_, bytes);
        }
        bool altered = false;
        if (spec_.tamper_rate > 0.0) {
            altered = stream(a, detail::kTagTamper).bernoulli(spec_.tamper_rate);
        }
        if (altered) {
            ++tampered_;
            fake.resize(p);
            sim::RandomStream poison_rng = stream(a, detail::kTagPoison);
            poison(poison_rng, fake);
            encode_update(spec_.compression, flat(fake, w), bytes);
        }
        if (keys_ &&
            !accept_update(server, keys_->verify_fresh(a, round_, round_, bytes, &sig), altered)) {
            continue;
        }
        std::copy(global_.begin(), global_.end(), slot.begin());  // top-k: silent = server's
        decode_update(spec_.compression, flat(slot, w), bytes, slot);
        accepted.push_back(a);
    }
    const std::size_t m = accepted.size();
    if (m == 0) {
        return;  // nothing arrived: no new model to hand out
    }
    std::vector<float> out(p);
    if (spec_.aggregator.kind == AggregatorKind::kMean) {
        // weighted by the host's weights, part by part, accumulated in double in upload order
        std::size_t at = 0;
        for (std::size_t part = 0; part < banks_.size(); ++part) {
            const std::size_t np = banks_[part]->parameters();
            std::vector<double> sum(np, 0.0);
            double total = 0.0;
            for (std::size_t q = 0; q < m; ++q) {
                const double wq = weights[part * agents_ + accepted[q]];
                const float* r = received.data() + q * p + at;
                for (std::size_t k = 0; k < np; ++k) {
                    sum[k] += wq * static_cast<double>(r[k]);
                }
                total += wq;
            }
            for (std::size_t k = 0; k < np; ++k) {
                out[at + k] = static_cast<float>(sum[k] / total);
            }
            at += np;
        }
    } else {
        // the server's model is one candidate among m + 1, equal weights
        const std::vector<float> equal(m, static_cast<float>(1.0 / double(m + 1)));
        AggregatorScratch scratch;
        std::vector<float> part_rows;
        std::size_t at = 0;
        for (std::size_t part = 0; part < banks_.size(); ++part) {
            const std::size_t np = banks_[part]->parameters();
            part_rows.resize(m * np);
            for (std::size_t q = 0; q < m; ++q) {
                std::copy_n(received.begin() + static_cast<long>(q * p + at), np,
                            part_rows.begin() + static_cast<long>(q * np));
            }
            aggregate(spec_.aggregator, {global_.data() + at, np}, part_rows, m, equal,
                      {out.data() + at, np}, scratch);
            at += np;
        }
    }
    global_ = out;
    // downloads: the server's model, signed once (every receiver gets the same bytes)
    Signature server_sig{};
    Verdict verdict = Verdict::kAccepted;
    std::vector<std::uint8_t> global_bytes;
    if (coded) {
        encode_update(spec_.compression, flat(global_, w), global_bytes);
        if (keys_) {
            server_sig = keys_->sign(agents_, round_, global_bytes);
            verdict = keys_->verify_fresh(agents_, round_, round_, global_bytes, &server_sig);
        }
    }
    for (const std::uint32_t a : downloads) {
        const UpdateParts own = rows(a, v);
        if (!coded) {
            std::size_t at = 0;
            for (const std::span<float> part : own) {
                std::copy_n(global_.begin() + static_cast<long>(at), part.size(), part.begin());
                at += part.size();
            }
            took.push_back(a);
            continue;
        }
        std::span<const std::uint8_t> msg = global_bytes;
        bool altered = false;
        if (spec_.tamper_rate > 0.0) {
            sim::RandomStream tamper = stream(a, detail::kTagTamper);
            (void)tamper.bernoulli(spec_.tamper_rate);  // the upload's draw
            altered = tamper.bernoulli(spec_.tamper_rate);
        }
        if (altered) {
            ++tampered_;
            fake.resize(p);
            sim::RandomStream poison_rng = stream(a, detail::kTagPoison, std::uint64_t{1} << 31);
            poison(poison_rng, fake);
            encode_update(spec_.compression, flat(fake, w), bytes);
            msg = bytes;
        }
        if (keys_ &&
            !accept_update(
                counters_[a],
                altered ? keys_->verify_fresh(agents_, round_, round_, msg, &server_sig) : verdict,
                altered)) {
            continue;  // keeps its own models
        }
        flatten(own, fake);
        decode_update(spec_.compression, own, msg, fake);
        std::size_t at = 0;
        for (const std::span<float> part : own) {
            std::copy_n(fake.begin() + static_cast<long>(at), part.size(), part.begin());
            at += part.size();
        }
        took.push_back(a);
    }
}

namespace {

// LearningCounters field by field (an analyst reads each as one array over the agents)
template <class F>
void counter_fields(F&& f) {
    f("lost", &LearningCounters::lost);
    f("late", &LearningCounters::late);
    f("unreachable", &LearningCounters::unreachable);
    f("rejected_unsigned", &LearningCounters::rejected_unsigned);
    f("rejected_forged", &LearningCounters::rejected_forged);
    f("rejected_unknown", &LearningCounters::rejected_unknown);
    f("rejected_tampered", &LearningCounters::rejected_tampered);
    f("rejected_replayed", &LearningCounters::rejected_replayed);
    f("delay_s", &LearningCounters::delay_s);
}
// a field added to LearningCounters must be added above
static_assert(sizeof(LearningCounters) == 9 * 8);

}  // namespace

void ModelExchange::save(sim::StateArchive& ar) const {
    ar.put_value("round", round_);
    ar.put_value("tampered", tampered_);
    ar.put("global", global_);
    const auto s = ar.scope("counters");
    counter_fields([&](const char* name, auto member) {
        using T = std::remove_cvref_t<decltype(counters_[0].*member)>;
        std::vector<T> column(counters_.size());
        for (std::size_t a = 0; a < counters_.size(); ++a) {
            column[a] = counters_[a].*member;
        }
        ar.put(name, column);
    });
}

void ModelExchange::load(const sim::StateArchive& ar) {
    std::vector<float> global;
    ar.get("global", global, global_.size());
    std::vector<LearningCounters> counters(counters_.size());
    {
        const auto s = ar.scope("counters");
        counter_fields([&](const char* name, auto member) {
            using T = std::remove_cvref_t<decltype(counters[0].*member)>;
            std::vector<T> column;
            ar.get(name, column, counters.size());
            for (std::size_t a = 0; a < counters.size(); ++a) {
                counters[a].*member = column[a];
            }
        });
    }
    round_ = ar.get_value<std::uint32_t>("round");
    tampered_ = ar.get_value<std::uint64_t>("tampered");
    global_ = std::move(global);
    counters_ = std::move(counters);
}

}  // namespace swarm::learning
