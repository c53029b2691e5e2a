#include "io/trace/trace_format.hpp"

namespace swarm::io {

namespace {

struct OrderKind {
    const char* name;
    const char* label;
    const char* value;
};
constexpr std::array<OrderKind, kTraceOrderKindCount> kOrderKinds = {{
    {"order_created", "order created", "due time (s), -1 if never"},
    {"order_assigned", "order assigned", ""},
    {"picked_up", "picked up", ""},
    {"delivered", "delivered", "lateness (s, 0 when on time)"},
    {"failed", "order failed", "FailReason code"},
    {"vehicle_state", "vehicle state", "new VehicleState"},
}};

std::vector<TraceKindInfo> make_kinds() {
    std::vector<TraceKindInfo> kinds;
    for (const OrderKind& k : kOrderKinds) {
        kinds.push_back({k.name, k.label, "", "", "", -1, k.value});
    }
    for (const agents::DisruptionKindInfo& k : agents::kDisruptionKinds) {
        kinds.push_back({std::string(k.event), std::string(k.label), std::string(k.name),
                         agents::to_string(k.role), agents::to_string(k.target),
                         trace_event_kind(k.pair), std::string(k.value)});
    }
    return kinds;
}

}  // namespace

const std::vector<TraceKindInfo>& trace_event_kinds() {
    static const std::vector<TraceKindInfo> kinds = make_kinds();
    return kinds;
}

}  // namespace swarm::io
