// A batch across MPI ranks: each rank runs its share of the jobs as local child processes
// (run_batch), then sends what became of them to rank 0 as JSON text.
#include <bit>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "cli/batch.hpp"
#include "cli/ranks.hpp"

namespace swarm::cli {

namespace {

using nlohmann::json;

// the outcome of a run (its job rank 0 made itself); KPIs as their bits, so that every
// value (NaN too, which JSON has not) comes back exactly
json to_json(std::size_t index, const BatchRun& r) {
    json kpis = json::array();
    for (const auto& [name, value] : r.kpis) {
        kpis.push_back({name, std::bit_cast<std::uint64_t>(value)});
    }
    return {{"index", index},
            {"status", static_cast<int>(r.status)},
            {"exit", r.exit_code},
            {"signal", r.term_signal},
            {"error", r.error},
            {"wall", r.wall_s},
            {"summary", r.summary_path},
            {"stderr", r.stderr_path},
            {"trace", r.trace_path},
            {"kpis", std::move(kpis)}};
}

void from_json(const json& j, BatchRun& r) {
    r.status = static_cast<RunStatus>(j.at("status").get<int>());
    r.exit_code = j.at("exit").get<int>();
    r.term_signal = j.at("signal").get<int>();
    r.error = j.at("error").get<std::string>();
    r.wall_s = j.at("wall").get<double>();
    r.summary_path = j.at("summary").get<std::string>();
    r.stderr_path = j.at("stderr").get<std::string>();
    r.trace_path = j.at("trace").get<std::string>();
    r.kpis.clear();
    for (const json& kpi : j.at("kpis")) {
        r.kpis.emplace_back(kpi.at(0).get<std::string>(),
                            std::bit_cast<double>(kpi.at(1).get<std::uint64_t>()));
    }
}

}  // namespace

BatchResult run_batch_on_ranks(const BatchOptions& options, std::vector<BatchJob> jobs,
                               const Ranks& ranks) {
    if (ranks.size() == 1) {
        return run_batch(options, std::move(jobs));
    }
    const auto size = static_cast<std::size_t>(ranks.size());
    const auto rank = static_cast<std::size_t>(ranks.rank());
    std::vector<std::size_t> mine;
    std::vector<BatchJob> share;
    for (std::size_t i = rank; i < jobs.size(); i += size) {
        mine.push_back(i);
        share.push_back(jobs[i]);
    }
    // a rank that cannot go on still takes part in the gather, or the others would wait
    BatchResult local;
    std::string failure;
    try {
        local = run_batch(options, std::move(share));
    } catch (const std::exception& e) {
        failure = e.what();
        local.runs.resize(mine.size());
    }

    json sent = {{"interrupted", local.interrupted}, {"failure", failure}, {"runs", json::array()}};
    for (std::size_t k = 0; k < mine.size(); ++k) {
        sent["runs"].push_back(to_json(mine[k], local.runs[k]));
    }
    const std::vector<std::string> texts = ranks.gather(sent.dump());
    if (!failure.empty()) {
        throw std::runtime_error(failure);
    }
    if (rank != 0) {
        return local;
    }
    // every job, then what became of it on its rank
    BatchResult all;
    all.runs.resize(jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        all.runs[i].job = std::move(jobs[i]);
    }
    for (const std::string& text : texts) {
        const json got = json::parse(text);
        if (const auto why = got.at("failure").get<std::string>(); !why.empty()) {
            throw std::runtime_error("on another rank: " + why);
        }
        all.interrupted = all.interrupted || got.at("interrupted").get<bool>();
        for (const json& run : got.at("runs")) {
            from_json(run, all.runs.at(run.at("index").get<std::size_t>()));
        }
    }
    return all;
}

}  // namespace swarm::cli
