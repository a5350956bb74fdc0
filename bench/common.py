"""Helpers every benchmark shares: where things are, generated text, timing and its summaries.

Run a benchmark as `python bench/NAME.py` with the package installed (`pip install -e .`): Python puts
this folder first on the path, so `from common import ...` works and `reader` comes from the install."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent      # the repository
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"                    # bench-corpus.py and the other shared tools


def seed_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]


def build_article(megabytes: float, rng: random.Random) -> str:
    """A headline, a date line, then seed paragraphs repeated with variations up to ``megabytes``."""
    paragraphs = [p.strip() for text in seed_texts() for p in text.split("\n\n") if p.strip() and len(p) > 80]
    target = int(megabytes * 1_000_000)
    out = ["Pandemic diplomacy: a very long running file of reports from Baku", "date 2021-03-14 By Bench Mark"]
    size = sum(len(line) + 2 for line in out)
    number = 0
    while size < target:
        paragraph = rng.choice(paragraphs)
        roll = rng.random()
        if roll < 0.25:
            words = paragraph.split(" ")
            rng.shuffle(words)
            paragraph = " ".join(words)
        elif roll < 0.30:
            paragraph = f"Update {number}: {paragraph} (“quoted”, 中文 ok)"
        elif roll < 0.35:
            paragraph = paragraph.replace("COVID-19", "coronavirus").replace("Azerbaijan", "Azerbaijan Republic")
        number += 1
        out.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 2
    return "\n\n".join(out) + "\n"


def ensure_corpus(shared: Path, cache: Path, articles: int) -> Path:
    """The generated corpus in ``cache``, made with bench-corpus.py unless a complete one is there."""
    out = cache / f"bench-corpus-{articles}"
    done = cache / f"bench-corpus-{articles}.done"
    if done.exists() and out.is_dir():
        return out
    script = shared / "bench-corpus.py"
    if not script.is_file():
        sys.exit(f"bench-corpus.py not found in {shared} (use --shared DIR)")
    cache.mkdir(parents=True, exist_ok=True)
    print(f"generating {articles} articles into {out} ...", flush=True)
    subprocess.run([sys.executable, str(script), str(out), "--articles", str(articles)], check=True)
    done.write_text("ok\n")
    return out


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Seconds of each of ``runs`` calls of ``fn``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"
