"""How far two annotators agree, per tag: Krippendorff's alpha on character units.

For each tag and each article that both annotators annotated, every character of the article is a
unit, valued 1 when a passage of that annotator carrying the tag (or one of its sub-tags) covers it,
else 0; the units of every shared article are put end to end and alpha (nominal) is computed by the
``krippendorff`` package, a well-tested implementation rather than a hand-written one. Alongside it:
how many characters both coded, only A, only B. Alpha is None when it is undefined (neither annotator
varies: e.g. nobody used the tag on the shared articles).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from reader.codebook import tag_matches


@dataclass
class TagAgreement:
    tag: str
    alpha: float | None
    both: int        # characters both coded with the tag
    only_a: int
    only_b: int
    units: int       # characters compared (the shared articles' lengths)

    def as_dict(self) -> dict[str, Any]:
        return {"tag": self.tag, "alpha": None if self.alpha is None else round(self.alpha, 4),
                "both": self.both, "only_a": self.only_a, "only_b": self.only_b, "units": self.units}


@dataclass
class Agreement:
    a: str
    b: str
    articles: list[str]
    tags: list[TagAgreement]

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "articles": self.articles, "tags": [t.as_dict() for t in self.tags]}


def annotators(records: Iterable[dict[str, Any]]) -> list[str]:
    return sorted({r.get("annotator") or "" for r in records} - {""})


def _mask(length: int, spans: list[tuple[int, int]]):
    import numpy as np

    mask = np.zeros(length, dtype=np.int8)
    for start, end in spans:
        mask[max(0, start):min(length, end)] = 1
    return mask


def agree(records: Iterable[dict[str, Any]], a: str, b: str, lengths: Mapping[str, int],
          tags: Iterable[str] | None = None) -> Agreement:
    """Agreement of annotators ``a`` and ``b``; ``lengths`` maps article id -> text length in characters."""
    import krippendorff
    import numpy as np

    records = [r for r in records if r.get("start") is not None]
    mine = {who: [r for r in records if (r.get("annotator") or "") == who] for who in (a, b)}
    shared = sorted({r["article"] for r in mine[a]} & {r["article"] for r in mine[b]})
    if tags is None:
        seen: dict[str, str] = {}
        for r in mine[a] + mine[b]:
            if r["article"] in shared:
                for t in r["tags"]:
                    seen.setdefault(t.casefold(), t)
        tags = sorted(seen.values(), key=str.casefold)
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for who in (a, b):
        for r in mine[who]:
            grouped.setdefault((who, r["article"]), []).append(r)
    sizes = {article: lengths.get(article) or max(r["end"] for who in (a, b) for r in grouped.get((who, article), ()))
             for article in shared}
    out: list[TagAgreement] = []
    for tag in tags:
        rows = {a: [], b: []}
        for article in shared:
            for who in (a, b):
                spans = [(r["start"], r["end"]) for r in grouped.get((who, article), ())
                         if any(tag_matches(tag, t) for t in r["tags"])]
                rows[who].append(_mask(sizes[article], spans))
        ua = np.concatenate(rows[a]) if rows[a] else np.zeros(0, dtype=np.int8)
        ub = np.concatenate(rows[b]) if rows[b] else np.zeros(0, dtype=np.int8)
        both = int(np.sum(ua & ub))
        only_a, only_b = int(np.sum(ua & (1 - ub))), int(np.sum(ub & (1 - ua)))
        alpha: float | None = None
        if len(ua) and len(np.unique(np.concatenate([ua, ub]))) > 1:
            value = float(krippendorff.alpha(reliability_data=np.vstack([ua, ub]).astype(float),
                                             level_of_measurement="nominal"))
            alpha = value if value == value else None  # NaN: undefined
        out.append(TagAgreement(tag, alpha, both, only_a, only_b, int(len(ua))))
    return Agreement(a, b, shared, out)
