"""Claims as data: each figure tests quantitative claims of its source paper.

A figure's analysis writes ``results/<figure>/claims.json``: a list of :class:`Claim` records
(the statement, its source, the expected value or bound, the measured value, and a verdict). A
figure whose claims fail is still built, since that is a finding; ``figures/claims.md`` collects
every figure's rows into one scorecard.

A row is one of three kinds (:data:`KINDS`):

* ``claim``: a statement of the paper, for the setup the paper makes it about; pass or fail.
* ``comparison``: our value beside a reference implementation's, run as a peer; no verdict.
* ``observation``: measured and shown, but the paper makes no such claim; no verdict.

Only claims count in the tally "N of M claims pass": an observation never turns into a failure.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from dltheory.core.artifacts import write_json

KINDS = ("claim", "comparison", "observation")


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One scorecard row. Build it with :func:`claim`, :func:`comparison` or :func:`observation`,
    which say what kind of row it is; the claims job fills in ``figure``."""

    figure: str = ""
    claim: str
    source: str
    expected: str
    measured: str
    passed: bool | None  # None for comparisons and observations: they carry no verdict
    value: float | None = None  # the measured number, for machines
    kind: str = "claim"

    def __post_init__(self):
        if self.passed is not None:  # numpy's bool_ from a comparison: a plain bool, as JSON writes it
            object.__setattr__(self, "passed", bool(self.passed))
        if self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r}; allowed: {', '.join(KINDS)}")
        if (self.kind == "claim") != (self.passed is not None):
            raise ValueError(f"{self.claim!r}: a claim has a verdict (passed True/False), a {self.kind} has none (passed None)")

    @property
    def verdict(self) -> str:
        if self.kind != "claim":
            return self.kind
        return "pass" if self.passed else "FAIL"

    @property
    def line(self) -> str:
        """One log line: verdict, claim, expected and measured."""
        return f"{self.verdict}: {self.claim}: expected {self.expected}, measured {self.measured}"


def claim(statement: str, *, source: str, expected: str, measured: str, passed: bool, value: float | None = None) -> Claim:
    """A statement of the paper, for the setup the paper makes it about, judged pass or fail.

    ``expected`` is the paper's bar as text ("< 20%"), ``measured`` our value as text, ``passed``
    the verdict, ``value`` the measured number (for machines)."""
    return Claim(claim=statement, source=source, expected=expected, measured=measured, passed=passed, value=value)


def comparison(statement: str, *, source: str, expected: str, measured: str, value: float | None = None) -> Claim:
    """Our value beside a reference implementation's (``expected``: theirs), run as a peer; no verdict."""
    return Claim(claim=statement, source=source, expected=expected, measured=measured, passed=None, value=value, kind="comparison")


def observation(statement: str, *, source: str, expected: str, measured: str, value: float | None = None) -> Claim:
    """Measured and shown, but not a claim of the paper; no verdict."""
    return Claim(claim=statement, source=source, expected=expected, measured=measured, passed=None, value=value, kind="observation")


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
    """A Markdown table: figure, kind, claim, source, expected, measured, verdict; then the tally of
    the claims (comparisons and observations have no verdict and are counted apart)."""
    lines = [
        "| figure | kind | claim | source | expected | measured | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in claims:
        verdict = f"**{c.verdict}**" if c.kind == "claim" else "—"
        cells = [f"`{c.figure}`", c.kind, *(_cell(text) for text in (c.claim, c.source, c.expected, c.measured)), verdict]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", tally(claims) + "."]
    return "\n".join(lines) + "\n"


def tally(claims: list[Claim]) -> str:
    """'5 of 8 claims pass; 10 comparisons; 1 observation': the claims' verdicts, and the rows
    without one counted apart."""
    verdicts = [c.passed for c in claims if c.kind == "claim"]
    others = {kind: sum(c.kind == kind for c in claims) for kind in KINDS[1:]}
    return f"{sum(verdicts)} of {len(verdicts)} claims pass" + "".join(
        f"; {n} {kind}{'s' if n != 1 else ''}" for kind, n in others.items() if n
    )
