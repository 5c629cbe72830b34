// gf::Tensor — a cheap handle to an N-d strided array with autograd state, like torch::Tensor:
// copies share storage; views (transpose, reshape when possible, slices, unsqueeze, expand) share
// it too. Every op is a free function in ops.hpp; the common ones are also methods here.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "gradflow/dtype.hpp"
#include "gradflow/error.hpp"
#include "gradflow/shape.hpp"

namespace gf {

namespace autograd {
struct Node;
}
namespace indexing {
class TensorIndex;  // include/gradflow/indexing.hpp
}

// A reference-counted buffer from the caching allocator (buffers are reused step to step).
// Up to kInlineBytes live inside the Storage itself: a scalar op allocates nothing more.
struct Storage {
  static constexpr std::size_t kInlineBytes = 16;
  void* data = nullptr;
  std::size_t nbytes = 0;
  // Bumped by every in-place write; shared by all views of the storage, like PyTorch's version
  // counter. A saved tensor remembers it, and backward refuses values changed since.
  uint32_t version = 0;
  alignas(16) unsigned char inline_bytes[kInlineBytes];
  // Memory that belongs to someone else (a numpy array shared by the Python binding): `data`
  // points into it and `owner` keeps it alive; the allocator never frees it.
  std::shared_ptr<void> owner;
  explicit Storage(std::size_t nbytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
};

// What a Tensor handle points at. Public so that kernels and autograd can reach the raw parts;
// users go through Tensor.
class Tensor;

struct TensorImpl {
  TensorImpl() = default;
  // A fresh impl built in one go (empty, make_view): the Shapes are copied in, not zero-filled
  // first and overwritten.
  TensorImpl(std::shared_ptr<Storage> s, const Shape& sz, const Shape& st, int64_t off, DType dt)
      : storage(std::move(s)), sizes(sz), strides(st), offset(off), dtype(dt) {}

  std::shared_ptr<Storage> storage;
  Shape sizes;
  Shape strides;        // in elements
  int64_t offset = 0;   // in elements
  DType dtype = DType::Float32;
  bool requires_grad = false;  // set on leaves by requires_grad_()
  bool retains_grad = false;   // non-leaf keeps .grad (retain_grad())
  std::shared_ptr<autograd::Node> grad_fn;  // null for leaves
  uint32_t output_nr = 0;                   // which output of grad_fn this is
  std::shared_ptr<TensorImpl> grad;
  std::weak_ptr<autograd::Node> grad_accumulator;  // leaves: the node that sums into .grad
  std::string name;  // optional label used by viz (set by modules for parameters)
  // Gradient hooks of a leaf (non-leaves keep theirs on their grad_fn), with their handles.
  std::vector<std::pair<std::size_t, std::function<Tensor(const Tensor&)>>> hooks;
};

class Tensor {
 public:
  Tensor() = default;  // undefined tensor
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  Shape shape() const { return impl().sizes; }
  const Shape& sizes() const { return impl().sizes; }
  const Shape& strides() const { return impl().strides; }
  int64_t dim() const { return static_cast<int64_t>(impl().sizes.size()); }
  int64_t size(int64_t d) const;
  int64_t numel() const { return impl().sizes.numel(); }
  DType dtype() const { return impl().dtype; }
  int64_t storage_offset() const { return impl().offset; }
  bool is_contiguous() const;

  double item() const;                    // one-element tensors only
  template <class T>
  T item() const { return static_cast<T>(item()); }
  std::vector<double> tolist() const;     // flattened row-major copy of the values (any dtype)
  Tensor to(DType) const;
  Tensor contiguous() const;

  // Raw element access (first element of the view); T must match dtype().
  template <class T>
  T* data_ptr() const;

  // ---- autograd ----
  bool requires_grad() const { return impl().requires_grad || impl().grad_fn != nullptr; }
  Tensor& requires_grad_(bool on = true);
  bool is_leaf() const { return impl().grad_fn == nullptr; }
  Tensor grad() const;               // undefined until a backward pass reaches this leaf
  void set_grad(const Tensor& g);
  void zero_grad();                  // drops the accumulated gradient
  void retain_grad();                // non-leaf: keep .grad like a leaf does
  std::string grad_fn_name() const;  // "" for leaves; "MulBackward0", ...
  const std::shared_ptr<autograd::Node>& grad_fn() const { return impl().grad_fn; }
  uint32_t output_nr() const { return impl().output_nr; }
  void backward(const Tensor& gradient = {}, bool retain_graph = false,
                bool create_graph = false) const;
  Tensor detach() const;   // shares storage, no history
  Tensor clone() const;    // copies data, keeps history (CloneBackward0)

