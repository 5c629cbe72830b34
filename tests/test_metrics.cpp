// gf::metrics against hand-computed numbers. The example: labels y = [0,0,1,1,2,2,2],
// predictions p = [0,1,1,1,2,0,2]. Confusion (rows = true): [[1,1,0],[0,2,0],[1,0,2]];
// precision = diag / column sums = [1/2, 2/3, 1]; recall = diag / row sums = [1/2, 1, 2/3];
// F1 = 2PR/(P+R) = [0.5, 0.8, 0.8]; accuracy 5/7. The report's layout is sklearn's
// classification_report (its format strings applied by hand to these numbers).
#include <gtest/gtest.h>

#include <cmath>
#include <gradflow/factories.hpp>
#include <gradflow/metrics.hpp>

#include "support/files.hpp"

using namespace gf;
using namespace gf::metrics;

namespace {
Tensor labels() { return tensor({0, 0, 1, 1, 2, 2, 2}, DType::Int64); }
Tensor preds() { return tensor({0, 1, 1, 1, 2, 0, 2}, DType::Int64); }
}  // namespace

TEST(Metrics, AccuracyFromIdsAndFromLogits) {
  EXPECT_DOUBLE_EQ(accuracy(preds(), labels()), 5.0 / 7.0);
  // Logits [N, C]: the arg-max of each row is the prediction (first on ties).
  Tensor logits = tensor({2.0, 1.0, 0.5,   // 0
                          0.1, 0.2, -1.0,  // 1
                          3.0, 3.0, 1.0},  // tie -> 0
                         {3, 3}, DType::Float32);
  EXPECT_EQ(predicted_classes(logits).tolist(), (std::vector<double>{0, 1, 0}));
  EXPECT_DOUBLE_EQ(accuracy(logits, tensor({0, 1, 1}, DType::Int64)), 2.0 / 3.0);
  EXPECT_ERROR_WITH(accuracy(preds(), tensor({0, 1}, DType::Int64)),
                    "accuracy: 7 predictions (shape [7]) for 2 labels");
  EXPECT_ERROR_WITH(accuracy(tensor({0.5}, DType::Float64), tensor({0}, DType::Int64)),
                    "predictions[0] = 0.5 is not a class id");
}

TEST(Metrics, ConfusionMatrixRowsAreTrueClasses) {
  Tensor cm = confusion_matrix(preds(), labels(), 3);
  EXPECT_EQ(cm.dtype(), DType::Int64);
  EXPECT_EQ(cm.shape(), (Shape{3, 3}));
  EXPECT_EQ(cm.tolist(), (std::vector<double>{1, 1, 0, 0, 2, 0, 1, 0, 2}));
  EXPECT_ERROR_WITH(confusion_matrix(preds(), labels(), 2),
                    "confusion_matrix: label 2 at index 4 is out of range [0, 2)");
  EXPECT_ERROR_WITH(confusion_matrix(tensor({5}, DType::Int64), tensor({0}, DType::Int64), 3),
                    "prediction 5 at index 0 is out of range [0, 3)");
}

TEST(Metrics, PrecisionRecallF1AndAverages) {
  ClassificationScores s = classification_scores(confusion_matrix(preds(), labels(), 3));
  EXPECT_DOUBLE_EQ(s.precision[0], 0.5);
  EXPECT_DOUBLE_EQ(s.precision[1], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.precision[2], 1.0);
  EXPECT_DOUBLE_EQ(s.recall[0], 0.5);
  EXPECT_DOUBLE_EQ(s.recall[1], 1.0);
  EXPECT_DOUBLE_EQ(s.recall[2], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.f1[0], 0.5);
  EXPECT_DOUBLE_EQ(s.f1[1], 0.8);
  EXPECT_DOUBLE_EQ(s.f1[2], 0.8);
  EXPECT_EQ(s.support, (std::vector<int64_t>{2, 2, 3}));
  EXPECT_EQ(s.total, 7);
  EXPECT_DOUBLE_EQ(s.accuracy, 5.0 / 7.0);
  EXPECT_DOUBLE_EQ(s.macro_precision, (0.5 + 2.0 / 3.0 + 1.0) / 3.0);
  EXPECT_DOUBLE_EQ(s.macro_f1, 0.7);
  EXPECT_DOUBLE_EQ(s.weighted_precision, (2 * 0.5 + 2 * 2.0 / 3.0 + 3 * 1.0) / 7.0);
  EXPECT_DOUBLE_EQ(s.weighted_recall, 5.0 / 7.0);
  // A class never predicted and never present: precision/recall/F1 are 0 (sklearn's default).
  ClassificationScores z = classification_scores(confusion_matrix(preds(), labels(), 4));
  EXPECT_EQ(z.precision[3], 0.0);
  EXPECT_EQ(z.recall[3], 0.0);
  EXPECT_EQ(z.support[3], 0);
  EXPECT_DOUBLE_EQ(z.macro_f1, 2.1 / 4.0);
}

