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
  a build — and without positions: each two adjacent syllables are one term of the ``pairs``
  field ("an ninh"), so a phrase is a set intersection, never a walk over positions.

There is no stemming and no stop list: "an" and "to" are Vietnamese syllables, not English
words. Abbreviations (ANTQ ↔ an ninh Tổ quốc) are expanded at query time from
``portal/data/abbreviations.csv`` (see :mod:`portal.search.parser`), which keeps the index lean.
"""

from __future__ import annotations

import csv
from array import array
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

from whoosh.analysis import Filter, RegexTokenizer
from whoosh.formats import Existence, Positions
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


_last_folded: list = [None, []]  # (value, its parts' folded syllables): the value two fields index


def _folded_parts(value: str) -> list[list[str]]:
    """The folded syllables of each part of ``value`` (:data:`PART_GAP`), computed once for the
    two fields that index the same value (``content`` and ``pairs``, indexed one after the
    other)."""
    if _last_folded[0] is not value:
        _last_folded[:] = [value, [folded_syllables(part) for part in value.split(PART_GAP)]]
    return _last_folded[1]


def pair_term(first: str, second: str) -> str:
    """The term of two adjacent folded syllables in the ``pairs`` field: "an ninh"."""
    return f"{first} {second}"


class FoldedCounts(Existence):
    """Whoosh format of the ``content`` field: each folded syllable and how often it occurs
    (the weight BM25F reads), computed in bulk without a Token per syllable; no positions
    (phrases are answered by the ``pairs`` field). The terms and frequencies of
    ``VietnameseAnalyzer(exact=False)`` (a test holds them equal)."""

    def word_values(self, value, analyzer, **kwargs):
        counts, boost = Counter(), self.field_boost
        for words in _folded_parts(value):
            counts.update(words)
        for word, count in counts.items():
            yield word, count, count * boost, b""


class FoldedPairs(Existence):
    """Whoosh format of the ``pairs`` field: each two adjacent folded syllables of a part of a
    value, as one term (:func:`pair_term`), present or not; none across parts. A phrase of two
    syllables is one posting list; a longer one, the intersection of its pairs' lists."""

    def word_values(self, value, analyzer, **kwargs):
        pairs, boost = set(), self.field_boost
        for words in _folded_parts(value):
            pairs.update(map(pair_term, words, words[1:]))
        for pair in pairs:
            yield pair, 1, boost, b""


def folded_text(parts) -> str:
    """The folded syllables of each of ``parts`` (texts) joined by single spaces, the parts
    apart, with a space at each end: `` an ninh to quoc | ninh binh ``; a phrase of one part
    is a substring (:func:`holds_phrase`)."""
    return f" {' | '.join(' '.join(folded_syllables(part)) for part in parts)} "


def holds_phrase(folded: str, words: tuple[str, ...]) -> bool:
    """Whether a :func:`folded_text` holds the folded ``words`` adjacent and in order."""
    return f" {' '.join(words)} " in folded


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
