"""The generic ensemble trainer: one optimizer over a batched ensemble, with divergence freeze,
checkpoints and progress lines; optimizers, per-member losses and minibatch order.

:class:`EnsembleTrainer` trains the members of one :class:`~dltheory.engine.ensembles.MLPEnsemble` on any
per-member loss (:func:`cross_entropy`, :func:`mean_squared_error`). It serves both trainers of the
project: the depth × σ_w² grid of ``depth_accuracy`` (:mod:`dltheory.engine.depth_training`) and the
teacher-student runs of ``lucky_weights`` (:mod:`dltheory.science.teacher_student`). Both optimizers
update elementwise, so on the ensemble's one parameter buffer they are exactly the per-member
optimizers.

Minibatches: member ``seed`` fixes its order of the training set: epoch ``k`` is the permutation
``default_rng([seed, 1, k])``, cut into ``n_train // batch_size`` batches (the remainder is
dropped). A batch is a pure function of (seed, step), so a resumed run sees the same batches.

Divergence is data: at a step where a member's loss or any of its gradients is NaN/inf, the member
is frozen (its gradients are zeroed before every later step, so neither SGD nor RMSProp moves
it) and stops counting updates. The other members are untouched: nothing mixes members.

Checkpoints: a trainer given a checkpoint path saves its state every ``checkpoint_every`` steps
under a key (:func:`checkpoint_key`, a fingerprint of everything the run depends on); a rerun
resumes from a checkpoint only when its key matches, and otherwise ignores and overwrites it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from dltheory.core.artifacts import atomic_write
from dltheory.core.progress import Progress
from dltheory.engine.ensembles import MLPEnsemble

OPTIMIZERS = ("sgd", "rmsprop")
CHECKPOINT_FORMAT = 3  # bump when the saved layout changes: older checkpoints are then ignored, not misread


def make_optimizer(name: str, lr: float, params) -> torch.optim.Optimizer:
    """Plain SGD (no momentum) or RMSprop with torch's defaults."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer {name!r}: allowed {', '.join(OPTIMIZERS)}")
    return torch.optim.SGD(params, lr=lr) if name == "sgd" else torch.optim.RMSprop(params, lr=lr)


def cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-member mean softmax cross-entropy [E] of logits [E, B, C] against labels [E, B]."""
    e, b = labels.shape
    return F.cross_entropy(logits.flatten(0, 1), labels.flatten(), reduction="none").view(e, b).mean(1)


def mean_squared_error(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per-member mean squared error [E] over batch and outputs ([E, B, C] each), as ``nn.MSELoss``."""
    return (outputs - targets).square().mean((1, 2))


def seed_batches(seeds: list[int], step: int, n: int, batch_size: int) -> np.ndarray:
    """Sample indices [E, batch_size] for members with these seeds (computed once per distinct seed)."""
    by_seed = {s: batch_indices(s, step, n, batch_size) for s in set(seeds)}
    return np.stack([by_seed[s] for s in seeds])


def batch_indices(seed: int, step: int, n: int, batch_size: int) -> np.ndarray:
    """Indices [batch_size] of the training samples a member with ``seed`` sees at ``step``."""
    per_epoch = n // batch_size
    if per_epoch == 0:
        raise ValueError(f"batch_size {batch_size} exceeds the {n} training samples")
    epoch, k = divmod(step, per_epoch)
    return _epoch_order(seed, epoch, n)[k * batch_size : (k + 1) * batch_size].copy()  # the cached order stays read-only


def epoch_batches(seeds: list[int], epoch: int, n: int, batch_size: int, device="cpu") -> torch.Tensor:
    """Indices [n // batch_size, E, batch_size]: every batch of ``epoch`` for members with these
    seeds, step by step, as :func:`batch_indices` gives them one at a time."""
    per_epoch = n // batch_size
    orders = np.stack([_epoch_order(s, epoch, n)[: per_epoch * batch_size] for s in seeds])  # [E, per_epoch · B]
    return torch.as_tensor(orders.reshape(len(seeds), per_epoch, batch_size).transpose(1, 0, 2).copy(), device=device)


