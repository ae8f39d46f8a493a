"""`souvenir finetune` against the stand-in Ollama: the create request, clear errors, LoRA end to end on CPU."""

import hashlib
import json

import ollama
import pytest

from bot.cli import build_parser
from bot.finetune_cli import cmd_finetune
from core.errors import UserError
from core.models import Incoming
from core.training.ollama_model import (
    BaseModelMissing,
    CreateFailed,
    CreateRequest,
    OllamaTarget,
    create_model,
)

SCOPE = "console:user:local"


def _args(*extra: str):
    return build_parser().parse_args(["finetune", "--scope", SCOPE, *extra])


async def _teach(app) -> None:
    await app.memory.teaching.teach(SCOPE, "The wifi password is tulip42.")
    await app.memory.teaching.teach(SCOPE, "The dentist is on Monday.")
    await app.memory.corrections.correct(SCOPE, "The dentist is on Monday.", "The dentist is on Thursday.")


async def test_finetune_creates_a_model_the_chat_can_switch_to(make_app, fake_ollama, capsys):
    app = await make_app()
    await _teach(app)
    assert (
        await cmd_finetune(app, _args("--base", "llama3.2", "--name", "souvenir-me", "--system", "Be brief."))
        == 0
    )

    request = fake_ollama.create_requests[-1]
    assert request["model"] == "souvenir-me" and request["from"] == "llama3.2"
    assert request["system"] == "Be brief."
    assert request["parameters"] == {"temperature": 0.7, "num_ctx": 4096}
    contents = [m["content"] for m in request["messages"]]
    assert [m["role"] for m in request["messages"]][:2] == ["user", "assistant"]
    assert contents[1] == "The dentist is on Thursday."  # the correction (highest importance) comes first
    assert "The wifi password is tulip42." in contents and "The dentist is on Monday." not in contents
    out = capsys.readouterr().out
    assert "FROM llama3.2" in out and 'SYSTEM """Be brief."""' in out and "/model souvenir-me" in out

    switched = await app.assistant.handle(
        Incoming("console", "local", SCOPE, "console:chat:local", command="model", args="souvenir-me")
    )
    assert "now uses souvenir-me" in switched.text


async def test_missing_base_model_is_a_clear_message(make_app, fake_ollama):
    app = await make_app()
    await _teach(app)
    with pytest.raises(UserError) as caught:
        await cmd_finetune(app, _args("--base", "mistral", "--name", "x"))
    assert app.assistant.text("en", caught.value.key, **caught.value.params) == (
        "The base model mistral is not on this Ollama: run `ollama pull mistral`."
    )
    assert "mistral" in app.assistant.text("fr", caught.value.key, **caught.value.params)
    assert fake_ollama.show_requests == ["mistral"] and fake_ollama.create_requests == []
    assert "x:latest" not in fake_ollama.models


async def test_a_create_that_would_pull_the_base_is_mapped_too(make_app, fake_ollama):
    """Without the check, the real server answers 500 with a registry URL and a DNS error."""
    target = OllamaTarget(ollama.AsyncClient(host=fake_ollama.url), fake_ollama.url, 5.0)
    with pytest.raises(BaseModelMissing) as caught:
        await create_model(target, CreateRequest(name="x", base="absent-model"))
    app = await make_app()
    text = app.assistant.text("en", caught.value.key, **caught.value.params)
    assert text == "The base model absent-model is not on this Ollama: run `ollama pull absent-model`."
    assert "registry" not in text and "https://" not in text


async def test_another_refusal_names_the_model_and_leaves_the_servers_words_to_the_log(make_app, fake_ollama, caplog):
    target = OllamaTarget(ollama.AsyncClient(host=fake_ollama.url), fake_ollama.url, 5.0)
    missing_blob = CreateRequest(name="souvenir-me", base="llama3.2", adapters={"adapter.gguf": "sha256:" + "0" * 64})
    with pytest.raises(CreateFailed) as caught:
        await create_model(target, missing_blob)
    app = await make_app()
    for language in ("en", "fr"):
        text = app.assistant.text(language, caught.value.key, **caught.value.params)
        assert "souvenir-me" in text and "/root/.ollama" not in text and "no such file" not in text
    assert "/root/.ollama/models/blobs" in caplog.text, "the server's reason is kept for the person running it"


