// The rows of the op table (op_table.hpp says how to add one). Grouped like ops.hpp.
#include "support/op_table.hpp"

#include <sstream>

namespace gf::test {

namespace F = gf::nn::functional;

namespace {

using Un = Tensor (*)(const Tensor&);
OpFn un(Un f) {
  return [f](const Inputs& x) { return f(x[0]); };
}
Tensor ids(std::initializer_list<double> v, const Shape& s) { return tensor(v, s, DType::Int64); }
// The pieces of split / chunk scaled by 1, 2, 3, ... and joined again: one tensor to compare.
Tensor scaled_cat(const std::vector<Tensor>& pieces, int64_t dim) {
  std::vector<Tensor> s;
  for (std::size_t i = 0; i < pieces.size(); ++i) s.push_back(pieces[i] * double(i + 1));
  return cat(s, dim);
}

std::vector<OpInfo> rows() {
  return {
      // ---- arithmetic (broadcasting) ----
      {.name = "add",
       .torch = "x0 + x1",
       .grad_fn = "AddBackward0",
       .shapes = {{2, 3}, {2, 3}},
       .fn = [](const Inputs& x) { return x[0] + x[1]; }},
      {.name = "add_broadcast",
       .torch = "x0 + x1",
       .grad_fn = "AddBackward0",
       .shapes = {{2, 1, 3}, {4, 1}},
       .fn = [](const Inputs& x) { return x[0] + x[1]; }},
      {.name = "add_scalar",
       .torch = "x0 + 2.5",
       .grad_fn = "AddBackward0",
       .shapes = {{3}},
       .fn = [](const Inputs& x) { return x[0] + 2.5; }},
      {.name = "sub_broadcast",
       .torch = "x0 - x1",
       .grad_fn = "SubBackward0",
       .shapes = {{2, 3}, {3}},
       .fn = [](const Inputs& x) { return x[0] - x[1]; }},
      {.name = "rsub_scalar",
       .torch = "1.5 - x0",
       .grad_fn = "SubBackward0",
       .shapes = {{3}},
       .fn = [](const Inputs& x) { return 1.5 - x[0]; },
       .torch_grad_fn = "RsubBackward1"},
      {.name = "mul",
       .torch = "x0 * x1",
       .grad_fn = "MulBackward0",
       .saved = {"self", "other"},
       .shapes = {{2, 3}, {2, 3}},
       .fn = [](const Inputs& x) { return x[0] * x[1]; }},
      {.name = "mul_broadcast",
       .torch = "x0 * x1",
       .grad_fn = "MulBackward0",
       .saved = {"self", "other"},
       .shapes = {{2, 1}, {1, 3}},
       .fn = [](const Inputs& x) { return x[0] * x[1]; }},
      {.name = "mul_scalar",
       .torch = "x0 * 3.0",
       .grad_fn = "MulBackward0",
       .saved = {"other"},  // self is kept only when the other factor needs a gradient
       .shapes = {{2, 2}},
       .fn = [](const Inputs& x) { return x[0] * 3.0; }},
      {.name = "div",
       .torch = "x0 / x1",
       .grad_fn = "DivBackward0",
       .saved = {"self", "other"},
       .shapes = {{2, 3}, {3}},
       .fn = [](const Inputs& x) { return x[0] / x[1]; },
       .domain = {0.5, 2}},
      {.name = "rdiv_scalar",
       .torch = "2.0 / x0",
       .grad_fn = "DivBackward0",
       .saved = {"self", "other"},
       .shapes = {{4}},
       .fn = [](const Inputs& x) { return 2.0 / x[0]; },
       .domain = {0.5, 2},
       .torch_grad_fn = "MulBackward0"},
      {.name = "neg",
       .torch = "-x0",
       .grad_fn = "NegBackward0",
       .shapes = {{2, 3}},
       .fn = [](const Inputs& x) { return -x[0]; }},

      // ---- elementwise math ----
      {.name = "exp",
       .torch = "torch.exp(x0)",
       .grad_fn = "ExpBackward0",
       .saved = {"result"},
       .shapes = {{2, 3}},
       .fn = un(exp)},
      {.name = "log",
       .torch = "torch.log(x0)",
       .grad_fn = "LogBackward0",
       .saved = {"self"},
       .shapes = {{2, 3}},
       .fn = un(log),
       .domain = {0.2, 3}},
      {.name = "log1p",
       .torch = "torch.log1p(x0)",
       .grad_fn = "Log1PBackward0",
       .saved = {"self"},
       .shapes = {{4}},
       .fn = un(log1p),
       .domain = {-0.5, 2}},
      {.name = "sqrt",
       .torch = "torch.sqrt(x0)",
       .grad_fn = "SqrtBackward0",
       .saved = {"result"},
       .shapes = {{3, 2}},
       .fn = un(sqrt),
       .domain = {0.2, 3}},
      {.name = "abs",
       .torch = "torch.abs(x0)",
       .grad_fn = "AbsBackward0",
       .saved = {"self"},
       .shapes = {{2, 3}},
       .fn = un(abs),
       .domain = {-2, 2, {0}}},
      {.name = "sign",
       .torch = "torch.sign(x0)",
       .grad_fn = "SignBackward0",
       .shapes = {{5}},
       .fn = un(sign),
       .domain = {-2, 2, {0}}},
      {.name = "square",
       .torch = "torch.square(x0)",
       .grad_fn = "PowBackward0",
       .saved = {"self"},
       .shapes = {{2, 3}},
       .fn = un(square)},
      {.name = "relu",
       .torch = "torch.relu(x0)",
       .grad_fn = "ReluBackward0",
       .saved = {"result"},
       .shapes = {{3, 4}},
       .fn = un(relu),
       .domain = {-2, 2, {0}}},
      {.name = "sigmoid",
       .torch = "torch.sigmoid(x0)",
       .grad_fn = "SigmoidBackward0",
       .saved = {"result"},
       .shapes = {{2, 3}},
       .fn = un(sigmoid),
       .domain = {-4, 4}},
      {.name = "tanh",
       .torch = "torch.tanh(x0)",
       .grad_fn = "TanhBackward0",
       .saved = {"result"},
       .shapes = {{2, 3}},
       .fn = un(tanh)},
      {.name = "softplus",
       .torch = "F.softplus(x0, beta=2, threshold=3)",
       .grad_fn = "SoftplusBackward0",
       .saved = {"self"},
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return softplus(x[0], 2, 3); },
       .domain = {-3, 3, {1.5}}},
      {.name = "pow_2.5",
       .torch = "torch.pow(x0, 2.5)",
       .grad_fn = "PowBackward0",
       .saved = {"self"},
       .shapes = {{4}},
       .fn = [](const Inputs& x) { return pow(x[0], 2.5); },
       .domain = {0.2, 2}},
      {.name = "pow_-1.5",
       .torch = "torch.pow(x0, -1.5)",
       .grad_fn = "PowBackward0",
       .saved = {"self"},
       .shapes = {{4}},
       .fn = [](const Inputs& x) { return pow(x[0], -1.5); },
       .domain = {0.5, 2}},
      {.name = "pow_0",
       .torch = "torch.pow(x0, 0.0)",
       .grad_fn = "PowBackward0",
       .saved = {"self"},
       .shapes = {{3}},
       .fn = [](const Inputs& x) { return pow(x[0], 0.0); }},
      {.name = "pow_tensor",
       .torch = "torch.pow(x0, x1)",
       .grad_fn = "PowBackward1",
       .saved = {"self", "exponent", "result"},
       .shapes = {{2, 3}, {3}},
       .fn = [](const Inputs& x) { return pow(x[0], x[1]); },
       .domain = {0.3, 2}},
      {.name = "clamp",
       .torch = "torch.clamp(x0, -0.5, 0.75)",
       .grad_fn = "ClampBackward1",
       .saved = {"self"},
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return clamp(x[0], -0.5, 0.75); },
       .domain = {-2, 2, {-0.5, 0.75}}},
      {.name = "where",
       .torch = "torch.where(x0 > 0, x1, x2)",
       .grad_fn = "WhereBackward0",
       .saved = {"condition"},
       .shapes = {{2, 1, 3}, {4, 1}, {3}},
       .fn = [](const Inputs& x) { return where(gt(x[0], 0.0), x[1], x[2]); },
       .domain = {-2, 2, {0}},
       .nograd = {0}},
      {.name = "maximum",
       .torch = "torch.maximum(x0, x1)",
       .grad_fn = "MaximumBackward0",
       .saved = {"self", "other"},
       .shapes = {{2, 3}, {3}},
       .fn = [](const Inputs& x) { return maximum(x[0], x[1]); }},
      {.name = "minimum",
       .torch = "torch.minimum(x0, x1)",
       .grad_fn = "MinimumBackward0",
       .saved = {"self", "other"},
       .shapes = {{2, 1}, {1, 3}},
       .fn = [](const Inputs& x) { return minimum(x[0], x[1]); }},

