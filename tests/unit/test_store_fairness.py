"""The lock is taken in turn: a writer that saves in a tight loop cannot starve another one."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from reader.store import AnnotationStore

HOG = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from reader.store import AnnotationStore
    store = AnnotationStore(sys.argv[1], lock_timeout=30)
    Path(sys.argv[2]).touch()
    end = time.monotonic() + float(sys.argv[3])
    n = 0
    while time.monotonic() < end:          # takes the lock again a moment after letting it go
        with store._writing():
            time.sleep(0.004)
        n += 1
    print(n)
""")


def test_a_writer_in_a_tight_loop_does_not_starve_another(tmp_path: Path) -> None:
    db = tmp_path / "annotations" / "annotations.json"
    AnnotationStore(db).add(article="a.txt", tags=["first"])
    ready = tmp_path / "ready"
    hog = subprocess.Popen([sys.executable, "-c", HOG, str(db), str(ready), "4"], stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert time.monotonic() < deadline and hog.poll() is None, "the looping writer did not start"
            time.sleep(0.01)
        time.sleep(0.2)
        mine = AnnotationStore(db, lock_timeout=1.5)
        saved = [mine.add(article="a.txt", tags=[f"mine {i}"])["id"] for i in range(5)]  # StoreLocked = starved
        assert hog.poll() is None, "the looping writer stopped before we saved: the test proved nothing"
    finally:
        out, _ = hog.communicate(timeout=60)
    assert hog.returncode == 0 and int(out) > 10
    stored = {r["id"] for r in AnnotationStore(db).all()}
    assert set(saved) <= stored
    assert not Path(str(db) + ".lock.turn").exists()  # the claim is dropped once the turn is taken


def test_a_stale_claim_of_a_dead_process_is_ignored(tmp_path: Path) -> None:
    db = tmp_path / "annotations" / "annotations.json"
    store = AnnotationStore(db, lock_timeout=2)
    store.add(article="a.txt")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    turn = Path(str(db) + ".lock.turn")
    turn.write_text(dead.stdout.strip())
    store.add(article="a.txt", tags=["after"])        # does not wait for the dead claimant
    assert not turn.exists()
