"""One run at a time in a project directory, and no job outliving its run.

Snakemake's own lock keeps two runs from writing the same outputs, but it cannot tell a live run
from a dead one: after ``kill -9`` it says the directory is locked "likely caused by a kill
signal" and suggests ``--unlock``, in the same words while the first run is still alive; and a
hard-killed Snakemake leaves its running jobs behind, still writing. Two pieces close that gap:

* **The run record** ``.snakemake/dltheory-run.json``: the process id, start time and command of
  the live run. The workflow writes it when its jobs are about to start and removes it when the
  run ends; a run that finds another's record whose process is alive refuses to start, and
  ``--unlock`` is refused too. A record whose process is gone (a hard kill) is stale: it is
  replaced, and the lock Snakemake kept is then safe to remove.
* **The job watch** (:func:`stop_with_snakemake`): every job started by Snakemake stops, without
  writing its outputs, when the Snakemake process that started the run is gone.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import psutil

RECORD = Path(".snakemake/dltheory-run.json")
POLL_SECONDS = 1.0  # how often a job checks that its Snakemake is alive


def read_record(root: str | os.PathLike = ".") -> dict | None:
    """The run record under ``root``, or None (none, or unreadable: a half-written record is no run)."""
    try:
        record = json.loads((Path(root) / RECORD).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and {"pid", "create_time"} <= set(record) else None


def is_alive(record: dict) -> bool:
    """Whether the record's process is running: the same pid *and* the same start time, so that a
    pid reused by another process after a hard kill does not count."""
    try:
        return abs(psutil.Process(record["pid"]).create_time() - record["create_time"]) < 0.01
    except (psutil.Error, TypeError, ValueError):
        return False


def live_run(root: str | os.PathLike = ".") -> dict | None:
    """The record of another run that is alive in ``root``, or None."""
    record = read_record(root)
    return record if record and record["pid"] != os.getpid() and is_alive(record) else None


def describe(record: dict) -> str:
    started = datetime.fromtimestamp(record["create_time"]).strftime("%Y-%m-%d %H:%M:%S")
    return f"pid {record['pid']}, started {started}: {record.get('command', '?')}"


def live_run_message(record: dict) -> str:
    return (
        f"another Snakemake run is live in this directory ({describe(record)}). Two runs of one directory "
        "would write the same results. Wait for it to finish, or stop it first: "
        f"kill {record['pid']} (its jobs stop with it); then run again. "
        "Do not use --unlock while it is alive: its lock is not stale."
    )


def stale_run_note(root: str | os.PathLike = ".") -> str | None:
    """A note when the last run ended without removing its record (killed): its lock, if Snakemake
    reports one, is stale and ``snakemake --unlock`` is safe."""
    record = read_record(root)
    if record is None or record["pid"] == os.getpid() or is_alive(record):
        return None
    return (
        f"the last run ({describe(record)}) ended without finishing (killed?); its jobs stopped with it. "
        "If Snakemake says the directory is locked, that lock is stale: snakemake --unlock, then run again."
    )


def record_run(root: str | os.PathLike = ".") -> None:
    """Write this process's record (atomically: a reader never sees half of it), removed at exit."""
    import atexit

    path = Path(root) / RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "pid": os.getpid(),
        "create_time": psutil.Process().create_time(),
        "command": shlex.join(["snakemake", *sys.argv[1:]]),
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(record) + "\n")
    os.replace(tmp, path)
    atexit.register(clear_run, root)


def clear_run(root: str | os.PathLike = ".") -> None:
    """Remove the record if it is this process's own."""
    record = read_record(root)
    if record and record["pid"] == os.getpid():
        (Path(root) / RECORD).unlink(missing_ok=True)


def snakemake_ancestors() -> list[psutil.Process]:
    """The Snakemake processes above this one (the run's main process and, locally, the job's own
    Snakemake), nearest first; [] outside Snakemake."""
    found = []
    for process in psutil.Process().parents():
        try:
            command = " ".join(process.cmdline())
        except psutil.Error:
            continue
        if "snakemake" in command:
            found.append(process)
    return found


def stop_with_snakemake(log=print, poll: float = POLL_SECONDS) -> threading.Thread | None:
    """Watch the Snakemake processes that started this job; when one is gone (``kill -9`` of the
    run), log it and end this process at once, before it writes an output. Outputs are written
    atomically (:func:`dltheory.core.artifacts.atomic_write`), so what was built before stays as it
    was. Returns the watching thread, or None outside Snakemake."""
    watched = snakemake_ancestors()
    if not watched:
        return None

    def watch():
        while all(p.is_running() for p in watched):
            time.sleep(poll)
        gone = next(p for p in watched if not p.is_running())
        log(f"ERROR: Snakemake (pid {gone.pid}) is gone: this job stops without writing its outputs")
        os.kill(os.getpid(), signal.SIGKILL)

    thread = threading.Thread(target=watch, name="stop_with_snakemake", daemon=True)
    thread.start()
    return thread
