// The allocation protocols by name: the one place a protocol is registered (one line each).
#include <stdexcept>
#include <string>

#include "agents/fleet/protocol.hpp"

namespace swarm::agents {

// each defined in its own file of agents/fleet/protocols/
std::unique_ptr<AllocationProtocol> make_auction_protocol();
std::unique_ptr<AllocationProtocol> make_cbba_protocol();
std::unique_ptr<AllocationProtocol> make_cloud_protocol();
std::unique_ptr<AllocationProtocol> make_first_claim_protocol();
std::unique_ptr<AllocationProtocol> make_oracle_protocol();

const std::vector<ProtocolInfo>& protocols() {
    static const std::vector<ProtocolInfo> kProtocols = {
        {"auction",
         {"nearest_bid", "insertion"},
         "contract net: the lowest insertion bid wins",
         make_auction_protocol},
        {"cbba", {}, "the vehicles near a depot agree on awards by consensus", make_cbba_protocol},
        {"cloud", {}, "a central planner over the cloud link, on telemetry", make_cloud_protocol},
        {"first_claim",
         {},
         "the first vehicle to claim an order gets it (tutorial example)",
         make_first_claim_protocol},
        {"oracle",
         {},
         "the cloud's planner with an ideal link and no solve time (a yardstick, not a policy)",
         make_oracle_protocol},
    };
    return kProtocols;
}

std::vector<std::string> protocol_names() {
    std::vector<std::string> names;
    for (const ProtocolInfo& p : protocols()) {
        names.emplace_back(p.name);
    }
    for (const ProtocolInfo& p : protocols()) {
        for (const std::string_view alias : p.aliases) {
            names.emplace_back(alias);
        }
    }
    return names;
}

std::unique_ptr<AllocationProtocol> make_protocol(std::string_view name) {
    for (const ProtocolInfo& p : protocols()) {
        if (p.name == name ||
            std::find(p.aliases.begin(), p.aliases.end(), name) != p.aliases.end()) {
            return p.make();
        }
    }
    std::string known;
    for (const std::string& n : protocol_names()) {
        known += (known.empty() ? "" : ", ") + n;
    }
    throw std::invalid_argument("unknown allocation policy '" + std::string(name) +
                                "' (known: " + known + ")");
}

}  // namespace swarm::agents
