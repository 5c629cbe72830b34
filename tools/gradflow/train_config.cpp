#include "command.hpp"
#include "training.hpp"

namespace gf::cli {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainConfig, data, csv_delimiter, csv_label_column,
                                                csv_string_labels, model, hidden, epochs,
                                                batch_size, lr, optimizer, momentum, weight_decay,
                                                schedule, seed, dtype, valid_fraction)

std::string dump_json(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json to_json(const TrainConfig& c) {
  nlohmann::json j = c;
  try {
    (void)nlohmann::json(c.data).dump();
  } catch (const nlohmann::json::exception&) {  // not UTF-8: readable (U+FFFD) and exact
    j["data_bytes"] = std::vector<unsigned char>(c.data.begin(), c.data.end());
  }
  return j;
}

TrainConfig config_from_json(const nlohmann::json& j, const std::string& source) {
  try {
    TrainConfig c = j.get<TrainConfig>();
    if (j.contains("data_bytes")) {
      auto bytes = j.at("data_bytes").get<std::vector<unsigned char>>();
      c.data.assign(bytes.begin(), bytes.end());
    }
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(source + ": the training config in the checkpoint is malformed: " + e.what());
  }
}

void add_csv_flags(CLI::App& cmd, TrainConfig& c, std::vector<CLI::Option*>* recipe) {
  CLI::Option* opts[] = {cmd.add_option("--csv-delimiter", c.csv_delimiter, "csv: field separator")
                             ->check(one_character()),
                         cmd.add_option("--csv-label-column", c.csv_label_column,
                                        "csv: 0-based label column (negative: from the end)"),
                         cmd.add_flag("--csv-string-labels", c.csv_string_labels,
                                      "csv: labels are names (class ids 0..C-1 in sorted order)")};
  if (recipe) recipe->insert(recipe->end(), std::begin(opts), std::end(opts));
}

void add_train_flags(CLI::App& cmd, TrainFlags& f) {
  TrainConfig& c = f.config;
  cmd.option_defaults()->always_capture_default();
  // Recipe flags (they decide the numbers; on --resume they must agree with the checkpoint).
  auto recipe = [&](CLI::Option* o) { return f.recipe_options.push_back(o), o; };
  recipe(cmd.add_option("--data", c.data,
                        "fashion-mnist | idx:DIR | csv:FILE | synthetic (default: fashion-mnist "
                        "when installed, else synthetic)"));
  add_csv_flags(cmd, c, &f.recipe_options);
  recipe(
      cmd.add_option("--model", c.model, model_names(" | "))->check(CLI::IsMember(model_list())));
  f.hidden_option = recipe(cmd.add_option("--hidden", f.hidden_text, "MLP hidden sizes"));
  recipe(cmd.add_option("--batch-size", c.batch_size)
             ->check(CLI::Range(int64_t{1}, int64_t{1} << 20)));
  f.lr_option = recipe(cmd.add_option("--lr", c.lr,
                                      "Learning rate (default: sgd 0.1; adam/adamw: "
                                      "mlp 2.5e-3, softmax 1e-2, cnn/lenet5 2e-3)")
                           ->check(positive_number()));
  recipe(
      cmd.add_option("--optimizer", c.optimizer)->check(CLI::IsMember({"sgd", "adam", "adamw"})));
  f.momentum_option =
      recipe(cmd.add_option("--momentum", c.momentum, "SGD momentum")->check(CLI::Range(0.0, 1.0)));
  f.weight_decay_option = recipe(
      cmd.add_option("--weight-decay", c.weight_decay, "Weight decay (default: adamw 1e-2, else 0)")
          ->check(CLI::Range(0.0, 1.0)));
  recipe(cmd.add_option("--schedule", c.schedule, "lr per epoch: cosine | none")
             ->check(CLI::IsMember({"cosine", "none"})));
  recipe(cmd.add_option("--seed", c.seed, "Seed for init, split and shuffling")
             ->check(non_negative_integer()));
  recipe(cmd.add_option("--dtype", c.dtype)->check(CLI::IsMember({"float32", "float64"})));
  recipe(cmd.add_option("--valid-fraction", c.valid_fraction,
                        "Part of the training set held out for validation (0: none)")
             ->check(CLI::Range(0.0, 0.9)));
  // Flags that decide only how long, how fast or where.
  f.epochs_option = cmd.add_option("--epochs", c.epochs, "Epochs (with --resume: the new total)")
                        ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  cmd.add_option("--threads", f.threads, "Threads (0: all cores)")->check(CLI::Range(0, 1024));
  cmd.add_option("--out", f.out, "Run folder (metrics.csv, checkpoints, plots)");
  cmd.add_option("--bucket-mb", f.bucket_mb,
                 "Under mpirun: gradient bucket size in MB; each bucket's all-reduce starts "
                 "during backward (default 0.25)")
      ->check(positive_number());
  auto* resume = cmd.add_flag("--resume", f.resume, "Continue from OUT/last.safetensors");
  cmd.add_flag("--force", f.force, "Start over in an --out that already holds a run")
      ->excludes(resume);
  cmd.add_flag("--no-plots", f.no_plots, "Do not draw curves.png and confusion.png");
}

void finish_flags(TrainFlags& f) {
  TrainConfig& c = f.config;
  // (On --resume the checkpoint's model and optimizer decide; merge_resume_config compares.)
  if (find_model(c.model).uses_hidden)
    c.hidden = parse_sizes(f.hidden_text, "--hidden");
  else if (f.hidden_option->count() > 0 && !f.resume)
    throw UsageError("--hidden does not apply to --model " + c.model);
  else
    c.hidden.clear();
  if (f.momentum_option->count() > 0 && c.optimizer != "sgd" && !f.resume)
    throw UsageError("--momentum applies to --optimizer sgd only (this run uses " + c.optimizer +
                     ")");
  // The default recipe's lrs (docs/cli.md has the measurements behind them).
  if (f.lr_option->count() == 0)
    c.lr = c.optimizer == "sgd"   ? 0.1
           : c.model == "softmax" ? 1e-2
           : c.model == "mlp"     ? 2.5e-3
                                  : 2e-3;
  if (f.weight_decay_option->count() == 0) c.weight_decay = c.optimizer == "adamw" ? 1e-2 : 0.0;
  if (c.data.empty()) c.data = default_data_spec();
}

TrainConfig merge_resume_config(const TrainFlags& f, const TrainConfig& saved,
                                const std::string& checkpoint) {
  const nlohmann::json given = to_json(f.config), have = to_json(saved);
  for (CLI::Option* o : f.recipe_options) {
    if (o->count() == 0) continue;
    std::string key = o->get_name().substr(2);  // "--batch-size" -> "batch_size"
    std::replace(key.begin(), key.end(), '-', '_');
    if (given.contains(key) && given[key] != have[key])
      throw UsageError(o->get_name() + " " + dump_json(given[key]) + " differs from " +
                       dump_json(have[key]) + " in " + checkpoint +
                       "; drop the flag to resume, or start a new run with another --out");
  }
  TrainConfig merged = saved;
  if (f.epochs_option->count() > 0) merged.epochs = f.config.epochs;
  return merged;
}

}  // namespace gf::cli
