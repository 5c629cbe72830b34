// Classification metrics with scikit-learn's definitions (sklearn.metrics): accuracy, the
// confusion matrix (rows = true class, columns = predicted class), per-class precision / recall /
// F1 with macro and support-weighted averages, and classification_report's text layout.
// "pred" is either class ids [N] (any dtype holding whole numbers) or scores/logits [N, C]
// (the arg-max of each row is the prediction, first one on ties).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::metrics {

// Class ids [N] Int64 from ids or from logits [N, C].
Tensor predicted_classes(const Tensor& pred_or_logits);

// Fraction of samples whose predicted class equals the label (in [0, 1]).
double accuracy(const Tensor& pred_or_logits, const Tensor& labels);

// Int64 [C, C]: entry (i, j) counts samples of true class i predicted as j. Labels and
// predictions must be in [0, num_classes); errors name the offending index and value.
Tensor confusion_matrix(const Tensor& pred_or_logits, const Tensor& labels, int64_t num_classes);

struct ClassificationScores {
  std::vector<double> precision, recall, f1;  // per class; 0 where undefined (sklearn's default)
  std::vector<int64_t> support;               // true samples per class
  double accuracy = 0;
  double macro_precision = 0, macro_recall = 0, macro_f1 = 0;           // unweighted means
  double weighted_precision = 0, weighted_recall = 0, weighted_f1 = 0;  // weighted by support
  int64_t total = 0;
};
// From a confusion matrix [C, C] (rows = true class).
ClassificationScores classification_scores(const Tensor& confusion);

// sklearn.metrics.classification_report's text: a row per class (precision, recall, f1-score,
// support), then accuracy, macro avg and weighted avg. Names default to "0", "1", ...
std::string classification_report(const Tensor& confusion,
                                  const std::vector<std::string>& target_names = {},
                                  int digits = 2);
std::string classification_report(const Tensor& pred_or_logits, const Tensor& labels,
                                  int64_t num_classes,
                                  const std::vector<std::string>& target_names = {},
                                  int digits = 2);

// A confusion matrix accumulated batch by batch, for training and evaluation loops: update()
// reads the logits' and labels' buffers in place (arg-max per row, first on ties, NaN counting as
// the largest like torch.argmax) and allocates nothing, where accuracy()/confusion_matrix() above
// copy every score to double first.
//   metrics::ConfusionCounter counter(10);
//   for (auto& b : loader) correct += counter.update(model.forward(b.data), b.target);
//   counter.accuracy(); counter.matrix();
class ConfusionCounter {
 public:
  explicit ConfusionCounter(int64_t num_classes);
  // pred_or_logits: Float32/Float64 scores [N, C] or Int64 class ids [N]; labels: Int64 [N].
  // Returns how many of the batch's samples are predicted correctly. A label or id outside
  // [0, C) throws gf::Error naming its row and value (nothing of the batch is counted then).
  int64_t update(const Tensor& pred_or_logits, const Tensor& labels);
  int64_t correct() const { return correct_; }
  int64_t total() const { return total_; }
  double accuracy() const { return total_ ? double(correct_) / double(total_) : 0.0; }
  int64_t num_classes() const { return classes_; }
  const std::vector<int64_t>& counts() const { return counts_; }  // C x C row-major (true, pred)
  Tensor matrix() const;                                          // Int64 [C, C]
  void reset();

 private:
  int64_t classes_;
  std::vector<int64_t> counts_;
  int64_t correct_ = 0, total_ = 0;
};

// The confusion matrix as an aligned table with "true \ pred" headings, for summaries.
std::string format_confusion_matrix(const Tensor& confusion,
                                    const std::vector<std::string>& class_names = {});

}  // namespace gf::metrics
