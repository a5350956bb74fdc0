"""The store's commands as a user runs them: damaged files through export/list/tags, doctor, restore, delete."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from reader.store import AnnotationStore, shard_name
from tests.helpers import A000, A003 as ARTICLE_003, run



def setup_damaged(env) -> tuple[Path, bytes]:
    run("annotate", ARTICLE_003, *env["base"], "--quote", "Guo Min", "--occurrence", "1", "--tag", "first")
    store = AnnotationStore(env["db"])
    (rec,) = store.all()
    store.update(rec["id"], tags=["second"])                    # "first" is now a backup
    run("annotate", A000, *env["base"], "--tag", "healthy")
    chunk = env["db"].parent / "annotations.d" / shard_name(ARTICLE_003)
    chunk.write_bytes(chunk.read_bytes()[:-12])                  # truncated
    return chunk, chunk.read_bytes()


def test_a_damaged_file_is_skipped_by_export_with_exit_3_and_others_work(env, tmp_path):
    chunk, broken = setup_damaged(env)
    result = run("export", *env["base"], "--format", "jsonl", "-o", str(tmp_path / "out.jsonl"), ok=False)
    assert result.returncode == 3
    assert chunk.name in result.stderr and "run `reader doctor`" in result.stderr
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert any("healthy" in line for line in lines) and any("first" in line for line in lines)   # + from backup
    for args in (["list"], ["tags"]):
        listed = run(args[0], *env["base"])
        assert chunk.name in listed.stderr
    assert "healthy" in run("tags", *env["base"]).stdout
    run("annotate", A000, *env["base"], "--tag", "still-saves")
    refused = run("annotate", ARTICLE_003, *env["base"], "--tag", "no", ok=False)
    assert refused.returncode == 1 and "left untouched" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert chunk.read_bytes() == broken


def test_doctor_names_the_damage_and_restore_brings_back_the_backup(env):
    chunk, broken = setup_damaged(env)
    doc = run("doctor", *env["base"], ok=False)
    assert doc.returncode == 1 and chunk.name in doc.stdout
    advice = [line for line in doc.stdout.splitlines() if line.startswith("to fix, run: reader restore")]
    assert advice
    listed = run("restore", *env["base"])
    assert chunk.name in listed.stdout and "current file is damaged" in listed.stdout
    name, version = advice[0].split("reader restore ", 1)[1].split()[:2]
    restored = run("restore", name, version, *env["base"])
    assert "restored" in restored.stdout
    assert run("doctor", *env["base"]).returncode == 0
    data = json.loads(run("export", *env["base"]).stdout)
    assert sorted(t for r in data["annotations"] for t in r["tags"]) == ["first", "healthy"]
    kept = [v for v in AnnotationStore(env["db"]).backups(chunk.name) if v["records"] is None]
    assert kept                                                 # the damaged bytes were kept, not destroyed
    assert (AnnotationStore(env["db"]).backup_dir / chunk.name[:-5] / f"{kept[0]['version']}.json").read_bytes() == broken


def test_doctor_repair_rebuilds_a_lost_index_and_removes_leftovers(env):
    run("annotate", A000, *env["base"], "--tag", "a")
    index = env["db"].parent / "annotations.index"
    shutil.rmtree(index)
    index.mkdir()
    (index / "ff.json").write_bytes(b'{"ids": {"x": ["nowhere.json"]}}')
    leftover = env["db"].parent / "annotations.d" / f".{shard_name(A000)}.999999.deadbeef.tmp"
    leftover.write_bytes(b"half")
    doc = run("doctor", *env["base"], ok=False)
    assert "leftover" in doc.stdout and "doctor --repair" in doc.stdout
    fixed = run("doctor", "--repair", *env["base"])
    assert "rebuilt the id index" in fixed.stdout and not leftover.exists()
    (rec,) = AnnotationStore(env["db"]).all()
    assert AnnotationStore(env["db"]).get(rec["id"]) == rec


def test_delete_replays_a_rescue_file(env, tmp_path):
    for tag in ("a", "b", "c"):
        run("annotate", A000, *env["base"], "--tag", tag)
    ids = [r["id"] for r in AnnotationStore(env["db"]).all()]
    rescue = tmp_path / "reader-unsaved-deleted.txt"
    rescue.write_text(f"{ids[0]}\n{ids[1]}\nno-such-id\n")
    result = run("delete", "--from", str(rescue), *env["base"])
    assert "deleted 2 annotations; 1 were already gone" in result.stdout
    assert [r["id"] for r in AnnotationStore(env["db"]).all()] == [ids[2]]


def test_an_export_cleans_the_temp_file_a_killed_export_left(env, tmp_path):
    target = tmp_path / "out.json"
    dead = tmp_path / ".out.json.999999.deadbeef.tmp"
    live = tmp_path / f".out.json.{os.getpid()}.cafebabe.tmp"
    dead.write_bytes(b"half an export")
    live.write_bytes(b"someone is writing")
    run("export", *env["base"], "-o", str(target))
    assert target.exists() and not dead.exists() and live.exists()


def test_tags_rename_and_merge_everywhere(env):
    for tag in ("covid", "COVID-19", "health"):
        run("annotate", A000, *env["base"], "--tag", tag)
    result = run("tags", *env["base"], "--json", "--rename", "covid", "pandemic", "--rename", "COVID-19", "pandemic")
    assert "3 annotations changed" not in result.stderr and "2 annotations changed" in result.stderr
    assert {t["tag"]: t["count"] for t in json.loads(result.stdout)} == {"pandemic": 2, "health": 1}
    assert not (env["db"].parent / "annotations.journal.json").exists()


def test_an_invalid_record_is_skipped_by_every_export_format_with_exit_3(env, tmp_path):
    run("annotate", ARTICLE_003, *env["base"], "--quote", "Guo Min", "--occurrence", "1", "--tag", "invalid-one")
    run("annotate", A000, *env["base"], "--tag", "healthy")
    chunk = env["db"].parent / "annotations.d" / shard_name(ARTICLE_003)
    data = json.loads(chunk.read_bytes())
    (key,) = data["annotations"]
    data["annotations"][key].update(start=700, end=600)          # a record that fails validation
    chunk.write_bytes(json.dumps(data).encode())
    broken = chunk.read_bytes()
    for fmt in ("json", "w3c", "jsonl", "md", "csv", "qdpx"):
        target = tmp_path / f"out.{fmt}"
        result = run("export", *env["base"], "--format", fmt, "-o", str(target), ok=False)
        assert result.returncode == 3, (fmt, result.stderr)      # done, but something was skipped
        assert chunk.name in result.stderr and "run `reader doctor`" in result.stderr
        if fmt != "qdpx":
            text = target.read_text(encoding="utf-8-sig")
            assert "healthy" in text and "invalid-one" not in text, fmt
        else:
            assert target.stat().st_size > 0
    run("annotate", A000, *env["base"], "--tag", "still-saves")
    assert run("doctor", *env["base"], ok=False).returncode == 1
    assert chunk.read_bytes() == broken                           # left byte for byte
