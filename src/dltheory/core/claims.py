"""Claims as data: each figure tests quantitative claims of its source paper.

A figure's analysis writes ``results/<figure>/claims.json``: a list of :class:`Claim` records
(the statement, its source, the expected value or bound, the measured value, and a verdict). A
figure whose claims fail is still built, since that is a finding; ``figures/claims.md`` collects
every figure's rows into one scorecard.

A row is one of three kinds (:data:`KINDS`):

* ``claim``: a statement of the paper, for the setup the paper makes it about, with a verdict.
* ``comparison``: our value beside a reference implementation's, run as a peer; no verdict.
* ``observation``: measured and shown, but the paper makes no such claim; no verdict.

A claim's verdict is one of three (:data:`~dltheory.core.uncertainty.VERDICTS`). A deterministic
quantity (a closed form, a fixed-point iteration, a float64 identity) is judged against its
tolerance: *pass* or *fail*. A quantity measured over replicates carries an
:class:`~dltheory.core.uncertainty.Estimate` (its interval at the project's level and the
per-replicate values) and is judged on the interval: *pass*, *fail*, or *inconclusive* when the
interval straddles the bar, with the number of replicates that would decide it.

Only claims count in the tally: an observation never turns into a failure.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass

from dltheory.core.artifacts import ArtifactError, read_document, rebuild_hint, write_document
from dltheory.core.uncertainty import VERDICTS, Bar, Estimate, replicates_to_decide, verdict

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
    verdict: str | None  # pass, fail or inconclusive; None for comparisons and observations
    value: float | None = None  # the measured number, for machines
    kind: str = "claim"
    estimate: Estimate | None = None  # the interval and the replicates, for a claim measured over replicates
    margin: float | None = None  # the value's distance to the bar: positive on the passing side
    to_decide: int | None = None  # replicates that would decide an inconclusive claim (if its estimate held)

    def __post_init__(self):
        if isinstance(self.estimate, dict):  # as read back from claims.json
            object.__setattr__(self, "estimate", Estimate(**self.estimate))
        if self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r}; allowed: {', '.join(KINDS)}")
        if (self.kind == "claim") != (self.verdict is not None):
            raise ValueError(f"{self.claim!r}: a claim has a verdict, a {self.kind} has none")
        if self.verdict is not None and self.verdict not in VERDICTS:
            raise ValueError(f"{self.claim!r}: verdict {self.verdict!r}; allowed: {', '.join(VERDICTS)}")

    @property
    def passed(self) -> bool | None:
        """True for pass, False for fail; None when there is no verdict or it is inconclusive."""
        return {"pass": True, "fail": False}.get(self.verdict)

    @property
    def label(self) -> str:
        """The verdict as the scorecard prints it (FAIL in capitals), or the row's kind."""
        return {"fail": "FAIL"}.get(self.verdict, self.verdict) if self.kind == "claim" else self.kind

    @property
    def interval(self) -> str:
        """The interval with its level ('[0.12, 0.19] (95%, 8 seeds t)'), or '' without one."""
        e = self.estimate
        return f"{e.text} ({e.level:.0%}, n = {e.n}, {e.method})" if e else ""

    @property
    def line(self) -> str:
        """One log line: verdict, claim, expected and measured (and the interval)."""
        interval = f" {self.interval}" if self.estimate else ""
        return f"{self.label}: {self.claim}: expected {self.expected}, measured {self.measured}{interval}"


def claim(
    statement: str,
    *,
    source: str,
    expected: str,
    measured: str,
    passed: bool | None = None,
    value: float | None = None,
    estimate: Estimate | None = None,
    bar: Bar | None = None,
) -> Claim:
    """A statement of the paper, for the setup the paper makes it about, with its verdict.

    ``expected`` is the paper's bar as text ("< 20%"), ``measured`` our value as text. The verdict
    comes from one of three:

    * ``estimate`` and ``bar``: a statistic over replicates, judged on its interval (pass, fail or
      inconclusive); ``value`` is the estimate's;
    * ``value`` and ``bar``: a deterministic number against its tolerance (pass or fail); also a
      statistic whose ``estimate`` is None (one replicate at this scale: no interval). An
      undefined statistic (NaN) fails: nothing was shown;
    * ``passed``: a deterministic statement that is not one number against a region (a curve
      that never rises, an argmax on a grid)."""
    if estimate is not None and not math.isfinite(estimate.value):  # undefined: nothing was shown, judged on the value (fails)
        estimate, value = None, math.nan
    if estimate is not None:
        if bar is None:
            raise ValueError(f"{statement!r}: an estimate is judged against a bar")
        judged = verdict(estimate, bar)
        to_decide = replicates_to_decide(estimate, bar) if judged == "inconclusive" else None
        return Claim(
            claim=statement,
            source=source,
            expected=expected,
            measured=measured,
            verdict=judged,
            value=estimate.value,
            estimate=estimate,
            margin=bar.margin(estimate.value),
            to_decide=to_decide,
        )
    if bar is not None:
        if value is None:
            raise ValueError(f"{statement!r}: a bar judges a value or an estimate")
        passed, margin = bar.holds(value), bar.margin(value)
    elif passed is None:
        raise ValueError(f"{statement!r}: a claim needs passed, or value and bar, or estimate and bar")
    else:
        margin = None
    return Claim(
        claim=statement,
        source=source,
        expected=expected,
        measured=measured,
        verdict="pass" if passed else "fail",
        value=None if value is None else float(value),
        margin=margin,
    )


