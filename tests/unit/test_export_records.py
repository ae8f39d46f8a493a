"""Pure export helpers: stored conversations split back, facts become questions, the Modelfile."""

from core.models import Kind, Memory
from core.training.ollama_model import CreateRequest, seed_messages
from core.training.records import Pair, split_conversation, structured_json, to_text, training_pairs


def _memory(i: int, kind: Kind, text: str, importance: float = 0.8, **extra) -> Memory:
    return Memory(id=i, scope="console:user:local", kind=kind, text=text, importance=importance, **extra)


def test_stored_conversation_splits_back_into_user_and_assistant():
    assert split_conversation("User: Where is the key?\nAssistant: Under the mat.") == (
        "Where is the key?",
        "Under the mat.",
    )
    assert split_conversation("Just a sentence.") is None


def test_structured_json_keeps_kind_importance_and_tags():
    doc = structured_json(
        [
            _memory(1, Kind.CONVERSATION, "User: Hi?\nAssistant: Hello.", 0.6, tags=["greet"], number=4),
            _memory(2, Kind.CORRECTION, "Paris is the capital.", 0.95, number=5),
        ]
    )
    assert doc["conversations"] == [
        {"user": "Hi?", "assistant": "Hello.", "importance": 0.6, "tags": ["greet"], "number": 4}
    ]
    assert doc["facts"][0]["kind"] == "correction" and doc["facts"][0]["importance"] == 0.95
    assert doc["facts"][0]["number"] == 5, "the chat's number, not the row id"


def test_teachings_become_questions_and_corrections_answer_the_wrong_claim():
    pairs = training_pairs(
        [
            _memory(1, Kind.TEACHING, "The wifi password is tulip42."),
            _memory(2, Kind.CORRECTION, "The meeting is on Friday.", 0.95, metadata={"wrong": "on Monday"}),
            _memory(3, Kind.DOCUMENT, "A chunk of a manual.", 0.5),
            _memory(4, Kind.CORRECTION, "The bins go out on Tuesday.", 0.95, metadata={"wrong": "The bins go out on Monday."}),
            _memory(5, Kind.CORRECTION, "La réunion est vendredi.", 0.95, metadata={"wrong": "La réunion est lundi."}),
        ],
        [],
    )
    assert [(p.user, p.assistant) for p in pairs] == [
        ("What is the wifi password?", "The wifi password is tulip42."),
        # "on Monday" is no claim: asking "Is it true that on Monday?" would teach nonsense.
        ("What is the meeting?", "The meeting is on Friday."),
        ("Is it true that The bins go out on Monday?", "The bins go out on Tuesday."),
        ("Est-il vrai que la réunion est lundi ?", "La réunion est vendredi."),
    ]
    assert to_text(pairs, []).startswith("Human: What is the wifi password?\nAssistant: The wifi password")


def test_modelfile_and_seed_messages_put_the_most_important_pairs_first():
    messages = seed_messages([Pair("a?", "A.", 0.5), Pair("b?", "B.", 0.95)], limit=1)
    assert messages == [{"role": "user", "content": "b?"}, {"role": "assistant", "content": "B."}]
    request = CreateRequest(
        name="me", base="llama3.2", system="Be brief.", messages=messages, adapter_dir="/a"
    )
    text = request.modelfile()
    assert text.splitlines()[:3] == ["FROM llama3.2", "ADAPTER /a", 'SYSTEM """Be brief."""']
    assert "PARAMETER temperature 0.7" in text and 'MESSAGE user "b?"' in text


def test_export_and_finetune_commands_load_without_the_heavy_training_libraries():
    import subprocess
    import sys

    code = (
        "import sys, core.export, bot.finetune_cli, bot.export_cli;"
        "print(sorted(m for m in ('transformers', 'peft') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
