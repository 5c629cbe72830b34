// Reductions over dims, scans, sort/topk, shape ops and scatter: agreement with PyTorch through
// tests/reference/ops_shapes.json (written by ops_shapes.py: values and gradients in float32 and
// float64, dtype and grad_fn name), gradcheck + gradgradcheck of each differentiable op, error
// messages naming the op and the values, and the 0-d findings of issue 10.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>

#include "support/errors.hpp"
#include "support/op_check.hpp"

using namespace gf;
using namespace gf::test;
using ::testing::HasSubstr;

// The statement throws a gf::Error whose message contains `text`.
#define EXPECT_GF_ERROR(stmt, text) EXPECT_THAT(error_of([&] { (void)(stmt); }), HasSubstr(text))

namespace {

Tensor scaled_cat(const std::vector<Tensor>& pieces, int64_t dim) {
  std::vector<Tensor> s;
  for (std::size_t i = 0; i < pieces.size(); ++i) s.push_back(pieces[i] * double(i + 1));
  return cat(s, dim);
}
Tensor scaled_stack(const std::vector<Tensor>& pieces, int64_t dim) {
  std::vector<Tensor> s;
  for (std::size_t i = 0; i < pieces.size(); ++i) s.push_back(pieces[i] * double(i + 1));
  return stack(s, dim);
}
const double kInf = INFINITY;
namespace NF = gf::nn::functional;
using NF::PadMode::Circular, NF::PadMode::Reflect, NF::PadMode::Replicate;
NF::PadFuncOptions pad_opts(std::vector<int64_t> p, NF::PadMode m) {
  return NF::PadFuncOptions(std::move(p)).mode(m);
}

// The op table shared with tests/reference/ops_shapes.py.
const std::map<std::string, OpFn>& ops() {
  static const std::map<std::string, OpFn> table = {
      {"sum_dims_0_2",
       [](const Inputs& x) {
         return sum(x[0], {0, 2});
       }},
      {"sum_dims_-1_1_keepdim",
       [](const Inputs& x) {
         return sum(x[0], {-1, 1}, true);
       }},
      {"mean_dims_0_2",
       [](const Inputs& x) {
         return mean(x[0], {0, 2});
       }},
      {"mean_dims_1_keepdim",
       [](const Inputs& x) { return mean(x[0], std::vector<int64_t>{1}, true); }},
      {"prod_all", [](const Inputs& x) { return prod(x[0]); }},
      {"prod_dim1", [](const Inputs& x) { return prod(x[0], 1); }},
      {"prod_dim0_keepdim", [](const Inputs& x) { return prod(x[0], 0, true); }},
      {"amax_dims_0_2",
       [](const Inputs& x) {
         return amax(x[0], {0, 2});
       }},
      {"amax_all", [](const Inputs& x) { return amax(x[0]); }},
      {"amin_dim1_keepdim", [](const Inputs& x) { return amin(x[0], 1, true); }},
      {"var_all", [](const Inputs& x) { return var(x[0]); }},
      {"var_dims_0_2",
       [](const Inputs& x) {
         return var(x[0], {0, 2});
       }},
      {"var_dim1_c0_keepdim", [](const Inputs& x) { return var(x[0], 1, 0, true); }},
      {"var_all_c0", [](const Inputs& x) { return var(x[0], std::nullopt, 0); }},
      {"std_all", [](const Inputs& x) { return gf::std(x[0]); }},
      {"std_dims_0_1",
       [](const Inputs& x) {
         return gf::std(x[0], {0, 1});
       }},
      {"std_dim-1_c0", [](const Inputs& x) { return gf::std(x[0], -1, 0); }},
      {"logsumexp_dims_0_2",
       [](const Inputs& x) {
         return logsumexp(x[0], {0, 2});
       }},
      {"logsumexp_dims_1_keepdim",
       [](const Inputs& x) { return logsumexp(x[0], std::vector<int64_t>{1}, true); }},
      {"norm_2_all", [](const Inputs& x) { return norm(x[0]); }},
      {"norm_1_dim1", [](const Inputs& x) { return norm(x[0], 1, 1); }},
      {"norm_inf_dim1", [](const Inputs& x) { return norm(x[0], kInf, 1); }},
      {"norm_-inf_dim0", [](const Inputs& x) { return norm(x[0], -kInf, 0); }},
      {"norm_3_dims_0_2",
       [](const Inputs& x) {
         return norm(x[0], 3, {0, 2});
       }},
      {"norm_0.5_dim1_keepdim", [](const Inputs& x) { return norm(x[0], 0.5, 1, true); }},
      {"norm_2_dims_0_1",
       [](const Inputs& x) {
         return norm(x[0], 2, {0, 1});
       }},
      {"norm_0_dim1", [](const Inputs& x) { return norm(x[0], 0, 1); }},
      {"max_dim1", [](const Inputs& x) { return max(x[0], 1); }},
      {"argmin_dim0", [](const Inputs& x) { return argmin(x[0], 0); }},
      {"cumsum_dim0", [](const Inputs& x) { return cumsum(x[0], 0); }},
      {"cumsum_dim-1", [](const Inputs& x) { return cumsum(x[0], -1); }},
      {"cumprod_dim1", [](const Inputs& x) { return cumprod(x[0], 1); }},
      {"cumprod_dim0", [](const Inputs& x) { return cumprod(x[0], 0); }},
      {"sort_values_dim1", [](const Inputs& x) { return std::get<0>(sort(x[0], 1)); }},
      {"sort_indices_dim1", [](const Inputs& x) { return std::get<1>(sort(x[0], 1)); }},
      {"sort_values_desc", [](const Inputs& x) { return std::get<0>(sort(x[0], -1, true)); }},
      {"sort_indices_desc", [](const Inputs& x) { return std::get<1>(sort(x[0], -1, true)); }},
      {"sort_stable_indices_dim0",
       [](const Inputs& x) { return std::get<1>(sort(x[0], /*stable=*/true, 0)); }},
      {"topk_values_2", [](const Inputs& x) { return std::get<0>(topk(x[0], 2)); }},
      {"topk_indices_2", [](const Inputs& x) { return std::get<1>(topk(x[0], 2)); }},
      {"topk_values_smallest_dim0",
       [](const Inputs& x) { return std::get<0>(topk(x[0], 2, 0, false)); }},
      {"flip_0_2",
       [](const Inputs& x) {
         return flip(x[0], {0, 2});
       }},
      {"flip_-1", [](const Inputs& x) { return flip(x[0], {-1}); }},
      {"roll_1_dim0", [](const Inputs& x) { return roll(x[0], {1}, {0}); }},
      {"roll_flat_-3", [](const Inputs& x) { return roll(x[0], {-3}); }},
      {"roll_2_-1_dims_0_1",
       [](const Inputs& x) {
         return roll(x[0], {2, -1}, {0, 1});
       }},
      {"repeat_2_1_3",
       [](const Inputs& x) {
         return x[0].repeat({2, 1, 3});
       }},
      {"repeat_2_2_1_1",
       [](const Inputs& x) {
         return x[0].repeat({2, 2, 1, 1});
       }},
      {"tile_2", [](const Inputs& x) { return tile(x[0], {2}); }},
      {"chunk_3_dim1", [](const Inputs& x) { return scaled_cat(chunk(x[0], 3, 1), 1); }},
      {"split_2_dim0", [](const Inputs& x) { return scaled_cat(split(x[0], 2, 0), 0); }},
      {"split_sizes_1_3_dim-1",
       [](const Inputs& x) {
         return scaled_cat(split(x[0], {1, 3}, -1), -1);
       }},
      {"unbind_dim1", [](const Inputs& x) { return scaled_stack(unbind(x[0], 1), 1); }},
      {"narrow_1_1_2", [](const Inputs& x) { return narrow(x[0], 1, 1, 2); }},
      {"narrow_0_-2_2", [](const Inputs& x) { return narrow(x[0], 0, -2, 2); }},
      {"movedim_0_2", [](const Inputs& x) { return movedim(x[0], 0, 2); }},
      {"movedim_01_20",
       [](const Inputs& x) {
         return movedim(x[0], {0, 1}, {2, 0});
       }},
      {"swapaxes_0_2", [](const Inputs& x) { return swapaxes(x[0], 0, 2); }},
      {"expand_as", [](const Inputs& x) { return expand_as(x[0], x[1]); }},
      {"tril", [](const Inputs& x) { return tril(x[0]); }},
      {"tril_-1", [](const Inputs& x) { return tril(x[0], -1); }},
      {"triu_1", [](const Inputs& x) { return triu(x[0], 1); }},
      {"scatter_src_dim1", [](const Inputs& x) { return scatter(x[0], 1, x[1], x[2]); }},
      {"scatter_value_dim0", [](const Inputs& x) { return scatter(x[0], 0, x[1], 2.5); }},
      {"scatter_add_dim1", [](const Inputs& x) { return scatter_add(x[0], 1, x[1], x[2]); }},
      {"scatter_reduce_add", [](const Inputs& x) { return scatter(x[0], 1, x[1], x[2], "add"); }},
      {"scatter_reduce_multiply",
       [](const Inputs& x) { return scatter(x[0], 1, x[1], x[2], "multiply"); }},
      {"pad_constant_1_2",
       [](const Inputs& x) {
         return NF::pad(x[0], NF::PadFuncOptions({1, 2}));
       }},
      {"pad_constant_1_-1_2_0_v1.5",
       [](const Inputs& x) {
         return NF::pad(x[0], NF::PadFuncOptions({1, -1, 2, 0}).value(1.5));
       }},
      {"pad_reflect_2_1",
       [](const Inputs& x) {
         return NF::pad(x[0], pad_opts({2, 1}, Reflect));
       }},
      {"pad_reflect_1_2_2_1",
       [](const Inputs& x) {
         return NF::pad(x[0], pad_opts({1, 2, 2, 1}, Reflect));
       }},
      {"pad_replicate_2_3",
       [](const Inputs& x) {
         return NF::pad(x[0], pad_opts({2, 3}, Replicate));
       }},
      {"pad_replicate_1_0_2_1",
       [](const Inputs& x) {
         return NF::pad(x[0], pad_opts({1, 0, 2, 1}, Replicate));
       }},
      {"pad_circular_1_2",
       [](const Inputs& x) {
         return NF::pad(x[0], pad_opts({1, 2}, Circular));
       }},
      {"pad_circular_2_1_1_3",
       [](const Inputs& x) {
         return NF::pad(x[0], pad_opts({2, 1, 1, 3}, Circular));
       }},
      {"pad_reflect_3d",
       [](const Inputs& x) {
         return NF::pad(x[0], pad_opts({1, 1, 0, 2, 1, 0}, Reflect));
       }},
      {"matmul", [](const Inputs& x) { return matmul(x[0], x[1]); }},
      {"einsum_ij_jk",
       [](const Inputs& x) {
         return einsum("ij,jk->ik", {x[0], x[1]});
       }},
      {"einsum_bij_bjk",
       [](const Inputs& x) {
         return einsum("bij,bjk->bik", {x[0], x[1]});
       }},
      {"einsum_ij_kj_implicit",
       [](const Inputs& x) {
         return einsum("ij,kj", {x[0], x[1]});
       }},
      {"einsum_ii_i", [](const Inputs& x) { return einsum("ii->i", {x[0]}); }},
      {"einsum_ii", [](const Inputs& x) { return einsum("ii", {x[0]}); }},
      {"einsum_ij_sum", [](const Inputs& x) { return einsum("ij->", {x[0]}); }},
      {"einsum_i_j_outer",
       [](const Inputs& x) {
         return einsum("i,j->ij", {x[0], x[1]});
       }},
      {"einsum_bhqd_bhkd",
       [](const Inputs& x) {
         return einsum("bhqd,bhkd->bhqk", {x[0], x[1]});
       }},
      {"einsum_three",
       [](const Inputs& x) {
         return einsum("ij,jk,kl->il", {x[0], x[1], x[2]});
       }},
      {"einsum_transpose", [](const Inputs& x) { return einsum("ijk->kij", {x[0]}); }},
  };
  return table;
}

nlohmann::json load_reference() { return load_reference_file("ops_shapes.json"); }

Tensor f64(std::vector<double> v, Shape s) { return tensor(std::move(v), s, DType::Float64); }

}  // namespace

