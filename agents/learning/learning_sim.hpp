// The learning driver: a deterministic round loop (one round every period_s of simulated
// time). Work inside a round runs on the injected executor in phases whose results do not
// depend on scheduling: per-agent work writes only that agent's state, random draws come
// from per-(agent, purpose, round) streams, and pairwise averaging is split into layers of
// disjoint pairs that reproduce the sequential order exactly. Hence bit-identical results
// for any thread count.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agents/comms/conditions.hpp"
#include "agents/comms/counters.hpp"
#include "agents/comms/radio_grid.hpp"
#include "agents/learning/dataset.hpp"
#include "agents/learning/identity.hpp"
#include "agents/learning/learning_spec.hpp"
#include "agents/learning/model_bank.hpp"
#include "agents/learning/overlay.hpp"
#include "agents/learning/partition.hpp"
#include "agents/learning/update_exchange.hpp"
#include "sim/executor.hpp"

namespace swarm::learning {

// Everything counted for one agent (or summed over agents), cumulative over the run.
// Received messages include rejected ones (they arrived); accepted = received - rejected.
struct AgentCounters {
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t messages_sent = 0;
    std::uint64_t messages_received = 0;
    std::uint64_t dropped = 0;  // lost + late + unreachable
    std::uint64_t lost = 0;
    std::uint64_t late = 0;
    std::uint64_t unreachable = 0;
    std::uint64_t rejected_unsigned = 0;
    std::uint64_t rejected_forged = 0;
    std::uint64_t rejected_unknown = 0;
    std::uint64_t rejected_tampered = 0;
    std::uint64_t rejected_replayed = 0;
    double delay_s = 0.0;

    [[nodiscard]] std::uint64_t rejected() const {
        return rejected_unsigned + rejected_forged + rejected_unknown + rejected_tampered +
               rejected_replayed;
    }
    AgentCounters& operator+=(const AgentCounters& o);
};

// One point of the metrics time series.
struct RoundMetrics {
    std::uint32_t round = 0;  // rounds completed
    double time_s = 0.0;
    std::uint32_t online = 0;
    double mean_loss = 0.0;              // mean over honest agents of their own model's test loss
    double mean_accuracy = 0.0;          // ... and accuracy (eval_samples test samples each)
    double model_loss = 0.0;             // the average honest model (FedAvg: the global model)
    double model_accuracy = 0.0;         //   on test_samples test samples
    double consensus_distance = 0.0;     // (1/m) sum ||x_i - xbar||^2 over honest agents
    std::uint32_t nonfinite_agents = 0;  // honest agents holding a NaN or infinite weight
    bool nonfinite_global = false;       // FedAvg: the global model does
    bool diverged = false;               // non-finite weights or consensus above the bound
    AgentCounters totals;                // summed over agents, cumulative
    std::vector<float> agent_loss;       // per agent (NaN for Byzantine agents)
    std::vector<float> agent_accuracy;   // per agent (NaN for Byzantine agents)
};

// The first evaluation at which the run was found diverged (LearningSpec::divergence_bound).
struct Divergence {
    bool diverged = false;
    std::uint32_t round = 0;  // rounds completed at that evaluation
    double consensus_distance = 0.0;
    double bound = 0.0;  // the bound that applied
    std::uint32_t nonfinite_agents = 0;
    bool nonfinite_global = false;
    // one line: what was seen, e.g. "consensus distance 237 > bound 100"
    [[nodiscard]] std::string reason() const;
};

class LearningSim {
  public:
    // train/test may be null for the averaging protocols (push_pull, push_sum); the
    // datasets and the executor must outlive the simulation. std::invalid_argument for a
    // bad spec or missing data.
    LearningSim(const LearningSpec& spec, const Dataset* train, const Dataset* test,
                sim::Executor& executor);
    ~LearningSim();
    LearningSim(const LearningSim&) = delete;
    LearningSim& operator=(const LearningSim&) = delete;
    LearningSim(LearningSim&&) = delete;
    LearningSim& operator=(LearningSim&&) = delete;

