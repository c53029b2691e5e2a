// The visualizer's application object, shared by the files that implement it (app.cpp:
// windows, sources, maps, frames; app_panels.cpp: the ImGui panels). Not an API: run_app
// (viz/app.hpp) is.
#pragma once

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "viz/app.hpp"
#include "viz/colormap.hpp"
#include "viz/dashboard.hpp"
#include "viz/png.hpp"
#include "viz/renderer.hpp"
#include "viz/replay.hpp"

namespace swarm::viz::app_detail {

constexpr float kDashboardWidth = 380.0F;  // the dashboard on the right
constexpr std::uint32_t kNone = 0xFFFFFFFFu;

ImVec4 col4(Rgb c);
// the speed chooser: the factor chosen, or nullopt for "as fast as possible"
std::optional<double> speed_combo(int& choice, bool live);

// one map on screen: its data source's latest snapshot and GPU buffers
struct MapView {
    std::string title;  // the file
    std::string name;   // the run by its policy ("Swarm (auction)", "Cloud"; policy_title)
    // "Swarm (auction) - co_auction.h5", or the file alone when the policy is unknown
    [[nodiscard]] std::string caption() const {
        const std::string file = std::filesystem::path(title).filename().string();
        return name.empty() ? file : name + " - " + file;
    }
    const RoadGeometry* roads = nullptr;
    const world::RoadNetwork* network = nullptr;
    ReplaySource* replay = nullptr;  // replay mode
    Snapshot snap;                   // replay: filled here; live: copied from the buffer front
    std::unique_ptr<MapRenderer> gpu;
    std::vector<std::uint32_t> colours;
    std::vector<std::uint64_t> uploaded_closed;
    std::vector<std::uint8_t> uploaded_depots;
    double filled_at = -1.0;
};

class App {
  public:
    explicit App(const AppOptions& o) : o_(o) {
        style_.agent_px = o.agent_px;
        style_.instanced = o.instanced;
        style_.show_links = o.radio_links;
        style_.show_gossip = o.gossip;
    }

    int run();

  private:
    void open_sources();
    bool init_window(bool hidden);
    void shutdown();
    void update(double wall_dt);
    void upload(MapView& v);
    void frame(int fb_w, int fb_h);
    void draw_maps(int fb_w, int fb_h);
    void handle_mouse(float map_w, float map_h);
    void ui_controls();
    void ui_dashboard();
    void ui_inspector();
    void draw_overlays(float map_w, float map_h);
    [[nodiscard]] double now_s() const;
    int bench();
    [[nodiscard]] float panel_width() const { return o_.no_ui ? 0.0F : kDashboardWidth; }
    [[nodiscard]] std::span<const float> chosen_values(const Snapshot& s) const;

    AppOptions o_;
    GLFWwindow* window_ = nullptr;
    std::unique_ptr<LiveSession> live_;
    std::unique_ptr<ReplaySource> replay_a_;
    std::unique_ptr<ReplaySource> replay_b_;
    Timeline timeline_;
    SimClock clock_;  // simulated seconds as the scenario's time of day
    std::vector<MapView> views_;
    Camera camera_;
    bool camera_fitted_ = false;
    MapStyle style_;
    ValueRange range_{};             // of the value agents are coloured by
    int colour_choice_ = 0;          // 0 state, 1 load, 2 energy, 3+ extra arrays
    bool colour_by_pending_ = true;  // --colour-by is resolved on the first snapshot
    std::uint32_t selected_ = kNone;
    int tool_ = 0;  // 0 inspect, 1 close/reopen road, 2 depot down/up
    std::string status_;
    std::array<char, 128> road_name_{};  // the live panel's "close road" field
    int speed_choice_ = 2;
};

}  // namespace swarm::viz::app_detail
