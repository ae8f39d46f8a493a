"""Counts agree with their noun in both languages, and commands are named in each platform's syntax."""

from core.i18n import Translator


def test_counts_take_the_singular_or_plural_of_each_language():
    t = Translator()
    assert "1 memory," in t("en", "ingest.done", name="a.txt", count=1, doc=1)
    assert "3 memories," in t("en", "ingest.done", name="a.txt", count=3, doc=1)
    assert "0 memories," in t("en", "ingest.done", name="a.txt", count=0, doc=1)
    assert "1 souvenir," in t("fr", "ingest.done", name="a.txt", count=1, doc=1)
    assert "0 souvenir," in t("fr", "ingest.done", name="a.txt", count=0, doc=1), "French: 0 is singular"
    assert "3 souvenirs," in t("fr", "ingest.done", name="a.txt", count=3, doc=1)


def test_messages_name_commands_with_the_platform_prefix():
    t = Translator()
    assert "!start CODE" in t("en", "access.denied", user="matrix:@x:hs", c="!")
    assert "send start CODE" in t("en", "access.denied", user="console:local", c="")
    assert "/aide" in t("fr", "start.welcome") and "/help" in t("en", "start.welcome")
