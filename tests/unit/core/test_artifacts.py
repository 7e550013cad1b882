"""dltheory.core.artifacts, dltheory.core.claims and the inspect command."""

import json
import subprocess
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from dltheory.core import artifacts
from dltheory.core.claims import claim, write_claims
from dltheory.tools.cli import main
from dltheory.tools.inspect import summarize


def test_table_and_sidecar_are_written_atomically(tmp_path):
    df = pd.DataFrame({"sigma_w2": [1.0, 2.0], "xi_c": [3.5, np.inf], "phase": ["ordered", "chaotic"]})
    path = tmp_path / "deep" / "table.csv"
    artifacts.write_table(df, path, artifacts.provenance({"a": 1}, seeds=[0, 1]))
    assert sorted(p.name for p in path.parent.iterdir()) == ["table.csv", "table.meta.json"]  # no temporaries left
    pd.testing.assert_frame_equal(artifacts.read_table(path), df)
    meta = json.loads(artifacts.sidecar_path(path).read_text())
    assert meta["params"] == {"a": 1} and meta["seeds"] == [0, 1] and "numpy" in meta["versions"]


def test_failed_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("old")

    def broken(tmp):
        tmp.write_text("half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        artifacts.atomic_write(path, broken)
    assert path.read_text() == "old" and list(tmp_path.iterdir()) == [path]


def test_manifest_is_checked_by_sha256sum(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # manifest paths are relative to the repo root, here tmp_path
    for name in ("a.pdf", "b.png"):
        (tmp_path / name).write_bytes(name.encode() * 100)
    (tmp_path / "all").write_text(artifacts.sha256_manifest(["a.pdf", "b.png"]))
    subprocess.run(["sha256sum", "-c", "all"], cwd=tmp_path, check=True, capture_output=True)
    (tmp_path / "b.png").write_bytes(b"changed")
    assert subprocess.run(["sha256sum", "-c", "all"], cwd=tmp_path, capture_output=True).returncode != 0


def test_inspect_summarizes_every_artifact_type(tmp_path, capsys):
    df = pd.DataFrame({"layer": [0, 1, 2], "c": [0.1, 0.5, np.nan], "activation": "tanh"})
    artifacts.write_table(df, tmp_path / "t.csv", artifacts.provenance({"width": 8}, seeds=list(range(10))))
    np.savez(tmp_path / "a.npz", corr=np.ones((2, 3)))
    write_claims(
        [replace(claim("x", source="s", expected="1", measured="1", passed=True, value=1.0), figure="fig")],
        tmp_path / "claims.json",
        {"params": {}},
    )
    text = summarize(tmp_path / "t.csv")
    assert "3 rows x 3 columns" in text and "(1 non-finite)" in text and "0..9 (10 seeds)" in text and '"width": 8' in text
    assert "corr" in summarize(tmp_path / "a.npz") and "(2, 3)" in summarize(tmp_path / "a.npz")
    assert "1 of 1 claims pass" in summarize(tmp_path / "claims.json")
    assert main(["inspect", str(tmp_path / "t.csv")]) == 0
    assert main(["inspect", str(tmp_path / "missing.csv")]) == 2
    assert "no such artifact" in capsys.readouterr().err


def test_sidecar_replaces_only_the_last_suffix():
    # The workflow declares sidecars with this function (common.smk's meta()); the writer uses it
    # too, so a dotted name such as fits.v2.csv has one sidecar path on both sides.
    assert str(artifacts.sidecar_path("results/x/fits.v2.csv")) == "results/x/fits.v2.meta.json"
    assert str(artifacts.sidecar_path("results/x/table.csv")) == "results/x/table.meta.json"
