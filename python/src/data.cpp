// gradflow.utils.data / gradflow.data: TensorDataset, DataLoader (an iterator of (data, target)
// batches), the synthetic generators (sklearn's make_classification, make_blobs, make_moons),
// train_test_split, the standardizer, the CSV and IDX readers, and gradflow.metrics.
#include "common.hpp"

namespace gfpy {

namespace {

namespace D = gf::data;

struct LoaderIterator {
  std::shared_ptr<D::DataLoader> loader;
  int64_t next = 0;
};

py::tuple labeled(const D::LabeledData& d) { return py::make_tuple(d.X, d.y); }

}  // namespace

void init_data(py::module_& m) {
  py::module_ data = m.def_submodule("data", "data sets, loaders, readers");

  py::class_<D::TensorDataset>(data, "TensorDataset")
      .def(py::init<const Tensor&, const Tensor&>(), py::arg("features"), py::arg("labels"))
      .def("__len__", &D::TensorDataset::size)
      .def("__getitem__",
           [](const D::TensorDataset& d, int64_t i) {
             D::Example e = d.get(i);
             return py::make_tuple(e.data, e.target);
           })
      .def_property_readonly("tensors", [](const D::TensorDataset& d) {
        return py::make_tuple(d.features(), d.labels());
      });

  py::class_<LoaderIterator>(data, "_LoaderIterator")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", [](LoaderIterator& it) {
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // Ctrl-C between batches
        if (it.next >= it.loader->size()) throw py::stop_iteration();
        D::Batch b;
        {
          py::gil_scoped_release release;
          b = it.loader->batch(it.next++);
        }
        return py::make_tuple(b.data, b.target);
      });

  py::class_<D::DataLoader, std::shared_ptr<D::DataLoader>>(data, "DataLoader")
      .def(py::init([](const D::TensorDataset& ds, int64_t batch_size, bool shuffle, bool drop_last,
                       std::optional<uint64_t> seed) {
             D::DataLoaderOptions o;
             o.batch_size = batch_size;
             o.shuffle = shuffle;
             o.drop_last = drop_last;
             // Without a seed the order comes from the default generator (manual_seed), as torch's.
             o.seed = seed ? *seed : gf::default_generator().next_u64();
             return std::make_shared<D::DataLoader>(ds, o);
           }),
           py::arg("dataset"), py::arg("batch_size") = 1, py::arg("shuffle") = false,
           py::arg("drop_last") = false, py::kw_only(), py::arg("seed") = py::none())
      .def("__len__", &D::DataLoader::size)
      .def("__iter__",
           [](std::shared_ptr<D::DataLoader> l) {
             l->start_epoch();
             return LoaderIterator{l, 0};
           })
      .def_property_readonly("dataset", &D::DataLoader::dataset)
      .def_property_readonly("batch_size",
                             [](const D::DataLoader& l) { return l.options().batch_size; });

  data.def(
      "make_classification",
      [](int64_t n_samples, int64_t n_features, int64_t n_informative, int64_t n_redundant,
         int64_t n_repeated, int64_t n_classes, int64_t n_clusters_per_class,
         std::vector<double> weights, double flip_y, double class_sep, bool hypercube,
         std::optional<double> shift, std::optional<double> scale, bool shuffle,
         std::optional<uint64_t> random_state, std::optional<DType> dtype) {
        D::MakeClassificationOptions o;
        o.n_samples = n_samples;
        o.n_features = n_features;
        o.n_informative = n_informative;
        o.n_redundant = n_redundant;
        o.n_repeated = n_repeated;
        o.n_classes = n_classes;
        o.n_clusters_per_class = n_clusters_per_class;
        o.weights = std::move(weights);
        o.flip_y = flip_y;
        o.class_sep = class_sep;
        o.hypercube = hypercube;
        o.shift = shift;
        o.scale = scale;
        o.shuffle = shuffle;
        o.random_state = random_state;
        o.dtype = dtype;
        return labeled(D::make_classification(o));
      },
      py::arg("n_samples") = 100, py::arg("n_features") = 20, py::arg("n_informative") = 2,
      py::arg("n_redundant") = 2, py::arg("n_repeated") = 0, py::arg("n_classes") = 2,
      py::arg("n_clusters_per_class") = 2, py::arg("weights") = std::vector<double>{},
      py::arg("flip_y") = 0.01, py::arg("class_sep") = 1.0, py::arg("hypercube") = true,
      py::arg("shift") = 0.0, py::arg("scale") = 1.0, py::arg("shuffle") = true,
      py::arg("random_state") = py::none(), py::arg("dtype") = py::none());
  data.def(
      "make_blobs",
      [](int64_t n_samples, int64_t n_features, py::object centers, double cluster_std,
         bool shuffle, std::optional<uint64_t> random_state, std::optional<DType> dtype) {
        D::MakeBlobsOptions o;
        o.n_samples = n_samples;
        o.n_features = n_features;
        if (py::isinstance<py::int_>(centers))
          o.centers = centers.cast<int64_t>();
        else
          o.center_points = centers.cast<std::vector<std::vector<double>>>();
        o.cluster_std = cluster_std;
        o.shuffle = shuffle;
        o.random_state = random_state;
        o.dtype = dtype;
        return labeled(D::make_blobs(o));
      },
      py::arg("n_samples") = 100, py::arg("n_features") = 2, py::arg("centers") = 3,
      py::arg("cluster_std") = 1.0, py::arg("shuffle") = true, py::arg("random_state") = py::none(),
      py::arg("dtype") = py::none());
  data.def(
      "make_moons",
      [](int64_t n_samples, bool shuffle, std::optional<double> noise,
         std::optional<uint64_t> random_state, std::optional<DType> dtype) {
        D::MakeMoonsOptions o;
        o.n_samples = n_samples;
        o.shuffle = shuffle;
        o.noise = noise;
        o.random_state = random_state;
        o.dtype = dtype;
        return labeled(D::make_moons(o));
      },
      py::arg("n_samples") = 100, py::arg("shuffle") = true, py::arg("noise") = py::none(),
      py::arg("random_state") = py::none(), py::arg("dtype") = py::none());
  data.def(
      "train_test_split",
      [](const Tensor& X, const Tensor& y, double test_size, uint64_t random_state, bool shuffle) {
        D::TrainTestSplit s = D::train_test_split(X, y, test_size, random_state, shuffle);
        return py::make_tuple(s.X_train, s.X_test, s.y_train, s.y_test);
      },
      py::arg("X"), py::arg("y"), py::arg("test_size") = 0.25, py::arg("random_state") = 0,
      py::arg("shuffle") = true);
  py::class_<D::Standardizer>(data, "StandardScaler")
      .def(py::init<>())
      .def(
          "fit",
          [](py::object self, const Tensor& X) {
            self.cast<D::Standardizer&>().fit(X);
            return self;
          },
          py::arg("X"))
      .def("transform", &D::Standardizer::transform, py::arg("X"))
      .def("fit_transform", &D::Standardizer::fit_transform, py::arg("X"))
      .def("inverse_transform", &D::Standardizer::inverse_transform, py::arg("X"))
      .def_property_readonly("mean_", &D::Standardizer::mean)
      .def_property_readonly("scale_", &D::Standardizer::scale);

  data.def(
      "read_csv",
      [](const std::string& path, int64_t label_column, bool has_labels, char delimiter,
         std::optional<DType> dtype) {
        D::CsvOptions o;
        o.label_column = label_column;
        o.has_labels = has_labels;
        o.delimiter = delimiter;
        o.dtype = dtype;
        D::CsvData d;
        {
          py::gil_scoped_release release;
          d = D::read_csv(path, o);
        }
        py::dict out;
        out["features"] = d.features;
        out["labels"] = d.labels.defined() ? py::cast(d.labels) : py::none();
        out["column_names"] = d.column_names;
        out["num_classes"] = d.num_classes;
        return out;
      },
      py::arg("path"), py::arg("label_column") = -1, py::arg("has_labels") = true,
      py::arg("delimiter") = ',', py::arg("dtype") = py::none());
  data.def("read_idx", &D::read_idx, py::arg("path"), py::call_guard<py::gil_scoped_release>());
  data.def(
      "fashion_mnist_available",
      [](const std::string& dir) { return D::fashion_mnist_available(dir); },
      py::arg("root") = D::kFashionMnistDir);
  data.def("fashion_mnist_classes", &D::fashion_mnist_classes);
  data.def(
      "load_fashion_mnist",
      [](const std::string& dir, DType dtype) {
        D::IdxDataset d;
        {
          py::gil_scoped_release release;
          d = D::load_fashion_mnist(dir, dtype);
        }
        return py::make_tuple(d.train_images, d.train_labels, d.test_images, d.test_labels);
      },
      py::arg("root") = D::kFashionMnistDir, py::arg("dtype") = DType::Float32);

  py::module_ metrics = m.def_submodule("metrics", "accuracy, confusion matrices, reports");
  metrics.def("accuracy", &gf::metrics::accuracy, py::arg("pred_or_logits"), py::arg("labels"));
  metrics.def("predicted_classes", &gf::metrics::predicted_classes, py::arg("pred_or_logits"));
  metrics.def("confusion_matrix", &gf::metrics::confusion_matrix, py::arg("pred_or_logits"),
              py::arg("labels"), py::arg("num_classes"));
  metrics.def(
      "classification_report",
      py::overload_cast<const Tensor&, const Tensor&, int64_t, const std::vector<std::string>&,
                        int>(&gf::metrics::classification_report),
      py::arg("pred_or_logits"), py::arg("labels"), py::arg("num_classes"),
      py::arg("target_names") = std::vector<std::string>{}, py::arg("digits") = 2);
  metrics.def("format_confusion_matrix", &gf::metrics::format_confusion_matrix,
              py::arg("confusion"), py::arg("class_names") = std::vector<std::string>{});
}

}  // namespace gfpy
