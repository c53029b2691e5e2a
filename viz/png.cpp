#include "viz/png.hpp"

#include <zlib.h>

#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "io/output/output_file.hpp"

namespace swarm::viz {

namespace {

constexpr std::array<std::uint8_t, 8> kSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) {
        out.push_back(static_cast<std::uint8_t>((v >> s) & 0xFFU));
    }
}

std::uint32_t get32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24U) | (std::uint32_t{p[1]} << 16U) |
           (std::uint32_t{p[2]} << 8U) | std::uint32_t{p[3]};
}

void chunk(std::vector<std::uint8_t>& out, const char* type,
           const std::vector<std::uint8_t>& body) {
    put32(out, static_cast<std::uint32_t>(body.size()));
    const std::size_t start = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), body.begin(), body.end());
    const uLong crc = crc32(0L, out.data() + start, static_cast<uInt>(out.size() - start));
    put32(out, static_cast<std::uint32_t>(crc));
}

std::size_t row_bytes(const Image& img) {
    return static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.channels);
}

}  // namespace

void write_png(const std::string& path, const Image& image, bool replace) {
    if (image.width <= 0 || image.height <= 0 || (image.channels != 3 && image.channels != 4) ||
        image.data.size() != row_bytes(image) * static_cast<std::size_t>(image.height)) {
        throw std::runtime_error(path + ": cannot write PNG: bad image dimensions");
    }
    // raw scanlines, each with filter byte 0
    const std::size_t rb = row_bytes(image);
    std::vector<std::uint8_t> raw;
    raw.reserve((rb + 1) * static_cast<std::size_t>(image.height));
    for (int y = 0; y < image.height; ++y) {
        raw.push_back(0);
        const auto* row = image.data.data() + static_cast<std::size_t>(y) * rb;
        raw.insert(raw.end(), row, row + rb);
    }
    uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
    std::vector<std::uint8_t> packed(packed_size);
    if (compress2(packed.data(), &packed_size, raw.data(), static_cast<uLong>(raw.size()), 6) !=
        Z_OK) {
        throw std::runtime_error(path + ": cannot write PNG: zlib compression failed");
    }
    packed.resize(packed_size);

    std::vector<std::uint8_t> out(kSignature.begin(), kSignature.end());
    std::vector<std::uint8_t> ihdr;
    put32(ihdr, static_cast<std::uint32_t>(image.width));
    put32(ihdr, static_cast<std::uint32_t>(image.height));
    ihdr.push_back(8);                            // bit depth
    ihdr.push_back(image.channels == 4 ? 6 : 2);  // colour type RGBA / RGB
    ihdr.insert(ihdr.end(), {0, 0, 0});           // deflate, filter set 0, no interlace
    chunk(out, "IHDR", ihdr);
    chunk(out, "IDAT", packed);
    chunk(out, "IEND", {});

    io::write_file_safely(path, std::string(out.begin(), out.end()), replace);
}

Image read_png(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        throw std::runtime_error(path + ": cannot open PNG");
    }
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)),
                                          std::istreambuf_iterator<char>());
    if (bytes.size() < kSignature.size() ||
        std::memcmp(bytes.data(), kSignature.data(), kSignature.size()) != 0) {
        throw std::runtime_error(path + ": not a PNG file");
    }
    Image img;
    std::vector<std::uint8_t> packed;
    std::size_t pos = kSignature.size();
    while (pos + 12 <= bytes.size()) {
        const std::uint32_t len = get32(&bytes[pos]);
        if (pos + 12 + len > bytes.size()) {
            throw std::runtime_error(path + ": truncated PNG chunk");
        }
        const std::string type(reinterpret_cast<const char*>(&bytes[pos + 4]), 4);
        const std::uint8_t* body = &bytes[pos + 8];
        if (type == "IHDR") {
            if (len < 13 || body[8] != 8 || (body[9] != 2 && body[9] != 6) || body[12] != 0) {
                throw std::runtime_error(path + ": only 8-bit RGB/RGBA non-interlaced PNGs");
            }
            img.width = static_cast<int>(get32(body));
            img.height = static_cast<int>(get32(body + 4));
            img.channels = body[9] == 6 ? 4 : 3;
        } else if (type == "IDAT") {
            packed.insert(packed.end(), body, body + len);
        } else if (type == "IEND") {
            break;
        }
        pos += 12 + len;
    }
    if (img.width <= 0 || img.height <= 0) {
        throw std::runtime_error(path + ": PNG without a valid IHDR");
    }
    const std::size_t rb = row_bytes(img);
    std::vector<std::uint8_t> raw((rb + 1) * static_cast<std::size_t>(img.height));
    uLongf raw_size = static_cast<uLongf>(raw.size());
    if (uncompress(raw.data(), &raw_size, packed.data(), static_cast<uLong>(packed.size())) !=
            Z_OK ||
        raw_size != raw.size()) {
        throw std::runtime_error(path + ": corrupt PNG image data");
    }
    img.data.resize(rb * static_cast<std::size_t>(img.height));
    for (int y = 0; y < img.height; ++y) {
        const std::size_t r = static_cast<std::size_t>(y) * (rb + 1);
        if (raw[r] != 0) {
            throw std::runtime_error(path + ": PNG row filter other than 0 is not supported");
        }
        std::memcpy(img.data.data() + static_cast<std::size_t>(y) * rb, &raw[r + 1], rb);
    }
    return img;
}

}  // namespace swarm::viz
