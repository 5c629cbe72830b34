// + - * / and unary minus, tensor-tensor with numpy broadcasting and tensor-scalar.
// Backward of a broadcasting op sums the gradient back to each input's shape (sum_to).
#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

namespace {

using autograd::needs_grad;
using autograd::Node;

// The gradient for an input of `shape` and `dtype` from one of the broadcast output's shape.
Tensor reduce_grad(const Tensor& g, const Shape& shape, DType dtype) {
  Tensor r = g.sizes() == shape ? g : sum_to(g, shape);
  return r.dtype() == dtype ? r : r.to(dtype);
}

// Base for binary ops: remembers input shapes and dtypes for reduce_grad.
struct BinaryNode : Node {
  Shape a_shape, b_shape;
  DType a_dtype = DType::Float32, b_dtype = DType::Float32;
  void set_inputs(const Tensor& a, const Tensor& b) {
    a_shape = a.sizes();
    b_shape = b.sizes();
    a_dtype = a.dtype();
    b_dtype = b.dtype();
  }
};

// d(a+b)/da = 1, d(a+b)/db = 1
struct AddBackward0 : BinaryNode {
  std::string name() const override { return "AddBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {needs_grad(*this, 0) ? reduce_grad(g[0], a_shape, a_dtype) : Tensor(),
            needs_grad(*this, 1) ? reduce_grad(g[0], b_shape, b_dtype) : Tensor()};
  }
};

// d(a-b)/da = 1, d(a-b)/db = -1
struct SubBackward0 : BinaryNode {
  std::string name() const override { return "SubBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {needs_grad(*this, 0) ? reduce_grad(g[0], a_shape, a_dtype) : Tensor(),
            needs_grad(*this, 1) ? reduce_grad(-g[0], b_shape, b_dtype) : Tensor()};
  }
};

// d(ab)/da = b, d(ab)/db = a   (seed 001's MultiplyGate)
struct MulBackward0 : BinaryNode {
  Tensor a, b;  // each saved only when the other input needs a gradient
  std::string name() const override { return "MulBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {needs_grad(*this, 0) ? reduce_grad(g[0] * b, a_shape, a_dtype) : Tensor(),
            needs_grad(*this, 1) ? reduce_grad(g[0] * a, b_shape, b_dtype) : Tensor()};
  }
  void release_saved() override { a = b = Tensor(); }
  std::vector<std::pair<std::string, Tensor>> saved() const override {
    return {{"self", a}, {"other", b}};
  }
};

// d(a/b)/da = 1/b, d(a/b)/db = -a/b²
struct DivBackward0 : BinaryNode {
  Tensor a, b;
  std::string name() const override { return "DivBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {needs_grad(*this, 0) ? reduce_grad(g[0] / b, a_shape, a_dtype) : Tensor(),
            needs_grad(*this, 1) ? reduce_grad(-g[0] * a / (b * b), b_shape, b_dtype) : Tensor()};
  }
  void release_saved() override { a = b = Tensor(); }
  std::vector<std::pair<std::string, Tensor>> saved() const override {
    return {{"self", a}, {"other", b}};
  }
};

// d(-a)/da = -1
struct NegBackward0 : Node {
  std::string name() const override { return "NegBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override { return {-g[0]}; }
};

// A scalar operand as a 0-d tensor of the tensor's dtype (an Int64 tensor meets a fractional
// scalar in the default float dtype, like PyTorch's type promotion).
Tensor wrap_scalar(const Tensor& t, double v) {
  DType dt = t.dtype();
  if (dt == DType::Int64 && v != static_cast<double>(static_cast<int64_t>(v))) dt = default_dtype();
  return scalar_tensor(v, dt);
}

template <class N>
std::shared_ptr<N> record_binary(Tensor& out, const Tensor& a, const Tensor& b) {
  auto node = autograd::record<N>(out, {&a, &b});
  if (node) node->set_inputs(a, b);
  return node;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::binary(a, b, [](auto x, auto y) { return x + y; }, "add");
  record_binary<AddBackward0>(out, a, b);
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::binary(a, b, [](auto x, auto y) { return x - y; }, "sub");
  record_binary<SubBackward0>(out, a, b);
  return out;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::binary(a, b, [](auto x, auto y) { return x * y; }, "mul");
  if (auto node = record_binary<MulBackward0>(out, a, b)) {
    if (needs_grad(*node, 1)) node->a = a;
    if (needs_grad(*node, 0)) node->b = b;
    node->has_saved = true;
  }
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  // Integer division promotes to the default float dtype, like torch.true_divide.
  if (a.dtype() == DType::Int64 && b.dtype() == DType::Int64)
    return div(a.to(default_dtype()), b.to(default_dtype()));
  Tensor out = kernels::binary(a, b, [](auto x, auto y) { return x / y; }, "div");
  if (auto node = record_binary<DivBackward0>(out, a, b)) {
    node->b = b;
    if (needs_grad(*node, 1)) node->a = a;
    node->has_saved = true;
  }
  return out;
}

Tensor neg(const Tensor& a) {
  Tensor out = kernels::unary(a, [](auto x) { return -x; });
  autograd::record<NegBackward0>(out, {&a});
  return out;
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& a) { return neg(a); }
Tensor operator+(const Tensor& a, double b) { return add(a, wrap_scalar(a, b)); }
Tensor operator-(const Tensor& a, double b) { return sub(a, wrap_scalar(a, b)); }
Tensor operator*(const Tensor& a, double b) { return mul(a, wrap_scalar(a, b)); }
Tensor operator/(const Tensor& a, double b) { return div(a, wrap_scalar(a, b)); }
Tensor operator+(double a, const Tensor& b) { return add(wrap_scalar(b, a), b); }
Tensor operator-(double a, const Tensor& b) { return sub(wrap_scalar(b, a), b); }
Tensor operator*(double a, const Tensor& b) { return mul(wrap_scalar(b, a), b); }
Tensor operator/(double a, const Tensor& b) { return div(wrap_scalar(b, a), b); }

}  // namespace gf
