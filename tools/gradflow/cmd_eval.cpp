// `gradflow eval --checkpoint FILE [--data SPEC]`: accuracy, confusion matrix and per-class report
// of a trained model on the test part of a data set (by default the one it was trained on, split
// with the same seed, so the numbers equal train's final summary). Other data gets the
// checkpoint's standardization (csv/synthetic), not statistics of its own.
// `gradflow predict --checkpoint FILE --input csv:FILE [--probabilities]`: the predicted class
// of each row of features (no label column; same columns and raw scale as the training data),
// by name when the data set has names; with --probabilities also the softmax of each class.
#include <filesystem>
#include <gradflow/data/csv.hpp>
#include <gradflow/ops.hpp>
#include <iostream>

#include "command.hpp"
#include "training.hpp"

namespace gf::cli {
namespace {

struct LoadedModel {
  RunCheckpoint checkpoint;
  std::shared_ptr<nn::Module> model;
  Shape sample_shape;
};

LoadedModel load_model(const std::string& path) {
  LoadedModel m;
  m.checkpoint = load_checkpoint(path);
  const RunInfo& p = m.checkpoint.info;
  m.model = build_model(m.checkpoint.config, p.num_features, p.num_classes);
  m.sample_shape = input_shape(m.checkpoint.config, p.num_features);
  try {
    m.model->load_state_dict(m.checkpoint.state.model);
  } catch (const gf::Error& e) {
    throw UsageError(path + ": the model in the checkpoint does not match its config: " + e.what());
  }
  m.model->eval();
  return m;
}

struct EvalFlags {
  std::string checkpoint, data, input;
  int threads = 0;
  bool probabilities = false;
  TrainConfig csv;  // the --csv-* flags
};

void run_eval(const EvalFlags& f) {
  if (f.threads > 0) set_num_threads(f.threads);
  LoadedModel m = load_model(f.checkpoint);
  TrainConfig c = m.checkpoint.config;
  const RunInfo& p = m.checkpoint.info;
  if (!f.data.empty() && f.data != c.data) {  // other data: its own --csv-* flags
    c.data = f.data;
    c.csv_delimiter = f.csv.csv_delimiter;
    c.csv_label_column = f.csv.csv_label_column;
    c.csv_string_labels = f.csv.csv_string_labels;
  }
  // every row of the file is checked, not only the test part: a bad label is bad input
  DataSets data = load_datasets(c, &p, &m.checkpoint.standardizer);
  const Split test = as_model_input(data.test, m.sample_shape);
  train::Evaluation e =
      train::evaluate(*m.model, data::TensorDataset(test.X, test.y, data.transform), p.num_classes);
  const std::vector<std::string>& names = p.class_names;
  std::cout << "checkpoint: " << f.checkpoint << " (epoch " << m.checkpoint.state.position.epoch
            << ", " << c.model << ")\ndata: " << data.description
            << ", test part: " << format_count(data.test.size()) << " samples\n";
  std::printf("test accuracy %.2f%%, test loss %.6g\n\n", 100 * e.accuracy, e.loss);
  std::cout << "confusion matrix (rows: true class, columns: predicted)\n"
            << metrics::format_confusion_matrix(e.confusion, names) << "\n"
            << metrics::classification_report(e.confusion, names, 4);
}

void run_predict(const EvalFlags& f) {
  if (f.input.rfind("csv:", 0) != 0) throw UsageError("--input " + f.input + ": expected csv:FILE");
  const std::string file = f.input.substr(4);
  if (!std::filesystem::exists(file)) throw UsageError("--input: " + file + " does not exist");
  LoadedModel m = load_model(f.checkpoint);
  const RunInfo& p = m.checkpoint.info;
  data::CsvOptions o;
  o.has_labels = false;
  o.delimiter = f.csv.csv_delimiter[0];
  o.dtype = m.checkpoint.config.tensor_dtype();
  auto csv = data::read_csv(file, o);
  Split s{csv.features.contiguous(), Tensor()};
  if (s.X.size(1) != p.num_features)
    throw UsageError(file + " has " + std::to_string(s.X.size(1)) +
                     " features per sample but the checkpoint's model expects " +
                     std::to_string(p.num_features));
  if (m.checkpoint.standardizer.fitted()) s.X = m.checkpoint.standardizer.transform(s.X);
  s = as_model_input({s.X.contiguous(), Tensor()}, m.sample_shape);
  NoGradGuard no_grad;
  std::string text = f.probabilities ? "predicted" : "";
  for (const auto& name : p.class_names) text += f.probabilities ? "," + name : "";
  text += f.probabilities ? "\n" : "";
  char number[32];
  for (int64_t start = 0; start < s.size(); start += 4096) {
    const int64_t end = std::min(s.size(), start + 4096);
    Tensor logits = m.model->forward(s.X.slice(0, start, end));
    Tensor classes = metrics::predicted_classes(logits);
    std::vector<double> probs = softmax(logits.to(DType::Float64), 1).tolist();
    for (int64_t i = 0; i < end - start; ++i) {
      text += p.class_names.at(static_cast<size_t>(classes.data_ptr<int64_t>()[i]));
      for (int64_t k = 0; f.probabilities && k < p.num_classes; ++k) {
        std::snprintf(number, sizeof number, ",%.6g", probs[i * p.num_classes + k]);
        text += number;
      }
      text += "\n";
    }
  }
  std::cout << text;
}

void setup_eval(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "Evaluate a checkpoint on a data set's test part");
  auto f = std::make_shared<EvalFlags>();
  cmd->add_option("--checkpoint", f->checkpoint, "best/last.safetensors of a run")->required();
  cmd->add_option("--data", f->data,
                  "fashion-mnist | idx:DIR | csv:FILE | synthetic (default: the training data)");
  add_csv_flags(*cmd, f->csv);
  cmd->add_option("--threads", f->threads, "Threads (0: all cores)")->check(CLI::Range(0, 1024));
  cmd->callback([f] { run_eval(*f); });
}

void setup_predict(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "Print the predicted class of each CSV row");
  auto f = std::make_shared<EvalFlags>();
  cmd->add_option("--checkpoint", f->checkpoint, "best/last.safetensors of a run")->required();
  cmd->add_option("--input", f->input, "csv:FILE with feature columns only")->required();
  cmd->add_option("--csv-delimiter", f->csv.csv_delimiter, "Field separator (one character)")
      ->check(one_character());
  cmd->add_flag("--probabilities", f->probabilities,
                "Also print each class's probability (softmax), after a header line");
  cmd->callback([f] { run_predict(*f); });
}

const Registration reg_eval("eval", setup_eval);
const Registration reg_predict("predict", setup_predict);

}  // namespace
}  // namespace gf::cli
