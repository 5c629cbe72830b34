// make_classification, make_blobs, make_moons: sklearn.datasets' algorithms (sklearn/datasets/
// _samples_generator.py), drawing from gf::Generator. Values are built in double and converted
// once to the requested dtype.
#include "gradflow/data/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <unordered_set>

#include "gradflow/factories.hpp"
#include "gradflow/generator.hpp"

namespace gf::data {
namespace {

Generator make_generator(const std::optional<uint64_t>& random_state) {
  return Generator(random_state ? *random_state : default_generator().next_u64());
}

// Fisher-Yates permutation of 0..n-1.
std::vector<int64_t> permutation(int64_t n, Generator& g) {
  std::vector<int64_t> p(static_cast<std::size_t>(n));
  std::iota(p.begin(), p.end(), int64_t{0});
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[g.randint(0, i + 1)]);
  return p;
}

// Applies a row permutation to X (n x f, row-major) and y.
void shuffle_rows(std::vector<double>& X, std::vector<double>& y, int64_t n, int64_t f,
                  Generator& g) {
  auto p = permutation(n, g);
  std::vector<double> X2(X.size()), y2(y.size());
  for (int64_t i = 0; i < n; ++i) {
    std::copy_n(X.begin() + p[i] * f, f, X2.begin() + i * f);
    y2[i] = y[p[i]];
  }
  X.swap(X2);
  y.swap(y2);
}

LabeledData finish(std::vector<double> X, std::vector<double> y, int64_t n, int64_t f,
                   const std::optional<DType>& dtype) {
  DType dt = dtype ? *dtype : default_dtype();
  GF_CHECK(is_floating(dt), "make_*: dtype must be floating, got ", dtype_name(dt));
  return {tensor(std::move(X), {n, f}, dt), tensor(std::move(y), {n}, DType::Int64)};
}

// n distinct vertices of the d-dimensional unit hypercube (rows of 0/1), chosen uniformly.
std::vector<std::vector<int>> hypercube_vertices(int64_t n, int64_t d, Generator& g) {
  const int64_t low = std::min<int64_t>(d, 30);  // sklearn also samples distinct low 30 bits
  const uint64_t count = uint64_t{1} << low;
  GF_CHECK(static_cast<uint64_t>(n) <= count, "make_classification: ", n,
           " clusters do not fit on distinct vertices of a ", low, "-dimensional hypercube");
  std::unordered_set<uint64_t> seen;
  std::vector<std::vector<int>> out;
  while (static_cast<int64_t>(out.size()) < n) {
    uint64_t v = g.next_u64() % count;  // count is a power of two: unbiased
    if (!seen.insert(v).second) continue;
    std::vector<int> bits(static_cast<std::size_t>(d));
    for (int64_t j = 0; j < low; ++j) bits[j] = static_cast<int>((v >> j) & 1);
    for (int64_t j = low; j < d; ++j) bits[j] = static_cast<int>(g.next_u64() & 1);
    out.push_back(std::move(bits));
  }
  return out;
}

}  // namespace

