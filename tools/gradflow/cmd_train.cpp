// `gradflow train`: flags, printing and signals around gf::train::Trainer (the loop, exact
// resume) and the run folder of run_files.hpp. The default recipe and its measured accuracies are
// in docs/cli.md; SIGINT/SIGTERM stop at a batch boundary with a checkpoint, and a resumed run
// (same --threads) ends bit for bit like an uninterrupted one.
//
// Under `mpirun -np N` every process is one rank of a data-parallel run (gf::distributed): the
// ranks check that they train the same config on the same data, each trains its shard of every
// global batch (--batch-size is the global batch) with gradients averaged by DataParallel, and
// rank 0 alone prints and writes the run folder (checkpoints once, atomically).
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <gradflow/distributed/distributed.hpp>
#include <gradflow/io/atomic_file.hpp>
#include <gradflow/viz/plot.hpp>
#include <iostream>
#include <sstream>

#include "command.hpp"
#include "training.hpp"

namespace gf::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// SIGINT/SIGTERM set a flag the loop reads at the next batch boundary; the handler goes back to
// the default, so a second Ctrl-C kills at once (the checkpoints on disk are complete either way).
volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop(int sig) {
  g_stop = sig;
  std::signal(sig, SIG_DFL);
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
std::string percent(double fraction) {
  char buf[32];
  return std::snprintf(buf, sizeof buf, "%.2f%%", 100 * fraction), buf;
}

// On a terminal, one line redrawn in place at most 10 times a second (elsewhere nothing):
//   epoch 3/10 [█████████░░░░░░░░] 210/422  loss 0.3412  acc 87.55%  131,204 samples/s  ETA 0:02
struct ProgressBar {
  bool enabled;
  int64_t epoch, epochs, batches;
  Clock::time_point last{};
  void update(int64_t done, double loss, double acc, double per_s, double eta) {
    if (!enabled || (done < batches && Clock::now() - last < std::chrono::milliseconds(100)))
      return;
    last = Clock::now();
    std::string bar;
    for (int i = 0; i < 24; ++i) bar += i < 24 * done / batches ? "\u2588" : "\u2591";
    long long s = std::llround(std::max(0.0, eta));
    std::printf(
        "\r\033[Kepoch %lld/%lld [%s] %lld/%lld  loss %.4f  acc %.2f%%  %s samples/s  "
        "ETA %lld:%02lld",
        (long long)epoch, (long long)epochs, bar.c_str(), (long long)done, (long long)batches, loss,
        100 * acc, format_count(per_s).c_str(), s / 60, s % 60);
    std::fflush(stdout);
  }
  void clear() {
    if (enabled) std::printf("\r\033[K"), std::fflush(stdout);
  }
};

void print_epoch_line(const train::EpochMetrics& m, int64_t epochs, double lr, double per_s) {
  char valid[96] = "(no validation set)";
  if (!std::isnan(m.valid_loss))
    std::snprintf(valid, sizeof valid, "valid loss %.4f acc %s", m.valid_loss,
                  percent(m.valid_acc).c_str());
  std::printf("epoch %*lld/%lld  train loss %.4f acc %s  %s  lr %.3g  %.1fs  %s samples/s\n",
              static_cast<int>(std::to_string(epochs).size()), (long long)m.epoch,
              (long long)epochs, m.train_loss, percent(m.train_acc).c_str(), valid, lr, m.seconds,
              format_count(per_s).c_str());
  std::fflush(stdout);
}

// confusion.csv and, unless !plots, the pictures; false (the reason on stderr) when a picture could
// not be written, e.g. on a full disk.
bool write_outputs(const fs::path& out, const train::Progress& p,
                   const std::vector<std::string>& names, const Tensor& confusion, bool plots) {
  std::string csv = "true\\predicted";
  for (const auto& n : names) csv += "," + n;
  for (int64_t i = 0; i < confusion.size(0); ++i) {
    csv += "\n" + names[i];
    for (int64_t j = 0; j < confusion.size(1); ++j)
      csv += "," + std::to_string(confusion.data_ptr<int64_t>()[i * confusion.size(1) + j]);
  }
  io::write_file_atomic((out / "confusion.csv").string(), csv + "\n");
  if (!plots) return true;
  try {
    std::vector<viz::MetricsRow> rows;
    for (const auto& m : p.history)
      rows.push_back({m.epoch, m.train_loss, m.train_acc, m.valid_loss, m.valid_acc, m.seconds});
    viz::plot_training_curves(rows, (out / "curves.png").string());
    viz::plot_confusion_matrix(confusion, names, (out / "confusion.png").string(),
                               "Confusion matrix (test set)");
    std::cout << "plots: " << (out / "curves.png").string() << ", "
              << (out / "confusion.png").string() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "gradflow: plots not drawn: " << e.what() << "\n";
    return false;
  }
  return true;
}

// --out must be (or become) a folder we can write in. A run killed during a checkpoint write
// leaves its temp file behind (nobody else writes there): removed here.
void prepare_out(const fs::path& out) {
  const std::string flag = "--out " + out.string() + ": ";
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec))
    throw UsageError(flag + "is a file, not a folder");
  fs::create_directories(out, ec);
  if (ec) throw UsageError(flag + "cannot create the folder: " + ec.message());
  if (access(out.c_str(), W_OK | X_OK) != 0)
    throw UsageError(flag + "cannot write in the folder: " + std::strerror(errno));
  for (const auto& entry : fs::directory_iterator(out, ec))
    if (entry.path().filename().string().rfind(".", 0) == 0 &&
        entry.path().filename().string().find(".tmp.") != std::string::npos)
      fs::remove(entry.path(), ec);
}

