"""Fixtures of the end-to-end tests: a tmux terminal that the real `reader` runs in."""

from __future__ import annotations

import shutil

import pytest

from tests.e2e.tmux import Tmux


def _terminal(columns: int, rows: int):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the end-to-end test (apt-get install -y tmux; .ci/run does it)")
    t = Tmux(columns, rows)
    yield t
    t.kill()


@pytest.fixture
def term():
    yield from _terminal(120, 36)


@pytest.fixture
def small_term():
    """An 80x24 terminal."""
    yield from _terminal(80, 24)