      // ---- reductions ----
      {.name = "sum",
       .torch = "x0.sum()",
       .grad_fn = "SumBackward0",
       .shapes = {{2, 3}},
       .fn = un(sum)},
      {.name = "sum_dim",
       .torch = "x0.sum(1)",
       .grad_fn = "SumBackward1",
       .shapes = {{2, 3, 4}},
       .fn = [](const Inputs& x) { return sum(x[0], 1); }},
      {.name = "sum_dim_keepdim",
       .torch = "x0.sum(-1, keepdim=True)",
       .grad_fn = "SumBackward1",
       .shapes = {{2, 3}},
       .fn = [](const Inputs& x) { return sum(x[0], -1, true); }},
      {.name = "mean",
       .torch = "x0.mean()",
       .grad_fn = "MeanBackward0",
       .shapes = {{2, 3}},
       .fn = un(mean)},
      {.name = "mean_dim",
       .torch = "x0.mean(0)",
       .grad_fn = "MeanBackward1",
       .shapes = {{3, 2}},
       .fn = [](const Inputs& x) { return mean(x[0], 0); }},
      {.name = "sum_to",
       .torch = "x0.sum_to_size(3, 1)",
       .grad_fn = "SumToBackward0",
       .shapes = {{2, 3, 4}},
       .fn =
           [](const Inputs& x) {
             return sum_to(x[0], {3, 1});
           },
       .torch_grad_fn = "ViewBackward0"},
      {.name = "max_all",
       .torch = "x0.max()",
       .grad_fn = "MaxBackward1",
       .saved = {"self", "result"},
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return max(x[0]); }},
      {.name = "min_all",
       .torch = "x0.min()",
       .grad_fn = "MinBackward1",
       .saved = {"self", "result"},
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return min(x[0]); }},
      {.name = "max_dim",
       .torch = "x0.max(1).values",
       .grad_fn = "MaxBackward0",
       .saved = {"indices"},
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return max(x[0], 1); }},
      {.name = "min_dim_keepdim",
       .torch = "x0.min(0, keepdim=True).values",
       .grad_fn = "MinBackward0",
       .saved = {"indices"},
       .shapes = {{2, 3, 4}},
       .fn = [](const Inputs& x) { return min(x[0], 0, true); }},
      {.name = "softmax",
       .torch = "torch.softmax(x0, 1)",
       .grad_fn = "SoftmaxBackward0",
       .saved = {"result"},
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return softmax(x[0], 1); }},
      {.name = "log_softmax",
       .torch = "torch.log_softmax(x0, 0)",
       .grad_fn = "LogSoftmaxBackward0",
       .saved = {"result"},
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return log_softmax(x[0], 0); }},
      {.name = "logsumexp",
       .torch = "torch.logsumexp(x0, 1)",
       .grad_fn = "LogsumexpBackward0",
       .saved = {"self"},
       .shapes = {{2, 3, 4}},
       .fn = [](const Inputs& x) { return logsumexp(x[0], 1); }},

      // ---- views and copies ----
      {.name = "transpose",
       .torch = "x0.transpose(0, 2)",
       .grad_fn = "TransposeBackward0",
       .shapes = {{2, 3, 4}},
       .fn = [](const Inputs& x) { return transpose(x[0], 0, 2); }},
      {.name = "t",
       .torch = "x0.t()",
       .grad_fn = "TBackward0",
       .shapes = {{2, 3}},
       .fn = [](const Inputs& x) { return t(x[0]); }},
      {.name = "permute",
       .torch = "x0.permute(2, 0, 1)",
       .grad_fn = "PermuteBackward0",
       .shapes = {{2, 3, 4}},
       .fn =
           [](const Inputs& x) {
             return permute(x[0], {2, 0, 1});
           }},
      {.name = "reshape",
       .torch = "x0.reshape(3, -1)",
       .grad_fn = "ViewBackward0",
       .shapes = {{2, 3, 2}},
       .fn =
           [](const Inputs& x) {
             return reshape(x[0], {3, -1});
           },
       .torch_grad_fn = "ReshapeAliasBackward0"},
      {.name = "reshape_strided",
       .torch = "x0.t().reshape(6)",
       .grad_fn = "UnsafeViewBackward0",
       .shapes = {{2, 3}},
       .fn = [](const Inputs& x) { return reshape(t(x[0]), {6}); }},
      {.name = "flatten",
       .torch = "x0.flatten()",
       .grad_fn = "ViewBackward0",
       .shapes = {{2, 3, 2}},
       .fn = [](const Inputs& x) { return flatten(x[0]); },
       .torch_grad_fn = "ReshapeAliasBackward0"},
      {.name = "unsqueeze",
       .torch = "x0.unsqueeze(1)",
       .grad_fn = "UnsqueezeBackward0",
       .shapes = {{2, 3}},
       .fn = [](const Inputs& x) { return unsqueeze(x[0], 1); }},
      {.name = "squeeze",
       .torch = "x0.squeeze(1)",
       .grad_fn = "SqueezeBackward1",
       .shapes = {{2, 1, 3}},
       .fn = [](const Inputs& x) { return squeeze(x[0], 1); }},
      {.name = "expand",
       .torch = "x0.expand(2, 3, 4)",
       .grad_fn = "ExpandBackward0",
       .shapes = {{3, 1}},
       .fn =
           [](const Inputs& x) {
             return expand(x[0], {2, 3, 4});
           }},
      {.name = "slice",
       .torch = "x0[:, 1:5:2]",
       .grad_fn = "SliceBackward0",
       .shapes = {{3, 6}},
       .fn = [](const Inputs& x) { return slice(x[0], 1, 1, 5, 2); }},
      {.name = "select",
       .torch = "x0.select(0, -1)",
       .grad_fn = "SelectBackward0",
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return select(x[0], 0, -1); }},
      {.name = "contiguous",
       .torch = "x0.t().contiguous()",
       .grad_fn = "CloneBackward0",
       .shapes = {{2, 3}},
       .fn = [](const Inputs& x) { return t(x[0]).contiguous(); }},

      // ---- indexing and joining ----
      {.name = "gather",
       .torch = "torch.gather(x0, 1, torch.tensor([[0, 2], [1, 1], [3, 0]]))",
       .grad_fn = "GatherBackward0",
       .saved = {"index"},
       .shapes = {{3, 4}},
       .fn =
           [](const Inputs& x) {
             return gather(x[0], 1, ids({0, 2, 1, 1, 3, 0}, {3, 2}));
           }},
      {.name = "index_select",
       .torch = "torch.index_select(x0, 0, torch.tensor([2, 0, 2]))",
       .grad_fn = "IndexSelectBackward0",
       .saved = {"index"},
       .shapes = {{3, 2}},
       .fn =
           [](const Inputs& x) {
             return index_select(x[0], 0, ids({2, 0, 2}, {3}));
           }},
      {.name = "cat",
       .torch = "torch.cat([x0, x1], 1)",
       .grad_fn = "CatBackward0",
       .shapes = {{2, 3}, {2, 1}},
       .fn =
           [](const Inputs& x) {
             return cat({x[0], x[1]}, 1);
           }},
      {.name = "stack",
       .torch = "torch.stack([x0, x1], 0)",
       .grad_fn = "StackBackward0",
       .shapes = {{2, 3}, {2, 3}},
       .fn =
           [](const Inputs& x) {
             return stack({x[0], x[1]}, 0);
           }},

      // ---- matrix products (W.t() is Linear's column-major operand) ----
      {.name = "mm",
       .torch = "torch.mm(x0, x1)",
       .grad_fn = "MmBackward0",
       .saved = {"self", "mat2"},
       .shapes = {{2, 3}, {3, 4}},
       .fn = [](const Inputs& x) { return mm(x[0], x[1]); }},
      {.name = "mm_transposed",
       .torch = "torch.mm(x0, x1.t())",
       .grad_fn = "MmBackward0",
       .saved = {"self", "mat2"},
       .shapes = {{2, 3}, {4, 3}},
       .fn = [](const Inputs& x) { return mm(x[0], t(x[1])); }},
      {.name = "mm_transposed_first",
       .torch = "torch.mm(x0.t(), x1)",
       .grad_fn = "MmBackward0",
       .saved = {"self", "mat2"},
       .shapes = {{3, 2}, {3, 4}},
       .fn = [](const Inputs& x) { return mm(t(x[0]), x[1]); }},
      {.name = "addmm",
       .torch = "torch.addmm(x0, x1, x2)",
       .grad_fn = "AddmmBackward0",
       .saved = {"mat1", "mat2"},
       .shapes = {{4}, {2, 3}, {3, 4}},
       .fn = [](const Inputs& x) { return addmm(x[0], x[1], x[2]); }},
      {.name = "addmm_transposed",
       .torch = "torch.addmm(x0, x1, x2.t())",
       .grad_fn = "AddmmBackward0",
       .saved = {"mat1", "mat2"},
       .shapes = {{2, 4}, {2, 3}, {4, 3}},
       .fn = [](const Inputs& x) { return addmm(x[0], x[1], t(x[2])); }},
      {.name = "bmm",
       .torch = "torch.matmul(x0, x1)",
       .grad_fn = "BmmBackward0",
       .saved = {"self", "mat2"},
       .shapes = {{2, 3, 4}, {2, 4, 2}},
       .fn = [](const Inputs& x) { return matmul(x[0], x[1]); },
       .torch_grad_fn = "UnsafeViewBackward0"},
      {.name = "matmul_3d_2d",
       .torch = "torch.matmul(x0, x1)",
       .grad_fn = "ViewBackward0",
       .shapes = {{2, 3, 4}, {4, 2}},
       .fn = [](const Inputs& x) { return matmul(x[0], x[1]); },
       .torch_grad_fn = "UnsafeViewBackward0"},
      {.name = "matmul_1d_2d",
       .torch = "torch.matmul(x0, x1)",
       .grad_fn = "SqueezeBackward1",
       .shapes = {{3}, {3, 2}},
       .fn = [](const Inputs& x) { return matmul(x[0], x[1]); },
       .torch_grad_fn = "SqueezeBackward3"},
      {.name = "dot",
       .torch = "torch.dot(x0, x1)",
       .grad_fn = "DotBackward0",
       .saved = {"self", "tensor"},
       .shapes = {{4}, {4}},
       .fn = [](const Inputs& x) { return dot(x[0], x[1]); }},
      {.name = "outer",
       .torch = "torch.outer(x0, x1)",
       .grad_fn = "MulBackward0",
       .saved = {"self", "other"},
       .shapes = {{3}, {2}},
       .fn = [](const Inputs& x) { return outer(x[0], x[1]); }},
      {.name = "linear",
       .torch = "F.linear(x0, x1, x2)",
       .grad_fn = "AddmmBackward0",
       .saved = {"mat1", "mat2"},
       .shapes = {{2, 3}, {4, 3}, {4}},
       .fn = [](const Inputs& x) { return F::linear(x[0], x[1], x[2]); }},
      {.name = "linear_3d",
       .torch = "F.linear(x0, x1, x2)",
       .grad_fn = "ViewBackward0",
       .shapes = {{2, 2, 3}, {4, 3}, {4}},
       .fn = [](const Inputs& x) { return F::linear(x[0], x[1], x[2]); }},

      // ---- reductions over dims, scans, sorting, shape ops, pad, scatter, N-d matmul, einsum
      // (reduce_dims.cpp, scan.cpp, sort.cpp, shape_ops.cpp, pad.cpp, scatter.cpp, einsum.cpp) ----
      {.name = "sum_dims",
       .torch = "x0.sum((0, 2))",
       .grad_fn = "SumBackward1",
       .shapes = {{2, 3, 4}},
       .fn =
           [](const Inputs& x) {
             return sum(x[0], {0, 2});
           }},
      {.name = "mean_dims_keepdim",
       .torch = "x0.mean((-1, 0), keepdim=True)",
       .grad_fn = "MeanBackward1",
       .shapes = {{2, 3, 4}},
       .fn =
           [](const Inputs& x) {
             return mean(x[0], {-1, 0}, true);
           }},
      {.name = "prod",
       .torch = "x0.prod()",
       .grad_fn = "ProdBackward0",
       .saved = {"self", "result"},
       .shapes = {{2, 3}},
       .fn = [](const Inputs& x) { return prod(x[0]); }},
      {.name = "prod_dim",
       .torch = "x0.prod(1)",
       .grad_fn = "ProdBackward1",
       .saved = {"self", "result"},
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return prod(x[0], 1); }},
      {.name = "amax_dims",
       .torch = "x0.amax((0, 2))",
       .grad_fn = "AmaxBackward0",
       .saved = {"self", "result"},
       .shapes = {{2, 3, 4}},
       .fn =
           [](const Inputs& x) {
             return amax(x[0], {0, 2});
           }},
      {.name = "amin_dim_keepdim",
       .torch = "x0.amin(1, keepdim=True)",
       .grad_fn = "AminBackward0",
       .saved = {"self", "result"},
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return amin(x[0], 1, true); }},
      {.name = "var_dims",
       .torch = "x0.var((0, 2))",
       .grad_fn = "VarBackward0",
       .saved = {"self"},
       .shapes = {{2, 3, 4}},
       .fn =
           [](const Inputs& x) {
             return var(x[0], {0, 2});
           }},
      {.name = "var_correction0",
       .torch = "torch.var(x0, None, correction=0)",
       .grad_fn = "VarBackward0",
       .saved = {"self"},
       .shapes = {{2, 3}},
       .fn = [](const Inputs& x) { return var(x[0], std::nullopt, 0); }},
      {.name = "std_dim",
       .torch = "x0.std(1)",
       .grad_fn = "StdBackward0",
       .saved = {"self", "result"},
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return gf::std(x[0], 1); }},
      {.name = "logsumexp_dims",
       .torch = "torch.logsumexp(x0, (0, 2))",
       .grad_fn = "LogsumexpBackward0",
       .saved = {"self", "result"},
       .shapes = {{2, 3, 4}},
       .fn =
           [](const Inputs& x) {
             return logsumexp(x[0], {0, 2});
           }},
      {.name = "norm",
       .torch = "torch.norm(x0)",
       .grad_fn = "NormBackward1",
       .saved = {"self", "result"},
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return norm(x[0]); }},
      {.name = "norm_p3_dims",
       .torch = "torch.norm(x0, 3, (0, 2))",
       .grad_fn = "NormBackward1",
       .saved = {"self", "result"},
       .shapes = {{2, 3, 4}},
       .fn =
           [](const Inputs& x) {
             return norm(x[0], 3, {0, 2});
           },
       .domain = {-2, 2, {0}}},
      {.name = "norm_p1_dim",
       .torch = "torch.norm(x0, 1, 1)",
       .grad_fn = "NormBackward1",
       .saved = {"self", "result"},
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return norm(x[0], 1, 1); },
       .domain = {-2, 2, {0}}},
      {.name = "cumsum",
       .torch = "x0.cumsum(1)",
       .grad_fn = "CumsumBackward0",
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return cumsum(x[0], 1); }},
      {.name = "cumprod",
       .torch = "x0.cumprod(0)",
       .grad_fn = "CumprodBackward0",
       .saved = {"self", "result"},
       .shapes = {{4, 3}},
       .fn = [](const Inputs& x) { return cumprod(x[0], 0); }},
      {.name = "sort",
       .torch = "x0.sort(1)[0]",
       .grad_fn = "SortBackward0",
       .saved = {"indices"},
       .shapes = {{3, 5}},
       .fn = [](const Inputs& x) { return std::get<0>(sort(x[0], 1)); }},
      {.name = "sort_descending",
       .torch = "x0.sort(0, descending=True)[0]",
       .grad_fn = "SortBackward0",
       .saved = {"indices"},
       .shapes = {{4, 3}},
       .fn = [](const Inputs& x) { return std::get<0>(sort(x[0], 0, true)); }},
      {.name = "topk",
       .torch = "x0.topk(2)[0]",
       .grad_fn = "TopkBackward0",
       .saved = {"indices"},
       .shapes = {{3, 5}},
       .fn = [](const Inputs& x) { return std::get<0>(topk(x[0], 2)); }},
      {.name = "flip",
       .torch = "x0.flip((0, 2))",
       .grad_fn = "FlipBackward0",
       .shapes = {{2, 3, 4}},
       .fn =
           [](const Inputs& x) {
             return flip(x[0], {0, 2});
           }},
      {.name = "roll",
       .torch = "x0.roll((2, -1), (0, 1))",
       .grad_fn = "RollBackward0",
       .shapes = {{3, 4}},
       .fn =
           [](const Inputs& x) {
             return roll(x[0], {2, -1}, {0, 1});
           }},
      {.name = "repeat",
       .torch = "x0.repeat(2, 2, 3)",
       .grad_fn = "RepeatBackward0",
       .shapes = {{2, 3}},
       .fn =
           [](const Inputs& x) {
             return x[0].repeat({2, 2, 3});
           }},
      {.name = "tile",
       .torch = "x0.tile((3,))",
       .grad_fn = "RepeatBackward0",
       .shapes = {{2, 2}},
       .fn = [](const Inputs& x) { return tile(x[0], {3}); }},
      {.name = "chunk",
       .torch = "torch.cat([p * (i + 1) for i, p in enumerate(x0.chunk(3, 1))], 1)",
       .grad_fn = "CatBackward0",
       .shapes = {{2, 5}},
       .fn = [](const Inputs& x) { return scaled_cat(chunk(x[0], 3, 1), 1); }},
      {.name = "split_sizes",
       .torch = "torch.cat([p * (i + 1) for i, p in enumerate(x0.split([1, 3], 0))], 0)",
       .grad_fn = "CatBackward0",
       .shapes = {{4, 2}},
       .fn =
           [](const Inputs& x) {
             return scaled_cat(split(x[0], {1, 3}, 0), 0);
           }},
      {.name = "split_piece",
       .torch = "x0.split(2)[1]",
       .grad_fn = "SplitBackward0",
       .shapes = {{5, 2}},
       .fn = [](const Inputs& x) { return split(x[0], 2)[1]; }},
      {.name = "unbind",
       .torch = "x0.unbind(1)[2]",
       .grad_fn = "UnbindBackward0",
       .shapes = {{2, 3, 2}},
       .fn = [](const Inputs& x) { return unbind(x[0], 1)[2]; }},
      {.name = "narrow",
       .torch = "x0.narrow(1, 1, 2)",
       .grad_fn = "SliceBackward0",
       .shapes = {{3, 4}},
       .fn = [](const Inputs& x) { return narrow(x[0], 1, 1, 2); }},
      {.name = "movedim",
       .torch = "x0.movedim((0, 1), (2, 0))",
       .grad_fn = "PermuteBackward0",
       .shapes = {{2, 3, 4}},
       .fn =
           [](const Inputs& x) {
             return movedim(x[0], {0, 1}, {2, 0});
           }},
      {.name = "swapaxes",
       .torch = "x0.swapaxes(0, 2)",
       .grad_fn = "TransposeBackward0",
       .shapes = {{2, 3, 4}},
       .fn = [](const Inputs& x) { return swapaxes(x[0], 0, 2); }},
      {.name = "expand_as",
       .torch = "x0.expand_as(torch.zeros(2, 3, 4))",
       .grad_fn = "ExpandBackward0",
       .shapes = {{3, 1}},
       .fn =
           [](const Inputs& x) {
             return expand_as(x[0], zeros({2, 3, 4}, DType::Float64));
           }},
      {.name = "tril",
       .torch = "x0.tril(1)",
       .grad_fn = "TrilBackward0",
       .shapes = {{2, 4, 3}},
       .fn = [](const Inputs& x) { return tril(x[0], 1); }},
      {.name = "triu",
       .torch = "x0.triu(-1)",
       .grad_fn = "TriuBackward0",
       .shapes = {{4, 4}},
       .fn = [](const Inputs& x) { return triu(x[0], -1); }},
      {.name = "pad_constant",
       .torch = "F.pad(x0, (1, -1, 2, 0), value=0.5)",
       .grad_fn = "ConstantPadNdBackward0",
       .shapes = {{2, 3, 4}},
       .fn =
           [](const Inputs& x) {
             return F::pad(x[0], F::PadFuncOptions({1, -1, 2, 0}).value(0.5));
           }},
      {.name = "pad_reflect",
       .torch = "F.pad(x0, (1, 2, 2, 1), mode='reflect')",
       .grad_fn = "ReflectionPad2DBackward0",
       .shapes = {{1, 2, 3, 4}},
       .fn =
           [](const Inputs& x) {
             return F::pad(x[0], F::PadFuncOptions({1, 2, 2, 1}).mode(F::PadMode::Reflect));
           }},
      {.name = "pad_replicate",
       .torch = "F.pad(x0, (2, 3), mode='replicate')",
       .grad_fn = "ReplicationPad1DBackward0",
       .shapes = {{2, 3}},
       .fn =
           [](const Inputs& x) {
             return F::pad(x[0], F::PadFuncOptions({2, 3}).mode(F::PadMode::Replicate));
           }},
      {.name = "pad_circular",
       .torch = "F.pad(x0, (2, 1, 1, 3), mode='circular')",
       .grad_fn = "CopySlices",
       .shapes = {{1, 1, 3, 4}},
       .fn =
           [](const Inputs& x) {
             return F::pad(x[0], F::PadFuncOptions({2, 1, 1, 3}).mode(F::PadMode::Circular));
           }},
      {.name = "scatter",
       .torch = "torch.scatter(x0, 1, torch.tensor([[0, 2], [3, 1], [1, 0]]), x1)",
       .grad_fn = "ScatterBackward0",
       .saved = {"index"},
       .shapes = {{3, 4}, {3, 2}},
       .fn =
           [](const Inputs& x) {
             return scatter(x[0], 1, ids({0, 2, 3, 1, 1, 0}, {3, 2}), x[1]);
           }},
      {.name = "scatter_value",
       .torch = "torch.scatter(x0, 1, torch.tensor([[0, 2], [3, 1], [1, 0]]), -1.0)",
       .grad_fn = "ScatterBackward1",
       .saved = {"index"},
       .shapes = {{3, 4}},
       .fn =
           [](const Inputs& x) {
             return scatter(x[0], 1, ids({0, 2, 3, 1, 1, 0}, {3, 2}), -1.0);
           }},
      {.name = "scatter_add",
       .torch = "torch.scatter_add(x0, 1, torch.tensor([[0, 2], [3, 1], [1, 1]]), x1)",
       .grad_fn = "ScatterAddBackward0",
       .saved = {"index"},
       .shapes = {{3, 4}, {3, 2}},
       .fn =
           [](const Inputs& x) {
             return scatter_add(x[0], 1, ids({0, 2, 3, 1, 1, 1}, {3, 2}), x[1]);
           }},
      {.name = "matmul_4d_broadcast",
       .torch = "torch.matmul(x0, x1)",
       .grad_fn = "ViewBackward0",
       .shapes = {{2, 1, 3, 4}, {5, 4, 2}},
       .fn = [](const Inputs& x) { return matmul(x[0], x[1]); },
       .torch_grad_fn = "UnsafeViewBackward0"},
      {.name = "einsum_attention",
       .torch = "torch.einsum('bhqd,bhkd->bhqk', x0, x1)",
       .grad_fn = "ViewBackward0",
       .shapes = {{2, 2, 3, 4}, {2, 2, 5, 4}},
       .fn =
           [](const Inputs& x) {
             return einsum("bhqd,bhkd->bhqk", {x[0], x[1]});
           }},
      {.name = "einsum_diagonal",
       .torch = "torch.einsum('ii->i', x0)",
       .grad_fn = "SumBackward1",
       .shapes = {{3, 3}},
       .fn = [](const Inputs& x) { return einsum("ii->i", {x[0]}); },
       .torch_grad_fn = "PermuteBackward0"},

      // ---- losses ----
      {.name = "cross_entropy",
       .torch = "F.cross_entropy(x0, torch.tensor([0, 3, 1]))",
       .grad_fn = "CrossEntropyLossBackward0",
       .saved = {"self", "target"},
       .shapes = {{3, 4}},
       .fn =
           [](const Inputs& x) {
             return F::cross_entropy(x[0], ids({0, 3, 1}, {3}));
           },
       .torch_grad_fn = "NllLossBackward0"},
      {.name = "cross_entropy_probabilities",
       .torch = "F.cross_entropy(x0, x1, reduction='sum')",
       .grad_fn = "CrossEntropyLossBackward0",
       .saved = {"self", "target"},
       .shapes = {{2, 3}, {2, 3}},
       .fn = [](const Inputs& x) { return F::cross_entropy(x[0], x[1], nn::Reduction::Sum); },
       .domain = {0.1, 1},
       .torch_grad_fn = "NegBackward0"},
      {.name = "nll_loss",
       .torch = "F.nll_loss(x0, torch.tensor([1, 0, 2]), reduction='none')",
       .grad_fn = "NllLossBackward0",
       .saved = {"target"},
       .shapes = {{3, 3}},
       .fn =
           [](const Inputs& x) {
             return F::nll_loss(x[0], ids({1, 0, 2}, {3}), nn::Reduction::None);
           }},
      {.name = "mse_loss",
       .torch = "F.mse_loss(x0, x1)",
       .grad_fn = "MseLossBackward0",
       .saved = {"self", "target"},
       .shapes = {{2, 3}, {2, 3}},
       .fn = [](const Inputs& x) { return F::mse_loss(x[0], x[1]); }},
      {.name = "bce_with_logits",
       .torch = "F.binary_cross_entropy_with_logits(x0, x1)",
       .grad_fn = "BinaryCrossEntropyWithLogitsBackward0",
       .saved = {"self", "target"},
       .shapes = {{2, 3}, {2, 3}},
       .fn = [](const Inputs& x) { return F::binary_cross_entropy_with_logits(x[0], x[1]); },
       .domain = {0.05, 0.95}},
  };
}

