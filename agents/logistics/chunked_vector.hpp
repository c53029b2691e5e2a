// A vector that grows by fixed chunks instead of by doubling: a depot's order records grow
// all run long, and a doubling vector holds on average a third more than it uses. Elements
// never move once placed (no reallocation), and the spare room is at most one chunk.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace swarm::agents {

template <class T, std::size_t kChunkLog2 = 5>
class ChunkedVector {
  public:
    static constexpr std::size_t kChunk = std::size_t{1} << kChunkLog2;

    ChunkedVector() = default;
    ChunkedVector(const ChunkedVector& other) { *this = other; }
    ChunkedVector(ChunkedVector&&) noexcept = default;
    ChunkedVector& operator=(ChunkedVector&&) noexcept = default;
    ChunkedVector& operator=(const ChunkedVector& other) {
        if (this != &other) {
            clear();
            for (std::size_t i = 0; i < other.size(); ++i) {
                push_back(other[i]);
            }
        }
        return *this;
    }
    ~ChunkedVector() = default;

    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }
    [[nodiscard]] T& operator[](std::size_t i) {
        return chunks_[i >> kChunkLog2][i & (kChunk - 1)];
    }
    [[nodiscard]] const T& operator[](std::size_t i) const {
        return chunks_[i >> kChunkLog2][i & (kChunk - 1)];
    }
    [[nodiscard]] T& at(std::size_t i) {
        check(i);
        return (*this)[i];
    }
    [[nodiscard]] const T& at(std::size_t i) const {
        check(i);
        return (*this)[i];
    }

    T& push_back(const T& value) {
        if ((size_ & (kChunk - 1)) == 0) {
            chunks_.push_back(std::make_unique<T[]>(kChunk));
        }
        T& slot = (*this)[size_++];
        slot = value;
        return slot;
    }
    T& emplace_back() { return push_back(T{}); }
    // grows with default values (never shrinks)
    void grow_to(std::size_t n) {
        while (size_ < n) {
            push_back(T{});
        }
    }
    void clear() {
        chunks_.clear();
        size_ = 0;
    }
    // n copies of value (a checkpoint's rows)
    void assign(std::size_t n, const T& value) {
        clear();
        for (std::size_t i = 0; i < n; ++i) {
            push_back(value);
        }
    }
    [[nodiscard]] std::vector<T> to_vector() const {
        std::vector<T> out;
        out.reserve(size_);
        for (std::size_t i = 0; i < size_; ++i) {
            out.push_back((*this)[i]);
        }
        return out;
    }

    // bytes held: whole chunks and the table of chunks
    [[nodiscard]] std::size_t memory_bytes() const {
        return (chunks_.size() * kChunk * sizeof(T)) +
               (chunks_.capacity() * sizeof(std::unique_ptr<T[]>));
    }

  private:
    void check(std::size_t i) const {
        if (i >= size_) {
            throw std::out_of_range("ChunkedVector: index " + std::to_string(i) + " of " +
                                    std::to_string(size_));
        }
    }

    std::vector<std::unique_ptr<T[]>> chunks_;
    std::size_t size_ = 0;
};

}  // namespace swarm::agents
