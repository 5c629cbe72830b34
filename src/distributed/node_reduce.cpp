// NodeReduce: the one-host gradient sum over an MPI-3 shared-memory window (node_reduce.hpp).
#include "node_reduce.hpp"

#include <exception>
#include <vector>

#include "gradflow/distributed/distributed.hpp"
#include "gradflow/error.hpp"

#if GF_WITH_MPI
#include <mpi.h>
#endif

namespace gf::distributed {

struct NodeReduce::Window {
  int64_t count = 0;
  DType dtype = DType::Float32;
  int rank = 0;
  std::vector<char*> segments;  // per rank: its two input buffers, one after the other
#if GF_WITH_MPI
  MPI_Comm node = MPI_COMM_NULL;
  MPI_Win win = MPI_WIN_NULL;
#endif
  int64_t bytes() const { return count * static_cast<int64_t>(element_size(dtype)); }
  char* buffer(int r, int parity) const { return segments[static_cast<size_t>(r)] + parity * bytes(); }
};

namespace {

// out[i] = (in[0][i] + in[1][i] + ...) / divisor, left to right on every rank.
template <typename T>
void sum_into(const std::vector<const T*>& in, T* __restrict out, int64_t n, T divisor) {
  const size_t w = in.size();
  if (w == 2) {  // the common case, one fused pass the compiler vectorises
    const T* __restrict a = in[0];
    const T* __restrict b = in[1];
    if (divisor == T(1))
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
    else
      for (int64_t i = 0; i < n; ++i) out[i] = (a[i] + b[i]) / divisor;
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i] = in[0][i];
  for (size_t r = 1; r < w; ++r)
    for (int64_t i = 0; i < n; ++i) out[i] += in[r][i];
  if (divisor != T(1))
    for (int64_t i = 0; i < n; ++i) out[i] /= divisor;
}

}  // namespace

#if GF_WITH_MPI
std::unique_ptr<NodeReduce> NodeReduce::create(int64_t count, DType dtype) {
  if (world_size() < 2) return nullptr;
  GF_CHECK(dtype == DType::Float32 || dtype == DType::Float64,
           "NodeReduce: gradients must be float32 or float64, got ", dtype_name(dtype));
  auto w = std::make_unique<Window>();
  w->count = count;
  w->dtype = dtype;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &w->node);
  int node_size = 0;
  MPI_Comm_size(w->node, &node_size);
  MPI_Comm_rank(w->node, &w->rank);
  // Every rank sees the same answer: a world spanning hosts gives each a smaller communicator.
  if (node_size != world_size()) {
    MPI_Comm_free(&w->node);
    return nullptr;
  }
  MPI_Comm_set_errhandler(w->node, MPI_ERRORS_RETURN);
  char* base = nullptr;
  int rc = MPI_Win_allocate_shared(static_cast<MPI_Aint>(2 * w->bytes()), 1, MPI_INFO_NULL,
                                   w->node, &base, &w->win);
  // Fall back to MPI_Allreduce together if any rank could not map the window.
  int ok = rc == MPI_SUCCESS ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, w->node);
  if (!ok) {
    if (rc == MPI_SUCCESS) MPI_Win_free(&w->win);
    MPI_Comm_free(&w->node);
    return nullptr;
  }
  w->segments.resize(static_cast<size_t>(node_size));
  for (int r = 0; r < node_size; ++r) {
    MPI_Aint size = 0;
    int unit = 0;
    void* p = nullptr;
    MPI_Win_shared_query(w->win, r, &size, &unit, &p);
    w->segments[static_cast<size_t>(r)] = static_cast<char*>(p);
  }
  // One passive-target epoch for the window's life: loads and stores, ordered by MPI_Win_sync.
  MPI_Win_lock_all(MPI_MODE_NOCHECK, w->win);
  std::unique_ptr<NodeReduce> n(new NodeReduce());
  n->w_ = std::move(w);
  return n;
}

NodeReduce::~NodeReduce() {
  // MPI_Win_free is collective: a rank unwinding an exception alone would wait there for the
  // others forever. The job is aborted on such an error anyway; the mapping goes with it.
  if (std::uncaught_exceptions() > 0) return;
  MPI_Win_unlock_all(w_->win);
  MPI_Win_free(&w_->win);
  MPI_Comm_free(&w_->node);
}

void NodeReduce::reduce(int parity, Tensor& out, double divisor) {
  GF_CHECK(out.is_contiguous() && out.numel() == w_->count && out.dtype() == w_->dtype,
           "NodeReduce::reduce: the output must be a contiguous ", dtype_name(w_->dtype),
           " tensor of ", w_->count, " elements");
  // The MPI-3 shared-memory idiom: make this rank's stores visible, meet, see the others'.
  MPI_Win_sync(w_->win);
  int rc = MPI_Barrier(w_->node);
  GF_CHECK(rc == MPI_SUCCESS, "DataParallel: MPI_Barrier failed on rank ", rank(), " of ",
           world_size());
  MPI_Win_sync(w_->win);
  dispatch_floating(w_->dtype, [&](auto tag) {
    using T = decltype(tag);
    std::vector<const T*> in;
    for (size_t r = 0; r < w_->segments.size(); ++r)
      in.push_back(reinterpret_cast<const T*>(w_->buffer(static_cast<int>(r), parity)));
    sum_into<T>(in, out.data_ptr<T>(), w_->count, static_cast<T>(divisor));
  });
}
#else
std::unique_ptr<NodeReduce> NodeReduce::create(int64_t, DType) { return nullptr; }
NodeReduce::~NodeReduce() = default;
void NodeReduce::reduce(int, Tensor&, double) {}
#endif

Tensor NodeReduce::input(int parity) const {
  auto storage = std::make_shared<Storage>(0);
  storage->data = w_->buffer(w_->rank, parity);
  storage->nbytes = static_cast<size_t>(w_->bytes());
  // Memory of the window, not of the allocator: a non-empty owner keeps ~Storage from freeing
  // it. The window outlives every tensor over it (DataParallel's destructor copies .grad out).
  storage->owner = std::shared_ptr<void>(storage->data, [](void*) {});
  return Tensor(std::make_shared<TensorImpl>(std::move(storage), Shape{w_->count}, Shape{1}, 0,
                                             w_->dtype));
}

}  // namespace gf::distributed
