"""Determinism: a second smoke build from nothing gives byte-identical tables and claims."""

import pytest
from helpers import NAMES, RULES, copy_repo, smoke

pytestmark = pytest.mark.workflow


def test_two_smoke_builds_give_identical_tables_and_claims(smoke_build, tmp_path):
    # Every figure's compute jobs and claims, not its plot: the plots draw from these files only.
    again = copy_repo(tmp_path / "again")
    smoke(again, targets=tuple(f"results/{name}/claims.json" for name in NAMES))
    files = sorted(
        p.relative_to(smoke_build) for p in (smoke_build / "results").rglob("*") if p.suffix == ".csv" or p.name == "claims.json"
    )
    assert len(files) >= 2 * len(RULES)  # every figure's claims and at least one table each
    assert files == sorted(p.relative_to(again) for p in (again / "results").rglob("*") if p.suffix == ".csv" or p.name == "claims.json")
    for name in files:
        assert (again / name).read_bytes() == (smoke_build / name).read_bytes(), name