TEST(OpsShapes, AgreesWithPyTorch) {
  nlohmann::json ref = load_reference();
  ASSERT_GE(ref["cases"].size(), 200u);
  for (const auto& c : ref["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    bool f32 = false;
    for (const auto& in : c["inputs"]) f32 |= in.value("dtype", "") == "float32";
    double rtol = f32 ? 2e-5 : 1e-10, atol = f32 ? 2e-6 : 1e-12;
    const OpFn& fn = ops().at(c["op"].get<std::string>());
    EXPECT_TRUE(check_reference(fn, c, rtol, atol));
    Inputs xs = json_inputs(c);
    Tensor out = fn(xs);
    EXPECT_EQ(dtype_name(out.dtype()), "torch." + c["output"]["dtype"].get<std::string>());
    // split/chunk/unbind are compared through cat/stack of their pieces; matmul and einsum are
    // compositions whose last node is an implementation detail (torch: UnsafeViewBackward0,
    // CloneBackward0, ViewBackward0, MulBackward0 ... depending on the shapes)
    std::string op = c["op"];
    bool composite = op.rfind("einsum", 0) == 0 || op == "matmul";
    if (c.contains("grad_fn") && !composite && c["grad_fn"] != "CatBackward0" &&
        c["grad_fn"] != "StackBackward0")
      EXPECT_EQ(out.grad_fn_name(), c["grad_fn"].get<std::string>());
  }
}

TEST(OpsShapes, PiecesCarryPyTorchsGradFn) {
  Tensor x = randn({4, 6}, DType::Float64).requires_grad_();
  EXPECT_EQ(chunk(x, 3, 1)[0].grad_fn_name(), "SplitBackward0");
  EXPECT_EQ(split(x, 4, 1)[1].grad_fn_name(), "SplitBackward0");
  EXPECT_EQ(split(x, {1, 5}, 1)[1].grad_fn_name(), "SplitWithSizesBackward0");
  EXPECT_EQ(unbind(x, 0)[2].grad_fn_name(), "UnbindBackward0");
  EXPECT_EQ(std::get<0>(sort(x)).grad_fn_name(), "SortBackward0");
  EXPECT_EQ(std::get<0>(topk(x, 2)).grad_fn_name(), "TopkBackward0");
  EXPECT_EQ(std::get<1>(sort(x)).grad_fn_name(), "");  // indices: no history
  // the pieces are views: no copy
  EXPECT_EQ(split(x, 2, 0)[1].impl().storage, x.impl().storage);
  // chunk gives ceil(6 / 4) = 2 columns per piece, so 3 pieces
  EXPECT_EQ(chunk(x, 4, 1).size(), 3u);
  // a piece that gets no gradient contributes zeros
  std::vector<Tensor> p = split(x, 2, 1);
  sum(p[1]).backward();
  EXPECT_TRUE(check_values(sum(x.grad(), std::vector<int64_t>{0}), {0, 0, 4, 4, 0, 0}));
}

TEST(OpsShapes, GradcheckAndGradgradcheck) {
  auto distinct = [](const Shape& s, std::size_t, Generator& g) {  // no ties (max, sort)
    std::vector<double> v(s.numel());
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] = (double(i) - v.size() / 2.0) * 0.37 + 0.1 * g.uniform();
    for (std::size_t i = v.size(); i-- > 1;) std::swap(v[i], v[std::size_t(g.uniform() * (i + 1))]);
    return tensor(v, s, DType::Float64);
  };
  Tensor idx = tensor({0, 2, 3, 1, 1, 1}, {3, 2}, DType::Int64);
  Tensor perm = tensor({0, 2, 3, 1, 1, 0}, {3, 2}, DType::Int64);  // distinct per row
  const std::vector<OpCase> cases = {
      {"sum dims",
       [](const Inputs& x) {
         return sum(x[0], {0, 2});
       },
       {{2, 3, 4}}},
      {"mean dims keepdim",
       [](const Inputs& x) {
         return mean(x[0], {-1, 0}, true);
       },
       {{2, 3, 4}}},
      {"prod all", [](const Inputs& x) { return prod(x[0]); }, {{2, 3}}, uniform(0.5, 1.5)},
      {"prod dim", [](const Inputs& x) { return prod(x[0], 1); }, {{3, 4}}},
      {"prod with a zero",
       [](const Inputs& x) {
         return prod(x[0] * f64({1, 0, 1, 1, 1, 1}, {2, 3}), 1);
       },
       {{2, 3}}},
      {"amax dims",
       [](const Inputs& x) {
         return amax(x[0], {0, 2});
       },
       {{2, 3, 4}},
       distinct},
      {"amin dim", [](const Inputs& x) { return amin(x[0], 1, true); }, {{3, 4}}, distinct},
      {"var all", [](const Inputs& x) { return var(x[0]); }, {{3, 4}}},
      {"var dims c0",
       [](const Inputs& x) {
         return var(x[0], {0, 2}, 0);
       },
       {{2, 3, 4}}},
      {"std dim", [](const Inputs& x) { return gf::std(x[0], 1, 1, true); }, {{3, 4}}},
      {"std nullopt", [](const Inputs& x) { return gf::std(x[0], std::nullopt, 0); }, {{2, 3}}},
      {"logsumexp dims",
       [](const Inputs& x) {
         return logsumexp(x[0], {0, 2});
       },
       {{2, 3, 4}}},
      {"norm 2", [](const Inputs& x) { return norm(x[0]); }, {{3, 4}}},
      {"norm 1 dim",
       [](const Inputs& x) { return norm(x[0], 1, 1); },
       {{3, 4}},
       away_from(0, 0.05)},
      {"norm inf", [](const Inputs& x) { return norm(x[0], kInf, 1); }, {{3, 4}}, distinct},
      {"norm 3 dims",
       [](const Inputs& x) {
         return norm(x[0], 3, {0, 2});
       },
       {{2, 3, 4}},
       away_from(0, 0.05)},
      {"norm 0.5", [](const Inputs& x) { return norm(x[0], 0.5, 1); }, {{3, 4}}, uniform(0.2, 2)},
      {"cumsum", [](const Inputs& x) { return cumsum(x[0], 1); }, {{3, 4}}},
      {"cumprod", [](const Inputs& x) { return cumprod(x[0], 0); }, {{4, 3}}},
      {"cumprod with zeros",
       [](const Inputs& x) {
         return cumprod(x[0] * f64({1, 0, 1, 0, 1, 1, 1, 1}, {2, 4}), 1);
       },
       {{2, 4}}},
      {"sort", [](const Inputs& x) { return std::get<0>(sort(x[0], 1)); }, {{3, 5}}, distinct},
      {"sort desc dim0",
       [](const Inputs& x) { return std::get<0>(sort(x[0], 0, true)); },
       {{4, 3}},
       distinct},
      {"topk", [](const Inputs& x) { return std::get<0>(topk(x[0], 2)); }, {{3, 5}}, distinct},
      {"flip",
       [](const Inputs& x) {
         return flip(x[0], {0, 2});
       },
       {{2, 3, 4}}},
      {"roll",
       [](const Inputs& x) {
         return roll(x[0], {2, -1}, {0, 1});
       },
       {{3, 4}}},
      {"roll flat", [](const Inputs& x) { return roll(x[0], {5}); }, {{3, 4}}},
      {"repeat",
       [](const Inputs& x) {
         return x[0].repeat({2, 2, 3});
       },
       {{2, 3}}},
      {"tile", [](const Inputs& x) { return tile(x[0], {3}); }, {{2, 2}}},
      {"chunk", [](const Inputs& x) { return scaled_cat(chunk(x[0], 3, 1), 1); }, {{2, 5}}},
      {"split sizes",
       [](const Inputs& x) {
         return scaled_cat(split(x[0], {1, 3}, 0), 0);
       },
       {{4, 2}}},
      {"split one piece", [](const Inputs& x) { return split(x[0], 2, 0)[1] * 3.0; }, {{5, 2}}},
      {"unbind", [](const Inputs& x) { return scaled_stack(unbind(x[0], 1), 0); }, {{2, 3, 2}}},
      {"narrow", [](const Inputs& x) { return narrow(x[0], 1, 1, 2); }, {{3, 4}}},
      {"movedim",
       [](const Inputs& x) {
         return movedim(x[0], {0, 1}, {2, 0});
       },
       {{2, 3, 4}}},
      {"swapaxes", [](const Inputs& x) { return swapaxes(x[0], 0, 2); }, {{2, 3, 4}}},
      {"expand_as",
       [](const Inputs& x) {
         return expand_as(x[0], zeros({2, 3, 4}, DType::Float64));
       },
       {{3, 1}}},
      {"tril", [](const Inputs& x) { return tril(x[0], 1); }, {{2, 4, 3}}},
      {"triu", [](const Inputs& x) { return triu(x[0], -1); }, {{4, 4}}},
      {"scatter src",
       [perm](const Inputs& x) { return scatter(x[0], 1, perm, x[1]); },
       {{3, 4}, {3, 2}}},
      {"scatter value", [perm](const Inputs& x) { return scatter(x[0], 1, perm, -1.0); }, {{3, 4}}},
      {"pad constant crop",
       [](const Inputs& x) {
         return NF::pad(x[0], NF::PadFuncOptions({1, -1, 2, 0}).value(0.5));
       },
       {{2, 3, 4}}},
      {"pad reflect 2d",
       [](const Inputs& x) {
         return NF::pad(x[0], pad_opts({1, 2, 2, 1}, Reflect));
       },
       {{1, 2, 3, 4}}},
      {"pad replicate 1d",
       [](const Inputs& x) {
         return NF::pad(x[0], pad_opts({2, 3}, Replicate));
       },
       {{2, 3}}},
      {"pad circular 2d",
       [](const Inputs& x) {
         return NF::pad(x[0], pad_opts({2, 1, 1, 3}, Circular));
       },
       {{1, 1, 3, 4}}},
      {"matmul 4-d broadcast",
       [](const Inputs& x) { return matmul(x[0], x[1]); },
       {{2, 1, 3, 4}, {5, 4, 2}}},
      {"matmul 1-d by 4-d",
       [](const Inputs& x) { return matmul(x[0], x[1]); },
       {{4}, {2, 3, 4, 2}}},
      {"matmul 4-d by 2-d",
       [](const Inputs& x) { return matmul(x[0], x[1]); },
       {{2, 2, 3, 4}, {4, 2}}},
      {"einsum bhqd,bhkd",
       [](const Inputs& x) {
         return einsum("bhqd,bhkd->bhqk", {x[0], x[1]});
       },
       {{2, 2, 3, 4}, {2, 2, 5, 4}}},
      {"einsum diagonal", [](const Inputs& x) { return einsum("ii->i", {x[0]}); }, {{3, 3}}},
      {"einsum three",
       [](const Inputs& x) {
         return einsum("ij,jk,kl->il", {x[0], x[1], x[2]});
       },
       {{2, 3}, {3, 4}, {4, 2}}},
      {"einsum contracted and summed",
       [](const Inputs& x) {
         return einsum("ijk,jl->l", {x[0], x[1]});
       },
       {{2, 3, 4}, {3, 2}}},
      {"scatter_add repeated",
       [idx](const Inputs& x) { return scatter_add(x[0], 1, idx, x[1]); },
       {{3, 4}, {3, 2}}},
  };
  for (const OpCase& c : cases) EXPECT_TRUE(check_gradients(c));
}

