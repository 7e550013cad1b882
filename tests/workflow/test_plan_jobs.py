"""The plan covers every compute job: the (rule, wildcards) rows of `python -m dltheory plan`
(each figure's Figure.jobs) are exactly the compute jobs a Snakemake dry run plans."""

import re
from collections import Counter

import pytest
from helpers import copy_repo, snakemake

from dltheory.core.checks import load_config, selected

pytestmark = pytest.mark.workflow


def planned_compute_jobs(run) -> Counter:
    """(rule, wildcards) of every job the dry run plans, but the claims, plot and collect rules;
    wildcards as "/"-joined values in the order Snakemake prints them."""
    assert run.returncode == 0, run.stdout + run.stderr
    jobs = Counter()
    for block in re.split(r"\n(?=(?:local)?rule \w+:\n)", run.stdout):
        rule = re.match(r"(?:local)?rule (\w+):", block)
        if rule is None or rule.group(1).endswith(("_claims", "_plot")) or rule.group(1) == "all_figures":
            continue
        wildcards = re.search(r"^\s+wildcards: (.*)$", block, flags=re.MULTILINE)
        values = [pair.split("=", 1)[1] for pair in wildcards.group(1).split(", ")] if wildcards else []
        jobs[(rule.group(1), "/".join(values))] += 1
    return jobs


@pytest.mark.parametrize("configfile", ["config/smoke.yaml", "config/config.yaml", "config/paper.yaml"])
def test_the_plan_lists_every_compute_job_of_the_dry_run(tmp_path, configfile):
    repo = copy_repo(tmp_path / "repo")
    run = snakemake(repo, "figures/all", "-n", "--forceall", "--configfile", configfile)  # paper.yaml may download: no check of data/
    config = load_config([str(repo / configfile)], repo)
    planned = Counter((job.rule, job.wildcards) for fig in selected(config) for job in fig.jobs(config))
    assert planned == planned_compute_jobs(run)
