"""Issue 8's command-line defects, as a user meets them: a real `reader` process, its output and exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import A003 as ARTICLE_003
from tests.helpers import export_json, run


def export_native(env) -> dict:
    return export_json(env["corpus"], env["db"])

ARTICLE_004 = "004_9c9c4874b48bb81e.txt"


def test_annotate_with_nothing_to_store_is_refused(env):
    result = run("annotate", "003", *env["base"], ok=False)
    assert result.returncode != 0
    assert "nothing to annotate" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not env["db"].parent.exists() or export_native(env)["annotations"] == []


def test_annotate_an_ambiguous_quote_is_refused_naming_the_count(env):
    result = run("annotate", "004", *env["base"], "--quote", "medical masks", "--tag", "masks", ok=False)
    assert result.returncode != 0
    assert "occurs 3 times" in result.stderr and "--occurrence" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    run("annotate", "004", *env["base"], "--quote", "medical masks", "--occurrence", "3", "--tag", "masks")
    (record,) = export_native(env)["annotations"]
    text = (env["corpus"] / ARTICLE_004).read_text(encoding="utf-8")
    third = [i for i in range(len(text)) if text.startswith("medical masks", i)][2]
    assert record["start"] == third


def test_a_quote_that_occurs_once_needs_no_occurrence(env):
    quote = "China's Ambassador to Azerbaijan Guo Min"
    run("annotate", "003", *env["base"], "--quote", quote, "--tag", "x")
    (record,) = export_native(env)["annotations"]
    assert record["quote"] == quote


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["search", "masks"], ["tags"], ["export"]])
def test_read_only_commands_create_no_folder(tmp_path, command):
    from tests.helpers import SEEDS

    missing = tmp_path / "nonexistent" / "dir"
    result = run(command[0], "--corpus", str(SEEDS), "--db", str(missing / "a.json"), *command[1:])
    assert result.returncode == 0
    assert not (tmp_path / "nonexistent").exists()


def native(env, records: list[dict]) -> str:
    doc = export_native(env)  # a real export's envelope, with these records in it
    doc["annotations"] = records
    return json.dumps(doc)


def whole_article(**changes) -> dict:
    record = {"id": "00000000-0000-4000-8000-000000000001", "article": ARTICLE_003, "start": None,
              "end": None, "quote": "", "prefix": "", "suffix": "", "tags": ["x"], "note": "",
              "created": "2026-01-01T00:00:00.000000Z", "updated": "2026-01-01T00:00:00.000000Z",
              "fingerprint": ""}
    record.update(changes)
    return record


def test_import_error_names_the_field_that_is_wrong(env, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(native(env, [whole_article(start="abc")]), encoding="utf-8")
    result = run("import", str(bad), *env["base"], ok=False)
    assert result.returncode != 0
    assert "start" in result.stderr and "'abc'" in result.stderr
    assert "end" not in result.stderr.split("annotation 1:", 1)[-1].split(":")[0]


def test_import_reports_conflicts_and_unknown_articles_by_name(env, tmp_path):
    run("annotate", "003", *env["base"], "--quote", "Guo Min", "--occurrence", "1", "--tag", "people")
    (local,) = export_native(env)["annotations"]
    conflicting = dict(local, note="a different note made elsewhere at the same time")
    stranger = whole_article(id="00000000-0000-4000-8000-000000000002", article="not-here/lost.txt")
    path = tmp_path / "theirs.json"
    path.write_text(native(env, [conflicting, stranger]), encoding="utf-8")
    result = run("import", str(path), *env["base"])
    out = result.stdout + result.stderr
    assert "1 conflict" in out and local["id"] in out and "kept" in out
    assert "not-here/lost.txt" in out
    assert "0 unchanged" in result.stdout
    records = {r["id"]: r for r in export_native(env)["annotations"]}
    assert records[local["id"]]["note"] == local["note"]  # the local version is kept
    assert "00000000-0000-4000-8000-000000000002" in records  # imported, and named


def test_list_tells_look_alike_titles_apart_and_shows_byline_and_source(env):
    for name in ("zlib", "bash"):
        (env["corpus"] / name).mkdir()
        (env["corpus"] / name / "copyright.txt").write_text("Format: https://example.org/copyright-format/1.0/\n\n"
                                                            "Files: *\n", encoding="utf-8")
    lines = run("list", *env["base"]).stdout.splitlines()
    zlib = next(line for line in lines if line.startswith("zlib/"))
    assert zlib.endswith("[zlib/copyright.txt]") and "\x1b" not in zlib  # not a terminal: no escapes
    ayya = next(line for line in lines if line.startswith("004_"))
    assert "by Ayya Lmahamad" in ayya


def test_every_option_of_every_command_has_a_description():
    import argparse

    from reader.cli import build_parser, build_tui_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for name, sub in [*subparsers.choices.items(), ("(the TUI)", build_tui_parser())]:
        for action in sub._actions:
            if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                continue
            if not action.help:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []
