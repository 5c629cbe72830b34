// Reduction over any set of dims in one pass over the input (any strides):
//   acc[o] = combine(acc[o], x[i])  for every i whose kept coordinates are o.
// The dims are ordered by the input's strides and coalesced (adjacent dims that are both kept or
// both reduced and laid out back to back merge into one), so a reduction of dims {0, 1} of a
// contiguous [A, B, C] is a single [A*B, C] loop and the inner loop is either a run reduced into
// one accumulator or a run of accumulators updated side by side; both vectorize. One pass over
// the input is why reducing several dims is never slower than a chain of single-dim reductions.
// OpenMP splits the outermost kept dim above kParallelThreshold elements (outputs are disjoint).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <vector>

#include "elementwise.hpp"

namespace gf::kernels {

// The walk of a reduction: dims (outermost first) with the input's and the accumulator's
// strides (0 on reduced dims).
struct ReducePlan {
  Shape sizes, in_strides, acc_strides;
  int64_t in_offset = 0;
};

// `reduced[d]` marks the dims of x to reduce; the accumulator is contiguous over the kept dims.
inline ReducePlan plan_reduce(const Tensor& x, const std::vector<bool>& reduced) {
  const Shape& sz = x.sizes();
  const Shape& st = x.strides();
  std::size_t nd = sz.size();
  Shape acc_st = Shape::filled(nd, 0);
  int64_t a = 1;
  for (std::size_t d = nd; d-- > 0;)
    if (!reduced[d]) {
      acc_st[d] = a;
      a *= sz[d];
    }
  std::vector<std::size_t> order;
  for (std::size_t d = 0; d < nd; ++d)
    if (sz[d] != 1) order.push_back(d);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
    return st[i] != st[j] ? st[i] > st[j] : acc_st[i] > acc_st[j];
  });
  ReducePlan p;
  p.in_offset = x.storage_offset();
  for (std::size_t d : order) {
    std::size_t k = p.sizes.size();
    if (k > 0 && p.in_strides[k - 1] == st[d] * sz[d] &&
        p.acc_strides[k - 1] == acc_st[d] * sz[d]) {
      p.sizes[k - 1] *= sz[d];
      p.in_strides[k - 1] = st[d];
      p.acc_strides[k - 1] = acc_st[d];
      continue;
    }
    p.sizes.push_back(sz[d]);
    p.in_strides.push_back(st[d]);
    p.acc_strides.push_back(acc_st[d]);
  }
  return p;
}

// Runs the plan: for every element, acc[o] = step(acc[o], x[i]). `step` must be associative
// within one accumulator (sum, product, max, min, or, and). IsSum: step is +, and a run reduced
// into one accumulator is an `omp simd` reduction.
template <class T, class Acc, bool IsSum = false, class Step>
void reduce_run(const T* base, const ReducePlan& p, Acc* acc, Step step) {
  auto walk = [&](const Shape& sizes, int64_t in_off, int64_t acc_off) {
    walk_strided<2>(
        sizes, {p.in_strides, p.acc_strides}, {in_off, acc_off},
        [&](const std::array<int64_t, 2>& off, int64_t n, const std::array<int64_t, 2>& s) {
          const T* x = base + off[0];
          Acc* o = acc + off[1];
          if (s[1] == 0) {
            Acc r = *o;
            if constexpr (IsSum) {
              if (s[0] == 1) {
#pragma omp simd reduction(+ : r)
                for (int64_t i = 0; i < n; ++i) r += static_cast<Acc>(x[i]);
                *o = r;
                return;
              }
            }
            if (s[0] == 1)
              for (int64_t i = 0; i < n; ++i) r = step(r, x[i]);
            else
              for (int64_t i = 0; i < n; ++i) r = step(r, x[i * s[0]]);
            *o = r;
          } else if (s[0] == 1 && s[1] == 1) {
            for (int64_t i = 0; i < n; ++i) o[i] = step(o[i], x[i]);
          } else {
            for (int64_t i = 0; i < n; ++i) o[i * s[1]] = step(o[i * s[1]], x[i * s[0]]);
          }
        });
  };
  int64_t numel = p.sizes.numel();
  // split the outermost kept dim across threads (each thread owns its accumulators)
  std::size_t par = p.sizes.size();
  for (std::size_t d = 0; d < p.sizes.size(); ++d)
    if (p.acc_strides[d] != 0) {
      par = d;
      break;
    }
  if (par == p.sizes.size() || numel < kParallelThreshold) {
    walk(p.sizes, p.in_offset, 0);
    return;
  }
  parallel_for(
      p.sizes[par],
      [&](int64_t b, int64_t e) {
        Shape s = p.sizes;
        s[par] = e - b;
        walk(s, p.in_offset + b * p.in_strides[par], b * p.acc_strides[par]);
      },
      numel / p.sizes[par]);
}

// Sums: float types accumulate in double (PyTorch's CPU accumulate type), integers in int64.
template <class T, class Acc>
void sum_run(const T* base, const ReducePlan& p, Acc* acc) {
  reduce_run<T, Acc, true>(base, p, acc, [](Acc a, T v) { return a + static_cast<Acc>(v); });
}

}  // namespace gf::kernels
