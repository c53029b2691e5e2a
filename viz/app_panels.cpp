// The visualizer's control column, docked left of the maps: run controls, colours and
// legends, the live disruption tools and the inspector (App, app_internal.hpp).
#include <sstream>

#include "agents/fleet/protocol.hpp"
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

namespace {

// puts the next button (or, `marked`, checkbox or radio button) with `label` on the same
// line as the last item when it still fits in the column, else on the next line
void same_line_if_fits(const char* label, bool marked = false) {
    const ImGuiStyle& st = ImGui::GetStyle();
    const float text = ImGui::CalcTextSize(label, nullptr, true).x;
    const float w = marked ? ImGui::GetFrameHeight() + st.ItemInnerSpacing.x + text
                           : text + 2.0F * st.FramePadding.x;
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (ImGui::GetItemRectMax().x + st.ItemSpacing.x + w <= right) {
        ImGui::SameLine();
    }
}

}  // namespace

void App::ui_controls() {
    const Rect& r = layout_.controls;
    ImGui::SetNextWindowPos(top_left(r));
    ImGui::SetNextWindowSize({r.w, r.h});
    ImGui::Begin("swarmsim-viz", nullptr,
                 ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                     ImGuiWindowFlags_NoSavedSettings);
    const Snapshot& s = views_.front().snap;
    // times on the scenario's clock, as the strip and the Q(t) chart show them
    const std::string now = clock_(s.time_s);
    if (live_) {
        ImGui::TextWrapped("live: %s", views_.front().caption().c_str());
        ImGui::Text("%s (t = %.0f s of %.0f s)", now.c_str(), s.time_s, live_->duration_s());
        ImGui::Text("%zu agents", s.agents());
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
        ImGui::TextWrapped("replay: %s", views_.front().caption().c_str());
        ImGui::Text("%zu agents, %zu samples", s.agents(), timeline_.samples());
        if (ImGui::Button(timeline_.playing() ? "Pause" : "Play")) {
            timeline_.toggle();
        }
        ImGui::SameLine();
        if (const std::optional<double> v = speed_combo(speed_choice_, false)) {
            timeline_.set_speed(*v);
        }
        same_line_if_fits("Next disruption");
        ImGui::BeginDisabled(timeline_.disruptions().empty());
        if (ImGui::Button("Next disruption")) {
            timeline_.jump_to_next_disruption();
        }
        ImGui::EndDisabled();
        // the slider reads in the scenario's clock and in seconds; no '%' reaches ImGui's
        // format
        auto t = static_cast<float>(timeline_.time());
        std::array<char, 64> shown{};
        std::snprintf(shown.data(), shown.size(), "%s  (t = %.0f s)", now.c_str(),
                      timeline_.time());
        ImGui::SetNextItemWidth(-1);
        if (ImGui::SliderFloat("##time", &t, static_cast<float>(timeline_.begin()),
                               static_cast<float>(timeline_.end()), shown.data())) {
            timeline_.seek(t);
        }
        const std::string from = clock_(timeline_.begin());
        const std::string to = clock_(timeline_.end());
        ImGui::TextDisabled("%s", from.c_str());
        ImGui::SameLine(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize(to.c_str()).x);
        ImGui::TextDisabled("%s", to.c_str());
        if (reporting()) {
            report_.texts.emplace_back(shown.data());
        }
        const std::size_t disruptions = timeline_.disruptions().size();
        ImGui::Text("%zu disruption%s in the trace", disruptions, disruptions == 1 ? "" : "s");
        if (!replay_a_->has_map()) {
            ImGui::TextWrapped("%s", replay_a_->map_note().c_str());
        }
    }
    ui_colours(s);
    if (live_) {
        ui_live_tools(s);
    }
    ui_inspector();
    ImGui::End();
}

// what agents are coloured by, with its legend or colour bar, and the map's own colours
void App::ui_colours(const Snapshot& s) {
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
         {"depot down", kDownDepot}}};
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
    const char* links = s.radio_links.empty() ? "radio links (none)" : "radio links";
    const char* gossip = s.gossip.empty() ? "gossip (none)" : "gossip";
    same_line_if_fits(links, true);
    ImGui::Checkbox(links, &style_.show_links);
    same_line_if_fits(gossip, true);
    ImGui::Checkbox(gossip, &style_.show_gossip);
    if (live_) {
        live_->set_links(style_.show_links, style_.show_gossip);
    }
    ImGui::SliderFloat("agent size", &style_.agent_px, 1.0F, 12.0F, "%.0f px");
}

