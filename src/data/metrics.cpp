// Metrics on raw buffers: predictions, confusion matrix, precision / recall / F1 and the report.
#include "gradflow/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "gradflow/factories.hpp"

namespace gf::metrics {
namespace {

std::vector<int64_t> class_ids(const Tensor& t, const char* op, const char* what) {
  GF_CHECK(t.defined() && t.dim() == 1, op, ": ", what, " must be 1-D class ids, got shape ",
           t.defined() ? t.sizes() : Shape{});
  std::vector<double> v = t.tolist();
  std::vector<int64_t> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    GF_CHECK(std::isfinite(v[i]) && v[i] == std::floor(v[i]), op, ": ", what, "[", i, "] = ", v[i],
             " is not a class id");
    out[i] = static_cast<int64_t>(v[i]);
  }
  return out;
}

std::vector<int64_t> predictions(const Tensor& p, const char* op) {
  GF_CHECK(p.defined() && (p.dim() == 1 || p.dim() == 2), op,
           ": predictions must be class ids [N] or scores [N, C], got shape ",
           p.defined() ? p.sizes() : Shape{});
  if (p.dim() == 1) return class_ids(p, op, "predictions");
  const int64_t n = p.size(0), c = p.size(1);
  GF_CHECK(c >= 1, op, ": scores of shape ", p.sizes(), " have no classes");
  std::vector<double> v = p.tolist();
  std::vector<int64_t> out(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double* row = v.data() + i * c;
    int64_t best = 0;
    for (int64_t j = 1; j < c; ++j)
      if (row[j] > row[best] || (std::isnan(row[j]) && !std::isnan(row[best]))) best = j;
    out[i] = best;
  }
  return out;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string pad_left(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

}  // namespace

Tensor predicted_classes(const Tensor& pred_or_logits) {
  auto p = predictions(pred_or_logits, "predicted_classes");
  std::vector<double> v(p.begin(), p.end());
  return tensor(std::move(v), {static_cast<int64_t>(p.size())}, DType::Int64);
}

double accuracy(const Tensor& pred_or_logits, const Tensor& labels) {
  auto p = predictions(pred_or_logits, "accuracy");
  auto y = class_ids(labels, "accuracy", "labels");
  GF_CHECK(p.size() == y.size(), "accuracy: ", p.size(), " predictions (shape ",
           pred_or_logits.sizes(), ") for ", y.size(), " labels");
  if (y.empty()) return 0.0;
  int64_t correct = 0;
  for (std::size_t i = 0; i < y.size(); ++i) correct += p[i] == y[i];
  return static_cast<double>(correct) / static_cast<double>(y.size());
}

Tensor confusion_matrix(const Tensor& pred_or_logits, const Tensor& labels, int64_t num_classes) {
  const char* op = "confusion_matrix";
  GF_CHECK(num_classes >= 1, op, ": num_classes must be >= 1, got ", num_classes);
  auto p = predictions(pred_or_logits, op);
  auto y = class_ids(labels, op, "labels");
  GF_CHECK(p.size() == y.size(), op, ": ", p.size(), " predictions for ", y.size(), " labels");
  Tensor cm = zeros({num_classes, num_classes}, DType::Int64);
  int64_t* m = cm.data_ptr<int64_t>();
  for (std::size_t i = 0; i < y.size(); ++i) {
    GF_CHECK(y[i] >= 0 && y[i] < num_classes, op, ": label ", y[i], " at index ", i,
             " is out of range [0, ", num_classes, ")");
    GF_CHECK(p[i] >= 0 && p[i] < num_classes, op, ": prediction ", p[i], " at index ", i,
             " is out of range [0, ", num_classes, ")");
    ++m[y[i] * num_classes + p[i]];
  }
  return cm;
}

ClassificationScores classification_scores(const Tensor& confusion) {
  GF_CHECK(confusion.defined() && confusion.dim() == 2 && confusion.size(0) == confusion.size(1),
           "classification_scores: expected a square confusion matrix, got shape ",
           confusion.defined() ? confusion.sizes() : Shape{});
  const int64_t c = confusion.size(0);
  std::vector<double> m = confusion.tolist();
  ClassificationScores s;
  int64_t correct = 0;
  for (int64_t k = 0; k < c; ++k) {
    double tp = m[k * c + k], true_k = 0, pred_k = 0;
    for (int64_t j = 0; j < c; ++j) {
      true_k += m[k * c + j];
      pred_k += m[j * c + k];
    }
    // precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2PR / (P + R); 0 if undefined.
    double precision = pred_k > 0 ? tp / pred_k : 0.0;
    double recall = true_k > 0 ? tp / true_k : 0.0;
    double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    s.precision.push_back(precision);
    s.recall.push_back(recall);
    s.f1.push_back(f1);
    s.support.push_back(static_cast<int64_t>(true_k));
    s.total += static_cast<int64_t>(true_k);
    correct += static_cast<int64_t>(tp);
  }
  for (int64_t k = 0; k < c; ++k) {
    s.macro_precision += s.precision[k] / c;
    s.macro_recall += s.recall[k] / c;
    s.macro_f1 += s.f1[k] / c;
    if (s.total > 0) {
      double w = static_cast<double>(s.support[k]) / static_cast<double>(s.total);
      s.weighted_precision += w * s.precision[k];
      s.weighted_recall += w * s.recall[k];
      s.weighted_f1 += w * s.f1[k];
    }
  }
  s.accuracy = s.total > 0 ? static_cast<double>(correct) / static_cast<double>(s.total) : 0.0;
  return s;
}

// Layout of sklearn.metrics.classification_report (sklearn/metrics/_classification.py).
std::string classification_report(const Tensor& confusion,
                                  const std::vector<std::string>& target_names, int digits) {
  ClassificationScores s = classification_scores(confusion);
  const auto c = static_cast<int64_t>(s.support.size());
  GF_CHECK(target_names.empty() || static_cast<int64_t>(target_names.size()) == c,
           "classification_report: ", target_names.size(), " target names for ", c, " classes");
  GF_CHECK(digits >= 0 && digits <= 15, "classification_report: digits must be in [0, 15]");
  std::vector<std::string> names = target_names;
  for (int64_t k = 0; k < c && target_names.empty(); ++k) names.push_back(std::to_string(k));
  std::size_t width = std::string("weighted avg").size();
  for (const auto& n : names) width = std::max(width, n.size());
  width = std::max(width, static_cast<std::size_t>(digits));
  auto row = [&](const std::string& name, const std::string& a, const std::string& b,
                 const std::string& f, int64_t support) {
    return pad_left(name, width) + " " + " " + pad_left(a, 9) + " " + pad_left(b, 9) + " " +
           pad_left(f, 9) + " " + pad_left(std::to_string(support), 9) + "\n";
  };
  std::string out = pad_left("", width) + " " + " " + pad_left("precision", 9) + " " +
                    pad_left("recall", 9) + " " + pad_left("f1-score", 9) + " " +
                    pad_left("support", 9) + "\n\n";
  for (int64_t k = 0; k < c; ++k)
    out += row(names[k], fixed(s.precision[k], digits), fixed(s.recall[k], digits),
               fixed(s.f1[k], digits), s.support[k]);
  out += "\n";
  out += row("accuracy", "", "", fixed(s.accuracy, digits), s.total);
  out += row("macro avg", fixed(s.macro_precision, digits), fixed(s.macro_recall, digits),
             fixed(s.macro_f1, digits), s.total);
  out += row("weighted avg", fixed(s.weighted_precision, digits), fixed(s.weighted_recall, digits),
             fixed(s.weighted_f1, digits), s.total);
  return out;
}

std::string classification_report(const Tensor& pred_or_logits, const Tensor& labels,
                                  int64_t num_classes, const std::vector<std::string>& target_names,
                                  int digits) {
  return classification_report(confusion_matrix(pred_or_logits, labels, num_classes), target_names,
                               digits);
}

std::string format_confusion_matrix(const Tensor& confusion,
                                    const std::vector<std::string>& class_names) {
  GF_CHECK(confusion.defined() && confusion.dim() == 2 && confusion.size(0) == confusion.size(1),
           "format_confusion_matrix: expected a square matrix");
  const int64_t c = confusion.size(0);
  std::vector<double> m = confusion.tolist();
  std::vector<std::string> names = class_names;
  for (int64_t k = static_cast<int64_t>(names.size()); k < c; ++k)
    names.push_back(std::to_string(k));
  std::size_t label_w = std::string("true \\ pred").size(), cell_w = 1;
  for (int64_t k = 0; k < c; ++k) label_w = std::max(label_w, names[k].size());
  for (double v : m) cell_w = std::max(cell_w, std::to_string(static_cast<int64_t>(v)).size());
  for (int64_t k = 0; k < c; ++k) cell_w = std::max(cell_w, std::to_string(k).size());
  std::ostringstream out;
  out << std::string(label_w - std::string("true \\ pred").size(), ' ') << "true \\ pred";
  for (int64_t k = 0; k < c; ++k) out << "  " << pad_left(std::to_string(k), cell_w);
  out << "\n";
  for (int64_t i = 0; i < c; ++i) {
    out << pad_left(names[i], label_w);
    for (int64_t j = 0; j < c; ++j)
      out << "  " << pad_left(std::to_string(static_cast<int64_t>(m[i * c + j])), cell_w);
    out << "\n";
  }
  return out.str();
}

ConfusionCounter::ConfusionCounter(int64_t num_classes) : classes_(num_classes) {
  GF_CHECK(num_classes >= 1, "ConfusionCounter: num_classes must be >= 1, got ", num_classes);
  counts_.assign(static_cast<std::size_t>(num_classes * num_classes), 0);
}

namespace {
// Arg-max of each row of z [n, c], first on ties, NaN the largest (torch.argmax).
template <class T>
void argmax_rows(const T* z, int64_t n, int64_t c, int64_t* out) {
  for (int64_t i = 0; i < n; ++i, z += c) {
    int64_t best = 0;
    for (int64_t k = 1; k < c; ++k)
      if (z[k] > z[best] || (std::isnan(z[k]) && !std::isnan(z[best]))) best = k;
    out[i] = best;
  }
}
}  // namespace

int64_t ConfusionCounter::update(const Tensor& pred_or_logits, const Tensor& labels) {
  const char* op = "ConfusionCounter::update";
  GF_CHECK(labels.defined() && labels.dim() == 1 && labels.dtype() == DType::Int64, op,
           ": labels must be Int64 [N], got ", labels.defined() ? labels.sizes() : Shape{});
  const Tensor& p = pred_or_logits;
  const int64_t n = labels.size(0);
  GF_CHECK(p.defined() && (p.dim() == 1 || p.dim() == 2) && p.size(0) == n, op,
           ": predictions must be ids [N] or scores [N, C] for ", n, " labels, got shape ",
           p.defined() ? p.sizes() : Shape{});
  GF_CHECK(p.dim() == 1 ? p.dtype() == DType::Int64
                        : (p.dtype() == DType::Float32 || p.dtype() == DType::Float64),
           op, ": ids must be Int64 and scores Float32 or Float64, got ", dtype_name(p.dtype()));
  GF_CHECK(p.dim() == 1 || p.size(1) == classes_, op, ": scores have ", p.size(1), " columns for ",
           classes_, " classes");
  const Tensor y = labels.is_contiguous() ? labels : labels.contiguous();
  const Tensor z = p.is_contiguous() ? p : p.contiguous();
  const int64_t* yp = y.data_ptr<int64_t>();
  // Check first, so a bad row leaves the counts as they were.
  for (int64_t i = 0; i < n; ++i) {
    GF_CHECK(yp[i] >= 0 && yp[i] < classes_, op, ": label ", yp[i], " at row ", i,
             " is out of range [0, ", classes_, ")");
    if (z.dim() == 1) {
      const int64_t q = z.data_ptr<int64_t>()[i];
      GF_CHECK(q >= 0 && q < classes_, op, ": prediction ", q, " at row ", i,
               " is out of range [0, ", classes_, ")");
    }
  }
  // Predictions a chunk at a time into a stack buffer (no allocation).
  constexpr int64_t kChunk = 256;
  int64_t pred[kChunk];
  int64_t correct = 0;
  for (int64_t start = 0; start < n; start += kChunk) {
    const int64_t m = std::min(kChunk, n - start);
    if (z.dim() == 1)
      std::copy_n(z.data_ptr<int64_t>() + start, m, pred);
    else if (z.dtype() == DType::Float64)
      argmax_rows(z.data_ptr<double>() + start * classes_, m, classes_, pred);
    else
      argmax_rows(z.data_ptr<float>() + start * classes_, m, classes_, pred);
    for (int64_t i = 0; i < m; ++i) {
      const int64_t t = yp[start + i];
      ++counts_[static_cast<std::size_t>(t * classes_ + pred[i])];
      correct += t == pred[i];
    }
  }
  correct_ += correct;
  total_ += n;
  return correct;
}

Tensor ConfusionCounter::matrix() const {
  Tensor t = zeros({classes_, classes_}, DType::Int64);
  std::copy(counts_.begin(), counts_.end(), t.data_ptr<int64_t>());
  return t;
}

void ConfusionCounter::reset() {
  std::fill(counts_.begin(), counts_.end(), int64_t{0});
  correct_ = total_ = 0;
}

}  // namespace gf::metrics
