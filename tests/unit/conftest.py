"""Fixtures of the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def env(seeds_copy: Path):
    """A copy of the seeds, its database path, and the `--corpus/--db` arguments that point at them."""
    db = seeds_copy.parent / "annotations" / "annotations.json"
    return {"corpus": seeds_copy, "db": db, "base": ["--corpus", str(seeds_copy), "--db", str(db)]}
