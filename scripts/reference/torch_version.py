"""The running PyTorch's (major, minor) version, for the reference scripts whose kernels follow the
ones PolyGlot's native shim takes on the same libtorch version."""
import torch

TORCH_VERSION = tuple(int(part) for part in torch.__version__.split("+")[0].split(".")[:2])
