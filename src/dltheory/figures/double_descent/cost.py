"""Cost of double_descent's compute jobs, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import numpy as np

from dltheory.core.cost import F_NORMAL, LOAD_SECONDS, probe_dataset, reduced, seeds_of, sliced, split_sizes
from dltheory.core.cost import F_TRANSCENDENTAL as F_T
from dltheory.core.data import N_CLASSES
from dltheory.figures.double_descent import NAME
from dltheory.science.random_features import feature_grid, kernel_machine, median_bandwidth, rff_curve, weak_features_monte_carlo


def _rff_flops(spec: dict) -> float:
    """FLOPs of ``double_descent_rff`` for n training and m test rows of d features, the grid of N
    up to N_max and K = 10 outputs, per seed: the directions (N_max d F_NORMAL), the features of
    both splits ((n + m) N_max (2 d + F_T)), the QR of the largest N below n (2 n N_b²) and the
    triangular solves (N² K per N); above n, per N, the QR of the (n + ΔN) × n stack
    (2 (n + ΔN) n²) and two refined dual solves (8 n² K + 6 n N K); per N, the fit and the
    prediction (2 (n + m) N K). Once: the median bandwidth on ≤ 2,000 rows (3 r² d) and the
    kernel machine: the kernel of the train and test rows ((n + m) n (3 d + F_T)), its Cholesky
    solve (n³/3 + 2 n² K) and the fit and prediction (2 (n + m) n K)."""
    n, m, d, K = spec["n_train"], spec["n_test"], spec["features"], N_CLASSES
    grid = feature_grid(n, spec["feature_ratios"])
    below, above = grid[grid < n], grid[grid >= n]
    per_seed = grid[-1] * d * F_NORMAL + (n + m) * grid[-1] * (2 * d + F_T) + sum(2 * (n + m) * N * K for N in grid)
    if len(below):
        per_seed += 2 * n * below[-1] ** 2 + sum(N * N * K for N in below)
    steps = np.diff(np.r_[0, above])
    per_seed += sum(2 * (n + dN) * n * n + 8 * n * n * K + 6 * n * N * K for N, dN in zip(above, steps))
    kernel = (n + m) * n * (3 * d + F_T) + n**3 / 3 + 2 * n * n * K + 2 * (n + m) * n * K
    return spec["seeds"] * per_seed + 3 * min(n, 2000) ** 2 * d + kernel


def _rff_memory(spec: dict) -> float:
    """Bytes: the cosine features of both splits [n + m, N_max] float64, the argument x Vᵀ of the
    larger split while its features are made, and the QR stack [(n + ΔN), n] with its factor;
    or, after them, the kernel machine's matrices [n + m, n] and their squared distances."""
    n, m = spec["n_train"], spec["n_test"]
    grid = feature_grid(n, spec["feature_ratios"])
    largest_step = int(np.diff(np.r_[min(n, grid[-1]), grid[grid >= n]]).max(initial=0))
    features = (n + m) * grid[-1] + max(n, m) * grid[-1] + 2 * (n + largest_step) * n
    return 8 * max(features, (n + m) * n + max(n, m) * n)


def _rff_run(spec: dict, data_config: dict) -> None:
    d = probe_dataset(spec["dataset"], data_config, spec["n_train"], spec["n_test"])
    bandwidth = median_bandwidth(d.x_train) if spec["bandwidth"] == "median" else float(spec["bandwidth"])
    grid = feature_grid(len(d.y_train), spec["feature_ratios"])
    for seed in seeds_of(spec):
        rff_curve(d.x_train, d.y_train, d.x_test, d.y_test, grid, bandwidth, d.n_classes, seed)
    kernel_machine(d.x_train, d.y_train, d.x_test, d.y_test, bandwidth, d.n_classes)


def _weak_flops(spec: dict) -> float:
    """FLOPs of ``double_descent_weak_features`` for T trials of n samples in d dimensions: the
    draws (T n d F_NORMAL) and the trials' coordinate orders (T d log₂ d); per p = 1 … d, least
    squares below n (XᵀX: 2 T n p², Xᵀy: 2 T n p, the solve: T p³ 2/3) and the minimum-norm
    solution above (XXᵀ: 2 T n² p, the solve: T n³ 2/3, Xᵀ(·): 2 T n p), and the risk (3 T d)."""
    T, n, d = spec["trials"], spec["n"], spec["d"]
    per_p = [2 * T * n * p * p + T * p**3 * 2 / 3 if p < n else 2 * T * n * n * p + T * n**3 * 2 / 3 for p in range(1, d + 1)]
    return T * n * d * F_NORMAL + T * d * np.log2(d) + sum(per_p) + d * (2 * T * n + 3 * T * d)


def _weak_memory(spec: dict) -> float:
    """Bytes: the draws X [T, n, d] float64 and their reordered copy, and a [T, n, p] temporary."""
    return 3 * spec["trials"] * spec["n"] * spec["d"] * 8


def _weak_run(spec: dict) -> None:
    ps = np.arange(1, spec["d"] + 1)
    weak_features_monte_carlo(ps, spec["n"], spec["d"], spec["w_norm2"], spec["noise_var"], spec["trials"], spec["seed"])


def jobs(config: dict) -> list:
    """``double_descent_rff``, probed on one seed with at most 500 training and 500 test rows (the
    grid of N/n the same, so every N shrinks with n; mnist as synthetic rows of its shape), and
    ``double_descent_weak_features`` on at most 200 trials."""
    c, data_config = config[NAME]["compute"], config["data"]
    n_train, n_test, features = split_sizes(c["dataset"], data_config, c["n_train"], c["n_test"])
    rff = {**{k: v for k, v in c.items() if k != "weak_features"}, "n_train": n_train, "n_test": n_test, "features": features}
    probe = reduced(rff, seeds=1, n_train=min(n_train, 500), n_test=min(n_test, 500))
    weak = c["weak_features"]
    return [
        sliced(
            f"{NAME}_rff", "", rff, probe, _rff_flops, _rff_memory, lambda s: _rff_run(s, data_config),
            overhead_s=LOAD_SECONDS[c["dataset"]], warmup_spec=reduced(probe, n_train=100, n_test=100),
        ),
        sliced(f"{NAME}_weak_features", "", weak, reduced(weak, trials=min(weak["trials"], 200)), _weak_flops, _weak_memory, _weak_run),
    ]  # fmt: skip
