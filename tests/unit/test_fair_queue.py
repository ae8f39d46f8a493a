"""Souvenir's model queue: round-robin across chats, positions, cancellation."""

from __future__ import annotations

import pytest

from core.llm.queue import FairQueue, QueueCancelled


class Slots:
    """A server with `free` slots, as the queue's `place` sees it."""

    def __init__(self, free: int) -> None:
        self.free = free

    def place(self, ticket) -> str | None:
        if self.free == 0:
            return None
        self.free -= 1
        return "server"

    def release(self, queue: FairQueue) -> None:
        self.free += 1
        queue.dispatch()


def _queue(free: int) -> tuple[FairQueue, Slots]:
    slots = Slots(free)
    return FairQueue(slots.place, clock=lambda: 0.0), slots


async def test_a_chat_with_five_questions_delays_another_chats_first_question_by_one_slot_at_most():
    queue, slots = _queue(1)
    family = [queue.enter("group:family", f"user{i}", "m") for i in range(6)]
    other = queue.enter("dm:alice", "alice", "m")
    assert family[0].granted.done()
    assert [t.ahead for t in family[1:]] == [0, 2, 3, 4, 5]
    assert other.ahead == 1  # behind the family's next question only, not behind all five
    slots.release(queue)  # family[0] done: family[1] takes the slot, alice is next
    assert family[1].granted.done() and other.ahead == 0
    slots.release(queue)
    assert other.granted.done()
    assert [t.ahead for t in family[2:]] == [0, 1, 2, 3]


async def test_every_waiting_question_knows_its_place_as_the_queue_moves():
    queue, slots = _queue(2)
    tickets = [queue.enter(f"chat{i}", "u", "m") for i in range(5)]
    assert [t.granted.done() for t in tickets] == [True, True, False, False, False]
    assert [t.ahead for t in tickets[2:]] == [0, 1, 2]
    slots.release(queue)
    assert tickets[2].granted.done() and [t.ahead for t in tickets[3:]] == [0, 1]
    assert not await tickets[4].granted_within(0.01)


async def test_cancelled_questions_leave_the_queue_and_the_others_move_up():
    queue, _ = _queue(1)
    queue.enter("chat", "bob", "m")
    mine = queue.enter("group", "alice", "m")
    theirs = queue.enter("group", "carol", "m")
    assert queue.cancel("group", "replaced", owner="alice") == 1
    with pytest.raises(QueueCancelled) as raised:
        mine.granted.result()
    assert raised.value.key == "queue.cancelled.replaced"
    assert theirs.ahead == 0 and not theirs.granted.done()
    assert queue.cancel("group", "reset") == 1
    assert theirs.granted.exception().key == "queue.cancelled.reset"
    assert queue.view().waiting == 0


async def test_a_question_given_back_by_a_failed_server_goes_first():
    queue, slots = _queue(0)
    waiting = [queue.enter(f"chat{i}", "u", "m") for i in range(3)]
    retried = queue.enter("chat9", "u", "m", tried={"dead server"})
    assert retried.ahead == 0 and [t.ahead for t in waiting] == [1, 2, 3]
    slots.release(queue)
    assert retried.granted.done()
