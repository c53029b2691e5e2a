#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "sim/cpu_relax.hpp"
#include "sim/executor.hpp"

namespace swarm::sim {

namespace {

// how long a member spins for the next call before it sleeps: longer than the serial work
// between a fleet run's windows, short enough not to hold a core through a long serial phase
constexpr std::chrono::microseconds kSpin{200};

// spins until done() holds; after kSpin it yields the core at each look, so that a member
// the scheduler put on this core (more threads than cores: tests beside each other) can run
template <class Done>
void spin_until(Done&& done) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    bool late = false;
    for (unsigned spins = 1; !done(); ++spins) {
        if (late) {
            std::this_thread::yield();
            continue;
        }
        cpu_relax();
        late = (spins & 63U) == 0 && std::chrono::steady_clock::now() > until;
    }
}

// set while this thread runs a call's indices: a for_each from inside one runs on the
// calling thread (the team is busy with the outer call)
thread_local bool in_call = false;

}  // namespace

struct TeamExecutor::Impl {
    explicit Impl(std::size_t threads) : members(threads) {
        for (std::size_t m = 1; m < members; ++m) {
            team.emplace_back([this] { member(); });
        }
    }
    ~Impl() {
        stop.store(true);
        state.fetch_add(std::uint64_t{1} << kGenerationShift);  // wakes the sleepers
        state.notify_all();
        for (std::thread& t : team) {
            t.join();
        }
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    Impl(Impl&&) = delete;
    Impl& operator=(Impl&&) = delete;

    // the current call's indices, run by whoever takes them first
    void work() {
        in_call = true;
        const std::size_t n = count;
        for (std::size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
            try {
                (*fn)(i);
            } catch (...) {
                const std::lock_guard lock(error_mutex);
                if (!error) {
                    error = std::current_exception();
                }
            }
        }
        in_call = false;
    }

    // The call's state in one word, so that joining a call and closing it cannot cross:
    // the call's generation, whether it is closed, and how many members are in it.
    static constexpr std::uint64_t kActive = (std::uint64_t{1} << 16) - 1;
    static constexpr std::uint64_t kClosed = std::uint64_t{1} << 16;
    static constexpr unsigned kGenerationShift = 17;
    static std::uint64_t generation_of(std::uint64_t s) { return s >> kGenerationShift; }

    void member() {
        std::uint64_t worked_on = 0;  // the generation of the last call this member was in
        for (;;) {
            // wait for an open call this member has not been in: spin, then sleep
            std::uint64_t s = state.load(std::memory_order_acquire);
            const auto until = std::chrono::steady_clock::now() + kSpin;
            for (unsigned spins = 1; (s & kClosed) != 0 || generation_of(s) == worked_on; ++spins) {
                if (stop.load()) {
                    return;
                }
                cpu_relax();
                const std::uint64_t was = s;
                s = state.load(std::memory_order_acquire);
                if (s == was && (spins & 63U) == 0 && std::chrono::steady_clock::now() > until) {
                    sleepers.fetch_add(1);
                    state.wait(was);
                    sleepers.fetch_sub(1);
                    s = state.load(std::memory_order_acquire);
                }
            }
            // join it, unless the caller closed it (or another member joined) meanwhile
            if (state.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
                worked_on = generation_of(s);
                work();
                state.fetch_sub(1, std::memory_order_release);
            }
        }
    }

    std::size_t members;
    std::vector<std::thread> team;
    // the call: written by the caller while the previous call is closed and empty, read by
    // the members that join the next
    std::optional<IndexFn> fn;
    std::size_t count = 0;
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> state{kClosed};
    std::atomic<std::size_t> sleepers{0};
    std::atomic<bool> stop{false};
    std::mutex error_mutex;
    std::exception_ptr error;
};

TeamExecutor::TeamExecutor(std::size_t threads)
    : impl_(std::make_unique<Impl>(threads == 0 ? hardware_threads() : threads)) {}

TeamExecutor::~TeamExecutor() = default;

void TeamExecutor::for_each(std::size_t n, IndexFn fn) {
    Impl& t = *impl_;
    if (t.team.empty() || n <= 1 || in_call) {
        for (std::size_t i = 0; i < n; ++i) {
            fn(i);
        }
        return;
    }
    // the last call is closed and empty: no member reads these until the next is open
    t.fn.emplace(fn);
    t.count = n;
    t.next.store(0, std::memory_order_relaxed);
    t.error = nullptr;
    const std::uint64_t open = (Impl::generation_of(t.state.load()) + 1) << Impl::kGenerationShift;
    t.state.store(open);  // seq_cst: either a member sees it, or we see it sleeping
    if (t.sleepers.load() > 0) {
        t.state.notify_all();
    }
    t.work();
    // every index is taken: close the call once nobody is in it. A member that was asleep
    // and joins late finds nothing left, or finds the call closed; the caller does not wait
    // for it to wake.
    spin_until([&t] {
        std::uint64_t s = t.state.load(std::memory_order_acquire);
        return (s & Impl::kActive) == 0 &&
               t.state.compare_exchange_strong(s, s | Impl::kClosed, std::memory_order_acq_rel);
    });
    if (t.error) {
        std::rethrow_exception(t.error);
    }
}

std::size_t TeamExecutor::concurrency() const {
    return impl_->members;
}

}  // namespace swarm::sim
