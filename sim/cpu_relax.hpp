#pragma once
// A spin-wait's pause: tells the core this thread is waiting on another (x86 `pause`), so a
// sibling hyperthread gets the core and the loop does not flood the memory system.
#include <thread>

namespace swarm::sim {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
}

}  // namespace swarm::sim
