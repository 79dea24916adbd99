# Sourced by the MPI test scripts: how they start Open MPI here.
#   mpi_run NP COMMAND...   mpirun under a timeout (PARXZ_MPI_TIMEOUT
#                           seconds, default 120): a hang fails, never waits
# Root (CI containers) needs Open MPI's consent variables; a 2-core machine
# needs --oversubscribe for 4 ranks. Shared memory and loopback only: the
# tests never leave the machine.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader
export OMPI_MCA_rmaps_base_oversubscribe=1
# Open MPI's session files go under TMPDIR; Bazel gives each test its own.
export TMPDIR=${TEST_TMPDIR:-${TMPDIR:-/tmp}}

mpi_run() {
  local np=$1
  shift
  timeout --kill-after=10 "${PARXZ_MPI_TIMEOUT:-120}" \
    mpirun --oversubscribe --bind-to none -np "$np" "$@"
}
