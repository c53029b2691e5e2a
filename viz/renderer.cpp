#include "viz/renderer.hpp"

#include <array>
#include <bit>
#include <stdexcept>

namespace swarm::viz {

namespace {

constexpr const char* kLineVs = R"(#version 330 core
layout(location = 0) in vec2 pos;
uniform vec4 xf;
void main() { gl_Position = vec4(pos * xf.xy + xf.zw, 0.0, 1.0); }
)";
constexpr const char* kLineFs = R"(#version 330 core
uniform vec3 colour;
out vec4 frag;
void main() { frag = vec4(colour, 1.0); }
)";
// one instance per agent, each a single point sprite (llvmpipe sets up one point much faster
// than two triangles), coloured on the CPU (viz/colormap.hpp: a byte per channel, no
// per-vertex palette lookups); round by discarding outside the circle
constexpr const char* kPointVs = R"(#version 330 core
layout(location = 1) in vec2 pos;
layout(location = 2) in vec4 rgba;
uniform vec4 xf;
uniform float size_px;
out vec3 colour;
void main() {
    gl_Position = vec4(pos * xf.xy + xf.zw, 0.0, 1.0);
    gl_PointSize = size_px;
    colour = rgba.rgb;
}
)";
constexpr const char* kPointFs = R"(#version 330 core
in vec3 colour;
out vec4 frag;
void main() {
    vec2 uv = gl_PointCoord * 2.0 - 1.0;
    if (dot(uv, uv) > 1.0) discard;
    frag = vec4(colour, 1.0);
}
)";
constexpr float kSquareMaxPx = 4.0F;
// small agents as plain squares: without discard llvmpipe shades them several times faster,
// and at a few pixels a square and a disc look alike
constexpr const char* kSquareFs = R"(#version 330 core
in vec3 colour;
out vec4 frag;
void main() { frag = vec4(colour, 1.0); }
)";

unsigned compile(GLenum type, const char* src) {
    const GLuint s = glCreateShader(type);
    glShaderSource(s, 1, &src, nullptr);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (ok == 0) {
        std::array<char, 1024> log{};
        glGetShaderInfoLog(s, static_cast<GLsizei>(log.size()), nullptr, log.data());
        throw std::runtime_error(std::string("shader compilation failed: ") + log.data());
    }
    return s;
}

void set_rgb(GLint loc, Rgb c) {
    const std::array<float, 3> f = to_float(c);
    glUniform3f(loc, f[0], f[1], f[2]);
}

void attrib(GLuint index, GLuint vbo, GLint size, GLuint divisor) {
    glBindBuffer(GL_ARRAY_BUFFER, vbo);
    glEnableVertexAttribArray(index);
    glVertexAttribPointer(index, size, GL_FLOAT, GL_FALSE, 0, nullptr);
    glVertexAttribDivisor(index, divisor);
}

// four normalised bytes (packed RGBA) per instance
void colour_attrib(GLuint index, GLuint vbo) {
    glBindBuffer(GL_ARRAY_BUFFER, vbo);
    glEnableVertexAttribArray(index);
    glVertexAttribPointer(index, 4, GL_UNSIGNED_BYTE, GL_TRUE, 0, nullptr);
    glVertexAttribDivisor(index, 1);
}

GLsizeiptr bytes(std::size_t n, std::size_t each) {
    return static_cast<GLsizeiptr>(n * each);
}

}  // namespace

unsigned MapRenderer::program(const char* vs, const char* fs) {
    const GLuint v = compile(GL_VERTEX_SHADER, vs);
    const GLuint f = compile(GL_FRAGMENT_SHADER, fs);
    const GLuint p = glCreateProgram();
    glAttachShader(p, v);
    glAttachShader(p, f);
    glLinkProgram(p);
    glDeleteShader(v);
    glDeleteShader(f);
    GLint ok = 0;
    glGetProgramiv(p, GL_LINK_STATUS, &ok);
    if (ok == 0) {
        throw std::runtime_error("shader program link failed");
    }
    return p;
}

