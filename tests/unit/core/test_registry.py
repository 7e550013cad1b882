"""The registry and the figure contract: every registered figure has every piece that
docs/adding-a-figure.md lists, a figure missing any one of them is caught, and nothing outside the
registry lists the figures."""

import ast
import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from shipped import shipped

from dltheory.core.contract import Artifacts, Figure
from dltheory.core.registry import figure, names, registry

ROOT = Path(__file__).resolve().parents[3]
# The sections of a figure's doc page, in the guide's words.
DOC_SECTIONS = ("Source", "What is reproduced", "Protocol", "Our choices and why", "Claims", "Expected numbers", "Artifacts")
# The figure package's modules and the function each must define (besides the steps' entry points in jobs.py).
MODULES = {"jobs.py": (), "claims.py": ("claims",), "plot.py": ("plot",), "cost.py": ("jobs",)}
CONFIGS = ("config/config.yaml", "config/smoke.yaml", "config/paper.yaml")


def defined(path: Path) -> set[str]:
    """Names of the functions defined at a module's top level."""
    return {node.name for node in ast.parse(path.read_text()).body if isinstance(node, ast.FunctionDef)}


def missing_pieces(name: str, steps: tuple[str, ...], root: Path = ROOT) -> list[str]:
    """What figure ``name`` (with compute ``steps``) lacks of the pieces of docs/adding-a-figure.md; [] if nothing."""
    package = root / f"src/dltheory/figures/{name}"
    missing = []
    for module, functions in MODULES.items():
        path = package / module
        if not path.is_file():
            missing.append(f"module {path.relative_to(root)}")
            continue
        wanted = (*functions, *steps) if module == "jobs.py" else functions
        missing += [f"function {f}() in {path.relative_to(root)}" for f in wanted if f not in defined(path)]
    missing += [f"{what} {(package / file).relative_to(root)}" for what, file in (("schema", "schema.yaml"), ("caption", "caption.rst"))
                if not (package / file).is_file()]  # fmt: skip
    doc = root / f"docs/{name}.md"
    if not doc.is_file():
        missing.append(f"doc page docs/{name}.md")
    else:
        text = doc.read_text()
        missing += [f"section '{s}' in docs/{name}.md" for s in DOC_SECTIONS if not re.search(rf"^##+ {re.escape(s)}", text, re.MULTILINE)]
    for config in CONFIGS:
        if name not in (yaml.safe_load((root / config).read_text()) or {}):
            missing.append(f"section {name} in {config}")
    if not (root / f"tests/unit/figures/test_{name}.py").is_file():
        missing.append(f"test tests/unit/figures/test_{name}.py")
    return missing


@pytest.mark.parametrize("name", names())
def test_every_registered_figure_has_every_piece(name):
    assert missing_pieces(name, tuple(step.name for step in figure(name).steps)) == []


