// train_test_split (sklearn's ShuffleSplit arithmetic) and Standardizer (StandardScaler).
#include "gradflow/data/preprocessing.hpp"

#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "gradflow/factories.hpp"
#include "gradflow/generator.hpp"
#include "rows.hpp"

namespace gf::data {

namespace {

// sklearn's test-set size for test_size (a fraction in (0, 1) or a whole count).
int64_t test_count(int64_t n, double test_size, const char* op) {
  int64_t n_test = 0;
  if (test_size > 0 && test_size < 1) {
    n_test = static_cast<int64_t>(std::ceil(test_size * static_cast<double>(n)));
  } else {
    GF_CHECK(test_size >= 1 && test_size == std::floor(test_size), op, "test_size=", test_size,
             " must be a fraction in (0, 1) or a whole number of samples");
    n_test = static_cast<int64_t>(test_size);
  }
  GF_CHECK(n_test >= 1 && n - n_test >= 1, op, "with n_samples=", n, " and test_size=", test_size,
           " the train set would have ", n - n_test, " samples and the test set ", n_test);
  return n_test;
}

void check_pair(const Tensor& X, const Tensor& y, const char* op) {
  GF_CHECK(X.defined() && y.defined() && X.dim() >= 1 && y.dim() >= 1, op,
           "X and y need a sample dimension");
  GF_CHECK(X.size(0) == y.size(0), op, "X has ", X.size(0), " samples (shape ", X.sizes(),
           ") but y has ", y.size(0), " (shape ", y.sizes(), ")");
}

// The shuffled order: a Fisher-Yates permutation from Generator(seed); its first n_test entries
// are the test set.
std::vector<int64_t> shuffled(int64_t n, uint64_t seed) {
  std::vector<int64_t> p(static_cast<std::size_t>(n));
  std::iota(p.begin(), p.end(), int64_t{0});
  Generator g(seed);
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[g.randint(0, i + 1)]);
  return p;
}

// Rearranges the rows of t so that new row i = old row src[i], following each cycle of the
// permutation with one row of scratch.
void permute_rows(Tensor& t, const std::vector<int64_t>& src) {
  const int64_t n = t.size(0);
  const std::size_t row = static_cast<std::size_t>(n ? t.numel() / n : 0) * element_size(t.dtype());
  if (row == 0) return;
  char* base =
      static_cast<char*>(t.impl().storage->data) + t.storage_offset() * element_size(t.dtype());
  std::vector<char> scratch(row);
  std::vector<bool> done(static_cast<std::size_t>(n), false);
  for (int64_t start = 0; start < n; ++start) {
    if (done[start]) continue;
    std::memcpy(scratch.data(), base + start * row, row);
    int64_t i = start;
    while (src[i] != start) {
      std::memcpy(base + i * row, base + src[i] * row, row);
      done[i] = true;
      i = src[i];
    }
    std::memcpy(base + i * row, scratch.data(), row);
    done[i] = true;
  }
}

}  // namespace

TrainTestSplit train_test_split(const Tensor& X, const Tensor& y, double test_size, uint64_t seed,
                                bool shuffle) {
  const char* op = "train_test_split: ";
  check_pair(X, y, op);
  const int64_t n = X.size(0);
  const int64_t n_test = test_count(n, test_size, op), n_train = n - n_test;
  std::vector<int64_t> p;
  const int64_t *test_idx = nullptr, *train_idx = nullptr;
  if (shuffle) {
    p = shuffled(n, seed);
    test_idx = p.data();
    train_idx = p.data() + n_test;
  } else {
    p.resize(static_cast<std::size_t>(n));
    std::iota(p.begin(), p.end(), int64_t{0});
    train_idx = p.data();
    test_idx = p.data() + n_train;
  }
  Tensor Xc = detail::contiguous_data(X), yc = detail::contiguous_data(y);
  return {detail::take_rows(Xc, train_idx, n_train), detail::take_rows(Xc, test_idx, n_test),
          detail::take_rows(yc, train_idx, n_train), detail::take_rows(yc, test_idx, n_test)};
}

TrainTestSplit train_test_split_in_place(Tensor& X, Tensor& y, double test_size, uint64_t seed) {
  const char* op = "train_test_split_in_place: ";
  check_pair(X, y, op);
  GF_CHECK(X.is_contiguous() && y.is_contiguous(), op, "X and y must be contiguous");
  GF_CHECK(!X.requires_grad() && !y.requires_grad(), op, "X and y must not require grad");
  const int64_t n = X.size(0);
  const int64_t n_test = test_count(n, test_size, op), n_train = n - n_test;
  // train_test_split's order: train = p[n_test..n), then test = p[0..n_test).
  std::vector<int64_t> p = shuffled(n, seed), src;
  src.reserve(static_cast<std::size_t>(n));
  src.insert(src.end(), p.begin() + n_test, p.end());
  src.insert(src.end(), p.begin(), p.begin() + n_test);
  permute_rows(X, src);
  permute_rows(y, src);
  return {X.slice(0, 0, n_train), X.slice(0, n_train, n), y.slice(0, 0, n_train),
          y.slice(0, n_train, n)};
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
