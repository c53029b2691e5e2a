#pragma once
// Progress text on stderr: a bar with elapsed time and ETA for a terminal, plain lines for a
// log or a pipe (`swarmsim run`), and the elapsed/ETA of a batch (`sweep`, `compare`).
#include <string>

namespace swarm::cli {

// wall seconds as a clock: "0:07", "12:34", "1:02:03"; "-" for a negative or non-finite value
[[nodiscard]] std::string clock_text(double seconds);

// the wall time still to go when `fraction` of the work took `elapsed_s`, assuming the same
// pace; NaN before any progress
[[nodiscard]] double eta_seconds(double fraction, double elapsed_s);

struct ProgressState {
    double sim_s = 0.0;         // simulated time reached
    double end_s = 0.0;         // simulated time the run stops at
    double elapsed_s = 0.0;     // wall time since the run started
    double events_per_s = 0.0;  // recent event rate
};

// "[#########...........]  45%  sim 1620/3600 s  elapsed 0:12  ETA 0:15  812,345 events/s"
// (`width` characters of bar)
[[nodiscard]] std::string progress_bar(const ProgressState& p, int width = 24);
// "progress: sim time 1620 s of 3600 s (45.0%), elapsed 0:12, ETA 0:15, 812,345 events/s"
[[nodiscard]] std::string progress_line(const ProgressState& p);
// the prefix of progress_line, so that readers of a run's stderr can skip those lines
inline constexpr const char* kProgressPrefix = "progress: ";

}  // namespace swarm::cli
