"""Issue 8 in a real terminal: a reopened article shows its saved position, after `escape` and after a restart."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.helpers import reader_command
from tests.e2e.tmux import Tmux

pytestmark = pytest.mark.e2e




def settled(term: Tmux, predicate, what: str) -> str:
    """The screen once it holds ``predicate`` and stays the same across two captures."""
    previous = [""]

    def still(screen: str) -> bool:
        same = screen == previous[0]
        previous[0] = screen
        return same and predicate(screen)

    return term.wait_for(still, what=what)


def percent(screen: str) -> str:
    return re.findall(r"(\d+)%", screen)[-1]


def paragraphs(screen: str) -> set[int]:
    return {int(n) for n in re.findall(r"Paragraph (\d+):", screen)}


def test_reopened_article_shows_the_saved_position(small_term, seeds_copy, tmp_path):
    term = small_term
    body = "\n\n".join(f"Paragraph {i}: " + " ".join(f"w{i}x{j}" for j in range(30)) for i in range(200))
    (seeds_copy / "zz-long.txt").write_text("A long article\n\n" + body + "\n", encoding="utf-8")
    db = tmp_path / "db" / "annotations.json"
    command = " ".join(shlex.quote(p) for p in [*reader_command(), str(seeds_copy), "--db", str(db)])
    term.start(command)
    term.wait_text("Chinese Ambassador")
    term.keys("G")  # undated: the last row
    term.keys("Enter")
    term.wait_text("Paragraph 0:")
    for _ in range(8):
        term.keys("Space")
    screen = settled(term, lambda s: paragraphs(s) and min(paragraphs(s)) > 10, what="eight pages down")
    seen, where = paragraphs(screen), percent(screen)

    term.keys("Escape")
    term.wait_text("Chinese Ambassador")
    term.keys("Enter")
    screen = settled(term, lambda s: "A long article" in s and paragraphs(s), what="the article again")
    assert paragraphs(screen) & seen, screen
    assert percent(screen) == where

    term.keys("Escape")
    term.wait_text("Chinese Ambassador")
    term.keys("q")
    assert term.wait_exit() == 0

    term.kill()
    again = Tmux(80, 24)
    try:
        again.start(command)
        again.wait_text("Chinese Ambassador")
        again.keys("G")
        again.keys("Enter")
        screen = settled(again, lambda s: "A long article" in s and paragraphs(s), what="after a restart")
        assert paragraphs(screen) & seen, screen
        assert percent(screen) == where
    finally:
        again.kill()


def test_y_puts_the_selection_with_its_citation_into_the_paste_buffer(seeds_copy, tmp_path):
    term = Tmux(120, 36)
    try:
        db = tmp_path / "db" / "annotations.json"
        term.start(" ".join(shlex.quote(p) for p in [*reader_command(), str(seeds_copy), "--db", str(db)]))
        term._tmux("set-option", "-g", "set-clipboard", "on")  # tmux takes OSC 52 into a paste buffer
        term.wait_text("Chinese Ambassador")
        term.keys("/")
        term.type("Guo Min")
        term.wait_text("matches for “Guo Min”")
        term.keys("Enter")
        term.wait_text("find “Guo Min”")
        term.keys("v", "w", "w")
        term.wait_text("selected")
        term.keys("y")
        term.wait_text("Copied")
        buffer = term._tmux("show-buffer").stdout
        assert buffer.startswith("“Guo Min")
        assert "— Chinese Ambassador: We are closely cooperating" in buffer
        assert "003_5fa1d59920890bb8.txt" in buffer
        term.keys("Q")
        assert term.wait_exit() == 0
    finally:
        term.kill()
