// The map on the GPU (OpenGL 3.3 core): the road network as one line VBO drawn in one call,
// closed roads drawn again in red through an index buffer of the closed edges, depots and
// agents as instanced point sprites (one instanced draw for all agents; per-agent x,y and a colour
// value are the only per-frame upload), and optional link lines. Colours come from
// viz/colormap.hpp. An offscreen framebuffer serves screenshots and benchmarks.
#pragma once

#include <array>
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
    float agent_px = 4.0F;  // agent diameter in pixels
    float depot_px = 12.0F;
    bool show_roads = true;
    bool show_links = false;  // radio links are dense: off until asked for
    bool show_gossip = true;
    // agents as one instanced draw of one-point instances, or one draw of N points (the
    // same single call and buffers; Mesa's llvmpipe runs the vertex stage per instance)
    bool instanced = true;
};

class MapRenderer {
  public:
    MapRenderer() = default;
    ~MapRenderer();
    MapRenderer(const MapRenderer&) = delete;
    MapRenderer& operator=(const MapRenderer&) = delete;

    // compiles the shaders and uploads the road geometry (needs a current GL context)
    void init(const RoadGeometry& roads);
    // per-agent upload: positions and a packed RGBA colour each (agent_colours)
    void upload_agents(std::span<const float> xy, std::span<const std::uint32_t> rgba);
    // the closed-edge index buffer, rebuilt when the mask changes
    void upload_closures(std::span<const std::uint64_t> closed_mask);
    void upload_depots(std::span<const std::uint8_t> depot_down);
    // link lines between agents (radio, gossip), as agent index pairs
    void upload_links(std::span<const float> xy, std::span<const AgentLink> radio,
                      std::span<const AgentLink> gossip);

    // draws into the current framebuffer's viewport (x, y, w, h in GL pixels). The road layer
    // is rendered into a texture only when the camera, size or road toggle changed, and
    // copied (glBlitFramebuffer) otherwise: a large network costs nothing per frame.
    void draw(const Camera& camera, int x, int y, int w, int h, const MapStyle& style);
    // road layer renders so far (tests, benchmarks)
    [[nodiscard]] std::uint64_t road_layer_renders() const { return road_renders_; }

    [[nodiscard]] std::size_t agents() const { return agents_; }
    [[nodiscard]] std::size_t closed_edges() const { return closed_count_; }

  private:
    unsigned program(const char* vs, const char* fs);
    unsigned line_prog_ = 0;
    unsigned point_prog_ = 0;
    unsigned square_prog_ = 0;
    unsigned road_vao_ = 0;
    unsigned road_vbo_ = 0;
    unsigned closed_ebo_ = 0;
    unsigned agent_vao_ = 0;
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
    std::vector<std::uint32_t> depot_values_;
    float line_width_max_ = 1.0F;
    // the cached road layer and what it was drawn for
    unsigned road_fbo_ = 0;
    unsigned road_tex_ = 0;
    int cache_w_ = 0;
    int cache_h_ = 0;
    std::array<float, 4> cache_xf_{};
    bool cache_roads_ = false;
    bool cache_valid_ = false;
    std::uint64_t road_renders_ = 0;
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

}  // namespace swarm::viz
