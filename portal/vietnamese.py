"""Vietnamese text: the one place that knows how Vietnamese is written.

Everything that compares, indexes, slugs or looks up Vietnamese text goes through here:

* :func:`nfc` – Unicode NFC (scraped pages and Windows-1258 text arrive decomposed);
* :func:`normalize_tones` – old ("hoà", "thuỷ", "Uỷ") and new ("hòa", "thủy", "Ủy") tone
  placement are the same word; the canonical form is the new one used by official data;
* :func:`fold` – strip every diacritic, đ→d ("Đảng ủy" → "Dang uy"), character for character;
* :func:`normalize` – NFC + tone placement + lower case: the exact form words are compared in;
* :data:`SYLLABLE` – a syllable (a word between spaces and punctuation, at most :data:`MAX_SYLLABLE` letters);
* :func:`slugify` – stable ASCII slugs for URLs;
* :func:`match_key` – a key for loose look-ups (gazetteer): folded, lower case, single spaces;
* :func:`sort_key` – Vietnamese alphabetical order (a ă â b c d đ e ê …), for every list readers see.

The transforms work on whole strings with ``str.translate`` and regular expressions, so the
search index can analyse a long article in a few passes instead of character by character.
"""

from __future__ import annotations

import re
import unicodedata

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (cheap when it already is)."""
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _build_tone_tables() -> tuple[dict[str, str], dict[str, str]]:
    """Map two-letter old-style endings to new style ("oà" → "òa") and back."""
    old_to_new: dict[str, str] = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for mark in _TONE_MARKS:
            for f, s in ((first, second), (first.upper(), second.upper()), (first.upper(), second)):
                old = f + unicodedata.normalize("NFC", s + mark)
                new = unicodedata.normalize("NFC", f + mark) + s
                old_to_new[old] = new
    new_to_old = {new: old for old, new in old_to_new.items()}
    return old_to_new, new_to_old


_OLD_TO_NEW, _NEW_TO_OLD = _build_tone_tables()
# The tone moves only on an open syllable ending in oa/oe/uy ("hoà", "khoẻ", "thuỷ"), never
# after "q" where "u" belongs to the initial ("quý"), never before a final consonant ("hoàng").

def _pair_pattern(pairs) -> re.Pattern:
    """Two-letter endings as a first-letter class and a second-letter class (fast to scan)."""
    firsts = "".join(sorted({pair[0] for pair in pairs}))
    seconds = "".join(sorted({pair[1] for pair in pairs}))
    return re.compile(f"(?<![qQ])[{firsts}][{seconds}](?!\\w)")


_OLD_STYLE = _pair_pattern(_OLD_TO_NEW)
_NEW_STYLE = _pair_pattern(_NEW_TO_OLD)


def normalize_tones(text: str, style: str = "new") -> str:
    """Put tone marks where ``style`` ("new": hòa/thủy, "old": hoà/thuỷ) places them.

    ``text`` must be NFC. The default, new style, is the canonical form of this project.
    """
    if style == "new":
        return _OLD_STYLE.sub(lambda m: _OLD_TO_NEW.get(m.group(), m.group()), text)
    if style == "old":
        return _NEW_STYLE.sub(lambda m: _NEW_TO_OLD.get(m.group(), m.group()), text)
    raise ValueError(f"unknown tone placement style: {style!r}")


def _build_fold_table() -> dict[int, str]:
    """One output character for each Vietnamese letter, so folded text keeps its offsets."""
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "D"}
    for code in range(0x00C0, 0x1EFA):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            table[code] = base
    return table


_FOLD = _build_fold_table()
_COMBINING = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Remove Vietnamese diacritics, đ→d. Same length as ``text`` when it is NFC."""
    folded = text.translate(_FOLD)
    if folded.isascii():
        return folded
    # Stray combining marks (text that was not NFC) are dropped.
    return _COMBINING.sub("", folded)


def normalize(text: str) -> str:
    """The exact comparison form: NFC, canonical tone placement, lower case."""
    return normalize_tones(nfc(text)).lower()


MAX_SYLLABLE = 40  # longer "words" are URLs, hashes or garbage: not syllables
# a syllable (or a number), as the search index and queries split text
SYLLABLE = re.compile(rf"(?<!\w)\w{{1,{MAX_SYLLABLE}}}(?!\w)")


def has_diacritics(text: str) -> bool:
    """True when folding ``text`` would change it."""
    return fold(text) != text


_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII slug: "Giá lúa tăng" → "gia-lua-tang", cut at a word boundary."""
    slug = _NON_SLUG.sub("-", fold(nfc(text)).lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else cut[:max_length]
    return slug.strip("-")


_SPACES = re.compile(r"[\s\u00a0]+")
_DASHES = re.compile(r"\s*[-‐‑‒–—]\s*")


def clean_spaces(text: str) -> str:
    """Collapse runs of spaces (including no-break spaces) and trim."""
    return _SPACES.sub(" ", text).strip()


def match_key(text: str) -> str:
    """Loose key for look-ups: folded, lower case, dashes and dots as spaces."""
    key = fold(normalize(text))
    key = _DASHES.sub(" ", key).replace(".", " ")
    return clean_spaces(key)


# Vietnamese alphabetical order. Letters first (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u
# ư v x y, with f j w z where Latin puts them); tone marks decide only between words that are
# otherwise equal, in dictionary order: none, huyền, hỏi, ngã, sắc, nặng.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONE_ORDER = {"": "0", "\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


def _build_sort_tables() -> tuple[dict[int, str], dict[int, str]]:
    """Each letter → one character ranked by the alphabet, and → its tone digit."""
    letters: dict[int, str] = {}
    tones: dict[int, str] = {}
    for code in [*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0x00C0, 0x1EFA)]:
        char = chr(code)
        decomposed = unicodedata.normalize("NFD", char.lower())
        marks = [c for c in decomposed if c in _TONE_MARKS]
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
        if base not in _ALPHABET or len(marks) > 1:
            continue
        letters[code] = chr(0x100 + _ALPHABET.index(base))  # after spaces, punctuation, digits
        tones[code] = _TONE_ORDER[marks[0] if marks else ""]
    return letters, tones


_SORT_LETTERS, _SORT_TONES = _build_sort_tables()
_NO_TONE = re.compile("[^0-5]")


def sort_key(text: str) -> tuple[str, str, str]:
    """Key for Vietnamese alphabetical order: "Cao Bằng" < "Cần Thơ" < "Đà Nẵng" < "Điện Biên".

    Compares letters first (space before any letter, so word by word), then tone marks, then
    the text itself, so equal keys only come from equal texts.
    """
    text = nfc(text)
    lower = normalize_tones(text).lower()
    return lower.translate(_SORT_LETTERS), _NO_TONE.sub("0", lower.translate(_SORT_TONES)), text
