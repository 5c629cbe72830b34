// Matrix products. Transposes are views, and GEMM takes them through BLAS transpose flags
// (kernels/gemm.cpp), so neither the forward nor the backward copies.
#include <algorithm>
#include <cstring>

#include "../kernels/gemm.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;

namespace {

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

// C[i] = A[i] B[i]:  dL/dA[i] = G[i] B[i]ᵀ,  dL/dB[i] = A[i]ᵀ G[i]
Tensor bmm(const Tensor& a, const Tensor& b) {
  GF_CHECK(
      a.dim() == 3 && b.dim() == 3 && a.sizes()[0] == b.sizes()[0] && a.sizes()[2] == b.sizes()[1],
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
  autograd::record(out, "BmmBackward0", {a, b}, {{"self", a}, {"mat2", b}},
                   [](const Backward& bw, const Tensor& a, const Tensor& b) -> Grads {
                     const Tensor& g = bw.grad();
                     return {bw.needs(0) ? bmm(g, transpose(b, 1, 2)) : Tensor(),
                             bw.needs(1) ? bmm(transpose(a, 1, 2), g) : Tensor()};
                   });
  return out;
}

}  // namespace

// C = A B:  dL/dA = G Bᵀ,  dL/dB = Aᵀ G   (each saved only when the other needs a gradient)
Tensor mm(const Tensor& a, const Tensor& b) {
  check_mm(a, b, "mm");
  Tensor out = empty({a.sizes()[0], b.sizes()[1]}, a.dtype());
  kernels::gemm(a, b, out, 1.0, 0.0);
  if (!autograd::any_requires_grad({&a, &b})) return out;
  autograd::record(
      out, "MmBackward0", {a, b},
      {{"self", b.requires_grad() ? a : Tensor()}, {"mat2", a.requires_grad() ? b : Tensor()}},
      [a_col = column_major(a), b_col = column_major(b)](const Backward& bw, const Tensor& a,
                                                         const Tensor& b) -> Grads {
        const Tensor& g = bw.grad();
        return {bw.needs(0) ? grad_a(g, a_col, b) : Tensor(),
                bw.needs(1) ? grad_b(g, a, b_col) : Tensor()};
      });
  return out;
}

// C = bias + A B:  dL/dbias = G (summed to bias's shape by the engine),  dL/dA = G Bᵀ,
// dL/dB = Aᵀ G
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b) {
  check_mm(a, b, "addmm");
  Shape shape{a.sizes()[0], b.sizes()[1]};
  GF_CHECK(broadcast_shapes(bias.sizes(), shape, "addmm") == shape, "addmm: bias of shape ",
           bias.sizes(), " cannot be broadcast to the product's shape ", shape);
  Tensor out = empty(shape, a.dtype());
  const bool row_bias = bias.dim() == 1 && bias.is_contiguous() &&
                        bias.dtype() == out.dtype() && bias.sizes()[0] == shape[1];
  // nn.Linear's bias: the first row copied from it, then the filled part doubled, log2(rows)
  // memcpy calls in all (the general broadcast walk cost ~19 instructions per element, 6% of
  // seed 003's training step; one memcpy per row, 85 calls of 24 bytes, another 4%)
  auto copy_rows = [&](auto* dst, const auto* src) {
    const int64_t row = shape[1], total = shape[0] * shape[1];
    if (total == 0) return;
    std::memcpy(dst, src, row * sizeof(*src));
    for (int64_t filled = row; filled < total;) {
      const int64_t n = std::min(filled, total - filled);
      std::memcpy(dst + filled, dst, n * sizeof(*src));
      filled += n;
    }
  };
  if (row_bias && out.dtype() == DType::Float32) {
    copy_rows(out.data_ptr<float>(), bias.data_ptr<float>());
  } else if (row_bias && out.dtype() == DType::Float64) {
    copy_rows(out.data_ptr<double>(), bias.data_ptr<double>());
  } else {
    out.copy_(bias.detach());
  }
  kernels::gemm(a, b, out, 1.0, 1.0);
  if (!autograd::any_requires_grad({&bias, &a, &b})) return out;
  autograd::record(
      out, "AddmmBackward0", {bias, a, b},
      {{"mat1", b.requires_grad() ? a : Tensor()}, {"mat2", a.requires_grad() ? b : Tensor()}},
      [a_col = column_major(a), b_col = column_major(b)](const Backward& bw, const Tensor& a,
                                                         const Tensor& b) -> Grads {
        const Tensor& g = bw.grad();
        return {bw.needs(0) ? g : Tensor(), bw.needs(1) ? grad_a(g, a_col, b) : Tensor(),
                bw.needs(2) ? grad_b(g, a, b_col) : Tensor()};
      });
  return out;
}

