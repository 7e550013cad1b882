"""Code digests: the code a job runs, judged by meaning. Known answers on small modules written
here: a docstring or comment changes no digest, a statement does; an entry point's digest covers
what it reaches in its module and nothing else; imports are followed transitively."""

from pathlib import Path

import pytest

from dltheory.core.code_digest import code_files, digest

JOBS = '''"""Two entry points sharing a helper."""

SCALE = 2


def shared(x):
    return SCALE * x


def first(job):
    """The first step."""
    return shared(1)


def second(job):
    return 2
'''


def write(root: Path, text: str) -> None:
    package = root / "src/dltheory/figures/toy"
    package.mkdir(parents=True, exist_ok=True)
    for init in (root / "src/dltheory/__init__.py", root / "src/dltheory/figures/__init__.py", package / "__init__.py"):
        init.touch()
    (package / "jobs.py").write_text(text)
    (root / "workflow/scripts").mkdir(parents=True, exist_ok=True)
    (root / "workflow/scripts/run.py").write_text("print('run')\n")


def forget(code_digest) -> None:
    """A new Snakemake start: nothing cached in the process (the store on disk stays)."""
    for cached in (code_digest._meaning, code_digest.code_files, code_digest._direct_imports, code_digest._module_file, code_digest._store):
        cached.cache_clear()


def digests(root: Path, text: str) -> tuple[str, str]:
    write(root, text)
    from dltheory.core import code_digest

    forget(code_digest)
    return tuple(digest(root, code_files(root, "run.py", f"figures/toy/jobs.py::{step}")) for step in ("first", "second"))


@pytest.mark.parametrize(
    "edit, first_changes, second_changes",
    [
        (lambda t: t.replace('"""The first step."""', '"""The first step, reworded."""'), False, False),
        (lambda t: t + "\n# a comment\n", False, False),
        (lambda t: t.replace("return shared(1)", "return shared(3)"), True, False),  # one entry point
        (lambda t: t.replace("return 2\n", "return 3\n"), False, True),
        (lambda t: t.replace("return SCALE * x", "return SCALE + x"), True, False),  # a helper: the entry points that reach it
        (lambda t: t.replace("SCALE = 2", "SCALE = 3"), True, True),  # module-level statements: every entry point
        (lambda t: t + "\n\ndef unused():\n    return 0\n", False, False),  # a function no entry point reaches
    ],
)
def test_an_entry_points_digest_follows_what_it_reaches(tmp_path, edit, first_changes, second_changes):
    before = digests(tmp_path, JOBS)
    after = digests(tmp_path, edit(JOBS))
    assert (before[0] != after[0], before[1] != after[1]) == (first_changes, second_changes)


def test_the_files_of_a_job_follow_its_imports(tmp_path):
    write(tmp_path, "from dltheory.science.model import f\n\n\ndef first(job):\n    return f()\n")
    science = tmp_path / "src/dltheory/science"
    science.mkdir()
    (science / "__init__.py").touch()
    (science / "model.py").write_text("from dltheory.science.helper import g\n\n\ndef f():\n    return g()\n")
    (science / "helper.py").write_text("def g():\n    return 1\n")
    assert code_files(tmp_path, "run.py", "figures/toy/jobs.py::first") == (
        "src/dltheory/__init__.py",
        "src/dltheory/figures/__init__.py",
        "src/dltheory/figures/toy/__init__.py",
        "src/dltheory/figures/toy/jobs.py::first",
        "src/dltheory/science/__init__.py",
        "src/dltheory/science/helper.py",
        "src/dltheory/science/model.py",
        "workflow/scripts/run.py",
    )


def test_imports_for_annotations_only_are_not_followed(tmp_path):
    # `if TYPE_CHECKING:` never runs: what it imports is not code the job runs.
    write(
        tmp_path,
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from dltheory.science.model import f\n\n\ndef first(job):\n    return 1\n",
    )
    science = tmp_path / "src/dltheory/science"
    science.mkdir()
    (science / "__init__.py").touch()
    (science / "model.py").write_text("def f():\n    return 1\n")
    assert not any("science" in path for path in code_files(tmp_path, "run.py", "figures/toy/jobs.py::first"))


def test_an_unknown_entry_point_is_an_error(tmp_path):
    write(tmp_path, JOBS)
    with pytest.raises(KeyError, match="third"):
        digest(tmp_path, ["src/dltheory/figures/toy/jobs.py::third"])


def test_the_store_gives_the_digests_of_a_fresh_parse_and_never_a_stale_one(tmp_path, monkeypatch):
    """A start after a saved one takes every file from the store (parsing is made to fail); an
    edited file is parsed again; an unreadable store is rebuilt."""
    from dltheory.core import code_digest

    fresh = digests(tmp_path, JOBS)
    code_digest.save_store(tmp_path)
    assert (tmp_path / code_digest.STORE).is_file()

    parse = code_digest._parse
    monkeypatch.setattr(code_digest, "_parse", lambda *args: pytest.fail("parsed a file the store holds"))
    assert digests(tmp_path, JOBS) == fresh

    parsed = []
    monkeypatch.setattr(code_digest, "_parse", lambda text, path: parsed.append(path) or parse(text, path))
    edited = digests(tmp_path, JOBS.replace("return 2\n", "return 3\n"))
    assert parsed == ["src/dltheory/figures/toy/jobs.py"] and edited[1] != fresh[1]

    (tmp_path / code_digest.STORE).write_text("{not json")
    assert digests(tmp_path, JOBS) == fresh
