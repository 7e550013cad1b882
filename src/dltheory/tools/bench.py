"""``python -m dltheory bench NAME``: speed of the vectorized code against the straightforward one.

Each benchmark times the vectorized (batched) implementation and the per-point (per-network)
reference on the same work, prints the ratio, and names the machine and device. Timings are wall
clock, best of a few repeats for the fast side.

* ``meanfield``: critical line and ξ_c, vectorized quadrature against ``scipy.integrate.quad``.
* ``ensembles``: training the default ``depth_accuracy`` grid (read from the config file) as
  batched ensembles against one ``nn.Sequential`` at a time, in network-steps per second, with
  the largest difference of their trained weights, the achieved FLOP rate, peak RSS and, on a
  GPU, peak device memory and the card's FP32 peak.
* ``ensembles --shape paper``: training at the paper grid's shapes (31 members of width 300 per
  depth group, batch 128, synthetic MNIST-sized inputs), as a share of this device's rate for the
  same batched matrix products alone.
* ``information``: MI vs distance, one ``bincount`` per image against one ``histogram2d`` per distance.
* ``load``: a batched training probe's slowdown beside one competing busy process, with OpenMP's
  defaults and with the wait setting the job runner picks (:mod:`dltheory.core.cpu_share`), also
  for a competitor that starts after the job.
* ``double_descent``: the minimum-norm solutions of the default random-feature grid, one QR path
  for all N against one ``np.linalg.lstsq`` (SVD) per N.
"""

from __future__ import annotations

import os
import platform
import resource
import time
from pathlib import Path

import numpy as np
import torch

from dltheory.science import meanfield, reference


def _best_of(fn, repeats: int = 3) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def bench_meanfield(n_line: int = 16, sigma_w2=(1.2, 1.5, 2.0, 2.5, 3.0, 4.0), sigma_b2=(0.05, 0.2)) -> dict:
    """Critical line at ``n_line`` σ_b² values and ξ_c on a σ_w² × σ_b² grid: vectorized vs quad loop."""
    sb_line = np.linspace(0.01, 0.3, n_line)
    sw, sb = (a.ravel() for a in np.meshgrid(sigma_w2, sigma_b2, indexing="ij"))

    def vectorized():
        return meanfield.critical_line(sb_line)[0], meanfield.depth_scales(sw, sb).xi_c

    def loop():  # one point at a time, each integral an adaptive quad: the form of public notebooks
        line = np.array([reference.critical_sigma_w2(b) for b in sb_line])
        xi = np.array([reference.xi_c(w, b) for w, b in zip(sw, sb)])
        return line, xi

    t_vec, (line_v, xi_v) = _best_of(vectorized)
    t_ref, (line_r, xi_r) = _best_of(loop, repeats=1)
    diff = max(np.max(np.abs(line_v - line_r)), np.max(np.abs(xi_v - xi_r) / np.abs(xi_r)))
    grid_w, grid_b = np.meshgrid(np.linspace(0.5, 4.0, 176), np.linspace(0.0, 0.3, 31), indexing="ij")
    t_grid, _ = _best_of(lambda: meanfield.depth_scales(grid_w, grid_b), repeats=1)
    return {
        "points": f"{n_line} critical-line points + {sw.size} xi_c points",
        "reference_s": t_ref,
        "vectorized_s": t_vec,
        "speedup": t_ref / t_vec,
        "max_difference": diff,
        "default_grid_s": t_grid,
        "default_grid_points": grid_w.size,
    }


# Dense FP32 peak (no tensor cores) of cards we have measured on, TFLOP/s, from the vendors' sheets.
FP32_PEAK_TFLOPS = {"H100 PCIe": 51.2, "H100": 66.9, "H200": 66.9, "A100": 19.5, "L4": 30.3, "T4": 8.1}


def _config(path: str | os.PathLike) -> dict:
    """The config a benchmark times: config/config.yaml overlaid by ``path`` (as ``snakemake
    --configfile`` would), checked; :class:`~dltheory.core.artifacts.InputError` if it is bad."""
    from dltheory.core.checks import valid_config

    return valid_config([] if Path(path) == Path("config/config.yaml") else [path])


