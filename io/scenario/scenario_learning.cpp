#include "io/scenario/scenario_learning.hpp"

#include <string>
#include <vector>

#include "agents/fleet/model_exchanges.hpp"
#include "agents/learning/aggregators.hpp"

namespace swarm::io::detail {

namespace L = learning;

namespace {

// refuses a key that was given a value other than its default but has no effect (a
// resolved document, which writes every default out, parses again)
void inert(const Reader& r, toml::table& t, std::string_view key, const std::string& where,
           bool effect, const std::string& why, bool at_default = false) {
    const toml::node* n = t.get(key);
    if (!effect && !at_default && Reader::given(n)) {
        r.fail(*n, where + "." + std::string(key) + " has no effect " + why);
    }
}

}  // namespace

void read_learning_exchange(const Reader& r, toml::table& t, agents::FleetLearningSpec& l) {
    L::ExchangeSpec& x = l.exchange;
    x.compression.kind = L::compression_kind_from_string(
        r.choice(t, "learning", "compression", "none", {"none", "topk", "q8"}));
    x.compression.fraction = r.real(t, "learning", "topk_fraction", 0.1, 0.0, 1.0, true);
    inert(r, t, "topk_fraction", "learning", x.compression.kind == L::CompressionKind::kTopK,
          "unless learning.compression = \"topk\"", x.compression.fraction == 0.1);

    toml::table& a = r.table(t, "learning", "attack");
    r.check_keys(a, "learning.attack", {"kind", "fraction", "scale", "sigma", "z", "epsilon"});
    x.attack.kind = L::attack_kind_from_string(r.choice(
        a, "learning.attack", "kind", "none", {"none", "sign_flip", "gaussian", "alie", "ipm"}));
    const bool attacked = x.attack.kind != L::AttackKind::kNone;
    x.attack.fraction = r.real(a, "learning.attack", "fraction", 0.0, 0.0, 0.99);
    if (attacked && !(x.attack.fraction > 0.0)) {
        r.fail(*a.get("kind"),
               "learning.attack.kind = \"" + std::string(L::to_string(x.attack.kind)) +
                   "\" needs learning.attack.fraction > 0 (the share of Byzantine vehicles)");
    }
    inert(r, a, "fraction", "learning.attack", attacked || !(x.attack.fraction > 0.0),
          "without learning.attack.kind (sign_flip, gaussian, alie or ipm)");
    x.attack.scale = r.real(a, "learning.attack", "scale", 1.0, -1e6, 1e6);
    x.attack.sigma = r.real(a, "learning.attack", "sigma", 1.0, 0.0, 1e6);
    x.attack.z = r.real(a, "learning.attack", "z", 0.0, 0.0, 1e6);
    x.attack.epsilon = r.real(a, "learning.attack", "epsilon", 0.1, -1e6, 1e6);
    const std::string unless = "unless learning.attack.kind = ";
    inert(r, a, "scale", "learning.attack", x.attack.kind == L::AttackKind::kSignFlip,
          unless + "\"sign_flip\"", x.attack.scale == 1.0);
    inert(r, a, "sigma", "learning.attack", x.attack.kind == L::AttackKind::kGaussian,
          unless + "\"gaussian\"", x.attack.sigma == 1.0);
    inert(r, a, "z", "learning.attack", x.attack.kind == L::AttackKind::kAlie, unless + "\"alie\"",
          x.attack.z == 0.0);
    inert(r, a, "epsilon", "learning.attack", x.attack.kind == L::AttackKind::kIpm,
          unless + "\"ipm\"", x.attack.epsilon == 0.1);

    toml::table& g = r.table(t, "learning", "aggregator");
    r.check_keys(g, "learning.aggregator",
                 {"kind", "trim", "krum_f", "clip_quantile", "screen_factor"});
    x.aggregator.kind = L::aggregator_kind_from_string(
        r.choice(g, "learning.aggregator", "kind", "mean", L::aggregator_names()));
    x.aggregator.trim = r.real(g, "learning.aggregator", "trim", 0.2, 0.0, 0.49);
    x.aggregator.krum_f =
        static_cast<std::uint32_t>(r.integer(g, "learning.aggregator", "krum_f", 1, 0, 100'000));
    x.aggregator.clip_quantile =
        r.real(g, "learning.aggregator", "clip_quantile", 0.25, 0.0, 1.0, true);
    x.aggregator.screen_factor = r.real(g, "learning.aggregator", "screen_factor", 2.0, 1.0, 1e6);
    const std::string unless_g = "unless learning.aggregator.kind = ";
    inert(r, g, "trim", "learning.aggregator", x.aggregator.kind == L::AggregatorKind::kTrimmedMean,
          unless_g + "\"trimmed_mean\"", x.aggregator.trim == 0.2);
    inert(r, g, "krum_f", "learning.aggregator", x.aggregator.kind == L::AggregatorKind::kKrum,
          unless_g + "\"krum\"", x.aggregator.krum_f == 1);
    const bool screened = x.aggregator.kind == L::aggregator_kind_from_string("screened_clipping");
    inert(r, g, "clip_quantile", "learning.aggregator",
          x.aggregator.kind == L::AggregatorKind::kClipping || screened,
          unless_g + "\"clipping\" or \"screened_clipping\"", x.aggregator.clip_quantile == 0.25);
    inert(r, g, "screen_factor", "learning.aggregator", screened,
          unless_g + "\"screened_clipping\"", x.aggregator.screen_factor == 2.0);
    const agents::ModelExchangeInfo& how = agents::model_exchange(l.mode);
    if (x.aggregator.kind != L::AggregatorKind::kMean && how.shares && !how.server) {
        r.fail(*g.get("kind"),
               "learning.aggregator.kind = \"" + std::string(L::to_string(x.aggregator.kind)) +
                   "\" needs learning.mode = \"fedavg\": " + std::string(how.name) +
                   " averages one pair at a time, a robust aggregator combines many updates at "
                   "once (the cloud's uploads)");
    }

    toml::table& id = r.table(t, "learning", "identity");
    r.check_keys(id, "learning.identity", {"sign", "tamper_rate"});
    x.sign = r.boolean(id, "learning.identity", "sign", false);
    x.tamper_rate = r.real(id, "learning.identity", "tamper_rate", 0.0, 0.0, 1.0);

    // none of it does anything unless the vehicles exchange models
    const bool exchanges = l.learns() && how.shares;
    const std::string why =
        !l.active() ? "without [learning.congestion] or [learning.wear] enabled"
                    : "with learning.mode = \"" + std::string(agents::to_string(l.mode)) +
                          "\": the vehicles exchange no models (use gossip or fedavg)";
    inert(r, t, "compression", "learning",
          exchanges || x.compression.kind == L::CompressionKind::kNone, why);
    inert(r, a, "kind", "learning.attack", exchanges || !attacked, why);
    inert(r, g, "kind", "learning.aggregator",
          exchanges || x.aggregator.kind == L::AggregatorKind::kMean, why);
    inert(r, id, "sign", "learning.identity", exchanges || !x.sign, why);
    inert(r, id, "tamper_rate", "learning.identity", exchanges || !(x.tamper_rate > 0.0), why);
}

}  // namespace swarm::io::detail
