#!/usr/bin/env python3
"""Time the qualitative-research paths on a synthetic project.

    python bench/qda.py [--articles 200] [--annotations 5000]

Builds a corpus of --articles articles (~5,000 characters each, some outside the BMP) and a store of
--annotations passages with hierarchical tags by two annotators, then times: the qdpx export, its
validation against REFI-QDA's Project.xsd (if ../shared/refi-qda is there), the import into an empty
corpus, the same import again (changes nothing), the CSV export, the statistics, the agreement of the two
annotators, and a corpus-wide tag rename and its undo. Prints one line per figure, then one JSON line.
"""
from __future__ import annotations

import argparse
import io
import json
import random
import tempfile
import time
import zipfile
from pathlib import Path


from common import SHARED
from reader import agreement, codebook, qdpx, stats, tabular
from reader.anchoring import describe
from reader.corpus import load_corpus
from reader.records import make_record
from reader.store import AnnotationStore

XSD = SHARED / "refi-qda" / "Project.xsd"
WORDS = "the minister said health policy vaccines émigré naïve 😀 agreement talks summit".split()
TAGS = ["policy", "policy/vaccines", "policy/masks", "health", "health/who", "people/diplomats", "places"]


def timed(label: str, results: dict, fn):
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    results[label] = round(seconds, 3)
    print(f"{label:<28} {seconds * 1000:9.1f} ms")
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--annotations", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(11)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus_dir = root / "corpus"
        corpus_dir.mkdir()
        for i in range(args.articles):
            text = " ".join(rng.choice(WORDS) for _ in range(800)) + "\n"
            (corpus_dir / f"a{i:04d}.txt").write_text(f"Article {i}\n\n{text}", encoding="utf-8")
        corpus = load_corpus(corpus_dir)
        articles = {a.id: a for a in corpus.articles}
        store = AnnotationStore(root / "annotations" / "annotations.json")
        made = []
        with store.batch():
            for n in range(args.annotations):
                art = corpus.articles[n % len(corpus.articles)]
                start = rng.randrange(0, len(art.text) - 200)
                sel = describe(art.text, start, start + rng.randrange(5, 150))
                record = make_record(article=art.id, **sel.fields(), tags=rng.sample(TAGS, 2),
                                     note=rng.choice(["", "a note", "é 😀"]), fingerprint=art.fingerprint,
                                     annotator=rng.choice(["ana", "ben"]))
                store.add_record(record)
                made.append(record)
        records = store.all()
        book = codebook.Codebook.load(store.path)
        out = root / "project.qdpx"
        timed("qdpx export", results, lambda: qdpx.export_qdpx(out, records, articles, project="Bench",
                                                                codebook=book, user="ana"))
        results["qdpx size MB"] = round(out.stat().st_size / 2**20, 2)
        print(f"{'qdpx size':<28} {results['qdpx size MB']:9.2f} MB")
        if XSD.exists():
            import xmlschema

            schema = xmlschema.XMLSchema(str(XSD))
            qde = zipfile.ZipFile(out).read("project.qde")
            timed("xsd validation", results, lambda: schema.validate(io.BytesIO(qde)))
        data = out.read_bytes()
        other = root / "other"
        other.mkdir()
        target = AnnotationStore(root / "other-db" / "annotations.json")
        first = timed("qdpx import (empty)", results, lambda: qdpx.import_qdpx(data, other, target, target.path, {}))
        assert first.added == len(records), first
        existing = {a.id: a for a in load_corpus(other).articles}
        again = timed("qdpx import again", results, lambda: qdpx.import_qdpx(data, other, target, target.path,
                                                                             existing))
        assert again.added == again.updated == 0 and again.unchanged == len(records), again
        timed("csv export", results, lambda: tabular.export_csv(records, articles))
        timed("stats", results, lambda: stats.compute(records, articles))
        lengths = {a.id: len(a.text) for a in corpus.articles}
        timed("agreement ana/ben", results, lambda: agreement.agree(records, "ana", "ben", lengths))
        change = timed("rename policy -> politics", results,
                       lambda: codebook.rename(store, store.path, "policy", "politics"))
        timed("undo the rename", results, lambda: codebook.undo(store, store.path, change))
    print(json.dumps({"bench": "qda", "articles": args.articles, "annotations": args.annotations, **results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
