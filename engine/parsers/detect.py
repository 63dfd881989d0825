"""Recognise which of the four shapes a file is, from its content."""

from __future__ import annotations

import re

from engine.parsers.common import UnreadableInput, day_number
from engine.parsers.export_csv import is_export_header

_RANGE_SOMEWHERE = re.compile(r"\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}")


def decode(data: bytes) -> str:
    """Bytes → text: UTF-8 with or without BOM (UTF-16 with a BOM too); else a one-line reason."""
    if not data.strip():
        raise UnreadableInput("file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableInput("file claims UTF-16 but is not valid UTF-16") from None
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is not None:
            return text
        offset = data.index(b"\x00")
        raise UnreadableInput(f"file is binary (NUL byte at offset {offset}), not a forecast; save it as UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableInput(
            f"file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        ) from None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a BOM (mostly ASCII: every other byte is NUL), else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    for encoding, zeros in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
        if zeros.count(0) >= 0.9 * len(zeros):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return None if "\x00" in text else text
    return None


def detect_format(text: str) -> str:
    # blank lines, lines of only separators (an empty export row) and comments say nothing; "blank"
    # is str.strip()'s whitespace, which includes control characters such as \x1f
    lines = (ln.strip() for ln in text.splitlines())
    meaningful = [ln for ln in lines if ln.strip(";").strip() and not ln.startswith("#")]
    if not meaningful:
        raise UnreadableInput("file has no content lines")
    first = meaningful[0]
    if first.startswith(("{", "[")):
        return "json"
    if any(is_export_header(ln) for ln in meaningful[:50]):
        return "export"
    if "external_id" in first.lower() and "," in first:
        return "csv"
    if any(day_number(ln.split()[0]) is not None for ln in meaningful[:50]):
        return "text"
    if any(_RANGE_SOMEWHERE.search(ln) for ln in meaningful[:50]):
        return "text"
    raise UnreadableInput(
        "not a forecast: expected contract JSON, contract CSV, text lines or the customer export"
    )