TEST(Metrics, ClassificationReportMatchesSklearnLayout) {
  const std::string expected =
      "              precision    recall  f1-score   support\n\n"
      "           0       0.50      0.50      0.50         2\n"
      "           1       0.67      1.00      0.80         2\n"
      "           2       1.00      0.67      0.80         3\n\n"
      "    accuracy                           0.71         7\n"
      "   macro avg       0.72      0.72      0.70         7\n"
      "weighted avg       0.76      0.71      0.71         7\n";
  EXPECT_EQ(classification_report(preds(), labels(), 3), expected);
  std::string named = classification_report(confusion_matrix(preds(), labels(), 3),
                                            {"T-shirt/top", "Trouser", "Pullover"}, 3);
  EXPECT_NE(named.find(" T-shirt/top      0.500     0.500     0.500         2\n"),
            std::string::npos)
      << named;
  EXPECT_ERROR_WITH(classification_report(confusion_matrix(preds(), labels(), 3), {"a"}),
                    "1 target names for 3 classes");
  EXPECT_EQ(format_confusion_matrix(confusion_matrix(preds(), labels(), 3)),
            "true \\ pred  0  1  2\n"
            "          0  1  1  0\n"
            "          1  0  2  0\n"
            "          2  1  0  2\n");
}

TEST(Metrics, ConfusionCounterMatchesConfusionMatrixBatchByBatch) {
  // The example's ids in two batches, then as logits (one-hot scores, float64 and float32).
  ConfusionCounter ids(3);
  EXPECT_EQ(ids.update(preds().slice(0, 0, 4), labels().slice(0, 0, 4)), 3);
  EXPECT_EQ(ids.update(preds().slice(0, 4, 7), labels().slice(0, 4, 7)), 2);
  EXPECT_EQ(ids.matrix().tolist(), (std::vector<double>{1, 1, 0, 0, 2, 0, 1, 0, 2}));
  EXPECT_DOUBLE_EQ(ids.accuracy(), 5.0 / 7.0);
  EXPECT_EQ(ids.total(), 7);
  for (DType dt : {DType::Float32, DType::Float64}) {
    // Row 2 ties (first wins: 0), row 3 has a NaN (NaN is the largest: 1, like torch.argmax).
    Tensor logits = tensor({1.0, 0.0, 0.0, 0.0, 5.0, 1.0, 3.0, 3.0, 1.0, 0.0, NAN, 2.0}, {4, 3}, dt);
    ConfusionCounter c(3);
    EXPECT_EQ(c.update(logits, tensor({0, 2, 0, 1}, DType::Int64)), 3);
    EXPECT_EQ(c.matrix().tolist(), (std::vector<double>{2, 0, 0, 0, 1, 0, 0, 1, 0}));
  }
  ConfusionCounter c(3);
  EXPECT_ERROR_WITH(c.update(preds(), tensor({0, 0, 1, 3, 2, 2, 2}, DType::Int64)),
                    "label 3 at row 3 is out of range [0, 3)");
  EXPECT_EQ(c.total(), 0);  // nothing of a bad batch is counted
  EXPECT_ERROR_WITH(c.update(zeros({7, 4}), labels()), "4 columns for 3 classes");
  c.update(preds(), labels());
  c.reset();
  EXPECT_EQ(c.matrix().tolist(), std::vector<double>(9, 0.0));
}
