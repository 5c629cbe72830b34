// UInt8 data sets converted per batch (issue 13): ToDtype, TensorDataset's transform, the
// loader, load_idx_dataset(UInt8), load_classification's uint8_images, evaluate over a data set
// and the Trainer. The reference is the conversion of the whole set up front, the way the IDX
// loader has always done it — y = float(x) / 255.0f, IEEE's correctly rounded division (first
// principles; Debian's torch 1.13 x.float().div(255), torchvision 0.14's ToTensor and
// ConvertImageDtype(torch.float32) give the same 256 values, x * (1/255) differs in 126) —
// computed here, not by the code under test; every comparison is of bits.
#include <gtest/gtest.h>

#include <cstring>
#include <gradflow/data/classification.hpp>
#include <gradflow/data/dataset.hpp>
#include <gradflow/data/idx.hpp>
#include <gradflow/data/transforms.hpp>
#include <gradflow/factories.hpp>
#include <gradflow/nn/activation.hpp>
#include <gradflow/nn/container.hpp>
#include <gradflow/nn/linear.hpp>
#include <gradflow/optim/adam.hpp>
#include <gradflow/train/trainer.hpp>

#include "support/files.hpp"

using namespace gf;
using namespace gf::data;

namespace {
const std::string kFixtures = std::string(GF_SOURCE_DIR) + "/tests/fixtures";

std::string bits(const Tensor& t) {
  Tensor c = t.contiguous();
  const auto* p = static_cast<const char*>(c.impl().storage->data) +
                  c.storage_offset() * element_size(c.dtype());
  return std::string(p, static_cast<std::size_t>(c.numel()) * element_size(c.dtype()));
}

// The whole set converted the old way: T(x) / T(255) per element.
template <class T>
Tensor convert_all(const Tensor& u8) {
  Tensor c = u8.contiguous();
  Tensor out = empty(c.sizes(), dtype_of<T>());
  for (int64_t i = 0; i < c.numel(); ++i)
    out.data_ptr<T>()[i] = static_cast<T>(c.data_ptr<uint8_t>()[i]) / T(255);
  return out;
}

// n samples of shape `sample` with bytes from a fixed LCG (every value 0..255 occurs), labels
// 0..classes-1 from the first byte.
std::pair<Tensor, Tensor> random_bytes(int64_t n, Shape sample, int64_t classes) {
  sample.insert(0, n);
  Tensor X = empty(sample, DType::UInt8), y = empty({n}, DType::Int64);
  uint32_t s = 12345;
  for (int64_t i = 0; i < X.numel(); ++i) {
    s = s * 1664525u + 1013904223u;
    X.data_ptr<uint8_t>()[i] = static_cast<uint8_t>(s >> 24);
  }
  const int64_t row = X.numel() / n;
  for (int64_t i = 0; i < n; ++i)
    y.data_ptr<int64_t>()[i] = X.data_ptr<uint8_t>()[i * row] % classes;
  return {X, y};
}
}  // namespace

TEST(ToDtype, ScalesEveryUInt8ValueByATrueDivision) {
  Tensor all = arange(0, 256, 1, DType::Int64).to(DType::UInt8).reshape({16, 16});
  Tensor f = ToDtype{DType::Float32, true}(all);
  Tensor d = ToDtype{DType::Float64, true}(all);
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(f.sizes(), (Shape{16, 16}));
  EXPECT_EQ(bits(f), bits(convert_all<float>(all)));
  EXPECT_EQ(bits(d), bits(convert_all<double>(all)));
  EXPECT_EQ(f.data_ptr<float>()[255], 1.0f);
  // A multiplication by 1/255 would not do: it differs in the last bit for some values.
  int differs = 0;
  for (int v = 0; v < 256; ++v) differs += (float(v) * (1.0f / 255.0f)) != float(v) / 255.0f;
  EXPECT_GT(differs, 0);
}