@functools.lru_cache(maxsize=64)
def _epoch_order(seed: int, epoch: int, n: int) -> np.ndarray:
    """The permutation of the n training samples in ``epoch`` for ``seed`` (cached: drawing it costs ~1 ms at n = 100k)."""
    order = np.random.default_rng([seed, 1, epoch]).permutation(n)
    order.flags.writeable = False
    return order


def compiled(fn: Callable, backend: str, device: torch.device) -> Callable:
    """``fn`` (forward pass and loss; its backward follows) through ``torch.compile`` with ``backend``.

    On a GPU, ``"inductor"`` also records the compiled forward and backward passes as CUDA graphs
    (mode ``reduce-overhead``): a step of a deep, narrow ensemble is hundreds of small kernels,
    and a graph replays them without a launch each. The rest of a step (the finiteness check and
    the optimizer on the one parameter buffer) is a handful of kernels. ``"aot_eager"`` traces
    the same graphs but runs them op by op: it checks the path without a compiler."""
    mode = "reduce-overhead" if backend == "inductor" and torch.device(device).type == "cuda" else None
    # Every trainer compiles the same code object; dynamo would recompile it for each new depth
    # group (other shapes and layer count) and, past its recompile limit (8), run the rest eagerly.
    # Each trainer starts afresh instead (one group is trained at a time).
    torch._dynamo.reset()
    return torch.compile(fn, backend=backend, mode=mode)


def checkpoint_key(description: dict, arrays) -> str:
    """SHA-256 of a JSON-able ``description`` and the bytes of ``arrays``: what a checkpoint must match to be resumed."""
    digest = hashlib.sha256(json.dumps(description).encode())
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


