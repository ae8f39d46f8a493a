"""Keyword text as French is typed on a phone: accents optional, elisions split, inflections folded.

A pure function pair used on both sides of the keyword index: `stored_words` for what is stored,
`query_forms` for what a question asks. French text is reduced to Snowball stems with doubled
letters collapsed (so `allergique`, `alergique` and `allergiques` meet); English text keeps its plain
words for the index's own Porter stemmer. A query carries both forms of each word, so it matches a
memory whichever language the memory was written in.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")
_DOUBLE = re.compile(r"(.)\1+")
FRENCH_STOPWORDS = frozenset(
    ["a", "au", "aux", "avec", "c", "ce", "ces", "cet", "cette", "d", "dans", "de", "des", "du", "elle", "elles", "en", "es", "est", "et", "etait", "eu", "il", "ils", "j", "je", "l", "la", "le", "les", "leur", "leurs", "lui", "m", "ma", "mais", "me", "mes", "moi", "mon", "n", "ne", "nos", "notre", "nous", "on", "ont", "ou", "par", "pas", "pour", "qu", "que", "quel", "quelle", "quelles", "quels", "qui", "s", "sa", "se", "ses", "si", "son", "sont", "sur", "t", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "y", "quand", "comment", "combien", "ai", "as", "avons", "avez", "faut", "fait"]
)
ENGLISH_STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "but", "by", "do", "does", "did", "for", "from", "had", "has", "have", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "so", "that", "the", "their", "them", "there", "these", "they", "this", "to", "was", "we", "were", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your"]
)
STOPWORDS = FRENCH_STOPWORDS | ENGLISH_STOPWORDS
_FRENCH_ONLY = FRENCH_STOPWORDS - ENGLISH_STOPWORDS
_ENGLISH_ONLY = ENGLISH_STOPWORDS - FRENCH_STOPWORDS


def fold(text: str) -> str:
    """Lower case with accents and ligatures removed (`Œuvre Été` → `oeuvre ete`)."""
    if text.isascii():  # nothing to decompose: the common case, and much faster
        return text.lower()
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Folded words; apostrophes and punctuation separate them (`l'immeuble` → `l`, `immeuble`).

    A word mixing letters and digits (`7h42`, `K7Q2LM`) is kept whole and followed by its numbers, so
    `7h42` also meets `7 h 42`.
    """
    found: list[str] = []
    for word in _WORD.findall(fold(text)):
        found.append(word)
        if not word.isdigit() and not word.isalpha():
            found.extend(_DIGITS.findall(word))
    return found


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    """The French Snowball stemmer (built once)."""
    return snowballstemmer.stemmer("french")


@lru_cache(maxsize=65536)
def french_form(word: str) -> str:
    """The French stem of a folded word, doubled letters collapsed (`arrosees` → `aros`).

    A plural `s`/`x` and final `e`s go first: Snowball stems the accented forms consistently, but a
    word typed without accents (`mariees`) otherwise keeps endings that `maries` loses.
    """
    if not word.isalpha():
        return word
    if len(word) > 4 and word[-1] in "sx":
        word = word[:-1]
    while len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    stem = _stemmer().stemWord(word)
    return _DOUBLE.sub(r"\1", stem if len(stem) > 2 else word)


def looks_french(tokens: list[str]) -> bool | None:
    """Whether French function words outnumber English ones; None when the text has neither."""
    french = sum(t in _FRENCH_ONLY for t in tokens)
    english = sum(t in _ENGLISH_ONLY for t in tokens)
    return None if french == english == 0 else french >= english


def stored_words(text: str) -> str:
    """What the keyword index stores for `text`: French stems (function words dropped) or plain English words.

    A text with no function word of either language (a title, a list of names) keeps both forms.
    """
    tokens = words(text)
    french = looks_french(tokens)
    if french:
        return " ".join(french_form(t) for t in tokens if t not in FRENCH_STOPWORDS)
    if french is None:
        return " ".join(form for t in tokens for form in dict.fromkeys((t, french_form(t))))
    return " ".join(tokens)


def content_words(tokens: list[str]) -> list[str]:
    """The tokens that carry meaning: not a function word, and longer than a letter unless a number."""
    return [t for t in tokens if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]


def coverage(claim: str, text: str) -> float:
    """Share of the meaningful words of `claim` that `text` contains, as typed or by French stem."""
    wanted = content_words(words(claim))
    if not wanted:
        return 0.0
    present = set(words(text))
    present |= {french_form(t) for t in present}

    def found(token: str) -> bool:
        digits = _DIGITS.findall(token) if not token.isdigit() else []
        return token in present or french_form(token) in present or (bool(digits) and present.issuperset(digits))

    return sum(map(found, wanted)) / len(wanted)


def query_forms(text: str) -> list[str]:
    """The distinct search forms of the meaningful words of `text`: each word as typed and its French stem."""
    tokens = words(text)
    meaningful = content_words(tokens) or [t for t in tokens if len(t) > 1]
    forms: dict[str, None] = {}
    for token in meaningful or tokens:
        forms[token] = None
        forms[french_form(token)] = None
    return list(forms)