TEST(ToDtype, ConvertsWithoutScaleAndNeverRescalesFloats) {
  Tensor u8 = tensor({0, 7, 255}, DType::Int64).to(DType::UInt8);
  EXPECT_EQ(ToDtype{DType::Float32}(u8).tolist(), (std::vector<double>{0, 7, 255}));
  Tensor once = ToDtype{DType::Float32, true}(u8);
  Tensor twice = ToDtype{DType::Float32, true}(once);  // floating input: converted, not scaled
  EXPECT_EQ(bits(twice), bits(once));
  const ToDtype to_double{DType::Float64, true};
  EXPECT_EQ(to_double(once).tolist(), once.tolist());
  // int64 scales by its maximum (2^63 - 1, 2^63 as a double)
  EXPECT_EQ(to_double(tensor({-9.223372036854775808e18}, DType::Int64)).item(), -1.0);
  // a non-contiguous input (a transposed view) converts in logical order
  Tensor t = arange(0, 6, 1, DType::Int64).to(DType::UInt8).reshape({2, 3}).transpose(0, 1);
  Tensor ft = ToDtype{DType::Float32, true}(t);
  EXPECT_TRUE(ft.is_contiguous());
  EXPECT_EQ(bits(ft), bits(convert_all<float>(t)));
  EXPECT_ERROR_WITH(ToDtype(DType::Int64, true)(u8), "ToDtype: scale=true converts integer");
}

// The per-batch path gives the bits of the converted whole set: every batch of two shuffled
// epochs, and get(), in the CNN's [N, 1, H, W] layout and flat, float32 and float64.
TEST(TensorDataset, UInt8BatchesConvertedPerBatchEqualTheConvertedSet) {
  for (const Shape& sample : {Shape{1, 5, 5}, Shape{25}}) {
    auto [X, y] = random_bytes(300, sample, 10);
    for (DType dt : {DType::Float32, DType::Float64}) {
      Tensor whole = dt == DType::Float32 ? convert_all<float>(X) : convert_all<double>(X);
      TensorDataset before(whole, y), after(X, y, ToDtype{dt, true});
      EXPECT_EQ(after.features().dtype(), DType::UInt8);  // stored as bytes
      DataLoader a(before, {.batch_size = 64, .shuffle = true, .seed = 5});
      DataLoader b(after, {.batch_size = 64, .shuffle = true, .seed = 5});
      int64_t batches = 0;
      for (int epoch = 0; epoch < 2; ++epoch) {
        a.start_epoch();
        b.start_epoch();
        ASSERT_EQ(a.order(), b.order());
        for (int64_t i = 0; i < a.size(); ++i, ++batches) {
          Batch x = a.batch(i), z = b.batch(i);
          ASSERT_EQ(z.data.dtype(), dt);
          ASSERT_EQ(z.data.sizes(), x.data.sizes());
          ASSERT_EQ(bits(z.data), bits(x.data)) << "epoch " << epoch << " batch " << i;
          ASSERT_EQ(bits(z.target), bits(x.target));
        }
      }
      EXPECT_EQ(batches, 10);
      EXPECT_EQ(bits(after.get(-3).data), bits(before.get(-3).data));
      EXPECT_EQ(after.get(7).data.dtype(), dt);
    }
  }
}

TEST(LoadIdxDataset, UInt8IsTheFilesBytesAndConvertsToTheFloat32Images) {
  const std::string dir = kFixtures + "/idx-tiny";
  IdxDataset u8 = load_idx_dataset(dir, DType::UInt8), f32 = load_idx_dataset(dir);
  ASSERT_EQ(u8.train_images.dtype(), DType::UInt8);
  EXPECT_EQ(u8.train_images.sizes(), (Shape{6, 6}));
  for (int i = 0; i < 36; ++i)  // the fixture's pixel i is (10 i) mod 256
    EXPECT_EQ(u8.train_images.data_ptr<uint8_t>()[i], (i * 10) % 256) << i;
  EXPECT_EQ(bits(f32.train_images), bits(convert_all<float>(u8.train_images)));
  EXPECT_EQ(bits(f32.test_images), bits(convert_all<float>(u8.test_images)));
  EXPECT_EQ(bits(ToDtype{DType::Float32, true}(u8.train_images)), bits(f32.train_images));
  EXPECT_EQ(bits(u8.train_labels), bits(f32.train_labels));
  EXPECT_EQ(u8.num_classes, f32.num_classes);
  EXPECT_ERROR_WITH(load_idx_dataset(dir, DType::Int64), "dtype must be floating or uint8");
}

