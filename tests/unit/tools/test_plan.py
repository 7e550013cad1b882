"""python -m dltheory plan: FLOP formulas against independent counts, the SLURM flags, the config
overlay, a bad config, the plan of config/smoke.yaml end to end, and the cluster view (critical path,
wall time on N nodes) on graphs with known answers."""

import re
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from torch.utils.flop_counter import FlopCounterMode

from dltheory.core import cost
from dltheory.core.artifacts import InputError
from dltheory.core.checks import load_config
from dltheory.core.contract import Job
from dltheory.figures.depth_accuracy import cost as depth_accuracy
from dltheory.figures.double_descent import cost as double_descent
from dltheory.figures.phase_diagram import cost as phase_diagram
from dltheory.tools import plan

ROOT = Path(__file__).resolve().parents[3]


def test_depth_accuracy_flops_match_torch_flop_counter():
    """Forward and backward of a tiny tanh MLP ensemble, counted by torch's FlopCounterMode
    (matmuls only), against the formula's step term, 6 B P − 2 B d W per member (its tanh
    term removed)."""
    from dltheory.engine.ensembles import mean_field_ensemble, member_grid
    from dltheory.engine.training import cross_entropy

    d, width, depth, batch, members = 12, 8, 3, 5, 2
    spec = {"features": d, "width": width, "depths": [depth], "sigma_w2": [1.0, 2.0], "seeds": [0], "steps": 1, "batch_size": batch}
    model = mean_field_ensemble(member_grid([1.0, 2.0], [0.05], [depth], [0]), d, width, 10)
    x, y = torch.randn(members, batch, d), torch.randint(0, 10, (members, batch))
    with FlopCounterMode(display=False) as counter:
        cross_entropy(model(x), y).sum().backward()
    spec |= {"n_train": 0, "n_test": 0}
    tanh = members * batch * width * depth * cost.F_TRANSCENDENTAL
    assert depth_accuracy._train_flops(spec) - tanh == counter.get_total_flops()


def test_propagation_flops_bmm_term_matches_torch_flop_counter():
    """The bmm of one layer of phase_diagram_propagation, counted by FlopCounterMode, is the
    formula's 2 N² K M per seed (the normals and the elementwise terms zeroed)."""
    N, K, M, S = 16, 3, 5, 2
    with FlopCounterMode(display=False) as counter:
        torch.bmm(torch.randn(S, N, N), torch.randn(S, N, K * M))
    spec = {"propagation": {"width": N, "sigma_w2": [1.0] * K, "n_probes": 1, "n_pairs": 1, "seeds": S, "depth": 1}}
    counted = phase_diagram._propagation_flops(spec)
    elementwise = S * (N * N * cost.F_NORMAL + N * cost.F_NORMAL + N * K * M * (cost.F_TRANSCENDENTAL + 10))
    assert counted - elementwise == counter.get_total_flops()


def test_weak_features_flops_match_a_hand_count():
    """d = 3 coordinates, n = 2 samples, T = 1 trial. By hand: draws 1·2·3·10 = 60; orders
    3 log2 3; p = 1 < n: 2·2·1 + 2/3 = 4.667; p = 2, 3 ≥ n: 2·4·p + 8·2/3 = 21.333, 29.333; the
    Xᵀy products and risks, 3 × (2·2 + 3·3) = 39."""
    spec = {"trials": 1, "n": 2, "d": 3}
    by_hand = 60 + 3 * np.log2(3) + (4 + 2 / 3) + (16 + 16 / 3) + (24 + 16 / 3) + 39
    assert double_descent._weak_flops(spec) == pytest.approx(by_hand)


def test_slurm_flags_too_small_requests(tmp_path):
    (tmp_path / "config.yaml").write_text(
        yaml.safe_dump(
            {"default-resources": {"mem_mb": 1000, "runtime": 10}, "set-resources": {"big_rule": {"mem_mb": 64000, "runtime": 600}}}
        )
    )
    requests = plan.slurm_requests(tmp_path)
    assert requests("big_rule") == (64000, 600) and requests("other_rule") == (1000, 10)
    job = Job("x", "", 1.0, 0.0, lambda: 0.0, 1.0)
    # 1 GB peak and 20 minutes: 1000 MB < 1.25 GB and 10 min < 30 min are too small; 64 GB and 600 min are ample
    small = plan.Row(job, seconds=1200, peak_bytes=1e9, mem_mb=1000, runtime_min=10)
    ample = plan.Row(job, seconds=1200, peak_bytes=1e9, mem_mb=64000, runtime_min=600)
    edge = plan.Row(job, seconds=1200, peak_bytes=1e9, mem_mb=1250, runtime_min=30)  # exactly the margins: not flagged
    assert small.flags == ["memory", "runtime"] and ample.flags == [] and edge.flags == []


