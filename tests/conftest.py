"""The suite on two workers (pytest-xdist, ``-n 2`` in pyproject.toml): how the tests are shared out.

Each test module is a unit that runs on one worker, so a module's fixtures (the SLURM cluster, a
trained grid) are made once. The workflow modules that use the shared smoke build (the session
fixture ``smoke_build``) are one unit together: a session fixture is built once per worker, and
these tests edit that one copy and rerun Snakemake in it in turn, which two workers could not do
side by side (Snakemake locks the folder). Units go out largest first (xdist's default order), so
the smoke build starts at once on one worker while the other takes the rest. (pytest-xdist's own
``--dist loadgroup`` marks a group by rewriting a test's node id, which pytest 9 no longer allows.)
"""

import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMOKE_BUILD = "smoke_build"


@functools.cache
def uses_the_smoke_build(module: str) -> bool:
    """Whether the test module (a path from the repository root) names the shared smoke build."""
    return SMOKE_BUILD in (ROOT / module).read_text()


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook (-n 0: no workers, the suite in order)
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            return SMOKE_BUILD if module.startswith("tests/workflow/") and uses_the_smoke_build(module) else module

    return SharedFixtureScheduling(config, log)
