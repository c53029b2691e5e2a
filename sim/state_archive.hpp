#pragma once
// A run's state at a barrier, in memory: named arrays ("kernel/lp_draws",
// "fleet/vehicles/node"), each with its element type, so that a file format (io/checkpoint
// writes HDF5) can store each one as a typed data set an analyst can open with h5py. Every
// holder of run state saves into it and loads from it by the same names; a missing name or a
// wrong size or type is a CheckpointError naming the field. The kernel knows nothing of files.
#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace swarm::sim {

// A checkpoint that cannot be read or does not fit the run it is loaded into.
class CheckpointError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class ElementKind : std::uint8_t {
    kI8,
    kU8,
    kI16,
    kU16,
    kI32,
    kU32,
    kI64,
    kU64,
    kF32,
    kF64,
    kRecord,  // a trivially copyable struct, element_bytes each, stored as opaque bytes
};
const char* to_string(ElementKind kind);

struct StateArray {
    ElementKind kind = ElementKind::kU8;
    std::uint32_t element_bytes = 1;
    std::uint64_t count = 0;
    std::vector<unsigned char> bytes;  // count * element_bytes
};

template <class T>
constexpr ElementKind element_kind() {
    using U = typename std::conditional_t<std::is_enum_v<T>, std::underlying_type<T>,
                                          std::type_identity<T>>::type;
    if constexpr (std::is_same_v<U, bool>) {
        return ElementKind::kU8;
    } else if constexpr (std::is_floating_point_v<U>) {
        static_assert(sizeof(U) == 4 || sizeof(U) == 8);
        return sizeof(U) == 4 ? ElementKind::kF32 : ElementKind::kF64;
    } else if constexpr (std::is_integral_v<U>) {
        static_assert(sizeof(U) <= 8);
        constexpr bool s = std::is_signed_v<U>;
        switch (sizeof(U)) {
            case 1:
                return s ? ElementKind::kI8 : ElementKind::kU8;
            case 2:
                return s ? ElementKind::kI16 : ElementKind::kU16;
            case 4:
                return s ? ElementKind::kI32 : ElementKind::kU32;
            default:
                return s ? ElementKind::kI64 : ElementKind::kU64;
        }
    } else {
        static_assert(std::is_trivially_copyable_v<T>,
                      "a record is copied as bytes: save its non-trivial members one by one");
        return ElementKind::kRecord;
    }
}

class StateArchive {
  public:
    // Puts and gets inside a scope prefix their names with its group: after
    // `auto s = ar.scope("fleet")`, put("node", ...) stores "fleet/node". Scopes nest.
    class Scope {
      public:
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;
        Scope(Scope&&) = delete;
        Scope& operator=(Scope&&) = delete;
        ~Scope() { archive_.prefix_.resize(saved_); }

      private:
        friend class StateArchive;
        Scope(const StateArchive& archive, std::string_view group)
            : archive_(archive), saved_(archive.prefix_.size()) {
            archive_.prefix_.append(group);
            archive_.prefix_.push_back('/');
        }
        const StateArchive& archive_;
        std::size_t saved_;
    };
    [[nodiscard]] Scope scope(std::string_view group) const { return Scope(*this, group); }

    template <class T>
    void put(std::string_view name, std::span<const T> values) {
        StateArray a;
        a.kind = element_kind<T>();
        a.element_bytes = sizeof(T);
        a.count = values.size();
        a.bytes.resize(values.size_bytes());
        if (!values.empty()) {
            std::memcpy(a.bytes.data(), values.data(), values.size_bytes());
        }
        insert(full(name), std::move(a));
    }
    template <class T>
    void put(std::string_view name, const std::vector<T>& values) {
        if constexpr (std::is_same_v<T, bool>) {
            put(name, std::span<const std::uint8_t>(
                          std::vector<std::uint8_t>(values.begin(), values.end())));
        } else {
            put(name, std::span<const T>(values));
        }
    }
    template <class T>
    void put_value(std::string_view name, const T& value) {
        put(name, std::span<const T>(&value, 1));
    }
    // one member of every row as its own array, e.g. put_field("due", orders, &Order::due):
    // structs saved field-wise (readable by name, no padding bytes); bools become uint8
    // (rows: a vector, span or array of R)
    template <class Rows, class R, class T>
    void put_field(std::string_view name, const Rows& rows, T R::*member) {
        std::vector<Stored<T>> column;
        column.reserve(std::size(rows));
        for (const R& r : rows) {
            column.push_back(static_cast<Stored<T>>(r.*member));
        }
        put(name, column);
    }
    void put_string(std::string_view name, std::string_view s);
    void put_strings(std::string_view name, const std::vector<std::string>& strings);
    // a vector of vectors: "name/offsets" (count + 1 of them) and "name/values"
    template <class T>
    void put_nested(std::string_view name, const std::vector<std::vector<T>>& nested) {
        std::vector<std::uint64_t> offsets{0};
        std::vector<T> values;
        for (const auto& inner : nested) {
            values.insert(values.end(), inner.begin(), inner.end());
            offsets.push_back(values.size());
        }
        const Scope s = scope(name);
        put("offsets", offsets);
        put("values", values);
    }

