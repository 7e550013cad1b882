"""Teacher-student ReLU networks: which student nodes come to match the teacher's, and when.

Two setups, both from the reference code (facebookresearch/luckmatters), each a frozen dataclass
that knows its teacher, its student initialization and its loss:

:class:`Setup`, the deep network of Tian, Jiang, Gong, Morcos 2019, "Luck Matters: Understanding
Training Dynamics of Deep ReLU Networks" (arXiv 1905.13405), ``luckmatter/``:

* Inputs x ~ N(0, std² I_d), d = 20, std = 10: a fixed training set and a separate evaluation set.
* The teacher: a ReLU MLP d → 10 → 15 → 20 → 25 → 100 (linear readout). Each layer's weight
  rows (one per output node) are drawn from the alphabet {−0.5, −0.25, 0, 0.25, 0.5}, distinct
  within the layer and never all zero; biases ~ U(−0.5, 0.5); then each row and its bias are
  divided by the row's norm, so every node's incoming weight vector has unit norm.
* Students: the same depth, ``multiplier`` (10) times wider in every hidden layer, PyTorch's
  default ``nn.Linear`` initialization (W, b ~ U(−1/√fan_in, 1/√fan_in)), trained by SGD on the
  mean squared error to the teacher's outputs. The seeds' students train as one batched
  :class:`~dltheory.engine.ensembles.MLPEnsemble` through :class:`~dltheory.engine.training.EnsembleTrainer`.
* Node correlation: the Pearson correlation, over the evaluation samples, between a teacher
  node's and a student node's post-ReLU activations in the same hidden layer, for every
  (student, teacher) pair at once: ``ρ = Z_sᵀ Z_t / n`` with Z the activations standardized per
  node (:func:`node_correlations`). A node that never fires has no correlation; it counts as 0.

:class:`TwoLayerSetup`, the over-parameterized two-layer network of Tian 2020, "Student
Specialization in Deep Rectified Networks With Finite Width and Input Dimension" (ICML 2020,
arXiv 1909.13458), ``student_specialization/recon_two_layer.py``, where the fan-out claim of Luck
Matters is made:

* Inputs x ~ N(0, 1.5² I_d), d = 100; 10,000 fixed training inputs.
* The teacher: d → 10 (ReLU) → 50 (linear). Hidden weight rows from the alphabet, distinct, scaled
  to unit norm, every bias −0.1 (not scaled). Readout: a distinct alphabet row per output over the
  10 hidden nodes, teacher node i's fan-out divided by (i + 1)^``fan_out_decay`` (the reference's
  config default is 1, which makes the nodes differ in strength; the figure uses 0); output
  biases −0.1.
* Students: ``multiplier`` (5) × 10 hidden nodes, weights N(0, 0.005²), biases 0: every fan-out
  starts near zero. Plain SGD, lr 0.01, batch 16, on ½ Σ_outputs (y − ŷ)² averaged over the batch
  (:func:`train_two_layer`: the reference's hand-written update, for all seeds at once).

Random streams (NumPy, so every device sees the same numbers): the teacher from
``default_rng([teacher_seed, 2])``, the training and evaluation inputs from
``default_rng([data_seed, 3])`` and ``([data_seed, 4])``, student ``seed``'s initialization from
``default_rng([seed, 0])`` and its re-initialization (the lottery-ticket control) from
``([seed, 5])``; its minibatch order is :func:`dltheory.engine.training.batch_indices`.

Array shapes: E members (seeds), K observations, n samples, S student and T teacher nodes of a
layer. Parameters are :data:`dltheory.engine.ensembles.Params`: ``(W [fan_in, fan_out], b [fan_out])``
per layer, so a node's incoming weights are a *column* of W and its fan-out weights a *row* of
the next layer's W.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from dltheory.core.device import DTYPES
from dltheory.core.progress import Progress
from dltheory.engine.ensembles import MLPEnsemble, Params
from dltheory.engine.training import EnsembleTrainer, checkpoint_key, epoch_batches, mean_squared_error, seed_batches

TEACHER_STREAM, TRAIN_STREAM, EVAL_STREAM, REINIT_STREAM = 2, 3, 4, 5
MATCH = 0.95  # correlation at which a student node matches (and a teacher node is recovered); docs/lucky_weights.md


@dataclass(frozen=True)
class Setup:
    """Everything a deep teacher-student run depends on (the 2019 reference code's defaults)."""

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

    def teacher(self) -> Params:
        return teacher_params(self)

    def init(self, widths, rng: np.random.Generator) -> Params:
        """A student's initial parameters for layer widths [n_in, ..., n_out]."""
        return default_init(widths, rng)


@dataclass(frozen=True)
class TwoLayerSetup(Setup):
    """The ICML 2020 two-layer setup: the fields of :class:`Setup` with the reference's defaults for
    ``recon_two_layer.py`` (a single hidden layer: ``teacher_widths`` has one entry), and its
    teacher and initialization (its loss and step: :func:`train_two_layer`)."""

    n_in: int = 100
    input_std: float = 1.5
    teacher_widths: tuple[int, ...] = (10,)
    n_out: int = 50
    multiplier: int = 5
    n_train: int = 10_000
    lr: float = 0.01
    batch_size: int = 16
    steps: int = 100_000
    dtype: str = "float64"
    teacher_bias: float = -0.1
    fan_out_decay: float = 1.0  # teacher node i's fan-out / (i + 1)^fan_out_decay
    init_std: float = 0.005  # students' weights ~ N(0, init_std²), biases 0

    def teacher(self) -> Params:
        return two_layer_teacher(self)

    def init(self, widths, rng: np.random.Generator) -> Params:
        """Weights N(0, init_std²), biases 0 (the reference's ``student_scale``)."""
        return [(rng.standard_normal((i, o)) * self.init_std, np.zeros(o)) for i, o in zip(widths[:-1], widths[1:])]


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


def two_layer_teacher(setup: TwoLayerSetup) -> Params:
    """The ICML 2020 teacher: unit-norm alphabet rows with bias −0.1 into the hidden layer; alphabet
    fan-outs, node i's divided by (i + 1)^``fan_out_decay``, and bias −0.1 into the outputs."""
    rng = np.random.default_rng([setup.teacher_seed, TEACHER_STREAM])
    (width,) = setup.teacher_widths
    rows = distinct_rows(width, setup.n_in, setup.weight_choices, rng)  # [m, d]: a row per hidden node
    fan_out = distinct_rows(setup.n_out, width, setup.weight_choices, rng).T  # [m, c]: a row per hidden node
    fan_out = fan_out / (np.arange(1, width + 1) ** setup.fan_out_decay)[:, None]
    hidden = ((rows / np.linalg.norm(rows, axis=1)[:, None]).T, np.full(width, setup.teacher_bias))
    return [hidden, (fan_out, np.full(setup.n_out, setup.teacher_bias))]


def default_init(widths, rng: np.random.Generator) -> Params:
    """PyTorch's ``nn.Linear`` initialization: W, b ~ U(−1/√fan_in, 1/√fan_in), for layer widths [n_in, ..., n_out]."""
    params = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        params.append((rng.uniform(-bound, bound, (fan_in, fan_out)), rng.uniform(-bound, bound, fan_out)))
    return params


def student_init(setup: Setup, seed: int, stream: int = 0) -> Params:
    """Student ``seed``'s initial parameters (``stream`` 0) or its re-initialization (:data:`REINIT_STREAM`)."""
    return setup.init((setup.n_in, *setup.student_widths, setup.n_out), np.random.default_rng([seed, stream]))


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
    hidden layer l. ``fan_out[l]`` [K, E, S_l]: each node's fan-out norm (:func:`fan_out_norms`).
    ``eval_loss`` [K, E]: MSE to the teacher on the evaluation set. ``final``: each member's
    parameters after training.
    """

    steps: np.ndarray
    corr: list[np.ndarray]
    fan_out: list[np.ndarray]
    eval_loss: np.ndarray
    final: list[Params]
    diverged: np.ndarray  # [E] bool: a NaN/inf loss or gradient froze the member (see EnsembleTrainer)


def observation_steps(steps: int, count: int) -> np.ndarray:
    """0 and ``count`` steps spaced evenly in log(step) up to ``steps``: early dynamics are fast."""
    return np.unique(np.concatenate([[0], np.round(np.geomspace(1, steps, count)).astype(int)]))


@dataclass
class _Problem:
    """A setup's data on the training device: inputs and teacher outputs [n_train, ·], evaluation
    inputs [n_eval, d] and the teacher's evaluation activations (hidden [n_eval, T_l], readout)."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_eval: torch.Tensor
    teacher_eval: list[torch.Tensor]

    @classmethod
    def of(cls, setup: Setup, device: str) -> _Problem:
        dtype = DTYPES[setup.dtype]
        teacher = MLPEnsemble.from_params([setup.teacher()], "relu", torch.float64)
        x_train, x_eval = (torch.as_tensor(x) for x in gaussian_inputs(setup))
        with torch.no_grad():
            y_train = teacher(x_train[None])[0].to(device, dtype)
            teacher_eval = [h[0].to(device, dtype) for h in teacher.layers(x_eval[None])]
        return cls(x_train.to(device, dtype), y_train, x_eval.to(device, dtype), teacher_eval)

    def observer(self, model: MLPEnsemble, observe_at: np.ndarray, record: list) -> Callable[[int], None]:
        """A callback that appends (step, corr, eval MSE, fan-out norms) to ``record`` at the steps ``observe_at``."""
        wanted = set(observe_at.tolist())

        @torch.no_grad()
        def observe(step: int) -> None:
            if step not in wanted:
                return
            layers = model.layers(self.x_eval.expand(model.n_members, -1, -1))
            corr = [node_correlations(s, t).cpu().numpy() for s, t in zip(layers[:-1], self.teacher_eval[:-1])]
            loss = (layers[-1] - self.teacher_eval[-1]).square().mean((1, 2)).cpu().numpy()
            fan_out = [w.norm(dim=2).cpu().numpy() for w in model.weights[1:]]  # [E, S_l]: rows of the next layer's W
            record.append((step, corr, loss, fan_out))

        return observe


def _run(record: list, model: MLPEnsemble, diverged: np.ndarray) -> Run:
    """The :class:`Run` of the observations ``record`` and the trained ``model``."""
    return Run(
        steps=np.array([r[0] for r in record]),
        corr=[np.stack([r[1][l] for r in record]) for l in range(len(record[0][1]))],
        eval_loss=np.stack([r[2] for r in record]),
        fan_out=[np.stack([r[3][l] for r in record]) for l in range(len(record[0][3]))],
        final=[model.member_params(i) for i in range(model.n_members)],
        diverged=diverged,
    )


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
    are narrower) are trained alike, by :class:`~dltheory.engine.training.EnsembleTrainer` (autograd,
    divergence freeze, checkpoints) on the mean squared error.
    """
    problem = _Problem.of(setup, device)
    model = MLPEnsemble.from_params(init, "relu", DTYPES[setup.dtype], device)
    checkpoint = Path(checkpoint) if checkpoint is not None else None
    description = {"setup": asdict(setup), "seeds": list(seeds), "observe_at": observe_at.tolist()}
    key = checkpoint_key(description, (a for params in init for layer in params for a in layer)) if checkpoint is not None else None
    trainer = EnsembleTrainer(model, "sgd", setup.lr, mean_squared_error, checkpoint=checkpoint, checkpoint_every=checkpoint_every, key=key)
    if trainer.start:
        log(f"{label}: resumed from checkpoint {checkpoint} at step {trainer.start}")
    record = trainer.extra.setdefault("observations", [])

    def batch(step: int):
        idx = torch.as_tensor(seed_batches(seeds, step, setup.n_train, setup.batch_size), device=problem.x_train.device)  # [E, B]
        return problem.x_train[idx], problem.y_train[idx]

    layer_steps = (len(model.widths) - 1) * len(init)  # per step
    progress = Progress(layer_steps * setup.steps, log, progress_every_s)
    progress.skip(layer_steps * trainer.start)  # restored from the checkpoint
    trainer.train(setup.steps, batch, progress, label, problem.observer(model, observe_at, record))
    return _run(record, model, (~trainer.alive).cpu().numpy())


@torch.no_grad()
def train_two_layer(
    setup: TwoLayerSetup,
    seeds: list[int],
    observe_at: np.ndarray,
    *,
    init: list[Params] | None = None,
    device: str = "cpu",
    log: Callable[[str], None] = print,
    label: str = "two-layer students",
    progress_every_s: float = 10.0,
) -> Run:
    """Train one two-layer student per seed (from ``init``, by default :func:`student_init`), all
    at once, by the closed-form SGD step of the reference code; observe at ``observe_at``.

    Per step, for the E stacked members with minibatch x [E, B, d] and teacher outputs y [E, B, c]::

        pre = x W1 + b1,  h = relu(pre)  [E, B, n];   out = h W2 + b2  [E, B, c]
        g2 = (y − out) / B               # −∂L/∂out for L = ½ Σ_outputs (y − out)², averaged over the batch
        g1 = (g2 W2ᵀ) ⊙ [pre > 0]        # −∂L/∂pre
        W2 += lr hᵀ g2,  b2 += lr Σ_B g2,  W1 += lr xᵀ g1,  b1 += lr Σ_B g1

    which is plain SGD on L (``recon_two_layer.py``'s hand-written update); at these sizes it runs
    about 3× faster than autograd through :class:`~dltheory.engine.training.EnsembleTrainer`. Members
    never mix, so a member whose numbers overflow is reported in ``diverged`` and harms no other.
    The minibatches are member ``seeds[e]``'s (:func:`~dltheory.engine.training.batch_indices`).
    """
    problem = _Problem.of(setup, device)
    init = [student_init(setup, s) for s in seeds] if init is None else init
    model = MLPEnsemble.from_params(init, "relu", DTYPES[setup.dtype], device)
    (w1, w2), (b1, b2) = model.weights, model.biases
    record: list = []
    observe = problem.observer(model, observe_at, record)
    progress = Progress(2 * len(seeds) * setup.steps, log, progress_every_s)
    per_epoch = setup.n_train // setup.batch_size
    for step in range(setup.steps):
        observe(step)
        tick = time.perf_counter()
        epoch, k = divmod(step, per_epoch)
        if k == 0:  # this epoch's batches of every member [per_epoch, E, B], drawn once
            order = epoch_batches(seeds, epoch, setup.n_train, setup.batch_size, problem.x_train.device)
        x, y = problem.x_train[order[k]], problem.y_train[order[k]]  # [E, B, d], [E, B, c]
        pre = torch.baddbmm(b1, x, w1)
        h = pre.clamp_min(0.0)
        g2 = (y - torch.baddbmm(b2, h, w2)) / setup.batch_size
        g1 = (g2 @ w2.transpose(1, 2)) * (pre > 0)
        w2.baddbmm_(h.transpose(1, 2), g2, alpha=setup.lr)
        b2.add_(g2.sum(1, keepdim=True), alpha=setup.lr)
        w1.baddbmm_(x.transpose(1, 2), g1, alpha=setup.lr)
        b1.add_(g1.sum(1, keepdim=True), alpha=setup.lr)
        progress.step(2 * len(seeds), time.perf_counter() - tick)
        if step + 1 == setup.steps or progress.due():
            progress.report(f"{label}: step {step + 1}/{setup.steps}")
    observe(setup.steps)
    finite = torch.stack([torch.isfinite(p).flatten(1).all(1) for p in model.parameters()]).all(0)
    return _run(record, model, (~finite).cpu().numpy())


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
