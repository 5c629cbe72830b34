// TensorDataset and DataLoader: shuffling with the loader's generator, batches gathered by
// detail::take_rows (one memcpy per row into the batch buffer), then the dataset's transform.
#include "gradflow/data/dataset.hpp"

#include <numeric>
#include <utility>

#include "rows.hpp"

namespace gf::data {

TensorDataset::TensorDataset(const Tensor& features, const Tensor& labels) {
  GF_CHECK(features.defined() && labels.defined(), "TensorDataset: undefined tensor");
  GF_CHECK(features.dim() >= 1 && labels.dim() >= 1,
           "TensorDataset: features and labels need a first (sample) dimension; got shapes ",
           features.sizes(), " and ", labels.sizes());
  GF_CHECK(features.size(0) == labels.size(0), "TensorDataset: features have ", features.size(0),
           " samples (shape ", features.sizes(), ") but labels have ", labels.size(0), " (shape ",
           labels.sizes(), ")");
  features_ = detail::contiguous_data(features);
  labels_ = detail::contiguous_data(labels);
  size_ = features.size(0);
}

TensorDataset::TensorDataset(const Tensor& features, const Tensor& labels, Transform transform)
    : TensorDataset(features, labels) {
  transform_ = std::move(transform);
}

Example TensorDataset::get(int64_t i) const {
  GF_CHECK(i >= -size_ && i < size_, "TensorDataset::get: index ", i,
           " is out of range for a dataset of size ", size_);
  if (i < 0) i += size_;
  return {transform_features(features_.select(0, i)), labels_.select(0, i)};
}

DataLoader::DataLoader(TensorDataset dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options), generator_(options.seed) {
  GF_CHECK(options_.batch_size >= 1, "DataLoader: batch_size must be at least 1, got ",
           options_.batch_size);
  order_.resize(static_cast<std::size_t>(dataset_.size()));
  std::iota(order_.begin(), order_.end(), int64_t{0});
}

int64_t DataLoader::size() const {
  const int64_t n = dataset_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

void DataLoader::start_epoch() {
  std::iota(order_.begin(), order_.end(), int64_t{0});
  if (!options_.shuffle) return;
  // Fisher-Yates: every permutation equally likely.
  for (int64_t i = static_cast<int64_t>(order_.size()) - 1; i > 0; --i)
    std::swap(order_[i], order_[generator_.randint(0, i + 1)]);
}

DataLoader::Iterator DataLoader::begin() {
  start_epoch();
  return Iterator(this, 0);
}

Batch DataLoader::batch(int64_t b) const {
  GF_CHECK(b >= 0 && b < size(), "DataLoader::batch: batch ", b, " is out of range (", size(),
           " batches per epoch)");
  const int64_t start = b * options_.batch_size;
  const int64_t n = std::min(options_.batch_size, dataset_.size() - start);
  const int64_t* idx = order_.data() + start;
  return {dataset_.transform_features(detail::take_rows(dataset_.features(), idx, n)),
          detail::take_rows(dataset_.labels(), idx, n)};
}

}  // namespace gf::data
