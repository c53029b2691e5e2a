#!/bin/sh
# mpi_kernel_test.sh CHECK MPIRUN: the kernel across 1, 2 and 3 ranks, 1 and 2 threads each,
# equals one process (mpi_kernel_check compares on rank 0). Exit 77 (skipped) without MPI.
set -eu
check=$1
mpirun=$2
if [ -z "$check" ]; then
    echo "SKIPPED: built without MPI (SWARM_WITH_MPI; apt-get install libopenmpi-dev openmpi-bin)"
    exit 77
fi
if [ -z "$mpirun" ] || ! command -v "$mpirun" >/dev/null 2>&1; then
    echo "SKIPPED: no mpirun found (apt-get install openmpi-bin)"
    exit 77
fi
# Open MPI refuses root without these (CI containers run as root)
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# every rank on this host: the shared-memory transport alone (see mpi_batch_test.sh)
export OMPI_MCA_pml="${OMPI_MCA_pml:-ob1}" OMPI_MCA_btl="${OMPI_MCA_btl:-self,vader}"
# Open MPI's components leak at MPI_Finalize and are unloaded by then, so no suppression can
# name them: under the sanitizer leg these runs are checked for memory errors, not leaks
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
for model in phold queueing; do
    for ranks in 1 2 3; do
        for threads in 1 2; do
            "$mpirun" --oversubscribe -np "$ranks" "$check" --model "$model" \
                --threads "$threads" --lps 999 --events 150000
        done
    done
done
# more ranks than partitions: a rank with none still takes part in every collective
"$mpirun" --oversubscribe -np 3 "$check" --model phold --threads 1 --lps 2 --events 2000
echo "the kernel across ranks equals one process"