def comparison(statement: str, *, source: str, expected: str, measured: str, value: float | None = None) -> Claim:
    """Our value beside a reference implementation's (``expected``: theirs), run as a peer; no verdict."""
    return Claim(claim=statement, source=source, expected=expected, measured=measured, verdict=None, value=value, kind="comparison")


def observation(
    statement: str, *, source: str, expected: str, measured: str, value: float | None = None, estimate: Estimate | None = None
) -> Claim:
    """Measured and shown, but not a claim of the paper; no verdict (an interval where it has one)."""
    return Claim(
        claim=statement,
        source=source,
        expected=expected,
        measured=measured,
        verdict=None,
        value=value if estimate is None else estimate.value,
        kind="observation",
        estimate=estimate,
    )


def write_claims(claims: list[Claim], path: str | os.PathLike, meta: dict, log=None) -> None:
    """Write ``claims.json`` with its sidecar (``meta``: its provenance); with ``log`` (a callable
    such as ``artifacts.log_to``'s), log each claim's line too."""
    for c in claims if log else ():
        log(c.line)
    write_document([asdict(c) for c in claims], path, meta)


def read_claims(path: str | os.PathLike) -> list[Claim]:
    """The claims of a ``claims.json``, verified against its sidecar; :class:`ArtifactError` naming
    the file and how to rebuild it if it is damaged or holds no claims."""
    records = read_document(path)
    try:
        return [Claim(**record) for record in records]
    except (TypeError, ValueError) as error:
        raise ArtifactError(f"{path} does not hold a figure's claims ({error}). {rebuild_hint(path)}") from None


def _cell(text: str) -> str:
    """A Markdown table cell: a literal ``|`` (as in |x − y|) would end the cell, so escape it."""
    return text.replace("|", "\\|")


def _margin(c: Claim) -> str:
    return "" if c.margin is None else f"{c.margin:+.3g}"


def _to_decide(count: int, n: int) -> str:
    """How many replicates would decide; past 1,000× the ones measured, the count only says that
    the estimate sits on the bar's edge, so say that instead of a number nobody will run."""
    return f"≈ {count} replicates would decide" if count <= 1000 * n else f"on the edge: over 1,000 × {n} replicates would decide"


def scorecard(claims: list[Claim]) -> str:
    """A Markdown table: figure, kind, claim, source, expected, measured, the interval (with its
    level, replicates and method), the margin to the bar (positive on the passing side), verdict
    (with the replicates that would decide an inconclusive one); then the tally."""
    lines = [
        "| figure | kind | claim | source | expected | measured | interval | margin | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in claims:
        verdict = f"**{c.label}**" if c.kind == "claim" else "—"
        if c.to_decide:
            verdict += f" ({_to_decide(c.to_decide, c.estimate.n)})"
        texts = (c.claim, c.source, c.expected, c.measured, c.interval or "—", _margin(c) or "—")
        lines.append("| " + " | ".join([f"`{c.figure}`", c.kind, *map(_cell, texts), verdict]) + " |")
    lines += ["", tally(claims) + "."]
    return "\n".join(lines) + "\n"


def tally(claims: list[Claim]) -> str:
    """'60 of 67 claims pass, 3 fail, 4 inconclusive; 10 comparisons; 11 observations': the
    claims' three verdicts, and the rows without one counted apart."""
    verdicts = [c.verdict for c in claims if c.kind == "claim"]
    counts = {v: verdicts.count(v) for v in VERDICTS}
    others = {kind: sum(c.kind == kind for c in claims) for kind in KINDS[1:]}
    return f"{counts['pass']} of {len(verdicts)} claims pass, {counts['fail']} fail, {counts['inconclusive']} inconclusive" + "".join(
        f"; {n} {kind}{'s' if n != 1 else ''}" for kind, n in others.items() if n
    )
