// `gradflow eval --checkpoint FILE [--data SPEC]`: accuracy, confusion matrix and per-class report
// of a trained model on the test part of a data set (by default the one it was trained on, split
// with the same seed, so the numbers equal train's final summary).
// `gradflow predict --checkpoint FILE --input csv:FILE`: one predicted class id per line, for
// rows of features only (no label column); the feature count must match the checkpoint.
#include <filesystem>
#include <gradflow/data/csv.hpp>
#include <gradflow/metrics.hpp>
#include <iostream>

#include "command.hpp"
#include "datasets.hpp"
#include "progress_bar.hpp"
#include "run_files.hpp"
#include "training.hpp"

namespace gf::cli {
namespace {

struct LoadedModel {
  Checkpoint checkpoint;
  std::shared_ptr<nn::Sequential> model;
};

LoadedModel load_model(const std::string& path) {
  LoadedModel m;
  m.checkpoint = load_checkpoint(path);
  const Progress& p = m.checkpoint.progress;
  m.model = build_model(m.checkpoint.config, p.num_features, p.num_classes);
  try {
    m.model->load_state_dict(m.checkpoint.model);
  } catch (const gf::Error& e) {
    throw UsageError(path + ": the model in the checkpoint does not match its config: " + e.what());
  }
  m.model->eval();
  return m;
}

void run_eval(const std::string& checkpoint_path, std::string spec, int threads) {
  if (threads > 0) set_num_threads(threads);
  LoadedModel m = load_model(checkpoint_path);
  const TrainConfig& c = m.checkpoint.config;
  const Progress& p = m.checkpoint.progress;
  if (spec.empty()) spec = c.data;
  DataSets data = load_datasets(spec, c.tensor_dtype(), c.seed, c.valid_fraction);
  if (spec != c.data && m.checkpoint.standardizer.fitted() && data.standardizer.fitted()) {
    // Another data set: apply the training set's standardization, not this one's.
    data.test.X =
        m.checkpoint.standardizer.transform(data.standardizer.inverse_transform(data.test.X))
            .contiguous();
  }
  // every row of the file is checked, not only the part evaluated: a bad label is bad input
  for (const Split* part : {&data.train, &data.valid, &data.test})
    check_compatible(*part, p.num_features, p.num_classes, "--data " + spec);
  Evaluation e = evaluate(*m.model, data.test, p.num_classes, /*with_confusion=*/true);
  Tensor confusion = confusion_tensor(e);
  std::vector<std::string> names = p.class_names;
  if (names.size() != static_cast<size_t>(p.num_classes)) names.clear();
  std::cout << "checkpoint: " << checkpoint_path << " (epoch " << p.epoch << ", " << c.model
            << ")\ndata: " << data.description << ", test part: " << format_count(data.test.size())
            << " samples\n";
  std::printf("test accuracy %.2f%%, test loss %.6g\n\n", 100 * e.accuracy, e.loss);
  std::cout << "confusion matrix (rows: true class, columns: predicted)\n"
            << metrics::format_confusion_matrix(confusion, names) << "\n"
            << metrics::classification_report(confusion, names, 4);
}

void run_predict(const std::string& checkpoint_path, const std::string& input) {
  if (input.rfind("csv:", 0) != 0) throw UsageError("--input " + input + ": expected csv:FILE");
  const std::string file = input.substr(4);
  if (!std::filesystem::exists(file)) throw UsageError("--input: " + file + " does not exist");
  LoadedModel m = load_model(checkpoint_path);
  const Progress& p = m.checkpoint.progress;
  data::CsvOptions o;
  o.has_labels = false;
  o.dtype = m.checkpoint.config.tensor_dtype();
  auto csv = data::read_csv(file, o);
  Split s{csv.features.contiguous(), Tensor()};
  check_compatible(s, p.num_features, p.num_classes, file);
  if (m.checkpoint.standardizer.fitted())
    s.X = m.checkpoint.standardizer.transform(s.X).contiguous();
  NoGradGuard no_grad;
  std::string text;
  for (int64_t start = 0; start < s.size(); start += 4096) {
    int64_t end = std::min(s.size(), start + 4096);
    Tensor classes = metrics::predicted_classes(m.model->forward(s.X.slice(0, start, end)));
    const int64_t* ids = classes.contiguous().data_ptr<int64_t>();
    for (int64_t i = 0; i < end - start; ++i) text += std::to_string(ids[i]) + "\n";
  }
  std::cout << text;
}

void setup_eval(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "Evaluate a checkpoint on a data set's test part");
  auto checkpoint = std::make_shared<std::string>();
  auto data = std::make_shared<std::string>();
  auto threads = std::make_shared<int>(0);
  cmd->add_option("--checkpoint", *checkpoint, "A best/last.safetensors written by train")
      ->required();
  cmd->add_option("--data", *data,
                  "fashion-mnist | idx:DIR | csv:FILE | synthetic (default: the training data)");
  cmd->add_option("--threads", *threads, "Threads (0: all cores)")->check(CLI::Range(0, 1024));
  cmd->callback([=] { run_eval(*checkpoint, *data, *threads); });
}

void setup_predict(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "Print the predicted class of each CSV row");
  auto checkpoint = std::make_shared<std::string>();
  auto input = std::make_shared<std::string>();
  cmd->add_option("--checkpoint", *checkpoint, "A best/last.safetensors written by train")
      ->required();
  cmd->add_option("--input", *input, "csv:FILE with feature columns only")->required();
  cmd->callback([=] { run_predict(*checkpoint, *input); });
}

const Registration reg_eval("eval", setup_eval);
const Registration reg_predict("predict", setup_predict);

}  // namespace
}  // namespace gf::cli
