"""The spoken test set: French and English notes said as people say them, in several espeak-ng voices.

Nothing here needs the network: espeak-ng speaks, ffmpeg encodes OGG/Opus like a phone. espeak-ng's
default French voice is the hardest case; the set mixes its variants (male, female, Klatt), speaking
rates, and pauses written as SSML breaks (a person stopping after "Retiens."). Numbers, dates, hours
and names are written as they are said ("le douze mars", "quinze heures trente"); words() turns number
words and digits into the same tokens so "12 mars" and "douze mars" count as the same words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    """One spoken note: its text (SSML breaks allowed), language, voice, rate, and the command it starts, if any."""

    text: str
    language: str
    voice: str
    speed: int
    command: str | None = None

    @property
    def truth(self) -> str:
        """What was said, without the markup."""
        return re.sub(r"<[^>]+>", " ", self.text)


FRENCH = (
    ("Rappelle-toi que la réunion des copropriétaires est le douze mars.", None),
    ('Retiens. <break time="1200ms"/> La réunion des copropriétaires est le douze mars.', "teach"),
    ("Le rendez-vous chez le dentiste est mardi à quinze heures trente.", None),
    ("Ma sœur Camille habite à Lyon depuis deux mille dix-neuf.", None),
    ("Le code de la porte de l'immeuble, c'est quarante-deux soixante-huit.", None),
    ("L'anniversaire de mamie Jeanne, c'est le premier avril.", None),
    ("Il faut payer la cantine avant le vendredi vingt-trois.", None),
    ("Où est-ce que j'ai rangé le carnet de santé du petit ?", None),
    ('Oublie. <break time="800ms"/> Le souvenir numéro douze.', "forget"),
    ("Le plombier, monsieur Martin, passe jeudi matin vers neuf heures.", None),
    ("La facture d'électricité fait soixante-treize euros.", None),
    ("Rappelle-moi d'acheter du pain, du beurre et des œufs.", None),
)
ENGLISH = (
    ("Where does my sister Alice live now? Is it Lisbon?", None),
    ('Teach. <break time="1000ms"/> The spare key is under the blue flower pot.', "teach"),
    ("The dentist appointment is on Tuesday at three in the afternoon.", None),
    ("Remind me to buy bread and cheese on the way home.", None),
    ("My car is parked on the third floor of the station car park.", None),
    ('Forget. <break time="800ms"/> The old address.', "forget"),
)
# (voice, words per minute): espeak-ng's default French, then its variants; each sentence is said by two.
FRENCH_VOICES = (("fr", 150), ("fr+Michel", 165), ("fr+f3", 140), ("fr+klatt", 155))
ENGLISH_VOICES = (("en", 150), ("en+f3", 160))


def notes(french: int, english: int) -> list[Note]:
    """The first `french` and `english` sentences, each said by two voices in turn."""
    out: list[Note] = []
    for sentences, voices, language, limit in (
        (FRENCH, FRENCH_VOICES, "fr", french),
        (ENGLISH, ENGLISH_VOICES, "en", english),
    ):
        for i, (text, command) in enumerate(sentences[:limit]):
            for j in range(2):
                voice, speed = voices[(2 * i + j) % len(voices)]
                out.append(Note(text, language, voice, speed, command))
    return out


_FR_UNITS = {
    "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
    "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
}  # fmt: skip
_EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"cent": 100, "cents": 100, "mille": 1000, "hundred": 100, "thousand": 1000}
_JOINERS = {"et", "and"}


def words(text: str) -> list[str]:
    """Lower-case words without punctuation (hyphens and apostrophes split), accents kept, numbers as digits."""
    text = unicodedata.normalize("NFC", text.lower().replace("’", "'"))
    text = re.sub(r"(\d)\s*h\s*(\d)", r"\1 heures \2", text)  # "15h30", "15 h 30"
    text = re.sub(r"(\d)\s*h\b", r"\1 heures", text)
    text = re.sub(r"(?<=\d)[  .](?=\d{3}\b)", "", text)  # "2 019", "2.019"
    tokens = re.findall(r"\w+", text.replace("-", " ").replace("'", " "))
    return _numbers_as_digits(tokens)


def _numbers_as_digits(tokens: list[str]) -> list[str]:
    """Runs of number words ("quatre vingt dix neuf", "two thousand") become one digit token."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        value, used = _number_at(tokens, i)
        if used:
            out.append(str(value))
            i += used
        else:
            out.append(tokens[i])
            i += 1
    return out


def _number_at(tokens: list[str], start: int) -> tuple[int, int]:
    """The number spelled from tokens[start] and how many tokens it took (0: none)."""
    total = current = 0
    i = start
    seen = False
    while i < len(tokens):
        token = tokens[i]
        if token.isdigit():
            if seen:
                break
            return int(token), 1
        if token in _FR_UNITS or token in _EN_UNITS:
            value = _FR_UNITS.get(token, _EN_UNITS.get(token, 0))
            if token in ("vingt", "vingts") and current % 100 == 4:  # quatre-vingt(s)
                current += 76
            elif seen and ((value >= 20 and current % 100) or (value < 20 and current % 10)):
                break  # "quarante-deux soixante-huit": two numbers, not one sum
            else:
                current += value
            seen = True
        elif token in _SCALES and (seen or token in ("cent", "mille")):
            scale = _SCALES[token]
            if scale == 1000:
                total += max(current, 1) * 1000
                current = 0
            else:
                current = max(current, 1) * scale
            seen = True
        elif token in _JOINERS and seen and i + 1 < len(tokens) and (
            tokens[i + 1] in _FR_UNITS or tokens[i + 1] in _EN_UNITS
        ):
            pass
        else:
            break
        i += 1
    if not seen:
        return 0, 0
    return total + current, i - start
