// gf::data: TensorDataset / DataLoader, make_classification / make_blobs / make_moons,
// train_test_split, Standardizer, the IDX and CSV readers (valid, corrupt and truncated files).
// Expected values from first principles and from the fixture formulas in
// tests/reference/data_fixtures.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <gradflow/data/csv.hpp>
#include <gradflow/data/dataset.hpp>
#include <gradflow/data/idx.hpp>
#include <gradflow/data/preprocessing.hpp>
#include <gradflow/data/synthetic.hpp>
#include <gradflow/factories.hpp>
#include <numeric>
#include <set>

#include "support/files.hpp"

using namespace gf;
using namespace gf::data;

namespace {
const std::string kFixtures = std::string(GF_SOURCE_DIR) + "/tests/fixtures";

// features row i = [i, 100 + i], label i = 10 * i.
TensorDataset numbered(int64_t n) {
  std::vector<double> x, y;
  for (int64_t i = 0; i < n; ++i) {
    x.push_back(static_cast<double>(i));
    x.push_back(100.0 + static_cast<double>(i));
    y.push_back(10.0 * static_cast<double>(i));
  }
  return TensorDataset(tensor(x, {n, 2}, DType::Float64), tensor(y, {n}, DType::Int64));
}

std::vector<int64_t> epoch_ids(DataLoader& loader, std::vector<int64_t>* batch_sizes = nullptr) {
  std::vector<int64_t> ids;
  for (const Batch& b : loader) {
    if (batch_sizes) batch_sizes->push_back(b.data.size(0));
    auto x = b.data.tolist();
    auto y = b.target.tolist();
    EXPECT_EQ(b.data.size(1), 2);
    for (int64_t i = 0; i < b.data.size(0); ++i) {
      EXPECT_EQ(x[2 * i + 1], 100 + x[2 * i]);  // rows stay whole
      EXPECT_EQ(y[i], 10 * x[2 * i]);           // and paired with their label
      ids.push_back(static_cast<int64_t>(x[2 * i]));
    }
  }
  return ids;
}
}  // namespace

// ---- TensorDataset / DataLoader ----------------------------------------------------------

TEST(TensorDataset, SizeAndGet) {
  TensorDataset d = numbered(5);
  EXPECT_EQ(d.size(), 5);
  Example e = d.get(3);
  EXPECT_EQ(e.data.tolist(), (std::vector<double>{3, 103}));
  EXPECT_EQ(e.target.item(), 30);
  EXPECT_EQ(d.get(-1).target.item(), 40);
  EXPECT_ERROR_WITH(d.get(5), "index 5 is out of range for a dataset of size 5");
  EXPECT_ERROR_WITH(TensorDataset(zeros({4, 2}), zeros({3}, DType::Int64)),
                    "features have 4 samples (shape [4, 2]) but labels have 3");
}

TEST(DataLoader, SequentialBatchesCoverEverySampleOnce) {
  DataLoader loader(numbered(10), {.batch_size = 3});
  EXPECT_EQ(loader.size(), 4);
  std::vector<int64_t> sizes;
  auto ids = epoch_ids(loader, &sizes);
  EXPECT_EQ(sizes, (std::vector<int64_t>{3, 3, 3, 1}));
  std::vector<int64_t> expected(10);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(ids, expected);
}

TEST(DataLoader, DropLastDropsTheShortBatch) {
  DataLoader loader(numbered(10), {.batch_size = 3, .shuffle = true, .drop_last = true, .seed = 1});
  EXPECT_EQ(loader.size(), 3);
  std::vector<int64_t> sizes;
  auto ids = epoch_ids(loader, &sizes);
  EXPECT_EQ(sizes, (std::vector<int64_t>{3, 3, 3}));
  std::set<int64_t> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), 9u);  // 9 distinct samples, one left out
}

