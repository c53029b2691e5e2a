// The visualizer's ImGui panels: controls, dashboard, inspector (App, app_internal.hpp).
#include "io/scenario/road_names.hpp"
#include "viz/app_internal.hpp"

namespace swarm::viz::app_detail {

ImVec4 col4(Rgb c) {
    return {c.r / 255.0F, c.g / 255.0F, c.b / 255.0F, 1.0F};
}

// the speed choices (simulated s per wall s); live mode's last is "as fast as possible" (0)
std::optional<double> speed_combo(int& choice, bool live) {
    static constexpr std::array<const char*, 6> kLive = {"x1",   "x10",   "x60",
                                                         "x600", "x3600", "max"};
    static constexpr std::array<const char*, 6> kReplay = {"x1",   "x10",   "x60",
                                                           "x600", "x3600", "x36000"};
    static constexpr std::array<double, 6> kValues = {1, 10, 60, 600, 3600, 36000};
    const auto& labels = live ? kLive : kReplay;
    ImGui::SetNextItemWidth(90);
    if (!ImGui::Combo("speed", &choice, labels.data(), static_cast<int>(labels.size()))) {
        return std::nullopt;
    }
    const auto i = static_cast<std::size_t>(choice);
    return live && i + 1 == labels.size() ? 0.0 : kValues[i];
}

void App::ui_controls() {
    ImGui::SetNextWindowPos({8, 8}, ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize({330, 0}, ImGuiCond_FirstUseEver);
    ImGui::Begin("swarmsim-viz");
    const Snapshot& s = views_.front().snap;
    if (live_) {
        ImGui::Text("live: %s", views_.front().caption().c_str());
        ImGui::Text("t = %.0f s of %.0f s, %zu agents", s.time_s, live_->duration_s(), s.agents());
        if (ImGui::Button(live_->paused() ? "Resume" : "Pause")) {
            live_->set_paused(!live_->paused());
        }
        ImGui::SameLine();
        if (const std::optional<double> v = speed_combo(speed_choice_, true)) {
            live_->set_speed(*v);
        }
        if (live_->finished()) {
            const std::string err = live_->error();
            ImGui::TextColored({1, 0.5F, 0.5F, 1}, "%s",
                               err.empty() ? "run finished" : err.c_str());
        }
    } else {
        ImGui::Text("replay: %s", views_.front().caption().c_str());
        ImGui::Text("%zu agents, %zu samples", s.agents(), timeline_.samples());
        if (ImGui::Button(timeline_.playing() ? "Pause" : "Play")) {
            timeline_.toggle();
        }
        ImGui::SameLine();
        if (const std::optional<double> v = speed_combo(speed_choice_, false)) {
            timeline_.set_speed(*v);
        }
        ImGui::SameLine();
        ImGui::BeginDisabled(timeline_.disruptions().empty());
        if (ImGui::Button("Next disruption")) {
            timeline_.jump_to_next_disruption();
        }
        ImGui::EndDisabled();
        auto t = static_cast<float>(timeline_.time());
        ImGui::SetNextItemWidth(-1);
        if (ImGui::SliderFloat("##time", &t, static_cast<float>(timeline_.begin()),
                               static_cast<float>(timeline_.end()), "t = %.0f s")) {
            timeline_.seek(t);
        }
        ImGui::Text("%zu disruptions in the trace", timeline_.disruptions().size());
        if (!replay_a_->has_map()) {
            ImGui::TextWrapped("%s", replay_a_->map_note().c_str());
        }
    }

    // colouring
    std::vector<std::string> names = {"state", "load", "energy"};
    for (const ValueArray& v : s.extra) {
        names.push_back(v.name);
    }
    if (ImGui::BeginCombo("colour by", names[static_cast<std::size_t>(colour_choice_)].c_str())) {
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (ImGui::Selectable(names[i].c_str(), static_cast<int>(i) == colour_choice_)) {
                colour_choice_ = static_cast<int>(i);
                for (MapView& v : views_) {
                    upload(v);
                }
            }
        }
        // values the model does not produce yet, listed so users know where they go
        if (s.extra.empty()) {
            ImGui::BeginDisabled();
            ImGui::Selectable("predicted risk (not in this run)");
            ImGui::Selectable("model accuracy (not in this run)");
            ImGui::EndDisabled();
        }
        ImGui::EndCombo();
    }
    if (colour_choice_ == 0) {
        for (std::size_t i = 0; i < kStateColours; ++i) {
            ImGui::ColorButton(state_name(i), col4(kStateColour[i]), ImGuiColorEditFlags_NoTooltip,
                               {10, 10});
            ImGui::SameLine();
            ImGui::Text("%s", state_name(i));
            if (i % 2 == 0 && i + 1 < kStateColours) {
                ImGui::SameLine(160);
            }
        }
    } else {
        // the colour bar of the value ramp, with its range
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float w = ImGui::GetContentRegionAvail().x;
        constexpr int kSteps = 32;
        ImDrawList* dl = ImGui::GetWindowDrawList();
        for (int k = 0; k < kSteps; ++k) {
            const float x0 = p.x + w * static_cast<float>(k) / kSteps;
            const float x1 = p.x + w * static_cast<float>(k + 1) / kSteps;
            const Rgb c = value_colour((k + 0.5) / kSteps);
            dl->AddRectFilled({x0, p.y}, {x1, p.y + 10.0F}, IM_COL32(c.r, c.g, c.b, 255));
        }
        ImGui::Dummy({w, 10.0F});
        ImGui::Text("%.2f", static_cast<double>(range_.min));
        ImGui::SameLine(w - 40.0F);
        ImGui::Text("%.2f", static_cast<double>(range_.max));
    }
    // the map's own colours
    static constexpr std::array<std::pair<const char*, Rgb>, 4> kMapLegend = {
        {{"road", kRoad},
         {"closed road", kClosedRoad},
         {"depot", kDepot},
         {"depot down", kDepotDown}}};
    for (std::size_t i = 0; i < kMapLegend.size(); ++i) {
        ImGui::ColorButton(kMapLegend[i].first, col4(kMapLegend[i].second),
                           ImGuiColorEditFlags_NoTooltip, {10, 10});
        ImGui::SameLine();
        ImGui::Text("%s", kMapLegend[i].first);
        if (i % 2 == 0 && i + 1 < kMapLegend.size()) {
            ImGui::SameLine(160);
        }
    }
    ImGui::Checkbox("roads", &style_.show_roads);
    ImGui::SameLine();
    const bool have_links = !s.radio_links.empty();
    const bool have_gossip = !s.gossip.empty();
    ImGui::Checkbox(have_links ? "radio links" : "radio links (none)", &style_.show_links);
    ImGui::SameLine();
    ImGui::Checkbox(have_gossip ? "gossip" : "gossip (none)", &style_.show_gossip);
    if (live_) {
        live_->set_links(style_.show_links, style_.show_gossip);
    }
    ImGui::SliderFloat("agent size", &style_.agent_px, 1.0F, 12.0F, "%.0f px");

    // disruptions (live)
    if (live_) {
        ImGui::Separator();
        ImGui::TextDisabled("disruptions");
        ImGui::RadioButton("inspect", &tool_, 0);
        ImGui::SameLine();
        ImGui::RadioButton("close road", &tool_, 1);
        ImGui::SameLine();
        ImGui::RadioButton("depot down", &tool_, 2);
        if (ImGui::Button(s.cloud_link_up ? "Cut cloud link" : "Restore cloud link")) {
            live_->commands().push({s.cloud_link_up ? VizCommand::Kind::kCutCloudLink
                                                    : VizCommand::Kind::kRestoreCloudLink,
                                    0, 0.0});
        }
        ImGui::SameLine();
        if (ImGui::Button("Break 10% of the fleet")) {
            live_->commands().push({VizCommand::Kind::kBreakFleetShare, 0, 0.1});
        }
        // a road by name or way:ID, as --close and --do take it (the same resolver)
        ImGui::SetNextItemWidth(200);
        const bool entered =
            ImGui::InputTextWithHint("##road", "road name or way:ID", road_name_.data(),
                                     road_name_.size(), ImGuiInputTextFlags_EnterReturnsTrue);
        ImGui::SameLine();
        if ((ImGui::Button("Close road") || entered) && road_name_[0] != '\0') {
            const std::string name(road_name_.data());
            try {
                const io::Road road = io::find_road(live_->network(), name);
                VizCommand c{VizCommand::Kind::kCloseRoad, road.edges.front(), 0.0};
                c.edges.assign(road.edges.begin(), road.edges.end());
                c.label = name;
                live_->commands().push(c);
                status_ = "close '" + name + "' (" + std::to_string(road.edges.size()) + " edges)";
            } catch (const io::RoadNotFound& e) {
                status_ = e.what();
            }
        }
        const DisruptionAdapter& ad = live_->adapter();
        ImGui::Text("%zu closed edges, cloud link %s", s.closed_count(),
                    s.cloud_link_up ? "up" : "down");
        // the model's log holds the scenario's schedule and these commands alike
        ImGui::Text("%zu disruptions so far; %llu commands applied from here",
                    s.kpis.disruptions.size(), static_cast<unsigned long long>(ad.applied()));
        if (!status_.empty()) {
            ImGui::TextWrapped("last: %s", status_.c_str());
        }
    }
    ImGui::End();
}

// a tile: label, headline, detail and a sparkline, drawn with the window's draw list
void tile(const KpiTile& t, float width) {
    ImGui::BeginGroup();
    ImGui::TextDisabled("%s", t.label.c_str());
    ImGui::PushStyleColor(
        ImGuiCol_Text, t.alert ? ImVec4{1.0F, 0.4F, 0.35F, 1.0F} : ImVec4{0.6F, 1.0F, 0.7F, 1.0F});
    ImGui::SetWindowFontScale(1.5F);
    ImGui::Text("%s", t.value.c_str());
    ImGui::SetWindowFontScale(1.0F);
    ImGui::PopStyleColor();
    ImGui::TextDisabled("%s", t.detail.c_str());
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = 24.0F;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, {p.x + width, p.y + h}, IM_COL32(40, 44, 52, 255));
    const std::vector<float> pts =
        sparkline_points(t.spark, p.x + 2, p.y + 2, p.x + width - 2, p.y + h - 2);
    std::vector<ImVec2> poly;
    for (std::size_t i = 0; i + 1 < pts.size(); i += 2) {
        poly.push_back({pts[i], pts[i + 1]});
    }
    if (poly.size() >= 2) {
        dl->AddPolyline(poly.data(), static_cast<int>(poly.size()),
                        t.alert ? IM_COL32(255, 110, 90, 255) : IM_COL32(120, 230, 150, 255), 0,
                        1.5F);
    }
    ImGui::Dummy({width, h});
    ImGui::EndGroup();
}

