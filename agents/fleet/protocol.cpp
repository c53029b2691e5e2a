#include "agents/fleet/protocol.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>

namespace swarm::agents {

void AllocationProtocol::handle(AllocationHost& /*host*/, sim::Context& ctx, LpLayout::Entry at,
                                std::uint16_t type, const sim::Payload& /*p*/) {
    // a message the protocol sent to the wrong kind of LP, or never defined: a bug
    const char* kind = at.kind == LpKind::kDepot     ? "depot"
                       : at.kind == LpKind::kVehicle ? "vehicle"
                                                     : "dispatcher";
    throw std::logic_error("fleet: protocol '" + std::string(name()) + "' cannot handle its " +
                           "message " + std::string(message_name(type)) + " at " + kind + " " +
                           std::to_string(at.index) + " (LP " + std::to_string(ctx.self()) + ")");
}

std::string check_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

std::string check_seconds(const FleetSpec& spec, sim::Tick t) {
    return check_number(spec.time.to_seconds(t)) + " s";
}

std::string_view AllocationProtocol::message_name(std::uint16_t /*type*/) const {
    return "?";
}

std::uint32_t AllocationProtocol::message_bytes(std::uint16_t type) const {
    throw std::logic_error("fleet: protocol '" + std::string(name()) + "' has no message " +
                           std::to_string(type));
}

}  // namespace swarm::agents
