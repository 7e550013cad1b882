"""Training grids of networks as batched ensembles: SGD or RMSProp, divergence, checkpoints, progress.

:func:`train_ensemble` trains every member of a grid (:class:`dltheory.ensembles.Member`) for a
fixed step budget on softmax cross-entropy, one depth group at a time, each group one
:class:`~dltheory.ensembles.MLPEnsemble` driven by one ``torch.optim`` optimizer over the
stacked tensors. Both optimizers update elementwise, so on stacked tensors they are exactly the
per-member optimizers. Then it evaluates each member on the whole training and test splits.

Minibatches: member ``seed`` fixes its order of the training set: epoch ``k`` is the permutation
``default_rng([seed, 1, k])``, cut into ``n_train // batch_size`` batches (the remainder is
dropped). A batch is a pure function of (seed, step), so a resumed run sees the same batches.

Divergence is data: at a step where a member's loss or any of its gradients is NaN/inf, the member
is frozen (its gradients are zeroed before every later step, so neither SGD nor RMSProp moves
it), it is flagged ``diverged`` with ``steps`` = the updates it received, and it is evaluated as
it stands. The other members are untouched: nothing mixes members.

Checkpoints: with ``checkpoint_dir``, the state of the group in training (parameters, optimizer
state, live members, step) is saved every ``checkpoint_every`` steps, and each finished group's
results when it finishes; a rerun resumes from there. A checkpoint is used only when its
fingerprint (members, hyperparameters, data) matches; otherwise it is ignored and overwritten.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from .artifacts import atomic_write
from .data import Dataset
from .device import DTYPES
from .ensembles import Member, MLPEnsemble, group_by_depth, mean_field_ensemble

OPTIMIZERS = ("sgd", "rmsprop")
CHECKPOINT_FORMAT = 2  # bump when the saved layout changes: older checkpoints are then ignored, not misread
COLUMNS = [
    "dataset", "optimizer", "lr", "batch_size", "sigma_w2", "sigma_b2", "depth", "width", "seed",
    "steps", "train_acc", "test_acc", "final_loss", "diverged",
]  # fmt: skip


@dataclass(frozen=True)
class TrainSpec:
    """Hyperparameters shared by every member of a grid."""

    optimizer: str  # "sgd" (plain, no momentum) or "rmsprop" (torch defaults: alpha 0.99, eps 1e-8)
    lr: float
    steps: int  # step budget per member
    batch_size: int
    width: int
    dtype: str = "float32"

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer {self.optimizer!r}: allowed {', '.join(OPTIMIZERS)}")


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


@functools.lru_cache(maxsize=64)
def _epoch_order(seed: int, epoch: int, n: int) -> np.ndarray:
    """The permutation of the n training samples in ``epoch`` for ``seed`` (cached: drawing it costs ~1 ms at n = 100k)."""
    order = np.random.default_rng([seed, 1, epoch]).permutation(n)
    order.flags.writeable = False
    return order


def records(members: list[Member], data: Dataset, spec: TrainSpec, *, steps, train_acc, test_acc, final_loss, diverged) -> pd.DataFrame:
    """The tidy results table, one row per member, columns :data:`COLUMNS`."""
    return pd.DataFrame(
        {
            "dataset": data.name,
            "optimizer": spec.optimizer,
            "lr": spec.lr,
            "batch_size": spec.batch_size,
            "sigma_w2": [m.sigma_w2 for m in members],
            "sigma_b2": [m.sigma_b2 for m in members],
            "depth": [m.depth for m in members],
            "width": spec.width,
            "seed": [m.seed for m in members],
            "steps": np.asarray(steps, dtype=np.int64),
            "train_acc": np.asarray(train_acc, dtype=np.float64),
            "test_acc": np.asarray(test_acc, dtype=np.float64),
            "final_loss": np.asarray(final_loss, dtype=np.float64),
            "diverged": np.asarray(diverged, dtype=bool),
        },
        columns=COLUMNS,
    )


@torch.no_grad()
def evaluate(model: MLPEnsemble, x: torch.Tensor, y: torch.Tensor, chunk: int = 1024) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean cross-entropy [E] and accuracy [E] of every member on all of (x [n, d], y [n])."""
    e = model.n_members
    loss_sum = torch.zeros(e, dtype=torch.float64, device=x.device)
    correct = torch.zeros(e, dtype=torch.float64, device=x.device)
    for start in range(0, len(x), chunk):
        xb, yb = x[start : start + chunk], y[start : start + chunk]
        logits = model(xb.expand(e, -1, -1))  # [E, b, C]
        ce = F.cross_entropy(logits.flatten(0, 1), yb.repeat(e), reduction="none").view(e, -1)
        loss_sum += ce.sum(1).double()
        correct += (logits.argmax(-1) == yb).sum(1).double()
    return loss_sum / len(x), correct / len(x)


