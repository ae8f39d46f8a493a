"""The prompt fits the model's context on purpose: nothing is left for the server to cut silently."""

import pytest

from core.llm.tokens import estimate_tokens
from tests.fakes.ollama_server import DEFAULT_NUM_CTX, ModelSpec, count_tokens
from tests.requests import say

SCOPE = "console:user:local"
TOP_FACTS = ["The gate code is 2580.", "The spare key is under the blue flowerpot."]
FILLER = (
    "Gardening notes say the roses along the fence need pruning in late winter, the compost heap "
    "should be turned every three weeks, and the apple tree by the garage gives fruit in October. "
)


def _long_answer(messages: list[dict]) -> str:
    """An answer of about 3,000 characters, the kind that filled the old prompt."""
    return f"Here is everything about {messages[-1]['content']} " + FILLER * 16


async def _teach(app, notes: int, repeat: int) -> None:
    for i in range(notes):
        await app.memory.teaching.teach(SCOPE, f"Garden note {i}: " + FILLER * repeat)
    for fact in TOP_FACTS:
        await app.memory.teaching.teach(SCOPE, fact)


def _assert_nothing_cut_and_top_facts_seen(fake_ollama) -> None:
    assert fake_ollama.chat_requests[-1]["options"]["num_ctx"] == DEFAULT_NUM_CTX
    assert not any(p.cut for p in fake_ollama.prompts), "the server had to drop or cut part of a prompt"
    seen = fake_ollama.prompts[-1]
    assert seen.num_ctx == 4096 and seen.seen_tokens <= 4096 - 4096 // 4  # room kept for the answer
    for fact in TOP_FACTS:
        assert fact in seen.messages[0]["content"]


@pytest.mark.timeout(180)
async def test_a_30_turn_conversation_with_long_answers_keeps_its_top_memories(make_app, fake_ollama):
    app = await make_app()
    await _teach(app, notes=6, repeat=3)
    fake_ollama.reply = _long_answer
    for turn in range(30):
        await say(app, f"Tell me about the garden, part {turn}")

    question = "What is the gate code, where is the spare key, and what do the garden notes say?"
    await say(app, question)
    _assert_nothing_cut_and_top_facts_seen(fake_ollama)
    seen = fake_ollama.prompts[-1].messages
    assert seen[-1]["content"] == question
    assert seen[-3]["content"] == "Tell me about the garden, part 29"  # the newest turn made it

    why = await say(app, command="why")
    assert "Left out to fit the model's context: " in why and "earlier exchanges" in why


async def test_more_memories_than_fit_leave_out_the_lowest_ranked_not_the_best(make_app, fake_ollama):
    app = await make_app(limits={"context_memories": 20})
    await _teach(app, notes=18, repeat=6)
    await say(app, "What is the gate code, where is the spare key, and what do the garden notes say?")
    _assert_nothing_cut_and_top_facts_seen(fake_ollama)
    why = await say(app, command="why")
    assert "Left out to fit the model's context: memories #" in why


async def test_without_a_budget_the_server_would_cut_the_best_memories(make_app, fake_ollama):
    """The stand-in cuts like the real server: this is what happened to a prompt sent unbudgeted."""
    from tests.fakes.ollama_server import fit_to_context

    system = "Persona.\n" + "\n".join(TOP_FACTS) + "\n" + FILLER * 80
    seen = fit_to_context([{"role": "system", "content": system}, {"role": "user", "content": "Code?"}], 4096)
    assert seen.truncated_tokens > 0
    assert TOP_FACTS[0] not in seen.messages[0]["content"]  # the runner cut the start of the prompt
    assert seen.messages[-1]["content"] == "Code?"


async def test_num_ctx_is_the_smaller_of_the_setting_and_the_models_context(make_app, fake_ollama):
    fake_ollama.specs["small:latest"] = ModelSpec(arch="qwen2", context_length=2048)
    fake_ollama.models.append("small:latest")
    app = await make_app(ollama={"num_ctx": 8192})
    await say(app, "hello")
    assert fake_ollama.chat_requests[-1]["options"]["num_ctx"] == 8192
    await say(app, command="model", args="small")
    await say(app, "hello")
    assert fake_ollama.chat_requests[-1]["options"]["num_ctx"] == 2048
    assert fake_ollama.show_requests.count("small") == 1  # read once, then remembered


async def test_a_question_longer_than_the_context_is_cut_and_why_says_so(make_app, fake_ollama):
    app = await make_app(language="fr")
    question = "Pourquoi ? " + "Une très longue question. " * 2000
    await say(app, question)
    seen = fake_ollama.prompts[-1]
    assert not seen.cut
    assert seen.messages[-1]["content"].endswith("[…]")
    assert "seul son début a été lu" in await say(app, command="why", language="fr")


def test_the_estimate_never_counts_fewer_tokens_than_the_stand_in():
    samples = [
        FILLER,
        "Ma sœur Clara habite à Lyon depuis 2019 ; elle a 3 enfants. Le code du portail est 2580.",
        '{\'json\': [1, 2, 3], "url": "https://example.org/a?b=c"}\n\n- item\n- item',
        "a b c d e f g h i j 0 1 2 3 4 5 6 7 8 9 é è à ù ç",
        "antidisestablishmentarianism supercalifragilisticexpialidocious",
    ]
    for text in samples:
        assert estimate_tokens(text) >= count_tokens(text)