TEST(DataLoader, ShuffleIsAPermutationEachEpochAndSeeded) {
  DataLoader a(numbered(50), {.batch_size = 8, .shuffle = true, .seed = 7});
  DataLoader b(numbered(50), {.batch_size = 8, .shuffle = true, .seed = 7});
  DataLoader c(numbered(50), {.batch_size = 8, .shuffle = true, .seed = 8});
  auto a1 = epoch_ids(a), a2 = epoch_ids(a);
  auto b1 = epoch_ids(b), b2 = epoch_ids(b);
  auto c1 = epoch_ids(c);
  std::vector<int64_t> sorted = a1;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> all(50);
  std::iota(all.begin(), all.end(), 0);
  EXPECT_EQ(sorted, all);  // every sample exactly once
  sorted = a2;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, all);
  EXPECT_NE(a1, all);  // shuffled
  EXPECT_NE(a1, a2);   // a new order each epoch
  EXPECT_EQ(a1, b1);   // same seed, same orders
  EXPECT_EQ(a2, b2);
  EXPECT_NE(a1, c1);  // another seed, another order
}

TEST(DataLoader, GeneratorStateResumesTheSameOrder) {
  DataLoader a(numbered(20), {.batch_size = 4, .shuffle = true, .seed = 3});
  epoch_ids(a);
  Generator::State saved = a.generator_state();  // checkpoint after epoch 1
  auto epoch2 = epoch_ids(a);
  DataLoader resumed(numbered(20), {.batch_size = 4, .shuffle = true, .seed = 99});
  resumed.set_generator_state(saved);
  EXPECT_EQ(epoch_ids(resumed), epoch2);
  // Mid-epoch access by batch index.
  resumed.set_generator_state(saved);
  resumed.start_epoch();
  EXPECT_EQ(resumed.batch(1).data.tolist(), a.batch(1).data.tolist());
  EXPECT_ERROR_WITH(a.batch(5), "batch 5 is out of range (5 batches per epoch)");
  EXPECT_ERROR_WITH(DataLoader(numbered(3), {.batch_size = 0}), "batch_size must be at least 1");
}

// ---- synthetic data ------------------------------------------------------------------------

TEST(MakeClassification, Seed003ShapeDtypeAndBalance) {
  // Seed 003: make_classification(n_samples=100, n_features=5, n_classes=3, n_informative=4,
  // n_redundant=0), float64.
  auto d = make_classification({.n_samples = 100,
                                .n_features = 5,
                                .n_informative = 4,
                                .n_redundant = 0,
                                .n_classes = 3,
                                .flip_y = 0.0,
                                .random_state = 0,
                                .dtype = DType::Float64});
  EXPECT_EQ(d.X.shape(), (Shape{100, 5}));
  EXPECT_EQ(d.X.dtype(), DType::Float64);
  EXPECT_EQ(d.y.shape(), (Shape{100}));
  EXPECT_EQ(d.y.dtype(), DType::Int64);
  std::vector<int> counts(3);
  for (double v : d.y.tolist()) counts.at(static_cast<std::size_t>(v))++;
  EXPECT_EQ(counts, (std::vector<int>{34, 33, 33}));  // 100 split evenly, remainder to class 0
  auto again = make_classification({.n_samples = 100,
                                    .n_features = 5,
                                    .n_informative = 4,
                                    .n_redundant = 0,
                                    .n_classes = 3,
                                    .flip_y = 0.0,
                                    .random_state = 0,
                                    .dtype = DType::Float64});
  EXPECT_EQ(d.X.tolist(), again.X.tolist());
  auto other = make_classification(
      {.n_features = 5, .n_informative = 4, .n_redundant = 0, .n_classes = 3, .random_state = 1});
  EXPECT_NE(d.X.tolist(), other.X.to(DType::Float64).tolist());
  EXPECT_EQ(other.X.dtype(), default_dtype());
}

