"""The `reader` command as a user runs it: a real subprocess, stdout/stderr and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.helpers import SEEDS
from tests.helpers import A003 as ARTICLE_003, run


def export_native(env) -> dict:
    return json.loads(run("export", *env["base"], "--format", "json").stdout)


def test_list_json_gives_real_headlines_dates_and_bylines():
    rows = json.loads(run("list", "--corpus", str(SEEDS), "--json", "--db", "/nonexistent/none.json").stdout)
    by_id = {r["id"][:3]: r for r in rows}
    assert len(rows) == 5
    assert set(rows[0]) >= {"id", "title", "date", "byline", "words", "annotations"}
    assert by_id["003"]["title"] == "Chinese Ambassador: We are closely cooperating with Azerbaijan in fight against pandemic"
    assert by_id["001"]["date"] == "2023-10-06"
    assert by_id["004"]["byline"] == "Ayya Lmahamad"
    for row in rows:
        title = row["title"]
        assert title and not title.lstrip().startswith("date") and "16 px" not in title and "↺" not in title
        assert row["words"] > 100 and row["annotations"] == 0


def test_list_names_skipped_files_on_stderr(env):
    (env["corpus"] / "blob.txt").write_bytes(b"\x00\x01binary\x00")
    result = run("list", *env["base"], "--json")
    assert "blob.txt" in result.stderr
    assert all(r["id"] != "blob.txt" for r in json.loads(result.stdout))


def test_annotate_then_export_keeps_quote_offsets_tags_and_note_literal(env):
    note = "see [bold]x[/] and [@click=app.quit]"
    result = run("annotate", ARTICLE_003, *env["base"], "--quote", "Guo Min", "--occurrence", "2",
                 "--tag", "diplomacy", "--tag", "china, who", "--note", note)
    new_id = result.stdout.strip()
    data = export_native(env)
    (record,) = data["annotations"]
    text = (env["corpus"] / ARTICLE_003).read_text(encoding="utf-8")
    second = text.index("Guo Min", text.index("Guo Min") + 1)
    assert record["id"] == new_id
    assert (record["start"], record["end"]) == (second, second + len("Guo Min"))
    assert text[record["start"]:record["end"]] == record["quote"] == "Guo Min"
    assert record["tags"] == ["diplomacy", "china", "who"]
    assert record["note"] == note
    listed = json.loads(run("list", *env["base"], "--json").stdout)
    assert {r["id"]: r["annotations"] for r in listed}[ARTICLE_003] == 1


def test_annotate_by_unique_prefix_and_whole_article(env):
    run("annotate", "004", *env["base"], "--tag", "masks", "--note", "whole article")
    (record,) = export_native(env)["annotations"]
    assert record["article"].startswith("004_") and record["start"] is None and record["tags"] == ["masks"]


@pytest.mark.parametrize("args, message", [
    (["annotate", "nope", "--quote", "x"], "no article"),
    (["annotate", ARTICLE_003, "--quote", "not in the text at all"], "does not occur"),
    (["annotate", ARTICLE_003, "--quote", "Guo Min", "--occurrence", "9"], "occurs 2 times"),
    (["annotate", "00", "--quote", "x"], "matches 5 articles"),
    (["export", "--format", "xml"], "invalid choice"),
])
def test_errors_are_one_clear_line(env, args, message):
    result = run(*args[:1], *env["base"], *args[1:], ok=False)
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_corpus_is_a_clear_error(tmp_path):
    result = run("list", "--corpus", str(tmp_path / "missing"), ok=False)
    assert result.returncode == 1 and "not found" in result.stderr


def test_corrupt_database_is_reported_and_left_byte_for_byte(env):
    run("annotate", ARTICLE_003, *env["base"], "--quote", "Guo Min", "--occurrence", "1", "--tag", "x")
    files = [p for p in env["db"].parent.rglob("*.json")]
    assert files
    before = {}
    for p in files:
        p.write_bytes(b'{"annotations": {"1": {"id": "tru')  # cut off mid-write
        before[p] = p.read_bytes()
    for args in (["annotate", ARTICLE_003, "--quote", "Guo Min", "--occurrence", "1", "--tag", "y"], ["export"], ["tags"]):
        result = run(args[0], *env["base"], *args[1:], ok=False)
        assert result.returncode != 0
        assert "untouched" in result.stderr or "not a valid" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert {p: p.read_bytes() for p in files} == before


def test_w3c_export_passes_the_w3c_validator(env, shared_dir, tmp_path):
    run("annotate", ARTICLE_003, *env["base"], "--quote", "Guo Min", "--occurrence", "1", "--tag", "people", "--note", "ambassador")
    run("annotate", ARTICLE_003, *env["base"], "--quote", "pandemic", "--occurrence", "1", "--tag", "covid")
    run("annotate", "001", *env["base"], "--note", "a note on the whole article")
    out = tmp_path / "w3c.json"
    result = run("export", *env["base"], "--format", "w3c", "-o", str(out))
    assert "3 annotations" in result.stderr
    check = subprocess.run([sys.executable, str(shared_dir / "w3c-validate.py"), str(out)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 failed" in check.stdout


def test_json_export_validates_against_the_repo_schema(env):
    from reader.export import SCHEMA_PATH

    run("annotate", ARTICLE_003, *env["base"], "--quote", "Guo Min", "--occurrence", "1", "--tag", "people")
    run("annotate", "002", *env["base"], "--tag", "nam")
    schema = json.loads(Path(SCHEMA_PATH).read_text())
    jsonschema.validate(export_native(env), schema)


def test_export_filters_and_formats(env):
    run("annotate", ARTICLE_003, *env["base"], "--quote", "Guo Min", "--occurrence", "1", "--tag", "people")
    run("annotate", "000", *env["base"], "--quote", "Bayramov", "--occurrence", "1", "--tag", "minister")
    only = json.loads(run("export", *env["base"], "--tag", "PEOPLE").stdout)["annotations"]
    assert [r["quote"] for r in only] == ["Guo Min"]
    only = json.loads(run("export", *env["base"], "--article", "000").stdout)["annotations"]
    assert [r["quote"] for r in only] == ["Bayramov"]
    lines = run("export", *env["base"], "--format", "jsonl").stdout.strip().splitlines()
    assert len(lines) == 2 and all("label" in json.loads(line) for line in lines)
    md = run("export", *env["base"], "--format", "md").stdout
    assert "Guo Min" in md and "Chinese Ambassador" in md


def test_import_merges_by_id_and_twice_changes_nothing(env, tmp_path):
    run("annotate", ARTICLE_003, *env["base"], "--quote", "Guo Min", "--occurrence", "1", "--tag", "people")
    run("annotate", "000", *env["base"], "--quote", "Bayramov", "--occurrence", "1", "--tag", "minister")
    dump = tmp_path / "dump.json"
    run("export", *env["base"], "-o", str(dump))
    other_db = tmp_path / "other" / "annotations.json"
    base2 = ["--corpus", str(env["corpus"]), "--db", str(other_db)]
    first = run("import", str(dump), *base2).stdout
    assert "2 added" in first
    second = run("import", str(dump), *base2).stdout
    assert "0 added, 0 updated, 2 unchanged" in second
    a = json.loads(run("export", *env["base"]).stdout)["annotations"]
    b = json.loads(run("export", *base2).stdout)["annotations"]
    assert a == b


def test_import_of_a_bad_file_is_a_clear_error(env, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    result = run("import", str(bad), *env["base"], ok=False)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert not env["db"].exists()


def test_tags_and_search(env):
    run("annotate", ARTICLE_003, *env["base"], "--quote", "Guo Min", "--occurrence", "1", "--tag", "people")
    run("annotate", "000", *env["base"], "--quote", "Bayramov", "--occurrence", "1", "--tag", "people", "--tag", "minister")
    tags = json.loads(run("tags", *env["base"], "--json").stdout)
    assert tags[0] == {"tag": "people", "count": 2}
    hits = json.loads(run("search", "chinse ambasador", *env["base"], "--json").stdout)
    assert hits[0]["article"] == ARTICLE_003 and {"article", "title", "score"} <= set(hits[0])


def test_tags_with_escape_sequences_never_reach_the_terminal(env):
    run("annotate", ARTICLE_003, *env["base"], "--quote", "Guo Min", "--occurrence", "1", "--tag", "\x1b[31mred")
    out = run("tags", *env["base"]).stdout
    assert "\x1b" not in out and "\u241b[31mred" in out
    assert json.loads(run("tags", *env["base"], "--json").stdout)[0]["tag"] == "\x1b[31mred"  # data kept
