#!/usr/bin/env bash
# `mpirun -np 2 gradflow train` end to end (ctest's Distributed.train_* tests).
#   train_mpi.sh equal    <gradflow>  N=1 and N=2 (global batch 75: shards of 38 and 37) give the
#                                      same losses and accuracies to 1e-5 relative
#   train_mpi.sh resume   <gradflow>  a 2-rank job SIGKILLed (all its processes) after its first
#                                      checkpoint, resumed with -np 2, ends with the metrics of an
#                                      uninterrupted 2-rank run (bit for bit)
#   train_mpi.sh killed   <gradflow>  one rank SIGKILLed mid-training: mpirun exits non-zero
#                                      within 10 s, naming the rank
#   train_mpi.sh mismatch <gradflow>  ranks started with different flags refuse to train (exit 2,
#                                      the message names rank 1); nothing is written
#   train_mpi.sh cnn      <gradflow>  --model cnn trains on 2 ranks (4x4 images from a csv)
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
    timeout -k 2 60 "${mpi[@]}" "$bin" train "${common[@]}" --epochs 6 --out "$work/a" \
      >"$work/a.log" 2>&1 || { cat "$work/a.log"; fail "uninterrupted run"; }
    setsid "${mpi[@]}" "$bin" train "${common[@]}" --epochs 6 --out "$work/b" \
      >"$work/b.log" 2>&1 &
    job=$!
    for _ in $(seq 400); do [ -f "$work/b/metrics.csv" ] && break; sleep 0.02; done
    kill -9 -- "-$job" 2>/dev/null
    wait "$job" 2>/dev/null
    rows=$(($(wc -l <"$work/b/metrics.csv") - 1))
    echo "killed after $rows of 6 epochs"
    [ "$rows" -lt 6 ] || fail "the kill came after the run had finished (nothing to resume)"
    timeout -k 2 60 "${mpi[@]}" "$bin" train --out "$work/b" --resume --threads 1 --no-plots \
      >"$work/r.log" 2>&1 || { cat "$work/r.log"; fail "resume"; }
    grep -q "resuming from" "$work/r.log" || fail "did not resume"
    diff <(metrics "$work/a") <(metrics "$work/b") || fail "resumed metrics differ"
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
    timeout -k 2 60 "${mpi[@]}" "$bin" train --data "csv:$work/images.csv" --model cnn \
      --epochs 2 --batch-size 32 --threads 1 --no-plots --out "$work/c" >"$work/c.log" 2>&1 \
      || { cat "$work/c.log"; fail "cnn on 2 ranks"; }
    grep -q "data parallel: 2 ranks" "$work/c.log" || fail "not data parallel"
    metrics "$work/c"
    [ "$(wc -l <"$work/c/metrics.csv")" -eq 3 ] || fail "metrics.csv should have 2 epochs"
    echo "OK"
    ;;
  *) echo "train_mpi.sh: unknown mode $mode"; exit 2 ;;
esac
