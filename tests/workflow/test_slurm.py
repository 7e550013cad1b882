"""The SLURM profile against a real single-node SLURM cluster started by the test.

The fixture writes a slurm.conf for this one host (its own ports, state and spool folders, and a
munge key in a temporary folder), starts munged, slurmctld and slurmd, and stops them afterwards.
The node declares one GPU (a GRES with no device behind it) and enough CPUs and memory for the
profile's paper-scale requests, so the profile's sbatch requests are scheduled exactly as written
(`SlurmdParameters=config_overrides` lets a node declare more than the machine has). Needs
Debian's slurm-wlm and munge, root (slurmd launches jobs), and snakemake-executor-plugin-slurm
(envs/requirements-slurm.txt); CI installs all three and makes this test run, not skip.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import ROOT, copy_repo, require_system, snakemake

from dltheory.core.registry import registry

pytestmark = pytest.mark.workflow

PROFILE = yaml.safe_load((ROOT / "profiles/slurm/config.yaml").read_text())
FIGURE = "phase_diagram"  # a smoke figure with a CPU job and a GPU job
JOBS = ("phase_diagram_theory", "phase_diagram_propagation")  # the rest are localrules
GPU_JOBS = ("phase_diagram_propagation",)  # asks sbatch --gpus=1 unless `device: cpu`


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SLURM_CONF = """\
ClusterName=dltheory-test
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={dir}/munge/munge.socket
StateSaveLocation={dir}/state
SlurmdSpoolDir={dir}/spool
SlurmctldPidFile={dir}/slurmctld.pid
SlurmdPidFile={dir}/slurmd.pid
SlurmctldLogFile={dir}/log/slurmctld.log
SlurmdLogFile={dir}/log/slurmd.log
# No cgroups in a container: track processes by parent, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# No accounting daemon: Snakemake checks job states with squeue, which keeps finished jobs this long.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MinJobAge=600
ReturnToService=2
GresTypes=gpu
SlurmdParameters=config_overrides
NodeName={host} NodeAddr=127.0.0.1 CPUs=16 RealMemory=64000 Gres=gpu:1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""


