"""Terminal safety of every CLI output, on a hostile corpus (tests/hostile.py): escape sequences, C1
controls, bidi and zero-width characters in file names, titles, tags and notes.

Text outputs show them as stand-ins wherever they go; JSON formats stay exact in a file or a pipe and
are escaped (the same data) when stdout is a terminal, here a real pseudo-terminal.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tests import hostile
from tests.helpers import run

RAW = [raw for raw, _ in hostile.SEQUENCES.values()]


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> dict:
    corpus, db = hostile.make(tmp_path_factory.mktemp("hostile"))
    return {"corpus": corpus, "db": db, "base": ["--corpus", str(corpus), "--db", str(db)]}


def run_on_terminal(*args: str) -> str:
    """stdout of ``reader ARGS`` when it is a terminal (a pseudo-terminal), as the terminal receives it."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "reader", *args], stdout=slave, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        assert ready, "no output for 60 s"
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, stderr
    assert "Traceback" not in stderr
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_list_shows_one_line_per_article_and_nothing_raw(bad):
    out = run("list", *bad["base"]).stdout
    lines = out.splitlines()
    assert len(lines) == 3  # the newline in a file name does not split its article
    assert lines[1].startswith("two\u240alines.txt ")
    assert lines[0].startswith("invoice\u27e8U+202E\u27e9fdp.txt ")
    assert "zero\u27e8U+200B\u27e9width.txt" in lines[2]
    assert "\u241b]0;OWNEDA" in lines[0] and "right\u27e8U+202E\u27e9TFEL" in lines[0]
    assert hostile.unsafe_in(out, RAW) == []


def test_tags_and_stats_show_stand_ins(bad):
    tags = run("tags", *bad["base"]).stdout
    assert "tag\u27e8U+202E\u27e9RLOTAG" in tags and "\u241b[31mTAGRED" in tags and "c1\u27e8U+009B\u27e9TAGC1" in tags
    assert "zw\u27e8U+200B\u27e9TAGZW" in tags and "\u27e8U+2066\u27e9PASSAGETAG\u27e8U+2069\u27e9" in tags
    assert hostile.unsafe_in(tags, RAW) == []
    stats = run("stats", *bad["base"]).stdout
    assert "tag\u27e8U+202E\u27e9RLOTAG" in stats and "(invoice\u27e8U+202E\u27e9fdp.txt)" in stats
    assert hostile.unsafe_in(stats, RAW) == []


def test_search_shows_stand_ins(bad):
    out = run("search", "MARKB", *bad["base"]).stdout
    assert "invoice\u27e8U+202E\u27e9fdp.txt" in out and "\u241b[31mREDB" in out
    assert hostile.unsafe_in(out, RAW) == []
    assert len([line for line in out.splitlines() if not line.startswith("       ")]) == 3  # one line per hit


def test_markdown_export_shows_stand_ins_in_a_file_and_on_a_terminal(bad, tmp_path):
    out = run("export", "--format", "md", *bad["base"]).stdout
    assert "- article note: NOTEA \u241b]52;c;Q0xJUEJPQVJE\u2407NOTEC \u27e8U+009B\u27e92JNOTEC1" in out
    assert "invoice\u27e8U+202E\u27e9fdp.txt" in out
    assert hostile.unsafe_in(out, RAW) == []
    assert hostile.unsafe_in(run_on_terminal("export", "--format", "md", *bad["base"]), RAW) == []


def _stable(value):
    """An export without what differs from run to run (the time it was made, W3C collection ids)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items()
                if k not in ("generated", "exported") and not str(v).startswith("urn:uuid:")}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


@pytest.mark.parametrize("fmt", ["json", "w3c", "jsonl"])
def test_json_formats_are_exact_in_a_pipe_and_escaped_on_a_terminal(bad, fmt):
    piped = run("export", "--format", fmt, *bad["base"]).stdout
    shown = run_on_terminal("export", "--format", fmt, *bad["base"])
    assert "\u202e" in piped and "\x9b" in piped  # a pipe or a file gets the exact UTF-8
    assert hostile.unsafe_in(shown, RAW) == []
    assert "\\u202e" in shown and "\\u009b" in shown
    if fmt == "jsonl":
        assert [json.loads(line) for line in shown.splitlines()] == [json.loads(line) for line in piped.splitlines()]
    else:
        assert _stable(json.loads(shown)) == _stable(json.loads(piped))  # the same data, spelled with escapes


def test_csv_on_a_terminal_shows_stand_ins_and_is_exact_in_a_file(bad, tmp_path):
    shown = run_on_terminal("export", "--format", "csv", *bad["base"])
    assert hostile.unsafe_in(shown, RAW) == [] and not shown.startswith("\ufeff")
    assert "tag\u27e8U+202E\u27e9RLOTAG" in shown
    target = tmp_path / "out.csv"
    run("export", "--format", "csv", "-o", str(target), *bad["base"])
    assert "tag\u202eRLOTAG" in target.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("command", [["list", "--json"], ["tags", "--json"], ["search", "MARKB", "--json"],
                                     ["stats", "--json"], ["check", "--json"]])
def test_json_listings_on_a_terminal_are_escaped_and_the_same_data(bad, command):
    shown = run_on_terminal(*command, *bad["base"])
    assert hostile.unsafe_in(shown, RAW) == []
    assert json.loads(shown) == json.loads(run(*command, *bad["base"]).stdout)


def test_text_listings_on_a_terminal_send_nothing_raw(bad):
    for command in (["list"], ["tags"], ["stats"], ["search", "MARKB"], ["restore"], ["check"]):
        assert hostile.unsafe_in(run_on_terminal(*command, *bad["base"]), RAW) == [], command


def test_error_messages_show_stand_ins(bad):
    result = subprocess.run([sys.executable, "-m", "reader", "annotate", "nothing\u202e\x9bhere", "--tag", "x",
                             *bad["base"]], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert hostile.unsafe_in(result.stderr, RAW) == []
