"""A tiny driver for a real terminal: start a command in a private tmux server, type, read the screen."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


class Tmux:
    def __init__(self, width: int = 120, height: int = 36) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed (apt-get install -y tmux)")
        self.socket = f"reader-test-{uuid.uuid4().hex[:8]}"
        self.width, self.height = width, height
        self.env = {**os.environ, "TERM": "xterm-256color"}
        self.env.pop("TMUX", None)
        # tmux's own #{pane_dead_status} is sometimes left empty (seen with 3.3a), so the shell that
        # runs the command writes its exit status here.
        self.status_file = Path(tempfile.mkdtemp(prefix="reader-tmux-")) / "status"

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              env=self.env, check=check, timeout=30)

    def start(self, command: str) -> None:
        # `remain-on-exit` keeps the pane (and its last screen) after the program ends, so we can see how it ended.
        wrapped = f"{command}; echo $? > {shlex.quote(str(self.status_file))}"
        self._tmux("new-session", "-d", "-s", "main", "-x", str(self.width), "-y", str(self.height),
                   "sh", "-c", wrapped)
        self._tmux("set-option", "-t", "main", "remain-on-exit", "on")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "main", *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", "main", "-l", text)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "main").stdout

    def wait_for(self, predicate, timeout: float = 20.0, what: str = "") -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what or predicate}; the screen was:\n{screen}")

    def wait_text(self, text: str, timeout: float = 20.0) -> str:
        return self.wait_for(lambda s: text in s, timeout, what=repr(text))

    def running(self) -> bool:
        return not self.status_file.exists()

    def wait_exit(self, timeout: float = 15.0) -> int | None:
        """The command's exit status once it has ended, or None if it is still running after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                text = self.status_file.read_text().strip()
            except FileNotFoundError:
                text = ""
            if text:
                return int(text)
            time.sleep(0.05)
        return None

    def kill(self) -> None:
        self._tmux("kill-server", check=False)
        shutil.rmtree(self.status_file.parent, ignore_errors=True)