def _fp32_peak(device_name: str) -> float | None:
    return next((peak for card, peak in FP32_PEAK_TFLOPS.items() if card in device_name), None)


def bench_ensembles(config: str | os.PathLike = "config/config.yaml", steps: int = 20, device: str = "auto") -> dict:
    """Training throughput on the configured depth_accuracy grid (its ``compute:`` part; first dataset, first optimizer)."""
    from dltheory.core.data import load_dataset
    from dltheory.core.device import DTYPES, resolve_device
    from dltheory.core.grids import grid_axis
    from dltheory.core.progress import Progress
    from dltheory.engine.depth_training import TrainSpec, _GroupTrainer
    from dltheory.engine.ensembles import group_by_depth, member_grid

    cfg = _config(config)["depth_accuracy"]["compute"]
    device = resolve_device(device)
    optimizer = cfg["optimizers"][0]
    spec = TrainSpec(optimizer, cfg["lr"][optimizer], steps, cfg["batch_size"], cfg["width"], cfg["dtype"])
    data = load_dataset(cfg["datasets"][0], n_train=cfg["n_train"], n_test=cfg["n_test"])
    seeds = range(cfg["seed"], cfg["seed"] + cfg["seeds"])
    members = member_grid(grid_axis(cfg["sigma_w2"]), [cfg["sigma_b2"]], cfg["depths"], seeds)
    dtype = DTYPES[spec.dtype]
    x = torch.as_tensor(data.x_train, dtype=dtype, device=device)
    y = torch.as_tensor(data.y_train, device=device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()

    batched_s, flops, batched_params = 0.0, 0.0, {}
    for depth, group in group_by_depth(members).items():
        trainer = _GroupTrainer(group, data, spec, dtype, device, checkpoint=None, checkpoint_every=0)
        sync()
        start = time.perf_counter()
        trainer.train(x, y, Progress(0, lambda _: None, every_s=1e9), "bench")
        sync()
        batched_s += time.perf_counter() - start
        flops += 3 * trainer.model.flops_per_sample() * spec.batch_size * len(group) * steps  # forward + backward ≈ 3 forwards
        batched_params.update((member, trainer.model.member_params(e)) for e, member in enumerate(group))

    # Per network: max |batched - sequential| over its weights and biases, relative to its largest
    # parameter, for the networks of the ordered phase (σ_w² below the critical line). In the chaotic
    # phase a deep tanh network amplifies any perturbation by χ_1 > 1 per layer, so float32
    # rounding differences (bmm against nn.Linear) grow exponentially with depth and the two runs
    # part ways whatever the engine; those networks are counted, not compared (the float64 tests
    # compare every network).
    critical = reference.critical_sigma_w2(cfg["sigma_b2"])
    sequential_s, difference, chaotic = 0.0, 0.0, 0
    for member in members:
        net = reference.sequential_mlp(member, data.n_features, spec.width, data.n_classes, dtype).to(device)
        sync()
        start = time.perf_counter()
        reference.train_network(net, member.seed, x, y, spec)
        sync()
        sequential_s += time.perf_counter() - start
        if member.sigma_w2 >= critical:
            chaotic += 1
            continue
        linears = [layer for layer in net if isinstance(layer, torch.nn.Linear)]
        pairs = [
            (ours, theirs.detach().double().cpu().numpy())
            for (w, b), linear in zip(batched_params[member], linears)
            for ours, theirs in ((w, linear.weight.T), (b, linear.bias))
        ]
        scale = max(float(np.abs(theirs).max()) for _, theirs in pairs)
        difference = max(difference, max(float(np.abs(ours - theirs).max()) for ours, theirs in pairs) / scale)

    network_steps = len(members) * steps
    device_name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    return {
        "device": device_name,
        "grid": f"{len(members)} networks (depths {min(cfg['depths'])}-{max(cfg['depths'])}, width {spec.width}, batch {spec.batch_size}), {optimizer}, {steps} steps each",
        "batched_s": batched_s,
        "sequential_s": sequential_s,
        "batched_network_steps_per_s": network_steps / batched_s,
        "sequential_network_steps_per_s": network_steps / sequential_s,
        "speedup": sequential_s / batched_s,
        "max_difference": difference,
        "chaotic": chaotic,
        "batched_gflops": flops / batched_s / 1e9,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,  # ru_maxrss is in KiB on Linux
        "peak_device_gb": torch.cuda.max_memory_allocated() / 1e9 if device == "cuda" else None,
        "fp32_peak_tflops": _fp32_peak(device_name) if device == "cuda" else None,
    }


def bench_paper_shapes(
    depths=(10, 50), steps: int = 3, members: int = 31, width: int = 300, batch: int = 128, device: str = "auto"
) -> dict:
    """The batched trainer at the paper grid's shapes (``depth_accuracy`` in config/paper.yaml: 31
    σ_w² per depth group, width 300, batch 128, float32) on synthetic inputs of MNIST's size (784
    features, 10 classes; the rate does not depend on the values), against the rate of the same
    batched products alone: ``torch.bmm`` of [members, batch, width] by [members, width, width].
    Training FLOPs are counted as 3 forward passes per step (forward + backward)."""
    from dltheory.core.data import Dataset
    from dltheory.core.device import resolve_device
    from dltheory.core.progress import Progress
    from dltheory.engine.depth_training import TrainSpec, _GroupTrainer
    from dltheory.engine.ensembles import member_grid

    device = resolve_device(device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4 * batch, 784)).astype(np.float32)
    y = rng.integers(0, 10, 4 * batch)
    data = Dataset("synthetic", x, y, x, y, 10, "standard normal inputs")
    spec = TrainSpec("sgd", 1e-3, 1 + steps, batch, width, "float32")
    xt, yt = torch.as_tensor(x, device=device), torch.as_tensor(y, device=device)
    quiet, rows = Progress(0, lambda _: None, every_s=1e9), []
    for depth in depths:
        group = member_grid(np.linspace(1.0, 4.0, members), [0.05], [depth], [0])
        trainer = _GroupTrainer(group, data, spec, torch.float32, device, checkpoint=None, checkpoint_every=0)
        trainer.trainer.train(1, lambda step: (xt[:batch].expand(members, -1, -1), yt[:batch].expand(members, -1)), quiet, "warm-up")
        trainer.trainer.start = 1  # the first step's one-off costs (first touch of the gradient buffer) are not the rate
        sync()
        start = time.perf_counter()
        trainer.train(xt, yt, quiet, "bench")
        sync()
        seconds = time.perf_counter() - start
        rows.append((depth, 3 * trainer.model.flops_per_sample() * batch * members * steps / seconds))
    a = torch.randn(members, batch, width, device=device)
    b = torch.randn(members, width, width, device=device)

    def products():
        for _ in range(20):
            torch.bmm(a, b)
        sync()

    matmul_s, _ = _best_of(products)
    matmul_rate = 20 * 2 * members * batch * width * width / matmul_s
    return {
        "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
        "grid": f"{members} members per group, width {width}, batch {batch}, depths {', '.join(map(str, depths))}, {steps} SGD steps, float32",
        "rates_gflops": {depth: rate / 1e9 for depth, rate in rows},
        "matmul_gflops": matmul_rate / 1e9,
        "shares": {depth: rate / matmul_rate for depth, rate in rows},
    }


