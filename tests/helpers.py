"""Helpers shared by the whole suite (test modules import from here, never from each other).

The seed articles' ids, the command line as a user runs it, writer processes for the store's stress
tests, and the Pilot steps that many TUI tests take (wait, open an article, type, tag a word)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"                # the bundled articles
SHARED = REPO.parent / "shared"      # the benchmark corpus generator, validators and schemas, when beside the repo

# The five bundled seeds, by their file names (the article ids).
A000 = "000_d0be67b830ac3de5.txt"   # the first in the folder
A001 = "001_c82698a9d093e732.txt"   # Aliyev
A003 = "003_5fa1d59920890bb8.txt"   # "Chinese Ambassador: We are closely cooperating with Azerbaijan …"
A004 = "004_9c9c4874b48bb81e.txt"   # masks
SIZE = (120, 36)                     # the terminal size of most Pilot tests


# ---------------------------------------------------------------------------------------- the CLI

def run(*args: str, cwd: Path | None = None, ok: bool = True) -> subprocess.CompletedProcess:
    """`reader ARGS` as its own process; never a traceback, and exit 0 unless ``ok=False``."""
    result = subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True, text=True,
                            cwd=cwd, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def reader_command() -> list[str]:
    """The installed `reader` command (or `python -m reader` when it is not on PATH)."""
    exe = shutil.which("reader")
    return [exe] if exe else [sys.executable, "-m", "reader"]


def export_json(corpus: Path, db: Path) -> dict:
    out = subprocess.run([*reader_command(), "export", "--corpus", str(corpus), "--db", str(db)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# ------------------------------------------------------------------------- store writer processes

WRITER = Path(__file__).parent / "unit" / "store_writer.py"


def writer(db: Path, count: int, *extra: str) -> subprocess.Popen:
    """A process that saves ``count`` annotations and prints each id once its save is durable."""
    return subprocess.Popen([sys.executable, str(WRITER), str(db), str(count), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def acknowledged(stdout: bytes) -> list[str]:
    """Ids printed in full: a line cut short by the kill was never acknowledged."""
    lines = stdout.decode().split("\n")
    return [line for line in lines[:-1] if line]   # the part after the last newline is incomplete


def database_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.json") if not p.name.startswith(".")]


def temp_files(folder: Path) -> list[Path]:
    return list(folder.rglob(".*.tmp"))


def refuse_writes_under(monkeypatch, folder: Path) -> None:
    """A read-only ``folder``, also for root (whom ``chmod`` does not stop): creating or opening a file for
    writing, replacing one or making a folder anywhere under it fails with EACCES, as it would for a user
    without write permission. (SQLite's own writes, the caches, are not stopped.)"""
    folder = Path(folder).resolve()
    real_open, real_replace, real_mkdir = os.open, os.replace, os.mkdir

    def inside(path) -> bool:
        return Path(os.fspath(path)).resolve().is_relative_to(folder)

    def refuse(path):
        raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))

    def open_(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and inside(path):
            refuse(path)
        return real_open(path, flags, *args, **kwargs)

    def replace(src, dst, *args, **kwargs):
        if inside(dst):
            refuse(dst)
        return real_replace(src, dst, *args, **kwargs)

    def mkdir(path, *args, **kwargs):
        if inside(path):
            refuse(path)
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "mkdir", mkdir)


# ----------------------------------------------------------------------------------- Pilot steps

async def wait_until(pilot, predicate, what: str = "the expected state", *, tries: int = 500) -> None:
    """Let the app run until predicate() holds (workers finish, screens mount); fail after a bounded wait."""
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"the app never reached {what}")


async def wait_loaded(pilot) -> None:
    """The corpus is loaded and the library lists it."""
    app = pilot.app
    await wait_until(pilot, lambda: app.loaded and app.screen.query("#articles") and
                     app.screen.query_one("#articles").row_count > 0, "the loaded library")


async def wait_preview(pilot) -> None:
    """The library's preview pane is hidden, or shows the highlighted article with its annotations
    (the store is open and no cursor move is still waiting for its preview)."""
    app = pilot.app

    def settled() -> bool:
        screen = app.screen
        pane = screen.query_one("#preview")
        if not pane.display:
            return True
        return (app.session_open and screen.counts is not None and screen._preview_timer is None
                and not [w for w in screen.workers if w.group == "library-preview" and not w.is_finished]
                and pane.article_id == screen.selected_article())

    await wait_until(pilot, settled, "the preview of the highlighted article")


def rows(app) -> list[str]:
    """The article ids of the library's rows, top to bottom."""
    table = app.screen.query_one("#articles")
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


async def open_article(pilot, article_id: str = A003):
    """From the library, open ``article_id`` in the reader; returns its ArticleView."""
    from reader.tui.screens.reader import ReaderScreen
    from reader.tui.widgets.article_view import ArticleView

    app = pilot.app
    await wait_loaded(pilot)
    table = app.screen.query_one("#articles")
    table.move_cursor(row=table.get_row_index(article_id))
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
    await pilot.pause()
    return app.screen.query_one(ArticleView)


async def open_003(pilot):
    return await open_article(pilot, A003)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*["space" if c == " " else c for c in text])


async def tag_a_word(pilot, tags: str) -> None:
    """Select the word at the cursor (v w) and tag it through the tag dialog."""
    await pilot.press("v", "w", "t")
    await wait_until(pilot, lambda: pilot.app.screen.query("#tag-input"), "the tag dialog")
    await type_text(pilot, tags)
    await pilot.press("enter")
    await pilot.pause()
