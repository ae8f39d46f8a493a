"""Which language a memory is written in (French or English), from its most common small words."""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"[a-zàâçéèêëîïôûùüÿœæ]+(?:'[a-zàâçéèêëîïôûùüÿœæ]+)?")
_FRENCH_WORDS = (
    "le la les un une des du de au aux et est sont être avoir ai ont je tu il elle nous vous "
    "ils elles mon ma mes ton ta tes son sa ses notre votre leur leurs ce cette ces qui que quoi où "
    "dans pour avec sur sous chez pas ne plus très aussi mais ou donc car c'est j'ai qu'il l'on d'un "
    "d'une"
)
_ENGLISH_WORDS = (
    "the a an is are was were be been have has had i you he she it we they my your his her its our "
    "their this that these those who what where which in on at for with from of to and or but not "
    "very also it's i'm don't"
)
_FRENCH = frozenset(_FRENCH_WORDS.split())
_ENGLISH = frozenset(_ENGLISH_WORDS.split())


def guess_language(text: str, default: str = "en") -> str:
    """`fr` or `en`, whichever language's common words `text` uses more; `default` on a tie."""
    words = _WORD.findall(text.lower())
    french = sum(word in _FRENCH for word in words)
    english = sum(word in _ENGLISH for word in words)
    if french == english:
        return default
    return "fr" if french > english else "en"


def main_language(texts: list[str], default: str = "en") -> str:
    """The language most of `texts` are written in."""
    counts = Counter(guess_language(text, default) for text in texts)
    if not counts:
        return default
    best = max(counts.values())
    return default if counts.get(default) == best else counts.most_common(1)[0][0]
