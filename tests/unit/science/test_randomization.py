"""Known answers of the randomization tests' science: label corruption at exactly p, the input
randomizations' invariants, the time to fit, and Theorem 1's construction."""

import numpy as np
import pytest
import torch

from dltheory.science.randomization import (
    Architecture,
    Training,
    corrupt_labels,
    epochs_to_fit,
    fewer_units_residual,
    memorizing_network,
    randomize_inputs,
    train_variants,
    two_layer_relu,
)


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_labels_are_redrawn_at_exactly_p(p):
    n, k = 10_000, 10
    y = np.random.default_rng(0).integers(0, k, n)
    rng = np.random.default_rng(1)
    corrupted = corrupt_labels(y, p, k, rng)
    # the redrawn positions are round(p n) exactly; a redrawn label differs from the truth w.p. 1 - 1/k
    changed = np.mean(corrupted != y)
    assert changed == pytest.approx(p * (1 - 1 / k), abs=4 * np.sqrt(p * 0.09 / n) + 1e-12)
    if p == 0:
        assert (corrupted == y).all()
    if p == 1:  # random labels carry no information: uniform over the classes
        assert np.bincount(corrupted, minlength=k) / n == pytest.approx(np.full(k, 1 / k), abs=0.015)


def test_redrawn_count_is_exact():
    # with 10^12 classes a redrawn label is (almost surely) never the old one: the changes count the redraws
    y = np.zeros(1001, dtype=np.int64)
    for p in (0.1, 0.25, 0.5):
        assert np.sum(corrupt_labels(y, p, 10**12, np.random.default_rng(0)) != y) == round(p * 1001)


def test_input_randomizations_keep_what_they_should():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 20)).astype(np.float32)
    shuffled = randomize_inputs(x, "shuffled_pixels", np.random.default_rng(3), 0.0, 1.0)
    again = randomize_inputs(x[:5], "shuffled_pixels", np.random.default_rng(3), 0.0, 1.0)
    perm = np.array([np.flatnonzero(x[0] == v)[0] for v in shuffled[0]])
    assert (shuffled == x[:, perm]).all() and (again == x[:5, perm]).all()  # one permutation for every row, reproducible
    random = randomize_inputs(x, "random_pixels", rng, 0.0, 1.0)
    assert np.allclose(np.sort(random, 1), np.sort(x, 1))  # each row keeps its values
    assert not all((random[i] == x[i, perm]).all() for i in range(50))
    gauss = randomize_inputs(np.zeros((4000, 50), np.float32), "gaussian", rng, 2.0, 3.0)
    assert gauss.mean() == pytest.approx(2.0, abs=0.05) and gauss.std() == pytest.approx(3.0, abs=0.05)


def test_epochs_to_fit_is_the_first_epoch_at_the_threshold():
    accuracy = np.array([[0.1, 0.5, 0.999, 0.99, 1.0], [0.1, 0.2, 0.3, 0.4, 0.5]])
    assert np.array_equal(epochs_to_fit(accuracy, 0.999), [2, np.nan], equal_nan=True)


@pytest.mark.parametrize("architecture", [Architecture((64,)), Architecture((64,), (8,), (1, 4, 4))], ids=["mlp", "conv"])
def test_ensemble_members_fit_separable_data_and_stop(architecture):
    rng = np.random.default_rng(0)
    n, d = 256, 16
    x = rng.standard_normal((n, d)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    labels = torch.as_tensor(np.stack([y, rng.integers(0, 2, n)]))
    setup = Training(architecture, 0.05, 0.9, 1.0, 32, 300, 1.0)
    inputs = torch.as_tensor(x[None])
    out = train_variants(inputs, np.zeros(2, int), labels, inputs, labels, [0, 0], np.zeros(2), setup, 2, lambda _: None)
    assert (out["train_accuracy_final"] == 1.0).all()  # both fit, the random labelling too
    assert out["epochs_to_fit"][0] < out["epochs_to_fit"][1]  # random labels take longer
    assert out["test_accuracy"] == pytest.approx(out["train_accuracy_final"])  # test = train here


@pytest.mark.parametrize("n, d", [(50, 3), (400, 20)])
def test_theorem_1_network_fits_random_labels_exactly(n, d):
    rng = np.random.default_rng(n)
    x, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    a, b, w = memorizing_network(x, y, rng, directions=5)
    assert a.size + b.size + w.size == 2 * n + d
    # exact up to float64 rounding, amplified by the alternating output weights (|w| ~ 1e5 at n = 400)
    assert np.linalg.norm(two_layer_relu(x, a, b, w) - y) / np.linalg.norm(y) < 1e-7
    # fewer hidden units than points: a rank-k linear model in w cannot fit n generic labels
    assert fewer_units_residual(x, y, n // 2, rng) > 0.1


@pytest.mark.parametrize("entry, image", [({"hidden": [30, 20]}, None), ({"conv": [3, 5], "hidden": [7]}, (2, 9, 6))])
def test_architecture_counts_the_weights_it_builds(entry, image):
    # the cost model's per-layer weights add up to the parameters the ensemble holds
    architecture = Architecture.from_config(entry, image)
    n_in = int(np.prod(image)) if image else 12
    model = architecture.build([0, 1], n_in, 10)
    assert sum(w for w, _, _ in architecture.layers(n_in, 10)) == model.flat.shape[1]
    assert model(torch.zeros(2, 3, n_in)).shape == (2, 3, 10)


def test_architecture_names():
    assert Architecture.from_config({"hidden": [512]}, None).name == "MLP 1x512"
    assert Architecture.from_config({"hidden": [512, 512, 512]}, None).name == "MLP 3x512"
    assert Architecture.from_config({"conv": [8, 16], "hidden": [128]}, (1, 28, 28)).name == "conv 8-16 + 128"


def test_theorem_1_needs_distinct_points():
    x = np.ones((3, 2))
    with pytest.raises(ValueError, match="distinct"):
        memorizing_network(x, np.arange(3.0), np.random.default_rng(0))
