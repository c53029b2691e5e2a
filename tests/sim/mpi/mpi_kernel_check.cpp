// Runs a kernel model across the MPI ranks it was started on and checks, on rank 0, that
// the event count and event hash equal a single-process run of the same model (docs/
// distributed.md). A barrier action injects into LPs on every rank, as a front-end would.
//
//   mpirun -np R mpi_kernel_check --model phold|queueing [--threads T] [--lps N]
//                                 [--events E]
// Exit 0: equal; 1: different; 2: bad arguments.
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "sim/engine.hpp"
#include "sim/executor.hpp"
#include "sim/models/phold.hpp"
#include "sim/models/queueing.hpp"
#include "sim/mpi/mpi_exchange.hpp"
#include "sim/mpi/session.hpp"

namespace {

using namespace swarm::sim;

struct Options {
    std::string model = "phold";
    std::size_t threads = 1;
    std::uint32_t lps = 1000;
    std::uint64_t events = 200'000;
};

struct Outcome {
    std::uint64_t events = 0;
    std::uint64_t hash = 0;
    std::uint64_t windows = 0;
    std::uint64_t messages = 0;     // this rank's LP-to-LP messages
    std::uint64_t cross_rank = 0;   // of them, sent to another rank
    std::uint64_t collectives = 0;  // MPI collectives in the run (one per window)
    std::uint64_t sends = 0;        // point-to-point payloads (only where events crossed)
};

constexpr EventType kInjected = 7;
constexpr double kSecond = 1e6;  // ticks

Outcome run(const Options& o, std::unique_ptr<Exchange> exchange) {
    auto executor = make_executor(o.threads);
    std::unique_ptr<Model> model;
    EngineConfig config;
    config.seed = 5;
    PholdParams phold;
    if (o.model == "phold") {
        model = std::make_unique<PholdModel>(o.lps, phold);
        config.lp_count = o.lps;
        config.lookahead = phold.lookahead;
    } else {
        StationParams station;
        station.servers = 2;
        station.service = {ServiceTime::Law::kExponential, kSecond};
        SourceParams source;
        source.mean_interarrival = kSecond / 1.5;
        source.customers = o.events / o.lps;
        QueueingParams params = replicate(o.lps / 2, station, source);
        params.transit = 2 * static_cast<Tick>(kSecond);
        auto queueing = std::make_unique<QueueingModel>(params);
        config.lp_count = queueing->lp_count();
        config.lookahead = params.transit;
        model = std::move(queueing);
    }
    Engine engine(config, *model, *executor, std::move(exchange));
    if (auto* p = dynamic_cast<PholdModel*>(model.get())) {
        p->seed_events(engine);
    } else {
        dynamic_cast<QueueingModel&>(*model).seed_events(engine);
    }
    // every rank runs the barrier actions; only the LP's owner keeps what they inject
    const std::uint32_t lps = config.lp_count;
    const Tick interval = 3 * config.lookahead + 17;
    engine.every(interval, interval, [lps, interval, &o](Engine& e, Tick t) {
        if (o.model == "phold") {
            e.inject(static_cast<LpId>((t / interval) * 7919 % lps), t, kInjected);
        }
    });
    RunLimits limits;
    limits.max_events = o.events;
    if (o.model != "phold") {
        limits = {};
    }
    const RunStats stats = engine.run(limits);
    const auto* mpi = dynamic_cast<const swarm::sim::mpi::MpiExchange*>(&engine.exchange());
    Outcome out{engine.events_processed(), 0, stats.windows, engine.messages_sent()};
    if (mpi != nullptr) {
        out.cross_rank = mpi->traffic().events_sent;
        out.collectives = mpi->traffic().collectives;
        out.sends = mpi->traffic().sends;
    }
    out.hash = engine.event_hash();  // a collective of its own, after the count
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) {
            std::cerr << "mpi_kernel_check: " << arg << " needs a value\n";
            return 2;
        }
        const std::string v = argv[++i];
        if (arg == "--model" && (v == "phold" || v == "queueing")) {
            o.model = v;
        } else if (arg == "--threads") {
            o.threads = std::stoul(v);
        } else if (arg == "--lps") {
            o.lps = static_cast<std::uint32_t>(std::stoul(v));
        } else if (arg == "--events") {
            o.events = std::stoull(v);
        } else {
            std::cerr << "mpi_kernel_check: bad option " << arg << " " << v << "\n";
            return 2;
        }
    }
    const swarm::sim::mpi::Session session;
    const Outcome dist = run(o, std::make_unique<swarm::sim::mpi::MpiExchange>());
    // the rank-crossing share: messages sent to other ranks over all LP-to-LP messages
    std::uint64_t counts[4] = {dist.cross_rank, dist.messages, dist.sends, 0};
    // every rank must have called one collective per window
    counts[3] = dist.collectives == dist.windows ? 0 : 1;
    MPI_Allreduce(MPI_IN_PLACE, counts, 4, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (session.rank() != 0) {
        return 0;
    }
    const Outcome single = run(o, std::make_unique<LocalExchange>());
    const bool same = single.events == dist.events && single.hash == dist.hash;
    // one collective per window, and no payload sent where no event crossed ranks
    const bool lean = counts[3] == 0 && (counts[0] > 0 || counts[2] == 0);
    std::printf(
        "%s ranks=%d threads=%zu events=%llu/%llu windows=%llu hash=%016llx/%016llx "
        "cross-rank=%.1f%% of %llu messages, %llu payloads: %s%s\n",
        o.model.c_str(), session.size(), o.threads, static_cast<unsigned long long>(dist.events),
        static_cast<unsigned long long>(single.events),
        static_cast<unsigned long long>(dist.windows), static_cast<unsigned long long>(dist.hash),
        static_cast<unsigned long long>(single.hash),
        counts[1] == 0 ? 0.0
                       : 100.0 * static_cast<double>(counts[0]) / static_cast<double>(counts[1]),
        static_cast<unsigned long long>(counts[1]), static_cast<unsigned long long>(counts[2]),
        same ? "same" : "DIFFERENT",
        lean ? "" : " (NOT one collective per window, or payloads without events)");
    return same && lean ? 0 : 1;
}
