"""Randomization tests: networks fit true labels, corrupted labels and randomized inputs alike
(Zhang, Bengio, Hardt, Recht & Vinyals 2017, "Understanding deep learning requires rethinking
generalization", ICLR; arXiv 1611.03530).

The paper's §2 trains one architecture on copies of a data set whose labels or inputs are
randomized, with nothing else changed:

* **corrupted labels** (:func:`corrupt_labels`): a fraction p of the labels is replaced by classes
  drawn uniformly from the K classes (p = 1: random labels);
* **shuffled pixels** (:func:`randomize_inputs`): one random permutation of the pixels, the same
  for every image (train and test);
* **random pixels**: an independent permutation per image;
* **Gaussian**: every pixel drawn from a Gaussian with the data set's mean and variance.

The networks are trained as one batched ensemble (:func:`train_variants`): member e is a ReLU MLP
or a small conv net (:class:`Architecture`), with its own inputs (one of a few input sets [M, n, d], picked by ``input_set[e]``), labels
[n] and weight decay, trained by SGD with momentum and a learning rate decayed by a constant factor
per epoch (the paper's Appendix A). The time to fit (:func:`epochs_to_fit`) is the first epoch at
whose end the training accuracy, evaluated on the whole training set, reaches a threshold: the same
measurement for every member. A member that has fitted stops training there (its parameters are
those at its time to fit), so the ensemble shrinks as members fit.

Theorem 1 (§4): a depth-2 ReLU network with 2n + d weights represents any labelling of n points
in d dimensions. :func:`memorizing_network` is the paper's construction (Lemma 1): a direction a
with distinct projections z_i = <a, x_i>, sorted; biases interleaved, b_1 < z_1 < b_2 < ... < b_n <
z_n; then A_ij = max(z_i - b_j, 0) is lower triangular with a positive diagonal, and A w = y is
solved exactly. :func:`fewer_units_residual` fits the same form with k < n hidden units by least
squares: with fewer weights than points, random labels leave a residual.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import torch

from dltheory.engine.ensembles import ConvEnsemble, Member, MLPEnsemble, conv_ensemble, conv_shapes, initialized_ensemble
from dltheory.engine.training import cross_entropy, epoch_batches

INPUT_KINDS = ("original", "shuffled_pixels", "random_pixels", "gaussian")


def corrupt_labels(y: np.ndarray, p: float, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """Labels [n] with exactly round(p n) of them, at positions drawn without replacement,
    replaced by classes drawn uniformly from 0 .. n_classes - 1 (a redrawn label equals the true
    one with probability 1/K, so a fraction p (1 - 1/K) differs in expectation)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"corruption probability {p}; allowed: 0 <= p <= 1")
    corrupted = y.copy()
    chosen = rng.permutation(len(y))[: int(round(p * len(y)))]
    corrupted[chosen] = rng.integers(0, n_classes, size=len(chosen))
    return corrupted


def randomize_inputs(x: np.ndarray, kind: str, rng: np.random.Generator, mean: float, std: float) -> np.ndarray:
    """Inputs [n, d] randomized as ``kind``: ``original`` (unchanged), ``shuffled_pixels`` (one
    permutation of the d coordinates for all rows: call with generators of one seed to give train
    and test the same), ``random_pixels`` (an independent permutation per row), ``gaussian``
    (i.i.d. N(mean, std²), the data set's moments)."""
    if kind == "original":
        return x
    if kind == "shuffled_pixels":
        return x[:, rng.permutation(x.shape[1])]
    if kind == "random_pixels":
        return np.take_along_axis(x, rng.random(x.shape).argsort(axis=1), axis=1)
    if kind == "gaussian":
        return (mean + std * rng.standard_normal(x.shape)).astype(x.dtype)
    raise ValueError(f"input kind {kind!r}; allowed: {', '.join(INPUT_KINDS)}")


