// autograd::Function with several inputs and outputs, ctx.mark_non_differentiable, materialised
// gradients of unused outputs, std::vector<Tensor> arguments; expected numbers from first
// principles (each formula is in the comment above its case), and gradcheck / gradgradcheck.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "support/errors.hpp"
#include "support/op_check.hpp"

using namespace gf;
using namespace gf::test;
using autograd::Context;
using autograd::Function;
using ::testing::HasSubstr;

namespace {

Tensor f64(std::vector<double> v) {
  Shape s{static_cast<int64_t>(v.size())};
  return tensor(std::move(v), s, DType::Float64);
}

// (s, d, i) = (x + y, x - y, argmax(x)); i is marked non-differentiable.
//   dL/dx = ds + dd,  dL/dy = ds - dd
struct SumDiff : Function<SumDiff> {
  static std::vector<Tensor> forward(Context& ctx, const Tensor& x, const Tensor& y) {
    Tensor i = argmax(x);
    ctx.mark_non_differentiable({i});
    return {x + y, x - y, i};
  }
  static std::vector<Tensor> backward(Context&, const std::vector<Tensor>& g) {
    EXPECT_EQ(g.size(), 3u);
    return {g[0] + g[1], g[0] - g[1]};
  }
};

// (sin x, cos x), saving both outputs (no reference cycle; re-attached for double backward):
//   dL/dx = ds cos x - dc sin x
struct SinCos : Function<SinCos> {
  static std::vector<Tensor> forward(Context& ctx, const Tensor& x) {
    Tensor s = sin(x), c = cos(x);
    ctx.save_for_backward({s, c});
    return {s, c};
  }
  static std::vector<Tensor> backward(Context& ctx, const std::vector<Tensor>& g) {
    auto sc = ctx.saved_tensors();
    return {g[0] * sc[1] - g[1] * sc[0]};
  }
};

// Records what backward received for an output that was not used.
struct Probe : Function<Probe> {
  static inline bool materialize = true;
  static inline int defined_second = -1;
  static inline double second_sum = -1;
  static std::vector<Tensor> forward(Context& ctx, const Tensor& x) {
    ctx.set_materialize_grads(materialize);
    return {x * 2, x * 3};
  }
  static std::vector<Tensor> backward(Context&, const std::vector<Tensor>& g) {
    defined_second = g[1].defined();
    if (g[1].defined()) second_sum = sum(g[1]).item();
    Tensor gx = g[0] * 2;
    return {g[1].defined() ? gx + g[1] * 3 : gx};
  }
};

// out = Σ_k w_k x_k over a std::vector<Tensor> argument, with a scale a after it:
//   dL/dx_k = a w_k g,  w_k = k + 1
struct WeightedSum : Function<WeightedSum> {
  static Tensor forward(Context& ctx, const std::vector<Tensor>& xs, double a) {
    ctx.saved_data["a"] = a;
    ctx.saved_data["n"] = static_cast<double>(xs.size());
    Tensor out = xs[0] * a;
    for (std::size_t k = 1; k < xs.size(); ++k) out = out + xs[k] * (a * double(k + 1));
    return out;
  }
  static std::vector<Tensor> backward(Context& ctx, const std::vector<Tensor>& g) {
    std::vector<Tensor> r;
    for (int k = 0; k < static_cast<int>(ctx.saved_data["n"]); ++k)
      r.push_back(g[0] * (ctx.saved_data["a"] * double(k + 1)));
    return r;
  }
};

// Sorting-like: (values, indices); the Int64 output is non-differentiable without marking.
struct SortPair : Function<SortPair> {
  static std::vector<Tensor> forward(Context& ctx, const Tensor& x) {
    auto [v, i] = sort(x);
    ctx.save_for_backward({i});
    return {v, i};
  }
  // dL/dx = g scattered back to the original positions
  static std::vector<Tensor> backward(Context& ctx, const std::vector<Tensor>& g) {
    Tensor i = ctx.saved_tensors()[0];
    return {scatter(zeros_like(g[0]), 0, i, g[0])};
  }
};

struct UndefinedOutput : Function<UndefinedOutput> {
  static std::vector<Tensor> forward(Context&, const Tensor& x) { return {x * 2, Tensor()}; }
  static std::vector<Tensor> backward(Context&, const std::vector<Tensor>& g) { return {g[0]}; }
};

}  // namespace