TEST(OpsShapes, ForwardFromFirstPrinciples) {
  Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_TRUE(check_values(sum(x, {0, 1}), {21}, Shape{}));
  EXPECT_TRUE(check_values(sum(x, std::vector<int64_t>{}), {21}, Shape{}));  // empty: all dims
  EXPECT_TRUE(check_values(prod(x, 1), {6, 120}, Shape{2}));
  EXPECT_TRUE(check_values(var(x, 1), {1, 1}));
  EXPECT_TRUE(check_values(var(x, std::nullopt, 0), {35.0 / 12}));
  EXPECT_TRUE(check_values(gf::std(f64({2, 4, 4, 4, 5, 5, 7, 9}, {8}), 0, 0), {2}));
  EXPECT_TRUE(check_values(norm(f64({3, -4}, {2})), {5}));
  EXPECT_TRUE(check_values(norm(f64({3, -4}, {2}), kInf), {4}));
  EXPECT_TRUE(check_values(cumsum(x, 1), {1, 3, 6, 4, 9, 15}));
  EXPECT_TRUE(check_values(cumprod(x, 0), {1, 2, 3, 4, 10, 18}));
  EXPECT_TRUE(check_values(flip(x, {1}), {3, 2, 1, 6, 5, 4}));
  EXPECT_TRUE(check_values(roll(x, {1}, {1}), {3, 1, 2, 6, 4, 5}));
  EXPECT_TRUE(check_values(tril(x), {1, 0, 0, 4, 5, 0}));
  EXPECT_TRUE(check_values(triu(x, 1), {0, 2, 3, 0, 0, 6}));
  EXPECT_TRUE(check_values(x.repeat({1, 2}), {1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}, Shape{2, 6}));
  auto [v, i] = topk(f64({5, 1, 5, 3}, {4}), 2);
  EXPECT_TRUE(check_values(v, {5, 5}));
  EXPECT_TRUE(check_values(i, {0, 2}));  // ties in index order
  auto [sv, si] = sort(f64({2, NAN, -1, 2}, {4}));
  EXPECT_TRUE(check_values(sv, {-1, 2, 2, NAN}));                 // NaN sorts last
  EXPECT_TRUE(check_values(si, {2, 0, 3, 1}));                    // stable among the 2s
  EXPECT_TRUE(check_values(amax(f64({1, NAN, 3}, {3})), {NAN}));  // NaN propagates
  EXPECT_TRUE(check_values(scatter_add(zeros({3}, DType::Float64), 0,
                                       tensor({0, 2, 0}, DType::Int64), f64({1, 2, 3}, {3})),
                           {4, 0, 2}));
}

