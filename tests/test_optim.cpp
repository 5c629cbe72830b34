// Optimizers and schedulers against PyTorch 1.13 trajectories (tests/reference/optim_reference.py
// -> optim_reference.json), checkpoint resume of optimizer state, and clip_grad_norm_.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <gradflow/gradflow.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <numbers>

using namespace gf;
using json = nlohmann::json;

namespace {

const json& reference() {
  static const json ref = [] {
    std::ifstream in(std::string(GF_REFERENCE_DIR) + "/optim_reference.json");
    EXPECT_TRUE(in.good()) << "missing optim_reference.json";
    return json::parse(in);
  }();
  return ref;
}

Tensor from_json(const json& values, const Shape& shape) {
  return tensor(values.get<std::vector<double>>(), shape, DType::Float64);
}

// The reference problem: loss = mean((X Wᵀ + b − Y)²) + 0.01 · sum(W⁴).
struct Problem {
  Tensor X = from_json(reference()["X"], {8, 5});
  Tensor Y = from_json(reference()["Y"], {8, 4});
  Tensor W = from_json(reference()["W0"], {4, 5}).requires_grad_();
  Tensor b = from_json(reference()["b0"], {4}).requires_grad_();
  Tensor loss() const { return mean(pow(matmul(X, W.t()) + b - Y, 2)) + 0.01 * sum(pow(W, 4)); }
};

std::unique_ptr<optim::Optimizer> make_optimizer(const json& c, Problem& p) {
  std::string name = c["optimizer"];
  double lr = c["lr"];
  if (name == "sgd") {
    auto o = optim::SGDOptions(lr)
                 .momentum(c.value("momentum", 0.0))
                 .dampening(c.value("dampening", 0.0))
                 .weight_decay(c.value("weight_decay", 0.0))
                 .nesterov(c.value("nesterov", false))
                 .maximize(c.value("maximize", false));
    if (c.contains("bias_lr")) {
      auto bias_options = std::make_unique<optim::SGDOptions>(o);
      bias_options->lr(c["bias_lr"]);
      std::vector<optim::OptimizerParamGroup> groups;
      groups.emplace_back(std::vector<Tensor>{p.W});
      groups.emplace_back(std::vector<Tensor>{p.b}, std::move(bias_options));
      return std::make_unique<optim::SGD>(std::move(groups), o);
    }
    return std::make_unique<optim::SGD>(std::vector<Tensor>{p.W, p.b}, o);
  }
  optim::Betas betas{0.9, 0.999};
  if (c.contains("betas")) betas = {c["betas"][0], c["betas"][1]};
  if (name == "adam") {
    auto o = optim::AdamOptions(lr)
                 .betas(betas)
                 .eps(c.value("eps", 1e-8))
                 .amsgrad(c.value("amsgrad", false));
    if (c.contains("weight_decay")) o.weight_decay(c["weight_decay"]);
    return std::make_unique<optim::Adam>(std::vector<Tensor>{p.W, p.b}, o);
  }
  auto o = optim::AdamWOptions(lr)
               .betas(betas)
               .eps(c.value("eps", 1e-8))
               .amsgrad(c.value("amsgrad", false));
  if (c.contains("weight_decay")) o.weight_decay(c["weight_decay"]);
  return std::make_unique<optim::AdamW>(std::vector<Tensor>{p.W, p.b}, o);
}

std::unique_ptr<optim::LRScheduler> make_scheduler(const json& c, optim::Optimizer& opt) {
  std::string s = c.value("scheduler", "");
  if (s == "step") return std::make_unique<optim::StepLR>(opt, c["step_size"], c["gamma"]);
  if (s == "cosine")
    return std::make_unique<optim::CosineAnnealingLR>(opt, c["T_max"], c["eta_min"]);
  return nullptr;
}

void expect_near_all(const Tensor& t, const json& expected, double tol, const std::string& what) {
  std::vector<double> got = t.tolist();
  ASSERT_EQ(got.size(), expected.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], expected[i].get<double>(), tol) << what << " element " << i;
}

// Runs steps [from, to) of a reference configuration, checking every step.
void run_steps(const json& run, Problem& p, optim::Optimizer& opt, optim::LRScheduler* sched,
               int from, int to) {
  const std::string name = run["config"]["name"];
  for (int s = from; s < to; ++s) {
    const json& want = run["steps"][s];
    opt.zero_grad();
    Tensor loss = p.loss();
    ASSERT_NEAR(loss.item(), want["loss"].get<double>(), 1e-12) << name << " step " << s;
    loss.backward();
    opt.step();
    if (sched) sched->step();
    std::string where = name + " step " + std::to_string(s);
    expect_near_all(p.W, want["W"], 1e-12, where + " W");
    expect_near_all(p.b, want["b"], 1e-12, where + " b");
    for (std::size_t g = 0; g < opt.param_groups().size(); ++g)
      ASSERT_DOUBLE_EQ(opt.param_groups()[g].options().get_lr(), want["lr"][g].get<double>())
          << where << " lr of group " << g;
  }
}

}  // namespace

