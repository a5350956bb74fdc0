"""The store at 100,000 annotations: save, update and first-lookup costs, and a 20,000-record import.

    python bench/scale_store.py [--n 100000] [--import-n 20000] [--saves 30] [--seed 1]

Databases are filled through the store's own import path (``batch()`` + ``upsert``), then a fresh
``AnnotationStore`` times durable saves one by one. Two layouts: all N annotations in ONE article (the
case that used to rewrite one huge shard per save) and spread over N/20 articles. TinyDB's default
JSONStorage beside them (a few saves: each rewrites the whole file). Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tinydb import TinyDB


from store import distribute, prefill_tinydb, record  # bench/store.py: the same records

from reader.store import AnnotationStore


def fill(db: Path, rng: random.Random, counts: list[int]) -> tuple[list[str], list[str], float]:
    store = AnnotationStore(db, lock_timeout=60)
    names, ids, n = [], [], 0
    recs = []
    for index, count in enumerate(counts):
        article = f"world/{index:06d}-article.txt"
        names.append(article)
        for _ in range(count):
            recs.append(record(rng, article, n))
            n += 1
    started = time.perf_counter()
    with store.batch():
        for r in recs:
            store.upsert(r)
    elapsed = time.perf_counter() - started
    ids = [r["id"] for r in recs]
    fill.longest_hold = store.longest_hold
    return names, ids, elapsed


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 2)


def time_saves(db: Path, articles: list[str], saves: int, rng: random.Random) -> list[float]:
    store = AnnotationStore(db)
    out = []
    for i in range(saves):
        started = time.perf_counter()
        store.add(article=rng.choice(articles), start=i, end=i + 10, quote="a passage", tags=["bench"], note="timed")
        out.append(time.perf_counter() - started)
    return out


def time_updates(db: Path, ids: list[str], saves: int, rng: random.Random) -> list[float]:
    store = AnnotationStore(db)
    out = []
    for i in range(saves):
        started = time.perf_counter()
        store.update(rng.choice(ids), note=f"edited {i}")
        out.append(time.perf_counter() - started)
    return out


def first_lookup(db: Path, ids: list[str], rng: random.Random, tries: int = 10) -> float:
    out = []
    for _ in range(tries):
        store = AnnotationStore(db)
        started = time.perf_counter()
        assert store.get(rng.choice(ids)) is not None
        out.append(time.perf_counter() - started)
    return median_ms(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--import-n", type=int, default=20_000)
    parser.add_argument("--saves", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    result: dict[str, float] = {}
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus; every save durable (fsync'd)")
    with tempfile.TemporaryDirectory(prefix="reader-scale-store-") as tmp:
        tmp = Path(tmp)
        _, _, imported = fill(tmp / "import" / "annotations.json", rng, [args.import_n])
        result["import_one_article_s"] = round(imported, 2)
        result["import_longest_lock_hold_s"] = round(fill.longest_hold, 3)
        print(f"import of {args.import_n} into one article (empty database): {imported:.2f} s (goal 10 s); "
              f"longest hold of the lock {fill.longest_hold:.3f} s")

        for layout, counts in (("one", [args.n]), ("spread", distribute(rng, args.n, max(1, args.n // 20)))):
            db = tmp / layout / "annotations.json"
            names, ids, filled = fill(db, rng, counts)
            os.sync()
            result[f"import_{layout}_{args.n}_s"] = round(filled, 2)
            result[f"import_{layout}_longest_lock_hold_s"] = round(fill.longest_hold, 3)
            print(f"{layout}: imported {args.n} annotations over {len(names)} article(s) in {filled:.1f} s, "
                  f"longest hold of the lock {fill.longest_hold:.3f} s")
            saves = median_ms(time_saves(db, names, args.saves, rng))
            updates = median_ms(time_updates(db, ids, args.saves, rng))
            lookup = first_lookup(db, ids, rng)
            result[f"save_{layout}_ms"], result[f"update_{layout}_ms"] = saves, updates
            result[f"first_lookup_{layout}_ms"] = lookup
            print(f"{layout}: save median {saves} ms, update median {updates} ms, "
                  f"first lookup by id in a fresh process-like store {lookup} ms (goal: save <= 5 ms)")

        tiny = tmp / "tinydb.json"
        prefill_tinydb(tiny, rng, args.n)
        os.sync()
        db = TinyDB(tiny)
        times = []
        for i in range(5):
            started = time.perf_counter()
            db.insert(record(rng, "world/bench.txt", i))
            times.append(time.perf_counter() - started)
        db.close()
        result["tinydb_save_ms"] = median_ms(times)
        print(f"TinyDB default JSONStorage at {args.n}: save median {result['tinydb_save_ms']} ms (5 saves, not fsync'd)")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
