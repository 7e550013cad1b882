"""The Random Recursive SVM (R2SVM) of Vinyals, Jia, Deng & Darrell, "Learning with Recursive
Perceptual Representations" (NIPS 2012), §3.1, as a scikit-learn classifier.

Layer 1 is a one-vs-all linear SVM on the original features d ∈ R^D. Layer l keeps its raw class
scores o_l = θ_lᵀ x_l ∈ R^K (K = number of classes; one score for two classes) and the next
layer's input is the original features shifted along a random direction per score,

    x_{l+1} = σ(d + β W_{l+1} [o_1; …; o_l]),   W_{l+1} ∈ R^{D × lK}, entries N(0, 1), fresh per layer,

with σ the logistic sigmoid and β = 0.1. The shift moves the points of each class apart in
input space, so that the next linear SVM sees a problem that is more nearly separable; stacking
layers builds a deep, nonlinear classifier out of linear SVMs. Predictions are the last layer's.

``copies`` > 1 repeats the original features, d → [d; …; d] (``copies`` times), before layer 1.
This is *not* in Vinyals et al.: it comes from a later study of the method ("On Certain
Limitations of Recursive Representation Models"). With 2-D inputs each layer of the method as
written is a linear function of two sigmoids and can hardly bend its boundary; with copies, each
copy gets its own random shift, and the boundary bends.

``projection`` selects the paper's variant (``random``) or an ablation:
  - ``fixed``: a deterministic W, the same for every draw: score j shifts input coordinate j mod D
    by β o_j (W[i, j] = 1 where i ≡ j (mod D)), then the sigmoid, as in the method;
  - ``concatenate``: x_{l+1} = [d; o_1; …; o_l], stacking without projection or sigmoid — every
    layer is then still a linear function of d.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.svm import LinearSVC
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

PROJECTIONS = ("random", "fixed", "concatenate")


class R2SVM(ClassifierMixin, BaseEstimator):
    """Random Recursive SVM.

    Parameters
    ----------
    n_layers : int, number of stacked linear SVMs (1: a plain linear SVM).
    beta : float, scale of the shift (the paper: 0.1).
    C : float, the SVMs' regularization (one value for every layer; choose it by cross-validation,
        e.g. ``GridSearchCV``).
    projection : "random" (the method), "fixed" or "concatenate" (ablations, see the module).
    random_state : seed of the projections W_2, W_3, … (drawn in this order).
    max_iter : iterations of liblinear per SVM.
    copies : the input features repeated this many times (1: the paper's method; see the module).

    Attributes
    ----------
    classes_ : [K] labels; ``svms_`` : the fitted ``LinearSVC`` of each layer; ``projections_`` :
    W_{l+1} [D, lK] for l = 1 … n_layers − 1 (empty for ``concatenate``); ``n_iter_`` : liblinear's
    iterations per layer; ``n_features_in_``.
    """

    def __init__(
        self,
        n_layers: int = 10,
        beta: float = 0.1,
        C: float = 1.0,
        projection: str = "random",
        random_state=None,
        max_iter: int = 5000,
        copies: int = 1,
    ):
        self.n_layers = n_layers
        self.beta = beta
        self.C = C
        self.projection = projection
        self.random_state = random_state
        self.max_iter = max_iter
        self.copies = copies

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        if self.projection not in PROJECTIONS:
            raise ValueError(f"projection={self.projection!r}: allowed {', '.join(PROJECTIONS)}")
        if not (isinstance(self.n_layers, (int, np.integer)) and self.n_layers >= 1):
            raise ValueError(f"n_layers={self.n_layers!r}: allowed an integer >= 1")
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"R2SVM needs samples of at least 2 classes; got 1 class ({self.classes_[0]!r})")
        if not (isinstance(self.copies, (int, np.integer)) and self.copies >= 1):
            raise ValueError(f"copies={self.copies!r}: allowed an integer >= 1")
        rng = check_random_state(self.random_state)
        X = np.tile(X, self.copies)
        self.svms_, self.projections_ = [], []
        scores = []  # o_1 … o_l, each [n, K]
        for layer in range(self.n_layers):
            if layer and self.projection != "concatenate":
                self.projections_.append(self._draw_projection(X.shape[1], layer * scores[0].shape[1], rng))
            x = self._layer_input(X, scores, layer)
            svm = linear_svm(self.C, self.max_iter, dual=self.projection != "concatenate").fit(x, y)
            self.svms_.append(svm)
            scores.append(_scores(svm, x))
        self.n_iter_ = np.array([svm.n_iter_ for svm in self.svms_])
        return self

    def staged_decision_function(self, X):
        """Yield the class scores [n, K] (or [n] for two classes) of layers 1, 2, …, n_layers."""
        check_is_fitted(self)
        X = np.tile(validate_data(self, X, reset=False), self.copies)
        scores = []
        for layer, svm in enumerate(self.svms_):
            x = self._layer_input(X, scores, layer)
            yield svm.decision_function(x)
            scores.append(_scores(svm, x))

    def staged_predict(self, X):
        """Yield the predicted labels after each layer."""
        for decision in self.staged_decision_function(X):
            yield self._labels(decision)

    def decision_function(self, X):
        for decision in self.staged_decision_function(X):
            pass
        return decision

    def predict(self, X):
        return self._labels(self.decision_function(X))

    def _labels(self, decision):
        return self.classes_[(decision > 0).astype(int) if decision.ndim == 1 else decision.argmax(axis=1)]

    def _draw_projection(self, n_features: int, n_scores: int, rng) -> np.ndarray:
        if self.projection == "random":
            return rng.standard_normal((n_features, n_scores))
        return (np.arange(n_features)[:, None] == np.arange(n_scores)[None, :] % n_features).astype(float)

    def _layer_input(self, X, scores, layer):
        """x_l from the original features X [n, D] and the earlier layers' scores."""
        if layer == 0:
            return X
        o = np.hstack(scores)  # [n, lK]
        if self.projection == "concatenate":
            return np.hstack([X, o])
        return expit(X + self.beta * o @ self.projections_[layer - 1].T)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags


def linear_svm(C: float = 1.0, max_iter: int = 5000, dual: bool = True) -> LinearSVC:
    """One layer's one-vs-all linear SVM (liblinear, squared hinge), seeded so that fits repeat.

    Both solvers reach the same optimum (the problem is strictly convex); they differ in speed.
    The dual (coordinate descent) is 1.7× faster on mnist_5k's 4,000 × 784 (a 6-layer R2SVM at
    C = 0.01: 12.7 s against 21.0 s) for inputs of one scale; the primal (Newton) needs ~11
    iterations whatever the scaling, where the dual needs hundreds of passes, more with every
    layer, on the ``concatenate`` ablation's raw scores next to d."""
    return LinearSVC(C=C, max_iter=max_iter, dual=dual, random_state=0)


def _scores(svm: LinearSVC, x: np.ndarray) -> np.ndarray:
    """The layer's raw scores o_l as [n, K] (K = 1 for two classes: LinearSVC's single score)."""
    decision = svm.decision_function(x)
    return decision[:, None] if decision.ndim == 1 else decision


def two_spirals(n_per_class: int, turns: float, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals of ``turns`` turns, ``n_per_class`` points each: X [2n, 2], y [2n] in
    {0, 1}. The radius grows with the angle t ∈ [0, 2π·turns] (t drawn ∝ √u, so points are uniform
    along the area); class 1 is class 0 turned by π; Gaussian noise of s.d. ``noise`` (in units of
    the radius at t = 1). The paper's Fig. 3: 173 points per class, ≈ 2.7 turns, no noise."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.uniform(0, 1, 2 * n_per_class)) * 2 * np.pi * turns
    y = np.repeat([0, 1], n_per_class)
    x = np.c_[t * np.cos(t + np.pi * y), t * np.sin(t + np.pi * y)] + noise * rng.standard_normal((2 * n_per_class, 2))
    return x, y


def synthetic(name: str, n_per_class: int, noise: float, seed: int, turns: float = 2.7) -> tuple[np.ndarray, np.ndarray]:
    """``two_moons`` (scikit-learn's ``make_moons``) or ``two_spirals``, ``n_per_class`` points per
    class, as drawn (not standardized): X [2n, 2], y [2n] in {0, 1}."""
    from sklearn.datasets import make_moons

    if name == "two_moons":
        return make_moons(2 * n_per_class, noise=noise, random_state=seed)
    if name == "two_spirals":
        return two_spirals(n_per_class, turns, noise, seed)
    raise ValueError(f"synthetic dataset {name!r}: allowed two_moons, two_spirals")


def synthetic_splits(name: str, n_per_class: int, noise: float, seed: int, turns: float = 2.7) -> tuple[np.ndarray, ...]:
    """(X_train, y_train, X_test, y_test) of a 2-D problem (:func:`synthetic`): the training draw
    from ``seed``, the test set a fresh draw of the same curves from ``seed + 1``, both standardized
    per coordinate with the *training* draw's mean and s.d. (fitted on train only, applied to both)."""
    x_train, y_train = synthetic(name, n_per_class, noise, seed, turns)
    x_test, y_test = synthetic(name, n_per_class, noise, seed + 1, turns)
    mean, sd = x_train.mean(axis=0), x_train.std(axis=0)
    return (x_train - mean) / sd, y_train, (x_test - mean) / sd, y_test


def cv_curves(X, y, grid: dict, folds: int, n_layers: int, seed: int = 0, n_jobs: int = 1, **fixed) -> pd.DataFrame:
    """Cross-validated accuracy of the R2SVM after every layer, for every point of ``grid``
    (``{"C": [...], "beta": [...]}``; ``fixed`` sets the other parameters): one fit per point and
    fold at depth ``n_layers`` gives the validation accuracy of every shorter depth too (the
    layers are fitted in order, so the model cut after layer l is the l-layer model).

    Returns one row per grid point, fold and layer: the grid's keys, ``fold, layer, val_acc``."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import ParameterGrid, StratifiedKFold

    def validate(point: dict, fold: int, train, val) -> list[dict]:
        model = R2SVM(n_layers=n_layers, random_state=seed, **fixed, **point).fit(X[train], y[train])
        return [
            {**point, "fold": fold, "layer": layer, "val_acc": float(np.mean(predicted == y[val]))}
            for layer, predicted in enumerate(model.staged_predict(X[val]), 1)
        ]

    splits = list(enumerate(StratifiedKFold(folds, shuffle=True, random_state=0).split(X, y)))
    jobs = [(point, fold, train, val) for point in ParameterGrid(grid) for fold, (train, val) in splits]
    return pd.DataFrame([row for rows in Parallel(n_jobs=n_jobs)(delayed(validate)(*job) for job in jobs) for row in rows])


def best_point(curves: pd.DataFrame, layer: int) -> dict:
    """The grid point of :func:`cv_curves` with the best mean validation accuracy after ``layer``
    (ties: the first in grid order, i.e. the smallest C)."""
    keys = [k for k in curves.columns if k not in ("fold", "layer", "val_acc")]
    mean = curves[curves.layer == layer].groupby(keys, sort=False).val_acc.mean()
    best = mean.idxmax()
    return {k: float(v) for k, v in zip(keys, best if isinstance(best, tuple) else (best,))}


def layer_accuracies(model: R2SVM, X_train, y_train, X_test, y_test) -> list[dict]:
    """Per layer l = 1 … n_layers: train and test accuracy of the R2SVM cut after layer l."""
    train = [np.mean(p == y_train) for p in model.staged_predict(X_train)]
    test = [np.mean(p == y_test) for p in model.staged_predict(X_test)]
    return [{"layer": l + 1, "train_acc": a, "test_acc": b} for l, (a, b) in enumerate(zip(train, test))]


def decision_regions(model: R2SVM, X, layers, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predicted labels on a grid over 2-D inputs after the given layers: xs [G], ys [G], labels [len(layers), G, G]."""
    pad = 0.3
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    gx, gy = np.meshgrid(xs, ys)  # [G (y), G (x)]
    grid = np.c_[gx.ravel(), gy.ravel()]
    staged = list(model.staged_predict(grid))
    return xs, ys, np.stack([staged[l - 1].reshape(resolution, resolution) for l in layers])
