// gather, index_select, cat, stack: values, gradients (first and second order), PyTorch's
// numbers, and the error messages.
#include <gtest/gtest.h>

#include <gradflow/gradflow.hpp>

#include "support/nn_functional_reference.hpp"
#include "support/errors.hpp"
#include "support/op_check.hpp"

using namespace gf;
using namespace gf::test;

namespace {

}  // namespace

TEST(Gather, Seed000PicksTheTargetLogitOfEachRow) {  // z[arange(n), y]
  Tensor z =
      tensor({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {4, 3}, DType::Float64).requires_grad_();
  Tensor y = tensor({2, 0, 1, 2}, DType::Int64);
  Tensor picked = z.gather(1, y.unsqueeze(1)).squeeze(1);
  EXPECT_TRUE(check_values(picked, {3, 4, 8, 12}, {4}));
  EXPECT_EQ(z.gather(1, y.unsqueeze(1)).grad_fn_name(), "GatherBackward0");
  sum(picked).backward();  // the gradient is the one-hot of y
  EXPECT_TRUE(check_values(z.grad(), {0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}, {4, 3}));
}

TEST(Gather, RepeatedIndicesAccumulateAndWorkOnViews) {
  Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3}, DType::Float64).requires_grad_();
  Tensor xt = t(x);  // [3, 2], non-contiguous
  Tensor idx = tensor({0, 0, 2, 1}, {2, 2}, DType::Int64);
  Tensor out = gather(xt, 0, idx);  // out[i][j] = xt[idx[i][j]][j]
  EXPECT_TRUE(check_values(out, {1, 4, 3, 5}, {2, 2}));
  sum(out).backward();
  // x[0][0] once, x[1][0] once, x[0][2] once, x[1][1] once
  EXPECT_TRUE(check_values(x.grad(), {1, 0, 1, 1, 1, 0}, {2, 3}));
  Tensor w = tensor({1, 2, 3}, DType::Float64).requires_grad_();
  sum(gather(w, 0, tensor({2, 2, 2, 0}, DType::Int64))).backward();
  EXPECT_TRUE(check_values(w.grad(), {1, 0, 3}));
}

TEST(IndexSelect, ValuesAndAccumulatingGradient) {
  Tensor x = tensor({1, 2, 3, 4, 5, 6}, {3, 2}, DType::Float64).requires_grad_();
  Tensor idx = tensor({2, 0, 2}, DType::Int64);
  Tensor r = index_select(x, 0, idx);
  EXPECT_TRUE(check_values(r, {5, 6, 1, 2, 5, 6}, {3, 2}));
  EXPECT_EQ(r.grad_fn_name(), "IndexSelectBackward0");
  sum(r).backward();
  EXPECT_TRUE(check_values(x.grad(), {1, 1, 0, 0, 2, 2}, {3, 2}));
  EXPECT_TRUE(check_values(x.index_select(1, tensor({1}, DType::Int64)), {2, 4, 6}, {3, 1}));
  EXPECT_EQ(index_select(x, 0, tensor({}, DType::Int64)).sizes(), Shape({0, 2}));
}

TEST(CatStack, ValuesShapesAndNames) {
  Tensor a = tensor({1, 2, 3, 4}, {2, 2}, DType::Float64).requires_grad_();
  Tensor b = tensor({5, 6}, {1, 2}, DType::Float64).requires_grad_();
  Tensor c = cat({a, b}, 0);
  EXPECT_TRUE(check_values(c, {1, 2, 3, 4, 5, 6}, {3, 2}));
  EXPECT_EQ(c.grad_fn_name(), "CatBackward0");
  EXPECT_TRUE(check_values(cat({a, t(b)}, 1), {1, 2, 5, 3, 4, 6}, {2, 3}));
  Tensor s = stack({a, a}, 2);
  EXPECT_EQ(s.sizes(), Shape({2, 2, 2}));
  EXPECT_TRUE(check_values(s, {1, 1, 2, 2, 3, 3, 4, 4}));
  EXPECT_EQ(s.grad_fn_name(), "StackBackward0");
  (sum(c * c) + sum(s)).backward();
  EXPECT_TRUE(check_values(a.grad(), {2 + 2, 4 + 2, 6 + 2, 8 + 2}, {2, 2}));
  EXPECT_TRUE(check_values(b.grad(), {10, 12}, {1, 2}));
  // mixed dtypes promote; 1-D empty tensors are skipped (PyTorch's legacy rule)
  Tensor m = cat({tensor({1}, DType::Int64), tensor({0.5}, DType::Float64)}, 0);
  EXPECT_EQ(m.dtype(), DType::Float64);
  EXPECT_TRUE(check_values(cat({zeros({0}, DType::Float64), a}, 0), {1, 2, 3, 4}, {2, 2}));
  EXPECT_TRUE(check_values(
      stack({scalar_tensor(1, DType::Float64), scalar_tensor(2, DType::Float64)}, 0), {1, 2}, {2}));
}