// Q(t) of one or two runs on [0, end] with disruption markers and the current time: a y axis
// in %, a time axis labelled by the scenario's clock, the threshold lines named
void service_curve(const std::vector<const KpiHistory*>& runs, double t, double end, float width,
                   const SimClock& clock) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = 150.0F;
    constexpr float kLeft = 40.0F;    // the y labels
    constexpr float kBottom = 18.0F;  // the time labels
    const float x0 = p.x + kLeft;
    const float x1 = p.x + width - 6.0F;
    const float y0 = p.y + 4.0F;
    const float y1 = p.y + h - kBottom;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled({x0, y0}, {x1, y1}, IM_COL32(30, 33, 40, 255));
    const double span = std::max(1.0, end);
    auto x_of = [&](double s) { return x0 + static_cast<float>(s / span) * (x1 - x0); };
    auto y_of = [&](double q) {
        return y1 - static_cast<float>(std::clamp(q, 0.0, 1.0)) * (y1 - y0);
    };
    const ImU32 axis_text = IM_COL32(200, 200, 200, 255);
    // y axis: 0, 50, 100 % with grid lines
    for (const double q : {0.0, 0.5, 1.0}) {
        const std::string label = percent_label(q);
        const ImVec2 size = ImGui::CalcTextSize(label.c_str());
        dl->AddText({x0 - 4.0F - size.x, y_of(q) - size.y / 2.0F}, axis_text, label.c_str());
        dl->AddLine({x0, y_of(q)}, {x1, y_of(q)}, IM_COL32(70, 74, 84, 255));
    }
    // time axis: ticks at round clock times
    const auto ticks =
        time_ticks(0.0, span, clock, static_cast<std::size_t>(std::max(2.0F, (x1 - x0) / 56.0F)));
    for (const AxisTick& k : ticks) {
        const float x = x_of(k.value);
        dl->AddLine({x, y1}, {x, y1 + 4.0F}, axis_text);
        const ImVec2 size = ImGui::CalcTextSize(k.label.c_str());
        const float lx = std::clamp(x - size.x / 2.0F, p.x, p.x + width - size.x - 4.0F);
        dl->AddText({lx, y1 + 4.0F}, axis_text, k.label.c_str());
    }
    // the run's thresholds, named: the failure line's label under it, the recovery's above
    const KpiHistory& first = *runs.front();
    const ImU32 fail = IM_COL32(240, 120, 100, 255);
    const ImU32 back = IM_COL32(120, 210, 130, 255);
    const float yf = y_of(first.resilience.failure_threshold);
    const float yr = y_of(first.resilience.recovery_threshold);
    dl->AddLine({x0, yf}, {x1, yf}, fail);
    dl->AddLine({x0, yr}, {x1, yr}, back);
    const std::array<ImU32, 2> colours = {IM_COL32(120, 200, 255, 255),
                                          IM_COL32(255, 190, 90, 255)};
    for (std::size_t r = 0; r < runs.size(); ++r) {
        const KpiHistory& hst = *runs[r];
        for (const double d : hst.disruptions) {
            dl->AddLine({x_of(d), y0}, {x_of(d), y1}, IM_COL32(235, 30, 30, 255), 1.5F);
        }
        std::vector<ImVec2> pts;
        const std::size_t n = hst.intervals_until(t);
        for (std::size_t k = 0; k < n; ++k) {
            const IntervalKpi& iv = hst.intervals[k];
            pts.push_back({x_of(iv.end_s - hst.interval_s), y_of(iv.service_level)});
            pts.push_back({x_of(iv.end_s), y_of(iv.service_level)});
        }
        if (pts.size() >= 2) {
            dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), colours[r % 2], 0, 2.0F);
        }
    }
    dl->AddLine({x_of(t), y0}, {x_of(t), y1}, IM_COL32(255, 255, 255, 120));
    ImGui::Dummy({width, h});
    // the thresholds named under the chart, in their lines' colours (on the chart the curve
    // runs over them at 100 %)
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(fail), "- %s",
                       failure_line_label(first).c_str());
    ImGui::SameLine();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(back), "  - %s",
                       recovery_line_label(first).c_str());
}