LabeledData make_classification(const MakeClassificationOptions& o) {
  const char* op = "make_classification: ";
  GF_CHECK(o.n_samples >= 1 && o.n_features >= 1 && o.n_informative >= 1 && o.n_redundant >= 0 &&
               o.n_repeated >= 0 && o.n_classes >= 1 && o.n_clusters_per_class >= 1,
           op, "sizes must be positive (n_samples=", o.n_samples, ", n_features=", o.n_features,
           ", n_informative=", o.n_informative, ", n_classes=", o.n_classes,
           ", n_clusters_per_class=", o.n_clusters_per_class, ")");
  GF_CHECK(o.n_informative + o.n_redundant + o.n_repeated <= o.n_features, op, "n_informative (",
           o.n_informative, ") + n_redundant (", o.n_redundant, ") + n_repeated (", o.n_repeated,
           ") must not exceed n_features (", o.n_features, ")");
  const int64_t n_clusters = o.n_classes * o.n_clusters_per_class;
  GF_CHECK(o.n_informative >= 62 || n_clusters <= (int64_t{1} << o.n_informative), op,
           "n_classes (", o.n_classes, ") * n_clusters_per_class (", o.n_clusters_per_class,
           ") must be smaller or equal 2**n_informative (", o.n_informative, ")");
  std::vector<double> weights = o.weights;
  if (weights.empty()) weights.assign(static_cast<std::size_t>(o.n_classes), 1.0 / o.n_classes);
  if (static_cast<int64_t>(weights.size()) == o.n_classes - 1)
    weights.push_back(1.0 - std::accumulate(weights.begin(), weights.end(), 0.0));
  GF_CHECK(static_cast<int64_t>(weights.size()) == o.n_classes, op, "weights has ",
           o.weights.size(), " values; need n_classes (", o.n_classes, ") or n_classes - 1");
  for (double w : weights) GF_CHECK(std::isfinite(w) && w >= 0, op, "weights must be >= 0");
  GF_CHECK(o.flip_y >= 0 && o.flip_y <= 1, op, "flip_y must be in [0, 1], got ", o.flip_y);

  Generator g = make_generator(o.random_state);
  const int64_t n = o.n_samples, f = o.n_features, ni = o.n_informative;
  const int64_t nr = o.n_redundant, nrep = o.n_repeated, n_useless = f - ni - nr - nrep;

  // Samples per cluster: the class weight shared by its clusters, remainder round-robin.
  std::vector<int64_t> per_cluster(static_cast<std::size_t>(n_clusters));
  int64_t assigned = 0;
  for (int64_t k = 0; k < n_clusters; ++k) {
    per_cluster[k] = static_cast<int64_t>(n * weights[k % o.n_classes] / o.n_clusters_per_class);
    assigned += per_cluster[k];
  }
  for (int64_t i = 0; i < n - assigned; ++i) ++per_cluster[i % n_clusters];

  // Cluster centres on hypercube vertices of side 2*class_sep.
  auto vertices = hypercube_vertices(n_clusters, ni, g);
  std::vector<double> centroids(static_cast<std::size_t>(n_clusters * ni));
  for (int64_t k = 0; k < n_clusters; ++k)
    for (int64_t j = 0; j < ni; ++j)
      centroids[k * ni + j] = vertices[k][j] * 2 * o.class_sep - o.class_sep;
  if (!o.hypercube) {
    for (int64_t k = 0; k < n_clusters; ++k) {
      double u = g.uniform();
      for (int64_t j = 0; j < ni; ++j) centroids[k * ni + j] *= u;
    }
    for (int64_t j = 0; j < ni; ++j) {
      double u = g.uniform();
      for (int64_t k = 0; k < n_clusters; ++k) centroids[k * ni + j] *= u;
    }
  }

  std::vector<double> X(static_cast<std::size_t>(n * f), 0.0), y(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < ni; ++j) X[i * f + j] = g.normal();
  // Each cluster: x <- x A + centroid with A uniform in [-1, 1]^(ni x ni) (random covariance).
  std::vector<double> A(static_cast<std::size_t>(ni * ni)), row(static_cast<std::size_t>(ni));
  int64_t start = 0;
  for (int64_t k = 0; k < n_clusters; ++k) {
    for (double& a : A) a = 2 * g.uniform() - 1;
    for (int64_t i = start; i < start + per_cluster[k]; ++i) {
      y[i] = static_cast<double>(k % o.n_classes);
      for (int64_t c = 0; c < ni; ++c) {
        double s = 0;
        for (int64_t r = 0; r < ni; ++r) s += X[i * f + r] * A[r * ni + c];
        row[c] = s + centroids[k * ni + c];
      }
      std::copy(row.begin(), row.end(), X.begin() + i * f);
    }
    start += per_cluster[k];
  }
  // Redundant features: random linear combinations of the informative ones.
  if (nr > 0) {
    std::vector<double> B(static_cast<std::size_t>(ni * nr));
    for (double& b : B) b = 2 * g.uniform() - 1;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t c = 0; c < nr; ++c) {
        double s = 0;
        for (int64_t r = 0; r < ni; ++r) s += X[i * f + r] * B[r * nr + c];
        X[i * f + ni + c] = s;
      }
  }
  // Repeated features: copies of randomly chosen informative/redundant ones.
  if (nrep > 0) {
    const int64_t m = ni + nr;
    for (int64_t c = 0; c < nrep; ++c) {
      auto src = static_cast<int64_t>((m - 1) * g.uniform() + 0.5);
      for (int64_t i = 0; i < n; ++i) X[i * f + m + c] = X[i * f + src];
    }
  }
  // Useless features: pure noise.
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = f - n_useless; j < f; ++j) X[i * f + j] = g.normal();
  // Label noise.
  if (o.flip_y > 0)
    for (int64_t i = 0; i < n; ++i)
      if (g.uniform() < o.flip_y) y[i] = static_cast<double>(g.randint(0, o.n_classes));
  // Shift and scale (per feature; random when not given).
  for (int64_t j = 0; j < f; ++j) {
    double shift = o.shift ? *o.shift : (2 * g.uniform() - 1) * o.class_sep;
    for (int64_t i = 0; i < n; ++i) X[i * f + j] += shift;
  }
  for (int64_t j = 0; j < f; ++j) {
    double scale = o.scale ? *o.scale : 1 + 100 * g.uniform();
    for (int64_t i = 0; i < n; ++i) X[i * f + j] *= scale;
  }
  if (o.shuffle) {
    shuffle_rows(X, y, n, f, g);
    auto cols = permutation(f, g);
    std::vector<double> tmp(static_cast<std::size_t>(f));
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < f; ++j) tmp[j] = X[i * f + cols[j]];
      std::copy(tmp.begin(), tmp.end(), X.begin() + i * f);
    }
  }
  return finish(std::move(X), std::move(y), n, f, o.dtype);
}

