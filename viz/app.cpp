#include "viz/app.hpp"

#include "io/trace/trace_child_check.hpp"
#include "viz/app_internal.hpp"

namespace swarm::viz {

namespace app_detail {

namespace {

bool is_scenario(const std::string& path) {
    return std::filesystem::path(path).extension() == ".toml";
}

}  // namespace

double App::now_s() const {
    if (live_) {
        return views_.front().snap.time_s;
    }
    return timeline_.time();
}

double App::end_s() const {
    return live_ ? live_->duration_s() : timeline_.end();
}

std::span<const float> App::chosen_values(const Snapshot& s) const {
    if (colour_choice_ == 1) {
        return s.load;
    }
    if (colour_choice_ == 2) {
        return s.energy;
    }
    const auto extra = static_cast<std::size_t>(colour_choice_ - 3);
    if (colour_choice_ >= 3 && extra < s.extra.size()) {
        return s.extra[extra].values;
    }
    return {};
}

void App::open_sources() {
    if (is_scenario(o_.input)) {
        if (!o_.compare.empty()) {
            throw std::invalid_argument("--compare needs two traces, not a scenario");
        }
        live_ = std::make_unique<LiveSession>(o_.live);
        live_->set_speed(o_.speed);
        live_->set_links(o_.radio_links, o_.gossip);
        live_->set_paused(o_.paused);
        MapView v;
        v.title = o_.input;
        v.name = policy_title(live_->scenario().spec.allocation.policy);
        clock_.start_hour = day_start_hour(live_->scenario().spec.demand);
        v.roads = &live_->roads();
        v.network = &live_->network();
        views_.push_back(std::move(v));
        return;
    }
    if (!o_.live.script.empty()) {
        throw UsageError(o_.live.script.front().flag +
                         " works in live mode (a scenario), not on a trace");
    }
    if (o_.live.fork_at_s) {
        throw UsageError("--fork-at works in live mode (a scenario), not on a trace");
    }
    // untrusted files: read in a child process first, where a crash inside libhdf5 on a
    // damaged file becomes a format error (io/trace/trace_child_check.hpp)
    io::ChildCheckOptions check;
    check.allow_partial = true;  // as ReplaySource opens them
    io::check_trace_in_child(o_.input, check);
    if (!o_.compare.empty()) {
        io::check_trace_in_child(o_.compare, check);
    }
    replay_a_ = std::make_unique<ReplaySource>(o_.input);
    timeline_ = replay_a_->make_timeline();
    clock_.start_hour = replay_a_->start_hour();
    timeline_.set_speed(o_.speed > 0.0 ? o_.speed : 600.0);
    if (!o_.paused) {
        timeline_.play();
    }
    MapView a;
    a.title = o_.input;
    a.name = policy_title(replay_a_->policy());
    a.roads = &replay_a_->roads();
    a.network = replay_a_->network();
    a.replay = replay_a_.get();
    views_.push_back(std::move(a));
    if (!o_.compare.empty()) {
        replay_b_ = std::make_unique<ReplaySource>(o_.compare);
        MapView b;
        b.title = o_.compare;
        b.name = policy_title(replay_b_->policy());
        b.roads = &replay_b_->roads();
        b.network = replay_b_->network();
        b.replay = replay_b_.get();
        views_.push_back(std::move(b));
    }
    for (const MapView& v : views_) {
        if (!v.replay->has_map()) {
            std::cerr << "swarmsim-viz: " << v.title << ": " << v.replay->map_note() << "\n";
        }
    }
}

// the live run's branch, beside the trunk from the frame it exists (as B of a comparison)
void App::add_branch_view() {
    MapView v;
    v.title = o_.input;
    v.name = policy_title(live_->branch_scenario().spec.allocation.policy) + ", fork at " +
             clock_(live_->fork_time_s());
    v.roads = &live_->roads();
    v.network = &live_->network();
    if (window_ != nullptr) {
        v.gpu = std::make_unique<MapRenderer>();
        v.gpu->init(*v.roads);
    }
    views_.push_back(std::move(v));
    status_ = "fork: " + views_.back().name;
}

bool App::init_window(bool hidden) {
    glfwSetErrorCallback([](int code, const char* what) {
        std::cerr << "swarmsim-viz: GLFW error " << code << ": " << what << "\n";
    });
    if (glfwInit() == GLFW_FALSE) {
        return false;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_VISIBLE, hidden ? GLFW_FALSE : GLFW_TRUE);
    window_ = glfwCreateWindow(o_.width, o_.height, "swarmsim-viz", nullptr, nullptr);
    if (window_ == nullptr) {
        glfwTerminate();
        return false;
    }
    if (mode_ != LayoutMode::kMapOnly) {
        // the panels are laid out for at least this (smaller: refused by --size)
        glfwSetWindowSizeLimits(window_, kMinWindowWidth, kMinWindowHeight, GLFW_DONT_CARE,
                                GLFW_DONT_CARE);
    }
    glfwMakeContextCurrent(window_);
    glfwSwapInterval(hidden ? 0 : 1);
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;  // no imgui.ini beside the user's files
    // the tiles' headlines in a big font when Debian's fonts-dejavu-core is there (the
    // built-in one, scaled, otherwise)
    ImFontAtlas* fonts = ImGui::GetIO().Fonts;
    fonts->AddFontDefault();
    if (std::filesystem::exists(kHeadlineFont)) {
        fonts->AddFontFromFileTTF(kHeadlineFont, 40.0F);
    }
    ImGui::StyleColorsDark();
    // opaque panels in a colour no map uses: a screenshot shows any panel over a map
    ImGui::GetStyle().Colors[ImGuiCol_WindowBg] = col4(kPanelBackground);
    ImGui::GetStyle().WindowRounding = 0.0F;
    ImGui_ImplGlfw_InitForOpenGL(window_, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");
    for (MapView& v : views_) {
        v.gpu = std::make_unique<MapRenderer>();
        v.gpu->init(*v.roads);
    }
    return true;
}

void App::shutdown() {
    for (MapView& v : views_) {
        v.gpu.reset();
    }
    if (window_ != nullptr) {
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
        glfwDestroyWindow(window_);
        glfwTerminate();
        window_ = nullptr;
    }
}

void App::update(double wall_dt) {
    if (live_) {
        if (live_->has_branch() && views_.size() == 1) {
            add_branch_view();
        }
        for (std::size_t i = 0; i < views_.size(); ++i) {
            SnapshotBuffer& buffer = i == 0 ? live_->snapshots() : live_->branch_snapshots();
            if (buffer.acquire()) {
                views_[i].snap = buffer.front();
                upload(views_[i]);
            }
        }
        return;
    }
    timeline_.advance(wall_dt);
    const double t = timeline_.time();
    for (MapView& v : views_) {
        if (v.filled_at != t) {
            v.replay->fill(t, v.snap);
            v.filled_at = t;
            upload(v);
        }
    }
}

void App::upload(MapView& v) {
    if (!v.gpu) {
        return;
    }
    if (colour_by_pending_ && v.snap.agents() > 0) {
        // --colour-by NAME: a standard value or one of the run's extra arrays
        std::vector<std::string> names = {"state", "load", "energy"};
        for (const ValueArray& e : v.snap.extra) {
            names.push_back(e.name);
        }
        const auto it = std::find(names.begin(), names.end(), o_.colour_by);
        if (it == names.end()) {
            std::string known;
            for (const std::string& n : names) {
                known += (known.empty() ? "" : ", ") + n;
            }
            throw UsageError("--colour-by '" + o_.colour_by + "': this run has no such value (" +
                             known + ")");
        }
        colour_choice_ = static_cast<int>(it - names.begin());
        colour_by_pending_ = false;
    }
    const ColourMode mode = colour_choice_ == 0 ? ColourMode::kState : ColourMode::kValue;
    const std::span<const float> chosen = chosen_values(v.snap);
    if (mode == ColourMode::kValue) {
        range_ = value_range(chosen);
    }
    agent_colours(v.snap.state, mode, chosen, range_, v.colours);
    v.gpu->upload_agents(v.snap.xy, v.colours);
    if (v.snap.closed_edges != v.uploaded_closed) {
        v.gpu->upload_closures(v.snap.closed_edges);
        v.uploaded_closed = v.snap.closed_edges;
    }
    if (v.snap.depot_down != v.uploaded_depots) {
        v.gpu->upload_depots(v.snap.depot_down);
        v.uploaded_depots = v.snap.depot_down;
    }
    v.gpu->upload_links(v.snap.xy, v.snap.radio_links, v.snap.gossip);
}

void App::draw_maps(int fb_w, int fb_h) {
    const float scale = ImGui::GetIO().DisplayFramebufferScale.x;
    glViewport(0, 0, fb_w, fb_h);
    const std::array<float, 3> bg = to_float(kBackground);
    glClearColor(bg[0], bg[1], bg[2], 1.0F);
    glClear(GL_COLOR_BUFFER_BIT);
    // one camera for all maps (the same city in a comparison), on a map's own rect; fitted
    // to the network on first use, and again when the window is resized before the user
    // moved the view
    const Rect& first = layout_.maps.front();
    camera_.set_viewport(0, 0, first.w, first.h);
    if (!camera_fitted_ || (!camera_moved_ && (first.w != fitted_w_ || first.h != fitted_h_))) {
        const RoadGeometry& r = *views_.front().roads;
        camera_.fit({0, 0}, {r.extent.x, r.extent.y});
        camera_fitted_ = true;
        fitted_w_ = first.w;
        fitted_h_ = first.h;
    }
    for (std::size_t i = 0; i < views_.size(); ++i) {
        // window pixels (y down) to GL pixels (y up)
        const Rect& m = layout_.maps[i];
        const int x = static_cast<int>(std::lround(m.x * scale));
        const int w = std::max(1, static_cast<int>(std::lround(m.w * scale)));
        const int h = std::max(1, static_cast<int>(std::lround(m.h * scale)));
        const int y = fb_h - static_cast<int>(std::lround(m.bottom() * scale));
        views_[i].gpu->draw(camera_, x, y, w, h, style_);
    }
}

void App::handle_mouse() {
    ImGuiIO& io = ImGui::GetIO();
    const ImVec2 m = io.MousePos;
    // which map the mouse is over; the camera works in that map's local pixels
    std::size_t idx = views_.size();
    for (std::size_t i = 0; i < views_.size(); ++i) {
        if (layout_.maps[i].contains(m.x, m.y)) {
            idx = i;
        }
    }
    if (io.WantCaptureMouse || idx == views_.size()) {
        return;
    }
    const Vec2 local{m.x - layout_.maps[idx].x, m.y - layout_.maps[idx].y};
    if (io.MouseWheel != 0.0F) {
        camera_.zoom_at(local, std::pow(1.15, static_cast<double>(io.MouseWheel)));
        camera_moved_ = true;
    }
    if (ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2.0F) ||
        ImGui::IsMouseDragging(ImGuiMouseButton_Right, 2.0F)) {
        camera_.pan_pixels(io.MouseDelta.x, io.MouseDelta.y);
        camera_moved_ = true;
        return;
    }
    if (!ImGui::IsMouseReleased(ImGuiMouseButton_Left)) {
        return;
    }
    const ImVec2 drag = io.MouseClickedPos[ImGuiMouseButton_Left];
    if (std::abs(drag.x - m.x) > 3.0F || std::abs(drag.y - m.y) > 3.0F) {
        return;  // the end of a drag, not a click
    }
    MapView& v = views_[idx];
    const Vec2 w = camera_.to_world(local);
    const double radius = 8.0 / camera_.scale();  // 8 pixels
    if (tool_ == 1 && live_) {
        if (const auto e = pick_edge(*v.roads, w, radius)) {
            const bool closed = v.snap.edge_closed(*e);
            live_->commands().push(
                {closed ? VizCommand::Kind::kReopenRoad : VizCommand::Kind::kCloseRoad, *e, 0.0});
            status_ = std::string(closed ? "reopen" : "close") + " road " + std::to_string(*e);
        }
        return;
    }
    if (tool_ == 2 && live_) {
        if (const auto d = pick_depot(*v.roads, w, 2.0 * radius)) {
            const bool down = *d < v.snap.depot_down.size() && v.snap.depot_down[*d] != 0;
            live_->commands().push(
                {down ? VizCommand::Kind::kDepotUp : VizCommand::Kind::kDepotDown, *d, 0.0});
            status_ = std::string(down ? "restore" : "take down") + " depot " + std::to_string(*d);
        }
        return;
    }
    if (mode_ != LayoutMode::kFull) {
        return;  // no inspector to show the pick in
    }
    const auto a = pick_agent(v.snap.xy, w, radius);
    selected_ = a ? *a : kNone;
    if (live_) {
        live_->watch(selected_);
    }
}

void App::draw_overlays() {
    // the selected agent and its remaining route, over the GL map and inside it
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    for (std::size_t i = 0; i < views_.size(); ++i) {
        const Snapshot& s = views_[i].snap;
        const Rect& m = layout_.maps[i];
        if (selected_ == kNone || selected_ >= s.agents()) {
            continue;
        }
        dl->PushClipRect(top_left(m), bottom_right(m), true);
        const auto px = [&](float x, float y) {
            const Vec2 p = camera_.to_pixel({x, y});
            return ImVec2{m.x + static_cast<float>(p.x), m.y + static_cast<float>(p.y)};
        };
        if (s.detail.agent == selected_) {
            for (std::size_t k = 0; k + 3 < s.detail.route_xy.size(); k += 4) {
                dl->AddLine(px(s.detail.route_xy[k], s.detail.route_xy[k + 1]),
                            px(s.detail.route_xy[k + 2], s.detail.route_xy[k + 3]),
                            IM_COL32(255, 255, 255, 200), 2.0F);
            }
        }
        dl->AddCircle(px(s.xy[2 * selected_], s.xy[2 * selected_ + 1]), 9.0F,
                      IM_COL32(255, 255, 255, 255), 16, 2.0F);
        dl->PopClipRect();
    }
}

void App::frame(int fb_w, int fb_h) {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    layout_ = compute_layout(display.x, display.y, mode_, views_.size());
    if (reporting()) {
        report_.clear();
        report_.width = static_cast<int>(display.x);
        report_.height = static_cast<int>(display.y);
        report_.mode = std::string(to_string(mode_));
        report_.time_s = now_s();
        report_.clock = clock_(now_s());
    }
    handle_mouse();
    if (mode_ == LayoutMode::kFull) {
        ui_controls();
        ui_dashboard();
    } else if (mode_ == LayoutMode::kKiosk) {
        ui_kiosk();
    }
    if (mode_ != LayoutMode::kMapOnly) {
        draw_strips();
        draw_overlays();
    }
    if (reporting()) {
        report_windows();
    }
    ImGui::Render();
    draw_maps(fb_w, fb_h);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

// Frame times offscreen at the requested size: every frame takes a new snapshot (copied from
// the live buffer or filled from the trace), converts the colour values, uploads the agents
// and draws the map and all panels, then waits for the GPU (glFinish).
int App::bench() {
    if (live_) {
        live_->run_until(o_.at_s);
        live_->snapshots().acquire();
    } else {
        timeline_.pause();
        timeline_.seek(o_.at_s);
    }
    const Framebuffer fbo(o_.width, o_.height);
    fbo.bind();
    using clock = std::chrono::steady_clock;
    auto seconds = [](clock::time_point a, clock::time_point b) {
        return std::chrono::duration<double>(b - a).count();
    };
    std::vector<double> frame_s;
    double copy_s = 0.0;
    double upload_s = 0.0;
    for (int i = -3; i < o_.bench_frames; ++i) {  // 3 warm-up frames
        const auto t0 = clock::now();
        MapView& v = views_.front();
        if (live_) {
            v.snap = live_->snapshots().front();
        } else {
            v.replay->fill(o_.at_s, v.snap);
        }
        const auto t1 = clock::now();
        upload(v);
        glFinish();
        const auto t2 = clock::now();
        glfwPollEvents();
        frame(o_.width, o_.height);
        glFinish();
        const auto t3 = clock::now();
        if (i >= 0) {
            frame_s.push_back(seconds(t0, t3));
            copy_s += seconds(t0, t1);
            upload_s += seconds(t1, t2);
        }
    }
    Framebuffer::unbind();
    std::sort(frame_s.begin(), frame_s.end());
    const double n = static_cast<double>(frame_s.size());
    double mean = 0.0;
    for (const double s : frame_s) {
        mean += s / n;
    }
    const std::size_t agents = views_.front().snap.agents();
    std::printf(
        "agents %zu, %dx%d, %d frames: frame mean %.2f ms, p50 %.2f ms, p95 %.2f ms, "
        "%.1f fps; per frame: snapshot %s %.2f ms, colour values + upload %.2f ms\n",
        agents, o_.width, o_.height, o_.bench_frames, 1e3 * mean, 1e3 * frame_s[frame_s.size() / 2],
        1e3 * frame_s[frame_s.size() * 95 / 100], 1.0 / mean, live_ ? "copy" : "fill from trace",
        1e3 * copy_s / n, 1e3 * upload_s / n);
    if (live_) {
        const LiveSession::FeedStats f = live_->feed_stats();
        std::printf(
            "agents %zu: observer fill on the simulation thread %.2f ms per sample "
            "(%llu samples)\n",
            agents, f.samples > 0 ? 1e3 * f.seconds / static_cast<double>(f.samples) : 0.0,
            static_cast<unsigned long long>(f.samples));
    }
    std::fflush(stdout);
    shutdown();
    return 0;
}

// one frame at the requested time, offscreen, to a PNG (and its report)
void App::take_screenshot() {
    // the state at the requested time, then a few frames so ImGui settles its layout
    if (live_) {
        live_->run_until(o_.at_s);
    } else {
        timeline_.pause();
        timeline_.seek(o_.at_s);
    }
    update(0.0);
    const Framebuffer fbo(o_.width, o_.height);
    fbo.bind();
    for (int i = 0; i < 3; ++i) {
        glfwPollEvents();
        frame(o_.width, o_.height);
    }
    glFinish();
    Image img;
    img.width = o_.width;
    img.height = o_.height;
    img.channels = 3;
    img.data = fbo.read_rgb();
    Framebuffer::unbind();
    shutdown();
    write_png(o_.screenshot, img, o_.force);
    std::cout << "wrote " << o_.screenshot << " (" << img.width << "x" << img.height
              << ", t = " << views_.front().snap.time_s << " s)\n";
    if (reporting()) {
        write_frame_report(o_.layout_out, report_, o_.force);
        std::cout << "wrote " << o_.layout_out << "\n";
    }
}

int App::run() {
    open_sources();
    const bool shot = !o_.screenshot.empty() || o_.bench_frames > 0;
    // no display and no way to get one: ctest's skip code
    if (std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr) {
        std::cerr << "swarmsim-viz: no display (set DISPLAY, or run under xvfb-run -a)\n";
        return kExitNoDisplay;
    }
    if (!init_window(shot)) {
        std::cerr << "swarmsim-viz: cannot open an OpenGL 3.3 window\n";
        return kExitNoDisplay;
    }
    if (o_.bench_frames > 0) {
        return bench();
    }
    if (shot) {
        take_screenshot();
        return 0;
    }

    if (live_) {
        live_->start();
    }
    auto last = std::chrono::steady_clock::now();
    const auto started = last;
    while (glfwWindowShouldClose(window_) == GLFW_FALSE) {
        glfwPollEvents();
        const auto now = std::chrono::steady_clock::now();
        const double dt = std::chrono::duration<double>(now - last).count();
        last = now;
        update(dt);
        int fb_w = 0;
        int fb_h = 0;
        glfwGetFramebufferSize(window_, &fb_w, &fb_h);
        frame(fb_w, fb_h);
        glfwSwapBuffers(window_);
        if (o_.quit_after_s > 0.0 &&
            std::chrono::duration<double>(now - started).count() > o_.quit_after_s) {
            break;
        }
    }
    if (live_) {
        live_->stop();
    }
    shutdown();
    return 0;
}

}  // namespace app_detail

int run_app(const AppOptions& options) {
    app_detail::App app(options);
    return app.run();
}

}  // namespace swarm::viz