// z = a·b:  dL/da = g b,  dL/db = g a
Tensor dot(const Tensor& a, const Tensor& b) {
  GF_CHECK(a.dim() == 1 && b.dim() == 1 && a.numel() == b.numel(),
           "dot: expected 1-D tensors "
           "of the same size, got shapes ",
           a.sizes(), " and ", b.sizes());
  Tensor out;
  {
    NoGradGuard no_grad;
    out = reshape(mm(reshape(a, {1, -1}), reshape(b, {-1, 1})), {});
  }
  autograd::record(out, "DotBackward0", {a, b}, {{"self", a}, {"tensor", b}},
                   [](const Backward& bw, const Tensor& a, const Tensor& b) -> Grads {
                     const Tensor& g = bw.grad();
                     return {bw.needs(0) ? g * b : Tensor(), bw.needs(1) ? g * a : Tensor()};
                   });
  return out;
}

// torch.matmul's rules: 1-D·1-D is a dot product, a 1-D operand gains and then loses a unit
// dim, 2-D·2-D is mm, and N-d operands batch over their leading dims, which broadcast.
Tensor matmul(const Tensor& a, const Tensor& b) {
  GF_CHECK(a.dim() >= 1 && b.dim() >= 1,
           "matmul: both arguments need at least 1 dimension, got "
           "shapes ",
           a.sizes(), " and ", b.sizes());
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
  if (a.dim() >= 3 && b.dim() <= 2) {  // fold the batch into rows: one GEMM
    Tensor y = b.dim() == 1 ? unsqueeze(b, 1) : b;
    int64_t k = a.sizes()[a.dim() - 1];
    if (k != y.sizes()[0]) fail();
    Shape out_shape = a.sizes();
    out_shape[a.dim() - 1] = y.sizes()[1];
    Tensor out = reshape(mm(reshape(a, {-1, k}), y), out_shape);
    return b.dim() == 1 ? squeeze(out, -1) : out;
  }
  // N-d: the batch dims (all but the last two) broadcast; each operand is expanded to the
  // common batch, folded to [B, m, k] / [B, k, n], multiplied by bmm and unfolded again.
  Tensor x = a.dim() == 1 ? unsqueeze(a, 0) : a;
  Tensor y = b.dim() == 1 ? unsqueeze(b, 1) : b;
  int64_t m = x.sizes()[x.dim() - 2], k = x.sizes()[x.dim() - 1];
  int64_t k2 = y.sizes()[y.dim() - 2], n = y.sizes()[y.dim() - 1];
  if (k != k2) fail();
  Shape xb = x.sizes(), yb = y.sizes();
  xb.resize(xb.size() - 2);
  yb.resize(yb.size() - 2);
  Shape batch = broadcast_shapes(xb, yb, "matmul");
  Shape xs = batch, ys = batch, out_shape = batch;
  xs.push_back(m), xs.push_back(k);
  ys.push_back(k), ys.push_back(n);
  out_shape.push_back(m), out_shape.push_back(n);
  int64_t nb = batch.numel();
  Tensor out =
      batch.size() == 1  // 3-D: one bmm of the expanded operands, no folding
          ? bmm(expand(x, xs), expand(y, ys))
          : reshape(bmm(reshape(expand(x, xs), {nb, m, k}), reshape(expand(y, ys), {nb, k, n})),
                    out_shape);
  if (a.dim() == 1) out = squeeze(out, -2);
  if (b.dim() == 1) out = squeeze(out, -1);
  return out;
}

Tensor outer(const Tensor& a, const Tensor& b) {
  GF_CHECK(a.dim() == 1 && b.dim() == 1, "outer: expected 1-D tensors, got shapes ", a.sizes(),
           " and ", b.sizes());
  return unsqueeze(a, 1) * unsqueeze(b, 0);
}

}  // namespace gf