  // ---- in-place updates ----
  // Each bumps the storage's version counter (backward through a tensor saved before the write
  // throws gf::Error, PyTorch's check). Under grad mode they are recorded like the out-of-place
  // op (x.mul_(y) gets MulBackward0); on a leaf that requires grad they throw, as in torch.
  Tensor& fill_(double v);
  Tensor& zero_() { return fill_(0.0); }
  Tensor& copy_(const Tensor& src);  // broadcasts src into this
  Tensor& add_(const Tensor& other, double alpha = 1.0);
  Tensor& sub_(const Tensor& other, double alpha = 1.0);
  Tensor& mul_(const Tensor& other);
  Tensor& div_(const Tensor& other);
  Tensor& add_(double other);
  Tensor& sub_(double other);
  Tensor& mul_(double other);
  Tensor& div_(double other);
  Tensor& clamp_(double min, double max);
  Tensor& clamp_min_(double min);
  Tensor& clamp_max_(double max);
  Tensor& neg_();
  Tensor& exp_();
  Tensor& relu_();
  Tensor& sigmoid_();
  Tensor& tanh_();
  uint32_t _version() const { return impl().storage->version; }  // torch's x._version

  // ---- hooks ----
  // Calls hook(grad) whenever a gradient for this tensor is computed, before it is accumulated
  // into .grad (leaves) or passed on (non-leaves); a defined return value replaces the gradient.
  // Returns a handle for remove_hook.
  using Hook = std::function<Tensor(const Tensor&)>;
  std::size_t register_hook(Hook hook);
  void remove_hook(std::size_t handle);

  // ---- ops as methods (all also exist as free functions in ops.hpp) ----
  Tensor sum() const;
  Tensor sum(int64_t dim, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(int64_t dim, bool keepdim = false) const;
  Tensor max() const;
  Tensor max(int64_t dim, bool keepdim = false) const;
  Tensor argmax(int64_t dim) const;
  Tensor exp() const;
  Tensor log() const;
  Tensor pow(double p) const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor relu() const;
  Tensor sigmoid() const;
  Tensor tanh() const;
  Tensor t() const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor permute(const Shape& dims) const;
  Tensor reshape(const Shape& shape) const;
  Tensor view(const Shape& shape) const;
  Tensor flatten(int64_t start = 0, int64_t end = -1) const;
  Tensor unsqueeze(int64_t d) const;
  Tensor squeeze(int64_t d) const;
  Tensor expand(const Shape& shape) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;
  Tensor matmul(const Tensor&) const;
  Tensor mm(const Tensor&) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor operator[](int64_t i) const;  // select along dim 0
  Tensor repeat(const std::vector<int64_t>& repeats) const;  // src/ops/shape_ops.cpp
  // PyTorch's x[...] and x[...] = v (include/gradflow/indexing.hpp, src/ops/advanced_index.cpp)
  Tensor index(std::initializer_list<indexing::TensorIndex> indices) const;
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Tensor& values,
                     bool accumulate = false);
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, double value);

  // Throws gf::Error on an undefined tensor. Inline: every accessor goes through it (4% of the
  // chain benchmark's instructions as an out-of-line call).
  TensorImpl& impl() const {
    if (!impl_) [[unlikely]]
      throw_undefined();
    return *impl_;
  }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

 private:
  [[noreturn]] static void throw_undefined();
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream&, const Tensor&);  // PyTorch-style printing
std::string to_string(const Tensor&);

// torch.result_type of a binary op: promote_types, except that a 0-d operand (scalars arrive as
// 0-d tensors) only raises the result's dtype when it is of a higher category (bool < integer <
// floating) than the dimensioned operand: int32 tensor + 0-d int64 is int32, uint8 + 0-d float64
// is float64, float32 + 0-d float64 is float32, bool + 0-d int64 is int64.
DType result_type(const Tensor& a, const Tensor& b);

// A fresh contiguous tensor with uninitialised data.
Tensor empty(const Shape& shape, DType dtype);
// A view of t's storage with the given sizes, strides and offset (no checks beyond bounds).
Tensor make_view(const Tensor& t, const Shape& sizes, const Shape& strides, int64_t offset);

template <class T>
T* Tensor::data_ptr() const {
  GF_CHECK(dtype_of<T>() == dtype(), "data_ptr: tensor is ", dtype_name(dtype()),
           ", asked for ", dtype_name(dtype_of<T>()));
  return static_cast<T*>(impl().storage->data) + impl().offset;
}

// ---- global settings ----
void manual_seed(uint64_t seed);  // seeds the default generator: same seed, same numbers
void set_num_threads(int n);      // intra-op threads (BLAS + elementwise)
int get_num_threads();

// ---- grad mode (thread-local) ----
bool is_grad_enabled();
void set_grad_enabled(bool on);
struct NoGradGuard {  // RAII: no graph is recorded inside its scope, on this thread
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};
struct AutoGradMode {  // RAII: sets grad mode to `on` for its scope
  explicit AutoGradMode(bool on);
  ~AutoGradMode();
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool previous_;
};

}  // namespace gf