    template <class T>
    void get(std::string_view name, std::vector<T>& out) const {
        const StateArray& a = find(name, element_kind<T>(), sizeof(T));
        out.resize(a.count);
        if (a.count > 0) {
            std::memcpy(static_cast<void*>(out.data()), a.bytes.data(), a.bytes.size());
        }
    }
    // the array `name`, which must hold exactly `count` elements
    template <class T>
    void get(std::string_view name, std::vector<T>& out, std::size_t count) const {
        get(name, out);
        if (out.size() != count) {
            size_error(name, out.size(), count);
        }
    }
    template <class T>
    [[nodiscard]] T get_value(std::string_view name) const {
        std::vector<T> v;
        get(name, v, 1);
        return v[0];
    }
    template <class T>
    void get_value(std::string_view name, T& out) const {
        out = get_value<T>(name);
    }
    // put_field's reverse, into rows already sized: the array must hold rows.size() elements
    template <class Rows, class R, class T>
    void get_field(std::string_view name, Rows& rows, T R::*member) const {
        std::vector<Stored<T>> column;
        get(name, column, std::size(rows));
        std::size_t i = 0;
        for (R& r : rows) {
            r.*member = static_cast<T>(column[i++]);
        }
    }
    // a single value that must be this run's (a size or a setting from the spec): a
    // CheckpointError naming the field and both values otherwise
    template <class T>
    void expect_value(std::string_view name, const T& want) const {
        static_assert(std::is_arithmetic_v<T>);
        const T saved = get_value<T>(name);
        if (saved != want) {
            value_error(name, std::to_string(saved), std::to_string(want));
        }
    }
    // a CheckpointError "checkpoint field '<full name>' <what>" (a value that cannot be right)
    [[noreturn]] void field_error(std::string_view name, const std::string& what) const;
    // the number of elements of a field (CheckpointError when it is missing)
    [[nodiscard]] std::size_t count(std::string_view name) const;
    [[nodiscard]] std::string get_string(std::string_view name) const;
    [[nodiscard]] std::vector<std::string> get_strings(std::string_view name) const;
    template <class T>
    void get_nested(std::string_view name, std::vector<std::vector<T>>& out) const {
        const Scope s = scope(name);
        std::vector<std::uint64_t> offsets;
        std::vector<T> values;
        get("offsets", offsets);
        get("values", values);
        check_offsets(name, offsets, values.size());
        out.resize(offsets.size() - 1);
        for (std::size_t i = 0; i + 1 < offsets.size(); ++i) {
            out[i].assign(values.begin() + static_cast<std::ptrdiff_t>(offsets[i]),
                          values.begin() + static_cast<std::ptrdiff_t>(offsets[i + 1]));
        }
    }

    [[nodiscard]] bool has(std::string_view name) const;
    // every array, by full name in name order
    [[nodiscard]] const std::map<std::string, StateArray, std::less<>>& arrays() const {
        return arrays_;
    }
    // adds an array under its full name (readers of files); a name twice is a CheckpointError
    void insert(std::string full_name, StateArray array);
    // a fingerprint of every name, kind and byte: equal archives, equal checksums
    [[nodiscard]] std::uint64_t checksum() const;
    [[nodiscard]] std::size_t bytes() const;

  private:
    template <class T>
    using Stored = std::conditional_t<std::is_same_v<T, bool>, std::uint8_t, T>;

    [[nodiscard]] std::string full(std::string_view name) const;
    [[nodiscard]] const StateArray& find(std::string_view name, ElementKind kind,
                                         std::size_t element_bytes) const;
    [[noreturn]] void value_error(std::string_view name, const std::string& saved,
                                  const std::string& want) const;
    [[noreturn]] void size_error(std::string_view name, std::size_t got, std::size_t want) const;
    void check_offsets(std::string_view name, const std::vector<std::uint64_t>& offsets,
                       std::size_t values) const;

    std::map<std::string, StateArray, std::less<>> arrays_;
    mutable std::string prefix_;
};

}  // namespace swarm::sim
