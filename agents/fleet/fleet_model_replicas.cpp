// FleetModel across processes (docs/distributed.md, "The fleet across ranks"): replicated
// state, partitioned execution. Every process holds the whole world; each runs only the
// events of its own LPs, whose state it alone keeps current. Inside a window an LP writes only
// its own entries (fleet_world.hpp) and reads nobody else's but what barriers build, so the
// copies may differ only in the entries of LPs that ran events on other processes. At every
// barrier where actions are due (Engine::set_barrier_hook), before they run, each process
// sends the entries of its LPs that ran since the last such barrier (a vehicle's row and what
// it wrote in the learning, a depot's state, their message counters) to all others, which
// overwrite their copies: the barrier phases then read the same world on every process and
// write the same changes.
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>

#include "agents/fleet/fleet_learning.hpp"
#include "agents/fleet/fleet_model.hpp"
#include "agents/fleet/fleet_model_internal.hpp"
#include "agents/fleet/fleet_world_state.hpp"

namespace swarm::agents {

// every member of FleetState is copied below: a new one must be too
// (+2: FleetState::trace_blocks and board_blocks, noted from `changed` as it is read)
// (the members of VehicleHot and VehicleWarm: fleet_world_state.cpp asserts their sizes)
static_assert(sizeof(FleetState) == 7 * sizeof(std::vector<std::uint8_t>),
              "FleetState changed: copy the new member in put_vehicle and get_vehicle");
static_assert(sizeof(DepotState) % 64 == 0 && sizeof(AllocationCounters) == 40,
              "DepotState changed: copy the new member in put_depot and get_depot");

namespace {

enum RecordKind : std::uint8_t {
    kVehicleRecord = 1,
    kDepotRecord = 2,
    kDispatcherRecord = 3,  // the dispatcher LP's draws and counters (cloud, oracle)
    kProtocolRecord = 4,    // what an LP's events wrote in the protocol (save_lp)
    kLearningRecord = 5,    // what a vehicle's LP wrote in the learning (FleetLearning)
};

class Writer {
  public:
    explicit Writer(std::vector<unsigned char>& out) : out_(out) {}
    template <class T>
    void put(const T& value) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto* b = reinterpret_cast<const unsigned char*>(&value);
        out_.insert(out_.end(), b, b + sizeof(T));
    }
    template <class T>
    void put_vector(const std::vector<T>& values) {
        static_assert(std::is_trivially_copyable_v<T>);
        put<std::uint64_t>(values.size());
        const auto* b = reinterpret_cast<const unsigned char*>(values.data());
        out_.insert(out_.end(), b, b + values.size() * sizeof(T));
    }
    // every array of an archive: name, kind, element size, count, bytes
    void put_archive(const sim::StateArchive& ar) {
        put<std::uint32_t>(static_cast<std::uint32_t>(ar.arrays().size()));
        for (const auto& [name, a] : ar.arrays()) {
            put_vector(std::vector<char>(name.begin(), name.end()));
            put(a.kind);
            put(a.element_bytes);
            put(a.count);
            put_vector(a.bytes);
        }
    }

  private:
    std::vector<unsigned char>& out_;
};

class Reader {
  public:
    Reader(const unsigned char* at, const unsigned char* end) : at_(at), end_(end) {}
    [[nodiscard]] bool done() const { return at_ == end_; }
    template <class T>
    T get() {
        static_assert(std::is_trivially_copyable_v<T>);
        need(sizeof(T));
        T value;
        std::memcpy(&value, at_, sizeof(T));
        at_ += sizeof(T);
        return value;
    }
    template <class T>
    void get(T& value) {
        value = get<T>();
    }
    template <class T>
    void get_vector(std::vector<T>& values) {
        const auto n = get<std::uint64_t>();
        need(n * sizeof(T));
        values.resize(n);
        if (n > 0) {
            std::memcpy(static_cast<void*>(values.data()), at_, n * sizeof(T));
        }
        at_ += n * sizeof(T);
    }
    void get_archive(sim::StateArchive& ar) {
        const auto n = get<std::uint32_t>();
        for (std::uint32_t i = 0; i < n; ++i) {
            std::vector<char> name;
            get_vector(name);
            sim::StateArray a;
            get(a.kind);
            get(a.element_bytes);
            get(a.count);
            get_vector(a.bytes);
            ar.insert(std::string(name.begin(), name.end()), std::move(a));
        }
    }

