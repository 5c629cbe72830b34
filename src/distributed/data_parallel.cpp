// DataParallel (rank 0's parameters broadcast, gradients averaged in buckets) and shard().
#include <cstring>

#include "gradflow/distributed/distributed.hpp"
#include "gradflow/error.hpp"
#include "gradflow/factories.hpp"

namespace gf::distributed {
namespace {

// The bytes of a contiguous tensor of any dtype.
char* bytes_of(const Tensor& t) {
  return static_cast<char*>(t.impl().storage->data) +
         t.impl().offset * static_cast<int64_t>(element_size(t.dtype()));
}

// One all-reduce (mean) for a run of same-dtype gradients: packed into one flat buffer,
// reduced, unpacked.
void reduce_bucket(const std::vector<Tensor>& grads) {
  int64_t n = 0;
  for (const Tensor& g : grads) n += g.numel();
  const DType dtype = grads.front().dtype();
  const size_t esize = element_size(dtype);
  Tensor flat = empty(Shape{n}, dtype);
  char* out = bytes_of(flat);
  for (const Tensor& g : grads) {
    std::memcpy(out, bytes_of(g), static_cast<size_t>(g.numel()) * esize);
    out += g.numel() * static_cast<int64_t>(esize);
  }
  all_reduce(flat, ReduceOp::Mean);
  const char* in = bytes_of(flat);
  for (const Tensor& g : grads) {
    std::memcpy(bytes_of(g), in, static_cast<size_t>(g.numel()) * esize);
    in += g.numel() * static_cast<int64_t>(esize);
  }
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

DataParallel::DataParallel(nn::Module& module, int64_t bucket_bytes)
    : module_(module), bucket_bytes_(bucket_bytes) {
  GF_CHECK(bucket_bytes > 0, "DataParallel: bucket_bytes must be positive, got ", bucket_bytes);
  init();
  // Every rank starts from rank 0's parameters and buffers.
  NoGradGuard no_grad;
  for (const auto& group : {module_.named_parameters(), module_.named_buffers()})
    for (const auto& [name, t] : group) {
      GF_CHECK(t.is_contiguous(), "DataParallel: parameter ", name, " is not contiguous");
      Tensor handle = t;
      broadcast(handle, 0);
    }
}

void DataParallel::sync_gradients() {
  buckets_ = 0;
  std::vector<Tensor> bucket;
  int64_t bytes = 0;
  auto flush = [&] {
    if (bucket.empty()) return;
    reduce_bucket(bucket);
    ++buckets_;
    bucket.clear();
    bytes = 0;
  };
  for (Tensor& p : module_.parameters()) {
    if (!p.requires_grad()) continue;
    // A parameter backward did not reach has a zero gradient on this rank (another rank's
    // shard may have reached it): every rank reduces the same list.
    Tensor g = p.grad();
    if (!g.defined() || !g.is_contiguous()) {
      g = g.defined() ? g.contiguous() : zeros_like(p);
      p.set_grad(g);
    }
    if (!bucket.empty() &&
        (bucket.front().dtype() != g.dtype() ||
         bytes + g.numel() * static_cast<int64_t>(element_size(g.dtype())) > bucket_bytes_))
      flush();
    bucket.push_back(g);
    bytes += g.numel() * static_cast<int64_t>(element_size(g.dtype()));
  }
  flush();
}

}  // namespace gf::distributed
