// A byte buffer whose growth leaves the new bytes as they are: for rows packed straight into
// it, which a value-initialising resize would first zero (TraceFrame::packed_legs,
// h5::Appendable's pending records); a large one's pages are mapped at once.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace swarm::io {

template <class T>
struct UninitAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
        using other = UninitAllocator<U>;
    };
    UninitAllocator() = default;
    template <class U>
    explicit UninitAllocator(const UninitAllocator<U>& /*other*/) {}

    // A block of kPopulateBytes or more has its pages faulted in by one system call
    // (MADV_POPULATE_WRITE, Linux 5.14) instead of a page fault per page as the rows are
    // written into it: on a virtual machine a fault can cost 10 us, the call about 1 us a
    // page (docs/trace-cost.md "Session 39"). Where the call is refused, they fault as before.
    T* allocate(std::size_t n) {
        T* p = std::allocator<T>::allocate(n);
        const std::size_t bytes = n * sizeof(T);
        if (bytes >= kPopulateBytes) {
            static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
            const auto at = reinterpret_cast<std::uintptr_t>(p);
            const std::uintptr_t begin = (at + page - 1) / page * page;
            const std::uintptr_t end = (at + bytes) / page * page;
            if (end > begin) {
                (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
            }
        }
        return p;
    }
    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;  // default-initialised: nothing written
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
    static constexpr std::size_t kPopulateBytes = 64 * 1024;
};

using ByteBuffer = std::vector<unsigned char, UninitAllocator<unsigned char>>;

}  // namespace swarm::io
