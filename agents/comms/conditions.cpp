#include "agents/comms/conditions.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "sim/state_archive.hpp"

namespace swarm::comms {

namespace {

bool applies(LinkSet set, Link link) {
    return set == LinkSet::kBoth ||
           (link == Link::kRadio ? set == LinkSet::kRadio : set == LinkSet::kCloud);
}

// Regions field-wise, one row each: shape (kNoRegion for none), circle centre and radius,
// and every ring's vertices with where each ring ends (Region::vertices, ring_ends). Loaded
// through Region's own factories, which rebuild the same region from them.
constexpr std::uint8_t kNoRegion = 0xFF;

void save_regions(sim::StateArchive& ar, std::string_view name,
                  const std::vector<const world::Region*>& regions) {
    const auto s = ar.scope(name);
    std::vector<std::uint8_t> shape;
    std::vector<double> centre_x;
    std::vector<double> centre_y;
    std::vector<double> radius;
    std::vector<std::vector<double>> vx;
    std::vector<std::vector<double>> vy;
    std::vector<std::vector<std::uint64_t>> ends;
    for (const world::Region* r : regions) {
        shape.push_back(r == nullptr ? kNoRegion : static_cast<std::uint8_t>(r->shape()));
        centre_x.push_back(r == nullptr ? 0.0 : r->centre().x);
        centre_y.push_back(r == nullptr ? 0.0 : r->centre().y);
        radius.push_back(r == nullptr ? 0.0 : r->radius_m());
        vx.emplace_back();
        vy.emplace_back();
        ends.emplace_back();
        if (r != nullptr) {
            for (const world::Point p : r->vertices()) {
                vx.back().push_back(p.x);
                vy.back().push_back(p.y);
            }
            ends.back().assign(r->ring_ends().begin(), r->ring_ends().end());
        }
    }
    ar.put("shape", shape);
    ar.put("centre_x", centre_x);
    ar.put("centre_y", centre_y);
    ar.put("radius_m", radius);
    ar.put_nested("vertices_x", vx);
    ar.put_nested("vertices_y", vy);
    ar.put_nested("ring_ends", ends);
}

std::vector<std::optional<world::Region>> load_regions(const sim::StateArchive& ar,
                                                       std::string_view name, std::size_t n) {
    const auto s = ar.scope(name);
    std::vector<std::uint8_t> shape;
    std::vector<double> centre_x;
    std::vector<double> centre_y;
    std::vector<double> radius;
    std::vector<std::vector<double>> vx;
    std::vector<std::vector<double>> vy;
    std::vector<std::vector<std::uint64_t>> ends;
    ar.get("shape", shape, n);
    ar.get("centre_x", centre_x, n);
    ar.get("centre_y", centre_y, n);
    ar.get("radius_m", radius, n);
    ar.get_nested("vertices_x", vx);
    ar.get_nested("vertices_y", vy);
    ar.get_nested("ring_ends", ends);
    if (vx.size() != n || vy.size() != n || ends.size() != n) {
        ar.field_error("vertices_x", "does not list " + std::to_string(n) + " regions");
    }
    std::vector<std::optional<world::Region>> out(n);
    constexpr auto kCircle = static_cast<std::uint8_t>(world::Region::Shape::kCircle);
    constexpr auto kPolygon = static_cast<std::uint8_t>(world::Region::Shape::kPolygon);
    for (std::size_t i = 0; i < n; ++i) {
        try {
            // what a shape does not use is empty or zero, as saved
            if (shape[i] != kCircle &&
                (centre_x[i] != 0.0 || centre_y[i] != 0.0 || radius[i] != 0.0)) {
                throw std::invalid_argument("only a circle has a centre and a radius");
            }
            if (shape[i] != kPolygon && (!vx[i].empty() || !vy[i].empty() || !ends[i].empty())) {
                throw std::invalid_argument("only a polygon has vertices");
            }
            if (shape[i] == kCircle) {
                out[i] = world::Region::circle({centre_x[i], centre_y[i]}, radius[i]);
            } else if (shape[i] == kPolygon) {
                if (vx[i].size() != vy[i].size()) {
                    throw std::invalid_argument("x and y of its vertices differ in number");
                }
                std::vector<std::vector<world::Point>> rings;
                std::size_t begin = 0;
                for (const std::uint64_t end : ends[i]) {
                    if (end < begin || end > vx[i].size()) {
                        throw std::invalid_argument("its ring ends are not ascending");
                    }
                    rings.emplace_back();
                    for (std::size_t k = begin; k < end; ++k) {
                        rings.back().push_back({vx[i][k], vy[i][k]});
                    }
                    begin = static_cast<std::size_t>(end);
                }
                if (begin != vx[i].size()) {
                    throw std::invalid_argument("its last ring does not end at its last vertex");
                }
                out[i] = world::Region::rings(std::move(rings));
            } else if (shape[i] != kNoRegion) {
                throw std::invalid_argument("unknown shape " + std::to_string(shape[i]));
            }
        } catch (const std::invalid_argument& e) {
            ar.field_error("shape", "row " + std::to_string(i) + ": not a region: " + e.what());
        }
    }
    return out;
}

}  // namespace

// a new member is state to save: add it below, then its size here
static_assert(sizeof(CommsConditions) == 2 * sizeof(std::vector<int>) + 2 * sizeof(std::uint64_t),
              "CommsConditions changed: save and load the new member");

void CommsConditions::save(sim::StateArchive& ar) const {
    {
        const auto s = ar.scope("blackouts");
        std::vector<ConditionId> ids;
        std::vector<const world::Region*> regions;
        for (const Blackout& b : blackouts_) {
            ids.push_back(b.id);
            regions.push_back(&b.region);
        }
        ar.put("id", ids);
        save_regions(ar, "region", regions);
    }
    {
        const auto s = ar.scope("spikes");
        std::vector<ConditionId> ids;
        std::vector<double> loss;
        std::vector<LinkSet> links;
        std::vector<const world::Region*> regions;
        for (const Spike& sp : spikes_) {
            ids.push_back(sp.id);
            loss.push_back(sp.spike.extra_loss);
            links.push_back(sp.spike.links);
            regions.push_back(sp.spike.region ? &*sp.spike.region : nullptr);
        }
        ar.put("id", ids);
        ar.put("extra_loss", loss);
        ar.put("links", links);
        save_regions(ar, "region", regions);
    }
    ar.put_value("next_id", next_id_);
    ar.put_value("cloud_up", std::uint8_t{cloud_up_});
    ar.put_value("version", version_);
}

void CommsConditions::load(const sim::StateArchive& ar) {
    std::vector<Blackout> blackouts;
    std::vector<Spike> spikes;
    {
        const auto s = ar.scope("blackouts");
        std::vector<ConditionId> ids;
        ar.get("id", ids);
        std::vector<std::optional<world::Region>> regions = load_regions(ar, "region", ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (!regions[i]) {
                ar.field_error("region/shape",
                               "row " + std::to_string(i) + ": a blackout needs a region");
            }
            blackouts.push_back({ids[i], std::move(*regions[i])});
        }
    }
    {
        const auto s = ar.scope("spikes");
        std::vector<ConditionId> ids;
        std::vector<double> loss;
        std::vector<LinkSet> links;
        ar.get("id", ids);
        ar.get("extra_loss", loss, ids.size());
        ar.get("links", links, ids.size());
        std::vector<std::optional<world::Region>> regions = load_regions(ar, "region", ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            spikes.push_back({ids[i], LossSpike{loss[i], std::move(regions[i]), links[i]}});
        }
    }
    blackouts_ = std::move(blackouts);
    spikes_ = std::move(spikes);
    ar.get_value("next_id", next_id_);
    cloud_up_ = ar.get_value<std::uint8_t>("cloud_up") != 0;
    ar.get_value("version", version_);
}

ConditionId CommsConditions::add_blackout(world::Region region) {
    const ConditionId id = next_id_++;
    blackouts_.push_back({id, std::move(region)});
    ++version_;
    return id;
}

ConditionId CommsConditions::add_loss_spike(LossSpike spike) {
    if (!(spike.extra_loss >= 0.0 && spike.extra_loss <= 1.0)) {
        throw std::invalid_argument("comms loss spike: extra_loss must be in [0, 1], got " +
                                    std::to_string(spike.extra_loss));
    }
    const ConditionId id = next_id_++;
    spikes_.push_back({id, std::move(spike)});
    ++version_;
    return id;
}

bool CommsConditions::remove(ConditionId id) {
    const auto erase = [id](auto& list) {
        const auto it =
            std::find_if(list.begin(), list.end(), [id](const auto& c) { return c.id == id; });
        if (it == list.end()) {
            return false;
        }
        list.erase(it);  // keeps the order of the others
        return true;
    };
    const bool found = erase(blackouts_) || erase(spikes_);
    if (found) {
        ++version_;
    }
    return found;
}

void CommsConditions::set_cloud_up(bool up) {
    if (up != cloud_up_) {
        cloud_up_ = up;
        ++version_;
    }
}

bool CommsConditions::radio_ok(world::Point p) const {
    return std::none_of(blackouts_.begin(), blackouts_.end(),
                        [p](const Blackout& b) { return b.region.contains(p); });
}

double CommsConditions::loss_at(world::Point p, Link link) const {
    double pass = 1.0;
    for (const Spike& s : spikes_) {
        if (applies(s.spike.links, link) && (!s.spike.region || s.spike.region->contains(p))) {
            pass *= 1.0 - s.spike.extra_loss;
        }
    }
    return 1.0 - pass;
}

double CommsConditions::radio_loss_between(world::Point a, world::Point b) const {
    double pass = 1.0;
    for (const Spike& s : spikes_) {
        if (applies(s.spike.links, Link::kRadio) &&
            (!s.spike.region || s.spike.region->contains(a) || s.spike.region->contains(b))) {
            pass *= 1.0 - s.spike.extra_loss;
        }
    }
    return 1.0 - pass;
}

}  // namespace swarm::comms