def start_cluster(folder: Path) -> dict:
    """Start munged, slurmctld and slurmd for this host; return the environment that reaches them."""
    host = socket.gethostname().split(".")[0]
    for sub in ("munge", "state", "spool", "log", "bin"):
        (folder / sub).mkdir(mode=0o700)
    key = folder / "munge/munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o400)
    conf = folder / "slurm.conf"
    conf.write_text(SLURM_CONF.format(host=host, dir=folder, ctld_port=free_port(), d_port=free_port()))
    (folder / "gres.conf").write_text(f"NodeName={host} Name=gpu File=/dev/null\n")
    # The jobstep plugin clears SLURM_* (SLURM_CONF included) before its srun inside each job; on
    # a real cluster srun finds /etc/slurm/slurm.conf, here it is pointed at this one.
    srun = folder / "bin/srun"
    srun.write_text(f'#!/bin/sh\nSLURM_CONF={conf} exec {shutil.which("srun")} "$@"\n')
    srun.chmod(0o755)
    env = {
        **os.environ,
        "SLURM_CONF": str(conf),
        "PATH": os.pathsep.join([str(folder / "bin"), str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    munge = folder / "munge"
    subprocess.run(
        [
            "munged",
            "--force",
            f"--key-file={key}",
            f"--socket={munge}/munge.socket",
            f"--pid-file={munge}/munged.pid",
            f"--log-file={munge}/munged.log",
            f"--seed-file={munge}/munged.seed",
        ],
        check=True,
    )
    subprocess.run(["slurmctld", "-i"], env=env, check=True)
    subprocess.run(["slurmd"], env=env, check=True)
    deadline = time.monotonic() + 60
    while subprocess.run(["sinfo", "-h", "-o", "%T"], env=env, capture_output=True, text=True).stdout.strip() != "idle":
        assert time.monotonic() < deadline, (folder / "log/slurmctld.log").read_text() + (folder / "log/slurmd.log").read_text()
        time.sleep(0.5)
    return env


def stop_cluster(folder: Path, env: dict) -> None:
    subprocess.run(["scontrol", "shutdown"], env=env, capture_output=True)  # slurmctld and slurmd
    subprocess.run(["munged", "--stop", f"--socket={folder}/munge/munge.socket"], capture_output=True)
    for pidfile in ("slurmctld.pid", "slurmd.pid", "munge/munged.pid"):  # whatever did not stop
        path = folder / pidfile
        if path.exists():
            subprocess.run(["kill", path.read_text().strip()], capture_output=True)


@pytest.fixture(scope="module")
def slurm_env(tmp_path_factory):
    missing = [tool for tool in ("munged", "slurmctld", "slurmd", "sbatch", "squeue") if shutil.which(tool) is None]
    if missing:
        require_system(f"SLURM/munge not installed ({', '.join(missing)}): apt-get install slurm-wlm munge")
    if os.geteuid() != 0:
        require_system("slurmd must run as root to launch jobs")
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        require_system("pip install -r envs/requirements-slurm.txt")
    folder = tmp_path_factory.mktemp("slurm")
    env = start_cluster(folder)
    yield env
    stop_cluster(folder, env)


# Snakemake's SLURM executor against this cluster: squeue for job states (no accounting daemon), no account.
SLURM_FLAGS = (
    "--workflow-profile",
    "profiles/slurm",
    "--slurm-status-command",
    "squeue",
    "--slurm-no-account",
    "--slurm-init-seconds-before-status-checks",
    "1",
)


def queue(env: dict, fields: list[str]) -> pd.DataFrame:
    """Every job squeue still lists (finished ones included: MinJobAge), with ``fields`` as columns."""
    out = subprocess.run(
        ["squeue", "-h", "-t", "all", "-O", ",".join(f"{f}:|" for f in fields)], env=env, capture_output=True, text=True, check=True
    ).stdout
    return pd.DataFrame([line.split("|")[: len(fields)] for line in out.splitlines()], columns=fields)


def test_smoke_figure_builds_through_slurm(slurm_env, tmp_path):
    repo = copy_repo(tmp_path)
    run = snakemake(
        repo,
        f"figures/{FIGURE}.pdf",
        "--configfile",
        "config/smoke.yaml",
        "--config",
        "device=auto",  # smoke.yaml says cpu, which asks no GPU; auto asks one and runs on the CPU of this node
        *SLURM_FLAGS,
        env=slurm_env,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (repo / f"figures/{FIGURE}.pdf").stat().st_size > 0 and (repo / f"results/{FIGURE}/claims.json").exists()

    # The queue saw exactly the compute jobs, each finished, with the profile's requests.
    jobs = queue(slurm_env, ["JobID", "Comment", "State", "NumCPUs", "MinMemory", "TimeLimit", "tres-per-job"])
    jobs = jobs[jobs.Comment.str.startswith("rule_")]  # the comment names the rule
    assert sorted(jobs.Comment) == sorted(f"rule_{rule}" for rule in JOBS), jobs
    assert (jobs.State == "COMPLETED").all(), jobs
    for rule in JOBS:
        job = jobs[jobs.Comment == f"rule_{rule}"].iloc[0]
        wanted = {**PROFILE["default-resources"], **PROFILE["set-resources"].get(rule, {})}
        assert job.MinMemory == f"{wanted['mem_mb']}M", (rule, job.MinMemory)
        assert job.TimeLimit == time_limit(wanted["runtime"]), (rule, job.TimeLimit)
        assert int(job.NumCPUs) == PROFILE["set-threads"].get(rule, 1), (rule, job.NumCPUs)
        assert job["tres-per-job"] == ("gres:gpu:1" if rule in GPU_JOBS else "N/A"), (rule, job["tres-per-job"])
    assert "layers/s" in (repo / f"logs/{FIGURE}/propagation.log").read_text()  # written by the job on the node


def test_shards_run_as_separate_cluster_jobs_and_gather_into_the_local_figure(slurm_env, tmp_path):
    """depth_accuracy trains one job per dataset x optimizer x depth: through SLURM each shard is
    its own cluster job, and the tables they write, gathered by the claims and the plot, are
    byte-identical to a local build's at the same thread count (the profile's, 4)."""
    cluster, local = copy_repo(tmp_path / "cluster"), copy_repo(tmp_path / "local")
    # One optimizer: its depths are the shards (each cluster job waits for the executor's
    # status checks, which back off by 10 s while nothing finishes: a shard costs ~25 s here).
    one_panel = tmp_path / "one_panel.yaml"
    one_panel.write_text("depth_accuracy: {compute: {optimizers: [sgd]}}\n")
    configs = ("--configfile", "config/smoke.yaml", str(one_panel))
    target = "figures/depth_accuracy.pdf"
    run = snakemake(cluster, target, *configs, *SLURM_FLAGS, env=slurm_env, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    threads = str(PROFILE["set-threads"]["depth_accuracy_train"])
    run = snakemake(local, target, *configs, "--cores", threads, "--set-threads", f"depth_accuracy_train={threads}")
    assert run.returncode == 0, run.stdout + run.stderr

    shards = sorted(p.name for p in (local / "results/depth_accuracy").glob("*_L*.csv"))
    assert len(shards) >= 2  # the smoke config's depths (2 at least), of the one optimizer
    jobs = queue(slurm_env, ["JobID", "Comment", "State"])
    trained = jobs[jobs.Comment.str.startswith("rule_depth_accuracy_train")]  # a shard's comment carries its wildcards
    assert len(trained) == len(shards) and trained.JobID.nunique() == len(shards), jobs
    assert (trained.State == "COMPLETED").all(), jobs
    for name in shards:
        assert (cluster / "results/depth_accuracy" / name).read_bytes() == (local / "results/depth_accuracy" / name).read_bytes(), name
    read_claims = lambda repo: [  # noqa: E731
        {k: c[k] for k in ("claim", "measured", "verdict")} for c in json.loads((repo / "results/depth_accuracy/claims.json").read_text())
    ]
    assert read_claims(cluster) == read_claims(local)


def time_limit(minutes: int) -> str:
    """squeue's TimeLimit for a runtime in minutes: M:SS under an hour, else H:MM:SS."""
    hours, mins = divmod(minutes, 60)
    return f"{hours}:{mins:02d}:00" if hours else f"{mins}:00"


@pytest.mark.parametrize("device, gpus", [("auto", 1), ("cpu", 0)])
def test_device_cpu_is_the_one_switch_for_a_cluster_without_gpus(tmp_path, device, gpus):
    """Every torch training job asks one GPU (sbatch --gpus) unless `device: cpu`, which asks none:
    a dry run prints each job's resources."""
    repo = copy_repo(tmp_path)
    run = snakemake(
        repo,
        "figures/all",
        "--configfile",
        "config/smoke.yaml",
        "--config",
        f"device={device}",
        "-n",
        "--workflow-profile",
        "profiles/slurm",
        "--executor",
        "local",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    blocks = re.split(r"^(?=(?:local)?rule \w+:)", run.stdout, flags=re.M)
    asked = {
        re.match(r"(?:local)?rule (\w+):", b).group(1): re.search(r"resources: .*\bgpu=(\d+)", b)
        for b in blocks
        if re.match(r"(?:local)?rule \w+:", b)
    }
    torch_steps = {f"{fig.name}_{step.name}" for fig in registry() for step in fig.steps if step.device and step.gpu}
    assert "depth_accuracy_train" in torch_steps  # the registry is read, not empty
    assert {rule for rule, gpu in asked.items() if gpu and int(gpu.group(1))} == (torch_steps if gpus else set())
    assert not any(rule_gpu.get("gpu") for rule_gpu in PROFILE["set-resources"].values())  # the profile asks none itself