class EnsembleTrainer:
    """One optimizer over one :class:`MLPEnsemble`: per-member losses, divergence freeze, checkpoints.

    Every member gets the gradient of its own loss (the summed loss of the live members is
    backpropagated; members never mix). At a step where a member's loss or any of its gradients is
    NaN/inf, the member is frozen: its gradients are zeroed before every later step, so neither SGD
    nor RMSProp moves it (RMSProp: 0 / (sqrt(v) + eps)), and ``updates`` stops counting for it.

    ``compile_backend``: a ``torch.compile`` backend for the forward and backward passes (:func:`compiled`), or None.

    Checkpoints: with ``checkpoint``, the state (parameters, optimizer state, live mask, update
    counts, step, and :attr:`extra`, the caller's observations so far) is written atomically every
    ``checkpoint_every`` steps, under ``key`` (a fingerprint of everything the run depends on). A
    checkpoint with another key is ignored. :attr:`saved` is the matching checkpoint's content.
    """

    def __init__(
        self,
        model: MLPEnsemble,
        optimizer: str,
        lr: float,
        loss: Callable,
        *,
        checkpoint: Path | None = None,
        checkpoint_every: int = 0,
        key: str | None = None,
        compile_backend: str | None = None,
    ):
        self.model = model
        self.member_losses = lambda inputs, targets: loss(model(inputs), targets)  # [E]
        if compile_backend is not None:
            self.member_losses = compiled(self.member_losses, compile_backend, model.flat.device)
        self.checkpoint, self.checkpoint_every, self.key = checkpoint, checkpoint_every, key
        self.optimizer = make_optimizer(optimizer, lr, [model.flat])  # one buffer holds every member's parameters
        device = model.flat.device
        self.alive = torch.ones(model.n_members, dtype=torch.bool, device=device)
        self.updates = torch.zeros(model.n_members, dtype=torch.int64, device=device)
        self.start, self.extra = 0, {}
        self.saved = self._load()
        if self.saved is not None and "model" in self.saved:
            self.model.load_state_dict(self.saved["model"])
            self.optimizer.load_state_dict(self.saved["optimizer"])
            self.alive, self.updates = self.saved["alive"], self.saved["updates"]
            self.start, self.extra = self.saved["step"], self.saved.get("extra", {})
        self.all_alive = bool(self.alive.all())  # while true, no gradient needs masking

    def _load(self) -> dict | None:
        if self.checkpoint is None or not self.checkpoint.exists():
            return None
        state = torch.load(self.checkpoint, map_location=self.alive.device, weights_only=False)
        if state.get("format") != CHECKPOINT_FORMAT or state.get("fingerprint") != self.key:
            return None  # another config, other data, or an older checkpoint layout: start afresh
        return state

    def save(self, state: dict) -> None:
        atomic_write(self.checkpoint, lambda tmp: torch.save({"format": CHECKPOINT_FORMAT, "fingerprint": self.key, **state}, tmp))

    def _freeze_non_finite(self, loss: torch.Tensor) -> None:
        """Freeze the members whose loss [E] or any gradient is NaN/inf, and zero the frozen members' gradients.

        A row of ``flat.grad`` [E, P] with a NaN or an infinity has a non-finite sum, so one sum per
        row (one pass, no temporary) clears the usual step; only when a sum is not finite -- a new
        divergence, or finite gradients whose sum overflows -- are the rows checked element by
        element. The frozen members' rows are zeroed first: their loss is masked out of the
        backward pass, but 0 · inf is NaN."""
        grad = self.model.flat.grad
        if not self.all_alive:
            grad.masked_fill_(~self.alive[:, None], 0.0)
        if bool(((torch.isfinite(loss) | ~self.alive) & torch.isfinite(grad.sum(1))).all()):  # one host sync
            return
        self.alive &= torch.isfinite(loss) & torch.isfinite(grad).all(1)
        self.all_alive = bool(self.alive.all())
        grad.masked_fill_(~self.alive[:, None], 0.0)

    def train(
        self, steps: int, batch: Callable[[int], tuple], progress: Progress, label: str, observe: Callable[[int], None] | None = None
    ) -> None:
        """Steps ``start`` .. ``steps`` - 1. ``batch(step)`` gives (inputs [E, B, n_in], targets); ``observe(step)``
        is called before each step and once more with ``steps`` at the end (``step`` counts the steps
        taken; a frozen member received fewer updates, see :attr:`updates`)."""
        e, work = self.model.n_members, (len(self.model.widths) - 1) * self.model.n_members
        device = self.alive.device
        loss_sum = torch.zeros((), dtype=torch.float64, device=device)  # summed on device: no sync per step
        loss_count = torch.zeros((), dtype=torch.int64, device=device)
        for step in range(self.start, steps):
            if observe is not None:
                observe(step)
            tick = time.perf_counter()
            inputs, targets = batch(step)
            loss = self.member_losses(inputs, targets)  # [E]
            self.model.zero_grad()
            with warnings.catch_warnings():  # each layer's gradient is a view of flat.grad by design (MLPEnsemble)
                warnings.filterwarnings("ignore", message="grad and param do not obey the gradient layout contract")
                torch.where(self.alive, loss, 0.0).sum().backward()
            self._freeze_non_finite(loss)
            self.optimizer.step()
            self.updates += self.alive
            loss_sum += torch.where(self.alive, loss.detach(), 0.0).sum()
            loss_count += self.alive.sum()
            progress.step(work, time.perf_counter() - tick)
            last = step + 1 == steps
            if last or progress.due():  # mean loss of the live members since the previous line
                mean_loss = (loss_sum / loss_count).item() if loss_count.item() else float("nan")
                progress.report(f"{label}: step {step + 1}/{steps}  loss {mean_loss:.4f}  alive {int(self.alive.sum())}/{e}")
                loss_sum.zero_(), loss_count.zero_()
            if self.checkpoint is not None and (step + 1) % self.checkpoint_every == 0 and not last:
                self.save(
                    {
                        "step": step + 1,
                        "model": self.model.state_dict(),
                        "optimizer": self.optimizer.state_dict(),
                        "alive": self.alive,
                        "updates": self.updates,
                        "extra": self.extra,
                    }
                )
        if observe is not None:
            observe(steps)