TEST(MakeClassification, InformativeClustersSitOnHypercubeVertices) {
  // One cluster per class, 2 informative features: class means sit at (+-sep, +-sep).
  const double sep = 3.0;
  auto d = make_classification({.n_samples = 4000,
                                .n_features = 2,
                                .n_informative = 2,
                                .n_redundant = 0,
                                .n_classes = 4,
                                .n_clusters_per_class = 1,
                                .flip_y = 0.0,
                                .class_sep = sep,
                                .shuffle = false,
                                .random_state = 5,
                                .dtype = DType::Float64});
  auto x = d.X.tolist();
  auto y = d.y.tolist();
  std::set<std::pair<int, int>> corners;
  for (int k = 0; k < 4; ++k) {
    double m0 = 0, m1 = 0;
    int n = 0;
    for (std::size_t i = 0; i < y.size(); ++i)
      if (y[i] == k) m0 += x[2 * i], m1 += x[2 * i + 1], ++n;
    m0 /= n, m1 /= n;
    EXPECT_NEAR(std::abs(m0), sep, 0.15) << "class " << k;
    EXPECT_NEAR(std::abs(m1), sep, 0.15) << "class " << k;
    corners.insert({m0 > 0, m1 > 0});
  }
  EXPECT_EQ(corners.size(), 4u);  // distinct vertices
}

TEST(MakeClassification, RedundantRepeatedAndNoiseColumns) {
  // Unshuffled columns: [informative 0-1, redundant 2-3, repeated 4, noise 5]. One cluster per
  // class, so the two class means differ by 2*class_sep in some informative coordinate.
  auto d = make_classification({.n_samples = 300,
                                .n_features = 6,
                                .n_informative = 2,
                                .n_redundant = 2,
                                .n_repeated = 1,
                                .n_classes = 2,
                                .n_clusters_per_class = 1,
                                .flip_y = 0.0,
                                .shuffle = false,
                                .random_state = 11,
                                .dtype = DType::Float64});
  auto x = d.X.tolist();
  const int f = 6;
  // Redundant columns are exact linear combinations of the informative ones: solve the 2x2
  // normal equations for each and check the residual vanishes.
  for (int r = 2; r < 4; ++r) {
    double a00 = 0, a01 = 0, a11 = 0, b0 = 0, b1 = 0;
    for (int i = 0; i < 300; ++i) {
      double u = x[i * f], v = x[i * f + 1], t = x[i * f + r];
      a00 += u * u, a01 += u * v, a11 += v * v, b0 += u * t, b1 += v * t;
    }
    double det = a00 * a11 - a01 * a01;
    double c0 = (b0 * a11 - b1 * a01) / det, c1 = (a00 * b1 - a01 * b0) / det;
    double resid = 0;
    for (int i = 0; i < 300; ++i)
      resid = std::max(resid, std::abs(x[i * f + r] - c0 * x[i * f] - c1 * x[i * f + 1]));
    EXPECT_LT(resid, 1e-9) << "column " << r;
  }
  // The repeated column equals one of the first four.
  bool found = false;
  for (int src = 0; src < 4; ++src) {
    bool same = true;
    for (int i = 0; i < 300 && same; ++i) same = x[i * f + 4] == x[i * f + src];
    found = found || same;
  }
  EXPECT_TRUE(found);
  // The noise column carries no class signal; the informative ones do.
  auto class_gap = [&](int col) {
    double m[2] = {0, 0};
    int n[2] = {0, 0};
    auto y = d.y.tolist();
    for (int i = 0; i < 300; ++i) m[int(y[i])] += x[i * f + col], n[int(y[i])]++;
    return std::abs(m[0] / n[0] - m[1] / n[1]);
  };
  EXPECT_LT(class_gap(5), 0.4);
  EXPECT_GT(std::max(class_gap(0), class_gap(1)), 1.5);
}