MapRenderer::~MapRenderer() {
    if (line_prog_ == 0) {
        return;
    }
    glDeleteProgram(line_prog_);
    glDeleteProgram(point_prog_);
    glDeleteProgram(square_prog_);
    const std::array<GLuint, 8> buffers = {road_vbo_,        closed_ebo_,      0,
                                           agent_xy_vbo_,    agent_value_vbo_, depot_xy_vbo_,
                                           depot_value_vbo_, link_vbo_};
    glDeleteBuffers(static_cast<GLsizei>(buffers.size()), buffers.data());
    const std::array<GLuint, 4> arrays = {road_vao_, agent_vao_, depot_vao_, link_vao_};
    glDeleteVertexArrays(4, arrays.data());
    if (road_fbo_ != 0) {
        glDeleteFramebuffers(1, &road_fbo_);
        glDeleteTextures(1, &road_tex_);
    }
}

void MapRenderer::init(const RoadGeometry& roads) {
    line_prog_ = program(kLineVs, kLineFs);
    point_prog_ = program(kPointVs, kPointFs);
    square_prog_ = program(kPointVs, kSquareFs);
    std::array<GLfloat, 2> widths{1.0F, 1.0F};
    glGetFloatv(GL_ALIASED_LINE_WIDTH_RANGE, widths.data());
    line_width_max_ = widths[1];

    // roads: one VBO, edge e at vertices 2e and 2e+1; closed edges index into it
    glGenVertexArrays(1, &road_vao_);
    glBindVertexArray(road_vao_);
    glGenBuffers(1, &road_vbo_);
    glBindBuffer(GL_ARRAY_BUFFER, road_vbo_);
    glBufferData(GL_ARRAY_BUFFER, bytes(roads.vertices.size(), sizeof(float)),
                 roads.vertices.data(), GL_STATIC_DRAW);
    attrib(0, road_vbo_, 2, 0);
    glGenBuffers(1, &closed_ebo_);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, closed_ebo_);
    edges_ = roads.edges();

    // agents: one point per instance
    glGenVertexArrays(1, &agent_vao_);
    glBindVertexArray(agent_vao_);
    glGenBuffers(1, &agent_xy_vbo_);
    glGenBuffers(1, &agent_value_vbo_);
    attrib(1, agent_xy_vbo_, 2, 1);
    colour_attrib(2, agent_value_vbo_);

    // depots: the same program, fixed positions
    glGenVertexArrays(1, &depot_vao_);
    glBindVertexArray(depot_vao_);
    glGenBuffers(1, &depot_xy_vbo_);
    glGenBuffers(1, &depot_value_vbo_);
    depots_ = roads.depots.size() / 2;
    glBindBuffer(GL_ARRAY_BUFFER, depot_xy_vbo_);
    glBufferData(GL_ARRAY_BUFFER, bytes(roads.depots.size(), sizeof(float)), roads.depots.data(),
                 GL_STATIC_DRAW);
    depot_values_.assign(depots_, pack(kDepot));
    glBindBuffer(GL_ARRAY_BUFFER, depot_value_vbo_);
    glBufferData(GL_ARRAY_BUFFER, bytes(depots_, sizeof(std::uint32_t)), depot_values_.data(),
                 GL_DYNAMIC_DRAW);
    attrib(1, depot_xy_vbo_, 2, 1);
    colour_attrib(2, depot_value_vbo_);

    glGenVertexArrays(1, &link_vao_);
    glBindVertexArray(link_vao_);
    glGenBuffers(1, &link_vbo_);
    attrib(0, link_vbo_, 2, 0);
    glBindVertexArray(0);
}

void MapRenderer::upload_agents(std::span<const float> xy, std::span<const std::uint32_t> rgba) {
    agents_ = std::min(xy.size() / 2, rgba.size());
    // orphan the buffers (glBufferData) when they must grow, else overwrite in place
    if (agents_ > agent_capacity_) {
        agent_capacity_ = agents_;
        glBindBuffer(GL_ARRAY_BUFFER, agent_xy_vbo_);
        glBufferData(GL_ARRAY_BUFFER, bytes(agents_, 2 * sizeof(float)), xy.data(), GL_STREAM_DRAW);
        glBindBuffer(GL_ARRAY_BUFFER, agent_value_vbo_);
        glBufferData(GL_ARRAY_BUFFER, bytes(agents_, sizeof(std::uint32_t)), rgba.data(),
                     GL_STREAM_DRAW);
        return;
    }
    glBindBuffer(GL_ARRAY_BUFFER, agent_xy_vbo_);
    glBufferSubData(GL_ARRAY_BUFFER, 0, bytes(agents_, 2 * sizeof(float)), xy.data());
    glBindBuffer(GL_ARRAY_BUFFER, agent_value_vbo_);
    glBufferSubData(GL_ARRAY_BUFFER, 0, bytes(agents_, sizeof(std::uint32_t)), rgba.data());
}

