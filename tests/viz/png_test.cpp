#include "viz/png.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tests/viz/viz_test_util.hpp"

using namespace swarm::viz;

TEST_CASE("png round trip keeps every pixel") {
    Image img;
    img.width = 37;
    img.height = 11;
    img.channels = 3;
    img.data.resize(37 * 11 * 3);
    for (std::size_t i = 0; i < img.data.size(); ++i) {
        img.data[i] = static_cast<std::uint8_t>((i * 7919) % 251);
    }
    const auto path = test::temp_path("roundtrip.png");
    write_png(path.string(), img);
    const Image back = read_png(path.string());
    CHECK(back.width == 37);
    CHECK(back.height == 11);
    CHECK(back.channels == 3);
    CHECK(back.data == img.data);
    // the file starts with the PNG signature and IHDR
    std::ifstream f(path, std::ios::binary);
    std::string head(16, '\0');
    f.read(head.data(), 16);
    CHECK(head.substr(1, 3) == "PNG");
    CHECK(head.substr(12, 4) == "IHDR");
    std::filesystem::remove(path);
}

TEST_CASE("png errors name the file") {
    Image bad;
    bad.width = 2;
    bad.height = 2;
    CHECK_THROWS_WITH_AS(write_png("/nonexistent-dir/x.png", bad),
                         doctest::Contains("/nonexistent-dir/x.png"), std::runtime_error);
    const auto path = test::temp_path("notpng.png");
    std::ofstream(path) << "hello";
    CHECK_THROWS_WITH_AS(read_png(path.string()), doctest::Contains("not a PNG"),
                         std::runtime_error);
    std::filesystem::remove(path);
}

TEST_CASE("png files replace an existing file only when asked, never a device") {
    Image img;
    img.width = 2;
    img.height = 2;
    img.channels = 3;
    img.data.assign(12, 7);
    const auto path = test::temp_path("kept.png");
    std::ofstream(path) << "precious";
    CHECK_THROWS_WITH_AS(write_png(path.string(), img), doctest::Contains("pass --force"),
                         std::runtime_error);
    CHECK(std::filesystem::file_size(path) == 8);
    write_png(path.string(), img, true);
    CHECK(read_png(path.string()).data == img.data);
    CHECK_THROWS_WITH_AS(write_png("/dev/null", img, true),
                         doctest::Contains("is a character device"), std::runtime_error);
    std::filesystem::remove(path);
}
