"""Every migration by name, in the order a fresh database applies them."""

from __future__ import annotations

from core.store.migrations.counted_releases import add_keyword_context, initial, scope_numbers
from core.store.migrations.family_wave import conversation_memory, family_access
from core.store.migrations.search_wave import (
    corrections_embed_wrong_words,
    french_keyword_text,
    interactions_by_scope_and_chat,
    scope_marked_keywords,
)
from core.store.migrations.steps import Migration

MIGRATIONS: list[Migration] = [
    Migration("initial", initial),
    Migration("keyword_context", add_keyword_context),
    Migration("scope_numbers", scope_numbers),
    Migration("interactions_by_scope_and_chat", interactions_by_scope_and_chat),
    Migration("french_keyword_text", french_keyword_text),
    Migration("scope_marked_keywords", scope_marked_keywords),
    Migration("corrections_embed_wrong_words", corrections_embed_wrong_words),
    Migration("conversation_memory", conversation_memory),
    Migration("family_access", family_access),
]
# Releases before named migrations counted them in PRAGMA user_version: the first N names are what
# such a database has.
LEGACY_ORDER = ("initial", "keyword_context", "scope_numbers")
