"""``python -m dltheory new NAME``: a working skeleton of a new figure, to edit into the real one.

It writes every piece docs/adding-a-figure.md lists, filled with a small real experiment that
builds and passes: the largest singular value of an n × n matrix of standard normal entries,
divided by √n, tends to 2 as n grows (Geman 1980; Bai & Yin 1988). One compute step draws the
matrices, one claim judges the largest n against the limit, one plot draws the ratio against n.
Replace the experiment with the figure's own, keep the shape.

Files written (nothing is overwritten; an existing name is refused):

* ``src/dltheory/figures/NAME/``: ``__init__.py`` (FIGURE), ``jobs.py``, ``claims.py``,
  ``plot.py``, ``cost.py``, ``schema.yaml``, ``caption.rst``;
* ``docs/NAME.md``, with every section the registry test asks for;
* ``tests/unit/figures/test_NAME.py``, the claim at its bar on known answers;

and a section ``NAME`` appended to ``config/config.yaml``, ``config/smoke.yaml`` and
``config/paper.yaml``.
"""

from __future__ import annotations

import re
from pathlib import Path

from dltheory.core.artifacts import InputError

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")

INIT = '''\
"""Figure ``{name}``: {title}.

The largest singular value of an n × n matrix with i.i.d. standard normal entries, divided by √n,
against n, with its limit 2 (Geman 1980; Bai & Yin 1988). A skeleton written by
``python -m dltheory new``: replace the experiment with the figure's own.
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, require

NAME = "{name}"
SOURCE = "Geman 1980, A limit theorem for the norm of random matrices (Ann. Probab. 8)"


def check(config: dict) -> None:
    """Cross-key relations a schema cannot state."""
    sizes = config[NAME]["compute"]["sizes"]
    errors = [] if sizes == sorted(sizes) else [f"{{NAME}}.compute.sizes: {{sizes}} is not increasing; allowed: increasing sizes"]
    require(errors)


FIGURE = Figure(
    name=NAME,
    order={order},
    title="{title}",
    sources=(SOURCE,),
    outputs={{"spectra": "spectra.csv"}},
    steps=(Step("draw", outputs=("spectra",)),),
    check=check,
)
'''

JOBS = '''\
"""{name}'s compute job: the largest singular value of Gaussian matrices, per size and seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.runner import JobRun


def draw(job: JobRun) -> dict:
    """One n × n standard normal matrix per size and seed: its largest singular value / √n."""
    spec = job.params
    rows = []
    for seed in job.seeds(spec):
        rng = np.random.default_rng(seed)
        for n in spec["sizes"]:
            sigma_max = np.linalg.norm(rng.standard_normal((n, n)), ord=2)
            rows.append({{"n": n, "seed": seed, "ratio": sigma_max / np.sqrt(n)}})
    table = pd.DataFrame(rows)
    job.log("mean sigma_max / sqrt(n) by n:\\n" + table.groupby("n").ratio.mean().to_string())
    return {{"spectra": table}}
'''

CLAIMS = '''\
"""{name}'s claims: sigma_max / sqrt(n) at the largest n lies within the bar of its limit 2."""

from __future__ import annotations

from dltheory.core.claims import Claim, claim
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import mean_interval, near
from dltheory.figures.{name} import SOURCE


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """The mean ratio over seeds (one matrix each) at the largest n, with its 95% interval,
    against 2 ± ``bars['tolerance']``: pass when the whole interval is inside."""
    table = artifacts["spectra"]
    largest = table[table.n == table.n.max()]
    return [
        claim(
            "the largest singular value of an n x n standard normal matrix is about 2 sqrt(n) for large n",
            source=SOURCE,
            expected=f"|sigma_max / sqrt(n) - 2| < {{bars['tolerance']}} at n = {{int(largest.n.iloc[0])}}",
            measured=f"{{largest.ratio.mean():.3f}} (mean of {{len(largest)}} seeds)",
            estimate=mean_interval(largest.ratio),
            bar=near(2.0, bars["tolerance"]),
        )
    ]
'''