TEST(MakeClassification, WeightsFlipAndErrors) {
  // weights {0.75} means {0.75, 0.25}.
  auto d =
      make_classification({.n_samples = 1000, .weights = {0.75}, .flip_y = 0.0, .random_state = 2});
  auto y = d.y.tolist();
  EXPECT_EQ(std::count(y.begin(), y.end(), 0.0), 750);
  auto flipped = make_classification({.n_samples = 1000, .flip_y = 1.0, .random_state = 2});
  auto yf = flipped.y.tolist();
  auto ones = std::count(yf.begin(), yf.end(), 1.0);
  EXPECT_GT(ones, 400);  // every label redrawn uniformly: about half are 1
  EXPECT_LT(ones, 600);
  EXPECT_ERROR_WITH(make_classification({.n_features = 3}),
                    "n_informative (2) + n_redundant (2) + n_repeated (0) must not exceed "
                    "n_features (3)");
  EXPECT_ERROR_WITH(make_classification({.n_classes = 3, .n_clusters_per_class = 2}),
                    "n_classes (3) * n_clusters_per_class (2) must be smaller or equal "
                    "2**n_informative (2)");
}

TEST(MakeBlobsAndMoons, ShapesCentresAndGeometry) {
  auto b = make_blobs({.n_samples = 301,
                       .n_features = 3,
                       .center_points = {{0, 0, 0}, {10, 10, 10}, {-10, 5, 0}},
                       .cluster_std = 0.5,
                       .random_state = 4,
                       .dtype = DType::Float64});
  EXPECT_EQ(b.X.shape(), (Shape{301, 3}));
  auto x = b.X.tolist();
  auto y = b.y.tolist();
  EXPECT_EQ(std::count(y.begin(), y.end(), 0.0), 101);
  EXPECT_EQ(std::count(y.begin(), y.end(), 2.0), 100);
  double m = 0;
  for (std::size_t i = 0; i < y.size(); ++i)
    if (y[i] == 1) m += x[3 * i + 1] / 100;
  EXPECT_NEAR(m, 10.0, 0.2);
  auto moons = make_moons({.n_samples = 101, .shuffle = false, .dtype = DType::Float64});
  auto p = moons.X.tolist();
  // Outer moon (class 0, 50 points): unit circle centred at the origin, upper half.
  for (int i = 0; i < 50; ++i) EXPECT_NEAR(std::hypot(p[2 * i], p[2 * i + 1]), 1.0, 1e-12);
  // Inner moon (class 1, 51 points): unit circle centred at (1, 0.5), lower half.
  for (int i = 50; i < 101; ++i)
    EXPECT_NEAR(std::hypot(p[2 * i] - 1, p[2 * i + 1] - 0.5), 1.0, 1e-12);
  EXPECT_EQ(moons.y.tolist()[49], 0);
  EXPECT_EQ(moons.y.tolist()[50], 1);
}

// ---- train_test_split / Standardizer -------------------------------------------------------

TEST(TrainTestSplit, SizesLikeSklearnAndRowsStayPaired) {
  TensorDataset d = numbered(100);
  auto s = train_test_split(d.features(), d.labels(), 0.15, 0);
  EXPECT_EQ(s.X_train.shape(), (Shape{85, 2}));
  EXPECT_EQ(s.X_test.shape(), (Shape{15, 2}));
  EXPECT_EQ(s.y_test.shape(), (Shape{15}));
  std::set<double> seen;
  for (auto [X, y] : {std::pair{s.X_train, s.y_train}, std::pair{s.X_test, s.y_test}}) {
    auto x = X.tolist();
    auto l = y.tolist();
    for (int64_t i = 0; i < y.numel(); ++i) {
      EXPECT_EQ(l[i], 10 * x[2 * i]);
      seen.insert(x[2 * i]);
    }
  }
  EXPECT_EQ(seen.size(), 100u);
  // ceil(0.25 * 10) = 3 test samples; a count works too; no shuffle keeps order.
  TensorDataset ten = numbered(10);
  EXPECT_EQ(train_test_split(ten.features(), ten.labels(), 0.25).X_test.size(0), 3);
  EXPECT_EQ(train_test_split(ten.features(), ten.labels(), 4).X_test.size(0), 4);
  auto ordered = train_test_split(ten.features(), ten.labels(), 0.3, 0, false);
  EXPECT_EQ(ordered.y_test.tolist(), (std::vector<double>{70, 80, 90}));
  EXPECT_EQ(train_test_split(d.features(), d.labels(), 0.15, 5).y_test.tolist(),
            train_test_split(d.features(), d.labels(), 0.15, 5).y_test.tolist());
  EXPECT_ERROR_WITH(train_test_split(ten.features(), ten.labels(), 10),
                    "the train set would have 0 samples");
}

