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


async def wait_until(pilot, predicate, *, tries: int = 200) -> None:
    """Let the app run until predicate() holds (workers finish, screens mount); fail after a bounded wait."""
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app never reached the expected state")


async def wait_loaded(pilot) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: app.loaded and app.screen.query("#articles") and
                     app.screen.query_one("#articles").row_count > 0)