  private:
    void need(std::size_t n) const {
        if (static_cast<std::size_t>(end_ - at_) < n) {
            throw FleetModelError("fleet: a state record from another rank is cut short");
        }
    }
    const unsigned char* at_;
    const unsigned char* end_;
};

// a vehicle's row and its message counters
void put_vehicle(Writer& w, const FleetWorld& world, std::uint32_t v) {
    const FleetState& f = world.vehicles;
    w.put(kVehicleRecord);
    w.put(v);
    w.put(f.hot[v].state);
    w.put(f.hot[v].node);
    w.put(f.hot[v].leg_to);
    w.put(f.hot[v].leg_start);
    w.put(f.hot[v].leg_end);
    w.put(f.hot[v].dest);
    w.put_vector(f.warm[v].route);
    w.put(f.hot[v].route_pos);
    w.put(f.hot[v].route_dest);
    w.put(f.hot[v].moving);
    w.put(f.hot[v].type);
    w.put(f.warm[v].home);
    w.put(f.warm[v].load);
    w.put(f.hot[v].energy_kwh);
    w.put(f.plan[v]);
    w.put(f.hot[v].counters);
    w.put(f.warm[v].state_since);
    w.put(f.warm[v].max_load);
    w.put(f.hot[v].min_energy_kwh);
    w.put(f.warm[v].energy_violations);
    w.put(f.hot[v].drive_time);
    w.put(f.warm[v].returned_at);
    w.put(f.known[v]);
    w.put(f.warm[v].replan);
    w.put(f.warm[v].service_due);
    w.put(f.changed[v]);
    w.put(world.counters.agent(v));
}

// `replacing(v)` is called before vehicle v's record is overwritten
template <class Replacing>
std::uint32_t get_vehicle(Reader& r, FleetWorld& world, Replacing&& replacing) {
    FleetState& f = world.vehicles;
    const auto v = r.get<std::uint32_t>();
    if (v >= f.size()) {
        throw FleetModelError("fleet: a state record from another rank names vehicle " +
                              std::to_string(v));
    }
    replacing(v);
    r.get(f.hot[v].state);
    r.get(f.hot[v].node);
    r.get(f.hot[v].leg_to);
    r.get(f.hot[v].leg_start);
    r.get(f.hot[v].leg_end);
    r.get(f.hot[v].dest);
    r.get_vector(f.warm[v].route);
    r.get(f.hot[v].route_pos);
    r.get(f.hot[v].route_dest);
    r.get(f.hot[v].moving);
    r.get(f.hot[v].type);
    r.get(f.warm[v].home);
    r.get(f.warm[v].load);
    r.get(f.hot[v].energy_kwh);
    r.get(f.plan[v]);
    r.get(f.hot[v].counters);
    r.get(f.warm[v].state_since);
    r.get(f.warm[v].max_load);
    r.get(f.hot[v].min_energy_kwh);
    r.get(f.warm[v].energy_violations);
    r.get(f.hot[v].drive_time);
    r.get(f.warm[v].returned_at);
    r.get(f.known[v]);
    r.get(f.warm[v].replan);
    r.get(f.warm[v].service_due);
    r.get(f.changed[v]);
    f.note_flags(v);
    world.counters.set_agent(v, r.get<comms::MessageTotals>());
    return v;
}

// a depot's whole state (its book through the checkpoints' save_depot), its counters and, when
// the model's changes are followed, its journal's entries since its last record
void put_depot(Writer& w, const FleetWorld& world, std::uint32_t d, comms::AgentIndex agent,
               const std::vector<std::uint32_t>& journal) {
    const DepotState& ds = world.depots[d];
    w.put(kDepotRecord);
    w.put(d);
    w.put(ds.stock);
    w.put(ds.demand_draws);
    w.put(ds.cloud_draws);
    w.put(ds.allocation);
    w.put(ds.forwarded_in);
    w.put(ds.forwarded_out);
    w.put(ds.replay_next);
    w.put(world.counters.agent(agent));
    w.put_vector(journal);
    sim::StateArchive ar;
    save_depot(ar, ds);
    w.put_archive(ar);
}

// journals: the model's per depot (empty when its changes are not followed)
void get_depot(Reader& r, FleetWorld& world, comms::AgentIndex first_agent,
               std::vector<std::vector<std::uint32_t>>& journals,
               std::vector<std::uint32_t>& scratch) {
    const auto d = r.get<std::uint32_t>();
    if (d >= world.depots.size()) {
        throw FleetModelError("fleet: a state record from another rank names depot " +
                              std::to_string(d));
    }
    DepotState& ds = world.depots[d];
    r.get(ds.stock);
    r.get(ds.demand_draws);
    r.get(ds.cloud_draws);
    r.get(ds.allocation);
    r.get(ds.forwarded_in);
    r.get(ds.forwarded_out);
    r.get(ds.replay_next);
    world.counters.set_agent(first_agent + d, r.get<comms::MessageTotals>());
    r.get_vector(scratch);
    if (!journals.empty()) {
        // after what this process's barrier phases journalled: the duplicates say nothing new
        journals[d].insert(journals[d].end(), scratch.begin(), scratch.end());
    }
    sim::StateArchive ar;
    r.get_archive(ar);
    load_depot(ar, ds);
}

// the dispatcher LP's own entries in the world: its cloud-link draws and message counters
void put_dispatcher(Writer& w, const FleetWorld& world, comms::AgentIndex cloud) {
    w.put(kDispatcherRecord);
    w.put(world.cloud_draws);
    w.put(world.counters.agent(cloud));
}

void get_dispatcher(Reader& r, FleetWorld& world, comms::AgentIndex cloud) {
    r.get(world.cloud_draws);
    world.counters.set_agent(cloud, r.get<comms::MessageTotals>());
}

// what the LP's events wrote in the protocol's state (CBBA's queue of a depot, the cloud's
// dispatcher), when the protocol keeps any for it
void put_protocol_lp(Writer& w, const AllocationProtocol& protocol, LpLayout::Entry who) {
    sim::StateArchive ar;
    protocol.save_lp(ar, who);
    if (ar.arrays().empty()) {
        return;
    }
    w.put(kProtocolRecord);
    w.put(who.kind);
    w.put(who.index);
    w.put_archive(ar);
}

void get_protocol_lp(Reader& r, AllocationProtocol& protocol, const LpLayout& layout) {
    const auto kind = r.get<LpLayout::Kind>();
    const auto index = r.get<std::uint32_t>();
    const bool known = kind == LpLayout::Kind::kCloud
                           ? layout.cloud_lp() != LpLayout::kNoCloud && index == 0
                           : kind == LpLayout::Kind::kDepot;
    if (!known) {
        throw FleetModelError("fleet: a protocol record from another rank names an LP of kind " +
                              std::to_string(static_cast<int>(kind)));
    }
    sim::StateArchive ar;
    r.get_archive(ar);
    protocol.load_lp(ar, {kind, index});
}

// what vehicle v's LP wrote in the learning since its last record (FleetLearning::VehicleRecord)
void put_learning(Writer& w, FleetLearning& learning, std::uint32_t v,
                  FleetLearning::VehicleRecord& rec) {
    learning.take_record(v, rec);
    w.put(kLearningRecord);
    w.put(v);
    w.put(rec.travel_count);
    w.put_vector(rec.travel);
    w.put(rec.serviced);
    if (rec.serviced != 0) {
        w.put(rec.component.wear);
        w.put(rec.component.hours);
        w.put(rec.wear_value);
        w.put<std::uint64_t>(rec.pending.size());
        for (const FleetLearning::Pending& p : rec.pending) {
            w.put(p.t);
            w.put(p.x);
            w.put<std::uint8_t>(p.broke ? 1 : 0);
        }
    }
}

void get_learning(Reader& r, FleetLearning* learning, std::uint32_t vehicles,
                  FleetLearning::VehicleRecord& rec) {
    const auto v = r.get<std::uint32_t>();
    if (learning == nullptr || v >= vehicles) {
        throw FleetModelError("fleet: a learning record from another rank names vehicle " +
                              std::to_string(v));
    }
    r.get(rec.travel_count);
    r.get_vector(rec.travel);
    r.get(rec.serviced);
    rec.pending.clear();
    if (rec.serviced != 0) {
        r.get(rec.component.wear);
        r.get(rec.component.hours);
        r.get(rec.wear_value);
        rec.pending.resize(r.get<std::uint64_t>());
        for (FleetLearning::Pending& p : rec.pending) {
            r.get(p.t);
            r.get(p.x);
            p.broke = r.get<std::uint8_t>() != 0;
        }
    }
    learning->apply_record(v, rec);
}

}  // namespace

