#pragma once
// Executors run the partitions of one window. They are injected into the engine, so the
// kernel never owns threads itself; results do not depend on which executor is used.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace swarm::sim {

// Non-owning reference to a callable `void(std::size_t)`, cheap to pass through virtuals.
class IndexFn {
  public:
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, IndexFn>)
        IndexFn(F& f)  // NOLINT(google-explicit-constructor): a view, like std::function_ref
        : object_(static_cast<void*>(&f)),
          call_([](void* o, std::size_t i) { (*static_cast<F*>(o))(i); }) {}
    void operator()(std::size_t i) const { call_(object_, i); }

  private:
    void* object_;
    void (*call_)(void*, std::size_t);
};

class Executor {
  public:
    virtual ~Executor() = default;
    // calls fn(i) once for every i in [0, n) and returns when all calls are done;
    // an exception thrown by any call is rethrown here
    virtual void for_each(std::size_t n, IndexFn fn) = 0;
    // how many calls may run at once
    [[nodiscard]] virtual std::size_t concurrency() const = 0;
};

// Runs everything on the calling thread: the reference executor.
class SerialExecutor final : public Executor {
  public:
    void for_each(std::size_t n, IndexFn fn) override {
        for (std::size_t i = 0; i < n; ++i) {
            fn(i);
        }
    }
    [[nodiscard]] std::size_t concurrency() const override { return 1; }
};

// Runs on a private Intel TBB arena of `threads` workers (0 = all cores).
class TbbExecutor final : public Executor {
  public:
    explicit TbbExecutor(std::size_t threads = 0);
    ~TbbExecutor() override;
    TbbExecutor(const TbbExecutor&) = delete;
    TbbExecutor& operator=(const TbbExecutor&) = delete;
    TbbExecutor(TbbExecutor&&) = delete;
    TbbExecutor& operator=(TbbExecutor&&) = delete;

    void for_each(std::size_t n, IndexFn fn) override;
    [[nodiscard]] std::size_t concurrency() const override;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Runs on a team of `threads` - 1 threads of its own plus the calling thread, which all take
// indices from one counter. Between calls the team spins for a while before it sleeps: a
// fleet run calls for_each for every window (tens of microseconds of work each), and waking
// a sleeping thread costs about as much as the window. A member joins a call while it is
// open; the caller closes it once every index is taken and nobody is in it, so it never
// waits for a sleeping member to wake, and no member can be in two calls at once.
class TeamExecutor final : public Executor {
  public:
    explicit TeamExecutor(std::size_t threads);
    ~TeamExecutor() override;
    TeamExecutor(const TeamExecutor&) = delete;
    TeamExecutor& operator=(const TeamExecutor&) = delete;
    TeamExecutor(TeamExecutor&&) = delete;
    TeamExecutor& operator=(TeamExecutor&&) = delete;

    void for_each(std::size_t n, IndexFn fn) override;
    [[nodiscard]] std::size_t concurrency() const override;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// fn(begin, end) over [0, n) cut into ranges of `chunk` indices, on the executor: one call
// per range, so per-range scratch is set up once (data-parallel loops over agents)
template <class Fn>
void for_each_range(Executor& executor, std::size_t n, std::size_t chunk, Fn&& fn) {
    const std::size_t ranges = (n + chunk - 1) / chunk;
    auto body = [&](std::size_t c) { fn(c * chunk, std::min(n, (c + 1) * chunk)); };
    executor.for_each(ranges, body);
}

// SerialExecutor for threads == 1, otherwise TeamExecutor(threads).
std::unique_ptr<Executor> make_executor(std::size_t threads);

// The number of hardware threads (what threads = 0 means).
std::size_t hardware_threads();

}  // namespace swarm::sim
