"""Random-weight networks of many architectures as feature extractors: the entropy of their outputs
and the accuracy of a linear classifier on them (docs/entropy_accuracy.md).

Yuan et al. (2021, arXiv 2105.13905) state that a good structure maximizes the entropy of a
network's outputs, and verify empirically that "larger entropy of the outputs of a deep neural
network indeed corresponds to a better classification accuracy". Their networks are not
available; we measure the statement on a sweep of architectures whose weights stay random, so that
the structure alone (depth, width, receptive field, pooling, nonlinearity) decides what is kept.

Architectures (:class:`Architecture`): a conv family (``layers`` 'same' convolutions of ``width``
channels and ``kernel`` × ``kernel`` kernels, each followed by the activation and, with ``pool``,
a 2 × 2 max pool; the last map averaged to a ``grid`` × ``grid`` grid) and an MLP family
(``layers`` dense layers of ``width`` units). Weights W ~ N(0, g / fan_in), g = 2 for ReLU (He)
and 1 for tanh, no biases. The seeds of one architecture run as one batched network: the conv
layers after the first as a grouped convolution (one group per seed), the dense layers as a
batched matrix product.

Entropy: the view of :func:`dltheory.science.feature_entropy.projected_view` (D random Gaussian
projections of the features, each standardized), estimated with the Gaussian log-det and the
whitened k-NN estimator of :mod:`dltheory.science.differential_entropy` (through
:func:`~dltheory.science.feature_entropy.estimators`). With unit-variance coordinates the entropy
is at most (D/2) log₂(2πe), reached by independent Gaussian coordinates: it is larger when the
features spread over more independent directions.

Statistics: Spearman's ρ (:func:`spearman`), the partial rank correlation given a third variable
(:func:`partial_spearman`), and the row indices of grouped rows (the seeds of one architecture)
for a bootstrap that resamples whole groups (:func:`grouped_rows`).
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from dltheory.science.feature_entropy import estimators, projected_view

GAIN = {"relu": 2.0, "tanh": 1.0}  # variance gain of the init: He for ReLU, LeCun for tanh
WEIGHT_STREAM, PROJECTION_STREAM = 0, 1  # random streams of one (architecture, seed)


@dataclass(frozen=True)
class Architecture:
    """One random-weight feature extractor. ``width``: channels (conv) or units (mlp);
    ``kernel`` and ``pool`` are the conv family's (0 and False for an MLP)."""

    family: str  # "conv" or "mlp"
    layers: int
    width: int
    activation: str  # "relu" or "tanh"
    kernel: int = 0
    pool: bool = False

    @property
    def name(self) -> str:
        """'conv L2 C8 k5 relu pool', 'mlp L3 W256 tanh'."""
        if self.family == "conv":
            return f"conv L{self.layers} C{self.width} k{self.kernel} {self.activation}{' pool' if self.pool else ''}"
        return f"mlp L{self.layers} W{self.width} {self.activation}"

    def units(self, grid: int) -> int:
        """Dimension of the output features: width · grid² (conv) or width (mlp)."""
        return self.width * grid * grid if self.family == "conv" else self.width


def conv_grid(options: dict) -> list[Architecture]:
    """Every conv architecture of the options' lists (layers, channels, kernels, activations, pooling)."""
    return [
        Architecture("conv", layers, width, activation, kernel, pool)
        for layers, width, kernel, activation, pool in itertools.product(
            options["layers"], options["channels"], options["kernels"], options["activations"], options["pooling"]
        )
    ]


def mlp_grid(options: dict) -> list[Architecture]:
    """Every MLP architecture of the options' lists (layers, widths, activations)."""
    return [
        Architecture("mlp", layers, width, activation)
        for layers, width, activation in itertools.product(options["layers"], options["widths"], options["activations"])
    ]


