"""`make install`'s torch step: it never installs CUDA wheels unless asked, and never waits on a dead index."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from scripts.install_torch import cuda_packages, reachable

ROOT = Path(__file__).resolve().parents[2]


def report(*names: str) -> dict:
    """A `pip install --report` document listing `names`."""
    return {"install": [{"metadata": {"name": name, "version": "1"}} for name in names]}


def test_the_plain_pypi_resolution_of_torch_counts_as_cuda():
    # What `pip install torch==2.13.0` resolved to from plain PyPI on x86-64 (seen on this machine).
    pypi = report("torch", "cuda-toolkit", "nvidia-cudnn-cu13", "nvidia-nccl-cu13", "triton", "cuda-bindings",
                  "filelock", "sympy", "networkx", "Jinja2")
    assert cuda_packages(pypi) == ["cuda-bindings", "cuda-toolkit", "nvidia-cudnn-cu13", "nvidia-nccl-cu13", "triton"]
    assert cuda_packages(report("torch", "filelock", "sympy", "networkx", "Jinja2", "fsspec")) == []


def test_an_unreachable_index_is_given_up_at_once_and_a_live_one_is_seen():
    started = time.perf_counter()
    assert reachable("http://127.0.0.1:9/whl/cpu/torch/", timeout=5) is False
    assert time.perf_counter() - started < 5
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert reachable(f"http://127.0.0.1:{server.server_address[1]}/", timeout=5) is True
    finally:
        server.shutdown()


def test_without_the_cpu_index_the_dry_run_falls_back_and_names_what_it_would_install(tmp_path):
    done = subprocess.run(
        [sys.executable, "scripts/install_torch.py", "--version", "2.13.0", "--dry-run",
         "--cpu-index", "http://127.0.0.1:9/whl/cpu", "--log", str(tmp_path / "pip.log")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    plan = json.loads(done.stdout.strip().splitlines()[-1])
    assert plan["route"].startswith("the default index") and "not reachable" in plan["route"]
    assert plan["torch"].startswith("2.13.0")
    # A CPU build (a +cpu label, or no CUDA package beside it) is the only acceptable plan on a CPU machine.
    assert plan["cuda_packages"] == [] or not plan["torch"].endswith("+cpu")
