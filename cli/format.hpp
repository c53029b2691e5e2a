#pragma once
// Text and JSON formatting shared by the CLI commands (no JSON library is packaged that
// we want to depend on for writing a few flat objects).
#include <cstdint>
#include <string>
#include <string_view>

namespace swarm::cli {

// a JSON string literal: quotes, backslashes and control characters escaped
std::string quoted(std::string_view text);
// a JSON number; JSON has no infinities or NaNs, so those become null
std::string number(double v);
// fixed-point text for humans; "n/a" for infinities and NaNs
std::string fixed(double v, int digits);
// 1234567 -> "1,234,567"
std::string grouped(std::uint64_t n);
// 0x-prefixed, 16 hex digits (hashes)
std::string hex(std::uint64_t v);

}  // namespace swarm::cli
