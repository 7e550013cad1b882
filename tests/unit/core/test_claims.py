"""Scorecard rows: built by keyword, one builder per kind; a claim has a verdict, a comparison or
an observation none; a claim over replicates is judged on its interval; claims.json round-trips;
the scorecard's table and tally count the three verdicts."""

from dataclasses import replace

import numpy as np
import pytest

from dltheory.core.artifacts import ArtifactError
from dltheory.core.claims import Claim, claim, comparison, observation, read_claims, scorecard, tally, write_claims
from dltheory.core.uncertainty import above, below, mean_interval, near


def rows() -> list[Claim]:
    return [
        replace(claim("x is 1", source="paper, Fig. 1", expected="1 ± 0.1", measured="1.05", value=1.05, bar=near(1, 0.1)), figure="fig"),
        replace(claim("y < 2", source="paper", expected="< 2", measured="3", passed=np.bool_(False), value=3.0), figure="fig"),
        replace(comparison("z as in the reference", source="their code", expected="0.9", measured="0.91"), figure="fig"),
        replace(observation("w, shown", source="ours", expected="—", measured="4"), figure="fig"),
        replace(
            claim("v > 0", source="paper", expected="> 0", measured="0.1", estimate=mean_interval([0.3, -0.1, 0.2, 0.0]), bar=above(0)),
            figure="fig",
        ),
    ]


def test_the_builders_say_the_kind_and_the_verdict():
    made = rows()
    assert [c.kind for c in made] == ["claim", "claim", "comparison", "observation", "claim"]
    assert [c.verdict for c in made] == ["pass", "fail", None, None, "inconclusive"]
    assert [c.passed for c in made] == [True, False, None, None, None]
    assert [c.label for c in made] == ["pass", "FAIL", "comparison", "observation", "inconclusive"]
    assert made[0].margin == pytest.approx(0.05)  # 1.05 is 0.05 inside 1 ± 0.1
    assert made[4].value == pytest.approx(0.1) and made[4].margin == pytest.approx(0.1)


def test_a_claim_over_replicates_is_judged_on_its_interval():
    far = claim("m > 0", source="s", expected="> 0", measured="", estimate=mean_interval([1.0, 1.1, 0.9, 1.0]), bar=above(0))
    wrong = claim("m < 0", source="s", expected="< 0", measured="", estimate=mean_interval([1.0, 1.1, 0.9, 1.0]), bar=below(0))
    assert (far.verdict, wrong.verdict) == ("pass", "fail") and far.to_decide is None
    # mean 0.1, s = 0.18, t(3) = 3.18: half-width 0.29 > 0.1 -> inconclusive; (0.29 / 0.1)^2 * 4 ≈ 34 replicates
    undecided = rows()[4]
    assert undecided.to_decide == 34


def test_a_claim_needs_a_verdict_and_the_others_have_none():
    with pytest.raises(ValueError, match="verdict"):
        Claim(claim="x", source="s", expected="1", measured="1", verdict=None)
    with pytest.raises(ValueError, match="verdict"):
        Claim(claim="x", source="s", expected="1", measured="1", verdict="pass", kind="observation")
    with pytest.raises(ValueError, match="allowed"):
        Claim(claim="x", source="s", expected="1", measured="1", verdict="maybe")
    with pytest.raises(ValueError, match="kind"):
        Claim(claim="x", source="s", expected="1", measured="1", verdict=None, kind="guess")
    with pytest.raises(ValueError, match="bar"):
        claim("x", source="s", expected="1", measured="1", estimate=mean_interval([1.0, 2.0]))


def test_claims_round_trip_and_scorecard(tmp_path):
    claims = rows()
    write_claims(claims, tmp_path / "claims.json", {"params": {}})
    assert read_claims(tmp_path / "claims.json") == claims
    table = scorecard(claims)
    assert "| `fig` | claim | x is 1 | paper, Fig. 1 | 1 ± 0.1 | 1.05 | — | +0.05 | **pass** |" in table
    assert "| `fig` | comparison | z as in the reference | their code | 0.9 | 0.91 | — | — | — |" in table
    assert "| [-0.19, 0.39] (95%, n = 4, t) | +0.1 | **inconclusive** (≈ 34 replicates would decide) |" in table
    assert "**FAIL**" in table
    assert tally(claims) == "1 of 3 claims pass, 1 fail, 1 inconclusive; 1 comparison; 1 observation"
    assert table.endswith(tally(claims) + ".\n")
    piped = scorecard([claim("peak", source="paper", expected="|x − 1| ≤ 0.25", measured="x = 1.1", passed=True)])
    assert "| \\|x − 1\\| ≤ 0.25 |" in piped  # an absolute value must not split the cell


def test_a_claim_on_its_bar_edge_gets_no_replicate_count():
    # mean 0.2001 of 4 replicates against a bar at 0.2: (h/m)² ≈ 10⁶, far beyond 1,000 × 4
    edge = claim(
        "m > 0.2", source="s", expected="> 0.2", measured="", estimate=mean_interval([0.1001, 0.3001, 0.2001, 0.2001]), bar=above(0.2)
    )
    assert edge.verdict == "inconclusive" and edge.to_decide > 4000
    assert "on the edge: over 1,000 × 4 replicates would decide" in scorecard([edge])


def test_a_damaged_or_foreign_claims_file_names_itself_and_how_to_rebuild_it(tmp_path):
    path = tmp_path / "claims.json"
    write_claims(rows(), path, {"params": {}})
    path.write_text(path.read_text()[:50])
    with pytest.raises(ArtifactError, match="SHA-256") as damaged:
        read_claims(path)
    assert f"rm {path} {tmp_path / 'claims.meta.json'} && snakemake {path}" in str(damaged.value)
    foreign = tmp_path / "other.json"
    foreign.write_text('[{"name": "not a claim"}]')
    with pytest.raises(ArtifactError, match="does not hold a figure's claims"):
        read_claims(foreign)
    foreign.write_text("[{")
    with pytest.raises(ArtifactError, match="is not a JSON document"):
        read_claims(foreign)
