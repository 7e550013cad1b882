"""The Snakemake workflow: the smoke build and its artifacts, replotting (lint and dry runs: test_dry_runs.py).

Everything runs in a temporary copy of the repository (tmp_path), never in the checkout.
"""

import contextlib
import subprocess

import pytest
from helpers import RULES, edited, snakemake

pytestmark = pytest.mark.workflow


def test_smoke_build_outputs(smoke_build):
    repo = smoke_build
    subprocess.run(["sha256sum", "-c", "figures/all"], cwd=repo, check=True, capture_output=True)
    manifest = (repo / "figures/all").read_text()
    for name in [f"{figure}.{ext}" for figure in RULES for ext in ("pdf", "png")] + ["claims.md", "gallery.md"]:
        assert f"figures/{name}" in manifest
    gallery = (repo / "figures/gallery.md").read_text()
    for figure in RULES:  # each figure with its own status line, from this build's claims
        assert f"]({figure}.png)" in gallery and f"../docs/{figure}.md" in gallery
    scorecard = (repo / "figures/claims.md").read_text()
    header = "| figure | kind | claim | source | expected | measured | interval | margin | verdict |"
    assert header in scorecard
    for figure in RULES:
        assert f"| `{figure}` |" in scorecard
    # the tally counts the rows' own verdicts (the last cell of each claim row)
    rows = [line for line in scorecard.splitlines() if line.startswith("| `")]
    verdicts = [row.rsplit("|", 2)[1].strip() for row in rows if row.split(" | ")[1] == "claim"]
    counts = {v: sum(cell.lower().startswith(f"**{v}**") for cell in verdicts) for v in ("pass", "fail", "inconclusive")}
    tally = f"{counts['pass']} of {len(verdicts)} claims pass, {counts['fail']} fail, {counts['inconclusive']} inconclusive"
    assert tally in scorecard and sum(counts.values()) == len(verdicts)
    import pandas as pd

    results = repo / "results/phase_diagram"
    columns = {
        "critical_line.csv": {"sigma_b2", "sigma_w2", "q_star"},
        "depth_scales.csv": {"sigma_w2", "sigma_b2", "q_star", "c_star", "chi_1", "xi_c"},
        "propagation.csv": {"seed", "sigma_w2", "layer", "q", "c"},
    }
    for name, expected in columns.items():
        assert expected <= set(pd.read_csv(results / name).columns), name
        assert (results / name.replace(".csv", ".meta.json")).exists()
    assert (repo / "logs/phase_diagram/propagation.log").read_text().count("layers/s") >= 2


def test_smoke_build_trains_depth_accuracy(smoke_build):
    import pandas as pd

    shards = [pd.read_csv(smoke_build / f"results/depth_accuracy/mnist_5k_sgd_L{depth}.csv") for depth in (2, 6)]
    table = pd.concat(shards)
    spec = ["sigma_w2", "sigma_b2", "depth", "width", "seed", "steps", "train_acc", "test_acc", "final_loss", "diverged"]
    assert set(spec) <= set(table.columns)
    assert [set(shard.depth) for shard in shards] == [{2}, {6}]  # one depth per shard
    assert len(table) == 4 * 2 * 2 and set(table.seed) == {0, 1}  # 4 sigma_w2 x 2 depths x 2 seeds
    assert (table.steps == 20).all()
    assert (smoke_build / "results/depth_accuracy/mnist_5k_sgd_L2.meta.json").exists()
    assert {"k_fit", "agreement", "ridge_sigma_w2"} <= set(pd.read_csv(smoke_build / "results/depth_accuracy/trainability.csv").columns)
    log = (smoke_build / "logs/depth_accuracy/train_mnist_5k_sgd_6.log").read_text()
    assert "step 20/20" in log and "layer-steps/s" in log and "ETA" in log
    # spent once the table is written: no checkpoint of any job is left
    assert not [p for p in (smoke_build / "results/.checkpoints").rglob("*") if p.is_file()]


def test_smoke_build_trains_lucky_weights(smoke_build):
    import numpy as np
    import pandas as pd

    results = smoke_build / "results/lucky_weights"
    with np.load(results / "correlations.npz") as corr:
        steps = corr["steps"]
        assert steps[0] == 0 and steps[-1] == 2000 and corr["seeds"].tolist() == [0, 1]
        assert corr["corr_layer1"].shape == (len(steps), 2, 16, 4) and corr["corr_layer2"].shape == (len(steps), 2, 24, 6)
    nodes = pd.read_csv(results / "nodes.csv")
    spec = ["layer", "seed", "best_teacher", "initial_corr", "initial_rank", "final_corr", "steps_to_match", "fan_out_norm"]
    assert set(spec) <= set(nodes.columns) and len(nodes) == 2 * (16 + 24)
    lottery = pd.read_csv(results / "lottery.csv")
    assert set(lottery.init) == {"original", "reinit"} and lottery.step.max() == 1000
    with np.load(results / "two_layer_x3.npz") as two_layer:  # 2 seeds of 12 students against 4 teacher nodes
        k = len(two_layer["steps"])
        assert two_layer["steps"][-1] == 3000 and two_layer["corr"].shape == (k, 2, 12, 4) and two_layer["fan_out"].shape == (k, 2, 12)
    fan_out = pd.read_csv(results / "two_layer_fan_out.csv")
    assert len(fan_out) == k and (fan_out.matched_students + fan_out.unmatched_students == 24).all()
    for name in ("correlations", "students", "nodes", "winners", "lottery", "two_layer_x3", "two_layer_nodes", "two_layer_winners"):
        assert (results / f"{name}.meta.json").exists(), name
    assert "step 2000/2000" in (smoke_build / "logs/lucky_weights/train.log").read_text()
    assert not list((smoke_build / "results/.checkpoints").rglob("*.pt"))  # spent once the artifacts are written


