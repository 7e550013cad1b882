"""Claims as data: each figure tests quantitative claims of its source paper.

A figure's analysis writes ``results/<figure>/claims.json``: a list of :class:`Claim` records
(the claim, its source, the expected value or bound, the measured value, and pass/fail). A figure
whose claims fail is still built, since that is a finding; ``figures/claims.md`` collects every
figure's claims into one scorecard.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from .artifacts import write_json


@dataclass(frozen=True)
class Claim:
    figure: str
    claim: str
    source: str
    expected: str
    measured: str
    passed: bool
    value: float | None = None  # the measured number, for machines

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else "FAIL"

    @property
    def line(self) -> str:
        """One log line: verdict, claim, expected and measured."""
        return f"{self.verdict}: {self.claim}: expected {self.expected}, measured {self.measured}"


def write_claims(claims: list[Claim], path: str | os.PathLike, log=None) -> None:
    """Write ``claims.json``; with ``log`` (a callable such as ``artifacts.log_to``'s), log each claim's line too."""
    for c in claims if log else ():
        log(c.line)
    write_json([asdict(c) for c in claims], path)


def read_claims(path: str | os.PathLike) -> list[Claim]:
    return [Claim(**record) for record in json.loads(Path(path).read_text())]


def _cell(text: str) -> str:
    """A Markdown table cell: a literal ``|`` (as in |x − y|) would end the cell, so escape it."""
    return text.replace("|", "\\|")


def scorecard(claims: list[Claim]) -> str:
    """A Markdown table: figure, claim, source, expected, measured, verdict; then a tally."""
    lines = [
        "| figure | claim | source | expected | measured | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for c in claims:
        cells = [f"`{c.figure}`", *(_cell(text) for text in (c.claim, c.source, c.expected, c.measured)), f"**{c.verdict}**"]
        lines.append("| " + " | ".join(cells) + " |")
    passed = sum(c.passed for c in claims)
    lines += ["", f"{passed} of {len(claims)} claims pass."]
    return "\n".join(lines) + "\n"
