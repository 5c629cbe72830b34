"""gradflow.models: torchvision's architectures (the C++ gf::models), with torchvision's
parameter names, so a torchvision state_dict loads unchanged."""
from ._gradflow.models import AlexNet, LeNet5  # noqa: F401
