// Text from a file, made safe to print in an error message: control characters (terminal
// escape sequences among them), C1 controls and bytes that are not valid UTF-8 are written as
// \xNN; printable ASCII and valid UTF-8 (accented road names) are kept as they are. Used by
// every reader that quotes file content (scenario TOML, DIMACS, GraphML, OSM).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace swarm::io {

// the length of the valid UTF-8 sequence at s[i] that is not a C1 control, else 0
inline std::size_t printable_utf8_length(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    std::size_t n = 0;
    unsigned int cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (i + n > s.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0u) != 0x80u) {
            return 0;
        }
        cp = (cp << 6) | (byte(i + k) & 0x3Fu);
    }
    const bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    const bool bad = overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
                     (cp >= 0x80 && cp <= 0x9F);  // C1 controls (CSI 0x9b among them)
    return bad ? 0 : n;
}

inline std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        const std::size_t n = c >= 0x80 ? printable_utf8_length(s, i) : 0;
        if (n > 0) {
            out.append(s.substr(i, n));
            i += n;
            continue;
        }
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned int>(c));
        out += buf;
        ++i;
    }
    return out;
}

}  // namespace swarm::io
