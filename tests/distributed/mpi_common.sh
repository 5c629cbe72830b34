# What both mpirun test scripts share: the skip when mpirun is absent (exit 77, ctest's
# SKIP_RETURN_CODE, with the reason printed) and one thread per rank.
if ! command -v mpirun >/dev/null 2>&1; then
  echo "SKIPPED: mpirun not found (apt-get install openmpi-bin libopenmpi-dev)"
  exit 77
fi
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive
