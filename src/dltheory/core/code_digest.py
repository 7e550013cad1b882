"""Which code a workflow job runs, and a digest of its meaning.

A job reruns when the Python it runs changes meaning: the runner script under
``workflow/scripts``, the figure module it runs by name, and every ``dltheory`` module those
import, directly or through other modules (read from the import statements, so the list cannot go
stale). The digest hashes each file's parsed syntax tree without docstrings, so comments,
docstrings and formatting never rerun anything: fixing a docstring in the trainer must not
retrain hours of networks at paper scale.

A compute job runs one entry point of its figure's ``jobs.py`` (``figures/x/jobs.py::train``):
of that file, the digest covers the entry point and the module-level code it reaches (the
functions and classes it names, transitively, and every statement that is not a function or class
definition), so editing one step's entry point reruns that step and not its siblings.
"""

from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@functools.cache  # code() and code_digest() of every rule ask for the same lists
def code_files(root: str | Path, script: str, *dynamic: str) -> tuple[str, ...]:
    """``workflow/scripts/<script>``, the ``src/dltheory/<m>`` of ``dynamic`` (modules the job
    imports by name at run time, e.g. ``figures/pixel_mi/claims.py``, or one entry point of a
    module, ``figures/pixel_mi/jobs.py::measure``) with the ``__init__.py`` of their packages, and
    every dltheory module those import; paths relative to ``root`` (the repository), sorted. An
    entry point stays in its path (``…/jobs.py::measure``): :func:`file_of` gives the file."""
    entries = [f"src/dltheory/{m}" for m in dynamic]
    modules = [file_of(m) for m in entries]
    packages = {str(Path(m).parents[i] / "__init__.py") for m in modules for i in range(len(Path(m).parts) - 2)}
    roots = [f"workflow/scripts/{script}", *modules, *sorted(packages)]
    files = set(roots) | imported_modules(Path(root), *roots)
    return tuple(sorted((files - set(modules)) | set(entries)))


def file_of(path: str) -> str:
    """The file of a code path: ``…/jobs.py::measure`` -> ``…/jobs.py``."""
    return path.split("::")[0]


def digest(root: str | Path, paths) -> str:
    """SHA-256 over the files' syntax trees, docstrings removed (comments are not in the tree)."""
    h = hashlib.sha256()
    for path in paths:
        file, _, entry = path.partition("::")
        h.update(path.encode() + b"\0" + _meaning(Path(root) / file, entry).encode() + b"\0")
    return h.hexdigest()


@functools.cache
def _meaning(path: Path, entry: str = "") -> str:
    tree = ast.parse(path.read_text(), str(path))
    if entry:
        tree.body = _reached(tree.body, entry)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body and _is_docstring(body[0]):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False)


def _reached(body: list[ast.stmt], entry: str) -> list[ast.stmt]:
    """The module's statements without the function and class definitions that ``entry`` does not
    reach through the names it uses (transitively)."""
    definitions = {node.name: node for node in body if isinstance(node, DEFINITIONS)}
    if entry not in definitions:
        raise KeyError(f"no function {entry}() at the top level of the module")
    reached, todo = set(), [entry]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        used = {n.id for n in ast.walk(definitions[name]) if isinstance(n, ast.Name)}
        todo += [n for n in used & definitions.keys() if n not in reached]
    return [node for node in body if not isinstance(node, DEFINITIONS) or node.name in reached]


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
    """The statements run on import: the body, and the branches of its if/try/with blocks, except
    an ``if TYPE_CHECKING:`` body (imports for annotations only: the scorecard's :class:`Claim`
    named in the contract must not put the scorecard's code into every training job's digest)."""
    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            if not (field == "body" and _is_type_checking(node)):
                yield from _module_level(getattr(node, field, []))


def _is_type_checking(node: ast.stmt) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    test = getattr(node, "test", None) if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _module_file(root: Path, parts) -> str | None:
    """src/dltheory/a/b.py or src/dltheory/a/b/__init__.py for the module dltheory.a.b (as parts)."""
    stem = Path("src", *parts)
    for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
        if (root / candidate).is_file():
            return str(candidate)
    return None
