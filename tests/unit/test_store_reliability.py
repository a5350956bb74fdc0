"""Reliability of the store under kill -9, concurrent writers and corrupt files (real processes)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.store import AnnotationStore, CorruptDatabase, shard_name
from tests.helpers import WRITER, acknowledged, database_files, temp_files, writer  # noqa: F401

pytestmark = pytest.mark.slow

ROUNDS = 25


def test_kill_9_loses_no_acknowledged_annotation(tmp_path: Path) -> None:
    db = tmp_path / "annotations" / "annotations.json"
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    acked: list[str] = []
    temps_seen = 0
    for round_no in range(ROUNDS):
        proc = writer(db, 100_000, "--articles", "7", "--name", f"r{round_no}")
        assert proc.stdout is not None
        first = proc.stdout.readline()              # the writer is up and has saved once
        time.sleep(rng.uniform(0.0, 0.25))          # then kill it at a random moment of its loop
        os.kill(proc.pid, signal.SIGKILL)
        rest, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err.decode()
        acked.extend(acknowledged(first + rest))
        # between rounds, what a reader finds must parse
        for path in database_files(db.parent):
            json.loads(path.read_bytes())
        temps_seen += len(temp_files(db.parent))
    assert len(acked) == len(set(acked))

    fresh = AnnotationStore(db)
    stored = {r["id"] for r in fresh.all()}
    missing = [i for i in acked if i not in stored]
    print(f"\nkill -9: seed {seed}, {ROUNDS} rounds, {len(acked)} acknowledged ids, {len(stored)} stored "
          f"(at most one unacknowledged per round may also be stored), lost {len(missing)}, "
          f"temp files seen between rounds {temps_seen}")
    assert not missing
    assert len(stored) - len(acked) <= ROUNDS
    assert fresh.check() == []
    for annotation_id in rng.sample(acked, min(50, len(acked))):
        assert fresh.get(annotation_id)["id"] == annotation_id
    # a new writer's first save clears temp files that killed writers left behind
    fresh.add(article="articles/000.txt", note="after the storm")
    assert temp_files(db.parent) == []
    for path in database_files(db.parent):
        json.loads(path.read_bytes())
    assert len(AnnotationStore(db).all()) == len(stored) + 1


@pytest.mark.parametrize("articles", [1, 10], ids=["same-article", "spread"])
def test_four_writers_at_once(tmp_path: Path, articles: int) -> None:
    db = tmp_path / "annotations.json"
    go = tmp_path / "go"
    procs = [writer(db, 25, "--articles", str(articles), "--name", f"w{i}",
                    "--ready", str(tmp_path / f"ready{i}"), "--go", str(go)) for i in range(4)]
    deadline = time.monotonic() + 30
    while not all((tmp_path / f"ready{i}").exists() for i in range(4)):
        assert time.monotonic() < deadline, "writers did not start"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    go.touch()                                       # all four start adding at the same moment
    printed: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        printed.extend(acknowledged(out))
    assert len(printed) == 100
    stored = AnnotationStore(db).all()
    assert len(stored) == 100
    assert {r["id"] for r in stored} == set(printed)
    assert len({r["id"] for r in stored}) == 100
    assert len({r["article"] for r in stored}) == articles
    for i in range(4):
        assert sum(f"w{i}" in r["tags"] for r in stored) == 25
    for path in database_files(tmp_path):
        json.loads(path.read_bytes())
    assert AnnotationStore(db).check() == []
    if articles == 1:
        assert [p.name for p in (tmp_path / "annotations.d").iterdir()] == [shard_name("articles/000.txt")]


def test_corrupt_database_is_byte_for_byte_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "annotations.json"
    store = AnnotationStore(db)
    for i in range(5):
        store.add(article=f"articles/{i % 2:03d}.txt", note=str(i))   # the writer's article names
    shard = tmp_path / "annotations.d" / shard_name("articles/001.txt")
    shard.write_bytes(b'{"annotations": {"1": {"id": "x", "art')     # a torn shard
    files = {p: p.read_bytes() for p in database_files(tmp_path)}

    # The writer's first add goes to the healthy article 000 and succeeds; its second, to 001, must fail.
    proc = subprocess.run([sys.executable, str(WRITER), str(db), "3", "--articles", "2"],
                          capture_output=True, timeout=60)
    assert proc.returncode != 0 and b"CorruptDatabase" in proc.stderr
    assert b"left untouched" in proc.stderr and shard.name.encode() in proc.stderr
    assert len(acknowledged(proc.stdout)) == 1
    with pytest.raises(CorruptDatabase):
        AnnotationStore(db).add(article="articles/001.txt")
    assert shard.read_bytes() == files[shard] and db.read_bytes() == files[db]
    assert len(AnnotationStore(db).by_article("articles/000.txt")) == 4
    files = {p: p.read_bytes() for p in database_files(tmp_path)}

    db.write_bytes(b"\x00\x01 not json")                              # now the manifest too
    files[db] = db.read_bytes()
    for action in (lambda s: s.add(article="articles/000.txt"),
                   lambda s: s.set_state("articles/000.txt", read=True),
                   lambda s: s.rename_tag("x", "y")):
        with pytest.raises(CorruptDatabase):
            action(AnnotationStore(db))
    assert {p: p.read_bytes() for p in database_files(tmp_path)} == files
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
