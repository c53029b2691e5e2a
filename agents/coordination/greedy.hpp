// Sequential greedy assignment (SGA): the centralized reference CBBA is measured against.
// Repeatedly give the (agent, task) pair with the largest marginal gain to that agent,
// until no agent with room left has a task with positive gain. With diminishing marginal
// gains CBBA converges to exactly this assignment (Choi, Brunet, How 2009, section IV).
#pragma once

#include <cstdint>
#include <span>

#include "agents/coordination/score.hpp"

namespace swarm::coordination {

// Ties in gain go to the lower agent index, then the lower task index (as in CBBA).
Assignment sequential_greedy(std::span<const std::uint32_t> capacities, std::size_t tasks,
                             const ScoreFunction& score);
Assignment sequential_greedy(std::size_t agents, std::size_t tasks, std::uint32_t capacity,
                             const ScoreFunction& score);

}  // namespace swarm::coordination
