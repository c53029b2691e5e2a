// Sequential greedy assignment (SGA): the centralized reference CBBA is measured against.
// Repeatedly give the (agent, task) pair with the largest marginal gain to that agent,
// until no agent with room left has a task with positive gain. Choi, Brunet, How (2009)
// state that CBBA with diminishing marginal gains converges to exactly this assignment; it
// does not always (a 2-agent, 4-task counter-example is in cbba_test.cpp, and docs/cbba.md
// explains it). It does with one task per agent.
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
