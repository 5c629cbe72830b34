"""gradflow.utils.data: like torch.utils.data (the C++ gf::data TensorDataset and DataLoader)."""
from .._gradflow.data import TensorDataset, DataLoader  # noqa: F401
