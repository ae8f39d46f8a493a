"""Long answers split on natural boundaries; streaming edits are throttled and never repeat."""

import asyncio

from adapters.message_split import split_text, up_to_last_paragraph
from adapters.rendering import DeliveryRefused, StreamRenderer, respond
from core.models import OutgoingFile, Reply


def test_split_respects_limit_and_prefers_paragraphs():
    text = ("First paragraph sentence. " * 30).strip() + "\n\n" + ("Second paragraph sentence. " * 30).strip()
    parts = split_text(text, 1000)
    assert len(parts) == 2
    assert parts[0].startswith("First") and parts[1].startswith("Second")


def test_split_on_sentences_when_no_paragraph():
    text = " ".join(f"This is sentence {i}." for i in range(500))
    parts = split_text(text, 4096)
    assert all(len(p) <= 4096 for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == text


def test_split_hard_cuts_unbroken_text():
    parts = split_text("x" * 5000, 2000)
    assert [len(p) for p in parts] == [2000, 2000, 1000]


def test_paragraph_preview():
    assert up_to_last_paragraph("a\n\nb\n\nc partial") == "a\n\nb"
    assert up_to_last_paragraph("no break yet") == ""


class Screen:
    """Records what a platform would show."""

    def __init__(self):
        self.messages: list[str] = []
        self.calls: list[tuple] = []

    async def send(self, text):
        self.messages.append(text)
        self.calls.append(("send", text))
        return len(self.messages) - 1

    async def edit(self, handle, text):
        assert self.messages[handle] != text, "identical edit sent"
        self.messages[handle] = text
        self.calls.append(("edit", handle, text))


async def _snapshots(texts):
    for text in texts:
        yield text


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


async def test_edits_are_throttled_and_final_text_is_complete():
    clock = FakeClock()
    screen = Screen()
    renderer = StreamRenderer(screen.send, screen.edit, limit=4096, interval=1.0, clock=clock)
    words = [f"w{i}" for i in range(50)]

    async def stream():
        text = ""
        for word in words:
            text = f"{text} {word}".strip()
            clock.now += 0.1
            yield text

    await renderer.render(stream())
    assert screen.messages == [" ".join(words)]
    assert len(screen.calls) <= 7


async def test_identical_snapshots_cause_no_edit():
    screen = Screen()
    renderer = StreamRenderer(screen.send, screen.edit, limit=100, interval=0)
    await renderer.render(_snapshots(["same", "same", "same"]))
    assert screen.calls == [("send", "same")]


async def test_long_answer_continues_in_new_messages():
    screen = Screen()
    text = " ".join(f"Sentence {i} here." for i in range(400))
    renderer = StreamRenderer(screen.send, screen.edit, limit=2000, interval=0)
    await renderer.render(_snapshots([text[:1500], text]))
    assert len(screen.messages) == len(split_text(text, 2000)) >= 3
    assert all(len(m) <= 2000 for m in screen.messages)
    assert " ".join(screen.messages) == text


class Sink(Screen):
    """A platform that refuses the message number `refuse_at` (0-based) and records typing."""

    limit = 100
    caption_limit = 50
    interval = 0.0
    typing_every = 0.01
    preview = None

    def __init__(self, refuse_at=None):
        super().__init__()
        self.refuse_at = refuse_at
        self.typing_calls: list[bool] = []
        self.begun: bool | None = None

    async def send(self, text):
        if len(self.calls) == self.refuse_at:
            raise DeliveryRefused("403 Missing Permissions")
        return await super().send(text)

    async def edit(self, handle, text):
        if len(self.calls) == self.refuse_at:
            raise DeliveryRefused("403 Missing Permissions")
        await super().edit(handle, text)

    async def begin(self, private):
        self.begun = private

    async def send_file(self, file):
        self.calls.append(("file", file.name, file.caption))

    async def typing(self, on):
        self.typing_calls.append(on)


class Answers:
    """Stands for the assistant: answers every addressed message with `reply`."""

    def __init__(self, reply, addressed=True, private=False):
        self.reply = reply
        self.addressed = addressed
        self.private = private

    async def decide(self, incoming):
        from core.policy import Decision

        return Decision("en", allowed=True, private=self.private) if self.addressed else None

    async def handle(self, incoming, decision=None):
        await asyncio.sleep(0.05)  # thinking: the typing notice shows meanwhile
        return self.reply


def _incoming():
    from core.models import Incoming

    return Incoming(platform="test", user_id="1", scope="test:user:1", chat_key="test:chat:1")


async def test_a_refused_edit_ends_the_answer_with_one_log_line(caplog):
    sink = Sink(refuse_at=1)
    reply = Reply(updates=_snapshots(["one", "one two", "one two three"]))
    await respond(Answers(reply), _incoming(), sink)
    assert sink.messages == ["one"]
    assert [r.levelname for r in caplog.records if r.name == "adapters.rendering"] == ["WARNING"]
    assert sink.typing_calls[0] is True and sink.typing_calls[-1] is False


async def test_text_is_split_at_the_sink_limit_then_the_file_is_sent():
    sink = Sink()
    text = " ".join(f"Sentence {i}." for i in range(40))
    await respond(Answers(Reply(text=text, file=OutgoingFile("x.json", b"{}"))), _incoming(), sink)
    assert sink.messages == split_text(text, 100) and len(sink.messages) > 1
    assert sink.calls[-1] == ("file", "x.json", "")


async def test_a_caption_too_long_for_the_platform_goes_first_as_text_whole():
    sink = Sink()
    caption = "A caption that is longer than fifty characters, the limit here."
    await respond(Answers(Reply(file=OutgoingFile("x.json", b"{}", caption=caption))), _incoming(), sink)
    assert sink.calls == [("send", caption), ("file", "x.json", "")]
    sink = Sink()
    await respond(Answers(Reply(file=OutgoingFile("x.json", b"{}", caption="short"))), _incoming(), sink)
    assert sink.calls == [("file", "x.json", "short")]


async def test_the_sink_is_told_before_anything_whether_the_core_answers_privately():
    for private in (True, False):
        sink = Sink()
        await respond(Answers(Reply(text="hi"), private=private), _incoming(), sink)
        assert sink.begun is private


async def test_a_message_not_for_the_bot_shows_nothing_not_even_typing():
    sink = Sink()
    await respond(Answers(Reply(text="hi"), addressed=False), _incoming(), sink)
    assert sink.calls == [] and sink.typing_calls == []
