"""Fault injection over every write step of the store: write temp, fsync, replace, fsync folder.

Each step fails with an OSError in-process, or the process dies there (``os._exit`` in a child). Afterwards
the database loads, holds every acknowledged save, ``check()`` finds nothing wrong, and no temp file stays
(after the next write, for a crash: a dead writer cannot clean up after itself).
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reader import fsutil
from reader.store import AnnotationStore, StoreError

STEPS = ("write", "fsync", "replace", "fsync_dir")


def temps(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.tmp"))


def call_number(step: str, nth: int) -> int:
    """The call of ``step`` that belongs to the ``nth`` file written: each write fsyncs its file and its folder."""
    return 2 * nth - 1 if step == "fsync" else nth


def arm(monkeypatch: pytest.MonkeyPatch, step: str, nth: int, action) -> None:
    """Make the ``nth`` file write's call of ``step`` inside atomic_write run ``action`` instead."""
    nth = call_number(step, nth)
    calls = {"n": 0}
    if step == "fsync_dir":
        real = fsutil.fsync_dir

        def patched_dir(folder):
            calls["n"] += 1
            if calls["n"] == nth:
                return action()
            return real(folder)

        monkeypatch.setattr(fsutil, "fsync_dir", patched_dir)
        return
    real_fn = getattr(os, step)

    def patched(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == nth:
            return action()
        return real_fn(*args, **kwargs)

    monkeypatch.setattr(os, step, patched)


@pytest.mark.parametrize("nth", [1, 2], ids=["index-shard", "chunk"])
@pytest.mark.parametrize("step", STEPS)
def test_an_oserror_at_any_step_loses_nothing_acknowledged(tmp_path: Path, monkeypatch, step: str, nth: int) -> None:
    db = tmp_path / "annotations.json"
    s = AnnotationStore(db)
    acked = [s.add(article=f"a{i % 2}", note=str(i)) for i in range(5)]
    edited = s.update(acked[0]["id"], note="edited")

    def fail():
        raise OSError(errno.EIO, "injected I/O error")

    arm(monkeypatch, step, nth, fail)
    try:
        extra = s.add(article="a0", note="maybe")
    except StoreError:
        extra = None
    monkeypatch.undo()
    if step != "fsync_dir":
        assert extra is None                                  # a failed write is reported, never acknowledged
    fresh = AnnotationStore(db)
    stored = {r["id"]: r for r in fresh.all()}
    for rec in [edited, *acked[1:]] + ([extra] if extra else []):
        assert stored[rec["id"]] == rec
    assert fresh.check() == []
    assert temps(tmp_path) == []
    fresh.add(article="a1", note="the store still works")
    assert len(AnnotationStore(db).all()) == len(stored) + 1


CHILD = textwrap.dedent("""
    import os, sys
    from reader import fsutil
    from reader.store import AnnotationStore
    db, step, nth = sys.argv[1], sys.argv[2], int(sys.argv[3])
    s = AnnotationStore(db)
    for i in range(4):
        print(s.add(article="a%d" % (i % 2), note=str(i))["id"], flush=True)
    calls = {"n": 0}
    target = fsutil if step == "fsync_dir" else os
    real = getattr(target, step)
    def patched(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == nth:
            os._exit(9)
        return real(*args, **kwargs)
    setattr(target, step, patched)
    print(s.add(article="a0", note="dies")["id"], flush=True)
    os._exit(0)
""")


@pytest.mark.parametrize("nth", [1, 2], ids=["index-shard", "chunk"])
@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_any_step_loses_nothing_acknowledged(tmp_path: Path, step: str, nth: int) -> None:
    db = tmp_path / "annotations.json"
    proc = subprocess.run([sys.executable, "-c", CHILD, str(db), step, str(call_number(step, nth))],
                          capture_output=True, text=True, timeout=60)
    # (argument: which call of the step dies)
    assert proc.returncode == 9, proc.stderr
    acked = proc.stdout.split()
    assert len(acked) == 4                                    # the fifth save never returned
    fresh = AnnotationStore(db)
    ids = {r["id"] for r in fresh.all()}
    assert set(acked) <= ids and len(ids) <= 5
    assert fresh.check() == []
    fresh.add(article="a1", note="next writer")               # the next write removes what the dead one left
    assert temps(tmp_path) == []
    assert set(acked) <= {r["id"] for r in AnnotationStore(db).all()}
