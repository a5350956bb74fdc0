"""Fixtures of the end-to-end tests: a tmux terminal that the real `reader` runs in."""

from __future__ import annotations

import shutil

import pytest

from tests.e2e.tmux import Tmux


@pytest.fixture
def term():
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the end-to-end test (apt-get install -y tmux; .ci/run does it)")
    t = Tmux(120, 36)
    yield t
    t.kill()
