"""The shipped configuration files, read once per test session: the default bars of each
figure's claims are the ones the tests put their measured values on either side of."""

import copy
import functools
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def _load(name: str) -> dict:
    return yaml.safe_load((ROOT / "config" / name).read_text())


def shipped(name: str = "config.yaml") -> dict:
    """A fresh copy of config/<name>, free to modify."""
    return copy.deepcopy(_load(name))


def bars(figure: str) -> dict:
    """The default bars of a figure: config/config.yaml's <figure>.claims."""
    return shipped()[figure]["claims"]
