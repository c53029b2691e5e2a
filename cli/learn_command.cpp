// `swarmsim learn SCENARIO.toml`: a decentralized-learning run (io/scenario/
// learning_scenario.hpp, docs/learning.md) with its metrics as a table, CSV or JSON.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "agents/learning/learning_sim.hpp"
#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/scenario_options.hpp"
#include "cli/validators.hpp"
#include "io/output/output_file.hpp"
#include "io/scenario/learning_scenario.hpp"
#include "sim/executor.hpp"

namespace swarm::cli {
namespace {

struct LearnOptions {
    std::string file;
    std::optional<std::size_t> threads;
    std::optional<std::uint64_t> seed;
    std::optional<std::uint32_t> rounds;
    std::vector<std::string> overrides;
    std::string csv;
    bool force = false;
    bool json = false;
};

const char* const kColumns =
    "round,time_s,online,mean_loss,mean_accuracy,model_loss,model_accuracy,"
    "consensus_distance,bytes_sent,bytes_received,messages_sent,messages_received,dropped,"
    "rejected_unsigned,rejected_forged,rejected_unknown,rejected_tampered,rejected_replayed,"
    "nonfinite_agents,diverged";

void csv_row(std::ostream& out, const learning::RoundMetrics& m) {
    const auto& t = m.totals;
    out << m.round << ',' << number(m.time_s) << ',' << m.online << ',' << number(m.mean_loss)
        << ',' << number(m.mean_accuracy) << ',' << number(m.model_loss) << ','
        << number(m.model_accuracy) << ',' << number(m.consensus_distance) << ',' << t.bytes_sent
        << ',' << t.bytes_received << ',' << t.messages_sent << ',' << t.messages_received << ','
        << t.dropped << ',' << t.rejected_unsigned << ',' << t.rejected_forged << ','
        << t.rejected_unknown << ',' << t.rejected_tampered << ',' << t.rejected_replayed << ','
        << m.nonfinite_agents << ',' << (m.diverged ? 1 : 0) << '\n';
}

// Why a loss is null in the JSON (non-finite): empty when it is a number.
std::string loss_null_reason(const learning::RoundMetrics& m) {
    if (std::isfinite(m.model_loss) && std::isfinite(m.mean_loss)) {
        return "";
    }
    if (m.nonfinite_agents > 0 || m.nonfinite_global) {
        return "non-finite weights (" + std::to_string(m.nonfinite_agents) + " honest agents" +
               (m.nonfinite_global ? ", the global model" : "") + ")";
    }
    return m.diverged ? "the loss overflows: the models diverged"
                      : "the loss overflows (weights too large for float32 logits)";
}

void json_metrics(std::ostream& out, const learning::RoundMetrics& m) {
    const auto& t = m.totals;
    out << "{\"round\": " << m.round << ", \"time_s\": " << number(m.time_s)
        << ", \"online\": " << m.online << ", \"mean_loss\": " << number(m.mean_loss)
        << ", \"mean_accuracy\": " << number(m.mean_accuracy)
        << ", \"model_loss\": " << number(m.model_loss)
        << ", \"model_accuracy\": " << number(m.model_accuracy)
        << ", \"consensus_distance\": " << number(m.consensus_distance)
        << ", \"bytes_sent\": " << t.bytes_sent << ", \"bytes_received\": " << t.bytes_received
        << ", \"messages_sent\": " << t.messages_sent
        << ", \"messages_received\": " << t.messages_received << ", \"dropped\": " << t.dropped
        << ", \"rejected_unsigned\": " << t.rejected_unsigned
        << ", \"rejected_forged\": " << t.rejected_forged
        << ", \"rejected_unknown\": " << t.rejected_unknown
        << ", \"rejected_tampered\": " << t.rejected_tampered
        << ", \"rejected_replayed\": " << t.rejected_replayed
        << ", \"nonfinite_agents\": " << m.nonfinite_agents
        << ", \"diverged\": " << (m.diverged ? "true" : "false");
    const std::string why = loss_null_reason(m);
    if (!why.empty()) {
        out << ", \"loss_null_reason\": " << quoted(std::string_view(why));
    }
    out << "}";
}

// The alarm on stderr: one block nobody can miss, also when stdout goes to a file.
void warn_divergence(const learning::LearningSim& sim, const std::string& file) {
    const auto& d = sim.divergence();
    std::cerr << "swarmsim learn: WARNING: " << file << ": the models DIVERGED at round " << d.round
              << ": " << d.reason()
              << ".\nswarmsim learn: WARNING: accuracy and loss from then on describe a failed "
                 "run (too many attackers for the aggregator, or a learning rate too high); "
                 "the bound is learning.divergence_bound.\n";
}

int run_learn(const LearnOptions& o) {
    if (!scenario_file_readable(o.file)) {
        return kExitIo;
    }
    io::ScenarioOptions so = scenario_options(o.overrides, o.seed, o.threads);
    if (o.rounds) {
        so.overrides.push_back("run.rounds=" + std::to_string(*o.rounds));
    }
    io::LearningScenario s;
    try {
        s = io::load_learning_scenario(o.file, so);
    } catch (const io::ScenarioError& e) {
        std::cerr << e.what() << "\n";
        return kExitInvalidInput;
    }
    io::LoadedData data;
    try {
        data = io::load_learning_data(s);
    } catch (const std::exception& e) {
        std::cerr << o.file << ": error: data: " << e.what() << "\n";
        return kExitIo;
    }
    if (!o.csv.empty()) {
        // refused before the run: a device, directory, link, or an existing file without --force
        try {
            io::check_output_path(o.csv, o.force);
        } catch (const io::OutputError& e) {
            std::cerr << "swarmsim learn: error: " << e.what() << "\n";
            return kExitIo;
        }
    }
    auto executor = sim::make_executor(s.threads);
    std::unique_ptr<learning::LearningSim> sim;
    try {
        sim = std::make_unique<learning::LearningSim>(s.spec, &data.train, &data.test, *executor);
    } catch (const std::invalid_argument& e) {
        std::cerr << o.file << ": error: " << e.what() << "\n";
        return kExitInvalidInput;
    }
    // averaging protocols: agent i starts from the value i (the exact mean is known)
    if (!learning::trains(s.spec.protocol)) {
        for (std::uint32_t i = 0; i < s.spec.agents; ++i) {
            for (auto& v : sim->models().row(i)) {
                v = static_cast<float>(i);
            }
        }
        sim->record();
    }
    const auto t0 = std::chrono::steady_clock::now();
    const bool progress = isatty(fileno(stderr)) != 0;
    bool warned = false;
    while (sim->round() < s.spec.rounds) {
        sim->step();
        if (sim->round() % s.spec.eval_every == 0 || sim->round() == s.spec.rounds) {
            const auto& m = sim->record();
            if (progress) {
                std::fprintf(stderr, "\rround %u/%u  accuracy %.4f  consensus %.3g ", m.round,
                             s.spec.rounds, m.model_accuracy, m.consensus_distance);
                if (!warned && m.diverged) {
                    // at a terminal, as soon as it is seen (the full warning comes at the end)
                    std::fprintf(stderr, "\nDIVERGED at round %u\n", m.round);
                    warned = true;
                }
            }
        }
    }
    if (progress) {
        std::fprintf(stderr, "\n");
    }
    const learning::Divergence& diverged = sim->divergence();
    if (diverged.diverged) {
        warn_divergence(*sim, o.file);  // before any output that could fail
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!o.csv.empty()) {
        // through a temporary file, renamed into place once written and flushed
        std::ostringstream csv;
        csv << kColumns << '\n';
        for (const auto& m : sim->series()) {
            csv_row(csv, m);
        }
        try {
            io::write_file_safely(o.csv, csv.str(), o.force);
        } catch (const io::OutputError& e) {
            std::cerr << "swarmsim learn: error: " << e.what() << "\n";
            return kExitIo;
        }
    }
    const auto& last = sim->series().back();
    if (o.json) {
        std::cout << "{\"scenario\": " << cli::quoted(s.source)
                  << ", \"protocol\": " << quoted(learning::to_string(s.spec.protocol))
                  << ", \"overlay\": " << quoted(learning::to_string(s.spec.overlay))
                  << ", \"agents\": " << s.spec.agents << ", \"seed\": " << s.spec.seed
                  << ", \"wall_s\": " << number(wall)
                  << ", \"state_hash\": " << cli::quoted(hex(sim->state_hash()))
                  << ",\n \"diverged\": " << (diverged.diverged ? "true" : "false")
                  << ", \"diverged_at_round\": "
                  << (diverged.diverged ? std::to_string(diverged.round) : "null")
                  << ", \"divergence\": "
                  << (diverged.diverged ? quoted(std::string_view(diverged.reason())) : "null")
                  << ", \"divergence_bound\": " << number(sim->divergence_threshold())
                  << ",\n \"final\": ";
        json_metrics(std::cout, last);
        std::cout << ",\n \"series\": [";
        for (std::size_t i = 0; i < sim->series().size(); ++i) {
            std::cout << (i == 0 ? "\n  " : ",\n  ");
            json_metrics(std::cout, sim->series()[i]);
        }
        std::cout << "]}\n";
        return kExitOk;
    }
    const auto& t = last.totals;
    std::cout << "learning: " << s.spec.agents << " agents, "
              << learning::to_string(s.spec.protocol) << " on "
              << learning::to_string(s.spec.overlay) << ", " << last.round << " rounds ("
              << fixed(last.time_s, 0) << " s simulated, " << fixed(wall, 2) << " s wall)\n"
              << "  average model accuracy  " << fixed(last.model_accuracy, 4) << "  (loss "
              << fixed(last.model_loss, 4) << ")\n"
              << "  agents' mean accuracy   " << fixed(last.mean_accuracy, 4) << "\n"
              << "  consensus distance      " << last.consensus_distance << "\n"
              << "  online agents           " << last.online << "\n"
              << "  messages sent/received  " << grouped(t.messages_sent) << " / "
              << grouped(t.messages_received) << " (dropped " << grouped(t.dropped) << ")\n"
              << "  bytes sent/received     " << grouped(t.bytes_sent) << " / "
              << grouped(t.bytes_received) << "\n"
              << "  rejected updates        " << grouped(t.rejected()) << " (unsigned "
              << t.rejected_unsigned << ", forged " << t.rejected_forged << ", unknown "
              << t.rejected_unknown << ", tampered " << t.rejected_tampered << ", replayed "
              << t.rejected_replayed << ")\n"
              << "  diverged                "
              << (diverged.diverged
                      ? "YES at round " + std::to_string(diverged.round) + ": " + diverged.reason()
                      : std::string("no"))
              << "\n"
              << "  state hash              " << hex(sim->state_hash()) << "\n";
    return kExitOk;
}

}  // namespace

void add_learn_command(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<LearnOptions>();
    CLI::App* learn = app.add_subcommand(
        "learn", "Run a decentralized-learning scenario (docs/learning.md) and print its metrics");
    learn->add_option("scenario", o->file, "Learning scenario file (TOML)")->required();
    learn->add_option("-j,--threads", o->threads, "Worker threads (0: all cores)")
        ->check(CLI::Range(std::size_t{0}, std::size_t{1024}));
    learn->add_option("--seed", o->seed, "Run seed (overrides run.seed)")
        ->check(non_negative_integer());
    learn->add_option("--rounds", o->rounds, "Rounds to run (overrides run.rounds)")
        ->check(CLI::PositiveNumber);
    learn->add_option("--set", o->overrides, "Override a field: key.path=value (repeatable)");
    learn->add_option("--csv", o->csv, "Write the metrics time series as CSV");
    learn->add_flag("--force", o->force, "Replace an existing CSV file (never a device or link)");
    learn->add_flag("--json", o->json, "Print the results and the series as JSON on stdout");
    learn->callback([o, &exit_code] {
        try {
            exit_code = run_learn(*o);
        } catch (const std::exception& e) {
            std::cerr << "swarmsim learn: error: " << e.what() << "\n";
            exit_code = kExitRuntime;
        }
    });
}

}  // namespace swarm::cli
