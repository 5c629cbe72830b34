// DataParallel (rank 0's parameters broadcast; gradients averaged in buckets whose all-reduces
// start during backward) and shard().
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "gradflow/distributed/distributed.hpp"
#include "gradflow/error.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"
#include "../kernels/elementwise.hpp"
#include "node_reduce.hpp"

namespace gf::distributed {
namespace {

// The bytes of a contiguous tensor of any dtype.
char* bytes_of(const Tensor& t) {
  return static_cast<char*>(t.impl().storage->data) +
         t.impl().offset * static_cast<int64_t>(element_size(t.dtype()));
}

int64_t nbytes(const Tensor& t) {
  return t.numel() * static_cast<int64_t>(element_size(t.dtype()));
}

// dst = (a + b) * r, or a * r without b; dst contiguous, a and b read through their strides
// (any layout); a may be dst itself (element i is read before
// it is written). One pass: the copy into the bucket, the accumulation and the mean's 1/W.
void scaled_into(Tensor& dst, const Tensor& a, const Tensor* b, double r) {
  dispatch(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T s = static_cast<T>(r);
      T* out = dst.data_ptr<T>();
      if (b)
        kernels::binary_into<T, T>(a, *b, dst.sizes(), out, [s](T x, T y) { return (x + y) * s; });
      else
        kernels::map_into<T, T>(a, out, [s](T x) { return x * s; });
    } else {
      GF_CHECK(false, "DataParallel: gradients must be floating point, got ",
               dtype_name(dst.dtype()));
    }
  });
}

// A parameter backward did not reach on this rank contributes its .grad as it is (zero when
// there is none) to `slot`: another rank's shard may have reached it, and every rank must reduce
// the same buffers.
void contribute_unreached(const Tensor& p, Tensor& slot, double prescale) {
  Tensor held = p.grad();
  if (!held.defined())
    std::memset(bytes_of(slot), 0, static_cast<size_t>(nbytes(slot)));
  else if (held.impl_ptr() != slot.impl_ptr() || prescale != 1.0)
    scaled_into(slot, held.detach(), nullptr, prescale);
}

bool forced_mpi(Reduction reduction) {
  const char* env = std::getenv("GF_DP_REDUCE");
  return reduction == Reduction::Mpi || (env != nullptr && std::string(env) == "mpi");
}

}  // namespace

Shard shard(int64_t n, int rank, int world) {
  GF_CHECK(world >= 1 && rank >= 0 && rank < world, "shard: rank ", rank,
           " is not a rank of a world of ", world);
  GF_CHECK(n >= 0, "shard: batch size must be non-negative, got ", n);
  // The first n % world ranks take q + 1 rows, the others q.
  const int64_t q = n / world, r = n % world;
  const int64_t begin = rank * q + std::min<int64_t>(rank, r);
  return Shard{begin, begin + q + (rank < r ? 1 : 0)};
}

