"""The real `reader` command in a real terminal (tmux): search, open, find, select, tag, export, quit."""

from __future__ import annotations

import shlex

import pytest

from tests.helpers import A003, export_json as export, reader_command

pytestmark = pytest.mark.e2e
ARTICLE = A003


def test_search_open_find_select_tag_export_quit(term, seeds_copy, tmp_path):
    db = tmp_path / "db" / "annotations.json"
    command = " ".join(shlex.quote(p) for p in [*reader_command(), str(seeds_copy), "--db", str(db)])
    term.start(command)
    term.wait_text("Chinese Ambassador")

    term.keys("/")
    term.type("chinse ambasador")
    term.wait_text("matches for “chinse ambasador”")
    term.keys("Enter")
    term.wait_text("find “chinse ambasador”")
    term.wait_text("China's Ambassador to Azerbaijan Guo Min")

    term.keys("/")
    term.type("Guo Min")
    term.keys("Enter")
    term.wait_text("find “Guo Min” 1/2")
    term.keys("n")
    term.wait_text("find “Guo Min” 2/2")

    term.keys("v", "w", "w")
    term.wait_text("selected")
    # A burst, as a fast typist sends it: the keys after `t` must land in the dialog's field.
    term.keys("t")
    term.type("people-of-interest")
    term.keys("Enter")
    term.wait_text("Tagged people-of-interest")

    # The app is still running: what reached the database?
    assert term.running()
    data = export(seeds_copy, db)
    (record,) = data["annotations"]
    text = (seeds_copy / ARTICLE).read_text(encoding="utf-8")
    second = text.index("Guo Min", text.index("Guo Min") + 1)
    assert record["article"] == ARTICLE
    assert record["quote"].startswith("Guo Min")
    assert record["start"] == second
    assert text[record["start"]:record["end"]] == record["quote"]
    assert record["tags"] == ["people-of-interest"]

    term.keys("q")  # back to the library, as in newsboat and less
    term.wait_for(lambda s: "sorted by" in s or "matches for" in s, what="the library again")
    assert term.running()
    term.keys("q")  # and from there, quit
    assert term.wait_exit() == 0, term.screen()