def epochs_to_fit(accuracy: np.ndarray, threshold: float) -> np.ndarray:
    """The first epoch (column index: column 0 is the initialization) at which each row of
    ``accuracy`` [E, epochs + 1] reaches ``threshold``; NaN for a row that never does."""
    reached = np.asarray(accuracy) >= threshold
    return np.where(reached.any(1), reached.argmax(1), np.nan)


@dataclass(frozen=True)
class Architecture:
    """The network every member has: a ReLU MLP with hidden layers of ``hidden`` units ((512,) is
    the paper's MLP 1x512), or, with ``channels``, a small conv net
    (:class:`~dltheory.engine.ensembles.ConvEnsemble`: blocks of ``channels`` 5 x 5 convolutions
    with stride 2 and ReLU on images of shape ``image`` (C, H, W), then the dense ReLU layers of
    ``hidden`` units and a linear readout). Weights are He-initialized, N(0, 2/fan_in), biases 0."""

    hidden: tuple[int, ...]
    channels: tuple[int, ...] = ()
    image: tuple[int, int, int] | None = None
    kernel: int = 5

    @classmethod
    def from_config(cls, entry: dict, image: tuple[int, int, int]) -> Architecture:
        """A ``models`` entry of the config: {hidden: [widths]} (an MLP) or {conv: [channels], hidden: [widths]}."""
        channels = tuple(entry.get("conv", ()))
        return cls(tuple(entry["hidden"]), channels, tuple(image) if channels else None)

    @property
    def name(self) -> str:
        """The paper's names 'MLP 1x512', 'MLP 3x512'; 'MLP 256-128'; 'conv 16-32 + 128' (channels, then dense units)."""
        if self.channels:
            return "conv " + "-".join(map(str, self.channels)) + "".join(f" + {h}" for h in self.hidden)
        if len(set(self.hidden)) == 1:
            return f"MLP {len(self.hidden)}x{self.hidden[0]}"
        return "MLP " + "-".join(map(str, self.hidden))

    def build(self, seeds: list[int], n_in: int, n_out: int, device="cpu") -> MLPEnsemble | ConvEnsemble:
        """One member per entry of ``seeds`` (equal seeds start from equal weights), on inputs [E, B, n_in]."""
        members = [Member(len(self.hidden), 2.0, 0.0, int(s)) for s in seeds]
        if not self.channels:
            shapes = list(zip([n_in, *self.hidden], [*self.hidden, n_out]))
            return initialized_ensemble(members, shapes, "relu", torch.float32, device)
        if int(np.prod(self.image)) != n_in:
            raise ValueError(f"conv net on images {self.image}: {int(np.prod(self.image))} inputs, got {n_in}")
        return conv_ensemble(members, self.image, self.channels, self.hidden, n_out, self.kernel, torch.float32, device)

    def layers(self, n_in: int, n_out: int) -> list[tuple[int, int, int]]:
        """(weights, multiply-adds, outputs) per sample of each layer, readout last."""
        k2, blocks = self.kernel**2, conv_shapes(self.image, self.channels, self.kernel) if self.channels else []
        conv = [(k2 * c_in * c_out + c_out, k2 * c_in * c_out * h * w, c_out * h * w) for c_in, c_out, h, w in blocks]
        widths = [conv[-1][2] if conv else n_in, *self.hidden, n_out]
        return conv + [(a * b + b, a * b, b) for a, b in zip(widths[:-1], widths[1:])]


@dataclass(frozen=True)
class Training:
    """SGD with momentum: the step lr · decay^(epoch - 1) in epoch 1, 2, ...; stop a member at the end of
    the first epoch whose training accuracy is >= fit_accuracy, or after max_epochs."""

    architecture: Architecture
    lr: float
    momentum: float
    lr_decay: float
    batch_size: int
    max_epochs: int
    fit_accuracy: float


