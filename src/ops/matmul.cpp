// Matrix products. Transposes are views, and GEMM takes them through BLAS transpose flags
// (kernels/gemm.cpp), so neither the forward nor the backward copies.
#include "../kernels/gemm.hpp"

#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

namespace {

using autograd::needs_grad;
using autograd::Node;

void check_mm(const Tensor& a, const Tensor& b, const char* op) {
  GF_CHECK(a.dim() == 2 && b.dim() == 2, op, ": expected 2-D tensors, got shapes ", a.sizes(),
           " and ", b.sizes());
  GF_CHECK(a.sizes()[1] == b.sizes()[0], op, ": shapes ", a.sizes(), " and ", b.sizes(),
           " cannot be multiplied (", a.sizes()[0], "x", a.sizes()[1], " and ", b.sizes()[0], "x",
           b.sizes()[1], ")");
  GF_CHECK(a.dtype() == b.dtype(), op, ": expected both tensors to have the same dtype, got ",
           dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
}

// dL/dA = G Bᵀ and dL/dB = Aᵀ G, each produced in the memory layout of the operand it belongs
// to: for Linear's W.t() (a column-major view) dL/dB is computed as (Gᵀ A)ᵀ, so that after
// TBackward0 the weight's gradient is contiguous and accumulates without a strided copy.
bool column_major(const Tensor& m) { return m.strides()[0] == 1 && m.sizes()[0] > 1; }
Tensor grad_a(const Tensor& g, bool a_column_major, const Tensor& b) {
  return a_column_major ? t(mm(b, t(g))) : mm(g, t(b));
}
Tensor grad_b(const Tensor& g, const Tensor& a, bool b_column_major) {
  return b_column_major ? t(mm(t(g), a)) : mm(t(a), g);
}

// C = A B:  dL/dA = G Bᵀ,  dL/dB = Aᵀ G
struct MmBackward0 : Node {
  Tensor a, b;
  bool a_col = false, b_col = false;
  std::string name() const override { return "MmBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {needs_grad(*this, 0) ? grad_a(g[0], a_col, b) : Tensor(),
            needs_grad(*this, 1) ? grad_b(g[0], a, b_col) : Tensor()};
  }
  void release_saved() override { a = b = Tensor(); }
  std::vector<std::pair<std::string, Tensor>> saved() const override {
    return {{"self", a}, {"mat2", b}};
  }
};

// C = bias + A B:  dL/dbias = G summed to bias's shape,  dL/dA = G Bᵀ,  dL/dB = Aᵀ G
struct AddmmBackward0 : Node {
  Tensor a, b;
  bool a_col = false, b_col = false;
  Shape bias_shape;
  std::string name() const override { return "AddmmBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {needs_grad(*this, 0) ? sum_to(g[0], bias_shape) : Tensor(),
            needs_grad(*this, 1) ? grad_a(g[0], a_col, b) : Tensor(),
            needs_grad(*this, 2) ? grad_b(g[0], a, b_col) : Tensor()};
  }
  void release_saved() override { a = b = Tensor(); }
  std::vector<std::pair<std::string, Tensor>> saved() const override {
    return {{"mat1", a}, {"mat2", b}};
  }
};

// z = a·b:  dL/da = g b,  dL/db = g a
struct DotBackward0 : Node {
  Tensor a, b;
  std::string name() const override { return "DotBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {needs_grad(*this, 0) ? g[0] * b : Tensor(), needs_grad(*this, 1) ? g[0] * a : Tensor()};
  }
  void release_saved() override { a = b = Tensor(); }
};

// C[i] = A[i] B[i]:  dL/dA[i] = G[i] B[i]ᵀ,  dL/dB[i] = A[i]ᵀ G[i]
struct BmmBackward0 : Node {
  Tensor a, b;
  std::string name() const override { return "BmmBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override;
  void release_saved() override { a = b = Tensor(); }
};

Tensor bmm(const Tensor& a, const Tensor& b) {
  GF_CHECK(a.dim() == 3 && b.dim() == 3 && a.sizes()[0] == b.sizes()[0] &&
               a.sizes()[2] == b.sizes()[1],
           "matmul: shapes ", a.sizes(), " and ", b.sizes(), " cannot be multiplied");
  int64_t batch = a.sizes()[0];
  Tensor out = empty({batch, a.sizes()[1], b.sizes()[2]}, a.dtype());
  {
    NoGradGuard no_grad;
    for (int64_t i = 0; i < batch; ++i) {
      Tensor slot = select(out, 0, i);
      kernels::gemm(select(a, 0, i), select(b, 0, i), slot, 1.0, 0.0);
    }
  }
  if (auto node = autograd::record<BmmBackward0>(out, {&a, &b})) {
    node->a = a;
    node->b = b;
    node->has_saved = true;
  }
  return out;
}

std::vector<Tensor> BmmBackward0::apply(const std::vector<Tensor>& g) {
  return {needs_grad(*this, 0) ? bmm(g[0], transpose(b, 1, 2)) : Tensor(),
          needs_grad(*this, 1) ? bmm(transpose(a, 1, 2), g[0]) : Tensor()};
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  check_mm(a, b, "mm");
  Tensor out = empty({a.sizes()[0], b.sizes()[1]}, a.dtype());
  kernels::gemm(a, b, out, 1.0, 0.0);
  if (auto node = autograd::record<MmBackward0>(out, {&a, &b})) {
    if (needs_grad(*node, 1)) node->a = a;
    if (needs_grad(*node, 0)) node->b = b;
    node->a_col = column_major(a);
    node->b_col = column_major(b);
    node->has_saved = true;
  }
  return out;
}

Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b) {
  check_mm(a, b, "addmm");
  Shape shape{a.sizes()[0], b.sizes()[1]};
  GF_CHECK(broadcast_shapes(bias.sizes(), shape, "addmm") == shape, "addmm: bias of shape ",
           bias.sizes(), " cannot be broadcast to the product's shape ", shape);
  Tensor out = empty(shape, a.dtype());
  out.copy_(bias.detach());
  kernels::gemm(a, b, out, 1.0, 1.0);
  if (auto node = autograd::record<AddmmBackward0>(out, {&bias, &a, &b})) {
    node->bias_shape = bias.sizes();
    if (needs_grad(*node, 2)) node->a = a;
    if (needs_grad(*node, 1)) node->b = b;
    node->a_col = column_major(a);
    node->b_col = column_major(b);
    node->has_saved = true;
  }
  return out;
}

