"""The package's layers: core -> engine -> science -> figures -> tools, and every import statement
(module level or inside a function) points to the same layer or one before it."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[3] / "src/dltheory"
LAYERS = ("core", "engine", "science", "figures", "tools")


def imports(path: Path, src: Path = SRC) -> set[str]:
    """The dltheory modules a file imports, absolute or relative, anywhere in it."""
    package = path.relative_to(src.parent).parent.parts
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            names.add(base)
    return {name for name in names if name.startswith("dltheory.")}


def violations(src: Path) -> list[str]:
    """Every import of a later layer, as 'file imports module'."""
    wrong = []
    for layer, name in enumerate(LAYERS):
        for path in sorted((src / name).rglob("*.py")):
            for module in imports(path, src):
                target = module.split(".")[1]
                if target in LAYERS and LAYERS.index(target) > layer:
                    wrong.append(f"{path.relative_to(src)} imports {module}")
    return wrong


def test_every_import_points_down():
    assert violations(SRC) == []


def test_every_module_lives_in_a_layer():
    assert sorted(p.name for p in SRC.glob("*.py")) == ["__init__.py", "__main__.py"]
    assert sorted(p.name for p in SRC.iterdir() if p.is_dir() and p.name != "__pycache__") == sorted(LAYERS)


def test_a_layer_violation_is_caught(tmp_path):
    src = tmp_path / "dltheory"
    (src / "core").mkdir(parents=True)
    (src / "core" / "upward.py").write_text("def f():\n    from ..science.meanfield import q_star\n")
    (src / "science").mkdir()
    (src / "science" / "downward.py").write_text("from dltheory.core.contract import Figure\n")
    assert violations(src) == ["core/upward.py imports dltheory.science.meanfield"]
