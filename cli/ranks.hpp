#pragma once
// The MPI ranks a swarmsim process is one of (docs/distributed.md). Started by mpirun with
// N > 1 processes, `sweep` and `compare` share their runs between the ranks; every other
// command refuses (each rank would run the whole job and write the same outputs). MPI
// starts only when a command asks for it (Ranks::world()), so that a swarmsim built with
// MPI starts and behaves as before when run on its own or under `mpirun -np 1`.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace swarm::sim {
class Exchange;
}

namespace swarm::cli {

// What crossed ranks through an exchange Ranks::exchange() made, on this rank.
struct RankTraffic {
    std::uint64_t events = 0;       // kernel messages sent to other ranks
    std::uint64_t event_bytes = 0;  // their bytes, counts included
    std::uint64_t state_bytes = 0;  // replicated state sent (all_gather)
    double exchange_s = 0.0;        // in the window exchanges
    double gather_s = 0.0;          // in the state all-gathers
    double reduce_s = 0.0;          // in the per-window reductions and sums
};

// what the launcher put in the environment: this process's rank and the process count
// (0 and 1 without a launcher); read without starting MPI
[[nodiscard]] int launched_rank();
[[nodiscard]] int launched_size();
// processes the launcher started on this machine (1 without one)
[[nodiscard]] int launched_local_size();
// whether this swarmsim was built with MPI (SWARM_WITH_MPI)
[[nodiscard]] bool mpi_built();

class Ranks {
  public:
    // every rank of the launch: starts MPI once when launched with more than one process
    // (and built with MPI), else this process alone
    static const Ranks& world();
    [[nodiscard]] int rank() const { return rank_; }
    [[nodiscard]] int size() const { return size_; }
    // rank 0 gets every rank's text, in rank order; the others an empty vector (collective)
    [[nodiscard]] std::vector<std::string> gather(const std::string& mine) const;
    // every rank gets rank 0's value (collective)
    [[nodiscard]] int broadcast(int value) const;
    // makes the kernel's exchange across these ranks (one engine per rank, all made alike);
    // empty when this process runs alone
    [[nodiscard]] std::function<std::unique_ptr<sim::Exchange>()> exchange() const;
    // what an exchange made by exchange() sent (zeros for any other)
    [[nodiscard]] static RankTraffic traffic(const sim::Exchange& exchange);

  private:
    Ranks() = default;
    int rank_ = 0;
    int size_ = 1;
};

}  // namespace swarm::cli