def sample_architectures(conv: dict, mlp: dict, seed: int) -> list[Architecture]:
    """``conv['count']`` conv and ``mlp['count']`` MLP architectures drawn without replacement from
    their grids (all of a grid when its count is at least its size), conv first, each family in
    its grid's order."""
    rng = np.random.default_rng(seed)
    chosen = []
    for grid, count in ((conv_grid(conv), conv["count"]), (mlp_grid(mlp), mlp["count"])):
        picked = np.sort(rng.choice(len(grid), size=min(count, len(grid)), replace=False))
        chosen += [grid[i] for i in picked]
    return chosen


def _weights(shapes: list[tuple[int, ...]], fan_ins: list[int], gain: float, key: int, seeds: list[int]) -> list:
    """Per layer, the seeds' weights stacked on axis 0: [S, *shape], N(0, gain / fan_in), float32.
    Seed s draws its layers in order from NumPy's generator seeded by (key, s, WEIGHT_STREAM), so
    a seed's network does not depend on which other seeds run beside it."""
    import torch

    rngs = [np.random.default_rng([key, s, WEIGHT_STREAM]) for s in seeds]
    return [
        torch.from_numpy((np.stack([rng.standard_normal(shape) for rng in rngs]) * np.sqrt(gain / fan_in)).astype(np.float32))
        for shape, fan_in in zip(shapes, fan_ins)
    ]


def random_features(arch: Architecture, images: np.ndarray, seeds: list[int], key: int, grid: int, batch: int = 500) -> np.ndarray:
    """Outputs [S, n, units] of ``arch`` with the random weights of each seed, on ``images`` [n, h, w]
    (float). ``key`` tells architectures apart in the weights' random stream. Runs without
    gradients, ``batch`` images at a time (a 16-channel 28 × 28 map of 3 seeds is 150 kB an image)."""
    import torch

    act = torch.relu if arch.activation == "relu" else torch.tanh
    x_all = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))
    S, C, k = len(seeds), arch.width, arch.kernel
    if arch.family == "conv":
        shapes = [(C, 1, k, k)] + [(C, C, k, k)] * (arch.layers - 1)
        fan_ins = [k * k] + [C * k * k] * (arch.layers - 1)
        # One conv of S·C channels: the first layer reads the one input channel, the later ones are
        # grouped (group s: seed s's C channels), so the seeds never mix.
        weights = [w.reshape(S * C, -1, k, k) for w in _weights(shapes, fan_ins, GAIN[arch.activation], key, seeds)]
    else:
        d = images[0].size
        shapes = [(d, C)] + [(C, C)] * (arch.layers - 1)
        weights = _weights(shapes, [d] + [C] * (arch.layers - 1), GAIN[arch.activation], key, seeds)
    out = []
    with torch.no_grad():
        for start in range(0, len(x_all), batch):
            x = x_all[start : start + batch]
            if arch.family == "conv":
                h = x[:, None]
                for layer, w in enumerate(weights):
                    h = act(torch.nn.functional.conv2d(h, w, padding=k // 2, groups=1 if layer == 0 else S))
                    if arch.pool:
                        h = torch.nn.functional.max_pool2d(h, 2, ceil_mode=True)
                h = torch.nn.functional.adaptive_avg_pool2d(h, grid)  # [b, S·C, grid, grid]
                out.append(h.reshape(len(x), S, -1).transpose(0, 1))
            else:
                h = x.reshape(len(x), -1).expand(S, -1, -1)  # [S, b, d]
                for w in weights:
                    h = act(torch.bmm(h, w))
                out.append(h)
    return torch.cat(out, dim=1).numpy()


def entropy_bits(features: np.ndarray, dim: int, projections: int, k: int, rng: np.random.Generator) -> dict[str, float]:
    """Entropy (bits) of the features [n, p] seen through ``dim`` standardized random projections,
    by estimator name (``gaussian``, ``knn``), the mean over ``projections`` independent views."""
    views = [projected_view(features.astype(np.float64), dim, rng) for _ in range(projections)]
    return {name: float(np.mean([entropy(v) for v in views])) for name, entropy in estimators(k).items()}


def logistic_accuracy(train_x, train_y, test_x, test_y, C: float, max_iter: int) -> tuple[float, float]:
    """(train, test) accuracy of a multinomial logistic regression (L2 penalty 1 / ``C``) on the
    features standardized with the training split's per-feature mean and s.d."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=max_iter))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a capped budget is part of the protocol
        model.fit(train_x, train_y)
    return float(model.score(train_x, train_y)), float(model.score(test_x, test_y))


def sweep(
    architectures: list[Architecture],
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    seeds: list[int],
    measure: dict,
    log=lambda message: None,
) -> pd.DataFrame:
    """Per architecture and seed: the entropy of its outputs on the training images, by estimator
    (columns ``entropy_<name>``), and the train and test accuracy of the logistic regression on
    them. ``train`` and ``test`` are (images [n, h, w], labels [n]); ``measure`` holds ``grid``,
    ``projection_dim``, ``projections``, ``knn_k``, ``logistic_C``, ``max_iter``. Architecture i's
    weights and projections come from the random streams keyed by i."""
    rows, n = [], len(train[0])
    for key, arch in enumerate(architectures):
        features = random_features(arch, np.concatenate([train[0], test[0]]), seeds, key, measure["grid"])
        for s, seed in enumerate(seeds):
            rng = np.random.default_rng([key, seed, PROJECTION_STREAM])
            entropy = entropy_bits(features[s, :n], measure["projection_dim"], measure["projections"], measure["knn_k"], rng)
            train_acc, test_acc = logistic_accuracy(
                features[s, :n], train[1], features[s, n:], test[1], measure["logistic_C"], measure["max_iter"]
            )
            rows.append(
                {"architecture": arch.name, **asdict(arch), "seed": seed, "units": arch.units(measure["grid"])}
                | {f"entropy_{name}": h for name, h in entropy.items()}
                | {"train_accuracy": train_acc, "test_accuracy": test_acc}
            )
        done = pd.DataFrame(rows[-len(seeds) :])
        log(f"{arch.name:26s} entropy {done.entropy_gaussian.mean():6.2f} bits (gaussian), test accuracy {done.test_accuracy.mean():.3f}")
    return pd.DataFrame(rows)


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rank correlation (ties get their mean rank): the Pearson correlation of the
    ranks, nan where an input is constant or holds a NaN. The same number as
    ``scipy.stats.spearmanr`` (a test compares them bit for bit: mean ranks are exact, and the
    correlation is taken by the same call on the same layout), at a fifth of its cost, which a
    bootstrap's thousands of resamples pay."""
    ranks = np.stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])  # [2, n]
    if ranks.shape[1] < 2 or np.isnan(ranks).any() or (ranks == ranks[:, :1]).all(axis=1).any():
        return float("nan")
    ranks = np.stack([mean_ranks(v) for v in ranks])
    return float(np.corrcoef(ranks.T, rowvar=False)[1, 0])


