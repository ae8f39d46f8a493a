"""A French session in the real console (`souvenir chat`, SOUVENIR_LANGUAGE=fr): French command words,
with and without accents, and replies in French only (every printed line passes the French lint)."""

from __future__ import annotations

import pytest

from tests.console_session import run_console
from tests.french_lint import faults

pytestmark = pytest.mark.timeout(300)

SESSION = [
    "apprends Ma sœur Clara est née le 12 mars 1990.",
    "retiens Le code du portail est 2580.",
    "souvenirs",
    "corrige Le code du portail est 2580 -> Le code du portail est 4711.",
    "corrige la piscine ouvre à 9 h par la piscine ouvre à 10 h",
    "Quel est le code du portail ?",
    "pourquoi",
    "état",
    "etat",
    "oublie 42",
    "oublie",
    "/aprends le chat s’appelle Minou",
    "langue",
    "modèle",
    "exporte",
    "aide",
    "efface",
    "oublie 1",
    "quitter",
    "souvenirs",
]


def test_a_french_console_session_understands_french_words_and_answers_only_in_french(tmp_path):
    printed = run_console(SESSION, tmp_path, "fr")
    text = "\n".join(printed)
    assert "✅ Retenu sous le n°\u00a01." in printed and "✅ Retenu sous le n°\u00a02." in printed
    assert "#2 · correction" not in text and "fait appris" in text, "remember names kinds in French"
    assert "✅ Correction enregistrée sous le n°\u00a03." in printed
    assert "Remplacés (gardés pour mémoire, plus utilisés)\u00a0: #2" in text
    assert "Je n’avais rien retenu qui dise cela" in text, "A par B is a correction too"
    assert "Le code du portail est 4711." in text and "le modèle de langage ne répond pas" in text
    assert "(correction)\u00a0: Le code du portail est 4711." in text, "why names the kind in French"
    assert text.count("📊 État de votre mémoire") == 2, "état and etat are the same command"
    assert "Je n’ai pas de souvenir n°\u00a042 ici. Tapez souvenirs pour voir les numéros." in printed
    assert "Vouliez-vous dire apprends\u202f?" in text, "a misspelt command gets a suggestion"
    assert "Cette discussion est en français." in text and "Modèle de cette discussion" in text
    assert "→ " in text and "souvenirs," in text, "export says how many memories it wrote, in French"
    assert "Au quotidien\u00a0:" in text and "Réglages\u00a0:" in text, "help groups everyday commands apart"
    assert "🧹 Conversation récente effacée" in text and "🗑️ Souvenir n°\u00a01 oublié" in text
    assert printed[-1].startswith("🗑️ Souvenir n°\u00a01 oublié"), "quitter ends the session"
    admin_only = ("Modèle de recherche (administrateurs)",)
    problems = {line: faults(line) for line in printed if not line.startswith(admin_only) and faults(line)}
    assert problems == {}
