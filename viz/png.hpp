// PNG files for screenshots: 8-bit RGB(A), written with zlib (no other image library), and a
// reader for the files this writer makes (filter 0, no interlace), used by the tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace swarm::viz {

struct Image {
    int width = 0;
    int height = 0;
    int channels = 3;                // 3 (RGB) or 4 (RGBA)
    std::vector<std::uint8_t> data;  // rows top to bottom

    [[nodiscard]] const std::uint8_t* pixel(int x, int y) const {
        return data.data() + (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                              static_cast<std::size_t>(x)) *
                                 static_cast<std::size_t>(channels);
    }
};

// through a temporary file renamed into place (io/output/output_file.hpp): an existing file
// is replaced only with `replace`, a device, directory, FIFO or link never; throws
// std::runtime_error (io::OutputError for the path) naming the file on failure
void write_png(const std::string& path, const Image& image, bool replace = false);
// reads 8-bit RGB/RGBA PNGs with filter type 0 on every row (what write_png produces);
// throws std::runtime_error naming the file and the problem otherwise
Image read_png(const std::string& path);

}  // namespace swarm::viz