TEST(CustomFunctionMulti, SeveralInputsAndOutputsShareOneNode) {
  Tensor x = f64({1, 4}).requires_grad_(), y = f64({0.5, -1}).requires_grad_();
  std::vector<Tensor> o = SumDiff::apply(x, y);
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0].grad_fn_name(), "SumDiffBackward");
  EXPECT_EQ(o[0].grad_fn(), o[1].grad_fn());
  EXPECT_EQ(o[0].output_nr(), 0u);
  EXPECT_EQ(o[1].output_nr(), 1u);
  EXPECT_TRUE(check_values(o[0], {1.5, 3}));
  EXPECT_TRUE(check_values(o[1], {0.5, 5}));
  // the marked output carries no gradient
  EXPECT_FALSE(o[2].requires_grad());
  EXPECT_EQ(o[2].grad_fn_name(), "");
  EXPECT_EQ(o[2].item(), 1);
  // L = Σ s² + Σ 3d:  dL/ds = 2s = [3, 6], dL/dd = 3, so dL/dx = 2s + 3 = [6, 9], dL/dy = 2s - 3
  sum(o[0] * o[0] + o[1] * 3.0).backward();
  EXPECT_TRUE(check_values(x.grad(), {6, 9}));
  EXPECT_TRUE(check_values(y.grad(), {0, 3}));
}

TEST(CustomFunctionMulti, UnusedOutputsGetZerosUnlessMaterializeIsOff) {
  Tensor x = f64({1, 2}).requires_grad_();
  Probe::materialize = true;
  sum(Probe::apply(x)[0]).backward();
  EXPECT_EQ(Probe::defined_second, 1);
  EXPECT_EQ(Probe::second_sum, 0);
  EXPECT_TRUE(check_values(x.grad(), {2, 2}));
  Probe::materialize = false;
  x.zero_grad();
  sum(Probe::apply(x)[0]).backward();
  EXPECT_EQ(Probe::defined_second, 0);
  EXPECT_TRUE(check_values(x.grad(), {2, 2}));
  // both used: dL/dx = 2 + 3
  x.zero_grad();
  auto o = Probe::apply(x);
  sum(o[0] + o[1]).backward();
  EXPECT_TRUE(check_values(x.grad(), {5, 5}));
  Probe::materialize = true;
}

TEST(CustomFunctionMulti, SavedOutputsGiveSecondDerivatives) {
  Tensor x = f64({0.3, -1.2}).requires_grad_();
  auto sc = SinCos::apply(x);
  // L = Σ (sin x + 2 cos x): dL/dx = cos x - 2 sin x;  d²L/dx² = -sin x - 2 cos x
  Tensor L = sum(sc[0] + sc[1] * 2.0);
  Tensor g = autograd::grad({L}, {x}, {}, false, /*create_graph=*/true)[0];
  EXPECT_TRUE(
      check_values(g, {std::cos(0.3) - 2 * std::sin(0.3), std::cos(-1.2) - 2 * std::sin(-1.2)}));
  Tensor gg = autograd::grad({sum(g)}, {x})[0];
  EXPECT_TRUE(
      check_values(gg, {-std::sin(0.3) - 2 * std::cos(0.3), -std::sin(-1.2) - 2 * std::cos(-1.2)}));
  // and the numerical checks agree, through both outputs
  OpCase c{"SinCos",
           [](const Inputs& in) {
             auto o = SinCos::apply(in[0]);
             return o[0] * o[1] + o[1];
           },
           {{3}}};
  EXPECT_TRUE(check_gradients(c));
}

TEST(CustomFunctionMulti, TensorListArgumentsAreInputs) {
  Tensor a = f64({1, 2}).requires_grad_(), b = f64({3, 4}).requires_grad_();
  Tensor c = f64({5, 6});  // no grad: its gradient is dropped
  Tensor out = WeightedSum::apply(std::vector<Tensor>{a, b, c}, 0.5);
  EXPECT_EQ(out.grad_fn_name(), "WeightedSumBackward");
  EXPECT_TRUE(check_values(out, {0.5 + 3 + 7.5, 1 + 4 + 9}));  // 0.5 (a + 2b + 3c)
  sum(out).backward();
  EXPECT_TRUE(check_values(a.grad(), {0.5, 0.5}));
  EXPECT_TRUE(check_values(b.grad(), {1, 1}));
  EXPECT_FALSE(c.grad().defined());
}

TEST(CustomFunctionMulti, IntegerOutputsAreNonDifferentiable) {
  Tensor x = f64({3, 1, 2}).requires_grad_();
  auto o = SortPair::apply(x);
  EXPECT_TRUE(o[0].requires_grad());
  EXPECT_FALSE(o[1].requires_grad());
  EXPECT_EQ(o[1].dtype(), DType::Int64);
  EXPECT_TRUE(check_values(o[1], {1, 2, 0}));
  // L = Σ v_k (k + 1) with v = sorted x: dL/dx = the weight of each x's sorted position
  sum(o[0] * f64({1, 2, 3})).backward();
  EXPECT_TRUE(check_values(x.grad(), {3, 1, 2}));
}

TEST(CustomFunctionMulti, UndefinedOutputIsAnError) {
  Tensor x = f64({1}).requires_grad_();
  EXPECT_THAT(error_of([&] { UndefinedOutput::apply(x); }),
              HasSubstr("UndefinedOutput.forward returned an undefined tensor as output 1"));
}
