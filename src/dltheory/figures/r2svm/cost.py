"""Cost of r2svm's compute job, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

from dltheory.core.contract import Job
from dltheory.core.cost import DATASETS, probe_dataset, reduced, split_sizes, timed
from dltheory.core.cost import F_TRANSCENDENTAL as F_T
from dltheory.core.data import N_CLASSES
from dltheory.figures.r2svm import NAME
from dltheory.science.coates import features as coates_features
from dltheory.science.recursive_svm import R2SVM, layer_accuracies

SVM_PASSES = 50  # liblinear's passes over the data per one-vs-rest problem: a nominal count (it stops on its tolerance)
WORKERS = 2  # the rule's threads: its fits run in that many joblib workers, the probe in one


def _fit_flops(n: float, D: int, layers: int, K: int) -> float:
    """An R2SVM fit of ``layers`` layers on n rows of D features, K one-vs-rest problems: per layer
    the SVM (2 n D K SVM_PASSES), the sigmoid of the shifted input (n D F_T), and the projection
    of the earlier layers' scores (2 n D (l − 1) K)."""
    return layers * n * D * (2 * K * SVM_PASSES + F_T) + n * D * K * layers * (layers - 1)


def _predict_flops(m: float, D: int, layers: int, K: int) -> float:
    """Staged predictions of an R2SVM on m rows: per layer 2 m D K, the sigmoid, the projection."""
    return layers * m * D * (2 * K + F_T) + m * D * K * layers * (layers - 1)


def _model_flops(n: int, m: int, D: int, K: int, cv_points: int, folds: int, cv_layers: int, fits: list[int]) -> float:
    """CV (``cv_points`` × ``folds`` fits at ``cv_layers`` on (folds − 1)/folds of the n rows),
    then one fit of each depth in ``fits`` on all n rows with its predictions on the n + m rows,
    and the references: a linear SVM and an RBF SVM (kernel rows of every pair, 3 passes:
    6 n² D; predictions 2 n m D)."""
    cv = cv_points * folds * (_fit_flops(n * (folds - 1) / folds, D, cv_layers, K) + _predict_flops(n / folds, D, cv_layers, K))
    final = sum(_fit_flops(n, D, layers, K) + _predict_flops(n + m, D, layers, K) for layers in fits)
    return cv + final + _fit_flops(n, D, 1, K) + 6 * n * n * D + 2 * n * m * D


def _dimensions(spec: dict, real: dict) -> int:
    """D, the features the R2SVM sees for a real dataset: its pixels, or 8 K_codebook Coates features."""
    return 8 * spec["coates"]["codebook"] if spec["features"] == "coates" else real["features"]


def _coates_flops(spec: dict, real: dict) -> float:
    """Coates features of a real dataset's n_train + n_test images [C, H, W] (0 without them): the
    ZCA (2 patches (C p²)²), the OMP-1 codebook (iterations × 4 patches K C p²) and the encoding,
    per image at every position the K filters and the box sums (2 (K + 2) C p² (H − p + 1)(W − p + 1))."""
    if spec["features"] != "coates":
        return 0.0
    images = real["n_train"] + real["n_test"]
    C, H, W = DATASETS[real["name"]]["image"]
    c = spec["coates"]
    size = C * c["patch"] ** 2
    learn = 2 * c["patches"] * size * size + c["iterations"] * 4 * c["patches"] * c["codebook"] * size
    return learn + images * 2 * (c["codebook"] + 2) * size * (H - c["patch"] + 1) * (W - c["patch"] + 1)


def _fit_job_flops(spec: dict) -> float:
    """FLOPs of ``r2svm_fit``: per real dataset (K = 10 classes; D pixels or 8 K_codebook Coates
    features) :func:`_model_flops` with the seeds' and the ablations' fits, plus the Coates
    features; per 2-D dataset (K = 1, 2 n_per_class points, as many test points) the as-written
    model (CV of C) and the copied one (CV of C × β, D = 2 copies), each at the full depth, with
    the decision regions (staged predictions on resolution² points)."""
    total = 0.0
    for real in spec["real"]:
        fits = [spec["layers"]] * spec["seeds"] + [spec["ablation_layers"]] * len(spec["ablations"])
        cv_layers = min(spec["cv_layers"], spec["layers"])
        D = _dimensions(spec, real)
        total += _model_flops(real["n_train"], real["n_test"], D, N_CLASSES, len(spec["C_grid"]), spec["cv_folds"], cv_layers, fits)
        total += _coates_flops(spec, real)
    syn = spec["synthetic"]
    for name in syn["datasets"]:
        n, L, grid = 2 * syn["n_per_class"][name], syn["layers"], len(syn["C_grid"])
        for D, points in ((2, grid), (2 * syn["copies"], grid * len(syn["beta_grid"]))):
            total += _model_flops(n, n, D, 1, points, spec["cv_folds"], L, [L] * spec["seeds"]) + _predict_flops(
                syn["resolution"] ** 2, D, L, 1
            )
    return total


def _fit_job_memory(spec: dict) -> float:
    """Bytes: the largest real dataset's pixels (float32, the loaded and the standardized copies),
    and per worker its features tiled, the layer input and liblinear's copy (3 n D × 8); the Coates
    patches (3 × patches C p² × 8); the RBF SVM's kernel cache (scikit-learn's default 200 MB)."""
    largest = 0.0
    for real in spec["real"]:
        rows = real["n_train"] + real["n_test"]
        D = _dimensions(spec, real)
        coates = (
            3 * spec["coates"]["patches"] * DATASETS[real["name"]]["image"][0] * spec["coates"]["patch"] ** 2 * 8
            if spec["features"] == "coates"
            else 0
        )
        largest = max(largest, 2 * rows * real["features"] * 4 + WORKERS * 3 * real["n_train"] * D * 8 + coates)
    return largest + 200e6


def _probe_run(spec: dict, data_config: dict) -> None:
    """The slice: Coates features (if configured) and a 2-layer R2SVM with its staged predictions."""
    real = spec["real"][0]
    d = probe_dataset(real["name"], data_config, real["n_train"], real["n_test"])
    x_train, x_test = d.x_train, d.x_test
    if spec["features"] == "coates":
        x_train, x_test, _ = coates_features(real["name"], x_train, x_test, seed=spec["seed"], **spec["coates"])
    C = spec["C_grid"][len(spec["C_grid"]) // 2]
    model = R2SVM(n_layers=spec["layers"], C=C, beta=spec["beta"], random_state=spec["seed"]).fit(x_train, d.y_train)
    layer_accuracies(model, x_train, d.y_train, x_test, d.y_test)


def _probe_flops(spec: dict) -> float:
    real = spec["real"][0]
    D, rows = _dimensions(spec, real), real["n_train"] + real["n_test"]
    fit = _fit_flops(real["n_train"], D, spec["layers"], N_CLASSES) + _predict_flops(rows, D, spec["layers"], N_CLASSES)
    return fit + _coates_flops(spec, real)


def jobs(config: dict) -> list:
    """``r2svm_fit``, probed on the first real dataset: at most 500 training and 200 test rows
    (mnist and cifar10 as synthetic rows of their shape; liblinear's iterations depend on the
    values, so theirs is the roughest estimate), the Coates features of those rows from at most
    5,000 patches, and a 2-layer R2SVM at the middle C; scaled by the counts and divided among
    :data:`WORKERS`."""
    c, data_config = config[NAME]["compute"], config["data"]
    real = []
    for name in c["datasets"]:
        n_train, n_test, features = split_sizes(name, data_config, c["n_train"], c["n_test"])
        real.append({"name": name, "n_train": n_train, "n_test": n_test, "features": features})
    spec = {**c, "real": real}
    probe = reduced(
        spec,
        real=[{**real[0], "n_train": min(real[0]["n_train"], 500), "n_test": min(real[0]["n_test"], 200)}],
        layers=2,
        coates__patches=min(c["coates"]["patches"], 5000),
    )
    flops = _fit_job_flops(spec)
    return [
        Job(
            f"{NAME}_fit",
            "",
            flops,
            _fit_job_memory(spec),
            probe=lambda: timed(lambda: _probe_run(probe, data_config)),
            scale=flops / _probe_flops(probe) / WORKERS,
        )
    ]
