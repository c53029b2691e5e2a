// swarmsim-trace-check: opens a trace as the visualizer's replay does (io::TraceReader and
// TraceReader::read_replay_parts), or with --checkpoint reads a checkpoint whole
// (io::read_checkpoint), and exits, so that a crash inside libhdf5 on a damaged file kills
// this process, not the caller (io::check_in_child runs it; docs/trace-format.md, "Untrusted
// traces"). It limits itself first: CPU time (SIGXCPU) and address space (malloc fails), and
// writes no core file.
//
//   swarmsim-trace-check [--partial | --checkpoint] [--seconds S] [--memory-mb M] [--] FILE.h5
//
// Exit 0: the reader accepts the file at open; 3: it refuses its contents, 4: it cannot open
// it, both with the reader's message on stderr; 2: usage.
#include <sys/resource.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <new>
#include <string>

#include "io/checkpoint/checkpoint_file.hpp"
#include "io/trace/trace_child_check.hpp"
#include "io/trace/trace_reader.hpp"

// address space limits cannot work with a sanitizer's shadow memory; its report of a crash
// in libhdf5 ends in abort() (a signal, as without it); HDF5's leaks on damaged files are
// its own (docs/fuzzing.md)
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SWARM_CHECK_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SWARM_CHECK_SANITIZED 1
#endif
#endif

#if defined(SWARM_CHECK_SANITIZED)
extern "C" const char* __asan_default_options();  // NOLINT: sanitizer hook
extern "C" const char* __asan_default_options() {
    return "abort_on_error=1:detect_leaks=0";
}
#endif

namespace {

void limit(int resource, rlim_t soft, rlim_t hard) {
    const rlimit r{soft, hard};
    if (setrlimit(resource, &r) != 0) {
        std::cerr << swarm::io::kTraceCheckName << ": warning: cannot set a resource limit\n";
    }
}

int usage() {
    std::cerr << "usage: " << swarm::io::kTraceCheckName
              << " [--partial | --checkpoint] [--seconds S] [--memory-mb M] [--] FILE.h5\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    bool partial = false;
    bool checkpoint = false;
    unsigned long seconds = 60;
    unsigned long memory_mb = 4096;
    std::string path;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto number = [&](unsigned long& out) {
            if (i + 1 >= argc) {
                return false;
            }
            char* end = nullptr;
            out = std::strtoul(argv[++i], &end, 10);
            return end != nullptr && *end == '\0' && out > 0;
        };
        if (a == "--partial") {
            partial = true;
        } else if (a == "--checkpoint") {
            checkpoint = true;
        } else if (a == "--seconds") {
            if (!number(seconds)) {
                return usage();
            }
        } else if (a == "--memory-mb") {
            if (!number(memory_mb)) {
                return usage();
            }
        } else if (a == "--" && i + 2 == argc) {
            path = argv[++i];
        } else if (!a.empty() && a[0] != '-' && i + 1 == argc) {
            path = a;
        } else {
            return usage();
        }
    }
    if (path.empty() || (partial && checkpoint)) {
        return usage();
    }
    limit(RLIMIT_CORE, 0, 0);
    limit(RLIMIT_CPU, seconds, seconds + 1);
#if !defined(SWARM_CHECK_SANITIZED)
    const auto bytes = static_cast<rlim_t>(memory_mb) << 20U;
    limit(RLIMIT_AS, bytes, bytes);
#endif
    if (checkpoint) {
        try {
            (void)swarm::io::read_checkpoint(path);
            return 0;
        } catch (const swarm::sim::CheckpointError& e) {
            std::cerr << swarm::io::kTraceCheckName << ": " << e.what() << "\n";
            return 3;
        } catch (const std::bad_alloc&) {
            std::cerr << swarm::io::kTraceCheckName << ": checkpoint file '" << path
                      << "': out of memory (more than " << memory_mb << " MB)\n";
            return 3;
        } catch (const std::exception& e) {
            std::cerr << swarm::io::kTraceCheckName << ": error: " << e.what() << "\n";
            return 1;
        }
    }
    try {
        const swarm::io::TraceReader reader(path, partial);
        reader.read_replay_parts();
        return 0;
    } catch (const swarm::io::TraceFormatError& e) {
        std::cerr << swarm::io::kTraceCheckName << ": " << e.what() << "\n";
        return 3;
    } catch (const swarm::io::TraceError& e) {
        std::cerr << swarm::io::kTraceCheckName << ": " << e.what() << "\n";
        return 4;
    } catch (const std::bad_alloc&) {
        std::cerr << swarm::io::kTraceCheckName << ": trace file '" << path
                  << "': out of memory (more than " << memory_mb << " MB)\n";
        return 3;
    } catch (const std::exception& e) {
        std::cerr << swarm::io::kTraceCheckName << ": error: " << e.what() << "\n";
        return 1;
    }
}
