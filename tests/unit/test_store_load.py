"""The store under load, with real processes: an import beside live writers, and kill -9 at 20,000 stored."""

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

from reader.export import export_native
from reader.records import make_record
from reader.store import AnnotationStore
from tests.helpers import acknowledged, database_files, temp_files, writer

pytestmark = pytest.mark.slow
KILLS = 50


def test_four_writers_and_an_import_of_5000_at_once_nobody_times_out(tmp_path: Path) -> None:
    db = tmp_path / "annotations" / "annotations.json"
    incoming = [make_record(article=f"imported/{i % 5}.txt", start=i, end=i + 3, quote="abc", tags=["imp"])
                for i in range(5000)]
    dump = tmp_path / "export.json"
    dump.write_text(json.dumps(export_native(incoming, {}, corpus="corpus")), encoding="utf-8")
    go = tmp_path / "go"
    procs = [writer(db, 50, "--articles", "3", "--name", f"w{i}", "--timeout", "10",
                    "--ready", str(tmp_path / f"ready{i}"), "--go", str(go)) for i in range(4)]
    deadline = time.monotonic() + 30
    while not all((tmp_path / f"ready{i}").exists() for i in range(4)):
        assert time.monotonic() < deadline, "writers did not start"
        time.sleep(0.01)
    importer = subprocess.Popen([sys.executable, "-m", "reader", "import", str(dump), "--db", str(db)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.3)                                  # the import is under way when the writers start
    go.touch()
    printed: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()    # StoreLocked would exit non-zero: nobody timed out
        printed.extend(acknowledged(out))
    out, err = importer.communicate(timeout=120)
    assert importer.returncode == 0, err.decode()
    assert b"5000 added" in out
    stored = {r["id"] for r in AnnotationStore(db).all()}
    assert len(printed) == 200 and set(printed) <= stored
    assert {r["id"] for r in incoming} <= stored and len(stored) == 5200
    assert AnnotationStore(db).check() == []


def test_50_kills_of_a_cli_writer_into_20000_stored_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "annotations" / "annotations.json"
    base = AnnotationStore(db)
    with base.batch():
        for i in range(20_000):
            base.upsert(make_record(article=f"articles/{i % 7:03d}.txt", start=i, end=i + 1, quote="x"))
    rng = random.Random()
    acked: list[str] = []
    for round_no in range(KILLS):
        proc = writer(db, 100_000, "--articles", "7", "--name", f"k{round_no}", "--timeout", "10")
        assert proc.stdout is not None
        first = proc.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.05))
        os.kill(proc.pid, signal.SIGKILL)
        rest, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err.decode()
        acked.extend(acknowledged(first + rest))
    fresh = AnnotationStore(db)
    stored = {r["id"] for r in fresh.all()}
    missing = [i for i in acked if i not in stored]
    print(f"\n{KILLS} kill -9 at 20,000 stored: {len(acked)} acknowledged, lost {len(missing)}")
    assert not missing and len(stored) >= 20_000 + len(acked)
    assert fresh.check() == []
    for path in database_files(db.parent):
        json.loads(path.read_bytes())
    fresh.add(article="articles/000.txt", note="after")
    assert temp_files(db.parent) == []
