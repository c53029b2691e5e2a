// Byzantine tolerance table: final accuracy of D-PSGD on Fashion-MNIST (100 agents, IID,
// softmax regression, random 8-regular overlay, 150 rounds: the setting of
// docs/learning.md's validation table) by attacker share and aggregator, over several
// seeds, with 95% confidence intervals (Student t) and the number of runs whose models
// diverged (LearningSim::divergence). Prints the exact command, the date, wall and CPU
// time, CPU/wall and the load average before and after.
//
//   byzantine_bench [--shares 0,0.1,0.2,0.3] [--seeds 5] [--rounds 150] [--threads 1] [--jobs 1]
//                   [--attack alie] [--z 5] [--krum-f 1] [--data fashion_mnist|blobs]
//                   [--aggregators mean,median,trimmed_mean,krum,clipping,screened_clipping]
//
// The seed changes the partition, the overlay, who the attackers are and the batches.
// Aggregator settings are the scenario defaults (trim 0.2, krum_f 1, clip_quantile 0.25,
// screen_factor 2).

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "agents/learning/dataset.hpp"
#include "agents/learning/learning_sim.hpp"
#include "bench/bench_util.hpp"
#include "sim/executor.hpp"

namespace {

using namespace swarm;
using namespace swarm::learning;

struct Options {
    std::vector<double> shares{0.0, 0.1, 0.2, 0.3};
    std::uint32_t seeds = 5;
    std::uint32_t rounds = 150;
    std::size_t threads = 1;
    std::size_t jobs = 1;  // cells computed at once (forked workers)
    AttackKind attack = AttackKind::kAlie;
    double z = 5.0;
    std::vector<AggregatorKind> aggregators{
        AggregatorKind::kMean,        AggregatorKind::kMedian,
        AggregatorKind::kTrimmedMean, AggregatorKind::kKrum,
        AggregatorKind::kClipping,    aggregator_kind_from_string("screened_clipping")};
    std::uint32_t krum_f = 1;
    std::string data = "fashion_mnist";
};

// two-sided 95% Student t quantile for n - 1 degrees of freedom
double t95(std::size_t n) {
    static const double table[] = {0.0,   12.706, 4.303, 3.182, 2.776, 2.571, 2.447,
                                   2.365, 2.306,  2.262, 2.228, 2.201, 2.179, 2.160,
                                   2.145, 2.131,  2.120, 2.110, 2.101, 2.093, 2.086};
    const std::size_t df = n - 1;
    return df < std::size(table) ? table[df] : 1.96;
}

struct Cell {
    double mean = 0.0;
    double half = 0.0;  // 95% CI half-width
    std::uint32_t diverged = 0;
    std::uint32_t runs = 0;
};

Cell summarise(const std::vector<double>& acc, std::uint32_t diverged) {
    Cell c;
    c.runs = static_cast<std::uint32_t>(acc.size());
    c.diverged = diverged;
    for (const double a : acc) {
        c.mean += a;
    }
    c.mean /= double(acc.size());
    if (acc.size() > 1) {
        double ss = 0.0;
        for (const double a : acc) {
            ss += (a - c.mean) * (a - c.mean);
        }
        c.half = t95(acc.size()) * std::sqrt(ss / double(acc.size() - 1) / double(acc.size()));
    }
    return c;
}

struct Data {
    Dataset train;
    Dataset test;
};

Data load(const std::string& source) {
    Data d;
    if (source == "fashion_mnist") {
        d.train = load_fashion_mnist(true).head(20000);
        d.test = load_fashion_mnist(false);
    } else {
        const Dataset all = make_blobs(24000, 16, 5, 0.8, 1);
        d.train = all.head(20000);
        d.test = all;
        d.test.x.erase(d.test.x.begin(), d.test.x.begin() + 20000L * 16);
        d.test.labels.erase(d.test.labels.begin(), d.test.labels.begin() + 20000);
    }
    const auto st = Standardizer::fit(d.train);
    st.apply(d.train);
    st.apply(d.test);
    return d;
}

LearningSpec spec_for(const Options& o, const Data& d, double share, AggregatorKind agg,
                      std::uint64_t seed) {
    LearningSpec s;
    s.agents = 100;
    s.seed = seed;
    s.protocol = ProtocolKind::kDpsgd;
    s.overlay = OverlayKind::kRegular;
    s.degree = 8;
    s.model = {ModelKind::kLogistic, d.train.features, d.train.classes, 0};
    s.train = {0.1F, 10, 1};
    s.rounds = o.rounds;
    s.eval_every = o.rounds;
    s.eval_samples = 200;
    s.test_samples = 0;  // the whole test set
    s.comms.radio_loss = 0.02;
    s.attack.kind = share > 0.0 ? o.attack : AttackKind::kNone;
    s.attack.fraction = share;
    s.attack.z = o.z;
    s.aggregator.kind = agg;
    s.aggregator.krum_f = o.krum_f;
    return s;
}

int usage() {
    std::printf(
        "usage: byzantine_bench [--shares 0,0.1,0.2,0.3] [--seeds 5] [--rounds 150]\n"
        "                       [--threads 1] [--jobs 1] [--attack alie] [--z 5] [--krum-f 1]\n"
        "                       [--aggregators\n"
        "                        mean,median,trimmed_mean,krum,clipping,screened_clipping]\n"
        "                       [--data fashion_mnist|blobs]\n");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    std::string command = "build/bench/learning/byzantine_bench";
    for (int i = 1; i < argc; ++i) {
        command += " ";
        command += argv[i];
    }
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            return usage();
        }
        if (i + 1 >= argc) {
            std::cerr << "byzantine_bench: " << arg << " needs a value\n";
            return 2;
        }
        const std::string value = argv[++i];
        try {
            if (arg == "--shares") {
                o.shares = bench::parse_list<double>(value);
            } else if (arg == "--seeds") {
                o.seeds = static_cast<std::uint32_t>(std::stoul(value));
            } else if (arg == "--rounds") {
                o.rounds = static_cast<std::uint32_t>(std::stoul(value));
            } else if (arg == "--threads") {
                o.threads = std::stoul(value);
            } else if (arg == "--jobs") {
                o.jobs = std::max<std::size_t>(1, std::stoul(value));
            } else if (arg == "--attack") {
                o.attack = attack_kind_from_string(value);
            } else if (arg == "--z") {
                o.z = std::stod(value);
            } else if (arg == "--krum-f") {
                o.krum_f = static_cast<std::uint32_t>(std::stoul(value));
            } else if (arg == "--data" && (value == "fashion_mnist" || value == "blobs")) {
                o.data = value;
            } else if (arg == "--aggregators") {
                o.aggregators.clear();
                std::stringstream in(value);
                std::string name;
                while (std::getline(in, name, ',')) {
                    o.aggregators.push_back(aggregator_kind_from_string(name));
                }
            } else {
                std::cerr << "byzantine_bench: unknown option " << arg << "\n";
                return 2;
            }
        } catch (const std::exception& e) {
            std::cerr << "byzantine_bench: bad value for " << arg << ": " << e.what() << "\n";
            return 2;
        }
    }
    if (o.seeds == 0 || o.rounds == 0 || o.shares.empty() || o.aggregators.empty()) {
        std::cerr << "byzantine_bench: seeds, rounds, shares and aggregators must be non-empty\n";
        return 2;
    }
    const std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    const std::string load_before = bench::load_average();
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = bench::cpu_seconds(true);
    Data d;
    try {
        d = load(o.data);
    } catch (const std::exception& e) {
        std::cerr << "byzantine_bench: " << e.what() << "\n";
        return 1;
    }
    std::printf(
        "%s\n%s; %s, 100 agents, D-PSGD, IID, softmax regression, 8-regular, %u rounds,"
        " attack %s (z %g), %u seeds, %zu thread(s) x %zu job(s)\n",
        command.c_str(), date, o.data.c_str(), o.rounds, to_string(o.attack), o.z, o.seeds,
        o.threads, o.jobs);
    // cells[share][aggregator], each computed in a forked worker, up to --jobs at a time
    std::vector<std::vector<Cell>> cells(o.shares.size(), std::vector<Cell>(o.aggregators.size()));
    struct Worker {
        pid_t pid;
        int fd;
        std::size_t s, a;
    };
    std::vector<Worker> running;
    bool failed = false;
    auto reap = [&](const Worker& w) {
        Cell c;
        const auto got = read(w.fd, &c, sizeof c);
        close(w.fd);
        int status = 0;
        waitpid(w.pid, &status, 0);
        if (got != static_cast<ssize_t>(sizeof c) || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            failed = true;
            return;
        }
        cells[w.s][w.a] = c;
        std::fprintf(stderr, "  %-12s %3.0f%%: %.4f +- %.4f (diverged %u/%u)\n",
                     to_string(o.aggregators[w.a]), 100.0 * o.shares[w.s], c.mean, c.half,
                     c.diverged, c.runs);
    };
    for (std::size_t a = 0; a < o.aggregators.size(); ++a) {
        for (std::size_t s = 0; s < o.shares.size(); ++s) {
            if (running.size() >= o.jobs) {
                reap(running.front());
                running.erase(running.begin());
            }
            int fds[2];
            if (pipe(fds) != 0) {
                std::perror("byzantine_bench: pipe");
                return 1;
            }
            const pid_t pid = fork();
            if (pid < 0) {
                std::perror("byzantine_bench: fork");
                return 1;
            }
            if (pid == 0) {
                close(fds[0]);
                try {
                    auto executor = sim::make_executor(o.threads);
                    std::vector<double> acc;
                    std::uint32_t diverged = 0;
                    for (std::uint32_t seed = 1; seed <= o.seeds; ++seed) {
                        const LearningSpec spec =
                            spec_for(o, d, o.shares[s], o.aggregators[a], seed);
                        LearningSim sim(spec, &d.train, &d.test, *executor);
                        sim.run();
                        acc.push_back(sim.series().back().model_accuracy);
                        diverged += sim.divergence().diverged ? 1U : 0U;
                    }
                    const Cell c = summarise(acc, diverged);
                    const auto written = write(fds[1], &c, sizeof c);
                    _exit(written == static_cast<ssize_t>(sizeof c) ? 0 : 1);
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "byzantine_bench: run failed: %s\n", e.what());
                    _exit(1);
                }
            }
            close(fds[1]);
            running.push_back({pid, fds[0], s, a});
        }
    }
    for (const Worker& w : running) {
        reap(w);
    }
    if (failed) {
        std::fprintf(stderr, "byzantine_bench: a worker failed\n");
        return 1;
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = bench::cpu_seconds(true) - cpu0;
    // the table: accuracy in %, 95% CI, points lost against the same aggregator without
    // attackers, and how many seeds diverged
    std::printf("\n| attackers |");
    for (const auto agg : o.aggregators) {
        std::printf(" %s |", to_string(agg));
    }
    std::printf("\n|---|");
    for (std::size_t a = 0; a < o.aggregators.size(); ++a) {
        std::printf("---|");
    }
    std::printf("\n");
    for (std::size_t s = 0; s < o.shares.size(); ++s) {
        std::printf("| %.0f%% |", 100.0 * o.shares[s]);
        for (std::size_t a = 0; a < o.aggregators.size(); ++a) {
            const Cell& c = cells[s][a];
            std::printf(" %.1f ± %.1f", 100.0 * c.mean, 100.0 * c.half);
            if (s > 0 && o.shares[0] == 0.0) {
                std::printf(" (%+.1f)", 100.0 * (c.mean - cells[0][a].mean));
            }
            if (c.diverged > 0) {
                std::printf(" **diverged %u/%u**", c.diverged, c.runs);
            }
            std::printf(" |");
        }
        std::printf("\n");
    }
    std::printf(
        "\naccuracy %% of the average honest model on the test set, mean ± 95%% CI over %u seeds;"
        " (points against the same aggregator without attackers)\n",
        o.seeds);
    std::printf("wall %.1f s, CPU %.1f s, CPU/wall %.2f, load average %s (before) -> %s (after)\n",
                wall, cpu, cpu / wall, load_before.c_str(), bench::load_average().c_str());
    return 0;
}
