"""Counts agree with their noun in both languages, and commands are named in each platform's syntax."""

import pytest

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


def test_each_key_prefix_lives_in_one_topic_module():
    """A newcomer finds a message by its prefix: `memory.` keys all sit in one topic module, in both languages."""
    from core.i18n.messages import TOPICS

    homes: dict[str, set[str]] = {}
    for topic in TOPICS:
        assert topic.EN.keys() == topic.FR.keys(), topic.__name__
        for key in topic.EN:
            homes.setdefault(key.split(".")[0], set()).add(topic.__name__)
    assert {prefix: h for prefix, h in homes.items() if len(h) > 1} == {}


def test_a_key_in_two_topics_is_refused_rather_than_silently_overwritten():
    from core.i18n.messages import gather

    assert gather([{"a.x": "1"}, {"b.y": "2"}]) == {"a.x": "1", "b.y": "2"}
    with pytest.raises(ValueError, match="two topics"):
        gather([{"a.x": "1"}, {"a.x": "2"}])
