"""The config checks that run before any job (dltheory.core.checks and each figure's check()): every
bad value is refused with a message naming its key, its value and what is allowed. Milliseconds
each; tests/workflow/test_bad_input.py runs one of each kind through Snakemake."""

import copy

import pytest
from shipped import ROOT, shipped
from snakemake.utils import update_config

from dltheory.core.checks import config_errors, selected
from dltheory.core.registry import names


def config(*overrides: dict) -> dict:
    """config/config.yaml with config/smoke.yaml and ``overrides`` merged over it, as Snakemake merges --configfile."""
    merged = shipped("config.yaml")
    for override in [shipped("smoke.yaml"), *overrides]:
        update_config(merged, copy.deepcopy(override))
    return merged


@pytest.mark.parametrize("files", [["config.yaml"], ["config.yaml", "smoke.yaml"], ["config.yaml", "paper.yaml"]])
def test_shipped_configs_pass(files):
    merged = {}
    for name in files:
        update_config(merged, shipped(name))
    merged["data"]["download"] = True  # paper.yaml's datasets are fetched, not present here
    assert config_errors(merged, ROOT) == []


def test_all_selects_every_registered_figure_in_order():
    assert [f.name for f in selected(config())] == list(names())
    assert [f.name for f in selected(config({"figures": ["r2svm", "phase_diagram"]}))] == ["phase_diagram", "r2svm"]


