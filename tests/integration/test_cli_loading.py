"""The command line loads the embedder (torch, sentence-transformers) and the Ollama client only for commands that need them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.scope import CONSOLE_SCOPE

pytestmark = pytest.mark.timeout(240)

PROBE = """
import json, sys
from bot.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as done:
    code = done.code
heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
assistant = "core.assistant" in sys.modules
print(json.dumps({"code": code, "heavy": heavy, "ollama": "ollama" in sys.modules, "assistant": assistant}))
"""


def souvenir(data_dir: Path, *argv: str) -> dict:
    """Run one `souvenir` command in a fresh interpreter: exit code, heavy modules imported, its output."""
    env = {
        **os.environ,
        "SOUVENIR_DATA_DIR": str(data_dir),
        "SOUVENIR_OLLAMA__HOST": "http://127.0.0.1:9",
        "SOUVENIR_LANGUAGE": "en",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], env=env, cwd=data_dir, capture_output=True, text=True, timeout=200
    )
    assert done.returncode == 0, done.stderr[-2000:]
    *output, probe = done.stdout.strip().splitlines()
    return {**json.loads(probe), "output": output}


@pytest.fixture
async def seeded(make_app, tmp_path) -> tuple[Path, list[int]]:
    """A data directory with three memories embedded by the default model, index saved; their chat numbers."""
    data_dir = tmp_path / "data"
    app = await make_app(embedder="minilm", data_dir=data_dir)
    ids = [
        (await app.memory.teaching.teach(CONSOLE_SCOPE, text)).number
        for text in ("The roof was replaced in 2019.", "Clara was born in 1990.", "The boiler is in the cellar.")
    ]
    await app.close()
    return data_dir, ids


@pytest.mark.parametrize(
    "argv",
    [
        ("--help",),
        ("status",),
        ("remember",),
        ("export", "--format", "jsonl"),
        ("search", "roof", "--mode", "keyword"),
        ("forget", "999999"),
    ],
    ids=" ".join,
)
def test_commands_without_the_embedder_never_import_torch(seeded, argv):
    data_dir, _ = seeded
    result = souvenir(data_dir, *argv)
    assert result["heavy"] == [], f"souvenir {' '.join(argv)} imported {result['heavy']}"
    assert result["code"] == (1 if argv[0] == "forget" else 0)
    # Only `status` asks Ollama something (whether it is reachable); the others never load its client.
    assert result["ollama"] is (argv[0] == "status")
    # Memory commands build the memory side alone: no assistant, conversation or LLM wiring to import.
    assert result["assistant"] is (argv[0] == "status")


def test_forget_of_a_real_memory_updates_the_index_without_the_model(seeded):
    data_dir, ids = seeded
    forgot = souvenir(data_dir, "forget", str(ids[0]))
    assert forgot["code"] == 0 and forgot["heavy"] == [] and not forgot["assistant"]
    assert "Forgot #" in forgot["output"][0] and "The roof was replaced" in forgot["output"][0], forgot["output"]
    # The next search loads the model and agrees with the store: the forgotten memory is gone for good.
    found = souvenir(data_dir, "search", "when was the roof replaced", "--json")
    assert found["code"] == 0 and "torch" in found["heavy"], "a dense search does load the embedder"
    hits = json.loads(found["output"][-1])
    assert [hit["number"] for hit in hits] and ids[0] not in [hit["number"] for hit in hits]
