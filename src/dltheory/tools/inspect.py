"""``python -m dltheory inspect PATH``: a readable summary of any artifact (CSV, NPZ, JSON)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from dltheory.core.artifacts import InputError, sidecar_path, verify_artifact
from dltheory.core.claims import Claim, scorecard

READERS = {".csv": "a CSV table", ".npz": "NPZ arrays", ".json": "JSON"}


def summarize(path: str | Path) -> str:
    """The summary of one artifact; :class:`InputError` naming the file and what is wrong with it
    (missing, a folder, another type, damaged, or not what its extension says)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"no such artifact: {path} (artifacts are under results/<figure>/)")
    if path.is_dir():
        raise InputError(f"{path} is a folder; inspect takes artifact files, e.g. {path}/*.csv")
    kind = {".csv": _csv, ".npz": _npz, ".json": _json}.get(path.suffix)
    if kind is None:
        raise InputError(f"{path}: unsupported artifact type {path.suffix!r}; allowed: .csv, .npz, .json")
    verify_artifact(path)
    sidecar = sidecar_path(path)
    try:
        text = kind(path)
        if path.suffix != ".json" and sidecar.exists():
            text += "\n" + _sidecar(json.loads(sidecar.read_text()), sidecar)
    except (OSError, EOFError, ValueError, TypeError, KeyError, zipfile.BadZipFile) as error:
        # pandas' and json's parse errors are ValueErrors; np.load raises BadZipFile, EOFError, OSError
        raise InputError(f"{path} cannot be read as {READERS[path.suffix]} ({error}); is it an artifact of this workflow?") from None
    return text


def _csv(path: Path) -> str:
    df = pd.read_csv(path)
    lines = [f"{path}: table, {len(df)} rows x {df.shape[1]} columns", ""]
    rows = []
    for name, col in df.items():
        if pd.api.types.is_numeric_dtype(col):
            finite = col[np.isfinite(col.astype(float))]
            stats = f"min {finite.min():.6g}  mean {finite.mean():.6g}  max {finite.max():.6g}" if len(finite) else "no finite values"
            extra = f"  ({len(col) - len(finite)} non-finite)" if len(finite) < len(col) else ""
            rows.append(f"  {name:<22} {str(col.dtype):<8} {col.nunique():>7} distinct  {stats}{extra}")
        else:
            top = ", ".join(f"{v} ({n})" for v, n in col.value_counts().head(4).items())
            rows.append(f"  {name:<22} {str(col.dtype):<8} {col.nunique():>7} distinct  {top}")
    lines += ["columns:", *rows, "", "first rows:", df.head(5).to_string(index=False)]
    return "\n".join(lines) + "\n"


def _npz(path: Path) -> str:
    lines = [f"{path}: arrays"]
    with np.load(path, allow_pickle=False) as data:
        for name in data.files:
            a = data[name]
            stats = ""
            if a.size and np.issubdtype(a.dtype, np.number):
                f = a[np.isfinite(a)] if np.issubdtype(a.dtype, np.floating) else a
                stats = f"  min {f.min():.6g}  mean {f.mean():.6g}  max {f.max():.6g}" if f.size else "  no finite values"
            lines.append(f"  {name:<24} {str(a.shape):<18} {a.dtype}{stats}")
    return "\n".join(lines) + "\n"


def _json(path: Path) -> str:
    data = json.loads(path.read_text())
    if isinstance(data, list) and data and isinstance(data[0], dict) and "verdict" in data[0]:
        return f"{path}: {len(data)} claims\n\n" + scorecard([Claim(**c) for c in data])
    if isinstance(data, dict) and "params" in data and "versions" in data:
        return _sidecar(data, path)
    return f"{path}:\n" + json.dumps(data, indent=2) + "\n"


def _sidecar(meta: dict, path: Path) -> str:
    lines = [f"provenance ({path}):"]
    for key in ("seeds", "device", "threads", "wall_time_s", "git_commit", "platform"):
        if key in meta:
            value = meta[key]
            if key == "seeds" and isinstance(value, list) and len(value) > 6:
                value = f"{value[0]}..{value[-1]} ({len(value)} seeds)"
            lines.append(f"  {key:<12} {value}")
    lines.append("  versions     " + ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items()))
    lines.append("  params       " + json.dumps(meta.get("params", {}), sort_keys=True))
    return "\n".join(lines) + "\n"
