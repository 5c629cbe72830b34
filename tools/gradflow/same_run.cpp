// check_same_run_on_every_rank: the ranks of `mpirun -np N gradflow train` compare what they are
// about to train (a rank started with other flags, or reading another copy of the data, would
// silently average gradients of different problems).
#include <cstring>
#include <gradflow/distributed/distributed.hpp>
#include <gradflow/factories.hpp>

#include "command.hpp"
#include "training.hpp"

namespace gf::cli {
namespace {

// FNV-1a, 64 bits, over bytes.
struct Hash {
  uint64_t h = 1469598103934665603ull;
  void add(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  }
  void add(const Tensor& t) {
    if (!t.defined()) return;
    Tensor c = t.contiguous();
    const int64_t shape[2] = {c.dim(), c.numel()};
    add(shape, sizeof shape);
    add(static_cast<const char*>(c.impl().storage->data) +
            c.impl().offset * static_cast<int64_t>(element_size(c.dtype())),
        static_cast<size_t>(c.numel()) * element_size(c.dtype()));
  }
};

int64_t as_int(uint64_t h) {
  int64_t v;
  std::memcpy(&v, &h, sizeof v);
  return v;
}

}  // namespace

void check_same_run_on_every_rank(const TrainConfig& config, const DataSets& data) {
  namespace dist = distributed;
  const int world = dist::world_size(), rank = dist::rank();
  if (world == 1) return;
  Hash c, d;
  const std::string text = dump_json(to_json(config));
  c.add(text.data(), text.size());
  for (const Split* s : {&data.train, &data.valid, &data.test}) d.add(s->X), d.add(s->y);
  // Rank 0's hashes to everyone; each rank marks its own slot (1: config, 2: data differ).
  Tensor mine = tensor({0.0, 0.0}, DType::Int64);
  mine.data_ptr<int64_t>()[0] = as_int(c.h), mine.data_ptr<int64_t>()[1] = as_int(d.h);
  Tensor lead = mine.clone();
  dist::broadcast(lead, 0);
  Tensor differs = zeros({world}, DType::Int64);
  differs.data_ptr<int64_t>()[rank] = (lead.data_ptr<int64_t>()[0] != as_int(c.h) ? 1 : 0) |
                                      (lead.data_ptr<int64_t>()[1] != as_int(d.h) ? 2 : 0);
  dist::all_reduce(differs, dist::ReduceOp::Sum);
  std::string message;
  for (int r = 1; r < world; ++r) {
    const int64_t f = differs.data_ptr<int64_t>()[r];
    if (f == 0) continue;
    message += (message.empty() ? "" : "; ") + std::string("rank ") + std::to_string(r) + " of " +
               std::to_string(world) + " started with a different " +
               (f == 3   ? "configuration and data"
                : f == 1 ? "configuration"
                         : "data") +
               " than rank 0";
  }
  if (message.empty()) return;
  if (rank == 0)
    throw UsageError(message +
                     ": every rank must run the same gradflow train command on the same data; "
                     "nothing was trained");
  throw ExitStatus{2};  // rank 0 reports it and ends the job
}

}  // namespace gf::cli