void App::ui_dashboard() {
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos({size.x - kDashboardWidth, 0});
    ImGui::SetNextWindowSize({kDashboardWidth, size.y});
    ImGui::Begin("Executive dashboard", nullptr,
                 ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);
    const double t = now_s();
    const KpiHistory& a = views_.front().snap.kpis;
    const KpiHistory* b = views_.size() > 1 ? &views_[1].snap.kpis : nullptr;
    const float inner = ImGui::GetContentRegionAvail().x;
    if (b == nullptr) {
        const std::vector<KpiTile> tiles = make_tiles(a, nullptr, t);
        const float w = (inner - ImGui::GetStyle().ItemSpacing.x) / 2.0F;
        for (std::size_t i = 0; i < tiles.size(); ++i) {
            tile(tiles[i], w);
            if (i % 2 == 0 && i + 1 < tiles.size()) {
                ImGui::SameLine();
            }
        }
    } else {
        // side by side: this run against the comparison run as its baseline, and back
        const std::vector<KpiTile> ta = make_tiles(a, b, t);
        const std::vector<KpiTile> tb = make_tiles(*b, &a, t);
        const float w = (inner - ImGui::GetStyle().ItemSpacing.x) / 2.0F;
        // each column by its policy ("Swarm (auction)", "Cloud"), the file when unknown
        const auto head = [](const MapView& v) {
            return v.name.empty() ? std::filesystem::path(v.title).filename().string() : v.name;
        };
        ImGui::TextColored({0.47F, 0.78F, 1.0F, 1.0F}, "A: %s", head(views_[0]).c_str());
        ImGui::SameLine(w + 12.0F);
        ImGui::TextColored({1.0F, 0.75F, 0.35F, 1.0F}, "B: %s", head(views_[1]).c_str());
        for (std::size_t i = 0; i < ta.size(); ++i) {
            tile(ta[i], w);
            ImGui::SameLine();
            tile(tb[i], w);
        }
    }
    ImGui::Separator();
    ImGui::TextDisabled("service level Q(t) in %%, over %s", clock_.axis_title().c_str());
    std::vector<const KpiHistory*> runs = {&a};
    if (b != nullptr) {
        runs.push_back(b);
    }
    const double end = live_ ? live_->duration_s() : timeline_.end();
    service_curve(runs, t, end, inner, clock_);
    const KpiPoint& k = views_.front().snap.kpi;
    ImGui::Text("orders %.0f created, %.0f delivered, %.0f failed, %.0f open", k.created,
                k.delivered, k.failed, k.backlog);
    ImGui::Text("busy %.0f %%, energy on board %.0f kWh", 100.0 * k.busy_fraction, k.energy_kwh);
    ImGui::End();
}

