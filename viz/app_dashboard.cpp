// The visualizer's dashboard: KPI tiles, the Q(t) chart, the dashboard column (full layout),
// the kiosk's big tiles, the strips under the maps, and the frame report (App,
// app_internal.hpp).
#include <imgui_internal.h>  // the windows drawn this frame, for the frame report

#include <cfloat>

#include "viz/app_internal.hpp"

namespace swarm::viz::app_detail {

ImU32 col32(Rgb c) {
    return IM_COL32(c.r, c.g, c.b, 255);
}

ImVec2 top_left(const Rect& r) {
    return {r.x, r.y};
}

ImVec2 bottom_right(const Rect& r) {
    return {r.right(), r.bottom()};
}

namespace {

constexpr Rgb kLabelText{175, 180, 190};
constexpr Rgb kWhite{255, 255, 255};
// the runs' colours: their Q(t) curves and headings
constexpr std::array<Rgb, 2> kRunColour = {{{120, 200, 255}, {255, 190, 90}}};
constexpr ImGuiWindowFlags kDocked = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                     ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;

// the headline's font: the big one (DejaVu Sans Bold, App::init_window) when loaded
ImFont* headline_font() {
    ImFontAtlas* atlas = ImGui::GetIO().Fonts;
    return atlas->Fonts.Size > 1 ? atlas->Fonts[1] : ImGui::GetFont();
}

// Q(t) of one or two runs on [0, end] with disruption markers and the current time: a y axis
// in %, a time axis labelled by the scenario's clock, the threshold lines named
void service_curve(const std::vector<const KpiHistory*>& runs, double t, double end, float width,
                   float h, const SimClock& clock, std::vector<std::string>* texts) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
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
    auto text = [&](ImVec2 at, ImU32 c, const std::string& s) {
        dl->AddText(at, c, s.c_str());
        if (texts != nullptr) {
            texts->push_back(s);
        }
    };
    // y axis: 0, 50, 100 % with grid lines
    for (const double q : {0.0, 0.5, 1.0}) {
        const std::string label = percent_label(q);
        const ImVec2 size = ImGui::CalcTextSize(label.c_str());
        text({x0 - 4.0F - size.x, y_of(q) - size.y / 2.0F}, axis_text, label);
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
        text({lx, y1 + 4.0F}, axis_text, k.label);
    }
    // the run's thresholds
    const KpiHistory& first = *runs.front();
    const ImU32 fail = IM_COL32(240, 120, 100, 255);
    const ImU32 back = IM_COL32(120, 210, 130, 255);
    const float yf = y_of(first.resilience.failure_threshold);
    const float yr = y_of(first.resilience.recovery_threshold);
    dl->AddLine({x0, yf}, {x1, yf}, fail);
    dl->AddLine({x0, yr}, {x1, yr}, back);
    for (std::size_t r = 0; r < runs.size(); ++r) {
        const KpiHistory& hst = *runs[r];
        for (const double d : hst.disruptions) {
            dl->AddLine({x_of(d), y0}, {x_of(d), y1}, IM_COL32(235, 30, 30, 255), 1.5F);
        }
        // a fork: its own curve from the fork on (before, it is its trunk's), and a mark
        const bool fork = !std::isnan(hst.forked_at_s);
        if (fork) {
            const float xf = x_of(hst.forked_at_s);
            dl->AddLine({xf, y0}, {xf, y1}, col32(kRunColour[r % 2]), 1.5F);
            text({xf + 3.0F, y0 + 2.0F}, col32(kRunColour[r % 2]), "fork");
        }
        std::vector<ImVec2> pts;
        const std::size_t n = hst.intervals_until(t);
        for (std::size_t k = 0; k < n; ++k) {
            const IntervalKpi& iv = hst.intervals[k];
            if (fork && iv.end_s <= hst.forked_at_s) {
                continue;
            }
            pts.push_back({x_of(iv.end_s - hst.interval_s), y_of(iv.service_level)});
            pts.push_back({x_of(iv.end_s), y_of(iv.service_level)});
        }
        if (pts.size() >= 2) {
            dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), col32(kRunColour[r % 2]), 0,
                            2.0F);
        }
    }
    dl->AddLine({x_of(t), y0}, {x_of(t), y1}, IM_COL32(255, 255, 255, 120));
    ImGui::Dummy({width, h});
    // the thresholds named under the chart, in their lines' colours (on the chart the curve
    // runs over them at 100 %)
    const std::string fl = "- " + failure_line_label(first);
    const std::string rl = "- " + recovery_line_label(first);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(fail), "%s", fl.c_str());
    ImGui::SameLine();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(back), "%s", rl.c_str());
    if (texts != nullptr) {
        texts->push_back(fl);
        texts->push_back(rl);
    }
}

}  // namespace

