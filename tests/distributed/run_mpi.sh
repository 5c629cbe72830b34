#!/usr/bin/env bash
# Runs test_distributed under `mpirun -np 2` (ctest's Distributed.mpirun_* tests).
#   run_mpi.sh collectives <test binary>  every Distributed.* test on 2 ranks must pass, on both
#                                          DataParallel paths (shared memory, GF_DP_REDUCE=mpi)
#   run_mpi.sh rank_exit   <test binary>  one rank exits early: mpirun must exit non-zero
#                                          within 10 s (never hang)
# Exits 77 (ctest SKIP_RETURN_CODE) with the reason printed when mpirun is absent.
set -u
mode=$1
bin=$2
. "$(dirname "$0")/mpi_common.sh"
mpi=(timeout -k 2 20 mpirun --allow-run-as-root --oversubscribe -np 2)
case $mode in
  collectives)
    # Twice: the one-host shared-memory sum, then the bucketed MPI all-reduces (as across hosts)
    GF_EXPECT_WORLD=2 "${mpi[@]}" -x GF_EXPECT_WORLD "$bin" --gtest_filter='Distributed.*' &&
      GF_EXPECT_WORLD=2 GF_DP_REDUCE=mpi "${mpi[@]}" -x GF_EXPECT_WORLD -x GF_DP_REDUCE "$bin" \
        --gtest_filter='Distributed.*'
    ;;
  rank_exit)
    start=$(date +%s)
    GF_DIST_FAULT=1 "${mpi[@]}" -x GF_DIST_FAULT "$bin" --gtest_filter='DistributedFault.*'
    rc=$?
    took=$(($(date +%s) - start))
    echo "mpirun exited with $rc after ${took} s"
    if [ "$rc" -eq 0 ]; then echo "FAIL: a rank exited early but mpirun exited 0"; exit 1; fi
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] || [ "$took" -gt 10 ]; then
      echo "FAIL: the job hung (killed by timeout or took more than 10 s)"; exit 1
    fi
    echo "OK: the job ended non-zero within ${took} s"
    ;;
  *) echo "run_mpi.sh: unknown mode $mode"; exit 2 ;;
esac