Tensor dot(const Tensor& a, const Tensor& b) {
  GF_CHECK(a.dim() == 1 && b.dim() == 1 && a.numel() == b.numel(), "dot: expected 1-D tensors "
           "of the same size, got shapes ", a.sizes(), " and ", b.sizes());
  Tensor out;
  {
    NoGradGuard no_grad;
    out = reshape(mm(reshape(a, {1, -1}), reshape(b, {-1, 1})), {});
  }
  if (auto node = autograd::record<DotBackward0>(out, {&a, &b})) {
    node->a = a;
    node->b = b;
    node->has_saved = true;
  }
  return out;
}

// torch.matmul's rules: 1-D·1-D is a dot product, a 1-D operand gains and then loses a unit
// dim, 2-D·2-D is mm, and anything 3-D batches (broadcasting the batch dim).
Tensor matmul(const Tensor& a, const Tensor& b) {
  GF_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both arguments need at least 1 dimension, got "
           "shapes ", a.sizes(), " and ", b.sizes());
  auto fail = [&] {
    detail::fail("matmul: shapes ", a.sizes(), " and ", b.sizes(), " cannot be multiplied");
  };
  if (a.dim() == 1 && b.dim() == 1) {
    if (a.numel() != b.numel()) fail();
    return dot(a, b);
  }
  if (a.dim() <= 2 && b.dim() <= 2) {
    Tensor x = a.dim() == 1 ? unsqueeze(a, 0) : a;
    Tensor y = b.dim() == 1 ? unsqueeze(b, 1) : b;
    if (x.sizes()[1] != y.sizes()[0]) fail();
    Tensor out = mm(x, y);
    if (a.dim() == 1) out = squeeze(out, 0);
    if (b.dim() == 1) out = squeeze(out, -1);
    return out;
  }
  GF_CHECK(a.dim() <= 3 && b.dim() <= 3, "matmul: only up to 3-D operands are supported, got "
           "shapes ", a.sizes(), " and ", b.sizes());
  if (a.dim() == 3 && b.dim() <= 2) {  // fold the batch into rows: one GEMM
    Tensor y = b.dim() == 1 ? unsqueeze(b, 1) : b;
    if (a.sizes()[2] != y.sizes()[0]) fail();
    Tensor out = reshape(mm(reshape(a, {-1, a.sizes()[2]}), y),
                         {a.sizes()[0], a.sizes()[1], y.sizes()[1]});
    return b.dim() == 1 ? squeeze(out, -1) : out;
  }
  Tensor x = a.dim() == 3 ? a : unsqueeze(a.dim() == 1 ? unsqueeze(a, 0) : a, 0);
  Tensor y = b;
  if (x.sizes()[2] != y.sizes()[1]) fail();
  int64_t batch = std::max(x.sizes()[0], y.sizes()[0]);
  if (x.sizes()[0] != y.sizes()[0] && x.sizes()[0] != 1 && y.sizes()[0] != 1) fail();
  x = expand(x, {batch, x.sizes()[1], x.sizes()[2]});
  y = expand(y, {batch, y.sizes()[1], y.sizes()[2]});
  Tensor out = bmm(x, y);
  if (a.dim() == 1) out = squeeze(out, 1);
  return out;
}

Tensor outer(const Tensor& a, const Tensor& b) {
  GF_CHECK(a.dim() == 1 && b.dim() == 1, "outer: expected 1-D tensors, got shapes ", a.sizes(),
           " and ", b.sizes());
  return unsqueeze(a, 1) * unsqueeze(b, 0);
}

}  // namespace gf