Rect draw_tile(const KpiTile& t, const Rect& r, const TileStyle& style) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImFont* font = ImGui::GetFont();
    const ImU32 level = col32(level_colour(t.level));
    dl->AddRectFilled(top_left(r), bottom_right(r), col32(kTileBackground), 3.0F);
    const Rect bar{r.x, r.y, style.bar_px, r.h};
    dl->AddRectFilled(top_left(bar), bottom_right(bar), level);
    dl->PushClipRect(top_left(r), bottom_right(r), true);
    const float x = bar.right() + 6.0F;
    float y = r.y + 4.0F;
    dl->AddText(font, style.label_px, {x, y}, col32(kLabelText), t.label.c_str());
    y += style.label_px + 2.0F;
    // the headline shrinks to the tile's width ("no failure" in a narrow kiosk tile)
    const float room = r.right() - 6.0F - x;
    const float wide =
        headline_font()->CalcTextSizeA(style.value_px, FLT_MAX, 0.0F, t.value.c_str()).x;
    const float value_px =
        wide > room ? std::max(style.label_px, style.value_px * room / wide) : style.value_px;
    dl->AddText(headline_font(), value_px, {x, y + style.value_px - value_px}, level,
                t.value.c_str());
    y += style.value_px + 3.0F;
    if (y + style.detail_px <= r.bottom() - 2.0F) {
        dl->AddText(font, style.detail_px, {x, y}, col32(kLabelText), t.detail.c_str());
        y += style.detail_px + 4.0F;
    }
    // the sparkline when there is room for one
    if (r.bottom() - 4.0F - y >= 12.0F && !t.spark.empty()) {
        const std::vector<float> pts =
            sparkline_points(t.spark, x, y, r.right() - 6.0F, r.bottom() - 4.0F);
        std::vector<ImVec2> poly;
        for (std::size_t i = 0; i + 1 < pts.size(); i += 2) {
            poly.push_back({pts[i], pts[i + 1]});
        }
        dl->AddPolyline(poly.data(), static_cast<int>(poly.size()), level, 0, 1.5F);
    }
    dl->PopClipRect();
    return bar;
}

void App::tile_grid(const Rect& area, const TileStyle& style, bool sparklines) {
    const double t = now_s();
    const KpiHistory& a = views_.front().snap.kpis;
    const KpiHistory* b = views_.size() > 1 ? &views_[1].snap.kpis : nullptr;
    // one run: its tiles in rows of two; side by side: each KPI's row holds A and B, each
    // with the other as its baseline
    std::vector<std::pair<std::string, std::vector<KpiTile>>> runs;
    if (b == nullptr) {
        runs.emplace_back("", make_tiles(a, nullptr, t));
    } else {
        runs.emplace_back("A", make_tiles(a, b, t));
        runs.emplace_back("B", make_tiles(*b, &a, t));
    }
    const std::size_t n = runs.front().second.size();
    const std::size_t rows = b == nullptr ? (n + 1) / 2 : n;
    constexpr float kGap = 6.0F;
    const float w = std::floor((area.w - kGap) / 2.0F);
    const float h =
        std::floor((area.h - kGap * static_cast<float>(rows - 1)) / static_cast<float>(rows));
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t r = 0; r < runs.size(); ++r) {
            KpiTile tile = runs[r].second[i];
            if (!sparklines) {
                tile.spark.clear();
            }
            const std::size_t col = b == nullptr ? i % 2 : r;
            const std::size_t row = b == nullptr ? i / 2 : i;
            const Rect rect{area.x + static_cast<float>(col) * (w + kGap),
                            area.y + static_cast<float>(row) * (h + kGap), w, h};
            const Rect bar = draw_tile(tile, rect, style);
            if (ImGui::IsMouseHoveringRect(top_left(rect), bottom_right(rect))) {
                ImGui::SetTooltip("%s\n%s%s%s", tile.label.c_str(), tile.note.c_str(),
                                  tile.note.empty() ? "" : "\n", tile.rule.c_str());
            }
            if (reporting()) {
                tile.spark.clear();
                const Rgb c = level_colour(tile.level);
                report_.tiles.push_back(
                    {runs[r].first, std::move(tile), rect, bar, {c.r, c.g, c.b}});
            }
        }
    }
    ImGui::Dummy({area.w, area.h});
}

