// Road news at each board rebuild, as a barrier phase (docs/fleet.md, "What vehicles know").
// The cloud leg is serial: one loss draw per vehicle and direction, in fleet order. The peer
// leg runs local -> exchange -> apply: each vehicle with news finds, in parallel chunks over
// the executor, the nearest radio neighbours that lack it (reading only the snapshot of
// what everyone knew before the round and the board); the pushes are plain records, in
// vehicle order; applying them takes the round's loss draws in that same order. So the
// result is the same for any thread count, and the same as the serial version's.
#include <algorithm>
#include <array>
#include <bit>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "agents/fleet/barrier_phase.hpp"
#include "agents/fleet/fleet_model.hpp"

namespace swarm::agents {

using sim::Tick;

namespace {

// below this many views held (all partitions), none is freed: a handful of closures and
// slowdowns known by everyone cost no pass over the fleet
constexpr std::size_t kMinViewsFreed = 8;

// One push of road news from a vehicle to a radio neighbour: the peer leg's exchange record.
struct NewsPush {
    std::uint32_t from = 0;
    std::uint32_t to = 0;
};

// The road gossip's searches of one chunk of vehicles, by (position, news): each made once,
// their results side by side.
class AskedSearches {
  public:
    // the neighbours search(out) finds for `news` at p (at most `fanout`)
    template <class Search>
    std::span<const std::uint32_t> find_or_add(Point p, const KnownRoadEvents& news,
                                               std::size_t fanout, Search&& search) {
        const Key key{std::bit_cast<std::uint64_t>(p.x), std::bit_cast<std::uint64_t>(p.y), news};
        const auto [it, added] = asked_.try_emplace(key);
        if (added) {
            const std::size_t first = found_.size();
            found_.resize(first + fanout);
            found_.resize(first + search(std::span<std::uint32_t>(found_).subspan(first, fanout)));
            it->second = {first, found_.size() - first};
        }
        return std::span<const std::uint32_t>(found_).subspan(it->second.first, it->second.second);
    }

