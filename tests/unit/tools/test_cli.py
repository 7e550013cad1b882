"""python -m dltheory: bad input is one ``error:`` line naming the file or key and how to fix it,
exit status 2 as the help text says, never a traceback; inspect, plan, bench and new alike."""

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dltheory.core import artifacts
from dltheory.tools.cli import main

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def refused(argv, capsys, *fragments):
    """main(argv) exits 2 with one error message holding every fragment."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err
    return err


def test_the_help_states_the_exit_statuses(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--help"])
    assert exit.value.code == 0
    assert "2  bad input" in capsys.readouterr().out


def test_inspect_refuses_what_is_not_an_artifact(tmp_path, capsys):
    (tmp_path / "folder").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "fake.npz").write_text("not a zip")
    (tmp_path / "fake.csv").write_bytes(b"")
    (tmp_path / "broken.json").write_text("[{")
    refused(["inspect", str(tmp_path / "missing.csv")], capsys, "no such artifact", "missing.csv")
    refused(["inspect", str(tmp_path / "folder")], capsys, "is a folder")
    refused(["inspect", str(tmp_path / "notes.txt")], capsys, "unsupported artifact type '.txt'", "allowed: .csv, .npz, .json")
    for name, what in [("fake.npz", "NPZ arrays"), ("fake.csv", "a CSV table"), ("broken.json", "JSON")]:
        refused(["inspect", str(tmp_path / name)], capsys, str(tmp_path / name), f"cannot be read as {what}")


def test_inspect_names_a_damaged_artifact_and_how_to_rebuild_it(tmp_path, capsys):
    table = tmp_path / "t.csv"
    artifacts.write_table(pd.DataFrame({"x": [1, 2]}), table, {"params": {}})
    table.write_text("x\n1\n")
    refused(["inspect", str(table)], capsys, "changed or damaged", f"rm {table} {tmp_path / 't.meta.json'} && snakemake {table}")


def test_inspect_of_good_artifacts_exits_0(tmp_path, capsys):
    artifacts.write_arrays({"a": np.ones(3)}, tmp_path / "a.npz", {"params": {}})
    with zipfile.ZipFile(tmp_path / "a.npz") as archive:
        assert archive.namelist() == ["a.npy"]
    assert main(["inspect", str(tmp_path / "a.npz")]) == 0 and "a " in capsys.readouterr().out


def test_plan_refuses_missing_unreadable_and_foreign_config_files(tmp_path, capsys, at_root):
    (tmp_path / "broken.yaml").write_text("phase_diagram: {compute: [\n")
    (tmp_path / "list.yaml").write_text("- device\n")
    refused(["plan", "--configfile", str(tmp_path / "missing.yaml")], capsys, "missing.yaml: no such config file")
    refused(["plan", "--configfile", str(tmp_path)], capsys, "is a folder")
    refused(["plan", "--configfile", str(tmp_path / "broken.yaml")], capsys, "broken.yaml is not valid YAML", "line")
    refused(["plan", "--configfile", str(tmp_path / "list.yaml")], capsys, "list.yaml: a config file maps keys to values", "holds a list")
    refused(["plan", "--profile", str(tmp_path / "nowhere")], capsys, "--profile", "no Snakemake profile there")


def test_plan_and_bench_refuse_a_bad_config_value_with_its_key(tmp_path, capsys, at_root):
    bad = tmp_path / "bad.yaml"
    bad.write_text("depth_accuracy: {compute: {width: -5, lerning_rate: 1}}\n")
    for argv in (["plan", "--configfile", str(bad)], ["bench", "ensembles", "--config", str(bad)]):
        refused(argv, capsys, "depth_accuracy.compute.width: -5", "'lerning_rate' was unexpected", "allowed keys:")
    refused(["bench", "information", "--config", str(tmp_path / "missing.yaml")], capsys, "no such config file")


def test_new_refuses_a_bad_name(capsys):
    refused(["new", "My-Figure"], capsys, "'My-Figure'", "lower-case Python identifier")