def mean_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``values`` [n], ties sharing their mean rank (``scipy.stats.rankdata``): a
    value with k smaller and m equal values gets k + (m + 1)/2, exact in floating point."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    ranks = np.empty(len(values))
    ranks[order] = (np.searchsorted(ordered, ordered, side="left") + np.searchsorted(ordered, ordered, side="right") + 1) / 2.0
    return ranks


def partial_spearman(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> float:
    """Rank correlation of x and y given z: the Pearson correlation of the ranks of x and of y,
    each with its least-squares line on the ranks of z removed. 0 when x and y are related only
    through z."""
    rx, ry, rz = (mean_ranks(np.asarray(v, dtype=float)) for v in (x, y, z))
    design = np.column_stack([np.ones_like(rz), rz])
    residuals = [r - design @ np.linalg.lstsq(design, r, rcond=None)[0] for r in (rx, ry)]
    return float(np.corrcoef(*residuals)[0, 1])


def grouped_rows(groups: np.ndarray) -> list[np.ndarray]:
    """For each distinct group (in sorted order), the indices of its rows: a resample of groups
    becomes a resample of rows, every group drawn with all of its rows."""
    inverse = np.unique(np.asarray(groups), return_inverse=True)[1].ravel()
    return [np.flatnonzero(inverse == g) for g in range(inverse.max() + 1)]
