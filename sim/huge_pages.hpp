// Large per-agent arrays backed by 2 MB pages (transparent huge pages) where the kernel
// offers them on request (Linux: THP "madvise" or "always"). A run of a million vehicles
// touches its per-vehicle arrays at random: with 4 KB pages nearly every touch is a TLB miss
// and a page walk, which is most of what makes an idle fleet cost more as it grows
// (docs/fleet.md, issue 20). A hint only: nothing simulated depends on it, and where the
// kernel has no huge pages the arrays are ordinary.
#pragma once

#include <cstddef>
#include <type_traits>
#include <vector>

namespace swarm::sim {

// arrays from this size on are advised (a 2 MB page has to fit inside at least once)
inline constexpr std::size_t kHugePageMinBytes = std::size_t{4} << 20U;

// advises the 2 MB-aligned part of [data, data + bytes) for huge pages (madvise
// MADV_HUGEPAGE); pages not yet touched are then faulted in as huge pages
void advise_huge_pages(void* data, std::size_t bytes);

// v.reserve(n), with a large array's new storage advised before its pages are touched
template <class T, class Alloc>
void reserve_huge(std::vector<T, Alloc>& v, std::size_t n) {
    if (n * sizeof(T) >= kHugePageMinBytes && v.capacity() < n) {
        v.reserve(n);
        advise_huge_pages(v.data(), n * sizeof(T));
    }
}

// v.resize(n, value), likewise
template <class T, class Alloc>
void resize_huge(std::vector<T, Alloc>& v, std::size_t n,
                 const std::type_identity_t<T>& value = T{}) {
    reserve_huge(v, n);
    v.resize(n, value);
}

}  // namespace swarm::sim
