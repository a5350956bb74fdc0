"""The qualitative-research commands as a user runs them: tag, stats, agree, export csv/qdpx, import .qdpx."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader import agreement, stats
from reader.tabular import export_csv
from tests.helpers import A001

ARTICLE = A001


def run(*args: str, user: str = "ana", ok: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "READER_USER": user}
    result = subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True, text=True,
                            timeout=120, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    if ok:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def env(seeds_copy: Path):
    db = seeds_copy.parent / "annotations" / "annotations.json"
    base = ["--corpus", str(seeds_copy), "--db", str(db)]
    run("annotate", ARTICLE, "--quote", "World Health Organization", "--occurrence", "1", "--tag", "policy/vaccines,health",
        "--note", "=SUM(A1) é", *base)
    run("annotate", ARTICLE, "--quote", "World Health", "--occurrence", "1", "--tag", "policy/vaccines", *base, user="ben")
    return {"corpus": seeds_copy, "db": db, "base": base}


def test_csv_reads_back_with_accents_and_formula_guard(env):
    out = env["corpus"].parent / "out.csv"
    run("export", *env["base"], "--format", "csv", "-o", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["annotator"] for r in rows] == ["ana", "ben"]
    first = rows[0]
    assert first["quote"] == "World Health Organization" and first["tags"] == "policy/vaccines; health"
    assert first["note"] == "'=SUM(A1) é"  # never run as a formula
    assert first["article"] == ARTICLE and first["title"].startswith("President") and first["date"] == "2023-10-06"
    assert int(first["end"]) - int(first["start"]) == len("World Health Organization")
    only_ben = run("export", *env["base"], "--format", "csv", "--annotator", "ben").stdout
    assert len(list(csv.DictReader(io.StringIO(only_ben.lstrip("\ufeff"))))) == 1


def test_csv_whole_article_row_has_empty_offsets():
    record = {"article": "a", "start": None, "end": None, "quote": "", "tags": ["x"], "note": "n\nline",
              "created": "c", "updated": "u"}
    text = export_csv([record], {})
    [row] = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["start"] == row["end"] == "" and row["note"] == "n\nline" and row["annotator"] == ""


def test_tag_describe_rename_delete_from_the_command_line(env):
    out = run("tag", "policy", "--describe", "Government", "--color", "#AA0000", *env["base"]).stdout
    assert "#aa0000" in out and "Government" in out
    assert "2 annotations (sub-tags included)" in run("tag", "policy", *env["base"]).stdout
    assert "2 annotations changed" in run("tag", "policy", "--rename", "politics", *env["base"]).stdout
    tags = json.loads(run("tags", *env["base"], "--json").stdout)
    assert {t["tag"] for t in tags} == {"politics/vaccines", "health"}
    bad = run("tag", "politics", "--color", "red", *env["base"], ok=False)
    assert bad.returncode == 1 and "#rrggbb" in bad.stderr
    assert "1 annotation changed" in run("tag", "health", "--delete", *env["base"]).stdout
    assert "2 annotations" in run("tag", "politics", *env["base"]).stdout


def test_stats_json(env):
    doc = json.loads(run("stats", *env["base"], "--json").stdout)
    assert doc["total"] == 2
    assert doc["tags"][0] == {"tag": "policy/vaccines", "count": 2}
    assert doc["overlap"] == [{"tags": ["health", "policy/vaccines"], "count": 2}]
    assert doc["annotators"] == [{"annotator": "ana", "count": 1}, {"annotator": "ben", "count": 1}]
    assert len(doc["weeks"]) == 1 and doc["articles"][0]["count"] == 2


def test_agree_on_the_command_line(env):
    doc = json.loads(run("agree", "ana", "ben", *env["base"], "--json").stdout)
    vaccines = next(t for t in doc["tags"] if t["tag"] == "policy/vaccines")
    assert (vaccines["both"], vaccines["only_a"], vaccines["only_b"]) == (12, 13, 0)
    assert 0 < vaccines["alpha"] < 1
    missing = run("agree", "ana", "zoe", *env["base"], ok=False)
    assert missing.returncode == 1 and "no annotations by 'zoe'" in missing.stderr


def test_qdpx_round_trip_on_the_command_line(env, tmp_path):
    project = tmp_path / "study.qdpx"
    msg = run("export", *env["base"], "--format", "qdpx", "-o", str(project), "--project", "Study").stderr
    assert "1 sources, 2 coded passages" in msg
    other = tmp_path / "colleague" / "corpus"
    other.mkdir(parents=True)
    first = run("import", str(project), "--corpus", str(other)).stdout
    assert "1 new source files, 2 added" in first
    assert "0 new source files, 0 added, 0 updated, 2 unchanged" in run("import", str(project), "--corpus", str(other)).stdout
    exported = json.loads(run("export", "--corpus", str(other), "--format", "json").stdout)
    assert sorted(r["quote"] for r in exported["annotations"]) == ["World Health", "World Health Organization"]
    assert {r["article"] for r in exported["annotations"]} == {f"Study/{ARTICLE}"}
    no_output = run("export", *env["base"], "--format", "qdpx", ok=False)
    assert no_output.returncode == 1 and "-o FILE.qdpx" in no_output.stderr


def test_hostile_qdpx_on_the_command_line(tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"PK\x03\x04 broken")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    result = run("import", str(bad), "--corpus", str(corpus), ok=False)
    assert result.returncode == 1 and "not a .qdpx file" in result.stderr
    assert list(corpus.iterdir()) == [] and not (tmp_path / "annotations").exists()


# ------------------------------------------------------------------------------- agreement and stats by hand

def rec(article, start, end, tags, who, created="2026-11-02T10:00:00Z"):
    return {"article": article, "start": start, "end": end, "tags": tags, "annotator": who, "created": created}


def test_agreement_on_a_small_case_computed_by_hand():
    # 10 characters; A codes 0-4, B codes 2-6. Units: A=1111000000, B=0011110000.
    # Coincidences: o00=8, o11=4, o01=o10=4; n0=12, n1=8, n=20.
    # alpha = 1 - (n-1)·(o01+o10) / (2·n0·n1) = 1 - 19·8/192 = 5/24.
    result = agreement.agree([rec("x", 0, 4, ["t"], "A"), rec("x", 2, 6, ["t"], "B")], "A", "B", {"x": 10})
    [t] = result.tags
    assert t.alpha == pytest.approx(5 / 24)
    assert (t.both, t.only_a, t.only_b, t.units) == (2, 2, 2, 10)


def test_agreement_perfect_undefined_and_parent_tags():
    same = [rec("x", 0, 4, ["p/a"], "A"), rec("x", 0, 4, ["p/b"], "B"), rec("y", 0, 1, ["q"], "A")]
    result = agreement.agree(same, "A", "B", {"x": 10, "y": 5}, tags=["p", "p/a", "q"])
    by_tag = {t.tag: t for t in result.tags}
    assert result.articles == ["x"]  # y was annotated by A only
    assert by_tag["p"].alpha == pytest.approx(1.0)  # a parent tag includes its sub-tags
    assert by_tag["p/a"].only_a == 4 and by_tag["p/a"].alpha < 0.5
    assert by_tag["q"].alpha is None and by_tag["q"].units == 10  # nobody used q on x: undefined


def test_stats_weeks_fill_gaps_and_cooccurrence():
    records = [rec("x", 0, 4, ["a", "b"], "A", "2026-11-02T10:00:00Z"),
               rec("x", 3, 6, ["c"], "A", "2026-11-17T10:00:00Z"),
               rec("x", 10, 12, ["d"], "", "2026-11-17T11:00:00Z"),
               rec("y", None, None, ["a", "c"], "B", "2026-11-03T10:00:00Z")]
    s = stats.compute(records)
    assert s.weeks == [("2026-W45", 2), ("2026-W46", 0), ("2026-W47", 2)]
    assert dict(s.overlap) == {("a", "b"): 1, ("a", "c"): 2, ("b", "c"): 1}
    assert dict(s.same_article)[("a", "c")] == 2 and dict(s.same_article)[("a", "d")] == 1
    assert s.tags[0] == ("a", 2) and s.articles[0] == ("x", "x", 3)


def test_annotator_comes_from_the_config_file_without_reader_user(env, tmp_path):
    config = tmp_path / "xdg" / "reader"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('user = "carla"\n')
    environ = {k: v for k, v in os.environ.items() if k != "READER_USER"}
    environ["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    result = subprocess.run([sys.executable, "-m", "reader", "annotate", ARTICLE, "--tag", "x", *env["base"]],
                            capture_output=True, text=True, timeout=120, env=environ)
    assert result.returncode == 0, result.stderr
    doc = json.loads(run("export", *env["base"], "--format", "json", "--annotator", "carla").stdout)
    assert [r["tags"] for r in doc["annotations"]] == [["x"]]


def test_native_json_export_carries_the_codebook_and_import_fills_it(env, tmp_path):
    run("tag", "policy", "--describe", "Government", "--color", "#aa0000", *env["base"])
    out = tmp_path / "export.json"
    run("export", *env["base"], "--format", "json", "-o", str(out))
    doc = json.loads(out.read_text())
    assert doc["codebook"] == [{"name": "policy", "description": "Government", "color": "#aa0000"}]
    other_db = tmp_path / "other" / "annotations.json"
    run("import", str(out), "--corpus", str(env["corpus"]), "--db", str(other_db))
    assert "Government" in run("tag", "policy", "--corpus", str(env["corpus"]), "--db", str(other_db)).stdout
    doc["codebook"][0]["color"] = "red"
    out.write_text(json.dumps(doc))
    bad = run("import", str(out), "--corpus", str(env["corpus"]), "--db", str(tmp_path / "x" / "a.json"), ok=False)
    assert bad.returncode == 1 and not (tmp_path / "x").exists()
