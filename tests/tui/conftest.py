"""Pilot fixtures: a ReaderApp on a temporary copy of the seeds with a temporary database."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.tui.app import ReaderApp
from reader.tui.config import Config


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db" / "annotations.json"


@pytest.fixture
def make_app(seeds_copy: Path, db_path: Path):
    def make(config: Config | None = None, corpus: Path | None = None) -> ReaderApp:
        return ReaderApp(corpus or seeds_copy, db_path, config=config or Config())
    return make