// live: the mouse's disruption tools and buttons, and the "close road" field
void App::ui_live_tools(const Snapshot& s) {
    ImGui::Separator();
    ImGui::TextDisabled("disruptions");
    ImGui::RadioButton("inspect", &tool_, 0);
    same_line_if_fits("close road", true);
    ImGui::RadioButton("close road", &tool_, 1);
    same_line_if_fits("depot down", true);
    ImGui::RadioButton("depot down", &tool_, 2);
    if (ImGui::Button(s.cloud_link_up ? "Cut cloud link" : "Restore cloud link")) {
        live_->commands().push({s.cloud_link_up ? VizCommand::Kind::kCutCloudLink
                                                : VizCommand::Kind::kRestoreCloudLink,
                                0, 0.0});
    }
    same_line_if_fits("Break 10% of the fleet");
    if (ImGui::Button("Break 10% of the fleet")) {
        live_->commands().push({VizCommand::Kind::kBreakFleetShare, 0, 0.1});
    }
    // a road by name or way:ID, as --close and --do take it (the same resolver)
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x -
                            ImGui::CalcTextSize("Close road").x -
                            2.0F * ImGui::GetStyle().FramePadding.x);
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
    ui_fork();
    const DisruptionAdapter& ad = live_->adapter();
    ImGui::Text("%zu closed edges, cloud link %s", s.closed_count(),
                s.cloud_link_up ? "up" : "down");
    // the model's log holds the scenario's schedule and these commands alike
    ImGui::TextWrapped("%zu disruptions so far; %llu commands applied from here",
                       s.kpis.disruptions.size(), static_cast<unsigned long long>(ad.applied()));
    if (!status_.empty()) {
        ImGui::TextWrapped("last: %s", status_.c_str());
    }
}

// live: "what if" - fork the run here into a branch under another policy (and further
// changes), shown beside it from the next snapshot on (LiveSession::request_fork)
void App::ui_fork() {
    ImGui::Separator();
    ImGui::TextDisabled("what if");
    if (live_->has_branch()) {
        ImGui::TextWrapped("B: %s", views_.size() > 1 ? views_[1].name.c_str() : "");
    } else {
        std::vector<std::string> policies;
        std::vector<const char*> names;
        for (const agents::ProtocolInfo& p : agents::protocols()) {
            policies.emplace_back(p.name);
        }
        for (const std::string& p : policies) {
            names.push_back(p.c_str());
        }
        fork_policy_ = std::clamp(fork_policy_, 0, static_cast<int>(names.size()) - 1);
        ImGui::SetNextItemWidth(ImGui::CalcTextSize("first_claim").x + 40.0F);
        ImGui::Combo("##fork_policy", &fork_policy_, names.data(), static_cast<int>(names.size()));
        ImGui::SameLine();
        if (ImGui::Button("Fork here")) {
            std::vector<std::string> changes = {std::string("policies.allocation=") +
                                                names[static_cast<std::size_t>(fork_policy_)]};
            // further changes: key=value, separated by commas or spaces
            std::string more(fork_more_.data());
            std::replace(more.begin(), more.end(), ',', ' ');
            std::istringstream words(more);
            for (std::string w; words >> w;) {
                changes.push_back(w);
            }
            const std::vector<std::string> problems = live_->request_fork(changes);
            status_ = problems.empty() ? "fork asked for: " + changes.front() : problems.front();
        }
        ImGui::SetNextItemWidth(-1.0F);
        ImGui::InputTextWithHint("##fork_more", "more changes: key=value, ...", fork_more_.data(),
                                 fork_more_.size());
    }
    if (const std::string err = live_->fork_error(); !err.empty()) {
        ImGui::TextWrapped("%s", err.c_str());
    }
}

void App::ui_inspector() {
    if (selected_ == kNone) {
        return;
    }
    const Snapshot& s = views_.front().snap;
    if (selected_ >= s.agents()) {
        return;
    }
    // a section of the control column (docked: never over the map)
    ImGui::Separator();
    bool open = true;
    const bool shown_open = ImGui::CollapsingHeader("Agent", &open, ImGuiTreeNodeFlags_DefaultOpen);
    if (!open) {  // its close button
        selected_ = kNone;
        if (live_) {
            live_->watch(kNone);
        }
        return;
    }
    if (!shown_open) {
        return;
    }
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
}

}  // namespace swarm::viz::app_detail
