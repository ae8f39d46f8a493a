"""Translated user-facing strings (French and English): the translator and its messages by topic."""

from core.i18n.translator import SUPPORTED, Phrase, Translator, normalise_language

__all__ = ["SUPPORTED", "Phrase", "Translator", "normalise_language"]
