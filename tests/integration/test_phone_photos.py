"""A photo of paper is read (Tesseract, French and English) and stored like a document; no text, nothing stored."""

from __future__ import annotations

import io
import json
import re
import shutil

import pytest

from bench.phone_media import ENGLISH_LINES, FRENCH_LINES, blank_photo, draw_text
from core.models import Attachment, AttachmentKind
from tests.requests import request, say

pytestmark = pytest.mark.timeout(120)
SCOPE = "console:user:local"


@pytest.fixture(autouse=True)
def _tesseract():
    if shutil.which("tesseract") is None:
        pytest.fail(
            "tesseract is missing: .ci/run installs tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng"
        )


def photo(data: bytes, *, name: str = "", caption: str = "", language: str | None = None):
    """A request carrying one photo (no file name, like a Telegram photo, unless `name` is given)."""

    async def fetch() -> bytes:
        return data

    incoming = request(caption, language=language)
    incoming.attachments = [Attachment(name, len(data), fetch, kind=AttachmentKind.IMAGE)]
    return incoming


async def test_a_french_photo_is_read_and_its_words_reach_a_later_prompt(make_app, fake_ollama):
    app = await make_app(embedder="minilm", language="fr")
    reply = await (await app.assistant.handle(photo(draw_text(FRENCH_LINES), language="fr"))).final_text()
    heading = reply.split("\n")[0]  # a French date: "photo du 3 décembre à 15 h 22", not 2026-12-03 15:22
    assert heading.startswith("📷 photo du ") and re.search(r"du \d{1,2}(er)? [a-zéû]+ à \d+\u00a0h\u00a0\d\d", heading)
    assert "«\u00a0Facture n° 4827 du 12/03/2026\u202f»" in reply, reply
    assert "1 souvenir, dans le document n°\u00a01" in reply
    stored = await app.store.memories.all_memories(SCOPE)
    assert len(stored) == 1
    for words in ("Électricité", "73,45 €", "régler", "15 avril", "Réunion à l'école", "3 chaises"):
        assert words in stored[0].text, words
    assert stored[0].source.startswith("photo du ")

    await say(app, "Combien dois-je payer pour l'électricité ?", language="fr")
    prompt = fake_ollama.chat_requests[-1]["messages"][0]["content"]
    assert "73,45 €" in prompt and "Facture n° 4827" in prompt

    forgot = await say(app, command="forget", args="doc 1", language="fr")
    assert "photo du " in forgot and "photo du 20" not in forgot, forgot
    assert await app.store.memories.all_memories(SCOPE) == []


async def test_an_english_image_file_keeps_its_name_and_its_caption(make_app):
    app = await make_app()
    data = draw_text(ENGLISH_LINES)
    incoming = request("Plumber's bill for the flat", files={"bill.png": data})  # kind guessed from the name
    reply = await (await app.assistant.handle(incoming)).final_text()
    assert "bill.png: “Invoice 5931 dated 04/11/2026”" in reply and "✅" in reply, reply
    stored = await app.store.memories.all_memories(SCOPE)
    assert stored[0].source == "bill.png"
    assert stored[0].text.startswith("Plumber's bill for the flat")
    assert "Invoice 5931 dated 04/11/2026" in stored[0].text
    exported = json.loads((await app.assistant.services.exporter(SCOPE, "json")).data)
    assert "Plumbing repair: 218 dollars due" in json.dumps(exported, ensure_ascii=False)

    again = await (
        await app.assistant.handle(request("Plumber's bill for the flat", files={"b.png": data}))
    ).final_text()
    assert "♻️" in again and len(await app.store.memories.all_memories(SCOPE)) == len(stored)


async def test_a_photo_without_text_stores_nothing_and_says_so(make_app):
    app = await make_app()
    reply = await (await app.assistant.handle(photo(blank_photo(), name="wall.jpg"))).final_text()
    assert reply == "❌ wall.jpg: I found no readable text in it. Nothing was stored."
    assert await app.store.memories.all_memories(SCOPE) == []


async def test_a_large_phone_photo_is_downscaled_and_a_huge_one_refused_before_decoding(make_app):
    from PIL import Image

    app = await make_app(**{"ocr": {"max_pixels": 30_000_000}})
    big = draw_text(ENGLISH_LINES, scale=4.0)  # 5600 px wide, like a 24 MP phone photo
    assert Image.open(io.BytesIO(big)).size[0] == 5600
    reply = await (await app.assistant.handle(photo(big, name="big.png"))).final_text()
    assert "✅" in reply and "Invoice 5931" in reply, reply

    huge = io.BytesIO()
    Image.new("1", (8000, 8000), 1).save(huge, format="PNG")
    refused = await (await app.assistant.handle(photo(huge.getvalue(), name="huge.png"))).final_text()
    assert refused == (
        "❌ huge.png: the image is too large (64,000,000 pixels; the limit is 30,000,000). "
        "Nothing was stored; send a smaller photo."
    ), refused
    assert len(await app.store.memories.all_memories(SCOPE)) == 1


async def test_a_photo_above_the_upload_limit_is_refused_before_download(make_app):
    app = await make_app(**{"limits": {"max_upload_bytes": 1000}})

    async def fetch() -> bytes:
        raise AssertionError("downloaded a photo above the limit")

    incoming = request()
    incoming.attachments = [Attachment("", 5000, fetch, mime="image/jpeg")]
    reply = await (await app.assistant.handle(incoming)).final_text()
    assert "the file is too large (4.9 KB; the limit is 1,000 bytes)" in reply


async def test_photos_are_off_with_a_clear_message_when_disabled(make_app):
    app = await make_app(**{"ocr": {"enabled": False}})
    reply = await (await app.assistant.handle(photo(draw_text(ENGLISH_LINES), name="p.png"))).final_text()
    assert "cannot read photos on this installation (switched off in the settings)" in reply
    assert await app.store.memories.all_memories(SCOPE) == []


def test_souvenir_ingest_reads_a_photo_on_the_command_line_and_refuses_a_blank_one(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("SOUVENIR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOUVENIR_OLLAMA__HOST", "http://127.0.0.1:9")
    monkeypatch.setenv("SOUVENIR_LANGUAGE", "fr")
    monkeypatch.setenv("SOUVENIR_EMBEDDINGS__MODEL", "hashing")
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "facture.jpg").write_bytes(draw_text(FRENCH_LINES))
    (scans / "vide.png").write_bytes(blank_photo())
    assert main(["ingest", str(scans)]) == 1, "the blank photo is not ingested"
    out = capsys.readouterr().out
    assert "facture.jpg" in out and "1 souvenir" in out, out
    assert "vide.png" in out and "aucun texte lisible" in out, out
    assert main(["search", "Facture 4827 électricité", "--mode", "keyword", "--json"]) == 0
    (hit, *_) = json.loads(capsys.readouterr().out)
    assert "73,45 €" in hit["text"] and hit["source"] == "facture.jpg"
