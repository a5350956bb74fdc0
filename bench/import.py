#!/usr/bin/env python3
"""Time `reader import` into a large database: batched (the store's batch()) and record by record.

    python bench/import.py [--stored 100000] [--new 1000]

Pre-fills a store with --stored annotations (bench/store.py's distribution: ~20 per article), then
imports --new records through reader.export.import_native, and 1/5 as many through a wrapper that
hides batch(), so every new id pays the full re-check of every shard. Prints both per record.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path


import store as store_bench  # bench/store.py: its prefill helpers

from reader import export, records
from reader.store import AnnotationStore


class Unbatched:
    """The store without batch(): what import cost before it existed."""

    def __init__(self, store: AnnotationStore) -> None:
        self.store = store

    def get(self, annotation_id: str):
        return self.store.get(annotation_id)

    def upsert(self, record: dict) -> str:
        return self.store.upsert(record)


def export_text(new: list[dict]) -> str:
    return json.dumps({"format": "reader-annotations", "version": 1, "exported": records.now_iso(),
                       "corpus": "bench", "articles": [], "annotations": new})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(1)
    tmp = Path(tempfile.mkdtemp(prefix="reader-bench-import-"))
    try:
        db = tmp / "annotations.json"
        articles = store_bench.prefill_store(db, rng, store_bench.distribute(rng, args.stored,
                                                                             max(1, args.stored // 20)))
        store = AnnotationStore(db)
        store.get("not-there")  # the first lookup builds the id index, as in any long-running process

        def new_records(n: int, tag: str) -> list[dict]:
            return [records.make_record(article=rng.choice(articles), tags=[tag]) for _ in range(n)]

        start = time.perf_counter()
        result = export.import_native(store, export_text(new_records(args.new, "batched")))
        batched = (time.perf_counter() - start) / args.new
        few = max(1, args.new // 5)
        start = time.perf_counter()
        export.import_native(Unbatched(store), export_text(new_records(few, "unbatched")))
        unbatched = (time.perf_counter() - start) / few
        print(f"import into {args.stored:,} stored annotations ({result.added} added):")
        print(f"  batched (chunks of {export.IMPORT_CHUNK} under one lock)  {batched * 1000:7.2f} ms per new record")
        print(f"  record by record ({few} records)            {unbatched * 1000:7.2f} ms per new record")
        print(f"  ratio {unbatched / batched:.0f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