PLOT = '''\
"""{name}'s figure: sigma_max / sqrt(n) against n, with its limit."""

from __future__ import annotations

import matplotlib.pyplot as plt

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style


def plot(artifacts: Artifacts, bars: dict):
    """Each seed (points) and the mean (line) against n, the limit 2 dashed."""
    setup_style()
    table = artifacts["spectra"]
    fig, ax = plt.subplots(figsize=(5, 3.6), constrained_layout=True)
    ax.plot(table.n, table.ratio, "o", alpha=0.4, label="one matrix")
    mean = table.groupby("n").ratio.mean()
    ax.plot(mean.index, mean.to_numpy(), lw=2, label="mean over seeds")
    ax.axhline(2, ls="--", color="0.4", label="limit 2")
    ax.set(xscale="log", xlabel="n", ylabel=r"$\\sigma_{{max}} / \\sqrt{{n}}$")
    ax.legend()
    return fig
'''

COST = '''\
"""Cost of {name}'s compute job, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import numpy as np

from dltheory.core.contract import seeds_of
from dltheory.core.cost import F_NORMAL, reduced, sliced
from dltheory.figures.{name} import NAME


def _flops(spec: dict) -> float:
    """Per seed and size: n² normal draws (counted at F_NORMAL) and the SVD, about 22 n³."""
    return len(seeds_of(spec)) * sum(F_NORMAL * n * n + 22 * n**3 for n in spec["sizes"])


def _memory(spec: dict) -> float:
    """Bytes: the largest matrix and the SVD's copy of it, float64."""
    return 2 * 8 * max(spec["sizes"]) ** 2


def _run(spec: dict) -> None:
    rng = np.random.default_rng(0)
    for n in spec["sizes"]:
        np.linalg.norm(rng.standard_normal((n, n)), ord=2)


def jobs(config: dict) -> list:
    """``{name}_draw``, probed on one seed."""
    spec = config[NAME]["compute"]
    return [sliced(f"{{NAME}}_draw", "", spec, reduced(spec, seeds=1), _flops, _memory, _run)]
'''

SCHEMA = """\
# JSON schema of the config section `{name}` (docs/{name}.md), checked before any job runs. Every
# key is required (config/config.yaml gives them all) and unknown keys are errors.
$schema: https://json-schema.org/draft/2020-12/schema
description: 'config section {name}: {title}'
type: object
additionalProperties: false
required: [compute, claims]
properties:
  compute:
    description: what the compute jobs use; a change reruns them
    type: object
    additionalProperties: false
    required: [sizes, seeds, seed]
    properties:
      sizes:
        type: array
        minItems: 1
        items: {{type: integer, minimum: 2, maximum: 20000}}
        description: the sizes n of the n x n matrices, increasing
      seeds: {{type: integer, minimum: 1, maximum: 1000, description: matrices per size}}
      seed: {{type: integer, minimum: 0, description: the first seed}}
  claims:
    description: the bars; a change reruns the claims and the plot only
    type: object
    additionalProperties: false
    required: [tolerance]
    properties:
      tolerance: {{type: number, exclusiveMinimum: 0, maximum: 1, description: largest allowed distance of sigma_max / sqrt(n) from 2}}
"""

CAPTION = """\
**{title}**. The largest singular value of {{{{ snakemake.config["{name}"]["compute"]["seeds"] }}}} standard
normal n × n matrices per size, divided by √n, against n; dashed: the limit 2 (Geman 1980).
"""

DOC = """\
# `{name}`: {title}

![{name}](../figures/{name}.png)

A skeleton written by `python -m dltheory new {name}`: replace each section with the figure's own.

## Source

Geman, "A limit theorem for the norm of random matrices", Ann. Probab. 8 (1980): the largest
singular value of an n × n matrix of i.i.d. standard normal entries is 2√n (1 + o(1)).

## What is reproduced

σ_max / √n against n, per seed and averaged, with its limit 2.

## Protocol

For each size n of `{name}.compute.sizes` and each of `seeds` seeds (from `seed`), one matrix of
standard normal entries; σ_max by `numpy.linalg.norm(·, 2)`.

## Our choices and why

Sizes up to a few hundred keep the build in seconds; the finite-n bias (about n^(-2/3)) is below
the bar there.

## Claims

| kind | claim | source | bar |
|---|---|---|---|
| claim | σ_max / √n ≈ 2 at the largest n | Geman 1980 | `claims.tolerance` |

## Expected numbers

At the default sizes the mean ratio at the largest n is within 0.05 of 2; the job takes seconds.

## Artifacts (`results/{name}/`)

| file | contents |
|---|---|
| `spectra.csv` | one row per `n` and `seed`: `ratio` = σ_max / √n |
| `claims.json` | the figure's claims |
"""