    const LearningSpec& spec() const { return spec_; }
    const Overlay& overlay() const { return overlay_; }
    const Partition& partition() const { return partition_; }
    // models (push-sum: the value sums s_i); set initial values here before the first step
    ModelBank& models() { return bank_; }
    const ModelBank& models() const { return bank_; }
    // push-sum weights w_i (start at 1)
    const std::vector<double>& weights() const { return weight_; }
    std::span<const unsigned char> online() const { return online_; }
    // radio overlay only: where the agents are now
    std::span<const world::Point> positions() const { return positions_; }
    std::span<const unsigned char> byzantine() const { return byzantine_; }
    std::span<const unsigned char> honest() const { return honest_; }
    const std::vector<float>& global_model() const { return global_; }  // FedAvg
    const comms::MessageCounters& messages() const { return messages_; }
    AgentCounters agent_counters(std::uint32_t agent) const;
    AgentCounters totals() const;
    std::uint32_t round() const { return round_; }

    // one round
    void step();
    // all spec.rounds rounds, recording metrics every eval_every rounds and at the end
    void run();
    // metrics now (evaluates models when data is present) and appends them to series()
    const RoundMetrics& record();
    const std::vector<RoundMetrics>& series() const { return series_; }
    // the first diverged evaluation, if any (checked by record())
    const Divergence& divergence() const { return divergence_; }
    // the consensus distance above which an evaluation counts as diverged
    double divergence_threshold() const;

    // the model each honest agent would use: push-sum s_i / w_i, otherwise its row
    std::vector<float> estimate(std::uint32_t agent) const;
    // FNV-1a over models, weights, online flags and counters: equal runs, equal hashes
    std::uint64_t state_hash() const;

  private:
    // a uniformly random neighbour of i this round (its index in i's list, or its id)
    std::uint32_t random_peer_slot(std::uint32_t i) const;
    std::uint32_t random_peer(std::uint32_t i) const;
    void churn();
    void move();
    void rebuild_radio();
    void train_local();
    void push_pull();
    void exchange_coded(std::uint32_t i, std::uint32_t j, bool pull, bool push_tampered,
                        bool pull_tampered, std::uint64_t wire, double delay, std::size_t lane);
    void push_sum();
    void mix(bool all_neighbours);
    void fedavg();
    void compute_honest_stats();
    double current_consensus() const;
    void check_divergence(RoundMetrics& m);

    LearningSpec spec_;
    const Dataset* train_;
    const Dataset* test_;
    sim::Executor& executor_;
    Overlay overlay_;
    // radio overlay: positions, headings, the neighbour grid and (for now fixed) conditions
    std::vector<world::Point> positions_;
    std::vector<double> heading_;
    std::unique_ptr<comms::RadioGrid> grid_;
    comms::CommsConditions conditions_;
    Partition partition_;
    ModelBank bank_;
    ModelBank next_;
    std::vector<double> weight_;
    std::vector<float> global_;
    std::vector<unsigned char> online_;
    std::vector<unsigned char> byzantine_;
    std::vector<unsigned char> honest_;
    comms::MessageCounters messages_;
    std::vector<LearningCounters> counters_;
    std::vector<RoundMetrics> series_;
    std::unique_ptr<KeyDirectory> keys_;
    std::vector<float> honest_mean_;
    std::vector<float> honest_std_;
    double alie_z_ = 0.0;
    std::uint32_t round_ = 0;
    // the consensus distance before the first round (averaging protocols start spread out)
    double initial_consensus_ = 0.0;
    bool initial_known_ = false;
    Divergence divergence_;
    // replays (identity.replay_rate): each agent's last update as an outsider recorded it
    std::vector<std::uint8_t> replay_payloads_;
    std::vector<Signature> replay_signatures_;
    std::vector<std::uint32_t> replay_round_;
};

// The rows agent `agent` trains on in SGD step `step` of round `round`: `batch` draws with
// replacement from its partition (exposed so that tests can replay them centrally).
void sample_batch(std::uint64_t seed, std::uint32_t agent, std::uint32_t round, std::uint32_t step,
                  std::span<const std::uint32_t> local, std::uint32_t batch,
                  std::vector<std::uint32_t>& out);

}  // namespace swarm::learning