async def test_seed_messages_are_only_what_people_stated(make_app, fake_ollama):
    app = await make_app()
    await _teach(app)
    await app.memory.documents.ingest(
        SCOPE, "qa.csv", b"question,answer,importance\nWhere is the ladder?,In the shed.,0.8\n"
    )
    await app.store.interactions.log_interaction(
        SCOPE, "console:chat:local", "console:local", "What is 2+2?", "5, I think.", [], "llama3.2", 1.0
    )
    assert await cmd_finetune(app, _args("--name", "me")) == 0
    contents = [m["content"] for m in fake_ollama.create_requests[-1]["messages"]]
    assert "In the shed." in contents and "The wifi password is tulip42." in contents
    assert "5, I think." not in contents and "What is 2+2?" not in contents
    assert fake_ollama.create_requests[-1]["system"].startswith("You are Souvenir")


async def test_a_french_memory_gets_french_questions_and_a_french_persona(make_app, fake_ollama):
    app = await make_app(language="fr")
    await app.memory.teaching.teach(SCOPE, "Ma sœur Clara habite à Lyon depuis deux ans.")
    await app.memory.teaching.teach(SCOPE, "Le code du portail est 2580.")
    await app.memory.corrections.correct(SCOPE, "La réunion est lundi.", "La réunion est jeudi.")
    assert await cmd_finetune(app, _args("--name", "moi")) == 0
    request = fake_ollama.create_requests[-1]
    questions = [m["content"] for m in request["messages"] if m["role"] == "user"]
    assert "Quel est le code du portail ?" in questions
    assert "Que sais-tu de ceci : Ma sœur Clara habite à Lyon depuis deux ans ?" in questions
    assert "Est-il vrai que la réunion est lundi ?" in questions
    assert not [q for q in questions if q.startswith(("What", "Is it true"))]
    assert request["system"].startswith("Tu es Souvenir")


async def test_unreachable_ollama_and_empty_scope_are_clear_messages(make_app, fake_ollama):
    app = await make_app(ollama_host="http://127.0.0.1:9")
    with pytest.raises(UserError) as empty:
        await cmd_finetune(app, _args("--name", "x"))
    assert "Nothing to train on" in app.assistant.text("en", empty.value.key, **empty.value.params)
    await _teach(app)
    with pytest.raises(UserError) as down:
        await cmd_finetune(app, _args("--name", "x"))
    assert app.assistant.text("en", down.value.key, **down.value.params) == (
        "Ollama is not reachable: start it (`ollama serve`) or point SOUVENIR_OLLAMA__HOST at it."
    )
    assert fake_ollama.create_requests == []


@pytest.mark.timeout(120)
async def test_lora_trains_saves_a_working_adapter_and_references_its_blobs(make_app, fake_ollama, tmp_path):
    torch = pytest.importorskip("torch")
    from core.export import training_material
    from core.training.lora import load_adapter, load_base, mean_loss
    from core.training.records import chat_records
    from core.training.scratch import build_random_llama

    app = await make_app()
    await _teach(app)
    for i in range(6):
        await app.memory.teaching.teach(SCOPE, f"The locker number {i} is {i * 7}.")
    pairs = await training_material(app.memory, SCOPE)
    records = chat_records(pairs)
    base_dir = build_random_llama(
        tmp_path / "tiny", [m["content"] for r in records for m in r["messages"]] * 4
    )
    adapter_dir = tmp_path / "adapter"

    code = await cmd_finetune(
        app,
        _args(
            "--name",
            "souvenir-lora",
            "--lora",
            "--hf-model",
            str(base_dir),
            "--adapter-out",
            str(adapter_dir),
            "--max-steps",
            "25",
            "--learning-rate",
            "3e-3",
            "--batch-size",
            "4",
        ),
    )
    assert code == 0

    files = {p.name for p in adapter_dir.iterdir()}
    assert {"adapter_model.safetensors", "adapter_config.json"} <= files
    request = fake_ollama.create_requests[-1]
    assert request["from"] == "llama3.2" and request["messages"]
    for name in ("adapter_model.safetensors", "adapter_config.json"):
        digest = "sha256:" + hashlib.sha256((adapter_dir / name).read_bytes()).hexdigest()
        assert request["adapters"][name] == digest
        assert fake_ollama.blobs[digest] == (adapter_dir / name).read_bytes()
    assert json.loads((adapter_dir / "adapter_config.json").read_text())["peft_type"] == "LORA"

    base, tokenizer = load_base(base_dir, "cpu")
    ids = tokenizer("The wifi password is", return_tensors="pt")
    with torch.no_grad():
        before_logits = base(**ids).logits.clone()
    before = mean_loss(base, tokenizer, records)
    tuned = load_adapter(base, adapter_dir)
    with torch.no_grad():
        after_logits = tuned(**ids).logits
    assert not torch.allclose(before_logits, after_logits, atol=1e-4)
    assert mean_loss(tuned, tokenizer, records) < before - 0.1