TEST = '''\
"""{name}'s claim at its bar, on tables with known ratios."""

import pandas as pd
from shipped import bars

from dltheory.figures.{name} import claims as fig

BARS = bars("{name}")


def spectra(*ratios: float) -> dict:
    """A table whose matrices at the largest n (400) have these ratios."""
    rows = [(10, 0, 1.5)] + [(400, seed, ratio) for seed, ratio in enumerate(ratios)]
    return {{"spectra": pd.DataFrame(rows, columns=["n", "seed", "ratio"])}}


def test_the_verdict_is_read_off_the_interval():
    tolerance = BARS["tolerance"]
    assert fig.claims(spectra(2.0, 2.0, 2.0), BARS)[0].verdict == "pass"
    assert fig.claims(spectra(*[2.0 + 2 * tolerance] * 3), BARS)[0].verdict == "fail"
    # a mean inside the bar, but seeds too spread to say so
    assert fig.claims(spectra(2.0, 2.0 + 2 * tolerance, 2.0 - tolerance), BARS)[0].verdict == "inconclusive"
'''

CONFIG = {
    "config/config.yaml": """
{name}:  # {title} (docs/{name}.md)
  compute:
    sizes: [50, 100, 200, 400]  # n of the n x n matrices
    seeds: 8  # matrices per size (the claim's interval is over them)
    seed: 0
  claims:
    tolerance: 0.05  # |sigma_max / sqrt(n) - 2| at the largest n
""",
    "config/smoke.yaml": """
{name}:
  compute:
    sizes: [50, 400]
""",
    "config/paper.yaml": """
{name}:
  compute:
    sizes: [100, 400, 1600, 3200]
    seeds: 8
""",
}


def files(name: str, title: str, order: int) -> dict[str, str]:
    """{path relative to the repository: text} of every new file of the skeleton."""
    fill = dict(name=name, title=title, order=order)
    package = f"src/dltheory/figures/{name}"
    texts = {
        f"{package}/__init__.py": INIT,
        f"{package}/jobs.py": JOBS,
        f"{package}/claims.py": CLAIMS,
        f"{package}/plot.py": PLOT,
        f"{package}/cost.py": COST,
        f"{package}/schema.yaml": SCHEMA,
        f"{package}/caption.rst": CAPTION,
        f"docs/{name}.md": DOC,
        f"tests/unit/figures/test_{name}.py": TEST,
    }
    return {path: text.format(**fill) for path, text in texts.items()}


def new_figure(name: str, title: str, root: str | Path = ".") -> list[str]:
    """Write the skeleton of figure ``name`` into the repository at ``root``; the paths written or
    appended to. Refuses a name that is not a Python identifier in lower case, or that exists."""
    from dltheory.core.registry import registry

    root = Path(root)
    if not NAME_PATTERN.fullmatch(name):
        raise InputError(f"{name!r}: a figure's name is a lower-case Python identifier (letters, digits, _), e.g. random_matrices")
    taken = [path for path in (f"src/dltheory/figures/{name}", f"docs/{name}.md") if (root / path).exists()]
    if taken:
        raise InputError(f"{name!r} exists already: {', '.join(taken)}")
    order = 10 * (max((fig.order for fig in registry()), default=0) // 10 + 1)
    written = []
    for path, text in files(name, title, order).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
        written.append(path)
    for path, text in CONFIG.items():
        with open(root / path, "a") as handle:
            handle.write(text.format(name=name, title=title))
        written.append(path)
    return written
