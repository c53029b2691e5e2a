#include "cli/ranks.hpp"

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "sim/exchange.hpp"

#ifdef SWARM_HAVE_MPI
#include <mpi.h>

#include "sim/mpi/mpi_exchange.hpp"
#include "sim/mpi/session.hpp"
#endif

namespace swarm::cli {

namespace {

// the first of these variables that is set, as a number >= 0; `fallback` otherwise
int env_number(std::initializer_list<const char*> names, int fallback) {
    for (const char* name : names) {
        if (const char* v = std::getenv(name)) {
            char* end = nullptr;
            const long n = std::strtol(v, &end, 10);
            if (end != v && *end == '\0' && n >= 0 && n < (1L << 30)) {
                return static_cast<int>(n);
            }
        }
    }
    return fallback;
}

}  // namespace

// Open MPI's launcher first, then the PMI ones (Slurm's srun, MPICH's hydra)
int launched_rank() {
    return env_number({"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"}, 0);
}
int launched_size() {
    return std::max(1, env_number({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}, 1));
}
int launched_local_size() {
    return std::max(1, env_number({"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"}, 1));
}

bool mpi_built() {
#ifdef SWARM_HAVE_MPI
    return true;
#else
    return false;
#endif
}

const Ranks& Ranks::world() {
    static const Ranks ranks = [] {
        Ranks r;
#ifdef SWARM_HAVE_MPI
        if (launched_size() > 1) {
            // finalized at exit, after main returned
            static const sim::mpi::Session session;
            r.rank_ = session.rank();
            r.size_ = session.size();
        }
#endif
        return r;
    }();
    return ranks;
}

std::vector<std::string> Ranks::gather(const std::string& mine) const {
    if (size_ == 1) {
        return {mine};
    }
#ifdef SWARM_HAVE_MPI
    const int length = static_cast<int>(mine.size());
    if (mine.size() != static_cast<std::size_t>(length)) {
        throw std::runtime_error("MPI gather: over 2 GiB from one rank");
    }
    std::vector<int> lengths(rank_ == 0 ? static_cast<std::size_t>(size_) : 0);
    MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::vector<int> at(lengths.size(), 0);
    std::size_t total = 0;
    for (std::size_t r = 0; r < lengths.size(); ++r) {
        at[r] = static_cast<int>(total);
        total += static_cast<std::size_t>(lengths[r]);
    }
    std::string all(total, '\0');
    MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), at.data(), MPI_CHAR, 0,
                MPI_COMM_WORLD);
    std::vector<std::string> texts;
    for (std::size_t r = 0; r < lengths.size(); ++r) {
        texts.push_back(
            all.substr(static_cast<std::size_t>(at[r]), static_cast<std::size_t>(lengths[r])));
    }
    return texts;
#else
    return {mine};
#endif
}

int Ranks::broadcast(int value) const {
#ifdef SWARM_HAVE_MPI
    if (size_ > 1) {
        MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
    }
#endif
    return value;
}

std::function<std::unique_ptr<sim::Exchange>()> Ranks::exchange() const {
#ifdef SWARM_HAVE_MPI
    if (size_ > 1) {
        return [] { return std::make_unique<sim::mpi::MpiExchange>(MPI_COMM_WORLD); };
    }
#endif
    return {};
}

RankTraffic Ranks::traffic(const sim::Exchange& exchange) {
    RankTraffic t;
#ifdef SWARM_HAVE_MPI
    if (const auto* mpi = dynamic_cast<const sim::mpi::MpiExchange*>(&exchange)) {
        const sim::mpi::Traffic& m = mpi->traffic();
        t.events = m.events_sent;
        t.event_bytes = m.bytes_sent;
        t.state_bytes = m.gathered_bytes;
        t.exchange_s = m.exchange_seconds;
        t.gather_s = m.gather_seconds;
        t.reduce_s = m.reduce_seconds;
    }
#else
    static_cast<void>(exchange);
#endif
    return t;
}

}  // namespace swarm::cli
