"""Numbers, sizes, dates and plural agreement written the way each language writes them."""

from __future__ import annotations

from datetime import datetime

NBSP = "\u00a0"
"""No-break space: French puts it before `:`, after `«` and between a number and its unit."""
NNBSP = "\u202f"
"""Narrow no-break space: French puts it before `;`, `?`, `!`, `»` and between groups of digits."""

_MONTHS = {
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
_UNITS = {"fr": ("octet", "octets", "Ko", "Mo", "Go"), "en": ("byte", "bytes", "KB", "MB", "GB")}


def plural_form(lang: str, count: object) -> str:
    """`one` or `other`: French counts 0 and 1 (and 1,5) as singular, English only exactly 1."""
    if isinstance(count, bool) or not isinstance(count, int | float):
        return "other"
    if lang == "fr":
        return "one" if abs(count) < 2 else "other"
    return "one" if count == 1 else "other"


def number(value: float, lang: str, *, decimals: int | None = None) -> str:
    """`20 000` and `12,5` in French, `20,000` and `12.5` in English (French groups from five digits on)."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".") if decimals and not float(value).is_integer() else text
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    if len(digits) > (4 if lang == "fr" else 3):
        groups = []
        while digits:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        digits = (NNBSP if lang == "fr" else ",").join(groups)
    point = "," if lang == "fr" else "."
    return sign + digits + (point + fraction if fraction else "")


def size(nbytes: int, lang: str) -> str:
    """A size as people read it: `933 octets`, `6,1 Ko`, `20 Mo` (`20 MB` in English), in units of 1024."""
    one, many, *units = _UNITS.get(lang, _UNITS["en"])
    space = NBSP if lang == "fr" else " "
    if nbytes < 1024:
        return f"{number(nbytes, lang)}{space}{one if plural_form(lang, nbytes) == 'one' else many}"
    value = nbytes / 1024
    for unit in units:
        if value < 1024 or unit == units[-1]:
            break
        value /= 1024
    shown = number(round(value, 1), lang, decimals=0 if value >= 100 or round(value, 1).is_integer() else 1)
    return f"{shown}{space}{unit}"


def when(moment: datetime, lang: str, *, now: datetime | None = None) -> str:
    """`3 décembre à 15 h 22` (`December 3 at 15:22`); the year is added when it is not this year's."""
    now = now or datetime.now(moment.tzinfo)
    month = _MONTHS.get(lang, _MONTHS["en"])[moment.month - 1]
    year = f" {moment.year}" if moment.year != now.year else ""
    if lang == "fr":
        day = "1er" if moment.day == 1 else str(moment.day)
        return f"{day} {month}{year} à {moment.hour}{NBSP}h{NBSP}{moment.minute:02d}"
    return f"{month} {moment.day}{',' if year else ''}{year} at {moment.hour:02d}:{moment.minute:02d}"


class Localised:
    """A message parameter that formats itself in one language.

    In a template: `{n}` is the number as the language writes it, `{n:size}` a size in bytes,
    `{n:souvenir|souvenirs}` the word that agrees with `n`, and a datetime reads as a date.
    """

    __slots__ = ("lang", "value")

    def __init__(self, value: object, lang: str) -> None:
        self.value = value
        self.lang = lang

    def __format__(self, spec: str) -> str:
        value = self.value
        if "|" in spec:
            singular, _, plural = spec.partition("|")
            return singular if plural_form(self.lang, value) == "one" else plural
        if spec == "size" and isinstance(value, int | float) and not isinstance(value, bool):
            return size(int(value), self.lang)
        if isinstance(value, datetime):
            return when(value, self.lang)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return str(value)
        return number(value, self.lang)

    def __str__(self) -> str:
        return format(self, "")
