// Operational learning of the fleet (docs/fleet-learning.md): the hidden world the vehicles
// learn from (a congestion field on travel times, component wear that ends in breakdowns),
// each vehicle's own observations and its two models (a travel-time regression and a
// breakdown-risk classifier, rows of two learning::ModelBanks), their training and
// averaging, and the predictions that drive routing and predictive maintenance.
//
// FleetModel owns one. Vehicle LPs call drive_edge, predicted_factors and serviced during
// windows, each touching only its own rows (take_record carries them across ranks);
// everything else runs at barriers (one round every round_s), where FleetModel supplies what
// the fleet knows (use, radio peers, cloud link).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agents/fleet/fleet_spec.hpp"
#include "agents/learning/model.hpp"
#include "agents/learning/model_bank.hpp"
#include "agents/learning/model_exchange.hpp"
#include "agents/learning/operational.hpp"
#include "sim/executor.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace swarm::sim {
class StateArchive;
}

namespace swarm::agents {

// random streams of the learning rounds (beyond any LP id and fleet_model.hpp's)
inline constexpr std::uint32_t kWearStream = 0xFFFFFF04u;           // per vehicle: wear and sensors
inline constexpr std::uint32_t kLearnStream = 0xFFFFFF05u;          // per vehicle: SGD batches
inline constexpr std::uint32_t kModelExchangeStream = 0xFFFFFF06u;  // per round: peers, losses

// Counts of a run (KPIs).
struct LearningTotals {
    std::uint64_t rounds = 0;
    std::uint64_t travel_observations = 0;  // edges driven and remembered
    std::uint64_t risk_samples = 0;         // sensor samples labelled (hindsight)
    std::uint64_t wear_breakdowns = 0;      // components that failed on the road
    std::uint64_t services_planned = 0;     // risk crossed the threshold
    std::uint64_t services = 0;             // maintenance visits finished
    std::uint64_t model_messages = 0;       // model transfers sent (gossip or cloud)
    std::uint64_t model_drops = 0;          // ... lost on the way
    std::uint64_t model_bytes = 0;          // bytes of those transfers, headers included
    std::uint64_t model_rejected = 0;       // ... that arrived and failed verification
    std::uint64_t model_tampered = 0;       // ... altered on the way (rejected or not)
};

// The last evaluation on hidden-truth samples, means over vehicles.
struct LearningMetrics {
    double risk_loss = 0.0;         // cross-entropy of the breakdown-risk model
    double risk_accuracy = 0.0;     // share of correct at/above-0.5 calls
    double travel_time_rmse = 0.0;  // of log(travel time / free-flow time)
    double consensus_risk = 0.0;    // consensus distance of the risk models
    double consensus_travel = 0.0;  // ... of the travel-time models
};

class FleetLearning {
  public:
    // per-agent values for traces and the visualizer, in value() order: the hidden wear,
    // the risk the vehicle predicts, its models' scores on hidden-truth samples, the squared
    // distance of its risk model to the fleet's mean model (their mean is the consensus
    // distance), the model bytes it has sent and the model updates it rejected (their
    // signature failed; 0 unless updates are signed)
    static constexpr std::size_t kValues = 8;
    static constexpr std::array<const char*, kValues> kValueNames = {"wear",
                                                                     "predicted_risk",
                                                                     "risk_model_loss",
                                                                     "risk_model_accuracy",
                                                                     "travel_time_rmse",
                                                                     "model_distance",
                                                                     "model_bytes_sent",
                                                                     "model_rejected"};

    // one model transfer that arrived (gossip push or pull, cloud upload or download); the
    // cloud is agent `vehicles` (its comms index is FleetModel::cloud_agent())
    struct Exchange {
        std::uint32_t from = 0;
        std::uint32_t to = 0;
        std::uint32_t bytes = 0;
    };

    // the hidden world of this run is drawn from `seed`; throws std::invalid_argument for a
    // bad spec
    FleetLearning(const FleetSpec& spec, std::uint32_t vehicles, std::uint64_t seed);

    [[nodiscard]] const FleetLearningSpec& spec() const { return spec_; }
    [[nodiscard]] bool congestion() const { return field_.has_value(); }
    [[nodiscard]] bool wear() const { return degradation_.has_value(); }

