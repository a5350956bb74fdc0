"""A writer process for the reliability tests: ``python tests/unit/store_writer.py DB COUNT [options]``.

Run with the interpreter of the environment ``reader`` is installed in (the tests use ``sys.executable``).

Adds COUNT annotations and prints each id on stdout only after ``add`` returned (the store promises the
annotation is on disk by then). With ``--ready FILE --go FILE`` it creates FILE(ready) once the store is
open, then waits for FILE(go) so that several writers start at the same moment.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from reader.store import AnnotationStore


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("count", type=int)
    parser.add_argument("--articles", type=int, default=1, help="spread over this many articles")
    parser.add_argument("--name", default=str(os.getpid()))
    parser.add_argument("--ready")
    parser.add_argument("--go")
    parser.add_argument("--timeout", type=float, default=60, help="lock timeout (the store's default is 10 s)")
    args = parser.parse_args()
    store = AnnotationStore(args.db, lock_timeout=args.timeout)
    if args.ready:
        Path(args.ready).touch()
    if args.go:
        while not os.path.exists(args.go):
            time.sleep(0.001)
    for i in range(args.count):
        article = f"articles/{i % args.articles:03d}.txt"
        record = store.add(article=article, start=i, end=i + 5, quote=f"quote {i}", tags=[args.name, "kill"],
                           note=f"note {i} from {args.name} " + "x" * (i % 50))
        sys.stdout.write(record["id"] + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
