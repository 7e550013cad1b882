"""dltheory.tools.bench: each benchmark compares like with like (both sides give the same numbers) and
reports times that add up: the ratio is the ratio of the reported times, the rates are the known
amount of work over them, and the times fit inside the wall time of the call (timed here)."""

import time

import pytest

from dltheory.tools.bench import bench_double_descent, bench_ensembles, bench_information, bench_meanfield, bench_paper_shapes


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def test_meanfield_bench_on_a_few_points():
    result, wall = timed(bench_meanfield, n_line=2, sigma_w2=(1.5, 3.0), sigma_b2=(0.05,))
    assert result["max_difference"] <= 1e-8
    assert 0 < result["reference_s"] and 0 < result["vectorized_s"]
    assert result["reference_s"] + result["vectorized_s"] + result["default_grid_s"] < wall  # each ran once at least, inside the call
    assert result["speedup"] == pytest.approx(result["reference_s"] / result["vectorized_s"], rel=1e-12)
    assert result["points"] == "2 critical-line points + 2 xi_c points"


def test_ensembles_bench_times_both_implementations_on_the_configured_grid(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        "depth_accuracy:\n  compute:\n"
        "    datasets: [digits]\n    optimizers: [sgd]\n    lr: {sgd: 0.01}\n    sigma_b2: 0.05\n"
        "    sigma_w2: {min: 1.0, max: 3.0, num: 3}\n    depths: [1, 3]\n    width: 8\n    seeds: 1\n    seed: 0\n"
        "    steps: 100\n    batch_size: 16\n    n_train: null\n    n_test: null\n    dtype: float32\n"
    )
    result, wall = timed(bench_ensembles, config, steps=2, device="cpu")
    network_steps = 3 * 2 * 1 * 2  # sigma_w2 x depths x seeds, 2 steps each
    assert "6 networks" in result["grid"] and "2 steps" in result["grid"]
    assert 0 < result["batched_s"] and 0 < result["sequential_s"] and result["batched_s"] + result["sequential_s"] < wall
    assert result["batched_network_steps_per_s"] * result["batched_s"] == pytest.approx(network_steps, rel=1e-12)
    assert result["sequential_network_steps_per_s"] * result["sequential_s"] == pytest.approx(network_steps, rel=1e-12)
    assert result["speedup"] == pytest.approx(result["sequential_s"] / result["batched_s"], rel=1e-12)
    assert result["max_difference"] < 1e-5 and result["chaotic"] == 4  # sigma_w2 = 2, 3 lie past the critical 1.76
    assert result["peak_rss_gb"] > 0 and result["peak_device_gb"] is None


def test_information_bench_agrees_with_the_loop(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("pixel_mi:\n  compute:\n    images: [camera, chelsea]\n    distances: {min: 1, max: 16, num: 3}\n    n_bins: 8\n")
    result, wall = timed(bench_information, config)
    assert result["max_difference"] <= 1e-12 and "2 images, 3 distances" in result["grid"]
    assert 0 < result["reference_s"] and 0 < result["vectorized_s"] and result["reference_s"] + result["vectorized_s"] < wall
    assert result["speedup"] == pytest.approx(result["reference_s"] / result["vectorized_s"], rel=1e-12)


def test_double_descent_bench_agrees_with_lstsq_per_n(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        "data: {dir: data, split_seed: 0, test_fraction: 0.2}\n"
        "double_descent:\n  compute:\n    dataset: digits\n    n_train: 60\n    bandwidth: median\n    seed: 0\n"
        "    feature_ratios: {min: 0.5, max: 4, num: 4, near: {width: 0.1, num: 3}}\n"
    )
    result, wall = timed(bench_double_descent, config)
    assert "n = 60, 6 values of N (30-240)" in result["grid"]  # 30, 60, 120, 240 and 54, 60, 66: six distinct
    assert result["max_difference"] < 1e-9 and result["threshold_difference"] <= result["max_difference"]
    assert 0 < result["reference_s"] and 0 < result["vectorized_s"] and result["reference_s"] + 2 * result["vectorized_s"] < wall
    assert result["speedup"] == pytest.approx(result["reference_s"] / result["vectorized_s"], rel=1e-12)


def test_paper_shapes_bench_reports_rates_and_their_share_of_the_bmm_rate():
    result, wall = timed(bench_paper_shapes, depths=(2, 3), steps=2, members=3, width=16, batch=8, device="cpu")
    assert "3 members per group, width 16, batch 8, depths 2, 3, 2 SGD steps" in result["grid"]
    assert set(result["rates_gflops"]) == {2, 3} and all(r > 0 for r in result["rates_gflops"].values())
    for depth, rate in result["rates_gflops"].items():
        assert result["shares"][depth] == pytest.approx(rate / result["matmul_gflops"], rel=1e-12)


def test_load_bench_waits_passively_beside_a_busy_process():
    from dltheory.core.cpu_share import SPIN_COUNT
    from dltheory.tools.bench import bench_load

    r = bench_load(threads=2, steps=20)
    assert all(r[key][0] > 0 for key in ("alone", "default", "runner", "unseen"))
    assert r["default"][1] == "OpenMP's default"
    assert r["unseen"][1] == f"GOMP_SPINCOUNT={SPIN_COUNT}"  # as on an idle machine: a bounded spin
    # the runner saw the competitor: 2 threads + 1 busy core oversubscribe 2 cores (CI's machine)
    if r["cores"] <= 2:
        assert r["runner"][1] == "OMP_WAIT_POLICY=PASSIVE"
