"""``figures/gallery.md``: every built figure with its title, sources, status and picture.

Written by the ``all_figures`` job from the registry and this build's ``claims.json`` files, so
the gallery lists exactly the figures built, and each status line is the build's own tally.
"""

from __future__ import annotations

from dltheory.core.claims import Claim, tally
from dltheory.core.contract import Figure


def status(claims: list[Claim]) -> str:
    """One line: the tally, then the claims that fail and those left undecided, by their statement."""
    named = {
        label: [c.claim for c in claims if c.verdict == verdict] for label, verdict in (("Fails", "fail"), ("Inconclusive", "inconclusive"))
    }
    return tally(claims) + "".join(f". {label}: {'; '.join(rows)}" for label, rows in named.items() if rows)


def gallery(figures: list[tuple[Figure, list[Claim]]]) -> str:
    """Markdown for ``figures/gallery.md`` (links relative to ``figures/``): an index table, then
    each figure's section with its PNG."""
    lines = [
        "# Gallery",
        "",
        "Every figure of this build, with the status of its claims (the rows are in [claims.md](claims.md)).",
        "",
        "| figure | reproduces | status |",
        "|---|---|---|",
    ]
    lines += [f"| [`{fig.name}`](#{fig.name}) | {fig.title} | {tally(claims)} |" for fig, claims in figures]
    for fig, claims in figures:
        lines += [
            "",
            f'<a id="{fig.name}"></a>',
            f"## `{fig.name}`: {fig.title}",
            "",
            f"Sources: {'; '.join(fig.sources)}. Details: [docs/{fig.name}.md](../docs/{fig.name}.md).",
            "",
            f"Status: {status(claims)}.",
            "",
            f"![{fig.name}]({fig.name}.png)",
        ]
    return "\n".join(lines) + "\n"