TEST(Optim, MatchesPyTorchTrajectories) {
  ASSERT_EQ(reference()["runs"].size(), 12u);
  for (const json& run : reference()["runs"]) {
    Problem p;
    auto opt = make_optimizer(run["config"], p);
    auto sched = make_scheduler(run["config"], *opt);
    run_steps(run, p, *opt, sched.get(), 0, reference()["steps"]);
    if (HasFatalFailure()) return;
  }
}

TEST(Optim, ResumeFromStateDictContinuesTheSameTrajectory) {
  for (const json& run : reference()["runs"]) {
    const int split = 5, total = reference()["steps"];
    Problem p;
    optim::OptimizerStateDict saved;
    std::map<std::string, double> sched_saved;
    {
      auto opt = make_optimizer(run["config"], p);
      auto sched = make_scheduler(run["config"], *opt);
      run_steps(run, p, *opt, sched.get(), 0, split);
      saved = opt->state_dict();
      if (sched) sched_saved = sched->state_dict();
      for (auto& [k, t] : saved.tensors) t = t.clone();  // a checkpoint copy
    }
    // a fresh optimizer over the (already updated) parameters, as after loading a checkpoint
    auto opt = make_optimizer(run["config"], p);
    auto sched = make_scheduler(run["config"], *opt);
    opt->load_state_dict(saved);
    if (sched) sched->load_state_dict(sched_saved);
    run_steps(run, p, *opt, sched.get(), split, total);
    if (HasFatalFailure()) return;
  }
}

TEST(Optim, StateDictNamesPyTorchBuffers) {
  Problem p;
  optim::Adam opt({p.W, p.b}, optim::AdamOptions(0.01).amsgrad(true));
  p.loss().backward();
  opt.step();
  auto sd = opt.state_dict();
  std::vector<std::string> names;
  for (auto& [k, _] : sd.tensors) names.push_back(k);
  EXPECT_EQ(names, (std::vector<std::string>{"state.0.exp_avg", "state.0.exp_avg_sq",
                                             "state.0.max_exp_avg_sq", "state.1.exp_avg",
                                             "state.1.exp_avg_sq", "state.1.max_exp_avg_sq"}));
  EXPECT_EQ(sd.scalars.at("state.0.step"), 1);
  EXPECT_EQ(sd.scalars.at("param_groups.0.lr"), 0.01);
  EXPECT_EQ(sd.scalars.at("param_groups.0.size"), 2);
}

TEST(Optim, LoadStateDictChecksShapesAndCounts) {
  Problem p;
  optim::SGD opt({p.W, p.b}, optim::SGDOptions(0.1).momentum(0.9));
  optim::OptimizerStateDict bad;
  bad.scalars["param_groups.0.size"] = 2;
  bad.tensors.emplace_back("state.1.momentum_buffer", zeros({5}, DType::Float64));
  try {
    opt.load_state_dict(bad);
    FAIL() << "expected gf::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("state.1.momentum_buffer has shape [5] but parameter 1 "
                                         "has shape [4]"),
              std::string::npos)
        << e.what();
  }
  bad.tensors.clear();
  bad.scalars["param_groups.0.size"] = 3;
  try {
    opt.load_state_dict(bad);
    FAIL() << "expected gf::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("doesn't match the size of optimizer's group"),
              std::string::npos)
        << e.what();
  }
}

TEST(Optim, OptionErrorsUsePyTorchWording) {
  Problem p;
  try {
    optim::SGD opt({p.W}, optim::SGDOptions(0.1).nesterov(true));
    FAIL() << "expected gf::Error";
  } catch (const Error& e) {
    EXPECT_NE(
        std::string(e.what()).find("Nesterov momentum requires a momentum and zero dampening"),
        std::string::npos);
  }
  EXPECT_THROW(optim::Adam({p.W}, optim::AdamOptions(-1)), Error);
  EXPECT_THROW(optim::Adam({p.W}, optim::AdamOptions(0.1).betas({1.0, 0.9})), Error);
  EXPECT_THROW(optim::SGD(std::vector<Tensor>{}, optim::SGDOptions(0.1)), Error);
  EXPECT_THROW(optim::SGD({p.W, p.W}, optim::SGDOptions(0.1)), Error);
}

TEST(Optim, StepUpdatesInPlaceWithoutReallocating) {
  Problem p;
  optim::Adam opt({p.W, p.b}, optim::AdamOptions(0.01));
  const void* w_data = p.W.data_ptr<double>();
  p.loss().backward();
  opt.step();
  auto sd = opt.state_dict();
  const void* m_data = sd.tensors[0].second.data_ptr<double>();
  const void* g_data = p.W.grad().data_ptr<double>();
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();  // zeroes in place (PyTorch 1.13's default)
    EXPECT_EQ(p.W.grad().data_ptr<double>(), g_data);
    EXPECT_EQ(p.W.grad().abs().sum().item(), 0.0);
    p.loss().backward();
    opt.step();
  }
  EXPECT_EQ(p.W.data_ptr<double>(), w_data);
  EXPECT_EQ(opt.state_dict().tensors[0].second.data_ptr<double>(), m_data);
  EXPECT_EQ(p.W.grad().data_ptr<double>(), g_data);
  opt.zero_grad(/*set_to_none=*/true);
  EXPECT_FALSE(p.W.grad().defined());
}