void run_train(TrainFlags& flags) {
  finish_flags(flags);
  if (flags.threads > 0) set_num_threads(flags.threads);
  distributed::init();
  const int world = distributed::world_size();
  const bool lead = distributed::rank() == 0;  // prints and writes; the other ranks only train
  if (!lead && !std::freopen("/dev/null", "w", stdout))
    throw UsageError("cannot silence stdout on rank " + std::to_string(distributed::rank()));
  const fs::path out = flags.out;
  const std::string last_path = (out / "last.safetensors").string(),
                    best_path = (out / "best.safetensors").string();
  if (lead) prepare_out(out);
  TrainConfig config = flags.config;
  RunCheckpoint resumed;
  if (flags.resume) {
    if (!fs::exists(last_path))
      throw UsageError("--resume: " + last_path + " does not exist; start without --resume");
    resumed = load_checkpoint(last_path);
    // Every global batch is cut into N shards whose gradient sums are added in another order,
    // so a resume with another N would quietly continue a different run: refused, on every rank
    // (rank 0 prints; the others stop with the same status, before any collective).
    const int64_t ranks = resumed.info.ranks;  // 0: a checkpoint from before the field existed
    if (ranks > 0 && ranks != world) {
      if (!lead) throw ExitStatus{2};
      throw UsageError("--resume: " + last_path + " was written by a run of " +
                       plural(ranks, "rank") + " and this one has " + std::to_string(world) +
                       "; resume it " +
                       (ranks > 1 ? "with mpirun -np " + std::to_string(ranks) : "without mpirun") +
                       " (the shards of every batch, and so the numbers, depend on the count)");
    }
    config = merge_resume_config(flags, resumed.config, last_path);
    if (config.schedule == "cosine" && config.epochs != resumed.config.epochs)
      std::cout << "note: --epochs " << config.epochs << " changes the cosine schedule's horizon ("
                << plural(resumed.config.epochs, "epoch") << " in the checkpoint)\n";
  } else if (fs::exists(last_path) && !flags.force) {
    throw UsageError(out.string() + " already holds a run (" + last_path +
                     "); continue it with --resume, overwrite it with --force, or choose "
                     "another --out");
  }
  RunInfo& info = resumed.info;
  DataSets data =
      flags.resume ? load_datasets(config, &info, &resumed.standardizer) : load_datasets(config);
  if (!flags.resume) info = {data.num_features, data.num_classes, data.class_names, 0};
  check_same_run_on_every_rank(config, data);  // before any rank writes or trains
  const Shape sample_shape = input_shape(config, data.num_features);
  for (Split* s : {&data.train, &data.valid, &data.test}) *s = as_model_input(*s, sample_shape);
  auto model = build_model(config, data.num_features, data.num_classes);
  auto optimizer = train::make_optimizer(config.optimizer, model->parameters(),
                                         {config.lr, config.momentum, config.weight_decay});
  auto scheduler = train::make_scheduler(config.schedule, *optimizer, config.epochs);
  data::DataLoader loader(data::TensorDataset(data.train.X, data.train.y, data.transform),
                          {config.batch_size, /*shuffle=*/true, /*drop_last=*/false, config.seed});
  train::Trainer trainer{*model,           *optimizer,   scheduler.get(), loader,
                         data.num_classes, data.valid.X, data.valid.y};
  trainer.valid_transform = data.transform;
  const data::TensorDataset test_set(data.test.X, data.test.y, data.transform);
  if (flags.resume) trainer.restore(resumed.state);
  std::unique_ptr<distributed::DataParallel> dp;
  if (world > 1) {
    dp = std::make_unique<distributed::DataParallel>(
        *model, std::max<int64_t>(1, std::llround(flags.bucket_mb * (1 << 20))));
    trainer.data_parallel = dp.get();
  }
  train::Progress& progress = trainer.progress;
  try {
    if (lead)
      io::write_file_atomic((out / "config.json").string(), dump_json(to_json(config), 2) + "\n");
  } catch (const gf::Error& e) {
    throw UsageError("--out " + out.string() + ": cannot write files there (" + e.what() + ")");
  }

  std::cout << "data: " << data.description << "\n  train " << format_count(data.train.size())
            << ", valid " << format_count(data.valid.size()) << ", test "
            << format_count(data.test.size()) << " samples; " << data.num_features << " features, "
            << data.num_classes << " classes\nmodel: " << model->repr()
            << "\noptimizer: " << config.optimizer << " lr " << config.lr
            << (config.optimizer == "sgd" ? " momentum " + std::to_string(config.momentum) : "")
            << " weight_decay " << config.weight_decay << ", schedule " << config.schedule
            << ", batch " << config.batch_size << ", " << plural(config.epochs, "epoch")
            << ", seed " << config.seed << ", " << config.dtype << ", "
            << plural(get_num_threads(), "thread") << "\n";
  if (world > 1) {
    std::ostringstream how;
    if (dp->shared_memory())
      how << "through shared memory (one host)";
    else
      how << "in " << plural(dp->num_buckets(), "bucket") << " of <= " << flags.bucket_mb
          << " MB overlapped with backward";
    std::cout << "data parallel: " << world << " ranks (mpirun) x "
              << plural(get_num_threads(), "thread") << ", global batch " << config.batch_size
              << " (" << distributed::shard(config.batch_size, 0, world).size()
              << " per rank), gradients averaged " << how.str() << "\n";
  }
  if (flags.resume && info.ranks == 0)
    std::cout << "note: the checkpoint does not record how many ranks trained it (written before "
              << "the field existed); if not " << world << ", results will not be bit-identical "
              << "to an uninterrupted run\n";
  info.ranks = world;
  if (flags.resume && info.threads > 0 && info.threads != get_num_threads())
    std::cout << "note: the run so far used " << plural(info.threads, "thread") << ", this one "
              << get_num_threads() << "; results will not be bit-identical to an uninterrupted "
              << "run (pass --threads " << info.threads << ")\n";
  info.threads = get_num_threads();
  if (flags.resume)
    std::cout << "resuming from " << last_path << " at epoch " << progress.epoch + 1
              << (progress.batch > 0 ? ", batch " + std::to_string(progress.batch + 1) : "")
              << "\n";
  std::fflush(stdout);

  auto save = [&](const std::string& path) {  // once: rank 0 (every rank holds the same state)
    if (lead) save_checkpoint(path, trainer, config, info, data.standardizer);
  };
  g_stop = 0;
  std::signal(SIGINT, on_stop);
  std::signal(SIGTERM, on_stop);
  double session_seconds = 0;
  int64_t session_samples = 0;
  while (progress.epoch < config.epochs) {
    const double lr = optimizer->param_groups()[0].options().get_lr();
    const int64_t epoch = progress.epoch + 1, seen0 = progress.seen;
    ProgressBar bar{stdout_is_terminal(), epoch, config.epochs, loader.size()};
    const auto started = Clock::now();
    auto on_batch = [&](int64_t batches) {
      const double s = seconds_since(started), n = double(progress.seen);
      bar.update(progress.batch + 1, progress.loss_sum / n, double(progress.correct) / n,
                 (n - double(seen0)) / std::max(s, 1e-9),
                 s / (n - double(seen0)) * double(batches - progress.batch - 1) *
                     double(config.batch_size));
    };
    const train::EpochEnd end = trainer.train_epoch([] { return g_stop != 0; }, on_batch);
    bar.clear();
    if (end == train::EpochEnd::Stopped) {
      save(last_path);
      std::cout << "\nstopped by " << (g_stop == SIGINT ? "SIGINT" : "SIGTERM") << " at epoch "
                << epoch << ", batch " << progress.batch << "/" << loader.size() << "; saved "
                << last_path << "\nresume with: "
                << (world > 1 ? "mpirun -np " + std::to_string(world) + " " : "")
                << "gradflow train --out " << shell_quote(out.string()) << " --resume --threads "
                << get_num_threads() << "\n";
      throw ExitStatus{128 + g_stop};
    }
    if (end == train::EpochEnd::NonFiniteLoss) {
      std::cerr << "gradflow: the loss became " << trainer.last_loss << " at epoch " << epoch
                << ", batch " << progress.batch + 1 << "/" << loader.size()
                << "; training stopped. "
                << (progress.history.empty() && !flags.resume
                        ? std::string("No checkpoint was written.")
                        : "The last good checkpoint is " + last_path + ".")
                << " Try a smaller --lr.\n";
      throw ExitStatus{1};
    }
    const double seconds = seconds_since(started);
    const int64_t samples = data.train.size() - seen0;
    session_seconds += seconds;
    session_samples += samples;
    if (trainer.last_epoch_is_best()) save(best_path);
    save(last_path);
    if (lead) write_metrics_csv((out / "metrics.csv").string(), progress.history);
    print_epoch_line(trainer.last_epoch(), config.epochs, lr,
                     double(samples) / std::max(seconds, 1e-9));
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!lead) return;  // the test evaluation and the report are rank 0's
  // metrics.csv always matches the checkpoint (also when resuming a finished run).
  write_metrics_csv((out / "metrics.csv").string(), progress.history);

  train::Evaluation test = train::evaluate(*model, test_set, data.num_classes);
  std::cout << "\ntest accuracy " << percent(test.accuracy) << " of the last model (epoch "
            << progress.epoch << ", last.safetensors; " << format_count(data.test.size())
            << " samples), test loss " << test.loss << "\n";
  if (progress.best_epoch > 0 && fs::exists(best_path)) {
    auto best = build_model(config, data.num_features, data.num_classes);
    best->load_state_dict(load_checkpoint(best_path).state.model);
    std::cout << "best validation accuracy " << percent(progress.best_valid_acc) << " at epoch "
              << progress.best_epoch << " (" << best_path << "): its test accuracy is "
              << percent(train::evaluate(*best, test_set, data.num_classes).accuracy) << "\n";
  } else if (data.valid.size() == 0) {
    std::cout << "no validation set (--valid-fraction 0): no best.safetensors\n";
  }
  if (session_samples > 0)
    std::cout << "training throughput " << format_count(session_samples / session_seconds)
              << " samples/s (" << (world > 1 ? plural(world, "rank") + " x " : "")
              << plural(get_num_threads(), "thread") << ")\n";
  std::cout << "\nconfusion matrix of the last model on the test set (rows: true class, columns: "
               "predicted)\n"
            << metrics::format_confusion_matrix(test.confusion, info.class_names) << "\n"
            << metrics::classification_report(test.confusion, info.class_names, 4) << "\n";
  const bool written =
      write_outputs(out, progress, info.class_names, test.confusion, !flags.no_plots);
  std::cout << "run folder: " << out.string()
            << " (metrics.csv, last.safetensors, best.safetensors, confusion.csv)\n";
  if (!written) throw ExitStatus{2};  // the run is saved; its pictures are not
}

void setup(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train a classifier (--model " + model_names(", ") + ")");
  auto flags = std::make_shared<TrainFlags>();
  add_train_flags(*cmd, *flags);
  cmd->callback([flags] { run_train(*flags); });
}

const Registration reg("train", setup);

}  // namespace
}  // namespace gf::cli