void MapRenderer::upload_closures(std::span<const std::uint64_t> closed_mask) {
    closed_scratch_.clear();
    for (std::size_t w = 0; w < closed_mask.size(); ++w) {
        std::uint64_t bits = closed_mask[w];
        while (bits != 0) {
            const auto e = static_cast<std::uint32_t>(
                64 * w + static_cast<std::size_t>(std::countr_zero(bits)));
            bits &= bits - 1;
            if (e < edges_) {
                closed_scratch_.push_back(2 * e);
                closed_scratch_.push_back(2 * e + 1);
            }
        }
    }
    closed_count_ = closed_scratch_.size() / 2;
    glBindVertexArray(road_vao_);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, closed_ebo_);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, bytes(closed_scratch_.size(), sizeof(std::uint32_t)),
                 closed_scratch_.data(), GL_DYNAMIC_DRAW);
    glBindVertexArray(0);
}

void MapRenderer::upload_depots(std::span<const std::uint8_t> depot_down) {
    for (std::size_t d = 0; d < depots_; ++d) {
        depot_values_[d] = pack(d < depot_down.size() && depot_down[d] != 0 ? kDownDepot : kDepot);
    }
    glBindBuffer(GL_ARRAY_BUFFER, depot_value_vbo_);
    glBufferSubData(GL_ARRAY_BUFFER, 0, bytes(depots_, sizeof(std::uint32_t)),
                    depot_values_.data());
}

void MapRenderer::upload_links(std::span<const float> xy, std::span<const AgentLink> radio,
                               std::span<const AgentLink> gossip) {
    link_scratch_.clear();
    const std::size_t n = xy.size() / 2;
    auto add = [&](std::span<const AgentLink> links) {
        std::size_t count = 0;
        for (const AgentLink& l : links) {
            if (l.a < n && l.b < n) {
                link_scratch_.insert(link_scratch_.end(),
                                     {xy[2 * l.a], xy[2 * l.a + 1], xy[2 * l.b], xy[2 * l.b + 1]});
                count += 2;
            }
        }
        return count;
    };
    radio_vertices_ = add(radio);
    gossip_vertices_ = add(gossip);
    glBindBuffer(GL_ARRAY_BUFFER, link_vbo_);
    glBufferData(GL_ARRAY_BUFFER, bytes(link_scratch_.size(), sizeof(float)), link_scratch_.data(),
                 GL_STREAM_DRAW);
}

