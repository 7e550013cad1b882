"""The smoke build, shared by every workflow test module (built once per session; tests/conftest.py
keeps its tests on one worker)."""

import pytest
from helpers import copy_repo, smoke


@pytest.fixture(scope="session")
def smoke_build(tmp_path_factory):
    """A copy of the repo with figures/all built from config/smoke.yaml."""
    repo = copy_repo(tmp_path_factory.mktemp("repo"))
    smoke(repo)
    return repo
