// The fleet's model exchanges by name: the one place an exchange is registered (one line
// each). The first four are LearningMode's, in its order; add new ones at the end.
#include <stdexcept>

#include "agents/fleet/model_exchanges.hpp"

namespace swarm::agents {

// each defined in its own file of agents/fleet/exchanges/
void exchange_gossip(ModelExchangeRound& r);
void exchange_fedavg(ModelExchangeRound& r);

const std::vector<ModelExchangeInfo>& model_exchanges() {
    static const std::vector<ModelExchangeInfo> kExchanges = {
        {"off", "no models: free-flow routes, no predictive maintenance", false, false, nullptr},
        {"local", "each vehicle trains on its own observations only", false, false, nullptr},
        {"gossip", "push-pull with one random radio neighbour per round", true, false,
         exchange_gossip},
        {"fedavg", "the cloud combines every connected vehicle's models per round", true, true,
         exchange_fedavg},
    };
    return kExchanges;
}

std::vector<std::string> model_exchange_names() {
    std::vector<std::string> names;
    for (const ModelExchangeInfo& x : model_exchanges()) {
        names.emplace_back(x.name);
    }
    return names;
}

const ModelExchangeInfo& model_exchange(LearningMode mode) {
    const auto i = static_cast<std::size_t>(mode);
    if (i >= model_exchanges().size()) {
        throw std::invalid_argument("learning mode " + std::to_string(i) + " is not registered");
    }
    return model_exchanges()[i];
}

const char* to_string(LearningMode mode) {
    const auto i = static_cast<std::size_t>(mode);
    return i < model_exchanges().size() ? model_exchanges()[i].name.data() : "?";
}

LearningMode learning_mode_from_string(const std::string& name) {
    std::string known;
    for (std::size_t i = 0; i < model_exchanges().size(); ++i) {
        if (model_exchanges()[i].name == name) {
            return static_cast<LearningMode>(i);
        }
        known += (i > 0 ? ", " : "") + std::string(model_exchanges()[i].name);
    }
    throw std::invalid_argument("unknown learning mode '" + name + "' (" + known + ")");
}

}  // namespace swarm::agents
