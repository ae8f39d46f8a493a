"""The first conversation shown in README.md and LISEZMOI.md is what the console really answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.console_session import run_console

ROOT = Path(__file__).resolve().parents[2]
PROMPT = "souvenir> "
NOTES = {
    "README.md": (
        "en",
        "notes/house.md",
        "# Our house\n\nOur house was built in 1932 on the hill above the river. The roof was replaced in 2015.\n\n"
        "The boiler is in the cellar and is serviced every October.\n",
    ),
    "LISEZMOI.md": (
        "fr",
        "notes/maison.md",
        "# Notre maison\n\nNotre maison a été construite en 1932 sur la colline au-dessus de la rivière. "
        "Le toit a été refait en 2015.\n\nLa chaudière est à la cave et elle est révisée chaque octobre.\n",
    ),
}

pytestmark = pytest.mark.timeout(300)


def transcript(page: str) -> list[str]:
    """The lines of the page's first ```text block (the console session)."""
    block = re.search(r"^```text\n(.*?)^```", (ROOT / page).read_text(), re.M | re.S)
    assert block, f"{page} shows no console session"
    return block.group(1).splitlines()


@pytest.mark.parametrize("page", sorted(NOTES))
def test_the_first_conversation_is_what_the_console_answers(page, tmp_path):
    language, name, content = NOTES[page]
    (tmp_path / name).parent.mkdir(parents=True)
    (tmp_path / name).write_text(content)
    lines = transcript(page)
    typed = [line[len(PROMPT) :] for line in lines if line.startswith(PROMPT)]
    shown = [line for line in lines if not line.startswith(PROMPT)]
    answered = run_console(typed, tmp_path, language)  # the page shows the console without Ollama
    assert len(answered) == len(shown), f"{page}: the console printed\n" + "\n".join(answered)
    for expected, actual in zip(shown, answered, strict=True):
        if expected.endswith(" …"):  # a long line the page shortens
            assert actual.startswith(expected[:-2]), f"{page}: {actual!r} does not start with {expected[:-2]!r}"
        else:
            assert actual == expected, f"{page}: {actual!r} != {expected!r}"
