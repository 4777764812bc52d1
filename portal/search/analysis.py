"""Vietnamese analysis for Whoosh, built the Whoosh way: ``Tokenizer | Filter``.

``SyllableTokenizer`` is Whoosh's ``RegexTokenizer`` over the text normalised with
:mod:`portal.vietnamese` (NFC, canonical tone placement, lower case), in one pass over the
whole text. ``FoldingFilter`` then emits the folded form of each syllable ("quốc" → "quoc")
and, for short fields (titles), the exact form too at the *same position*. So:

* "an ninh to quoc" matches the folded forms (and phrases of them);
* "hoà"/"hòa", "thuỷ"/"thủy" and NFD input are already one form after normalisation;
* a query with diacritics ranks articles holding exactly them first: the best candidates are
  re-ranked against their stored text (see :mod:`portal.search.ranking`). Body text is indexed
  folded only, which halves the postings Whoosh writes — the index is the costliest part of
  a build.

There is no stemming and no stop list: "an" and "to" are Vietnamese syllables, not English
words. Abbreviations (ANTQ ↔ an ninh Tổ quốc) are expanded at query time from
``portal/data/abbreviations.csv`` (see :mod:`portal.search.parser`), which keeps the index lean.
"""

from __future__ import annotations

import csv
from array import array
from collections import defaultdict
from functools import cache
from pathlib import Path

from whoosh.analysis import Filter, RegexTokenizer
from whoosh.formats import Positions
from whoosh.system import pack_uint

from portal import vietnamese

ABBREVIATIONS_FILE = Path(__file__).resolve().parents[1] / "data" / "abbreviations.csv"
_COUNT_SIZE = len(pack_uint(0))  # the count before packed positions
PART_GAP = "\n\x1e\n"  # between the parts of a field value (title, text, metadata): a gap in positions


def normalize_same_length(text: str) -> str:
    """:func:`vietnamese.normalize`, keeping the offsets of ``text`` when it is NFC."""
    text = vietnamese.nfc(text)
    lowered = vietnamese.normalize_tones(text).lower()
    if len(lowered) != len(text):  # a rare letter whose lower case is longer ("İ")
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in vietnamese.normalize_tones(text))
    return lowered


class SyllableTokenizer(RegexTokenizer):
    """Normalised syllables of a text, with positions and character offsets."""

    def __init__(self):
        super().__init__(vietnamese.SYLLABLE)

    def __call__(self, value, **kwargs):
        return super().__call__(normalize_same_length(value), **kwargs)


class FoldingFilter(Filter):
    """Folded form of each token, plus the exact form at the same position when they differ.

    With ``exact=False`` (used for query terms that must match however they were typed) only
    the folded form is emitted.
    """

    def __init__(self, exact: bool = True):
        self.exact = exact

    def __call__(self, tokens):
        fold = vietnamese.fold
        for token in tokens:
            exact = token.text
            folded = fold(exact)
            token.text = folded
            yield token
            if self.exact and folded != exact:
                token.text = exact
                yield token


def VietnameseAnalyzer(exact: bool = True):  # noqa: N802 - named like Whoosh's analyser factories
    """The analyser of Vietnamese text fields; ``exact=False`` for folded-only fields."""
    return SyllableTokenizer() | FoldingFilter(exact=exact)


def _syllables(normalized: str) -> list[str]:
    return vietnamese.SYLLABLE.findall(normalized)


def folded_syllables(text: str) -> list[str]:
    """What ``VietnameseAnalyzer(exact=False)`` yields for ``text``, computed in bulk."""
    return _syllables(vietnamese.fold(normalize_same_length(text)))


class FoldedPositions(Positions):
    """Whoosh ``Positions`` format for folded-only fields, computed in bulk at index time.

    Produces exactly the postings of ``VietnameseAnalyzer(exact=False)`` (a test holds them
    equal) without building a Token per syllable, except that :data:`PART_GAP` between parts of
    a value (title, text, metadata) leaves a position empty, so that no phrase spans two parts.
    Queries (:func:`query_syllables`) and snippets (:mod:`portal.search.snippets`) split text
    the same way, without Tokens either.
    """

    def word_values(self, value, analyzer, **kwargs):
        positions = defaultdict(list)
        first = 0
        for part in value.split(PART_GAP):  # a position left empty between parts: no phrase across
            words = folded_syllables(part)
            for position, word in enumerate(words, first):
                positions[word].append(position)
            first += len(words) + 1
        boost, encode = self.field_boost, self.encode
        for word, places in positions.items():
            yield word, len(places), len(places) * boost, encode(places)

    # Positions as packed unsigned ints: decoding is one C call, not pickle plus a Python loop
    # over deltas (phrase checks decode positions for every candidate document).
    def encode(self, poslist):
        return pack_uint(len(poslist)) + array("I", poslist).tobytes()

    def decode_positions(self, valuestring):
        positions = array("I")
        positions.frombytes(valuestring[_COUNT_SIZE:])
        return positions


def query_syllables(text: str) -> list[tuple[str, str]]:
    """``(exact, folded)`` for each syllable of a query, in order."""
    normalized = normalize_same_length(text)
    return [(w, vietnamese.fold(w)) for w in _syllables(normalized)]


@cache
def abbreviation_forms() -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Folded syllables of each abbreviation and of its expansion → the other forms.

    ("antq",) → [("an", "ninh", "to", "quoc")] and back; "KT-XH" is ("kt", "xh").
    """
    forms: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    with open(ABBREVIATIONS_FILE, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            short = tuple(f for _, f in query_syllables(row["abbreviation"]))
            long = tuple(f for _, f in query_syllables(row["expansion"]))
            if short and long and short != long:
                forms.setdefault(short, []).append(long)
                forms.setdefault(long, []).append(short)
    return forms
