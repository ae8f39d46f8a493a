"""Newer beats older: ranking places a newer statement ahead of the one it updates; the prompt dates them."""

from __future__ import annotations

from datetime import datetime

from core.capture.service import substitute
from core.models import Kind, Memory, SearchHit
from core.prompt import build_prompt
from core.retrieval.hybrid import newer_first


def memory(memory_id: int, text: str, when: float = 0.0, kind: Kind = Kind.CONVERSATION) -> Memory:
    return Memory(id=memory_id, scope="s", kind=kind, text=text, importance=0.55, created_at=when, number=memory_id)


def test_the_newer_statement_comes_first_even_when_the_search_missed_it() -> None:
    older, newer, other = memory(1, "dentiste mercredi"), memory(2, "dentiste jeudi"), memory(3, "judo mardi")
    hits = [SearchHit(other, 0.9), SearchHit(older, 0.8, updated_by=[newer])]
    assert [h.memory.id for h in newer_first(hits)] == [3, 2, 1]
    found_lower = [SearchHit(older, 0.8, updated_by=[newer]), SearchHit(other, 0.7), SearchHit(newer, 0.6)]
    assert [h.memory.id for h in newer_first(found_lower)] == [2, 1, 3]


def test_without_updates_nothing_moves() -> None:
    hits = [SearchHit(memory(i, f"m{i}"), 1.0 - i / 10) for i in range(1, 5)]
    assert newer_first(hits) == hits


def test_the_prompt_says_today_and_when_each_statement_was_said() -> None:
    said = datetime(2026, 12, 3, 18, 0).timestamp()
    now = datetime(2026, 12, 10, 9, 0).timestamp()
    plan = memory(7, "Je pars à Lyon dans deux semaines.", when=said)
    plan.metadata = {"by": "Marie"}
    chunk = memory(8, "Chapitre 1", when=said, kind=Kind.DOCUMENT)
    messages, _, _ = build_prompt("You are Souvenir.", "fr", [SearchHit(plan, 1.0), SearchHit(chunk, 0.5)], [], "Je pars quand ?", now=now)
    system = messages[0].content
    assert "Today is Thursday 10 December 2026." in system
    assert "[#7] (conversation, said by Marie on Thursday 3 December 2026) Je pars à Lyon" in system
    assert "[#8] (document) Chapitre 1" in system


def test_an_older_statement_names_its_update_in_the_prompt() -> None:
    older, newer = memory(1, "Le dentiste est mercredi.", when=1e9), memory(2, "Le dentiste est jeudi.", when=1.1e9)
    messages, used, _ = build_prompt("P", "fr", newer_first([SearchHit(older, 1.0, updated_by=[newer])]), [], "q")
    system = messages[0].content
    assert system.index("[#2]") < system.index("[#1]")
    assert "(older: updated later by #2) Le dentiste est mercredi." in system
    assert used == [2, 1]


def test_substitute_puts_the_right_words_in_place_without_doubling() -> None:
    assert substitute("Le vol est le 3 août à 9h40", "le 3 août", "le 4 août") == "Le vol est le 4 août à 9h40"
    assert substitute("Oliver has the dentist on Tuesday at 4pm", "Tuesday", "Wednesday at 4pm") == (
        "Oliver has the dentist on Wednesday at 4pm"
    )
    assert substitute("Le traiteur : 85 euros par personne", "85", "95 euros par personne") == (
        "Le traiteur : 95 euros par personne"
    )
    assert substitute("Le dentiste est mercredi", "jeudi", "vendredi") is None
