#include "sim/mpi/session.hpp"

#include <mpi.h>

#include <cstdlib>
#include <stdexcept>

namespace swarm::sim::mpi {

bool launched_by_mpirun() {
    // Open MPI's launcher, then the PMI/PMIx ones (Slurm's srun, MPICH's hydra)
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
        if (std::getenv(name) != nullptr) {
            return true;
        }
    }
    return false;
}

Session::Session() {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized == 0) {
        int provided = 0;
        if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            throw std::runtime_error("MPI_Init_thread failed");
        }
        owner_ = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Session::~Session() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (owner_ && finalized == 0) {
        MPI_Finalize();
    }
}

}  // namespace swarm::sim::mpi
