"""Bytes of a saved page → NFC text, whatever encoding the old portal used.

Order: a byte-order mark; UTF-16 without one (every other byte NUL); the charset an HTML page
declares; strict UTF-8; Windows-1258 (older Vietnamese pages; it decodes to decomposed tone
marks) when that yields Vietnamese letters; last, charset-normalizer's guess.
"""

from __future__ import annotations

import codecs
import re

from portal import limits, vietnamese

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.I
)
# Browsers read these labels as Windows-1252 (WHATWG Encoding), which Python keeps apart.
_AS_CP1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "cp819"}
_VIETNAMESE = re.compile("[ăâđêôơưĂÂĐÊÔƠƯ\u0300\u0301\u0303\u0309\u0323]")
_CONTROLS = limits.CONTROL  # what an article may not hold


class DecodeError(ValueError):
    """Bytes no known encoding reads."""


def decode(data: bytes, markup: bool = False) -> tuple[str, str]:
    """``(text, encoding)``: NFC text with LF line ends; ``markup`` honours HTML charsets."""
    raw, encoding = _decode(data, markup)
    if len(_CONTROLS.findall(raw)) > len(raw) // 100:
        raise DecodeError("tệp không phải văn bản (có lẽ là ảnh hoặc tệp nén đặt nhầm đuôi)")
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    return vietnamese.nfc(_CONTROLS.sub("", text)), encoding


def _decode(data: bytes, markup: bool) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding.removesuffix("-sig")
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if markup:
        declared = declared_charset(data)
        if declared:
            try:
                return data.decode(declared), declared
            except UnicodeDecodeError:
                pass  # a page that lies about its charset: detect it
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = ""
    if _VIETNAMESE.search(text):
        return text, "cp1258"
    return _guess(data)


def declared_charset(data: bytes) -> str | None:
    """The Python codec of the charset an HTML page declares in its head, if it is known."""
    match = _DECLARED.search(data[:8192])
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", "replace").lower()
    if label in _AS_CP1252:
        label = "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A page declaring UTF-16 in ASCII bytes is not UTF-16 (WHATWG reads it as UTF-8).
    return None if name.startswith("utf-16") or name.startswith("utf-32") else name


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 of mostly ASCII letters has NULs in every other byte, and only there."""
    sample = data[: 4096 - 4096 % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd >= half // 4 and even <= half // 50:
        return "utf-16-le"
    if even >= half // 4 and odd <= half // 50:
        return "utf-16-be"
    return None


def _guess(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise DecodeError(
            "không nhận ra bảng mã của tệp (không phải UTF-8, UTF-16 hay Windows-1258); "
            "hãy mở tệp và lưu lại dưới dạng UTF-8 rồi nhập lại"
        )
    return str(best), best.encoding