void App::ui_inspector() {
    if (selected_ == kNone) {
        return;
    }
    const Snapshot& s = views_.front().snap;
    if (selected_ >= s.agents()) {
        return;
    }
    ImGui::SetNextWindowPos({8, ImGui::GetIO().DisplaySize.y - 230}, ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize({330, 220}, ImGuiCond_FirstUseEver);
    bool open = true;
    ImGui::Begin("Agent", &open);
    ImGui::Text("vehicle %u: %s", selected_, state_name(s.state[selected_]));
    ImGui::Text("load %.0f units, energy %.1f kWh", static_cast<double>(s.load[selected_]),
                static_cast<double>(s.energy[selected_]));
    ImGui::Text("at (%.0f, %.0f) m", static_cast<double>(s.xy[2 * selected_]),
                static_cast<double>(s.xy[2 * selected_ + 1]));
    for (const ValueArray& v : s.extra) {
        if (selected_ < v.values.size()) {
            ImGui::Text("%s %.3f", v.name.c_str(), static_cast<double>(v.values[selected_]));
        }
    }
    if (s.detail.agent == selected_) {
        ImGui::Text("home depot %u, heading for node %u, %u route edges left", s.detail.home,
                    s.detail.dest_node, s.detail.route_edges_left);
        for (const AgentDetail::PlanItem& p : s.detail.plan) {
            ImGui::BulletText("order %u/%u to customer %u, %u units, due %.0f s%s", p.depot,
                              p.order, p.customer, p.size, p.due_s, p.loaded ? " (on board)" : "");
        }
    } else if (!live_) {
        // replay: this vehicle's order events so far
        int shown = 0;
        for (const io::TraceEvent& e : replay_a_->events()) {
            if (e.time > s.time_s) {
                break;
            }
            if (e.agent == selected_ &&
                e.kind != static_cast<std::int16_t>(io::TraceEventKind::kOrderCreated) &&
                e.kind != static_cast<std::int16_t>(io::TraceEventKind::kFailed) && shown < 200) {
                ImGui::BulletText("%.0f s %s order %llu/%llu", e.time,
                                  std::string(replay_a_->event_kind_name(e.kind)).c_str(),
                                  static_cast<unsigned long long>(e.order >> 32U),
                                  static_cast<unsigned long long>(e.order & 0xFFFFFFFFULL));
                ++shown;
            }
        }
        if (shown == 0) {
            ImGui::TextDisabled("no order events for this vehicle (trace written without events?)");
        }
    }
    ImGui::End();
    if (!open) {
        selected_ = kNone;
        if (live_) {
            live_->watch(kNone);
        }
    }
}

}  // namespace swarm::viz::app_detail
