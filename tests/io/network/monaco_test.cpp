// Monaco extract from ../shared/data (never copied into the repository). Absent: exit 77,
// which ctest reports as skipped.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "agents/world/strongly_connected.hpp"
#include "io/network/network_loader.hpp"
#include "tests/io/network/test_files.hpp"

using namespace swarm;

namespace {

const std::filesystem::path kMonaco = SWARM_MONACO_PBF;

void require_monaco() {
    if (!std::filesystem::exists(kMonaco)) {
        std::fprintf(stderr, "skipped: %s not found\n", kMonaco.string().c_str());
        std::fflush(stderr);
        std::exit(77);
    }
}

}  // namespace

TEST_CASE("monaco pbf: largest strongly connected component") {
    require_monaco();
    io::LoadReport report;
    const world::RoadNetwork net = io::load_network(kMonaco, &report);
    MESSAGE("monaco: read " << report.nodes_read << " nodes / " << report.edges_read
                            << " edges, kept " << report.nodes_kept << " / " << report.edges_kept
                            << ", dropped " << report.nodes_dropped << " / "
                            << report.edges_dropped);
    CHECK(report.format == "osm-pbf");
    CHECK(net.node_count() >= 10000);
    CHECK(net.node_count() <= 20000);
    CHECK(net.edge_count() >= 18000);
    CHECK(net.edge_count() <= 36000);
    CHECK(report.nodes_kept + report.nodes_dropped == report.nodes_read);
    CHECK(report.edges_kept + report.edges_dropped == report.edges_read);
    CHECK(report.nodes_dropped > 0);
    CHECK(world::is_strongly_connected(net));

    // one-way streets exist: some edge has no reverse
    std::size_t one_way = 0;
    for (world::EdgeId e = 0; e < net.edge_count(); ++e) {
        one_way += net.find_edge(net.target(e), net.source(e)) == world::kNoEdge ? 1u : 0u;
    }
    CHECK(one_way > 100);

    // Monaco and surroundings: about 11 km x 7 km
    const auto box = net.bounds();
    CHECK(box.max.x - box.min.x > 5000.0);
    CHECK(box.max.x - box.min.x < 20000.0);
    CHECK(box.max.y - box.min.y > 3000.0);
    CHECK(box.max.y - box.min.y < 10000.0);
    for (world::EdgeId e = 0; e < net.edge_count(); ++e) {
        REQUIRE(net.length_m(e) < 5000.0);
        REQUIRE(net.speed_mps(e) <= 140.0 / 3.6);
    }
}

TEST_CASE("monaco pbf truncated: a clean error, never a crash") {
    require_monaco();
    std::ifstream in(kMonaco, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() > 100000);
    io::testing::TempDir dir;
    for (std::size_t cut :
         {std::size_t{10}, std::size_t{1000}, bytes.size() / 2, bytes.size() - 1}) {
        CAPTURE(cut);
        const auto file = dir.write("cut.osm.pbf", std::string_view(bytes.data(), cut));
        CHECK_THROWS_AS(io::load_network(file), io::NetworkFileError);
        try {
            io::load_network(file);
        } catch (const io::NetworkFileError& e) {
            CHECK(e.line() == 0);
            CHECK(std::string(e.what()).starts_with(file.string() + ": error: "));
        }
    }
}
