"""The Snakemake workflow without a build: lint, and dry runs of every config and of one figure's target.

Everything runs in a temporary copy of the repository (tmp_path), never in the checkout. These tests
need no smoke build, so they run beside its tests, on the other worker (tests/conftest.py).
"""

import re
import shutil

import pytest
import yaml
from helpers import ROOT, RULES, copy_repo, snakemake

pytestmark = pytest.mark.workflow


def test_lint():
    run = snakemake(ROOT, "--lint", "--dry-run")
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("config", ["config.yaml", "smoke.yaml", "paper.yaml"])
def test_dry_run(tmp_path, config):
    repo = copy_repo(tmp_path)
    shutil.rmtree(repo / "figures", ignore_errors=True)
    run = snakemake(repo, "figures/all", "-n", "--configfile", f"config/{config}")
    assert run.returncode == 0, run.stdout + run.stderr
    for rule in [r for rules in RULES.values() for r in rules] + ["all_figures"]:
        assert f"rule {rule}:" in run.stdout
    # depth_accuracy trains one job per dataset x optimizer x depth (its shards)
    defaults = yaml.safe_load((repo / "config/config.yaml").read_text())["depth_accuracy"]["compute"]
    panels = {**defaults, **yaml.safe_load((repo / "config" / config).read_text())["depth_accuracy"].get("compute", {})}
    for dataset in panels["datasets"]:
        for optimizer in panels["optimizers"]:
            for depth in panels["depths"]:
                assert f"results/depth_accuracy/{dataset}_{optimizer}_L{depth}.csv" in run.stdout


def test_one_figures_target_brings_its_claims(tmp_path):
    # `snakemake figures/<figure>.pdf` builds the figure and judges its claims, nothing of another figure.
    repo = copy_repo(tmp_path)
    shutil.rmtree(repo / "figures", ignore_errors=True)
    figure, rules = next(iter(RULES.items()))
    run = snakemake(repo, f"figures/{figure}.pdf", "-n", "--configfile", "config/smoke.yaml")
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(set(re.findall(r"^(?:local)?rule (\w+):$", run.stdout, flags=re.MULTILINE))) == sorted(rules)