def checkpoint_key(description: dict, arrays) -> str:
    """SHA-256 of a JSON-able ``description`` and the bytes of ``arrays``: what a checkpoint must match to be resumed."""
    digest = hashlib.sha256(json.dumps(description).encode())
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def fingerprint(members: list[Member], spec: TrainSpec, data: Dataset) -> str:
    """A depth group's checkpoint key: members, hyperparameters and the exact data."""
    description = {"members": [asdict(m) for m in members], "spec": asdict(spec), "data": data.name}
    return checkpoint_key(description, (data.x_train, data.y_train, data.x_test, data.y_test))


class Progress:
    """Periodic log lines: step, mean loss of the live members, throughput and ETA of the whole job.

    Work is counted in layer-steps (members x weight layers x steps), which is what training time
    scales with, so the ETA stays honest across depth groups.
    """

    def __init__(self, total: int, log: Callable[[str], None], every_s: float):
        self.total = total  # layer-steps of the whole job (0: unknown, no % done or ETA)
        self.done = 0
        self.timed_work, self.timed_s = 0, 0.0
        self.log, self.every_s = log, every_s
        self.last = time.perf_counter()

    def skip(self, work: int) -> None:
        """Work restored from a checkpoint: counts as done, not in the measured rate."""
        self.done += work

    def step(self, work: int, elapsed_s: float) -> None:
        self.done += work
        self.timed_work += work
        self.timed_s += elapsed_s

    def due(self) -> bool:
        return time.perf_counter() - self.last >= self.every_s

    def report(self, label: str, step: int, steps: int, loss: float, alive: int, members: int) -> None:
        self.last = time.perf_counter()
        rate = self.timed_work / self.timed_s if self.timed_s else float("nan")  # layer-steps / s
        line = f"{label}: step {step}/{steps}  loss {loss:.4f}  alive {alive}/{members}  {rate:,.0f} layer-steps/s"
        if self.total:
            eta = (self.total - self.done) / rate if rate == rate and rate > 0 else float("nan")
            line += f"  done {100 * self.done / self.total:.1f}%  ETA {eta:.0f} s"
        self.log(line)


def train_ensemble(
    members: list[Member],
    data: Dataset,
    spec: TrainSpec,
    *,
    device: str = "cpu",
    checkpoint_dir: str | os.PathLike | None = None,
    checkpoint_every: int = 100,
    log: Callable[[str], None] = print,
    progress_every_s: float = 10.0,
) -> pd.DataFrame:
    """Train every member for ``spec.steps`` steps, batched by depth; one row per member (:func:`records`)."""
    groups = group_by_depth(members)
    dtype = DTYPES[spec.dtype]
    x_train = torch.as_tensor(data.x_train, dtype=dtype, device=device)
    y_train = torch.as_tensor(data.y_train, device=device)
    x_test = torch.as_tensor(data.x_test, dtype=dtype, device=device)
    y_test = torch.as_tensor(data.y_test, device=device)
    progress = Progress(sum(_layer_steps(depth, len(group), spec.steps) for depth, group in groups.items()), log, progress_every_s)
    tables = []
    for number, (depth, group) in enumerate(groups.items(), 1):
        label = f"depth {depth} (group {number}/{len(groups)}, {len(group)} members)"
        checkpoint = Path(checkpoint_dir) / f"depth_{depth}.pt" if checkpoint_dir is not None else None
        trainer = _GroupTrainer(group, data, spec, dtype, device, checkpoint, checkpoint_every)
        if trainer.finished is not None:
            log(f"{label}: finished earlier, results restored from {checkpoint}")
            progress.skip(_layer_steps(depth, len(group), spec.steps))
            tables.append(trainer.finished)
            continue
        if trainer.start:
            log(f"{label}: resumed from checkpoint {checkpoint} at step {trainer.start}")
            progress.skip(_layer_steps(depth, len(group), trainer.start))
        trainer.train(x_train, y_train, progress, label)
        tables.append(trainer.finish(x_train, y_train, x_test, y_test))
    return pd.concat(tables, ignore_index=True)


def _layer_steps(depth: int, members: int, steps: int) -> int:
    return (depth + 1) * members * steps  # depth hidden layers + the readout


def _along(mask: torch.Tensor, ndim: int) -> torch.Tensor:
    """A member mask [E] shaped to broadcast along the member axis (0) of an ``ndim``-dimensional tensor."""
    return mask.view([-1] + [1] * (ndim - 1))