  private:
    struct Key {
        std::uint64_t x;  // the position's bits
        std::uint64_t y;
        KnownRoadEvents news;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const {
            std::uint64_t h = k.x * 0x9E3779B97F4A7C15ULL;
            h ^= k.y + (h << 6) + (h >> 2);
            for (const std::uint64_t w : k.news.words) {
                h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
            }
            return static_cast<std::size_t>(h ^ (h >> 31));
        }
    };
    std::unordered_map<Key, std::pair<std::size_t, std::size_t>, KeyHash> asked_;
    std::vector<std::uint32_t> found_;
};

}  // namespace

void FleetModel::share_knowledge(Tick /*t*/) {
    if (world_.roads.events().empty()) {
        return;
    }
    ++world_.gossip_rounds;
    // road news: 16 bytes per event known
    const auto news = [this](const KnownRoadEvents& k) {
        return link_.wire_bytes(16U * k.count());
    };
    const comms::AgentIndex cloud = cloud_agent();
    // the cloud hears what connected vehicles know and tells every connected vehicle; each
    // message may be lost on the cloud link (one draw per vehicle and direction, always)
    if (world_.conditions.cloud_up()) {
        sim::RandomStream rng(engine_->config().seed, kCloudNewsStream,
                              static_cast<std::uint32_t>(world_.gossip_rounds), 0);
        const auto lost = [&](std::uint32_t v) {
            return link_.lost(
                comms::Link::kCloud,
                world_.conditions.loss_at(world_.board.entry(v).position, comms::Link::kCloud),
                rng);
        };
        for (std::uint32_t v = 0; v < world_.vehicles.size(); ++v) {
            const bool dropped = lost(v);
            if (radio_blocked(world_.board.entry(v).position) ||
                world_.cloud_known.covers(world_.vehicles.known[v])) {
                continue;
            }
            world_.counters.record_send(v, news(world_.vehicles.known[v]),
                                        comms::MessageCounters::kSerial);
            if (dropped) {
                world_.counters.record_drop(v, comms::MessageCounters::kSerial);
                continue;
            }
            world_.cloud_known.merge(world_.vehicles.known[v]);
            world_.counters.record_receive(cloud, news(world_.vehicles.known[v]),
                                           comms::MessageCounters::kSerial);
        }
        for (std::uint32_t v = 0; v < world_.vehicles.size(); ++v) {
            const bool dropped = lost(v);
            if (radio_blocked(world_.board.entry(v).position) ||
                world_.vehicles.known[v].covers(world_.cloud_known)) {
                continue;
            }
            world_.counters.record_send(cloud, news(world_.cloud_known),
                                        comms::MessageCounters::kSerial);
            if (dropped) {
                world_.counters.record_drop(cloud, comms::MessageCounters::kSerial);
                continue;
            }
            world_.vehicles.known[v].merge(world_.cloud_known);
            world_.vehicles.warm[v].replan = 1;
            world_.counters.record_receive(v, news(world_.cloud_known),
                                           comms::MessageCounters::kSerial);
        }
    }
    // peers, local: each vehicle pushes what it knows to its nearest radio neighbours that
    // lack it (one hop per round, from a snapshot, so the order of vehicles does not matter)
    const std::vector<KnownRoadEvents> before = world_.vehicles.known;
    // what every vehicle that can hear a push knows already: news within it has nobody to go
    // to, so its holders skip the search (after the cloud's leg, with the cloud up, all of it)
    KnownRoadEvents common;
    common.words.fill(~std::uint64_t{0});
    for (std::uint32_t u = 0; u < before.size(); ++u) {
        if (!radio_blocked(world_.board.entry(u).position)) {
            common.intersect(before[u]);
        }
    }
    const std::size_t fanout = spec_.gossip_fanout;
    const double range = spec_.comms.radio_range_m;
    const PhaseRecords<NewsPush> pushes = run_local<NewsPush>(
        engine_ != nullptr ? &engine_->executor() : nullptr, world_.vehicles.size(), phase_chunk_,
        [&](std::uint32_t first, std::uint32_t last, std::vector<NewsPush>& out) {
            // The neighbours found are a function of the position and the news alone (v
            // itself never lacks its own news), so vehicles standing at one point and knowing
            // the same search once: the idle fleet waiting at a depot asks once per set of
            // news there, not once per vehicle (each search scanned the whole crowd there)
            AskedSearches asked;
            for (std::uint32_t v = first; v < last; ++v) {
                if (common.covers(before[v])) {
                    continue;  // nothing new to anyone (or nothing known)
                }
                const Point p = world_.board.entry(v).position;
                if (radio_blocked(p)) {
                    continue;
                }
                const std::span<const std::uint32_t> near =
                    asked.find_or_add(p, before[v], fanout, [&](std::span<std::uint32_t> found) {
                        auto lacks = [&](std::uint32_t u, const FleetBoard::Entry& e) {
                            return u != v && !before[u].covers(before[v]) &&
                                   !radio_blocked(e.position);
                        };
                        return world_.board.nearest(p, range, lacks, found);
                    });
                for (const std::uint32_t u : near) {
                    out.push_back({v, u});
                }
            }
        });
    // apply, in vehicle order: the loss draws of the round's stream, merges and counters
    sim::RandomStream rng(engine_->config().seed, kGossipStream,
                          static_cast<std::uint32_t>(world_.gossip_rounds), 0);
    pushes.for_each([&](const NewsPush& push) {
        const std::uint32_t v = push.from;
        const std::uint32_t u = push.to;
        const Point p = world_.board.entry(v).position;
        const Point q = world_.board.entry(u).position;
        world_.counters.record_send(v, news(before[v]), comms::MessageCounters::kSerial);
        if (link_.lost(comms::Link::kRadio, world_.conditions.radio_loss_between(p, q), rng)) {
            world_.counters.record_drop(v, comms::MessageCounters::kSerial);
            return;
        }
        world_.counters.record_receive(u, news(before[v]), comms::MessageCounters::kSerial);
        if (world_.vehicles.known[u].merge(before[v])) {
            world_.vehicles.warm[u].replan = 1;
        }
    });
}

std::size_t FleetModel::believed_views() const {
    std::size_t n = 0;
    for (const auto& cache : views_) {
        n += cache.size();
    }
    return n;
}

void FleetModel::free_unused_views() {
    // A view is a function of its set of known events: freeing one changes no result (it is
    // made again if a set comes back). Sets only grow, so a set no vehicle holds any more is
    // rarely asked for again; without this the views piled up for the run (city_100k with 12
    // unannounced slowdowns and no cloud: 28 views, 57.5 MB, each slowed one all edges' times).
    const std::size_t held = believed_views();
    if (keep_views_ || held <= std::max<std::size_t>(kMinViewsFreed, views_free_at_)) {
        return;
    }
    std::vector<KnownRoadEvents> in_use;
    in_use.reserve(held + 1);
    for (const auto& cache : views_) {
        for (const auto& bv : cache) {
            in_use.push_back(bv->known);
        }
    }
    const auto less = [](const KnownRoadEvents& a, const KnownRoadEvents& b) {
        return a.words < b.words;
    };
    std::sort(in_use.begin(), in_use.end(), less);
    in_use.erase(std::unique(in_use.begin(), in_use.end()), in_use.end());
    std::vector<std::uint8_t> used(in_use.size(), 0);
    const auto mark = [&](const KnownRoadEvents& k) {
        const auto it = std::lower_bound(in_use.begin(), in_use.end(), k, less);
        if (it != in_use.end() && *it == k) {
            used[static_cast<std::size_t>(it - in_use.begin())] = 1;
        }
    };
    for (const KnownRoadEvents& k : world_.vehicles.known) {
        mark(k);
    }
    mark(world_.roads.all_events());  // roads_now()
    const auto unused = [&](const std::unique_ptr<BelievedView>& bv) {
        const auto it = std::lower_bound(in_use.begin(), in_use.end(), bv->known, less);
        return used[static_cast<std::size_t>(it - in_use.begin())] == 0;
    };
    std::size_t kept = 0;
    for (auto& cache : views_) {
        cache.erase(std::remove_if(cache.begin(), cache.end(), unused), cache.end());
        kept += cache.size();
    }
    views_free_at_ = 2 * kept;
}

}  // namespace swarm::agents
