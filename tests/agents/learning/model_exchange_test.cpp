// The exchange stack hosts drive themselves (agents/learning/model_exchange.*, the fleet's):
// the plain and the coded pairwise average agree, signatures reject tampered updates while
// unsigned ones take the poison, Byzantine uploads drag FedAvg's mean but not a robust
// aggregator, aggregators are found by name (aggregators.hpp), and an exchange's state goes
// into a checkpoint and out again.
#include "agents/learning/model_exchange.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "agents/learning/aggregators.hpp"
#include "sim/state_archive.hpp"

using namespace swarm;
using namespace swarm::learning;

namespace {

// two banks (two parts of every update) of n agents, values near 1 (agent a: 1 + a / 100)
struct Banks {
    ModelBank a;
    ModelBank b;
    explicit Banks(std::uint32_t n) : a(n, 5), b(n, 3) {
        for (std::uint32_t i = 0; i < n; ++i) {
            for (ModelBank* bank : {&a, &b}) {
                for (std::size_t k = 0; k < bank->parameters(); ++k) {
                    bank->row(i)[k] = 1.0F + 0.01F * static_cast<float>(i) + 0.001F * float(k);
                }
            }
        }
    }
    [[nodiscard]] std::vector<float> all() const {
        std::vector<float> v(a.data(), a.data() + a.agents() * a.parameters());
        v.insert(v.end(), b.data(), b.data() + b.agents() * b.parameters());
        return v;
    }
};

struct Run {
    Banks banks;
    ModelExchange x;
    Run(const ExchangeSpec& spec, std::uint32_t n) : banks(n), x(spec, n, 7) {
        x.add_part(banks.a);
        x.add_part(banks.b);
        x.begin_round(1);
    }
};

}  // namespace

TEST_CASE("exchange: the coded push-pull equals the plain pairwise average when lossless") {
    Run plain({}, 4);
    ExchangeSpec signed_spec;
    signed_spec.sign = true;
    Run coded(signed_spec, 4);
    for (Run* r : {&plain, &coded}) {
        const PairOutcome o = r->x.push_pull(0, 1, true);
        CHECK(o.replied);
        CHECK(o.pulled);
        const PairOutcome half = r->x.push_pull(2, 3, false);  // the reply was lost
        CHECK(half.replied);
        CHECK(!half.pulled);
    }
    CHECK(plain.banks.all() == coded.banks.all());
    // 0 and 1 hold their average, 3 the average with 2's, 2 its own
    CHECK(plain.banks.a.row(0)[0] == doctest::Approx(1.005));
    CHECK(plain.banks.a.row(1)[0] == plain.banks.a.row(0)[0]);
    CHECK(plain.banks.a.row(3)[0] == doctest::Approx(1.025));
    CHECK(plain.banks.a.row(2)[0] == doctest::Approx(1.02));
    CHECK(coded.x.rejected() == 0);
    CHECK(coded.x.payload_bytes() == (5 + 3) * 4 + kSignatureBytes);
    CHECK(plain.x.payload_bytes() == (5 + 3) * 4);
}

TEST_CASE("exchange: signed updates reject tampering, unsigned ones take the poison") {
    ExchangeSpec spec;
    spec.tamper_rate = 1.0;
    spec.sign = true;
    Run guarded(spec, 2);
    const std::vector<float> before = guarded.banks.all();
    const PairOutcome o = guarded.x.push_pull(0, 1, true);
    CHECK(!o.replied);  // 1 rejected 0's push and did not reply
    CHECK(guarded.banks.all() == before);
    CHECK(guarded.x.counters(1).rejected_tampered == 1);
    CHECK(guarded.x.rejected() == 1);
    CHECK(guarded.x.tampered() == 1);

    spec.sign = false;
    Run open(spec, 2);
    const PairOutcome p = open.x.push_pull(0, 1, true);
    CHECK(p.replied);
    CHECK(p.pulled);
    CHECK(open.x.rejected() == 0);
    CHECK(open.x.tampered() == 2);
    // N(0, 10^2) weights averaged in: far from the honest values near 1
    double off = 0.0;
    for (const float v : open.banks.a.row(1)) {
        off = std::max(off, std::fabs(double(v) - 1.0));
    }
    CHECK(off > 1.0);
}

TEST_CASE("exchange: Byzantine uploads drag FedAvg's mean, not a robust aggregator") {
    const std::uint32_t n = 10;
    std::vector<std::uint32_t> all(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        all[i] = i;
    }
    const std::vector<double> equal(2 * n, 1.0);
    const auto global_after = [&](const char* aggregator, double fraction) {
        ExchangeSpec spec;
        spec.attack.kind = fraction > 0.0 ? AttackKind::kSignFlip : AttackKind::kNone;
        spec.attack.fraction = fraction;
        spec.attack.scale = 10.0;
        spec.aggregator.kind = aggregator_kind_from_string(aggregator);
        Run r(spec, n);
        CHECK(r.x.byzantine_count() == static_cast<std::uint32_t>(std::lround(fraction * n)));
        std::vector<std::uint32_t> took;
        r.x.federated(all, equal, all, took);
        CHECK(took.size() == n);
        return r.banks.a.row(0)[0];  // every download carries the server's model
    };
    const float clean = global_after("mean", 0.0);
    CHECK(clean == doctest::Approx(1.045));   // the mean of 1.00 ... 1.09
    CHECK(global_after("mean", 0.2) < 0.0F);  // 8 honest near 1, 2 at -10
    for (const char* robust : {"median", "trimmed_mean", "krum", "geometric_median"}) {
        CAPTURE(robust);
        CHECK(std::fabs(global_after(robust, 0.2) - 1.04) < 0.1);
    }
}

