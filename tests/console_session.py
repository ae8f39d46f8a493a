"""Running `souvenir chat` in a subprocess, as a user at a terminal would, without a model server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_console(lines: list[str], workdir: Path, language: str) -> list[str]:
    """What `souvenir chat` prints for `lines` typed in `language`, with its data under `workdir`."""
    env = {
        **os.environ,
        "SOUVENIR_DATA_DIR": str(workdir / "data"),
        "SOUVENIR_OLLAMA__HOST": "http://127.0.0.1:9",  # no model server: the console answers from memory
        "SOUVENIR_LANGUAGE": language,
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input="".join(f"{line}\n" for line in lines),
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()
