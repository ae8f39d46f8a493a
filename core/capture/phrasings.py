"""Explicit phrasings, typed or spoken: "retiens que…" teaches, "en fait…" corrects, "oublie ce que…" forgets.

One parser for every path (a typed message, a voice note's transcript). Matching is done on folded
text (lower case, accents gone, ’ read as '), so "Noublie pas que", "SOUVIENS TOI QUE" and
"n’oublie pas que" are the same phrasing; what is stored is the user's own words, as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from core.capture.folding import fold
from core.capture.statements import is_question


class Intent(StrEnum):
    """What an explicit phrasing asks for."""

    TEACH = "teach"
    CORRECT = "correct"
    FORGET = "forget"


@dataclass(frozen=True)
class Phrasing:
    """A recognised phrasing: TEACH `text`; CORRECT to `text` (replacing `wrong` when said); FORGET about `text`.

    `in_place` marks "non, c'est RIGHT, pas WRONG": RIGHT takes WRONG's place in the memory saying it.
    """

    intent: Intent
    text: str
    wrong: str = ""
    in_place: bool = False


_LEAD = r"^\s*(?:(?:s'il te plait|s'il vous plait|stp|svp|please|hey|dis|dites|bon|alors|euh|oh|ah|au fait|ok|okay)[\s,!.]+)*"
_THAT = r"(?:\s+(?:bien\s+|aussi\s+|egalement\s+)?(?:que\s+|qu')|\s*:\s*)"
_TEACH = re.compile(
    _LEAD
    + r"(?:"
    + r"|".join(
        [
            r"retiens(?:-le)?" + _THAT,
            r"retenez" + _THAT,
            r"(?:souviens|souvenez|rappelle|rappelez)(?:[- ]?(?:toi|vous))" + _THAT,
            r"n[' ]?(?:oublie|oubliez) pas" + _THAT,
            r"(?:note|notez|prends note|prenez note|memorise|memorisez|enregistre|apprends|sache|sachez)" + _THAT,
            r"garde(?:z)? (?:en (?:memoire|tete)|bien en tete)" + _THAT,
            r"a retenir\s*:\s*",
            r"(?:please\s+)?remember" + r"(?:\s+that\s+|\s*:\s*)",
            r"(?:don'?t|do not) forget" + r"(?:\s+that\s+|\s*:\s*)",
            r"(?:make a )?note" + r"(?:\s+that\s+|\s*:\s*)",
            r"keep in mind" + r"(?:\s+that\s+|\s*:\s*)",
        ]
    )
    + r")"
)
_ARROW = r"\s*(?:→|->|=>|⇒|-->|>)\s*"
_CORRECTION = re.compile(_LEAD + r"correction\s*:?\s*(?P<wrong>.+?)" + _ARROW + r"(?P<right>.+)$")
_NOT_BUT = re.compile(
    _LEAD
    + r"(?:non|nan|no|nope)[\s,!.]+(?:c'est|c est|ce sera|ca sera|it'?s|it is)\s+(?P<right>.+?)[\s,;]+"
    + r"(?:et\s+)?(?:pas|non pas|not)\s+(?P<wrong>.+?)[\s.!]*$"
)
_BUT_NOT = re.compile(
    _LEAD
    + r"(?:non|nan|no|nope)[\s,!.]+(?:c'est pas|c est pas|ce n'est pas|ce n est pas|it'?s not|it is not)\s+"
    + r"(?P<wrong>.+?)\s*[,;]\s*(?:c'est|c est|mais|it'?s|but)\s+(?P<right>.+?)[\s.!]*$"
)
_UPDATE = re.compile(
    _LEAD + r"(?:non[\s,]+)?(?:en fait|finalement|en definitive|actually|in the end)[\s,:]+(?P<right>.+)$"
)
_ABOUT = r"(?:sur|a propos d[e'u]\s*|au sujet d[e'u]\s*|concernant|a l'egard d[e'u]\s*)"
_FORGET = re.compile(
    _LEAD
    + r"(?:"
    + r"(?:oublie|oubliez|efface|effacez)[\s,.]+(?:tout\s+)?(?:ce que|ce qu')\s*(?:je\s+)?(?:t'|vous\s+|t )?(?:ai|avais)\s+"
    + r"(?:dit|raconte|appris|explique)\s+"
    + _ABOUT
    + r"|(?:oublie|oubliez|efface|effacez)[\s,.]+tout\s+"
    + _ABOUT
    + r"|forget[\s,.]+(?:everything\s+|all\s+)?(?:(?:that\s+|what\s+)?i\s+(?:said|told you|taught you)\s+)?about\s+"
    + r")\s*(?P<subject>.+?)[\s.!]*$"
)


def _rest(text: str, end: int) -> str:
    """The user's words after a matched head, first letter capitalised, trailing spaces gone."""
    rest = text[end:].strip().lstrip(",:;- ").strip()
    return rest[:1].upper() + rest[1:] if rest else ""


def _clean(part: str) -> str:
    return part.strip().strip(",;:").strip()


def parse_phrasing(text: str) -> Phrasing | None:
    """The explicit phrasing `text` is, or None (a question, a plain statement, anything else)."""
    folded = fold(text)
    if match := _FORGET.match(folded):
        subject = _clean(text[match.start("subject") : match.end("subject")])
        return Phrasing(Intent.FORGET, subject) if subject else None
    if match := _CORRECTION.match(folded):
        wrong = _clean(text[match.start("wrong") : match.end("wrong")])
        right = _clean(text[match.start("right") : match.end("right")])
        return Phrasing(Intent.CORRECT, right, wrong) if wrong and right else None
    for pattern in (_NOT_BUT, _BUT_NOT):
        if match := pattern.match(folded):
            wrong = _clean(text[match.start("wrong") : match.end("wrong")])
            right = _clean(text[match.start("right") : match.end("right")])
            if wrong and right and not right.endswith("?"):
                return Phrasing(Intent.CORRECT, right, wrong, in_place=True)
    if match := _UPDATE.match(folded):
        right = _rest(text, match.start("right"))
        if right and not is_question(right):
            return Phrasing(Intent.CORRECT, right)
        return None
    if match := _TEACH.match(folded):
        rest = _rest(text, match.end())
        if rest and not rest.rstrip().endswith("?"):
            return Phrasing(Intent.TEACH, rest)
    return None