    // from vehicle v's LP as it starts ground edge e at t: the edge's true congestion
    // multiplier, one noisy draw (1 without congestion); remembered as an observation
    double drive_edge(std::uint32_t v, EdgeId e, sim::Tick t, sim::RandomStream& rng);
    // the congestion zone of every edge (RouteView::edge_class)
    [[nodiscard]] std::span<const std::uint16_t> edge_zones() const { return edge_zone_; }
    // vehicle v's predicted travel-time factor per zone at t (RouteView::class_factor),
    // written into v's own row
    [[nodiscard]] std::span<const float> predicted_factors(std::uint32_t v, sim::Tick t);

    // ---- one round, at a barrier ----
    // wear and sensing over the round ending at t: utilisation[v] in [0, 1]; vehicles with
    // running[v] == 0 (broken, in maintenance) neither wear nor sense. Appends the vehicles
    // whose component broke (it is replaced during the repair) to `broke`.
    void sense(sim::Tick t, std::span<const float> utilisation,
               std::span<const std::uint8_t> running, std::vector<std::uint32_t>& broke);
    // a few SGD steps of both models on every vehicle's memory (data-parallel over vehicles:
    // the result does not depend on the executor)
    void train(sim::Executor& executor);
    // the exchange stack (agents/learning/model_exchange.hpp): both models travel as one
    // update of two parts; call begin_exchange once a round, after train
    void begin_exchange();
    // push-pull: v's push reached u, u's reply would reach v when `pull`
    learning::PairOutcome push_pull(std::uint32_t v, std::uint32_t u, bool pull);
    // FedAvg: the uploads of `members` reached the cloud, which combines them (mean:
    // weighted by the samples behind each model) and sends its model to `receivers`
    void federated_round(std::span<const std::uint32_t> members,
                         std::span<const std::uint32_t> receivers);
    [[nodiscard]] const learning::ModelExchange& exchange() const { return *exchange_; }
    // bytes of one model transfer (both models, encoded, and the signature) before headers
    [[nodiscard]] std::uint32_t transfer_bytes() const;
    // one transfer from -> to (vehicles, or the cloud as index `vehicles`) of wire_bytes
    void count_transfer(std::uint32_t from, std::uint32_t to, std::uint32_t wire_bytes,
                        bool delivered);
    // the transfers that arrived in the latest round (the visualizer's gossip lines)
    [[nodiscard]] std::span<const Exchange> round_exchanges() const { return round_log_; }
    // keep every arrived transfer until taken (traces); off by default
    void keep_exchange_log(bool on) { keep_log_ = on; }
    void take_exchanges(std::vector<Exchange>& out);
    // vehicles among `eligible` whose predicted risk now exceeds the threshold
    void decide(std::span<const std::uint8_t> eligible, std::vector<std::uint32_t>& due);
    // the models that changed since they were last scored, on the hidden-truth samples
    // (value() and metrics())
    void evaluate(sim::Executor& executor);
    // vehicle v's component was replaced at a planned service (from v's LP)
    void serviced(std::uint32_t v);

    [[nodiscard]] std::span<const float> value(std::size_t k) const { return values_[k]; }
    [[nodiscard]] const LearningTotals& totals() const { return totals_; }
    [[nodiscard]] const LearningMetrics& metrics() const { return metrics_; }
    [[nodiscard]] const learning::ModelBank& risk_models() const { return risk_bank_; }
    [[nodiscard]] const learning::ModelBank& travel_models() const { return travel_bank_; }
    [[nodiscard]] const learning::ComponentState& component(std::uint32_t v) const {
        return component_[v];
    }
    [[nodiscard]] std::size_t memory_bytes() const;

    // ---- checkpoints (fleet_learning_state.cpp), at a barrier ----
    // Everything a run changes, under the caller's scope (FleetModel's "learning"): both
    // model banks, the memories and unlabelled samples, the components and their draws, the
    // predicted factors, scores and flags, the exchange stack's state, totals, metrics and
    // the exchange logs. Not what spec and seed make (the hidden field and wear model, edge
    // zones, evaluation sets, Byzantine roles, keys) nor keep_exchange_log (the host's).
    void save(sim::StateArchive& ar) const;
    // into a FleetLearning made from the same spec, vehicle count and seed; a checkpoint that
    // does not fit throws sim::CheckpointError naming the field (discard the object then:
    // it may be partly loaded)
    void load(const sim::StateArchive& ar);

