// A byte buffer whose growth leaves the new bytes as they are: for rows packed straight into
// it, which a value-initialising resize would first zero (TraceFrame::packed_legs,
// h5::Appendable's pending records).
#pragma once

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
    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;  // default-initialised: nothing written
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

using ByteBuffer = std::vector<unsigned char, UninitAllocator<unsigned char>>;

}  // namespace swarm::io