void MapRenderer::draw(const Camera& camera, int x, int y, int w, int h, const MapStyle& style) {
    std::array<float, 4> xf{};
    camera.clip_transform(xf[0], xf[1], xf[2], xf[3]);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_BLEND);
    glUseProgram(line_prog_);
    glUniform4f(glGetUniformLocation(line_prog_, "xf"), xf[0], xf[1], xf[2], xf[3]);
    const GLint colour = glGetUniformLocation(line_prog_, "colour");
    const std::array<float, 3> bg = to_float(kBackground);

    // the road layer: redrawn into its texture only when the view changed
    GLint target = 0;
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &target);
    if (!cache_valid_ || cache_w_ != w || cache_h_ != h || cache_xf_ != xf ||
        cache_roads_ != style.show_roads) {
        if (road_fbo_ == 0) {
            glGenFramebuffers(1, &road_fbo_);
            glGenTextures(1, &road_tex_);
        }
        glBindFramebuffer(GL_FRAMEBUFFER, road_fbo_);
        if (cache_w_ != w || cache_h_ != h) {
            glBindTexture(GL_TEXTURE_2D, road_tex_);
            glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
            glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, road_tex_,
                                   0);
            glBindTexture(GL_TEXTURE_2D, 0);
        }
        glViewport(0, 0, w, h);
        glDisable(GL_SCISSOR_TEST);
        glClearColor(bg[0], bg[1], bg[2], 1.0F);
        glClear(GL_COLOR_BUFFER_BIT);
        if (style.show_roads) {
            glBindVertexArray(road_vao_);
            set_rgb(colour, kRoad);
            glLineWidth(1.0F);
            glDrawArrays(GL_LINES, 0, static_cast<GLsizei>(2 * edges_));
        }
        glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(target));
        cache_w_ = w;
        cache_h_ = h;
        cache_xf_ = xf;
        cache_roads_ = style.show_roads;
        cache_valid_ = true;
        ++road_renders_;
    }
    glBindFramebuffer(GL_READ_FRAMEBUFFER, road_fbo_);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, static_cast<GLuint>(target));
    glBlitFramebuffer(0, 0, w, h, x, y, x + w, y + h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(target));

    glViewport(x, y, w, h);
    glEnable(GL_SCISSOR_TEST);
    glScissor(x, y, w, h);
    // closed roads over the layer, wider where the driver allows it
    glBindVertexArray(road_vao_);
    if (closed_count_ > 0) {
        set_rgb(colour, kClosedRoad);
        glLineWidth(std::min(3.0F, line_width_max_));
        glDrawElements(GL_LINES, static_cast<GLsizei>(2 * closed_count_), GL_UNSIGNED_INT, nullptr);
        glLineWidth(1.0F);
    }
    // links between agents
    if ((style.show_links && radio_vertices_ > 0) || (style.show_gossip && gossip_vertices_ > 0)) {
        glBindVertexArray(link_vao_);
        if (style.show_links && radio_vertices_ > 0) {
            set_rgb(colour, Rgb{70, 110, 170});
            glDrawArrays(GL_LINES, 0, static_cast<GLsizei>(radio_vertices_));
        }
        if (style.show_gossip && gossip_vertices_ > 0) {
            set_rgb(colour, Rgb{255, 230, 120});
            glDrawArrays(GL_LINES, static_cast<GLint>(radio_vertices_),
                         static_cast<GLsizei>(gossip_vertices_));
        }
    }

    // depots (discs), then agents over them: point sprites, discs or small squares
    auto use = [&](GLuint prog, float px) {
        glUseProgram(prog);
        glUniform4f(glGetUniformLocation(prog, "xf"), xf[0], xf[1], xf[2], xf[3]);
        glUniform1f(glGetUniformLocation(prog, "size_px"), px);
    };
    glEnable(GL_PROGRAM_POINT_SIZE);
    if (depots_ > 0) {
        use(point_prog_, style.depot_px);
        glBindVertexArray(depot_vao_);
        glDrawArraysInstanced(GL_POINTS, 0, 1, static_cast<GLsizei>(depots_));
    }
    if (agents_ > 0) {
        use(style.agent_px > kSquareMaxPx ? point_prog_ : square_prog_, style.agent_px);
        glBindVertexArray(agent_vao_);
        // the same buffers either way: per instance (divisor 1) or per vertex (divisor 0)
        const GLuint divisor = style.instanced ? 1 : 0;
        glVertexAttribDivisor(1, divisor);
        glVertexAttribDivisor(2, divisor);
        if (style.instanced) {
            glDrawArraysInstanced(GL_POINTS, 0, 1, static_cast<GLsizei>(agents_));
        } else {
            glDrawArrays(GL_POINTS, 0, static_cast<GLsizei>(agents_));
        }
    }
    glBindVertexArray(0);
    glUseProgram(0);
    glDisable(GL_PROGRAM_POINT_SIZE);
    glDisable(GL_SCISSOR_TEST);
}

Framebuffer::Framebuffer(int width, int height) : width_(width), height_(height) {
    glGenFramebuffers(1, &fbo_);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glGenRenderbuffers(1, &colour_);
    glBindRenderbuffer(GL_RENDERBUFFER, colour_);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, colour_);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
        throw std::runtime_error("offscreen framebuffer incomplete");
    }
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

Framebuffer::~Framebuffer() {
    glDeleteFramebuffers(1, &fbo_);
    glDeleteRenderbuffers(1, &colour_);
}

void Framebuffer::bind() const {
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
}
void Framebuffer::unbind() {
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

std::vector<std::uint8_t> Framebuffer::read_rgb() const {
    const auto w = static_cast<std::size_t>(width_);
    const auto h = static_cast<std::size_t>(height_);
    std::vector<std::uint8_t> rgba(w * h * 4);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo_);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width_, height_, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
    // GL rows run bottom to top
    std::vector<std::uint8_t> rgb(w * h * 3);
    for (std::size_t y = 0; y < h; ++y) {
        const std::uint8_t* src = &rgba[(h - 1 - y) * w * 4];
        std::uint8_t* dst = &rgb[y * w * 3];
        for (std::size_t x = 0; x < w; ++x) {
            dst[3 * x] = src[4 * x];
            dst[3 * x + 1] = src[4 * x + 1];
            dst[3 * x + 2] = src[4 * x + 2];
        }
    }
    return rgb;
}

}  // namespace swarm::viz