LabeledData make_blobs(const MakeBlobsOptions& o) {
  const char* op = "make_blobs: ";
  GF_CHECK(o.n_samples >= 1 && o.n_features >= 1, op, "n_samples and n_features must be >= 1");
  GF_CHECK(o.cluster_std >= 0, op, "cluster_std must be >= 0, got ", o.cluster_std);
  Generator g = make_generator(o.random_state);
  const int64_t n = o.n_samples, f = o.n_features;
  std::vector<std::vector<double>> centers = o.center_points;
  if (centers.empty()) {
    GF_CHECK(o.centers >= 1, op, "centers must be >= 1, got ", o.centers);
    centers.assign(static_cast<std::size_t>(o.centers), std::vector<double>(f));
    for (auto& c : centers)
      for (double& v : c)
        v = o.center_box_low + (o.center_box_high - o.center_box_low) * g.uniform();
  }
  for (const auto& c : centers)
    GF_CHECK(static_cast<int64_t>(c.size()) == f, op, "a centre has ", c.size(),
             " coordinates but n_features is ", f);
  const auto k = static_cast<int64_t>(centers.size());
  std::vector<double> X(static_cast<std::size_t>(n * f)), y(static_cast<std::size_t>(n));
  int64_t i = 0;
  for (int64_t c = 0; c < k; ++c) {
    const int64_t count = n / k + (c < n % k ? 1 : 0);
    for (int64_t s = 0; s < count; ++s, ++i) {
      y[i] = static_cast<double>(c);
      for (int64_t j = 0; j < f; ++j) X[i * f + j] = centers[c][j] + o.cluster_std * g.normal();
    }
  }
  if (o.shuffle) shuffle_rows(X, y, n, f, g);
  return finish(std::move(X), std::move(y), n, f, o.dtype);
}

LabeledData make_moons(const MakeMoonsOptions& o) {
  GF_CHECK(o.n_samples >= 1, "make_moons: n_samples must be >= 1, got ", o.n_samples);
  Generator g = make_generator(o.random_state);
  const int64_t n = o.n_samples, n_out = n / 2, n_in = n - n_out;
  std::vector<double> X(static_cast<std::size_t>(n * 2)), y(static_cast<std::size_t>(n));
  auto angle = [](int64_t i, int64_t count) {  // np.linspace(0, pi, count)[i]
    return count == 1 ? 0.0 : std::numbers::pi * static_cast<double>(i) / (count - 1);
  };
  for (int64_t i = 0; i < n_out; ++i) {
    X[2 * i] = std::cos(angle(i, n_out));
    X[2 * i + 1] = std::sin(angle(i, n_out));
    y[i] = 0;
  }
  for (int64_t i = 0; i < n_in; ++i) {
    X[2 * (n_out + i)] = 1 - std::cos(angle(i, n_in));
    X[2 * (n_out + i) + 1] = 1 - std::sin(angle(i, n_in)) - 0.5;
    y[n_out + i] = 1;
  }
  if (o.shuffle) shuffle_rows(X, y, n, 2, g);
  if (o.noise)
    for (double& v : X) v += *o.noise * g.normal();
  return finish(std::move(X), std::move(y), n, 2, o.dtype);
}

}  // namespace gf::data
