#!/usr/bin/env bash
# `mpirun -np 2 gradflow train` end to end (ctest's Distributed.train_* tests).
#   train_mpi.sh equal    <gradflow>  N=1 and N=2 (global batch 75: shards of 38 and 37) give the
#                                      same losses and accuracies to 1e-5 relative
#   train_mpi.sh resume   <gradflow>  a 2-rank job SIGKILLed (all its processes) after its first
#                                      checkpoint, resumed with -np 2, ends with the metrics of an
#                                      uninterrupted 2-rank run (bit for bit)
#   train_mpi.sh killed   <gradflow>  one rank SIGKILLed mid-training: mpirun exits non-zero
#                                      within 10 s, naming the rank
#   train_mpi.sh orphan   <gradflow>  mpirun alone SIGKILLed mid-training: no rank outlives it by
#                                      0.5 s and none writes to the run folder after the kill
#   train_mpi.sh mismatch <gradflow>  ranks started with different flags refuse to train (exit 2,
#                                      the message names rank 1); nothing is written
#   train_mpi.sh ranks    <gradflow>  --resume with another N than the checkpoint's is refused
#                                      (exit 2, both counts named, nothing trained), both ways;
#                                      a checkpoint that does not record N resumes at any N
#   train_mpi.sh interrupt <gradflow> SIGINT to mpirun (Ctrl-C) ends every rank within 5 s,
#                                      non-zero; the resumed run ends with the metrics of an
#                                      uninterrupted one (bit for bit)
#   train_mpi.sh bad_data <gradflow>  rank 1 reads a corrupt (then a missing) data file: the job
#                                      exits non-zero within 5 s, the message names rank 1
#   train_mpi.sh cnn      <gradflow>  --model cnn (BatchNorm, Dropout) on 2 ranks, 4x4 images
#                                      from a csv: the metrics of N=1 to 1e-5 relative
# Exits 77 (ctest SKIP_RETURN_CODE) with the reason printed when mpirun is absent.
set -u
mode=$1
bin=$2
. "$(dirname "$0")/mpi_common.sh"
mpi=(mpirun --allow-run-as-root --oversubscribe -np 2)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(--data synthetic --threads 1 --seed 5 --no-plots --hidden 32,16 --lr 0.01)
fail() { echo "FAIL: $*"; exit 1; }

# The metrics of a run folder without the seconds column.
metrics() { cut -d, -f1-5 "$1/metrics.csv"; }
# The interrupted runs are long (--epochs 300, constant learning rate) so that the signal lands
# mid-training however late a loaded machine lets this script poll; the comparison is at the epoch
# reached plus two, against a fresh uninterrupted 2-rank run ($work/a) of that length, which
# follows the same path (a shorter run with the same seed and schedule none).
long=(--epochs 300 --schedule none)
# Runs $work/a to $1 epochs, resumes $work/b to $1 and checks both end with the same metrics.
resume_equals_a() {
  timeout -k 2 60 "${mpi[@]}" "$bin" train "${common[@]}" --epochs "$1" --schedule none \
    --out "$work/a" >"$work/a.log" 2>&1 || { cat "$work/a.log"; fail "uninterrupted run"; }
  timeout -k 2 60 "${mpi[@]}" "$bin" train --out "$work/b" --resume --epochs "$1" --threads 1 \
    --no-plots >"$work/r.log" 2>&1 || { cat "$work/r.log"; fail "resume"; }
  grep -q "resuming from" "$work/r.log" || fail "did not resume"
  diff <(metrics "$work/a") <(metrics "$work/b") || fail "resumed metrics differ"
}

case $mode in
  equal)
    "$bin" train "${common[@]}" --epochs 2 --batch-size 75 --out "$work/one" >"$work/one.log" \
      || { cat "$work/one.log"; fail "1 process"; }
    timeout -k 2 60 "${mpi[@]}" "$bin" train "${common[@]}" --epochs 2 --batch-size 75 \
      --out "$work/two" >"$work/two.log" 2>&1 || { cat "$work/two.log"; fail "2 ranks"; }
    grep -q "data parallel: 2 ranks" "$work/two.log" || { cat "$work/two.log"; fail "not data parallel"; }
    [ "$(grep -o "train loss" "$work/two.log" | wc -l)" -eq 2 ] || fail "rank 0 alone prints the 2 epoch lines"
    metrics "$work/one"; metrics "$work/two"
    python3 - "$work/one/metrics.csv" "$work/two/metrics.csv" <<'PY' || exit 1
