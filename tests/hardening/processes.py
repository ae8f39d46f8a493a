"""Running the real `souvenir` command in a child process: its environment, output, time and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Runs the command as a grandchild and reports its peak RSS: RUSAGE_CHILDREN of this small parent
# covers exactly that one process tree, whatever else the test session started.
_MEASURE = (
    "import json, resource, subprocess, sys, time\n"
    "start = time.monotonic()\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
    "print(json.dumps({'rc': code, 'peak_rss': peak, 'seconds': time.monotonic() - start}), file=sys.stderr)\n"
)


@dataclass
class Finished:
    """What a finished `souvenir` process left: exit status, output, peak memory, duration."""

    rc: int
    stdout: str
    stderr: str
    peak_rss: int
    seconds: float


def souvenir_env(data_dir: Path, *, language: str = "en", **extra: str) -> dict[str, str]:
    """An environment for a `souvenir` child: this checkout's code, the hashing embedder, no Ollama."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOUVENIR_")}
    env.update(
        PYTHONPATH=str(ROOT),
        SOUVENIR_DATA_DIR=str(data_dir),
        SOUVENIR_LANGUAGE=language,
        SOUVENIR_EMBEDDINGS__MODEL="hashing",
        SOUVENIR_OLLAMA__HOST="http://127.0.0.1:9",
        PYTHONUNBUFFERED="1",
        COLUMNS="200",
    )
    env.update(extra)
    return env


def souvenir_command(*args: str) -> list[str]:
    """The `souvenir` command line, as the installed entry point runs it."""
    return [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", *args]


def run_measured(args: list[str], env: dict[str, str], *, stdin: str = "", timeout: float = 300) -> Finished:
    """Run `souvenir ARGS` to the end and measure it."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *souvenir_command(*args)],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=str(Path(env["SOUVENIR_DATA_DIR"]).parent),
        timeout=timeout,
        errors="replace",
    )
    *stderr_lines, measured = done.stderr.rstrip("\n").split("\n")
    figures = json.loads(measured)
    return Finished(
        figures["rc"], done.stdout, "\n".join(stderr_lines), figures["peak_rss"], figures["seconds"]
    )


class LiveChat:
    """A running `souvenir chat` fed line by line, as a user at a terminal would (one process throughout)."""

    def __init__(self, env: dict[str, str]) -> None:
        import queue
        import threading

        self._lines: queue.Queue[str] = queue.Queue()
        self._seen: list[str] = []
        self.stderr_path = Path(env["SOUVENIR_DATA_DIR"]).parent.parent / "chat-stderr.log"
        self._stderr = open(self.stderr_path, "w")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            souvenir_command("chat"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            text=True,
            encoding="utf-8",
            cwd=str(Path(env["SOUVENIR_DATA_DIR"]).parent.parent),
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._seen.append(line)
            self._lines.put(line)

    def transcript(self) -> str:
        """Everything the chat printed so far."""
        return "".join(self._seen)

    def say(self, line: str, expect: str, *, timeout: float = 60.0, quiet: float = 0.3) -> str:
        """Send one line; the reply, once `expect` (a regex) appears in it and the output has gone quiet."""
        import queue
        import re
        import time

        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        reply, deadline, matched = "", time.monotonic() + timeout, False
        while time.monotonic() < deadline:
            try:
                reply += self._lines.get(timeout=quiet)
            except queue.Empty:
                if matched:
                    return reply
                if self.process.poll() is not None:
                    break
                continue
            matched = matched or re.search(expect, reply) is not None
        raise AssertionError(f"no {expect!r} in the reply to {line!r} (exit {self.process.poll()}): {reply[-2000:]}")

    def stderr(self) -> str:
        """What the process logged so far."""
        self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")

    def close(self, timeout: float = 60.0) -> int:
        """End the session as a user would (`quit`); its exit status."""
        try:
            if self.process.poll() is None:
                self.process.stdin.write("quit\n")
                self.process.stdin.flush()
            return self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self._stderr.close()