TEST(Standardizer, PopulationStatisticsAndZeroStd) {
  Tensor X = tensor({1, 2, 3, 2, 5, 2}, {3, 2}, DType::Float64);
  Standardizer s;
  Tensor Z = s.fit_transform(X);
  EXPECT_EQ(s.mean().tolist(), (std::vector<double>{3, 2}));
  const double sd = std::sqrt(8.0 / 3.0);  // population std of 1, 3, 5
  EXPECT_NEAR(s.scale().tolist()[0], sd, 1e-15);
  EXPECT_EQ(s.scale().tolist()[1], 1.0);  // zero std -> 1
  auto z = Z.tolist();
  EXPECT_NEAR(z[0], -2 / sd, 1e-15);
  EXPECT_NEAR(z[4], 2 / sd, 1e-15);
  EXPECT_EQ(z[1], 0.0);
  // Test data uses the training statistics.
  Tensor T = tensor({3 + sd, 7}, {1, 2}, DType::Float32);
  auto t = s.transform(T);
  EXPECT_EQ(t.dtype(), DType::Float32);
  EXPECT_NEAR(t.tolist()[0], 1.0, 1e-6);
  EXPECT_NEAR(t.tolist()[1], 5.0, 1e-6);
  EXPECT_NEAR(s.inverse_transform(t).tolist()[1], 7.0, 1e-5);
  Standardizer restored(s.mean(), s.scale());
  EXPECT_EQ(restored.transform(X).tolist(), Z.tolist());
  EXPECT_ERROR_WITH(s.transform(zeros({2, 3})),
                    "expected samples of shape [2] (fitted), got X of "
                    "shape [2, 3]");
  EXPECT_ERROR_WITH(Standardizer().transform(X), "not fitted");
}

TEST(TrainTestSplit, InPlaceGivesTheSameSplitWithoutACopy) {
  Tensor X = arange(0, 60, 1, DType::Float32).reshape({20, 3}).contiguous();
  Tensor y = arange(0, 20, 1, DType::Int64).contiguous();
  auto copy = train_test_split(X, y, 0.3, 7);
  const void* buffer = X.impl().storage->data;
  auto view = train_test_split_in_place(X, y, 0.3, 7);
  EXPECT_EQ(view.X_train.tolist(), copy.X_train.tolist());
  EXPECT_EQ(view.X_test.tolist(), copy.X_test.tolist());
  EXPECT_EQ(view.y_train.tolist(), copy.y_train.tolist());
  EXPECT_EQ(view.y_test.tolist(), copy.y_test.tolist());
  EXPECT_EQ(view.X_train.impl().storage->data, buffer);  // views of the caller's buffer
  EXPECT_EQ(view.X_test.impl().storage->data, buffer);
  // Every row kept its label (row i of X is 3i, 3i+1, 3i+2 and y[i] = i).
  for (int64_t i = 0; i < 20; ++i) EXPECT_EQ(X.tolist()[3 * i], 3 * y.tolist()[i]);
  Tensor t = X.slice(1, 0, 2);  // every other column: not contiguous
  EXPECT_ERROR_WITH(train_test_split_in_place(t, y, 0.3), "must be contiguous");
  EXPECT_ERROR_WITH(train_test_split_in_place(X, y, 0.0), "test_size=0");
}
