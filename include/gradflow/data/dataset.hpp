// Datasets and the mini-batch loader, shaped like torch::data / torch.utils.data:
//
//   gf::data::TensorDataset train(X_train, y_train);
//   gf::data::DataLoader loader(train, {.batch_size = 128, .shuffle = true, .seed = 0});
//   for (int epoch = 0; epoch < 10; ++epoch)
//     for (const gf::data::Batch& batch : loader) { ... batch.data, batch.target ... }
//
// Each range-for over the loader is one epoch: begin() draws a new order from the loader's own
// generator (when shuffling), so the epochs differ but the whole run is fixed by `seed`.
// Batches are gathered with one contiguous row copy each (no per-sample tensors), then go through
// the dataset's transform, if it has one: images held as UInt8 and converted per batch,
//
//   gf::data::TensorDataset train(X_uint8, y, gf::data::ToDtype{gf::DType::Float32, true});
//
// give every batch the bits that converting the whole set up front would (transforms.hpp).
#pragma once
#include <cstdint>
#include <vector>

#include "gradflow/data/transforms.hpp"
#include "gradflow/generator.hpp"
#include "gradflow/tensor.hpp"

namespace gf::data {

struct Example {
  Tensor data;
  Tensor target;
};
struct Batch {
  Tensor data;    // [B, features...] contiguous: the features' dtype, or the transform's output
  Tensor target;  // [B, ...] contiguous (Int64 class ids for classification)
};

// Pairs features[i] with labels[i]; both are stored contiguous and detached.
class TensorDataset {
 public:
  TensorDataset() = default;
  // Requires features.dim() >= 1 and labels.size(0) == features.size(0).
  TensorDataset(const Tensor& features, const Tensor& labels);
  // The same, with a transform the features go through on the way out (get, the loader's
  // batches): torchvision's `transform=` argument, applied to whole batches. An empty one: none.
  TensorDataset(const Tensor& features, const Tensor& labels, Transform transform);
  int64_t size() const { return size_; }
  // Row i (i may be negative, from the end): views, or with a transform, transform(row i).
  Example get(int64_t i) const;
  const Tensor& features() const { return features_; }  // as stored (before the transform)
  const Tensor& labels() const { return labels_; }
  const Transform& transform() const { return transform_; }
  // rows -> transform(rows), or rows without a transform (the loader calls it on its batches).
  Tensor transform_features(const Tensor& rows) const {
    return transform_ ? transform_(rows) : rows;
  }

 private:
  Tensor features_, labels_;
  Transform transform_;
  int64_t size_ = 0;
};

struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;
  bool drop_last = false;  // drop the last batch when it is smaller than batch_size
  uint64_t seed = 0;       // seeds the loader's own generator (shuffling)
};

class DataLoader {
 public:
  DataLoader(TensorDataset dataset, DataLoaderOptions options = {});

  class Iterator {
   public:
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    Iterator(const DataLoader* loader, int64_t batch) : loader_(loader), batch_(batch) {}
    Batch operator*() const { return loader_->batch(batch_); }
    Iterator& operator++() {
      ++batch_;
      return *this;
    }
    bool operator==(const Iterator& o) const { return batch_ == o.batch_; }
    bool operator!=(const Iterator& o) const { return batch_ != o.batch_; }

   private:
    const DataLoader* loader_;
    int64_t batch_;
  };
  // Starts an epoch (start_epoch()) and iterates over its batches.
  Iterator begin();
  Iterator end() const { return Iterator(this, size()); }

  // Batches per epoch: ceil(n / batch_size), or floor with drop_last.
  int64_t size() const;
  // Draws this epoch's sample order (a fresh permutation when shuffling, else 0..n-1).
  void start_epoch();
  // Batch b of the current epoch's order (for resuming mid-epoch, or indexing by hand).
  Batch batch(int64_t b) const;
  const std::vector<int64_t>& order() const { return order_; }

  const TensorDataset& dataset() const { return dataset_; }
  const DataLoaderOptions& options() const { return options_; }
  // The shuffling generator's state: save it before an epoch, set it back on resume to replay
  // the same orders.
  Generator::State generator_state() const { return generator_.state(); }
  void set_generator_state(const Generator::State& s) { generator_.set_state(s); }
  Generator& generator() { return generator_; }

 private:
  TensorDataset dataset_;
  DataLoaderOptions options_;
  Generator generator_;
  std::vector<int64_t> order_;
};

}  // namespace gf::data