std::string fmt(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

}  // namespace

const std::vector<OpInfo>& op_table() {
  static const std::vector<OpInfo> table = rows();
  return table;
}

InputGen domain_gen(const Domain& d) { return away_from_all(d.kinks, d.gap, d.lo, d.hi); }

OpCase op_case(const OpInfo& row) {
  OpCase c{row.name, row.fn, row.shapes, domain_gen(row.domain)};
  c.differentiable.assign(row.shapes.size(), true);
  for (std::size_t i : row.nograd) c.differentiable[i] = false;
  c.gradgrad = row.gradgrad;
  c.atol = row.atol;
  c.rtol = row.rtol;
  return c;
}

Inputs make_inputs(const OpInfo& row) { return make_inputs(op_case(row)); }

std::string ops_txt_line(const OpInfo& row) {
  std::string s = row.name + " | " + row.torch + " | " + row.grad_fn + " |";
  for (const Shape& sh : row.shapes) {
    s += " [";
    for (std::size_t i = 0; i < sh.size(); ++i) s += (i ? "," : "") + std::to_string(sh[i]);
    s += "]";
  }
  s += " | " + fmt(row.domain.lo) + " " + fmt(row.domain.hi);
  if (!row.domain.kinks.empty()) {
    s += " kinks";
    for (double k : row.domain.kinks) s += " " + fmt(k);
  }
  if (!row.nograd.empty()) {
    s += " nograd";
    for (std::size_t i : row.nograd) s += " " + std::to_string(i);
  }
  return s;
}

}  // namespace gf::test
