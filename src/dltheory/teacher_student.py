"""Teacher-student ReLU networks: which student nodes come to match the teacher's, and when.

Tian, Jiang, Gong, Morcos 2019, "Luck Matters: Understanding Training Dynamics of Deep ReLU
Networks" (arXiv 1905.13405), with the reference code's construction (facebookresearch/luckmatters):

* Inputs x ~ N(0, std² I_d), d = 20, std = 10: a fixed training set and a separate evaluation set.
* The teacher: a ReLU MLP d → 10 → 15 → 20 → 25 → 100 (linear readout). Each layer's weight
  rows (one per output node) are drawn from the alphabet {−0.5, −0.25, 0, 0.25, 0.5}, distinct
  within the layer and never all zero; biases ~ U(−0.5, 0.5); then each row and its bias are
  divided by the row's norm, so every node's incoming weight vector has unit norm.
* Students: the same depth, ``multiplier`` (10) times wider in every hidden layer, PyTorch's
  default ``nn.Linear`` initialization (W, b ~ U(−1/√fan_in, 1/√fan_in)), trained by SGD on the
  mean squared error to the teacher's outputs. The seeds' students train as one batched
  :class:`~dltheory.ensembles.MLPEnsemble` through :class:`~dltheory.training.EnsembleTrainer`.
* Node correlation: the Pearson correlation, over the evaluation samples, between a teacher
  node's and a student node's post-ReLU activations in the same hidden layer, for every
  (student, teacher) pair at once: ``ρ = Z_sᵀ Z_t / n`` with Z the activations standardized per
  node (:func:`node_correlations`). A node that never fires has no correlation; it counts as 0.

Random streams (NumPy, so every device sees the same numbers): the teacher from
``default_rng([teacher_seed, 2])``, the training and evaluation inputs from
``default_rng([data_seed, 3])`` and ``([data_seed, 4])``, student ``seed``'s initialization from
``default_rng([seed, 0])`` and its re-initialization (the lottery-ticket control) from
``([seed, 5])``; its minibatch order is :func:`dltheory.training.batch_indices`.

Array shapes: E members (seeds), K observations, n samples, S student and T teacher nodes of a
layer. Parameters are :data:`dltheory.ensembles.Params`: ``(W [fan_in, fan_out], b [fan_out])``
per layer, so a node's incoming weights are a *column* of W and its fan-out weights a *row* of
the next layer's W.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .device import DTYPES
from .ensembles import MLPEnsemble, Params
from .progress import Progress
from .training import EnsembleTrainer, checkpoint_key, mean_squared_error, seed_batches

TEACHER_STREAM, TRAIN_STREAM, EVAL_STREAM, REINIT_STREAM = 2, 3, 4, 5
MATCH = 0.95  # correlation at which a student node matches (and a teacher node is recovered); docs/lucky_weights.md


@dataclass(frozen=True)
class Setup:
    """Everything a teacher-student run depends on (the reference code's defaults)."""

    n_in: int = 20
    input_std: float = 10.0
    teacher_widths: tuple[int, ...] = (10, 15, 20, 25)
    n_out: int = 100
    weight_choices: tuple[float, ...] = (-0.5, -0.25, 0.0, 0.25, 0.5)
    multiplier: int = 10  # student width / teacher width, per hidden layer
    n_train: int = 100_000
    n_eval: int = 1024
    teacher_seed: int = 0
    data_seed: int = 0
    lr: float = 0.01
    batch_size: int = 64
    steps: int = 10_000
    dtype: str = "float32"

    @property
    def student_widths(self) -> tuple[int, ...]:
        return tuple(self.multiplier * t for t in self.teacher_widths)

    @classmethod
    def from_config(cls, cfg: dict, **overrides) -> Setup:
        """The setup from the ``lucky_weights`` config section (lists become tuples); ``overrides`` win."""
        values = {f.name: cfg[f.name] for f in fields(cls) if f.name in cfg}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        return cls(**{**values, **overrides})


def distinct_rows(n_rows: int, n_cols: int, choices, rng: np.random.Generator) -> np.ndarray:
    """[n_rows, n_cols] entries from ``choices``, no two rows equal and none all zero (rejection sampling)."""
    choices = np.asarray(choices, dtype=float)
    if len(np.unique(choices)) ** n_cols - int(np.any(choices == 0)) < n_rows:
        raise ValueError(f"{n_rows} distinct nonzero rows of {n_cols} entries from {len(choices)} values do not exist")
    rows, seen = [], set()
    while len(rows) < n_rows:
        row = rng.choice(choices, size=n_cols)
        key = row.tobytes()
        if key not in seen and row.any():
            seen.add(key)
            rows.append(row)
    return np.stack(rows)


def teacher_params(setup: Setup) -> Params:
    """The teacher's (W [fan_in, fan_out], b [fan_out]) per layer: alphabet rows, U(−½, ½) biases, unit-norm rows."""
    rng = np.random.default_rng([setup.teacher_seed, TEACHER_STREAM])
    widths = (setup.n_in, *setup.teacher_widths, setup.n_out)
    params = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        rows = distinct_rows(fan_out, fan_in, setup.weight_choices, rng)  # [fan_out, fan_in]: a row per node
        bias = rng.uniform(-0.5, 0.5, fan_out)
        norm = np.linalg.norm(rows, axis=1)
        params.append(((rows / norm[:, None]).T, bias / norm))
    return params


def default_init(widths, rng: np.random.Generator) -> Params:
    """PyTorch's ``nn.Linear`` initialization: W, b ~ U(−1/√fan_in, 1/√fan_in), for layer widths [n_in, ..., n_out]."""
    params = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        params.append((rng.uniform(-bound, bound, (fan_in, fan_out)), rng.uniform(-bound, bound, fan_out)))
    return params


def student_init(setup: Setup, seed: int, stream: int = 0) -> Params:
    """Student ``seed``'s initial parameters (``stream`` 0) or its re-initialization (:data:`REINIT_STREAM`)."""
    return default_init((setup.n_in, *setup.student_widths, setup.n_out), np.random.default_rng([seed, stream]))


def gaussian_inputs(setup: Setup) -> tuple[np.ndarray, np.ndarray]:
    """Training [n_train, d] and evaluation [n_eval, d] inputs, N(0, input_std²) per entry."""
    draw = lambda stream, n: np.random.default_rng([setup.data_seed, stream]).standard_normal((n, setup.n_in)) * setup.input_std
    return draw(TRAIN_STREAM, setup.n_train), draw(EVAL_STREAM, setup.n_eval)


def node_correlations(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """Pearson correlations [E, S, T] between student activations [E, n, S] and teacher activations [n, T].

    Both are standardized per node over the n samples (population std) and multiplied: one batched
    matrix product for all pairs. A node with zero variance (dead, or constant) gets correlation 0.
    """

    def standardized(a: torch.Tensor) -> torch.Tensor:
        centred = a - a.mean(-2, keepdim=True)
        std = centred.square().mean(-2, keepdim=True).sqrt()
        return torch.where(std > 0, centred / torch.where(std > 0, std, 1.0), 0.0)

    zs, zt = standardized(student), standardized(teacher)
    return zs.transpose(-1, -2) @ zt / student.shape[-2]


def fan_out_norms(params: Params) -> list[np.ndarray]:
    """Per hidden layer, each node's fan-out norm [S_l]: the norm of its row in the next layer's W."""
    return [np.linalg.norm(w, axis=1) for w, _ in params[1:]]


@dataclass
class Run:
    """What one batched teacher-student training recorded.

    ``steps`` [K]: the observation steps. ``corr[l]`` [K, E, S_l, T_l]: node correlations of
    hidden layer l. ``eval_loss`` [K, E]: MSE to the teacher on the evaluation set. ``final``:
    each member's parameters after training.
    """

    steps: np.ndarray
    corr: list[np.ndarray]
    eval_loss: np.ndarray
    final: list[Params]
    diverged: np.ndarray  # [E] bool: a NaN/inf loss or gradient froze the member (see EnsembleTrainer)


def observation_steps(steps: int, count: int) -> np.ndarray:
    """0 and ``count`` steps spaced evenly in log(step) up to ``steps``: early dynamics are fast."""
    return np.unique(np.concatenate([[0], np.round(np.geomspace(1, steps, count)).astype(int)]))


def train_students(
    setup: Setup,
    init: list[Params],
    seeds: list[int],
    observe_at: np.ndarray,
    *,
    device: str = "cpu",
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int = 0,
    log: Callable[[str], None] = print,
    label: str = "students",
    progress_every_s: float = 10.0,
) -> Run:
    """Train the students ``init`` (one per seed in ``seeds``) against the teacher; observe at ``observe_at``.

    Member e sees the minibatches of ``seeds[e]``; students of any widths (the lottery tickets
    are narrower) are trained alike.
    """
    dtype = DTYPES[setup.dtype]
    teacher = MLPEnsemble([teacher_params(setup)], "relu", torch.float64)
    x_train, x_eval = (torch.as_tensor(x) for x in gaussian_inputs(setup))
    with torch.no_grad():
        y_train = teacher(x_train[None])[0].to(device, dtype)  # [n_train, n_out]
        teacher_eval = [h[0].to(device, dtype) for h in teacher.layers(x_eval[None])]  # hidden [n_eval, T_l], readout
    x_train, x_eval = x_train.to(device, dtype), x_eval.to(device, dtype)

    model = MLPEnsemble(init, "relu", dtype, device)
    checkpoint = Path(checkpoint) if checkpoint is not None else None
    description = {"setup": asdict(setup), "seeds": list(seeds), "observe_at": observe_at.tolist()}
    key = checkpoint_key(description, (a for params in init for layer in params for a in layer)) if checkpoint is not None else None
    trainer = EnsembleTrainer(model, "sgd", setup.lr, mean_squared_error, checkpoint=checkpoint, checkpoint_every=checkpoint_every, key=key)
    if trainer.start:
        log(f"{label}: resumed from checkpoint {checkpoint} at step {trainer.start}")
    record = trainer.extra.setdefault("observations", [])
    wanted = set(observe_at.tolist())
    e = len(init)

    @torch.no_grad()
    def observe(step: int) -> None:
        if step not in wanted:
            return
        layers = model.layers(x_eval.expand(e, -1, -1))
        corr = [node_correlations(s, t).cpu().numpy() for s, t in zip(layers[:-1], teacher_eval[:-1])]
        loss = (layers[-1] - teacher_eval[-1]).square().mean((1, 2)).cpu().numpy()
        record.append((step, corr, loss))

    def batch(step: int):
        idx = torch.as_tensor(seed_batches(seeds, step, setup.n_train, setup.batch_size), device=x_train.device)  # [E, B]
        return x_train[idx], y_train[idx]

    layer_steps = (len(model.widths) - 1) * e  # per step
    progress = Progress(layer_steps * setup.steps, log, progress_every_s)
    progress.skip(layer_steps * trainer.start)  # restored from the checkpoint
    trainer.train(setup.steps, batch, progress, label, observe)
    return Run(
        steps=np.array([r[0] for r in record]),
        corr=[np.stack([r[1][l] for r in record]) for l in range(len(record[0][1]))],
        eval_loss=np.stack([r[2] for r in record]),
        final=[model.member_params(i) for i in range(e)],
        diverged=(~trainer.alive).cpu().numpy(),
    )


def stack_params(members: list[Params], prefix: str) -> dict[str, np.ndarray]:
    """Members' parameters as arrays ``{prefix}w{l}`` [E, fan_in, fan_out] and ``{prefix}b{l}`` [E, fan_out] (for an .npz)."""
    out = {}
    for l in range(len(members[0])):
        out[f"{prefix}w{l}"] = np.stack([p[l][0] for p in members])
        out[f"{prefix}b{l}"] = np.stack([p[l][1] for p in members])
    return out


def unstack_params(arrays: dict[str, np.ndarray], prefix: str) -> list[Params]:
    """The inverse of :func:`stack_params`."""
    n_layers = sum(1 for k in arrays if k.startswith(f"{prefix}w"))
    n_members = len(arrays[f"{prefix}w0"])
    return [[(arrays[f"{prefix}w{l}"][e], arrays[f"{prefix}b{l}"][e]) for l in range(n_layers)] for e in range(n_members)]


def ticket(params: Params, keep: list[np.ndarray]) -> Params:
    """The sub-network of the hidden nodes ``keep[l]`` (indices per hidden layer): rows and columns cut from ``params``."""
    rows = [slice(None), *keep]  # every input; then the kept nodes of the layer below
    cols = [*keep, slice(None)]  # the kept nodes of this layer; every output
    return [(w[r][:, c], b[c]) for (w, b), r, c in zip(params, rows, cols)]


def top_fan_out(params: Params, counts) -> list[np.ndarray]:
    """Per hidden layer, the (sorted) indices of the ``counts[l]`` nodes of largest fan-out norm."""
    return [np.sort(np.argsort(-norms, kind="stable")[:k]) for norms, k in zip(fan_out_norms(params), counts)]


def recovery(steps: np.ndarray, corr: list[np.ndarray], eval_loss: np.ndarray, seeds, arms) -> pd.DataFrame:
    """Per observation, member and layer: mean best correlation over teacher nodes and the fraction recovered (≥ 0.95)."""
    rows = []
    for layer, c in enumerate(corr, 1):
        best = c.max(axis=2)  # [K, E, T]
        for m, (seed, arm) in enumerate(zip(seeds, arms)):
            rows.append(
                pd.DataFrame(
                    {
                        "init": arm,
                        "seed": seed,
                        "step": steps,
                        "layer": layer,
                        "mean_best_corr": best[:, m].mean(axis=1),
                        "recovered": (best[:, m] >= MATCH).mean(axis=1),
                        "eval_loss": eval_loss[:, m],
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)