import csv, sys
a, b = (list(csv.DictReader(open(p))) for p in sys.argv[1:3])
assert len(a) == len(b) == 2, (len(a), len(b))
bitwise = True
for ra, rb in zip(a, b):
    for k in ("train_loss", "train_acc", "valid_loss", "valid_acc"):
        x, y = float(ra[k]), float(rb[k])
        bitwise &= ra[k] == rb[k]
        assert abs(x - y) <= 1e-5 * max(abs(x), 1e-12), f"epoch {ra['epoch']} {k}: N=1 {x} N=2 {y}"
print("OK: N=1 and N=2 agree to 1e-5 relative;", "bitwise equal" if bitwise else
      "not bitwise (the shards' sums are added in another order)")
PY
    ;;
  resume)
    setsid "${mpi[@]}" "$bin" train "${common[@]}" "${long[@]}" --out "$work/b" \
      >"$work/b.log" 2>&1 &
    job=$!
    for _ in $(seq 400); do [ -f "$work/b/metrics.csv" ] && break; sleep 0.02; done
    kill -9 -- "-$job" 2>/dev/null
    wait "$job" 2>/dev/null
    # The ranks are not in mpirun's process group; they die with mpirun (PR_SET_PDEATHSIG, the
    # orphan case below), and SIGKILL of "the job" is of all its processes anyway.
    pkill -9 -f -- "--out $work/b" 2>/dev/null
    for _ in $(seq 100); do pgrep -f -- "--out $work/b" >/dev/null || break; sleep 0.05; done
    rows=$(($(wc -l <"$work/b/metrics.csv") - 1))
    echo "killed after $rows of 300 epochs"
    [ "$rows" -lt 300 ] || fail "the kill came after the run had finished (nothing to resume)"
    resume_equals_a $((rows + 2))
    echo "OK: resumed after SIGKILL, metrics equal to the uninterrupted run"
    ;;
  killed)
    "${mpi[@]}" "$bin" train "${common[@]}" --epochs 200 --out "$work/k" >"$work/k.log" 2>&1 &
    job=$!
    for _ in $(seq 400); do [ -f "$work/k/metrics.csv" ] && break; sleep 0.02; done
    victim=$(pgrep -P "$job" | tail -1)
    [ -n "$victim" ] || { kill "$job"; fail "no rank process found under mpirun"; }
    start=$(date +%s.%N)
    kill -9 "$victim"
    for _ in $(seq 200); do kill -0 "$job" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$job" 2>/dev/null; then kill -9 "$job"; fail "mpirun still running 10 s after a rank was killed"; fi
    wait "$job"
    rc=$?
    took=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')")
    echo "mpirun exited with $rc, ${took} s after the kill"
    grep -i "rank\|signal" "$work/k.log" | head -5
    [ "$rc" -ne 0 ] || fail "mpirun exited 0"
    grep -qi "signal 9\|killed" "$work/k.log" || fail "mpirun's message does not name the killed rank"
    echo "OK"
    ;;
  orphan)
    setsid "${mpi[@]}" "$bin" train "${common[@]}" --epochs 400 --out "$work/o" \
      >"$work/o.log" 2>&1 &
    job=$!
    for _ in $(seq 400); do [ -f "$work/o/metrics.csv" ] && break; sleep 0.02; done
    kill -9 "$job"
    wait "$job" 2>/dev/null
    # mpirun is gone; the kernel's SIGKILL to the ranks may still be in flight for a moment
    # (a rank mid-way through writing an epoch's row finishes it): count the rows after 0.1 s.
    sleep 0.1
    rows=$(wc -l <"$work/o/metrics.csv")
    sleep 0.5
    alive=$(pgrep -f -- "--out $work/o" | wc -l)
    pkill -9 -f -- "--out $work/o" 2>/dev/null
    now=$(wc -l <"$work/o/metrics.csv")
    echo "ranks alive 0.5 s after mpirun's SIGKILL: $alive; metrics rows $rows then $now"
    [ "$alive" -eq 0 ] || fail "$alive rank(s) outlived mpirun"
    [ "$now" -eq "$rows" ] || fail "a rank wrote to the run folder after mpirun was killed"
    echo "OK"
    ;;
  mismatch)
    timeout -k 2 30 mpirun --allow-run-as-root --oversubscribe \
      -np 1 "$bin" train "${common[@]}" --epochs 1 --out "$work/m" : \
      -np 1 "$bin" train "${common[@]}" --epochs 1 --out "$work/m" --batch-size 64 \
      >"$work/m.log" 2>&1
    rc=$?
    cat "$work/m.log" | grep -v "^\s*$" | head -8
    [ "$rc" -ne 0 ] || fail "mismatched ranks trained (exit 0)"
    grep -q "rank 1 of 2 started with a different configuration than rank 0" "$work/m.log" \
      || fail "the message does not name rank 1"
    [ ! -f "$work/m/last.safetensors" ] || fail "a checkpoint was written"
    echo "OK: refused with exit $rc"
    ;;
  ranks)
    # A 2-rank checkpoint resumed without mpirun, and a 1-process one under mpirun -np 2.
    timeout -k 2 60 "${mpi[@]}" "$bin" train "${common[@]}" --epochs 1 --out "$work/two" \
      >"$work/two.log" 2>&1 || { cat "$work/two.log"; fail "2-rank run"; }
    "$bin" train "${common[@]}" --epochs 1 --out "$work/one" >"$work/one.log" \
      || { cat "$work/one.log"; fail "1-process run"; }
    cp "$work/two/last.safetensors" "$work/two.before"
    "$bin" train --out "$work/two" --resume --epochs 2 --threads 1 --no-plots >"$work/r1.log" 2>&1
    rc=$?
    cat "$work/r1.log"
    [ "$rc" -eq 2 ] || fail "resuming a 2-rank checkpoint with 1 process: exit $rc, not 2"
    grep -q "written by a run of 2 ranks and this one has 1; resume it with mpirun -np 2" \
      "$work/r1.log" || fail "the message does not name both counts"
    cmp -s "$work/two/last.safetensors" "$work/two.before" || fail "the refused resume wrote"
    timeout -k 2 30 "${mpi[@]}" "$bin" train --out "$work/one" --resume --epochs 2 --threads 1 \
      --no-plots >"$work/r2.log" 2>&1
    rc=$?
    grep -v "^\s*$" "$work/r2.log" | head -3
    [ "$rc" -eq 2 ] || fail "resuming a 1-process checkpoint with 2 ranks: exit $rc, not 2"
    grep -q "written by a run of 1 rank and this one has 2; resume it without mpirun" \
      "$work/r2.log" || fail "the message does not name both counts"
    [ "$(wc -l <"$work/one/metrics.csv")" -eq 2 ] || fail "the refused resume trained"
    # A checkpoint from before the rank count was recorded: "ranks":1 blanked out of its
    # metadata (same length, so the safetensors header stays valid) resumes under -np 2.
    python3 - "$work/one/last.safetensors" <<'PY' || fail "could not edit the checkpoint"
