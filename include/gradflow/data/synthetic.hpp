// Synthetic data sets with scikit-learn's parameters and meaning (sklearn.datasets), drawn from
// gradflow's own Generator: the same semantics as sklearn, not the same random stream.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::data {

struct LabeledData {
  Tensor X;  // [n_samples, n_features], the requested floating dtype
  Tensor y;  // [n_samples] Int64 class ids
};

struct MakeClassificationOptions {
  int64_t n_samples = 100;
  int64_t n_features = 20;
  int64_t n_informative = 2;
  int64_t n_redundant = 2;
  int64_t n_repeated = 0;
  int64_t n_classes = 2;
  int64_t n_clusters_per_class = 2;
  std::vector<double>
      weights;             // class proportions (n_classes or n_classes-1 values); empty = equal
  double flip_y = 0.01;    // fraction of labels replaced by a random class
  double class_sep = 1.0;  // hypercube side is 2*class_sep
  bool hypercube = true;   // clusters on hypercube vertices (else a random polytope)
  std::optional<double> shift =
      0.0;  // nullopt: random shift in [-class_sep, class_sep] per feature
  std::optional<double> scale = 1.0;     // nullopt: random scale in [1, 101] per feature
  bool shuffle = true;                   // shuffle samples and features
  std::optional<uint64_t> random_state;  // nullopt: drawn from the default generator
  std::optional<DType> dtype;            // nullopt: default_dtype()
};

// sklearn.datasets.make_classification: n_clusters_per_class gaussian clusters per class, centred
// on distinct vertices of a hypercube of side 2*class_sep in the n_informative subspace, each
// with a random covariance (standard normals times a random matrix); then n_redundant random
// linear combinations of the informative features, n_repeated copies of random earlier
// features, standard-normal noise features, flip_y label noise, shift, scale and shuffling.
// Without shuffling the columns are [informative, redundant, repeated, noise].
LabeledData make_classification(const MakeClassificationOptions& options = {});

struct MakeBlobsOptions {
  int64_t n_samples = 100;
  int64_t n_features = 2;
  int64_t centers = 3;  // number of centres drawn in center_box (when no centre_points)
  std::vector<std::vector<double>> center_points;  // explicit centres (overrides centers)
  double cluster_std = 1.0;
  double center_box_low = -10.0, center_box_high = 10.0;
  bool shuffle = true;
  std::optional<uint64_t> random_state;
  std::optional<DType> dtype;
};
// sklearn.datasets.make_blobs: isotropic gaussian blobs, samples split evenly between centres.
LabeledData make_blobs(const MakeBlobsOptions& options = {});

struct MakeMoonsOptions {
  int64_t n_samples = 100;
  bool shuffle = true;
  std::optional<double> noise;  // std of gaussian noise added to the points
  std::optional<uint64_t> random_state;
  std::optional<DType> dtype;
};
// sklearn.datasets.make_moons: two interleaving half circles (outer class 0, inner class 1).
LabeledData make_moons(const MakeMoonsOptions& options = {});

}  // namespace gf::data
