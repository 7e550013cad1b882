"""Where torch runs: ``auto`` picks CUDA when available, else the CPU."""

from __future__ import annotations

import torch

from dltheory.core.artifacts import InputError

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def resolve_device(name: str) -> str:
    """'auto' -> 'cuda' if a GPU is visible, else 'cpu'; 'cuda' without a GPU is an error."""
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("device: 'cuda' but this machine has no CUDA device that torch can use; allowed here: auto (the CPU) or cpu")
    if name not in ("cpu", "cuda"):
        raise InputError(f"device: {name!r} is not a device; allowed: auto, cpu, cuda")
    return name