import sys
path = sys.argv[1]
data = open(path, "rb").read()
field = b'\\"ranks\\":1,'
assert data.count(field) == 1, "no ranks field in the checkpoint's gradflow_run"
open(path, "wb").write(data.replace(field, b" " * len(field)))
PY
    timeout -k 2 30 "${mpi[@]}" "$bin" train --out "$work/one" --resume --epochs 2 --threads 1 \
      --no-plots >"$work/r3.log" 2>&1 || { cat "$work/r3.log"; fail "an old checkpoint did not resume"; }
    grep -q "does not record how many ranks" "$work/r3.log" || fail "no note for the old checkpoint"
    [ "$(wc -l <"$work/one/metrics.csv")" -eq 3 ] || fail "the old checkpoint's resume did not train"
    echo "OK: another N refused both ways (exit 2); a checkpoint without the count resumed at N=2"
    ;;
  interrupt)
    "${mpi[@]}" "$bin" train "${common[@]}" "${long[@]}" --out "$work/b" >"$work/b.log" 2>&1 &
    job=$!
    for _ in $(seq 400); do [ -f "$work/b/metrics.csv" ] && break; sleep 0.02; done
    start=$(date +%s.%N)
    kill -INT "$job"
    for _ in $(seq 100); do kill -0 "$job" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$job" 2>/dev/null; then kill -9 "$job"; fail "mpirun still running 5 s after SIGINT"; fi
    wait "$job"
    rc=$?
    took=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')")
    echo "mpirun exited with $rc, ${took} s after SIGINT"
    [ "$rc" -ne 0 ] || fail "mpirun exited 0 after SIGINT"
    ! pgrep -f -- "--out $work/b" >/dev/null || fail "a rank outlived mpirun"
    # mpirun sends the ranks SIGTERM, then SIGKILL 1 s later: normally they stop together at a
    # batch boundary and rank 0 saves; a SIGKILL first leaves the last epoch's checkpoint.
    tr '\r' '\n' <"$work/b.log" | grep "stopped by" || echo "(the ranks were killed before they could save)"
    rows=$(($(wc -l <"$work/b/metrics.csv") - 1))
    echo "interrupted after $rows of 300 epochs (of ~25 ms each)"
    [ "$rows" -lt 300 ] || fail "SIGINT came after the run had finished (nothing to resume)"
    resume_equals_a $((rows + 2))
    echo "OK: SIGINT ended the job (exit $rc, ${took} s); resumed, metrics equal to the uninterrupted run"
    ;;
  bad_data)
    python3 - "$work/good.csv" <<'PY'
