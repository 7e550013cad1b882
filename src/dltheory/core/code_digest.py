"""Which code a workflow job runs, and a digest of its meaning.

A job reruns when the Python it runs changes meaning: its script under ``workflow/scripts`` and
every ``dltheory`` module that script imports, directly or through other modules (read from the
import statements, so the list cannot go stale). The digest hashes each file's parsed syntax tree
without docstrings, so comments, docstrings and formatting never rerun anything: fixing a
docstring in the trainer must not retrain hours of networks at paper scale.
"""

from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path


@functools.cache  # code() and code_digest() of every rule ask for the same lists
def code_files(root: str | Path, script: str, *dynamic: str) -> tuple[str, ...]:
    """``workflow/scripts/<script>``, the ``src/dltheory/<m>`` of ``dynamic`` (modules the job
    imports by name at run time, e.g. ``figures/pixel_mi/claims.py``) with the ``__init__.py`` of
    their packages, and every dltheory module those import; paths relative to ``root`` (the
    repository), sorted."""
    modules = [f"src/dltheory/{m}" for m in dynamic]
    packages = {str(Path(m).parents[i] / "__init__.py") for m in modules for i in range(len(Path(m).parts) - 2)}
    roots = [f"workflow/scripts/{script}", *modules, *sorted(packages)]
    return tuple(sorted(set(roots) | imported_modules(Path(root), *roots)))


def digest(root: str | Path, paths) -> str:
    """SHA-256 over the files' syntax trees, docstrings removed (comments are not in the tree)."""
    h = hashlib.sha256()
    for path in paths:
        h.update(path.encode() + b"\0" + _meaning(Path(root) / path).encode() + b"\0")
    return h.hexdigest()


@functools.cache
def _meaning(path: Path) -> str:
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body and _is_docstring(body[0]):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False)


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def imported_modules(root: Path, *paths: str) -> set[str]:
    """The src/dltheory files that the Python files ``paths`` import, transitively."""
    found, todo = set(), list(paths)
    while todo:
        for module in _direct_imports(root, todo.pop()):
            if module not in found:
                found.add(module)
                todo.append(module)
    return found


@functools.cache  # many scripts import the same modules: parse each file once
def _direct_imports(root: Path, path: str) -> frozenset[str]:
    """src/dltheory files named by one file's module-level ``import``/``from  import``
    statements, with the packages' __init__.py. Imports inside functions are left out: they run
    only with that function (the job runner imports plotting inside its plot job, so that editing the
    plotting code reruns the plots and never the training)."""
    package = Path(path).parent.relative_to("src").parts if path.startswith("src/") else ()
    names = []
    for node in _module_level(ast.parse((root / path).read_text(), path).body):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from dltheory.x import y, from dltheory import x
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            names += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    parts = [name.split(".") for name in names if name.split(".")[0] == "dltheory"]
    files = (_module_file(root, p[:n]) for p in parts for n in range(1, len(p) + 1))
    return frozenset(f for f in files if f is not None)


def _module_level(statements):
    """The statements run on import: the body, and the branches of its if/try/with blocks."""
    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            yield from _module_level(getattr(node, field, []))


def _module_file(root: Path, parts) -> str | None:
    """src/dltheory/a/b.py or src/dltheory/a/b/__init__.py for the module dltheory.a.b (as parts)."""
    stem = Path("src", *parts)
    for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
        if (root / candidate).is_file():
            return str(candidate)
    return None