def test_smoke_build_measures_pixel_mi(smoke_build):
    import pandas as pd

    table = pd.read_csv(smoke_build / "results/pixel_mi/mi.csv")
    assert {"image", "representation", "direction", "distance", "mi_bits", "mi_shuffled_bits"} <= set(table.columns)
    assert set(table.image) == {"camera", "chelsea"} and set(table.direction) == {"horizontal", "vertical"}
    assert len(table) == 2 * 3 * 2 * 4  # images x representations x directions x distances
    assert (table.mi_bits > table.mi_shuffled_bits).all()
    assert (smoke_build / "results/pixel_mi/mi.meta.json").exists() and (smoke_build / "results/pixel_mi/claims.json").exists()


def test_smoke_build_measures_entropy_gain(smoke_build):
    import pandas as pd

    table = pd.read_csv(smoke_build / "results/entropy_gain/entropy.csv")
    assert {"layer", "seed", "estimator", "entropy", "gain", "total_correlation"} <= set(table.columns)
    assert len(table) == 4 * 2 * 2  # layers 0-3 x seeds x estimators
    assert set(table.estimator) == {"knn", "gaussian"} and table[table.layer == 0].gain.isna().all()
    assert table[table.layer > 0].gain.notna().all() and (table.entropy < 1.5 * 3 * 2.05).all()  # D = 3: ceiling 6.1 bits
    meta = (smoke_build / "results/entropy_gain/entropy.meta.json").read_text()
    assert "camera" in meta and "skimage.data" in meta  # the images and where they come from
    assert (smoke_build / "results/entropy_gain/claims.json").exists()


def test_smoke_build_fits_r2svm(smoke_build):
    import numpy as np
    import pandas as pd

    table = pd.read_csv(smoke_build / "results/r2svm/layers.csv")
    assert {"dataset", "variant", "method", "layer", "seed", "train_acc", "test_acc", "C"} <= set(table.columns)
    assert set(table.dataset) == {"digits", "two_moons", "two_spirals"}
    assert set(table.method) == {"r2svm", "r2svm_fixed", "r2svm_concatenate", "linear_svm", "rbf_svm"}
    assert set(table[table.dataset == "two_spirals"].variant) == {"as_written", "copies", "reference"}
    r2 = table[(table.dataset == "digits") & (table.method == "r2svm")]
    assert sorted(r2.seed.unique()) == [0, 1] and sorted(r2.layer.unique()) == [1, 2, 3, 4]  # smoke: 2 draws x 4 layers
    assert set(table[table.variant == "copies"].copies) == {3}
    cv = pd.read_csv(smoke_build / "results/r2svm/cv.csv")
    digits = cv[cv.dataset == "digits"]
    assert sorted(digits.layer.unique()) == [1, 2] and sorted(digits.C.unique()) == [0.01, 0.1] and set(digits.fold) == {0, 1, 2}
    assert r2.C.iloc[0] in (0.01, 0.1)  # the C the CV picked
    with np.load(smoke_build / "results/r2svm/boundaries.npz") as regions:
        assert regions["two_spirals_copies_labels"].shape == (2, 30, 30) and regions["layers_shown"].tolist() == [1, 4]
    assert (smoke_build / "results/r2svm/layers.meta.json").exists() and (smoke_build / "results/r2svm/claims.json").exists()


def test_second_run_has_nothing_to_do(smoke_build):
    run = snakemake(smoke_build, "figures/all", "-n", "--configfile", "config/smoke.yaml")
    assert run.returncode == 0 and "Nothing to be done" in run.stdout + run.stderr, run.stdout


def test_replot_does_not_recompute(smoke_build):
    # Editing the plotting code reruns the plot (and the manifest), never the measurement.
    # (A bare `touch` reruns nothing: Snakemake compares the checksums of changed inputs.)
    with edited(smoke_build / "src/dltheory/core/plotting.py"):
        run = snakemake(smoke_build, "figures/all", "-n", "--configfile", "config/smoke.yaml")
    for figure, rules in RULES.items():
        assert f"rule {figure}_plot:" in run.stdout
        for compute in rules[:-2]:
            assert f"rule {compute}:" not in run.stdout
    # A claims module's edit reruns the claims and the plot (which draws the bars), never the
    # compute: every figure's claims.py edited at once, one dry run, no compute job in it.
    with contextlib.ExitStack() as stack:
        for figure in RULES:
            stack.enter_context(edited(smoke_build / f"src/dltheory/figures/{figure}/claims.py"))
        run = snakemake(smoke_build, "figures/all", "-n", "--configfile", "config/smoke.yaml")
    for figure, rules in RULES.items():
        assert f"rule {figure}_claims:" in run.stdout and f"rule {figure}_plot:" in run.stdout
        assert not [rule for rule in rules[:-2] if f"rule {rule}:" in run.stdout]
