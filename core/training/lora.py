"""LoRA fine-tuning with PEFT on chat records (heavy imports: load this module lazily)."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerBase

StepCallback = Callable[[int, int, float], object]


@dataclass
class LoraSettings:
    """Hyper-parameters of one LoRA run."""

    rank: int = 8
    alpha: int = 16
    dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])
    learning_rate: float = 2e-4
    epochs: int = 1
    max_steps: int | None = None
    batch_size: int = 4
    max_length: int = 512
    seed: int = 0


@dataclass
class TrainResult:
    """What a run did."""

    adapter_dir: Path
    device: str
    steps: int
    seconds: float
    losses: list[float]
    trainable_params: int
    total_params: int

    @property
    def steps_per_second(self) -> float:
        """Optimiser steps per second of training."""
        return self.steps / self.seconds if self.seconds else 0.0


def pick_device() -> str:
    """cuda when present, else cpu."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def render_record(record: dict, tokenizer: PreTrainedTokenizerBase) -> str:
    """A chat record as text: the tokenizer's chat template when it has one, else a plain layout."""
    messages = record["messages"]
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(messages, tokenize=False)
    eos = tokenizer.eos_token or ""
    return "".join(f"<|{m['role']}|>\n{m['content']}{eos}\n" for m in messages)


def batches(
    records: list[dict], tokenizer: PreTrainedTokenizerBase, settings: LoraSettings, device: str
) -> list[dict[str, torch.Tensor]]:
    """Tokenised, padded batches with padding masked out of the labels."""
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    texts = [render_record(r, tokenizer) for r in records]
    out = []
    for start in range(0, len(texts), settings.batch_size):
        enc = tokenizer(
            texts[start : start + settings.batch_size],
            padding=True,
            truncation=True,
            max_length=settings.max_length,
            return_tensors="pt",
        )
        labels = enc["input_ids"].clone()
        labels[enc["attention_mask"] == 0] = -100
        enc["labels"] = labels
        out.append({key: value.to(device) for key, value in enc.items() if key != "token_type_ids"})
    return out


def load_base(path: Path, device: str) -> tuple[torch.nn.Module, PreTrainedTokenizerBase]:
    """A local Hugging Face model directory (never downloads)."""
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    dtype = torch.bfloat16 if device == "cuda" and torch.cuda.is_bf16_supported() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=dtype).to(device)
    return model, tokenizer


def train_lora(
    model: torch.nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    records: list[dict],
    out_dir: Path,
    settings: LoraSettings | None = None,
    on_step: StepCallback | None = None,
) -> TrainResult:
    """Wrap `model` with LoRA, train on `records`, save the adapter (safetensors) to `out_dir`."""
    if not records:
        raise ValueError("no training records")
    settings = settings or LoraSettings()
    torch.manual_seed(settings.seed)
    random.seed(settings.seed)
    device = str(next(model.parameters()).device)
    config = LoraConfig(
        r=settings.rank,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=settings.target_modules,
        task_type="CAUSAL_LM",
    )
    peft_model = get_peft_model(model, config)
    trainable, total = peft_model.get_nb_trainable_parameters()
    data = batches(records, tokenizer, settings, device)
    total_steps = settings.max_steps or settings.epochs * len(data)
    trainable_params = [p for p in peft_model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable_params, lr=settings.learning_rate)
    peft_model.train()
    losses: list[float] = []
    started = time.perf_counter()
    for step in range(total_steps):
        if step % len(data) == 0:
            random.shuffle(data)
        batch = data[step % len(data)]
        loss = peft_model(**batch).loss
        loss.backward()
        optimiser.step()
        optimiser.zero_grad(set_to_none=True)
        value = float(loss.detach())
        if not math.isfinite(value):
            raise FloatingPointError(f"loss became {value} at step {step + 1}")
        losses.append(value)
        if on_step:
            on_step(step + 1, total_steps, value)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    peft_model.save_pretrained(out_dir, safe_serialization=True)
    return TrainResult(out_dir, device, total_steps, seconds, losses, trainable, total)


def mean_loss(model: torch.nn.Module, tokenizer: PreTrainedTokenizerBase, records: list[dict]) -> float:
    """The model's mean loss over `records` (evaluation, no gradients)."""
    device = str(next(model.parameters()).device)
    model.eval()
    with torch.no_grad():
        values = [float(model(**b).loss) for b in batches(records, tokenizer, LoraSettings(), device)]
    return sum(values) / len(values)


def load_adapter(model: torch.nn.Module, adapter_dir: Path) -> torch.nn.Module:
    """The base model with a saved adapter applied."""
    return PeftModel.from_pretrained(model, adapter_dir)
