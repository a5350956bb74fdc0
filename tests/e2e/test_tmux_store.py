"""The store in a real terminal: kill -9 right after a tag is saved, and a damaged file's article in the TUI."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
from pathlib import Path

import pytest

from reader.store import AnnotationStore, shard_name
from tests.helpers import A000, A003 as ARTICLE, reader_command

pytestmark = pytest.mark.e2e


def tui(term, corpus: Path, db: Path) -> None:
    term.start(" ".join(shlex.quote(p) for p in [*reader_command(), str(corpus), "--db", str(db)]))
    term.wait_text("Chinese Ambassador")


def open_003_and_tag(term, tag: str, done: str) -> None:
    term.keys("/")
    term.type("chinse ambasador")
    term.wait_text("matches for “chinse ambasador”")
    term.keys("Enter")
    term.wait_text("China's Ambassador to Azerbaijan Guo Min")
    term.keys("v", "w")
    term.wait_text("selected")
    term.keys("t")
    term.type(tag)
    term.keys("Enter")
    term.wait_text(done)


def reader_pid(term) -> int:
    shell = int(term._tmux("display-message", "-p", "-t", "main", "#{pane_pid}").stdout.strip())
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(shell)], capture_output=True, text=True).stdout
    return int(children.split()[0])


def export(corpus: Path, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*reader_command(), "export", "--corpus", str(corpus), "--db", str(db)],
                          capture_output=True, text=True, timeout=60)


def test_kill_9_right_after_a_tag_is_saved_keeps_it(term, seeds_copy, tmp_path):
    db = tmp_path / "db" / "annotations.json"
    tui(term, seeds_copy, db)
    open_003_and_tag(term, "survives", "Tagged survives")
    os.kill(reader_pid(term), signal.SIGKILL)
    assert term.wait_exit() == 128 + signal.SIGKILL
    out = export(seeds_copy, db)
    assert out.returncode == 0, out.stderr
    assert [r["tags"] for r in json.loads(out.stdout)["annotations"]] == [["survives"]]
    assert AnnotationStore(db).check() == []


@pytest.mark.parametrize("damage", ["truncated", "invalid record"])
def test_a_damaged_file_in_the_terminal_is_reported_and_the_rest_saves(term, seeds_copy, tmp_path, damage):
    db = tmp_path / "db" / "annotations.json"
    store = AnnotationStore(db)
    rec = store.add(article=ARTICLE, tags=["old-version"])
    store.update(rec["id"], tags=["new-version"])
    chunk = db.parent / "annotations.d" / shard_name(ARTICLE)
    if damage == "truncated":
        chunk.write_bytes(chunk.read_bytes()[:-10])
    else:
        data = json.loads(chunk.read_bytes())
        (key,) = data["annotations"]
        data["annotations"][key].update(start=700, end=600)    # a record that fails validation
        chunk.write_bytes(json.dumps(data).encode())
    broken = chunk.read_bytes()
    tui(term, seeds_copy, db)
    term.wait_text("only its article is read-only")
    open_003_and_tag(term, "refused", "Refused")
    store.add(article=A000, tags=["elsewhere"])               # another article still saves meanwhile
    term.keys("Q")                                            # quits from the reader
    assert term.wait_exit() == 0, term.screen()
    out = export(seeds_copy, db)
    assert out.returncode == 3 and chunk.name in out.stderr
    tags = sorted(t for r in json.loads(out.stdout)["annotations"] for t in r["tags"])
    assert tags == ["elsewhere", "old-version"]                # the damaged article from its backup
    assert chunk.read_bytes() == broken