TEST_CASE("exchange: a signed server rejects tampered uploads, vehicles tampered downloads") {
    const std::uint32_t n = 6;
    const std::vector<std::uint32_t> all = {0, 1, 2, 3, 4, 5};
    const std::vector<double> equal(2 * n, 1.0);
    ExchangeSpec spec;
    spec.sign = true;
    spec.tamper_rate = 1.0;
    Run r(spec, n);
    const std::vector<float> before = r.banks.all();
    std::vector<std::uint32_t> took;
    r.x.federated(all, equal, all, took);
    CHECK(took.empty());  // nothing accepted: no model to hand out
    CHECK(r.banks.all() == before);
    CHECK(r.x.counters(n).rejected_tampered == n);  // counted at the server
    // half the messages altered: what the server accepts is averaged, the rest rejected
    spec.tamper_rate = 0.5;
    Run h(spec, n);
    h.x.federated(all, equal, all, took);
    CHECK(h.x.tampered() > 0);
    CHECK(h.x.rejected() == h.x.tampered());
}

TEST_CASE("aggregators: registered by name, the geometric median resists an outlier") {
    const std::vector<std::string> names = aggregator_names();
    REQUIRE(names.size() >= 6);
    for (std::size_t i = 0; i < names.size(); ++i) {
        CHECK(static_cast<std::size_t>(aggregator_kind_from_string(names[i])) == i);
        CHECK(to_string(static_cast<AggregatorKind>(i)) == names[i]);
    }
    CHECK(std::string(to_string(AggregatorKind::kKrum)) == "krum");
    try {
        (void)aggregator_kind_from_string("average");
        FAIL("accepted an unknown aggregator");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("geometric_median") != std::string::npos);
    }
    AggregatorSpec spec;
    spec.kind = aggregator_kind_from_string("geometric_median");
    const std::vector<float> own = {1.0F, 1.0F};
    const std::vector<float> rx = {0.9F, 1.1F, 1.1F, 0.9F, 1.0F, 1.0F, 100.0F, -100.0F};
    std::vector<float> out(2);
    AggregatorScratch scratch;
    aggregate(spec, own, rx, 4, std::vector<float>(4, 0.2F), out, scratch);
    CHECK(out[0] == doctest::Approx(1.0).epsilon(0.05));
    CHECK(out[1] == doctest::Approx(1.0).epsilon(0.05));
}

namespace {

// banks and exchange into one archive, as a host saves them
sim::StateArchive save_run(const Run& r) {
    sim::StateArchive ar;
    {
        const auto s = ar.scope("a");
        r.banks.a.save(ar);
    }
    {
        const auto s = ar.scope("b");
        r.banks.b.save(ar);
    }
    const auto s = ar.scope("exchange");
    r.x.save(ar);
    return ar;
}

void load_run(Run& r, const sim::StateArchive& ar) {
    {
        const auto s = ar.scope("a");
        r.banks.a.load(ar);
    }
    {
        const auto s = ar.scope("b");
        r.banks.b.load(ar);
    }
    const auto s = ar.scope("exchange");
    r.x.load(ar);
}

// rounds [first, last) of push-pull over a ring and FedAvg with everyone
void rounds(Run& r, std::uint32_t n, std::uint32_t first, std::uint32_t last) {
    std::vector<std::uint32_t> all(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        all[i] = i;
    }
    const std::vector<double> equal(2 * n, 1.0);
    std::vector<std::uint32_t> took;
    for (std::uint32_t k = first; k < last; ++k) {
        r.x.begin_round(k);
        for (std::uint32_t i = 0; i < n; ++i) {
            (void)r.x.push_pull(i, (i + k) % n == i ? (i + 1) % n : (i + k) % n, i % 3 != 0);
        }
        r.x.federated(all, equal, all, took);
    }
}

}  // namespace

TEST_CASE("exchange: a loaded exchange continues exactly as the original") {
    const std::uint32_t n = 10;
    ExchangeSpec spec;
    spec.sign = true;
    spec.tamper_rate = 0.2;
    spec.compression.kind = CompressionKind::kTopK;
    spec.compression.fraction = 0.5;
    spec.attack.kind = AttackKind::kGaussian;
    spec.attack.fraction = 0.2;
    spec.aggregator.kind = aggregator_kind_from_string("median");
    Run original(spec, n);
    rounds(original, n, 2, 7);
    const sim::StateArchive saved = save_run(original);
    CHECK(saved.has("exchange/global"));
    CHECK(saved.has("exchange/counters/rejected_tampered"));
    Run loaded(spec, n);
    load_run(loaded, saved);
    CHECK(save_run(loaded).checksum() == saved.checksum());
    CHECK(loaded.x.rejected() == original.x.rejected());
    CHECK(loaded.x.tampered() == original.x.tampered());
    CHECK(original.x.rejected() > 0);
    // the server's model and the counters carry on: the same models, counts and bytes after
    rounds(original, n, 7, 10);
    rounds(loaded, n, 7, 10);
    CHECK(loaded.banks.all() == original.banks.all());
    CHECK(save_run(loaded).checksum() == save_run(original).checksum());
    // an exchange of other agents does not load
    Run other(spec, n - 1);
    CHECK_THROWS_AS(load_run(other, saved), sim::CheckpointError);
    CHECK_THROWS_WITH_AS(
        [&] {
            const auto s = saved.scope("exchange");
            other.x.load(saved);
        }(),
        "checkpoint field 'exchange/counters/lost' holds 11 elements; this run has 10",
        sim::CheckpointError);
}
