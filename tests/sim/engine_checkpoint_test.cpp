// Engine::save / restore: a resumed run is the uninterrupted one, for any partitioning.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "sim/engine.hpp"
#include "sim/models/phold.hpp"

using namespace swarm::sim;

namespace {

constexpr std::uint32_t kLps = 64;
constexpr Tick kEnd = 400'000;
constexpr Tick kCut = 137'777;

RunLimits until(Tick t) {
    RunLimits l;
    l.until = t;
    return l;
}

// PHOLD plus keyed barrier actions: a periodic one that injects, and one-shot ones that
// chain another (as disruptions schedule their end), all logged with their times
struct Driver {
    std::vector<std::pair<Tick, std::uint32_t>> log;

    Engine::BarrierAction make(const ActionKey& k) {
        switch (k.kind) {
            case 1:
                return [this](Engine& e, Tick t) {
                    log.emplace_back(t, 1);
                    e.inject(static_cast<LpId>(t % kLps), t + 5, 0);
                };
            case 2:
                return [this, k](Engine& e, Tick t) {
                    log.emplace_back(t, 2);
                    if (k.a > 0) {
                        const ActionKey next{2, k.a - 1};
                        e.at(t + 30'011, make(next), next);
                    }
                };
            default:
                return {};
        }
    }
    void attach(Engine& e) {
        const ActionKey every{1};
        e.every(1'000, 25'000, make(every), every);
        const ActionKey chain{2, 9};
        e.at(50'000, make(chain), chain);
    }
};

struct Run {
    PholdParams params;
    PholdModel model{kLps, params};
    std::unique_ptr<Executor> exec;
    std::unique_ptr<Engine> engine;
    Driver driver;

    Run(std::size_t threads, std::size_t partitions, std::uint64_t seed = 7) {
        exec = threads == 0 ? std::unique_ptr<Executor>(std::make_unique<SerialExecutor>())
                            : std::make_unique<TbbExecutor>(threads);
        EngineConfig c;
        c.lp_count = kLps;
        c.lookahead = params.lookahead;
        c.seed = seed;
        c.partitions = partitions;
        engine = std::make_unique<Engine>(c, model, *exec);
    }
    void start() {
        model.seed_events(*engine);
        driver.attach(*engine);
    }
};

}  // namespace

TEST_CASE("a run resumed from a checkpoint is the uninterrupted run, for any partitioning") {
    Run whole(0, 1);
    whole.start();
    whole.engine->run(until(kEnd));
    const std::uint64_t want = whole.engine->event_hash();

    Run first(2, 5);
    first.start();
    first.engine->run(until(kCut));
    StateArchive ar;
    first.engine->save(ar);
    CHECK(ar.get_value<Tick>("now") == kCut);
    CHECK(ar.arrays().at("events/time").count == first.engine->pending_events());

    for (const auto& [threads, parts] :
         {std::pair<std::size_t, std::size_t>{0, 1}, {1, 3}, {2, 0}}) {
        const std::size_t t = threads;
        const std::size_t p = parts;
        CAPTURE(t);
        CAPTURE(p);
        Run resumed(threads, parts);
        resumed.engine->restore(ar, [&](const ActionKey& k) { return resumed.driver.make(k); });
        CHECK(resumed.engine->now() == kCut);
        CHECK(resumed.engine->events_processed() == first.engine->events_processed());
        resumed.engine->run(until(kEnd));
        CHECK(resumed.engine->event_hash() == want);
        CHECK(resumed.engine->events_processed() == whole.engine->events_processed());
        // the actions after the cut ran as in the whole run
        std::vector<std::pair<Tick, std::uint32_t>> tail;
        for (const auto& entry : whole.driver.log) {
            if (entry.first >= kCut) {
                tail.push_back(entry);
            }
        }
        CHECK(resumed.driver.log == tail);
        StateArchive again;
        resumed.engine->save(again);
        StateArchive end_state;
        whole.engine->save(end_state);
        CHECK(again.get_value<Tick>("now") == end_state.get_value<Tick>("now"));
    }
}

TEST_CASE("a checkpoint of a run is the same for any partitioning") {
    Run a(0, 1);
    a.start();
    a.engine->run(until(kCut));
    Run b(2, 9);
    b.start();
    b.engine->run(until(kCut));
    StateArchive sa;
    StateArchive sb;
    a.engine->save(sa);
    b.engine->save(sb);
    // windows differ with the partitioning; everything else is the run's
    for (const auto& [name, array] : sa.arrays()) {
        if (name != "windows_processed" && name != "last_window_events") {
            const std::string field = name;
            CAPTURE(field);
            CHECK(array.bytes == sb.arrays().at(name).bytes);
        }
    }
}

TEST_CASE("what cannot be checkpointed or restored is refused") {
    SUBCASE("an unkeyed action pending") {
        Run r(0, 1);
        r.start();
        r.engine->at(kEnd, [](Engine&, Tick) {});
        r.engine->run(until(kCut));
        StateArchive ar;
        CHECK_THROWS_AS(r.engine->save(ar), CheckpointError);
    }
    Run r(0, 1);
    r.start();
    r.engine->run(until(kCut));
    StateArchive ar;
    r.engine->save(ar);
    SUBCASE("another seed") {
        Run other(0, 1, 8);
        CHECK_THROWS_WITH_AS(
            other.engine->restore(ar, [&](const ActionKey& k) { return other.driver.make(k); }),
            "the checkpoint was taken with seed 7; this run's seed is 8", CheckpointError);
    }
    SUBCASE("an action this run cannot make") {
        Run other(0, 1);
        CHECK_THROWS_AS(
            other.engine->restore(ar, [](const ActionKey&) { return Engine::BarrierAction{}; }),
            CheckpointError);
    }
    SUBCASE("an engine that has run") {
        Run other(0, 1);
        other.start();
        other.engine->run(until(kCut / 2));
        CHECK_THROWS(
            other.engine->restore(ar, [&](const ActionKey& k) { return other.driver.make(k); }));
    }
    SUBCASE("an event before the checkpoint's time") {
        StateArchive bad;
        for (const auto& [name, array] : ar.arrays()) {
            StateArray copy = array;
            if (name == "events/time") {
                const Tick early = 0;
                std::memcpy(copy.bytes.data(), &early, sizeof early);
            }
            bad.insert(name, copy);
        }
        Run other(0, 1);
        CHECK_THROWS_AS(
            other.engine->restore(bad, [&](const ActionKey& k) { return other.driver.make(k); }),
            CheckpointError);
        CHECK(other.engine->pending_events() == 0);  // nothing half-loaded
    }
}

TEST_CASE("samples at a time run after the other barrier actions due then") {
    struct Probe final : Observer {
        std::vector<Tick> seen;
        std::vector<std::size_t> actions_before;
        const std::vector<Tick>* log = nullptr;
        void on_sample(const Engine&, Tick t) override {
            seen.push_back(t);
            actions_before.push_back(log->size());
        }
    };
    Run r(0, 1);
    std::vector<Tick> log;
    Probe probe;
    probe.log = &log;
    r.engine->add_observer(probe, 0, 1'000);
    r.engine->at(1'000, [&log](Engine&, Tick t) { log.push_back(t); });
    r.engine->run(until(1'001));
    REQUIRE(probe.seen == std::vector<Tick>{0, 1'000});
    CHECK(probe.actions_before[1] == 1);  // the sample at 1000 saw the state after the action
}
