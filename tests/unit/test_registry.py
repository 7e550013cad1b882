"""The registry and the figure contract: every registered figure has every piece a figure needs
(docs/adding-a-figure.md lists them), and nothing outside the registry lists the figures."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from shipped import shipped

from dltheory.core.contract import Artifacts, Figure
from dltheory.figures import NAMES, figure

ROOT = Path(__file__).resolve().parents[2]
DOC_SECTIONS = ("Source", "Protocol", "Claims", "Expected")


def missing_pieces(name: str, root: Path = ROOT) -> list[str]:
    """What a registered figure lacks of the files of docs/adding-a-figure.md; [] if nothing."""
    pieces = {
        "figure module": root / f"src/dltheory/figures/{name}.py",
        "compute rules": root / f"workflow/rules/{name}.smk",
        "schema": root / f"workflow/schemas/{name}.schema.yaml",
        "doc page": root / f"docs/{name}.md",
        "report caption": root / f"workflow/report/{name}.rst",
    }
    missing = [f"{what} {path.relative_to(root)}" for what, path in pieces.items() if not path.is_file()]
    if pieces["compute rules"].is_file() and not re.search(rf"^rule {name}_\w+:", pieces["compute rules"].read_text(), re.MULTILINE):
        missing.append(f"a compute rule named {name}_<step> in workflow/rules/{name}.smk")
    if pieces["doc page"].is_file():
        text = pieces["doc page"].read_text()
        missing += [f"section '{s}' in docs/{name}.md" for s in DOC_SECTIONS if not re.search(rf"^#+ .*{s}", text, re.MULTILINE)]
    if name not in yaml.safe_load((root / "config/config.yaml").read_text()):
        missing.append(f"config section {name} in config/config.yaml")
    return missing


@pytest.mark.parametrize("name", NAMES)
def test_every_registered_figure_has_every_piece(name):
    assert missing_pieces(name) == []


def test_a_figure_registered_without_its_pieces_is_caught():
    assert missing_pieces("no_such_figure") == [
        "figure module src/dltheory/figures/no_such_figure.py",
        "compute rules workflow/rules/no_such_figure.smk",
        "schema workflow/schemas/no_such_figure.schema.yaml",
        "doc page docs/no_such_figure.md",
        "report caption workflow/report/no_such_figure.rst",
        "config section no_such_figure in config/config.yaml",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_figure_object_follows_the_contract(name):
    fig = figure(name)
    assert isinstance(fig, Figure) and fig.name == name and fig.title and fig.sources
    config = shipped()
    paths = fig.artifacts(config)
    assert paths and all(p.startswith("results/") for v in paths.values() for p in ([v] if isinstance(v, str) else v))
    assert not set(paths) & set(fig.analysis), "an analysis table may not shadow an artifact"
    schema = yaml.safe_load((ROOT / f"workflow/schemas/{name}.schema.yaml").read_text())
    assert sorted(schema["properties"]["claims"]["properties"]) == sorted(config[name]["claims"]), "every bar in the schema and the config"
    fig.check(config)  # the default config passes


def test_unknown_figure_names_the_registered_ones():
    with pytest.raises(KeyError, match="phase_diagram"):
        figure("no_such_figure")


def test_artifacts_load_by_suffix_and_concatenate_lists(tmp_path):
    import numpy as np
    import pandas as pd

    from dltheory.core.artifacts import write_arrays, write_table

    write_table(pd.DataFrame({"a": [1, 2]}), tmp_path / "x.csv", {})
    write_table(pd.DataFrame({"a": [3]}), tmp_path / "y.csv", {})
    write_arrays({"w": np.arange(3)}, tmp_path / "z.npz", {})
    arts = Artifacts(
        {"one": str(tmp_path / "x.csv"), "both": [str(tmp_path / "x.csv"), str(tmp_path / "y.csv")], "arrays": str(tmp_path / "z.npz")}
    )
    assert arts["one"].a.tolist() == [1, 2] and arts["both"].a.tolist() == [1, 2, 3] and arts["arrays"]["w"].tolist() == [0, 1, 2]
    more = arts.with_tables({"extra": pd.DataFrame({"b": [0]})})
    assert set(more) == {"one", "both", "arrays", "extra"} and "extra" not in arts


def test_no_file_keeps_its_own_list_of_figures():
    # Only the registry names every figure: a second list would let a new figure be silently skipped.
    listing = re.compile(r"[\s\[(,'\"]" + r"\W+".join(NAMES[:3]))
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    offenders = [
        path
        for path in tracked
        if path.endswith((".py", ".smk", ".yaml", "Snakefile"))
        and path != "src/dltheory/figures/__init__.py"
        and listing.search((ROOT / path).read_text())
    ]
    assert offenders == []


def test_the_project_cites_papers_and_its_own_docs_only():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    # The design notes and specifications the project was built from do not ship with it: a user
    # cannot follow a reference to them. (The pattern is split so that this file does not match it.)
    pattern = re.compile("SPE" "CS|DESI" r"GN\.md")
    offenders = [
        path
        for path in tracked
        if (ROOT / path).is_file() and not path.endswith((".png", ".pdf")) and pattern.search((ROOT / path).read_text(errors="ignore"))
    ]
    assert offenders == []