DataParallel::DataParallel(nn::Module& module, int64_t bucket_bytes, Reduction reduction)
    : module_(module) {
  GF_CHECK(bucket_bytes > 0, "DataParallel: bucket_bytes must be positive, got ", bucket_bytes);
  init();
  // Every rank starts from rank 0's parameters and buffers.
  {
    NoGradGuard no_grad;
    for (const auto& group : {module_.named_parameters(), module_.named_buffers()})
      for (const auto& [name, t] : group) {
        GF_CHECK(t.is_contiguous(), "DataParallel: parameter ", name, " is not contiguous");
        Tensor handle = t;
        broadcast(handle, 0);
      }
  }
  for (auto& [name, p] : module_.named_parameters())
    if (p.requires_grad()) params_.push_back(p), names_.push_back(name);
  // Buckets in reverse parameter order: backward reaches the last layer first.
  bucket_of_.resize(params_.size());
  offset_of_.resize(params_.size());
  arrived_.assign(params_.size(), 0);
  int64_t bytes = 0, elements = 0;
  for (size_t k = params_.size(); k-- > 0;) {
    const Tensor& p = params_[k];
    if (buckets_.empty() || params_[buckets_.back().params.front()].dtype() != p.dtype() ||
        bytes + nbytes(p) > bucket_bytes) {
      if (!buckets_.empty())
        buckets_.back().flat =
            empty(Shape{elements}, params_[buckets_.back().params.front()].dtype());
      buckets_.emplace_back();
      bytes = elements = 0;
    }
    bucket_of_[k] = buckets_.size() - 1;
    offset_of_[k] = static_cast<size_t>(elements);
    buckets_.back().params.push_back(k);
    bytes += nbytes(p);
    elements += p.numel();
  }
  if (!buckets_.empty())
    buckets_.back().flat = empty(Shape{elements}, params_[buckets_.back().params.front()].dtype());
  if (world_size() == 1) return;  // averaging over one rank is the identity
  // For a power-of-two world the 1/W of the mean is applied as the gradients are written into
  // the buckets (a fused multiply in a pass that happens anyway) and the buckets are summed:
  // sum_i (g_i / W) == (sum_i g_i) / W bitwise, scaling by a power of two being exact (outside
  // the subnormal range, where the two may differ in the last place of a number below 1e-38).
  // Otherwise the sum is divided afterwards (ReduceOp::Mean), a separate pass.
  const int w = world_size();
  if ((w & (w - 1)) == 0) prescale_ = 1.0 / w, reduce_op_ = ReduceOp::Sum;
  const bool one_dtype = std::all_of(params_.begin(), params_.end(), [&](const Tensor& p) {
    return p.dtype() == params_.front().dtype();
  });
  if (!params_.empty() && one_dtype && !forced_mpi(reduction)) {
    // The buckets laid end to end, in bucket order, are the window's layout.
    std::vector<int64_t> base(buckets_.size() + 1, 0);
    for (size_t i = 0; i < buckets_.size(); ++i) base[i + 1] = base[i] + buckets_[i].flat.numel();
    node_ = NodeReduce::create(base.back(), params_.front().dtype());
    if (node_) {
      mean_ = empty(Shape{base.back()}, params_.front().dtype());
      const Tensor in[2] = {node_->input(0), node_->input(1)};
      for (size_t k = 0; k < params_.size(); ++k) {
        const Tensor& p = params_[k];
        const int64_t off = base[bucket_of_[k]] + static_cast<int64_t>(offset_of_[k]);
        views_.push_back(mean_.slice(0, off, off + p.numel()).view(p.sizes()));
        for (int i = 0; i < 2; ++i)
          inputs_[i].push_back(in[i].slice(0, off, off + p.numel()).view(p.sizes()));
      }
      for (Bucket& b : buckets_) b.flat = Tensor();
    }
  }
  if (!node_)
    for (size_t k = 0; k < params_.size(); ++k) {
      const Tensor& p = params_[k];
      const auto off = static_cast<int64_t>(offset_of_[k]);
      views_.push_back(
          buckets_[bucket_of_[k]].flat.slice(0, off, off + p.numel()).view(p.sizes()));
    }
  for (size_t k = 0; k < params_.size(); ++k)
    hooks_.push_back(params_[k].register_hook([this, k](const Tensor& g) {
      // Returning .grad (the bucket view the gradient was written into) tells AccumulateGrad
      // it is already accumulated; without sync the gradient goes on into .grad unchanged.
      return sync_ ? on_gradient(k, g) : Tensor();
    }));
}

// A bucket still being reduced (backward ended without sync_gradients, e.g. by an exception)
// is waited for: MPI writes into its buffer until the reduction completes.
DataParallel::~DataParallel() {
  for (size_t k = 0; k < hooks_.size(); ++k) params_[k].remove_hook(hooks_[k]);
  // A .grad left in the window (backward ended without sync_gradients) outlives it as a copy.
  if (node_)
    for (size_t k = 0; k < params_.size(); ++k) {
      Tensor g = params_[k].grad();
      if (g.defined() && (g.impl().storage == inputs_[0][k].impl().storage ||
                          g.impl().storage == inputs_[1][k].impl().storage))
        params_[k].set_grad(g.clone());
    }
  for (Bucket& b : buckets_)
    if (b.work.valid()) try {
        b.work.wait();
      } catch (const std::exception&) {
      }
}

