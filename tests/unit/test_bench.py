"""dltheory.bench: the benchmark runs and compares like with like (timings are not asserted)."""

from dltheory.bench import bench_meanfield


def test_meanfield_bench_on_a_few_points():
    result = bench_meanfield(n_line=2, sigma_w2=(1.5, 3.0), sigma_b2=(0.05,))
    assert result["max_difference"] <= 1e-8
    assert result["reference_s"] > 0 and result["vectorized_s"] > 0
