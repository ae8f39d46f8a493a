"""Install torch for `make install`: the CPU build unless asked for GPU, never CUDA wheels by accident.

Standard library only: it runs with the fresh virtual environment's Python before anything else is in it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CUDA_PREFIXES = ("nvidia-", "cuda-")
CUDA_NAMES = {"triton"}


def reachable(url: str, timeout: float) -> bool:
    """Whether `url` answers within `timeout` seconds (an unreachable index would make pip retry for minutes)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status < 400
    except (OSError, ValueError):
        return False


def cuda_packages(report: dict) -> list[str]:
    """The CUDA runtime packages a `pip install --report` resolution would install."""
    names = (item["metadata"]["name"].lower() for item in report.get("install", []))
    return sorted(n for n in names if n.startswith(CUDA_PREFIXES) or n in CUDA_NAMES)


def pip(log: Path, *args: str) -> None:
    """Run pip with this interpreter, its whole output appended to `log`; on failure show the log's end."""
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    with log.open("a") as out:
        done = subprocess.run([*command, *args], stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        print(f"   pip failed, the end of {log}:", *tail, sep="\n   ", file=sys.stderr)
        raise SystemExit(done.returncode)


def resolve(requirement: str, index: list[str], log: Path) -> dict:
    """What `pip install requirement` would install into a fresh environment (a dry run, nothing changes)."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        pip(log, "install", "--dry-run", "--ignore-installed", "--report", str(report), *index, requirement)
        return json.loads(report.read_text())


def installed_torch() -> str | None:
    """The version of torch already in this environment, if any."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("torch")
    except PackageNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    """Pick the route (CPU index, default index, or GPU on request), check the resolution, install."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True, help="torch version, e.g. 2.13.0")
    parser.add_argument("--gpu", action="store_true", help="the default index's build (CUDA on x86-64)")
    parser.add_argument("--cpu-index", default=CPU_INDEX, help="PyTorch's CPU wheel index (or a mirror)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the CPU index")
    parser.add_argument("--log", type=Path, default=Path(".venv/install.log"), help="pip's whole output goes here")
    parser.add_argument("--dry-run", action="store_true", help="print the resolution as JSON, install nothing")
    args = parser.parse_args(argv)
    requirement = f"torch=={args.version}"
    current = installed_torch()
    if current is not None and current.split("+")[0] == args.version and not args.dry_run:
        if args.gpu and current.endswith("+cpu"):
            print(f"error: torch {current} (CPU) is installed; for the GPU build: make clean install GPU=1")
            return 1
        print(f"      torch {current} already installed")
        return 0
    if args.gpu:
        index, route = [], "the default index (GPU build where the platform has one)"
    elif reachable(args.cpu_index.rstrip("/") + "/torch/", args.timeout):
        index, route = ["--index-url", args.cpu_index], args.cpu_index
    else:
        index, route = [], f"the default index ({args.cpu_index} not reachable)"
    report = resolve(requirement, index, args.log)
    cuda = cuda_packages(report)
    versions = {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in report.get("install", [])}
    if args.dry_run:
        print(json.dumps({"route": route, "torch": versions.get("torch"), "cuda_packages": cuda}))
        return 0
    if cuda and not args.gpu:
        print(
            f"error: {requirement} from {route} would install CUDA packages ({', '.join(cuda[:4])}, …),\n"
            f"       several GB Souvenir does not need. Make {args.cpu_index} reachable, point\n"
            "       TORCH_CPU_INDEX at a mirror of it, or ask for the GPU build: make install GPU=1",
            file=sys.stderr,
        )
        return 1
    pip(args.log, "install", *index, requirement)
    kind = "CUDA" if cuda else "CPU"
    print(f"      torch {versions.get('torch', args.version)} ({kind}) from {route}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
