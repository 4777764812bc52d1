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
from collections import Counter
from functools import cache
from pathlib import Path

from whoosh.analysis import Filter, RegexTokenizer
from whoosh.formats import Existence

from portal import vietnamese

ABBREVIATIONS_FILE = Path(__file__).resolve().parents[1] / "data" / "abbreviations.csv"


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


_last_folded: list = [None, []]  # (text, its folded syllables): the text two fields index


def _folded_once(value: str) -> list[str]:
    """:func:`folded_syllables` of ``value``, computed once for the two fields that index the
    same text (``content`` and ``pairs``, which Whoosh indexes one after the other)."""
    if _last_folded[0] is not value:
        _last_folded[:] = [value, folded_syllables(value)]
    return _last_folded[1]


def pair_term(first: str, second: str) -> str:
    """The term of two adjacent folded syllables in the ``pairs`` field: "an ninh"."""
    return f"{first} {second}"


class FoldedCounts(Existence):
    """Whoosh format of the ``content`` field: each folded syllable and how often it occurs
    (the weight BM25F reads), computed in bulk without a Token per syllable; no positions
    (phrases are answered by the ``pairs`` field). Produces the terms and frequencies of
    ``VietnameseAnalyzer(exact=False)`` (a test holds them equal)."""

    def word_values(self, value, analyzer, **kwargs):
        boost = self.field_boost
        for word, count in Counter(_folded_once(value)).items():
            yield word, count, count * boost, b""


class FoldedPairs(Existence):
    """Whoosh format of the ``pairs`` field: each two adjacent folded syllables of a text, as
    one term (:func:`pair_term`), present or not. A phrase of two syllables is one posting
    list; a longer one, the intersection of its pairs' lists."""

    def word_values(self, value, analyzer, **kwargs):
        syllables, boost = _folded_once(value), self.field_boost
        for pair in set(map(pair_term, syllables, syllables[1:])):
            yield pair, 1, boost, b""


def folded_text(text: str) -> str:
    """The folded syllables of ``text`` joined by single spaces, with a space at each end:
    `` an ninh to quoc ``, where a phrase is a substring (:func:`holds_phrase`)."""
    return f" {' '.join(folded_syllables(text))} "


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
