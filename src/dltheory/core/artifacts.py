"""Plain, self-describing artifacts: tidy CSV / NPZ / JSON, each written atomically, with a sidecar.

Every table ``results/<figure>/<name>.csv`` has a sidecar ``<name>.meta.json`` recording what
made it: the config subset, seeds, device, package versions, git commit and wall time, and the
artifact's SHA-256. Writes go to a temporary name in the same folder and are moved into place with
``os.replace``, so a killed job never leaves a half-written artifact under its final name. An
artifact changed or damaged after it was written no longer matches its sidecar's SHA-256: reading
it raises :class:`ArtifactError`, and the workflow refuses to start (:func:`damaged_artifacts`)
before any job could read it or Snakemake could delete what depends on it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PACKAGES = ("numpy", "scipy", "pandas", "torch", "matplotlib", "seaborn", "scikit-learn")


def sidecar_path(path: str | os.PathLike) -> Path:
    """``results/x/table.csv`` -> ``results/x/table.meta.json`` (only the last suffix is replaced:
    ``fits.v2.csv`` -> ``fits.v2.meta.json``). The workflow declares sidecars with this function."""
    return Path(path).with_suffix(".meta.json")


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json(obj: Any, path: str | os.PathLike) -> None:
    text = json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text))


def _json_default(value):
    if isinstance(value, (np.generic,)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, cwd=Path(__file__).parent)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def provenance(params: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The sidecar record: parameters, extras (seeds, device, wall time...), versions, commit."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return {"params": params, **extra, "versions": versions, "git_commit": git_commit(), "platform": platform.platform()}


class InputError(RuntimeError):
    """Bad input the user can fix -- a missing data file, a damaged artifact -- with a message that
    says how. :func:`log_to` logs it as one ``ERROR:`` line, without a traceback."""


class ArtifactError(InputError):
    """An artifact does not match its sidecar (changed or damaged after it was written), or its
    sidecar cannot be read; the message names the files and how to rebuild them."""


def write_table(df: pd.DataFrame, path: str | os.PathLike, meta: dict[str, Any]) -> None:
    """Tidy CSV (one row per run or grid point) plus its sidecar."""
    atomic_write(path, lambda tmp: df.to_csv(tmp, index=False))
    _write_sidecar(path, meta)


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    verify_artifact(path)
    return pd.read_csv(path)


def write_arrays(arrays: dict[str, np.ndarray], path: str | os.PathLike, meta: dict[str, Any]) -> None:
    """Named arrays as a compressed ``.npz`` (no pickles: ``np.load(path)`` opens it) plus its sidecar."""
    atomic_write(path, lambda tmp: np.savez_compressed(tmp, **arrays))
    _write_sidecar(path, meta)


def read_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    verify_artifact(path)
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def write_document(obj: Any, path: str | os.PathLike, meta: dict[str, Any]) -> None:
    """A JSON document (such as a figure's ``claims.json``) plus its sidecar."""
    write_json(obj, path)
    _write_sidecar(path, meta)


def read_document(path: str | os.PathLike) -> Any:
    """The JSON document at ``path``, verified against its sidecar; :class:`ArtifactError` (naming
    the file and how to rebuild it) if it is damaged or is not JSON."""
    verify_artifact(path)
    try:
        return json.loads(Path(path).read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArtifactError(f"{path} is not a JSON document ({error}). {rebuild_hint(path)}") from None


def rebuild_hint(*paths: str | os.PathLike, options: str = "") -> str:
    """How to rebuild damaged artifacts: delete them with their sidecars and ask Snakemake for
    each by name (asked for a figure instead, Snakemake would call a figure whose artifact is
    missing up to date). ``options``: the run's own ``--configfile``/``--config``, so that the
    rebuild is made at the scale the user built."""
    files = [str(f) for path in paths for f in (path, sidecar_path(path)) if Path(f).exists()]
    return f"Delete and rebuild: rm {' '.join(files)} && snakemake {' '.join(map(str, paths))}{' ' + options if options else ''}"


def sha256(path: str | os.PathLike) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _write_sidecar(path: str | os.PathLike, meta: dict[str, Any]) -> None:
    write_json({**meta, "file": Path(path).name, "sha256": sha256(path)}, sidecar_path(path))


def verify_artifact(path: str | os.PathLike) -> None:
    """Raise :class:`ArtifactError` if ``path`` differs from the SHA-256 its sidecar recorded. A file
    without a sidecar (made by hand, or before sidecars carried digests) is not checked."""
    path, sidecar = Path(path), sidecar_path(path)
    if sidecar.exists():
        _check_digest(path, sidecar, _read_sidecar(sidecar))


def _check_digest(path: Path, sidecar: Path, meta: dict[str, Any], options: str = "") -> None:
    recorded = meta.get("sha256")
    if recorded is not None and sha256(path) != recorded:
        raise ArtifactError(
            f"{path} was changed or damaged after it was written: its SHA-256 is not the one recorded in {sidecar}. "
            + rebuild_hint(path, options=options)
        )


def _read_sidecar(sidecar: Path, options: str = "") -> dict[str, Any]:
    artifact = sidecar.with_name(sidecar.name.removesuffix(".meta.json"))
    try:
        meta = json.loads(sidecar.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        meta = error
    if not isinstance(meta, dict):
        what = f"cannot be read ({meta})" if isinstance(meta, Exception) else "is not a JSON object"
        # the artifact's extension is not in the sidecar's name: name whichever file is there
        damaged = [p for p in sidecar.parent.glob(f"{artifact.name}.*") if p != sidecar and not p.name.startswith(".")]
        raise ArtifactError(f"{sidecar} {what}. {rebuild_hint(*(damaged or [sidecar]), options=options)}") from None
    return meta


def damaged_artifacts(root: str | os.PathLike, options: str = "") -> list[str]:
    """One message per artifact under ``root`` that does not match its sidecar, or per sidecar that
    cannot be read, each with the command that rebuilds it (``options``: the run's own
    ``--configfile``/``--config``). Artifacts that are missing are not listed: Snakemake rebuilds
    those it needs."""
    problems = []
    for sidecar in sorted(Path(root).rglob("*.meta.json")):
        try:
            meta = _read_sidecar(sidecar, options)
            path = sidecar.parent / meta.get("file", "")
            if "file" in meta and path.exists():
                _check_digest(path, sidecar, meta, options)
        except ArtifactError as error:
            problems.append(str(error))
    return problems


@contextlib.contextmanager
def log_to(path: str | os.PathLike) -> Iterator[Callable[[str], None]]:
    """Send stdout, stderr and any traceback to the rule's log file; yield a timestamped logger.
    An :class:`InputError` ends the job with its message (in the log and on stderr) and exit code 1."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with open(path, "w", buffering=1) as handle, contextlib.redirect_stdout(handle), contextlib.redirect_stderr(handle):

        def log(message: str) -> None:
            print(f"[{time.perf_counter() - start:8.1f}s] {message}", flush=True)

        try:
            yield log
        except InputError as error:  # the user's to fix: the message, not the program's insides
            for stream in (handle, sys.__stderr__):
                print(f"ERROR: {error}", file=stream, flush=True)
            raise SystemExit(1) from None
        except BaseException:
            traceback.print_exc(file=handle)
            raise
        log("done")


class Timer:
    """Wall time of a block: ``with Timer() as t: ...; t.seconds``."""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start


def sha256_manifest(paths: list[str | os.PathLike]) -> str:
    """``figures/all``: one ``<sha256 hex>  <path>`` line per file, the format ``sha256sum -c`` checks."""
    return "".join(f"{sha256(p)}  {p}\n" for p in paths)
