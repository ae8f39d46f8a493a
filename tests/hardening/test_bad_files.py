"""Bad files get one clear line in the user's language on every path, change nothing, and stay bounded."""

from __future__ import annotations

import asyncio
import re
import string
from pathlib import Path

import pytest

from bot.app import build_app
from bot.settings import Settings
from core.embeddings.fake import HashingEmbedder
from core.i18n import Translator
from core.text import file_display_name, one_line
from tests.hardening.corpus import Case, build_corpus, write_corpus
from tests.hardening.processes import run_measured, souvenir_env
from tests.requests import request

pytestmark = pytest.mark.timeout(900)

PER_FILE_SECONDS = 60
MAX_RSS = 2 * 1024**3
# What a user must never see: a Python exception's name, a traceback, or a parser library's chatter.
LEAKS = re.compile(r"Traceback|\b\w+(Error|Exception)\b|\(Error\)|pypdf|EOF marker|invalid pdf header|lxml")
t = Translator()


@pytest.fixture(scope="module")
def corpus() -> list[Case]:
    return build_corpus()


@pytest.fixture(scope="module")
def corpus_dir(corpus, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("corpus") / "mixed"
    write_corpus(directory, corpus)
    return directory


async def _probe_found(app, scope: str, probe: str) -> bool:
    """Whether keyword search finds a memory holding `probe`, and dense search finds that memory by its text."""
    keyword = [h.memory for h in await app.memory.reading.search(scope, probe, limit=50, mode="keyword")]
    holding = [memory for memory in keyword if probe in memory.text]
    if not holding:
        return False
    dense = await app.memory.reading.search(scope, holding[0].text, limit=5, mode="dense")
    return holding[0].id in [hit.memory.id for hit in dense]


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_every_corpus_file_through_the_chat_path(make_app, corpus, language):
    app = await make_app()
    scope = "telegram:user:1" if language == "fr" else "telegram:user:2"
    for case in corpus:
        before = await app.store.stats(scope)
        reply = await app.assistant.handle(
            request(files={case.sent_name: case.data}, language=language, scope=scope)
        )
        text = await asyncio.wait_for(reply.final_text(), PER_FILE_SECONDS)
        shown = file_display_name(case.sent_name)
        assert "\n" not in text, (case.name, text)
        assert not LEAKS.search(text), (case.name, text)
        after = await app.store.stats(scope)
        if case.accepted:
            assert text.startswith("✅") and shown in text, (case.name, text)
            assert after.documents == before.documents + 1
            assert await _probe_found(app, scope, case.probe), case.name
        else:
            assert text.startswith("❌"), (case.name, text)
            if case.key:
                assert text == t(language, case.key, name=shown, **_params(text, language, case, shown)), text
            assert (after.live, after.documents) == (before.live, before.documents), (
                f"{case.name} changed memory"
            )
    stored = " ".join(m.text for m in await app.store.memories.all_memories(scope))
    assert "\x00" not in stored and "\ud800" not in stored
    assert "etc" not in {m.source.split("/")[0] for m in await app.store.memories.all_memories(scope)}
    assert all(m.source == file_display_name(m.source) for m in await app.store.memories.all_memories(scope))


def _params(text: str, language: str, case: Case, shown: str) -> dict:
    """The parameters a refusal was formatted with, recovered by matching its template (so the key is checked)."""
    template = t.messages[language][case.key]
    pattern, seen = "", set()
    for literal, field, spec, _ in string.Formatter().parse(template):
        pattern += re.escape(literal)
        if field == "name":
            pattern += re.escape(shown)
        elif field and spec and "|" in spec:  # the word that agrees with a number: `{found:cell|cells}`
            pattern += "(?:" + "|".join(map(re.escape, spec.split("|"))) + ")"
        elif field:
            pattern += f"(?P={field})" if field in seen else f"(?P<{field}>.+?)"
            seen.add(field)
    match = re.fullmatch(pattern, text)
    assert match, f"{case.name}: expected {case.key}, got {text!r}"
    # A number comes back as the number it was (`20 000` → 20000), so the words agree with it again.
    return {
        k: int(re.sub(r"[,\u202f]", "", v)) if re.fullmatch(r"\d[\d,\u202f]*", v) else v
        for k, v in match.groupdict().items()
    }


def test_cli_ingests_a_mixed_directory_file_by_file_within_bounds(corpus, corpus_dir, tmp_path):
    done = run_measured(["ingest", str(corpus_dir)], souvenir_env(tmp_path / "data"))
    output = done.stdout + done.stderr
    assert done.rc == 1, "a batch with failures exits non-zero"
    assert not LEAKS.search(output), output
    assert "root:" not in output
    lines = [line for line in done.stdout.splitlines() if line.startswith(("✅", "❌"))]
    for case in corpus:
        path = one_line(str(corpus_dir / case.name))
        (line,) = [line for line in lines if line.startswith(("✅ " + path + ":", "❌ " + path + ":"))]
        assert line.startswith("✅" if case.accepted else "❌"), line
    link = str(corpus_dir / "outside_link.txt")
    assert t("en", "file.symlink", name=link) in lines, (
        "a link out of the directory is reported, not followed"
    )
    accepted = sum(case.accepted for case in corpus)
    assert (
        t("en", "ingest.summary", ingested=accepted, known=0, failed=len(corpus) + 1 - accepted)
        in done.stdout
    )
    assert done.peak_rss < MAX_RSS, f"peak RSS {done.peak_rss / 2**20:.0f} MB"
    assert done.seconds < PER_FILE_SECONDS * 3, "the whole directory takes a few seconds per file at most"

    async def check_store() -> None:
        app = await build_app(
            Settings(_env_file=None, data_dir=tmp_path / "data"), embedder=HashingEmbedder()
        )
        try:
            scope = "console:user:local"
            for case in corpus:
                if case.accepted:
                    assert await _probe_found(app, scope, case.probe), case.name
            stored = await app.store.memories.all_memories(scope)
            assert not any("root:x:0:0" in m.text for m in stored), (
                "/etc/passwd was not read through the link"
            )
            assert len({m.document_id for m in stored}) == accepted
        finally:
            await app.close()

    asyncio.run(check_store())

    again = run_measured(["ingest", str(corpus_dir)], souvenir_env(tmp_path / "data", language="fr"))
    summary = t("fr", "ingest.summary", ingested=0, known=accepted, failed=len(corpus) + 1 - accepted)
    assert summary in again.stdout and again.rc == 1, again.stdout
    assert not LEAKS.search(again.stdout + again.stderr)


def test_cli_refuses_a_link_given_directly_and_a_missing_file(corpus_dir, tmp_path):
    done = run_measured(
        [
            "ingest",
            str(corpus_dir / "outside_link.txt"),
            str(tmp_path / "nope.txt"),
            str(corpus_dir / "good.md"),
        ],
        souvenir_env(tmp_path / "data"),
    )
    assert done.rc == 1
    assert t("en", "file.symlink", name=str(corpus_dir / "outside_link.txt")) in done.stdout
    assert t("en", "ingest.missing", name=str(tmp_path / "nope.txt")) in done.stdout
    assert "✅" in done.stdout and "root:" not in done.stdout + done.stderr


def test_console_answers_each_file_on_one_line(corpus, corpus_dir, tmp_path):
    names = [case.name for case in corpus if "\n" not in case.name] + ["outside_link.txt"]
    script = "".join(f"ingest {corpus_dir / name}\n" for name in names) + "remember\n"
    done = run_measured(["chat"], souvenir_env(tmp_path / "data", language="fr"), stdin=script)
    assert done.rc == 0
    assert not LEAKS.search(done.stdout + done.stderr), done.stdout + done.stderr
    outcomes = [line for line in done.stdout.splitlines() if line.startswith(("✅", "❌"))]
    expected = [case.accepted for case in corpus if "\n" not in case.name] + [False]
    assert [line.startswith("✅") for line in outcomes] == expected, outcomes
    assert "root:" not in done.stdout
    assert done.peak_rss < MAX_RSS