// Same samples, same train/valid/test split (the rows are permuted in place the same way), X
// kept as bytes, and d.transform turning every part into the float data bit for bit.
TEST(LoadClassification, Uint8ImagesKeepTheSplitsAndConvertToTheSameBits) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    ClassificationSource src{
        .spec = "idx:" + kFixtures + "/idx-tiny", .dtype = dt, .seed = 3, .valid_fraction = 0.34};
    ClassificationData f = load_classification(src);
    src.uint8_images = true;
    ClassificationData u = load_classification(src);
    EXPECT_FALSE(f.transform);
    ASSERT_TRUE(u.transform);
    EXPECT_EQ(u.num_features, f.num_features);
    const std::pair<LabeledSplit*, LabeledSplit*> parts[] = {
        {&f.train, &u.train}, {&f.valid, &u.valid}, {&f.test, &u.test}};
    for (auto [a, b] : parts) {
      ASSERT_GT(a->size(), 0);
      EXPECT_EQ(b->X.dtype(), DType::UInt8);
      EXPECT_EQ(bits(u.transform(b->X)), bits(a->X));
      EXPECT_EQ(bits(b->y), bits(a->y));
    }
  }
  ClassificationSource bad{.spec = "idx:" + kFixtures + "/idx-tiny", .dtype = DType::UInt8};
  EXPECT_ERROR_WITH(load_classification(bad), "dtype must be floating, got torch.uint8");
}

// Training on bytes converted per batch (loader transform, Trainer::valid_transform) ends with
// the parameters, losses and accuracies of training on the converted set.
TEST(Trainer, UInt8DataConvertedPerBatchTrainsTheSameBits) {
  auto [X, y] = random_bytes(400, Shape{12}, 3);
  Tensor Xf = convert_all<float>(X);
  struct Run {
    nn::Sequential model;
    std::unique_ptr<optim::Adam> opt;
    std::unique_ptr<DataLoader> loader;
    std::unique_ptr<train::Trainer> t;
  };
  auto make = [&](bool bytes) {
    auto r = std::make_unique<Run>();
    manual_seed(4);
    r->model = nn::Sequential(nn::Linear(12, 16), nn::ReLU(), nn::Linear(16, 3));
    r->opt = std::make_unique<optim::Adam>(r->model.parameters(), optim::AdamOptions(0.01));
    const Tensor& src = bytes ? X : Xf;
    Transform tf = bytes ? Transform(ToDtype{DType::Float32, true}) : Transform();
    r->loader =
        std::make_unique<DataLoader>(TensorDataset(src.slice(0, 0, 320), y.slice(0, 0, 320), tf),
                                     DataLoaderOptions{32, true, false, 9});
    r->t.reset(new train::Trainer{r->model, *r->opt, nullptr, *r->loader, 3, src.slice(0, 320, 400),
                                  y.slice(0, 320, 400)});
    r->t->valid_transform = tf;
    return r;
  };
  auto a = make(false), b = make(true);
  for (int e = 0; e < 2; ++e) {
    ASSERT_EQ(a->t->train_epoch(), train::EpochEnd::Finished);
    ASSERT_EQ(b->t->train_epoch(), train::EpochEnd::Finished);
  }
  for (int e = 0; e < 2; ++e) {
    const auto &ma = a->t->progress.history[e], &mb = b->t->progress.history[e];
    EXPECT_EQ(ma.train_loss, mb.train_loss);
    EXPECT_EQ(ma.train_acc, mb.train_acc);
    EXPECT_EQ(ma.valid_loss, mb.valid_loss);
    EXPECT_EQ(ma.valid_acc, mb.valid_acc);
  }
  auto pa = a->model.parameters(), pb = b->model.parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) EXPECT_EQ(bits(pa[i]), bits(pb[i])) << i;
  // evaluate over a data set with the transform = evaluate on the converted rows
  train::Evaluation ea = train::evaluate(a->model, Xf, y, 3, 64);
  train::Evaluation eb =
      train::evaluate(a->model, TensorDataset(X, y, ToDtype{DType::Float32, true}), 3, 64);
  EXPECT_EQ(ea.loss, eb.loss);
  EXPECT_EQ(ea.accuracy, eb.accuracy);
  EXPECT_EQ(ea.confusion.tolist(), eb.confusion.tolist());
  EXPECT_GT(ea.accuracy, 0.0);
}