@torch.no_grad()
def evaluate(
    model: MLPEnsemble | ConvEnsemble, inputs: torch.Tensor, sets: torch.Tensor, labels: torch.Tensor, chunk: int = 512
) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross-entropy and accuracy [E] of each member on its own inputs, ``inputs[sets[e]]``
    ([M, n, d] and [E]), and labels [E, n]. Gathered a chunk of rows at a time: [E, n, d] whole is
    E times the data (0.3 GB for 44 members on 2,000 images)."""
    loss, correct = torch.zeros(model.n_members, dtype=torch.float64), torch.zeros(model.n_members, dtype=torch.float64)
    for start in range(0, inputs.shape[1], chunk):
        logits = model(inputs[sets, start : start + chunk])
        y = labels[:, start : start + chunk]
        loss += cross_entropy(logits, y).double().cpu() * y.shape[1]
        correct += (logits.argmax(2) == y).sum(1).double().cpu()
    return (loss / inputs.shape[1]).numpy(), (correct / inputs.shape[1]).numpy()


def train_variants(
    inputs: torch.Tensor,
    input_set: np.ndarray,
    labels: torch.Tensor,
    test_inputs: torch.Tensor,
    test_labels: torch.Tensor,
    seeds: list[int],
    weight_decay: np.ndarray,
    setup: Training,
    n_classes: int,
    log: Callable[[str], None] = print,
) -> dict:
    """Train E members as one ensemble until each fits or ``setup.max_epochs`` pass.

    Args:
      inputs: the training input sets [M, n, d]; member e trains on ``inputs[input_set[e]]``.
      labels: each member's training labels [E, n].
      test_inputs, test_labels: [M, m, d] and [E, m], matched the same way.
      seeds: member e's initialization and minibatch order (:func:`dltheory.engine.training.epoch_batches`).
      weight_decay: member e's coefficient λ_e [E]: its gradient gets λ_e θ_e added (an L2 penalty λ/2 |θ|²).

    Returns arrays: ``train_loss``, ``train_accuracy`` [E, max_epochs + 1] (column 0: at
    initialization; NaN after a member stopped), ``epochs_to_fit`` [E] (NaN: never),
    ``train_accuracy_final``, ``test_accuracy`` [E] (at the member's last epoch), ``steps_per_epoch``.
    """
    e_all, n = labels.shape
    device = inputs.device
    per_epoch = n // setup.batch_size
    input_set = torch.as_tensor(input_set, device=device)
    model = setup.architecture.build(seeds, inputs.shape[2], n_classes, device)
    momentum = torch.zeros_like(model.flat)
    decay = torch.tensor(np.array(weight_decay), dtype=model.flat.dtype, device=device)[:, None]
    active = np.arange(e_all)  # members still training, as rows of the current model
    curves = {key: np.full((e_all, setup.max_epochs + 1), np.nan) for key in ("train_loss", "train_accuracy")}
    test_accuracy, final_train = np.full(e_all, np.nan), np.full(e_all, np.nan)
    started = time.perf_counter()
    for epoch in range(setup.max_epochs + 1):
        if epoch > 0:
            lr = setup.lr * setup.lr_decay ** (epoch - 1)
            order = epoch_batches([seeds[i] for i in active], epoch, n, setup.batch_size, device)  # [steps, E, B]
            sets, member_labels = input_set[active], labels[active]
            for idx in order:
                x = inputs[sets[:, None], idx]  # [E, B, d]
                y = torch.gather(member_labels, 1, idx)
                model.zero_grad()
                with warnings.catch_warnings():  # each layer's gradient is a view of flat.grad by design (flat_leaves)
                    warnings.filterwarnings("ignore", message="grad and param do not obey the gradient layout contract")
                    cross_entropy(model(x), y).sum().backward()
                with torch.no_grad():
                    grad = model.flat.grad.addcmul_(decay, model.flat)  # + λ_e θ_e: weight decay per member
                    momentum.mul_(setup.momentum).add_(grad)
                    model.flat.sub_(lr * momentum)
        loss, accuracy = evaluate(model, inputs, input_set[active], labels[active])
        curves["train_loss"][active, epoch], curves["train_accuracy"][active, epoch] = loss, accuracy
        done = (accuracy >= setup.fit_accuracy) | (epoch == setup.max_epochs)
        if done.any():
            rows = torch.as_tensor(np.flatnonzero(done), device=device)
            _, test = evaluate(model.subset(rows), test_inputs, input_set[active[done]], test_labels[active[done]])
            test_accuracy[active[done]], final_train[active[done]] = test, accuracy[done]
            keep = torch.as_tensor(np.flatnonzero(~done), device=device)
            model, momentum, decay = model.subset(keep), momentum[keep], decay[keep]
            active = active[~done]
            log(f"epoch {epoch}: {int(done.sum())} member(s) stopped, {len(active)} training ({time.perf_counter() - started:.1f} s)")
        if not len(active):
            break
    return {
        **curves,
        "epochs_to_fit": epochs_to_fit(np.nan_to_num(curves["train_accuracy"], nan=-1.0), setup.fit_accuracy),
        "train_accuracy_final": final_train,
        "test_accuracy": test_accuracy,
        "steps_per_epoch": per_epoch,
    }


def memorizing_network(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, directions: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Theorem 1's depth-2 ReLU network c(x) = Σ_j w_j max(<a, x> - b_j, 0) with c(x_i) = y_i, in float64.

    x [n, d] (distinct rows), y [n] real. a [d] is a standard normal direction (its projections
    z_i = <a, x_i> are distinct almost surely), b [n] interleaves the sorted projections
    (b_1 < z_(1) < b_2 < z_(2) < ... : b_j the midpoint of z_(j-1) and z_(j), b_1 = z_(1) - 1), and w [n]
    solves the lower-triangular system A w = y, A_ij = max(z_(i) - b_j, 0). 2n + d weights in all.

    The output weights grow like |Δy| / (smallest gap of the projections), and float64 rounding
    with them: of ``directions`` random directions the one whose smallest gap, relative to the
    projections' range, is largest is used (any a with distinct projections proves the theorem)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    candidates = rng.standard_normal((directions, x.shape[1]))
    projections = np.sort(x @ candidates.T, axis=0)  # [n, directions]
    relative_gap = np.diff(projections, axis=0).min(0) / (projections[-1] - projections[0])
    a = candidates[int(np.argmax(relative_gap))]
    z = x @ a
    order = np.argsort(z)
    zs = z[order]
    if np.any(np.diff(zs) <= 0):
        raise ValueError("two points share a projection: the rows of x must be distinct")
    b = np.concatenate([[zs[0] - 1.0], (zs[:-1] + zs[1:]) / 2])
    activations = np.maximum(zs[:, None] - b[None, :], 0.0)  # lower triangular, diagonal z_(i) - b_i > 0
    w = scipy.linalg.solve_triangular(activations, y[order], lower=True)
    return a, b, w


def two_layer_relu(x: np.ndarray, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    """c(x) = Σ_j w_j max(<a, x> - b_j, 0) for rows x [n, d]: outputs [n]."""
    return np.maximum((np.asarray(x, dtype=np.float64) @ a)[:, None] - b[None, :], 0.0) @ w


def fewer_units_residual(x: np.ndarray, y: np.ndarray, units: int, rng: np.random.Generator) -> float:
    """The relative residual |c(x) - y| / |y| of the best network of Theorem 1's form with ``units`` < n
    hidden units (2·units + d weights) on the same a: biases at the empirical quantiles of the
    projections, output weights by least squares (the least-squares fit is the best for that a, b)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    z = x @ rng.standard_normal(x.shape[1])
    b = np.quantile(z, np.linspace(0, 1, units, endpoint=False)) - 1e-9
    features = np.maximum(z[:, None] - b[None, :], 0.0)
    w, *_ = np.linalg.lstsq(features, y, rcond=None)
    return float(np.linalg.norm(features @ w - y) / np.linalg.norm(y))
