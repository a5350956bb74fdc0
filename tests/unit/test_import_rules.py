"""The core never imports Textual: checked statically (import-linter) and at run time."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.conftest import REPO

CORE = ["reader.corpus", "reader.anchoring", "reader.store", "reader.search", "reader.export",
        "reader.records", "reader.paths", "reader.fsutil", "reader.session"]


def test_import_linter_contract_holds():
    exe = shutil.which("lint-imports")
    cmd = [exe] if exe else [sys.executable, "-m", "importlinter.cli"]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout and "BROKEN" not in result.stdout


def test_core_and_cli_do_not_load_textual_at_run_time():
    # The CLI's subcommands must start fast, so importing it may not pull Textual in either.
    code = ("import sys\n"
            f"for m in {CORE + ['reader.cli']!r}: __import__(m)\n"
            "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'reader.tui')))\n"
            "print(','.join(bad))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"core imported: {result.stdout.strip()}"
