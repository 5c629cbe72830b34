"""gradflow.optim.lr_scheduler: like torch.optim.lr_scheduler."""
from .._gradflow.optim.lr_scheduler import LRScheduler, StepLR, CosineAnnealingLR  # noqa: F401
