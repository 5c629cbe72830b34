"""gradflow.metrics: accuracy, confusion matrices and classification reports (gf::metrics)."""
from ._gradflow.metrics import (  # noqa: F401
    accuracy, predicted_classes, confusion_matrix, classification_report, format_confusion_matrix,
)
