"""gradflow.data: data sets and readers (the C++ gf::data): sklearn-like generators,
train_test_split, StandardScaler, CSV and IDX readers, Fashion-MNIST."""
from ._gradflow.data import (  # noqa: F401
    TensorDataset, DataLoader, make_classification, make_blobs, make_moons, train_test_split,
    StandardScaler, read_csv, read_idx, fashion_mnist_available, fashion_mnist_classes,
    load_fashion_mnist,
)
