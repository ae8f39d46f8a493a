"""The prompt budget: persona and question first, memories by rank, then the newest turns."""

from core.llm.tokens import cut_to_tokens, estimate_tokens
from core.models import Interaction, Kind, Memory, SearchHit
from core.prompt import build_prompt
from core.training.language import guess_language, main_language

PERSONA = "You are Souvenir."


def _hit(i: int, text: str, corrected_by: list[Memory] | None = None) -> SearchHit:
    memory = Memory(id=i, scope="s", kind=Kind.TEACHING, text=text, importance=0.8, number=100 + i)
    return SearchHit(memory=memory, score=1.0 / i, corrected_by=corrected_by or [])


def _turn(i: int, size: int) -> Interaction:
    return Interaction(i, "s", "c", "u", f"question {i}", f"answer {i} " + "x" * size, [], "m", 1.0, 0.0)


def test_memories_go_in_by_rank_and_those_that_do_not_fit_are_named():
    correction = Memory(
        id=9, scope="s", kind=Kind.CORRECTION, text="The meeting is on Friday.", importance=0.95, number=109
    )
    hits = [
        _hit(1, "The meeting is on Monday, room 4.", [correction]),
        _hit(2, "Long note. " * 300),
        _hit(3, "The gate code is 2580."),
    ]
    messages, used, budget = build_prompt(PERSONA, "en", hits, [], "When?", window=1024, reserve=256)
    system = messages[0].content
    assert used == [9, 1, 3] and budget.memories_left_out == [102]  # named by the number people see
    assert system.index("[#109]") < system.index("[#101]")  # the correction travels ahead of what it amends
    assert sum(estimate_tokens(m.content) + 8 for m in messages) <= budget.limit


def test_history_is_kept_newest_first_and_stops_at_the_first_turn_that_does_not_fit():
    turns = [_turn(1, 100), _turn(2, 6000), _turn(3, 100), _turn(4, 100)]  # oldest first
    messages, _, budget = build_prompt(PERSONA, "en", [], turns, "Now?", window=2048, reserve=512)
    contents = [m.content for m in messages]
    assert "question 4" in contents and "question 3" in contents
    assert "question 2" not in contents and "question 1" not in contents  # no gap in the history
    assert contents.index("question 3") < contents.index("question 4") and contents[-1] == "Now?"
    assert (budget.turns_kept, budget.turns_left_out) == (2, 2)


def test_a_question_too_long_for_the_window_is_cut_with_a_mark():
    messages, _, budget = build_prompt(PERSONA, "en", [], [], "word " * 5000, window=1024, reserve=256)
    assert budget.question_cut and messages[-1].content.endswith("[…]")
    assert estimate_tokens(messages[-1].content) < 1024


def test_cut_to_tokens_keeps_the_longest_start_within_the_budget():
    text = "The gate code is 2580 and the spare key is under the pot."
    cut = cut_to_tokens(text, 10)
    assert text.startswith(cut) and estimate_tokens(cut) <= 10 < estimate_tokens(text[: len(cut) + 2])


def test_language_guess():
    assert guess_language("Ma sœur Clara habite à Lyon depuis deux ans.") == "fr"
    assert guess_language("The dentist is on Thursday.") == "en"
    assert main_language(["Le code est 2580.", "La réunion est jeudi.", "The boat is blue."]) == "fr"


# Token counts measured with SmolLM2-135M-Instruct's own tokenizer (byte-level BPE rebuilt from the
# GGUF's vocabulary and merges, digits split; the model the real-server run used; docs/ollama.md).
SMOLLM2_COUNTS = {
    "Gardening notes say the roses along the fence need pruning in late winter, the compost heap "
    "should be turned every three weeks, and the apple tree by the garage gives fruit in October.": 37,
    "Ma sœur Clara habite à Lyon depuis 2019 ; elle a trois enfants et travaille à l'hôpital "
    "Édouard-Herriot. Le code du portail est 2580, et la clé de secours est sous le pot de fleurs bleu.": 74,
    "Call 06 12 34 56 78 or 0612345678; the invoice 2024-11-27 totals 1234.56 EUR.": 53,
    '{"id": 12, "tags": ["home", "wifi"], "url": "https://example.org/a?b=c&d=e"}': 37,
    "a b c I am at it, is it so? ok, no, we do.": 19,
    "✅ 📥 ♻️ ❌ → ← « » — … € £ ° ± × ÷": 25,
    "Élève, été, à côté, où, déjà, Noël, cœur, œuvre, ça, garçon, hôpital, forêt, naïf, Zoë.": 58,
    "# Notes\n\n- **Tomatoes**: water every evening.\n- _Roses_: prune in March.\n  1. First\n  2. Second\n": 32,
    "Contact Siobhan Ní Bhriain at siobhan.nibhriain@example.ie or https://www.example.ie/contact?id=42#top.": 41,
    "HTTPServerError in XMLHttpRequestHandler; call getUserByID(userId) then JSONDecodeError.": 25,
}


def test_the_estimate_is_never_below_a_real_tokenizer():
    for text, real in SMOLLM2_COUNTS.items():
        assert estimate_tokens(text) >= real, text