TEST(Optim, ParametersWithoutGradAreSkipped) {
  Problem p;
  optim::SGD opt({p.W, p.b}, optim::SGDOptions(0.1).momentum(0.9));
  std::vector<double> b_before = p.b.tolist();
  sum(pow(p.W, 2)).backward();  // b gets no gradient
  opt.step();
  EXPECT_EQ(p.b.tolist(), b_before);
  EXPECT_EQ(opt.state_dict().tensors.size(), 1u);  // momentum buffer for W only
}

TEST(Optim, SchedulersMatchTheirClosedForms) {
  Tensor w = zeros({1}, DType::Float64).requires_grad_();
  optim::SGD opt({w}, optim::SGDOptions(0.5));
  optim::StepLR step_lr(opt, 3, 0.1);
  for (int e = 0; e <= 10; ++e) {
    EXPECT_NEAR(step_lr.get_last_lr()[0], 0.5 * std::pow(0.1, e / 3), 1e-15) << e;
    EXPECT_EQ(step_lr.last_epoch(), e);
    step_lr.step();
  }
  Tensor v = zeros({1}, DType::Float64).requires_grad_();
  optim::SGD opt2({v}, optim::SGDOptions(0.2));
  const int T = 7;
  const double eta_min = 0.01;
  optim::CosineAnnealingLR cos_lr(opt2, T, eta_min);
  for (int e = 0; e <= T; ++e) {
    double closed = eta_min + (0.2 - eta_min) * (1 + std::cos(std::numbers::pi * e / T)) / 2;
    EXPECT_NEAR(cos_lr.get_last_lr()[0], closed, 1e-14) << e;
    EXPECT_NEAR(opt2.param_groups()[0].options().get_lr(), closed, 1e-14) << e;
    cos_lr.step();
  }
}

TEST(ClipGradNorm, ScalesToMaxNormAndReturnsTotalNorm) {
  Tensor a = zeros({2, 2}, DType::Float64).requires_grad_();
  Tensor b = zeros({3}, DType::Float64).requires_grad_();
  Tensor c = zeros({1}, DType::Float64).requires_grad_();  // no gradient: skipped
  a.set_grad(tensor({1, -2, 3, -4}, {2, 2}, DType::Float64));
  b.set_grad(tensor({2, 0, -1}, DType::Float64));
  // total = √(1 + 4 + 9 + 16 + 4 + 0 + 1) = √35
  double total = nn::utils::clip_grad_norm_({a, b, c}, 1.0);
  EXPECT_NEAR(total, std::sqrt(35.0), 1e-15);
  double coef = 1.0 / (std::sqrt(35.0) + 1e-6);
  std::vector<double> ga = a.grad().tolist(), gb = b.grad().tolist();
  EXPECT_NEAR(ga[3], -4 * coef, 1e-15);
  EXPECT_NEAR(gb[0], 2 * coef, 1e-15);
  EXPECT_FALSE(c.grad().defined());
  // the new joint norm is just below max_norm
  double after = 0;
  for (double g : ga) after += g * g;
  for (double g : gb) after += g * g;
  EXPECT_NEAR(std::sqrt(after), 1.0, 1e-6);
  EXPECT_LT(std::sqrt(after), 1.0);

  // below the threshold nothing changes
  double again = nn::utils::clip_grad_norm_({a, b}, 10.0);
  EXPECT_NEAR(again, std::sqrt(after), 1e-15);
  EXPECT_EQ(a.grad().tolist(), ga);

  // infinity norm: max |g|
  a.set_grad(tensor({1, -7, 3, 2}, {2, 2}, DType::Float64));
  EXPECT_EQ(nn::utils::clip_grad_norm_({a, b}, 100.0, INFINITY), 7.0);

  // non-finite total with error_if_nonfinite
  a.set_grad(tensor({NAN, 0, 0, 0}, {2, 2}, DType::Float64));
  EXPECT_THROW(nn::utils::clip_grad_norm_({a}, 1.0, 2.0, true), Error);
}

TEST(ClipGradValue, ClampsEachElement) {
  Tensor a = zeros({4}, DType::Float64).requires_grad_();
  a.set_grad(tensor({-3, -0.5, 0.5, 3}, DType::Float64));
  nn::utils::clip_grad_value_({a}, 1.0);
  EXPECT_EQ(a.grad().tolist(), (std::vector<double>{-1, -0.5, 0.5, 1}));
}
