"""The pending-question mechanism: only the asked user, in the asked chat, before expiry, with a real answer."""

from __future__ import annotations

from core.confirmation import Confirmations


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def recorder() -> tuple[list, object, object]:
    calls: list = []

    async def on_yes(choice):
        calls.append(("yes", choice))
        return f"done {choice}"

    async def on_no():
        calls.append(("no", None))
        return "cancelled"

    return calls, on_yes, on_no


async def test_oui_runs_the_action_with_everything() -> None:
    calls, on_yes, on_no = recorder()
    confirmations = Confirmations()
    confirmations.ask("chat", "alice", on_yes, choices=(3, 7), on_no=on_no)
    answer = await confirmations.resolve("chat", "alice", " Oui ! ")
    assert answer is not None and answer.confirmed and answer.result == "done None"
    assert calls == [("yes", None)]
    assert await confirmations.resolve("chat", "alice", "oui") is None  # answered once only


async def test_a_listed_number_chooses_and_an_unlisted_one_does_not() -> None:
    calls, on_yes, on_no = recorder()
    confirmations = Confirmations()
    confirmations.ask("chat", "alice", on_yes, choices=(3, 7), on_no=on_no)
    assert (await confirmations.resolve("chat", "alice", "le 7")).choice == 7
    confirmations.ask("chat", "alice", on_yes, choices=(3, 7), on_no=on_no)
    assert await confirmations.resolve("chat", "alice", "#12") is None
    assert calls == [("yes", 7)]


async def test_non_cancels_and_anything_else_drops_the_question() -> None:
    calls, on_yes, on_no = recorder()
    confirmations = Confirmations()
    confirmations.ask("chat", "alice", on_yes, on_no=on_no)
    answer = await confirmations.resolve("chat", "alice", "Non.")
    assert answer is not None and not answer.confirmed and answer.result == "cancelled"
    confirmations.ask("chat", "alice", on_yes, on_no=on_no)
    assert await confirmations.resolve("chat", "alice", "quelle heure est-il ?") is None
    assert await confirmations.resolve("chat", "alice", "oui") is None  # the question is gone
    assert calls == [("no", None)]


async def test_only_the_asked_user_in_the_asked_chat_before_expiry() -> None:
    calls, on_yes, _ = recorder()
    clock = Clock()
    confirmations = Confirmations(ttl=60, clock=clock)
    confirmations.ask("group", "alice", on_yes)
    assert await confirmations.resolve("group", "bob", "oui") is None
    assert await confirmations.resolve("other", "alice", "oui") is None
    assert confirmations.waiting("group", "alice")
    clock.now = 61
    assert not confirmations.waiting("group", "alice")
    assert await confirmations.resolve("group", "alice", "oui") is None
    assert calls == []


async def test_yes_words_are_read_without_accents_or_typographic_apostrophes() -> None:
    calls, on_yes, _ = recorder()
    confirmations = Confirmations()
    for word in ("d’accord", "OK", "yes", "vas-y"):
        confirmations.ask("chat", "alice", on_yes)
        assert (await confirmations.resolve("chat", "alice", word)).confirmed, word
    assert len(calls) == 4


async def test_is_answer_tells_an_answer_from_chatter_without_using_the_question() -> None:
    calls, on_yes, _ = recorder()
    confirmations = Confirmations()
    confirmations.ask("group", "alice", on_yes, choices=(4,))
    assert confirmations.is_answer("group", "alice", "Oui !") and confirmations.is_answer("group", "alice", "4")
    assert not confirmations.is_answer("group", "alice", "on mange à quelle heure ?")
    assert not confirmations.is_answer("group", "bob", "oui")
    assert confirmations.waiting("group", "alice") and calls == []
