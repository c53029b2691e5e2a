// The visualizer's application object, shared by the files that implement it (app.cpp:
// windows, sources, maps, frames; app_panels.cpp: the control column and the inspector;
// app_dashboard.cpp: tiles, the Q(t) chart, the dashboard and kiosk columns, the strips under
// the maps). Not an API: run_app (viz/app.hpp) is.
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
#include "viz/frame_report.hpp"
#include "viz/layout.hpp"
#include "viz/png.hpp"
#include "viz/renderer.hpp"
#include "viz/replay.hpp"

namespace swarm::viz::app_detail {

constexpr std::uint32_t kNone = 0xFFFFFFFFu;
constexpr const char* kHeadlineFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

ImVec4 col4(Rgb c);
ImU32 col32(Rgb c);
ImVec2 top_left(const Rect& r);
ImVec2 bottom_right(const Rect& r);
// what the app draws a KpiTile with: font sizes in pixels (the kiosk's are big)
struct TileStyle {
    float label_px = 13.0F;
    float value_px = 20.0F;
    float detail_px = 13.0F;
    float bar_px = 5.0F;
};
// a tile in `r` with the window's draw list: its level's bar, label, headline, detail and,
// when there is room, the sparkline; returns the bar's rect
Rect draw_tile(const KpiTile& t, const Rect& r, const TileStyle& style);
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
        mode_ = layout_mode(o.no_ui, o.kiosk);
    }

    int run();

  private:
    void open_sources();
    void add_branch_view();
    bool init_window(bool hidden);
    void shutdown();
    void update(double wall_dt);
    void upload(MapView& v);
    void frame(int fb_w, int fb_h);
    void draw_maps(int fb_w, int fb_h);
    void handle_mouse();
    void ui_controls();
    void ui_colours(const Snapshot& s);
    void ui_live_tools(const Snapshot& s);
    void ui_fork();
    void ui_inspector();
    void ui_dashboard();
    void ui_kiosk();
    // the tiles of each run in `area` (rows of two: one run's tiles, or A beside B)
    void tile_grid(const Rect& area, const TileStyle& style, bool sparklines);
    void level_legend();
    void draw_strips();
    void draw_overlays();
    void report_windows();
    void take_screenshot();
    [[nodiscard]] double now_s() const;
    [[nodiscard]] double end_s() const;
    int bench();
    [[nodiscard]] std::span<const float> chosen_values(const Snapshot& s) const;
    [[nodiscard]] bool reporting() const { return !o_.layout_out.empty(); }

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
    bool camera_moved_ = false;  // by the user: a resize no longer refits
    float fitted_w_ = 0.0F;      // the map rect the camera was fitted to
    float fitted_h_ = 0.0F;
    MapStyle style_;
    LayoutMode mode_ = LayoutMode::kFull;
    Layout layout_;                  // this frame's, from the window size
    FrameReport report_;             // this frame's, when --layout-out asks for it
    ValueRange range_{};             // of the value agents are coloured by
    int colour_choice_ = 0;          // 0 state, 1 load, 2 energy, 3+ extra arrays
    bool colour_by_pending_ = true;  // --colour-by is resolved on the first snapshot
    std::uint32_t selected_ = kNone;
    int tool_ = 0;  // 0 inspect, 1 close/reopen road, 2 depot down/up
    std::string status_;
    std::array<char, 128> road_name_{};  // the live panel's "close road" field
    int fork_policy_ = 0;                // the live panel's "what if" policy choice
    std::array<char, 256> fork_more_{};  // and its further changes (key=value, ...)
    int speed_choice_ = 2;
};

}  // namespace swarm::viz::app_detail
