"""`reader check [--fix] [--json] [--accept ID]`: the database verified against the corpus, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.store import AnnotationStore
from tests.helpers import A003 as ARTICLE_003, run


@pytest.fixture
def env(seeds_copy: Path):
    db = seeds_copy.parent / "annotations" / "annotations.json"
    return {"corpus": seeds_copy, "db": db, "base": ["--corpus", str(seeds_copy), "--db", str(db)]}


def annotate(env, *args: str) -> str:
    return run("annotate", *args, *env["base"]).stdout.strip()


def check(env, *args: str, ok: bool = True):
    return run("check", *env["base"], *args, ok=ok)


def test_unchanged_corpus_is_one_line_and_exit_0(env):
    assert check(env).stdout.strip() == f"no annotations database at {env['db']}: nothing to check"
    annotate(env, ARTICLE_003, "--quote", "Guo Min", "--occurrence", "1", "--tag", "people")
    annotate(env, "001", "--note", "whole article")
    out = check(env).stdout
    assert out.count("\n") == 1
    assert out.startswith("checked 2 annotations in 2 articles against") and "every one is where it was" in out


def test_moved_orphaned_review_missing_and_fix(env):
    guo = annotate(env, ARTICLE_003, "--quote", "Guo Min", "--occurrence", "2", "--tag", "people")
    pandemic = annotate(env, ARTICLE_003, "--quote", "pandemic", "--occurrence", "1")
    gone = annotate(env, "004", "--quote", "masks", "--occurrence", "1", "--note", "kept")
    path = env["corpus"] / ARTICLE_003
    path.write_text("A new first paragraph.\n\n" + path.read_text(encoding="utf-8").replace("pandemic", "pandemy", 1),
                    encoding="utf-8")
    (env["corpus"] / "004_9c9c4874b48bb81e.txt").rename(env["corpus"] / "elsewhere.txt.bak")
    before = {r["id"]: r for r in AnnotationStore(env["db"]).all()}
    result = check(env, ok=False)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "1 moved" in lines[0] and "1 to review" in lines[0] and "1 of missing articles" in lines[0]
    status = {line.split()[1]: line.split()[0] for line in lines[1:4]}
    assert status == {guo: "moved", pandemic: "review", gone: "missing"}
    assert "was 'pandemic'" in result.stdout
    assert "run `reader check --fix` to store the new offsets" in result.stdout
    # without --fix nothing was written
    assert {r["id"]: r for r in AnnotationStore(env["db"]).all()} == before
    # --json says the same
    report = json.loads(check(env, "--json", ok=False).stdout)
    assert (report["moved"], report["review"], report["missing"], report["attention"]) == (1, 1, 1, True)
    # --fix stores the new offsets; what is left needs attention still (review, missing)
    fixed = check(env, "--fix", ok=False)
    assert "stored the new offsets of 2 annotations" in fixed.stdout
    after = {r["id"]: r for r in AnnotationStore(env["db"]).all()}
    text = path.read_text(encoding="utf-8")
    assert text[after[guo]["start"]:after[guo]["end"]] == "Guo Min" and after[guo]["status"] == "moved"
    assert after[pandemic]["quote"] == "pandemy" and after[pandemic]["old_quote"] == "pandemic"
    assert after[gone] == before[gone]
    # accepting the passage to review leaves only the missing article
    again = check(env, "--accept", pandemic, ok=False)
    assert f"accepted the place of {pandemic}" in again.stdout
    assert json.loads(check(env, "--json", ok=False).stdout)["review"] == 0
    (env["corpus"] / "elsewhere.txt.bak").rename(env["corpus"] / "004_9c9c4874b48bb81e.txt")
    assert "every one is where it was" in check(env).stdout


def test_orphans_and_damaged_files_need_attention(env):
    annotate(env, ARTICLE_003, "--quote", "Guo Min", "--occurrence", "1", "--tag", "people")
    path = env["corpus"] / ARTICLE_003
    path.write_text(path.read_text(encoding="utf-8").replace("Guo Min", "the ambassador"), encoding="utf-8")
    result = check(env, ok=False)
    assert result.returncode == 1 and "1 orphaned" in result.stdout
    assert result.stdout.splitlines()[1].startswith("orphaned")
    # a damaged database file is reported the way `reader doctor` reports it, with what to run
    [chunk] = list((env["db"].parent / "annotations.d").glob("*.json"))
    chunk.write_text("{ not json")
    damaged = check(env, ok=False)
    assert damaged.returncode == 1
    assert "problem:" in damaged.stdout and "to fix, run:" in damaged.stdout


def test_check_with_a_bad_accept_id_is_one_sentence(env):
    annotate(env, ARTICLE_003, "--quote", "Guo Min", "--occurrence", "1")
    result = check(env, "--accept", "no-such-id", ok=False)
    assert result.returncode != 0 and result.stderr.strip().count("\n") == 0 and "no-such-id" in result.stderr