BAD = [
    # schemas
    ({"phase_diagram": {"compute": {"propagation": {"sigma_b2": -0.05}}}}, ["phase_diagram.compute.propagation.sigma_b2", "-0.05"]),
    ({"phase_diagram": {"compute": {"activation": "sigmoid"}}}, ["phase_diagram.compute.activation", "sigmoid"]),
    ({"phase_diagram": {"compute": {"propagation": {"depth": 0}}}}, ["phase_diagram.compute.propagation.depth", "minimum"]),
    ({"phase_diagram": {"compute": {"propagation": {"width": "wide"}}}}, ["width", "'wide'", "integer"]),
    ({"phase_diagram": {"compute": {"propagation": {"widht": 100}}}}, ["phase_diagram.compute.propagation", "widht"]),
    ({"phase_diagram": {"claims": {"xi_tolerance": 0}}}, ["phase_diagram.claims.xi_tolerance", "0"]),
    ({"device": "tpu"}, ["device", "tpu", "auto"]),
    ({"max_threads": 0}, ["max_threads", "0"]),
    ({"max_threads": 1.5}, ["max_threads", "1.5"]),
    ({"figures": ["phase_diagram", "no_such_figure"]}, ["figures", "no_such_figure", "allowed", "lucky_weights"]),
    ({"figures": []}, ["figures"]),
    ({"pixel_mii": {}}, ["pixel_mii", "unknown", "allowed"]),
    ({"depth_accuracy": {"compute": {"depths": [0, 5]}}}, ["depth_accuracy.compute.depths[0]", "minimum"]),
    ({"depth_accuracy": {"compute": {"datasets": ["imagenet"]}}}, ["depth_accuracy.compute.datasets[0]", "imagenet"]),
    ({"depth_accuracy": {"compute": {"optimizers": ["adam"]}}}, ["optimizers", "adam"]),
    ({"depth_accuracy": {"compute": {"lr": {"sgd": -0.1}}}}, ["depth_accuracy.compute.lr.sgd", "-0.1"]),
    ({"depth_accuracy": {"run": {"checkpoint_every": 0}}}, ["depth_accuracy.run.checkpoint_every", "0"]),
    ({"data": {"test_fraction": 0.9}}, ["data.test_fraction", "0.9"]),
    ({"lucky_weights": {"compute": {"teacher_widths": [10, 0]}}}, ["teacher_widths[1]", "minimum"]),
    ({"lucky_weights": {"compute": {"lr": 0}}}, ["lucky_weights.compute.lr", "0"]),
    ({"pixel_mi": {"compute": {"images": ["camera", "coins"]}}}, ["pixel_mi.compute.images[1]", "coins"]),
    ({"pixel_mi": {"claims": {"max_far_fraction": 2}}}, ["pixel_mi.claims.max_far_fraction", "2"]),
    ({"entropy_gain": {"compute": {"kernel_size": 4}}}, ["kernel_size", "4"]),
    ({"r2svm": {"compute": {"datasets": ["svhn"]}}}, ["datasets", "svhn"]),
    ({"r2svm": {"compute": {"beta": 0}}}, ["r2svm.compute.beta", "0"]),
    # non-finite numbers, which pass every bound of a schema
    (
        {"phase_diagram": {"compute": {"propagation": {"sigma_w2": [float("nan"), 2.0]}}}},
        ["phase_diagram.compute.propagation.sigma_w2[0]", "nan", "finite"],
    ),
    ({"lucky_weights": {"compute": {"input_std": float("inf")}}}, ["lucky_weights.compute.input_std", "inf", "finite"]),
    ({"r2svm": {"claims": {"min_bent_accuracy": float("-inf")}}}, ["r2svm.claims.min_bent_accuracy", "-inf", "finite"]),
    # the figures' cross-key checks
    (
        {"phase_diagram": {"compute": {"grid": {"sigma_w2": {"min": 3.0, "max": 1.0, "num": 5}}}}},
        ["phase_diagram.compute.grid.sigma_w2", "min (3.0)"],
    ),
    (
        {"phase_diagram": {"compute": {"activation": "relu"}}, "figures": ["phase_diagram"]},
        ["phase_diagram.compute.propagation.sigma_w2", "relu", "< 2"],
    ),
    (
        {"phase_diagram": {"compute": {"activation": "relu", "propagation": {"sigma_w2": [1.5]}}}},
        ["phase_diagram.compute.activation", "tanh"],
    ),
    (
        {"depth_accuracy": {"compute": {"sigma_b2": 0.07}}},
        ["depth_accuracy.compute.sigma_b2", "0.07", "phase_diagram.compute.grid.sigma_b2"],
    ),
    ({"depth_accuracy": {"compute": {"sigma_w2": {"min": 0.2, "max": 4.0, "num": 5}}}}, ["depth_accuracy.compute.sigma_w2", "inside"]),
    ({"lucky_weights": {"compute": {"lottery": {"keep": 5, "steps": 10}}}}, ["lucky_weights.compute.lottery.keep", "multiplier"]),
    ({"lucky_weights": {"compute": {"weight_choices": [0.0, 0.5], "n_in": 2}}}, ["lucky_weights.compute.weight_choices", "distinct"]),
    ({"lucky_weights": {"compute": {"batch_size": 4096}}}, ["lucky_weights.compute.batch_size", "n_train"]),
    (
        {"lucky_weights": {"compute": {"two_layer": {"batch_size": 64, "n_train": 32}}}},
        ["lucky_weights.compute.two_layer.batch_size", "64", "n_train"],
    ),
    (
        {"lucky_weights": {"compute": {"two_layer": {"n_in": 2, "weight_choices": [0.0, 1.0]}}}},
        ["lucky_weights.compute.two_layer.weight_choices", "distinct"],
    ),
    ({"lucky_weights": {"compute": {"two_layer": {"multipliers": []}}}}, ["lucky_weights.compute.two_layer.multipliers"]),
    ({"lucky_weights": {"compute": {"two_layer": {"init_std": -1}}}}, ["lucky_weights.compute.two_layer.init_std", "-1"]),
    ({"lucky_weights": {"claims": {"fan_out_window": 0}}}, ["lucky_weights.claims.fan_out_window", "0"]),
    ({"pixel_mi": {"compute": {"distances": {"min": 64, "max": 8, "num": 4}}}}, ["pixel_mi.compute.distances", "min"]),
    ({"pixel_mi": {"compute": {"representations": ["sobel_h"]}}}, ["pixel_mi.compute.representations", "pixels"]),
    ({"entropy_gain": {"compute": {"layers": 9}}}, ["entropy_gain.compute.layers", "patch_size"]),
    ({"r2svm": {"compute": {"synthetic": {"layers_shown": [1, 50]}}}}, ["r2svm.compute.synthetic.layers_shown", "50"]),
    ({"r2svm": {"compute": {"features": "sift"}}}, ["r2svm.compute.features", "sift"]),
    ({"r2svm": {"compute": {"synthetic": {"copies": 0}}}}, ["r2svm.compute.synthetic.copies", "0"]),
    ({"r2svm": {"claims": {"max_ablation_gap": 0}}}, ["r2svm.claims.max_ablation_gap", "0"]),
    ({"r2svm": {"compute": {"datasets": [], "synthetic": {"datasets": []}}}}, ["r2svm.compute.datasets", "empty"]),
    (
        {"implicit_bias": {"compute": {"datasets": {"stretched": {"step_size": 0}}}}},
        ["implicit_bias.compute.datasets.stretched.step_size", "0 is not valid", "allowed", "inverse_sigma_max", "half_step_bound"],
    ),
    (
        {"implicit_bias": {"compute": {"datasets": {"symmetric": {"step_size": -0.1}}}}},
        ["implicit_bias.compute.datasets.symmetric.step_size", "-0.1"],
    ),
    (
        {"implicit_bias": {"compute": {"datasets": {"symmetric": {"step_size": "sigma_max"}}}}},
        ["implicit_bias.compute.datasets.symmetric.step_size", "'sigma_max'"],
    ),
    (
        {"implicit_bias": {"compute": {"datasets": {"stretched": {"scale": [1, 0]}}}}},
        ["implicit_bias.compute.datasets.stretched.scale[1]", "0"],
    ),
    (
        {"implicit_bias": {"compute": {"datasets": {"asymmetric": {"support_vectors": [[1.0, 0.0], [-1.0, 0.0]]}}}}},
        ["implicit_bias.compute.datasets.asymmetric.support_vectors", "[[1.0, 0.0], [-1.0, 0.0]]", "not linearly separable"],
    ),
    (
        {"implicit_bias": {"compute": {"datasets": {"symmetric": {"margin": [2.0, 1.5]}}}}},
        ["implicit_bias.compute.datasets.symmetric.margin", "[2.0, 1.5]"],
    ),
    (
        {"implicit_bias": {"compute": {"datasets": {"symmetric": {"margin": [1.0, 2.0]}}}}},
        ["implicit_bias.compute.datasets.symmetric.margin[0]", "1.0"],
    ),
    (
        {"double_descent": {"compute": {"feature_ratios": {"min": 1.2, "max": 20}}}},
        ["double_descent.compute.feature_ratios", "min 1.2", "min < 1 < max"],
    ),
    ({"double_descent": {"compute": {"feature_ratios": {"min": 0.1, "max": 0.9}}}}, ["double_descent.compute.feature_ratios", "max 0.9"]),
    ({"double_descent": {"compute": {"bandwidth": 0}}}, ["double_descent.compute.bandwidth", "0 is not valid", "allowed", "median"]),
    ({"double_descent": {"compute": {"bandwidth": -3.0}}}, ["double_descent.compute.bandwidth", "-3.0"]),
    (
        {"double_descent": {"compute": {"weak_features": {"n": 29, "d": 30}}}},
        ["double_descent.compute.weak_features.n", "29", "n <= d - 2"],
    ),
    (
        {"lazy_training": {"compute": {"circle": {"widths": [500]}}}},
        ["lazy_training.compute.circle.widths", "[500] is too short", "at least two"],
    ),
    ({"lazy_training": {"compute": {"circle": {"lr": 0}}}}, ["lazy_training.compute.circle.lr", "0"]),
    ({"lazy_training": {"compute": {"circle": {"lr": -1.0}}}}, ["lazy_training.compute.circle.lr", "-1.0"]),
    ({"lazy_training": {"compute": {"spectrum": {"widths": [8, 16]}}}}, ["lazy_training.compute.spectrum.widths", "[8, 16]", "both sides"]),
    ({"lazy_training": {"compute": {"alpha": {"train_points": 500}}}}, ["lazy_training.compute.alpha.train_points", "500", "data.points"]),
    ({"shattered_gradients": {"compute": {"width": 0}}}, ["shattered_gradients.compute.width", "0"]),
    ({"shattered_gradients": {"compute": {"grid": {"points": 1}}}}, ["shattered_gradients.compute.grid.points", "1"]),
    ({"shattered_gradients": {"compute": {"betas": [1.0, -0.1]}}}, ["shattered_gradients.compute.betas[1]", "-0.1"]),
    (
        {"shattered_gradients": {"compute": {"figure1": {"resnet_beta": 0.5}}}},
        ["shattered_gradients.compute.figure1.resnet_beta", "0.5", "betas"],
    ),
    (
        {"shattered_gradients": {"compute": {"figure1": {"feedforward_depth": 30}}}},
        ["shattered_gradients.compute.figure1.feedforward_depth", "30"],
    ),
]


@pytest.mark.parametrize("override, expected", BAD, ids=[str(o) for o, _ in BAD])
def test_bad_value_is_refused_naming_key_and_value(override, expected):
    errors = config_errors(config(override), ROOT)
    assert errors, "accepted"
    text = "\n".join(errors)
    for fragment in expected:
        assert fragment in text, text


def test_a_figure_left_out_is_not_checked():
    # depth_accuracy trains tanh networks: with relu, only a build without it is valid.
    override = {"phase_diagram": {"compute": {"activation": "relu", "propagation": {"sigma_w2": [1.5]}}}}
    assert config_errors(config(override), ROOT)
    assert config_errors(config(override, {"figures": ["phase_diagram", "pixel_mi"]}), ROOT) == []


def test_missing_published_data_names_files_urls_and_folder(tmp_path):
    errors = config_errors(config({"r2svm": {"compute": {"datasets": ["mnist"]}}, "data": {"dir": str(tmp_path)}}), ROOT)
    text = "\n".join(errors)
    assert (
        "data.dir" in text
        and "train-images-idx3-ubyte.gz" in text
        and "https://" in text
        and str(tmp_path) in text
        and "data.download" in text
    )
    assert (
        config_errors(config({"r2svm": {"compute": {"datasets": ["mnist"]}}, "data": {"dir": str(tmp_path), "download": True}}), ROOT) == []
    )