// what the tiles' colours mean, on one line under them
void App::level_legend() {
    static constexpr std::array<std::pair<TileLevel, const char*>, 4> kLevels = {
        {{TileLevel::kOk, "ok"},
         {TileLevel::kWarn, "warn"},
         {TileLevel::kAlert, "alert"},
         {TileLevel::kNone, "no figure"}}};
    for (const auto& [level, name] : kLevels) {
        ImGui::ColorButton(name, col4(level_colour(level)), ImGuiColorEditFlags_NoTooltip,
                           {10, 10});
        ImGui::SameLine(0.0F, 4.0F);
        ImGui::TextUnformatted(name);
        ImGui::SameLine();
        if (reporting()) {
            report_.texts.emplace_back(name);
        }
    }
    // the hint when it fits the line
    constexpr const char* kHint = "(hover a tile: its rule)";
    if (ImGui::CalcTextSize(kHint).x > ImGui::GetContentRegionAvail().x) {
        ImGui::NewLine();
        return;
    }
    ImGui::TextDisabled("%s", kHint);
}

void App::ui_dashboard() {
    const Rect& r = layout_.dashboard;
    ImGui::SetNextWindowPos(top_left(r));
    ImGui::SetNextWindowSize({r.w, r.h});
    ImGui::Begin("Executive dashboard", nullptr, kDocked);
    const double t = now_s();
    const KpiHistory& a = views_.front().snap.kpis;
    const KpiHistory* b = views_.size() > 1 ? &views_[1].snap.kpis : nullptr;
    const float inner = ImGui::GetContentRegionAvail().x;
    if (b != nullptr) {
        // each column by its policy ("Swarm (auction)", "Cloud"), the file when unknown
        const auto head = [](const MapView& v) {
            return v.name.empty() ? std::filesystem::path(v.title).filename().string() : v.name;
        };
        const std::string ha = "A: " + head(views_[0]);
        const std::string hb = "B: " + head(views_[1]);
        ImGui::TextColored(col4(kRunColour[0]), "%s", ha.c_str());
        ImGui::SameLine(inner / 2.0F + 12.0F);
        ImGui::TextColored(col4(kRunColour[1]), "%s", hb.c_str());
        if (reporting()) {
            report_.texts.push_back(ha);
            report_.texts.push_back(hb);
        }
    }
    // the tiles and the chart share the column's height: the tiles up to a comfortable
    // height, the chart at least 90 px; short of room the tiles lose their sparklines
    const std::size_t rows = b == nullptr ? (kTiles + 1) / 2 : kTiles;
    const float line = ImGui::GetTextLineHeightWithSpacing();
    const float gaps = 6.0F * static_cast<float>(rows - 1);
    // the tiles' legend, the separator, the chart's title and legend, and with one run its
    // order counts
    const float fixed = 4.0F * line + (b == nullptr ? 2.0F * line : 0.0F);
    const float avail = ImGui::GetContentRegionAvail().y;
    const float tile_h =
        std::clamp((avail - fixed - 150.0F - gaps) / static_cast<float>(rows), 50.0F, 84.0F);
    const float tiles_h = tile_h * static_cast<float>(rows) + gaps;
    const float chart_h = std::clamp(avail - tiles_h - fixed, 90.0F, 150.0F);
    const ImVec2 at = ImGui::GetCursorScreenPos();
    tile_grid({at.x, at.y, inner, tiles_h}, TileStyle{}, tile_h >= 70.0F);
    level_legend();
    ImGui::Separator();
    const std::string title = "Q(t) over " + clock_.axis_title();
    ImGui::TextDisabled("%s", title.c_str());
    std::vector<const KpiHistory*> runs = {&a};
    if (b != nullptr) {
        runs.push_back(b);
    }
    service_curve(runs, t, end_s(), inner, chart_h, clock_, reporting() ? &report_.texts : nullptr);
    if (reporting()) {
        report_.texts.push_back(title);
    }
    if (b == nullptr) {
        const KpiPoint& k = views_.front().snap.kpi;
        ImGui::Text("orders %.0f created, %.0f delivered, %.0f failed, %.0f open", k.created,
                    k.delivered, k.failed, k.backlog);
        ImGui::Text("busy %.0f %%, energy on board %.0f kWh", 100.0 * k.busy_fraction,
                    k.energy_kwh);
    }
    ImGui::End();
}