TEST(Indexing, GradcheckAndGradgradcheck) {
  Tensor gidx = tensor({0, 2, 1, 2, 2, 0, 1, 1}, {2, 4}, DType::Int64);
  Tensor sidx = tensor({1, 1, 0, 3}, DType::Int64);
  std::vector<OpCase> cases = {
      {"gather dim 1", [=](const Inputs& x) { return gather(x[0], 1, gidx); }, {{3, 3}}},
      {"gather dim 0", [=](const Inputs& x) { return gather(x[0], 0, gidx.t()); }, {{3, 2}}},
      {"gather of a view",
       [=](const Inputs& x) { return gather(t(x[0]) * x[1], 1, gidx); },
       {{3, 3}, {3}}},
      {"index_select dim 0",
       [=](const Inputs& x) { return index_select(x[0], 0, sidx); },
       {{4, 3}}},
      {"index_select dim 1 squared",
       [=](const Inputs& x) { return index_select(x[0] * x[0], 1, sidx); },
       {{2, 4, 2}}},
      {"cat dim 0",
       [](const Inputs& x) {
         return cat({x[0], x[1] * x[1]}, 0);
       },
       {{2, 3}, {1, 3}}},
      {"cat dim -1",
       [](const Inputs& x) {
         return cat({x[0], x[1], x[0]}, -1);
       },
       {{2, 2}, {2, 3}}},
      {"stack dim 1",
       [](const Inputs& x) {
         return stack({x[0], x[1] * x[0]}, 1);
       },
       {{2, 3}, {2, 3}}},
  };
  for (const OpCase& c : cases) EXPECT_TRUE(check_gradients(c));
}

TEST(Indexing, DoubleBackwardNames) {
  Tensor x = randn({3, 3}, DType::Float64).requires_grad_();
  Tensor idx = tensor({0, 1, 2}, {3, 1}, DType::Int64);
  Tensor gx = gather(x, 1, idx);
  auto g = autograd::grad({sum(gx * gx)}, {x}, {}, false, true);  // scatter of 2·gx
  EXPECT_EQ(g[0].grad_fn_name(), "ScatterAddBackward0");
  Tensor sx = index_select(x, 0, tensor({2}, DType::Int64));
  auto h = autograd::grad({sum(sx * sx)}, {x}, {}, false, true);
  EXPECT_EQ(h[0].grad_fn_name(), "IndexAddBackward0");
  // d/dx of sum(g) = 2 at the gathered positions
  auto gg = autograd::grad({sum(g[0])}, {x});
  EXPECT_TRUE(check_values(gg[0], {2, 0, 0, 0, 2, 0, 0, 0, 2}, {3, 3}));
}

TEST(Indexing, MatchesPyTorch) {
  EXPECT_GE(check_nn_functional_reference({"gather", "index_select", "cat", "stack"}), 13);
}

TEST(Indexing, ErrorMessages) {
  Tensor x = zeros({2, 3});
  auto has = [](const std::string& msg, const std::string& part) {
    return msg.find(part) != std::string::npos;
  };
  std::string m = error_of([&] { gather(x, 1, tensor({7, 0}, {2, 1}, DType::Int64)); });
  EXPECT_TRUE(has(m, "gather: index 7 is out of bounds for dimension 1 with size 3")) << m;
  m = error_of([&] { gather(x, 1, tensor({-1, 0}, {2, 1}, DType::Int64)); });
  EXPECT_TRUE(has(m, "index -1 is out of bounds")) << m;
  m = error_of([&] { gather(x, 1, tensor({0, 0}, {2, 1}, DType::Float32)); });
  EXPECT_TRUE(has(m, "gather: expected index of dtype torch.int64, got torch.float32")) << m;
  m = error_of([&] { gather(x, 1, tensor({0, 0}, DType::Int64)); });
  EXPECT_TRUE(has(m, "gather: index tensor must have the same number of dimensions")) << m;
  m = error_of([&] { index_select(x, 0, tensor({2}, DType::Int64)); });
  EXPECT_TRUE(has(m, "index_select: index 2 is out of bounds for dimension 0 with size 2")) << m;
  m = error_of([&] { index_select(x, 0, zeros({1, 1}, DType::Int64)); });
  EXPECT_TRUE(has(m, "index_select: index is supposed to be a vector")) << m;
  m = error_of([&] { cat({x, zeros({2, 4})}, 0); });
  EXPECT_TRUE(has(m,
                  "cat: sizes of tensors must match except in dimension 0. Expected size 3 "
                  "but got size 4 for tensor number 1"))
      << m;
  m = error_of([&] { cat({x, zeros({2})}, 0); });
  EXPECT_TRUE(has(m, "cat: tensors must have the same number of dimensions")) << m;
  m = error_of([&] { cat({}, 0); });
  EXPECT_TRUE(has(m, "cat: expected a non-empty list")) << m;
  m = error_of([&] { cat({scalar_tensor(1)}, 0); });
  EXPECT_TRUE(has(m, "cat: zero-dimensional tensor (at position 0) cannot be concatenated")) << m;
  m = error_of([&] { stack({x, zeros({3, 2})}, 0); });
  EXPECT_TRUE(has(m,
                  "stack: expects each tensor to be equal size, but got [2, 3] at entry 0 "
                  "and [3, 2] at entry 1"))
      << m;
  m = error_of([&] { cat({x, x}, 2); });
  EXPECT_TRUE(has(m, "cat")) << m;
}