// Runs inside backward, just before `grad` is accumulated into params_[k].grad: the gradient is
// accumulated into the parameter's bucket view (one strided copy when .grad is unset, an
// in-place add when .grad already is the view, the sum when it is a tensor of the user's), and
// .grad becomes the view, as with torch DDP's gradient_as_bucket_view. Returning the view
// itself tells AccumulateGrad that nothing is left to add (autograd/node.cpp).
Tensor DataParallel::on_gradient(size_t k, const Tensor& grad) {
  GF_CHECK(!arrived_[k], "DataParallel: parameter ", names_[k],
           " received a second gradient before sync_gradients(); call sync_gradients() after "
           "every backward (set_require_grad_sync(false) accumulates without communicating)");
  Bucket& b = buckets_[bucket_of_[k]];
  Tensor& p = params_[k];
  Tensor& view = node_ ? inputs_[parity_][k] : views_[k];
  NoGradGuard no_grad;
  Tensor held = p.grad();
  if (!held.defined())
    scaled_into(view, grad, nullptr, prescale_);
  else
    scaled_into(view, held.detach(), &grad, prescale_);
  p.set_grad(view);
  arrived_[k] = 1;
  if (node_) return view;  // summed by sync_gradients(), when every rank has its gradients
  ++b.ready;
  if (b.ready == b.params.size()) start_ready_buckets();
  // Drive the started reductions forward while backward still computes.
  for (size_t i = 0; i < next_start_; ++i) buckets_[i].work.is_completed();
  return view;
}

// The last bucket is left to sync_gradients: once it is complete no parameter is left for
// backward to reach, so there is nothing to overlap its reduction with, and the blocking
// MPI_Allreduce costs less than MPI_Iallreduce + MPI_Wait (Open MPI's tuned collective against
// libnbc's schedule: 1 MiB between 2 ranks here, medians of 3 runs, 267-372 us against 445-543).
// Every rank decides alike (MPI never matches a blocking collective with a non-blocking one).
void DataParallel::start_ready_buckets() {
  while (next_start_ + 1 < buckets_.size() &&
         buckets_[next_start_].ready == buckets_[next_start_].params.size()) {
    Bucket& b = buckets_[next_start_++];
    b.work = all_reduce_async(b.flat, reduce_op_);
    b.started = true;
    ++started_;
  }
}

void DataParallel::sync_gradients() {
  if (world_size() == 1) {
    reduced_ = num_buckets(), overlapped_ = 0;
    return;
  }
  reduced_ = num_buckets();
  NoGradGuard no_grad;
  if (node_) {
    overlapped_ = 0;
    for (size_t k = 0; k < params_.size(); ++k)
      if (!arrived_[k]) contribute_unreached(params_[k], inputs_[parity_][k], prescale_);
    node_->reduce(parity_, mean_, prescale_ != 1.0 ? 1.0 : world_size());
    for (size_t k = 0; k < params_.size(); ++k) params_[k].set_grad(views_[k]);
    parity_ ^= 1;
    std::fill(arrived_.begin(), arrived_.end(), 0);
    broadcast_buffers();
    return;
  }
  for (Bucket& b : buckets_) {
    if (b.started) continue;
    for (size_t k : b.params) {
      if (arrived_[k]) continue;
      contribute_unreached(params_[k], views_[k], prescale_);
      ++b.ready;
    }
  }
  overlapped_ = started_;
  start_ready_buckets();
  for (Bucket& b : buckets_) {
    if (b.started)
      b.work.wait();
    else
      all_reduce(b.flat, reduce_op_);  // the last bucket
    // The bucket holds the mean; every .grad of it is a view of it.
    for (size_t k : b.params) params_[k].set_grad(views_[k]);
    b.ready = 0;
    b.started = false;
    b.work = Work();
  }
  std::fill(arrived_.begin(), arrived_.end(), 0);
  next_start_ = 0;
  started_ = 0;
  broadcast_buffers();
}

// Buffers (BatchNorm's running statistics) are updated by each rank's forward from its own
// shard, so they drift apart; like torch DDP's broadcast_buffers (default on), rank 0's are
// copied to every rank, here once per step after the forward rather than before the next one,
// so evaluation and checkpoints between steps see the same buffers on every rank. (The batch
// statistics a training forward normalizes with stay the shard's: no SyncBatchNorm.)
void DataParallel::broadcast_buffers() {
  for (const auto& [name, t] : module_.named_buffers()) {
    Tensor handle = t;
    broadcast(handle, 0);
  }
}

}  // namespace gf::distributed
