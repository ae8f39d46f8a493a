"""Local files to ingest: directories walked without following links, files read within a size limit."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from core.errors import CorruptFile, FileTooLarge, UnsupportedFile, UserError
from core.ingestion.ocr import IMAGE_EXTENSIONS
from core.ingestion.parsers import SUPPORTED_EXTENSIONS


@dataclass(frozen=True)
class LocalFile:
    """A file found for ingestion, or the reason it will not be read."""

    path: Path
    problem: UserError | None = None


def is_image(path: Path) -> bool:
    """Whether `path` names a photo (read by OCR, then stored as its text)."""
    return path.suffix.lower() in IMAGE_EXTENSIONS


def files_to_ingest(paths: Iterable[Path]) -> Iterator[LocalFile]:
    """Each path given, directories walked in a stable order; links and unsupported types come with a problem.

    Symbolic links are never followed (given directly or met in a directory): a link could take the
    walk anywhere on the machine. Hidden entries (names starting with a dot) inside directories are skipped.
    """
    for path in paths:
        if path.is_symlink():
            yield LocalFile(path, CorruptFile("file.symlink", name=str(path)))
        elif path.is_dir():
            yield from _walk(path)
        elif not path.exists():
            yield LocalFile(path, UserError("ingest.missing", name=str(path)))
        else:
            yield LocalFile(path)


def _walk(root: Path) -> Iterator[LocalFile]:
    """Every non-hidden entry under `root`, links reported and not followed."""
    for directory, subdirs, names in os.walk(root, followlinks=False):
        base = Path(directory)
        links = sorted(d for d in subdirs if (base / d).is_symlink() and not d.startswith("."))
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in links)
        for name in sorted([*names, *links]):
            if name.startswith("."):
                continue
            path = base / name
            if path.is_symlink():
                yield LocalFile(path, CorruptFile("file.symlink", name=str(path)))
            elif not path.is_file():
                yield LocalFile(path, CorruptFile("file.not_regular", name=str(path)))
            elif path.suffix.lower() not in SUPPORTED_EXTENSIONS and not is_image(path):
                yield LocalFile(path, UnsupportedFile(name=str(path)))
            else:
                yield LocalFile(path)


def read_local_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file (never through a link), refused above `limit` before it is read."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError as error:
        raise UserError("ingest.missing", name=str(path)) from error
    except OSError as error:  # ELOOP: the last component is a link
        if path.is_symlink():
            raise CorruptFile("file.symlink", name=str(path)) from error
        raise CorruptFile("file.not_regular", name=str(path)) from error
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise CorruptFile("file.not_regular", name=str(path))
        if info.st_size > limit:
            raise FileTooLarge(name=str(path), size=info.st_size, limit=limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(name=str(path), size=len(data), limit=limit)
    return data
