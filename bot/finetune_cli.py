"""`souvenir finetune`: a custom Ollama model from a scope's memory, optionally with a LoRA adapter."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_args import add_scope
from core.errors import LLMUnavailable, UserError
from core.training.records import Pair, chat_records, system_for, training_pairs

if TYPE_CHECKING:  # every `souvenir` command builds this parser: the Ollama client and rich load in `finetune` only
    from rich.console import Console

    from bot.app import App


def add_finetune_parser(sub: argparse._SubParsersAction) -> None:
    """Register `finetune --scope S --base MODEL --name NAME [--lora --hf-model PATH ...]`."""
    tune = sub.add_parser("finetune", help="create a custom Ollama model from a scope's memory")
    tune.add_argument("--name", required=True, help="name of the new Ollama model")
    tune.add_argument("--base", default=None, help="base Ollama model (default: the configured model)")
    tune.add_argument(
        "--system", default=None, help="persona (SYSTEM prompt; default: one in the memory's language)"
    )
    tune.add_argument("--temperature", type=float, default=0.7)
    tune.add_argument(
        "--num-ctx", type=int, default=None, help="context size (default: the setting, within the base's)"
    )
    tune.add_argument("--seed-messages", type=int, default=20, help="best pairs kept as MESSAGEs")
    tune.add_argument(
        "--adapter", type=Path, default=None, help="attach an existing LoRA adapter (PEFT directory or .gguf)"
    )
    lora = tune.add_argument_group("LoRA (needs the [finetune] extra)")
    lora.add_argument("--lora", action="store_true", help="train a LoRA adapter and attach it")
    lora.add_argument(
        "--hf-model", type=Path, help="local Hugging Face directory of the base model's weights"
    )
    lora.add_argument("--adapter-out", type=Path, default=None, help="where to save the adapter")
    lora.add_argument("--epochs", type=int, default=3)
    lora.add_argument("--max-steps", type=int, default=None)
    lora.add_argument("--learning-rate", type=float, default=2e-4)
    lora.add_argument("--rank", type=int, default=8)
    lora.add_argument("--batch-size", type=int, default=4)
    add_scope(tune)
    tune.set_defaults(func=cmd_finetune)


def train_adapter(
    pairs: list[Pair], system: str, args: argparse.Namespace, out_dir: Path, console: Console
) -> Path:
    """Train the LoRA adapter with a progress bar showing the loss (blocking: run in a worker thread)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    try:
        from core.training.lora import LoraSettings, load_base, pick_device, train_lora
    except ImportError as error:
        raise UserError("finetune.no_training_libs") from error

    device = pick_device()
    model, tokenizer = load_base(args.hf_model, device)
    settings = LoraSettings(
        rank=args.rank,
        alpha=2 * args.rank,
        learning_rate=args.learning_rate,
        epochs=args.epochs,
        max_steps=args.max_steps,
        batch_size=args.batch_size,
    )
    columns = (
        TextColumn("LoRA on {task.fields[device]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("train", total=None, device=device, loss="-")

        def on_step(step: int, total: int, loss: float) -> None:
            progress.update(task, completed=step, total=total, loss=f"{loss:.4f}")

        result = train_lora(model, tokenizer, chat_records(pairs, system), out_dir, settings, on_step)
    console.print(
        f"adapter saved to {out_dir}: {result.steps} steps, {result.steps_per_second:.2f} steps/s, "
        f"loss {result.losses[0]:.4f} → {result.losses[-1]:.4f}",
        markup=False,
    )
    return out_dir


async def cmd_finetune(app: App, args: argparse.Namespace) -> int:
    """Check the base, optionally train or take a LoRA adapter, create the model: one clear line on failure."""
    try:
        return await _finetune(app, args)
    except LLMUnavailable as error:
        if type(error) is LLMUnavailable:  # down: say which setting to fix, not the address
            raise UserError("finetune.unreachable") from error
        raise


async def _finetune(app: App, args: argparse.Namespace) -> int:
    import ollama
    from rich.console import Console

    from core.training.ollama_model import (
        CreateRequest,
        OllamaTarget,
        check_base,
        create_model,
        seed_messages,
        upload_adapter,
    )

    lang = app.settings.language
    t = app.assistant.text
    console = Console(highlight=False)
    base = args.base or app.settings.ollama.model
    live = await app.memory.store.memories.all_memories(args.scope)
    pairs = training_pairs(live)
    if not pairs:
        raise UserError("finetune.no_data", scope=args.scope)
    if args.lora and (args.hf_model is None or not (args.hf_model / "config.json").is_file()):
        raise UserError("finetune.no_hf_model", path=args.hf_model)
    if args.adapter is not None and not args.adapter.exists():
        raise UserError("finetune.no_adapter", path=args.adapter)
    timeout = app.settings.ollama.timeout
    host = app.settings.ollama.host
    work_timeout = max(timeout, 600.0)
    client = ollama.AsyncClient(host=host, timeout=work_timeout)
    target = OllamaTarget(client, host, timeout, work_timeout)
    info = await check_base(target, base)
    system = args.system or system_for(live)
    num_ctx = args.num_ctx or min(app.settings.ollama.num_ctx, info.context_length or 1 << 30)
    request = CreateRequest(
        name=args.name,
        base=base,
        system=system,
        parameters={"temperature": args.temperature, "num_ctx": num_ctx},
        messages=seed_messages(pairs, args.seed_messages),
    )
    adapter = args.adapter
    if args.lora:
        adapter = args.adapter_out or app.settings.data_dir / "adapters" / args.name
        await asyncio.to_thread(train_adapter, pairs, system, args, adapter, console)
    if adapter is not None:
        request.adapters = await upload_adapter(target, adapter)
        request.adapter_dir = str(adapter)
    await create_model(target, request, info.arch)
    console.print("# Modelfile (equivalent: ollama create NAME -f Modelfile)", markup=False)
    console.print(request.modelfile(), markup=False, soft_wrap=True)
    console.print(
        t(lang, "finetune.created", name=args.name, base=base, count=len(request.messages)), markup=False
    )
    return 0
