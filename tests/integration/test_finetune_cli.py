"""`souvenir finetune` as a person runs it: every failure is one clear line and a non-zero exit."""

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from bot.app import build_app
from bot.settings import Settings
from core.embeddings.fake import HashingEmbedder
from tests.fakes.local_http import closed_port
from tests.fakes.ollama_server import ModelSpec

ROOT = Path(__file__).resolve().parents[2]
SCOPE = "console:user:local"

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
async def data_dir(tmp_path) -> Path:
    """A data directory whose console scope holds a few taught facts."""
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", language="en")
    app = await build_app(settings, embedder=HashingEmbedder())
    await app.memory.teaching.teach(SCOPE, "The wifi password is tulip42.")
    await app.memory.teaching.teach(SCOPE, "The dentist is on Thursday.")
    await app.close()
    return tmp_path / "data"


async def _souvenir(data_dir: Path, host: str, *args: str) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "SOUVENIR_DATA_DIR": str(data_dir),
        "SOUVENIR_OLLAMA__HOST": host,
        "SOUVENIR_LANGUAGE": "en",
        "PYTHONPATH": str(ROOT),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "finetune",
        *args,
        cwd=data_dir.parent,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return process.returncode, out.decode(), err.decode()


async def _one_line_failure(data_dir: Path, host: str, *args: str) -> str:
    code, out, err = await _souvenir(data_dir, host, *args)
    assert code != 0
    assert out.strip() == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "https://" not in err and "127.0.0.1" not in err
    return lines[0]


async def test_missing_base_down_server_and_refused_adapters_each_print_one_line(
    data_dir, fake_ollama, tmp_path
):
    line = await _one_line_failure(data_dir, fake_ollama.url, "--name", "me", "--base", "absent-model")
    assert line == "The base model absent-model is not on this Ollama: run `ollama pull absent-model`."

    down = f"http://127.0.0.1:{closed_port()}"
    line = await _one_line_failure(data_dir, down, "--name", "me")
    assert line == "Ollama is not reachable: start it (`ollama serve`) or point SOUVENIR_OLLAMA__HOST at it."

    not_gguf = tmp_path / "adapter.bin"
    not_gguf.write_bytes(b"\x00\x01 safetensors? no")
    line = await _one_line_failure(data_dir, fake_ollama.url, "--name", "me", "--adapter", str(not_gguf))
    assert line.startswith("Ollama refused the adapter for llama3.2: it takes a GGUF file")

    peft = tmp_path / "peft"
    peft.mkdir()
    (peft / "adapter_model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    (peft / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA", "r": 8}))
    fake_ollama.specs["qwen2.5:latest"] = ModelSpec(arch="qwen2")
    fake_ollama.models.append("qwen2.5:latest")
    line = await _one_line_failure(
        data_dir, fake_ollama.url, "--name", "me", "--base", "qwen2.5", "--adapter", str(peft)
    )
    assert line.startswith(
        "Ollama cannot convert a safetensors LoRA adapter for qwen2.5 (architecture qwen2)"
    )
    assert "me:latest" not in fake_ollama.models

    code, out, err = await _souvenir(data_dir, fake_ollama.url, "--name", "me", "--adapter", str(peft))
    assert code == 0, err
    assert "FROM llama3.2" in out and f"ADAPTER {peft}" in out and "me:latest" in fake_ollama.models
    assert set(fake_ollama.create_requests[-1]["adapters"]) == {
        "adapter_model.safetensors",
        "adapter_config.json",
    }
