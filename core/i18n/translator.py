"""Looks up a message by key in the user's language: plurals, nested phrases, localised parameters."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from core.i18n.messages import MESSAGES
from core.locale_format import Localised, plural_form

log = logging.getLogger(__name__)

SUPPORTED = ("en", "fr")
UNLOCALISED = frozenset({"id", "doc", "status"})
"""Parameters that are identifiers, shown as typed (`#12345`, error 502), never as quantities."""


def normalise_language(code: str | None, default: str) -> str:
    """Map a platform language code (`fr-FR`, `en_US`) to a supported language."""
    if code:
        short = code.replace("_", "-").split("-")[0].lower()
        if short in SUPPORTED:
            return short
    return default


@dataclass(frozen=True)
class Phrase:
    """A message used as a parameter of another (a reason inside a refusal), translated with it."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


class _Params(dict):
    """Message parameters; a missing one reads as empty."""

    def __missing__(self, key: str) -> str:
        return _BLANK


class _Blank:
    """A forgotten parameter: empty under any format spec."""

    def __format__(self, spec: str) -> str:
        return ""


_BLANK = _Blank()


@dataclass
class Translator:
    """Looks up a message by key in the user's language, falling back to English.

    A key with `.one` / `.other` variants is chosen by the `count` parameter; numbers, sizes and
    dates in parameters are written as the language writes them (core.locale_format). `c` is how
    the platform writes a command (`/`, `!`, nothing on the console); it defaults to `/`. An
    unknown key is logged as an error and the user reads the generic apology, never the key.
    """

    default: str = "en"
    messages: dict[str, dict[str, str]] = field(default_factory=lambda: MESSAGES)

    def knows(self, key: str) -> bool:
        """Whether `key` (or its `.one`/`.other` forms) is a message."""
        return key in self.messages["en"] or f"{key}.other" in self.messages["en"]

    def __call__(self, lang: str | None, key: str, **params: object) -> str:
        """The message `key` in `lang`, formatted with `params`."""
        lang = normalise_language(lang, self.default)
        params.setdefault("c", "/")
        if not self.knows(key):
            log.error("unknown message key %r", key)
            key, params = "error.generic", {}
        if f"{key}.other" in self.messages["en"]:
            key = f"{key}.{plural_form(lang, params.get('count'))}"
        template = self.messages.get(lang, {}).get(key) or self.messages["en"][key]
        shown = {name: self._shown(lang, name, value) for name, value in params.items()}
        # A parameter the caller forgot is left out, never shown as a literal `{name}`.
        return template.format_map(_Params(shown))

    def _shown(self, lang: str, name: str, value: object) -> object:
        """A parameter as `lang` writes it: a nested phrase translated, a quantity localised."""
        if isinstance(value, Phrase):
            return self(lang, value.key, **value.params)
        if name in UNLOCALISED:
            return str(value)
        return Localised(value, lang)