    struct Pending {  // a sensor sample waiting for its label
        sim::Tick t;
        std::array<float, learning::DegradationModel::kSignals> x;
        bool broke;  // a breakdown followed within the horizon
    };

    // ---- across ranks (fleet_learning_replica.cpp, docs/distributed.md) ----
    // What vehicle v's LP wrote here since its last record, for the copies on other ranks:
    // during a window an LP writes only its travel-time observations (drive_edge) and, at a
    // planned service, its component, unlabelled samples and wear value (serviced). The rest
    // changes at barriers, the same on every rank; its predicted factors are scratch, redone
    // from its model before each use.
    struct TravelSample {
        float time_of_day = 0.0F;
        float target = 0.0F;
        std::uint16_t zone = 0;
        std::uint16_t unused = 0;  // no padding: records are copied byte by byte
    };
    struct VehicleRecord {
        std::uint64_t travel_count = 0;    // edges remembered ever: where the ring stands
        std::vector<TravelSample> travel;  // the slots written since the last record, in order
        std::uint8_t serviced = 0;         // serviced since the last record: the rest is set
        learning::ComponentState component;
        float wear_value = 0.0F;  // value(0)
        std::vector<Pending> pending;
    };
    // the owner: v's changes since its last record (this one, from now on)
    void take_record(std::uint32_t v, VehicleRecord& out);
    // another rank: v's record over this copy
    void apply_record(std::uint32_t v, const VehicleRecord& in);

  private:
    [[nodiscard]] double time_of_day(sim::Tick t) const;
    void remember_risk(std::uint32_t v, const Pending& p, bool broke);
    void train_one(std::uint32_t v, learning::Scratch& scratch, learning::Dataset& batch);
    void evaluate_one(std::uint32_t v);
    // the exchange's rejection and tampering counts into totals and values
    void count_exchange(std::uint32_t a, std::uint32_t b);

    FleetLearningSpec spec_;
    const world::RoadNetwork& net_;
    sim::TimeScale time_;
    double start_s_ = 0.0;  // time of day at tick 0
    std::uint64_t seed_ = 0;
    std::uint32_t vehicles_ = 0;
    world::Point origin_{};
    std::optional<learning::CongestionField> field_;
    std::optional<learning::DegradationModel> degradation_;
    std::vector<std::uint16_t> edge_zone_;
    std::uint32_t zones_ = 1;
    // models
    learning::ModelSpec travel_spec_;
    learning::ModelSpec risk_spec_;
    learning::ModelBank travel_bank_;
    learning::ModelBank risk_bank_;
    // memories, ring buffers of spec_.memory samples per vehicle
    std::vector<std::uint16_t> tt_zone_;
    std::vector<float> tt_time_;  // time of day, s
    std::vector<float> tt_target_;
    std::vector<std::uint64_t> tt_count_;  // ever observed
    std::vector<float> risk_x_;
    std::vector<std::uint8_t> risk_label_;
    std::vector<std::uint64_t> risk_count_;
    std::vector<std::vector<Pending>> pending_;
    // the hidden components
    std::vector<learning::ComponentState> component_;
    std::vector<std::uint64_t> wear_draws_;
    std::vector<float> last_utilisation_;
    std::vector<float> factors_;         // vehicles x zones
    std::vector<std::uint8_t> changed_;  // models changed since the vehicle was last scored
    // evaluation
    learning::Dataset travel_eval_;
    learning::Dataset risk_eval_;
    std::array<std::vector<float>, kValues> values_;
    std::unique_ptr<learning::ModelExchange> exchange_;
    LearningTotals totals_;
    LearningMetrics metrics_;
    std::vector<Exchange> round_log_;
    std::vector<Exchange> log_;
    bool keep_log_ = false;
    // per vehicle, since its last record (take_record): its travel count then, and whether
    // it was serviced since
    std::vector<std::uint64_t> recorded_travel_;
    std::vector<std::uint8_t> serviced_unrecorded_;
};

}  // namespace swarm::agents