def test_a_later_configfile_wins(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("device: cpu\nphase_diagram: {compute: {propagation: {width: 64, depth: 7}}}\n")
    second.write_text("phase_diagram: {compute: {propagation: {width: 32}}}\n")
    config = load_config([str(first), str(second)], ROOT)
    propagation = config["phase_diagram"]["compute"]["propagation"]
    assert (propagation["width"], propagation["depth"], propagation["seeds"]) == (32, 7, 32)  # seeds from config/config.yaml
    assert config["device"] == "cpu"


def test_a_bad_value_prints_the_checks_message_and_runs_nothing(tmp_path, monkeypatch):
    bad = tmp_path / "bad.yaml"
    bad.write_text("phase_diagram: {compute: {propagation: {sigma_b2: -0.05}}}\n")
    probed = []
    monkeypatch.setattr(plan, "plan_rows", lambda *args: probed.append(args) or [])
    with pytest.raises(InputError) as refused:
        plan.main([str(bad)], "profiles/slurm", ROOT)
    assert probed == []
    assert "phase_diagram.compute.propagation.sigma_b2: -0.05 is less than or equal to the minimum of 0" in str(refused.value)


def test_the_smoke_plan_runs_end_to_end_and_its_total_is_the_sum_of_its_rows():
    lines = []
    assert plan.main([str(ROOT / "config/smoke.yaml")], "profiles/slurm", ROOT, out=lines.append) == 0
    text = "\n".join(lines)
    rows = [line.split("|") for line in text.splitlines() if line.startswith("| ") and not line.startswith(("| rule", "| **total"))]
    total = next(line.split("|") for line in text.splitlines() if line.startswith("| **total"))
    seconds = [float(r[5].replace(",", "")) for r in rows]
    flops = [float(r[3]) for r in rows]
    assert float(total[5].replace(",", "")) == pytest.approx(sum(seconds), abs=0.05 * len(rows))
    assert float(total[3]) == pytest.approx(sum(flops), rel=0.01)
    assert re.search(r"probes ran on: (cpu|cuda)", text)
    # depth_accuracy's panels are sharded by depth: smoke's 2 optimizers x 2 depths
    assert sorted(r[2].strip() for r in rows if r[1].strip() == "depth_accuracy_train") == [
        "mnist_5k/rmsprop/2", "mnist_5k/rmsprop/6", "mnist_5k/sgd/2", "mnist_5k/sgd/6"
    ]  # fmt: skip
    assert re.search(r"^critical path: .* of the total\); longest job: ", text, re.M)
    assert re.search(r"^wall time, one job per node at a time: 1 node: .*, 8 nodes: .*, 64 nodes: ", text, re.M)


def test_the_profile_sets_the_requests_of_every_rule_that_declares_its_own():
    """A rule's own ``resources:`` outrank the profile's default-resources, which the plan would
    then report wrongly; set-resources outrank both. So every compute rule with its own mem_mb or
    runtime has a set-resources entry, and the plan's SLURM column is what sbatch is asked."""
    from dltheory.core.registry import registry

    declared = {f"{fig.name}_{step.name}" for fig in registry() for step in fig.steps if step.mem_mb}
    profile = yaml.safe_load((ROOT / "profiles/slurm/config.yaml").read_text())
    assert declared and declared <= set(profile["set-resources"])


# The cluster view: a critical path and list scheduling, on small graphs whose answers are known by hand.
def _row(rule: str, seconds: float, wildcards: str = "") -> plan.Row:
    return plan.Row(Job(rule, wildcards, 1.0, 0.0, lambda: 0.0, 1.0), seconds, 0.0, None, None)


def test_only_the_lottery_waits_for_the_students_it_prunes():
    rows = [_row("lucky_weights_train", 5), _row("lucky_weights_lottery", 2), _row("lucky_weights_two_layer", 1, "2")]
    assert plan.dependencies(rows) == [[], [0], []]
    assert plan.remaining_chains([r.seconds for r in rows], plan.dependencies(rows)) == [7, 2, 1]


@pytest.mark.parametrize(
    "seconds, waits_for, nodes, expected",
    [
        ([1, 1, 1, 1], [[], [], [], []], 2, 2),  # total / nodes
        ([1, 2, 3], [[], [0], []], 1, 6),  # one node: the total
        ([1, 2, 3], [[], [0], []], 2, 3),  # the chain 1 + 2 beside the 3
        ([1, 2, 3], [[], [0], []], 64, 3),  # many nodes: the critical path
        # the chain's head goes first although it is the shortest job: 6 (by job length first: 9)
        ([1, 5, 3, 3], [[], [0], [], []], 2, 6),
    ],
)
def test_wall_time_of_list_scheduling_by_critical_path(seconds, waits_for, nodes, expected):
    assert plan.wall_time(seconds, waits_for, nodes) == expected
