// Progress text (cli/progress.hpp).
#include "cli/progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <sstream>

#include "cli/format.hpp"

namespace swarm::cli {

namespace {

double fraction_of(const ProgressState& p) {
    if (!(p.end_s > 0.0)) {
        return 1.0;
    }
    return std::clamp(p.sim_s / p.end_s, 0.0, 1.0);
}

}  // namespace

std::string clock_text(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0.0) {
        return "-";
    }
    const auto total = static_cast<std::uint64_t>(std::llround(seconds));
    const std::uint64_t h = total / 3600;
    const std::uint64_t m = (total / 60) % 60;
    const std::uint64_t s = total % 60;
    char buf[48];
    if (h > 0) {
        std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", static_cast<unsigned long long>(h),
                      static_cast<unsigned long long>(m), static_cast<unsigned long long>(s));
    } else {
        std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(m),
                      static_cast<unsigned long long>(s));
    }
    return buf;
}

double eta_seconds(double fraction, double elapsed_s) {
    if (!(fraction > 0.0) || !std::isfinite(elapsed_s)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return elapsed_s * (1.0 - std::min(fraction, 1.0)) / fraction;
}

std::string progress_bar(const ProgressState& p, int width) {
    const double f = fraction_of(p);
    const int filled = static_cast<int>(std::floor(f * width));
    char pct[16];
    std::snprintf(pct, sizeof pct, "%4.0f%%", 100.0 * f);
    // a stream, not a chain of string +: GCC 12 warns falsely (-Wrestrict) on long chains
    std::ostringstream out;
    out << '[' << std::string(static_cast<std::size_t>(filled), '#')
        << std::string(static_cast<std::size_t>(width - filled), '.') << ']' << pct << "  sim "
        << fixed(p.sim_s, 0) << '/' << fixed(p.end_s, 0) << " s  elapsed "
        << clock_text(p.elapsed_s) << "  ETA " << clock_text(eta_seconds(f, p.elapsed_s)) << "  "
        << grouped(static_cast<std::uint64_t>(std::max(0.0, p.events_per_s))) << " events/s";
    return out.str();
}

std::string progress_line(const ProgressState& p) {
    const double f = fraction_of(p);
    std::ostringstream out;
    out << kProgressPrefix << "sim time " << fixed(p.sim_s, 0) << " s of " << fixed(p.end_s, 0)
        << " s (" << fixed(100.0 * f, 1) << "%), elapsed " << clock_text(p.elapsed_s) << ", ETA "
        << clock_text(eta_seconds(f, p.elapsed_s)) << ", "
        << grouped(static_cast<std::uint64_t>(std::max(0.0, p.events_per_s))) << " events/s";
    return out.str();
}

}  // namespace swarm::cli
