"""dltheory.bench: the benchmark runs and compares like with like (timings are not asserted)."""

import pytest

from dltheory.bench import bench_ensembles, bench_information, bench_meanfield


def test_meanfield_bench_on_a_few_points():
    result = bench_meanfield(n_line=2, sigma_w2=(1.5, 3.0), sigma_b2=(0.05,))
    assert result["max_difference"] <= 1e-8
    assert result["reference_s"] > 0 and result["vectorized_s"] > 0


def test_ensembles_bench_times_both_implementations_on_the_configured_grid(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        "depth_accuracy:\n"
        "  datasets: [digits]\n  optimizers: [sgd]\n  lr: {sgd: 0.01}\n  sigma_b2: 0.05\n"
        "  sigma_w2: {min: 1.0, max: 3.0, num: 3}\n  depths: [1, 3]\n  width: 8\n  seeds: 1\n  seed: 0\n"
        "  steps: 100\n  batch_size: 16\n  n_train: null\n  n_test: null\n  dtype: float32\n  checkpoint_every: 10\n"
    )
    result = bench_ensembles(config, steps=2, device="cpu")
    assert "6 networks" in result["grid"] and "2 steps" in result["grid"]
    assert result["batched_network_steps_per_s"] > 0 and result["sequential_network_steps_per_s"] > 0
    assert result["speedup"] == pytest.approx(result["batched_network_steps_per_s"] / result["sequential_network_steps_per_s"])
    assert result["peak_rss_gb"] > 0 and result["peak_device_gb"] is None


def test_information_bench_agrees_with_the_loop(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("pixel_mi:\n  images: [camera, chelsea]\n  distances: {min: 1, max: 16, num: 3}\n  n_bins: 8\n")
    result = bench_information(config)
    assert result["max_difference"] <= 1e-12 and "2 images, 3 distances" in result["grid"]
    assert result["reference_s"] > 0 and result["vectorized_s"] > 0
