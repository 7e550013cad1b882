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

Parsing and dumping the syntax trees of the ~80 modules the jobs run was a quarter of every
Snakemake start (dry runs included). What each file gives (its imports, its statements' dumps) is
kept in :data:`STORE` under the file's path and SHA-256, so a start reparses only the files that
changed since the last (:func:`save_store`, called once the workflow's rules are defined). A
file's content decides its entry, so a stale entry is never used; a store that cannot be read is
rebuilt.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from dltheory.core.artifacts import atomic_write

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
STORE = ".snakemake/dltheory-code-facts.json"  # under the workflow's folder, beside Snakemake's own state


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
        h.update(path.encode() + b"\0" + _meaning(Path(root), file, entry).encode() + b"\0")
    return h.hexdigest()


@functools.cache
def _meaning(root: Path, path: str, entry: str = "") -> str:
    """``ast.dump`` of the file's module (docstrings removed), or of the part of it that ``entry``
    reaches (:func:`_reached`), joined from its statements' dumps."""
    statements = _facts(root, path)["statements"]
    if entry:
        statements = _reached(statements, entry)
    return f"Module([{', '.join(dump for _, _, dump in statements)}], [])"


def _reached(statements, entry: str):
    """The module's statements without the function and class definitions that ``entry`` does not
    reach through the names it uses (transitively)."""
    used_by = {name: set(used) for name, used, _ in statements if name is not None}
    if entry not in used_by:
        raise KeyError(f"no function {entry}() at the top level of the module")
    reached, todo = set(), [entry]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        todo += [n for n in used_by[name] & used_by.keys() if n not in reached]
    return [statement for statement in statements if statement[0] is None or statement[0] in reached]


def _facts(root: Path, path: str) -> dict:
    """What the file ``path`` (relative to ``root``) gives the digests: from the store when its
    content is unchanged, else parsed (:func:`_parse`) and added to it."""
    data = (root / path).read_bytes()
    key = f"{path} {hashlib.sha256(data).hexdigest()}"
    store = _store(root)
    if key not in store.known:
        store.known[key] = _parse(data.decode(), path)
        store.changed = True
    store.used[key] = store.known[key]
    return store.known[key]


@dataclass
class _Store:
    known: dict  # every stored entry, by "path sha256"
    used: dict = field(default_factory=dict)  # the entries this process used
    changed: bool = False  # a file was parsed afresh


@functools.cache
def _store(root: Path) -> _Store:
    """The stored facts of ``root``'s files (none when there is no store yet, or it is unreadable)."""
    try:
        known = json.loads((root / STORE).read_text())
    except (OSError, ValueError):
        known = {}
    return _Store(known if isinstance(known, dict) else {})


def save_store(root: str | Path) -> None:
    """Write the facts this process used (the entries of files edited since are dropped), when a
    file was parsed afresh; a store that cannot be written is only a slower next start."""
    store = _store(Path(root))
    if store.changed:
        try:
            atomic_write(Path(root) / STORE, lambda tmp: tmp.write_text(json.dumps(store.used)))
        except OSError:
            pass


def _parse(text: str, path: str) -> dict:
    """The file's module-level imports (dotted names, relative ones resolved) and its top-level
    statements, docstrings removed: [name defined (a function or class) or None, names it uses
    (for a definition), ast.dump]."""
    tree = ast.parse(text, path)
    package = Path(path).parent.relative_to("src").parts if path.startswith("src/") else ()
    imports = []
    for node in _module_level(tree.body):
        if isinstance(node, ast.Import):
            imports += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from dltheory.x import y, from dltheory import x
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            imports += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body and _is_docstring(body[0]):
            node.body = body[1:] or [ast.Pass()]
    statements = [
        [node.name, sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)}), ast.dump(node, annotate_fields=False)]
        if isinstance(node, DEFINITIONS)
        else [None, [], ast.dump(node, annotate_fields=False)]
        for node in tree.body
    ]
    return {"imports": imports, "statements": statements}


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


@functools.cache  # many scripts import the same modules
def _direct_imports(root: Path, path: str) -> frozenset[str]:
    """src/dltheory files named by one file's module-level ``import``/``from  import``
    statements, with the packages' __init__.py. Imports inside functions are left out: they run
    only with that function (the job runner imports plotting inside its plot job, so that editing the
    plotting code reruns the plots and never the training)."""
    parts = [name.split(".") for name in _facts(root, path)["imports"] if name.split(".")[0] == "dltheory"]
    files = (_module_file(root, tuple(p[:n])) for p in parts for n in range(1, len(p) + 1))
    return frozenset(f for f in files if f is not None)


def _module_level(statements):
    """The statements run on import: the body, and the branches of its if/try/with blocks, except
    an ``if TYPE_CHECKING:`` body (imports for annotations only: the scorecard's :class:`Claim`
    named in the contract must not put the scorecard's code into every training job's digest)."""
    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield node
        for branch in ("body", "orelse", "finalbody", "handlers"):
            if not (branch == "body" and _is_type_checking(node)):
                yield from _module_level(getattr(node, branch, []))


def _is_type_checking(node: ast.stmt) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    test = getattr(node, "test", None) if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


@functools.cache  # every module names dltheory, dltheory.core, ...: look each one up once
def _module_file(root: Path, parts: tuple[str, ...]) -> str | None:
    """src/dltheory/a/b.py or src/dltheory/a/b/__init__.py for the module dltheory.a.b (as parts)."""
    stem = Path("src", *parts)
    for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
        if (root / candidate).is_file():
            return str(candidate)
    return None
