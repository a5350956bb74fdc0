"""Benchmark the library's title filter (type-ahead over every title) at 10,000 or 100,000 articles.

    python bench/typeahead.py --corpus DIR [--db FILE] [--queries "foreign policy" ...] [--runs 5]

Lists the corpus through the library's catalogue (built on the first run beside ``--db``, a temporary
folder by default), then for each query, side by side in one run:

* ``TypeAhead``, the library's ranker: a fresh one per query (its character counts not yet cached), the
  first call and the median of ``--runs`` more;
* typing the query key by key into one ranker, as the library's filter does: the slowest keystroke;
* the plain ``fuzzy_rank`` over the same titles (what the ranker must equal: checked on every query).

The library's filter is the ranker's time plus drawing the first rows (bench/scale.py measures the
handler in a headless app at 10,000). Ends with one JSON line: ``prepare_s``, per query ``first_ms``,
``median_ms``, ``worst_key_ms``, ``plain_ms``, and ``median_first_ms`` over the queries.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from common import timed

QUERIES = ("azerbaijan minister", "foreign policy", "health")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--db", type=Path, help="annotations file whose folder keeps the catalogue "
                                            "(default: a temporary folder, so the first run reads every file)")
    ap.add_argument("--queries", nargs="*", default=list(QUERIES))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--limit", type=int, default=200, help="rows the library asks for (default 200)")
    args = ap.parse_args()

    from reader.library import open_library
    from reader.search.typeahead import TypeAhead, fuzzy_rank

    db = args.db or Path(tempfile.mkdtemp(prefix="reader-bench-typeahead-")) / "annotations.json"
    start = time.perf_counter()
    library = open_library(args.corpus, db)
    titles = [a.title for a in library.articles]
    print(f"{args.corpus}: {len(titles)} titles listed in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    TypeAhead(titles).prepare()
    prepare = time.perf_counter() - start
    print(f"  ranker prepared in {prepare * 1000:.0f} ms")

    out: dict = {"titles": len(titles), "prepare_s": round(prepare, 3), "queries": {}}
    firsts = []
    for query in args.queries:
        ranker = TypeAhead(titles)
        ranker.prepare()
        start = time.perf_counter()
        got = ranker.rank(query, limit=args.limit)
        first = time.perf_counter() - start
        again = statistics.median(timed(lambda: ranker.rank(query, limit=args.limit), args.runs))
        typing = TypeAhead(titles)
        typing.prepare()
        keys = []
        for end in range(1, len(query) + 1):
            start = time.perf_counter()
            typing.rank(query[:end], limit=args.limit)
            keys.append(time.perf_counter() - start)
        start = time.perf_counter()
        plain = fuzzy_rank(query, titles, limit=args.limit)
        plain_s = time.perf_counter() - start
        if plain != got:
            raise SystemExit(f"the ranker and fuzzy_rank disagree on {query!r}")
        firsts.append(first)
        out["queries"][query] = {"first_ms": round(first * 1000, 1), "median_ms": round(again * 1000, 1),
                                 "worst_key_ms": round(max(keys) * 1000, 1), "plain_ms": round(plain_s * 1000, 1)}
        print(f"  {query!r}: first {first * 1000:.1f} ms, again {again * 1000:.1f} ms (median of {args.runs}), "
              f"slowest key of {len(keys)} {max(keys) * 1000:.1f} ms; plain fuzzy_rank {plain_s * 1000:.1f} ms "
              f"({plain_s / first:.1f}x); same {len(got)} rows")
    out["median_first_ms"] = round(statistics.median(firsts) * 1000, 1)
    print(f"  median over the queries, first call: {out['median_first_ms']} ms")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
