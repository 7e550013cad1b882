"""dltheory.science.recursive_svm: the R2SVM against its definition (Vinyals et al. 2012, §3.1), scikit-learn's
estimator checks, and the spirals / moons behaviour."""

import numpy as np
import pytest
from scipy.special import expit
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from dltheory.science.recursive_svm import (
    R2SVM,
    best_point,
    cv_curves,
    decision_regions,
    layer_accuracies,
    synthetic,
    synthetic_splits,
    two_spirals,
)


def blobs(n=300, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    return rng.standard_normal((n, d)) + 1.5 * np.eye(k, d)[y], y


@parametrize_with_checks([R2SVM(n_layers=3, random_state=0)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_layer_one_is_a_plain_linear_svm():
    X, y = blobs()
    model = R2SVM(n_layers=3, C=0.3, random_state=0).fit(X, y)
    # the same strictly convex problem, solved tightly in the primal: the one optimum
    plain = LinearSVC(C=0.3, dual=False, tol=1e-10, max_iter=100000, random_state=0).fit(X, y)
    first = next(model.staged_decision_function(X))
    np.testing.assert_allclose(first, plain.decision_function(X), atol=1e-3)
    assert np.array_equal(R2SVM(n_layers=1, C=0.3).fit(X, y).predict(X), plain.predict(X))


def test_layer_inputs_follow_the_paper():
    """x_3 = σ(d + β W_3 [o_1; o_2]) with W_3 [D, 2K] and o_l the earlier layers' raw scores."""
    X, y = blobs()
    model = R2SVM(n_layers=3, beta=0.1, random_state=0).fit(X, y)
    assert [w.shape for w in model.projections_] == [(5, 3), (5, 6)]
    o1 = model.svms_[0].decision_function(X)
    x2 = expit(X + 0.1 * o1 @ model.projections_[0].T)
    o2 = model.svms_[1].decision_function(x2)
    x3 = expit(X + 0.1 * np.hstack([o1, o2]) @ model.projections_[1].T)
    assert np.allclose(model.decision_function(X), model.svms_[2].decision_function(x3))
    assert np.allclose(model.projections_[0], np.random.RandomState(0).standard_normal((5, 3)))  # check_random_state(0): N(0, 1) entries


def test_shapes_and_determinism_by_seed():
    X, y = blobs()
    a, b, c = (R2SVM(n_layers=4, random_state=s).fit(X, y) for s in (1, 1, 2))
    assert np.array_equal(a.decision_function(X), b.decision_function(X))
    assert not np.allclose(a.projections_[0], c.projections_[0])
    staged = list(a.staged_decision_function(X))
    assert len(staged) == 4 and all(s.shape == (300, 3) for s in staged)
    assert a.predict(X).shape == (300,) and set(a.predict(X)) <= {0, 1, 2}


def test_ablations():
    X, y = blobs(k=2)
    fixed = R2SVM(n_layers=3, projection="fixed").fit(X, y)
    assert np.array_equal(fixed.projections_[1], [[1, 0], [0, 1], [0, 0], [0, 0], [0, 0]])  # score j shifts coordinate j mod D
    concat = R2SVM(n_layers=3, projection="concatenate").fit(X, y)
    assert concat.projections_ == [] and concat.svms_[2].coef_.shape == (1, 5 + 2)
    with pytest.raises(ValueError, match="projection='rotation'"):
        R2SVM(projection="rotation").fit(X, y)


def test_copied_inputs_bend_the_boundary_on_the_papers_spirals():
    """Noiseless spirals as in the paper's Fig. 3 (173 points per class, 2.7 turns). As written (β =
    0.1, two inputs) depth hardly helps; with the inputs copied 10 times it bends the boundary
    (the later study's device), far above layer 1."""
    X, y, X_test, y_test = synthetic_splits("two_spirals", 173, 0.0, seed=0)
    copied = R2SVM(n_layers=30, beta=1.0, C=1.0, copies=10, random_state=0).fit(X, y)
    rows = layer_accuracies(copied, X, y, X_test, y_test)
    assert rows[0]["test_acc"] < 0.65 and rows[-1]["test_acc"] > 0.85
    assert copied.svms_[0].coef_.shape == (1, 20)  # layer 1 sees [d; …; d]: 10 copies of 2 inputs


def test_one_copy_is_the_method():
    X, y = blobs()
    a, b = R2SVM(n_layers=3, random_state=0).fit(X, y), R2SVM(n_layers=3, copies=1, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.decision_function(X), b.decision_function(X))
    with pytest.raises(ValueError, match="copies=0"):
        R2SVM(copies=0).fit(X, y)


def test_synthetic_data_and_spirals():
    X, y = two_spirals(250, 1.5, 0.0, seed=1)
    radius, angle = np.hypot(*X.T), np.arctan2(X[:, 1], X[:, 0])
    assert radius.max() <= 3 * np.pi + 1e-9 and np.bincount(y).tolist() == [250, 250]
    assert np.allclose(np.cos(angle - radius - np.pi * y), 1)  # radius t at angle t (+ π for class 1)
    Xs, ys = synthetic("two_moons", 200, 0.1, seed=0)
    assert Xs.shape == (400, 2) and np.bincount(ys).tolist() == [200, 200]
    with pytest.raises(ValueError, match="two_spirals"):
        synthetic("xor", 10, 0.1, 0)


@pytest.mark.parametrize("name, noise", [("two_spirals", 0.0), ("two_moons", 0.1)])
def test_the_test_draw_is_standardized_with_the_training_statistics(name, noise):
    """The training draw is standardized with its own mean and s.d.; the test draw (a fresh one,
    seed + 1) with the training draw's, not its own: its mean and s.d. stay off 0 and 1."""
    raw, y = synthetic(name, 150, noise, seed=3)
    raw_test, y_test_raw = synthetic(name, 150, noise, seed=4)
    X, y_train, X_test, y_test = synthetic_splits(name, 150, noise, seed=3)
    np.testing.assert_allclose(X, (raw - raw.mean(axis=0)) / raw.std(axis=0), atol=1e-12)
    np.testing.assert_allclose(X_test, (raw_test - raw.mean(axis=0)) / raw.std(axis=0), atol=1e-12)
    assert np.array_equal(y_train, y) and np.array_equal(y_test, y_test_raw)
    assert np.abs(X_test.mean(axis=0)).max() > 1e-3 or np.abs(X_test.std(axis=0) - 1).max() > 1e-3  # not its own statistics


def test_cv_curves_give_every_depth_from_one_fit_per_fold():
    """The CV accuracy after layer l equals that of an l-layer model fitted alone (same seed)."""
    X, y = blobs()
    cv = cv_curves(X, y, {"C": [0.01, 1.0]}, folds=3, n_layers=3, seed=0)
    assert len(cv) == 2 * 3 * 3 and set(cv.columns) == {"C", "fold", "layer", "val_acc"}
    from sklearn.model_selection import StratifiedKFold

    train, val = next(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    alone = R2SVM(n_layers=2, C=1.0, random_state=0).fit(X[train], y[train]).score(X[val], y[val])
    assert cv[(cv.C == 1.0) & (cv.fold == 0) & (cv.layer == 2)].val_acc.item() == pytest.approx(alone)
    table = cv.assign(val_acc=np.where((cv.C == 0.01) & (cv.layer == 3), 1.0, 0.5))
    assert best_point(table, 3) == {"C": 0.01} and best_point(table, 1) == {"C": 0.01}  # ties: the first (smallest) C


def test_decision_regions():
    X2, y2 = synthetic_splits("two_moons", 100, 0.1, 0)[:2]
    model = R2SVM(n_layers=3, random_state=0).fit(X2, y2)
    xs, ys, labels = decision_regions(model, X2, [1, 3], resolution=20)
    assert xs.shape == ys.shape == (20,) and labels.shape == (2, 20, 20) and set(np.unique(labels)) <= {0, 1}
    gx, gy = np.meshgrid(xs, ys)
    assert np.array_equal(labels[1].ravel(), model.predict(np.c_[gx.ravel(), gy.ravel()]))