def _report_paper_shapes(r: dict) -> list[str]:
    lines = [f"  grid                       {r['grid']}", f"  bmm alone, same shapes     {r['matmul_gflops']:.1f} GFLOP/s"]
    lines += [
        f"  training, depth {d:<10} {g:.1f} GFLOP/s   ({r['shares'][d]:.0%} of the bmm rate; aim >= 50% on a CPU)"
        for d, g in r["rates_gflops"].items()
    ]
    return lines


def bench_information(config: str | os.PathLike = "config/config.yaml") -> dict:
    """MI vs distance on the configured pixel_mi images (raw pixels, horizontal and vertical):
    one ``bincount`` over all distances per image against one ``np.histogram2d`` per distance."""
    from dltheory.core.images import natural_image
    from dltheory.science.mutual_information import distance_grid, mi_vs_distance

    cfg = _config(config)["pixel_mi"]["compute"]
    images = [natural_image(name) for name in cfg["images"]]
    distances, n_bins = distance_grid(cfg["distances"]), cfg["n_bins"]
    directions = ("horizontal", "vertical")
    each = lambda estimate: np.array([estimate(image, distances, d, n_bins) for image in images for d in directions])
    vectorized_s, fast = _best_of(lambda: each(mi_vs_distance))
    reference_s, slow = _best_of(lambda: each(reference.mi_vs_distance_loop), repeats=1)
    return {
        "grid": f"{len(images)} images, {len(distances)} distances ({distances[0]}-{distances[-1]} px), 2 directions, {n_bins} bins",
        "reference_s": reference_s,
        "vectorized_s": vectorized_s,
        "speedup": reference_s / vectorized_s,
        "max_difference": float(np.abs(fast - slow).max()),
    }


