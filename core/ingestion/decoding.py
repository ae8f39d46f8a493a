"""Bytes to text: BOM-announced UTF-8/UTF-16/UTF-32, else UTF-8, else Windows-1252; binary data refused."""

from __future__ import annotations

import codecs

from core.errors import CorruptFile
from core.text import storable

_DECODE_SLICE = 1 << 20
_SAMPLE = 8192
_MAX_CONTROL_SHARE = 0.05  # text that is not UTF-8: random binary data has ~11% control bytes
_MAX_CONTROL_SHARE_UTF8 = 0.3  # valid UTF-8 with a few stray NULs is text (the NULs are dropped)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])


def decode_text(data: bytes) -> str:
    """The text `data` holds, ready to store (control characters removed); raises CorruptFile for binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return storable(decode_in_slices(data, encoding))
            except UnicodeDecodeError as error:
                raise CorruptFile("file.binary", name="") from error
    sample = data[:_SAMPLE]
    if _control_share(sample) > _MAX_CONTROL_SHARE_UTF8:
        raise CorruptFile("file.binary", name="")
    try:
        return storable(decode_in_slices(data, "utf-8"))
    except UnicodeDecodeError:
        if _control_share(sample) > _MAX_CONTROL_SHARE:
            raise CorruptFile("file.binary", name="") from None
    utf8 = decode_in_slices(data, "utf-8", errors="replace")
    invalid = utf8.count("\ufffd")
    non_ascii = len(utf8) - len(utf8.encode("ascii", "ignore")) - invalid
    if non_ascii > invalid:  # mostly UTF-8 with a few stray bytes: keep the UTF-8 reading
        return storable(utf8)
    return storable(decode_in_slices(data, "cp1252", errors="replace"))


def _control_share(sample: bytes) -> float:
    """The share of control bytes no text file holds (NUL and the like) in a sample."""
    if not sample:
        return 0.0
    return (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) / len(sample)


def decode_in_slices(data: bytes, encoding: str, errors: str = "strict") -> str:
    """`data.decode(encoding)`, 1 MB at a time: one call on 20 MB holds the GIL for ~50-100 ms."""
    decoder = codecs.getincrementaldecoder(encoding)(errors)
    parts = [
        decoder.decode(data[start : start + _DECODE_SLICE]) for start in range(0, len(data), _DECODE_SLICE)
    ]
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts)
