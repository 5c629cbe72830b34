// train_test_split (sklearn's ShuffleSplit arithmetic) and Standardizer (StandardScaler).
#include "gradflow/data/preprocessing.hpp"

#include <cmath>
#include <numeric>
#include <vector>

#include "gradflow/factories.hpp"
#include "gradflow/generator.hpp"
#include "rows.hpp"

namespace gf::data {

TrainTestSplit train_test_split(const Tensor& X, const Tensor& y, double test_size, uint64_t seed,
                                bool shuffle) {
  const char* op = "train_test_split: ";
  GF_CHECK(X.defined() && y.defined() && X.dim() >= 1 && y.dim() >= 1, op,
           "X and y need a sample dimension");
  GF_CHECK(X.size(0) == y.size(0), op, "X has ", X.size(0), " samples (shape ", X.sizes(),
           ") but y has ", y.size(0), " (shape ", y.sizes(), ")");
  const int64_t n = X.size(0);
  int64_t n_test = 0;
  if (test_size > 0 && test_size < 1) {
    n_test = static_cast<int64_t>(std::ceil(test_size * static_cast<double>(n)));
  } else {
    GF_CHECK(test_size >= 1 && test_size == std::floor(test_size), op, "test_size=", test_size,
             " must be a fraction in (0, 1) or a whole number of samples");
    n_test = static_cast<int64_t>(test_size);
  }
  const int64_t n_train = n - n_test;
  GF_CHECK(n_test >= 1 && n_train >= 1, op, "with n_samples=", n, " and test_size=", test_size,
           " the train set would have ", n_train, " samples and the test set ", n_test);
  std::vector<int64_t> p(static_cast<std::size_t>(n));
  std::iota(p.begin(), p.end(), int64_t{0});
  const int64_t *test_idx = nullptr, *train_idx = nullptr;
  if (shuffle) {
    Generator g(seed);
    for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[g.randint(0, i + 1)]);
    test_idx = p.data();
    train_idx = p.data() + n_test;
  } else {
    train_idx = p.data();
    test_idx = p.data() + n_train;
  }
  Tensor Xc = detail::contiguous_data(X), yc = detail::contiguous_data(y);
  return {detail::take_rows(Xc, train_idx, n_train), detail::take_rows(Xc, test_idx, n_test),
          detail::take_rows(yc, train_idx, n_train), detail::take_rows(yc, test_idx, n_test)};
}

namespace {
Shape feature_shape(const Tensor& X) {
  Shape s = X.sizes();
  s.erase(0);
  return s;
}
}  // namespace

Standardizer::Standardizer(const Tensor& mean, const Tensor& scale) {
  GF_CHECK(mean.defined() && scale.defined() && mean.sizes() == scale.sizes(),
           "Standardizer: mean and scale must have the same shape");
  // Own copies (clone is contiguous), so later edits of the caller's tensors do not leak in.
  mean_ = mean.detach().to(DType::Float64).clone().detach();
  scale_ = scale.detach().to(DType::Float64).clone().detach();
}

Standardizer& Standardizer::fit(const Tensor& X) {
  GF_CHECK(X.defined() && X.dim() >= 1 && X.size(0) >= 1,
           "Standardizer::fit: needs at least one sample, got shape ",
           X.defined() ? X.sizes() : Shape{});
  Tensor Xd = X.detach().to(DType::Float64).contiguous().detach();
  const int64_t n = X.size(0), f = n ? X.numel() / n : 0;
  mean_ = zeros(feature_shape(X), DType::Float64);
  scale_ = zeros(feature_shape(X), DType::Float64);
  const double* x = Xd.data_ptr<double>();
  double* m = mean_.data_ptr<double>();
  double* s = scale_.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j) m[j] += x[i * f + j];
  for (int64_t j = 0; j < f; ++j) m[j] /= static_cast<double>(n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j) {
      double d = x[i * f + j] - m[j];
      s[j] += d * d;
    }
  for (int64_t j = 0; j < f; ++j) {
    s[j] = std::sqrt(s[j] / static_cast<double>(n));  // population std (ddof = 0)
    if (s[j] == 0.0 || !std::isfinite(s[j])) s[j] = 1.0;
  }
  return *this;
}

namespace {
Tensor apply(const Tensor& X, const Tensor& mean, const Tensor& scale, bool inverse,
             const char* op) {
  GF_CHECK(mean.defined(), op, ": the Standardizer is not fitted (call fit first)");
  GF_CHECK(X.defined() && X.dim() >= 1 && feature_shape(X) == mean.sizes(), op,
           ": expected samples of shape ", mean.sizes(), " (fitted), got X of shape ",
           X.defined() ? X.sizes() : Shape{});
  DType dt = is_floating(X.dtype()) ? X.dtype() : default_dtype();
  Tensor Xc = detail::contiguous_data(X);
  Tensor out = empty(X.sizes(), dt);
  const int64_t n = X.size(0), f = mean.numel();
  const double* m = mean.data_ptr<double>();
  const double* s = scale.data_ptr<double>();
  dispatch(Xc.dtype(), [&](auto in_tag) {
    using In = decltype(in_tag);
    const In* x = Xc.data_ptr<In>();
    dispatch_floating(dt, [&](auto out_tag) {
      using Out = decltype(out_tag);
      Out* o = out.data_ptr<Out>();
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < f; ++j) {
          double v = static_cast<double>(x[i * f + j]);
          o[i * f + j] = static_cast<Out>(inverse ? v * s[j] + m[j] : (v - m[j]) / s[j]);
        }
    });
  });
  return out;
}
}  // namespace

Tensor Standardizer::transform(const Tensor& X) const {
  return apply(X, mean_, scale_, false, "Standardizer::transform");
}
Tensor Standardizer::inverse_transform(const Tensor& Z) const {
  return apply(Z, mean_, scale_, true, "Standardizer::inverse_transform");
}

}  // namespace gf::data
