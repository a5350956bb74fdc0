"""How long one save takes as the database grows: reader's sharded store against TinyDB's JSONStorage.

    python bench/store.py [--sizes 1000 10000 100000] [--saves 30] [--seed 1]

For each size N the databases are pre-filled by writing their files directly (not through N saves), then
``store.add(...)`` (and, for TinyDB, ``TinyDB(path).insert(...)``) is timed save by save, each save durable
(fsync'd). The figure is the median save time. One extra column shows this store's worst case: all N
annotations in one article, so that one shard holds everything and a save rewrites it all.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson
from tinydb import TinyDB


from reader.fsutil import atomic_write
from reader.store import AnnotationStore, shard_dir_for, shard_name

WORDS = ("the minister said on tuesday that talks would resume after the holiday while critics warned "
         "of rising costs for households across the region and called for an inquiry into the contracts").split()
TAGS = ["economy", "health", "COVID", "climate", "quote", "follow-up", "fact-check", "politics", "energy"]
TINYDB_BIG = 50_000          # above this many documents TinyDB's default storage gets TINYDB_BIG_SAVES saves
TINYDB_BIG_SAVES = 5
WORST_BIG_SAVES = 10


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def record(rng: random.Random, article: str, n: int) -> dict:
    start = rng.randrange(0, 20_000)
    quote = text(rng, rng.randint(4, 25))
    stamp = f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T12:{rng.randint(10, 59)}:00.{n % 1_000_000:06d}Z"
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "article": article,
        "start": start, "end": start + len(quote),
        "quote": quote, "prefix": text(rng, 6)[:32], "suffix": text(rng, 6)[:32],
        "tags": rng.sample(TAGS, rng.randint(0, 3)),
        "note": text(rng, rng.randint(0, 30)) if rng.random() < 0.6 else "",
        "created": stamp, "updated": stamp,
        "fingerprint": hashlib.sha256(article.encode()).hexdigest(),
    }


def distribute(rng: random.Random, n: int, articles: int) -> list[int]:
    """N annotations over ``articles`` articles, unevenly (some read closely, most lightly)."""
    weights = [rng.paretovariate(2.5) for _ in range(articles)]
    counts = [0] * articles
    for index in rng.choices(range(articles), weights=weights, k=n):
        counts[index] += 1
    return counts


def prefill_store(db: Path, rng: random.Random, counts: list[int]) -> list[str]:
    """Write manifest and shards directly, in the store's own format."""
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(orjson.dumps({"_meta": {"1": {"format": "reader-db", "version": 1}}}))
    shards = shard_dir_for(db)
    shards.mkdir()
    names, n = [], 0
    for index, count in enumerate(counts):
        article = f"world/{index:06d}-article.txt"
        names.append(article)
        table = {}
        for doc_id in range(1, count + 1):
            table[str(doc_id)] = record(rng, article, n)
            n += 1
        (shards / shard_name(article)).write_bytes(orjson.dumps({"annotations": table, "state": {}}))
    return names


def prefill_tinydb(path: Path, rng: random.Random, n: int) -> None:
    docs = {str(i + 1): record(rng, f"world/{i % max(1, n // 20):06d}-article.txt", i) for i in range(n)}
    path.write_text(json.dumps({"_default": docs}), encoding="utf-8")


def time_store_saves(db: Path, articles: list[str], saves: int, rng: random.Random) -> tuple[list[float], list[float]]:
    """Save times, and interleaved with them the floor: one bare durable write of a 10 kB file."""
    store = AnnotationStore(db)
    floor_file = db.parent / "floor.bin"
    times, floor = [], []
    for i in range(saves):
        article = rng.choice(articles)
        start = time.perf_counter()
        store.add(article=article, start=i, end=i + 10, quote="a passage", tags=["bench"], note="timed")
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        atomic_write(floor_file, b"x" * 10_000)
        floor.append(time.perf_counter() - start)
    return times, floor


