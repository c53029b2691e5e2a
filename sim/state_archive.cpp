#include "sim/state_archive.hpp"

namespace swarm::sim {

const char* to_string(ElementKind kind) {
    switch (kind) {
        case ElementKind::kI8:
            return "int8";
        case ElementKind::kU8:
            return "uint8";
        case ElementKind::kI16:
            return "int16";
        case ElementKind::kU16:
            return "uint16";
        case ElementKind::kI32:
            return "int32";
        case ElementKind::kU32:
            return "uint32";
        case ElementKind::kI64:
            return "int64";
        case ElementKind::kU64:
            return "uint64";
        case ElementKind::kF32:
            return "float32";
        case ElementKind::kF64:
            return "float64";
        case ElementKind::kRecord:
            return "record";
    }
    return "unknown";
}

std::string StateArchive::full(std::string_view name) const {
    std::string s = prefix_;
    s.append(name);
    return s;
}

void StateArchive::insert(std::string full_name, StateArray array) {
    if (array.bytes.size() != array.count * array.element_bytes) {
        throw CheckpointError("checkpoint field '" + full_name +
                              "': " + std::to_string(array.bytes.size()) + " bytes for " +
                              std::to_string(array.count) + " elements of " +
                              std::to_string(array.element_bytes) + " bytes");
    }
    const auto [it, added] = arrays_.try_emplace(std::move(full_name), std::move(array));
    if (!added) {
        throw CheckpointError("checkpoint field '" + it->first + "' is saved twice");
    }
}

bool StateArchive::has(std::string_view name) const {
    return arrays_.find(full(name)) != arrays_.end();
}

const StateArray& StateArchive::find(std::string_view name, ElementKind kind,
                                     std::size_t element_bytes) const {
    const std::string key = full(name);
    const auto it = arrays_.find(key);
    if (it == arrays_.end()) {
        throw CheckpointError("checkpoint field '" + key + "' is missing");
    }
    const StateArray& a = it->second;
    if (a.kind != kind || a.element_bytes != element_bytes) {
        throw CheckpointError("checkpoint field '" + key + "' holds " + to_string(a.kind) +
                              " elements of " + std::to_string(a.element_bytes) +
                              " bytes; this build expects " + to_string(kind) + " of " +
                              std::to_string(element_bytes));
    }
    return a;
}

std::size_t StateArchive::count(std::string_view name) const {
    const std::string key = full(name);
    const auto it = arrays_.find(key);
    if (it == arrays_.end()) {
        throw CheckpointError("checkpoint field '" + key + "' is missing");
    }
    return it->second.count;
}

void StateArchive::field_error(std::string_view name, const std::string& what) const {
    throw CheckpointError("checkpoint field '" + full(name) + "' " + what);
}

void StateArchive::value_error(std::string_view name, const std::string& saved,
                               const std::string& want) const {
    field_error(name, "holds " + saved + "; this run has " + want);
}

void StateArchive::size_error(std::string_view name, std::size_t got, std::size_t want) const {
    throw CheckpointError("checkpoint field '" + full(name) + "' holds " + std::to_string(got) +
                          " elements; this run has " + std::to_string(want));
}

void StateArchive::check_offsets(std::string_view name, const std::vector<std::uint64_t>& offsets,
                                 std::size_t values) const {
    bool ok = !offsets.empty() && offsets.front() == 0 && offsets.back() == values;
    for (std::size_t i = 1; ok && i < offsets.size(); ++i) {
        ok = offsets[i - 1] <= offsets[i];
    }
    if (!ok) {
        throw CheckpointError("checkpoint field '" + full(name) +
                              "/offsets' is not an ascending index into its " +
                              std::to_string(values) + " values");
    }
}

void StateArchive::put_string(std::string_view name, std::string_view s) {
    put(name, std::span<const char>(s.data(), s.size()));
}

std::string StateArchive::get_string(std::string_view name) const {
    std::vector<char> chars;
    get(name, chars);
    return {chars.begin(), chars.end()};
}

void StateArchive::put_strings(std::string_view name, const std::vector<std::string>& strings) {
    std::vector<std::vector<char>> nested;
    nested.reserve(strings.size());
    for (const std::string& s : strings) {
        nested.emplace_back(s.begin(), s.end());
    }
    put_nested(name, nested);
}

std::vector<std::string> StateArchive::get_strings(std::string_view name) const {
    std::vector<std::vector<char>> nested;
    get_nested(name, nested);
    std::vector<std::string> out;
    out.reserve(nested.size());
    for (const auto& chars : nested) {
        out.emplace_back(chars.begin(), chars.end());
    }
    return out;
}

namespace {
// FNV-1a over 64 bits: simple, and enough to see a flipped byte
constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;
std::uint64_t fnv(std::uint64_t h, const unsigned char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        h = (h ^ p[i]) * kFnvPrime;
    }
    return h;
}
}  // namespace

std::uint64_t StateArchive::checksum() const {
    std::uint64_t h = kFnvOffset;
    for (const auto& [name, a] : arrays_) {
        h = fnv(h, reinterpret_cast<const unsigned char*>(name.data()), name.size() + 0);
        const unsigned char sep = 0;
        h = fnv(h, &sep, 1);
        const auto kind = static_cast<unsigned char>(a.kind);
        h = fnv(h, &kind, 1);
        h = fnv(h, reinterpret_cast<const unsigned char*>(&a.element_bytes),
                sizeof(a.element_bytes));
        h = fnv(h, reinterpret_cast<const unsigned char*>(&a.count), sizeof(a.count));
        h = fnv(h, a.bytes.data(), a.bytes.size());
    }
    return h;
}

std::size_t StateArchive::bytes() const {
    std::size_t n = 0;
    for (const auto& [name, a] : arrays_) {
        n += a.bytes.size();
    }
    return n;
}

}  // namespace swarm::sim
