"""gradflow.optim: like torch.optim (the C++ gf::optim: SGD, Adam, AdamW, schedulers)."""
from .._gradflow.optim import Optimizer, ParamGroup, SGD, Adam, AdamW  # noqa: F401
from . import lr_scheduler  # noqa: F401