// Several dims at once take one pass: strided inputs, and every layout of kept/reduced dims,
// agree with the chain of single-dim sums.
TEST(OpsShapes, MultiDimReductionMatchesChain) {
  Tensor x = randn({3, 4, 5, 6}, DType::Float64);
  Tensor xt = transpose(x, 1, 3);
  for (const Tensor& t : {x, xt}) {
    EXPECT_TRUE(allclose(sum(t, {0, 2}), sum(sum(t, 2), 0), 1e-12, 1e-12));
    EXPECT_TRUE(allclose(sum(t, {1, 3}), sum(sum(t, 3), 1), 1e-12, 1e-12));
    EXPECT_TRUE(allclose(sum(t, {0, 1, 2}), sum(sum(sum(t, 2), 1), 0), 1e-12, 1e-12));
    EXPECT_TRUE(allclose(amax(t, {0, 3}), max(max(t, 3), 0), 0, 0));
  }
  Tensor big = randn({300, 400}, DType::Float32);  // the threaded path
  EXPECT_TRUE(allclose(sum(big, {0}), sum(big, 0), 1e-5, 1e-4));
  EXPECT_TRUE(allclose(sum(big, {1}), sum(big, 1), 1e-5, 1e-4));
}

TEST(OpsShapes, ErrorsNameTheOpAndTheValues) {
  Tensor x = zeros({2, 3}, DType::Float64);
  EXPECT_GF_ERROR(sum(x, {0, 0}), "sum: dim 0 appears multiple times");
  EXPECT_GF_ERROR(sum(x, {2}), "sum: dim 2 out of range");
  EXPECT_GF_ERROR(mean(tensor({1, 2}, DType::Int64), {0}), "mean: could not infer output dtype");
  EXPECT_GF_ERROR(var(tensor({1, 2}, DType::Int64), 0), "var: could not infer output dtype");
  EXPECT_GF_ERROR(amax(zeros({0, 3}), {0}), "amax: expected reduction dim 0 to have non-zero size");
  EXPECT_GF_ERROR(norm(tensor({1, 2}, DType::Int64)), "norm: input dtype should be floating point");
  EXPECT_GF_ERROR(cumsum(x, 2), "cumsum: dim 2 out of range");
  EXPECT_GF_ERROR(topk(x, 4), "topk: k (4) is out of range for dimension 1 of size 3");
  EXPECT_GF_ERROR(flip(x, {1, -1}), "flip: dim 1 appears multiple times");
  EXPECT_GF_ERROR(roll(x, {1, 2}, {0}), "roll: shifts and dimensions must align");
  EXPECT_GF_ERROR(x.repeat({2}),
                  "repeat: number of dimensions of repeat dims (1) can not be "
                  "smaller than number of dimensions of tensor (2)");
  EXPECT_GF_ERROR(split(x, {1, 1}, 1), "split_with_sizes: expects split_sizes to sum exactly to 3");
  EXPECT_GF_ERROR(chunk(x, 0), "chunk: expects `chunks` to be greater than 0, got: 0");
  EXPECT_GF_ERROR(narrow(x, 1, 2, 2), "narrow: start (2) + length (2) exceeds dimension size (3)");
  EXPECT_GF_ERROR(tril(zeros({3})), "tril: input tensor must have at least 2 dimensions");
  EXPECT_GF_ERROR(movedim(zeros({2, 3, 4}), {0, 1}, {2}), "movedim: Invalid source or destination");
  Tensor idx = tensor({0, 3}, {1, 2}, DType::Int64);
  EXPECT_GF_ERROR(scatter(x, 1, idx, 1.0),
                  "scatter: index 3 is out of bounds for dimension 1 with "
                  "size 3");
  EXPECT_GF_ERROR(scatter(x, 1, idx.to(DType::Float64), 1.0), "scatter(): Expected dtype int64");
  EXPECT_GF_ERROR(scatter(x, 1, tensor({0}, DType::Int64), 1.0),
                  "scatter: Index tensor must have the same number of dimensions as self tensor");
  EXPECT_GF_ERROR(
      scatter(x, 1, tensor({0, 1, 2}, {3, 1}, DType::Int64), zeros({3, 1}, DType::Float64)),
      "scatter: Expected index [3, 1] to be smaller than self [2, 3]");
  EXPECT_GF_ERROR(scatter(x, 1, idx, zeros({1, 2}, DType::Float64), "max"),
                  "scatter: reduce argument must be either add or multiply, got \"max\"");
  EXPECT_GF_ERROR(NF::pad(x, NF::PadFuncOptions({1})),
                  "pad: Padding length must be divisible by 2");
  EXPECT_GF_ERROR(
      NF::pad(x, NF::PadFuncOptions({1, 1, 1, 1, 1, 1})),
      "pad: Padding length should be less than or equal to two times the input dimension");
  EXPECT_GF_ERROR(
      NF::pad(x, pad_opts({3, 0}, Reflect)),
      "pad: Padding size should be less than the corresponding input dimension, but got: "
      "padding (3, 0) at dimension 1 of input [2, 3]");
  EXPECT_GF_ERROR(NF::pad(zeros({2}), pad_opts({1, 1}, Replicate)),
                  "pad: replicate padding of 1 dims expects a 2-D or 3-D input, got shape [2]");
  EXPECT_GF_ERROR(NF::pad(x, pad_opts({1, 1}, Reflect).value(2)),
                  "pad: padding mode \"reflect\" doesn't take in value argument");
  EXPECT_GF_ERROR(NF::pad(x, NF::PadFuncOptions({-2, -2})),
                  "resulted in a negative output size -1");
  EXPECT_GF_ERROR(matmul(zeros({2, 3, 4}), zeros({2, 5, 2})),
                  "matmul: shapes [2, 3, 4] and [2, 5, 2] cannot be multiplied");
  EXPECT_GF_ERROR(matmul(zeros({2, 3, 4}), zeros({3, 4, 2})),
                  "matmul: shapes [2] and [3] cannot be broadcast");
  EXPECT_GF_ERROR(einsum("ij,jk->ik", {x}),
                  "einsum: the equation \"ij,jk->ik\" has 2 operand(s) but 1");
  EXPECT_GF_ERROR(einsum("ijk->k", {x}),
                  "einsum: operand 0 has 2 dims (shape [2, 3]) but subscripts \"ijk\"");
  EXPECT_GF_ERROR(einsum("ij,ij->i", {x, zeros({2, 4}, DType::Float64)}),
                  "einsum: subscript 'j' has size 3 in one operand but size 4 for operand 1");
  EXPECT_GF_ERROR(einsum("ij->q", {x}), "einsum: output subscript 'q' does not appear");
  EXPECT_GF_ERROR(einsum("...j->j", {x}), "einsum: ellipsis (...) is not supported");
  Tensor w = zeros({2, 3}, DType::Float64).requires_grad_();
  Tensor r = scatter(w, 1, tensor({0}, {1, 1}, DType::Int64), zeros({1, 1}, DType::Float64), "add");
  EXPECT_EQ(r.grad_fn_name(), "NotImplemented");
  EXPECT_GF_ERROR(sum(r).backward(), "the derivative for scatter with reduce is not implemented");
}

// Issue 10's findings: torch refuses these; main accepted them.
TEST(OpsShapes, ZeroDimFindings) {
  Tensor s = scalar_tensor(1.5, DType::Float64);
  EXPECT_GF_ERROR(slice(s, 0, 0, 1), "slice: slice() cannot be applied to a 0-dim tensor");
  EXPECT_GF_ERROR(squeeze(s, 10), "squeeze: dim 10 out of range");
  EXPECT_GF_ERROR(squeeze(s, 1), "squeeze: dim 1 out of range");
  EXPECT_GF_ERROR(squeeze(s, -2), "squeeze: dim -2 out of range");
  EXPECT_EQ(squeeze(s, 0).dim(), 0);  // 0 and -1 stay allowed
  EXPECT_EQ(squeeze(s, -1).dim(), 0);
}
