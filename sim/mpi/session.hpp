#pragma once
// MPI's lifetime for a program that may or may not run under mpirun. Starting MPI is left
// to the program (lazily), so that a binary linked with MPI behaves as before when started
// on its own.
namespace swarm::sim::mpi {

// whether a launcher (Open MPI's mpirun/orterun, or a PMI/PMIx one) started this process
[[nodiscard]] bool launched_by_mpirun();

// MPI_Init_thread (funneled: only the main thread calls MPI) unless MPI is running; at
// destruction MPI_Finalize if this object started it.
class Session {
  public:
    Session();
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    Session(Session&&) = delete;
    Session& operator=(Session&&) = delete;
    [[nodiscard]] int rank() const { return rank_; }
    [[nodiscard]] int size() const { return size_; }

  private:
    bool owner_ = false;
    int rank_ = 0;
    int size_ = 1;
};

}  // namespace swarm::sim::mpi