void App::ui_kiosk() {
    const Rect& r = layout_.dashboard;
    ImGui::SetNextWindowPos(top_left(r));
    ImGui::SetNextWindowSize({r.w, r.h});
    ImGui::Begin("Executive view", nullptr, kDocked | ImGuiWindowFlags_NoTitleBar);
    // when, and who is shown: one run after the time, two over their columns of tiles
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    constexpr float kHead = 26.0F;
    const float half = (ImGui::GetContentRegionAvail().x + 6.0F) / 2.0F;
    const std::string when = clock_(now_s());
    dl->AddText(headline_font(), kHead, p, col32(kWhite), when.c_str());
    float x = p.x + headline_font()->CalcTextSizeA(kHead, FLT_MAX, 0.0F, when.c_str()).x + 8.0F;
    if (!clock_.start_hour) {  // "0:40" alone would read as a time of day
        dl->AddText({x, p.y + kHead - ImGui::GetFontSize() - 3.0F}, col32(kLabelText),
                    "since start");
        x += ImGui::CalcTextSize("since start").x;
    }
    std::vector<std::string> names;
    for (const MapView& v : views_) {
        names.push_back(v.name.empty() ? v.caption() : v.name);
    }
    if (views_.size() == 1) {
        dl->AddText(headline_font(), kHead, {x + 20.0F, p.y}, col32(kRunColour[0]),
                    names[0].c_str());
        ImGui::Dummy({1.0F, kHead + 8.0F});
    } else {
        names[0].insert(0, "A: ");
        names[1].insert(0, "B: ");
        for (std::size_t i = 0; i < 2; ++i) {
            dl->AddText(headline_font(), 20.0F,
                        {p.x + static_cast<float>(i) * half, p.y + kHead + 6.0F},
                        col32(kRunColour[i]), names[i].c_str());
        }
        ImGui::Dummy({1.0F, kHead + 34.0F});
    }
    if (reporting()) {
        report_.texts.push_back(when);
        report_.texts.insert(report_.texts.end(), names.begin(), names.end());
    }
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const bool two = views_.size() > 1;
    TileStyle big;
    big.label_px = 18.0F;
    big.value_px = two ? 30.0F : 44.0F;
    big.detail_px = 15.0F;
    big.bar_px = 8.0F;
    tile_grid({at.x, at.y, avail.x, avail.y - ImGui::GetTextLineHeightWithSpacing()}, big, true);
    level_legend();
    ImGui::End();
}

void App::draw_strips() {
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    ImFont* font = ImGui::GetFont();
    const float size = ImGui::GetFontSize();
    for (std::size_t i = 0; i < views_.size(); ++i) {
        const Rect& r = layout_.strips[i];
        const Snapshot& s = views_[i].snap;
        dl->AddRectFilled(top_left(r), bottom_right(r), col32(kStripPanel));
        dl->PushClipRect(top_left(r), bottom_right(r), true);
        const float x = r.x + 8.0F;
        const float wrap = r.w - 20.0F;
        float y = r.y + 4.0F;
        const std::string caption = views_[i].caption();
        dl->AddText(font, size, {x, y}, col32(kWhite), caption.c_str());
        y += kStripLineHeight;
        std::vector<std::string> lines;
        if (s.active.empty()) {
            lines.emplace_back("No disruption under way");
            dl->AddText(font, size, {x, y}, col32(kLabelText), lines.back().c_str());
        }
        // the disruptions under way, oldest first, each on an opaque box (wrapped when the
        // map is narrow); what does not fit is counted on the last line
        const float bottom = r.bottom() - 4.0F;
        for (std::size_t k = 0; k < s.active.size(); ++k) {
            const std::string text = strip_text(s.active[k], clock_);
            const ImVec2 sz = font->CalcTextSizeA(size, FLT_MAX, wrap, text.c_str());
            const std::size_t left = s.active.size() - k;
            if (y + sz.y > bottom || (left > 1 && y + sz.y + kStripLineHeight > bottom)) {
                std::array<char, 48> more{};  // (GCC 12 warns about "+" + std::string)
                std::snprintf(more.data(), more.size(), "+%zu more under way", left);
                lines.emplace_back(more.data());
                dl->AddText(font, size, {x, y}, col32(kWhite), lines.back().c_str());
                break;
            }
            dl->AddRectFilled({x - 4.0F, y - 2.0F}, {x + 4.0F + sz.x, y + sz.y + 1.0F},
                              col32(kStripBackground), 3.0F);
            dl->AddText(font, size, {x, y}, col32(kWhite), text.c_str(), nullptr, wrap);
            lines.push_back(text);
            y += sz.y + 5.0F;
        }
        dl->PopClipRect();
        if (reporting()) {
            report_.maps.push_back({caption, layout_.maps[i], r, std::move(lines)});
        }
    }
}

void App::report_windows() {
    // every window ImGui draws this frame, where it really is (not where the layout meant
    // it to be): a panel over a map shows here and in the test
    for (ImGuiWindow* w : GImGui->Windows) {
        if (w->Active && !w->Hidden && !w->IsFallbackWindow &&
            (w->Flags & ImGuiWindowFlags_ChildWindow) == 0) {
            report_.panels.push_back({w->Name, {w->Pos.x, w->Pos.y, w->Size.x, w->Size.y}});
        }
    }
    if (report_.maps.empty()) {  // map only: no strips
        for (std::size_t i = 0; i < views_.size(); ++i) {
            report_.maps.push_back({views_[i].caption(), layout_.maps[i], {}, {}});
        }
    }
}

}  // namespace swarm::viz::app_detail
