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