import random, sys
random.seed(1)
with open(sys.argv[1], "w") as f:
    for i in range(300):
        f.write(",".join(f"{random.random() + i % 3:.3f}" for _ in range(4)) + f",{i % 3}\n")
PY
    # The same file, corrupt on "host" 2: a row with a missing column.
    { head -n 76 "$work/good.csv"; echo "0.5,0.5,1"; tail -n +77 "$work/good.csv"; } >"$work/bad.csv"
    for rank1 in "$work/bad.csv" "$work/missing.csv"; do
      start=$(date +%s.%N)
      timeout -k 2 20 mpirun --allow-run-as-root --oversubscribe \
        -np 1 "$bin" train --data "csv:$work/good.csv" --epochs 1 --threads 1 --out "$work/d" : \
        -np 1 "$bin" train --data "csv:$rank1" --epochs 1 --threads 1 --out "$work/d" \
        >"$work/d.log" 2>&1
      rc=$?
      took=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')")
      grep "gradflow" "$work/d.log" | head -3
      echo "mpirun exited with $rc after ${took} s"
      [ "$rc" -ne 0 ] || fail "rank 1 could not read its data but the job exited 0"
      [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || fail "the job hung"
      python3 -c "import sys; sys.exit(float('$took') > 5)" || fail "took ${took} s, more than 5"
      grep -q "gradflow (rank 1 of 2): .*$(basename "$rank1")" "$work/d.log" \
        || fail "the message does not name rank 1 and its file"
      [ ! -f "$work/d/last.safetensors" ] || fail "a checkpoint was written"
    done
    echo "OK: a rank that cannot read its data ends the job, named"
    ;;
  cnn)
    python3 - "$work/images.csv" <<'PY'
import random, sys
random.seed(1)
with open(sys.argv[1], "w") as f:
    for i in range(400):
        c = i % 3
        px = [random.random() + (1.5 if (j % 4 == c or j // 4 == c) else 0) for j in range(16)]
        f.write(",".join(f"{v:.4f}" for v in px) + f",{c}\n")
PY
    # N=1 and N=2 on the same data: equal to 1e-5 relative, as the MLP, because BatchNorm normalizes
    # with the global batch's statistics (all-reduced) and Dropout uses the global batch's mask
    # (include/gradflow/nn/sharded_batch.hpp). Global batch 25: shards of 13 and 12.
    for n in 1 2; do
      run=("$bin" train --data "csv:$work/images.csv" --model cnn --epochs 2 --batch-size 25
           --threads 1 --no-plots --out "$work/cnn$n")
      [ "$n" -eq 1 ] || run=("${mpi[@]}" "${run[@]}")
      timeout -k 2 60 "${run[@]}" >"$work/cnn$n.log" 2>&1 || { cat "$work/cnn$n.log"; fail "cnn N=$n"; }
    done
    grep -q "data parallel: 2 ranks" "$work/cnn2.log" || fail "not data parallel"
    metrics "$work/cnn1"; metrics "$work/cnn2"
    python3 - "$work/cnn1/metrics.csv" "$work/cnn2/metrics.csv" <<'PY' || exit 1
import csv, sys
a, b = (list(csv.DictReader(open(p))) for p in sys.argv[1:3])
assert len(a) == len(b) == 2, (len(a), len(b))
worst = 0
for ra, rb in zip(a, b):
    for k in ("train_loss", "train_acc", "valid_loss", "valid_acc"):
        x, y = float(ra[k]), float(rb[k])
        worst = max(worst, abs(x - y) / max(abs(x), 1e-12))
        assert abs(x - y) <= 1e-5 * max(abs(x), 1e-12), f"epoch {ra['epoch']} {k}: N=1 {x} N=2 {y}"
print(f"OK: the CNN on N=1 and N=2 agrees to {worst:.1e} relative (not bitwise)")
PY
    echo "OK"
    ;;
  *) echo "train_mpi.sh: unknown mode $mode"; exit 2 ;;
esac
