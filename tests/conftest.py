"""Shared fixtures: the repo's seeds, a temporary copy of them, and the ../shared folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import SEEDS, SHARED


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled seeds in ``tmp/corpus``; its database goes to ``tmp/annotations``."""
    dest = tmp_path / "corpus"
    shutil.copytree(SEEDS, dest)
    for f in dest.iterdir():
        f.chmod(0o644)
    return dest


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED / "w3c-validate.py").exists():
        pytest.skip(f"../shared is not beside the repo ({SHARED})")
    return SHARED
