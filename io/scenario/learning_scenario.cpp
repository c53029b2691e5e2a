#include "io/scenario/learning_scenario.hpp"

#include <sstream>

#include "agents/learning/aggregators.hpp"
#include "io/scenario/toml_reader.hpp"

namespace swarm::io {
namespace {

using namespace detail;
namespace L = learning;

const std::vector<std::string> kTopKeys = {
    "schema_version", "description", "run",   "data",   "model",      "train",   "learning",
    "radio",          "comms",       "churn", "attack", "aggregator", "identity"};

std::vector<std::string> names_of(std::initializer_list<const char*> list) {
    return {list.begin(), list.end()};
}

LearningScenario build(toml::table& root, const std::filesystem::path& name,
                       const ScenarioOptions& o) {
    Reader r(name.string());
    begin_document(r, root, o.overrides, kTopKeys);
    LearningScenario s;
    s.source = name.string();
    L::LearningSpec& spec = s.spec;

    toml::table& run = r.table(root, "", "run");
    r.check_keys(run, "run", {"seed", "threads", "rounds", "period_s", "eval_every"});
    spec.seed = static_cast<std::uint64_t>(
        r.integer(run, "run", "seed", 1, 0, std::numeric_limits<std::int64_t>::max()));
    s.threads = static_cast<std::uint32_t>(r.integer(run, "run", "threads", 0, 0, kMaxThreads));
    spec.rounds = static_cast<std::uint32_t>(r.integer(run, "run", "rounds", 100, 1, 10'000'000));
    spec.period_s = r.real(run, "run", "period_s", 10.0, 0.0, 86400.0, true);
    spec.eval_every =
        static_cast<std::uint32_t>(r.integer(run, "run", "eval_every", 10, 1, 10'000'000));

    toml::table& data = r.table(root, "", "data");
    r.check_keys(data, "data",
                 {"source", "train_samples", "standardize", "samples", "features", "classes",
                  "spread", "noise"});
    auto& d = s.data;
    d.source = r.choice(data, "data", "source", "fashion_mnist",
                        names_of({"fashion_mnist", "blobs", "linear"}));
    d.train_samples =
        static_cast<std::uint32_t>(r.integer(data, "data", "train_samples", 0, 0, 100'000'000));
    d.standardize = r.boolean(data, "data", "standardize", true);
    d.samples =
        static_cast<std::uint32_t>(r.integer(data, "data", "samples", 10'000, 1, 10'000'000));
    d.features = static_cast<std::uint32_t>(r.integer(data, "data", "features", 10, 1, 100'000));
    d.classes = static_cast<std::uint32_t>(r.integer(data, "data", "classes", 4, 2, 1000));
    d.spread = r.real(data, "data", "spread", 0.5, 0.0, 1e6);
    d.noise = r.real(data, "data", "noise", 0.1, 0.0, 1e6);

    toml::table& model = r.table(root, "", "model");
    r.check_keys(model, "model", {"kind", "hidden"});
    const std::string default_kind = d.source == "linear" ? "linear" : "logistic";
    spec.model.kind = L::model_kind_from_string(
        r.choice(model, "model", "kind", default_kind, names_of({"linear", "logistic", "mlp"})));
    spec.model.hidden = static_cast<std::uint32_t>(r.integer(
        model, "model", "hidden", spec.model.kind == L::ModelKind::kMlp ? 32 : 0, 0, 100'000));
    if ((d.source == "linear") != (spec.model.kind == L::ModelKind::kLinear)) {
        r.fail(*model.get("kind"),
               "model.kind '" + std::string(L::to_string(spec.model.kind)) +
                   "' does not fit data.source '" + d.source +
                   "' (linear data needs a linear model, classes a classifier)");
    }
    if (spec.model.kind == L::ModelKind::kMlp && spec.model.hidden == 0) {
        r.fail(*model.get("hidden"), "model.hidden must be > 0 for an mlp");
    }

    toml::table& train = r.table(root, "", "train");
    r.check_keys(train, "train", {"learning_rate", "batch", "local_steps"});
    spec.train.learning_rate =
        static_cast<float>(r.real(train, "train", "learning_rate", 0.1, 0.0, 1e3, true));
    spec.train.batch =
        static_cast<std::uint32_t>(r.integer(train, "train", "batch", 16, 1, 1'000'000));
    spec.train.local_steps =
        static_cast<std::uint32_t>(r.integer(train, "train", "local_steps", 1, 1, 10'000));

    toml::table& l = r.table(root, "", "learning");
    r.check_keys(l, "learning",
                 {"agents", "protocol", "overlay", "degree", "rewire", "partition", "beta",
                  "shards", "alpha", "compression", "topk_fraction", "fedavg_fraction", "values",
                  "eval_samples", "test_samples", "divergence_bound"});
    spec.agents =
        static_cast<std::uint32_t>(r.integer(l, "learning", "agents", 100, 2, 10'000'000));
    spec.protocol = L::protocol_kind_from_string(r.choice(
        l, "learning", "protocol", "dpsgd",
        names_of({"push_pull", "push_sum", "dpsgd", "gossip_learning", "fedavg", "local"})));
    spec.overlay = L::overlay_kind_from_string(
        r.choice(l, "learning", "overlay", "regular",
                 names_of({"complete", "ring", "regular", "small_world", "radio"})));
    spec.degree = static_cast<std::uint32_t>(r.integer(l, "learning", "degree", 8, 1, 100'000));
    spec.rewire = r.real(l, "learning", "rewire", 0.1, 0.0, 1.0);
    spec.partition.kind = L::partition_kind_from_string(r.choice(
        l, "learning", "partition", "iid", names_of({"iid", "dirichlet", "shards", "power_law"})));
    spec.partition.beta = r.real(l, "learning", "beta", 0.5, 0.0, 1e6, true);
    spec.partition.shards =
        static_cast<std::uint32_t>(r.integer(l, "learning", "shards", 2, 1, 10'000));
    spec.partition.alpha = r.real(l, "learning", "alpha", 1.5, 0.0, 1e3, true);
    spec.compression.kind = L::compression_kind_from_string(
        r.choice(l, "learning", "compression", "none", names_of({"none", "topk", "q8"})));
    spec.compression.fraction = r.real(l, "learning", "topk_fraction", 0.1, 0.0, 1.0, true);
    spec.fedavg_fraction = r.real(l, "learning", "fedavg_fraction", 0.1, 0.0, 1.0, true);
    spec.values = static_cast<std::uint32_t>(r.integer(l, "learning", "values", 1, 1, 100'000'000));
    spec.eval_samples =
        static_cast<std::uint32_t>(r.integer(l, "learning", "eval_samples", 200, 0, 100'000'000));
    spec.test_samples =
        static_cast<std::uint32_t>(r.integer(l, "learning", "test_samples", 0, 0, 100'000'000));
    spec.divergence_bound =
        r.real(l, "learning", "divergence_bound", spec.divergence_bound, 0.0, 1e30, true);

    toml::table& radio = r.table(root, "", "radio");
    r.check_keys(radio, "radio", {"area_m", "speed_mps", "turn"});
    spec.radio.area_m = r.real(radio, "radio", "area_m", 2000.0, 0.0, 1e8, true);
    spec.radio.speed_mps = r.real(radio, "radio", "speed_mps", 10.0, 0.0, 1e4);
    spec.radio.turn = r.real(radio, "radio", "turn", 0.2, 0.0, 1.0);

    toml::table& c = r.table(root, "", "comms");
    r.check_keys(c, "comms",
                 {"radio_range_m", "radio_latency_s", "radio_bandwidth_bps", "radio_loss",
                  "cloud_rtt_s", "cloud_bandwidth_bps", "cloud_loss", "header_bytes"});
    auto& cs = spec.comms;
    cs.radio_range_m = r.real(c, "comms", "radio_range_m", cs.radio_range_m, 0.0, 1e8, true);
    cs.radio_latency_s = r.real(c, "comms", "radio_latency_s", cs.radio_latency_s, 1e-6, 3600.0);
    cs.radio_bandwidth_bps =
        r.real(c, "comms", "radio_bandwidth_bps", cs.radio_bandwidth_bps, 0.0, 1e15, true);
    cs.radio_loss = r.real(c, "comms", "radio_loss", cs.radio_loss, 0.0, 1.0);
    cs.cloud_rtt_s = r.real(c, "comms", "cloud_rtt_s", cs.cloud_rtt_s, 2e-6, 3600.0);
    cs.cloud_bandwidth_bps =
        r.real(c, "comms", "cloud_bandwidth_bps", cs.cloud_bandwidth_bps, 0.0, 1e15, true);
    cs.cloud_loss = r.real(c, "comms", "cloud_loss", cs.cloud_loss, 0.0, 1.0);
    cs.header_bytes = static_cast<std::uint32_t>(
        r.integer(c, "comms", "header_bytes", cs.header_bytes, 0, 1 << 20));

    toml::table& churn = r.table(root, "", "churn");
    r.check_keys(churn, "churn", {"leave", "join"});
    spec.churn.leave = r.real(churn, "churn", "leave", 0.0, 0.0, 1.0);
    spec.churn.join = r.real(churn, "churn", "join", 0.0, 0.0, 1.0);

    toml::table& a = r.table(root, "", "attack");
    r.check_keys(a, "attack", {"kind", "fraction", "scale", "sigma", "z", "epsilon"});
    spec.attack.kind = L::attack_kind_from_string(r.choice(
        a, "attack", "kind", "none", names_of({"none", "sign_flip", "gaussian", "alie", "ipm"})));
    spec.attack.fraction = r.real(a, "attack", "fraction", 0.0, 0.0, 0.99);
    spec.attack.scale = r.real(a, "attack", "scale", 1.0, -1e6, 1e6);
    spec.attack.sigma = r.real(a, "attack", "sigma", 1.0, 0.0, 1e6);
    spec.attack.z = r.real(a, "attack", "z", 0.0, 0.0, 1e6);
    spec.attack.epsilon = r.real(a, "attack", "epsilon", 0.1, -1e6, 1e6);

    toml::table& g = r.table(root, "", "aggregator");
    r.check_keys(g, "aggregator", {"kind", "trim", "krum_f", "clip_quantile", "screen_factor"});
    spec.aggregator.kind = L::aggregator_kind_from_string(
        r.choice(g, "aggregator", "kind", "mean", L::aggregator_names()));
    spec.aggregator.trim = r.real(g, "aggregator", "trim", 0.2, 0.0, 0.49);
    spec.aggregator.krum_f =
        static_cast<std::uint32_t>(r.integer(g, "aggregator", "krum_f", 1, 0, 100'000));
    spec.aggregator.clip_quantile = r.real(g, "aggregator", "clip_quantile", 0.25, 0.0, 1.0, true);
    spec.aggregator.screen_factor = r.real(g, "aggregator", "screen_factor", 2.0, 1.0, 1e6);

    toml::table& id = r.table(root, "", "identity");
    r.check_keys(
        id, "identity",
        {"sign", "unsigned_rate", "forged_rate", "unknown_rate", "replay_rate", "tamper_rate"});
    spec.identity.sign = r.boolean(id, "identity", "sign", false);
    spec.identity.unsigned_rate = r.real(id, "identity", "unsigned_rate", 0.0, 0.0, 1.0);
    spec.identity.forged_rate = r.real(id, "identity", "forged_rate", 0.0, 0.0, 1.0);
    spec.identity.unknown_rate = r.real(id, "identity", "unknown_rate", 0.0, 0.0, 1.0);
    spec.identity.replay_rate = r.real(id, "identity", "replay_rate", 0.0, 0.0, 1.0);
    spec.identity.tamper_rate = r.real(id, "identity", "tamper_rate", 0.0, 0.0, 1.0);

    // cross-field rules the spec checks, reported at the learning table
    if ((spec.overlay == L::OverlayKind::kRing || spec.overlay == L::OverlayKind::kSmallWorld) &&
        (spec.degree % 2 != 0 || spec.degree >= spec.agents)) {
        r.fail(*l.get("degree"), "learning.degree must be even and < agents for a " +
                                     std::string(L::to_string(spec.overlay)) + " overlay");
    }
    if (spec.overlay == L::OverlayKind::kRegular &&
        (spec.degree >= spec.agents || (std::uint64_t{spec.agents} * spec.degree) % 2 != 0)) {
        r.fail(*l.get("degree"),
               "learning.degree must be < agents and agents x degree even for "
               "a regular overlay");
    }
    std::ostringstream out;
    out << root;
    s.resolved_toml = out.str();
    return s;
}

}  // namespace

LearningScenario parse_learning_scenario(std::string_view text, const std::filesystem::path& name,
                                         const ScenarioOptions& options) {
    toml::table root = parse_document(text, name.string());
    return build(root, name, options);
}

LearningScenario load_learning_scenario(const std::filesystem::path& file,
                                        const ScenarioOptions& options) {
    return parse_learning_scenario(read_document(file), file, options);
}

LoadedData load_learning_data(LearningScenario& s) {
    LoadedData out;
    const auto& d = s.data;
    auto& spec = s.spec;
    if (!L::trains(spec.protocol)) {
        return out;  // averaging protocols need no data
    }
    if (d.source == "fashion_mnist") {
        out.train = L::load_fashion_mnist(true);
        out.test = L::load_fashion_mnist(false);
        if (d.train_samples > 0) {
            out.train = out.train.head(d.train_samples);
        }
    } else if (d.source == "blobs") {
        const L::Dataset all = L::make_blobs(std::size_t{d.samples} + d.samples / 5 + 1, d.features,
                                             d.classes, d.spread, spec.seed);
        out.train = all.head(d.samples);
        out.test = all;
        out.test.x.erase(
            out.test.x.begin(),
            out.test.x.begin() + static_cast<long>(std::size_t{d.samples} * d.features));
        out.test.labels.erase(out.test.labels.begin(), out.test.labels.begin() + d.samples);
    } else {
        const L::Dataset all = L::make_linear_data(std::size_t{d.samples} + d.samples / 5 + 1,
                                                   d.features, d.noise, spec.seed);
        out.train = all.head(d.samples);
        out.test = all;
        out.test.x.erase(
            out.test.x.begin(),
            out.test.x.begin() + static_cast<long>(std::size_t{d.samples} * d.features));
        out.test.y.erase(out.test.y.begin(), out.test.y.begin() + d.samples);
    }
    if (d.standardize) {
        const auto st = L::Standardizer::fit(out.train);
        st.apply(out.train);
        st.apply(out.test);
    }
    spec.model.inputs = out.train.features;
    spec.model.outputs = out.train.classes > 0 ? out.train.classes : out.train.targets;
    return out;
}

}  // namespace swarm::io
