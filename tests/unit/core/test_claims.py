"""Scorecard rows: built by keyword, one builder per kind; a claim has a verdict, a comparison or
an observation none; claims.json round-trips; the scorecard's table and tally."""

from dataclasses import replace

import numpy as np
import pytest

from dltheory.core.claims import Claim, claim, comparison, observation, read_claims, scorecard, tally, write_claims


def rows() -> list[Claim]:
    return [
        replace(claim("x is 1", source="paper, Fig. 1", expected="1 ± 0.1", measured="1.05", passed=True, value=1.05), figure="fig"),
        replace(claim("y < 2", source="paper", expected="< 2", measured="3", passed=np.bool_(False), value=3.0), figure="fig"),
        replace(comparison("z as in the reference", source="their code", expected="0.9", measured="0.91"), figure="fig"),
        replace(observation("w, shown", source="ours", expected="—", measured="4"), figure="fig"),
    ]


def test_the_builders_say_the_kind():
    made = rows()
    assert [c.kind for c in made] == ["claim", "claim", "comparison", "observation"]
    assert [c.passed for c in made] == [True, False, None, None]
    assert type(made[1].passed) is bool  # numpy's bool_ becomes a plain bool, as JSON writes it
    assert [c.verdict for c in made] == ["pass", "FAIL", "comparison", "observation"]


def test_a_claim_needs_a_verdict_and_the_others_have_none():
    with pytest.raises(ValueError, match="verdict"):
        Claim(claim="x", source="s", expected="1", measured="1", passed=None)
    with pytest.raises(ValueError, match="verdict"):
        Claim(claim="x", source="s", expected="1", measured="1", passed=True, kind="observation")
    with pytest.raises(ValueError, match="kind"):
        Claim(claim="x", source="s", expected="1", measured="1", passed=None, kind="guess")


def test_claims_round_trip_and_scorecard(tmp_path):
    claims = rows()
    write_claims(claims, tmp_path / "claims.json")
    assert read_claims(tmp_path / "claims.json") == claims
    table = scorecard(claims)
    assert "| `fig` | claim | x is 1 | paper, Fig. 1 | 1 ± 0.1 | 1.05 | **pass** |" in table
    assert "| `fig` | comparison | z as in the reference | their code | 0.9 | 0.91 | — |" in table
    assert "**FAIL**" in table and "1 of 2 claims pass; 1 comparison; 1 observation." in table
    assert tally(claims) == "1 of 2 claims pass; 1 comparison; 1 observation"
    piped = scorecard([claim("peak", source="paper", expected="|x − 1| ≤ 0.25", measured="x = 1.1", passed=True)])
    assert "| \\|x − 1\\| ≤ 0.25 |" in piped  # an absolute value must not split the cell
