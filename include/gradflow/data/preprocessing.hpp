// Splitting and feature scaling, as sklearn.model_selection.train_test_split and
// sklearn.preprocessing.StandardScaler.
#pragma once
#include <cstdint>

#include "gradflow/tensor.hpp"

namespace gf::data {

struct TrainTestSplit {
  Tensor X_train, X_test, y_train, y_test;
};

// Like sklearn: test_size in (0, 1) is a fraction and the test set has ceil(test_size * n)
// samples; test_size >= 1 (a whole number) is a count. shuffle=true permutes with a Generator
// seeded by `seed` and takes the first n_test indices of the permutation as the test set;
// shuffle=false keeps order (train first, test last).
TrainTestSplit train_test_split(const Tensor& X, const Tensor& y, double test_size = 0.25,
                                uint64_t seed = 0, bool shuffle = true);

// The same split as train_test_split(X, y, test_size, seed) — same rows, same order — without a
// copy: the rows of X and y are permuted in place (cycle by cycle, one row of scratch) so that
// the train rows come first and the test rows last, and the four results are views of X's and
// y's buffers. For a training set too large to hold twice. X and y must be contiguous, not
// require grad, and not share storage with anything that expects the old order.
TrainTestSplit train_test_split_in_place(Tensor& X, Tensor& y, double test_size = 0.25,
                                         uint64_t seed = 0);

// Per-feature standardization z = (x - mean) / std with population std (ddof = 0), like
// StandardScaler; a feature with zero std gets scale 1 (it is only centred).
class Standardizer {
 public:
  Standardizer() = default;
  Standardizer(const Tensor& mean, const Tensor& scale);  // restore from a checkpoint
  // X: [n, features...] floating; statistics over dim 0, computed in double.
  Standardizer& fit(const Tensor& X);
  Tensor transform(const Tensor& X) const;  // same shape and dtype as X
  Tensor fit_transform(const Tensor& X) { return fit(X).transform(X); }
  Tensor inverse_transform(const Tensor& Z) const;
  bool fitted() const { return mean_.defined(); }
  const Tensor& mean() const { return mean_; }    // [features...] Float64
  const Tensor& scale() const { return scale_; }  // [features...] Float64, the std (0 -> 1)

 private:
  Tensor mean_, scale_;
};

}  // namespace gf::data
