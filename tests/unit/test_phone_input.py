"""The small decisions of phone input: spoken commands, what counts as a shared link, which addresses are public."""

from __future__ import annotations

import pytest

from core.errors import PageRefused
from core.ingestion.web_page import check_url, is_public, url_alone
from core.media import kind_of
from core.models import Attachment, AttachmentKind
from core.spoken import spoken_command


@pytest.mark.parametrize(
    ("transcript", "expected"),
    [
        ("Teach. The spare key is under the pot.", ("teach", "The spare key is under the pot.")),
        ("teach, the spare key is under the pot", ("teach", "the spare key is under the pot")),
        ("Enseigne : la clé est sous le pot.", ("teach", "la clé est sous le pot.")),
        ("Why?", ("why", "")),
        ("Status.", ("status", "")),
        ("Why is the sky blue?", (None, "Why is the sky blue?")),
        ("Teach me how to bake bread", (None, "Teach me how to bake bread")),
        ("Remember, dentist on Tuesday", ("remember", "dentist on Tuesday")),
        ("Où est la clé ?", (None, "Où est la clé ?")),
    ],
)
def test_a_command_word_counts_only_alone_or_before_a_pause(transcript, expected):
    assert spoken_command(transcript) == expected


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("  <http://example.org/x>  ", "http://example.org/x"),
        ("ftp://example.org/file", "ftp://example.org/file"),
        ("read https://example.org please", None),
        ("https://a.org https://b.org", None),
        ("example.org", None),
    ],
)
def test_only_a_message_that_is_one_link_is_a_link_to_keep(text, url):
    assert url_alone(text) == url


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.1.1", False),
        ("172.16.0.9", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:192.168.1.1", False),
        ("224.0.0.1", False),
    ],
)
def test_only_globally_routable_unicast_addresses_are_public(address, public):
    assert is_public(address) is public


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "web.scheme"),
        ("gopher://example.org/", "web.scheme"),
        ("http://user:pass@example.org/", "web.bad_url"),
        ("http://192.168.1.1/admin", "web.private"),
        ("http://[::1]:8080/", "web.private"),
        ("http://169.254.169.254/latest/meta-data/", "web.private"),
        ("http://example.org:99999/", "web.bad_url"),
    ],
)
def test_urls_are_refused_before_any_connection(url, reason):
    with pytest.raises(PageRefused) as refused:
        check_url(url, allow_private=False)
    assert refused.value.key == reason


def test_the_setting_lets_private_addresses_through_but_never_other_schemes():
    assert check_url("http://192.168.1.1/admin", allow_private=True) == "192.168.1.1"
    with pytest.raises(PageRefused):
        check_url("file:///etc/passwd", allow_private=True)


async def _never() -> bytes:
    raise AssertionError


@pytest.mark.parametrize(
    ("name", "mime", "kind", "expected"),
    [
        ("scan.JPG", None, None, AttachmentKind.IMAGE),
        ("", "image/webp", None, AttachmentKind.IMAGE),
        ("note.oga", None, None, AttachmentKind.AUDIO),
        ("", "audio/ogg", None, AttachmentKind.AUDIO),
        ("notes.pdf", "application/pdf", None, AttachmentKind.DOCUMENT),
        ("", None, AttachmentKind.AUDIO, AttachmentKind.AUDIO),
    ],
)
def test_an_attachment_kind_comes_from_the_platform_then_the_type_then_the_name(name, mime, kind, expected):
    assert kind_of(Attachment(name, 1, _never, mime=mime, kind=kind)) is expected