class EnsembleTrainer:
    """One optimizer over one :class:`MLPEnsemble`: per-member losses, divergence freeze, checkpoints.

    Every member gets the gradient of its own loss (the summed loss of the live members is
    backpropagated; members never mix). At a step where a member's loss or any of its gradients is
    NaN/inf, the member is frozen: its gradients are zeroed before every later step, so neither SGD
    nor RMSProp moves it (RMSProp: 0 / (sqrt(v) + eps)), and ``updates`` stops counting for it.

    Checkpoints: with ``checkpoint``, the state (parameters, optimizer state, live mask, update
    counts, step, and :attr:`extra`, the caller's observations so far) is written atomically every
    ``checkpoint_every`` steps, under ``key`` (a fingerprint of everything the run depends on). A
    checkpoint with another key is ignored. :attr:`saved` is the matching checkpoint's content.
    """

    def __init__(self, model: MLPEnsemble, optimizer: str, lr: float, loss: Callable, *, checkpoint: Path | None = None, checkpoint_every: int = 0, key: str | None = None):
        self.model, self.loss = model, loss
        self.checkpoint, self.checkpoint_every, self.key = checkpoint, checkpoint_every, key
        self.params = [p for p in model.parameters() if p.numel()]
        self.optimizer = make_optimizer(optimizer, lr, self.params)
        device = self.params[0].device
        self.alive = torch.ones(model.n_members, dtype=torch.bool, device=device)
        self.updates = torch.zeros(model.n_members, dtype=torch.int64, device=device)
        self.start, self.extra = 0, {}
        self.saved = self._load()
        if self.saved is not None and "model" in self.saved:
            self.model.load_state_dict(self.saved["model"])
            self.optimizer.load_state_dict(self.saved["optimizer"])
            self.alive, self.updates = self.saved["alive"], self.saved["updates"]
            self.start, self.extra = self.saved["step"], self.saved.get("extra", {})

    def _load(self) -> dict | None:
        if self.checkpoint is None or not self.checkpoint.exists():
            return None
        state = torch.load(self.checkpoint, map_location=self.alive.device, weights_only=False)
        if state.get("format") != CHECKPOINT_FORMAT or state.get("fingerprint") != self.key:
            return None  # another config, other data, or an older checkpoint layout: start afresh
        return state

    def save(self, state: dict) -> None:
        atomic_write(self.checkpoint, lambda tmp: torch.save({"format": CHECKPOINT_FORMAT, "fingerprint": self.key, **state}, tmp))

    def train(self, steps: int, batch: Callable[[int], tuple], progress: Progress, label: str, observe: Callable[[int], None] | None = None) -> None:
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
            loss = self.loss(self.model(inputs), targets)  # [E]
            self.optimizer.zero_grad()
            torch.where(self.alive, loss, 0.0).sum().backward()
            finite = torch.isfinite(loss) & torch.stack([torch.isfinite(p.grad).flatten(1).all(1) for p in self.params]).all(0)
            self.alive &= finite
            for p in self.params:
                p.grad.masked_fill_(~_along(self.alive, p.dim()), 0.0)
            self.optimizer.step()
            self.updates += self.alive
            loss_sum += torch.where(self.alive, loss.detach(), 0.0).sum()
            loss_count += self.alive.sum()
            progress.step(work, time.perf_counter() - tick)
            last = step + 1 == steps
            if last or progress.due():  # mean loss of the live members since the previous line
                mean_loss = (loss_sum / loss_count).item() if loss_count.item() else float("nan")
                progress.report(label, step + 1, steps, mean_loss, int(self.alive.sum()), e)
                loss_sum.zero_(), loss_count.zero_()
            if self.checkpoint is not None and (step + 1) % self.checkpoint_every == 0 and not last:
                self.save({"step": step + 1, "model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(), "alive": self.alive, "updates": self.updates, "extra": self.extra})
        if observe is not None:
            observe(steps)


class _GroupTrainer:
    """One depth group of :func:`train_ensemble`: cross-entropy on the member seeds' batches, then evaluation."""

    def __init__(self, group, data, spec, dtype, device, checkpoint: Path | None, checkpoint_every: int):
        self.group, self.data, self.spec = group, data, spec
        model = mean_field_ensemble(group, data.n_features, spec.width, data.n_classes, dtype=dtype, device=device)
        key = fingerprint(group, spec, data) if checkpoint is not None else None
        self.trainer = EnsembleTrainer(model, spec.optimizer, spec.lr, cross_entropy, checkpoint=checkpoint, checkpoint_every=checkpoint_every, key=key)
        self.model, self.start = model, self.trainer.start
        saved = self.trainer.saved
        self.finished = pd.DataFrame(saved["results"], columns=COLUMNS) if saved is not None and "results" in saved else None

    def train(self, x_train: torch.Tensor, y_train: torch.Tensor, progress: Progress, label: str) -> None:
        seeds = [m.seed for m in self.group]

        def batch(step):
            idx = torch.as_tensor(seed_batches(seeds, step, len(x_train), self.spec.batch_size), device=x_train.device)  # [E, B]
            return x_train[idx], y_train[idx]

        self.trainer.train(self.spec.steps, batch, progress, label)

    def finish(self, x_train, y_train, x_test, y_test) -> pd.DataFrame:
        train_loss, train_acc = evaluate(self.model, x_train, y_train)
        _, test_acc = evaluate(self.model, x_test, y_test)
        table = records(
            self.group,
            self.data,
            self.spec,
            steps=self.trainer.updates.cpu(),
            train_acc=train_acc.cpu(),
            test_acc=test_acc.cpu(),
            final_loss=train_loss.cpu(),
            diverged=(~self.trainer.alive).cpu(),
        )
        if self.trainer.checkpoint is not None:
            self.trainer.save({"results": table.to_dict(orient="list")})
        return table
