"""Long answers split on natural boundaries; streaming edits are throttled and never repeat."""

from adapters.rendering import StreamRenderer, split_text, up_to_last_paragraph


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