void FleetModel::start_replicas(sim::Engine& engine) {
    replicated_ = engine.exchange().processes() > 1;
    if (!replicated_) {
        return;
    }
    // every protocol and operational learning run across ranks (their records above); the
    // leg log, a test's tool, does not
    if (!leg_log_.empty()) {
        throw FleetModelError("fleet across " + std::to_string(engine.exchange().processes()) +
                              " ranks: the leg log does not run across ranks");
    }
    lp_dirty_.assign(layout_.size(), 0);
    if (!order_journals_.empty()) {
        journal_sent_.assign(world_.depots.size(), 0);
    }
    engine.set_barrier_hook([this](sim::Engine& e, const sim::ActionKey& key, bool sample) {
        // the board (with road news and the protocol's hook) and the fleet-time book read
        // only vehicles; samples, disruptions and anything else may read depots too
        const bool vehicles_only =
            !sample && ((key.kind == fleet_detail::kBoardAction && !needs_.board_reads_depots) ||
                        key.kind == fleet_detail::kFleetTimeAction);
        sync_replicas(e.windows_processed(), !vehicles_only);
    });
}

void FleetModel::sync_replicas() {
    if (replicated_) {
        sync_replicas(engine_->windows_processed(), true);
    }
}

void FleetModel::sync_replicas(std::uint64_t windows, bool depots) {
    // Nothing ran since the last sync of a kind: no rank has records of it (the window count
    // is the same on every rank, so all skip the collective together). Depot states, which
    // grow with their orders, are sent only before what reads them; until then their LPs stay
    // flagged and the other copies stale, which nothing reads.
    const bool vehicles = windows != vehicles_synced_at_;
    depots = depots && windows != depots_synced_at_;
    if (!vehicles && !depots) {
        return;
    }
    vehicles_synced_at_ = windows;
    if (depots) {
        depots_synced_at_ = windows;
    }
    sim::Exchange& exchange = engine_->exchange();
    // what this process's LPs changed since the last sync, in LP order
    std::vector<unsigned char> mine;
    Writer w(mine);
    FleetLearning::VehicleRecord learned;  // scratch
    for (sim::LpId lp = 0; lp < lp_dirty_.size(); ++lp) {
        if (lp_dirty_[lp] == 0) {
            continue;
        }
        const LpLayout::Entry who = layout_.at(lp);
        if (who.kind == LpLayout::Kind::kVehicle) {
            put_vehicle(w, world_, who.index);
            if (learning_) {
                put_learning(w, *learning_, who.index, learned);
            }
            ++replicas_.vehicle_records;
        } else if (who.kind == LpLayout::Kind::kDepot) {
            if (!depots) {
                continue;
            }
            // the entries journalled since the depot's last record (none without a follower)
            journal_delta_.clear();
            if (!order_journals_.empty()) {
                const std::vector<std::uint32_t>& journal = order_journals_[who.index];
                journal_delta_.assign(journal.begin() + journal_sent_[who.index], journal.end());
                journal_sent_[who.index] = static_cast<std::uint32_t>(journal.size());
            }
            put_depot(w, world_, who.index, depot_agent(who.index), journal_delta_);
            put_protocol_lp(w, *protocol_, who);
            ++replicas_.depot_records;
        } else {
            // the dispatcher: small, and read by the board's hook (the cloud's awards in flight)
            put_dispatcher(w, world_, cloud_agent());
            put_protocol_lp(w, *protocol_, who);
            ++replicas_.dispatcher_records;
        }
        lp_dirty_[lp] = 0;
    }
    std::vector<unsigned char> all;
    std::vector<std::size_t> offsets;
    exchange.all_gather(mine, all, offsets);
    ++replicas_.syncs;
    replicas_.bytes_sent += mine.size();
    // the others' records over this process's copies (each entry has one owner: any order)
    const auto self = static_cast<std::size_t>(exchange.process());
    for (std::size_t p = 0; p + 1 < offsets.size(); ++p) {
        if (p == self) {
            continue;
        }
        Reader r(all.data() + offsets[p], all.data() + offsets[p + 1]);
        while (!r.done()) {
            const auto kind = r.get<std::uint8_t>();
            if (kind == kVehicleRecord) {
                // the copy leaves the tallies and the new record joins them (at every frame of
                // a trace: a recount would cost the fleet, not the news)
                const std::uint32_t v =
                    get_vehicle(r, world_, [&](std::uint32_t old) { tally_replica(old, -1); });
                tally_replica(v, 1);
            } else if (kind == kDepotRecord) {
                get_depot(r, world_, depot_agent(0), order_journals_, journal_delta_);
            } else if (kind == kDispatcherRecord) {
                get_dispatcher(r, world_, cloud_agent());
            } else if (kind == kProtocolRecord) {
                get_protocol_lp(r, *protocol_, layout_);
            } else if (kind == kLearningRecord) {
                get_learning(r, learning_.get(), vehicle_count(), learned);
            } else {
                throw FleetModelError("fleet: a state record of unknown kind from another rank");
            }
        }
    }
}

}  // namespace swarm::agents