def bench_double_descent(config: str | os.PathLike = "config/config.yaml") -> dict:
    """The configured double_descent grid (one draw of the features): :func:`min_norm_path` for
    all N against ``np.linalg.lstsq`` per N, and the largest difference of their coefficients
    relative to the largest coefficient at that N (the threshold N = n included)."""
    from dltheory.core.data import load_dataset
    from dltheory.science.random_features import cosine_features, feature_grid, fourier_directions, median_bandwidth, min_norm_path

    cfg = _config(config)
    dd, data = cfg["double_descent"]["compute"], cfg["data"]
    d = load_dataset(
        dd["dataset"], data_dir=data["dir"], seed=data["split_seed"], test_fraction=data["test_fraction"], n_train=dd["n_train"]
    )
    bandwidth = median_bandwidth(d.x_train) if dd["bandwidth"] == "median" else float(dd["bandwidth"])
    grid = feature_grid(len(d.y_train), dd["feature_ratios"])
    C = cosine_features(d.x_train, *fourier_directions(d.x_train.shape[1], int(grid[-1]), bandwidth, dd["seed"]))
    Y = np.eye(d.n_classes)[d.y_train]
    path_s, fast = _best_of(lambda: [coef for _, coef in min_norm_path(C, Y, grid)], repeats=2)
    reference_s, slow = _best_of(lambda: reference.min_norm_per_n(C, Y, grid), repeats=1)
    differences = [np.abs(a - b).max() / np.abs(b).max() for a, b in zip(fast, slow)]
    at_threshold = differences[int(np.searchsorted(grid, len(d.y_train)))]
    return {
        "grid": f"n = {len(d.y_train)}, {len(grid)} values of N ({grid[0]}-{grid[-1]}), {d.n_classes} outputs",
        "reference_s": reference_s,
        "vectorized_s": path_s,
        "speedup": reference_s / path_s,
        "max_difference": float(max(differences)),
        "threshold_difference": float(at_threshold),
    }


def _report_double_descent(r: dict) -> list[str]:
    return [
        f"  grid                       {r['grid']}",
        f"  np.linalg.lstsq per N (reference)   {r['reference_s']:.2f} s",
        f"  one QR path for all N      {r['vectorized_s']:.2f} s",
        f"  speed ratio                {r['speedup']:.1f}x",
        f"  largest difference         {r['max_difference']:.1e}   (relative to the largest coefficient; at N = n: {r['threshold_difference']:.1e})",
    ]


def _report_information(r: dict) -> list[str]:
    return [
        f"  grid                       {r['grid']}",
        f"  one histogram2d per distance (reference)   {r['reference_s']:.2f} s",
        f"  one bincount per image     {r['vectorized_s']:.2f} s",
        f"  speed ratio                {r['speedup']:.1f}x",
        f"  largest difference         {r['max_difference']:.1e} bits",
    ]


def _report_meanfield(r: dict) -> list[str]:
    return [
        f"  points                     {r['points']}",
        f"  quad loop (reference)      {r['reference_s']:.2f} s",
        f"  vectorized                 {r['vectorized_s'] * 1e3:.1f} ms",
        f"  speed ratio                {r['speedup']:.0f}x   (aim >= 100x)",
        f"  largest difference         {r['max_difference']:.1e}   (critical sigma_w2 absolute, xi_c relative; aim <= 1e-8)",
        f"  default grid ({r['default_grid_points']} points, q*, c*, chi, xi)   {r['default_grid_s']:.2f} s",
    ]


