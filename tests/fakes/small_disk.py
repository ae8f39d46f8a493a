"""A small volume for full-disk tests: a size-limited tmpfs where this machine lets the test mount
one, and everywhere a fault-injecting layer (small_disk.c, loaded with LD_PRELOAD) that gives the
real product the same ENOSPC errors and the same free space, without privileges."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SOURCE = Path(__file__).with_name("small_disk.c")


@dataclass
class SmallDisk:
    """A volume of `size` bytes at `root`; children started with `env` see it full when it is."""

    root: Path
    size: int
    kind: str
    env: dict[str, str] = field(default_factory=dict)

    def fill(self, name: str, leave: int = 0) -> int:
        """Grow the file `name` (another program's log, say) until at most `leave` bytes are free; its size."""
        script = (
            "import os, sys\n"
            "path, leave = sys.argv[1], int(sys.argv[2])\n"
            "with open(path, 'ab', buffering=0) as f:\n"
            "    while os.statvfs(path).f_bavail * os.statvfs(path).f_frsize > leave:\n"
            "        try:\n"
            "            f.write(b'.' * 4096)\n"
            "        except OSError:\n"
            "            break\n"
        )
        path = self.root / name
        subprocess.run([sys.executable, "-c", script, str(path), str(leave)], env={**os.environ, **self.env}, check=True)
        return path.stat().st_size

    def free(self) -> int:
        """Bytes free on the volume, as its programs see it."""
        script = "import shutil, sys; print(shutil.disk_usage(sys.argv[1]).free)"
        done = subprocess.run(
            [sys.executable, "-c", script, str(self.root)],
            env={**os.environ, **self.env}, capture_output=True, text=True, check=True,
        )
        return int(done.stdout)


def _compiled(build_dir: Path) -> Path:
    """small_disk.c built as a shared library (once per source version); a missing compiler fails loudly."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise RuntimeError("the full-disk test needs a C compiler (cc): apt-get install gcc libc6-dev")
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:12]
    library = build_dir / f"small_disk-{digest}.so"
    if not library.exists():
        build_dir.mkdir(parents=True, exist_ok=True)
        built = library.with_suffix(".building")
        subprocess.run(
            [compiler, "-shared", "-fPIC", "-O2", "-o", str(built), str(SOURCE), "-ldl"], check=True
        )
        built.replace(library)
    return library


@contextmanager
def injected(root: Path, size: int, build_dir: Path) -> Iterator[SmallDisk]:
    """A directory that behaves, for the children started with the returned env, as a `size`-byte volume."""
    root.mkdir(parents=True, exist_ok=True)
    library = _compiled(build_dir)
    env = {"LD_PRELOAD": str(library), "SMALL_DISK_DIR": str(root.resolve()), "SMALL_DISK_BYTES": str(size)}
    yield SmallDisk(root, size, "injected", env)


def can_mount() -> bool:
    """Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN, as on a developer's VM)."""
    return sys.platform.startswith("linux") and os.geteuid() == 0 and shutil.which("mount") is not None


@contextmanager
def tmpfs(root: Path, size: int) -> Iterator[SmallDisk]:
    """A real tmpfs of `size` bytes mounted at `root` for the duration (RuntimeError when mounting is refused)."""
    root.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(root)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield SmallDisk(root, size, "tmpfs")
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)
