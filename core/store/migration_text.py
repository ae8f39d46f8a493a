"""The text code the past migrations ran, frozen as it was when they were written.

A migration must do tomorrow exactly what it did the day it shipped: it never calls code that later
changes (core.wording may change how new rows are indexed; an old database is upgraded the old way
first, then the newer migrations carry it forward). Nothing here may be edited; a new migration that
needs other code gets its own frozen copy.
"""

from __future__ import annotations

import hashlib
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
    if text.isascii():  # nothing to decompose: the common case, and 20x faster
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


def _looks_french(tokens: list[str]) -> bool | None:
    """Whether French function words outnumber English ones; None when the text has neither."""
    french = sum(t in _FRENCH_ONLY for t in tokens)
    english = sum(t in _ENGLISH_ONLY for t in tokens)
    return None if french == english == 0 else french >= english


def index_text(text: str) -> str:
    """What the keyword index stores for `text`: French stems (function words dropped) or plain English words.

    A text with no function word of either language (a title, a list of names) keeps both forms.
    """
    tokens = words(text)
    french = _looks_french(tokens)
    if french:
        return " ".join(french_form(t) for t in tokens if t not in FRENCH_STOPWORDS)
    if french is None:
        return " ".join(form for t in tokens for form in dict.fromkeys((t, french_form(t))))
    return " ".join(tokens)


def keyword_context(metadata: dict[str, object]) -> str:
    """The keyword index's context column: a chunk's document title, or the WRONG text a correction replaced."""
    return str(metadata.get("title") or metadata.get("wrong") or "")


MARK_LETTERS = "bcdfghjklmnpqrstvwxz"
MARK_LENGTH = 8


@lru_cache(maxsize=4096)  # computed for every row a batch writes: once per scope is enough
def scope_mark(scope: str) -> str:
    """Eight consonants drawn from a hash of `scope` (20**8 marks: two scopes sharing one is negligible).

    A shared mark could only add candidates: the store reads rows back by scope and drops others.
    """
    digest = int.from_bytes(hashlib.sha256(scope.encode("utf-8")).digest()[:8], "big")
    letters = []
    for _ in range(MARK_LENGTH):
        digest, index = divmod(digest, len(MARK_LETTERS))
        letters.append(MARK_LETTERS[index])
    return "".join(letters)


def marked(scope: str, text: str) -> str:
    """`text`'s words (keyword text, space-separated) each behind `scope`'s mark."""
    mark = scope_mark(scope)
    return " ".join(mark + word for word in text.split())