def _report_ensembles(r: dict) -> list[str]:
    aim = "20x on a GPU" if r["peak_device_gb"] is not None else "3x on a CPU"
    lines = [
        f"  grid                       {r['grid']}",
        f"  one network at a time      {r['sequential_network_steps_per_s']:,.0f} network-steps/s",
        f"  batched ensembles          {r['batched_network_steps_per_s']:,.0f} network-steps/s   ({r['batched_gflops']:.1f} GFLOP/s)",
        f"  speed ratio                {r['speedup']:.1f}x   (aim >= {aim})",
        f"  largest difference         {r['max_difference']:.1e}   (ordered phase, relative to the network's largest parameter, batched vs one at a time)",
        f"  chaotic networks           {r['chaotic']}   (not compared: a chaotic deep net amplifies float32 rounding exponentially)",
        f"  peak RSS                   {r['peak_rss_gb']:.2f} GB",
    ]
    if r["peak_device_gb"] is not None:
        lines.append(f"  peak device memory         {r['peak_device_gb']:.2f} GB")
        if r["fp32_peak_tflops"]:
            lines.append(
                f"  share of the card's FP32 peak ({r['fp32_peak_tflops']} TFLOP/s)   {r['batched_gflops'] / 1e3 / r['fp32_peak_tflops']:.1%}"
            )
    return lines


def bench_load(threads: int = 2, steps: int = 300) -> dict:
    """A training job's slowdown beside one competing CPU-bound process (a Python busy loop), the
    job run on ``threads`` threads in its own process (:mod:`dltheory.tools.load_probe`): alone
    with the runner's wait setting (:mod:`dltheory.core.cpu_share`); beside the competitor with
    OpenMP's default waiting; with the runner's setting, which sees the competitor; and with the
    setting it takes when it does not (a competitor that starts after the job). Fair sharing of
    2 cores among 3 busy threads would give 1.5x."""
    import subprocess
    import sys

    from dltheory.core import cpu_share

    env = {k: v for k, v in os.environ.items() if k not in (cpu_share.WAIT_POLICY, cpu_share.SPIN)}

    def probe(settings: str) -> tuple[float, str]:
        out = subprocess.run(
            [sys.executable, "-m", "dltheory.tools.load_probe", str(threads), str(steps), settings],
            capture_output=True, text=True, check=True, env=env,
        )  # fmt: skip
        seconds, wait = out.stdout.split(maxsplit=1)
        return float(seconds), wait.strip()

    alone = probe("runner")
    competitor = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)  # let it be running when the probe's settings are chosen
        beside = {settings: probe(settings) for settings in ("default", "runner", "unseen")}
    finally:
        competitor.kill()
        competitor.wait()
    return {"threads": threads, "steps": steps, "cores": cpu_share.cores(), "alone": alone, **beside}


def _report_load(r: dict) -> list[str]:
    alone = r["alone"][0]

    def row(label: str, result: tuple[float, str], target: str = "") -> str:
        seconds, wait = result
        return f"{label} ({wait}): {seconds:.2f} s = {seconds / alone:.2f}x{target}"

    return [
        f"probe: 31 tanh MLPs of width 64 and 20 layers, batched, {r['steps']} steps of forward and backward, "
        f"{r['threads']} threads on {r['cores']} cores",
        row("alone", r["alone"]),
        row("beside one busy process", r["default"]),
        row("beside one busy process, the runner's setting", r["runner"], " (target <= 2x)"),
        row("beside one that starts after the job (the runner's setting for an idle machine)", r["unseen"]),
    ]


BENCHMARKS = {
    "meanfield": (bench_meanfield, _report_meanfield),
    "ensembles": (bench_ensembles, _report_ensembles),
    "information": (bench_information, _report_information),
    "double_descent": (bench_double_descent, _report_double_descent),
    "ensembles_paper": (bench_paper_shapes, _report_paper_shapes),
    "load": (bench_load, _report_load),
}


def run(name: str, **options) -> str:
    bench, report = BENCHMARKS[name]
    result = bench(**options)
    device = result.get("device", "cpu")
    return "\n".join([f"bench {name} on {_machine()}, device {device}", *report(result)])
