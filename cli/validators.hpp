// Checks of command-line values before CLI11 converts them: an unsigned option would
// otherwise take "-1" as 18446744073709551615, and a number option "nan". A failed check is a
// usage error (exit 2) naming the option: "--seed: expected a non-negative integer, got -1".
#pragma once

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace swarm::cli {

// a decimal integer in 0 ... max (digits only: no sign, no spaces)
inline CLI::Validator non_negative_integer(std::uint64_t max = 9223372036854775807ULL) {
    return CLI::Validator(
        [max](std::string& text) -> std::string {
            if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
                return "expected a non-negative integer, got " + text;
            }
            errno = 0;
            const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
            if (errno == ERANGE || v > max) {
                return "expected an integer of at most " + std::to_string(max) + ", got " + text;
            }
            return {};
        },
        "INT>=0");
}

// a finite number > 0 (CLI::PositiveNumber lets "nan" through)
inline CLI::Validator positive_finite() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) ||
                v <= 0.0) {
                return "expected a finite number > 0, got " + text;
            }
            return {};
        },
        "NUMBER>0");
}

}  // namespace swarm::cli
