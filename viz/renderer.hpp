// The map on the GPU (OpenGL 3.3 core): the road network as one line VBO drawn in one call,
// closed roads drawn again in red through an index buffer of the closed edges, depots and
// agents as instanced quads (one instanced draw for all agents; per-agent x,y and a colour
// value are the only per-frame upload), and optional link lines. Colours come from
// viz/colormap.hpp. An offscreen framebuffer serves screenshots and benchmarks.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "viz/colormap.hpp"
#include "viz/geometry.hpp"
#include "viz/gl.hpp"
#include "viz/snapshot.hpp"

namespace swarm::viz {

struct MapStyle {
    ColourMode mode = ColourMode::kState;
    ValueRange range{};
    float agent_px = 4.0F;  // agent diameter in pixels
    float depot_px = 12.0F;
    bool show_roads = true;
    bool show_links = true;
    bool show_gossip = true;
};

class MapRenderer {
  public:
    MapRenderer() = default;
    ~MapRenderer();
    MapRenderer(const MapRenderer&) = delete;
    MapRenderer& operator=(const MapRenderer&) = delete;

    // compiles the shaders and uploads the road geometry (needs a current GL context)
    void init(const RoadGeometry& roads);
    // per-agent upload: positions and one colour value each (state code or the chosen value)
    void upload_agents(std::span<const float> xy, std::span<const float> values);
    // the closed-edge index buffer, rebuilt when the mask changes
    void upload_closures(std::span<const std::uint64_t> closed_mask);
    void upload_depots(std::span<const std::uint8_t> depot_down);
    // link lines between agents (radio, gossip), as agent index pairs
    void upload_links(std::span<const float> xy, std::span<const AgentLink> radio,
                      std::span<const AgentLink> gossip);

    // draws into the current framebuffer's viewport (x, y, w, h in GL pixels)
    void draw(const Camera& camera, int x, int y, int w, int h, const MapStyle& style) const;

    [[nodiscard]] std::size_t agents() const { return agents_; }
    [[nodiscard]] std::size_t closed_edges() const { return closed_count_; }

  private:
    unsigned program(const char* vs, const char* fs);
    unsigned line_prog_ = 0;
    unsigned point_prog_ = 0;
    unsigned road_vao_ = 0;
    unsigned road_vbo_ = 0;
    unsigned closed_ebo_ = 0;
    unsigned agent_vao_ = 0;
    unsigned corner_vbo_ = 0;
    unsigned agent_xy_vbo_ = 0;
    unsigned agent_value_vbo_ = 0;
    unsigned depot_vao_ = 0;
    unsigned depot_xy_vbo_ = 0;
    unsigned depot_value_vbo_ = 0;
    unsigned link_vao_ = 0;
    unsigned link_vbo_ = 0;
    std::size_t edges_ = 0;
    std::size_t agents_ = 0;
    std::size_t agent_capacity_ = 0;
    std::size_t depots_ = 0;
    std::size_t closed_count_ = 0;
    std::size_t radio_vertices_ = 0;
    std::size_t gossip_vertices_ = 0;
    std::vector<std::uint32_t> closed_scratch_;
    std::vector<float> link_scratch_;
    std::vector<float> depot_values_;
    float line_width_max_ = 1.0F;
};

// an offscreen RGBA8 framebuffer for screenshots
class Framebuffer {
  public:
    Framebuffer(int width, int height);
    ~Framebuffer();
    Framebuffer(const Framebuffer&) = delete;
    Framebuffer& operator=(const Framebuffer&) = delete;
    void bind() const;
    static void unbind();
    // the pixels, rows top to bottom, RGB
    [[nodiscard]] std::vector<std::uint8_t> read_rgb() const;
    [[nodiscard]] int width() const { return width_; }
    [[nodiscard]] int height() const { return height_; }

  private:
    int width_;
    int height_;
    unsigned fbo_ = 0;
    unsigned colour_ = 0;
};

// the colour value of each agent for the style's mode: the state code, or values[i]
void agent_values(const Snapshot& s, ColourMode mode, std::span<const float> chosen,
                  std::vector<float>& out);

}  // namespace swarm::viz
