"""Training ``depth_accuracy``'s grid of networks as batched ensembles, then evaluating them.

:func:`train_ensemble` trains every member of a grid (:class:`dltheory.engine.ensembles.Member`) for a
fixed step budget on softmax cross-entropy, one depth group at a time, each group one
:class:`~dltheory.engine.ensembles.MLPEnsemble` driven by one :class:`~dltheory.engine.training.EnsembleTrainer`
(SGD or RMSProp; minibatch order, divergence freeze and checkpoints are described in
:mod:`dltheory.engine.training`). Then it evaluates each member on the whole training and test splits.

A diverged member is flagged ``diverged`` with ``steps`` = the updates it received, and it is
evaluated as it stands.

Checkpoints: with ``checkpoint_dir``, the state of the group in training (parameters, optimizer
state, live members, step) is saved every ``checkpoint_every`` steps, and each finished group's
results when it finishes; a rerun resumes from there. A checkpoint is used only when its
fingerprint (members, hyperparameters, data) matches; otherwise it is ignored and overwritten.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from dltheory.core.data import Dataset
from dltheory.core.device import DTYPES
from dltheory.core.progress import Progress
from dltheory.engine.ensembles import Member, MLPEnsemble, group_by_depth, mean_field_ensemble
from dltheory.engine.training import OPTIMIZERS, EnsembleTrainer, checkpoint_key, cross_entropy, seed_batches

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
    compile: bool = False  # on a CUDA device: torch.compile the forward and backward passes, with CUDA graphs

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer {self.optimizer!r}: allowed {', '.join(OPTIMIZERS)}")


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


def fingerprint(members: list[Member], spec: TrainSpec, data: Dataset) -> str:
    """A depth group's checkpoint key: members, hyperparameters and the exact data."""
    description = {"members": [asdict(m) for m in members], "spec": asdict(spec), "data": data.name}
    return checkpoint_key(description, (data.x_train, data.y_train, data.x_test, data.y_test))


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
            del trainer
            continue
        if trainer.start:
            log(f"{label}: resumed from checkpoint {checkpoint} at step {trainer.start}")
            progress.skip(_layer_steps(depth, len(group), trainer.start))
        trainer.train(x_train, y_train, progress, label)
        tables.append(trainer.finish(x_train, y_train, x_test, y_test))
        del trainer  # before the next group is built: two groups' buffers would be held at once
    return pd.concat(tables, ignore_index=True)


def _layer_steps(depth: int, members: int, steps: int) -> int:
    return (depth + 1) * members * steps  # depth hidden layers + the readout


class _GroupTrainer:
    """One depth group of :func:`train_ensemble`: cross-entropy on the member seeds' batches, then evaluation."""

    def __init__(self, group, data, spec, dtype, device, checkpoint: Path | None, checkpoint_every: int):
        self.group, self.data, self.spec = group, data, spec
        model = mean_field_ensemble(group, data.n_features, spec.width, data.n_classes, dtype=dtype, device=device)
        key = fingerprint(group, spec, data) if checkpoint is not None else None
        backend = "inductor" if spec.compile and torch.device(device).type == "cuda" else None
        self.trainer = EnsembleTrainer(
            model,
            spec.optimizer,
            spec.lr,
            cross_entropy,
            checkpoint=checkpoint,
            checkpoint_every=checkpoint_every,
            key=key,
            compile_backend=backend,
        )
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