def scaffolded(tmp_path: Path) -> Path:
    """A copy of what a figure touches, with the skeleton of figure ``toy`` written into it."""
    from dltheory.tools.scaffold import new_figure

    for folder in ("config", "docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    new_figure("toy", "A toy", tmp_path)
    return tmp_path


def pieces_of_toy(root: Path) -> list[Path]:
    package = root / "src/dltheory/figures/toy"
    return [
        *(package / m for m in MODULES),
        package / "schema.yaml",
        package / "caption.rst",
        root / "docs/toy.md",
        root / "tests/unit/figures/test_toy.py",
    ]


def test_the_skeleton_has_every_piece(tmp_path):
    assert missing_pieces("toy", ("draw",), scaffolded(tmp_path)) == []


def test_each_piece_left_out_is_caught(tmp_path):
    root = scaffolded(tmp_path)
    for path in pieces_of_toy(root):
        text = path.read_text()
        path.unlink()
        assert missing_pieces("toy", ("draw",), root), f"{path.relative_to(root)} left out, not caught"
        path.write_text(text)
    for section in DOC_SECTIONS:
        doc = root / "docs/toy.md"
        text = doc.read_text()
        doc.write_text(re.sub(rf"^## {re.escape(section)}.*$", "## Something else", text, flags=re.MULTILINE))
        assert missing_pieces("toy", ("draw",), root) == [f"section '{section}' in docs/toy.md"]
        doc.write_text(text)
    for config in CONFIGS:
        path = root / config
        text = path.read_text()
        path.write_text(text[: text.index("\ntoy:")])
        assert missing_pieces("toy", ("draw",), root) == [f"section toy in {config}"]
        path.write_text(text)
    assert missing_pieces("toy", ("draw", "another_step"), root) == ["function another_step() in src/dltheory/figures/toy/jobs.py"]


def test_a_figure_never_written_lacks_everything():
    assert len(missing_pieces("no_such_figure", ("step",))) == len(MODULES) + 2 + 1 + len(CONFIGS) + 1


@pytest.mark.parametrize("name", names())
def test_figure_object_follows_the_contract(name):
    fig = figure(name)
    assert isinstance(fig, Figure) and fig.name == name and fig.title and fig.sources and fig.steps
    config = shipped()
    paths = fig.artifact_paths(config)
    assert paths and all(p.startswith("results/") for v in paths.values() for p in ([v] if isinstance(v, str) else v))
    assert not set(paths) & set(fig.analysis), "an analysis table may not shadow an artifact"
    written = [key for step in fig.steps for key in step.outputs]
    assert sorted(written) == sorted(fig.outputs), "every output is written by exactly one step"
    assert all(key in fig.outputs for step in fig.steps for key in step.inputs)
    schema = yaml.safe_load((fig.folder / "schema.yaml").read_text())
    assert sorted(schema["properties"]["claims"]["properties"]) == sorted(config[name]["claims"]), "every bar in the schema and the config"
    fig.check(config)  # the default config passes


def test_a_step_pinned_to_the_cpu_runs_there_whatever_the_configured_device():
    """Step.gpu False pins a torch step to the CPU: its jobs' device param is `cpu` under `auto`
    and `cuda` too (and the workflow asks it no GPU); every other torch step keeps the configured
    device, and a step without torch has none. The one pinned step: lucky_weights' two-layer students."""
    steps = {f"{fig.name}_{step.name}": step for fig in registry() for step in fig.steps}
    pinned = sorted(rule for rule, step in steps.items() if step.device and not step.gpu)
    assert pinned == ["lucky_weights_two_layer"]
    for (rule, step), configured in itertools.product(steps.items(), ("auto", "cuda", "cpu")):
        expected = None if not step.device else "cpu" if rule in pinned else configured
        assert step.job_device(configured) == expected, rule


def test_the_registry_is_in_order_and_names_its_packages():
    figures = registry()
    assert [f.order for f in figures] == sorted(f.order for f in figures)
    assert names() == tuple(f.name for f in figures)


def test_unknown_figure_names_the_registered_ones():
    with pytest.raises(KeyError, match=names()[0]):
        figure("no_such_figure")


def test_a_figure_declaration_imports_no_concern_module():
    # A job's code digest covers the packages of the modules it runs: a figure's __init__.py that
    # imported its claims, plot, jobs or cost would put them all in every job's digest.
    for fig in registry():
        tree = ast.parse((fig.folder / "__init__.py").read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {f"dltheory.figures.{fig.name}.{m[:-3]}" for m in MODULES} & imported, fig.name


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


def tracked() -> list[str]:
    return subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()


def test_no_file_keeps_its_own_list_of_figures():
    # The registry is the one list: a second one (in code, config comments aside, or the docs and
    # README) would let a new figure be silently skipped or go stale.
    first = names()[:3]
    listing = re.compile(r"\W+".join(re.escape(n) for n in first))
    offenders = [
        path
        for path in tracked()
        if path.endswith((".py", ".smk", ".md", "Snakefile"))
        and not path.startswith("figures/")
        and listing.search((ROOT / path).read_text())
    ]
    assert offenders == []


def test_the_project_cites_papers_and_its_own_docs_only():
    # The design notes and specifications the project was built from do not ship with it: a user
    # cannot follow a reference to them. (The pattern is split so that this file does not match it.)
    pattern = re.compile("SPE" "CS|DESI" r"GN\.md")
    offenders = [
        path
        for path in tracked()
        if (ROOT / path).is_file() and not path.endswith((".png", ".pdf")) and pattern.search((ROOT / path).read_text(errors="ignore"))
    ]
    assert offenders == []
