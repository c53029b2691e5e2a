#include "sim/executor.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>

// ThreadSanitizer builds (SWARM_SANITIZE=thread): TBB hands tasks to its workers inside
// libtbb, which is not instrumented, so TSan cannot see that everything before for_each
// happens before every call and every call before for_each returns, and would report the
// partitions' own data as races. These annotations state exactly that guarantee.
#if defined(__SANITIZE_THREAD__)
#define SWARM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SWARM_TSAN 1
#endif
#endif
#ifdef SWARM_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace swarm::sim {

namespace {

// ThreadSanitizer's sync objects (only their addresses count). Globals, not members: a
// worker must not read memory to find them before the edge is made.
char tsan_start_sync = 0;
char tsan_done_sync = 0;

inline void happens_before(void* sync) {
#ifdef SWARM_TSAN
    __tsan_release(sync);
#else
    (void)sync;
#endif
}

inline void happens_after(void* sync) {
#ifdef SWARM_TSAN
    __tsan_acquire(sync);
#else
    (void)sync;
#endif
}

// makes a TSan edge on tsan_done_sync when it goes out of scope, also by an exception: a
// range's end (happens_before) and the caller's return or throw (happens_after)
struct DoneEdgeAtExit {
    explicit DoneEdgeAtExit(void (*edge)(void*)) : edge_(edge) {}
    ~DoneEdgeAtExit() { edge_(&tsan_done_sync); }
    DoneEdgeAtExit(const DoneEdgeAtExit&) = delete;
    DoneEdgeAtExit& operator=(const DoneEdgeAtExit&) = delete;
    DoneEdgeAtExit(DoneEdgeAtExit&&) = delete;
    DoneEdgeAtExit& operator=(DoneEdgeAtExit&&) = delete;

  private:
    void (*edge_)(void*);
};

}  // namespace

struct TbbExecutor::Impl {
    explicit Impl(int threads) : arena(threads) {
        // more threads than cores is legitimate (tests oversubscribe on purpose), but TBB
        // caps its worker pool at the core count unless told otherwise
        if (threads > static_cast<int>(hardware_threads())) {
            limit = std::make_unique<tbb::global_control>(
                tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        }
    }
    std::unique_ptr<tbb::global_control> limit;
    tbb::task_arena arena;
};

TbbExecutor::TbbExecutor(std::size_t threads)
    : impl_(std::make_unique<Impl>(threads == 0 ? static_cast<int>(hardware_threads())
                                                : static_cast<int>(threads))) {}

TbbExecutor::~TbbExecutor() = default;

void TbbExecutor::for_each(std::size_t n, IndexFn fn) {
    happens_before(&tsan_start_sync);
    const DoneEdgeAtExit all_done(happens_after);  // also when a call threw
    impl_->arena.execute([&] {
        // one task per index: partitions are few and of similar weight
        tbb::parallel_for(
            tbb::blocked_range<std::size_t>(0, n, 1),
            [&](const tbb::blocked_range<std::size_t>& r) {
                happens_after(&tsan_start_sync);
                // also when fn throws: TBB carries the exception to the caller
                const DoneEdgeAtExit done(happens_before);
                for (std::size_t i = r.begin(); i != r.end(); ++i) {
                    fn(i);
                }
            },
            tbb::simple_partitioner{});
    });
}

std::size_t TbbExecutor::concurrency() const {
    return static_cast<std::size_t>(impl_->arena.max_concurrency());
}

std::unique_ptr<Executor> make_executor(std::size_t threads) {
    if (threads == 1) {
        return std::make_unique<SerialExecutor>();
    }
    return std::make_unique<TeamExecutor>(threads);
}

std::size_t hardware_threads() {
    const int n = tbb::info::default_concurrency();
    return n > 0 ? static_cast<std::size_t>(n) : 1;
}

}  // namespace swarm::sim