def time_tinydb_saves(path: Path, saves: int, rng: random.Random) -> list[float]:
    db = TinyDB(path)
    times = []
    for i in range(saves):
        doc = record(rng, "world/bench.txt", i)
        start = time.perf_counter()
        db.insert(doc)
        times.append(time.perf_counter() - start)
    db.close()
    return times


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:9.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--saves", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    print(f"one durable save (fsync'd), median over the saves shown; python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpus")
    rows = []
    with tempfile.TemporaryDirectory(prefix="reader-bench-") as tmp:
        for n in args.sizes:
            rng = random.Random(args.seed + n)
            articles = max(1, n // 20)
            counts = distribute(rng, n, articles)
            ordered = sorted(counts)
            print(f"N={n}: {articles} articles, annotations per article min {ordered[0]} / median "
                  f"{statistics.median(ordered):g} / max {ordered[-1]} (mean {n / articles:g}, Pareto-weighted)")

            spread = Path(tmp) / f"spread{n}" / "annotations.json"
            names = prefill_store(spread, rng, counts)
            os.sync()   # the pre-filled files are at rest on disk, as a real database would be
            started = time.perf_counter()
            total = len(AnnotationStore(spread).all())
            cold_all = time.perf_counter() - started
            assert total == n
            ours, floor = time_store_saves(spread, names, args.saves, rng)

            tiny_path = Path(tmp) / f"tinydb{n}.json"
            prefill_tinydb(tiny_path, rng, n)
            os.sync()
            tiny_saves = TINYDB_BIG_SAVES if n > TINYDB_BIG else args.saves
            tiny = time_tinydb_saves(tiny_path, tiny_saves, rng)

            worst = Path(tmp) / f"worst{n}" / "annotations.json"
            prefill_store(worst, rng, [n])
            os.sync()
            worst_saves = WORST_BIG_SAVES if n > TINYDB_BIG else args.saves
            one, _ = time_store_saves(worst, ["world/000000-article.txt"], worst_saves, rng)

            rows.append((n, articles, ours, args.saves, floor, tiny, tiny_saves, one, worst_saves, cold_all))

    print()
    print(f"{'annotations':>11} {'articles':>8} | {'reader store ms':>15} {'saves':>5} {'fsync floor ms':>14} | "
          f"{'TinyDB JSONStorage ms':>21} {'saves':>5} | {'worst: 1 article ms':>19} {'saves':>5} | "
          f"{'cold all() s':>12}")
    for n, articles, ours, s1, floor, tiny, s2, one, s3, cold in rows:
        print(f"{n:>11} {articles:>8} | {ms(ours):>15} {s1:>5} {ms(floor):>14} | {ms(tiny):>21} {s2:>5} | "
              f"{ms(one):>19} {s3:>5} | {cold:>12.2f}")
    print()
    print(f"TinyDB JSONStorage above {TINYDB_BIG} documents: {TINYDB_BIG_SAVES} saves only (each rewrites the whole "
          f"file); worst case above that: {WORST_BIG_SAVES} saves.")
    print("worst case = every annotation in ONE article, pre-filled in the old one-file-per-article layout: new "
          "saves go to the article's next bounded chunk (bench/scale_store.py measures the chunked layout itself).")
    print("fsync floor = one bare fsutil.atomic_write of a 10 kB file (fsync file + folder), timed between the saves: "
          "what any durable save costs on this disk right now.")
    print("cold all() = a fresh process reading every annotation once (parses every shard; TUI start-up cost).")
    largest = rows[-1]
    median, floor_median = statistics.median(largest[2]), statistics.median(largest[4])
    verdict = "met" if median <= 0.005 else "NOT met"
    print(f"goal: median save <= 5 ms at {largest[0]} annotations: {verdict} ({median * 1000:.2f} ms, of which "
          f"the disk's fsync floor is {floor_median * 1000:.2f} ms; the store's own work "
          f"{max(0.0, median - floor_median) * 1000:.2f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
