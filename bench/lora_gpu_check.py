"""LoRA check on a GPU (or CPU) with no internet: a few steps of the project's trainer, one JSON line of figures.

Run from the repository root:
    python bench/lora_gpu_check.py [--hf-model DIR] [--steps 20] [--batch-size 8] [--max-length 256]
Without --hf-model (or when DIR has no config.json) it builds a ~100M-parameter random-weight Llama
and trains a tokenizer on the fly. Needs only torch, transformers, peft, tokenizers and core/training.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from core.training.lora import LoraSettings, load_base, pick_device, train_lora
from core.training.records import Pair, chat_records
from core.training.scratch import SMALL_100M, build_random_llama

SUBJECTS = ["the wifi password", "the dentist", "the spare key", "the garden hose", "the meeting", "the bike"]
PLACES = ["in the shed", "on Thursday", "under the mat", "behind the garage", "at noon", "in the hall"]


def sample_records(count: int) -> list[dict]:
    """Synthetic teachings in the project's chat format."""
    pairs = [
        Pair(
            f"Where or when is {SUBJECTS[i % 6]} number {i}?",
            f"{SUBJECTS[i % 6].capitalize()} number {i} is "
            f"{PLACES[(i * 5) % 6]}, as you taught me on day {i % 31 + 1}.",
            0.8,
        )
        for i in range(count)
    ]
    return chat_records(pairs)


def main() -> int:
    """Build or load the model, train a few LoRA steps, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hf-model", type=Path, default=None)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--records", type=int, default=256)
    args = parser.parse_args()

    device = pick_device()
    records = sample_records(args.records)
    work = Path(tempfile.mkdtemp(prefix="lora-check-"))
    started = time.perf_counter()
    source = "local"
    model_dir = args.hf_model
    if model_dir is None or not (model_dir / "config.json").is_file():
        source = "random-llama-100M"
        texts = [m["content"] for r in records for m in r["messages"]] * 20
        model_dir = build_random_llama(work / "base", texts, SMALL_100M)
    model, tokenizer = load_base(model_dir, device)
    build_s = time.perf_counter() - started
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    settings = LoraSettings(
        max_steps=args.steps, batch_size=args.batch_size, max_length=args.max_length, learning_rate=1e-3
    )
    result = train_lora(model, tokenizer, records, work / "adapter", settings)
    figures = {
        "device": device,
        "gpu": torch.cuda.get_device_name(0) if device == "cuda" else None,
        "model": source if source != "local" else str(args.hf_model),
        "dtype": str(next(model.parameters()).dtype),
        "params": result.total_params,
        "trainable_params": result.trainable_params,
        "steps": result.steps,
        "batch_size": args.batch_size,
        "steps_per_s": round(result.steps_per_second, 3),
        "loss_first": round(result.losses[0], 4),
        "loss_last": round(result.losses[-1], 4),
        "peak_gpu_mem_mb": round(torch.cuda.max_memory_allocated() / 2**20, 1) if device == "cuda" else None,
        "setup_s": round(build_s, 1),
        "adapter_bytes": (work / "adapter" / "adapter_model.safetensors").stat().st_size,
        "torch": torch.__version__,
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