def test_an_optimizer_without_a_learning_rate_is_refused():
    cfg = config()
    del cfg["depth_accuracy"]["compute"]["lr"]["rmsprop"]
    assert any("depth_accuracy.compute.lr" in e and "rmsprop" in e for e in config_errors(cfg, ROOT))


def test_one_pass_reports_every_bad_key_beside_a_nan_or_an_unknown_section():
    override = {
        "pixel_mii": {},
        "phase_diagram": {"compute": {"propagation": {"width": -5, "depth": float("nan")}}},
        "r2svm": {"compute": {"datasets": ["svhn"]}},
    }
    text = "\n".join(config_errors(config(override), ROOT))
    for fragment in ("pixel_mii: unknown", "propagation.depth: nan", "propagation.width: -5", "r2svm.compute.datasets[0]: 'svhn'"):
        assert fragment in text, text
    assert text.count("propagation.depth") == 1  # the NaN once, not again as a type error


def test_a_misspelled_key_lists_the_allowed_keys_and_a_short_list_its_length():
    misspelled = "\n".join(config_errors(config({"depth_accuracy": {"compute": {"lerning_rate": 1}}}), ROOT))
    assert "'lerning_rate' was unexpected" in misspelled and "allowed keys:" in misspelled and "lr" in misspelled.split("allowed keys:")[1]
    short = "\n".join(config_errors(config({"depth_accuracy": {"compute": {"depths": []}}}), ROOT))
    assert "depth_accuracy.compute.depths: [] is too short; allowed: at least 2 items" in short


def test_the_cross_key_checks_of_a_valid_section_run_beside_a_bad_one():
    cfg = config({"phase_diagram": {"compute": {"propagation": {"width": -5}}}})
    del cfg["depth_accuracy"]["compute"]["lr"]["rmsprop"]  # a cross-key error in another section
    text = "\n".join(config_errors(cfg, ROOT))
    assert "propagation.width" in text and "depth_accuracy.compute.lr" in text
